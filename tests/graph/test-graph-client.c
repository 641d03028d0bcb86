/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Graph client against an in-test SoupServer standing in for Graph:
 * paging, throttling, backoff, 401 refresh, malformed bodies, cancellation,
 * the per-host limit, redirects and createLink's fallback. Timing claims are
 * proven from the times the server recorded. */
#include "config.h"

#include <string.h>

#include "foyer-auth-error.h"
#include "foyer-core.h"
#include "foyer-drive-item-list.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-test-tls.h"
#include "graph-mock-server.h"

typedef struct
{
  gboolean done;
  JsonNode *node;
  GBytes *bytes;
  gpointer object;
  GError *error;
  guint status;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->node, json_node_unref);
  g_clear_pointer (&r->bytes, g_bytes_unref);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static void
request_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->node = foyer_graph_client_request_finish_full (FOYER_GRAPH_CLIENT (source), res, &r->status,
                                                    &r->error);
  r->done = TRUE;
}

static void
bytes_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->bytes = foyer_graph_client_request_bytes_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static FoyerGraphClient *
client_for (MockServer *mock, FoyerStaticAuthorizer **out_auth)
{
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("token-1");
  FoyerGraphClient *client = mock_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));

  foyer_graph_client_set_base_delay_ms (client, 20);
  if (out_auth != NULL)
    *out_auth = g_steal_pointer (&auth);
  return client;
}

static void
get (FoyerGraphClient *client, const char *path, GCancellable *cancellable, Result *r)
{
  result_clear (r);
  foyer_graph_client_request_async (client, "GET", path, NULL, cancellable, request_cb, r);
  mock_wait_for (&r->done, 30000);
}

/* Paging: page 1 links to page 2, which links to page 3. */
static guint
paging_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  g_autofree char *json = NULL;
  int page = 1;
  const char *skip = strstr (path, "skiptoken=");

  if (skip != NULL)
    page = atoi (skip + strlen ("skiptoken="));
  if (page < 3)
    json = g_strdup_printf ("{\"value\":[{\"id\":\"p%d-a\",\"name\":\"a%d.docx\"},"
                            "{\"id\":\"p%d-b\",\"name\":\"b%d.pdf\"}],"
                            "\"@odata.nextLink\":\"%s/me/drive/root/children?$skiptoken=%d\"}",
                            page, page, page, page, mock->base_url, page + 1);
  else
    json = g_strdup ("{\"value\":[{\"id\":\"p3-a\",\"name\":\"last.txt\"}]}");
  mock_json (msg, 200, json);
  return 0;
}

/* Permissions in two pages, the second linking to a foreign host. */
static guint
permissions_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  g_autofree char *json = NULL;

  if (strstr (path, "skiptoken=2") != NULL)
    json = g_strdup ("{\"value\":[{\"id\":\"perm-3\",\"roles\":[\"read\"]}],"
                     "\"@odata.nextLink\":\"https://evil.example/permissions?$skiptoken=3\"}");
  else
    json = g_strdup_printf (
        "{\"value\":[{\"id\":\"perm-1\",\"roles\":[\"owner\"]},"
        "{\"id\":\"perm-2\",\"roles\":[\"write\"]}],"
        "\"@odata.nextLink\":\"%s/drives/d1/items/i1/permissions?$skiptoken=2\"}",
        mock->base_url);
  mock_json (msg, 200, json);
  return 0;
}

static void
permissions_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->object
      = foyer_graph_client_list_permissions_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

/* Every page of an item's permissions, and only from Graph itself. */
static void
test_permissions_pages (void)
{
  g_autoptr (MockServer) mock = mock_server_new (permissions_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { FALSE };
  JsonArray *all;

  foyer_graph_client_list_permissions_async (client, "d1", "i1", NULL, permissions_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  all = r.object;
  g_assert_cmpuint (json_array_get_length (all), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (all, 2), "id"), ==,
                   "perm-3");
  /* Two requests: the foreign nextLink was not followed. */
  g_assert_cmpuint (mock->log->len, ==, 2);
  json_array_unref (all);
}

static void
notify_flag_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  if (!foyer_drive_item_list_get_loading (FOYER_DRIVE_ITEM_LIST (object)))
    *(gboolean *) user_data = TRUE;
}

static void
wait_loaded (FoyerDriveItemList *list)
{
  gboolean loaded = !foyer_drive_item_list_get_loading (list);
  gulong id = g_signal_connect (list, "notify::loading", G_CALLBACK (notify_flag_cb), &loaded);

  mock_wait_for (&loaded, 30000);
  g_signal_handler_disconnect (list, id);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, gpointer data)
{
  guint *appended = data;

  g_assert_cmpuint (removed, ==, 0);
  g_assert_cmpuint (position, ==, *appended);
  *appended += added;
}

static void
test_paging_lazy (void)
{
  g_autoptr (MockServer) mock = mock_server_new (paging_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (FoyerDriveItemList) list = foyer_drive_item_list_new_children (client, NULL, NULL);
  g_autoptr (FoyerDriveItem) first = NULL;
  guint appended = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &appended);
  g_assert_true (foyer_drive_item_list_get_loading (list));
  wait_loaded (list);

  g_assert_no_error (foyer_drive_item_list_get_error (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_assert_cmpuint (appended, ==, 2);
  g_assert_true (foyer_drive_item_list_get_has_more (list));
  g_assert_cmpuint (g_list_model_get_item_type (G_LIST_MODEL (list)), ==, FOYER_TYPE_DRIVE_ITEM);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (foyer_drive_item_get_id (first), ==, "p1-a");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 2));

  /* $select asks only for what FoyerDriveItem reads. */
  g_assert_true (g_str_has_prefix (mock_server_request (mock, 0)->path,
                                   "/v1.0/me/drive/root/children?$select=id,name,size,"));

  /* Nothing else is fetched until the view asks. */
  mock_wait_ms (300);
  g_assert_cmpuint (mock->log->len, ==, 1);

  foyer_drive_item_list_load_more (list);
  foyer_drive_item_list_load_more (list); /* already loading: ignored */
  wait_loaded (list);
  g_assert_cmpuint (mock->log->len, ==, 2);
  g_assert_cmpstr (mock_server_request (mock, 1)->path, ==,
                   "/v1.0/me/drive/root/children?$skiptoken=2");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);

  foyer_drive_item_list_load_more (list);
  wait_loaded (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
  g_assert_cmpuint (appended, ==, 5);
  g_assert_false (foyer_drive_item_list_get_has_more (list));
  g_assert_cmpuint (foyer_drive_item_list_get_pages_loaded (list), ==, 3);

  foyer_drive_item_list_load_more (list); /* no more: no request */
  mock_wait_ms (50);
  g_assert_cmpuint (mock->log->len, ==, 3);
}

/* 429 twice with Retry-After: 1, then the answer. */
static guint
throttle_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i < 2)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "1");
      mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "rid-429");
    }
  else
    mock_json (msg, 200, "{\"id\":\"me\"}");
  return 0;
}

static void
test_throttle_retry_after (void)
{
  g_autoptr (MockServer) mock = mock_server_new (throttle_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  get (client, "/me", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpuint (mock->log->len, ==, 3);

  /* The server's clock proves each retry came no earlier than 1 s later. */
  for (guint i = 1; i < 3; i++)
    {
      gint64 gap
          = mock_server_request (mock, i)->time_us - mock_server_request (mock, i - 1)->time_us;

      g_test_message ("retry %u after %" G_GINT64_FORMAT " us", i, gap);
      g_assert_cmpint (gap, >=, G_USEC_PER_SEC);
    }
  result_clear (&r);
}

/* 503 with Retry-After as an HTTP date two seconds ahead, then the answer. */
static guint
date_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i == 0)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr (GDateTime) later = g_date_time_add_seconds (now, 2);
      g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    date);
      mock_graph_error (msg, 503, "serviceNotAvailable", NULL, "rid-date");
    }
  else
    mock_json (msg, 200, "{\"id\":\"me\"}");
  return 0;
}

static void
test_retry_after_date (void)
{
  g_autoptr (MockServer) mock = mock_server_new (date_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };
  gint64 gap;

  /* The backoff alone would retry after ~20 ms; the date says ≥ 1 s. */
  get (client, "/me", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (mock->log->len, ==, 2);
  gap = mock_server_request (mock, 1)->time_us - mock_server_request (mock, 0)->time_us;
  g_test_message ("retry after %" G_GINT64_FORMAT " us", gap);
  g_assert_cmpint (gap, >=, G_USEC_PER_SEC);
  result_clear (&r);
}

static guint
always_429_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                d != NULL ? d : "0");
  mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "rid-x");
  return 0;
}

static void
test_throttle_exhausted (void)
{
  g_autoptr (MockServer) mock = mock_server_new (always_429_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  foyer_graph_client_set_max_retries (client, 2);
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpuint (foyer_graph_error_get_status (r.error), ==, 429);
  g_assert_cmpstr (foyer_graph_error_get_request_id (r.error), ==, "rid-x");
  g_assert_cmpuint (mock->log->len, ==, 3); /* the first try and two retries */
  result_clear (&r);
}

static void
test_throttle_too_long (void)
{
  g_autoptr (MockServer) mock = mock_server_new (always_429_responder, "315");
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  /* Told to wait longer than max-wait: give up at once, never retry early. */
  foyer_graph_client_set_max_wait_ms (client, 60000);
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpuint (mock->log->len, ==, 1);
  result_clear (&r);
}

/* The first request is throttled for a second; the others answer. */
static guint
first_throttled_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i == 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "1");
      mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "rid-first");
    }
  else
    mock_json (msg, 200, "{\"id\":\"me\"}");
  return 0;
}

/* A Retry-After speaks for the host: requests queued behind the throttled
 * one (one slot per host here, which it gives back while it waits) wait
 * for it too, rather than going out at once. */
static void
test_throttle_holds_host (void)
{
  g_autoptr (MockServer) mock = mock_server_new (first_throttled_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result results[3] = { { 0 } };
  const char *paths[] = { "/me", "/me/drive", "/me/drive/root" };

  foyer_graph_client_set_max_concurrent_per_host (client, 1);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    foyer_graph_client_request_async (client, "GET", paths[i], NULL, NULL, request_cb, &results[i]);
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      mock_wait_for (&results[i].done, 30000);
      g_assert_no_error (results[i].error);
    }
  g_assert_cmpuint (mock->log->len, ==, 4);
  g_assert_cmpstr (mock_server_request (mock, 0)->path, ==, "/v1.0/me");
  for (guint i = 1; i < mock->log->len; i++)
    {
      gint64 gap = mock_server_request (mock, i)->time_us - mock_server_request (mock, 0)->time_us;

      g_test_message ("%s %" G_GINT64_FORMAT " us after the 429",
                      mock_server_request (mock, i)->path, gap);
      g_assert_cmpint (gap, >=, G_USEC_PER_SEC);
    }
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    result_clear (&results[i]);
}

/* Told to wait longer than it waits, the client says so, with the wait,
 * and sends nothing more to that host meanwhile. */
static void
test_throttle_too_long_holds_host (void)
{
  g_autoptr (MockServer) mock = mock_server_new (always_429_responder, "315");
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  foyer_graph_client_set_max_wait_ms (client, 60000);
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpuint (foyer_graph_error_get_retry_after (r.error), ==, 315);

  get (client, "/me/drive", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpuint (foyer_graph_error_get_retry_after (r.error), >, 300);
  g_assert_cmpuint (foyer_graph_error_get_retry_after (r.error), <=, 315);
  g_assert_cmpuint (mock->log->len, ==, 1);
  result_clear (&r);
}

static guint
always_503_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  mock_graph_error (msg, 503, "serviceNotAvailable", NULL, "rid-503");
  return 0;
}

static void
test_backoff_503 (void)
{
  g_autoptr (MockServer) mock = mock_server_new (always_503_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  foyer_graph_client_set_base_delay_ms (client, 100);
  foyer_graph_client_set_max_retries (client, 3);
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE);
  g_assert_cmpuint (foyer_graph_error_get_status (r.error), ==, 503);
  g_assert_cmpuint (mock->log->len, ==, 4);

  /* Exponential with equal jitter: the n-th wait is at least half of
   * base·2ⁿ, so the waits grow. */
  for (guint i = 1; i < 4; i++)
    {
      gint64 gap
          = mock_server_request (mock, i)->time_us - mock_server_request (mock, i - 1)->time_us;
      gint64 floor_us = (gint64) 100 * 1000 * (1 << (i - 1)) / 2;

      g_test_message ("retry %u after %" G_GINT64_FORMAT " us (floor %" G_GINT64_FORMAT ")", i, gap,
                      floor_us);
      g_assert_cmpint (gap, >=, floor_us);
    }
  result_clear (&r);
}

static guint
backoff_post_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  mock_graph_error (msg, 500, "generalException", NULL, "rid-500");
  return 0;
}

static void
test_no_retry_of_failed_write (void)
{
  g_autoptr (MockServer) mock = mock_server_new (backoff_post_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (JsonNode) body = json_from_string ("{\"type\":\"view\"}", NULL);
  Result r = { 0 };

  foyer_graph_client_request_async (client, "POST", "/me/drive/items/x/createLink", body, NULL,
                                    request_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_FAILED);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_cmpstr (mock_server_request (mock, 0)->body, ==, "{\"type\":\"view\"}");
  result_clear (&r);
}

/* 401 unless the bearer token is "token-2". */
static guint
auth_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  if (g_strcmp0 (auth, "Bearer token-2") == 0)
    mock_json (msg, 200, "{\"id\":\"me\"}");
  else
    mock_graph_error (msg, 401, "InvalidAuthenticationToken", NULL, "rid-401");
  return 0;
}

static void
test_unauthorized_refresh (void)
{
  g_autoptr (MockServer) mock = mock_server_new (auth_responder, NULL);
  g_autoptr (FoyerStaticAuthorizer) auth = NULL;
  g_autoptr (FoyerGraphClient) client = client_for (mock, &auth);
  Result r = { 0 };

  /* The static authorizer hands out the same token after a refresh, as a
   * revoked session would: one refresh, one retry, then UNAUTHENTICATED. */
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_UNAUTHENTICATED);
  g_assert_cmpuint (foyer_graph_error_get_status (r.error), ==, 401);
  g_assert_cmpuint (foyer_static_authorizer_get_refresh_count (auth), ==, 1);
  g_assert_cmpuint (mock->log->len, ==, 2);
  g_assert_cmpstr (mock_server_request (mock, 0)->authorization, ==, "Bearer token-1");

  /* With a new token after the refresh, the retry succeeds. */
  foyer_static_authorizer_set_token (auth, "token-2");
  get (client, "/me", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (foyer_static_authorizer_get_refresh_count (auth), ==, 1);
  g_assert_cmpuint (mock->log->len, ==, 3);
  g_assert_cmpstr (mock_server_request (mock, 2)->user_agent, ==, foyer_core_user_agent ());
  result_clear (&r);
}

/* An account whose refresh token was revoked. */
#define TEST_TYPE_REVOKED_AUTHORIZER (test_revoked_authorizer_get_type ())
G_DECLARE_FINAL_TYPE (
    TestRevokedAuthorizer, test_revoked_authorizer, TEST, REVOKED_AUTHORIZER, GObject)

struct _TestRevokedAuthorizer
{
  GObject parent_instance;
};

static void revoked_iface_init (FoyerAuthorizerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRevokedAuthorizer,
                               test_revoked_authorizer,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_AUTHORIZER, revoked_iface_init))

static void
revoked_get_token_async (FoyerAuthorizer *self,
                         gboolean force_refresh,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED,
                           "reconnect needed");
}

static char *
revoked_get_token_finish (FoyerAuthorizer *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
revoked_iface_init (FoyerAuthorizerInterface *iface)
{
  iface->get_token_async = revoked_get_token_async;
  iface->get_token_finish = revoked_get_token_finish;
}

static void
test_revoked_authorizer_class_init (TestRevokedAuthorizerClass *klass)
{
}

static void
test_revoked_authorizer_init (TestRevokedAuthorizer *self)
{
}

static void
test_authorizer_error_passes_through (void)
{
  g_autoptr (MockServer) mock = mock_server_new (auth_responder, NULL);
  g_autoptr (TestRevokedAuthorizer) auth = g_object_new (TEST_TYPE_REVOKED_AUTHORIZER, NULL);
  g_autoptr (FoyerGraphClient) client
      = mock_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));
  Result r = { 0 };

  /* The app learns the account needs reconnecting; nothing is sent. */
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED);
  g_assert_cmpuint (mock->log->len, ==, 0);
  result_clear (&r);
}

static guint
malformed_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (g_str_has_prefix (path, "/v1.0/truncated"))
    mock_json (msg, 200, "{\"value\":[{\"id\":\"a\",\"name\":\"x");
  else if (g_str_has_prefix (path, "/v1.0/wrong"))
    mock_json (msg, 200, "{\"value\":[{\"id\":5}]}");
  else if (g_str_has_prefix (path, "/v1.0/item"))
    mock_json (msg, 200, "[1,2,3]");
  else
    mock_json (msg, 200, "\x01\xff garbage");
  return 0;
}

static void
test_malformed (void)
{
  g_autoptr (MockServer) mock = mock_server_new (malformed_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (FoyerDriveItemList) list = NULL;
  Result r = { 0 };

  get (client, "/garbage", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  g_assert_cmpuint (foyer_graph_error_get_status (r.error), ==, 200);

  list = foyer_drive_item_list_new (client, "/truncated");
  wait_loaded (list);
  g_assert_error (foyer_drive_item_list_get_error (list), FOYER_GRAPH_ERROR,
                  FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_clear_object (&list);

  list = foyer_drive_item_list_new (client, "/wrong");
  wait_loaded (list);
  g_assert_error (foyer_drive_item_list_get_error (list), FOYER_GRAPH_ERROR,
                  FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  result_clear (&r);
}

static void
item_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->object = foyer_graph_client_get_item_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
test_malformed_item (void)
{
  g_autoptr (MockServer) mock = mock_server_new (malformed_responder, NULL);
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("t");
  g_autofree char *base = NULL;
  g_autoptr (FoyerGraphClient) client = NULL;
  Result r = { 0 };

  /* A base URL whose item path lands on the "[1,2,3]" answer. */
  base = g_strconcat (mock->origin, "/v1.0/item", NULL);
  client = mock_graph_client_new (base, FOYER_AUTHORIZER (auth));
  foyer_graph_client_get_item_async (client, NULL, "x", NULL, item_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_null (r.object);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  result_clear (&r);
}

static guint
slow_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  mock_json (msg, 200, "{\"value\":[]}");
  return GPOINTER_TO_UINT (d);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancels the caller's request once it has reached the server, whose
 * answer then takes 10 s. */
static guint
cancel_on_arrival_responder (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  mock_json (msg, 200, "{\"value\":[]}");
  g_idle_add (cancel_cb, d);
  return 10000;
}

static void
test_cancel_in_flight (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (MockServer) mock = mock_server_new (cancel_on_arrival_responder, cancellable);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  gint64 start = g_get_monotonic_time ();
  Result r = { 0 };

  get (client, "/me/drive/root/children", cancellable, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (mock->log->len, ==, 1);
  result_clear (&r);
}

static void
retrying_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  if (g_str_has_prefix (message, "retrying "))
    *(gboolean *) user_data = TRUE;
}

static void
test_cancel_during_retry_wait (void)
{
  g_autoptr (MockServer) mock = mock_server_new (always_429_responder, "20");
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Result r = { 0 };

  gboolean waiting = FALSE;
  guint handler = g_log_set_handler ("foyer-graph", G_LOG_LEVEL_DEBUG, retrying_cb, &waiting);

  /* The 429 (Retry-After: 20) answered and read: the client waits. */
  foyer_graph_client_request_async (client, "GET", "/me", NULL, cancellable, request_cb, &r);
  mock_wait_for (&waiting, 30000);
  g_log_remove_handler ("foyer-graph", handler);
  g_assert_false (r.done);
  g_cancellable_cancel (cancellable);
  mock_wait_for (&r.done, 30000);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (mock->log->len, ==, 1);

  /* A request cancelled before it starts sends nothing. */
  get (client, "/me", cancellable, &r);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (mock->log->len, ==, 1);
  result_clear (&r);
}

static void
test_dispose_cancels_list (void)
{
  g_autoptr (MockServer) mock = mock_server_new (slow_responder, GUINT_TO_POINTER (500));
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  FoyerDriveItemList *list = foyer_drive_item_list_new_children (client, "d", "root");
  GWeakRef weak;

  g_weak_ref_init (&weak, list);
  /* Its first page asked for (the server answers in 500 ms). */
  mock_wait_for_requests (mock, 1, 30000);
  g_object_unref (list);
  /* Dropping the list disposes it at once, and its late answer is
   * ignored without touching it. */
  g_assert_null (g_weak_ref_get (&weak));
  mock_wait_answered (mock, 30000);
  g_weak_ref_clear (&weak);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_true (
      g_str_has_prefix (mock_server_request (mock, 0)->path, "/v1.0/drives/d/root/children?"));
}

static void
count_done_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  guint *remaining = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), res, &error);

  g_assert_no_error (error);
  (*remaining)--;
}

static void
test_concurrency_limit (void)
{
  g_autoptr (MockServer) mock = mock_server_new (slow_responder, GUINT_TO_POINTER (400));
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  guint remaining = 10;
  gboolean done = FALSE;

  foyer_graph_client_set_max_concurrent_per_host (client, 3);
  for (guint i = 0; i < 10; i++)
    foyer_graph_client_request_async (client, "GET", "/me/drive/root/children", NULL, NULL,
                                      count_done_cb, &remaining);
  while (remaining > 0)
    {
      done = FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  (void) done;
  g_assert_cmpuint (mock->log->len, ==, 10);
  g_assert_cmpuint (mock->max_in_flight, ==, 3);
}

/* /thumb answers 302 to the files host (another origin) or to /same. */
static guint
redirect_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  const char *files_origin = d;

  if (g_str_has_prefix (path, "/v1.0/thumb"))
    {
      g_autofree char *location = g_strconcat (files_origin, "/files/t.jpg?sig=abc", NULL);

      soup_server_message_set_redirect (msg, 302, location);
    }
  else if (g_str_has_prefix (path, "/v1.0/same"))
    soup_server_message_set_redirect (msg, 302, "/v1.0/here.jpg");
  else
    soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_STATIC, "JPEGDATA", 8);
  if (soup_server_message_get_status (msg) == 0)
    soup_server_message_set_status (msg, 200, NULL);
  return 0;
}

static guint
files_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_STATIC, "\xff\xd8THUMB", 7);
  return 0;
}

static void
test_redirect_without_token (void)
{
  g_autoptr (MockServer) files = mock_server_new (files_responder, NULL);
  g_autoptr (MockServer) mock = mock_server_new (redirect_responder, files->origin);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Result r = { 0 };

  result_clear (&r);
  foyer_graph_client_request_bytes_async (client, "GET", "/thumb", NULL, bytes_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_cmpmem (g_bytes_get_data (r.bytes, NULL), g_bytes_get_size (r.bytes), "\xff\xd8THUMB",
                   7);
  g_assert_cmpstr (mock_server_request (mock, 0)->authorization, ==, "Bearer token-1");
  g_assert_cmpuint (files->log->len, ==, 1);
  g_assert_cmpstr (mock_server_request (files, 0)->path, ==, "/files/t.jpg?sig=abc");
  /* The files host never sees the Graph token. */
  g_assert_null (mock_server_request (files, 0)->authorization);

  /* A redirect that stays on the Graph host keeps it. */
  result_clear (&r);
  foyer_graph_client_request_bytes_async (client, "GET", "/same", NULL, bytes_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_cmpuint (mock->log->len, ==, 3);
  g_assert_cmpstr (mock_server_request (mock, 2)->path, ==, "/v1.0/here.jpg");
  g_assert_cmpstr (mock_server_request (mock, 2)->authorization, ==, "Bearer token-1");
  result_clear (&r);
}

static void
test_foreign_next_link (void)
{
  g_autoptr (MockServer) files = mock_server_new (slow_responder, NULL);
  g_autoptr (MockServer) mock = mock_server_new (slow_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autofree char *foreign = g_strconcat (files->origin, "/v1.0/me/drive/root/children", NULL);
  Result r = { 0 };

  /* An absolute URL on another host never gets the token. */
  get (client, foreign, NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (files->log->len, ==, 1);
  g_assert_null (mock_server_request (files, 0)->authorization);

  /* Plain http never, not even to this computer. */
  get (client, "http://graph.example.com/v1.0/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_INVALID_REQUEST);
  result_clear (&r);
  get (client, "http://127.0.0.1:9/v1.0/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_INVALID_REQUEST);
  result_clear (&r);
}

/* A plain http server on loopback that must never be asked anything. */
static void
plain_cb (SoupServer *server,
          SoupServerMessage *msg,
          const char *path,
          GHashTable *query,
          gpointer user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, 200, NULL);
}

static guint
leave_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  const char *elsewhere = d;

  if (g_str_has_prefix (path, "/v1.0/away"))
    soup_server_message_set_redirect (msg, 302, elsewhere);
  else if (g_str_has_prefix (path, "/v1.0/page"))
    {
      g_autofree char *json
          = g_strdup_printf ("{\"value\": [], \"@odata.nextLink\": \"%s\"}", elsewhere);

      mock_json (msg, 200, json);
    }
  else
    mock_json (msg, 200, "{\"value\": []}");
  return 0;
}

static FoyerGraphClient *
cloud_client_for (MockServer *mock)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("token-1");
  g_autofree char *json
      = g_strdup_printf ("{\"caFile\": \"%s\", \"authority\": \"%s\", \"graph\": \"%s\","
                         " \"allowedHosts\": [\"%s\"]}",
                         foyer_test_tls_get_default_ca_file (), mock->origin, mock->base_url,
                         mock->origin + strlen ("https://"));
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (auth));
}

/* Issue #16: a redirect to http (even on loopback) or, for a cloud, to a
 * host outside the cloud is refused: nothing is sent there, token or not. */
static void
test_redirect_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) plain = soup_server_new (NULL, NULL);
  g_autoptr (GSList) uris = NULL;
  g_autofree char *plain_url = NULL;
  guint plain_hits = 0;
  g_autoptr (MockServer) files = mock_server_new (files_responder, NULL);
  g_autofree char *files_url = g_strconcat (files->origin, "/files/t.jpg", NULL);
  Result r = { 0 };

  soup_server_add_handler (plain, NULL, plain_cb, &plain_hits, NULL);
  g_assert_true (soup_server_listen_local (plain, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (plain);
  plain_url = g_strdup_printf ("http://127.0.0.1:%d/steal", g_uri_get_port (uris->data));

  {
    g_autoptr (MockServer) mock = mock_server_new (leave_responder, plain_url);
    g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
    g_autoptr (FoyerGraphClient) cloud_client = cloud_client_for (mock);

    foyer_graph_client_request_bytes_async (client, "GET", "/away", NULL, bytes_cb, &r);
    mock_wait_for (&r.done, 30000);
    g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_FAILED);
    g_assert_cmpuint (foyer_graph_error_get_status (r.error), ==, 302);
    result_clear (&r);
    foyer_graph_client_request_bytes_async (cloud_client, "GET", "/away", NULL, bytes_cb, &r);
    mock_wait_for (&r.done, 30000);
    g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_FAILED);
    result_clear (&r);
    g_assert_cmpuint (plain_hits, ==, 0);
  }
  {
    g_autoptr (MockServer) mock = mock_server_new (leave_responder, files_url);
    g_autoptr (FoyerGraphClient) cloud_client = cloud_client_for (mock);
    g_autoptr (FoyerDriveItemList) list = NULL;

    /* https, but not one of the cloud's hosts: neither a redirect nor a nextLink. */
    foyer_graph_client_request_bytes_async (cloud_client, "GET", "/away", NULL, bytes_cb, &r);
    mock_wait_for (&r.done, 30000);
    g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_FAILED);
    result_clear (&r);
    list = foyer_drive_item_list_new (cloud_client, "/page");
    wait_loaded (list);
    g_assert_no_error (foyer_drive_item_list_get_error (list));
    g_assert_true (foyer_drive_item_list_get_has_more (list));
    foyer_drive_item_list_load_more (list);
    wait_loaded (list);
    g_assert_error (foyer_drive_item_list_get_error (list), FOYER_GRAPH_ERROR,
                    FOYER_GRAPH_ERROR_INVALID_REQUEST);
    g_assert_cmpuint (files->log->len, ==, 0);
    /* The cloud's own host is fine. */
    get (cloud_client, "/me", NULL, &r);
    g_assert_no_error (r.error);
    result_clear (&r);
  }
  soup_server_disconnect (plain);
}

/* A client with the system's anchors alone does not trust a test CA: the
 * descriptor's CA is never trusted beyond the client given it. */
static void
test_system_trust_only (void)
{
  g_autoptr (MockServer) mock = mock_server_new (slow_responder, NULL);
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("token-1");
  g_autoptr (FoyerGraphClient) client = NULL;
  Result r = { 0 };

  client = foyer_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));
  foyer_graph_client_set_max_retries (client, 0);
  get (client, "/me", NULL, &r);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NETWORK);
  g_assert_cmpuint (mock->log->len, ==, 0);
  result_clear (&r);
}

typedef struct
{
  GPtrArray *lines;
} Captured;

static void
capture_cb (const char *domain, GLogLevelFlags level, const char *message, gpointer user_data)
{
  g_ptr_array_add (((Captured *) user_data)->lines, g_strdup (message));
}

static guint
flaky_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i == 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "0");
      mock_graph_error (msg, 503, "serviceNotAvailable", NULL, "req-503");
    }
  else if (g_str_has_prefix (path, "/v1.0/missing"))
    mock_graph_error (msg, 404, "itemNotFound", NULL, "req-404");
  else
    mock_json (msg, 200, "{}");
  return 0;
}

/* One client-request-id per call, kept across its retries, and logged with
 * the request-id when the call fails (what Microsoft support asks for). */
static void
test_client_request_id (void)
{
  g_autoptr (MockServer) mock = mock_server_new (flaky_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  Captured captured = { g_ptr_array_new_with_free_func (g_free) };
  guint handler;
  Result r = { 0 };
  const char *first;
  const char *failed;

  get (client, "/me", NULL, &r);
  g_assert_no_error (r.error);
  result_clear (&r);
  g_assert_cmpuint (mock->log->len, ==, 2);
  first = mock_server_request (mock, 0)->client_request_id;
  g_assert_true (g_uuid_string_is_valid (first));
  g_assert_cmpstr (mock_server_request (mock, 1)->client_request_id, ==, first);

  handler = g_log_set_handler ("foyer-graph", G_LOG_LEVEL_MESSAGE, capture_cb, &captured);
  get (client, "/missing", NULL, &r);
  g_log_remove_handler ("foyer-graph", handler);
  g_assert_error (r.error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND);
  result_clear (&r);
  failed = mock_server_request (mock, 2)->client_request_id;
  g_assert_true (g_uuid_string_is_valid (failed));
  g_assert_cmpstr (failed, !=, first);
  g_assert_cmpuint (captured.lines->len, ==, 1);
  g_assert_nonnull (strstr (captured.lines->pdata[0], failed));
  g_assert_nonnull (strstr (captured.lines->pdata[0], "req-404"));
  g_ptr_array_unref (captured.lines);
}

/* createLink: anonymous is forbidden by the tenant, organization works. */
static guint
link_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *text = g_strndup (body->data, body->length);

  if (strstr (path, "/createLink") == NULL)
    mock_json (msg, 200, "{\"id\":\"ITEM\",\"webUrl\":\"https://contoso.sharepoint.com/doc\"}");
  else if (strstr (text, "\"anonymous\"") != NULL)
    mock_graph_error (msg, 403, "accessDenied", NULL, "rid-anon");
  else if (strstr (text, "\"organization\"") != NULL && GPOINTER_TO_UINT (d) == 0)
    mock_json (
        msg, i < 2 ? 201 : 200,
        "{\"id\":\"perm1\",\"roles\":[\"read\"],\"link\":{\"type\":\"view\","
        "\"scope\":\"organization\",\"webUrl\":\"https://contoso.sharepoint.com/:w:/g/x\"}}");
  else
    mock_graph_error (msg, 400, "invalidRequest", NULL, "rid-org");
  return 0;
}

static void
link_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->object
      = foyer_graph_create_link_with_fallback_finish (FOYER_GRAPH_CLIENT (source), res, &r->error);
  r->done = TRUE;
}

static void
test_create_link_fallback (void)
{
  g_autoptr (MockServer) mock = mock_server_new (link_responder, NULL);
  g_autoptr (MockServer) no_org = mock_server_new (link_responder, GUINT_TO_POINTER (1));
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (FoyerGraphClient) client2 = client_for (no_org, NULL);
  FoyerGraphLink *link;
  Result r = { 0 };

  foyer_graph_create_link_with_fallback_async (client, "b!d", "ITEM", FOYER_LINK_TYPE_VIEW,
                                               FOYER_GRAPH_LINK_SCOPE_ANONYMOUS, NULL, link_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  link = r.object;
  g_assert_cmpint (link->scope, ==, FOYER_GRAPH_LINK_SCOPE_ORGANIZATION);
  g_assert_cmpint (link->requested_scope, ==, FOYER_GRAPH_LINK_SCOPE_ANONYMOUS);
  g_assert_true (link->created);
  g_assert_cmpstr (link->web_url, ==, "https://contoso.sharepoint.com/:w:/g/x");
  g_assert_cmpuint (mock->log->len, ==, 2);
  g_assert_cmpstr (mock_server_request (mock, 0)->path, ==,
                   "/v1.0/drives/b!d/items/ITEM/createLink");
  g_assert_cmpstr (mock_server_request (mock, 0)->method, ==, "POST");
  g_clear_pointer (&r.object, foyer_graph_link_free);

  /* Asking again returns the equal existing link: 200, not created. */
  r.done = FALSE;
  foyer_graph_create_link_with_fallback_async (client, NULL, "ITEM", FOYER_LINK_TYPE_VIEW,
                                               FOYER_GRAPH_LINK_SCOPE_ORGANIZATION, NULL, link_cb,
                                               &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_false (((FoyerGraphLink *) r.object)->created);
  g_assert_cmpstr (mock_server_request (mock, 2)->path, ==, "/v1.0/me/drive/items/ITEM/createLink");
  g_clear_pointer (&r.object, foyer_graph_link_free);

  /* A tenant refusing both ends with the people who already have access. */
  r.done = FALSE;
  foyer_graph_create_link_with_fallback_async (client2, "b!d", "ITEM", FOYER_LINK_TYPE_EDIT,
                                               FOYER_GRAPH_LINK_SCOPE_ANONYMOUS, NULL, link_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  link = r.object;
  g_assert_cmpint (link->scope, ==, FOYER_GRAPH_LINK_SCOPE_EXISTING);
  g_assert_cmpstr (link->web_url, ==, "https://contoso.sharepoint.com/doc");
  g_assert_cmpuint (no_org->log->len, ==, 3);
  g_assert_cmpstr (mock_server_request (no_org, 2)->method, ==, "GET");
  g_clear_pointer (&r.object, foyer_graph_link_free);
  result_clear (&r);
}

/* Recent: the insights endpoint fails here, the deprecated one answers. */
static guint
recent_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (g_str_has_prefix (path, "/v1.0/me/insights/used"))
    mock_graph_error (msg, 403, "accessDenied", NULL, "rid-ins");
  else if (g_str_has_prefix (path, "/v1.0/me/insights/shared"))
    mock_json (msg, 200,
               "{\"value\":[{\"id\":\"i1\",\"resourceVisualization\":{\"title\":\"S.docx\"},"
               "\"resourceReference\":{\"id\":\"drives/D/items/I\",\"type\":"
               "\"microsoft.graph.driveItem\",\"webUrl\":\"https://x/S.docx\"},"
               "\"lastShared\":{\"sharedBy\":{\"displayName\":\"Bob\",\"address\":\"bob@x\"}}}]}");
  else
    mock_json (msg, 200, "{\"value\":[{\"id\":\"R1\",\"name\":\"recent.pdf\"}]}");
  return 0;
}

static void
test_recent_and_shared (void)
{
  g_autoptr (MockServer) mock = mock_server_new (recent_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (FoyerDriveItemList) recent = foyer_drive_item_list_new_recent (client);
  g_autoptr (FoyerDriveItemList) shared = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;

  /* The fallback is a second load: wait for a page or an error. */
  while (foyer_drive_item_list_get_pages_loaded (recent) == 0
         && foyer_drive_item_list_get_error (recent) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (foyer_drive_item_list_get_error (recent));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (recent)), ==, 1);
  g_assert_true (g_str_has_prefix (mock_server_request (mock, 0)->path, "/v1.0/me/insights/used"));
  g_assert_true (g_str_has_prefix (mock_server_request (mock, 1)->path, "/v1.0/me/drive/recent"));

  shared = foyer_drive_item_list_new_shared_with_me (client);
  wait_loaded (shared);
  g_assert_no_error (foyer_drive_item_list_get_error (shared));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (shared)), ==, 1);
  item = g_list_model_get_item (G_LIST_MODEL (shared), 0);
  g_assert_cmpstr (foyer_drive_item_get_drive_id (item), ==, "D");
  g_assert_cmpstr (foyer_drive_item_get_modified_by_name (item), ==, "Bob");
  g_assert_cmpuint (mock_server_count (mock, "/v1.0/me/drive/sharedWithMe"), ==, 0);
}

static guint
echo_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  mock_json (msg, 200, "{\"value\":[]}");
  return 0;
}

static void
shared_thumb_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Result *r = user_data;

  r->bytes = foyer_graph_client_get_shared_thumbnail_finish (FOYER_GRAPH_CLIENT (source), res,
                                                             &r->error);
  r->done = TRUE;
}

static void
test_endpoint_paths (void)
{
  g_autoptr (MockServer) mock = mock_server_new (echo_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock, NULL);
  g_autoptr (FoyerDriveItemList) search = foyer_drive_item_list_new_search (client, "O'Brien plan");
  g_autoptr (FoyerDriveItemList) sites
      = foyer_drive_item_list_new_site_search (client, "market ing");
  g_autoptr (FoyerDriveItemList) drives = foyer_drive_item_list_new_site_drives (client, "s,1,2");
  g_autoptr (FoyerDriveItemList) followed = foyer_drive_item_list_new_followed_sites (client);
  Result r = { 0 };

  wait_loaded (search);
  wait_loaded (sites);
  wait_loaded (drives);
  wait_loaded (followed);
  g_assert_cmpuint (
      mock_server_count (mock, "/v1.0/me/drive/root/search(q='O''Brien plan')?$select="), ==, 1);
  g_assert_cmpuint (mock_server_count (mock, "/v1.0/sites?search=market%20ing&$select="), ==, 1);
  g_assert_cmpuint (mock_server_count (mock, "/v1.0/sites/s,1,2/drives?$select="), ==, 1);
  g_assert_cmpuint (mock_server_count (mock, "/v1.0/me/followedSites"), ==, 1);

  foyer_graph_client_get_shared_thumbnail_async (
      client, "https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1",
      "c300x400", NULL, shared_thumb_cb, &r);
  mock_wait_for (&r.done, 30000);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.bytes);
  g_assert_cmpuint (
      mock_server_count (mock,
                         "/v1.0/shares/u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMj"
                         "MxMjQ0MTkzOTEyITEyJmF1dGhLZXk9MTIwMTkxOSExMjkyMSEx/driveItem/"
                         "thumbnails/0/c300x400/content"),
      ==, 1);
  result_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/client/paging-lazy", test_paging_lazy);
  g_test_add_func ("/graph/client/permissions-pages", test_permissions_pages);
  g_test_add_func ("/graph/client/throttle-retry-after", test_throttle_retry_after);
  g_test_add_func ("/graph/client/retry-after-date", test_retry_after_date);
  g_test_add_func ("/graph/client/throttle-exhausted", test_throttle_exhausted);
  g_test_add_func ("/graph/client/throttle-too-long", test_throttle_too_long);
  g_test_add_func ("/graph/client/throttle-holds-host", test_throttle_holds_host);
  g_test_add_func ("/graph/client/throttle-too-long-holds-host", test_throttle_too_long_holds_host);
  g_test_add_func ("/graph/client/backoff-503", test_backoff_503);
  g_test_add_func ("/graph/client/no-retry-of-failed-write", test_no_retry_of_failed_write);
  g_test_add_func ("/graph/client/unauthorized-refresh", test_unauthorized_refresh);
  g_test_add_func ("/graph/client/authorizer-error-passes-through",
                   test_authorizer_error_passes_through);
  g_test_add_func ("/graph/client/malformed", test_malformed);
  g_test_add_func ("/graph/client/malformed-item", test_malformed_item);
  g_test_add_func ("/graph/client/cancel-in-flight", test_cancel_in_flight);
  g_test_add_func ("/graph/client/cancel-during-retry-wait", test_cancel_during_retry_wait);
  g_test_add_func ("/graph/client/dispose-cancels-list", test_dispose_cancels_list);
  g_test_add_func ("/graph/client/concurrency-limit", test_concurrency_limit);
  g_test_add_func ("/graph/client/redirect-without-token", test_redirect_without_token);
  g_test_add_func ("/graph/client/foreign-next-link", test_foreign_next_link);
  g_test_add_func ("/graph/client/redirect-refused", test_redirect_refused);
  g_test_add_func ("/graph/client/system-trust-only", test_system_trust_only);
  g_test_add_func ("/graph/client/client-request-id", test_client_request_id);
  g_test_add_func ("/graph/client/create-link-fallback", test_create_link_fallback);
  g_test_add_func ("/graph/client/recent-and-shared", test_recent_and_shared);
  g_test_add_func ("/graph/client/endpoint-paths", test_endpoint_paths);
  return g_test_run ();
}
