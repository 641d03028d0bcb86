/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-session-private.h"

/* Spaces */

static void
title_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  FoyerSpaceItem *space = data;

  if (plaintext != NULL)
    {
      foyer_space_item_set_title (space, plaintext);
      foyer_space_item_set_title_unavailable (space, FALSE);
      _foyer_session_mark_dirty (self, space);
    }
  else
    {
      g_debug ("Title of space %s unavailable: %s", foyer_space_item_get_id (space),
               error->message);
      foyer_space_item_set_title_unavailable (space, TRUE);
    }
}

static void members_cb (GObject *source, GAsyncResult *result, gpointer user_data);

typedef struct
{
  FoyerSession *self;
  char *space_id;
} MembersOp;

static void
members_op_free (MembersOp *op)
{
  g_object_unref (op->self);
  g_free (op->space_id);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MembersOp, members_op_free)

/* Names for messages, and e-mail addresses for sharing with the space. */
void
_foyer_session_fetch_members (FoyerSession *self, const char *space_id)
{
  MembersOp *op = g_new0 (MembersOp, 1);

  op->self = g_object_ref (self);
  op->space_id = g_strdup (space_id);
  foyer_chat_client_list_members_async (self->client, space_id, self->cancellable, members_cb, op);
}

FoyerSpaceItem *
_foyer_session_new_space (FoyerSession *self,
                          const char *id,
                          const char *resource_uri,
                          const char *key_uri)
{
  FoyerSpaceItem *space = foyer_space_item_new (id);
  SpaceState *state = g_new0 (SpaceState, 1);

  state->resource_uri = g_strdup (resource_uri);
  state->key_uri = g_strdup (key_uri);
  state->has_more = TRUE;
  g_hash_table_insert (self->space_by_id, g_strdup (id), space);
  g_hash_table_insert (self->space_state, g_strdup (id), state);
  g_list_store_append (self->spaces, space);

  return space;
}

/* The key the space's messages are sealed with once a member left and a
 * new key was made, and whether one is still to be made
 * (docs/service-api.md, Key rotation). */
void
_foyer_session_apply_space_key (FoyerSession *self, JsonObject *space)
{
  SpaceState *state = _foyer_session_space_state (self, foyer_json_get_string (space, "id"));
  const char *key_uri = foyer_json_get_string (space, "keyUri");

  if (state == NULL)
    return;
  if (key_uri != NULL && g_str_has_prefix (key_uri, "kms://"))
    {
      g_free (state->key_uri);
      state->key_uri = g_strdup (key_uri);
    }
  state->rekey_needed = foyer_json_get_boolean (space, "keyRotationNeeded", FALSE);
}

FoyerSpaceItem *
_foyer_session_add_space (FoyerSession *self, JsonObject *object)
{
  const char *id = foyer_json_get_string (object, "id");
  const char *title = foyer_json_get_string (object, "title");
  g_autoptr (GDateTime) created = NULL;
  g_autofree char *kid = NULL;
  FoyerSpaceItem *space;

  if (id == NULL)
    return NULL;

  /* Known from the local cache: decrypt again only what it could not. */
  space = g_hash_table_lookup (self->space_by_id, id);
  if (space != NULL)
    {
      if (foyer_space_item_get_title_unavailable (space) && title != NULL)
        _foyer_session_decrypt (self, title, title_decrypted, g_object_ref (space), g_object_unref);
      _foyer_session_apply_space_key (self, object);
      return space;
    }

  if (title != NULL)
    foyer_jwe_check (title, FOYER_JWE_MAX_LENGTH, &kid, NULL);
  space
      = _foyer_session_new_space (self, id, foyer_json_get_string (object, "kmsResourceUri"), kid);
  /* What was there before this device first saw the space counts as read. */
  _foyer_session_space_state (self, id)->last_read_seq = foyer_json_get_int (object, "lastSeq", 0);
  created = _foyer_session_parse_time (foyer_json_get_string (object, "created"));
  foyer_space_item_set_last_activity (space, created);

  _foyer_session_apply_space_key (self, object);
  _foyer_session_decrypt (self, title, title_decrypted, g_object_ref (space), g_object_unref);
  _foyer_session_fetch_members (self, id);
  return space;
}

void
_foyer_session_remove_space (FoyerSession *self, const char *space_id)
{
  FoyerSpaceItem *space = g_hash_table_lookup (self->space_by_id, space_id);
  guint position;

  if (space == NULL)
    return;
  /* What the person can no longer read is no longer found either. */
  foyer_search_index_remove_space (self->search, space_id);
  if (g_list_store_find (self->spaces, space, &position))
    g_list_store_remove (self->spaces, position);
  if (self->open_space == space)
    self->open_space = NULL;
  if (self->store != NULL)
    {
      foyer_store_delete_async (self->store, FOYER_STORE_NS_SPACES, space_id, NULL, NULL, NULL);
      foyer_store_delete_async (self->store, FOYER_STORE_NS_MESSAGES, space_id, NULL, NULL, NULL);
    }
  g_hash_table_remove (self->dirty_spaces, space_id);
  g_hash_table_remove (self->space_state, space_id);
  g_hash_table_remove (self->space_by_id, space_id);
}

static void
members_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (MembersOp) op = user_data;
  FoyerSession *self = op->self;
  SpaceState *state = _foyer_session_space_state (self, op->space_id);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (GStrvBuilder) emails = g_strv_builder_new ();
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();
  JsonArray *items;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;

  items = foyer_json_get_array (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *member = json_array_get_element (items, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (member) ? json_node_get_object (member) : NULL;
      const char *email = foyer_json_get_string (object, "email");

      if (object == NULL)
        continue;
      _foyer_session_remember_person (self, object);
      if (email != NULL
          && g_strcmp0 (foyer_json_get_string (object, "personId"), self->person_id) != 0)
        {
          const char *name = foyer_json_get_string (object, "name");

          g_strv_builder_add (emails, email);
          g_strv_builder_add (names, name != NULL ? name : email);
        }
    }
  if (state != NULL)
    {
      g_strfreev (state->member_emails);
      state->member_emails = g_strv_builder_end (emails);
      g_strfreev (state->member_names);
      state->member_names = g_strv_builder_end (names);
    }
  _foyer_session_emit_members_changed (self, op->space_id);

  /* Names may have arrived after messages: refresh what is shown. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->spaces)); i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (G_LIST_MODEL (self->spaces), i);
      GListModel *messages = G_LIST_MODEL (foyer_space_item_get_messages (space));

      for (guint j = 0; j < g_list_model_get_n_items (messages); j++)
        {
          g_autoptr (FoyerMessageItem) message = g_list_model_get_item (messages, j);
          const char *author = foyer_message_item_get_author_id (message);

          if (g_hash_table_contains (self->names, author))
            g_object_set (message, "author-name", _foyer_session_person_name (self, author), NULL);
        }
    }
}

/* Creating a space: a KMS resource for its members and a key, the title
 * encrypted with it, then the members added one by one. */

typedef struct
{
  char *title;
  GStrv emails;
  GPtrArray *person_ids;
  guint next_email;
  char *resource_uri;
  FoyerKmsKey *key;
  FoyerSpaceItem *space;
  guint next_member;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->title);
  g_strfreev (data->emails);
  g_ptr_array_unref (data->person_ids);
  g_free (data->resource_uri);
  g_clear_pointer (&data->key, foyer_kms_key_free);
  g_clear_object (&data->space);
  g_free (data);
}

static void create_next_person (GTask *task);
static void create_next_member (GTask *task);

static void
create_member_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);

  if (node == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  create_next_member (task);
}

static void
create_next_member (GTask *task)
{
  FoyerSession *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  const char *person_id;

  if (data->next_member >= data->person_ids->len)
    {
      g_task_return_pointer (task, g_object_ref (data->space), g_object_unref);
      g_object_unref (task);
      return;
    }

  person_id = g_ptr_array_index (data->person_ids, data->next_member++);
  foyer_chat_client_add_member_async (self->client, foyer_space_item_get_id (data->space),
                                      person_id, g_task_get_cancellable (task),
                                      create_member_added_cb, task);
}

static void
create_space_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = _foyer_session_object_finish (source, result, &error);

  if (node == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data->space = g_object_ref (_foyer_session_add_space (self, json_node_get_object (node)));
  create_next_member (task);
}

static void
create_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *jwe = NULL;
  const guint8 *bytes;
  gsize len = 0;

  data->key = foyer_kms_client_create_key_finish (FOYER_KMS_CLIENT (source), result, &error);
  if (data->key != NULL)
    {
      bytes = foyer_kms_key_get_data (data->key, &len);
      jwe = foyer_jwe_encrypt_string (bytes, len, data->key->uri, data->title, &error);
    }
  if (jwe == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  foyer_chat_client_create_space_async (self->client, jwe, data->resource_uri,
                                        g_task_get_cancellable (task), create_space_cb, task);
}

static void
create_resource_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->resource_uri
      = foyer_kms_client_create_resource_finish (FOYER_KMS_CLIENT (source), result, &error);
  if (data->resource_uri == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  foyer_kms_client_create_key_async (FOYER_KMS_CLIENT (source), data->resource_uri,
                                     g_task_get_cancellable (task), create_key_cb, task);
}

/* The person a people search found: the first of its "items", or the answer
 * itself; NULL when it names nobody. */
static JsonObject *
found_person (JsonNode *node)
{
  JsonObject *object;
  JsonArray *items;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  items = foyer_json_get_array (object, "items");
  if (items != NULL && json_array_get_length (items) > 0
      && JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, 0)))
    object = json_array_get_object_element (items, 0);

  return foyer_json_get_string (object, "id") != NULL ? object : NULL;
}

/* The id of the person a people search found, remembered; NULL when the
 * search failed or found nobody, and task has been given the error and
 * let go. email is the address the error names (NULL: "this address"). */
static char *
found_person_id (GObject *source, GAsyncResult *result, GTask *task, const char *email)
{
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  object = node != NULL ? found_person (node) : NULL;
  if (object != NULL)
    {
      _foyer_session_remember_person (g_task_get_source_object (task), object);
      return g_strdup (foyer_json_get_string (object, "id"));
    }
  if (error == NULL && email != NULL)
    error = g_error_new (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND,
                         _ ("Nobody in your organization has the address %s"), email);
  else if (error == NULL)
    error = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND,
                                 _ ("Nobody in your organization has this address"));
  g_task_return_error (task, error);
  g_object_unref (task);
  return NULL;
}

static void
create_person_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CreateData *data = g_task_get_task_data (task);
  char *person_id = found_person_id (source, result, task, data->emails[data->next_email - 1]);

  if (person_id == NULL)
    return;
  g_ptr_array_add (data->person_ids, person_id);
  create_next_person (task);
}

static void
create_next_person (GTask *task)
{
  FoyerSession *self = g_task_get_source_object (task);
  CreateData *data = g_task_get_task_data (task);
  g_autoptr (GPtrArray) authorized = NULL;

  if (data->emails != NULL && data->emails[data->next_email] != NULL)
    {
      foyer_chat_client_find_people_async (self->client, data->emails[data->next_email++],
                                           g_task_get_cancellable (task), create_person_found_cb,
                                           task);
      return;
    }

  authorized = g_ptr_array_new ();
  g_ptr_array_add (authorized, self->person_id);
  for (guint i = 0; i < data->person_ids->len; i++)
    g_ptr_array_add (authorized, g_ptr_array_index (data->person_ids, i));
  g_ptr_array_add (authorized, NULL);
  foyer_kms_client_create_resource_async (self->kms, (const char *const *) authorized->pdata,
                                          g_task_get_cancellable (task), create_resource_cb, task);
}

void
foyer_session_create_space_async (FoyerSession *self,
                                  const char *title,
                                  const char *const *member_emails,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task;
  CreateData *data;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (title != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_create_space_async);
  if (self->client == NULL || self->kms == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED,
                               _ ("You are not signed in"));
      g_object_unref (task);
      return;
    }

  data = g_new0 (CreateData, 1);
  data->title = g_strdup (title);
  data->emails = g_strdupv ((GStrv) member_emails);
  data->person_ids = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);
  create_next_person (task);
}

FoyerSpaceItem *
foyer_session_create_space_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Membership: the conversation role and the KMS both learn of it. */

typedef struct
{
  char *space_id;
  char *resource_uri;
  char *person_id;
  gboolean add;
} MemberData;

static void
member_data_free (MemberData *data)
{
  g_free (data->space_id);
  g_free (data->resource_uri);
  g_free (data->person_id);
  g_free (data);
}

static void
member_kms_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  MemberData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  if (data->add)
    ok = foyer_kms_client_authorize_finish (FOYER_KMS_CLIENT (source), result, &error);
  else
    ok = foyer_kms_client_deauthorize_finish (FOYER_KMS_CLIENT (source), result, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
member_changed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  MemberData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL || data->resource_uri == NULL || self->kms == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (data->add)
    foyer_kms_client_authorize_async (self->kms, data->resource_uri, data->person_id,
                                      g_task_get_cancellable (task), member_kms_cb, task);
  else
    foyer_kms_client_deauthorize_async (self->kms, data->resource_uri, data->person_id,
                                        g_task_get_cancellable (task), member_kms_cb, task);
}

static void
add_person_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  MemberData *data = g_task_get_task_data (task);

  data->person_id = found_person_id (source, result, task, NULL);
  if (data->person_id == NULL)
    return;
  if (data->add)
    foyer_chat_client_add_member_async (self->client, data->space_id, data->person_id,
                                        g_task_get_cancellable (task), member_changed_cb, task);
  else
    foyer_chat_client_remove_member_async (self->client, data->space_id, data->person_id,
                                           g_task_get_cancellable (task), member_changed_cb, task);
}

static GTask *
member_task (FoyerSession *self,
             FoyerSpaceItem *space,
             gboolean add,
             gpointer source_tag,
             GCancellable *cancellable,
             GAsyncReadyCallback callback,
             gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  MemberData *data = g_new0 (MemberData, 1);

  g_task_set_source_tag (task, source_tag);
  data->space_id = g_strdup (foyer_space_item_get_id (space));
  data->resource_uri = state != NULL ? g_strdup (state->resource_uri) : NULL;
  data->add = add;
  g_task_set_task_data (task, data, (GDestroyNotify) member_data_free);

  if (self->client == NULL || state == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND,
                               _ ("This space is not available"));
      g_clear_object (&task);
    }

  return task;
}

/* Adds (or removes) the person with this e-mail address: the service finds
 * them first. */
static void
member_by_email (FoyerSession *self,
                 FoyerSpaceItem *space,
                 const char *email,
                 gboolean add,
                 gpointer source_tag,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  GTask *task = member_task (self, space, add, source_tag, cancellable, callback, user_data);

  if (task != NULL)
    foyer_chat_client_find_people_async (self->client, email, cancellable, add_person_found_cb,
                                         task);
}

void
foyer_session_add_member_async (FoyerSession *self,
                                FoyerSpaceItem *space,
                                const char *email,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (email != NULL);

  member_by_email (self, space, email, TRUE, foyer_session_add_member_async, cancellable, callback,
                   user_data);
}

gboolean
foyer_session_add_member_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
foyer_session_remove_member_async (FoyerSession *self,
                                   FoyerSpaceItem *space,
                                   const char *person_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;
  MemberData *data;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (person_id != NULL);

  task = member_task (self, space, FALSE, foyer_session_remove_member_async, cancellable, callback,
                      user_data);
  if (task == NULL)
    return;
  data = g_task_get_task_data (task);
  data->person_id = g_strdup (person_id);
  foyer_chat_client_remove_member_async (self->client, data->space_id, person_id, cancellable,
                                         member_changed_cb, task);
}

/* Removes the person with this e-mail address from the space, and from the
 * space's KMS resource so that new keys are out of their reach. */
void
foyer_session_remove_member_by_email_async (FoyerSession *self,
                                            FoyerSpaceItem *space,
                                            const char *email,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (email != NULL);

  member_by_email (self, space, email, FALSE, foyer_session_remove_member_async, cancellable,
                   callback, user_data);
}

gboolean
foyer_session_remove_member_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  return foyer_session_add_member_finish (self, result, error);
}
