/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerStoreThumbnailCache: the FoyerThumbnailCache of the Graph client on
 * top of the encrypted local store ("thumbnails" namespace), kept within a
 * byte budget by dropping the least recently used thumbnails. A thumbnail
 * that fails authentication reads as absent, so it is fetched again.
 */
#pragma once

#include "foyer-store.h"
#include "foyer-thumbnail-cache.h"

G_BEGIN_DECLS

#define FOYER_STORE_THUMBNAIL_CACHE_DEFAULT_MAX_BYTES (G_GUINT64_CONSTANT (64) * 1024 * 1024)

#define FOYER_TYPE_STORE_THUMBNAIL_CACHE (foyer_store_thumbnail_cache_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerStoreThumbnailCache, foyer_store_thumbnail_cache, FOYER, STORE_THUMBNAIL_CACHE, GObject)

FoyerStoreThumbnailCache *foyer_store_thumbnail_cache_new (FoyerStore *store, guint64 max_bytes);
FoyerStore *foyer_store_thumbnail_cache_get_store (FoyerStoreThumbnailCache *self);
guint64 foyer_store_thumbnail_cache_get_max_bytes (FoyerStoreThumbnailCache *self);

G_END_DECLS
