/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sharing against foyer-ms-sandbox and foyer-service on loopback, in the
 * app's window: Update File Sharing on the sharer's tile invites a member
 * who joined after the document was shared with the space (Bob cannot
 * open it before, can after, and a second update invites nobody); and
 * "Give Them Access" from the picker's access check invites before the
 * share.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-access-check.h"
#include "foyer-application.h"
#include "foyer-authorizer.h"
#include "foyer-chat-client.h"
#include "foyer-cloud.h"
#include "foyer-document-item.h"
#include "foyer-document-tile.h"
#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-share.h"
#include "foyer-test-org.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static FoyerApplication *app;

static void
wait_state (FoyerMicrosoftAccount *account, FoyerMicrosoftState state)
{
  g_assert_true (foyer_ui_test_wait_account_state (account, state, 30000));
}

static gboolean
space_titled (gpointer data)
{
  return foyer_space_item_get_title (data) != NULL;
}

typedef struct
{
  FoyerSession *session;
  FoyerSpaceItem *space;
  const char *email;
} MemberWait;

static gboolean
member_known (gpointer data)
{
  MemberWait *w = data;
  const char *const *emails = foyer_session_get_member_emails (w->session, w->space);

  return emails != NULL && g_strv_contains (emails, w->email);
}

static void
collect_tiles (GtkWidget *widget, GPtrArray *tiles)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (FOYER_IS_DOCUMENT_TILE (child))
        g_ptr_array_add (tiles, child);
      else
        collect_tiles (child, tiles);
    }
}

typedef struct
{
  FoyerWindow *window;
  const char *title;
  FoyerDocumentTile *tile;
} TileWait;

static gboolean
tile_shown (gpointer data)
{
  TileWait *w = data;
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  w->tile = NULL;
  collect_tiles (GTK_WIDGET (w->window), tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerDocumentTile *tile = g_ptr_array_index (tiles, i);

      if (g_strcmp0 (_foyer_document_tile_get_title (tile), w->title) == 0
          && gtk_widget_get_mapped (GTK_WIDGET (tile)))
        w->tile = tile;
    }
  return w->tile != NULL;
}

typedef struct
{
  TileWait *tile;
  const char *status;
} StatusWait;

static gboolean
tile_says (gpointer data)
{
  StatusWait *w = data;

  if (!tile_shown (w->tile))
    return FALSE;
  return g_strcmp0 (_foyer_document_tile_get_status (w->tile->tile), w->status) == 0;
}

/* The sharer's app has looked who can open the document. */
static gboolean
tile_checked (gpointer data)
{
  TileWait *w = data;

  return tile_shown (w)
         && foyer_document_item_get_checked_members (foyer_document_tile_get_document (w->tile))
                != NULL
         && !gtk_widget_get_visible (_foyer_document_tile_get_update_button (w->tile));
}

static gboolean
update_offered (gpointer data)
{
  TileWait *w = data;

  return tile_shown (w)
         && gtk_widget_get_visible (_foyer_document_tile_get_update_button (w->tile));
}

static FoyerMessageItem *
document_message (FoyerSpaceItem *space, const char *title)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) message = g_list_model_get_item (list, i);
      GObject *attachment = foyer_message_item_get_attachment (message);

      if (FOYER_IS_DOCUMENT_ITEM (attachment)
          && foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment)) != NULL
          && g_strcmp0 (foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))->title,
                        title)
                 == 0)
        return message; /* the list keeps it */
    }
  return NULL;
}

/* The tile as shown now: rows are rebound as the list changes. */
static FoyerDocumentTile *
current_tile (TileWait *w)
{
  g_assert_true (foyer_ui_test_wait_until (tile_shown, w, 20000));
  return w->tile;
}

static FoyerDriveItem *
get_item (FoyerGraphClient *graph, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  FoyerDriveItem *item;
  FoyerTestWait wait = { NULL };

  foyer_graph_client_request_async (graph, "GET", path, NULL, NULL, foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (graph, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  return item;
}

/* Whether Bob, with his own token, can open the item at url. */
static gboolean
bob_can_open (FoyerGraphClient *bob_graph, const char *url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  FoyerTestWait wait = { NULL };

  foyer_graph_client_get_shared_item_async (bob_graph, url, FALSE, NULL, foyer_test_wait_cb, &wait);
  item = foyer_graph_client_get_shared_item_finish (bob_graph, foyer_test_wait (&wait), &error);
  g_clear_object (&wait.result);
  if (item == NULL)
    g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED);
  return item != NULL;
}

static guint
sandbox_count (FoyerTestSandbox *sandbox, const char *method, const char *suffix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      n += g_strcmp0 (json_object_get_string_member_with_default (entry, "method", ""), method) == 0
           && g_str_has_suffix (json_object_get_string_member_with_default (entry, "path", ""),
                                suffix);
    }
  return n;
}

static void
test_update_sharing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  FoyerTestService *service = foyer_test_service_new ();
  FoyerSession *session = foyer_application_get_session (app);
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  g_autoptr (FoyerSpaceItem) space = NULL;
  g_autoptr (FoyerDriveItem) plan = NULL;
  g_autoptr (FoyerDriveItem) budget = NULL;
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autoptr (FoyerStaticAuthorizer) bob_auth = NULL;
  g_autoptr (FoyerGraphClient) bob_graph = NULL;
  g_autofree char *bob_token = NULL;
  g_autofree char *notice = NULL;
  g_autofree char *url = NULL;
  FoyerWindow *window;
  TileWait tile = { NULL };
  StatusWait status;
  MemberWait member;
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  g_assert_nonnull (service);
  foyer_test_enable_microsoft (service, sandbox, "embedded");
  window = foyer_window_new (GTK_APPLICATION (app), session, account);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  gtk_window_present (GTK_WINDOW (window));

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  wait_state (account, FOYER_MICROSOFT_DISCONNECTED);

  /* Alice signed in to Microsoft before: the sign-in view comes straight back. */
  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "alice@contoso.example", &error));
  gtk_widget_activate_action (GTK_WIDGET (window), "account.connect-microsoft", NULL);
  wait_state (account, FOYER_MICROSOFT_CONNECTED);

  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);
  bob_token = foyer_test_sandbox_mint_token (sandbox, "bob@contoso.example", NULL, &error);
  g_assert_no_error (error);
  bob_auth = foyer_static_authorizer_new (bob_token);
  bob_graph = foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (bob_auth));

  /* A space with Carol; Alice shares her plan with the people in it. */
  {
    const char *const members[] = { FOYER_TEST_CAROL_EMAIL, NULL };

    foyer_session_create_space_async (session, "Plans", members, NULL, foyer_test_wait_cb, &wait);
    space = foyer_session_create_space_finish (session, foyer_test_wait (&wait), &error);
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, 10000));
  member = (MemberWait){ session, space, FOYER_TEST_CAROL_EMAIL };
  g_assert_true (foyer_ui_test_wait_until (member_known, &member, 10000));
  foyer_window_open_space (window, space);

  plan = get_item (foyer_microsoft_account_get_graph (account),
                   "/me/drive/root:/Projects/Project plan.docx");
  foyer_share_document_async (account, session, space, plan, FOYER_LINK_TYPE_VIEW,
                              FOYER_LINK_AUDIENCE_SPACE, NULL, NULL, NULL, foyer_test_wait_cb,
                              &wait);
  g_assert_true (foyer_share_document_finish (foyer_test_wait (&wait), &notice, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);

  /* Everyone in the space was just given access: the sharer's tile offers
   * no Update File Sharing (it would only say so). */
  tile = (TileWait){ window, "Project plan.docx", NULL };
  g_assert_true (foyer_ui_test_wait_until (tile_shown, &tile, 20000));
  g_assert_cmpint (_foyer_document_tile_get_ref (tile.tile)->audience, ==,
                   FOYER_LINK_AUDIENCE_SPACE);
  g_assert_true (foyer_ui_test_wait_until (tile_checked, &tile, 20000));
  g_assert_false (gtk_widget_get_visible (_foyer_document_tile_get_update_button (tile.tile)));
  url = g_strdup (_foyer_document_tile_get_ref (tile.tile)->url);

  /* Bob joins later: Microsoft does not let him in. */
  foyer_session_add_member_async (session, space, FOYER_TEST_BOB_EMAIL, NULL, foyer_test_wait_cb,
                                  &wait);
  g_assert_true (foyer_session_add_member_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  member.email = FOYER_TEST_BOB_EMAIL;
  g_assert_true (foyer_ui_test_wait_until (member_known, &member, 10000));
  g_assert_false (bob_can_open (bob_graph, url));
  /* Now someone cannot open it: the tile offers the update. */
  g_assert_true (foyer_ui_test_wait_until (update_offered, &tile, 20000));

  /* Update File Sharing: progress, then who was given access. */
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  g_signal_emit_by_name (_foyer_document_tile_get_update_button (current_tile (&tile)), "clicked");
  g_assert_cmpstr (_foyer_document_tile_get_status (tile.tile), ==, "Updating file sharing…");
  g_assert_false (gtk_widget_get_sensitive (_foyer_document_tile_get_update_button (tile.tile)));
  status = (StatusWait){ &tile, "Bob Durand can now open it." };
  g_assert_true (foyer_ui_test_wait_until (tile_says, &status, 20000));
  /* Everyone can open it again: the offer goes. */
  g_assert_false (
      gtk_widget_get_visible (_foyer_document_tile_get_update_button (current_tile (&tile))));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "share-update-sharing"));
  g_assert_cmpuint (sandbox_count (sandbox, "POST", "/invite"), ==, 1);
  g_assert_true (bob_can_open (bob_graph, url));

  /* Asked again anyway (space.update-sharing): nobody is invited. */
  gtk_widget_activate_action (
      GTK_WIDGET (current_tile (&tile)), "space.update-sharing", "s",
      foyer_message_item_get_id (document_message (space, "Project plan.docx")));
  status.status = "Everyone in this space can already open it.";
  g_assert_true (foyer_ui_test_wait_until (tile_says, &status, 20000));
  g_assert_cmpuint (sandbox_count (sandbox, "POST", "/invite"), ==, 1);

  /* The picker's "Give Them Access": Bob is invited before the share with
   * existing access, so the item's own address opens for him. */
  budget = get_item (foyer_microsoft_account_get_graph (account),
                     "/me/drive/root:/Documents/Budget 2027.xlsx");
  g_assert_false (bob_can_open (bob_graph, foyer_drive_item_get_web_url (budget)));
  {
    const char *const grant[] = { FOYER_TEST_BOB_EMAIL, NULL };

    g_clear_pointer (&notice, g_free);
    foyer_share_document_async (account, session, space, budget, FOYER_LINK_TYPE_VIEW,
                                FOYER_LINK_AUDIENCE_EXISTING, grant, NULL, NULL, foyer_test_wait_cb,
                                &wait);
    g_assert_true (foyer_share_document_finish (foyer_test_wait (&wait), &notice, &error));
    g_assert_no_error (error);
    g_clear_object (&wait.result);
    g_assert_cmpstr (notice, ==, "1 person was given access to the file.");
  }
  g_assert_true (bob_can_open (bob_graph, foyer_drive_item_get_web_url (budget)));
  /* Not shared with the space: no Update File Sharing on that tile. */
  tile = (TileWait){ window, "Budget 2027.xlsx", NULL };
  g_assert_false (
      gtk_widget_get_visible (_foyer_document_tile_get_update_button (current_tile (&tile))));

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_microsoft_account_disconnect (account);
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

  g_test_add_func ("/share/sandbox/update-sharing", test_update_sharing);

  return g_test_run ();
}
