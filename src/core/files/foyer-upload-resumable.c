/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-private.h"

#include "foyer-graph-error.h"
#include "foyer-retry.h"
#include "foyer-upload-session.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * A larger file goes by an upload session: createUploadSession (with
 * conflictBehavior=rename) gives an upload URL, kept sealed in the record;
 * fragments go to it from a worker thread (foyer-upload-sender.c), bigger
 * on a fast link; a status GET says where to go on after a failure or a
 * quit. The file's hash is read meanwhile. A session that is gone starts
 * again from the first byte, a few times at most.
 */

#define MAX_RESTARTS     3
#define FRAGMENT_SECONDS 2.0

static void send_next (FoyerUpload *self);

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
      _foyer_upload_fail (self, g_steal_pointer (&error), FALSE);
      return FALSE;
    }
  if (reply->upload_url != NULL && !upload_url_in_cloud (self, reply->upload_url))
    {
      g_message ("An upload URL outside the cloud's hosts was refused");
      _foyer_upload_fail (self, _foyer_upload_error_new (self, FOYER_UPLOAD_ERROR_MALFORMED),
                          FALSE);
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
  _foyer_upload_notify_progress (self, FALSE);
  return TRUE;
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  FoyerUpload *self = user_data;

  self->in_flight = _foyer_upload_wire_get_sent (self->wire);
  _foyer_upload_notify_progress (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
start_progress (FoyerUpload *self)
{
  _foyer_upload_stop_progress (self);
  self->progress_source = g_timeout_source_new (FOYER_UPLOAD_NOTIFY_INTERVAL / 1000);
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
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerFragmentReply) reply = _foyer_fragment_send_finish (result, &error);
  g_autoptr (JsonNode) node = NULL;
  guint retry_after = 0;

  if (_foyer_upload_call_stale (call))
    return;
  _foyer_upload_stop_progress (self);
  self->in_flight = 0;
  if (reply == NULL)
    {
      /* A file that changed or went away, or a certificate that is not
       * trusted, will not be better on a retry. */
      if (error->domain == G_TLS_ERROR)
        _foyer_upload_fail (self, g_steal_pointer (&error), FALSE);
      else if (error->domain == FOYER_UPLOAD_ERROR
               || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        _foyer_upload_fail (self, _foyer_upload_read_error (self, g_steal_pointer (&error)), FALSE);
      else
        _foyer_upload_handle_failure (
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
        _foyer_upload_fail (
            self,
            g_error_new_literal (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED,
                                 _ ("Microsoft Graph sent an upload session Foyer cannot use.")),
            FALSE);
      else if (reply->status == 200 || reply->status == 201)
        _foyer_upload_complete (self, node);
      else if (take_session_reply (self, node, FALSE))
        send_next (self);
      return;
    }
  if (!foyer_retry_parse_after (reply->retry_after, NULL, &retry_after))
    retry_after = 0;
  _foyer_upload_handle_failure_after (
      self, foyer_graph_error_new_from_response (reply->status, reply->request_id, reply->body),
      retry_after);
}

static void start_hashing (FoyerUpload *self);

static void
hash_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autoptr (GBytes) read = _foyer_upload_read_finish (result, &hash, &error);
  g_autoptr (JsonNode) pending = g_steal_pointer (&self->pending_item);

  self->hashing = FALSE;
  if (_foyer_upload_call_stale (call))
    {
      /* A later run may be waiting for a hash. */
      if (!g_cancellable_is_cancelled (self->run) && self->state == FOYER_UPLOAD_SENDING)
        start_hashing (self);
      return;
    }
  if (read == NULL)
    {
      _foyer_upload_fail (self, _foyer_upload_read_error (self, g_steal_pointer (&error)), FALSE);
      return;
    }
  self->local_hash = g_steal_pointer (&hash);
  if (pending != NULL)
    _foyer_upload_complete (self, pending);
}

/* The hash is read on a thread of its own while the fragments go. */
static void
start_hashing (FoyerUpload *self)
{
  if (self->local_hash != NULL || self->hashing)
    return;
  self->hashing = TRUE;
  _foyer_upload_read_async (self->file, self->record->size, self->record->mtime_us,
                            self->record->name, FALSE, self->run, hash_done_cb,
                            _foyer_upload_call_new (self));
}

static void
send_next (FoyerUpload *self)
{
  guint64 offset = self->confirmed;
  FoyerFragmentJob *job;
  FoyerUploadCall *call;

  start_hashing (self);

  if (offset >= self->record->size)
    {
      /* Every byte is there but the item never came: the last reply was
       * lost after the file was made. */
      _foyer_upload_find_committed (self);
      return;
    }
  _foyer_upload_set_state (self, FOYER_UPLOAD_SENDING);
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
  call = _foyer_upload_call_new (self);
  call->offset = offset;
  call->length = job->length;
  self->sent_at = g_get_monotonic_time ();
  _foyer_fragment_send_async (job, self->run, fragment_cb, call);
  start_progress (self);
}

static void
status_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (_foyer_upload_call_stale (call))
    return;
  if (node == NULL)
    {
      if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND)
          && self->final_sent)
        _foyer_upload_find_committed (self);
      else
        _foyer_upload_handle_failure (self, g_steal_pointer (&error));
      return;
    }
  if (take_session_reply (self, node, FALSE))
    send_next (self);
}

void
_foyer_upload_get_status (FoyerUpload *self)
{
  _foyer_upload_set_state (self, FOYER_UPLOAD_SENDING);
  foyer_graph_client_request_async (self->client, "GET", self->record->upload_url, NULL, self->run,
                                    status_cb, _foyer_upload_call_new (self));
}

static void
create_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (_foyer_upload_call_stale (call))
    return;
  if (node == NULL)
    {
      if (!_foyer_upload_refresh_folder (self, error))
        _foyer_upload_handle_failure (self, g_steal_pointer (&error));
      return;
    }
  self->confirmed = 0;
  if (!take_session_reply (self, node, TRUE))
    return;
  /* The session URL is a capability: it is only ever kept sealed. */
  _foyer_upload_save_record (self);
  send_next (self);
}

void
_foyer_upload_create_session (FoyerUpload *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = _foyer_upload_item_path (self, "createUploadSession");

  _foyer_upload_set_state (self, FOYER_UPLOAD_PREPARING);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "item");
  json_builder_begin_object (b);
  foyer_json_builder_add_string (b, "@microsoft.graph.conflictBehavior", "rename");
  foyer_json_builder_add_string (b, "name", self->record->name);
  foyer_json_builder_add_int (b, "fileSize", (gint64) self->record->size);
  json_builder_end_object (b);
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  foyer_graph_client_request_async (self->client, "POST", path, body, self->run, create_cb,
                                    _foyer_upload_call_new (self));
}

/* The session is gone (expired, or deleted): start again from the first
 * byte, a few times at most. */
void
_foyer_upload_restart_session (FoyerUpload *self)
{
  if (++self->restarts > MAX_RESTARTS)
    {
      _foyer_upload_fail (
          self,
          g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_GAVE_UP,
                       _ ("“%s” could not be sent: OneDrive kept ending the upload."),
                       self->record->name),
          TRUE);
      return;
    }
  g_debug ("Upload session of %s lost: starting again", self->record->name);
  g_free (g_steal_pointer (&self->record->upload_url));
  self->record->expires = 0;
  _foyer_upload_save_record (self);
  self->confirmed = 0;
  self->final_sent = FALSE;
  _foyer_upload_notify_progress (self, TRUE);
  _foyer_upload_create_session (self);
}

/* ---- ending a session ---------------------------------------------------------------- */

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
void
_foyer_upload_delete_session (FoyerUpload *self)
{
  g_autofree char *url = g_steal_pointer (&self->record->upload_url);

  if (url != NULL)
    foyer_graph_client_request_async (self->client, "DELETE", url, NULL, NULL, delete_session_cb,
                                      NULL);
  if (url != NULL)
    memset (url, 0, strlen (url));
}
