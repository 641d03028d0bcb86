/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Connecting a Microsoft account from the app, against foyer-ms-sandbox
 * and foyer-service on loopback: the organization's policy, the embedded
 * sign-in (form filled as a person would), the tokens, Attach file opening
 * the picker on the person's OneDrive, disconnecting, and what never
 * reaches the disk or Foyer's service.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-chat-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-sign-in-view.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-ui-test.h"
#include "foyer-window-session.h"
#include "foyer-window.h"
#include "picker/foyer-picker-dialog.h"

static FoyerApplication *app;

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return ((Wait *) data)->result != NULL;
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_assert_true (foyer_ui_test_wait_until (has_result, wait, 30000));
  return wait->result;
}

static void
enable_microsoft (FoyerTestService *service, FoyerTestSandbox *sandbox)
{
  g_autoptr (FoyerChatClient) admin
      = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_autofree char *json = g_strdup_printf (
      "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"%s\",\"clientId\":\"%s\","
      "\"cloud\":\"worldwide\",\"audiences\":[\"organization\",\"space\",\"existing\"],"
      "\"defaultAudience\":\"organization\",\"defaultLinkType\":\"view\","
      "\"cloudDescriptor\":\"%s\"}}",
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      foyer_test_sandbox_get_cloud_path (sandbox));
  g_autoptr (JsonNode) settings = json_from_string (json, NULL);
  g_autoptr (GError) error = NULL;
  Wait wait = { NULL };

  foyer_chat_client_login_async (admin, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 done_cb, &wait);
  g_assert_nonnull (foyer_chat_client_call_finish (admin, wait_for (&wait), &error));
  g_clear_object (&wait.result);
  foyer_chat_client_put_org_settings_async (admin, settings, NULL, done_cb, &wait);
  {
    g_autoptr (JsonNode) reply = foyer_chat_client_call_finish (admin, wait_for (&wait), &error);
    g_assert_no_error (error);
  }
  g_clear_object (&wait.result);
}

static gboolean
account_in_state (gpointer data)
{
  gpointer *pair = data;

  return (int) foyer_microsoft_account_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
wait_state (FoyerMicrosoftAccount *account, FoyerMicrosoftState state)
{
  gpointer pair[2] = { account, GINT_TO_POINTER (state) };

  g_assert_true (foyer_ui_test_wait_until (account_in_state, pair, 30000));
}

static FoyerSignInView *
find_sign_in_view (GtkWidget *widget)
{
  if (FOYER_IS_SIGN_IN_VIEW (widget))
    return FOYER_SIGN_IN_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      FoyerSignInView *found = find_sign_in_view (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  WebKitWebView *view;
  const char *element;
} PageWait;

static void
probe_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  int *found = user_data;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  *found = value != NULL && jsc_value_is_boolean (value) && jsc_value_to_boolean (value) ? 1 : 0;
}

static gboolean
element_present (gpointer data)
{
  PageWait *w = data;
  g_autofree char *script = g_strdup_printf ("document.querySelector('%s') !== null", w->element);
  int found = -1;

  if (webkit_web_view_is_loading (w->view))
    return FALSE;
  webkit_web_view_evaluate_javascript (w->view, script, -1, NULL, NULL, NULL, probe_cb, &found);
  while (found < 0)
    g_main_context_iteration (NULL, TRUE);
  return found == 1;
}

static void
run_js (WebKitWebView *view, const char *script)
{
  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, NULL, NULL);
}

static gboolean
file_tree_contains (const char *dir, const char *needle)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          if (file_tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &len, NULL)
               && g_strstr_len (contents, len, needle) != NULL)
        {
          g_test_message ("%s contains a secret", path);
          return TRUE;
        }
    }
  return FALSE;
}

static void
cookies_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GList **) user_data
      = webkit_cookie_manager_get_all_cookies_finish (WEBKIT_COOKIE_MANAGER (source), result, NULL);
}

static gboolean
cookies_known (gpointer data)
{
  return *(GList **) data != NULL;
}

static FoyerPickerDialog *
find_picker (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (FOYER_IS_PICKER_DIALOG (window))
        return FOYER_PICKER_DIALOG (window);
    }
  return NULL;
}

static gboolean
picker_open (gpointer data)
{
  return find_picker () != NULL;
}

static gboolean
picker_lists (gpointer data)
{
  FoyerPickerDialog *picker = find_picker ();
  GListModel *model = picker != NULL ? foyer_picker_dialog_get_model (picker) : NULL;

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (foyer_drive_item_get_name (item), data) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
space_titled (gpointer data)
{
  FoyerSpaceItem *space = data;

  return foyer_space_item_get_title (space) != NULL;
}

static void
test_connect (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  FoyerTestService *service = foyer_test_service_new ();
  FoyerSession *session = foyer_application_get_session (app);
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  FoyerWindow *window;
  FoyerSignInView *view;
  WebKitWebView *web;
  PageWait form = { NULL, "#i0116" };
  PageWait consent = { NULL, "#scopes" };
  g_autofree char *password = NULL;
  g_autofree char *fill = NULL;
  g_autofree char *token = NULL;
  g_autoptr (FoyerSpaceItem) space = NULL;
  GList *cookies = NULL;
  Wait wait = { NULL };
  const char *dirs[]
      = { g_get_user_data_dir (), g_get_user_config_dir (), g_get_user_cache_dir () };
  g_autofree char *png = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (service);
  enable_microsoft (service, sandbox);

  window = foyer_window_new (app);
  foyer_window_attach_session (window, session);
  foyer_window_attach_microsoft (window, session, account);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpint (foyer_microsoft_account_get_state (account), ==, FOYER_MICROSOFT_UNAVAILABLE);

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL, done_cb,
                               &wait);
  g_assert_true (foyer_session_sign_in_finish (session, wait_for (&wait), &error));
  g_clear_object (&wait.result);

  /* The policy says Microsoft is enabled, for the sandbox's tenant. */
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  /* Connect: the embedded sign-in, filled in as a person would. */
  gtk_widget_activate_action (GTK_WIDGET (window), "account.connect-microsoft", NULL);
  g_assert_nonnull (foyer_microsoft_account_get_sign_in_window (account));
  view = find_sign_in_view (GTK_WIDGET (foyer_microsoft_account_get_sign_in_window (account)));
  g_assert_nonnull (view);
  web = foyer_sign_in_view_get_web_view (view);
  form.view = consent.view = web;
  g_assert_true (foyer_ui_test_wait_until (element_present, &form, 30000));
  g_assert_cmpint (foyer_sign_in_view_get_security (view), ==, FOYER_SIGN_IN_SECURITY_LOOPBACK);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (view));
  g_free (foyer_ui_test_save_web_png (web, "microsoft-sign-in"));

  password
      = g_strescape (foyer_test_sandbox_get_user_password (sandbox, "alice@contoso.example"), NULL);
  fill = g_strdup_printf ("document.querySelector('#i0116').value = 'alice@contoso.example';"
                          "document.querySelector('#i0118').value = '%s';"
                          "document.querySelector('#idSIButton9').click();",
                          password);
  run_js (web, fill);
  g_assert_true (foyer_ui_test_wait_until (element_present, &consent, 30000));
  run_js (web, "document.querySelector('#idSIButton9').click();");

  wait_state (account, FOYER_MICROSOFT_CONNECTED);
  g_assert_null (foyer_microsoft_account_get_sign_in_window (account));
  g_assert_cmpstr (foyer_microsoft_account_get_display_name (account), ==, "Alice Martin");
  g_assert_cmpstr (foyer_microsoft_account_get_email (account), ==, "alice@contoso.example");

  /* Attach file opens the picker on Alice's OneDrive. */
  {
    const char *const members[] = { NULL };

    foyer_session_create_space_async (session, "Files", members, NULL, done_cb, &wait);
    space = foyer_session_create_space_finish (session, wait_for (&wait), &error);
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, 10000));
  foyer_window_open_space (window, space);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.attach-file", NULL);
  g_assert_true (foyer_ui_test_wait_until (picker_open, NULL, 10000));
  g_assert_true (foyer_ui_test_wait_until (picker_lists, "Documents", 30000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (find_picker ()));
  png = foyer_ui_test_save_png (GTK_WIDGET (find_picker ()), "microsoft-picker");
  gtk_window_destroy (GTK_WINDOW (find_picker ()));

  /* Nothing of Microsoft's session on disk in plaintext, nor at Foyer's service. */
  foyer_authorizer_get_token_async (foyer_microsoft_account_get_authorizer (account), FALSE, NULL,
                                    done_cb, &wait);
  token = foyer_authorizer_get_token_finish (foyer_microsoft_account_get_authorizer (account),
                                             wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (strlen (token), >, 16);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_false (file_tree_contains (dirs[i], token));
  g_assert_false (file_tree_contains (foyer_test_service_get_data_dir (service), token));

  webkit_cookie_manager_get_all_cookies (
      webkit_network_session_get_cookie_manager (
          foyer_web_session_get_network_session (foyer_application_get_web_session (app))),
      NULL, cookies_cb, &cookies);
  g_assert_true (foyer_ui_test_wait_until (cookies_known, &cookies, 10000));
  for (GList *l = cookies; l != NULL; l = l->next)
    {
      const char *value = soup_cookie_get_value (l->data);

      if (strlen (value) < 12)
        continue;
      for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
        g_assert_false (file_tree_contains (dirs[i], value));
      g_assert_false (file_tree_contains (foyer_test_service_get_data_dir (service), value));
    }
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);

  /* Disconnecting forgets the account. */
  gtk_widget_activate_action (GTK_WIDGET (window), "account.disconnect-microsoft", NULL);
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (session);
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/auth/microsoft/connect", test_connect);

  return g_test_run ();
}
