/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where a drive item lives, as a decoded path from its drive's root ("/"
 * for the root's children, "/Documents/photos"). Search hits on OneDrive
 * for Business and SharePoint come without parentReference.path: then the
 * parent is fetched once (GET of its id, which does carry a path) and its
 * path and name give the answer.
 */
#pragma once

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"

G_BEGIN_DECLS

void foyer_item_location_async (FoyerGraphClient *client,
                                FoyerDriveItem *item,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
/* NULL and no error when nothing can be known (an item of another drive
 * seen through remoteItem, an item without a parent). */
char *foyer_item_location_finish (FoyerGraphClient *client, GAsyncResult *result, GError **error);

G_END_DECLS
