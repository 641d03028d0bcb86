/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-file-transfer.h"

struct _FoyerFileTransfer
{
  GObject parent_instance;

  char *id;
  char *space_id;
  char *name;
  guint64 size;
  FoyerFileTransferState state;
  double progress;
  char *details;
  char *error;
  gboolean can_retry;
  gboolean resumed;
  FoyerUpload *upload;
};

G_DEFINE_FINAL_TYPE (FoyerFileTransfer, foyer_file_transfer, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_SPACE_ID,
  PROP_NAME,
  PROP_SIZE,
  PROP_STATE,
  PROP_PROGRESS,
  PROP_DETAILS,
  PROP_ERROR,
  PROP_CAN_RETRY,
  PROP_RESUMED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_time_left (int seconds)
{
  guint minutes, hours;

  if (seconds < 60)
    return g_strdup (_ ("less than a minute left"));
  minutes = (seconds + 30) / 60;
  if (minutes < 90)
    return g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "about %u minute left", "about %u minutes left", minutes),
        minutes);
  hours = (minutes + 30) / 60;
  return g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE, "about %u hour left", "about %u hours left", hours), hours);
}

/* "3.2 MB of 12.0 MB — about 2 minutes left"; the time only when known. */
char *
foyer_file_transfer_format_progress (guint64 sent, guint64 size, int seconds_left)
{
  g_autofree char *done = g_format_size (sent);
  g_autofree char *total = g_format_size (size);
  g_autofree char *left = NULL;

  if (seconds_left < 0)
    /* Translators: bytes sent of the file's size, e.g. "3.2 MB of 12.0 MB". */
    return g_strdup_printf (_ ("%s of %s"), done, total);
  left = format_time_left (seconds_left);
  /* Translators: e.g. "3.2 MB of 12.0 MB — about 2 minutes left". */
  return g_strdup_printf (_ ("%s of %s — %s"), done, total, left);
}

static void
set_string (FoyerFileTransfer *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_state (FoyerFileTransfer *self, FoyerFileTransferState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_progress (FoyerFileTransfer *self, double progress)
{
  if (self->progress == progress)
    return;
  self->progress = progress;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
}

static void
set_can_retry (FoyerFileTransfer *self, gboolean can_retry)
{
  if (self->can_retry == !!can_retry)
    return;
  self->can_retry = !!can_retry;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_RETRY]);
}

/* What the upload is doing, in the transfer's words. */
static void
upload_changed_cb (FoyerFileTransfer *self)
{
  FoyerUpload *upload = self->upload;
  FoyerUploadState state = foyer_upload_get_state (upload);
  g_autofree char *details = NULL;
  g_autofree char *sent = NULL;
  guint64 size = foyer_upload_get_size (upload);

  if (size != self->size && size > 0)
    {
      self->size = size;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
    }
  set_progress (self, foyer_upload_get_progress (upload));
  switch (state)
    {
    case FOYER_UPLOAD_QUEUED:
      details = g_strdup (_ ("Waiting to upload…"));
      break;
    case FOYER_UPLOAD_PREPARING:
      details = g_strdup (_ ("Getting ready to upload…"));
      break;
    case FOYER_UPLOAD_SENDING:
      details = foyer_file_transfer_format_progress (foyer_upload_get_bytes_sent (upload), size,
                                                     foyer_upload_get_seconds_left (upload));
      break;
    case FOYER_UPLOAD_WAITING:
      sent = foyer_file_transfer_format_progress (foyer_upload_get_bytes_sent (upload), size, -1);
      /* Translators: %s is "3.2 MB of 12.0 MB". */
      details
          = g_strdup_printf (_ ("%s — Microsoft cannot take more right now, trying again…"), sent);
      break;
    case FOYER_UPLOAD_DONE:
    case FOYER_UPLOAD_FAILED:
    case FOYER_UPLOAD_CANCELLED:
    default:
      /* FoyerFileUploads says what comes next. */
      return;
    }
  set_state (self, FOYER_FILE_TRANSFER_UPLOADING);
  set_string (self, &self->error, NULL, PROP_ERROR);
  set_can_retry (self, FALSE);
  set_string (self, &self->details, details, PROP_DETAILS);
}

void
foyer_file_transfer_set_upload (FoyerFileTransfer *self, FoyerUpload *upload)
{
  g_return_if_fail (FOYER_IS_FILE_TRANSFER (self));
  g_return_if_fail (upload == NULL || FOYER_IS_UPLOAD (upload));

  if (self->upload != NULL)
    g_signal_handlers_disconnect_by_data (self->upload, self);
  g_set_object (&self->upload, upload);
  if (upload == NULL)
    return;
  g_signal_connect_object (upload, "notify::state", G_CALLBACK (upload_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (upload, "notify::progress", G_CALLBACK (upload_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (upload, "notify::seconds-left", G_CALLBACK (upload_changed_cb), self,
                           G_CONNECT_SWAPPED);
  upload_changed_cb (self);
}

FoyerUpload *
foyer_file_transfer_get_upload (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->upload;
}

/* In OneDrive: now the link and the message. */
void
foyer_file_transfer_set_sharing (FoyerFileTransfer *self)
{
  g_return_if_fail (FOYER_IS_FILE_TRANSFER (self));

  foyer_file_transfer_set_upload (self, NULL);
  set_progress (self, 1.0);
  set_string (self, &self->error, NULL, PROP_ERROR);
  set_can_retry (self, FALSE);
  set_string (self, &self->details, _ ("Sharing with the space…"), PROP_DETAILS);
  set_state (self, FOYER_FILE_TRANSFER_SHARING);
}

void
foyer_file_transfer_set_failed (FoyerFileTransfer *self, const char *error, gboolean can_retry)
{
  g_return_if_fail (FOYER_IS_FILE_TRANSFER (self));
  g_return_if_fail (error != NULL);

  set_string (self, &self->error, error, PROP_ERROR);
  set_can_retry (self, can_retry);
  set_string (self, &self->details, NULL, PROP_DETAILS);
  set_state (self, FOYER_FILE_TRANSFER_FAILED);
}

void
foyer_file_transfer_set_resumed (FoyerFileTransfer *self, gboolean resumed)
{
  g_return_if_fail (FOYER_IS_FILE_TRANSFER (self));

  if (self->resumed == !!resumed)
    return;
  self->resumed = !!resumed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESUMED]);
}

const char *
foyer_file_transfer_get_id (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->id;
}

const char *
foyer_file_transfer_get_space_id (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->space_id;
}

const char *
foyer_file_transfer_get_name (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->name;
}

guint64
foyer_file_transfer_get_size (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), 0);
  return self->size;
}

FoyerFileTransferState
foyer_file_transfer_get_state (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), FOYER_FILE_TRANSFER_FAILED);
  return self->state;
}

double
foyer_file_transfer_get_progress (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), 0);
  return self->progress;
}

const char *
foyer_file_transfer_get_details (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->details;
}

const char *
foyer_file_transfer_get_error (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), NULL);
  return self->error;
}

gboolean
foyer_file_transfer_get_can_retry (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), FALSE);
  return self->can_retry;
}

gboolean
foyer_file_transfer_get_resumed (FoyerFileTransfer *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (self), FALSE);
  return self->resumed;
}

static void
foyer_file_transfer_dispose (GObject *object)
{
  foyer_file_transfer_set_upload (FOYER_FILE_TRANSFER (object), NULL);
  G_OBJECT_CLASS (foyer_file_transfer_parent_class)->dispose (object);
}

static void
foyer_file_transfer_finalize (GObject *object)
{
  FoyerFileTransfer *self = FOYER_FILE_TRANSFER (object);

  g_free (self->id);
  g_free (self->space_id);
  g_free (self->name);
  g_free (self->details);
  g_free (self->error);
  G_OBJECT_CLASS (foyer_file_transfer_parent_class)->finalize (object);
}

static void
foyer_file_transfer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerFileTransfer *self = FOYER_FILE_TRANSFER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SPACE_ID:
      g_value_set_string (value, self->space_id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_DETAILS:
      g_value_set_string (value, self->details);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_CAN_RETRY:
      g_value_set_boolean (value, self->can_retry);
      break;
    case PROP_RESUMED:
      g_value_set_boolean (value, self->resumed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_file_transfer_class_init (FoyerFileTransferClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_file_transfer_dispose;
  object_class->finalize = foyer_file_transfer_finalize;
  object_class->get_property = foyer_file_transfer_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_SPACE_ID] = g_param_spec_string ("space-id", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_FILE_TRANSFER_STATE,
                                              FOYER_FILE_TRANSFER_UPLOADING, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_DETAILS] = g_param_spec_string ("details", NULL, NULL, NULL, ro);
  properties[PROP_ERROR] = g_param_spec_string ("error", NULL, NULL, NULL, ro);
  properties[PROP_CAN_RETRY] = g_param_spec_boolean ("can-retry", NULL, NULL, FALSE, ro);
  properties[PROP_RESUMED] = g_param_spec_boolean ("resumed", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_file_transfer_init (FoyerFileTransfer *self)
{
}

FoyerFileTransfer *
foyer_file_transfer_new (const char *id, const char *space_id, const char *name, guint64 size)
{
  FoyerFileTransfer *self;

  g_return_val_if_fail (id != NULL, NULL);

  self = g_object_new (FOYER_TYPE_FILE_TRANSFER, NULL);
  self->id = g_strdup (id);
  self->space_id = g_strdup (space_id);
  self->name = g_strdup (name);
  self->size = size;
  self->details = g_strdup (_ ("Waiting to upload…"));
  return self;
}
