/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerThumbnailCache: a persistent store of thumbnail bytes by key, used
 * by FoyerThumbnailLoader behind its memory cache. The encrypted local store
 * implements it; a lookup that finds nothing returns NULL without an error.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_THUMBNAIL_CACHE (foyer_thumbnail_cache_get_type ())
G_DECLARE_INTERFACE (FoyerThumbnailCache, foyer_thumbnail_cache, FOYER, THUMBNAIL_CACHE, GObject)

struct _FoyerThumbnailCacheInterface
{
  GTypeInterface parent_iface;

  void (*lookup_async) (FoyerThumbnailCache *self,
                        const char *key,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  GBytes *(*lookup_finish) (FoyerThumbnailCache *self, GAsyncResult *result, GError **error);
  void (*store_async) (FoyerThumbnailCache *self,
                       const char *key,
                       GBytes *bytes,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  gboolean (*store_finish) (FoyerThumbnailCache *self, GAsyncResult *result, GError **error);
};

void foyer_thumbnail_cache_lookup_async (FoyerThumbnailCache *self,
                                         const char *key,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
GBytes *foyer_thumbnail_cache_lookup_finish (FoyerThumbnailCache *self,
                                             GAsyncResult *result,
                                             GError **error);
void foyer_thumbnail_cache_store_async (FoyerThumbnailCache *self,
                                        const char *key,
                                        GBytes *bytes,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean foyer_thumbnail_cache_store_finish (FoyerThumbnailCache *self,
                                             GAsyncResult *result,
                                             GError **error);

G_END_DECLS
