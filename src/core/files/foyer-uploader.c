/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-uploader.h"

#include "foyer-core.h"
#include "foyer-graph-error.h"
#include "foyer-upload-error.h"
#include "foyer-upload-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAX_FRAGMENT_UNITS 191 /* Graph takes less than 60 MiB per request */

struct _FoyerUploader
{
  FoyerObjectList parent_instance; /* of FoyerUpload */

  FoyerGraphClient *client;
  FoyerStore *store;
  GCancellable *cancellable;
  gboolean scheduling;

  guint max_concurrent;
  FoyerUploadSettings settings;

  /* "Foyer Files": its id once known, and who waits for it. */
  char *folder_id;
  GPtrArray *folder_waiters; /* GTask* */
};

G_DEFINE_FINAL_TYPE (FoyerUploader, foyer_uploader, FOYER_TYPE_OBJECT_LIST)

enum
{
  PROP_0,
  PROP_CLIENT,
  PROP_STORE,
  PROP_MAX_CONCURRENT,
  PROP_FRAGMENT_SIZE,
  PROP_MAX_FRAGMENT_SIZE,
  PROP_SIMPLE_MAX,
  PROP_MAX_ATTEMPTS,
  PROP_BASE_DELAY_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- scheduling ------------------------------------------------------------------ */

static guint
n_uploads (FoyerUploader *self)
{
  return foyer_object_list_get_length (FOYER_OBJECT_LIST (self));
}

static FoyerUpload *
upload_at (FoyerUploader *self, guint position)
{
  return foyer_object_list_peek (FOYER_OBJECT_LIST (self), position);
}

static guint
count_active (FoyerUploader *self)
{
  guint n = 0;

  for (guint i = 0; i < n_uploads (self); i++)
    if (_foyer_upload_is_active (upload_at (self, i)))
      n++;
  return n;
}

static void
schedule (FoyerUploader *self)
{
  /* Starting an upload changes its state, which calls back here. */
  if (self->scheduling || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->scheduling = TRUE;
  for (guint i = 0; i < n_uploads (self) && count_active (self) < self->max_concurrent; i++)
    {
      FoyerUpload *upload = upload_at (self, i);

      if (foyer_upload_get_state (upload) == FOYER_UPLOAD_QUEUED)
        _foyer_upload_start (upload, &self->settings);
    }
  self->scheduling = FALSE;
}

static void
host_changed (gpointer owner)
{
  schedule (FOYER_UPLOADER (owner));
}

static void host_ensure_folder_async (gpointer owner,
                                      gboolean refresh,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
static char *host_ensure_folder_finish (gpointer owner, GAsyncResult *result, GError **error);

static FoyerUploadHost
host_of (FoyerUploader *self)
{
  return (FoyerUploadHost){
    .owner = self,
    .ensure_folder_async = host_ensure_folder_async,
    .ensure_folder_finish = host_ensure_folder_finish,
    .changed = host_changed,
  };
}

/* Takes upload: the list holds it. */
static void
append (FoyerUploader *self, FoyerUpload *upload)
{
  foyer_object_list_append (FOYER_OBJECT_LIST (self), upload);
  g_object_unref (upload);
}

static gboolean
has_upload (FoyerUploader *self, const char *id)
{
  for (guint i = 0; i < n_uploads (self); i++)
    if (g_strcmp0 (foyer_upload_get_id (upload_at (self, i)), id) == 0)
      return TRUE;
  return FALSE;
}

FoyerUpload *
foyer_uploader_add (FoyerUploader *self, GFile *file, const char *name, const char *context)
{
  g_autoptr (FoyerUploadRecord) record = foyer_upload_record_new ();
  g_autofree char *base = NULL;
  FoyerUpload *upload;
  FoyerUploadHost host;

  g_return_val_if_fail (FOYER_IS_UPLOADER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  base = name != NULL ? g_strdup (name) : g_file_get_basename (file);
  if (name == NULL && base != NULL)
    {
      /* Names on disk need not be UTF-8; OneDrive's are. */
      g_autofree char *display = g_filename_display_name (base);

      g_free (base);
      base = g_steal_pointer (&display);
    }
  record->id = foyer_random_token (16);
  record->file_uri = g_file_get_uri (file);
  record->name = foyer_upload_sanitize_name (base);
  record->context = g_strdup (context);
  record->created = g_get_real_time () / G_USEC_PER_SEC;
  host = host_of (self);
  upload = _foyer_upload_new (&host, self->client, self->store, foyer_upload_record_copy (record),
                              FALSE);
  /* Kept at once, so that a quit before the first byte loses nothing. */
  if (self->store != NULL)
    {
      g_autoptr (GBytes) bytes = foyer_upload_record_to_bytes (record);
      g_autoptr (GError) error = NULL;

      if (!foyer_store_put (self->store, FOYER_STORE_NS_UPLOADS, record->id, bytes, &error))
        g_warning ("Could not keep an upload for the next start: %s", error->message);
    }
  append (self, upload);
  schedule (self);
  return upload;
}

void
foyer_uploader_remove (FoyerUploader *self, FoyerUpload *upload)
{
  guint position;

  g_return_if_fail (FOYER_IS_UPLOADER (self));
  g_return_if_fail (FOYER_IS_UPLOAD (upload));

  if (!foyer_object_list_find (FOYER_OBJECT_LIST (self), upload, &position))
    return;
  if (_foyer_upload_is_active (upload) || foyer_upload_get_state (upload) == FOYER_UPLOAD_QUEUED)
    foyer_upload_cancel (upload);
  _foyer_upload_detach (upload);
  foyer_object_list_remove (FOYER_OBJECT_LIST (self), position);
}

void
foyer_uploader_shutdown (FoyerUploader *self)
{
  g_return_if_fail (FOYER_IS_UPLOADER (self));

  g_cancellable_cancel (self->cancellable);
  for (guint i = 0; i < n_uploads (self); i++)
    _foyer_upload_stop (upload_at (self, i));
}

/* ---- resuming ----------------------------------------------------------------------- */

static void
resume_list_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerUploader *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint resumed = 0;

  entries = foyer_store_list_finish (FOYER_STORE (source), result, &error);
  if (entries == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      FoyerStoreEntry *entry = entries->pdata[i];
      g_autoptr (GError) parse_error = NULL;
      FoyerUploadRecord *record = foyer_upload_record_from_bytes (entry->value, &parse_error);

      if (record == NULL || g_strcmp0 (record->id, entry->key) != 0)
        {
          g_warning ("Dropping an unreadable saved upload");
          foyer_store_delete (self->store, FOYER_STORE_NS_UPLOADS, entry->key, NULL);
          foyer_upload_record_free (record);
          continue;
        }
      if (has_upload (self, record->id))
        {
          foyer_upload_record_free (record);
          continue;
        }
      FoyerUploadHost host = host_of (self);

      append (self, _foyer_upload_new (&host, self->client, self->store, record, TRUE));
      resumed++;
    }
  schedule (self);
  g_task_return_int (task, resumed);
}

void
foyer_uploader_resume_async (FoyerUploader *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (FOYER_IS_UPLOADER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_uploader_resume_async);
  if (self->store == NULL)
    {
      g_task_return_int (task, 0);
      return;
    }
  foyer_store_list_async (self->store, FOYER_STORE_NS_UPLOADS, cancellable, resume_list_cb,
                          g_steal_pointer (&task));
}

guint
foyer_uploader_resume_finish (FoyerUploader *self, GAsyncResult *result, GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint) n;
}

/* ---- "Foyer Files" ---------------------------------------------------------------- */

typedef struct
{
  FoyerUploader *self;
  gboolean created; /* the folder was just made: a 404 now is not "make it" */
} FolderCall;

static FolderCall *
folder_call_new (FoyerUploader *self, gboolean created)
{
  FolderCall *call = g_new0 (FolderCall, 1);

  call->self = g_object_ref (self);
  call->created = created;
  return call;
}

static void
folder_call_free (FolderCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FolderCall, folder_call_free)

static void folder_lookup (FoyerUploader *self, gboolean created);

static void
folder_done (FoyerUploader *self, GError *error)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->folder_waiters);

  self->folder_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->folder_id), g_free);
    }
  g_clear_error (&error);
}

static void
folder_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FolderCall) call = user_data;
  FoyerUploader *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (node == NULL
      && g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS))
    {
      /* Made meanwhile (another device, another upload): look again. */
      folder_lookup (self, TRUE);
      return;
    }
  if (node == NULL)
    {
      folder_done (self, g_steal_pointer (&error));
      return;
    }
  folder_lookup (self, TRUE);
}

static void
folder_create (FoyerUploader *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, FOYER_UPLOAD_FOLDER_NAME);
  json_builder_set_member_name (b, "folder");
  json_builder_begin_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "@microsoft.graph.conflictBehavior");
  json_builder_add_string_value (b, "fail");
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  foyer_graph_client_request_async (self->client, "POST", "/me/drive/root/children", body,
                                    self->cancellable, folder_created_cb,
                                    folder_call_new (self, TRUE));
}

static void
folder_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FolderCall) call = user_data;
  FoyerUploader *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  gboolean created = call->created;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (node == NULL && !created
      && g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    {
      folder_create (self);
      return;
    }
  if (node == NULL)
    {
      folder_done (self, g_steal_pointer (&error));
      return;
    }
  item = JSON_NODE_HOLDS_OBJECT (node)
             ? foyer_drive_item_new_from_json (json_node_get_object (node), &error)
             : NULL;
  if (item == NULL)
    {
      folder_done (self, error != NULL ? g_steal_pointer (&error)
                                       : g_error_new_literal (FOYER_UPLOAD_ERROR,
                                                              FOYER_UPLOAD_ERROR_MALFORMED,
                                                              _ ("Microsoft Graph sent an item "
                                                                 "Foyer cannot read.")));
      return;
    }
  if (!foyer_drive_item_get_is_folder (item))
    {
      folder_done (self, g_error_new (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FOLDER_BLOCKED,
                                      _ ("A file named “%s” in your OneDrive is where Foyer keeps "
                                         "the files you send. Rename or move it, then try again."),
                                      FOYER_UPLOAD_FOLDER_NAME));
      return;
    }
  g_free (self->folder_id);
  self->folder_id = g_strdup (foyer_drive_item_get_id (item));
  folder_done (self, NULL);
}

static void
folder_lookup (FoyerUploader *self, gboolean created)
{
  g_autofree char *escaped = g_uri_escape_string (FOYER_UPLOAD_FOLDER_NAME, NULL, FALSE);
  g_autofree char *path
      = g_strdup_printf ("/me/drive/root:/%s?$select=%s", escaped, FOYER_DRIVE_ITEM_SELECT);

  foyer_graph_client_request_async (self->client, "GET", path, NULL, self->cancellable,
                                    folder_lookup_cb, folder_call_new (self, created));
}

/* The id of "Foyer Files", made on first use; refresh forgets the cached one. */
static void
host_ensure_folder_async (gpointer owner,
                          gboolean refresh,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  FoyerUploader *self = FOYER_UPLOADER (owner);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, host_ensure_folder_async);
  if (refresh)
    g_clear_pointer (&self->folder_id, g_free);
  if (self->folder_id != NULL)
    {
      g_task_return_pointer (task, g_strdup (self->folder_id), g_free);
      return;
    }
  g_ptr_array_add (self->folder_waiters, g_steal_pointer (&task));
  /* One lookup for every upload that waits. */
  if (self->folder_waiters->len == 1)
    folder_lookup (self, FALSE);
}

static char *
host_ensure_folder_finish (gpointer owner, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, owner), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- settings ------------------------------------------------------------------------ */

guint
foyer_uploader_get_max_concurrent (FoyerUploader *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOADER (self), 0);
  return self->max_concurrent;
}

void
foyer_uploader_set_max_concurrent (FoyerUploader *self, guint max)
{
  g_return_if_fail (FOYER_IS_UPLOADER (self));

  max = CLAMP (max, 1, 8);
  if (self->max_concurrent == max)
    return;
  self->max_concurrent = max;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_CONCURRENT]);
  schedule (self);
}

guint
foyer_uploader_get_fragment_size (FoyerUploader *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOADER (self), 0);
  return self->settings.fragment_size;
}

static guint
fragment_bytes (guint bytes)
{
  return CLAMP (bytes / FOYER_UPLOAD_FRAGMENT_UNIT, 1, MAX_FRAGMENT_UNITS)
         * FOYER_UPLOAD_FRAGMENT_UNIT;
}

void
foyer_uploader_set_fragment_size (FoyerUploader *self, guint bytes)
{
  g_return_if_fail (FOYER_IS_UPLOADER (self));

  if (self->settings.fragment_size == fragment_bytes (bytes))
    return;
  self->settings.fragment_size = fragment_bytes (bytes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAGMENT_SIZE]);
}

guint
foyer_uploader_get_max_fragment_size (FoyerUploader *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOADER (self), 0);
  return self->settings.max_fragment_size;
}

void
foyer_uploader_set_max_fragment_size (FoyerUploader *self, guint bytes)
{
  g_return_if_fail (FOYER_IS_UPLOADER (self));

  if (self->settings.max_fragment_size == fragment_bytes (bytes))
    return;
  self->settings.max_fragment_size = fragment_bytes (bytes);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_FRAGMENT_SIZE]);
}

static guint
clamp_uint (guint value, guint min, guint max)
{
  return value < min ? min : value > max ? max : value;
}

#define UINT_SETTING(field, prop, min, max)                                                        \
  guint foyer_uploader_get_##field (FoyerUploader *self)                                           \
  {                                                                                                \
    g_return_val_if_fail (FOYER_IS_UPLOADER (self), 0);                                            \
    return self->settings.field;                                                                   \
  }                                                                                                \
  void foyer_uploader_set_##field (FoyerUploader *self, guint value)                               \
  {                                                                                                \
    g_return_if_fail (FOYER_IS_UPLOADER (self));                                                   \
    value = clamp_uint (value, min, max);                                                          \
    if (self->settings.field == value)                                                             \
      return;                                                                                      \
    self->settings.field = value;                                                                  \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);                                  \
  }

UINT_SETTING (simple_max, PROP_SIMPLE_MAX, 0, 250 * 1000 * 1000)
UINT_SETTING (max_attempts, PROP_MAX_ATTEMPTS, 0, 100)
UINT_SETTING (base_delay_ms, PROP_BASE_DELAY_MS, 1, 60000)

/* ---- GObject -------------------------------------------------------------------------- */

FoyerUploader *
foyer_uploader_new (FoyerGraphClient *client, FoyerStore *store)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (store == NULL || FOYER_IS_STORE (store), NULL);

  return g_object_new (FOYER_TYPE_UPLOADER, "client", client, "store", store, NULL);
}

static void
foyer_uploader_dispose (GObject *object)
{
  FoyerUploader *self = FOYER_UPLOADER (object);

  /* The uploads stay in the list until it is finalized, stopped and no
   * longer calling back. */
  foyer_uploader_shutdown (self);
  for (guint i = 0; i < n_uploads (self); i++)
    _foyer_upload_detach (upload_at (self, i));
  if (self->folder_waiters != NULL)
    folder_done (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                            _ ("The operation was cancelled")));
  g_clear_pointer (&self->folder_waiters, g_ptr_array_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_uploader_parent_class)->dispose (object);
}

static void
foyer_uploader_finalize (GObject *object)
{
  FoyerUploader *self = FOYER_UPLOADER (object);

  g_clear_object (&self->cancellable);
  g_free (self->folder_id);
  G_OBJECT_CLASS (foyer_uploader_parent_class)->finalize (object);
}

static void
foyer_uploader_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerUploader *self = FOYER_UPLOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_MAX_CONCURRENT:
      g_value_set_uint (value, self->max_concurrent);
      break;
    case PROP_FRAGMENT_SIZE:
      g_value_set_uint (value, self->settings.fragment_size);
      break;
    case PROP_MAX_FRAGMENT_SIZE:
      g_value_set_uint (value, self->settings.max_fragment_size);
      break;
    case PROP_SIMPLE_MAX:
      g_value_set_uint (value, self->settings.simple_max);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->settings.max_attempts);
      break;
    case PROP_BASE_DELAY_MS:
      g_value_set_uint (value, self->settings.base_delay_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_uploader_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FoyerUploader *self = FOYER_UPLOADER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_MAX_CONCURRENT:
      foyer_uploader_set_max_concurrent (self, g_value_get_uint (value));
      break;
    case PROP_FRAGMENT_SIZE:
      foyer_uploader_set_fragment_size (self, g_value_get_uint (value));
      break;
    case PROP_MAX_FRAGMENT_SIZE:
      foyer_uploader_set_max_fragment_size (self, g_value_get_uint (value));
      break;
    case PROP_SIMPLE_MAX:
      foyer_uploader_set_simple_max (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      foyer_uploader_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_BASE_DELAY_MS:
      foyer_uploader_set_base_delay_ms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_uploader_class_init (FoyerUploaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_uploader_dispose;
  object_class->finalize = foyer_uploader_finalize;
  object_class->get_property = foyer_uploader_get_property;
  object_class->set_property = foyer_uploader_set_property;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_UPLOAD;

  properties[PROP_CLIENT]
      = g_param_spec_object ("client", NULL, NULL, FOYER_TYPE_GRAPH_CLIENT, construct);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, FOYER_TYPE_STORE, construct);
  properties[PROP_MAX_CONCURRENT] = g_param_spec_uint ("max-concurrent", NULL, NULL, 1, 8, 2, rw);
  properties[PROP_FRAGMENT_SIZE] = g_param_spec_uint (
      "fragment-size", NULL, NULL, FOYER_UPLOAD_FRAGMENT_UNIT,
      MAX_FRAGMENT_UNITS * FOYER_UPLOAD_FRAGMENT_UNIT, FOYER_UPLOAD_FRAGMENT_SIZE, rw);
  properties[PROP_MAX_FRAGMENT_SIZE]
      = g_param_spec_uint ("max-fragment-size", NULL, NULL, FOYER_UPLOAD_FRAGMENT_UNIT,
                           MAX_FRAGMENT_UNITS * FOYER_UPLOAD_FRAGMENT_UNIT,
                           MAX_FRAGMENT_UNITS * FOYER_UPLOAD_FRAGMENT_UNIT, rw);
  properties[PROP_SIMPLE_MAX] = g_param_spec_uint ("simple-max", NULL, NULL, 0, 250 * 1000 * 1000,
                                                   FOYER_UPLOAD_SIMPLE_MAX, rw);
  properties[PROP_MAX_ATTEMPTS] = g_param_spec_uint ("max-attempts", NULL, NULL, 0, 100, 8, rw);
  properties[PROP_BASE_DELAY_MS]
      = g_param_spec_uint ("base-delay-ms", NULL, NULL, 1, 60000, 1000, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_uploader_init (FoyerUploader *self)
{
  self->cancellable = g_cancellable_new ();
  self->folder_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->max_concurrent = 2;
  self->settings.fragment_size = FOYER_UPLOAD_FRAGMENT_SIZE;
  self->settings.max_fragment_size = MAX_FRAGMENT_UNITS * FOYER_UPLOAD_FRAGMENT_UNIT;
  self->settings.simple_max = FOYER_UPLOAD_SIMPLE_MAX;
  self->settings.max_attempts = 8;
  self->settings.base_delay_ms = 1000;
}
