/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Errors of uploads from the computer. Graph's own errors (quota, access,
 * throttling) keep their FOYER_GRAPH_ERROR; these are what only an upload
 * can run into. Messages are sentences a person can read.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_UPLOAD_ERROR (foyer_upload_error_quark ())

typedef enum
{
  /* The file changed on disk while it was sent: nothing half-old is kept. */
  FOYER_UPLOAD_ERROR_FILE_CHANGED,
  /* The file is gone, or cannot be read. */
  FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
  /* A folder or something else that is not a regular file. */
  FOYER_UPLOAD_ERROR_NOT_A_FILE,
  /* Something that is not a folder is where "Foyer Files" should be. */
  FOYER_UPLOAD_ERROR_FOLDER_BLOCKED,
  /* OneDrive's copy differs from the bytes read (size or QuickXorHash). */
  FOYER_UPLOAD_ERROR_MISMATCH,
  /* Microsoft kept failing or could not be reached; Retry may work later. */
  FOYER_UPLOAD_ERROR_GAVE_UP,
  /* Graph answered something an upload cannot use. */
  FOYER_UPLOAD_ERROR_MALFORMED,
} FoyerUploadError;

GQuark foyer_upload_error_quark (void);

G_END_DECLS
