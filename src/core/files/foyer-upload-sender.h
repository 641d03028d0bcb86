/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The upload's work off the main thread: one fragment PUT streamed from
 * disk on a worker thread, and the file's QuickXorHash (with its bytes,
 * for a small file) on a thread of its own; and the checks that the file
 * is still the one picked.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean _foyer_upload_same_file (GFileInfo *info, guint64 size, gint64 mtime_us);
/* The file called name is no longer the one picked: FILE_CHANGED, in a
 * sentence for the person. */
void _foyer_upload_set_changed (GError **error, const char *name);
gboolean _foyer_upload_check_unchanged (GFileInputStream *in,
                                        guint64 size,
                                        gint64 mtime_us,
                                        const char *name,
                                        GCancellable *cancellable,
                                        GError **error);

typedef struct _FoyerUploadWire FoyerUploadWire; /* the bytes of the body written so far */

FoyerUploadWire *_foyer_upload_wire_new (void);
FoyerUploadWire *_foyer_upload_wire_ref (FoyerUploadWire *wire);
void _foyer_upload_wire_unref (FoyerUploadWire *wire);
guint64 _foyer_upload_wire_get_sent (FoyerUploadWire *wire);

typedef struct
{
  guint status;
  GBytes *body;
  char *retry_after;
  char *request_id;
} FoyerFragmentReply;

void _foyer_fragment_reply_free (FoyerFragmentReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerFragmentReply, _foyer_fragment_reply_free)

/* One fragment: a range of the file, streamed to the upload URL. */
typedef struct
{
  GFile *file;
  char *name;
  guint64 size;
  gint64 mtime_us;
  guint64 offset;
  guint64 length;
  char *url;
  GTlsDatabase *tls_database;
  FoyerUploadWire *wire;
  guint64 sent;
} FoyerFragmentJob;

void _foyer_fragment_job_free (FoyerFragmentJob *job);

/* Takes the job. A transport error comes back as is (G_IO_ERROR,
 * G_TLS_ERROR, …), a file that changed as FOYER_UPLOAD_ERROR. */
void _foyer_fragment_send_async (FoyerFragmentJob *job,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
FoyerFragmentReply *_foyer_fragment_send_finish (GAsyncResult *result, GError **error);

/* The whole file read on a thread of its own (while the fragments go, or
 * for the simple upload), checked before and after: FILE_CHANGED if it
 * is not the file as picked. Gives its QuickXorHash (base64) in *hash and
 * its bytes when keep_bytes, else an empty GBytes. */
void _foyer_upload_read_async (GFile *file,
                               guint64 size,
                               gint64 mtime_us,
                               const char *name,
                               gboolean keep_bytes,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
GBytes *_foyer_upload_read_finish (GAsyncResult *result, char **hash, GError **error);

G_END_DECLS
