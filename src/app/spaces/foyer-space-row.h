/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "foyer-space-item.h"

G_BEGIN_DECLS

#define FOYER_TYPE_SPACE_ROW (foyer_space_row_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSpaceRow, foyer_space_row, FOYER, SPACE_ROW, GtkWidget)

FoyerSpaceRow *foyer_space_row_new (void);
void foyer_space_row_set_item (FoyerSpaceRow *self, FoyerSpaceItem *item);
GtkListItemFactory *foyer_space_row_factory_new (void);

G_END_DECLS
