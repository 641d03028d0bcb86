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

#include "foyer-admin-approval.h"
#include "foyer-application.h"
#include "foyer-chat-client.h"
#include "foyer-document-item.h"
#include "foyer-document-tile-private.h"
#include "foyer-jwe.h"
#include "foyer-message-row.h"
#include "foyer-share.h"
#include "foyer-authorizer.h"
#include "foyer-cloud.h"
#include "foyer-graph-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-session.h"
#include "foyer-sign-in-view.h"
#include "foyer-store.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-ui-test.h"
#include "foyer-test-org.h"
#include "foyer-test-util.h"
#include "foyer-window.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "viewer/foyer-viewer.h"

/* The Microsoft sign-in window, while there is one. */
static GtkWindow *
sign_in_window (void)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW);
}

static FoyerApplication *app;

static void
wait_state (FoyerMicrosoftAccount *account, FoyerMicrosoftState state)
{
  g_assert_true (foyer_ui_test_wait_account_state (account, state, 30000));
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

/* Whether the sandbox's request log has a method request under path_part. */
static gboolean
sandbox_saw (FoyerTestSandbox *sandbox, const char *method, const char *path_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "method", ""), method) == 0
          && strstr (json_object_get_string_member_with_default (entry, "path", ""), path_part)
                 != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
run_js (WebKitWebView *view, const char *script)
{
  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, NULL, NULL);
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
  return foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG);
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
  GListModel *model = picker != NULL ? _foyer_picker_dialog_get_model (picker) : NULL;

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

typedef struct
{
  FoyerSpaceItem *space;
  gboolean want_document;
} DocWait;

static FoyerMessageItem *
find_document_message (FoyerSpaceItem *space, gboolean sent)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item))
          && (!sent || foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_SENT))
        return item;
    }
  return NULL;
}

static gboolean
two_documents (gpointer data)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (data));
  guint documents = 0;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      documents += FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item))
                   && foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_SENT;
    }
  return documents == 2;
}

static gboolean
document_arrived (gpointer data)
{
  return find_document_message (data, TRUE) != NULL;
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

static gboolean
bob_has_space (gpointer data)
{
  gpointer *pair = data;

  return foyer_session_find_space (pair[0], pair[1]) != NULL;
}

/* Alice shares a document for her organization; Bob's app decrypts the
 * reference and fetches the thumbnail with Bob's own token; Foyer's
 * service never sees the title, link or ids. */
static void
share_and_show (FoyerTestSandbox *sandbox,
                FoyerTestService *service,
                FoyerSession *alice,
                FoyerMicrosoftAccount *account,
                FoyerWindow *window,
                FoyerSpaceItem *space)
{
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  const FoyerDocumentRef *ref = NULL;
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autofree char *bob_token = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *png = NULL;
  g_autoptr (FoyerStaticAuthorizer) bob_auth = NULL;
  g_autoptr (FoyerGraphClient) bob_graph = NULL;
  g_autoptr (GBytes) thumbnail = NULL;
  g_autoptr (JsonArray) log = NULL;
  FoyerSpaceItem *bob_space;
  FoyerMessageItem *received;
  gboolean bob_fetched = FALSE;
  gpointer pair[2];
  FoyerTestWait wait = { NULL };

  /* The document, as the picker would hand it over. */
  foyer_graph_client_request_async (foyer_microsoft_account_get_graph (account), "GET",
                                    "/me/drive/root:/Documents/Quarterly report.docx", NULL, NULL,
                                    foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (foyer_microsoft_account_get_graph (account),
                                            foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);

  foyer_session_sign_in_async (bob, foyer_test_service_get_base_url (service), FOYER_TEST_BOB_EMAIL,
                               FOYER_TEST_BOB_PASSWORD, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (bob, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  pair[0] = bob;
  pair[1] = (gpointer) foyer_space_item_get_id (space);
  g_assert_true (foyer_ui_test_wait_until (bob_has_space, pair, 20000));
  bob_space = foyer_session_find_space (bob, foyer_space_item_get_id (space));
  foyer_session_open_space (bob, bob_space);

  foyer_share_document_async (account, alice, space, item, FOYER_LINK_TYPE_VIEW,
                              FOYER_LINK_AUDIENCE_ORGANIZATION, NULL, NULL, NULL,
                              foyer_test_wait_cb, &wait);
  g_assert_true (foyer_share_document_finish (foyer_test_wait (&wait), &notice, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* Bob receives it: a reference that validates against the cloud. */
  g_assert_true (foyer_ui_test_wait_until (document_arrived, bob_space, 20000));
  received = find_document_message (bob_space, TRUE);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);
  ref = foyer_document_item_check (
      FOYER_DOCUMENT_ITEM (foyer_message_item_get_attachment (received)), cloud, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ref->title, ==, "Quarterly report.docx");
  g_assert_cmpint (ref->link_type, ==, FOYER_LINK_TYPE_VIEW);
  g_assert_cmpint (ref->audience, ==, FOYER_LINK_AUDIENCE_ORGANIZATION);
  g_assert_cmpstr (ref->shared_by, ==, "Alice Martin");
  g_assert_cmpstr (ref->item_id, ==, foyer_drive_item_get_target_id (item));

  /* Bob's thumbnail, with Bob's own token, through the shares API. */
  bob_token = foyer_test_sandbox_mint_token (sandbox, "bob@contoso.example", NULL, &error);
  g_assert_no_error (error);
  bob_auth = foyer_static_authorizer_new (bob_token);
  bob_graph = foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (bob_auth));
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  foyer_graph_client_get_shared_thumbnail_async (bob_graph, ref->url, "medium", NULL,
                                                 foyer_test_wait_cb, &wait);
  thumbnail
      = foyer_graph_client_get_shared_thumbnail_finish (bob_graph, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (g_bytes_get_size (thumbnail), >, 100);
  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member_with_default (entry, "path", "");
      const char *user = json_object_get_string_member_with_default (entry, "user", "");

      if (strstr (path, "/shares/") != NULL && strstr (path, "thumbnails") != NULL)
        {
          g_assert_cmpstr (user, ==, "bob@contoso.example");
          bob_fetched = TRUE;
        }
    }
  g_assert_true (bob_fetched);

  /* Alice's window shows her tile with its thumbnail. */
  g_assert_true (foyer_ui_test_wait_until (tile_has_thumbnail, window, 20000));
  {
    g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

    foyer_ui_test_collect (GTK_WIDGET (window), FOYER_TYPE_DOCUMENT_TILE, tiles);
    g_assert_cmpuint (tiles->len, ==, 1);
    g_assert_cmpstr (_foyer_document_tile_get_title (g_ptr_array_index (tiles, 0)), ==,
                     "Quarterly report.docx");
  }
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  png = foyer_ui_test_save_png (GTK_WIDGET (window), "shared-document");

  /* Opening the tile shows the document inside the window, signed in with
   * the cookies of Alice's embedded sign-in: no form, no second sign-in. */
  {
    g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
    FoyerDocumentTile *tile;
    FoyerViewer *viewer;
    PageWait document = { NULL, "#document[data-viewer=\"alice@contoso.example\"]" };

    foyer_ui_test_collect (GTK_WIDGET (window), FOYER_TYPE_DOCUMENT_TILE, tiles);
    tile = g_ptr_array_index (tiles, 0);
    g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (tile)));
    g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
    g_signal_emit_by_name (tile, "open", _foyer_document_tile_get_ref (tile));
    g_assert_true (foyer_window_get_document_shown (window));
    viewer = foyer_ui_test_find (GTK_WIDGET (window), FOYER_TYPE_VIEWER);
    g_assert_nonnull (viewer);
    g_assert_cmpstr (foyer_viewer_get_title (viewer), ==, "Quarterly report.docx");
    document.view = foyer_viewer_get_web_view (viewer);
    g_assert_true (foyer_ui_test_wait_until (element_present, &document, 30000));
    g_assert_cmpint (foyer_viewer_get_state (viewer), ==, FOYER_VIEWER_STATE_DOCUMENT);
    g_assert_false (sandbox_saw (sandbox, "POST", "/login"));
    foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
    g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "document-viewer"));

    /* Back to the conversation, where the person was. */
    g_signal_emit_by_name (viewer, "close");
    g_assert_false (foyer_window_get_document_shown (window));
  }

  /* The service holds none of it in plaintext. */
  g_assert_false (
      foyer_test_tree_contains (foyer_test_service_get_data_dir (service), "Quarterly"));
  g_assert_false (foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->url));
  g_assert_false (
      foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->item_id));
  g_assert_false (
      foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->drive_id));

  /* A sharing link pasted into the composer becomes the same kind of tile. */
  {
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (
        foyer_ui_test_child (GTK_WIDGET (window), FOYER_TYPE_WINDOW, "composer_view")));

    gtk_text_buffer_set_text (buffer, ref->url, -1);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.send", NULL);
    g_assert_true (foyer_ui_test_wait_until (two_documents, space, 20000));
  }

  foyer_session_disconnect (bob);
}

/* A hostile client's references never become openable tiles. */
static void
test_hostile_references (void)
{
  static const char *const hostile[] = {
    "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\",\"driveId\":\"d\","
    "\"itemId\":\"i\",\"title\":\"x\",\"url\":\"javascript:alert(1)\",\"linkType\":"
    "\"view\",\"audience\":\"anyone\",\"mimeType\":\"text/plain\",\"size\":1,"
    "\"sharedBy\":\"m\"}",
    "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\",\"driveId\":\"d\","
    "\"itemId\":\"i\",\"title\":\"x\",\"url\":\"file:///etc/passwd\",\"linkType\":"
    "\"view\",\"audience\":\"anyone\",\"mimeType\":\"text/plain\",\"size\":1,"
    "\"sharedBy\":\"m\"}",
    "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\",\"driveId\":\"d\","
    "\"itemId\":\"i\",\"title\":\"x\",\"url\":\"https://evil.example/doc\",\"linkType\":"
    "\"view\",\"audience\":\"anyone\",\"mimeType\":\"text/plain\",\"size\":1,"
    "\"sharedBy\":\"m\"}",
    "{\"v\":2,\"provider\":\"microsoft\",\"url\":\"https://contoso.sharepoint.com/x\"}",
    "not json at all",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (FoyerDocumentItem) doc = foyer_document_item_new (hostile[i]);
      FoyerDocumentTile *tile = g_object_ref_sink (foyer_document_tile_new ());

      foyer_document_tile_set_document (tile, doc);
      g_assert_null (_foyer_document_tile_get_ref (tile));
      g_assert_nonnull (_foyer_document_tile_get_status (tile));
      g_object_unref (tile);
    }

  {
    g_autoptr (FoyerDocumentItem) doc = foyer_document_item_new_unavailable ("wrong key");
    FoyerDocumentTile *tile = g_object_ref_sink (foyer_document_tile_new ());

    foyer_document_tile_set_document (tile, doc);
    g_assert_null (_foyer_document_tile_get_ref (tile));
    g_assert_cmpstr (_foyer_document_tile_get_status (tile), ==, "wrong key");
    g_object_unref (tile);
  }
}

static gboolean
has_thumbnails (gpointer data)
{
  guint64 bytes = 0;

  return foyer_store_get_namespace_size (data, FOYER_STORE_NS_THUMBNAILS, &bytes, NULL)
         && bytes > 0;
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
  FoyerTestWait wait = { NULL };
  const char *dirs[]
      = { g_get_user_data_dir (), g_get_user_config_dir (), g_get_user_cache_dir () };
  g_autofree char *png = NULL;
  g_autoptr (FoyerStore) store = NULL;
  g_autofree char *store_path = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (service);
  foyer_test_enable_microsoft (service, sandbox, "embedded");
  store = foyer_store_open_sync (
      g_build_filename (g_getenv ("FOYER_TEST_WORKDIR"), "store.db", NULL), "test", NULL, &error);
  g_assert_no_error (error);
  foyer_microsoft_account_set_store (account, store);

  window = foyer_window_new (GTK_APPLICATION (app), session, account);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpint (foyer_microsoft_account_get_state (account), ==, FOYER_MICROSOFT_UNAVAILABLE);

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);

  /* The policy says Microsoft is enabled, for the sandbox's tenant. */
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  /* Connect: the embedded sign-in, filled in as a person would. */
  gtk_widget_activate_action (GTK_WIDGET (window), "account.connect-microsoft", NULL);
  g_assert_nonnull (sign_in_window ());
  view = foyer_ui_test_find (GTK_WIDGET (sign_in_window ()), FOYER_TYPE_SIGN_IN_VIEW);
  g_assert_nonnull (view);
  web = foyer_sign_in_view_get_web_view (view);
  form.view = consent.view = web;
  g_assert_true (foyer_ui_test_wait_until (element_present, &form, 30000));
  g_assert_cmpint (foyer_sign_in_view_get_security (view), ==, FOYER_SIGN_IN_SECURITY_SECURE);
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
  g_assert_null (sign_in_window ());
  g_assert_cmpstr (foyer_microsoft_account_get_display_name (account), ==, "Alice Martin");
  g_assert_cmpstr (foyer_microsoft_account_get_email (account), ==, "alice@contoso.example");

  /* Attach file opens the picker on Alice's OneDrive. */
  {
    const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };

    foyer_session_create_space_async (session, "Files", members, NULL, foyer_test_wait_cb, &wait);
    space = foyer_session_create_space_finish (session, foyer_test_wait (&wait), &error);
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, 10000));
  foyer_window_open_space (window, space);
  gtk_widget_activate_action (GTK_WIDGET (window), "space.attach-file", NULL);
  g_assert_true (foyer_ui_test_wait_until (picker_open, NULL, 10000));
  g_assert_true (foyer_ui_test_wait_until (picker_lists, "Documents", 30000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (find_picker ()));
  png = foyer_ui_test_save_png (GTK_WIDGET (find_picker ()), "microsoft-picker");
  gtk_window_destroy (GTK_WINDOW (find_picker ()));

  /* Nothing of Microsoft's session on disk in plaintext, nor at Foyer's service. */
  foyer_authorizer_get_token_async (foyer_microsoft_account_get_authorizer (account), FALSE, NULL,
                                    foyer_test_wait_cb, &wait);
  token = foyer_authorizer_get_token_finish (foyer_microsoft_account_get_authorizer (account),
                                             foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpuint (strlen (token), >, 16);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_false (foyer_test_tree_contains (dirs[i], token));
  g_assert_false (foyer_test_tree_contains (foyer_test_service_get_data_dir (service), token));

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
        g_assert_false (foyer_test_tree_contains (dirs[i], value));
      g_assert_false (foyer_test_tree_contains (foyer_test_service_get_data_dir (service), value));
    }
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);

  share_and_show (sandbox, service, session, account, window, space);

  /* The thumbnail was kept, sealed, in the local store... */
  g_assert_true (foyer_ui_test_wait_until (has_thumbnails, store, 10000));

  /* ...and disconnecting forgets the account and everything fetched with it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "account.disconnect-microsoft", NULL);
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);
  g_assert_false (has_thumbnails (store));

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (session);
  foyer_microsoft_account_set_store (account, NULL);
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

static gboolean
open_uri_cb (FoyerMicrosoftAccount *account, const char *uri, GtkWindow *parent, char **out)
{
  g_free (*out);
  *out = g_strdup (uri);
  return TRUE;
}

typedef struct
{
  gboolean done;
  guint status;
  char *location;
} BrowserStep;

static void
browser_step_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BrowserStep *step = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  step->status = soup_message_get_status (msg);
  step->location = g_strdup (
      soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location"));
  step->done = TRUE;
}

static gboolean
browser_step_done (gpointer data)
{
  return ((BrowserStep *) data)->done;
}

/* What the system browser does with a URL: one request, redirects not followed. */
static void
browser_get (SoupSession *browser, const char *url, BrowserStep *step)
{
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  step->done = FALSE;
  g_clear_pointer (&step->location, g_free);
  soup_session_send_and_read_async (browser, msg, G_PRIORITY_DEFAULT, NULL, browser_step_cb, step);
  g_assert_true (foyer_ui_test_wait_until (browser_step_done, step, 30000));
}

/* The new service's policy reached the account (the previous test's was
 * for the embedded sign-in). */
static gboolean
browser_policy (gpointer data)
{
  FoyerOrgPolicy *policy = foyer_microsoft_account_get_policy (data);

  return policy != NULL && foyer_org_policy_get_browser_sign_in (policy);
}

/* The policy's browser mode (RFC 8252): the authorize page goes to the
 * system browser (here a plain HTTP client with the sandbox's SSO on), which
 * comes back to Foyer's listener on 127.0.0.1; no embedded view is shown. */
static void
test_connect_browser (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (SoupSession) browser = foyer_test_sandbox_trust_session (sandbox, soup_session_new ());
  FoyerSession *session = foyer_application_get_session (app);
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  g_autofree char *opened = NULL;
  g_autofree char *expected = NULL;
  BrowserStep step = { FALSE, 0, NULL };
  FoyerWindow *window;
  gulong handler;
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  g_assert_nonnull (service);
  foyer_test_enable_microsoft (service, sandbox, "browser");
  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "alice@contoso.example", &error));
  g_assert_no_error (error);

  window = foyer_window_new (GTK_APPLICATION (app), session, account);
  gtk_window_present (GTK_WINDOW (window));
  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  g_assert_true (foyer_ui_test_wait_until (browser_policy, account, 30000));
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  handler = g_signal_connect (account, "open-uri", G_CALLBACK (open_uri_cb), &opened);
  gtk_widget_activate_action (GTK_WIDGET (window), "account.connect-microsoft", NULL);
  g_assert_nonnull (opened);
  expected = g_strdup_printf ("%s/", foyer_test_sandbox_get_authority_url (sandbox));
  g_assert_true (g_str_has_prefix (opened, expected));
  g_assert_nonnull (strstr (opened, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_nonnull (strstr (opened, "code_challenge_method=S256"));
  /* A window says where to look; it has no web view of its own. */
  g_assert_nonnull (sign_in_window ());
  g_assert_null (foyer_ui_test_find (GTK_WIDGET (sign_in_window ()), FOYER_TYPE_SIGN_IN_VIEW));
  g_assert_cmpint (foyer_microsoft_account_get_state (account), ==, FOYER_MICROSOFT_CONNECTING);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (sign_in_window ()));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (sign_in_window ()), "microsoft-browser"));

  /* The browser: signed in already (SSO), so straight back to 127.0.0.1. */
  browser_get (browser, opened, &step);
  g_assert_cmpuint (step.status, ==, 302);
  g_assert_true (g_str_has_prefix (step.location, "http://127.0.0.1:"));
  g_assert_nonnull (strstr (step.location, "code="));
  browser_get (browser, step.location, &step);
  g_assert_cmpuint (step.status, ==, 200);

  wait_state (account, FOYER_MICROSOFT_CONNECTED);
  g_assert_null (sign_in_window ());
  g_assert_cmpstr (foyer_microsoft_account_get_display_name (account), ==, "Alice Martin");

  g_signal_handler_disconnect (account, handler);
  gtk_widget_activate_action (GTK_WIDGET (window), "account.disconnect-microsoft", NULL);
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);
  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (session);
  g_free (step.location);
  g_assert_true (foyer_test_service_stop (service));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

static gboolean
approval_shown (gpointer data)
{
  GtkWindow *window = sign_in_window ();

  return window != NULL && foyer_ui_test_find (GTK_WIDGET (window), FOYER_TYPE_ADMIN_APPROVAL);
}

static gboolean
policy_of (gpointer data)
{
  gpointer *pair = data;
  FoyerCloud *cloud = foyer_microsoft_account_get_cloud (pair[0]);
  FoyerOrgPolicy *policy = foyer_microsoft_account_get_policy (pair[0]);

  return cloud != NULL && policy != NULL && !foyer_org_policy_get_browser_sign_in (policy)
         && g_strcmp0 (foyer_cloud_get_authority (cloud),
                       foyer_test_sandbox_get_authority_url (pair[1]))
                == 0;
}

static gboolean
has_mail (gpointer data)
{
  return g_strcmp0 (foyer_microsoft_account_get_email (data), "dana.durand@contoso.example") == 0;
}

/* One request of an administrator's browser (redirects followed), its body. */
static char *
browser_fetch (SoupSession *browser, const char *method, const char *url, const char *form)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (msg);
  if (form != NULL)
    {
      g_autoptr (GBytes) data = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", data);
    }
  body = soup_session_send_and_read (browser, msg, NULL, &error);
  g_assert_no_error (error);
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
between (const char *text, const char *before, const char *after)
{
  const char *start = strstr (text, before);
  const char *end;

  g_assert_nonnull (start);
  start += strlen (before);
  end = strstr (start, after);
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static GtkWidget *
find_named (GtkWidget *widget, const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Carol, Contoso's administrator, opens the address Foyer gave and accepts. */
static void
administrator_grants (FoyerTestSandbox *sandbox, const char *url)
{
  g_autoptr (SoupSession) browser = foyer_test_sandbox_trust_session (sandbox, soup_session_new ());
  g_autofree char *form = NULL;
  g_autofree char *page = NULL;
  g_autofree char *done = NULL;
  g_autofree char *ctx = NULL;
  g_autofree char *login_url = NULL;
  g_autofree char *action = NULL;
  g_autofree char *grant_url = NULL;
  g_autofree char *body = NULL;

  soup_session_add_feature_by_type (browser, SOUP_TYPE_COOKIE_JAR);
  form = browser_fetch (browser, "GET", url, NULL);
  ctx = between (form, "name=\"ctx\" value=\"", "\"");
  login_url = g_strdup_printf ("%s/%s/login", foyer_test_sandbox_get_authority_url (sandbox),
                               foyer_test_sandbox_get_tenant_id (sandbox));
  body = g_strdup_printf ("ctx=%s&login=carol%%40contoso.example&passwd=carol-password", ctx);
  page = browser_fetch (browser, "POST", login_url, body);
  g_assert_nonnull (strstr (page, "Accept for your organization"));
  g_free (ctx);
  ctx = between (page, "name=\"ctx\" value=\"", "\"");
  action = between (page, "action=\"", "\"");
  grant_url = g_strconcat (foyer_test_sandbox_get_authority_url (sandbox), action, NULL);
  g_free (body);
  body = g_strdup_printf ("ctx=%s&accept=yes", ctx);
  done = browser_fetch (browser, "POST", grant_url, body);
  g_assert_nonnull (strstr (done, "id=\"granted\""));
}

/* Issue #16: an organization that lets only administrators consent. Entra
 * ID shows "Need admin approval" and never comes back; Foyer notices, says
 * what to ask the administrator and gives the /adminconsent address; once
 * the administrator has accepted, Try Again connects. Dana's sign-in name is
 * not her mail address: Foyer learns the latter from Graph /me. */
static void
test_admin_approval (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (JsonNode) reply = NULL;
  FoyerSession *session = foyer_application_get_session (app);
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  FoyerWindow *window;
  FoyerSignInView *view;
  WebKitWebView *web;
  PageWait form = { NULL, "#i0116" };
  FoyerAdminApproval *approval;
  GtkWidget *again;
  g_autofree char *expected = NULL;
  gpointer pair[2];
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  g_assert_nonnull (service);
  reply = foyer_test_sandbox_control (sandbox, "POST", "/tenants/contoso.example",
                                      "{\"adminConsentRequired\": true}", &error);
  g_assert_no_error (error);
  foyer_test_enable_microsoft (service, sandbox, "embedded");
  window = foyer_window_new (GTK_APPLICATION (app), session, account);
  gtk_window_present (GTK_WINDOW (window));
  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  pair[0] = account;
  pair[1] = sandbox;
  g_assert_true (foyer_ui_test_wait_until (policy_of, pair, 30000));
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  gtk_widget_activate_action (GTK_WIDGET (window), "account.connect-microsoft", NULL);
  view = foyer_ui_test_find (GTK_WIDGET (sign_in_window ()), FOYER_TYPE_SIGN_IN_VIEW);
  web = foyer_sign_in_view_get_web_view (view);
  form.view = web;
  g_assert_true (foyer_ui_test_wait_until (element_present, &form, 30000));
  run_js (web, "document.querySelector('#i0116').value = 'dana@contoso.onmicrosoft.example';"
               "document.querySelector('#i0118').value = 'dana-password';"
               "document.querySelector('#idSIButton9').click();");

  /* Not a page the person is left on: Foyer says what to do. */
  g_assert_true (foyer_ui_test_wait_until (approval_shown, account, 30000));
  approval = foyer_ui_test_find (GTK_WIDGET (sign_in_window ()), FOYER_TYPE_ADMIN_APPROVAL);
  expected = g_strdup_printf (
      "%s/%s/adminconsent?client_id=%s", foyer_test_sandbox_get_authority_url (sandbox),
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox));
  g_assert_cmpstr (foyer_admin_approval_get_consent_url (approval), ==, expected);
  /* That sign-in is over (the main window offers to connect again). */
  g_assert_cmpint (foyer_microsoft_account_get_state (account), ==, FOYER_MICROSOFT_DISCONNECTED);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (sign_in_window ()));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (sign_in_window ()), "microsoft-admin-approval"));

  administrator_grants (sandbox, expected);
  again = find_named (GTK_WIDGET (approval), "admin-approval-try-again");
  g_assert_nonnull (again);
  g_signal_emit_by_name (again, "clicked");

  /* Dana's sign-in session is still there: straight through, no consent asked. */
  wait_state (account, FOYER_MICROSOFT_CONNECTED);
  g_assert_cmpstr (foyer_microsoft_account_get_display_name (account), ==, "Dana Durand");
  g_assert_true (foyer_ui_test_wait_until (has_mail, account, 30000));

  gtk_widget_activate_action (GTK_WIDGET (window), "account.disconnect-microsoft", NULL);
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);
  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (session);
  g_assert_true (foyer_test_service_stop (service));
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
  g_test_add_func ("/auth/microsoft/connect-browser", test_connect_browser);
  g_test_add_func ("/auth/microsoft/admin-approval", test_admin_approval);
  g_test_add_func ("/share/hostile-references", test_hostile_references);

  return g_test_run ();
}
