/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerPickerTile: one drive item in the picker's list or grid. It shows a
 * placeholder icon for the item's kind at once, and its thumbnail when the
 * loader has it. Setting another item (or NULL, on unbind) cancels the
 * fetch, and a late image is only used if the tile still shows its item.
 */
#pragma once

#include <gtk/gtk.h>

#include "foyer-drive-item.h"
#include "foyer-thumbnail-loader.h"

G_BEGIN_DECLS

#define FOYER_TYPE_PICKER_TILE (foyer_picker_tile_get_type ())
G_DECLARE_FINAL_TYPE (FoyerPickerTile, foyer_picker_tile, FOYER, PICKER_TILE, GtkWidget)

GtkWidget *foyer_picker_tile_new (FoyerThumbnailLoader *loader, gboolean grid);
void foyer_picker_tile_set_item (FoyerPickerTile *self, FoyerDriveItem *item);
void foyer_picker_tile_set_location (FoyerPickerTile *self, const char *location);

const char *foyer_picker_icon_name_for_item (FoyerDriveItem *item);
char *foyer_picker_format_date (GDateTime *date_time);

G_END_DECLS
