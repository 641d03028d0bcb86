/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerUploadTile: a file from the computer on its way into the space, above
 * the composer: its name, a progress bar with how much went and how long
 * is left, then "Sharing…"; Cancel (which deletes the upload session); when
 * it failed, why, and Retry if that can help. Bound to a FoyerFileTransfer;
 * its buttons activate space.cancel-upload and space.retry-upload.
 */
#pragma once

#include <adwaita.h>

#include "foyer-file-transfer.h"

G_BEGIN_DECLS

#define FOYER_TYPE_UPLOAD_TILE (foyer_upload_tile_get_type ())
G_DECLARE_FINAL_TYPE (FoyerUploadTile, foyer_upload_tile, FOYER, UPLOAD_TILE, GtkWidget)

FoyerUploadTile *foyer_upload_tile_new (FoyerFileTransfer *transfer);
FoyerFileTransfer *foyer_upload_tile_get_transfer (FoyerUploadTile *self);

/* For tests: its buttons and what it says. */
GtkWidget *_foyer_upload_tile_get_cancel_button (FoyerUploadTile *self);
GtkWidget *_foyer_upload_tile_get_retry_button (FoyerUploadTile *self);
const char *_foyer_upload_tile_get_status (FoyerUploadTile *self);

G_END_DECLS
