/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole Microsoft sign-in against foyer-ms-sandbox: the policy's cloud
 * descriptor, the authorize URL driven like a browser, the code exchange
 * with ID token checks, Graph accepting the token, refresh rotation,
 * revocation, and a throttled token endpoint. */
#include "config.h"

#include "foyer-auth-error.h"
#include "foyer-org-policy.h"
#include "auth-browser.h"
#include "foyer-test-sandbox.h"
#include "foyer-token-manager.h"

#include <libsoup/soup.h>
#include <string.h>

#define ALICE "alice@contoso.example"

static FoyerTestSandbox *sandbox;

typedef struct
{
  FoyerOrgPolicy *policy;
  FoyerCloud *cloud;
  FoyerTokenClient *client;
  FoyerCredentialStore *store;
  FoyerTokenManager *manager;
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
  g_autofree char *json = g_strdup_printf (
      "{\"microsoft\": {\"enabled\": true, \"tenantId\": \"%s\", \"clientId\": \"%s\","
      " \"cloud\": \"worldwide\", \"cloudDescriptor\": \"%s\", \"audiences\": [\"organization\"],"
      " \"defaultAudience\": \"organization\", \"defaultLinkType\": \"view\"}}",
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      foyer_test_sandbox_get_cloud_path (sandbox));

  f->policy = foyer_org_policy_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  f->cloud = foyer_org_policy_create_cloud (f->policy, &error);
  g_assert_no_error (error);
  f->client = foyer_token_client_new (f->cloud, foyer_org_policy_get_tenant_id (f->policy),
                                      foyer_org_policy_get_client_id (f->policy), NULL);
  foyer_token_client_set_retry_policy (f->client, 2, 50, 200, 5);
  f->store = foyer_credential_store_new ();
  f->manager = foyer_token_manager_new (f->client, f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  if (foyer_token_manager_get_state (f->manager) != FOYER_ACCOUNT_DISCONNECTED)
    {
      foyer_token_manager_sign_out_async (f->manager, NULL, result_cb, f);
      g_assert_true (foyer_token_manager_sign_out_finish (f->manager, wait_result (f), NULL));
    }
  g_clear_object (&f->result);
  g_clear_object (&f->manager);
  g_clear_object (&f->store);
  g_clear_object (&f->client);
  g_clear_object (&f->cloud);
  g_clear_object (&f->policy);
  foyer_test_sandbox_clear_faults (sandbox, NULL);
}

/* Drives the sandbox's sign-in pages and returns the redirect URI the
 * sign-in view would catch. */
static char *
browser_sign_in (FoyerAuthRequest *req, const char *email)
{
  g_autofree char *url = foyer_auth_request_get_authorize_url (req);
  guint status = 0;
  char *location
      = auth_browser_sign_in (foyer_test_sandbox_get_tls_database (sandbox), url, email,
                              foyer_test_sandbox_get_user_password (sandbox, email), &status, NULL);

  g_assert_cmpuint (status, ==, 302);
  g_assert_nonnull (location);
  return location;
}

static void
sign_in_alice (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = NULL;
  g_autofree char *redirect = NULL;

  req = foyer_auth_request_new (f->cloud, foyer_org_policy_get_tenant_id (f->policy),
                                foyer_org_policy_get_client_id (f->policy), ALICE, NULL, NULL,
                                &error);
  g_assert_no_error (error);
  redirect = browser_sign_in (req, ALICE);
  g_assert_true (foyer_auth_request_is_redirect (req, redirect));
  foyer_token_manager_sign_in_async (f->manager, req, redirect, NULL, result_cb, f);
  g_assert_true (foyer_token_manager_sign_in_finish (f->manager, wait_result (f), &error));
  g_assert_no_error (error);
}

static char *
get_token (Fixture *f, gboolean force, GError **error)
{
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (f->manager), force, NULL, result_cb, f);
  return foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (f->manager), wait_result (f), error);
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

static void
test_sign_in_and_graph (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *account = NULL;

  sign_in_alice (f);
  account = g_strdup_printf ("%s@%s", foyer_test_sandbox_get_user_oid (sandbox, ALICE),
                             foyer_test_sandbox_get_tenant_id (sandbox));
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_CONNECTED);
  g_assert_cmpstr (foyer_token_manager_get_account (f->manager), ==, account);
  g_assert_cmpstr (foyer_token_manager_get_email (f->manager), ==, ALICE);
  token = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph_me (f, token), ==, 200);
}

static void
test_refresh_and_revoke (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autoptr (FoyerCredentialStore) store2 = foyer_credential_store_new ();
  g_autoptr (FoyerTokenManager) restored = NULL;
  g_autofree char *t4 = NULL;

  sign_in_alice (f);
  t1 = get_token (f, FALSE, &error);
  t2 = get_token (f, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t1, !=, t2);
  g_assert_cmpuint (graph_me (f, t2), ==, 200);

  /* A throttled token endpoint is waited out. */
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault_json (
          sandbox,
          "{\"pattern\": \"*/oauth2/v2.0/token\", \"host\": \"login\", \"status\": 503,"
          " \"retryAfter\": 1, \"times\": 1}",
          &error),
      >, 0);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  t3 = get_token (f, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph_me (f, t3), ==, 200);
  {
    g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
    guint throttled = 0;
    guint ok = 0;

    g_assert_no_error (error);
    for (guint i = 0; i < json_array_get_length (log); i++)
      {
        JsonObject *entry = json_array_get_object_element (log, i);

        if (!g_str_has_suffix (json_object_get_string_member (entry, "path"), "/token"))
          continue;
        if (json_object_get_int_member (entry, "status") == 503)
          throttled++;
        else if (json_object_get_int_member (entry, "status") == 200)
          ok++;
      }
    g_assert_cmpuint (throttled, ==, 1);
    g_assert_cmpuint (ok, ==, 1);
  }

  /* The rotated refresh token was kept: a new manager restores it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  restored = foyer_token_manager_new (f->client, store2);
  foyer_token_manager_restore_async (restored, foyer_token_manager_get_account (f->manager), NULL,
                                     result_cb, f);
  g_assert_true (foyer_token_manager_restore_finish (restored, wait_result (f), &error));
  g_assert_no_error (error);
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (restored), FALSE, NULL, result_cb, f);
  t4 = foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (restored), wait_result (f), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (graph_me (f, t4), ==, 200);

  /* An administrator revokes the sessions: reconnect needed. */
  g_assert_true (foyer_test_sandbox_revoke_tokens (sandbox, ALICE, &error));
  {
    g_autofree char *t5 = get_token (f, TRUE, &error);

    g_assert_null (t5);
    g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  }
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_RECONNECT_NEEDED);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);

  g_test_add ("/auth/sandbox/sign-in-and-graph", Fixture, NULL, fixture_setup,
              test_sign_in_and_graph, fixture_teardown);
  g_test_add ("/auth/sandbox/refresh-and-revoke", Fixture, NULL, fixture_setup,
              test_refresh_and_revoke, fixture_teardown);

  ret = g_test_run ();
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
