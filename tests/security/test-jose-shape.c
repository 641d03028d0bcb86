/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The JOSE shape check (src/core/crypto/foyer-jose-shape.c): what real
 * tokens and JWEs look like passes; each input that makes Debian 12's cjose
 * abort, and every other malformed shape, is refused; and whatever passes
 * goes through cjose without harm.
 */
#include "config.h"

#include <cjose/cjose.h>
#include <string.h>

#include "foyer-chat-client.h"
#include "foyer-core.h"
#include "foyer-event.h"
#include "foyer-jose-shape.h"
#include "foyer-jwe.h"

static const char *const dir_algs[] = { "dir", NULL };
static const FoyerJoseRules dir_rules = { FOYER_JOSE_JWE, 0, dir_algs, "A256GCM" };
static const char *const es256[] = { "ES256", NULL };
static const FoyerJoseRules jws_rules = { FOYER_JOSE_JWS, 0, es256, NULL };
static const char *const ecdh[] = { "ECDH-ES", NULL };
static const FoyerJoseRules ecdh_rules = { FOYER_JOSE_JWE, 0, ecdh, "A256GCM" };

static char *
b64 (const char *text)
{
  return foyer_base64url_encode ((const guint8 *) text, strlen (text));
}

/* A JWE-shaped string with the given header and parts. */
static char *
jwe_with (const char *header, const char *key, const char *iv, const char *ct, const char *tag)
{
  g_autofree char *h = b64 (header);

  return g_strdup_printf ("%s.%s.%s.%s.%s", h, key, iv, ct, tag);
}

static char *
sign_es256 (const char *payload)
{
  cjose_err err = { 0 };
  cjose_jwk_t *key = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  cjose_header_t *header = cjose_header_new (&err);
  cjose_jws_t *jws;
  const char *compact = NULL;
  char *result;

  cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ES256, &err);
  jws = cjose_jws_sign (key, header, (const guint8 *) payload, strlen (payload), &err);
  g_assert_nonnull (jws);
  g_assert_true (cjose_jws_export (jws, &compact, &err));
  result = g_strdup (compact);
  cjose_jws_release (jws);
  cjose_header_release (header);
  cjose_jwk_release (key);
  return result;
}

static void
test_real_shapes_pass (void)
{
  guint8 key[32] = { 7 };
  g_autofree char *jwe
      = foyer_jwe_encrypt_string (key, sizeof key, "kms://k.example/keys/abc", "hello", NULL);
  g_autofree char *jws = sign_es256 ("{\"sub\":\"x\"}");
  g_autoptr (JsonObject) header = NULL;
  const char *why = NULL;

  header = foyer_jose_check (jwe, &dir_rules, &why);
  g_assert_nonnull (header);
  g_assert_cmpstr (json_object_get_string_member (header, "kid"), ==, "kms://k.example/keys/abc");
  g_clear_pointer (&header, json_object_unref);
  header = foyer_jose_check (jws, &jws_rules, &why);
  g_assert_nonnull (header);
  g_assert_true (foyer_jose_is_base64url ("", 0));
  g_assert_true (foyer_jose_is_base64url ("AB-_", -1));
}

/* What Debian 12's cjose (0.6.2.1) aborts on, and other shapes that must
 * never reach it. */
static void
test_hostile_compact_refused (void)
{
  g_autofree char *padded = NULL;
  g_autofree char *long_part = g_strnfill (FOYER_JOSE_MAX_LENGTH + 10, 'A');
  g_autofree char *hdr_es = b64 ("{\"alg\":\"ES256\"}");
  g_autofree char *hdr_none = b64 ("{\"alg\":\"none\"}");
  g_autofree char *hdr_array = b64 ("[1]");
  g_autofree char *hdr_deep = b64 ("{\"a\":[[[[[[[[[[[[1]]]]]]]]]]]]}");
  g_autofree char *hdr_crit = b64 ("{\"alg\":\"ES256\",\"crit\":[\"b64\"]}");
  const char *why = NULL;
  const char *hostile[] = {
    "1=..",       "1=.1=.1=",   "a.b",   "a.b.c.d", "....",    "A=.A=.A=", "AAAAA.AAAA.AAAA",
    "AAAA.AAAA.", "AA==.AA.AA", "é.a.b", "a b.c.d", "a.b.c\n", "",         NULL,
    NULL,         NULL,         NULL,    NULL,      NULL,
  };

  padded = g_strdup_printf ("%s.e30.AAAA=", hdr_es);
  hostile[13] = padded;
  hostile[14] = g_strdup_printf ("%s.e30.AAAA", hdr_none);
  hostile[15] = g_strdup_printf ("%s.e30.AAAA", hdr_array);
  hostile[16] = g_strdup_printf ("%s.e30.AAAA", hdr_deep);
  hostile[17] = g_strdup_printf ("%s.e30.AAAA", hdr_crit);
  hostile[18] = long_part;
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (JsonObject) header = foyer_jose_check (hostile[i], &jws_rules, &why);

      if (header != NULL)
        g_error ("accepted hostile JWS %u: %.60s", i, hostile[i]);
      g_assert_nonnull (why);
    }
  g_assert_null (foyer_jose_check (NULL, &jws_rules, NULL));
  for (guint i = 14; i < 18; i++)
    g_free ((char *) hostile[i]);
}

static void
test_hostile_jwe_refused (void)
{
  const char *iv = "AAAAAAAAAAAAAAAA";        /* 12 bytes */
  const char *tag = "AAAAAAAAAAAAAAAAAAAAAA"; /* 16 bytes */
  const char *epk_ok = "{\"kty\":\"EC\",\"crv\":\"P-256\","
                       "\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
                       "\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}";
  g_autofree char *ok_header
      = g_strdup_printf ("{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"epk\":%s}", epk_ok);
  g_autofree char *ok = jwe_with (ok_header, "", iv, "AAAA", tag);
  g_autofree char *apu_header = g_strdup_printf (
      "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"apu\":\"A=\",\"epk\":%s}", epk_ok);
  struct
  {
    const char *header, *iv, *tag;
  } cases[] = {
    { apu_header, iv, tag },
    { "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"apv\":7}", iv, tag },
    { "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"epk\":{\"kty\":\"EC\",\"crv\":\"P-256\","
      "\"x\":\"A=\",\"y\":\"AAAA\"}}",
      iv, tag },
    { "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"epk\":\"not a key\"}", iv, tag },
    { "{\"alg\":\"ECDH-ES\",\"enc\":\"A128CBC-HS256\"}", iv, tag },
    { "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"zip\":\"DEF\"}", iv, tag },
    { "{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}", iv, tag },
    { ok_header, "AAAA", tag },
    { ok_header, iv, "AAAA" },
  };
  g_autoptr (JsonObject) good = foyer_jose_check (ok, &ecdh_rules, NULL);

  g_assert_nonnull (good);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *jwe = jwe_with (cases[i].header, "", cases[i].iv, "AAAA", cases[i].tag);
      g_autoptr (JsonObject) header = foyer_jose_check (jwe, &ecdh_rules, NULL);

      if (header != NULL)
        g_error ("accepted hostile JWE %u: %s", i, cases[i].header);
    }
  /* The dir rules refuse an ECDH-ES JWE, and both refuse a JWS. */
  g_assert_null (foyer_jose_check (ok, &dir_rules, NULL));
  g_assert_false (foyer_jwe_check (ok, FOYER_JWE_MAX_LENGTH, NULL, NULL));
  g_assert_false (foyer_jwe_check ("1=..", FOYER_JWE_MAX_LENGTH, NULL, NULL));
}

static void
test_jwk_shapes (void)
{
  const char *good[] = {
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}",
    "{\"kty\":\"RSA\",\"n\":\"AAAA\",\"e\":\"AQAB\",\"kid\":\"k1\"}",
    "{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAA\"}",
  };
  const char *bad[] = {
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"A=\",\"y\":\"AAAA\"}",
    "{\"kty\":\"RSA\",\"n\":\"AAAAA\",\"e\":\"AQAB\"}",
    "{\"kty\":\"RSA\",\"n\":\"AA+A\",\"e\":\"AQAB\"}",
    "{\"kty\":\"oct\",\"k\":7}",
    "{\"kty\":\"oct\"}",
    "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\"}",
    "{\"kty\":\"OKP\",\"x\":\"AAAA\"}",
    "{\"kty\":\"RSA\",\"n\":\"AAAA\",\"e\":\"AQAB\",\"kid\":[]}",
    "[]",
    "not json",
    "{\"kty\":\"oct\",\"k\":\"AAAA\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (foyer_jose_check_jwk_text (good[i], strlen (good[i]), NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    if (foyer_jose_check_jwk_text (bad[i], strlen (bad[i]), NULL))
      g_error ("accepted hostile JWK %u: %s", i, bad[i]);
}

/* Whatever the check lets through, cjose handles without aborting: the
 * shapes below pass (they are well formed) but are nonsense inside. */
static void
test_passing_shapes_are_safe_for_cjose (void)
{
  guint8 key[32] = { 1 };
  const char *iv = "AAAAAAAAAAAAAAAA";
  const char *tag = "AAAAAAAAAAAAAAAAAAAAAA";
  const char *headers[] = {
    "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"k\"}",
    "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"k\",\"apu\":\"AA\",\"apv\":\"\"}",
    "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"k\",\"extra\":{\"a\":[1,2]}}",
  };
  const char *cts[] = { "", "AA", "AAA", "AAAA", "____" };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    for (guint j = 0; j < G_N_ELEMENTS (cts); j++)
      {
        g_autofree char *jwe = jwe_with (headers[i], "", iv, cts[j], tag);
        g_autoptr (GError) error = NULL;
        g_autoptr (GBytes) plain = foyer_jwe_decrypt (key, sizeof key, jwe, &error);

        g_assert_null (plain);
        g_assert_nonnull (error);
      }
}

/* A hostile service (or anything between it and the app) sending deeply
 * nested JSON: json-glib would recurse until the stack overflows. */
static void
test_deep_event_refused (void)
{
  gsize n = 1024 * 1024;
  g_autofree char *deep = g_strnfill (n, '[');
  g_autofree char *deep_member = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) event = foyer_event_parse (deep, n, &error);

  g_assert_null (event);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (foyer_json_depth_within (deep, n, FOYER_JSON_MAX_DEPTH));
  g_assert_true (foyer_json_depth_within ("{\"a\":\"[[[[[[[[\"}", 13, 2));

  /* An event whose message body is not a JWE never reaches the app. */
  deep_member = g_strdup ("{\"type\":\"message.created\",\"cursor\":3,\"spaceId\":\"s\","
                          "\"message\":{\"id\":\"m\",\"body\":\"1=....\"}}");
  g_assert_null (foyer_event_parse (deep_member, strlen (deep_member), &error));
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/jose/real-shapes-pass", test_real_shapes_pass);
  g_test_add_func ("/security/jose/hostile-compact-refused", test_hostile_compact_refused);
  g_test_add_func ("/security/jose/hostile-jwe-refused", test_hostile_jwe_refused);
  g_test_add_func ("/security/jose/jwk-shapes", test_jwk_shapes);
  g_test_add_func ("/security/jose/deep-event-refused", test_deep_event_refused);
  g_test_add_func ("/security/jose/passing-shapes-safe-for-cjose",
                   test_passing_shapes_are_safe_for_cjose);
  return g_test_run ();
}
