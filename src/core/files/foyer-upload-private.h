/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between FoyerUploader and its FoyerUploads. */
#pragma once

#include "foyer-upload-record.h"
#include "foyer-upload.h"
#include "foyer-uploader.h"

G_BEGIN_DECLS

typedef struct
{
  guint fragment_size;
  guint simple_max;
  guint max_attempts;
  guint base_delay_ms;
} FoyerUploadSettings;

FoyerUpload *_foyer_upload_new (FoyerUploader *uploader,
                                FoyerGraphClient *client,
                                FoyerStore *store,
                                FoyerUploadRecord *record,
                                gboolean resumed);
/* Runs a QUEUED upload with these settings. */
void _foyer_upload_start (FoyerUpload *self, const FoyerUploadSettings *settings);
/* Stops without forgetting (the record stays for the next start). */
void _foyer_upload_stop (FoyerUpload *self);
void _foyer_upload_detach (FoyerUpload *self);
gboolean _foyer_upload_is_active (FoyerUpload *self);

/* The id of "Foyer Files", made on first use; refresh forgets the cached one. */
void _foyer_uploader_ensure_folder_async (FoyerUploader *self,
                                          gboolean refresh,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
char *
_foyer_uploader_ensure_folder_finish (FoyerUploader *self, GAsyncResult *result, GError **error);
/* An upload left the running states: the next one may start. */
void _foyer_uploader_changed (FoyerUploader *self);

G_END_DECLS
