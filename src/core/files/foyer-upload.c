/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload.h"

#include "foyer-upload-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The upload object: its state and progress, its sealed record, and the
 * ways a run ends. The steps of a run are in the other parts (see
 * foyer-upload-private.h). Fragments are streamed from the file by a
 * worker thread; another reads the whole file for its hash meanwhile. A
 * small file is read (and hashed) whole, on a worker thread.
 */

#define RATE_INTERVAL (500 * 1000)

G_DEFINE_ENUM_TYPE (FoyerUploadState,
                    foyer_upload_state,
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_QUEUED, "queued"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_PREPARING, "preparing"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_SENDING, "sending"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_DONE, "done"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (FOYER_UPLOAD_CANCELLED, "cancelled"))

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

/* ---- calls that know their run ---------------------------------------------- */

FoyerUploadCall *
_foyer_upload_call_new (FoyerUpload *self)
{
  FoyerUploadCall *call = g_new0 (FoyerUploadCall, 1);

  call->self = g_object_ref (self);
  call->run = g_object_ref (self->run);
  return call;
}

void
_foyer_upload_call_free (FoyerUploadCall *call)
{
  g_object_unref (call->self);
  g_object_unref (call->run);
  g_free (call);
}

gboolean
_foyer_upload_call_stale (FoyerUploadCall *call)
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

void
_foyer_upload_notify_progress (FoyerUpload *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();

  update_rate (self, now);
  if (!force && now - self->last_notify < FOYER_UPLOAD_NOTIFY_INTERVAL)
    return;
  self->last_notify = now;
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_SENT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECONDS_LEFT]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_foyer_upload_set_state (FoyerUpload *self, FoyerUploadState state)
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
  _foyer_upload_notify_progress (self, TRUE);
  if (self->host.owner != NULL)
    self->host.changed (self->host.owner);
}

/* A wait on an upload that has ended: its item, its error, or cancelled. */
static void
return_outcome (FoyerUpload *self, GTask *task)
{
  if (self->state == FOYER_UPLOAD_DONE)
    g_task_return_pointer (task, g_object_ref (self->item), g_object_unref);
  else if (self->state == FOYER_UPLOAD_FAILED)
    g_task_return_error (task, g_error_copy (self->error));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _ ("The upload was cancelled."));
}

static void
complete_waiters (FoyerUpload *self)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    return_outcome (self, waiters->pdata[i]);
}

void
_foyer_upload_clear_wait (FoyerUpload *self)
{
  if (self->wait_source != NULL)
    {
      g_source_destroy (self->wait_source);
      g_clear_pointer (&self->wait_source, g_source_unref);
    }
}

void
_foyer_upload_stop_progress (FoyerUpload *self)
{
  if (self->progress_source != NULL)
    {
      g_source_destroy (self->progress_source);
      g_clear_pointer (&self->progress_source, g_source_unref);
    }
}

/* Ends the run: in-flight calls become stale, buffers go. */
static void
end_run (FoyerUpload *self)
{
  g_cancellable_cancel (self->run);
  _foyer_upload_clear_wait (self);
  _foyer_upload_stop_progress (self);
  g_clear_pointer (&self->ahead, g_bytes_unref);
  g_clear_pointer (&self->pending_item, json_node_unref);
  self->in_flight = 0;
  self->send_when_read = FALSE;
}

/* ---- the sealed record --------------------------------------------------------- */

/* A store closed meanwhile (sign-out) has nothing left to keep. */
static void
warn_unless_closed (gboolean done, const GError *error, const char *what)
{
  if (!done && !g_error_matches (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED))
    g_warning ("Could not %s: %s", what, error->message);
}

static void
store_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  gboolean done = foyer_store_put_finish (FOYER_STORE (source), result, &error);

  warn_unless_closed (done, error, "keep an unfinished upload");
}

void
_foyer_upload_save_record (FoyerUpload *self)
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
  gboolean done = foyer_store_delete_finish (FOYER_STORE (source), result, &error);

  warn_unless_closed (done, error, "forget a finished upload");
}

static void
forget_record (FoyerUpload *self)
{
  if (self->store != NULL)
    foyer_store_delete_async (self->store, FOYER_STORE_NS_UPLOADS, self->record->id, NULL,
                              delete_done_cb, NULL);
}

void
_foyer_upload_take_picked (FoyerUpload *self, guint64 size, gint64 mtime_us)
{
  self->record->size = size;
  self->record->mtime_us = mtime_us;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
  _foyer_upload_save_record (self);
}

/* ---- ending ------------------------------------------------------------------ */

void
_foyer_upload_fail (FoyerUpload *self, GError *error, gboolean can_retry)
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
      _foyer_upload_delete_session (self);
      forget_record (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RETRY]);
  _foyer_upload_set_state (self, FOYER_UPLOAD_FAILED);
  complete_waiters (self);
}

void
_foyer_upload_succeed (FoyerUpload *self, FoyerDriveItem *item)
{
  end_run (self);
  g_clear_object (&self->item);
  self->item = item;
  self->confirmed = self->record->size;
  g_free (g_steal_pointer (&self->record->upload_url));
  forget_record (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ITEM]);
  _foyer_upload_set_state (self, FOYER_UPLOAD_DONE);
  complete_waiters (self);
}

GError *
_foyer_upload_error_new (FoyerUpload *self, FoyerUploadError code)
{
  const char *name = self->record->name;

  switch (code)
    {
    case FOYER_UPLOAD_ERROR_FILE_CHANGED:
      {
        GError *error = NULL;

        _foyer_upload_set_changed (&error, name);
        return error;
      }
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

GError *
_foyer_upload_read_error (FoyerUpload *self, GError *error)
{
  GError *said;

  if (error->domain == FOYER_UPLOAD_ERROR)
    return error;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    said = g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                        _ ("“%s” is no longer on this computer."), self->record->name);
  else
    said = g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE,
                        _ ("“%s” could not be read: %s"), self->record->name, error->message);
  g_error_free (error);
  return said;
}

void
_foyer_upload_stop (FoyerUpload *self)
{
  g_return_if_fail (FOYER_IS_UPLOAD (self));

  if (state_is_final (self->state))
    return;
  end_run (self);
  _foyer_upload_set_state (self, FOYER_UPLOAD_QUEUED);
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
  _foyer_upload_delete_session (self);
  forget_record (self);
  g_clear_error (&self->error);
  self->confirmed = 0;
  _foyer_upload_set_state (self, FOYER_UPLOAD_CANCELLED);
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
  _foyer_upload_set_state (self, FOYER_UPLOAD_QUEUED);
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
  if (state_is_final (self->state))
    return_outcome (self, task);
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
