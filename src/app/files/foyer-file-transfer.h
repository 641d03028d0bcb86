/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerFileTransfer: one file from the computer on its way into a space,
 * as its tile shows it: uploaded to the person's OneDrive (a FoyerUpload),
 * then shared with the space like a picked file. Its properties are what
 * the tile binds to: state, progress, a line of details ("3.2 MB of 12 MB —
 * about a minute left"), the error and whether Retry can help.
 * FoyerFileUploads makes and drives them.
 */
#pragma once

#include <glib-object.h>

#include "foyer-sharing.h"
#include "foyer-upload.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_FILE_TRANSFER_UPLOADING, /* queued, preparing or sending to OneDrive */
  FOYER_FILE_TRANSFER_SHARING,   /* in OneDrive: the link and the message */
  FOYER_FILE_TRANSFER_FAILED,    /* see error; can-retry says whether Retry helps */
} FoyerFileTransferState;

#define FOYER_TYPE_FILE_TRANSFER (foyer_file_transfer_get_type ())
G_DECLARE_FINAL_TYPE (FoyerFileTransfer, foyer_file_transfer, FOYER, FILE_TRANSFER, GObject)

FoyerFileTransfer *
foyer_file_transfer_new (const char *id, const char *space_id, const char *name, guint64 size);

const char *foyer_file_transfer_get_id (FoyerFileTransfer *self);
const char *foyer_file_transfer_get_space_id (FoyerFileTransfer *self);
const char *foyer_file_transfer_get_name (FoyerFileTransfer *self);
guint64 foyer_file_transfer_get_size (FoyerFileTransfer *self);
FoyerFileTransferState foyer_file_transfer_get_state (FoyerFileTransfer *self);
double foyer_file_transfer_get_progress (FoyerFileTransfer *self);
const char *foyer_file_transfer_get_details (FoyerFileTransfer *self);
const char *foyer_file_transfer_get_error (FoyerFileTransfer *self);
gboolean foyer_file_transfer_get_can_retry (FoyerFileTransfer *self);
/* Taken up again from a previous run. */
gboolean foyer_file_transfer_get_resumed (FoyerFileTransfer *self);

/* The upload it follows while uploading (NULL for a share taken up after
 * a restart); its progress becomes the transfer's. */
FoyerUpload *foyer_file_transfer_get_upload (FoyerFileTransfer *self);
void foyer_file_transfer_set_upload (FoyerFileTransfer *self, FoyerUpload *upload);
void foyer_file_transfer_set_sharing (FoyerFileTransfer *self);
void
foyer_file_transfer_set_failed (FoyerFileTransfer *self, const char *error, gboolean can_retry);
void foyer_file_transfer_set_resumed (FoyerFileTransfer *self, gboolean resumed);

/* The words of its details line, for the tests of its wording. */
char *foyer_file_transfer_format_progress (guint64 sent, guint64 size, int seconds_left);

G_END_DECLS

#include "foyer-app-enums.h"
