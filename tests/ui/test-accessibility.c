/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Every window and dialog of Foyer, read as a screen reader reads it.
 *
 * The app runs here with GTK's AT-SPI bridge on (the test's own session
 * bus activates the accessibility bus and its registry), and each window
 * is taken to the state a person sees; then atspi-audit.py, a separate
 * process using libatspi as Orca does, walks every window of this process
 * and fails on any control without a name, named after its type, with a
 * mnemonic underscore or its name twice, or focusable without a proper
 * role. The test process keeps running its main loop meanwhile: GTK
 * answers the reader's questions from it.
 *
 * The tests run in order on one app, as a person goes: signed out, the
 * sign-in dialog, signed in with spaces and a shared document, the
 * Microsoft sign-in, the menus, Jump to a Space, the dialogs, the picker
 * and its share options, the viewer and its question before a link out,
 * both pages of preferences, shortcuts, about, and Attach File's answer
 * when Microsoft files are not available.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "foyer-application.h"
#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-i18n.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-preferences-window.h"
#include "foyer-service-sign-in-dialog.h"
#include "foyer-session.h"
#include "foyer-share.h"
#include "foyer-sign-in-view.h"
#include "foyer-space-switcher.h"
#include "foyer-test-org.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-dialog.h"
#include "viewer/foyer-viewer.h"

#define STEP_TIMEOUT_MS 30000

static struct
{
  FoyerApplication *app;
  FoyerTestSandbox *sandbox;
  FoyerTestService *service;
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerWindow *window;
  FoyerSpaceItem *space;
} f;

typedef struct
{
  char *output;
  int status;
  gboolean done;
} Audit;

static void
audit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Audit *audit = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &audit->output, NULL,
                                        &error);
  g_assert_no_error (error);
  audit->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
  audit->done = TRUE;
}

static gboolean
audit_finished (gpointer data)
{
  return ((Audit *) data)->done;
}

/* A control's name as the person's language says it: msgid translated,
 * without its mnemonic underscore ("C_reate" → "Create", "Créer"). */
static char *
expected_name (const char *msgid)
{
  const char *translated = g_dgettext (GETTEXT_PACKAGE, msgid);
  GString *name = g_string_new (NULL);

  for (const char *p = translated; *p != '\0'; p++)
    if (*p != '_')
      g_string_append_c (name, *p);
  return g_string_free (name, FALSE);
}

/* Reads every window of this process through AT-SPI; fails the test with
 * what a screen reader would stumble on. Each of expect (NULL-terminated
 * msgids, translated here) must be the name of a control somewhere; each
 * of states ("msgid=checked", atspi-audit.py's states) must hold for the
 * controls of that name. */
static void
audit_windows_in_states (const char *what, const char *const *expect, const char *const *states)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_auto (GStrv) argv = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  Audit audit = { NULL, -1, FALSE };

  g_strv_builder_add_many (builder, PYTHON3, ATSPI_AUDIT, "--pid", pid, NULL);
  /* FOYER_TEST_A11Y_DUMP=1 shows the whole tree as a screen reader has it. */
  if (g_getenv ("FOYER_TEST_A11Y_DUMP") != NULL)
    g_strv_builder_add (builder, "--dump");
  for (guint i = 0; expect != NULL && expect[i] != NULL; i++)
    {
      g_autofree char *name = expected_name (expect[i]);

      g_strv_builder_add_many (builder, "--expect", name, NULL);
    }
  for (guint i = 0; states != NULL && states[i] != NULL; i++)
    {
      const char *equals = strrchr (states[i], '=');
      g_autofree char *msgid = g_strndup (states[i], equals - states[i]);
      g_autofree char *name = expected_name (msgid);
      g_autofree char *state = g_strdup_printf ("%s%s", name, equals);

      g_strv_builder_add_many (builder, "--state", state, NULL);
    }
  argv = g_strv_builder_end (builder);
  process = g_subprocess_newv ((const char *const *) argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, audit_done_cb, &audit);
  /* The reader may take a while on a busy machine; it gives up by itself. */
  g_assert_true (foyer_ui_test_wait_until (audit_finished, &audit, 300000));

  /* One line each: TAP takes a message's lines one by one. */
  lines = g_strsplit (audit.output != NULL ? audit.output : "", "\n", -1);
  g_test_message ("%s, read through AT-SPI:", what);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      g_test_message ("  %s", lines[i]);
  if (audit.status != 0)
    g_test_fail_printf ("%s: a screen reader would stumble (see above)", what);
  g_free (audit.output);
}

static void
audit_windows (const char *what, const char *const *expect)
{
  audit_windows_in_states (what, expect, NULL);
}

static void
present_and_draw (GtkWindow *window)
{
  gtk_window_present (window);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
}

/* a11y-<window>.png, or a11y-<language>-<window>.png in another language. */
static char *
png_name (const char *name)
{
  const char *language = g_getenv ("FOYER_TEST_A11Y_LANGUAGE");

  if (language == NULL)
    return g_strdup (name);
  return g_strdup_printf ("a11y-%s-%s", language, name + strlen ("a11y-"));
}

static void
save_png (gpointer window, const char *name)
{
  g_autofree char *file = png_name (name);

  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), file));
}

/* A toplevel of that type, once there is one. */
static gboolean
toplevel_shown (gpointer type)
{
  GtkWidget *window = foyer_ui_test_find_toplevel (GPOINTER_TO_SIZE (type));

  return window != NULL && gtk_widget_get_mapped (window);
}

static GtkWindow *
wait_toplevel (GType type)
{
  GtkWindow *window;

  g_assert_true (
      foyer_ui_test_wait_until (toplevel_shown, GSIZE_TO_POINTER (type), STEP_TIMEOUT_MS));
  window = foyer_ui_test_find_toplevel (type);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  return window;
}

static void
test_signed_out (void)
{
  present_and_draw (GTK_WINDOW (f.window));
  save_png (f.window, "a11y-signed-out");
  audit_windows_in_states (
      "The main window, signed out",
      (const char *const[]){ "_Sign In…", "New Space", "Main Menu", NULL },
      (const char *const[]){ "Send=disabled", "Attach File=disabled", "_Sign In…=enabled", NULL });
}

static void
test_service_sign_in (void)
{
  GtkWindow *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.sign-in", NULL);
  dialog = wait_toplevel (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG);
  save_png (dialog, "a11y-service-sign-in");
  audit_windows (
      "The sign-in dialog",
      (const char *const[]){ "_Cancel", "_Sign In", "Service Address", "Password", NULL });
  gtk_window_destroy (dialog);
}

static gboolean
space_titled (gpointer data)
{
  return foyer_space_item_get_title (data) != NULL;
}

static FoyerSpaceItem *
create_space (const char *title)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerSpaceItem *space;

  foyer_session_create_space_async (f.session, title, members, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (f.session, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, STEP_TIMEOUT_MS));
  return space;
}

typedef struct
{
  WebKitWebView *view;
  const char *selector;
} PageWait;

static gboolean
element_present (gpointer data)
{
  PageWait *w = data;

  return foyer_ui_test_web_has_element (w->view, w->selector);
}

static void
run_js (WebKitWebView *view, const char *script)
{
  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, NULL, NULL);
}

/* Signed in as Alice (an administrator), with two spaces; then Connect
 * Microsoft Account: the sign-in window, read while it shows the form. */
static void
test_microsoft_sign_in (void)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) budget = NULL;
  g_autofree char *password = NULL;
  g_autofree char *fill = NULL;
  GtkWindow *window;
  PageWait form = { NULL, "#i0116" };
  PageWait consent = { NULL, "#scopes" };

  foyer_session_sign_in_async (f.session, foyer_test_service_get_base_url (f.service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (f.session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  g_assert_true (
      foyer_ui_test_wait_account_state (f.account, FOYER_MICROSOFT_DISCONNECTED, STEP_TIMEOUT_MS));
  budget = create_space ("Budget 2027");
  f.space = create_space ("Design review");
  foyer_window_open_space (f.window, f.space);

  gtk_widget_activate_action (GTK_WIDGET (f.window), "account.connect-microsoft", NULL);
  window = wait_toplevel (FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW);
  form.view = consent.view = foyer_sign_in_view_get_web_view (
      foyer_ui_test_find (GTK_WIDGET (window), FOYER_TYPE_SIGN_IN_VIEW));
  g_assert_true (foyer_ui_test_wait_until (element_present, &form, STEP_TIMEOUT_MS));
  {
    g_autofree char *file = png_name ("a11y-microsoft-sign-in");

    g_free (foyer_ui_test_save_web_png (form.view, file));
  }
  audit_windows ("The Microsoft sign-in window", (const char *const[]){ "_Cancel", NULL });

  password = g_strescape (foyer_test_sandbox_get_user_password (f.sandbox, "alice@contoso.example"),
                          NULL);
  fill = g_strdup_printf ("document.querySelector('#i0116').value = 'alice@contoso.example';"
                          "document.querySelector('#i0118').value = '%s';"
                          "document.querySelector('#idSIButton9').click();",
                          password);
  run_js (form.view, fill);
  g_assert_true (foyer_ui_test_wait_until (element_present, &consent, STEP_TIMEOUT_MS));
  run_js (form.view, "document.querySelector('#idSIButton9').click();");
  g_assert_true (
      foyer_ui_test_wait_account_state (f.account, FOYER_MICROSOFT_CONNECTED, STEP_TIMEOUT_MS));
}

static gboolean
tile_has_thumbnail (gpointer data)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (data, FOYER_TYPE_DOCUMENT_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    if (_foyer_document_tile_has_thumbnail (g_ptr_array_index (tiles, i)))
      return TRUE;
  return FALSE;
}

/* The main window as people use it: spaces in the sidebar, a conversation
 * with a message and a shared document's tile. */
static void
test_signed_in (void)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autofree char *notice = NULL;
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (f.account);

  foyer_session_send_text (f.session, f.space, "The slides for Thursday are below.");
  foyer_graph_client_request_async (graph, "GET", "/me/drive/root:/Documents/Quarterly report.docx",
                                    NULL, NULL, foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (graph, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  foyer_share_document_async (f.account, f.session, f.space, item, FOYER_LINK_TYPE_VIEW,
                              FOYER_LINK_AUDIENCE_ORGANIZATION, NULL, NULL, NULL,
                              foyer_test_wait_cb, &wait);
  g_assert_true (foyer_share_document_finish (foyer_test_wait (&wait), &notice, &error));
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  g_assert_true (foyer_ui_test_wait_until (tile_has_thumbnail, f.window, STEP_TIMEOUT_MS));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f.window));
  save_png (f.window, "a11y-signed-in");

  audit_windows ("The main window, signed in",
                 (const char *const[]){ "New Space", "Main Menu", "Space Menu", "Design review",
                                        "Budget 2027", "Attach File", "Send", "Message", NULL });
}

static gboolean
popover_shown (gpointer data)
{
  GtkPopover *popover = gtk_menu_button_get_popover (data);

  return popover != NULL && gtk_widget_get_mapped (GTK_WIDGET (popover));
}

/* A menu as it opens from its button: its items are named, without
 * their underscores. */
static void
audit_menu (const char *tooltip, const char *what, const char *const *expect)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();
  GtkMenuButton *menu = NULL;
  g_autofree char *state = NULL;

  foyer_ui_test_collect (GTK_WIDGET (f.window), GTK_TYPE_MENU_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (buttons->pdata[i]), _ (tooltip)) == 0)
      menu = buttons->pdata[i];
  g_assert_nonnull (menu);
  gtk_menu_button_popup (menu);
  g_assert_true (foyer_ui_test_wait_until (popover_shown, menu, STEP_TIMEOUT_MS));
  state = g_strdup_printf ("%s=expanded", tooltip);
  audit_windows_in_states (what, expect, (const char *const[]){ state, NULL });
  gtk_menu_button_popdown (menu);
}

static void
test_menus (void)
{
  audit_menu ("Main Menu", "The main menu",
              (const char *const[]){ "_Disconnect Microsoft Account", "Sign _Out", "_Preferences",
                                     "_Keyboard Shortcuts", "_About Foyer", NULL });
  audit_menu ("Space Menu", "The space menu",
              (const char *const[]){ "_Add Member…", "_Remove Member…", "_Leave Space", NULL });
}

static void
test_jump_to_space (void)
{
  GtkWindow *switcher;

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.jump-to-space", NULL);
  switcher = wait_toplevel (FOYER_TYPE_SPACE_SWITCHER);
  save_png (switcher, "a11y-jump-to-space");
  audit_windows ("Jump to a Space",
                 (const char *const[]){ "Jump to a Space", "Design review", "Budget 2027", NULL });
  gtk_window_close (switcher);
}

static void
audit_message_dialog (const char *action,
                      const char *what,
                      const char *png,
                      const char *const *expect)
{
  GtkWindow *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f.window), action, NULL);
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  save_png (dialog, png);
  audit_windows (what, expect);
  gtk_window_destroy (dialog);
}

static void
test_new_space (void)
{
  audit_message_dialog ("win.new-space", "The new space dialog", "a11y-new-space",
                        (const char *const[]){ "_Cancel", "C_reate", "Title", NULL });
}

static void
test_add_member (void)
{
  audit_message_dialog ("space.add-member", "The add member dialog", "a11y-add-member",
                        (const char *const[]){ "_Cancel", "_Add", "E-mail address", NULL });
}

static void
test_remove_member (void)
{
  audit_message_dialog ("space.remove-member", "The remove member dialog", "a11y-remove-member",
                        (const char *const[]){ "_Cancel", "_Remove", "E-mail address", NULL });
}

static void
test_leave_space (void)
{
  audit_message_dialog ("space.leave-space", "The leave space dialog", "a11y-leave-space",
                        (const char *const[]){ "_Cancel", "_Leave", NULL });
}

/* Attach File: the picker on My Files, then in Documents with a file
 * chosen, its details and share options beside the list. */
static void
test_picker (void)
{
  FoyerPickerDialog *picker;

  gtk_widget_activate_action (GTK_WIDGET (f.window), "space.attach-file", NULL);
  picker = FOYER_PICKER_DIALOG (wait_toplevel (FOYER_TYPE_PICKER_DIALOG));
  g_assert_true (foyer_ui_test_wait_picker_item (picker, "Documents", STEP_TIMEOUT_MS));
  foyer_picker_dialog_activate_item (picker, foyer_ui_test_picker_item (picker, "Documents"));
  g_assert_true (foyer_ui_test_wait_picker_item (picker, "Quarterly report.docx", STEP_TIMEOUT_MS));
  foyer_picker_dialog_activate_item (picker,
                                     foyer_ui_test_picker_item (picker, "Quarterly report.docx"));
  g_assert_true (foyer_ui_test_wait_picker_owner (picker, STEP_TIMEOUT_MS));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (picker));
  save_png (picker, "a11y-picker");
  audit_windows_in_states (
      "The picker with its share options",
      (const char *const[]){ "_Cancel", "_Share", "Search My Files", "Allow _Editing",
                             "People in the Organization", "Quarterly report.docx", NULL },
      (const char *const[]){ "Allow _Editing=unchecked", "People in the Organization=checked",
                             "People Currently in This Space=unchecked", "_Share=enabled", NULL });
  gtk_window_destroy (GTK_WINDOW (picker));
}

static void
test_viewer (void)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  FoyerDocumentTile *tile;
  FoyerViewer *viewer;
  PageWait document = { NULL, "#document" };
  gboolean handled = FALSE;
  GtkWindow *dialog;

  foyer_ui_test_collect (GTK_WIDGET (f.window), FOYER_TYPE_DOCUMENT_TILE, tiles);
  g_assert_cmpuint (tiles->len, ==, 1);
  tile = g_ptr_array_index (tiles, 0);
  g_signal_emit_by_name (tile, "open", _foyer_document_tile_get_ref (tile));
  viewer = foyer_ui_test_find (GTK_WIDGET (f.window), FOYER_TYPE_VIEWER);
  g_assert_nonnull (viewer);
  document.view = foyer_viewer_get_web_view (viewer);
  g_assert_true (foyer_ui_test_wait_until (element_present, &document, STEP_TIMEOUT_MS));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f.window));
  save_png (f.window, "a11y-viewer");
  audit_windows ("The viewer", (const char *const[]){ "Back to the Conversation", "Open in Browser",
                                                      "Reload", NULL });

  /* A link out of the organization's cloud asks first. */
  g_signal_emit_by_name (viewer, "external-link", "https://example.org/elsewhere", &handled);
  g_assert_true (handled);
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  save_png (dialog, "a11y-external-link");
  audit_windows ("The viewer's question before a link out",
                 (const char *const[]){ "_Cancel", "_Open in Browser", NULL });
  gtk_window_destroy (dialog);
  g_signal_emit_by_name (viewer, "close");
}

static void
test_preferences (void)
{
  GtkWindow *preferences;

  gtk_widget_activate_action (GTK_WIDGET (f.window), "account.preferences", NULL);
  preferences = wait_toplevel (FOYER_TYPE_PREFERENCES_WINDOW);
  save_png (preferences, "a11y-preferences");
  audit_windows_in_states ("The preferences",
                           (const char *const[]){ "Alice Martin", "New Messages", "Account", NULL },
                           (const char *const[]){ "New Messages=checked", NULL });

  /* The organization's settings, on their own page (Alice administers). */
  adw_preferences_window_set_visible_page (
      ADW_PREFERENCES_WINDOW (preferences),
      ADW_PREFERENCES_PAGE (foyer_ui_test_child (
          GTK_WIDGET (preferences), FOYER_TYPE_PREFERENCES_WINDOW, "organization_page")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (preferences));
  save_png (preferences, "a11y-preferences-organization");
  /* The default audience (the organization) cannot be turned off. */
  audit_windows_in_states (
      "The organization's preferences",
      (const char *const[]){ "Enabled", "Tenant ID", "Cloud", "Default Audience",
                             "People in the organization", NULL },
      (const char *const[]){ "Enabled=checked", "Anyone with the link=unchecked",
                             "People in the organization=checked",
                             "People currently in the space=checked", NULL });
  gtk_window_destroy (preferences);
}

static void
test_shortcuts (void)
{
  GtkWindow *shortcuts;

  gtk_widget_activate_action (GTK_WIDGET (f.window), "win.show-help-overlay", NULL);
  shortcuts = wait_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  save_png (shortcuts, "a11y-shortcuts");
  audit_windows ("The shortcuts window", NULL);
  gtk_window_close (shortcuts);
}

static void
test_about (void)
{
  GtkWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (f.app), "about", NULL);
  about = wait_toplevel (ADW_TYPE_ABOUT_WINDOW);
  save_png (about, "a11y-about");
  audit_windows ("The about window", NULL);
  gtk_window_destroy (about);
}

/* Last, as it leaves the Microsoft account unusable: Attach File then
 * says why it cannot. */
static void
test_microsoft_unavailable (void)
{
  GtkWindow *dialog;

  foyer_microsoft_account_set_policy (f.account, NULL, NULL);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "space.attach-file", NULL);
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  save_png (dialog, "a11y-microsoft-unavailable");
  audit_windows ("Microsoft files not available", (const char *const[]){ "_Close", NULL });
  gtk_window_destroy (dialog);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  /* headless-run turns GTK's accessibility off for every other test. */
  g_unsetenv ("GTK_A11Y");
  /* FOYER_TEST_A11Y_LANGUAGE=fr: the same, on a French desktop (see
   * test-i18n.c), with the names checked in French. */
  if (g_getenv ("FOYER_TEST_A11Y_LANGUAGE") != NULL)
    {
      g_unsetenv ("LC_ALL");
      g_unsetenv ("LC_MESSAGES");
      g_setenv ("LANG", "C.UTF-8", TRUE);
      g_setenv ("LANGUAGE", g_getenv ("FOYER_TEST_A11Y_LANGUAGE"), TRUE);
    }
  foyer_i18n_init ();
  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  f.app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (f.app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (f.app), NULL, &error));

  f.sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  f.service = foyer_test_service_new ();
  g_assert_nonnull (f.service);
  foyer_test_enable_microsoft (f.service, f.sandbox, "embedded");
  f.session = foyer_application_get_session (f.app);
  f.account = foyer_application_get_microsoft_account (f.app);
  f.window = foyer_window_new (GTK_APPLICATION (f.app), f.session, f.account);

  g_test_add_func ("/a11y/signed-out", test_signed_out);
  g_test_add_func ("/a11y/service-sign-in", test_service_sign_in);
  g_test_add_func ("/a11y/microsoft-sign-in", test_microsoft_sign_in);
  g_test_add_func ("/a11y/signed-in", test_signed_in);
  g_test_add_func ("/a11y/menus", test_menus);
  g_test_add_func ("/a11y/jump-to-space", test_jump_to_space);
  g_test_add_func ("/a11y/new-space", test_new_space);
  g_test_add_func ("/a11y/add-member", test_add_member);
  g_test_add_func ("/a11y/remove-member", test_remove_member);
  g_test_add_func ("/a11y/leave-space", test_leave_space);
  g_test_add_func ("/a11y/picker", test_picker);
  g_test_add_func ("/a11y/viewer", test_viewer);
  g_test_add_func ("/a11y/preferences", test_preferences);
  g_test_add_func ("/a11y/shortcuts", test_shortcuts);
  g_test_add_func ("/a11y/about", test_about);
  g_test_add_func ("/a11y/microsoft-unavailable", test_microsoft_unavailable);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (f.window));
  foyer_session_disconnect (f.session);
  g_clear_object (&f.space);
  g_assert_true (foyer_test_service_stop (f.service));
  foyer_test_service_free (f.service);
  g_assert_true (foyer_test_sandbox_stop (f.sandbox));
  foyer_test_sandbox_unref (f.sandbox);
  return status;
}
