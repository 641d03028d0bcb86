/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: what the picker's tile shows, and its buttons. */
#pragma once

#include "foyer-picker-tile.h"

G_BEGIN_DECLS

FoyerDriveItem *_foyer_picker_tile_get_item (FoyerPickerTile *self);
gboolean _foyer_picker_tile_get_has_thumbnail (FoyerPickerTile *self);

G_END_DECLS
