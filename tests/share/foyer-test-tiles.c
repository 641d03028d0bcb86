/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-test-tiles.h"

#include "foyer-document-item.h"
#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-graph-link.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-org-policy.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"

static gboolean
connected (gpointer data)
{
  return foyer_microsoft_account_get_state (data) == FOYER_MICROSOFT_CONNECTED;
}

FoyerTestSandbox *
foyer_test_tiles_connect (FoyerApplication *app,
                          const char *const *extra_args,
                          FoyerStore **store_out)
{
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerOrgPolicy) policy = NULL;
  g_autofree char *json = NULL;
  FoyerTestSandbox *sandbox = foyer_test_sandbox_start (extra_args, &error);
  GtkWidget *parent;

  g_assert_no_error (error);
  if (store_out != NULL)
    {
      g_autofree char *path = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR") != NULL
                                                    ? g_getenv ("FOYER_TEST_WORKDIR")
                                                    : g_get_tmp_dir (),
                                                "tiles-store.db", NULL);

      *store_out = foyer_store_open_sync (path, "tiles", NULL, &error);
      g_assert_no_error (error);
      foyer_microsoft_account_set_store (account, *store_out);
    }

  json = g_strdup_printf (
      "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"%s\",\"clientId\":\"%s\","
      "\"cloud\":\"worldwide\",\"audiences\":[\"organization\",\"space\",\"existing\"],"
      "\"defaultAudience\":\"organization\",\"defaultLinkType\":\"view\","
      "\"cloudDescriptor\":\"%s\"}}",
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      foyer_test_sandbox_get_cloud_path (sandbox));
  policy = foyer_org_policy_new_from_data (json, -1, &error);
  g_assert_no_error (error);
  foyer_microsoft_account_set_policy (account, policy, NULL);

  /* Alice signed in before: the sign-in view comes straight back. */
  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "alice@contoso.example", &error));
  g_assert_no_error (error);
  parent = adw_window_new ();
  gtk_window_present (GTK_WINDOW (parent));
  g_assert_true (foyer_microsoft_sign_in_window_open (GTK_WINDOW (parent), account));
  g_assert_true (foyer_ui_test_wait_until (connected, account, 60000));
  gtk_window_destroy (GTK_WINDOW (parent));
  return sandbox;
}

typedef struct
{
  FoyerDriveItem *item;
  FoyerGraphLink *link;
  GError *error;
} LinkOp;

static void
link_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LinkOp *op = user_data;

  op->link
      = foyer_graph_client_create_link_finish (FOYER_GRAPH_CLIENT (source), result, &op->error);
  if (op->link == NULL)
    g_assert_nonnull (op->error);
}

static gboolean
links_made (gpointer data)
{
  GArray *ops = data;

  for (guint i = 0; i < ops->len; i++)
    if (g_array_index (ops, LinkOp, i).link == NULL && g_array_index (ops, LinkOp, i).error == NULL)
      return FALSE;
  return TRUE;
}

static char *
ref_json (FoyerDriveItem *item, const char *url)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "provider");
  json_builder_add_string_value (b, "microsoft");
  json_builder_set_member_name (b, "cloud");
  json_builder_add_string_value (b, "worldwide");
  json_builder_set_member_name (b, "driveId");
  json_builder_add_string_value (b, foyer_drive_item_get_target_drive_id (item));
  json_builder_set_member_name (b, "itemId");
  json_builder_add_string_value (b, foyer_drive_item_get_target_id (item));
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, foyer_drive_item_get_name (item));
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "linkType");
  json_builder_add_string_value (b, "view");
  json_builder_set_member_name (b, "audience");
  json_builder_add_string_value (b, "organization");
  json_builder_set_member_name (b, "mimeType");
  json_builder_add_string_value (b, foyer_drive_item_get_mime_type (item) != NULL
                                        ? foyer_drive_item_get_mime_type (item)
                                        : "application/octet-stream");
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, MAX (foyer_drive_item_get_size (item), 0));
  json_builder_set_member_name (b, "sharedBy");
  json_builder_add_string_value (b, "Alice Martin");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* Each item of the Big folder gets an organization link, as if Alice had
 * shared it: its reference is what every member's app would receive. */
GPtrArray *
foyer_test_tiles_make_refs (FoyerApplication *app, guint n)
{
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (account);
  GPtrArray *refs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GArray) ops = g_array_new (FALSE, TRUE, sizeof (LinkOp));
  g_autofree char *next = NULL;
  FoyerTestWait wait = { NULL };

  foyer_graph_client_request_async (graph, "GET", "/me/drive/root:/Big folder:/children?$top=1000",
                                    NULL, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_test_wait_result (&wait, 60000) != NULL);
  node = foyer_graph_client_request_finish (graph, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  items = foyer_drive_item_parse_collection (node, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, >=, n);

  g_array_set_size (ops, n);
  for (guint i = 0; i < n; i++)
    {
      LinkOp *op = &g_array_index (ops, LinkOp, i);

      op->item = g_ptr_array_index (items, i);
      foyer_graph_client_create_link_async (graph, foyer_drive_item_get_target_drive_id (op->item),
                                            foyer_drive_item_get_target_id (op->item),
                                            FOYER_LINK_TYPE_VIEW,
                                            FOYER_GRAPH_LINK_SCOPE_ORGANIZATION, NULL, link_cb, op);
    }
  g_assert_true (foyer_ui_test_wait_until (links_made, ops, 120000));
  for (guint i = 0; i < n; i++)
    {
      LinkOp *op = &g_array_index (ops, LinkOp, i);

      g_assert_no_error (op->error);
      g_ptr_array_add (refs, ref_json (op->item, op->link->web_url));
      foyer_graph_link_free (op->link);
    }
  return refs;
}

GtkWindow *
foyer_test_tiles_show (FoyerApplication *app, GPtrArray *refs, GPtrArray *tiles_out)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *flow = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 4);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), flow);
  adw_window_set_content (ADW_WINDOW (window), scroller);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 900);
  for (guint i = 0; i < refs->len; i++)
    {
      g_autoptr (FoyerDocumentItem) document = foyer_document_item_new (refs->pdata[i]);
      FoyerDocumentTile *tile = foyer_document_tile_new ();

      foyer_document_tile_set_account (tile, foyer_application_get_microsoft_account (app));
      gtk_flow_box_append (GTK_FLOW_BOX (flow), GTK_WIDGET (tile));
      foyer_document_tile_set_document (tile, document);
      g_ptr_array_add (tiles_out, tile);
    }
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

guint
foyer_test_tiles_count_thumbnails (GPtrArray *tiles)
{
  guint n = 0;

  for (guint i = 0; i < tiles->len; i++)
    n += _foyer_document_tile_has_thumbnail (g_ptr_array_index (tiles, i));
  return n;
}

guint
foyer_test_tiles_count_done (GPtrArray *tiles)
{
  guint n = 0;

  for (guint i = 0; i < tiles->len; i++)
    n += _foyer_document_tile_has_thumbnail (g_ptr_array_index (tiles, i))
         || _foyer_document_tile_get_status (g_ptr_array_index (tiles, i)) != NULL;
  return n;
}
