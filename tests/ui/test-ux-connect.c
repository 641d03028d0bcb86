/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Connecting and disconnecting the Microsoft account while a space with a
 * shared document is open, in the orders people take it, against
 * foyer-ms-sandbox and foyer-service on loopback (issue #15, items 1 and
 * 3): the open space's tile follows the account live both ways, a click
 * on a tile or Attach File while not connected signs in first and then
 * does what was asked, and a cancelled sign-in does nothing more.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-authorizer.h"
#include "foyer-cloud.h"
#include "foyer-document-ref.h"
#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-session.h"
#include "foyer-sign-in-view.h"
#include "foyer-test-org.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "viewer/foyer-viewer.h"

static FoyerApplication *app;
static char *browser_opened; /* where the test's web browser writes */

typedef struct
{
  FoyerTestSandbox *sandbox;
  FoyerTestService *service;
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerWindow *window;
  FoyerSpaceItem *files; /* with Alice's shared report */
  FoyerSpaceItem *other; /* without documents */
} Fixture;

static void
wait_state (Fixture *f, FoyerMicrosoftState state)
{
  if (!foyer_ui_test_wait_account_state (f->account, state, 30000))
    g_error ("The Microsoft account is in state %d, not %d (%s)",
             foyer_microsoft_account_get_state (f->account), state,
             foyer_microsoft_account_get_unavailable_reason (f->account));
}

/* The account follows this test's service's policy (not the last test's). */
static gboolean
policy_applied (gpointer data)
{
  Fixture *f = data;
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (f->session, NULL);

  return policy != NULL && foyer_microsoft_account_get_policy (f->account) == policy;
}

static gboolean
space_titled (gpointer data)
{
  return foyer_space_item_get_title (data) != NULL;
}

static FoyerSpaceItem *
create_space (Fixture *f, const char *title)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };
  FoyerSpaceItem *space;

  foyer_session_create_space_async (f->session, title, members, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (f->session, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, 10000));
  return space;
}

/* Alice's report, as her app would post it after sharing it with the
 * people who already have access (its own address). The item is read with
 * a token the sandbox mints, so the app's account stays disconnected. */
static char *
report_reference (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token
      = foyer_test_sandbox_mint_token (f->sandbox, "alice@contoso.example", NULL, &error);
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new (token);
  /* The sandbox's descriptor: its Graph address and the CA it serves https with. */
  g_autoptr (FoyerCloud) cloud
      = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (f->sandbox), &error);
  g_autoptr (FoyerGraphClient) graph
      = cloud != NULL ? foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (auth)) : NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new ();
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  g_assert_nonnull (graph);
  foyer_graph_client_request_async (graph, "GET", "/me/drive/root:/Documents/Quarterly report.docx",
                                    NULL, NULL, foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (graph, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);

  ref->v = 1;
  ref->provider = g_strdup ("microsoft");
  ref->cloud = g_strdup ("worldwide");
  ref->drive_id = g_strdup (foyer_drive_item_get_target_drive_id (item));
  ref->item_id = g_strdup (foyer_drive_item_get_target_id (item));
  ref->title = g_strdup (foyer_drive_item_get_name (item));
  ref->url = g_strdup (foyer_drive_item_get_web_url (item));
  ref->link_type = FOYER_LINK_TYPE_VIEW;
  ref->audience = FOYER_LINK_AUDIENCE_EXISTING;
  ref->mime_type = g_strdup (foyer_drive_item_get_mime_type (item));
  ref->size = foyer_drive_item_get_size (item);
  ref->shared_by = g_strdup ("Alice Martin");
  return foyer_document_ref_to_json (ref);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *ref = NULL;
  FoyerTestWait wait = { NULL };

  f->sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  f->service = foyer_test_service_new ();
  g_assert_nonnull (f->service);
  foyer_test_enable_microsoft (f->service, f->sandbox, "embedded");
  f->session = foyer_application_get_session (app);
  f->account = foyer_application_get_microsoft_account (app);
  f->window = foyer_window_new (GTK_APPLICATION (app), f->session, f->account);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 720);
  gtk_window_present (GTK_WINDOW (f->window));

  foyer_session_sign_in_async (f->session, foyer_test_service_get_base_url (f->service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (f->session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  g_assert_true (foyer_ui_test_wait_until (policy_applied, f, 30000));
  wait_state (f, FOYER_MICROSOFT_DISCONNECTED);

  f->other = create_space (f, "Chat");
  f->files = create_space (f, "Files");
  ref = report_reference (f);
  foyer_session_share_document (f->session, f->files, ref, NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  GtkWindow *picker = foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG);

  if (picker != NULL)
    gtk_window_destroy (picker);
  gtk_window_destroy (GTK_WINDOW (f->window));
  foyer_microsoft_account_disconnect (f->account);
  wait_state (f, FOYER_MICROSOFT_DISCONNECTED);
  foyer_session_disconnect (f->session);
  g_clear_object (&f->files);
  g_clear_object (&f->other);
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_test_service_free (f->service);
  g_assert_true (foyer_test_sandbox_stop (f->sandbox));
}

/* The report's tile, as the open space shows it now (rows are rebound as
 * the list changes), or NULL. */
static FoyerDocumentTile *
report_tile (Fixture *f)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (GTK_WIDGET (f->window), FOYER_TYPE_DOCUMENT_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerDocumentTile *tile = g_ptr_array_index (tiles, i);

      if (g_strcmp0 (_foyer_document_tile_get_title (tile), "Quarterly report.docx") == 0
          && gtk_widget_get_mapped (GTK_WIDGET (tile)))
        return tile;
    }
  return NULL;
}

static gboolean
tile_has_preview (gpointer data)
{
  FoyerDocumentTile *tile = report_tile (data);

  return tile != NULL && _foyer_document_tile_has_thumbnail (tile)
         && _foyer_document_tile_get_status (tile) == NULL;
}

static const char *const asks_to_connect = "Connect your Microsoft account to see a preview.";

static gboolean
tile_asks_to_connect (gpointer data)
{
  FoyerDocumentTile *tile = report_tile (data);

  return tile != NULL && !_foyer_document_tile_has_thumbnail (tile)
         && g_strcmp0 (_foyer_document_tile_get_status (tile), asks_to_connect) == 0
         && foyer_ui_test_is_drawn (_foyer_document_tile_get_connect_button (tile));
}

static void
save (Fixture *f, const char *name)
{
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->window), name));
}

static GtkWindow *
sign_in_window (void)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW);
}

typedef struct
{
  WebKitWebView *view;
  const char *element;
} PageWait;

static gboolean
element_present (gpointer data)
{
  PageWait *w = data;

  return foyer_ui_test_web_has_element (w->view, w->element);
}

/* Alice types her Microsoft password into the embedded sign-in and
 * consents, as a person would. */
static void
sign_in_with_form (Fixture *f)
{
  FoyerSignInView *view;
  PageWait form = { NULL, "#i0116" };
  PageWait consent = { NULL, "#scopes" };
  g_autofree char *password = NULL;
  g_autofree char *fill = NULL;

  g_assert_nonnull (sign_in_window ());
  view = foyer_ui_test_find (GTK_WIDGET (sign_in_window ()), FOYER_TYPE_SIGN_IN_VIEW);
  g_assert_nonnull (view);
  form.view = consent.view = foyer_sign_in_view_get_web_view (view);
  g_assert_true (foyer_ui_test_wait_until (element_present, &form, 30000));
  password = g_strescape (
      foyer_test_sandbox_get_user_password (f->sandbox, "alice@contoso.example"), NULL);
  fill = g_strdup_printf ("document.querySelector('#i0116').value = 'alice@contoso.example';"
                          "document.querySelector('#i0118').value = '%s';"
                          "document.querySelector('#idSIButton9').click();",
                          password);
  webkit_web_view_evaluate_javascript (form.view, fill, -1, NULL, NULL, NULL, NULL, NULL);
  g_assert_true (foyer_ui_test_wait_until (element_present, &consent, 30000));
  webkit_web_view_evaluate_javascript (form.view, "document.querySelector('#idSIButton9').click();",
                                       -1, NULL, NULL, NULL, NULL, NULL);
  wait_state (f, FOYER_MICROSOFT_CONNECTED);
}

/* From now on the sandbox remembers Alice: a sign-in comes straight back. */
static void
remember_alice (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_test_sandbox_enable_sso (f->sandbox, "alice@contoso.example", &error));
  g_assert_no_error (error);
}

static void
disconnect (Fixture *f)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "account.disconnect-microsoft", NULL);
  wait_state (f, FOYER_MICROSOFT_DISCONNECTED);
}

static gboolean
document_shown (gpointer data)
{
  Fixture *f = data;
  FoyerViewer *viewer = foyer_ui_test_find (GTK_WIDGET (f->window), FOYER_TYPE_VIEWER);
  PageWait page = { NULL, "#document[data-viewer=\"alice@contoso.example\"]" };

  if (viewer == NULL || !foyer_window_get_document_shown (f->window))
    return FALSE;
  page.view = foyer_viewer_get_web_view (viewer);
  return element_present (&page);
}

typedef struct
{
  const char *path;
  const char *text;
} TextFile;

static gboolean
file_says (gpointer data)
{
  TextFile *w = data;
  g_autofree char *contents = NULL;

  return g_file_get_contents (w->path, &contents, NULL, NULL) && g_strcmp0 (contents, w->text) == 0;
}

/* Open the space, then connect from the main menu: the tile that asked to
 * connect shows its preview without switching spaces. Disconnect: it drops
 * the preview and asks again, and a click signs in first (a cancelled
 * sign-in opens nothing), then opens the document. */
static void
test_connect_after_opening (Fixture *f, gconstpointer data)
{
  FoyerDocumentTile *tile;

  foyer_window_open_space (f->window, f->files);
  g_assert_true (foyer_ui_test_wait_until (tile_asks_to_connect, f, 20000));
  save (f, "ux-tile-asks-to-connect");

  /* The main menu's Connect Microsoft Account… */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "account.connect-microsoft", NULL);
  sign_in_with_form (f);
  g_assert_true (foyer_ui_test_wait_until (tile_has_preview, f, 20000));
  g_assert_true (foyer_window_get_current_space (f->window) == f->files);
  g_assert_false (
      gtk_widget_get_visible (_foyer_document_tile_get_connect_button (report_tile (f))));
  save (f, "ux-tile-connected");

  disconnect (f);
  g_assert_true (foyer_ui_test_wait_until (tile_asks_to_connect, f, 20000));
  save (f, "ux-tile-disconnected");

  /* A click asks to sign in rather than opening Microsoft's sign-in page
   * as the document; closing the sign-in opens nothing. */
  tile = report_tile (f);
  g_signal_emit_by_name (tile, "open", _foyer_document_tile_get_ref (tile));
  g_assert_nonnull (sign_in_window ());
  g_assert_false (foyer_window_get_document_shown (f->window));
  g_assert_null (foyer_ui_test_find (GTK_WIDGET (f->window), FOYER_TYPE_VIEWER));
  gtk_window_close (sign_in_window ());
  g_assert_null (sign_in_window ());
  wait_state (f, FOYER_MICROSOFT_DISCONNECTED);
  g_assert_false (foyer_window_get_document_shown (f->window));

  /* Again, this time signing in: the document the person clicked opens. */
  remember_alice (f);
  tile = report_tile (f);
  g_signal_emit_by_name (tile, "open", _foyer_document_tile_get_ref (tile));
  wait_state (f, FOYER_MICROSOFT_CONNECTED);
  g_assert_true (foyer_ui_test_wait_until (document_shown, f, 30000));
  g_signal_emit_by_name (foyer_ui_test_find (GTK_WIDGET (f->window), FOYER_TYPE_VIEWER), "close");
  g_assert_false (foyer_window_get_document_shown (f->window));
  g_assert_true (foyer_ui_test_wait_until (tile_has_preview, f, 20000));
}

/* The tile's own Connect…, and connecting while another space is open. */
static void
test_connect_from_tile (Fixture *f, gconstpointer data)
{
  remember_alice (f);
  foyer_window_open_space (f->window, f->files);
  g_assert_true (foyer_ui_test_wait_until (tile_asks_to_connect, f, 20000));
  g_signal_emit_by_name (_foyer_document_tile_get_connect_button (report_tile (f)), "clicked");
  wait_state (f, FOYER_MICROSOFT_CONNECTED);
  g_assert_true (foyer_ui_test_wait_until (tile_has_preview, f, 20000));

  /* Disconnect and connect again while the person is in another space. */
  disconnect (f);
  g_assert_true (foyer_ui_test_wait_until (tile_asks_to_connect, f, 20000));
  foyer_window_open_space (f->window, f->other);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "account.connect-microsoft", NULL);
  wait_state (f, FOYER_MICROSOFT_CONNECTED);
  foyer_window_open_space (f->window, f->files);
  g_assert_true (foyer_ui_test_wait_until (tile_has_preview, f, 20000));
}

static gboolean
picker_lists_documents (gpointer data)
{
  FoyerPickerDialog *picker = foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG);
  GListModel *model = picker != NULL ? _foyer_picker_dialog_get_model (picker) : NULL;

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (foyer_drive_item_get_name (item), "Documents") == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  FoyerPickerDialog *picker;
  const char *name;
} ItemWait;

static gboolean
picker_shows (gpointer data)
{
  ItemWait *w = data;

  return foyer_ui_test_picker_item (w->picker, w->name) != NULL;
}

static gboolean
share_possible (gpointer data)
{
  return gtk_widget_is_sensitive (
      foyer_ui_test_child (data, FOYER_TYPE_PICKER_DIALOG, "share_button"));
}

static gboolean
picker_gone (gpointer data)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG) == NULL;
}

/* The message that carries the shared document with a comment. */
static gboolean
commented_document_sent (gpointer data)
{
  Fixture *f = data;
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (f->files));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item))
          && foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_SENT
          && g_strcmp0 (foyer_message_item_get_body (item), "Have a look before Friday") == 0)
        return TRUE;
    }
  return FALSE;
}

/* Whether a label with that text shows somewhere in widget (a toast, a
 * dialog). */
static gboolean
shows_text (GtkWidget *widget, const char *text)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  foyer_ui_test_collect (widget, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWidget *widget;
  const char *text;
} TextWait;

static gboolean
text_shown (gpointer data)
{
  TextWait *w = data;

  return shows_text (w->widget, w->text);
}

static void
clipboard_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(char **) user_data = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
}

static gboolean
is_set (gpointer data)
{
  return *(char **) data != NULL;
}

static gboolean
access_dialog_open (gpointer data)
{
  return foyer_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

/* Attach File is a menu: its first item, From OneDrive or SharePoint…,
 * activates space.attach-file from the button. */
static void
attach_from_microsoft (GtkWidget *attach)
{
  g_assert_true (GTK_IS_MENU_BUTTON (attach));
  g_assert_true (gtk_widget_is_sensitive (attach));
  g_assert_true (gtk_widget_activate_action (attach, "space.attach-file", NULL));
}

/* Attach File while not connected: the sign-in, then the picker the person
 * asked for (a cancelled sign-in opens none). What they had typed goes with
 * the file; a toast says with whom it was shared; the tile's menu copies
 * the link and shows who can open it. */
static void
test_attach_while_disconnected (Fixture *f, gconstpointer data)
{
  GtkWidget *attach
      = foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, "attach_button");
  GtkTextBuffer *composer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (
      foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, "composer_view")));
  GtkWidget *toasts
      = foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, "toast_overlay");
  FoyerPickerDialog *picker;
  ItemWait wait;
  TextWait toast = { toasts, "Shared “Quarterly report.docx” with people in your organization." };
  g_autofree char *copied = NULL;
  FoyerDocumentTile *tile;
  GtkWindow *dialog;

  foyer_window_open_space (f->window, f->files);
  gtk_text_buffer_set_text (composer, "Have a look before Friday", -1);
  attach_from_microsoft (attach);
  g_assert_nonnull (sign_in_window ());
  gtk_window_close (sign_in_window ());
  wait_state (f, FOYER_MICROSOFT_DISCONNECTED);
  g_assert_null (foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG));

  attach_from_microsoft (attach);
  sign_in_with_form (f);
  g_assert_true (foyer_ui_test_wait_until (picker_lists_documents, NULL, 30000));
  picker = foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (picker));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (picker), "ux-attach-after-connect"));

  /* Documents, then the report, with the organization's defaults. */
  foyer_picker_dialog_activate_item (picker, foyer_ui_test_picker_item (picker, "Documents"));
  wait = (ItemWait){ picker, "Quarterly report.docx" };
  g_assert_true (foyer_ui_test_wait_until (picker_shows, &wait, 30000));
  foyer_picker_dialog_activate_item (picker,
                                     foyer_ui_test_picker_item (picker, "Quarterly report.docx"));
  g_assert_true (foyer_ui_test_wait_until (share_possible, picker, 30000));
  g_signal_emit_by_name (
      foyer_ui_test_child (GTK_WIDGET (picker), FOYER_TYPE_PICKER_DIALOG, "share_button"),
      "clicked");
  g_assert_true (foyer_ui_test_wait_until (picker_gone, NULL, 30000));

  /* One message: the comment and the document; the composer is free. */
  g_assert_true (foyer_ui_test_wait_until (commented_document_sent, f, 30000));
  {
    GtkTextIter start, end;
    g_autofree char *left = NULL;

    gtk_text_buffer_get_bounds (composer, &start, &end);
    left = gtk_text_buffer_get_text (composer, &start, &end, FALSE);
    g_assert_cmpstr (left, ==, "");
  }
  g_assert_true (foyer_ui_test_wait_until (text_shown, &toast, 10000));
  save (f, "ux-shared-with-comment");

  /* The tile's menu: Copy Link puts the document's address on the
   * clipboard; Manage Access shows who can open it. */
  tile = NULL;
  {
    g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

    foyer_ui_test_collect (GTK_WIDGET (f->window), FOYER_TYPE_DOCUMENT_TILE, tiles);
    for (guint i = 0; i < tiles->len; i++)
      if (foyer_document_tile_get_document (g_ptr_array_index (tiles, i)) != NULL
          && _foyer_document_tile_get_ref (g_ptr_array_index (tiles, i)) != NULL
          && _foyer_document_tile_get_ref (g_ptr_array_index (tiles, i))->audience
                 == FOYER_LINK_AUDIENCE_ORGANIZATION)
        tile = g_ptr_array_index (tiles, i);
  }
  g_assert_nonnull (tile);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.copy-link", NULL));
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (tile)), NULL, clipboard_cb,
                                 &copied);
  g_assert_true (foyer_ui_test_wait_until (is_set, &copied, 10000));
  g_assert_cmpstr (copied, ==, _foyer_document_tile_get_ref (tile)->url);
  toast.text = "Link copied";
  g_assert_true (foyer_ui_test_wait_until (text_shown, &toast, 10000));

  /* Open in Browser: the desktop's browser gets the link. */
  if (browser_opened != NULL)
    {
      g_autofree char *want = g_strconcat (_foyer_document_tile_get_ref (tile)->url, "\n", NULL);
      TextFile opened = { browser_opened, want };

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.open-in-browser", NULL));
      g_assert_true (foyer_ui_test_wait_until (file_says, &opened, 20000));
    }

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (tile), "tile.manage-access", NULL));
  g_assert_true (foyer_ui_test_wait_until (access_dialog_open, NULL, 30000));
  dialog = foyer_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Who Can Open “Quarterly report.docx”");
  g_assert_true (shows_text (GTK_WIDGET (dialog), "Alice Martin"));
  g_assert_true (shows_text (GTK_WIDGET (dialog), "Owner"));
  g_assert_true (shows_text (GTK_WIDGET (dialog), "People in the organization with the link"));
  /* Bob is in the organization: the link lets him in, nothing to give. */
  g_assert_false (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "give"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (dialog), "ux-manage-access"));
  gtk_window_destroy (dialog);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  browser_opened = foyer_ui_test_fake_browser ();
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add ("/ux/connect/after-opening-space", Fixture, NULL, fixture_set_up,
              test_connect_after_opening, fixture_tear_down);
  g_test_add ("/ux/connect/from-tile", Fixture, NULL, fixture_set_up, test_connect_from_tile,
              fixture_tear_down);
  g_test_add ("/ux/connect/attach-while-disconnected", Fixture, NULL, fixture_set_up,
              test_attach_while_disconnected, fixture_tear_down);

  return g_test_run ();
}
