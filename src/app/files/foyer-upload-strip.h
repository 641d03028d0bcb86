/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerUploadStrip: above the composer, the tiles of the files on their way
 * into the space shown (FoyerUploadTile each), hidden when there are none.
 */
#pragma once

#include <adwaita.h>

#include "foyer-file-uploads.h"

G_BEGIN_DECLS

#define FOYER_TYPE_UPLOAD_STRIP (foyer_upload_strip_get_type ())
G_DECLARE_FINAL_TYPE (FoyerUploadStrip, foyer_upload_strip, FOYER, UPLOAD_STRIP, GtkWidget)

FoyerUploadStrip *foyer_upload_strip_new (void);
void foyer_upload_strip_set_uploads (FoyerUploadStrip *self, FoyerFileUploads *uploads);
/* The space whose uploads are shown (NULL: none). */
void foyer_upload_strip_set_space_id (FoyerUploadStrip *self, const char *space_id);

G_END_DECLS
