/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: what the document tile shows, and its buttons. */
#pragma once

#include "foyer-document-tile.h"

G_BEGIN_DECLS

GtkWidget *_foyer_document_tile_get_update_button (FoyerDocumentTile *self);
GtkWidget *_foyer_document_tile_get_connect_button (FoyerDocumentTile *self);
gboolean _foyer_document_tile_has_thumbnail (FoyerDocumentTile *self);
const char *_foyer_document_tile_get_status (FoyerDocumentTile *self);
const char *_foyer_document_tile_get_title (FoyerDocumentTile *self);
/* The validated reference, or NULL when the tile is unavailable. */
const FoyerDocumentRef *_foyer_document_tile_get_ref (FoyerDocumentTile *self);

G_END_DECLS
