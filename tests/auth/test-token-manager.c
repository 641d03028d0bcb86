/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The token manager as a FoyerAuthorizer against the in-test identity
 * platform: sign-in, refresh timing, one refresh in flight, forced
 * refresh, reconnect-needed, transient failures, sign-out. */
#include "config.h"

#include "auth-mock-idp.h"
#include "foyer-auth-error.h"
#include "foyer-token-manager.h"

#include <string.h>

typedef struct
{
  MockIdp *idp;
  FoyerCloud *cloud;
  FoyerTokenClient *client;
  FoyerCredentialStore *store;
  FoyerTokenManager *manager;
  guint state_notifies;
  GPtrArray *results;
} Fixture;

static void
state_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Fixture *f = user_data;

  f->state_notifies++;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->idp = mock_idp_new ();
  f->cloud = mock_idp_new_cloud (f->idp);
  f->client = foyer_token_client_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL);
  foyer_token_client_set_retry_policy (f->client, 2, 20, 100, 5);
  f->store = foyer_credential_store_new_in_memory ();
  f->manager = foyer_token_manager_new (f->client, f->store);
  f->results = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->manager, "notify::state", G_CALLBACK (state_notify_cb), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_ptr_array_unref (f->results);
  g_clear_object (&f->manager);
  g_clear_object (&f->store);
  g_clear_object (&f->client);
  g_clear_object (&f->cloud);
  g_clear_pointer (&f->idp, mock_idp_free);
}

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->results, g_object_ref (result));
}

static GAsyncResult *
wait_results (Fixture *f, guint n)
{
  g_ptr_array_set_size (f->results, 0);
  while (f->results->len < n)
    g_main_context_iteration (NULL, TRUE);
  return f->results->pdata[0];
}

static char *
get_token (Fixture *f, gboolean force, GError **error)
{
  g_ptr_array_set_size (f->results, 0);
  foyer_authorizer_get_token_async (FOYER_AUTHORIZER (f->manager), force, NULL, result_cb, f);
  while (f->results->len < 1)
    g_main_context_iteration (NULL, TRUE);
  return foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (f->manager), f->results->pdata[0],
                                            error);
}

static gboolean
sign_in (Fixture *f, const char *code, GError **error)
{
  g_autoptr (FoyerAuthRequest) req = NULL;
  g_autofree char *challenge = NULL;
  g_autofree char *redirect = NULL;

  req = foyer_auth_request_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL, NULL, NULL, error);
  g_assert_nonnull (req);
  challenge = foyer_auth_pkce_challenge (foyer_auth_request_get_verifier (req));
  mock_idp_add_code (f->idp, code, challenge, foyer_auth_request_get_nonce (req));
  redirect = g_strdup_printf ("%s?code=%s&state=%s", foyer_cloud_get_redirect_uri (f->cloud), code,
                              foyer_auth_request_get_state (req));
  g_ptr_array_set_size (f->results, 0);
  foyer_token_manager_sign_in_async (f->manager, req, redirect, NULL, result_cb, f);
  while (f->results->len < 1)
    g_main_context_iteration (NULL, TRUE);
  return foyer_token_manager_sign_in_finish (f->manager, f->results->pdata[0], error);
}

static FoyerCredentials *
stored (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  FoyerCredentials *c;

  foyer_credential_store_lookup_async (f->store, NULL, NULL, result_cb, f);
  c = foyer_credential_store_lookup_finish (f->store, wait_results (f, 1), &error);
  g_assert_no_error (error);
  return c;
}

static void
test_sign_in (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autoptr (FoyerCredentials) c = NULL;

  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_DISCONNECTED);
  g_assert_true (sign_in (f, "code-1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_CONNECTED);
  g_assert_cmpuint (f->state_notifies, ==, 1);
  g_assert_cmpstr (foyer_token_manager_get_account (f->manager), ==, MOCK_OID "@" MOCK_TENANT);
  g_assert_cmpstr (foyer_token_manager_get_email (f->manager), ==, "alice@contoso.example");
  g_assert_cmpstr (foyer_token_manager_get_display_name (f->manager), ==, "Alice Martin");

  /* The code exchange's access token is used as is. */
  token = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, mock_idp_get_last_access_token (f->idp));
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 1);

  c = stored (f);
  g_assert_nonnull (c);
  g_assert_cmpstr (c->account, ==, MOCK_OID "@" MOCK_TENANT);
  g_assert_cmpstr (c->refresh_token, ==, mock_idp_get_last_refresh_token (f->idp));
  g_assert_cmpstr (c->tenant_id, ==, MOCK_TENANT);
  g_assert_cmpstr (c->email, ==, "alice@contoso.example");
}

static void
test_sign_in_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerAuthRequest) req = NULL;
  g_autoptr (FoyerCredentials) c = NULL;
  g_autofree char *token = NULL;
  g_autofree char *redirect = NULL;

  /* A redirect of another sign-in (state mismatch): nothing is sent. */
  req = foyer_auth_request_new (f->cloud, MOCK_TENANT, MOCK_CLIENT, NULL, NULL, NULL, &error);
  redirect = g_strdup_printf ("%s?code=x&state=forged", foyer_cloud_get_redirect_uri (f->cloud));
  foyer_token_manager_sign_in_async (f->manager, req, redirect, NULL, result_cb, f);
  g_assert_false (foyer_token_manager_sign_in_finish (f->manager, wait_results (f, 1), &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_STATE_MISMATCH);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 0);
  g_clear_error (&error);

  /* Another tenant's account. */
  mock_idp_set_id_token_tid (f->idp, MOCK_OTHER_TENANT);
  g_assert_false (sign_in (f, "code-x", &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT);
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_DISCONNECTED);
  g_assert_cmpuint (f->state_notifies, ==, 0);
  c = stored (f);
  g_assert_null (c);
  g_clear_error (&error);

  token = get_token (f, FALSE, &error);
  g_assert_null (token);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_NOT_SIGNED_IN);
}

static void
test_refresh_before_expiry (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;
  g_autoptr (FoyerCredentials) c = NULL;
  gint64 now;

  /* Tokens valid 200 s are inside the 300 s margin: each call refreshes. */
  mock_idp_set_expires_in (f->idp, 200);
  g_assert_true (sign_in (f, "code-1", &error));
  now = g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (foyer_token_manager_get_expires_at (f->manager), >=, now + 195);
  g_assert_cmpint (foyer_token_manager_get_expires_at (f->manager), <=, now + 200);
  t1 = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 2);

  /* A token valid an hour is kept. */
  mock_idp_set_expires_in (f->idp, 3599);
  t2 = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (t2, !=, t1);
  t3 = get_token (f, FALSE, &error);
  g_assert_cmpstr (t3, ==, t2);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 3);

  /* The rotated refresh token replaced the stored one. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  c = stored (f);
  g_assert_cmpstr (c->refresh_token, ==, mock_idp_get_last_refresh_token (f->idp));
}

static void
test_one_refresh_in_flight (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentials) c = NULL;
  g_autofree char *first = NULL;

  /* A stored account: no access token yet. */
  c = foyer_credentials_new (MOCK_OID "@" MOCK_TENANT, "refresh-stored", "Alice", "alice@x",
                             MOCK_TENANT);
  mock_idp_add_refresh_token (f->idp, "refresh-stored");
  foyer_credential_store_save_async (f->store, c, NULL, result_cb, f);
  g_assert_true (foyer_credential_store_save_finish (f->store, wait_results (f, 1), &error));
  foyer_token_manager_restore_async (f->manager, NULL, NULL, result_cb, f);
  g_assert_true (foyer_token_manager_restore_finish (f->manager, wait_results (f, 1), &error));
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_CONNECTED);
  g_assert_cmpint (foyer_token_manager_get_expires_at (f->manager), ==, 0);

  mock_idp_set_token_delay_ms (f->idp, 200);
  g_ptr_array_set_size (f->results, 0);
  for (int i = 0; i < 4; i++)
    foyer_authorizer_get_token_async (FOYER_AUTHORIZER (f->manager), i == 3, NULL, result_cb, f);
  while (f->results->len < 4)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 1);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *token = foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (f->manager),
                                                                  f->results->pdata[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (token, ==, mock_idp_get_last_access_token (f->idp));
      if (first == NULL)
        first = g_strdup (token);
    }
}

static void
test_force_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  g_assert_true (sign_in (f, "code-1", &error));
  t1 = get_token (f, FALSE, &error);
  /* After a 401 with t1, the manager must not hand t1 back. */
  t2 = get_token (f, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t2);
  g_assert_cmpstr (t2, !=, t1);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 2);
}

static void
test_reconnect_needed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;
  g_autofree char *t3 = NULL;

  g_assert_true (sign_in (f, "code-1", &error));
  g_assert_cmpuint (f->state_notifies, ==, 1);
  mock_idp_revoke_all (f->idp);
  t1 = get_token (f, TRUE, &error);
  g_assert_null (t1);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_RECONNECT_NEEDED);
  g_assert_cmpuint (f->state_notifies, ==, 2);
  g_assert_nonnull (foyer_token_manager_get_reconnect_reason (f->manager));
  g_clear_error (&error);

  /* No more requests until the person signs in again. */
  t2 = get_token (f, FALSE, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 2);
  g_clear_error (&error);

  g_assert_true (sign_in (f, "code-2", &error));
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_CONNECTED);
  g_assert_null (foyer_token_manager_get_reconnect_reason (f->manager));
  t3 = get_token (f, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t3);
}

static void
test_interaction_required (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;

  g_assert_true (sign_in (f, "code-1", &error));
  mock_idp_add_fault (f->idp, 1, 400, NULL, "interaction_required", 50076);
  token = get_token (f, TRUE, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INTERACTION_REQUIRED);
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_RECONNECT_NEEDED);
  g_assert_cmpstr (foyer_token_manager_get_reconnect_reason (f->manager), ==, error->message);
}

static void
test_transient_failure (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t1 = NULL;
  g_autofree char *t2 = NULL;

  g_assert_true (sign_in (f, "code-1", &error));
  mock_idp_add_fault (f->idp, 3, 503, NULL, NULL, 0);
  t1 = get_token (f, TRUE, &error);
  g_assert_null (t1);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE);
  /* A passing outage does not ask the person to sign in again. */
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_CONNECTED);
  g_assert_cmpuint (mock_idp_get_token_requests (f->idp), ==, 4);
  g_clear_error (&error);

  mock_idp_add_fault (f->idp, 1, 500, NULL, NULL, 0);
  t2 = get_token (f, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (t2);
}

static void
test_sign_out (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentials) c = NULL;
  g_autofree char *token = NULL;

  g_assert_true (sign_in (f, "code-1", &error));
  foyer_token_manager_sign_out_async (f->manager, NULL, result_cb, f);
  g_assert_true (foyer_token_manager_sign_out_finish (f->manager, wait_results (f, 1), &error));
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_DISCONNECTED);
  g_assert_null (foyer_token_manager_get_account (f->manager));
  c = stored (f);
  g_assert_null (c);
  token = get_token (f, FALSE, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_NOT_SIGNED_IN);
}

static void
test_restore_other_tenant (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentials) c = foyer_credentials_new (
      MOCK_OID "@" MOCK_OTHER_TENANT, "refresh-x", NULL, NULL, MOCK_OTHER_TENANT);

  foyer_token_manager_restore_async (f->manager, NULL, NULL, result_cb, f);
  g_assert_false (foyer_token_manager_restore_finish (f->manager, wait_results (f, 1), &error));
  g_assert_no_error (error);

  foyer_credential_store_save_async (f->store, c, NULL, result_cb, f);
  g_assert_true (foyer_credential_store_save_finish (f->store, wait_results (f, 1), &error));
  foyer_token_manager_restore_async (f->manager, NULL, NULL, result_cb, f);
  g_assert_false (foyer_token_manager_restore_finish (f->manager, wait_results (f, 1), &error));
  g_assert_no_error (error);
  g_assert_cmpint (foyer_token_manager_get_state (f->manager), ==, FOYER_ACCOUNT_DISCONNECTED);
}

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/auth/token-manager/sign-in", test_sign_in);
  ADD ("/auth/token-manager/sign-in-refused", test_sign_in_refused);
  ADD ("/auth/token-manager/refresh-before-expiry", test_refresh_before_expiry);
  ADD ("/auth/token-manager/one-refresh-in-flight", test_one_refresh_in_flight);
  ADD ("/auth/token-manager/force-refresh", test_force_refresh);
  ADD ("/auth/token-manager/reconnect-needed", test_reconnect_needed);
  ADD ("/auth/token-manager/interaction-required", test_interaction_required);
  ADD ("/auth/token-manager/transient-failure", test_transient_failure);
  ADD ("/auth/token-manager/sign-out", test_sign_out);
  ADD ("/auth/token-manager/restore-other-tenant", test_restore_other_tenant);

  return g_test_run ();
}
