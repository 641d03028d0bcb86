/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-private.h"

#include "foyer-quickxor.h"

#include <glib/gi18n-lib.h>

/*
 * A small file (up to the uploader's simple-max) goes in one PUT, with
 * conflictBehavior=rename. It is read whole first, on a worker thread,
 * checked before and after, and hashed; the bytes are kept for a retry.
 */

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
  _foyer_upload_simple (self);
}

static void
read_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = g_task_propagate_pointer (G_TASK (result), &error);

  /* The reader is free again, whichever run it read for. */
  self->reading = FALSE;
  if (_foyer_upload_call_stale (call))
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
      _foyer_upload_fail (self, e, FALSE);
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
  FoyerUploadCall *call = _foyer_upload_call_new (self);
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
  FoyerUploadCall *call = user_data;

  if (_foyer_upload_call_stale (call))
    return;
  call->self->in_flight = bytes_sent;
  _foyer_upload_notify_progress (call->self, FALSE);
}

char *
_foyer_upload_item_path (FoyerUpload *self, const char *suffix)
{
  g_autofree char *folder = g_uri_escape_string (self->folder_id, NULL, FALSE);
  g_autofree char *name = g_uri_escape_string (self->record->name, NULL, FALSE);

  return g_strdup_printf ("/me/drive/items/%s:/%s:/%s", folder, name, suffix);
}

static void
simple_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish_full (FOYER_GRAPH_CLIENT (source), result, NULL, &error);
  if (_foyer_upload_call_stale (call))
    return;
  self->in_flight = 0;
  if (node == NULL)
    {
      if (!_foyer_upload_refresh_folder (self, error))
        _foyer_upload_handle_failure (self, g_steal_pointer (&error));
      return;
    }
  self->confirmed = self->record->size;
  _foyer_upload_complete (self, node);
}

void
_foyer_upload_simple (FoyerUpload *self)
{
  g_autoptr (GBytes) bytes = take_bytes (self);
  g_autofree char *path = NULL;
  FoyerUploadCall *call;

  if (bytes == NULL)
    return;
  _foyer_upload_set_state (self, FOYER_UPLOAD_SENDING);
  path = _foyer_upload_item_path (self, "content?@microsoft.graph.conflictBehavior=rename");
  self->final_sent = TRUE;
  call = _foyer_upload_call_new (self);
  /* The same call for progress and completion: progress only comes before. */
  foyer_graph_client_send_bytes_async (self->client, "PUT", path, bytes, NULL, NULL, progress_cb,
                                       call, self->run, simple_cb, call);
}
