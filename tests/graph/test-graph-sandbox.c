/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Graph client against foyer-ms-sandbox, which follows Microsoft's
 * documented shapes: Alice's drive, the 100,000-item folder paged lazily,
 * search, createLink with the tenant's refusal of anonymous links, a share
 * opened by another user, a 429 burst retried only after Retry-After (proven
 * by the sandbox's own request log), and an expired token refreshed once.
 */
#include "config.h"

#include <string.h>

#include "foyer-drive-item-list.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-item-location.h"
#include "foyer-test-sandbox.h"
#include "graph-mock-server.h"

static FoyerTestSandbox *sandbox;
static FoyerCloud *cloud; /* from its cloud.json: https, its CA, its hosts */

/* An authorizer that asks the sandbox for a new token when forced, as the
 * token manager does with its refresh token. */
#define TEST_TYPE_MINTING_AUTHORIZER (test_minting_authorizer_get_type ())
G_DECLARE_FINAL_TYPE (
    TestMintingAuthorizer, test_minting_authorizer, TEST, MINTING_AUTHORIZER, GObject)

struct _TestMintingAuthorizer
{
  GObject parent_instance;
  char *email;
  char *token;
  guint refreshes;
};

static void minting_iface_init (FoyerAuthorizerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMintingAuthorizer,
                               test_minting_authorizer,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_AUTHORIZER, minting_iface_init))

static void
minting_get_token_async (FoyerAuthorizer *authorizer,
                         gboolean force_refresh,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  TestMintingAuthorizer *self = TEST_MINTING_AUTHORIZER (authorizer);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  if (force_refresh || self->token == NULL)
    {
      /* A blocking call to another process: fine in a test. */
      g_free (self->token);
      self->token = foyer_test_sandbox_mint_token (sandbox, self->email, NULL, &error);
      self->refreshes += force_refresh ? 1 : 0;
    }
  if (self->token == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (self->token), g_free);
}

static char *
minting_get_token_finish (FoyerAuthorizer *authorizer, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
minting_iface_init (FoyerAuthorizerInterface *iface)
{
  iface->get_token_async = minting_get_token_async;
  iface->get_token_finish = minting_get_token_finish;
}

static void
test_minting_authorizer_finalize (GObject *object)
{
  TestMintingAuthorizer *self = TEST_MINTING_AUTHORIZER (object);

  g_free (self->email);
  g_free (self->token);
  G_OBJECT_CLASS (test_minting_authorizer_parent_class)->finalize (object);
}

static void
test_minting_authorizer_class_init (TestMintingAuthorizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_minting_authorizer_finalize;
}

static void
test_minting_authorizer_init (TestMintingAuthorizer *self)
{
}

static TestMintingAuthorizer *
authorizer_for (const char *email)
{
  TestMintingAuthorizer *self = g_object_new (TEST_TYPE_MINTING_AUTHORIZER, NULL);

  self->email = g_strdup (email);
  return self;
}

static FoyerGraphClient *
client_for (const char *email)
{
  g_autoptr (TestMintingAuthorizer) auth = authorizer_for (email);

  return foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (auth));
}

static void
wait_page (FoyerDriveItemList *list, guint pages)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (foyer_drive_item_list_get_pages_loaded (list) < pages
         && foyer_drive_item_list_get_error (list) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_no_error (foyer_drive_item_list_get_error (list));
}

static FoyerDriveItem *
find_named (GListModel *model, const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (foyer_drive_item_get_name (item), name) == 0)
        return g_steal_pointer (&item);
    }
  return NULL;
}

static FoyerDriveItem *
find_in_root (FoyerGraphClient *client, const char *name)
{
  g_autoptr (FoyerDriveItemList) root = foyer_drive_item_list_new_children (client, NULL, NULL);

  wait_page (root, 1);
  return find_named (G_LIST_MODEL (root), name);
}

/* Requests in the sandbox log whose path ends with suffix. */
static GPtrArray *
log_entries (const char *path_suffix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (g_str_has_suffix (json_object_get_string_member (entry, "path"), path_suffix))
        g_ptr_array_add (entries, json_object_ref (entry));
    }
  return entries;
}

static void
test_root_and_folder (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItem) docs = find_in_root (client, "Documents");
  g_autoptr (FoyerDriveItemList) children = NULL;
  g_autoptr (FoyerDriveItem) report = NULL;

  g_assert_nonnull (docs);
  g_assert_true (foyer_drive_item_get_is_folder (docs));
  g_assert_cmpint (foyer_drive_item_get_kind (docs), ==, FOYER_DRIVE_ITEM_KIND_FOLDER);
  g_assert_cmpint (foyer_drive_item_get_child_count (docs), >, 0);
  g_assert_cmpstr (foyer_drive_item_get_drive_id (docs), ==,
                   foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));

  children = foyer_drive_item_list_new_children (client, foyer_drive_item_get_drive_id (docs),
                                                 foyer_drive_item_get_id (docs));
  wait_page (children, 1);
  report = find_named (G_LIST_MODEL (children), "Quarterly report.docx");
  g_assert_nonnull (report);
  g_assert_cmpint (foyer_drive_item_get_kind (report), ==, FOYER_DRIVE_ITEM_KIND_DOCUMENT);
  g_assert_cmpstr (foyer_drive_item_get_parent_path (report), ==, "/Documents");
  g_assert_cmpint (foyer_drive_item_get_size (report), >, 0);
  g_assert_nonnull (foyer_drive_item_get_modified (report));
  g_assert_nonnull (foyer_drive_item_get_web_url (report));
}

static void
test_big_folder_paging (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItem) big = find_in_root (client, "Big folder");
  g_autoptr (FoyerDriveItemList) list = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) requests = NULL;
  g_autofree char *suffix = NULL;
  guint first_page;

  g_assert_nonnull (big);
  g_assert_cmpint (foyer_drive_item_get_child_count (big), ==, 100000);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  list = foyer_drive_item_list_new_children (client, NULL, foyer_drive_item_get_id (big));
  wait_page (list, 1);
  first_page = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (first_page, >, 0);
  g_assert_cmpuint (first_page, <, 100000);
  g_assert_true (foyer_drive_item_list_get_has_more (list));

  /* Nothing more is fetched until the view asks. */
  mock_wait_ms (300);
  suffix = g_strdup_printf ("/items/%s/children", foyer_drive_item_get_id (big));
  requests = log_entries (suffix);
  g_assert_cmpuint (requests->len, ==, 1);
  g_clear_pointer (&requests, g_ptr_array_unref);

  for (guint page = 2; page <= 4; page++)
    {
      foyer_drive_item_list_load_more (list);
      wait_page (list, page);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, first_page * 4);
  requests = log_entries (suffix);
  g_assert_cmpuint (requests->len, ==, 4);
  /* $select went to the sandbox, and so did each nextLink. */
  g_assert_nonnull (strstr (
      json_object_get_string_member (g_ptr_array_index (requests, 0), "query"), "select=id,name"));
}

static void
test_search (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItemList) results = foyer_drive_item_list_new_search (client, "budget");
  g_autoptr (FoyerDriveItem) budget = NULL;

  wait_page (results, 1);
  budget = find_named (G_LIST_MODEL (results), "Budget 2027.xlsx");
  g_assert_nonnull (budget);
  g_assert_cmpint (foyer_drive_item_get_kind (budget), ==, FOYER_DRIVE_ITEM_KIND_SPREADSHEET);
}

typedef struct
{
  gboolean done;
  gpointer value;
  GError *error;
} Result;

static void
link_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value
      = foyer_graph_create_link_with_fallback_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
shared_item_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value
      = foyer_graph_client_get_shared_item_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
shared_thumb_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value = foyer_graph_client_get_shared_thumbnail_finish (FOYER_GRAPH_CLIENT (source), res,
                                                             &r->error);
  r->done = TRUE;
}

static void
preview_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value = foyer_graph_client_preview_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
test_link_and_share (void)
{
  g_autoptr (FoyerGraphClient) alice = client_for ("alice@contoso.example");
  g_autoptr (FoyerGraphClient) bob = client_for ("bob@contoso.example");
  g_autoptr (FoyerDriveItem) report = NULL;
  g_autoptr (FoyerDriveItem) seen = NULL;
  g_autoptr (FoyerGraphLink) link = NULL;
  g_autoptr (GBytes) thumb = NULL;
  g_autoptr (FoyerDriveItem) docs = find_in_root (alice, "Documents");
  g_autoptr (FoyerDriveItemList) children = NULL;
  Result r = { 0 };
  const guint8 *data;
  gsize size = 0;

  children = foyer_drive_item_list_new_children (alice, NULL, foyer_drive_item_get_id (docs));
  wait_page (children, 1);
  report = find_named (G_LIST_MODEL (children), "Quarterly report.docx");
  g_assert_nonnull (report);

  /* Contoso forbids anonymous links: the helper falls back to the
   * organization and says so. */
  foyer_graph_create_link_with_fallback_async (
      alice, foyer_drive_item_get_drive_id (report), foyer_drive_item_get_id (report),
      FOYER_LINK_TYPE_VIEW, FOYER_GRAPH_LINK_SCOPE_ANONYMOUS, NULL, link_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  link = r.value;
  g_assert_cmpint (link->requested_scope, ==, FOYER_GRAPH_LINK_SCOPE_ANONYMOUS);
  g_assert_cmpint (link->scope, ==, FOYER_GRAPH_LINK_SCOPE_ORGANIZATION);
  g_assert_cmpint (link->type, ==, FOYER_LINK_TYPE_VIEW);
  g_assert_true (g_str_has_prefix (link->web_url, "http"));

  /* Bob opens it through the shares API with his own token. */
  r = (Result){ 0 };
  foyer_graph_client_get_shared_item_async (bob, link->web_url, TRUE, NULL, shared_item_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  seen = r.value;
  g_assert_cmpstr (foyer_drive_item_get_name (seen), ==, "Quarterly report.docx");
  g_assert_cmpstr (foyer_drive_item_get_id (seen), ==, foyer_drive_item_get_id (report));

  /* And its thumbnail: a 302 to the SharePoint host, followed. */
  r = (Result){ 0 };
  foyer_graph_client_get_shared_thumbnail_async (bob, link->web_url, "medium", NULL,
                                                 shared_thumb_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  thumb = r.value;
  data = g_bytes_get_data (thumb, &size);
  g_assert_cmpuint (size, >, 8);
  g_assert_true ((data[0] == 0xff && data[1] == 0xd8) || memcmp (data, "\x89PNG", 4) == 0);

  /* The viewer's fallback: an embeddable preview URL, as Bob. */
  r = (Result){ 0 };
  foyer_graph_client_preview_shared_async (bob, link->web_url, NULL, 0, NULL, preview_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_true (json_object_has_member (r.value, "getUrl"));
  g_clear_pointer ((JsonObject **) &r.value, json_object_unref);
}

static void
get_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
test_faults (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  Result r = { 0 };
  gint64 gap;

  /* A malformed body is an error, not a crash. */
  foyer_test_sandbox_add_fault_json (sandbox,
                                     "{\"pattern\":\"/v1.0/me/drive/root/children\","
                                     "\"body\":\"truncated\",\"times\":1}",
                                     &error);
  g_assert_no_error (error);
  foyer_graph_client_request_async (client, "GET", "/me/drive/root/children", NULL, NULL, get_cb,
                                    &r);
  mock_wait_for (&r.done, 30000);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&r.error);

  /* 503 with Retry-After as an HTTP date: waited for, then served. */
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  foyer_test_sandbox_add_fault_json (sandbox,
                                     "{\"pattern\":\"/v1.0/me\",\"status\":503,\"retryAfter\":2,"
                                     "\"retryAfterDate\":true,\"times\":1}",
                                     &error);
  g_assert_no_error (error);
  r = (Result){ 0 };
  foyer_graph_client_request_async (client, "GET", "/me", NULL, NULL, get_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_clear_pointer ((JsonNode **) &r.value, json_node_unref);
  entries = log_entries ("/v1.0/me");
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (entries, 0), "status"), ==, 503);
  gap = json_object_get_int_member (g_ptr_array_index (entries, 1), "timestampMs")
        - json_object_get_int_member (g_ptr_array_index (entries, 0), "timestampMs");
  g_test_message ("retried %" G_GINT64_FORMAT " ms after the 503", gap);
  g_assert_cmpint (gap, >=, 1000);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
}

static void
test_sites (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItemList) sites = foyer_drive_item_list_new_followed_sites (client);
  g_autoptr (FoyerDriveItemList) drives = NULL;
  g_autoptr (FoyerDriveItemList) root = NULL;
  g_autoptr (FoyerDriveItem) site = NULL;
  g_autoptr (FoyerDriveItem) library = NULL;

  wait_page (sites, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (sites)), >, 0);
  site = g_list_model_get_item (G_LIST_MODEL (sites), 0);
  g_assert_true (foyer_drive_item_get_is_site (site));
  g_assert_nonnull (foyer_drive_item_get_name (site));

  drives = foyer_drive_item_list_new_site_drives (client, foyer_drive_item_get_id (site));
  wait_page (drives, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (drives)), >, 0);
  library = g_list_model_get_item (G_LIST_MODEL (drives), 0);
  g_assert_cmpstr (foyer_drive_item_get_drive_type (library), ==, "documentLibrary");
  g_assert_cmpstr (foyer_drive_item_get_id (library), ==, "root");

  /* A library opens like a folder: /drives/{id}/root/children. */
  root = foyer_drive_item_list_new_children (client, foyer_drive_item_get_drive_id (library),
                                             foyer_drive_item_get_id (library));
  wait_page (root, 1);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (root)); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (G_LIST_MODEL (root), i);

      g_assert_cmpstr (foyer_drive_item_get_drive_id (item), ==,
                       foyer_drive_item_get_drive_id (library));
    }
}

static gboolean
list_has (FoyerDriveItemList *list, const char *name)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_nonnull (foyer_drive_item_get_drive_id (item));
      if (g_strcmp0 (foyer_drive_item_get_name (item), name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Issue #16: Recent and Shared come from the insights, whose $select the
 * sandbox checks as Graph does (usedInsight has no lastShared, sharedInsight
 * no lastUsed): one 200 each, and never the deprecated lists, which are
 * retired by now anyway. */
static void
test_recent_uses_insights (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItemList) recent = NULL;
  g_autoptr (FoyerDriveItemList) shared = NULL;
  g_autoptr (GPtrArray) used = NULL;
  g_autoptr (GPtrArray) insights_shared = NULL;
  g_autoptr (GPtrArray) deprecated = NULL;
  g_autoptr (GPtrArray) deprecated_shared = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  recent = foyer_drive_item_list_new_recent (client);
  shared = foyer_drive_item_list_new_shared_with_me (client);
  wait_page (recent, 1);
  wait_page (shared, 1);
  g_assert_no_error (foyer_drive_item_list_get_error (recent));
  g_assert_no_error (foyer_drive_item_list_get_error (shared));
  used = log_entries ("/me/insights/used");
  insights_shared = log_entries ("/me/insights/shared");
  deprecated = log_entries ("/me/drive/recent");
  deprecated_shared = log_entries ("/me/drive/sharedWithMe");
  g_assert_cmpuint (used->len, ==, 1);
  g_assert_cmpuint (insights_shared->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (used->pdata[0], "status"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (insights_shared->pdata[0], "status"), ==, 200);
  g_assert_cmpuint (deprecated->len, ==, 0);
  g_assert_cmpuint (deprecated_shared->len, ==, 0);
  g_assert_true (list_has (recent, "Quarterly report.docx"));
  g_assert_true (list_has (shared, "Team plan.docx"));
}

static void
location_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value = foyer_item_location_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

/* Search hits come without parentReference.path (OneDrive for Business):
 * where one lives costs one GET of its parent. */
static void
test_item_location (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItemList) hits = foyer_drive_item_list_new_search (client, "beach");
  g_autoptr (FoyerDriveItem) beach = NULL;
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GError) error = NULL;
  Result r = { 0 };

  wait_page (hits, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (hits)), ==, 1);
  beach = g_list_model_get_item (G_LIST_MODEL (hits), 0);
  g_assert_null (foyer_drive_item_get_parent_path (beach));
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  foyer_item_location_async (client, beach, NULL, location_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.value, ==, "/Documents/photos");
  g_clear_pointer ((char **) &r.value, g_free);
  before = log_entries (foyer_drive_item_get_parent_id (beach));
  g_assert_cmpuint (before->len, ==, 1);
}

/* An organization that turned item insights off: the list says why it
 * left the insights, for the picker to tell the person. */
static void
test_insights_disabled_fallback (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (FoyerDriveItemList) recent = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = foyer_test_sandbox_control (
      sandbox, "POST", "/tenants/contoso.example", "{\"insightsDisabled\": true}", &error);
  const GError *why;

  g_assert_no_error (error);
  recent = foyer_drive_item_list_new_recent (client);
  wait_page (recent, 1);
  why = foyer_drive_item_list_get_fallback_error (recent);
  g_assert_error (why, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED);
  g_assert_cmpstr (foyer_graph_error_get_code (why), ==, "ItemInsightsDisabled");
  /* December 2026: the deprecated list it fell back to answers nothing. */
  g_assert_no_error (foyer_drive_item_list_get_error (recent));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (recent)), ==, 0);
  g_clear_pointer (&reply, json_node_unref);
  reply = foyer_test_sandbox_control (sandbox, "POST", "/tenants/contoso.example",
                                      "{\"insightsDisabled\": false}", &error);
  g_assert_no_error (error);
}

static void
count_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  guint *remaining = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), res, &error);

  g_assert_no_error (error);
  (*remaining)--;
}

static int
compare_ms (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_throttle_burst (void)
{
  g_autoptr (FoyerGraphClient) client = client_for ("alice@contoso.example");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GArray) throttled = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) served = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint remaining = 4;
  guint fault;

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  fault = foyer_test_sandbox_add_fault_json (
      sandbox,
      "{\"pattern\":\"/v1.0/me/drive/root/children\",\"host\":\"graph\",\"status\":429,"
      "\"retryAfter\":1,\"times\":4}",
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fault, >, 0);

  /* A burst of four: each is throttled once. */
  for (guint i = 0; i < 4; i++)
    foyer_graph_client_request_async (client, "GET", "/me/drive/root/children", NULL, NULL,
                                      count_cb, &remaining);
  while (remaining > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));

  entries = log_entries ("/me/drive/root/children");
  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);
      gint64 ms = json_object_get_int_member (entry, "timestampMs");

      if (json_object_get_int_member (entry, "status") == 429)
        g_array_append_val (throttled, ms);
      else if (json_object_get_int_member (entry, "status") == 200)
        g_array_append_val (served, ms);
    }
  g_assert_cmpuint (throttled->len, ==, 4);
  g_assert_cmpuint (served->len, ==, 4);

  /* Each retry waited ≥ 1 s after its own 429; whatever the pairing, the
   * k-th earliest answer then comes ≥ 1 s after the k-th earliest 429. */
  g_array_sort (throttled, compare_ms);
  g_array_sort (served, compare_ms);
  for (guint k = 0; k < 4; k++)
    {
      gint64 gap = g_array_index (served, gint64, k) - g_array_index (throttled, gint64, k);

      g_test_message ("retry %u: %" G_GINT64_FORMAT " ms after a 429", k, gap);
      g_assert_cmpint (gap, >=, 1000);
    }
}

static void
request_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->value = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
test_expired_token (void)
{
  g_autoptr (TestMintingAuthorizer) auth = authorizer_for ("carol@contoso.example");
  g_autoptr (FoyerGraphClient) client
      = foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (auth));
  g_autoptr (GError) error = NULL;
  Result r = { 0 };

  foyer_graph_client_request_async (client, "GET", "/me", NULL, NULL, request_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_clear_pointer ((JsonNode **) &r.value, json_node_unref);
  g_assert_cmpuint (auth->refreshes, ==, 0);

  /* The sandbox expires Carol's tokens: one 401, one refresh, success. */
  g_assert_true (foyer_test_sandbox_expire_tokens (sandbox, "carol@contoso.example", &error));
  r = (Result){ 0 };
  foyer_graph_client_request_async (client, "GET", "/me", NULL, NULL, request_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_cmpuint (auth->refreshes, ==, 1);
  g_clear_pointer ((JsonNode **) &r.value, json_node_unref);
}

int
main (int argc, char **argv)
{
  const char *now_args[] = { "--now", "2026-12-01", NULL };
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  /* After Recent's deprecated list retired, before Shared's. */
  sandbox = foyer_test_sandbox_start (now_args, &error);
  g_assert_no_error (error);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);

  g_test_add_func ("/graph/sandbox/root-and-folder", test_root_and_folder);
  g_test_add_func ("/graph/sandbox/big-folder-paging", test_big_folder_paging);
  g_test_add_func ("/graph/sandbox/search", test_search);
  g_test_add_func ("/graph/sandbox/link-and-share", test_link_and_share);
  g_test_add_func ("/graph/sandbox/sites", test_sites);
  g_test_add_func ("/graph/sandbox/faults", test_faults);
  g_test_add_func ("/graph/sandbox/recent-uses-insights", test_recent_uses_insights);
  g_test_add_func ("/graph/sandbox/item-location", test_item_location);
  g_test_add_func ("/graph/sandbox/insights-disabled-fallback", test_insights_disabled_fallback);
  g_test_add_func ("/graph/sandbox/throttle-burst", test_throttle_burst);
  g_test_add_func ("/graph/sandbox/expired-token", test_expired_token);
  status = g_test_run ();
  g_clear_object (&cloud);
  foyer_test_sandbox_unref (sandbox);
  return status;
}
