/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerFileCell: one document of the Files view, as a list row or a grid
 * cell: its thumbnail (the tiles' own, through the account's thumbnail
 * loader and its sealed cache) or its kind's icon, its name, who shared it,
 * when, and its kind. Its reference is checked against the person's cloud
 * before it can be opened, as a tile's is.
 */
#pragma once

#include <adwaita.h>

#include "foyer-message-item.h"
#include "foyer-microsoft-account.h"

G_BEGIN_DECLS

#define FOYER_TYPE_FILE_CELL (foyer_file_cell_get_type ())
G_DECLARE_FINAL_TYPE (FoyerFileCell, foyer_file_cell, FOYER, FILE_CELL, GtkWidget)

FoyerFileCell *foyer_file_cell_new (gboolean grid);
void foyer_file_cell_set_account (FoyerFileCell *self, FoyerMicrosoftAccount *account);
/* The message that shares the document (NULL: none; a late thumbnail is
 * never applied to a cell that shows another one by then). */
void foyer_file_cell_set_item (FoyerFileCell *self, FoyerMessageItem *item);
FoyerMessageItem *foyer_file_cell_get_item (FoyerFileCell *self);
/* Opens it (account.open-document), if its reference may be opened. */
gboolean foyer_file_cell_open (FoyerFileCell *self);

/* Opens the document item shares, checked against account's cloud, from
 * widget (account.open-document); FALSE if it may not be opened. */
gboolean
foyer_file_open_item (GtkWidget *widget, FoyerMicrosoftAccount *account, FoyerMessageItem *item);

/* For tests. */
gboolean _foyer_file_cell_has_thumbnail (FoyerFileCell *self);
const char *_foyer_file_cell_get_name (FoyerFileCell *self);
const char *_foyer_file_cell_get_details (FoyerFileCell *self);

G_END_DECLS
