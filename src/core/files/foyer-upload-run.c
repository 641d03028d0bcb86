/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-private.h"

#include "foyer-graph-error.h"

#include <glib/gi18n-lib.h>

/*
 * A run of an upload: the file is checked (still the one picked), the
 * folder found (or made), then the upload goes the simple way or by an
 * upload session. A failure that may pass (network, throttling, 5xx)
 * waits and goes on; a session that is gone starts again.
 */

#define FILE_ATTRIBUTES                                                                            \
  G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE                                \
                                 "," G_FILE_ATTRIBUTE_TIME_MODIFIED                                \
                                 "," G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC
#define MAX_WAIT_MS (5 * 60 * 1000)

static void resume_step (FoyerUpload *self);

/* ---- starting ---------------------------------------------------------------------- */

static void
folder_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *folder_id = NULL;

  folder_id = self->host.ensure_folder_finish (source, result, &error);
  if (_foyer_upload_call_stale (call))
    return;
  if (folder_id == NULL)
    {
      _foyer_upload_handle_failure (self, g_steal_pointer (&error));
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
  self->host.ensure_folder_async (self->host.owner, FALSE, self->run, folder_cb,
                                  _foyer_upload_call_new (self));
}

static void
stat_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autoptr (GDateTime) modified = NULL;

  if (_foyer_upload_call_stale (call))
    return;
  if (info == NULL)
    {
      _foyer_upload_fail (self, _foyer_upload_read_error (self, g_steal_pointer (&error)), FALSE);
      return;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      _foyer_upload_fail (self, _foyer_upload_error_new (self, FOYER_UPLOAD_ERROR_NOT_A_FILE),
                          FALSE);
      return;
    }
  if (self->record->mtime_us == 0 && self->record->upload_url == NULL)
    {
      /* First start: this is the file as picked. */
      modified = g_file_info_get_modification_date_time (info);
      _foyer_upload_take_picked (self, (guint64) g_file_info_get_size (info),
                                 modified != NULL ? g_date_time_to_unix (modified) * G_USEC_PER_SEC
                                                        + g_date_time_get_microsecond (modified)
                                                  : 1);
    }
  else if (!_foyer_upload_same_file (info, self->record->size, self->record->mtime_us))
    {
      _foyer_upload_fail (self, _foyer_upload_error_new (self, FOYER_UPLOAD_ERROR_FILE_CHANGED),
                          FALSE);
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
  _foyer_upload_set_state (self, FOYER_UPLOAD_PREPARING);
  g_file_query_info_async (self->file, FILE_ATTRIBUTES, G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT,
                           self->run, stat_cb, _foyer_upload_call_new (self));
}

gboolean
_foyer_upload_refresh_folder (FoyerUpload *self, GError *error)
{
  if (self->folder_refreshed || self->host.owner == NULL
      || !g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    return FALSE;
  self->folder_refreshed = TRUE;
  self->host.ensure_folder_async (self->host.owner, TRUE, self->run, folder_cb,
                                  _foyer_upload_call_new (self));
  return TRUE;
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
    _foyer_upload_simple (self);
  else if (self->record->upload_url != NULL)
    _foyer_upload_get_status (self);
  else
    _foyer_upload_create_session (self);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  FoyerUpload *self = user_data;

  g_clear_pointer (&self->wait_source, g_source_unref);
  _foyer_upload_set_state (self, FOYER_UPLOAD_SENDING);
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
      _foyer_upload_fail (self, gave_up, TRUE);
      return;
    }
  if (retry_after > 0)
    delay = MAX (MIN (retry_after, MAX_WAIT_MS / 1000) * 1000, backoff_ms (self));
  else
    delay = backoff_ms (self);
  g_debug ("Upload of %s waits %u ms: %s", self->record->name, delay, error->message);
  g_error_free (error);
  self->in_flight = 0;
  _foyer_upload_set_state (self, FOYER_UPLOAD_WAITING);
  _foyer_upload_clear_wait (self);
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

void
_foyer_upload_handle_failure_after (FoyerUpload *self, GError *error, guint retry_after)
{
  guint status = foyer_graph_error_get_status (error);

  self->in_flight = 0;
  if (error->domain == FOYER_GRAPH_ERROR && status == 416)
    {
      /* The server holds other bytes than we thought: ask it. */
      g_error_free (error);
      _foyer_upload_get_status (self);
    }
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND)
           && self->record->upload_url != NULL)
    {
      g_error_free (error);
      _foyer_upload_restart_session (self);
    }
  else if (is_transient (error))
    retry_later (self, error, retry_after);
  else
    _foyer_upload_fail (self, error, FALSE);
}

void
_foyer_upload_handle_failure (FoyerUpload *self, GError *error)
{
  _foyer_upload_handle_failure_after (self, error, foyer_graph_error_get_retry_after (error));
}
