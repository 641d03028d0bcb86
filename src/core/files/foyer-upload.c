/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload.h"

#include "foyer-cloud.h"
#include "foyer-core.h"
#include "foyer-graph-error.h"
#include "foyer-json.h"
#include "foyer-retry.h"
#include "foyer-quickxor.h"
#include "foyer-upload-error.h"
#include "foyer-upload-private.h"
#include "foyer-upload-sender.h"
#include "foyer-upload-session.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * One upload is a small state machine on the main context. Every step is
 * an async call whose callback first checks that its run was not stopped
 * (a Call carries the run's cancellable). Fragments are streamed from the
 * file by a worker thread; another reads the whole file for its hash
 * meanwhile. A small file is read (and hashed) whole, on a worker thread.
 */

#define FILE_ATTRIBUTES                                                                            \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE                                \
                                 "," G_FILE_ATTRIBUTE_TIME_MODIFIED                                \
                                 "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC
#define MAX_RESTARTS      3
#define MAX_WAIT_MS       (5 * 60 * 1000)
#define NOTIFY_INTERVAL   (100 * 1000)
#define RATE_INTERVAL     (500 * 1000)
#define MAX_LISTING_PAGES 20
#define FRAGMENT_SECONDS  2.0

G_DEFINE_ENUM_TYPE (FoyerUploadState,
                    foyer_upload_state,
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_QUEUED, "queued"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_PREPARING, "preparing"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_SENDING, "sending"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_CANCELLED, "cancelled"))

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

G_DEFINE_FINAL_TYPE (FoyerUpload, foyer_upload, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_FILE,
  PROP_NAME,
  PROP_CONTEXT,
  PROP_SIZE,
  PROP_STATE,
  PROP_BYTES_SENT,
  PROP_PROGRESS,
  PROP_SECONDS_LEFT,
  PROP_ERROR,
  PROP_ITEM,
  PROP_RESUMED,
  PROP_CAN_RETRY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void send_next (FoyerUpload *self);
static void get_status (FoyerUpload *self);
static void create_session (FoyerUpload *self);
static void restart_session (FoyerUpload *self);
static void simple_upload (FoyerUpload *self);
static void handle_failure (FoyerUpload *self, GError *error);

/* ---- calls that know their run ---------------------------------------------- */

typedef struct
{
  FoyerUpload *self;
  GCancellable *run;
  guint64 offset;
  guint64 length;
} Call;

static Call *
call_new (FoyerUpload *self)
{
  Call *call = g_new0 (Call, 1);

  call->self = g_object_ref (self);
  call->run = g_object_ref (self->run);
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_object_unref (call->run);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Call, call_free)

/* A callback of a run that was stopped meanwhile does nothing. */
static gboolean
call_stale (Call *call)
{
  return g_cancellable_is_cancelled (call->run);
}

/* ---- properties and state --------------------------------------------------- */

static gboolean
state_is_final (FoyerUploadState state)
{
  return state == FOYER_UPLOAD_DONE || state == FOYER_UPLOAD_FAILED
         || state == FOYER_UPLOAD_CANCELLED;
}

static void
update_rate (FoyerUpload *self, gint64 now)
{
  guint64 sent = self->confirmed + self->in_flight;
  gint64 dt = now - self->rate_time;

  if (self->rate_time == 0 || sent < self->rate_bytes)
    {
      self->rate_time = now;
      self->rate_bytes = sent;
      return;
    }
  if (dt < RATE_INTERVAL)
    return;
  {
    double instant = (double) (sent - self->rate_bytes) * G_USEC_PER_SEC / (double) dt;

    self->rate = self->rate > 0 ? 0.7 * self->rate + 0.3 * instant : instant;
  }
  self->rate_time = now;
  self->rate_bytes = sent;
  self->seconds_left
      = self->rate > 1
            ? (int) MIN ((double) (self->record->size - sent) / self->rate + 0.999, G_MAXINT)
            : -1;
}

static void
notify_progress (FoyerUpload *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();

  update_rate (self, now);
  if (!force && now - self->last_notify < NOTIFY_INTERVAL)
    return;
  self->last_notify = now;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
set_state (FoyerUpload *self, FoyerUploadState state)
{
  if (self->state == state)
    return;
  self->state = state;
  if (state == FOYER_UPLOAD_WAITING || state_is_final (state))
    {
      self->rate = 0;
      self->rate_time = 0;
      self->seconds_left = -1;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  notify_progress (self, TRUE);
  if (self->host.owner != NULL)
    self->host.changed (self->host.owner);
}

static void
complete_waiters (FoyerUpload *self)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      if (self->state == FOYER_UPLOAD_DONE)
        g_task_return_pointer (task, g_object_ref (self->item), g_object_unref);
      else if (self->state == FOYER_UPLOAD_FAILED)
        g_task_return_error (task, g_error_copy (self->error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                 _ ("The upload was cancelled."));
    }
}

static void
clear_wait (FoyerUpload *self)
{
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }
}

/* Ends the run: in-flight calls become stale, buffers go. */
static void
stop_progress (FoyerUpload *self)
{
  if (self->progress_source != NULL)
    {
      g_source_destroy (self->progress_source);
      g_clear_pointer (&self->progress_source, g_source_unref);
    }
}

static void
end_run (FoyerUpload *self)
{
  g_cancellable_cancel (self->run);
  clear_wait (self);
  stop_progress (self);
  g_clear_pointer (&self->ahead, g_bytes_unref);
  g_clear_pointer (&self->pending_item, json_node_unref);
  self->in_flight = 0;
  self->send_when_read = FALSE;
}

/* ---- the sealed record --------------------------------------------------------- */

static void
store_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* A store closed meanwhile (sign-out) has nothing left to keep. */
  if (!foyer_store_put_finish (FOYER_STORE (source), result, &error)
      && !g_error_matches (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED))
    g_warning ("Could not keep an unfinished upload: %s", error->message);
}

static void
save_record (FoyerUpload *self)
{
  g_autoptr (GBytes) bytes = NULL;

  if (self->store == NULL)
    return;
  bytes = foyer_upload_record_to_bytes (self->record);
  foyer_store_put_async (self->store, FOYER_STORE_NS_UPLOADS, self->record->id, bytes, NULL,
                         store_done_cb, NULL);
}

static void
delete_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_store_delete_finish (FOYER_STORE (source), result, &error)
      && !g_error_matches (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED))
    g_warning ("Could not forget a finished upload: %s", error->message);
}

static void
forget_record (FoyerUpload *self)
{
  if (self->store != NULL)
    foyer_store_delete_async (self->store, FOYER_STORE_NS_UPLOADS, self->record->id, NULL,
                              delete_done_cb, NULL);
}

static void
delete_session_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (node == NULL && !g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    g_debug ("Could not delete an upload session: %s", error->message);
}

/* DELETE on the upload URL drops what the session holds. Not tied to the
 * run: it must go out even though the run just ended. */
static void
delete_session (FoyerUpload *self)
{
  g_autofree char *url = g_steal_pointer (&self->record->upload_url);

  if (url != NULL)
    foyer_graph_client_request_async (self->client, "DELETE", url, NULL, NULL, delete_session_cb,
                                      NULL);
  if (url != NULL)
    memset (url, 0, strlen (url));
}

/* ---- ending ------------------------------------------------------------------ */

static void
fail (FoyerUpload *self, GError *error, gboolean can_retry)
{
  end_run (self);
  g_clear_error (&self->error);
  self->error = error;
  self->can_retry = can_retry;
  g_debug ("Upload of %s failed: %s", self->record->name, error->message);
  /* A file that cannot be sent as it is now is forgotten with its session;
   * an upload that may work later keeps both, for Retry or the next start. */
  if (!can_retry)
    {
      delete_session (self);
      forget_record (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RETRY]);
  set_state (self, FOYER_UPLOAD_FAILED);
  complete_waiters (self);
}

static GError *
upload_error (FoyerUpload *self, FoyerUploadError code)
{
  const char *name = self->record->name;

  switch (code)
    {
    case FOYER_UPLOAD_ERROR_FILE_CHANGED:
      return g_error_new (FOYER_UPLOAD_ERROR, code,
                          _ ("“%s” changed while it was being sent, so it was not shared. Send "
                             "it again to share the new version."),
                          name);
    case FOYER_UPLOAD_ERROR_MISMATCH:
      return g_error_new (FOYER_UPLOAD_ERROR, code,
                          _ ("The copy of “%s” in OneDrive differs from the file on this "
                             "computer, so it was not shared."),
                          name);
    case FOYER_UPLOAD_ERROR_NOT_A_FILE:
      return g_error_new (FOYER_UPLOAD_ERROR, code, _ ("“%s” is a folder, not a file."), name);
    default:
      return g_error_new (FOYER_UPLOAD_ERROR, code, _ ("“%s” could not be sent."), name);
    }
}

static const char *
hash_of (JsonObject *item)
{
  JsonObject *hashes = foyer_json_get_object (foyer_json_get_object (item, "file"), "hashes");

  return foyer_json_get_string (hashes, "quickXorHash");
}

/* Whether Graph's item is the file as read: same size and, when Graph
 * gives one, the same QuickXorHash. */
static gboolean
item_matches (FoyerUpload *self, JsonObject *item)
{
  JsonNode *size = json_object_get_member (item, "size");
  const char *remote = hash_of (item);

  if (size == NULL || !JSON_NODE_HOLDS_VALUE (size)
      || json_node_get_value_type (size) != G_TYPE_INT64
      || (guint64) json_node_get_int (size) != self->record->size)
    return FALSE;
  if (remote == NULL || self->local_hash == NULL)
    return TRUE;
  return g_str_equal (self->local_hash, remote);
}

static void
complete (FoyerUpload *self, JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (self, upload_error (self, FOYER_UPLOAD_ERROR_MALFORMED), FALSE);
      return;
    }
  object = json_node_get_object (node);
  if (self->local_hash == NULL && self->hashing && hash_of (object) != NULL)
    {
      /* OneDrive has the file; its hash is compared once ours is done. */
      g_clear_pointer (&self->pending_item, json_node_unref);
      self->pending_item = json_node_ref (node);
      return;
    }
  if (!item_matches (self, object))
    {
      fail (self, upload_error (self, FOYER_UPLOAD_ERROR_MISMATCH), FALSE);
      return;
    }
  g_clear_object (&self->item);
  self->item = foyer_drive_item_new_from_json (object, &error);
  if (self->item == NULL)
    {
      fail (self, g_steal_pointer (&error), FALSE);
      return;
    }
  end_run (self);
  self->confirmed = self->record->size;
  g_free (g_steal_pointer (&self->record->upload_url));
  forget_record (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  set_state (self, FOYER_UPLOAD_DONE);
  complete_waiters (self);
}

/* ---- waiting before the next try ---------------------------------------------- */

static guint
backoff_ms (FoyerUpload *self)
{
  guint64 delay = MAX (self->settings.base_delay_ms, 1);

  for (guint i = 1; i < self->attempts && delay < MAX_WAIT_MS; i++)
    delay *= 2;
  delay = MIN (delay, MAX_WAIT_MS);
  /* Equal jitter, so that several uploads do not come back together. */
  return (guint) (delay / 2 + (guint64) g_random_int_range (0, (gint32) MAX (delay / 2, 1)));
}

static void
resume_step (FoyerUpload *self)
{
  if (self->record->size <= self->settings.simple_max)
    simple_upload (self);
  else if (self->record->upload_url != NULL)
    get_status (self);
  else
    create_session (self);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  FoyerUpload *self = user_data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  set_state (self, FOYER_UPLOAD_SENDING);
  resume_step (self);
  return G_SOURCE_REMOVE;
}

/* Microsoft is busy or out of reach: wait (never less than Retry-After),
 * then ask the session where to go on. */
static void
retry_later (FoyerUpload *self, GError *error, guint retry_after)
{
  guint delay;

  self->attempts++;
  if (self->attempts > self->settings.max_attempts)
    {
      GError *gave_up
          = g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_GAVE_UP,
                         _ ("“%s” could not be sent: %s"), self->record->name, error->message);

      g_error_free (error);
      fail (self, gave_up, TRUE);
      return;
    }
  if (retry_after > 0)
    delay = MAX (MIN (retry_after, MAX_WAIT_MS / 1000) * 1000, backoff_ms (self));
  else
    delay = backoff_ms (self);
  g_debug ("Upload of %s waits %u ms: %s", self->record->name, delay, error->message);
  g_error_free (error);
  self->in_flight = 0;
  set_state (self, FOYER_UPLOAD_WAITING);
  clear_wait (self);
  self->wait_source = g_timeout_source_new (delay);
  g_source_set_callback (self->wait_source, wait_done_cb, self, NULL);
  g_source_attach (self->wait_source, g_main_context_get_thread_default ());
}

static gboolean
is_transient (GError *error)
{
  guint status;

  if (error->domain != FOYER_GRAPH_ERROR)
    return FALSE;
  status = foyer_graph_error_get_status (error);
  return error->code == FOYER_GRAPH_ERROR_NETWORK || error->code == FOYER_GRAPH_ERROR_THROTTLED
         || error->code == FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE || status >= 500;
}

/* retry_after: seconds a Retry-After asked for, else 0. */
static void
handle_failure_after (FoyerUpload *self, GError *error, guint retry_after)
{
  guint status = foyer_graph_error_get_status (error);

  self->in_flight = 0;
  if (error->domain == FOYER_GRAPH_ERROR && status == 416)
    {
      /* The server holds other bytes than we thought: ask it. */
      g_error_free (error);
      get_status (self);
    }
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND)
           && self->record->upload_url != NULL)
    {
      g_error_free (error);
      restart_session (self);
    }
  else if (is_transient (error))
    retry_later (self, error, retry_after);
  else
    fail (self, error, FALSE);
}

static void
handle_failure (FoyerUpload *self, GError *error)
{
  handle_failure_after (self, error, foyer_graph_error_get_retry_after (error));
}

/* ---- reading a small file ---------------------------------------------------------- */

typedef struct
{
  GFile *file;
  guint64 size;
  gint64 mtime_us;
  char *name;
  char *hash; /* out */
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_object_unref (job->file);
  g_free (job->name);
  g_free (job->hash);
  g_free (job);
}

/* A file for the simple upload (a few MiB at most) is read whole, checked
 * before and after, and hashed. */
static void
read_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  ReadJob *job = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInputStream) in = g_file_read (job->file, cancellable, &error);
  g_autofree guint8 *buffer = NULL;
  gsize got = 0;

  if (in == NULL
      || !_foyer_upload_check_unchanged (in, job->size, job->mtime_us, job->name, cancellable,
                                         &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  buffer = g_malloc (MAX (job->size, 1));
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), buffer, (gsize) job->size, &got, cancellable,
                                &error)
      || !_foyer_upload_check_unchanged (in, job->size, job->mtime_us, job->name, cancellable,
                                         &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (got != job->size)
    {
      g_task_return_new_error (task, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_CHANGED,
                               _ ("“%s” changed while it was being sent, so it was not shared. "
                                  "Send it again to share the new version."),
                               job->name);
      return;
    }
  job->hash = foyer_quickxor_base64 (buffer, got);
  g_task_return_pointer (task, g_bytes_new_take (g_steal_pointer (&buffer), got),
                         (GDestroyNotify) g_bytes_unref);
}

static void
continue_after_read (FoyerUpload *self)
{
  self->send_when_read = FALSE;
  simple_upload (self);
}

static void
read_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  /* The reader is free again, whichever run it read for. */
  self->reading = FALSE;
  if (call_stale (call))
    {
      /* A later run may be waiting for the reader. */
      if (self->send_when_read && !g_cancellable_is_cancelled (self->run))
        continue_after_read (self);
      return;
    }
  if (bytes == NULL)
    {
      GError *e = g_steal_pointer (&error);

      if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_clear_error (&e);
          e = g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” is no longer on this computer."), self->record->name);
        }
      else if (e->domain != FOYER_UPLOAD_ERROR)
        {
          GError *wrapped
              = g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                             _ ("“%s” could not be read: %s"), self->record->name, e->message);

          g_clear_error (&e);
          e = wrapped;
        }
      fail (self, e, FALSE);
      return;
    }
  /* Kept for a retry after a network failure: small by definition. */
  g_clear_pointer (&self->ahead, g_bytes_unref);
  self->ahead = g_steal_pointer (&bytes);
  if (self->local_hash == NULL)
    self->local_hash = g_strdup (((ReadJob *) g_task_get_task_data (G_TASK (result)))->hash);
  if (self->send_when_read)
    continue_after_read (self);
}

static void
read_file (FoyerUpload *self)
{
  ReadJob *job = g_new0 (ReadJob, 1);
  Call *call = call_new (self);
  g_autoptr (GTask) task = NULL;

  job->file = g_object_ref (self->file);
  job->size = self->record->size;
  job->mtime_us = self->record->mtime_us;
  job->name = g_strdup (self->record->name);
  self->reading = TRUE;
  task = g_task_new (NULL, self->run, read_done_cb, call);
  g_task_set_source_tag (task, read_file);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

/* The file's bytes once read; else a read starts (or is under way) and
 * the simple upload goes on when it is done. */
static GBytes *
take_bytes (FoyerUpload *self)
{
  if (self->ahead != NULL)
    return g_bytes_ref (self->ahead);
  self->send_when_read = TRUE;
  if (!self->reading)
    read_file (self);
  return NULL;
}

/* ---- the simple upload ------------------------------------------------------------- */

static void
progress_cb (guint64 bytes_sent, gpointer user_data)
{
  Call *call = user_data;

  if (call_stale (call))
    return;
  call->self->in_flight = bytes_sent;
  notify_progress (call->self, FALSE);
}

static char *
item_path (FoyerUpload *self, const char *suffix)
{
  g_autofree char *folder = g_uri_escape_string (self->folder_id, NULL, FALSE);
  g_autofree char *name = g_uri_escape_string (self->record->name, NULL, FALSE);

  return g_strdup_printf ("/me/drive/items/%s:/%s:/%s", folder, name, suffix);
}

static void folder_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* The folder was deleted while Foyer had its id: find or make it again, once. */
static gboolean
refresh_folder (FoyerUpload *self, GError *error)
{
  if (self->folder_refreshed || self->host.owner == NULL
      || !g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    return FALSE;
  self->folder_refreshed = TRUE;
  self->host.ensure_folder_async (self->host.owner, TRUE, self->run, folder_cb, call_new (self));
  return TRUE;
}

static void
simple_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish_full (FOYER_GRAPH_CLIENT (source), result, NULL, &error);
  if (call_stale (call))
    return;
  self->in_flight = 0;
  if (node == NULL)
    {
      if (!refresh_folder (self, error))
        handle_failure (self, g_steal_pointer (&error));
      return;
    }
  self->confirmed = self->record->size;
  complete (self, node);
}

static void
simple_upload (FoyerUpload *self)
{
  g_autoptr (GBytes) bytes = take_bytes (self);
  g_autofree char *path = NULL;
  Call *call;

  if (bytes == NULL)
    return;
  set_state (self, FOYER_UPLOAD_SENDING);
  path = item_path (self, "content?@microsoft.graph.conflictBehavior=rename");
  self->final_sent = TRUE;
  call = call_new (self);
  /* The same Call for progress and completion: progress only comes before. */
  foyer_graph_client_send_bytes_async (self->client, "PUT", path, bytes, NULL, NULL, progress_cb,
                                       call, self->run, simple_cb, call);
}

/* ---- upload sessions ---------------------------------------------------------------- */

/* The file's bytes go only to a host of the cloud (for Microsoft's,
 * SharePoint's), as the Graph client's requests do. */
static gboolean
upload_url_in_cloud (FoyerUpload *self, const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *origin = NULL;

  if (self->cloud == NULL)
    return TRUE;
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  origin = g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (uri), NULL, g_uri_get_host (uri),
                       g_uri_get_port (uri), "/", NULL, NULL);
  return foyer_cloud_is_allowed_url (self->cloud, origin);
}

static gboolean
take_session_reply (FoyerUpload *self, JsonNode *node, gboolean need_url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerUploadSessionReply) reply
      = foyer_upload_session_reply_parse (node, need_url, &error);
  guint64 next;

  if (reply == NULL)
    {
      fail (self, g_steal_pointer (&error), FALSE);
      return FALSE;
    }
  if (reply->upload_url != NULL && !upload_url_in_cloud (self, reply->upload_url))
    {
      g_message ("An upload URL outside the cloud's hosts was refused");
      fail (self, upload_error (self, FOYER_UPLOAD_ERROR_MALFORMED), FALSE);
      return FALSE;
    }
  if (reply->upload_url != NULL)
    {
      g_free (self->record->upload_url);
      self->record->upload_url = g_strdup (reply->upload_url);
    }
  if (reply->expires != 0)
    self->record->expires = reply->expires;
  next = foyer_upload_session_reply_next_offset (reply, self->record->size);
  if (next > self->confirmed)
    self->attempts = 0;
  self->confirmed = next;
  self->in_flight = 0;
  notify_progress (self, FALSE);
  return TRUE;
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  FoyerUpload *self = user_data;

  self->in_flight = _foyer_upload_wire_get_sent (self->wire);
  notify_progress (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
start_progress (FoyerUpload *self)
{
  stop_progress (self);
  self->progress_source = g_timeout_source_new (NOTIFY_INTERVAL / 1000);
  g_source_set_callback (self->progress_source, progress_tick_cb, self, NULL);
  g_source_attach (self->progress_source, g_main_context_get_thread_default ());
}

static JsonNode *
parse_reply (GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (data == NULL || len == 0 || len > G_MAXSSIZE
      || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

/* A fragment that went fast makes the next ones bigger, up to the
 * maximum: a fragment should take about FRAGMENT_SECONDS, so that the wait
 * for each reply costs little against the sending. */
static void
grow_fragments (FoyerUpload *self, guint64 length, gint64 elapsed_us)
{
  double rate;
  guint64 units;

  if (length < self->fragment_size || elapsed_us <= 0)
    return;
  rate = (double) length * G_USEC_PER_SEC / (double) elapsed_us;
  units = (guint64) (rate * FRAGMENT_SECONDS) / FOYER_UPLOAD_FRAGMENT_UNIT;
  self->fragment_size
      = (guint) CLAMP (units * FOYER_UPLOAD_FRAGMENT_UNIT, self->settings.fragment_size,
                       MAX (self->settings.max_fragment_size, self->settings.fragment_size));
}

static void
fragment_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerFragmentReply) reply = _foyer_fragment_send_finish (result, &error);
  g_autoptr (JsonNode) node = NULL;
  guint retry_after = 0;

  if (call_stale (call))
    return;
  stop_progress (self);
  self->in_flight = 0;
  if (reply == NULL)
    {
      /* A file that changed or went away, or a certificate that is not
       * trusted, will not be better on a retry. */
      if (error->domain == FOYER_UPLOAD_ERROR || error->domain == G_TLS_ERROR)
        fail (self, g_steal_pointer (&error), FALSE);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        fail (self,
              g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” is no longer on this computer."), self->record->name),
              FALSE);
      else
        handle_failure (
            self, foyer_graph_error_new (FOYER_GRAPH_ERROR_NETWORK, 0, NULL, NULL, error->message));
      return;
    }
  g_debug ("Fragment of %" G_GUINT64_FORMAT " bytes at %" G_GUINT64_FORMAT ": HTTP %u in %.0f ms",
           call->length, call->offset, reply->status,
           (g_get_monotonic_time () - self->sent_at) / 1000.0);
  if (reply->status == 202)
    grow_fragments (self, call->length, g_get_monotonic_time () - self->sent_at);
  if (reply->status >= 200 && reply->status < 300)
    {
      node = parse_reply (reply->body);
      if (node == NULL)
        fail (self,
              g_error_new_literal (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED,
                                   _ ("Microsoft Graph sent an upload session Foyer cannot use.")),
              FALSE);
      else if (reply->status == 200 || reply->status == 201)
        complete (self, node);
      else if (take_session_reply (self, node, FALSE))
        send_next (self);
      return;
    }
  if (!foyer_retry_parse_after (reply->retry_after, NULL, &retry_after))
    retry_after = 0;
  handle_failure_after (
      self, foyer_graph_error_new_from_response (reply->status, reply->request_id, reply->body),
      retry_after);
}

static void find_committed (FoyerUpload *self);

static void start_hashing (FoyerUpload *self);

static void
hash_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = _foyer_upload_hash_finish (result, &error);
  g_autoptr (JsonNode) pending = g_steal_pointer (&self->pending_item);

  self->hashing = FALSE;
  if (call_stale (call))
    {
      /* A later run may be waiting for a hash. */
      if (!g_cancellable_is_cancelled (self->run) && self->state == FOYER_UPLOAD_SENDING)
        start_hashing (self);
      return;
    }
  if (hash == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        fail (self,
              g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” is no longer on this computer."), self->record->name),
              FALSE);
      else if (error->domain == FOYER_UPLOAD_ERROR)
        fail (self, g_steal_pointer (&error), FALSE);
      else
        fail (self,
              g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” could not be read: %s"), self->record->name, error->message),
              FALSE);
      return;
    }
  self->local_hash = g_steal_pointer (&hash);
  if (pending != NULL)
    complete (self, pending);
}

/* The hash is read on a thread of its own while the fragments go. */
static void
start_hashing (FoyerUpload *self)
{
  if (self->local_hash != NULL || self->hashing)
    return;
  self->hashing = TRUE;
  _foyer_upload_hash_async (self->file, self->record->size, self->record->mtime_us,
                            self->record->name, self->run, hash_done_cb, call_new (self));
}

static void
send_next (FoyerUpload *self)
{
  guint64 offset = self->confirmed;
  FoyerFragmentJob *job;
  Call *call;

  start_hashing (self);

  if (offset >= self->record->size)
    {
      /* Every byte is there but the item never came: the last reply was
       * lost after the file was made. */
      find_committed (self);
      return;
    }
  set_state (self, FOYER_UPLOAD_SENDING);
  job = g_new0 (FoyerFragmentJob, 1);
  job->file = g_object_ref (self->file);
  job->name = g_strdup (self->record->name);
  job->size = self->record->size;
  job->mtime_us = self->record->mtime_us;
  job->offset = offset;
  job->length = MIN (self->fragment_size, self->record->size - offset);
  job->url = g_strdup (self->record->upload_url);
  job->tls_database = self->tls_database != NULL ? g_object_ref (self->tls_database) : NULL;
  job->wire = _foyer_upload_wire_ref (self->wire);
  if (offset + job->length == self->record->size)
    self->final_sent = TRUE;
  call = call_new (self);
  call->offset = offset;
  call->length = job->length;
  self->sent_at = g_get_monotonic_time ();
  _foyer_fragment_send_async (job, self->run, fragment_cb, call);
  start_progress (self);
}

static void
status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (call_stale (call))
    return;
  if (node == NULL)
    {
      if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND)
          && self->final_sent)
        find_committed (self);
      else
        handle_failure (self, g_steal_pointer (&error));
      return;
    }
  if (take_session_reply (self, node, FALSE))
    send_next (self);
}

static void
get_status (FoyerUpload *self)
{
  set_state (self, FOYER_UPLOAD_SENDING);
  foyer_graph_client_request_async (self->client, "GET", self->record->upload_url, NULL, self->run,
                                    status_cb, call_new (self));
}

static void
create_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (call_stale (call))
    return;
  if (node == NULL)
    {
      if (!refresh_folder (self, error))
        handle_failure (self, g_steal_pointer (&error));
      return;
    }
  self->confirmed = 0;
  if (!take_session_reply (self, node, TRUE))
    return;
  /* The session URL is a capability: it is only ever kept sealed. */
  save_record (self);
  send_next (self);
}

static void
create_session (FoyerUpload *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = item_path (self, "createUploadSession");

  set_state (self, FOYER_UPLOAD_PREPARING);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "item");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "@microsoft.graph.conflictBehavior");
  json_builder_add_string_value (b, "rename");
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->record->name);
  json_builder_set_member_name (b, "fileSize");
  json_builder_add_int_value (b, (gint64) self->record->size);
  json_builder_end_object (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  foyer_graph_client_request_async (self->client, "POST", path, body, self->run, create_cb,
                                    call_new (self));
}

/* The session is gone (expired, or deleted): start again from the first
 * byte, a few times at most. */
static void
restart_session (FoyerUpload *self)
{
  if (++self->restarts > MAX_RESTARTS)
    {
      fail (self,
            g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_GAVE_UP,
                         _ ("“%s” could not be sent: OneDrive kept ending the upload."),
                         self->record->name),
            TRUE);
      return;
    }
  g_debug ("Upload session of %s lost: starting again", self->record->name);
  g_free (g_steal_pointer (&self->record->upload_url));
  self->record->expires = 0;
  save_record (self);
  self->confirmed = 0;
  self->final_sent = FALSE;
  notify_progress (self, TRUE);
  create_session (self);
}

/* ---- after a lost last reply: is the file there? -------------------------------------- */

static void listing_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
list_page (FoyerUpload *self, const char *path_or_url, guint page)
{
  Call *call = call_new (self);

  call->offset = page;
  foyer_graph_client_request_async (self->client, "GET", path_or_url, NULL, self->run, listing_cb,
                                    call);
}

static void
listing_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonNode *value, *next;
  JsonObject *o;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (call_stale (call))
    return;
  if (node == NULL)
    {
      handle_failure (self, g_steal_pointer (&error));
      return;
    }
  o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  value = o != NULL ? json_object_get_member (o, "value") : NULL;
  if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *items = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (JSON_NODE_HOLDS_OBJECT (item) && hash_of (json_node_get_object (item)) != NULL
              && item_matches (self, json_node_get_object (item)))
            {
              complete (self, item);
              return;
            }
        }
    }
  next = o != NULL ? json_object_get_member (o, "@odata.nextLink") : NULL;
  if (next != NULL && JSON_NODE_HOLDS_VALUE (next)
      && json_node_get_value_type (next) == G_TYPE_STRING && call->offset + 1 < MAX_LISTING_PAGES)
    {
      list_page (self, json_node_get_string (next), (guint) call->offset + 1);
      return;
    }
  /* Not there: the session really ended before the file was made. */
  restart_session (self);
}

static void
find_committed (FoyerUpload *self)
{
  g_autofree char *folder = g_uri_escape_string (self->folder_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/me/drive/items/%s/children?$select=%s&$top=1000",
                                           folder, FOYER_DRIVE_ITEM_SELECT);

  if (self->local_hash == NULL)
    {
      restart_session (self);
      return;
    }
  list_page (self, path, 0);
}

/* ---- starting ---------------------------------------------------------------------- */

static void
folder_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *folder_id = NULL;

  folder_id = self->host.ensure_folder_finish (source, result, &error);
  if (call_stale (call))
    return;
  if (folder_id == NULL)
    {
      handle_failure (self, g_steal_pointer (&error));
      return;
    }
  g_free (self->folder_id);
  self->folder_id = g_steal_pointer (&folder_id);
  resume_step (self);
}

static void
ensure_folder (FoyerUpload *self)
{
  if (self->host.owner == NULL)
    return;
  self->host.ensure_folder_async (self->host.owner, FALSE, self->run, folder_cb, call_new (self));
}

static void
stat_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (Call) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autoptr (GDateTime) modified = NULL;

  if (call_stale (call))
    return;
  if (info == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        fail (self,
              g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” is no longer on this computer."), self->record->name),
              FALSE);
      else
        fail (self,
              g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                           _ ("“%s” could not be read: %s"), self->record->name, error->message),
              FALSE);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      fail (self, upload_error (self, FOYER_UPLOAD_ERROR_NOT_A_FILE), FALSE);
      return;
    }
  if (self->record->mtime_us == 0 && self->record->upload_url == NULL)
    {
      /* First start: this is the file as picked. */
      modified = g_file_info_get_modification_date_time (info);
      self->record->size = (guint64) g_file_info_get_size (info);
      self->record->mtime_us = modified != NULL ? g_date_time_to_unix (modified) * G_USEC_PER_SEC
                                                      + g_date_time_get_microsecond (modified)
                                                : 1;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
      save_record (self);
    }
  else if (!_foyer_upload_same_file (info, self->record->size, self->record->mtime_us))
    {
      fail (self, upload_error (self, FOYER_UPLOAD_ERROR_FILE_CHANGED), FALSE);
      return;
    }
  ensure_folder (self);
}

void
_foyer_upload_start (FoyerUpload *self, const FoyerUploadSettings *settings)
{
  g_return_if_fail (FOYER_IS_UPLOAD (self));
  g_return_if_fail (self->state == FOYER_UPLOAD_QUEUED);

  self->settings = *settings;
  self->fragment_size = settings->fragment_size;
  g_clear_object (&self->run);
  self->run = g_cancellable_new ();
  self->folder_refreshed = FALSE;
  set_state (self, FOYER_UPLOAD_PREPARING);
  g_file_query_info_async (self->file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->run, stat_cb, call_new (self));
}

void
_foyer_upload_stop (FoyerUpload *self)
{
  g_return_if_fail (FOYER_IS_UPLOAD (self));

  if (state_is_final (self->state))
    return;
  end_run (self);
  set_state (self, FOYER_UPLOAD_QUEUED);
}

void
_foyer_upload_detach (FoyerUpload *self)
{
  self->host.owner = NULL;
}

gboolean
_foyer_upload_is_active (FoyerUpload *self)
{
  return self->state == FOYER_UPLOAD_PREPARING || self->state == FOYER_UPLOAD_SENDING
         || self->state == FOYER_UPLOAD_WAITING;
}

/* ---- public ------------------------------------------------------------------------- */

void
foyer_upload_cancel (FoyerUpload *self)
{
  g_return_if_fail (FOYER_IS_UPLOAD (self));

  if (self->state == FOYER_UPLOAD_DONE || self->state == FOYER_UPLOAD_CANCELLED)
    return;
  end_run (self);
  delete_session (self);
  forget_record (self);
  g_clear_error (&self->error);
  self->confirmed = 0;
  set_state (self, FOYER_UPLOAD_CANCELLED);
  complete_waiters (self);
}

void
foyer_upload_retry (FoyerUpload *self)
{
  g_return_if_fail (FOYER_IS_UPLOAD (self));

  if (self->state != FOYER_UPLOAD_FAILED || !self->can_retry)
    return;
  g_clear_error (&self->error);
  self->can_retry = FALSE;
  self->attempts = 0;
  self->restarts = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RETRY]);
  set_state (self, FOYER_UPLOAD_QUEUED);
}

void
foyer_upload_wait_async (FoyerUpload *self,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (FOYER_IS_UPLOAD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_upload_wait_async);
  g_task_set_return_on_cancel (task, TRUE);
  if (self->state == FOYER_UPLOAD_DONE)
    g_task_return_pointer (task, g_object_ref (self->item), g_object_unref);
  else if (self->state == FOYER_UPLOAD_FAILED)
    g_task_return_error (task, g_error_copy (self->error));
  else if (self->state == FOYER_UPLOAD_CANCELLED)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _ ("The upload was cancelled."));
  else
    g_ptr_array_add (self->waiters, g_steal_pointer (&task));
}

FoyerDriveItem *
foyer_upload_wait_finish (FoyerUpload *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
foyer_upload_sanitize_name (const char *name)
{
  g_autofree char *valid = g_utf8_make_valid (name != NULL ? name : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7f || strchr ("\"*:<>?/\\|", (int) c) != NULL)
        g_string_append_c (out, '_');
      else
        g_string_append_unichar (out, c);
    }
  g_strstrip (out->str);
  g_string_set_size (out, strlen (out->str));
  while (out->len > 0 && (out->str[out->len - 1] == '.' || out->str[out->len - 1] == ' '))
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    g_string_assign (out, "file");
  /* OneDrive takes names of up to 255 characters. */
  if (g_utf8_strlen (out->str, -1) > 255)
    g_string_truncate (out, (gsize) (g_utf8_offset_to_pointer (out->str, 255) - out->str));
  return g_string_free (out, FALSE);
}

const char *
foyer_upload_get_id (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->record->id;
}

GFile *
foyer_upload_get_file (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->file;
}

const char *
foyer_upload_get_name (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->record->name;
}

const char *
foyer_upload_get_context (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->record->context;
}

guint64
foyer_upload_get_size (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), 0);
  return self->record->size;
}

FoyerUploadState
foyer_upload_get_state (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), FOYER_UPLOAD_FAILED);
  return self->state;
}

guint64
foyer_upload_get_bytes_sent (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), 0);
  return MIN (self->confirmed + self->in_flight, self->record->size);
}

double
foyer_upload_get_progress (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), 0);
  if (self->state == FOYER_UPLOAD_DONE)
    return 1.0;
  if (self->record->size == 0)
    return 0.0;
  return (double) foyer_upload_get_bytes_sent (self) / (double) self->record->size;
}

int
foyer_upload_get_seconds_left (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), -1);
  return self->state == FOYER_UPLOAD_SENDING ? self->seconds_left : -1;
}

const GError *
foyer_upload_get_error (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->error;
}

FoyerDriveItem *
foyer_upload_get_item (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), NULL);
  return self->item;
}

gboolean
foyer_upload_get_resumed (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), FALSE);
  return self->resumed;
}

gboolean
foyer_upload_get_can_retry (FoyerUpload *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD (self), FALSE);
  return self->state == FOYER_UPLOAD_FAILED && self->can_retry;
}

/* ---- GObject -------------------------------------------------------------------------- */

FoyerUpload *
_foyer_upload_new (const FoyerUploadHost *host,
                   FoyerGraphClient *client,
                   FoyerStore *store,
                   FoyerUploadRecord *record,
                   gboolean resumed)
{
  FoyerUpload *self = g_object_new (FOYER_TYPE_UPLOAD, NULL);

  self->host = *host;
  self->client = g_object_ref (client);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->record = record;
  self->file = g_file_new_for_uri (record->file_uri);
  self->resumed = resumed;
  /* Fragments go out on a session of their own: it trusts what the Graph
   * client trusts (a cloud descriptor's CA, when the client has one). */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (client), "tls-database") != NULL)
    g_object_get (client, "tls-database", &self->tls_database, NULL);
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (client), "cloud") != NULL)
    g_object_get (client, "cloud", &self->cloud, NULL);
  return self;
}

static void
foyer_upload_dispose (GObject *object)
{
  FoyerUpload *self = FOYER_UPLOAD (object);

  if (self->run != NULL)
    end_run (self);
  G_OBJECT_CLASS (foyer_upload_parent_class)->dispose (object);
}

static void
foyer_upload_finalize (GObject *object)
{
  FoyerUpload *self = FOYER_UPLOAD (object);

  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_clear_pointer (&self->record, foyer_upload_record_free);
  g_clear_object (&self->file);
  g_clear_error (&self->error);
  g_clear_object (&self->item);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_object (&self->run);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->cloud);
  g_clear_pointer (&self->wire, _foyer_upload_wire_unref);
  g_free (self->local_hash);
  g_free (self->folder_id);
  G_OBJECT_CLASS (foyer_upload_parent_class)->finalize (object);
}

static void
foyer_upload_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerUpload *self = FOYER_UPLOAD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->record->id);
      break;
    case PROP_FILE:
      g_value_set_object (value, self->file);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->record->name);
      break;
    case PROP_CONTEXT:
      g_value_set_string (value, self->record->context);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->record->size);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_BYTES_SENT:
      g_value_set_uint64 (value, foyer_upload_get_bytes_sent (self));
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, foyer_upload_get_progress (self));
      break;
    case PROP_SECONDS_LEFT:
      g_value_set_int (value, foyer_upload_get_seconds_left (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    case PROP_RESUMED:
      g_value_set_boolean (value, self->resumed);
      break;
    case PROP_CAN_RETRY:
      g_value_set_boolean (value, foyer_upload_get_can_retry (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_upload_class_init (FoyerUploadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_upload_dispose;
  object_class->finalize = foyer_upload_finalize;
  object_class->get_property = foyer_upload_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_FILE] = g_param_spec_object ("file", NULL, NULL, G_TYPE_FILE, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_CONTEXT] = g_param_spec_string ("context", NULL, NULL, NULL, ro);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_UPLOAD_STATE, FOYER_UPLOAD_QUEUED, ro);
  properties[PROP_BYTES_SENT]
      = g_param_spec_uint64 ("bytes-sent", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_SECONDS_LEFT]
      = g_param_spec_int ("seconds-left", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  properties[PROP_ITEM] = g_param_spec_object ("item", NULL, NULL, FOYER_TYPE_DRIVE_ITEM, ro);
  properties[PROP_RESUMED] = g_param_spec_boolean ("resumed", NULL, NULL, FALSE, ro);
  properties[PROP_CAN_RETRY] = g_param_spec_boolean ("can-retry", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_upload_init (FoyerUpload *self)
{
  self->state = FOYER_UPLOAD_QUEUED;
  self->seconds_left = -1;
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->run = g_cancellable_new ();
  self->wire = _foyer_upload_wire_new ();
}
