/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerUpload: one file from the computer on its way to the person's
 * OneDrive folder "Foyer Files". Made by FoyerUploader; its properties are
 * what a composer tile shows and binds to: state, bytes-sent, progress,
 * seconds-left, error, and the finished drive item (then share it like a
 * picked file). Cancel deletes the upload session; a quit keeps it (sealed)
 * so the upload goes on at the next start.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-drive-item.h"

G_BEGIN_DECLS

/* Graph takes upload fragments in multiples of 320 KiB; Foyer starts at
 * 10 MiB. Files up to FOYER_UPLOAD_SIMPLE_MAX go in one PUT. */
#define FOYER_UPLOAD_FRAGMENT_UNIT (320 * 1024)
#define FOYER_UPLOAD_FRAGMENT_SIZE (32 * FOYER_UPLOAD_FRAGMENT_UNIT) /* 10 MiB */
#define FOYER_UPLOAD_SIMPLE_MAX    (4 * 1024 * 1024)
#define FOYER_UPLOAD_FOLDER_NAME   "Foyer Files"

typedef enum
{
  FOYER_UPLOAD_QUEUED,    /* waits for its turn */
  FOYER_UPLOAD_PREPARING, /* checks the file and the folder, opens a session */
  FOYER_UPLOAD_SENDING,
  FOYER_UPLOAD_WAITING, /* Microsoft asked to wait, or cannot be reached: it goes on by itself */
  FOYER_UPLOAD_DONE,
  FOYER_UPLOAD_FAILED,
  FOYER_UPLOAD_CANCELLED,
} FoyerUploadState;

#define FOYER_TYPE_UPLOAD_STATE (foyer_upload_state_get_type ())
GType foyer_upload_state_get_type (void);

#define FOYER_TYPE_UPLOAD (foyer_upload_get_type ())
G_DECLARE_FINAL_TYPE (FoyerUpload, foyer_upload, FOYER, UPLOAD, GObject)

const char *foyer_upload_get_id (FoyerUpload *self);
GFile *foyer_upload_get_file (FoyerUpload *self);
/* The name asked for in OneDrive (OneDrive may add " 1" on a conflict). */
const char *foyer_upload_get_name (FoyerUpload *self);
/* What the caller attached (e.g. the space it is for); kept across a quit. */
const char *foyer_upload_get_context (FoyerUpload *self);
guint64 foyer_upload_get_size (FoyerUpload *self);
FoyerUploadState foyer_upload_get_state (FoyerUpload *self);
guint64 foyer_upload_get_bytes_sent (FoyerUpload *self);
double foyer_upload_get_progress (FoyerUpload *self);
/* An estimate from the recent speed; -1 when unknown. */
int foyer_upload_get_seconds_left (FoyerUpload *self);
/* Set in FAILED: FOYER_UPLOAD_ERROR, FOYER_GRAPH_ERROR or FOYER_AUTH_ERROR. */
const GError *foyer_upload_get_error (FoyerUpload *self);
/* Set in DONE. */
FoyerDriveItem *foyer_upload_get_item (FoyerUpload *self);
/* TRUE for an upload taken up again from a previous run. */
gboolean foyer_upload_get_resumed (FoyerUpload *self);
/* Whether retry can help (a network or service failure), in FAILED. */
gboolean foyer_upload_get_can_retry (FoyerUpload *self);

/* Stops the upload, deletes its session and forgets it. */
void foyer_upload_cancel (FoyerUpload *self);
/* Takes a FAILED upload up again where it stopped. */
void foyer_upload_retry (FoyerUpload *self);

/* Completes when the upload is DONE (→ the item), FAILED (→ its error) or
 * CANCELLED (G_IO_ERROR_CANCELLED). The cancellable stops the waiting only. */
void foyer_upload_wait_async (FoyerUpload *self,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
FoyerDriveItem *foyer_upload_wait_finish (FoyerUpload *self, GAsyncResult *result, GError **error);

/* A name OneDrive accepts: characters it refuses become "_", no leading or
 * trailing spaces, no trailing dot; never empty. */
char *foyer_upload_sanitize_name (const char *name);

G_END_DECLS
