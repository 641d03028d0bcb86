/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Preferences against a real foyer-service and foyer-ms-sandbox: the
 * person's page names their accounts in words (the organization's name,
 * not its tenant id); administrators get a page of the organization's
 * settings, whose every change reaches the service at once, with no Save
 * button; a form the service would refuse goes back, saying why.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-chat-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-org-policy.h"
#include "foyer-preferences-window.h"
#include "foyer-session.h"
#include "foyer-test-org.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

#define STEP_TIMEOUT_MS 30000

static FoyerApplication *app;
static FoyerTestSandbox *sandbox;
static FoyerTestService *service;
static FoyerWindow *window;

static gboolean
organization_named (gpointer data)
{
  return foyer_microsoft_account_get_organization_name (data) != NULL;
}

static void
sign_in (FoyerSession *session, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service), email, password,
                               NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
}

static gboolean
policy_known (gpointer data)
{
  return foyer_session_get_org_policy (data, NULL) != NULL;
}

static GtkWidget *
child (FoyerPreferencesWindow *preferences, const char *name)
{
  return foyer_ui_test_child (GTK_WIDGET (preferences), FOYER_TYPE_PREFERENCES_WINDOW, name);
}

static FoyerPreferencesWindow *
open_preferences (void)
{
  FoyerPreferencesWindow *preferences;

  gtk_widget_activate_action (GTK_WIDGET (window), "account.preferences", NULL);
  preferences = foyer_ui_test_find_toplevel (FOYER_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (preferences);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (preferences));
  return preferences;
}

/* The settings as the service holds them, asked afresh. */
static FoyerOrgPolicy *
service_policy (void)
{
  g_autoptr (FoyerChatClient) client
      = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };
  FoyerOrgPolicy *policy;

  foyer_chat_client_login_async (client, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  g_clear_pointer (&node, json_node_unref);
  node = foyer_chat_client_call_finish (client, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  foyer_chat_client_get_org_settings_async (client, NULL, foyer_test_wait_cb, &wait);
  g_clear_pointer (&node, json_node_unref);
  node = foyer_chat_client_call_finish (client, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  policy = foyer_org_policy_new_from_json (node, &error);
  g_assert_no_error (error);
  return policy;
}

typedef struct
{
  FoyerLinkAudience audience;
  gboolean allowed;
  FoyerLinkAudience default_audience;
} PolicyWait;

static gboolean
policy_has (FoyerOrgPolicy *policy, PolicyWait *w)
{
  return policy != NULL && foyer_org_policy_allows_audience (policy, w->audience) == w->allowed
         && foyer_org_policy_get_default_audience (policy) == w->default_audience;
}

/* The service accepted the change: Alice's session holds what it
 * answered. */
static gboolean
saved (gpointer data)
{
  FoyerSession *session = foyer_application_get_session (app);

  return policy_has (foyer_session_get_org_policy (session, NULL), data);
}

/* The change was saved, and the service holds it when asked afresh. */
static void
assert_saved (PolicyWait *w)
{
  g_autoptr (FoyerOrgPolicy) policy = NULL;

  g_assert_true (foyer_ui_test_wait_until (saved, w, STEP_TIMEOUT_MS));
  policy = service_policy ();
  g_assert_true (policy_has (policy, w));
}

static gboolean
has_save_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) != NULL
      && strstr (gtk_button_get_label (GTK_BUTTON (widget)), "Save") != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (has_save_button (c))
      return TRUE;
  return FALSE;
}

/* The person's page: who they are at Foyer and at Microsoft, in words. */
static void
test_accounts (void)
{
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  FoyerPreferencesWindow *preferences;
  AdwActionRow *foyer_row, *microsoft_row;
  const char *subtitle;

  g_assert_true (foyer_ui_test_wait_until (organization_named, account, STEP_TIMEOUT_MS));
  preferences = open_preferences ();
  foyer_row = ADW_ACTION_ROW (child (preferences, "foyer_row"));
  microsoft_row = ADW_ACTION_ROW (child (preferences, "microsoft_row"));

  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (foyer_row)), ==,
                   "Alice Martin");
  g_assert_true (
      g_str_has_prefix (adw_action_row_get_subtitle (foyer_row), FOYER_TEST_ALICE_EMAIL));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (microsoft_row)), ==,
                   "Alice Martin");
  subtitle = adw_action_row_get_subtitle (microsoft_row);
  g_assert_cmpstr (subtitle, ==, "alice@contoso.example · Contoso");
  g_assert_null (strstr (subtitle, foyer_test_sandbox_get_tenant_id (sandbox)));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (preferences), "preferences-account"));

  /* A personal setting applies at once too. */
  {
    g_autoptr (GSettings) settings = g_settings_new (APP_ID);
    GtkSwitch *notify = GTK_SWITCH (child (preferences, "notify_switch"));

    g_assert_true (gtk_switch_get_active (notify));
    gtk_switch_set_active (notify, FALSE);
    g_assert_false (g_settings_get_boolean (settings, "notify-messages"));
    gtk_switch_set_active (notify, TRUE);
  }
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* The administrator's page: no Save button; each change is at the
 * service as soon as it is made. */
static void
test_organization (void)
{
  FoyerPreferencesWindow *preferences = open_preferences ();
  AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (child (preferences, "organization_page"));
  GtkSwitch *anyone = GTK_SWITCH (child (preferences, "anyone"));
  GtkSwitch *space = GTK_SWITCH (child (preferences, "space"));
  AdwComboRow *default_audience = ADW_COMBO_ROW (child (preferences, "default_audience"));
  PolicyWait wait;

  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page)));
  g_assert_cmpstr (adw_preferences_page_get_title (page), ==, "Organization");
  g_assert_false (has_save_button (GTK_WIDGET (preferences)));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (preferences), page);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (preferences));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (preferences), "preferences-organization"));

  /* The organization's default audience: its switch cannot be turned off. */
  g_assert_false (gtk_widget_get_sensitive (child (preferences, "organization")));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (anyone)));

  /* Links for anyone: allowed at once. */
  gtk_switch_set_active (anyone, TRUE);
  wait = (PolicyWait){ FOYER_LINK_AUDIENCE_ANYONE, TRUE, FOYER_LINK_AUDIENCE_ORGANIZATION };
  assert_saved (&wait);

  /* No links for the space's people; then made the default, which
   * allows them again in the same change. */
  gtk_switch_set_active (space, FALSE);
  wait = (PolicyWait){ FOYER_LINK_AUDIENCE_SPACE, FALSE, FOYER_LINK_AUDIENCE_ORGANIZATION };
  assert_saved (&wait);
  adw_combo_row_set_selected (default_audience,
                              FOYER_LINK_AUDIENCE_SPACE - FOYER_LINK_AUDIENCE_ANYONE);
  g_assert_true (gtk_switch_get_active (space));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (space)));
  wait = (PolicyWait){ FOYER_LINK_AUDIENCE_SPACE, TRUE, FOYER_LINK_AUDIENCE_SPACE };
  assert_saved (&wait);

  /* The application ID cleared while Microsoft is on: refused here, said
   * why, and put back; the service keeps its settings. */
  {
    AdwEntryRow *client = ADW_ENTRY_ROW (child (preferences, "client"));
    g_autofree char *before = g_strdup (gtk_editable_get_text (GTK_EDITABLE (client)));
    g_autoptr (FoyerOrgPolicy) kept = NULL;

    gtk_editable_set_text (GTK_EDITABLE (client), "");
    g_signal_emit_by_name (client, "apply");
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (client)), ==, before);
    kept = service_policy ();
    g_assert_cmpstr (foyer_org_policy_get_client_id (kept), ==, before);
  }
  gtk_window_destroy (GTK_WINDOW (preferences));
}

/* Someone who is not an administrator has no organization page. */
static void
test_not_admin (void)
{
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  FoyerPreferencesWindow *preferences;

  sign_in (bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (policy_known, bob, STEP_TIMEOUT_MS));
  preferences = foyer_preferences_window_new (GTK_WINDOW (window), bob,
                                              foyer_application_get_microsoft_account (app));
  g_assert_false (gtk_widget_get_visible (child (preferences, "organization_page")));
  g_assert_true (gtk_widget_get_visible (child (preferences, "foyer_row")));
  gtk_window_destroy (GTK_WINDOW (preferences));
  foyer_session_disconnect (bob);
}

static gboolean
connected (gpointer data)
{
  return foyer_microsoft_account_get_state (data) == FOYER_MICROSOFT_CONNECTED;
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  int status;

  foyer_ui_test_init (&argc, &argv);
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  service = foyer_test_service_new ();
  g_assert_nonnull (service);
  foyer_test_enable_microsoft (service, sandbox, "embedded");

  /* Alice, an administrator, signed in to both (the sandbox remembers her). */
  session = foyer_application_get_session (app);
  account = foyer_application_get_microsoft_account (app);
  window = foyer_window_new (GTK_APPLICATION (app), session, account);
  gtk_window_present (GTK_WINDOW (window));
  sign_in (session, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_assert_true (
      foyer_ui_test_wait_account_state (account, FOYER_MICROSOFT_DISCONNECTED, STEP_TIMEOUT_MS));
  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "alice@contoso.example", &error));
  g_assert_no_error (error);
  g_assert_true (foyer_microsoft_sign_in_window_open (GTK_WINDOW (window), account));
  g_assert_true (foyer_ui_test_wait_until (connected, account, STEP_TIMEOUT_MS));

  g_test_add_func ("/preferences/accounts", test_accounts);
  g_test_add_func ("/preferences/organization", test_organization);
  g_test_add_func ("/preferences/not-admin", test_not_admin);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (session);
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
  g_assert_true (foyer_test_sandbox_stop (sandbox));
  foyer_test_sandbox_unref (sandbox);
  return status;
}
