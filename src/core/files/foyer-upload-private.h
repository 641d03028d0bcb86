/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Between FoyerUploader and its FoyerUploads (which never see the
 * uploader itself: see FoyerUploadHost); then between the parts of
 * FoyerUpload. */
#pragma once

#include "foyer-cloud.h"
#include "foyer-graph-client.h"
#include "foyer-store.h"
#include "foyer-upload-error.h"
#include "foyer-upload-record.h"
#include "foyer-upload-sender.h"
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

/*
 * Between the parts of FoyerUpload (the uploader uses only the calls
 * above). One upload is a small state machine on the main context; every
 * step is an async call whose callback first checks that its run was not
 * stopped (a FoyerUploadCall carries the run's cancellable). The parts:
 *
 *   foyer-upload.c            the object: state, progress, the sealed
 *                             record, the ends (done, failed, cancelled)
 *   foyer-upload-run.c        starting (the file, the folder), waiting
 *                             before the next try, what a failure leads to
 *   foyer-upload-simple.c     a small file: read whole, one PUT
 *   foyer-upload-resumable.c  upload sessions: create, status, fragments,
 *                             restart, delete; the hash meanwhile
 *   foyer-upload-check.c      is Graph's item the file? (also after a
 *                             lost last reply, under a renamed name)
 *
 * The work off the main thread is in foyer-upload-sender.c.
 */

#define FOYER_UPLOAD_NOTIFY_INTERVAL (100 * 1000) /* µs between progress notifications */

struct _FoyerUpload
{
  GObject parent_instance;

  FoyerUploadHost host; /* owner not owned; NULL once detached */
  FoyerGraphClient *client;
  FoyerStore *store;
  FoyerUploadRecord *record;
  GFile *file;
  FoyerUploadSettings settings;

  FoyerUploadState state;
  gboolean resumed;
  GError *error;
  gboolean can_retry;
  FoyerDriveItem *item;
  GPtrArray *waiters; /* GTask* */

  /* The run: cancelled by cancel, stop and failure. */
  GCancellable *run;
  GSource *wait_source;
  char *folder_id;
  gboolean folder_refreshed;
  guint attempts; /* failures since the last progress */
  guint restarts; /* sessions opened again */
  gboolean final_sent;

  /* Progress. */
  guint64 confirmed; /* bytes the server holds */
  guint64 in_flight; /* of the fragment on the wire */
  gint64 rate_time;
  guint64 rate_bytes;
  double rate;
  int seconds_left;
  gint64 last_notify;

  /* The file's QuickXorHash: NULL until the hasher is done. */
  char *local_hash;
  gboolean hashing;
  JsonNode *pending_item; /* the item, waiting for the hash */
  gboolean reading;
  gboolean send_when_read;
  GBytes *ahead; /* a small file's bytes */

  /* Sending a fragment (from a worker thread). */
  guint fragment_size; /* grows on a fast link */
  gint64 sent_at;
  FoyerUploadWire *wire;
  GSource *progress_source;
  GTlsDatabase *tls_database;
  FoyerCloud *cloud; /* the Graph client's, when it has one */
};

/* ---- calls that know their run ---- */

typedef struct
{
  FoyerUpload *self;
  GCancellable *run;
  guint64 offset;
  guint64 length;
} FoyerUploadCall;

FoyerUploadCall *_foyer_upload_call_new (FoyerUpload *self);
void _foyer_upload_call_free (FoyerUploadCall *call);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerUploadCall, _foyer_upload_call_free)
/* A callback of a run that was stopped meanwhile does nothing. */
gboolean _foyer_upload_call_stale (FoyerUploadCall *call);

/* ---- foyer-upload.c: state, progress, record, ends ---- */

void _foyer_upload_set_state (FoyerUpload *self, FoyerUploadState state);
/* force: notify now, else at most every FOYER_UPLOAD_NOTIFY_INTERVAL. */
void _foyer_upload_notify_progress (FoyerUpload *self, gboolean force);
void _foyer_upload_clear_wait (FoyerUpload *self);
void _foyer_upload_stop_progress (FoyerUpload *self);
/* Keeps the record, sealed, in the store (when there is one). */
void _foyer_upload_save_record (FoyerUpload *self);
/* First start: the file as picked (size, modification time) is kept. */
void _foyer_upload_take_picked (FoyerUpload *self, guint64 size, gint64 mtime_us);
/* A person-readable error about the upload's file. */
GError *_foyer_upload_error_new (FoyerUpload *self, FoyerUploadError code);
/* What reading the file ran into (error, taken), for the person: an
 * upload error as it is, else FILE_UNREADABLE (gone, or unreadable). */
GError *_foyer_upload_read_error (FoyerUpload *self, GError *error);
/* Ends the run as FAILED with error (taken); can_retry keeps the record
 * and the session for Retry or the next start. */
void _foyer_upload_fail (FoyerUpload *self, GError *error, gboolean can_retry);
/* Ends the run as DONE with item (taken). */
void _foyer_upload_succeed (FoyerUpload *self, FoyerDriveItem *item);

/* ---- foyer-upload-run.c ---- */

/* Takes error; retry_after: seconds a Retry-After asked for, else 0. */
void _foyer_upload_handle_failure_after (FoyerUpload *self, GError *error, guint retry_after);
void _foyer_upload_handle_failure (FoyerUpload *self, GError *error);
/* The folder was deleted while Foyer had its id: find or make it again,
 * once. FALSE when error is not that (nothing was done). */
gboolean _foyer_upload_refresh_folder (FoyerUpload *self, GError *error);

/* ---- foyer-upload-simple.c ---- */

void _foyer_upload_simple (FoyerUpload *self);
/* The Graph path of the file in the folder, then /suffix. */
char *_foyer_upload_item_path (FoyerUpload *self, const char *suffix);

/* ---- foyer-upload-resumable.c ---- */

void _foyer_upload_create_session (FoyerUpload *self);
void _foyer_upload_get_status (FoyerUpload *self);
void _foyer_upload_restart_session (FoyerUpload *self);
void _foyer_upload_delete_session (FoyerUpload *self);

/* ---- foyer-upload-check.c ---- */

/* Graph's item (node, or NULL): the upload succeeds if it is the file. */
void _foyer_upload_complete (FoyerUpload *self, JsonNode *node);
void _foyer_upload_find_committed (FoyerUpload *self);

G_END_DECLS
