/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Microsoft sign-in must refuse, against foyer-ms-sandbox: a
 * replayed code or redirect, a PKCE downgrade (plain method, wrong or
 * missing verifier), a user of another tenant (at authorize, at the token
 * endpoint and in the ID token itself); a refresh token that stays valid
 * after it was redeemed (as Microsoft's do); and an access token that
 * expired or is about to, refreshed without asking anyone. */
#include "config.h"

#include "foyer-auth-error.h"
#include "foyer-auth-request.h"
#include "foyer-core.h"
#include "auth-browser.h"
#include "foyer-test-sandbox.h"
#include "foyer-token-client.h"
#include "foyer-token-manager.h"

#include <libsoup/soup.h>
#include <string.h>

#define ALICE   "alice@contoso.example"
#define MALLORY "mallory@fabrikam.example"

/* Short enough that a refresh margin can cover it, long enough that no
 * token expires by itself during a test. */
#define TOKEN_LIFETIME 400

static FoyerTestSandbox *sandbox;

typedef struct
{
  FoyerCloud *cloud;
  FoyerTokenClient *client;
  GAsyncResult *result;
} Fixture;

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_clear_object (&f->result);
  f->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  g_clear_object (&f->result);
  while (f->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return f->result;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);
  f->client = foyer_token_client_new (f->cloud, foyer_test_sandbox_get_tenant_id (sandbox),
                                      foyer_test_sandbox_get_client_id (sandbox), NULL);
  foyer_token_client_set_retry_policy (f->client, 1, 50, 200, 2);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->result);
  g_clear_object (&f->client);
  g_clear_object (&f->cloud);
  foyer_test_sandbox_clear_faults (sandbox, NULL);
}

static const char *
password_of (const char *email)
{
  return foyer_test_sandbox_get_user_password (sandbox, email);
}

static FoyerAuthRequest *
new_request (Fixture *f, const char *tenant, const char *login_hint)
{
  g_autoptr (GError) error = NULL;
  FoyerAuthRequest *req = foyer_auth_request_new (
      f->cloud, tenant, foyer_test_sandbox_get_client_id (sandbox), login_hint, NULL, NULL, &error);

  g_assert_no_error (error);
  return req;
}

/* A code for req, obtained through the sign-in pages. */
static char *
sign_in_code (FoyerAuthRequest *req, const char *email)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = foyer_auth_request_get_authorize_url (req);
  g_autofree char *redirect = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox),
                                                    url, email, password_of (email), NULL, NULL);
  char *code = NULL;

  g_assert_nonnull (redirect);
  g_assert_true (foyer_auth_request_parse_redirect (req, redirect, &code, &error));
  g_assert_no_error (error);
  return code;
}

static FoyerTokenSet *
exchange (Fixture *f, FoyerAuthRequest *req, const char *code, GError **error)
{
  foyer_token_client_exchange_code_async (f->client, req, code, NULL, result_cb, f);
  return foyer_token_client_exchange_code_finish (f->client, wait_result (f), error);
}

static FoyerTokenSet *
refresh (Fixture *f, const char *refresh_token, GError **error)
{
  foyer_token_client_refresh_async (f->client, refresh_token, NULL, result_cb, f);
  return foyer_token_client_refresh_finish (f->client, wait_result (f), error);
}

static guint
graph_me (Fixture *f, const char *token)
{
  g_autoptr (SoupSession) s = foyer_test_sandbox_trust_session (sandbox, soup_session_new ());
  g_autofree char *url = g_strconcat (foyer_cloud_get_graph_url (f->cloud), "/me", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  g_autoptr (GBytes) body = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  body = soup_session_send_and_read (s, msg, NULL, NULL);
  return soup_message_get_status (msg);
}

/* Token endpoint requests in the sandbox's log since it was cleared. */
static guint
count_token_requests (guint status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (g_str_has_suffix (json_object_get_string_member (entry, "path"), "/oauth2/v2.0/token")
          && (status == 0 || json_object_get_int_member (entry, "status") == status))
        n++;
    }
  return n;
}

static void
test_replayed_code (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req
      = new_request (f, foyer_test_sandbox_get_tenant_id (sandbox), ALICE);
  g_autofree char *url = foyer_auth_request_get_authorize_url (req);
  g_autofree char *redirect = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox),
                                                    url, ALICE, password_of (ALICE), NULL, NULL);
  g_autofree char *code = NULL;
  g_autofree char *again = NULL;
  g_autoptr (FoyerTokenSet) first = NULL;
  g_autoptr (FoyerTokenSet) second = NULL;

  g_assert_nonnull (redirect);
  g_assert_true (foyer_auth_request_parse_redirect (req, redirect, &code, &error));
  g_assert_no_error (error);

  /* The sign-in view sees the same redirect twice: the second is refused. */
  g_assert_false (foyer_auth_request_parse_redirect (req, redirect, &again, &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_STATE_MISMATCH);
  g_assert_null (again);
  g_clear_error (&error);

  first = exchange (f, req, code, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpstr (foyer_token_set_get_claim (first, "preferred_username"), ==, ALICE);

  /* A code is redeemed once (AADSTS54005). */
  second = exchange (f, req, code, &error);
  g_assert_null (second);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_nonnull (strstr (error->message, "54005"));
}

static void
test_pkce_downgrade (Fixture *f, gconstpointer data)
{
  const char *tenant = foyer_test_sandbox_get_tenant_id (sandbox);
  g_autoptr (GError) error = NULL;

  /* Foyer asks for S256 with the challenge of its verifier. */
  {
    g_autoptr (FoyerAuthRequest) req = new_request (f, tenant, ALICE);
    g_autofree char *url = foyer_auth_request_get_authorize_url (req);
    g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
    g_autoptr (GHashTable) params
        = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
    g_autofree char *challenge = foyer_auth_pkce_challenge (foyer_auth_request_get_verifier (req));

    g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
    g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge"), ==, challenge);
    g_assert_cmpstr (challenge, !=, foyer_auth_request_get_verifier (req));
  }

  /* Someone rewrites the request to the plain method: no code comes back,
   * and the error reaches the caller as an error. */
  {
    g_autoptr (FoyerAuthRequest) req = new_request (f, tenant, ALICE);
    g_autofree char *url = foyer_auth_request_get_authorize_url (req);
    g_autofree char *escaped_verifier
        = g_uri_escape_string (foyer_auth_request_get_verifier (req), NULL, FALSE);
    g_autofree char *challenge = foyer_auth_pkce_challenge (foyer_auth_request_get_verifier (req));
    g_autofree char *s256 = g_strdup_printf ("code_challenge=%s", challenge);
    g_autofree char *plain = g_strdup_printf ("code_challenge=%s", escaped_verifier);
    g_autoptr (GString) downgraded = g_string_new (url);
    g_autofree char *redirect = NULL;
    g_autofree char *code = NULL;

    g_assert_cmpuint (g_string_replace (downgraded, "code_challenge_method=S256",
                                        "code_challenge_method=plain", 1),
                      ==, 1);
    g_assert_cmpuint (g_string_replace (downgraded, s256, plain, 1), ==, 1);
    redirect = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox), downgraded->str,
                                     ALICE, password_of (ALICE), NULL, NULL);
    g_assert_nonnull (redirect);
    g_assert_false (foyer_auth_request_parse_redirect (req, redirect, &code, &error));
    g_assert_null (code);
    g_assert_nonnull (error);
    g_assert_true (error->domain == FOYER_AUTH_ERROR);
    g_assert_cmpint (error->code, ==, FOYER_AUTH_ERROR_CONFIGURATION);
    g_clear_error (&error);
  }

  /* A code redeemed with another verifier (AADSTS501481), or with the
   * challenge itself as a plain verifier, gives no token. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (FoyerAuthRequest) req = new_request (f, tenant, ALICE);
      g_autofree char *code = sign_in_code (req, ALICE);
      g_autofree char *challenge
          = foyer_auth_pkce_challenge (foyer_auth_request_get_verifier (req));
      g_autofree char *other = foyer_random_token (32);
      g_autoptr (FoyerAuthRequest) forged = foyer_auth_request_new_full (
          f->cloud, tenant, foyer_test_sandbox_get_client_id (sandbox), ALICE, NULL, NULL,
          i == 0 ? other : challenge, foyer_auth_request_get_state (req),
          foyer_auth_request_get_nonce (req));
      g_autoptr (FoyerTokenSet) tokens = exchange (f, forged, code, &error);

      g_assert_null (tokens);
      g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
      g_assert_nonnull (strstr (error->message, "501481"));
      g_clear_error (&error);
    }
}

static void
test_wrong_tenant (Fixture *f, gconstpointer data)
{
  const char *tenant = foyer_test_sandbox_get_tenant_id (sandbox);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (foyer_test_sandbox_get_user_tenant_id (sandbox, MALLORY), !=, tenant);

  /* Foyer signs in at the organization's tenant: Microsoft stops a user of
   * another tenant at the password page (AADSTS50020), before any code. */
  {
    g_autoptr (FoyerAuthRequest) req = new_request (f, tenant, MALLORY);
    g_autofree char *url = foyer_auth_request_get_authorize_url (req);
    g_autofree char *page = NULL;
    guint status = 0;
    g_autofree char *redirect
        = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox), url, MALLORY,
                                password_of (MALLORY), &status, &page);

    g_assert_null (redirect);
    g_assert_cmpuint (status, ==, 400);
    g_assert_nonnull (strstr (page, "AADSTS50020"));
  }

  /* Through a multi-tenant sign-in she gets a code, which the
   * organization's token endpoint does not redeem. */
  {
    g_autoptr (FoyerAuthRequest) req = new_request (f, "organizations", MALLORY);
    g_autofree char *code = sign_in_code (req, MALLORY);
    g_autoptr (FoyerTokenSet) tokens = exchange (f, req, code, &error);

    g_assert_null (tokens);
    g_assert_nonnull (error);
    g_assert_true (error->domain == FOYER_AUTH_ERROR);
    g_clear_error (&error);
  }

  /* And her genuine, correctly signed ID token is refused by Foyer's own
   * check of `tid`; Alice's passes the same check. */
  for (guint i = 0; i < 2; i++)
    {
      const char *email = i == 0 ? MALLORY : ALICE;
      g_autofree char *body
          = g_strdup_printf ("{\"email\": \"%s\", \"nonce\": \"n-0123456789\"}", email);
      g_autoptr (JsonNode) reply
          = foyer_test_sandbox_control (sandbox, "POST", "/tokens", body, &error);
      const char *id_token;
      g_autoptr (JsonObject) claims = NULL;

      g_assert_no_error (error);
      id_token = json_object_get_string_member (json_node_get_object (reply), "id_token");
      g_assert_nonnull (id_token);
      foyer_token_client_validate_id_token_async (f->client, id_token, "n-0123456789", NULL,
                                                  result_cb, f);
      claims = foyer_token_client_validate_id_token_finish (f->client, wait_result (f), &error);
      if (i == 0)
        {
          g_assert_null (claims);
          g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT);
          g_clear_error (&error);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, tenant);
        }
    }
}

static void
test_refresh_rotation (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rt1 = NULL;
  g_autofree char *access = foyer_test_sandbox_mint_token (sandbox, ALICE, &rt1, &error);
  g_autoptr (FoyerTokenSet) second = NULL;
  g_autoptr (FoyerTokenSet) replayed = NULL;
  g_autoptr (FoyerTokenSet) third = NULL;
  const char *rt2;

  g_assert_no_error (error);
  g_assert_nonnull (rt1);
  second = refresh (f, rt1, &error);
  g_assert_no_error (error);
  rt2 = foyer_token_set_get_refresh_token (second);
  g_assert_nonnull (rt2);
  g_assert_cmpstr (rt2, !=, rt1);
  g_assert_cmpstr (foyer_token_set_get_access_token (second), !=, access);
  g_assert_cmpuint (graph_me (f, foyer_token_set_get_access_token (second)), ==, 200);

  /* Microsoft does not revoke the refresh token it replaced (Foyer keeps
   * the new one all the same: see the token manager tests). */
  replayed = refresh (f, rt1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_token_set_get_refresh_token (replayed), !=, rt1);

  third = refresh (f, rt2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_token_set_get_refresh_token (third), !=, rt2);
}

static FoyerTokenManager *
signed_in_manager (Fixture *f, FoyerCredentialStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenManager) manager = foyer_token_manager_new (f->client, store);
  g_autoptr (FoyerAuthRequest) req
      = new_request (f, foyer_test_sandbox_get_tenant_id (sandbox), ALICE);
  g_autofree char *url = foyer_auth_request_get_authorize_url (req);
  g_autofree char *redirect = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox),
                                                    url, ALICE, password_of (ALICE), NULL, NULL);

  g_assert_nonnull (redirect);
  foyer_token_manager_sign_in_async (manager, req, redirect, NULL, result_cb, f);
  g_assert_true (foyer_token_manager_sign_in_finish (manager, wait_result (f), &error));
  g_assert_no_error (error);
  g_assert_cmpint (foyer_token_manager_get_state (manager), ==, FOYER_ACCOUNT_CONNECTED);
  return g_steal_pointer (&manager);
}

static char *
get_token (Fixture *f, FoyerTokenManager *manager, gboolean force, GError **error)
{
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (manager), force, NULL, result_cb, f);
  return foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (manager), wait_result (f), error);
}

static void
test_expired_access_token (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerTokenManager) manager = signed_in_manager (f, store);
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autofree char *t4 = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_cmpint (foyer_token_manager_get_expires_at (manager), >, now + TOKEN_LIFETIME - 60);
  g_assert_cmpint (foyer_token_manager_get_expires_at (manager), <=, now + TOKEN_LIFETIME + 1);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  t1 = get_token (f, manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph_me (f, t1), ==, 200);
  g_assert_cmpuint (count_token_requests (0), ==, 0);

  /* Microsoft ends the token early (CAE, a policy change): Graph answers
   * 401, the caller forces one refresh and goes on. */
  g_assert_true (foyer_test_sandbox_expire_tokens (sandbox, ALICE, &error));
  g_assert_cmpuint (graph_me (f, t1), ==, 401);
  t2 = get_token (f, manager, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t2, !=, t1);
  g_assert_cmpuint (graph_me (f, t2), ==, 200);
  g_assert_cmpuint (count_token_requests (200), ==, 1);
  g_assert_cmpint (foyer_token_manager_get_state (manager), ==, FOYER_ACCOUNT_CONNECTED);

  /* Nothing changed: the token in memory is handed out again. */
  t3 = get_token (f, manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t3, ==, t2);
  g_assert_cmpuint (count_token_requests (0), ==, 1);

  /* Once the token is within the refresh margin of its expiry, the next
   * caller gets a new one before any 401. */
  foyer_token_manager_set_refresh_margin (manager, TOKEN_LIFETIME + 60);
  t4 = get_token (f, manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t4, !=, t3);
  g_assert_cmpuint (graph_me (f, t4), ==, 200);
  g_assert_cmpuint (count_token_requests (200), ==, 2);
}

static void
test_revoked_refresh_token (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerTokenManager) manager = signed_in_manager (f, store);
  g_autofree char *t1 = get_token (f, manager, FALSE, &error);
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;

  g_assert_no_error (error);
  g_assert_true (foyer_test_sandbox_revoke_tokens (sandbox, ALICE, &error));
  g_assert_cmpuint (graph_me (f, t1), ==, 401);
  t2 = get_token (f, manager, TRUE, &error);
  g_assert_null (t2);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED);
  g_assert_nonnull (strstr (error->message, "50173"));
  g_clear_error (&error);
  g_assert_cmpint (foyer_token_manager_get_state (manager), ==, FOYER_ACCOUNT_RECONNECT_NEEDED);
  g_assert_nonnull (foyer_token_manager_get_reconnect_reason (manager));

  /* Later callers are told at once, without asking Microsoft again. */
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  t3 = get_token (f, manager, FALSE, &error);
  g_assert_null (t3);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED);
  g_assert_cmpuint (count_token_requests (0), ==, 0);
}

static void
test_refresh_outage (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerTokenManager) manager = signed_in_manager (f, store);
  g_autofree char *t1 = get_token (f, manager, FALSE, &error);
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autofree char *t4 = NULL;
  g_autofree char *t5 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault_json (
          sandbox, "{\"pattern\": \"*/oauth2/v2.0/token\", \"host\": \"login\", \"status\": 503}",
          &error),
      >, 0);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  /* The refresh ahead of expiry fails for a passing reason: the token in
   * memory still works for minutes, so callers keep getting it. */
  foyer_token_manager_set_refresh_margin (manager, TOKEN_LIFETIME + 60);
  t2 = get_token (f, manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t2, ==, t1);
  g_assert_cmpuint (graph_me (f, t2), ==, 200);
  g_assert_cmpuint (count_token_requests (503), ==, 2);
  g_assert_cmpint (foyer_token_manager_get_state (manager), ==, FOYER_ACCOUNT_CONNECTED);

  /* Right after, nobody hammers the failing endpoint again. */
  t3 = get_token (f, manager, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t3, ==, t1);
  g_assert_cmpuint (count_token_requests (0), ==, 2);

  /* A caller whose token was refused (401) never gets it back. */
  t4 = get_token (f, manager, TRUE, &error);
  g_assert_null (t4);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpint (foyer_token_manager_get_state (manager), ==, FOYER_ACCOUNT_CONNECTED);

  /* Once Microsoft is back, a forced refresh succeeds. */
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
  t5 = get_token (f, manager, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t5, !=, t1);
  g_assert_cmpuint (graph_me (f, t5), ==, 200);
}

static void
slot_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

static void
test_cancelled_waiter (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerTokenManager) manager = signed_in_manager (f, store);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) cancelled = NULL;
  g_autoptr (GAsyncResult) patient = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  gint64 start;

  g_assert_cmpuint (foyer_test_sandbox_add_fault_json (
                        sandbox,
                        "{\"pattern\": \"*/oauth2/v2.0/token\", \"host\": \"login\","
                        " \"delayMs\": 1500, \"times\": 1}",
                        &error),
                    >, 0);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  /* Two callers wait for one slow refresh; the first gives up early. */
  start = g_get_monotonic_time ();
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (manager), TRUE, cancellable, slot_cb,
                                    &cancelled);
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (manager), TRUE, NULL, slot_cb, &patient);
  g_timeout_add (100, cancel_cb, cancellable);
  while (cancelled == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1000 * G_TIME_SPAN_MILLISECOND);
  g_assert_null (patient);
  t1 = foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (manager), cancelled, &error);
  g_assert_null (t1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* The refresh went on for the other one. */
  while (patient == NULL)
    g_main_context_iteration (NULL, TRUE);
  t2 = foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (manager), patient, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph_me (f, t2), ==, 200);
  g_assert_cmpuint (count_token_requests (200), ==, 1);
}

int
main (int argc, char **argv)
{
  static const char *const args[] = { "--token-lifetime", G_STRINGIFY (TOKEN_LIFETIME), NULL };
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  sandbox = foyer_test_sandbox_start (args, &error);
  g_assert_no_error (error);

  g_test_add ("/auth/sandbox/refusals/replayed-code", Fixture, NULL, fixture_setup,
              test_replayed_code, fixture_teardown);
  g_test_add ("/auth/sandbox/refusals/pkce-downgrade", Fixture, NULL, fixture_setup,
              test_pkce_downgrade, fixture_teardown);
  g_test_add ("/auth/sandbox/refusals/wrong-tenant", Fixture, NULL, fixture_setup,
              test_wrong_tenant, fixture_teardown);
  g_test_add ("/auth/sandbox/refusals/refresh-rotation", Fixture, NULL, fixture_setup,
              test_refresh_rotation, fixture_teardown);
  g_test_add ("/auth/sandbox/refusals/expired-access-token", Fixture, NULL, fixture_setup,
              test_expired_access_token, fixture_teardown);
  g_test_add ("/auth/sandbox/refusals/revoked-refresh-token", Fixture, NULL, fixture_setup,
              test_revoked_refresh_token, fixture_teardown);

  g_test_add ("/auth/sandbox/refusals/refresh-outage", Fixture, NULL, fixture_setup,
              test_refresh_outage, fixture_teardown);

  g_test_add ("/auth/sandbox/refusals/cancelled-waiter", Fixture, NULL, fixture_setup,
              test_cancelled_waiter, fixture_teardown);

  ret = g_test_run ();
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
