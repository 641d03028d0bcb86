/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-core.h"
#include "foyer-quickxor.h"
#include "foyer-upload-error.h"
#include "foyer-upload-sender.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

/*
 * A fragment goes to its upload URL from a worker thread, with a libsoup
 * session of its own and libsoup's synchronous API, its body streamed from
 * the file: no fragment is ever held in memory. On the main loop, libsoup
 * 3.2 moves a request body 8 KiB per main-loop iteration (an async splice
 * whose every step waits for the next iteration), and everything else on
 * the main loop waits behind it. The range stream checks, before the byte
 * that completes the file leaves, that the file is still the one that was
 * picked. (The file is hashed by a thread of its own, _foyer_upload_read_async.)
 *
 * The upload URL is a capability that needs no token: none is sent (Graph
 * may answer 401 to one). Each fragment gets a new connection: libsoup
 * 3.2 sends a PUT again by itself when a kept-alive connection closes
 * under it, without the part of the body already sent.
 */

struct _FoyerUploadWire
{
  GMutex lock;
  guint64 sent;
};

FoyerUploadWire *
_foyer_upload_wire_new (void)
{
  FoyerUploadWire *wire = g_atomic_rc_box_new0 (FoyerUploadWire);

  g_mutex_init (&wire->lock);
  return wire;
}

static void
wire_clear (gpointer data)
{
  FoyerUploadWire *wire = data;

  g_mutex_clear (&wire->lock);
}

FoyerUploadWire *
_foyer_upload_wire_ref (FoyerUploadWire *wire)
{
  return g_atomic_rc_box_acquire (wire);
}

void
_foyer_upload_wire_unref (FoyerUploadWire *wire)
{
  g_atomic_rc_box_release_full (wire, wire_clear);
}

guint64
_foyer_upload_wire_get_sent (FoyerUploadWire *wire)
{
  guint64 sent;

  g_mutex_lock (&wire->lock);
  sent = wire->sent;
  g_mutex_unlock (&wire->lock);
  return sent;
}

static void
wire_set (FoyerUploadWire *wire, guint64 sent)
{
  g_mutex_lock (&wire->lock);
  wire->sent = sent;
  g_mutex_unlock (&wire->lock);
}

void
_foyer_fragment_reply_free (FoyerFragmentReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->retry_after);
  g_free (reply->request_id);
  g_free (reply);
}

/* ---- the body: a range of the file, checked as it is read ---------------------------- */

#define FOYER_TYPE_RANGE_STREAM (foyer_range_stream_get_type ())
G_DECLARE_FINAL_TYPE (FoyerRangeStream, foyer_range_stream, FOYER, RANGE_STREAM, GInputStream)

struct _FoyerRangeStream
{
  GInputStream parent_instance;
  GFileInputStream *base;
  FoyerFragmentJob *job;
  guint64 position; /* in the file */
  guint64 end;      /* one past the range */
};

G_DEFINE_FINAL_TYPE (FoyerRangeStream, foyer_range_stream, G_TYPE_INPUT_STREAM)

gboolean
_foyer_upload_same_file (GFileInfo *info, guint64 size, gint64 mtime_us)
{
  g_autoptr (GDateTime) modified = g_file_info_get_modification_date_time (info);

  return (guint64) g_file_info_get_size (info) == size && modified != NULL
         && g_date_time_to_unix (modified) * G_USEC_PER_SEC + g_date_time_get_microsecond (modified)
                == mtime_us;
}

void
_foyer_upload_set_changed (GError **error, const char *name)
{
  g_set_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_CHANGED,
               _ ("“%s” changed while it was being sent, so it was not shared. Send it again to "
                  "share the new version."),
               name);
}

gboolean
_foyer_upload_check_unchanged (GFileInputStream *in,
                               guint64 size,
                               gint64 mtime_us,
                               const char *name,
                               GCancellable *cancellable,
                               GError **error)
{
  g_autoptr (GFileInfo) info = g_file_input_stream_query_info (
      in,
      G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED
                                     "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
      cancellable, error);

  if (info == NULL)
    return FALSE;
  if (!_foyer_upload_same_file (info, size, mtime_us))
    {
      _foyer_upload_set_changed (error, name);
      return FALSE;
    }
  return TRUE;
}

static gssize
range_stream_read (
    GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  FoyerRangeStream *self = FOYER_RANGE_STREAM (stream);
  FoyerFragmentJob *job = self->job;
  gsize want = (gsize) MIN ((guint64) count, self->end - self->position);
  gsize got = 0;

  if (want == 0)
    return 0;
  /* The last bytes of the file: it must still be the file that was picked,
   * before the byte that completes the upload leaves. */
  if (self->position + want == job->size
      && !_foyer_upload_check_unchanged (self->base, job->size, job->mtime_us, job->name,
                                         cancellable, error))
    return -1;
  if (!g_input_stream_read_all (G_INPUT_STREAM (self->base), buffer, want, &got, cancellable,
                                error))
    return -1;
  if (got != want)
    {
      _foyer_upload_set_changed (error, job->name);
      return -1;
    }
  self->position += got;
  return (gssize) got;
}

static gboolean
range_stream_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
range_stream_finalize (GObject *object)
{
  FoyerRangeStream *self = FOYER_RANGE_STREAM (object);

  g_clear_object (&self->base);
  G_OBJECT_CLASS (foyer_range_stream_parent_class)->finalize (object);
}

static void
foyer_range_stream_class_init (FoyerRangeStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = range_stream_finalize;
  stream_class->read_fn = range_stream_read;
  stream_class->close_fn = range_stream_close;
}

static void
foyer_range_stream_init (FoyerRangeStream *self)
{
}

/* ---- the job -------------------------------------------------------------------------- */

void
_foyer_fragment_job_free (FoyerFragmentJob *job)
{
  if (job == NULL)
    return;
  g_clear_object (&job->file);
  g_free (job->name);
  g_free (job->url);
  g_clear_object (&job->tls_database);
  g_clear_pointer (&job->wire, _foyer_upload_wire_unref);
  g_free (job);
}

static void
wrote_body_data_cb (SoupMessage *msg, guint chunk_size, gpointer user_data)
{
  FoyerFragmentJob *job = user_data;

  job->sent += chunk_size;
  wire_set (job->wire, job->sent);
}

static FoyerRangeStream *
open_range (FoyerFragmentJob *job, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) in = g_file_read (job->file, cancellable, error);
  FoyerRangeStream *stream;

  if (in == NULL
      || !_foyer_upload_check_unchanged (in, job->size, job->mtime_us, job->name, cancellable,
                                         error)
      || !g_seekable_seek (G_SEEKABLE (in), (goffset) job->offset, G_SEEK_SET, cancellable, error))
    return NULL;
  stream = g_object_new (FOYER_TYPE_RANGE_STREAM, NULL);
  stream->base = g_steal_pointer (&in);
  stream->job = job;
  stream->position = job->offset;
  stream->end = job->offset + job->length;
  return stream;
}

static void
send_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  FoyerFragmentJob *job = data;
  g_autoptr (SoupSession) session = NULL;
  g_autoptr (SoupMessage) msg = soup_message_new ("PUT", job->url);
  g_autoptr (FoyerRangeStream) body_stream = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *range = NULL;
  SoupMessageHeaders *headers;
  FoyerFragmentReply *reply;

  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s",
                               _ ("The upload address is not valid."));
      return;
    }
  body_stream = open_range (job, cancellable, &error);
  if (body_stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  session = soup_session_new_with_options ("user-agent", foyer_core_user_agent (), "timeout", 60,
                                           "idle-timeout", 60, NULL);
  if (job->tls_database != NULL)
    soup_session_set_tls_database (session, job->tls_database);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_NEW_CONNECTION);
  headers = soup_message_get_request_headers (msg);
  range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                           job->offset, job->offset + job->length - 1, job->size);
  soup_message_headers_replace (headers, "Content-Range", range);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_set_request_body (msg, "application/octet-stream", G_INPUT_STREAM (body_stream),
                                 (gssize) job->length);
  g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), job);
  body = soup_session_send_and_read (session, msg, cancellable, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  headers = soup_message_get_response_headers (msg);
  reply = g_new0 (FoyerFragmentReply, 1);
  reply->status = soup_message_get_status (msg);
  reply->body = g_steal_pointer (&body);
  reply->retry_after = g_strdup (soup_message_headers_get_one (headers, "Retry-After"));
  reply->request_id = g_strdup (soup_message_headers_get_one (headers, "request-id"));
  g_task_return_pointer (task, reply, (GDestroyNotify) _foyer_fragment_reply_free);
}

void
_foyer_fragment_send_async (FoyerFragmentJob *job,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  wire_set (job->wire, 0);
  job->sent = 0;
  g_task_set_source_tag (task, _foyer_fragment_send_async);
  g_task_set_task_data (task, job, (GDestroyNotify) _foyer_fragment_job_free);
  g_task_run_in_thread (task, send_thread);
}

FoyerFragmentReply *
_foyer_fragment_send_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the whole file, checked and hashed, on a thread of its own ---------------------- */

typedef struct
{
  GFile *file;
  guint64 size;
  gint64 mtime_us;
  char *name;
  gboolean keep; /* the bytes too, not only the hash */
  char *hash;    /* out */
} ReadJob;

static void
read_job_free (ReadJob *job)
{
  g_object_unref (job->file);
  g_free (job->name);
  g_free (job->hash);
  g_free (job);
}

/* Reads the file to its end, checked before and after: its QuickXorHash
 * in job->hash and, when job->keep, its bytes (else an empty array). */
static GByteArray *
read_whole (ReadJob *job, GCancellable *cancellable, GError **error)
{
  g_autoptr (GFileInputStream) in = g_file_read (job->file, cancellable, error);
  g_autoptr (GByteArray) kept = g_byte_array_sized_new (job->keep ? (guint) job->size : 0);
  g_autofree guint8 *chunk = g_malloc (1024 * 1024);
  FoyerQuickXor q;
  guint64 total = 0;

  foyer_quickxor_init (&q);
  if (in == NULL
      || !_foyer_upload_check_unchanged (in, job->size, job->mtime_us, job->name, cancellable,
                                         error))
    return NULL;
  while (total <= job->size)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), chunk, 1024 * 1024, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      foyer_quickxor_update (&q, chunk, (gsize) n);
      if (job->keep)
        g_byte_array_append (kept, chunk, (guint) n);
      total += (guint64) n;
    }
  if (total != job->size)
    {
      _foyer_upload_set_changed (error, job->name);
      return NULL;
    }
  if (!_foyer_upload_check_unchanged (in, job->size, job->mtime_us, job->name, cancellable, error))
    return NULL;
  job->hash = foyer_quickxor_finish_base64 (&q);
  return g_steal_pointer (&kept);
}

static void
read_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GError *error = NULL;
  GByteArray *bytes = read_whole (data, cancellable, &error);

  if (bytes == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_byte_array_free_to_bytes (bytes),
                           (GDestroyNotify) g_bytes_unref);
}

void
_foyer_upload_read_async (GFile *file,
                          guint64 size,
                          gint64 mtime_us,
                          const char *name,
                          gboolean keep_bytes,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ReadJob *job = g_new0 (ReadJob, 1);

  job->file = g_object_ref (file);
  job->size = size;
  job->mtime_us = mtime_us;
  job->name = g_strdup (name);
  job->keep = keep_bytes;
  g_task_set_source_tag (task, _foyer_upload_read_async);
  g_task_set_task_data (task, job, (GDestroyNotify) read_job_free);
  g_task_run_in_thread (task, read_thread);
}

GBytes *
_foyer_upload_read_finish (GAsyncResult *result, char **hash, GError **error)
{
  GBytes *bytes = g_task_propagate_pointer (G_TASK (result), error);

  if (bytes != NULL)
    *hash = g_strdup (((ReadJob *) g_task_get_task_data (G_TASK (result)))->hash);
  return bytes;
}
