/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FoyerThumbnailLoader: coalescing, LRU, per-requester cancellation,
 * bounded concurrency, the persistent cache interface and Retry-After. */
#include "config.h"

#include <string.h>

#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-thumbnail-cache.h"
#include "foyer-thumbnail-loader.h"
#include "graph-mock-server.h"

/* An in-memory FoyerThumbnailCache standing in for the encrypted store. */
#define TEST_TYPE_MEMORY_CACHE (test_memory_cache_get_type ())
G_DECLARE_FINAL_TYPE (TestMemoryCache, test_memory_cache, TEST, MEMORY_CACHE, GObject)

struct _TestMemoryCache
{
  GObject parent_instance;
  GHashTable *entries;
  guint lookups;
  guint stores;
};

static void cache_iface_init (FoyerThumbnailCacheInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMemoryCache,
                               test_memory_cache,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_THUMBNAIL_CACHE, cache_iface_init))

static void
cache_lookup_async (FoyerThumbnailCache *cache,
                    const char *key,
                    GCancellable *cancellable,
                    GAsyncReadyCallback callback,
                    gpointer user_data)
{
  TestMemoryCache *self = TEST_MEMORY_CACHE (cache);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GBytes *bytes = g_hash_table_lookup (self->entries, key);

  self->lookups++;
  g_task_return_pointer (task, bytes != NULL ? g_bytes_ref (bytes) : NULL,
                         (GDestroyNotify) g_bytes_unref);
}

static GBytes *
cache_lookup_finish (FoyerThumbnailCache *cache, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cache_store_async (FoyerThumbnailCache *cache,
                   const char *key,
                   GBytes *bytes,
                   GCancellable *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer user_data)
{
  TestMemoryCache *self = TEST_MEMORY_CACHE (cache);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->stores++;
  g_hash_table_insert (self->entries, g_strdup (key), g_bytes_ref (bytes));
  g_task_return_boolean (task, TRUE);
}

static gboolean
cache_store_finish (FoyerThumbnailCache *cache, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
cache_iface_init (FoyerThumbnailCacheInterface *iface)
{
  iface->lookup_async = cache_lookup_async;
  iface->lookup_finish = cache_lookup_finish;
  iface->store_async = cache_store_async;
  iface->store_finish = cache_store_finish;
}

static void
test_memory_cache_finalize (GObject *object)
{
  g_hash_table_unref (TEST_MEMORY_CACHE (object)->entries);
  G_OBJECT_CLASS (test_memory_cache_parent_class)->finalize (object);
}

static void
test_memory_cache_class_init (TestMemoryCacheClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_memory_cache_finalize;
}

static void
test_memory_cache_init (TestMemoryCache *self)
{
  self->entries
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

/* Each thumbnail path answers 100 bytes naming itself, after a delay. */
static guint
thumb_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  char body[100];

  memset (body, '.', sizeof body);
  memcpy (body, path, MIN (strlen (path), sizeof body));
  if (strstr (path, "missing") != NULL)
    mock_graph_error (msg, 404, "itemNotFound", NULL, "rid-404");
  else
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "image/jpeg", SOUP_MEMORY_COPY, body, sizeof body);
    }
  return GPOINTER_TO_UINT (d);
}

typedef struct
{
  guint done;
  guint ok;
  guint cancelled;
  guint failed;
  guint retry_after; /* of the last failure */
  GBytes *last;
} Loads;

static void
load_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Loads *loads = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = foyer_thumbnail_loader_load_finish (FOYER_THUMBNAIL_LOADER (source), res, &error);
  loads->done++;
  if (bytes != NULL)
    {
      loads->ok++;
      g_clear_pointer (&loads->last, g_bytes_unref);
      loads->last = g_steal_pointer (&bytes);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    loads->cancelled++;
  else
    {
      loads->failed++;
      loads->retry_after = foyer_graph_error_get_retry_after (error);
    }
}

static void
wait_loads (Loads *loads, guint n)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (loads->done < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static FoyerGraphClient *
client_for (MockServer *mock)
{
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("tok");

  return mock_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));
}

static void
load (FoyerThumbnailLoader *loader, const char *name, GCancellable *cancellable, Loads *loads)
{
  g_autofree char *path = foyer_graph_shared_thumbnail_path (name, "medium");
  g_autofree char *key = g_strconcat (name, ":medium", NULL);

  foyer_thumbnail_loader_load_async (loader, key, path, cancellable, load_cb, loads);
}

static void
test_coalesce (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, GUINT_TO_POINTER (100));
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  Loads loads = { 0 };

  for (guint i = 0; i < 10; i++)
    load (loader, "u!one", NULL, &loads);
  wait_loads (&loads, 10);
  g_assert_cmpuint (loads.ok, ==, 10);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_cmpstr (mock_server_request (mock, 0)->path, ==,
                   "/v1.0/shares/u!one/driveItem/thumbnails/0/medium/content");

  /* Later loads come from memory. */
  load (loader, "u!one", NULL, &loads);
  wait_loads (&loads, 11);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_true (foyer_thumbnail_loader_is_in_memory (loader, "u!one:medium"));
  g_clear_pointer (&loads.last, g_bytes_unref);
}

static void
test_lru_eviction (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  Loads loads = { 0 };

  foyer_thumbnail_loader_set_max_memory_bytes (loader, 250);
  load (loader, "u!a", NULL, &loads);
  wait_loads (&loads, 1);
  load (loader, "u!b", NULL, &loads);
  wait_loads (&loads, 2);
  /* Touch a so that b is the least recently used. */
  load (loader, "u!a", NULL, &loads);
  wait_loads (&loads, 3);
  g_assert_cmpuint (mock->log->len, ==, 2);
  load (loader, "u!c", NULL, &loads);
  wait_loads (&loads, 4);

  g_assert_cmpuint (foyer_thumbnail_loader_get_memory_bytes (loader), ==, 200);
  g_assert_true (foyer_thumbnail_loader_is_in_memory (loader, "u!a:medium"));
  g_assert_false (foyer_thumbnail_loader_is_in_memory (loader, "u!b:medium"));
  g_assert_true (foyer_thumbnail_loader_is_in_memory (loader, "u!c:medium"));

  /* b is fetched again. */
  load (loader, "u!b", NULL, &loads);
  wait_loads (&loads, 5);
  g_assert_cmpuint (mock->log->len, ==, 4);
  g_assert_cmpuint (loads.ok, ==, 5);

  /* Shrinking evicts at once. */
  foyer_thumbnail_loader_set_max_memory_bytes (loader, 100);
  g_assert_cmpuint (foyer_thumbnail_loader_get_memory_bytes (loader), ==, 100);
  g_assert_true (foyer_thumbnail_loader_is_in_memory (loader, "u!b:medium"));
  g_clear_pointer (&loads.last, g_bytes_unref);
}

static void
test_cancel_one_requester (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, GUINT_TO_POINTER (300));
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  g_autoptr (GCancellable) first = g_cancellable_new ();
  g_autoptr (GCancellable) second = g_cancellable_new ();
  Loads loads = { 0 };

  load (loader, "u!shared", first, &loads);
  load (loader, "u!shared", second, &loads);
  mock_wait_for_requests (mock, 1, 30000);
  g_cancellable_cancel (first);
  wait_loads (&loads, 1);
  g_assert_cmpuint (loads.cancelled, ==, 1);

  /* The other requester still gets the image, from the one request. */
  wait_loads (&loads, 2);
  g_assert_cmpuint (loads.ok, ==, 1);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_clear_pointer (&loads.last, g_bytes_unref);
}

static void
test_cancel_last_requester (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, GUINT_TO_POINTER (2000));
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  g_autoptr (GCancellable) first = g_cancellable_new ();
  g_autoptr (GCancellable) second = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();
  Loads loads = { 0 };

  load (loader, "u!gone", first, &loads);
  load (loader, "u!gone", second, &loads);
  mock_wait_for_requests (mock, 1, 30000);
  g_cancellable_cancel (first);
  g_cancellable_cancel (second);
  wait_loads (&loads, 2);
  g_assert_cmpuint (loads.cancelled, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * 1000);

  /* The fetch itself was dropped: a new load starts a new request. */
  load (loader, "u!gone", NULL, &loads);
  wait_loads (&loads, 3);
  g_assert_cmpuint (loads.ok, ==, 1);
  g_assert_cmpuint (mock->log->len, ==, 2);
  g_clear_pointer (&loads.last, g_bytes_unref);
}

static void
test_bounded_concurrency (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, GUINT_TO_POINTER (300));
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Loads loads = { 0 };

  foyer_thumbnail_loader_set_max_concurrent (loader, 2);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("u!tile%u", i);

      load (loader, name, i == 7 ? cancellable : NULL, &loads);
    }
  /* A queued tile that scrolls away is dropped before it is requested. */
  g_cancellable_cancel (cancellable);
  wait_loads (&loads, 8);
  g_assert_cmpuint (loads.ok, ==, 7);
  g_assert_cmpuint (loads.cancelled, ==, 1);
  g_assert_cmpuint (mock->max_in_flight, ==, 2);
  g_assert_cmpuint (mock->log->len, ==, 7);
  g_clear_pointer (&loads.last, g_bytes_unref);
}

static void
test_errors (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  Loads loads = { 0 };

  load (loader, "u!missing", NULL, &loads);
  load (loader, "u!missing", NULL, &loads);
  wait_loads (&loads, 2);
  g_assert_cmpuint (loads.failed, ==, 2);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_false (foyer_thumbnail_loader_is_in_memory (loader, "u!missing:medium"));

  /* "No thumbnail" is remembered: a tile bound again does not ask again. */
  load (loader, "u!missing", NULL, &loads);
  wait_loads (&loads, 3);
  g_assert_cmpuint (loads.failed, ==, 3);
  g_assert_cmpuint (mock->log->len, ==, 1);
}

static void
test_persistent_cache (void)
{
  g_autoptr (MockServer) mock = mock_server_new (thumb_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (TestMemoryCache) cache = g_object_new (TEST_TYPE_MEMORY_CACHE, NULL);
  g_autoptr (FoyerThumbnailLoader) loader = NULL;
  g_autoptr (GBytes) first = NULL;
  Loads loads = { 0 };

  loader = foyer_thumbnail_loader_new (client, FOYER_THUMBNAIL_CACHE (cache));
  load (loader, "u!disk", NULL, &loads);
  wait_loads (&loads, 1);
  g_assert_cmpuint (loads.ok, ==, 1);
  g_assert_cmpuint (cache->lookups, ==, 1);
  g_assert_cmpuint (cache->stores, ==, 1);
  g_assert_cmpuint (mock->log->len, ==, 1);
  first = g_steal_pointer (&loads.last);

  /* A new loader (the app restarted) finds it in the persistent cache. */
  g_clear_object (&loader);
  loader = foyer_thumbnail_loader_new (client, FOYER_THUMBNAIL_CACHE (cache));
  load (loader, "u!disk", NULL, &loads);
  wait_loads (&loads, 2);
  g_assert_cmpuint (loads.ok, ==, 2);
  g_assert_cmpuint (mock->log->len, ==, 1);
  g_assert_cmpuint (cache->lookups, ==, 2);
  g_assert_true (g_bytes_equal (first, loads.last));
  g_assert_true (foyer_thumbnail_loader_is_in_memory (loader, "u!disk:medium"));
  g_clear_pointer (&loads.last, g_bytes_unref);
}

/* The first request for a "busy" thumbnail is throttled for two seconds;
 * every other answers. */
static guint
busy_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i == 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "2");
      mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "rid-busy");
      return 0;
    }
  return thumb_responder (mock, msg, path, i, d);
}

/* A Retry-After longer than the client waits fails the fetch at once;
 * then no fetch starts before it has passed, whoever asks: the same tile
 * bound again, another tile, a new loader given the old one's time. */
static void
test_throttle_holds_fetches (void)
{
  g_autoptr (MockServer) mock = mock_server_new (busy_responder, NULL);
  g_autoptr (FoyerGraphClient) client = client_for (mock);
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (client, NULL);
  g_autoptr (FoyerThumbnailLoader) replacement = foyer_thumbnail_loader_new (client, NULL);
  Loads loads = { 0 };

  foyer_graph_client_set_max_wait_ms (client, 300);
  load (loader, "u!busy", NULL, &loads);
  wait_loads (&loads, 1);
  g_assert_cmpuint (loads.failed, ==, 1);
  g_assert_cmpuint (loads.retry_after, ==, 2);
  g_assert_cmpint (foyer_thumbnail_loader_get_held_until (loader), >, g_get_monotonic_time ());

  load (loader, "u!busy", NULL, &loads);
  load (loader, "u!other", NULL, &loads);
  foyer_thumbnail_loader_hold_until (replacement, foyer_thumbnail_loader_get_held_until (loader));
  load (replacement, "u!third", NULL, &loads);
  wait_loads (&loads, 4);
  g_assert_cmpuint (loads.ok, ==, 3);
  g_assert_cmpuint (mock->log->len, ==, 4);
  for (guint i = 1; i < mock->log->len; i++)
    {
      gint64 gap = mock_server_request (mock, i)->time_us - mock_server_request (mock, 0)->time_us;

      g_test_message ("%s %" G_GINT64_FORMAT " us after the 429",
                      mock_server_request (mock, i)->path, gap);
      g_assert_cmpint (gap, >=, 2 * G_USEC_PER_SEC);
    }
  g_assert_cmpint (foyer_thumbnail_loader_get_held_until (loader), ==, 0);
  g_clear_pointer (&loads.last, g_bytes_unref);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/thumbnails/coalesce", test_coalesce);
  g_test_add_func ("/graph/thumbnails/lru-eviction", test_lru_eviction);
  g_test_add_func ("/graph/thumbnails/cancel-one-requester", test_cancel_one_requester);
  g_test_add_func ("/graph/thumbnails/cancel-last-requester", test_cancel_last_requester);
  g_test_add_func ("/graph/thumbnails/bounded-concurrency", test_bounded_concurrency);
  g_test_add_func ("/graph/thumbnails/errors", test_errors);
  g_test_add_func ("/graph/thumbnails/persistent-cache", test_persistent_cache);
  g_test_add_func ("/graph/thumbnails/throttle-holds-fetches", test_throttle_holds_fetches);
  return g_test_run ();
}
