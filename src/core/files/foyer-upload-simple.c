/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-private.h"

#include <glib/gi18n-lib.h>

/*
 * A small file (up to the uploader's simple-max) goes in one PUT, with
 * conflictBehavior=rename. It is read whole first, on a worker thread,
 * checked before and after, and hashed (_foyer_upload_read_async); the
 * bytes are kept for a retry.
 */

/* ---- reading a small file ---------------------------------------------------------- */

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
  g_autofree char *hash = NULL;
  g_autoptr (GBytes) bytes = _foyer_upload_read_finish (result, &hash, &error);

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
      _foyer_upload_fail (self, _foyer_upload_read_error (self, g_steal_pointer (&error)), FALSE);
      return;
    }
  /* Kept for a retry after a network failure: small by definition. */
  g_clear_pointer (&self->ahead, g_bytes_unref);
  self->ahead = g_steal_pointer (&bytes);
  if (self->local_hash == NULL)
    self->local_hash = g_steal_pointer (&hash);
  if (self->send_when_read)
    continue_after_read (self);
}

static void
read_file (FoyerUpload *self)
{
  self->reading = TRUE;
  _foyer_upload_read_async (self->file, self->record->size, self->record->mtime_us,
                            self->record->name, TRUE, self->run, read_done_cb,
                            _foyer_upload_call_new (self));
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
