/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerThumbnailLoader: thumbnail bytes by key, from a memory LRU (bounded
 * by total bytes), then an optional persistent FoyerThumbnailCache, then
 * Graph. One fetch per key is in flight at a time: later requesters join it.
 * Cancelling one requester leaves the others alone; the fetch itself is
 * cancelled only when its last requester is. Network fetches are queued
 * beyond max-concurrent, and while Microsoft's last Retry-After (429 or 503)
 * has not passed: then no fetch starts, whatever asks again.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-graph-client.h"
#include "foyer-thumbnail-cache.h"

G_BEGIN_DECLS

#define FOYER_TYPE_THUMBNAIL_LOADER (foyer_thumbnail_loader_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerThumbnailLoader, foyer_thumbnail_loader, FOYER, THUMBNAIL_LOADER, GObject)

FoyerThumbnailLoader *foyer_thumbnail_loader_new (FoyerGraphClient *client,
                                                  FoyerThumbnailCache *cache);

/* key names the image (e.g. "<shareId>:medium"); path is the Graph path to
 * fetch it from (foyer_graph_shared_thumbnail_path()). */
void foyer_thumbnail_loader_load_async (FoyerThumbnailLoader *self,
                                        const char *key,
                                        const char *path,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GBytes *foyer_thumbnail_loader_load_finish (FoyerThumbnailLoader *self,
                                            GAsyncResult *result,
                                            GError **error);

gsize foyer_thumbnail_loader_get_max_memory_bytes (FoyerThumbnailLoader *self);
void foyer_thumbnail_loader_set_max_memory_bytes (FoyerThumbnailLoader *self, gsize max_bytes);
guint foyer_thumbnail_loader_get_max_concurrent (FoyerThumbnailLoader *self);
void foyer_thumbnail_loader_set_max_concurrent (FoyerThumbnailLoader *self, guint max_concurrent);
gsize foyer_thumbnail_loader_get_memory_bytes (FoyerThumbnailLoader *self);
gboolean foyer_thumbnail_loader_is_in_memory (FoyerThumbnailLoader *self, const char *key);

/* Until when (monotonic µs) no fetch starts, 0 if none is held; and holding
 * them until a time, e.g. one a loader this one replaces was told. */
gint64 foyer_thumbnail_loader_get_held_until (FoyerThumbnailLoader *self);
void foyer_thumbnail_loader_hold_until (FoyerThumbnailLoader *self, gint64 monotonic_us);

G_END_DECLS
