/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between FoyerUploader and its FoyerUploads. */
#pragma once

#include "foyer-quickxor.h"
#include "foyer-upload-record.h"
#include "foyer-upload.h"
#include "foyer-uploader.h"

G_BEGIN_DECLS

typedef struct
{
  guint fragment_size;     /* the first fragment's, and the smallest */
  guint max_fragment_size; /* fragments grow up to it on a fast link */
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

/* foyer-upload-sender.c: one fragment PUT from a worker thread. */
gboolean _foyer_upload_same_file (GFileInfo *info, guint64 size, gint64 mtime_us);
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

/* The file's QuickXorHash (base64), read on a thread of its own while the
 * fragments go; FILE_CHANGED if it is not the file as picked. */
void _foyer_upload_hash_async (GFile *file,
                               guint64 size,
                               gint64 mtime_us,
                               const char *name,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
char *_foyer_upload_hash_finish (GAsyncResult *result, GError **error);

G_END_DECLS
