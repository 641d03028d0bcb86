/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-file-uploads.h"
#include "foyer-paste-file.h"
#include "foyer-share.h"

#include "foyer-json.h"

/* One file on its way: the upload while it runs, then the share. */
typedef struct
{
  FoyerFileTransfer *transfer;
  FoyerUpload *upload; /* NULL once in OneDrive, or for a share taken up */
  char *space_id;
  FoyerLinkType link_type;
  FoyerLinkAudience audience;
  GStrv grant_emails;
  FoyerDriveItem *item; /* once in OneDrive */
  char *drive_id;       /* a share taken up from its record: the item to fetch */
  char *item_id;
  GFile *temporary; /* a pasted image: deleted once in OneDrive */
  GCancellable *cancellable;
  gboolean sharing; /* the share is under way */
} Job;

struct _FoyerFileUploads
{
  FoyerObjectList parent_instance; /* of FoyerFileTransfer */

  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerStore *store;
  FoyerUploader *uploader;
  FoyerGraphClient *graph; /* the uploader's */
  GCancellable *cancellable;

  GHashTable *jobs; /* id → Job */
};

G_DEFINE_FINAL_TYPE (FoyerFileUploads, foyer_file_uploads, FOYER_TYPE_OBJECT_LIST)

enum
{
  NOTICE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
job_free (Job *job)
{
  g_cancellable_cancel (job->cancellable);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->transfer);
  g_clear_object (&job->upload);
  g_free (job->space_id);
  g_strfreev (job->grant_emails);
  g_clear_object (&job->item);
  g_free (job->drive_id);
  g_free (job->item_id);
  g_clear_object (&job->temporary);
  g_free (job);
}

static Job *
job_new (void)
{
  Job *job = g_new0 (Job, 1);

  job->cancellable = g_cancellable_new ();
  job->link_type = FOYER_LINK_TYPE_VIEW;
  job->audience = FOYER_LINK_AUDIENCE_ORGANIZATION;
  return job;
}

static Job *
find_job (FoyerFileUploads *self, const char *id)
{
  return id != NULL ? g_hash_table_lookup (self->jobs, id) : NULL;
}

static void
add_job (FoyerFileUploads *self, Job *job)
{
  g_hash_table_insert (self->jobs, g_strdup (foyer_file_transfer_get_id (job->transfer)), job);
  foyer_object_list_append (FOYER_OBJECT_LIST (self), job->transfer);
}

/* The tile goes, and with it everything the job kept. */
static void
remove_job (FoyerFileUploads *self, Job *job)
{
  guint position;

  if (job->temporary != NULL)
    foyer_paste_file_delete (job->temporary);
  if (job->upload != NULL && self->uploader != NULL)
    foyer_uploader_remove (self->uploader, job->upload);
  if (foyer_object_list_find (FOYER_OBJECT_LIST (self), job->transfer, &position))
    foyer_object_list_remove (FOYER_OBJECT_LIST (self), position);
  g_hash_table_remove (self->jobs, foyer_file_transfer_get_id (job->transfer));
}

/* ---- the sharing choices, kept with the upload --------------------------------------- */

static void
build_context (JsonBuilder *b,
               const char *space_id,
               FoyerLinkType link_type,
               FoyerLinkAudience audience,
               const char *const *grant_emails)
{
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "space");
  json_builder_add_string_value (b, space_id);
  json_builder_set_member_name (b, "linkType");
  json_builder_add_string_value (b, foyer_link_type_to_string (link_type));
  json_builder_set_member_name (b, "audience");
  json_builder_add_string_value (b, foyer_link_audience_to_string (audience));
  json_builder_set_member_name (b, "grant");
  json_builder_begin_array (b);
  for (gsize i = 0; grant_emails != NULL && grant_emails[i] != NULL; i++)
    json_builder_add_string_value (b, grant_emails[i]);
  json_builder_end_array (b);
}

static char *
builder_to_string (JsonBuilder *b)
{
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  return json_to_string (root, FALSE);
}

/* The upload's context: where it goes and how it is shared there. */
static char *
context_to_json (const char *space_id,
                 FoyerLinkType link_type,
                 FoyerLinkAudience audience,
                 const char *const *grant_emails)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  build_context (b, space_id, link_type, audience, grant_emails);
  json_builder_end_object (b);
  return builder_to_string (b);
}

/* Reads what context_to_json () wrote (kept sealed, but read with care all
 * the same); FALSE if it names no space or no valid choice. */
static gboolean
job_read_context (Job *job, JsonObject *object)
{
  const char *space = foyer_json_get_string (object, "space");

  if (object == NULL || foyer_json_get_int (object, "v", 0) != 1 || space == NULL
      || !foyer_link_type_from_string (foyer_json_get_string (object, "linkType"), &job->link_type)
      || !foyer_link_audience_from_string (foyer_json_get_string (object, "audience"),
                                           &job->audience)
      || job->audience == FOYER_LINK_AUDIENCE_NONE)
    return FALSE;
  job->space_id = g_strdup (space);
  job->grant_emails = foyer_json_dup_strv (object, "grant");
  return TRUE;
}

static JsonObject *
parse_object (const char *text, gsize len, JsonParser *parser)
{
  JsonNode *root;

  if (text == NULL || !json_parser_load_from_data (parser, text, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

/* The record of a file in OneDrive not shared yet: what to share where. */
static void
keep_share (FoyerFileUploads *self, Job *job)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *json = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;

  if (self->store == NULL || job->item == NULL)
    return;
  json_builder_begin_object (b);
  build_context (b, job->space_id, job->link_type, job->audience,
                 (const char *const *) job->grant_emails);
  json_builder_set_member_name (b, "driveId");
  json_builder_add_string_value (b, foyer_drive_item_get_target_drive_id (job->item));
  json_builder_set_member_name (b, "itemId");
  json_builder_add_string_value (b, foyer_drive_item_get_target_id (job->item));
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, foyer_file_transfer_get_name (job->transfer));
  json_builder_end_object (b);
  json = builder_to_string (b);
  len = strlen (json);
  bytes = g_bytes_new_take (g_steal_pointer (&json), len);
  if (!foyer_store_put (self->store, FOYER_STORE_NS_UPLOAD_SHARES,
                        foyer_file_transfer_get_id (job->transfer), bytes, &error))
    g_warning ("Could not keep an uploaded file for sharing: %s", error->message);
}

static void
forget_share (FoyerFileUploads *self, Job *job)
{
  if (self->store != NULL)
    foyer_store_delete_async (self->store, FOYER_STORE_NS_UPLOAD_SHARES,
                              foyer_file_transfer_get_id (job->transfer), NULL, NULL, NULL);
}

/* ---- sharing ------------------------------------------------------------------------- */

static void share_job (FoyerFileUploads *self, Job *job);

typedef struct
{
  FoyerFileUploads *self;
  char *id;
} JobRef;

static JobRef *
job_ref_new (FoyerFileUploads *self, Job *job)
{
  JobRef *ref = g_new0 (JobRef, 1);

  ref->self = g_object_ref (self);
  ref->id = g_strdup (foyer_file_transfer_get_id (job->transfer));
  return ref;
}

static void
job_ref_free (JobRef *ref)
{
  g_object_unref (ref->self);
  g_free (ref->id);
  g_free (ref);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JobRef, job_ref_free)

static void
shared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JobRef) ref = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *notice = NULL;
  gboolean ok = foyer_share_document_finish (result, &notice, &error);
  Job *job = find_job (ref->self, ref->id);
  g_autofree char *text = NULL;

  if (job == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  job->sharing = FALSE;
  if (!ok)
    {
      /* Translators: %s says why, e.g. "Microsoft cannot be reached". */
      text = g_strdup_printf (_ ("In your OneDrive, but not shared: %s"), error->message);
      foyer_file_transfer_set_failed (job->transfer, text, TRUE);
      return;
    }
  /* The message is in the session's outbox now, which keeps it. */
  forget_share (ref->self, job);
  if (notice != NULL)
    g_signal_emit (ref->self, signals[NOTICE], 0, notice);
  remove_job (ref->self, job);
}

static void
item_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JobRef) ref = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item
      = foyer_graph_client_get_item_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  Job *job = find_job (ref->self, ref->id);
  g_autofree char *text = NULL;

  if (job == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  job->sharing = FALSE;
  if (item == NULL)
    {
      text = g_strdup_printf (_ ("In your OneDrive, but not shared: %s"), error->message);
      foyer_file_transfer_set_failed (job->transfer, text, TRUE);
      return;
    }
  job->item = g_steal_pointer (&item);
  share_job (ref->self, job);
}

/* Whether the space is known with its members (whom a "people in this
 * space" share invites); FALSE while the session is still starting. */
static FoyerSpaceItem *
ready_space (FoyerFileUploads *self, Job *job, gboolean *gone)
{
  FoyerSpaceItem *space = foyer_session_find_space (self->session, job->space_id);

  *gone = space == NULL && foyer_session_get_state (self->session) == FOYER_SESSION_ONLINE;
  if (space == NULL || foyer_session_get_member_emails (self->session, space) == NULL)
    return NULL;
  return space;
}

/* Shares a file in OneDrive with its space, once the account, the space
 * and its members are there; until then it waits (see try_shares). */
static void
share_job (FoyerFileUploads *self, Job *job)
{
  gboolean gone = FALSE;
  FoyerSpaceItem *space;

  if (job->sharing || foyer_file_transfer_get_state (job->transfer) != FOYER_FILE_TRANSFER_SHARING
      || foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    return;
  if (job->item == NULL)
    {
      job->sharing = TRUE;
      foyer_graph_client_get_item_async (foyer_microsoft_account_get_graph (self->account),
                                         job->drive_id, job->item_id, job->cancellable,
                                         item_fetched_cb, job_ref_new (self, job));
      return;
    }
  space = ready_space (self, job, &gone);
  if (gone)
    {
      foyer_file_transfer_set_failed (
          job->transfer, _ ("In your OneDrive, but not shared: you are no longer in this space."),
          FALSE);
      forget_share (self, job);
      return;
    }
  if (space == NULL)
    return;
  job->sharing = TRUE;
  foyer_share_document_async (self->account, self->session, space, job->item, job->link_type,
                              job->audience, (const char *const *) job->grant_emails, NULL,
                              job->cancellable, shared_cb, job_ref_new (self, job));
}

/* Something a waiting share needed may have come. */
static void
try_shares (FoyerFileUploads *self)
{
  GHashTableIter iter;
  Job *job;

  g_hash_table_iter_init (&iter, self->jobs);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &job))
    share_job (self, job);
}

/* ---- uploading ----------------------------------------------------------------------- */

static void wait_upload (FoyerFileUploads *self, Job *job);

static void
uploaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JobRef) ref = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item
      = foyer_upload_wait_finish (FOYER_UPLOAD (source), result, &error);
  FoyerFileUploads *self = ref->self;
  Job *job = find_job (self, ref->id);

  if (job == NULL || job->upload != FOYER_UPLOAD (source))
    return;
  if (item != NULL)
    {
      job->item = g_steal_pointer (&item);
      keep_share (self, job);
      /* In OneDrive now: the pasted image's plaintext has done its work. */
      if (job->temporary != NULL)
        foyer_paste_file_delete (job->temporary);
      g_clear_object (&job->temporary);
      if (self->uploader != NULL)
        foyer_uploader_remove (self->uploader, job->upload);
      g_clear_object (&job->upload);
      foyer_file_transfer_set_sharing (job->transfer);
      share_job (self, job);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancelled by the person (a quit stops the waiting, not the upload). */
      if (foyer_upload_get_state (job->upload) == FOYER_UPLOAD_CANCELLED)
        remove_job (self, job);
    }
  else
    foyer_file_transfer_set_failed (job->transfer, error->message,
                                    foyer_upload_get_can_retry (job->upload));
}

static void
wait_upload (FoyerFileUploads *self, Job *job)
{
  foyer_upload_wait_async (job->upload, job->cancellable, uploaded_cb, job_ref_new (self, job));
}

/* An upload the uploader has, new or from the last run: its tile. */
static void
adopt_upload (FoyerFileUploads *self, FoyerUpload *upload)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *context = foyer_upload_get_context (upload);
  JsonObject *object = parse_object (context, context != NULL ? strlen (context) : 0, parser);
  Job *job;

  if (find_job (self, foyer_upload_get_id (upload)) != NULL)
    return;
  job = job_new ();
  if (!job_read_context (job, object))
    {
      /* Not one of ours, or unreadable: it would go nowhere. */
      g_warning ("Dropping an upload that names no space");
      foyer_upload_cancel (upload);
      job_free (job);
      return;
    }
  job->transfer
      = foyer_file_transfer_new (foyer_upload_get_id (upload), job->space_id,
                                 foyer_upload_get_name (upload), foyer_upload_get_size (upload));
  job->upload = g_object_ref (upload);
  if (foyer_paste_file_is_temporary (foyer_upload_get_file (upload)))
    job->temporary = g_object_ref (foyer_upload_get_file (upload));
  foyer_file_transfer_set_resumed (job->transfer, foyer_upload_get_resumed (upload));
  foyer_file_transfer_set_upload (job->transfer, upload);
  add_job (self, job);
  wait_upload (self, job);
}

static void
uploads_changed_cb (FoyerFileUploads *self, guint position, guint removed, guint added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FoyerUpload) upload = g_list_model_get_item (G_LIST_MODEL (self->uploader), i);

      adopt_upload (self, upload);
    }
}

FoyerFileTransfer *
foyer_file_uploads_add (FoyerFileUploads *self,
                        FoyerSpaceItem *space,
                        GFile *file,
                        FoyerLinkType link_type,
                        FoyerLinkAudience audience,
                        const char *const *grant_emails)
{
  g_autofree char *context = NULL;
  FoyerUpload *upload;
  Job *job;

  g_return_val_if_fail (FOYER_IS_FILE_UPLOADS (self), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (audience != FOYER_LINK_AUDIENCE_NONE, NULL);

  if (self->uploader == NULL)
    return NULL;
  context = context_to_json (foyer_space_item_get_id (space), link_type, audience, grant_emails);
  /* The uploader's list tells adopt_upload (), which makes the tile. */
  upload = foyer_uploader_add (self->uploader, file, NULL, context);
  job = find_job (self, foyer_upload_get_id (upload));
  return job != NULL ? job->transfer : NULL;
}

/* ---- from the last run --------------------------------------------------------------- */

static void
shares_listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerFileUploads) self = user_data;
  g_autoptr (GPtrArray) entries = foyer_store_list_finish (FOYER_STORE (source), result, NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      FoyerStoreEntry *entry = entries->pdata[i];
      g_autoptr (JsonParser) parser = json_parser_new ();
      gsize len = 0;
      const char *data = g_bytes_get_data (entry->value, &len);
      JsonObject *object = parse_object (data, len, parser);
      const char *name = foyer_json_get_string (object, "name");
      Job *job;

      if (find_job (self, entry->key) != NULL || self->uploader == NULL)
        continue;
      job = job_new ();
      if (!job_read_context (job, object) || name == NULL
          || foyer_json_get_string (object, "driveId") == NULL
          || foyer_json_get_string (object, "itemId") == NULL)
        {
          foyer_store_delete (FOYER_STORE (source), FOYER_STORE_NS_UPLOAD_SHARES, entry->key, NULL);
          job_free (job);
          continue;
        }
      job->transfer = foyer_file_transfer_new (entry->key, job->space_id, name, 0);
      job->drive_id = g_strdup (foyer_json_get_string (object, "driveId"));
      job->item_id = g_strdup (foyer_json_get_string (object, "itemId"));
      foyer_file_transfer_set_resumed (job->transfer, TRUE);
      foyer_file_transfer_set_sharing (job->transfer);
      add_job (self, job);
      share_job (self, job);
    }
}

static void
resumed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerFileUploads) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) keep = g_strv_builder_new ();
  g_auto (GStrv) uris = NULL;
  guint n = foyer_uploader_resume_finish (FOYER_UPLOADER (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || FOYER_UPLOADER (source) != self->uploader)
    return;
  if (error != NULL)
    g_warning ("Could not take up the last run's uploads: %s", error->message);
  else if (n > 0)
    g_debug ("%u uploads taken up again", n);
  /* Pasted images no upload needs any more (a crash, a cancel elsewhere). */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->uploader)); i++)
    {
      g_autoptr (FoyerUpload) upload = g_list_model_get_item (G_LIST_MODEL (self->uploader), i);

      g_autofree char *uri = g_file_get_uri (foyer_upload_get_file (upload));

      g_strv_builder_add (keep, uri);
    }
  uris = g_strv_builder_end (keep);
  foyer_paste_file_sweep ((const char *const *) uris);
}

/* ---- the uploader follows the account ------------------------------------------------ */

/* Stops every upload; their records stay for the next connection. */
static void
drop_uploader (FoyerFileUploads *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->uploader != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->uploader, self);
      foyer_uploader_shutdown (self->uploader);
    }
  /* Their tiles go: they come back, from the store, with the uploader. */
  g_hash_table_remove_all (self->jobs);
  foyer_object_list_splice (FOYER_OBJECT_LIST (self), 0,
                            foyer_object_list_get_length (FOYER_OBJECT_LIST (self)), NULL, 0);
  g_clear_object (&self->uploader);
  g_clear_object (&self->graph);
}

static void
account_state_cb (FoyerFileUploads *self)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (self->account);
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (self->account);

  if (state == FOYER_MICROSOFT_DISCONNECTED || state == FOYER_MICROSOFT_UNAVAILABLE
      || (graph != self->graph && self->graph != NULL))
    drop_uploader (self);
  if (state == FOYER_MICROSOFT_CONNECTED && self->uploader == NULL && graph != NULL)
    {
      self->graph = g_object_ref (graph);
      self->uploader = foyer_uploader_new (graph, self->store);
      self->cancellable = g_cancellable_new ();
      g_signal_connect_object (self->uploader, "items-changed", G_CALLBACK (uploads_changed_cb),
                               self, G_CONNECT_SWAPPED);
      foyer_uploader_resume_async (self->uploader, self->cancellable, resumed_cb,
                                   g_object_ref (self));
      if (self->store != NULL)
        foyer_store_list_async (self->store, FOYER_STORE_NS_UPLOAD_SHARES, self->cancellable,
                                shares_listed_cb, g_object_ref (self));
    }
  try_shares (self);
}

void
foyer_file_uploads_set_store (FoyerFileUploads *self, FoyerStore *store)
{
  g_return_if_fail (FOYER_IS_FILE_UPLOADS (self));
  g_return_if_fail (store == NULL || FOYER_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;
  /* The uploads kept there are taken up with an uploader that has it. */
  drop_uploader (self);
  account_state_cb (self);
}

FoyerUploader *
foyer_file_uploads_get_uploader (FoyerFileUploads *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_UPLOADS (self), NULL);
  return self->uploader;
}

FoyerFileTransfer *
foyer_file_uploads_find (FoyerFileUploads *self, const char *id)
{
  Job *job;

  g_return_val_if_fail (FOYER_IS_FILE_UPLOADS (self), NULL);

  job = find_job (self, id);
  return job != NULL ? job->transfer : NULL;
}

/* The person let go of a job: its upload stops (its session deleted), or
 * the share it waited for is forgotten; its tile goes. */
static void
cancel_job (FoyerFileUploads *self, Job *job)
{
  if (job->upload != NULL)
    foyer_upload_cancel (job->upload);
  else
    forget_share (self, job);
  remove_job (self, job);
}

void
foyer_file_uploads_cancel (FoyerFileUploads *self, const char *id)
{
  Job *job;

  g_return_if_fail (FOYER_IS_FILE_UPLOADS (self));

  job = find_job (self, id);
  if (job == NULL)
    return;
  if (job->upload != NULL && foyer_upload_get_state (job->upload) != FOYER_UPLOAD_FAILED)
    {
      /* The session is deleted; the waiting ends, and the tile with it. */
      foyer_upload_cancel (job->upload);
      return;
    }
  cancel_job (self, job);
}

void
foyer_file_uploads_retry (FoyerFileUploads *self, const char *id)
{
  Job *job;

  g_return_if_fail (FOYER_IS_FILE_UPLOADS (self));

  job = find_job (self, id);
  if (job == NULL || foyer_file_transfer_get_state (job->transfer) != FOYER_FILE_TRANSFER_FAILED
      || !foyer_file_transfer_get_can_retry (job->transfer))
    return;
  if (job->upload != NULL)
    {
      foyer_upload_retry (job->upload);
      wait_upload (self, job);
      return;
    }
  foyer_file_transfer_set_sharing (job->transfer);
  share_job (self, job);
}

void
foyer_file_uploads_cancel_all (FoyerFileUploads *self)
{
  g_auto (GStrv) ids = NULL;

  g_return_if_fail (FOYER_IS_FILE_UPLOADS (self));

  ids = (GStrv) g_hash_table_get_keys_as_array (self->jobs, NULL);
  for (guint i = 0; ids[i] != NULL; i++)
    ids[i] = g_strdup (ids[i]);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      Job *job = find_job (self, ids[i]);

      if (job != NULL)
        cancel_job (self, job);
    }
}

void
foyer_file_uploads_shutdown (FoyerFileUploads *self)
{
  g_return_if_fail (FOYER_IS_FILE_UPLOADS (self));

  drop_uploader (self);
}

static void
foyer_file_uploads_dispose (GObject *object)
{
  FoyerFileUploads *self = FOYER_FILE_UPLOADS (object);

  if (self->jobs != NULL)
    drop_uploader (self);
  g_clear_object (&self->session);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_file_uploads_parent_class)->dispose (object);
}

static void
foyer_file_uploads_finalize (GObject *object)
{
  FoyerFileUploads *self = FOYER_FILE_UPLOADS (object);

  g_hash_table_unref (self->jobs);
  G_OBJECT_CLASS (foyer_file_uploads_parent_class)->finalize (object);
}

static void
foyer_file_uploads_class_init (FoyerFileUploadsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_file_uploads_dispose;
  object_class->finalize = foyer_file_uploads_finalize;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_FILE_TRANSFER;

  /* (const char *text): what the person should know of a share that went
   * through (a link Microsoft made narrower, people given access). */
  signals[NOTICE] = g_signal_new ("notice", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
foyer_file_uploads_init (FoyerFileUploads *self)
{
  self->jobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) job_free);
}

FoyerFileUploads *
foyer_file_uploads_new (FoyerSession *session, FoyerMicrosoftAccount *account)
{
  FoyerFileUploads *self;

  g_return_val_if_fail (FOYER_IS_SESSION (session), NULL);
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account), NULL);

  self = g_object_new (FOYER_TYPE_FILE_UPLOADS, NULL);
  self->session = g_object_ref (session);
  self->account = g_object_ref (account);
  g_signal_connect_object (account, "notify::state", G_CALLBACK (account_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "members-changed", G_CALLBACK (try_shares), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (try_shares), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (foyer_session_get_spaces (session), "items-changed",
                           G_CALLBACK (try_shares), self, G_CONNECT_SWAPPED);
  account_state_cb (self);
  return self;
}
