/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-thumbnail-loader.h"

#include "foyer-graph-error.h"

#include <glib/gi18n-lib.h>

/* How long "this item has no thumbnail" is believed (MSGRAPH.md: empty
 * `value` for some Excel files, .url files, folders). */
#define NO_THUMBNAIL_TTL_US (10 * 60 * G_USEC_PER_SEC)

struct _FoyerThumbnailLoader
{
  GObject parent_instance;

  FoyerGraphClient *client;
  FoyerThumbnailCache *cache;

  /* Memory LRU: most recent at the head. */
  GQueue lru;         /* MemEntry* */
  GHashTable *memory; /* key → GList* in lru */
  gsize memory_bytes;
  gsize max_memory_bytes;

  GHashTable *missing; /* key → gint64* expiry (monotonic µs) of a NOT_FOUND */
  GHashTable *fetches; /* key → Fetch*, those with requesters */
  GQueue queued;       /* Fetch* waiting for a network slot */
  guint running;
  guint max_concurrent;

  /* Microsoft's last Retry-After for the Graph host all fetches start at
   * (monotonic µs): no fetch starts before it, whoever asks again. */
  gint64 held_until;
  guint hold_source;
};

G_DEFINE_FINAL_TYPE (FoyerThumbnailLoader, foyer_thumbnail_loader, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MAX_MEMORY_BYTES,
  PROP_MAX_CONCURRENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  char *key;
  GBytes *bytes;
} MemEntry;

typedef enum
{
  FETCH_CACHE,
  FETCH_QUEUED,
  FETCH_NETWORK,
} FetchState;

typedef struct
{
  FoyerThumbnailLoader *self; /* a reference */
  char *key;
  char *path;
  GCancellable *cancellable;
  GPtrArray *waiters; /* GTask*; empty means orphaned */
  FetchState state;
} Fetch;

typedef struct
{
  Fetch *fetch;
  GSource *cancel_source;
} Waiter;

static void
mem_entry_free (MemEntry *entry)
{
  g_free (entry->key);
  g_bytes_unref (entry->bytes);
  g_free (entry);
}

static void
fetch_free (Fetch *fetch)
{
  g_assert (fetch->waiters->len == 0);
  g_object_unref (fetch->self);
  g_free (fetch->key);
  g_free (fetch->path);
  g_object_unref (fetch->cancellable);
  g_ptr_array_unref (fetch->waiters);
  g_free (fetch);
}

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_free (waiter);
}

static void
foyer_thumbnail_loader_finalize (GObject *object)
{
  FoyerThumbnailLoader *self = FOYER_THUMBNAIL_LOADER (object);

  /* Fetches hold a reference on the loader, so none is left here. */
  g_assert (g_hash_table_size (self->fetches) == 0);
  g_clear_handle_id (&self->hold_source, g_source_remove);
  g_queue_clear_full (&self->lru, (GDestroyNotify) mem_entry_free);
  g_clear_pointer (&self->memory, g_hash_table_unref);
  g_clear_pointer (&self->fetches, g_hash_table_unref);
  g_clear_pointer (&self->missing, g_hash_table_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->cache);

  G_OBJECT_CLASS (foyer_thumbnail_loader_parent_class)->finalize (object);
}

static void
foyer_thumbnail_loader_get_property (GObject *object,
                                     guint prop_id,
                                     GValue *value,
                                     GParamSpec *pspec)
{
  FoyerThumbnailLoader *self = FOYER_THUMBNAIL_LOADER (object);

  switch (prop_id)
    {
    case PROP_MAX_MEMORY_BYTES:
      g_value_set_uint64 (value, self->max_memory_bytes);
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_thumbnail_loader_set_property (GObject *object,
                                     guint prop_id,
                                     const GValue *value,
                                     GParamSpec *pspec)
{
  FoyerThumbnailLoader *self = FOYER_THUMBNAIL_LOADER (object);

  switch (prop_id)
    {
    case PROP_MAX_MEMORY_BYTES:
      foyer_thumbnail_loader_set_max_memory_bytes (self, (gsize) g_value_get_uint64 (value));
      break;
    case PROP_MAX_CONCURRENT:
      foyer_thumbnail_loader_set_max_concurrent (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_thumbnail_loader_class_init (FoyerThumbnailLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_thumbnail_loader_finalize;
  object_class->get_property = foyer_thumbnail_loader_get_property;
  object_class->set_property = foyer_thumbnail_loader_set_property;

  properties[PROP_MAX_MEMORY_BYTES]
      = g_param_spec_uint64 ("max-memory-bytes", NULL, NULL, 0, G_MAXUINT64, 32 * 1024 * 1024, rw);
  properties[PROP_MAX_CONCURRENT] = g_param_spec_uint ("max-concurrent", NULL, NULL, 1, 64, 8, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_thumbnail_loader_init (FoyerThumbnailLoader *self)
{
  g_queue_init (&self->lru);
  g_queue_init (&self->queued);
  self->memory = g_hash_table_new (g_str_hash, g_str_equal);
  self->fetches = g_hash_table_new (g_str_hash, g_str_equal);
  self->missing = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->max_memory_bytes = 32 * 1024 * 1024;
  /* Each fetch spends a round trip on Graph (its 302) and one on the
   * files host: 8 keeps the Graph client's 4 connections busy on both,
   * where 6 held for both hops left Graph idle a quarter of the time. */
  self->max_concurrent = 8;
}

FoyerThumbnailLoader *
foyer_thumbnail_loader_new (FoyerGraphClient *client, FoyerThumbnailCache *cache)
{
  FoyerThumbnailLoader *self;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (cache == NULL || FOYER_IS_THUMBNAIL_CACHE (cache), NULL);

  self = g_object_new (FOYER_TYPE_THUMBNAIL_LOADER, NULL);
  self->client = g_object_ref (client);
  self->cache = cache != NULL ? g_object_ref (cache) : NULL;
  return self;
}

/* Memory LRU. */

static void
memory_evict (FoyerThumbnailLoader *self)
{
  while (self->memory_bytes > self->max_memory_bytes && !g_queue_is_empty (&self->lru))
    {
      MemEntry *entry = g_queue_pop_tail (&self->lru);

      g_hash_table_remove (self->memory, entry->key);
      self->memory_bytes -= g_bytes_get_size (entry->bytes);
      mem_entry_free (entry);
    }
}

static GBytes *
memory_lookup (FoyerThumbnailLoader *self, const char *key)
{
  GList *link = g_hash_table_lookup (self->memory, key);

  if (link == NULL)
    return NULL;
  g_queue_unlink (&self->lru, link);
  g_queue_push_head_link (&self->lru, link);
  return ((MemEntry *) link->data)->bytes;
}

static void
memory_store (FoyerThumbnailLoader *self, const char *key, GBytes *bytes)
{
  GList *link = g_hash_table_lookup (self->memory, key);
  MemEntry *entry;

  if (link != NULL)
    {
      entry = link->data;
      g_hash_table_remove (self->memory, key);
      g_queue_delete_link (&self->lru, link);
      self->memory_bytes -= g_bytes_get_size (entry->bytes);
      mem_entry_free (entry);
    }
  if (g_bytes_get_size (bytes) > self->max_memory_bytes)
    return;

  entry = g_new0 (MemEntry, 1);
  entry->key = g_strdup (key);
  entry->bytes = g_bytes_ref (bytes);
  g_queue_push_head (&self->lru, entry);
  g_hash_table_insert (self->memory, entry->key, self->lru.head);
  self->memory_bytes += g_bytes_get_size (bytes);
  memory_evict (self);
}

/* Fetches. */

static void start_network (Fetch *fetch);

static void
fetch_complete (Fetch *fetch, GBytes *bytes, const GError *error)
{
  FoyerThumbnailLoader *self = fetch->self;
  g_autoptr (GPtrArray) waiters = NULL;

  if (g_hash_table_lookup (self->fetches, fetch->key) == fetch)
    g_hash_table_remove (self->fetches, fetch->key);

  waiters = g_steal_pointer (&fetch->waiters);
  fetch->waiters = g_ptr_array_new ();
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = g_ptr_array_index (waiters, i);
      Waiter *waiter = g_task_get_task_data (task);

      waiter->fetch = NULL;
      if (waiter->cancel_source != NULL)
        {
          g_source_destroy (waiter->cancel_source);
          g_clear_pointer (&waiter->cancel_source, g_source_unref);
        }
      if (bytes != NULL)
        g_task_return_pointer (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      else
        g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
    }
  fetch_free (fetch);
}

static void run_queue (FoyerThumbnailLoader *self);

static gboolean
hold_over_cb (gpointer data)
{
  FoyerThumbnailLoader *self = data;

  self->hold_source = 0;
  run_queue (self);
  return G_SOURCE_REMOVE;
}

/* While the host is held, queued fetches wait for the end of it. */
static gboolean
is_held (FoyerThumbnailLoader *self)
{
  gint64 wait_us = self->held_until - g_get_monotonic_time ();

  if (wait_us <= 0)
    return FALSE;
  if (self->hold_source == 0 && !g_queue_is_empty (&self->queued))
    self->hold_source = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) ((wait_us + 999) / 1000),
                                            hold_over_cb, self, NULL);
  return TRUE;
}

static void
run_queue (FoyerThumbnailLoader *self)
{
  while (self->running < self->max_concurrent && !g_queue_is_empty (&self->queued)
         && !is_held (self))
    start_network (g_queue_pop_head (&self->queued));
}

/* Microsoft asked to be left alone for a while (429 or 503 with
 * Retry-After, after the client's own retries or at once when the wait
 * was longer than it waits). */
static void
note_retry_after (FoyerThumbnailLoader *self, const GError *error)
{
  guint seconds = foyer_graph_error_get_retry_after (error);

  if (seconds == 0)
    return;
  foyer_thumbnail_loader_hold_until (self,
                                     g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_thumbnail_cache_store_finish (FOYER_THUMBNAIL_CACHE (source), result, &error))
    g_debug ("Could not keep a thumbnail: %s", error->message);
}

static void
network_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  FoyerThumbnailLoader *self = g_object_ref (fetch->self);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = foyer_graph_client_request_bytes_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  self->running--;

  if (bytes != NULL)
    {
      memory_store (self, fetch->key, bytes);
      if (self->cache != NULL)
        foyer_thumbnail_cache_store_async (self->cache, fetch->key, bytes, NULL, store_cb, NULL);
    }
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED)
           || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE))
    note_retry_after (self, error);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    {
      gint64 *expiry = g_new (gint64, 1);

      /* Tiles scrolling back and forth must not ask again and again. */
      *expiry = g_get_monotonic_time () + NO_THUMBNAIL_TTL_US;
      if (g_hash_table_size (self->missing) >= 4096)
        g_hash_table_remove_all (self->missing);
      g_hash_table_replace (self->missing, g_strdup (fetch->key), expiry);
    }
  fetch_complete (fetch, bytes, error);
  run_queue (self);
  g_object_unref (self);
}

static void
start_network (Fetch *fetch)
{
  fetch->state = FETCH_NETWORK;
  fetch->self->running++;
  foyer_graph_client_request_bytes_async (fetch->self->client, "GET", fetch->path,
                                          fetch->cancellable, network_cb, fetch);
}

static void
queue_network (Fetch *fetch)
{
  fetch->state = FETCH_QUEUED;
  g_queue_push_tail (&fetch->self->queued, fetch);
  run_queue (fetch->self);
}

static void
cache_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  bytes = foyer_thumbnail_cache_lookup_finish (FOYER_THUMBNAIL_CACHE (source), result, &error);
  if (fetch->waiters->len == 0)
    {
      /* Everybody gave up while the cache was looked at. */
      fetch_free (fetch);
      return;
    }
  if (bytes != NULL)
    {
      memory_store (fetch->self, fetch->key, bytes);
      fetch_complete (fetch, bytes, NULL);
      return;
    }
  if (error != NULL)
    g_debug ("Thumbnail cache lookup failed: %s", error->message);
  queue_network (fetch);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  Waiter *waiter = g_task_get_task_data (task);
  Fetch *fetch = waiter->fetch;

  g_clear_pointer (&waiter->cancel_source, g_source_unref);
  if (fetch == NULL)
    return G_SOURCE_REMOVE;

  waiter->fetch = NULL;
  g_ptr_array_remove_fast (fetch->waiters, task);
  g_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _ ("The operation was cancelled")));

  /* The last requester is gone: stop the fetch itself. A new request for
   * the key starts afresh. */
  if (fetch->waiters->len == 0)
    {
      FoyerThumbnailLoader *self = fetch->self;

      g_hash_table_remove (self->fetches, fetch->key);
      g_cancellable_cancel (fetch->cancellable);
      if (fetch->state == FETCH_QUEUED)
        {
          g_queue_remove (&self->queued, fetch);
          fetch_free (fetch);
        }
    }
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static gboolean
is_known_missing (FoyerThumbnailLoader *self, const char *key)
{
  gint64 *expiry = g_hash_table_lookup (self->missing, key);

  if (expiry == NULL)
    return FALSE;
  if (*expiry > g_get_monotonic_time ())
    return TRUE;
  g_hash_table_remove (self->missing, key);
  return FALSE;
}

void
foyer_thumbnail_loader_load_async (FoyerThumbnailLoader *self,
                                   const char *key,
                                   const char *path,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Waiter *waiter;
  Fetch *fetch;
  GBytes *cached;

  g_return_if_fail (FOYER_IS_THUMBNAIL_LOADER (self));
  g_return_if_fail (key != NULL && path != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_thumbnail_loader_load_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  cached = memory_lookup (self, key);
  if (cached != NULL)
    {
      g_task_return_pointer (task, g_bytes_ref (cached), (GDestroyNotify) g_bytes_unref);
      return;
    }
  if (is_known_missing (self, key))
    {
      g_task_return_error (task, foyer_graph_error_new (FOYER_GRAPH_ERROR_NOT_FOUND, 404, NULL,
                                                        NULL, _ ("This item has no thumbnail")));
      return;
    }

  fetch = g_hash_table_lookup (self->fetches, key);
  if (fetch == NULL)
    {
      fetch = g_new0 (Fetch, 1);
      fetch->self = g_object_ref (self);
      fetch->key = g_strdup (key);
      fetch->path = g_strdup (path);
      fetch->cancellable = g_cancellable_new ();
      fetch->waiters = g_ptr_array_new ();
      g_hash_table_insert (self->fetches, fetch->key, fetch);
    }
  else
    fetch = NULL; /* joined below */

  waiter = g_new0 (Waiter, 1);
  waiter->fetch = g_hash_table_lookup (self->fetches, key);
  g_task_set_task_data (task, waiter, (GDestroyNotify) waiter_free);
  g_ptr_array_add (waiter->fetch->waiters, g_object_ref (task));
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb), task,
                             NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (task));
    }

  if (fetch == NULL)
    return;
  if (self->cache != NULL)
    {
      fetch->state = FETCH_CACHE;
      foyer_thumbnail_cache_lookup_async (self->cache, key, fetch->cancellable, cache_lookup_cb,
                                          fetch);
    }
  else
    queue_network (fetch);
}

GBytes *
foyer_thumbnail_loader_load_finish (FoyerThumbnailLoader *self,
                                    GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gsize
foyer_thumbnail_loader_get_max_memory_bytes (FoyerThumbnailLoader *self)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (self), 0);
  return self->max_memory_bytes;
}

void
foyer_thumbnail_loader_set_max_memory_bytes (FoyerThumbnailLoader *self, gsize max_bytes)
{
  g_return_if_fail (FOYER_IS_THUMBNAIL_LOADER (self));

  if (self->max_memory_bytes == max_bytes)
    return;
  self->max_memory_bytes = max_bytes;
  memory_evict (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_MEMORY_BYTES]);
}

guint
foyer_thumbnail_loader_get_max_concurrent (FoyerThumbnailLoader *self)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (self), 0);
  return self->max_concurrent;
}

void
foyer_thumbnail_loader_set_max_concurrent (FoyerThumbnailLoader *self, guint max_concurrent)
{
  g_return_if_fail (FOYER_IS_THUMBNAIL_LOADER (self));

  max_concurrent = CLAMP (max_concurrent, 1, 64);
  if (self->max_concurrent == max_concurrent)
    return;
  self->max_concurrent = max_concurrent;
  run_queue (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
}

gsize
foyer_thumbnail_loader_get_memory_bytes (FoyerThumbnailLoader *self)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (self), 0);
  return self->memory_bytes;
}

gint64
foyer_thumbnail_loader_get_held_until (FoyerThumbnailLoader *self)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (self), 0);
  return self->held_until > g_get_monotonic_time () ? self->held_until : 0;
}

void
foyer_thumbnail_loader_hold_until (FoyerThumbnailLoader *self, gint64 monotonic_us)
{
  g_return_if_fail (FOYER_IS_THUMBNAIL_LOADER (self));

  if (monotonic_us <= self->held_until)
    return;
  self->held_until = monotonic_us;
  /* A later end: the timer set for the earlier one would come too soon. */
  g_clear_handle_id (&self->hold_source, g_source_remove);
  run_queue (self);
}

gboolean
foyer_thumbnail_loader_is_in_memory (FoyerThumbnailLoader *self, const char *key)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (self), FALSE);
  return g_hash_table_contains (self->memory, key);
}
