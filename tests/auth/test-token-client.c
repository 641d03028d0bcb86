/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token client against a tiny in-test identity platform: code
 * exchange, PKCE, replayed codes, refresh rotation, retries, ID tokens. */
#include "config.h"

#include "auth-mock-idp.h"
#include "foyer-auth-error.h"
#include "foyer-auth-request.h"
#include "foyer-core.h"
#include "foyer-id-token.h"
#include "foyer-token-client.h"

#include <string.h>

typedef struct
{
  MockIdp *idp;
  FoyerCloud *cloud;
  FoyerTokenClient *client;
  GAsyncResult *result;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->idp = mock_idp_new ();
  f->cloud = mock_idp_new_cloud (f->idp);
  f->client = foyer_token_client_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL);
  foyer_token_client_set_retry_policy (f->client, 2, 50, 200, 5);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_object (&f->cloud);
  g_clear_pointer (&f->idp, mock_idp_free);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_assert_null (f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

static FoyerAuthRequest *
start_sign_in (Fixture *f, const char *code, const char *nonce)
{
  FoyerAuthRequest *req = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *challenge = NULL;

  req = foyer_auth_request_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  challenge = foyer_auth_pkce_challenge (foyer_auth_request_get_verifier (req));
  mock_idp_add_code (f->idp, code, challenge, nonce ? nonce : foyer_auth_request_get_nonce (req));
  return req;
}

static FoyerTokenSet *
exchange (Fixture *f, FoyerAuthRequest *req, const char *code, GError **error)
{
  g_clear_object (&f->result);
  foyer_token_client_exchange_code_async (f->client, req, code, NULL, result_cb, f);
  return foyer_token_client_exchange_code_finish (f->client, wait_result (f), error);
}

static FoyerTokenSet *
refresh (Fixture *f, const char *token, GCancellable *cancellable, GError **error)
{
  g_clear_object (&f->result);
  foyer_token_client_refresh_async (f->client, token, cancellable, result_cb, f);
  return foyer_token_client_refresh_finish (f->client, wait_result (f), error);
}

static void
test_exchange (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = start_sign_in (f, "code-1", NULL);
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (FoyerTokenSet) set = exchange (f, req, "code-1", &error);
  GHashTable *form = mock_idp_get_last_form (f->idp);

  g_assert_no_error (error);
  g_assert_cmpstr (foyer_token_set_get_access_token (set), ==,
                   mock_idp_get_last_access_token (f->idp));
  g_assert_cmpstr (foyer_token_set_get_refresh_token (set), ==,
                   mock_idp_get_last_refresh_token (f->idp));
  g_assert_cmpint (foyer_token_set_get_expires_at (set), >=, before + 3599);
  g_assert_cmpint (foyer_token_set_get_expires_at (set), <=, before + 3599 + 5);
  g_assert_cmpstr (foyer_token_set_get_claim (set, "tid"), ==, MOCK_TENANT);
  g_assert_cmpstr (foyer_token_set_get_claim (set, "oid"), ==, MOCK_OID);
  g_assert_cmpstr (foyer_token_set_get_claim (set, "preferred_username"), ==,
                   "alice@contoso.example");

  g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "authorization_code");
  g_assert_cmpstr (g_hash_table_lookup (form, "code"), ==, "code-1");
  g_assert_cmpstr (g_hash_table_lookup (form, "code_verifier"), ==,
                   foyer_auth_request_get_verifier (req));
  g_assert_cmpstr (g_hash_table_lookup (form, "redirect_uri"), ==,
                   foyer_cloud_get_redirect_uri (f->cloud));
  g_assert_false (g_hash_table_contains (form, "client_secret"));
  g_assert_cmpstr (mock_idp_get_last_user_agent (f->idp), ==, foyer_core_user_agent ());
  g_assert_cmpuint (mock_idp_get_jwks_requests (f->idp), ==, 1);
}

static void
test_replayed_code (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = start_sign_in (f, "code-2", NULL);
  g_autoptr (FoyerTokenSet) first = exchange (f, req, "code-2", &error);
  g_autoptr (FoyerTokenSet) second = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (first);
  second = exchange (f, req, "code-2", &error);
  g_assert_null (second);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_nonnull (strstr (error->message, "AADSTS54005"));
  g_assert_true (g_str_has_prefix (error->message, foyer_auth_error_aadsts_message (54005)));
}

static void
test_verifier_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = start_sign_in (f, "code-3", NULL);
  g_autoptr (FoyerAuthRequest) other = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;

  /* Another sign-in's verifier must not redeem this code. */
  other = foyer_auth_request_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL, NULL, NULL, &error);
  set = exchange (f, other, "code-3", &error);
  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_nonnull (strstr (error->message, "AADSTS501481"));
}

static void
test_refresh_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) first = NULL;
  g_autoptr (FoyerTokenSet) second = NULL;
  g_autoptr (FoyerTokenSet) replay = NULL;
  GHashTable *form;

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  first = refresh (f, "refresh-0", NULL, &error);
  g_assert_no_error (error);
  form = mock_idp_get_last_form (f->idp);
  g_assert_cmpstr (g_hash_table_lookup (form, "grant_type"), ==, "refresh_token");
  g_assert_cmpstr (g_hash_table_lookup (form, "refresh_token"), ==, "refresh-0");
  g_assert_cmpstr (g_hash_table_lookup (form, "client_id"), ==, MOCK_CLIENT);
  g_assert_cmpstr (foyer_token_set_get_refresh_token (first), !=, "refresh-0");
  g_assert_null (foyer_token_set_get_claims (first));

  second = refresh (f, foyer_token_set_get_refresh_token (first), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_token_set_get_access_token (second), !=,
                   foyer_token_set_get_access_token (first));

  /* The rotated-away token is dead. */
  replay = refresh (f, "refresh-0", NULL, &error);
  g_assert_null (replay);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_true (foyer_auth_error_needs_reconnect (error));
}

static void
test_retry_after (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  GArray *times;

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 1, 503, "1", "temporarily_unavailable", 0);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (set);
  times = mock_idp_get_request_times (f->idp);
  g_assert_cmpuint (times->len, ==, 2);
  /* Retry-After: 1 is honoured, not the 50 ms backoff. */
  g_assert_cmpint (g_array_index (times, gint64, 1) - g_array_index (times, gint64, 0), >=,
                   950 * 1000);
}

static void
test_retry_after_date (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) when = g_date_time_add_seconds (now, 2);
  g_autofree char *date = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");
  GArray *times;

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 1, 429, date, NULL, 0);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_no_error (error);
  times = mock_idp_get_request_times (f->idp);
  g_assert_cmpuint (times->len, ==, 2);
  g_assert_cmpint (g_array_index (times, gint64, 1) - g_array_index (times, gint64, 0), >=,
                   900 * 1000);
}

static void
test_backoff_bounded (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;

  for (guint i = 0; i < 8; i++)
    {
      guint d = foyer_token_client_backoff_ms (f->client, i);
      guint expect = MIN (50u << i, 200u);

      g_assert_cmpuint (d, <=, expect);
      g_assert_cmpuint (d, >=, expect - expect / 5);
    }

  /* Two retries, then the error: three requests in all. */
  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 3, 500, NULL, NULL, 0);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 3);
}

static void
test_retry_after_too_long (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  gint64 start = g_get_monotonic_time ();

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 1, 429, "315", "temporarily_unavailable", 0);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_no_retry_on_4xx (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 1, 400, NULL, "interaction_required", 50079);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INTERACTION_REQUIRED);
  g_assert_true (g_str_has_prefix (error->message, foyer_auth_error_aadsts_message (50079)));
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 1);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancel_while_waiting (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();

  mock_idp_add_refresh_token (f->idp, "refresh-0");
  mock_idp_add_fault (f->idp, 1, 503, "4", NULL, 0);
  g_timeout_add (300, cancel_cb, cancellable);
  set = refresh (f, "refresh-0", cancellable, &error);
  g_assert_null (set);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 1);
}

static void
test_network_error (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  g_autoptr (FoyerCloud) dead = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetSocketAddress) addr = NULL;
  g_autofree char *json = NULL;
  guint16 port;

  /* A port that was free a moment ago: nothing listens there. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  addr = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (addr), FALSE, NULL));
  g_clear_object (&addr);
  addr = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, NULL));
  port = g_inet_socket_address_get_port (addr);
  g_socket_close (socket, NULL);

  json = g_strdup_printf ("{\"authority\": \"https://127.0.0.1:%u\", \"graph\":"
                          " \"https://127.0.0.1:%u/v1.0\"}",
                          port, port);
  dead = foyer_cloud_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  g_clear_object (&f->client);
  f->client = foyer_token_client_new (dead, MOCK_TENANT, MOCK_CLIENT, NULL);
  set = refresh (f, "refresh-0", NULL, &error);
  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_NETWORK);
}

static void
check_exchange_refused (Fixture *f, const char *code, const char *nonce, int expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = start_sign_in (f, code, nonce);
  g_autoptr (FoyerTokenSet) set = exchange (f, req, code, &error);

  g_assert_null (set);
  g_assert_error (error, FOYER_AUTH_ERROR, expected);
}

static void
test_id_token_refused (Fixture *f, gconstpointer data)
{
  check_exchange_refused (f, "c-nonce", "another-nonce", FOYER_AUTH_ERROR_INVALID_ID_TOKEN);

  mock_idp_set_id_token_tid (f->idp, MOCK_OTHER_TENANT);
  check_exchange_refused (f, "c-tid", NULL, FOYER_AUTH_ERROR_WRONG_TENANT);
  mock_idp_set_id_token_tid (f->idp, NULL);

  mock_idp_set_id_token_aud (f->idp, "ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee");
  check_exchange_refused (f, "c-aud", NULL, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  mock_idp_set_id_token_aud (f->idp, NULL);

  mock_idp_set_id_token_iss (f->idp, "https://login.microsoftonline.com/" MOCK_TENANT "/v2.0");
  check_exchange_refused (f, "c-iss", NULL, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  mock_idp_set_id_token_iss (f->idp, NULL);

  mock_idp_set_id_token_exp_offset (f->idp, -3600 - 2 * FOYER_ID_TOKEN_SKEW_SECONDS);
  check_exchange_refused (f, "c-exp", NULL, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  mock_idp_set_id_token_exp_offset (f->idp, 0);

  mock_idp_set_id_token_alg_none (f->idp, TRUE);
  check_exchange_refused (f, "c-none", NULL, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  mock_idp_set_id_token_alg_none (f->idp, FALSE);

  mock_idp_set_id_token_foreign_key (f->idp, TRUE);
  check_exchange_refused (f, "c-key", NULL, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  mock_idp_set_id_token_foreign_key (f->idp, FALSE);
}

static void
test_id_token_skew_and_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req1 = start_sign_in (f, "r1", NULL);
  g_autoptr (FoyerAuthRequest) req2 = NULL;
  g_autoptr (FoyerAuthRequest) req3 = NULL;
  g_autoptr (FoyerTokenSet) set1 = NULL;
  g_autoptr (FoyerTokenSet) set2 = NULL;
  g_autoptr (FoyerTokenSet) set3 = NULL;

  set1 = exchange (f, req1, "r1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_idp_get_jwks_requests (f->idp), ==, 1);

  /* Expired a minute ago: inside the allowed clock skew. The keys come
   * from the cache. */
  mock_idp_set_id_token_exp_offset (f->idp, -3600 - 60);
  req2 = start_sign_in (f, "r2", NULL);
  set2 = exchange (f, req2, "r2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_idp_get_jwks_requests (f->idp), ==, 1);
  mock_idp_set_id_token_exp_offset (f->idp, 0);

  /* A new key id makes the client fetch the keys again. */
  mock_idp_rotate_key (f->idp);
  req3 = start_sign_in (f, "r3", NULL);
  set3 = exchange (f, req3, "r3", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_idp_get_jwks_requests (f->idp), ==, 2);
}

static void
test_id_token_verify_direct (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *jwks_json = mock_idp_get_jwks (f->idp);
  g_autoptr (JsonNode) jwks = json_from_string (jwks_json, NULL);
  g_autoptr (JsonObject) claims = json_object_new ();
  g_autoptr (JsonObject) ok = NULL;
  g_autoptr (JsonObject) bad = NULL;
  g_autofree char *issuer = foyer_cloud_issuer (f->cloud, MOCK_TENANT);
  g_autofree char *token = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *kid = NULL;
  char *dot;

  json_object_set_string_member (claims, "iss", issuer);
  json_object_set_string_member (claims, "aud", MOCK_CLIENT);
  json_object_set_string_member (claims, "tid", MOCK_TENANT);
  json_object_set_string_member (claims, "nonce", "n");
  json_object_set_int_member (claims, "exp", 2000);
  json_object_set_int_member (claims, "nbf", 1000);
  token = mock_idp_sign (f->idp, claims);
  kid = foyer_id_token_get_kid (token);
  g_assert_cmpstr (kid, ==, "k1");
  g_assert_true (foyer_id_token_jwks_has_kid (jwks, "k1"));
  g_assert_false (foyer_id_token_jwks_has_kid (jwks, "k9"));

  ok = foyer_id_token_verify (token, jwks, issuer, MOCK_CLIENT, "n", MOCK_TENANT, 1500, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);

  /* Expiry and not-before, at the edges of the skew. */
  bad = foyer_id_token_verify (token, jwks, issuer, MOCK_CLIENT, "n", MOCK_TENANT,
                               2000 + FOYER_ID_TOKEN_SKEW_SECONDS + 1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  g_clear_error (&error);
  bad = foyer_id_token_verify (token, jwks, issuer, MOCK_CLIENT, "n", MOCK_TENANT,
                               1000 - FOYER_ID_TOKEN_SKEW_SECONDS - 1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  g_clear_error (&error);

  /* Another tenant is refused as such. */
  bad = foyer_id_token_verify (token, jwks, issuer, MOCK_CLIENT, "n", MOCK_OTHER_TENANT, 1500,
                               &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT);
  g_clear_error (&error);

  /* A changed payload breaks the signature. */
  tampered = g_strdup (token);
  dot = strchr (tampered, '.');
  dot[3] = dot[3] == 'A' ? 'B' : 'A';
  bad = foyer_id_token_verify (tampered, jwks, issuer, MOCK_CLIENT, "n", MOCK_TENANT, 1500, &error);
  g_assert_null (bad);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  g_clear_error (&error);
  bad = foyer_id_token_verify ("not.a.jwt", jwks, issuer, MOCK_CLIENT, NULL, MOCK_TENANT, 1500,
                               &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
  g_clear_error (&error);
  bad = foyer_id_token_verify (token, NULL, issuer, MOCK_CLIENT, NULL, MOCK_TENANT, 1500, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN);
}

static void
test_expiry_arithmetic (void)
{
  static const char *const good[] = {
    "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":3599}",
    "{\"access_token\":\"a\",\"token_type\":\"bearer\",\"expires_in\":\"3599\"}",
  };
  static const char *const bad[] = {
    "{\"token_type\":\"Bearer\",\"expires_in\":3599}",
    "{\"access_token\":\"a\",\"token_type\":\"MAC\",\"expires_in\":3599}",
    "{\"access_token\":\"a\",\"token_type\":\"Bearer\"}",
    "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":-5}",
    "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}",
    "[]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root = json_from_string (good[i], NULL);
      g_autoptr (FoyerTokenSet) set = foyer_token_set_new_from_json (root, 1000000, &error);

      g_assert_no_error (error);
      g_assert_cmpint (foyer_token_set_get_expires_at (set), ==, 1003599);
      g_assert_null (foyer_token_set_get_refresh_token (set));
      g_assert_false (foyer_token_set_needs_refresh (set, 1000000, 300));
      g_assert_false (foyer_token_set_needs_refresh (set, 1003298, 300));
      g_assert_true (foyer_token_set_needs_refresh (set, 1003299, 300));
      g_assert_true (foyer_token_set_needs_refresh (set, 1003600, 0));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) root = json_from_string (bad[i], NULL);
      g_autoptr (FoyerTokenSet) set = foyer_token_set_new_from_json (root, 1000000, &error);

      g_assert_null (set);
      g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_RESPONSE);
    }
}

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/auth/token-client/exchange", test_exchange);
  ADD ("/auth/token-client/replayed-code", test_replayed_code);
  ADD ("/auth/token-client/verifier-mismatch", test_verifier_mismatch);
  ADD ("/auth/token-client/refresh-rotation", test_refresh_rotation);
  ADD ("/auth/token-client/retry-after", test_retry_after);
  ADD ("/auth/token-client/retry-after-date", test_retry_after_date);
  ADD ("/auth/token-client/backoff-bounded", test_backoff_bounded);
  ADD ("/auth/token-client/retry-after-too-long", test_retry_after_too_long);
  ADD ("/auth/token-client/no-retry-on-4xx", test_no_retry_on_4xx);
  ADD ("/auth/token-client/cancel-while-waiting", test_cancel_while_waiting);
  ADD ("/auth/token-client/network-error", test_network_error);
  ADD ("/auth/id-token/refused", test_id_token_refused);
  ADD ("/auth/id-token/skew-and-rotation", test_id_token_skew_and_rotation);
  ADD ("/auth/id-token/verify", test_id_token_verify_direct);
  g_test_add_func ("/auth/token-set/expiry-arithmetic", test_expiry_arithmetic);

  return g_test_run ();
}
