/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A shared document in a message: file-type icon, title, size, who shared
 * it and the link's access at once, then the thumbnail fetched with this
 * person's own Microsoft account. A reference that cannot be trusted shows
 * as unavailable and cannot be opened.
 */
#pragma once

#include <adwaita.h>

#include "foyer-document-item.h"
#include "foyer-microsoft-account.h"
#include "foyer-thumbnail-loader.h"

G_BEGIN_DECLS

#define FOYER_TYPE_DOCUMENT_TILE (foyer_document_tile_get_type ())
G_DECLARE_FINAL_TYPE (FoyerDocumentTile, foyer_document_tile, FOYER, DOCUMENT_TILE, GtkWidget)

FoyerDocumentTile *foyer_document_tile_new (void);
void foyer_document_tile_set_document (FoyerDocumentTile *self, FoyerDocumentItem *document);
FoyerDocumentItem *foyer_document_tile_get_document (FoyerDocumentTile *self);
void foyer_document_tile_set_account (FoyerDocumentTile *self, FoyerMicrosoftAccount *account);
void foyer_document_tile_set_shared_by_me (FoyerDocumentTile *self, gboolean shared_by_me);
void foyer_document_tile_set_message_id (FoyerDocumentTile *self, const char *message_id);

/* The medium thumbnail of a document shared at url, under the one cache
 * key every view of it uses (a thumbnail a tile fetched is there at once
 * for the Files view); finish with foyer_thumbnail_loader_load_finish (). */
void foyer_document_tile_fetch_thumbnail (FoyerThumbnailLoader *loader,
                                          const char *url,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);

G_END_DECLS
