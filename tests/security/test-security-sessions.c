/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sessions against a real foyer-service: signing out, an administrator's
 * "sign out everywhere", disabling, enabling and removing an account with
 * the admin CLI while the service runs, tokens whose claims lie (issuer,
 * issue time, lifetime, session), and WebSockets that must not outlive
 * their session or their token.
 */
#include "config.h"

#include <cjose/cjose.h>
#include <string.h>

#include "foyer-core.h"
#include "security-util.h"

static guint
get_status (const char *base, const char *path, const char *token)
{
  g_autoptr (SecReply) reply = sec_request (base, "GET", path, token, NULL, NULL);

  return reply->status;
}

static guint
delete_status (const char *base, const char *path, const char *token)
{
  g_autoptr (SecReply) reply = sec_request (base, "DELETE", path, token, NULL, NULL);

  return reply->status;
}

static void
assert_closed_soon (GSocketConnection *ws)
{
  guint code = 0;

  g_assert_true (sec_websocket_wait_close (ws, 20000, &code));
  g_assert_cmpuint (code, ==, 1008);
}

static void
test_sign_out (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *laptop
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *phone
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autoptr (GSocketConnection) ws = sec_websocket_open (base, laptop, NULL);
  guint status = 0;

  g_assert_nonnull (ws);
  g_assert_cmpuint (get_status (base, "/v1/people/me", laptop), ==, 200);
  g_assert_cmpuint (delete_status (base, "/v1/sessions/current", laptop), ==, 204);

  /* The laptop's token is refused everywhere, its live stream is closed,
   * and it cannot open another. */
  g_assert_cmpuint (get_status (base, "/v1/people/me", laptop), ==, 401);
  g_assert_cmpuint (get_status (base, "/v1/spaces", laptop), ==, 401);
  g_assert_cmpuint (get_status (base, "/kms/v1/keys/abc", laptop), ==, 401);
  g_assert_cmpuint (delete_status (base, "/v1/sessions/current", laptop), ==, 401);
  assert_closed_soon (ws);
  g_assert_null (sec_websocket_open (base, laptop, &status));
  g_assert_cmpuint (status, ==, 401);

  /* Her phone's session is another one: untouched. */
  g_assert_cmpuint (get_status (base, "/v1/people/me", phone), ==, 200);
  g_assert_cmpuint (get_status (base, "/v1/sessions/current", phone), ==, 405);
  sec_assert_serves_others (service);
}

static void
test_admin_signs_out_everywhere (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *admin
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob1 = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *bob2 = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *carol
      = sec_sign_in_ok (service, FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD);
  g_autofree char *alice_id = sec_person_id (base, admin);
  g_autofree char *bob_id = sec_person_id (base, bob1);
  g_autofree char *bob_path = g_strdup_printf ("/v1/people/%s/sessions", bob_id);
  g_autofree char *alice_path = g_strdup_printf ("/v1/people/%s/sessions", alice_id);
  g_autoptr (GSocketConnection) ws1 = sec_websocket_open (base, bob1, NULL);
  g_autoptr (GSocketConnection) ws2 = sec_websocket_open (base, bob2, NULL);

  g_assert_nonnull (ws1);
  g_assert_nonnull (ws2);
  /* Only an administrator may. */
  g_assert_cmpuint (delete_status (base, alice_path, carol), ==, 403);
  g_assert_cmpuint (delete_status (base, "/v1/people/nobody/sessions", admin), ==, 404);
  g_assert_cmpuint (get_status (base, "/v1/people/me", admin), ==, 200);

  g_assert_cmpuint (delete_status (base, bob_path, admin), ==, 204);
  g_assert_cmpuint (get_status (base, "/v1/people/me", bob1), ==, 401);
  g_assert_cmpuint (get_status (base, "/v1/people/me", bob2), ==, 401);
  assert_closed_soon (ws1);
  assert_closed_soon (ws2);
  g_assert_cmpuint (get_status (base, "/v1/people/me", carol), ==, 200);
  /* Bob can sign in again: it is a sign-out, not a lock. */
  sec_assert_serves_others (service);
}

static gboolean
run_cli (FoyerTestService *service, const char *action, const char *email, char **out)
{
  const char *args[] = { "user", action, "--email", email, NULL };
  g_autoptr (GError) error = NULL;
  gboolean ok = foyer_test_service_run_cli (service, args, out, &error);

  if (!ok)
    g_test_message ("user %s: %s", action, error->message);
  return ok;
}

static void
test_cli_disable_enable (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *bob = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autoptr (GSocketConnection) ws = sec_websocket_open (base, bob, NULL);
  g_autofree char *said = NULL;
  g_autofree char *listing = NULL;
  const char *list[] = { "user", "list", NULL };
  guint status = 0;

  g_assert_nonnull (ws);
  /* The CLI is another process: the running service sees its change on
   * the next request, and closes the WebSocket within a second or so. */
  g_assert_true (run_cli (service, "disable", FOYER_TEST_BOB_EMAIL, &said));
  g_assert_nonnull (strstr (said, "1 session ended"));
  g_assert_cmpuint (get_status (base, "/v1/people/me", bob), ==, 401);
  assert_closed_soon (ws);
  g_assert_null (sec_sign_in (base, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, &status));
  g_assert_cmpuint (status, ==, 403);
  /* A wrong password does not learn that the account is disabled. */
  g_assert_null (sec_sign_in (base, FOYER_TEST_BOB_EMAIL, "wrong-password", &status));
  g_assert_cmpuint (status, ==, 401);
  g_assert_true (foyer_test_service_run_cli (service, list, &listing, NULL));
  g_assert_nonnull (strstr (listing, "bob@contoso.example\tBob Durand\tmember\tdisabled"));

  g_assert_true (run_cli (service, "enable", FOYER_TEST_BOB_EMAIL, NULL));
  sec_assert_serves_others (service);
  g_assert_false (run_cli (service, "disable", "nobody@contoso.example", NULL));
}

static char *
create_space_with (const char *base, const char *token, const char *member_id, char **out_key_path)
{
  g_autoptr (SecReply) resource
      = sec_request (base, "POST", "/kms/v1/resources", token, NULL, "{}");
  g_autoptr (JsonObject) r = sec_reply_json (resource);
  const char *resource_uri = json_object_get_string_member (r, "uri");
  g_autofree char *key_body = g_strdup_printf ("{\"resourceUri\":\"%s\"}", resource_uri);
  g_autoptr (SecReply) key = sec_request (base, "POST", "/kms/v1/keys", token, NULL, key_body);
  g_autoptr (JsonObject) k = sec_reply_json (key);
  const char *key_uri = json_object_get_string_member (k, "uri");
  g_autofree char *header = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *member = NULL;
  g_autofree char *members_path = NULL;
  g_autoptr (SecReply) space = NULL;
  g_autoptr (SecReply) added = NULL;
  g_autoptr (JsonObject) s = NULL;

  header = g_strdup_printf ("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"%s\"}", key_uri);
  title = foyer_base64url_encode ((const guint8 *) header, strlen (header));
  body = g_strdup_printf ("{\"title\":\"%s..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA\","
                          "\"kmsResourceUri\":\"%s\"}",
                          title, resource_uri);
  space = sec_request (base, "POST", "/v1/spaces", token, NULL, body);
  g_assert_cmpuint (space->status, ==, 201);
  s = sec_reply_json (space);
  members_path = g_strdup_printf ("/v1/spaces/%s/members", json_object_get_string_member (s, "id"));
  member = g_strdup_printf ("{\"personId\":\"%s\"}", member_id);
  added = sec_request (base, "POST", members_path, token, NULL, member);
  g_assert_cmpuint (added->status, ==, 201);
  *out_key_path = g_strdup_printf ("/kms/v1/keys/%s", strrchr (key_uri, '/') + 1);
  return g_strdup (json_object_get_string_member (s, "id"));
}

static void
test_cli_remove (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *alice
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *bob_id = sec_person_id (base, bob);
  g_autofree char *key_path = NULL;
  g_autofree char *space = create_space_with (base, alice, bob_id, &key_path);
  g_autofree char *members = g_strdup_printf ("/v1/spaces/%s/members", space);
  g_autofree char *bob_path = g_strdup_printf ("/v1/people/%s", bob_id);
  g_autoptr (SecReply) list = NULL;
  g_autoptr (SecReply) events = NULL;
  g_autoptr (SecReply) person = NULL;
  guint status = 0;

  g_assert_cmpuint (get_status (base, key_path, bob), ==, 200);
  g_assert_true (run_cli (service, "remove", FOYER_TEST_BOB_EMAIL, NULL));

  g_assert_cmpuint (get_status (base, "/v1/people/me", bob), ==, 401);
  g_assert_null (sec_sign_in (base, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, &status));
  g_assert_cmpuint (status, ==, 401);
  list = sec_request (base, "GET", members, alice, NULL, NULL);
  g_assert_cmpuint (list->status, ==, 200);
  g_assert_null (strstr (list->body, bob_id));
  /* The other members hear of it, and his name stays for what he wrote. */
  events = sec_request (base, "GET", "/v1/events?after=0", alice, NULL, NULL);
  g_assert_nonnull (strstr (events->body, "\"member.removed\""));
  person = sec_request (base, "GET", bob_path, alice, NULL, NULL);
  g_assert_cmpuint (person->status, ==, 200);
  g_assert_nonnull (strstr (person->body, "Bob Durand"));
  g_assert_null (strstr (person->body, FOYER_TEST_BOB_EMAIL));
  /* He cannot be added back under his old id. */
  {
    g_autofree char *body = g_strdup_printf ("{\"personId\":\"%s\"}", bob_id);
    g_autoptr (SecReply) again = sec_request (base, "POST", members, alice, NULL, body);

    g_assert_cmpuint (again->status, ==, 404);
  }
  /* The address is free for a new account. */
  g_assert_true (foyer_test_service_add_user (service, FOYER_TEST_BOB_EMAIL, "Bob Neuf",
                                              "new-bob-password", FALSE, NULL));
  g_assert_cmpuint (get_status (base, "/v1/people/me", alice), ==, 200);
}

static void
test_cli_sign_out (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *bob = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *said = NULL;

  g_assert_true (run_cli (service, "sign-out", FOYER_TEST_BOB_EMAIL, &said));
  g_assert_nonnull (strstr (said, "signed out everywhere"));
  g_assert_cmpuint (get_status (base, "/v1/people/me", bob), ==, 401);
  sec_assert_serves_others (service);
}

/* ---- tokens with lying claims, signed with the service's own key ---- */

static JsonObject *
token_claims (const char *token)
{
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  gsize len = 0;
  g_autofree guint8 *raw = foyer_base64url_decode (parts[1], &len);
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, (const char *) raw, (gssize) len, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
forge (FoyerTestService *service, JsonObject *claims)
{
  g_autofree char *path = sec_signing_key_path (service);
  g_autofree char *jwk_text = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *payload = NULL;
  cjose_err err = { 0 };
  cjose_jwk_t *key;
  cjose_header_t *header = cjose_header_new (&err);
  cjose_jws_t *jws;
  const char *compact = NULL;
  char *token;

  g_assert_true (g_file_get_contents (path, &jwk_text, NULL, NULL));
  /* The key file is a set, newest first: the first key signs. */
  {
    g_autoptr (JsonParser) set = json_parser_new ();
    JsonObject *root;

    g_assert_true (json_parser_load_from_data (set, jwk_text, -1, NULL));
    root = json_node_get_object (json_parser_get_root (set));
    if (json_object_has_member (root, "keys"))
      {
        g_autoptr (JsonNode) first = json_node_copy (
            json_array_get_element (json_object_get_array_member (root, "keys"), 0));

        g_free (jwk_text);
        jwk_text = json_to_string (first, FALSE);
      }
  }
  key = cjose_jwk_import (jwk_text, strlen (jwk_text), &err);
  g_assert_nonnull (key);
  json_node_set_object (node, claims);
  payload = json_to_string (node, FALSE);
  cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ES256, &err);
  jws = cjose_jws_sign (key, header, (const guint8 *) payload, strlen (payload), &err);
  g_assert_true (cjose_jws_export (jws, &compact, &err));
  token = g_strdup (compact);
  cjose_jws_release (jws);
  cjose_header_release (header);
  cjose_jwk_release (key);
  return token;
}

static JsonObject *
claims_like (JsonObject *real, gint64 iat, gint64 exp)
{
  JsonObject *claims = json_object_new ();
  g_autoptr (GList) names = json_object_get_members (real);

  for (GList *l = names; l != NULL; l = l->next)
    json_object_set_member (claims, l->data,
                            json_node_copy (json_object_get_member (real, l->data)));
  json_object_set_int_member (claims, "iat", iat);
  json_object_set_int_member (claims, "exp", exp);
  return claims;
}

static void
test_token_claims (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *real = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autoptr (JsonObject) claims = token_claims (real);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  struct
  {
    const char *what;
    gint64 iat, exp;
    const char *member, *value; /* changed or, with value NULL, removed */
    guint status;
  } cases[] = {
    { "a copy of the real claims", now - 5, now + 600, NULL, NULL, 200 },
    { "issued an hour from now", now + 3600, now + 7200, NULL, NULL, 401 },
    { "issued two minutes from now", now + 120, now + 600, NULL, NULL, 401 },
    { "issued within the clock skew", now + 30, now + 600, NULL, NULL, 200 },
    { "living a year", now - 5, now + 365 * 24 * 3600, NULL, NULL, 401 },
    { "living 12 hours and a minute", now - 5, now + 12 * 3600 + 55, NULL, NULL, 401 },
    { "expired", now - 600, now - 5, NULL, NULL, 401 },
    { "from another issuer", now - 5, now + 600, "iss", "someone-else", 401 },
    { "without an issuer", now - 5, now + 600, "iss", NULL, 401 },
    { "without a session", now - 5, now + 600, "sid", NULL, 401 },
    { "of an unknown session", now - 5, now + 600, "sid", "AAAAAAAAAAAAAAAAAAAAAA", 401 },
    { "of another organization", now - 5, now + 600, "org", "other-org", 401 },
    { "for someone else in this session", now - 5, now + 600, "sub", "AAAAAAAAAAAAAAAAAAAAAA",
      401 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonObject) forged = claims_like (claims, cases[i].iat, cases[i].exp);
      g_autofree char *token = NULL;
      guint status;

      if (cases[i].member != NULL && cases[i].value != NULL)
        json_object_set_string_member (forged, cases[i].member, cases[i].value);
      else if (cases[i].member != NULL)
        json_object_remove_member (forged, cases[i].member);
      token = forge (service, forged);
      status = get_status (base, "/v1/people/me", token);
      if (status != cases[i].status)
        g_error ("a token %s → %u, expected %u", cases[i].what, status, cases[i].status);
    }
  sec_assert_serves_others (service);
}

static void
test_websocket_dies_with_its_token (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *real = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autoptr (JsonObject) claims = token_claims (real);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (JsonObject) brief = claims_like (claims, now, now + 3);
  g_autofree char *short_lived = forge (service, brief);
  g_autoptr (GSocketConnection) ws = sec_websocket_open (base, short_lived, NULL);
  g_autoptr (GSocketConnection) lasting = sec_websocket_open (base, real, NULL);

  /* A token that expires while its WebSocket is open: the stream ends
   * with it instead of pushing events for hours. */
  g_assert_nonnull (ws);
  g_assert_nonnull (lasting);
  assert_closed_soon (ws);
  g_assert_cmpuint (get_status (base, "/v1/people/me", short_lived), ==, 401);
  g_assert_cmpuint (get_status (base, "/v1/people/me", real), ==, 200);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/sessions/sign-out", test_sign_out);
  g_test_add_func ("/security/sessions/admin-signs-out-everywhere",
                   test_admin_signs_out_everywhere);
  g_test_add_func ("/security/sessions/cli-disable-enable", test_cli_disable_enable);
  g_test_add_func ("/security/sessions/cli-remove", test_cli_remove);
  g_test_add_func ("/security/sessions/cli-sign-out", test_cli_sign_out);
  g_test_add_func ("/security/sessions/token-claims", test_token_claims);
  g_test_add_func ("/security/sessions/websocket-dies-with-its-token",
                   test_websocket_dies_with_its_token);
  return g_test_run ();
}
