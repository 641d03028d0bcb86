/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerDriveItemList: a GListModel of FoyerDriveItem filled one Graph page
 * at a time. The first page loads when the list is made; the view calls
 * foyer_drive_item_list_load_more() when it nears the end, which follows
 * @odata.nextLink once. Nothing is fetched ahead. Disposing cancels.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-object-list.h"

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"

G_BEGIN_DECLS

#define FOYER_TYPE_DRIVE_ITEM_LIST (foyer_drive_item_list_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerDriveItemList, foyer_drive_item_list, FOYER, DRIVE_ITEM_LIST, FoyerObjectList)

FoyerDriveItemList *foyer_drive_item_list_new (FoyerGraphClient *client, const char *path);

/* The lists the picker shows. drive_id NULL means /me/drive; item_id NULL
 * or "root" means the drive's root. */
FoyerDriveItemList *foyer_drive_item_list_new_children (FoyerGraphClient *client,
                                                        const char *drive_id,
                                                        const char *item_id);
FoyerDriveItemList *foyer_drive_item_list_new_recent (FoyerGraphClient *client);
FoyerDriveItemList *foyer_drive_item_list_new_shared_with_me (FoyerGraphClient *client);
FoyerDriveItemList *foyer_drive_item_list_new_search (FoyerGraphClient *client, const char *query);
FoyerDriveItemList *foyer_drive_item_list_new_followed_sites (FoyerGraphClient *client);
FoyerDriveItemList *foyer_drive_item_list_new_site_search (FoyerGraphClient *client,
                                                           const char *query);
FoyerDriveItemList *foyer_drive_item_list_new_site_drives (FoyerGraphClient *client,
                                                           const char *site_id);

void foyer_drive_item_list_load_more (FoyerDriveItemList *self);
gboolean foyer_drive_item_list_get_loading (FoyerDriveItemList *self);
gboolean foyer_drive_item_list_get_has_more (FoyerDriveItemList *self);
const GError *foyer_drive_item_list_get_error (FoyerDriveItemList *self);
guint foyer_drive_item_list_get_pages_loaded (FoyerDriveItemList *self);
/* For a list with a fallback (Recent, Shared): why its first endpoint was
 * left, e.g. 403 ItemInsightsDisabled; NULL while it was not. */
const GError *foyer_drive_item_list_get_fallback_error (FoyerDriveItemList *self);

G_END_DECLS
