/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-store-thumbnail-cache.h"

struct _FoyerStoreThumbnailCache
{
  GObject parent_instance;

  FoyerStore *store;
  guint64 max_bytes;
};

static void thumbnail_cache_iface_init (FoyerThumbnailCacheInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerStoreThumbnailCache,
                               foyer_store_thumbnail_cache,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_THUMBNAIL_CACHE,
                                                      thumbnail_cache_iface_init))

enum
{
  PROP_0,
  PROP_STORE,
  PROP_MAX_BYTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
foyer_store_thumbnail_cache_dispose (GObject *object)
{
  FoyerStoreThumbnailCache *self = FOYER_STORE_THUMBNAIL_CACHE (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (foyer_store_thumbnail_cache_parent_class)->dispose (object);
}

static void
foyer_store_thumbnail_cache_get_property (GObject *object,
                                          guint prop_id,
                                          GValue *value,
                                          GParamSpec *pspec)
{
  FoyerStoreThumbnailCache *self = FOYER_STORE_THUMBNAIL_CACHE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_store_thumbnail_cache_set_property (GObject *object,
                                          guint prop_id,
                                          const GValue *value,
                                          GParamSpec *pspec)
{
  FoyerStoreThumbnailCache *self = FOYER_STORE_THUMBNAIL_CACHE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_MAX_BYTES:
      self->max_bytes = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_store_thumbnail_cache_class_init (FoyerStoreThumbnailCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_store_thumbnail_cache_dispose;
  object_class->get_property = foyer_store_thumbnail_cache_get_property;
  object_class->set_property = foyer_store_thumbnail_cache_set_property;

  properties[PROP_STORE]
      = g_param_spec_object ("store", NULL, NULL, FOYER_TYPE_STORE,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_BYTES] = g_param_spec_uint64 (
      "max-bytes", NULL, NULL, 0, G_MAXUINT64, FOYER_STORE_THUMBNAIL_CACHE_DEFAULT_MAX_BYTES,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_store_thumbnail_cache_init (FoyerStoreThumbnailCache *self)
{
}

FoyerStoreThumbnailCache *
foyer_store_thumbnail_cache_new (FoyerStore *store, guint64 max_bytes)
{
  g_return_val_if_fail (FOYER_IS_STORE (store), NULL);

  return g_object_new (FOYER_TYPE_STORE_THUMBNAIL_CACHE, "store", store, "max-bytes", max_bytes,
                       NULL);
}

FoyerStore *
foyer_store_thumbnail_cache_get_store (FoyerStoreThumbnailCache *self)
{
  g_return_val_if_fail (FOYER_IS_STORE_THUMBNAIL_CACHE (self), NULL);

  return self->store;
}

guint64
foyer_store_thumbnail_cache_get_max_bytes (FoyerStoreThumbnailCache *self)
{
  g_return_val_if_fail (FOYER_IS_STORE_THUMBNAIL_CACHE (self), 0);

  return self->max_bytes;
}

static void
lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  GBytes *bytes = foyer_store_get_finish (FOYER_STORE (object), result, &error);

  /* A tampered thumbnail was dropped: absent, so the loader fetches it again. */
  if (g_error_matches (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED))
    g_clear_error (&error);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

static void
foyer_store_thumbnail_cache_lookup_async (FoyerThumbnailCache *cache,
                                          const char *key,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  FoyerStoreThumbnailCache *self = FOYER_STORE_THUMBNAIL_CACHE (cache);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_store_thumbnail_cache_lookup_async);
  foyer_store_get_async (self->store, FOYER_STORE_NS_THUMBNAILS, key, cancellable, lookup_cb, task);
}

static GBytes *
foyer_store_thumbnail_cache_lookup_finish (FoyerThumbnailCache *cache,
                                           GAsyncResult *result,
                                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cache), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
trim_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* The thumbnail is stored; a failed trim is retried by the next store. */
  if (!foyer_store_trim_finish (FOYER_STORE (object), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Could not trim the thumbnail cache: %s", error->message);

  g_task_return_boolean (task, TRUE);
}

static void
store_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerStoreThumbnailCache *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!foyer_store_put_finish (FOYER_STORE (object), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  foyer_store_trim_async (self->store, FOYER_STORE_NS_THUMBNAILS, self->max_bytes, NULL, trim_cb,
                          g_steal_pointer (&task));
}

static void
foyer_store_thumbnail_cache_store_async (FoyerThumbnailCache *cache,
                                         const char *key,
                                         GBytes *bytes,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  FoyerStoreThumbnailCache *self = FOYER_STORE_THUMBNAIL_CACHE (cache);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_store_thumbnail_cache_store_async);
  foyer_store_put_async (self->store, FOYER_STORE_NS_THUMBNAILS, key, bytes, cancellable, store_cb,
                         task);
}

static gboolean
foyer_store_thumbnail_cache_store_finish (FoyerThumbnailCache *cache,
                                          GAsyncResult *result,
                                          GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cache), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
thumbnail_cache_iface_init (FoyerThumbnailCacheInterface *iface)
{
  iface->lookup_async = foyer_store_thumbnail_cache_lookup_async;
  iface->lookup_finish = foyer_store_thumbnail_cache_lookup_finish;
  iface->store_async = foyer_store_thumbnail_cache_store_async;
  iface->store_finish = foyer_store_thumbnail_cache_store_finish;
}
