/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerUploader: sends files from the computer to the person's OneDrive
 * folder "Foyer Files" (made on first use), through Graph: a simple PUT for
 * small files, resumable upload sessions for the rest, streamed from disk
 * in fragments (multiples of 320 KiB: 10 MiB, more on a fast link) that are
 * read, hashed and sent off the main thread, never held in memory. A GListModel of its FoyerUploads, for the
 * composer. Unfinished uploads are kept sealed in the encrypted store (if
 * one is given) and taken up again by foyer_uploader_resume_async().
 *
 *   uploader = foyer_uploader_new (graph_client, store);
 *   foyer_uploader_resume_async (uploader, NULL, resumed_cb, self);   (at start)
 *   upload = foyer_uploader_add (uploader, file, NULL, "{\"space\":\"…\"}");
 *   foyer_upload_wait_async (upload, cancellable, done_cb, self);     (→ FoyerDriveItem)
 */
#pragma once

#include <gio/gio.h>

#include "foyer-graph-client.h"
#include "foyer-object-list.h"
#include "foyer-store.h"
#include "foyer-upload.h"

G_BEGIN_DECLS

#define FOYER_TYPE_UPLOADER (foyer_uploader_get_type ())
G_DECLARE_FINAL_TYPE (FoyerUploader, foyer_uploader, FOYER, UPLOADER, FoyerObjectList)

/* store may be NULL: uploads then do not survive a quit. */
FoyerUploader *foyer_uploader_new (FoyerGraphClient *client, FoyerStore *store);

/* Queues file (name NULL: the file's own name, made acceptable to
 * OneDrive). context is the caller's and comes back after a restart.
 * Returns the upload (owned by the uploader's list). */
FoyerUpload *
foyer_uploader_add (FoyerUploader *self, GFile *file, const char *name, const char *context);

/* Takes up the uploads a previous run left unfinished; → how many. */
void foyer_uploader_resume_async (FoyerUploader *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
guint foyer_uploader_resume_finish (FoyerUploader *self, GAsyncResult *result, GError **error);

/* Drops an upload from the list (a finished one; cancel first otherwise). */
void foyer_uploader_remove (FoyerUploader *self, FoyerUpload *upload);

/* Stops every upload and keeps the unfinished ones for the next start (quit). */
void foyer_uploader_shutdown (FoyerUploader *self);

guint foyer_uploader_get_max_concurrent (FoyerUploader *self);
void foyer_uploader_set_max_concurrent (FoyerUploader *self, guint max);
/* The first fragment's size, and the smallest (10 MiB by default); fragments
 * that go fast grow, up to max-fragment-size (59.7 MiB: Graph takes less
 * than 60 MiB per request). Both are rounded down to a multiple of 320 KiB,
 * between 320 KiB and 59.7 MiB. */
guint foyer_uploader_get_fragment_size (FoyerUploader *self);
void foyer_uploader_set_fragment_size (FoyerUploader *self, guint bytes);
guint foyer_uploader_get_max_fragment_size (FoyerUploader *self);
void foyer_uploader_set_max_fragment_size (FoyerUploader *self, guint bytes);
/* Files up to this size go in one PUT (Graph's simple upload). */
guint foyer_uploader_get_simple_max (FoyerUploader *self);
void foyer_uploader_set_simple_max (FoyerUploader *self, guint bytes);
/* Failures in a row, without progress, before an upload gives up. */
guint foyer_uploader_get_max_attempts (FoyerUploader *self);
void foyer_uploader_set_max_attempts (FoyerUploader *self, guint attempts);
/* The first wait after a failure without Retry-After; it doubles. */
guint foyer_uploader_get_base_delay_ms (FoyerUploader *self);
void foyer_uploader_set_base_delay_ms (FoyerUploader *self, guint delay_ms);

G_END_DECLS
