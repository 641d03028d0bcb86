/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Attacks with malformed JOSE on a real foyer-service: bearer tokens that
 * made Debian 12's cjose abort the whole service ("Bearer 1=.."), hostile
 * Foyer-Key-Wrap headers, hostile JWEs in bodies. After each one the
 * service is still up and serves others.
 */
#include "config.h"

#include <string.h>

#include "foyer-core.h"
#include "security-util.h"

static char *
b64 (const char *text)
{
  return foyer_base64url_encode ((const guint8 *) text, strlen (text));
}

static void
test_malformed_bearer (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *h_es = b64 ("{\"alg\":\"ES256\"}");
  g_autofree char *h_none = b64 ("{\"alg\":\"none\"}");
  g_autofree char *h_apu = b64 ("{\"alg\":\"ES256\",\"apu\":\"A=\"}");
  g_autofree char *padded = g_strdup_printf ("%s.e30.AAAA=", h_es);
  g_autofree char *short_sig = g_strdup_printf ("%s.e30.A", h_es);
  g_autofree char *eq_sig = g_strdup_printf ("%s.e30.AA=", h_es);
  g_autofree char *eq_payload = g_strdup_printf ("%s.e3=.AAAA", h_es);
  g_autofree char *none = g_strdup_printf ("%s.e30.", h_none);
  g_autofree char *apu = g_strdup_printf ("%s.e30.AAAA", h_apu);
  g_autofree char *huge = g_strnfill (6000, 'A');
  const char *tokens[] = {
    "1=..", "1=.1=.1=", "A=.A=.A=", "=",        "..", "a.b.c.d.e", "AAAAA.AAAA.AAAA",
    padded, short_sig,  eq_sig,     eq_payload, none, apu,         huge,
  };
  const char *paths[] = { "/v1/people/me", "/kms/v1/keys/abc", "/v1/events" };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    for (guint j = 0; j < G_N_ELEMENTS (paths); j++)
      {
        g_autoptr (SecReply) reply = sec_request (base, "GET", paths[j], tokens[i], NULL, NULL);

        if (reply->status != 401)
          g_error ("Bearer %.40s on %s → %u, expected 401", tokens[i], paths[j], reply->status);
        g_assert_nonnull (strstr (reply->body, "unauthorized"));
      }
  sec_assert_serves_others (service);
}

static char *
new_key_id (const char *base, const char *token)
{
  g_autoptr (SecReply) resource
      = sec_request (base, "POST", "/kms/v1/resources", token, NULL, "{}");
  g_autoptr (JsonObject) r = sec_reply_json (resource);
  g_autofree char *body = NULL;
  g_autoptr (SecReply) key = NULL;
  g_autoptr (JsonObject) k = NULL;

  g_assert_cmpuint (resource->status, ==, 201);
  body = g_strdup_printf ("{\"resourceUri\":\"%s\"}", json_object_get_string_member (r, "uri"));
  key = sec_request (base, "POST", "/kms/v1/keys", token, NULL, body);
  g_assert_cmpuint (key->status, ==, 201);
  k = sec_reply_json (key);
  return g_strdup (strrchr (json_object_get_string_member (k, "uri"), '/') + 1);
}

static void
test_hostile_key_wrap_header (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *key_id = new_key_id (base, token);
  g_autofree char *path = g_strdup_printf ("/kms/v1/keys/%s", key_id);
  const char *jwks[] = {
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"A=\",\"y\":\"A=\"}",
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAAA\",\"y\":\"AAAAA\"}",
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":7,\"y\":[]}",
    "{\"kty\":\"oct\",\"k\":\"A=\"}",
    "{\"kty\":\"RSA\",\"n\":\"A=\",\"e\":\"A=\"}",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
    "]]"
    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "{}",
  };
  const char *raw_values[] = { "A=", "====", "e30=", "A", "!!!!" };

  for (guint i = 0; i < G_N_ELEMENTS (jwks) + G_N_ELEMENTS (raw_values); i++)
    {
      g_autofree char *value = i < G_N_ELEMENTS (jwks)
                                   ? b64 (jwks[i])
                                   : g_strdup (raw_values[i - G_N_ELEMENTS (jwks)]);
      g_autofree char *header = g_strdup_printf ("Foyer-Key-Wrap: %s", value);
      const char *headers[] = { header, NULL };
      g_autoptr (SecReply) reply = sec_request (base, "GET", path, token, headers, NULL);

      if (reply->status != 400)
        g_error ("Foyer-Key-Wrap %s → %u, expected 400", value, reply->status);
    }
  sec_assert_serves_others (service);
}

static void
test_hostile_jwe_in_bodies (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *h_apu
      = b64 ("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"kms://a/keys/b\",\"apu\":\"A=\"}");
  g_autofree char *h_dir = b64 ("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"kms://a/keys/b\"}");
  const char *iv = "AAAAAAAAAAAAAAAA";
  const char *tag = "AAAAAAAAAAAAAAAAAAAAAA";
  g_autofree char *apu = g_strdup_printf ("%s..%s.AAAA.%s", h_apu, iv, tag);
  g_autofree char *eq = g_strdup_printf ("%s..%s.AA=.%s", h_dir, iv, tag);
  g_autofree char *odd = g_strdup_printf ("%s..%s.AAAAA.%s", h_dir, iv, tag);
  const char *titles[] = { "1=....", apu, eq, odd, "A=.A=.A=.A=.A=" };

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    {
      g_autofree char *body = g_strdup_printf (
          "{\"title\":\"%s\",\"kmsResourceUri\":\"kms://a/resources/b\"}", titles[i]);
      g_autoptr (SecReply) reply = sec_request (base, "POST", "/v1/spaces", token, NULL, body);

      if (reply->status != 400)
        g_error ("title %s → %u, expected 400", titles[i], reply->status);
    }
  sec_assert_serves_others (service);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/tokens/malformed-bearer", test_malformed_bearer);
  g_test_add_func ("/security/tokens/hostile-key-wrap-header", test_hostile_key_wrap_header);
  g_test_add_func ("/security/tokens/hostile-jwe-in-bodies", test_hostile_jwe_in_bodies);
  return g_test_run ();
}
