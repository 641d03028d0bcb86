/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between FoyerUploader and its FoyerUploads (which never see the
 * uploader itself: see FoyerUploadHost). */
#pragma once

#include "foyer-graph-client.h"
#include "foyer-store.h"
#include "foyer-upload-record.h"
#include "foyer-upload.h"

G_BEGIN_DECLS

typedef struct
{
  guint fragment_size;     /* the first fragment's, and the smallest */
  guint max_fragment_size; /* fragments grow up to it on a fast link */
  guint simple_max;
  guint max_attempts;
  guint base_delay_ms;
} FoyerUploadSettings;

/* What an upload asks of the uploader that runs it (owner): the id of
 * "Foyer Files", made on first use (refresh forgets the cached one), and a
 * word when it leaves the running states, so that the next one may start. */
typedef struct
{
  gpointer owner;
  void (*ensure_folder_async) (gpointer owner,
                               gboolean refresh,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
  char *(*ensure_folder_finish) (gpointer owner, GAsyncResult *result, GError **error);
  void (*changed) (gpointer owner);
} FoyerUploadHost;

/* host is copied; _foyer_upload_detach () forgets its owner. */
FoyerUpload *_foyer_upload_new (const FoyerUploadHost *host,
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

G_END_DECLS
