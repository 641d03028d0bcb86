/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-thumbnail-cache.h"

G_DEFINE_INTERFACE (FoyerThumbnailCache, foyer_thumbnail_cache, G_TYPE_OBJECT)

static void
foyer_thumbnail_cache_default_init (FoyerThumbnailCacheInterface *iface)
{
}

void
foyer_thumbnail_cache_lookup_async (FoyerThumbnailCache *self,
                                    const char *key,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (FOYER_IS_THUMBNAIL_CACHE (self));
  g_return_if_fail (key != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  FOYER_THUMBNAIL_CACHE_GET_IFACE (self)->lookup_async (self, key, cancellable, callback,
                                                        user_data);
}

GBytes *
foyer_thumbnail_cache_lookup_finish (FoyerThumbnailCache *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_CACHE (self), NULL);

  return FOYER_THUMBNAIL_CACHE_GET_IFACE (self)->lookup_finish (self, result, error);
}

void
foyer_thumbnail_cache_store_async (FoyerThumbnailCache *self,
                                   const char *key,
                                   GBytes *bytes,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (FOYER_IS_THUMBNAIL_CACHE (self));
  g_return_if_fail (key != NULL && bytes != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  FOYER_THUMBNAIL_CACHE_GET_IFACE (self)->store_async (self, key, bytes, cancellable, callback,
                                                       user_data);
}

gboolean
foyer_thumbnail_cache_store_finish (FoyerThumbnailCache *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (FOYER_IS_THUMBNAIL_CACHE (self), FALSE);

  return FOYER_THUMBNAIL_CACHE_GET_IFACE (self)->store_finish (self, result, error);
}
