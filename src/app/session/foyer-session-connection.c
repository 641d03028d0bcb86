/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-session-private.h"

/* Live events */

static void
space_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, NULL);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && self->client != NULL)
    _foyer_session_add_space (self, json_node_get_object (node));
}

static void
event_cb (FoyerSession *self, const char *type, JsonNode *event)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (event) ? json_node_get_object (event) : NULL;
  const char *space_id = foyer_json_get_string (object, "spaceId");

  if (object == NULL)
    return;

  if (g_str_equal (type, "message.created"))
    {
      JsonObject *message = foyer_json_get_object (object, "message");

      if (message != NULL)
        _foyer_session_add_message (self, message, TRUE);
    }
  else if (g_str_equal (type, "space.created"))
    {
      JsonObject *space = foyer_json_get_object (object, "space");

      if (space != NULL)
        _foyer_session_add_space (self, space);
    }
  else if (g_str_equal (type, "space.key-rotated") && space_id != NULL)
    {
      SpaceState *state = _foyer_session_space_state (self, space_id);
      const char *key_uri = foyer_json_get_string (object, "keyUri");

      if (state != NULL && key_uri != NULL)
        {
          g_free (state->key_uri);
          state->key_uri = g_strdup (key_uri);
          state->rekey_needed = FALSE;
          g_hash_table_add (self->dirty_spaces, g_strdup (space_id));
        }
    }
  else if (g_str_equal (type, "member.added") || g_str_equal (type, "member.removed"))
    {
      const char *person_id = foyer_json_get_string (object, "personId");
      JsonObject *space = foyer_json_get_object (object, "space");

      if (g_strcmp0 (person_id, self->person_id) != 0 || space_id == NULL)
        {
          SpaceState *state = space_id != NULL ? _foyer_session_space_state (self, space_id) : NULL;

          /* Someone else joined or left: names and addresses change, and
           * after a departure the next message needs a new key. */
          if (space_id != NULL && self->client != NULL)
            _foyer_session_fetch_members (self, space_id);
          if (state != NULL && g_str_equal (type, "member.removed"))
            state->rekey_needed = TRUE;
          return;
        }
      if (g_str_equal (type, "member.removed"))
        _foyer_session_remove_space (self, space_id);
      else if (space != NULL)
        _foyer_session_add_space (self, space);
      else if (!g_hash_table_contains (self->space_by_id, space_id))
        foyer_chat_client_get_space_async (self->client, space_id, self->cancellable,
                                           space_fetched_cb, g_object_ref (self));
    }
}

static void
stream_connected_cb (FoyerSession *self)
{
  if (self->stream == NULL || self->state == FOYER_SESSION_SIGNED_OUT)
    return;
  _foyer_session_set_state (self, foyer_event_stream_get_connected (self->stream)
                                      ? FOYER_SESSION_ONLINE
                                      : FOYER_SESSION_OFFLINE);
  if (self->state == FOYER_SESSION_ONLINE)
    {
      _foyer_session_search_start (self);
      _foyer_session_send_waiting (self);
    }
}

/* Starting: the KMS address, the latest event cursor, then the spaces, and
 * only then the live stream from that cursor, so nothing falls in between. */

typedef struct
{
  gint64 cursor;
  gboolean restoring;
} StartData;

#define RETRY_MIN_S 2
#define RETRY_MAX_S 60

static void start_spaces_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void foyer_session_retry_start (FoyerSession *self);

static gboolean
retry_start_cb (gpointer data)
{
  FoyerSession *self = data;

  self->retry_source = 0;
  foyer_session_retry_start (self);
  return G_SOURCE_REMOVE;
}

/* Signing in again at start but the service cannot be reached: show what
 * the cache has, say we are offline, and try again with a growing delay. */
static void
foyer_session_go_offline (FoyerSession *self)
{
  if (self->spaces != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->spaces)) == 0)
    _foyer_session_load_cache (self);
  _foyer_session_set_state (self, FOYER_SESSION_OFFLINE);
  self->retry_delay = CLAMP (self->retry_delay * 2, RETRY_MIN_S, RETRY_MAX_S);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add_seconds (self->retry_delay, retry_start_cb, self);
}

static void
start_fail (FoyerSession *self, GTask *task, GError *error)
{
  StartData *data = g_task_get_task_data (task);

  if (data->restoring
      && (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK)
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER)))
    {
      g_debug ("Offline: %s", error->message);
      g_error_free (error);
      foyer_session_go_offline (self);
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  foyer_session_disconnect (self);
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
start_cursor_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL)
    {
      start_fail (self, task, error);
      return;
    }
  data->cursor = foyer_json_get_int (
      JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL, "cursor", 0);
  foyer_chat_client_list_spaces_async (self->client, g_task_get_cancellable (task), start_spaces_cb,
                                       task);
}

static void
start_service_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  const char *kms_url = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    kms_url = foyer_json_get_string (json_node_get_object (node), "kmsUrl");
  if (node == NULL || kms_url == NULL || !foyer_json_url_is_acceptable (kms_url))
    {
      if (error == NULL)
        error = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                                     _ ("The Foyer service did not say where its key service is"));
      start_fail (self, task, error);
      return;
    }

  self->kms = foyer_kms_client_new (foyer_chat_client_get_session (self->client), kms_url);
  foyer_kms_client_set_token (self->kms, foyer_chat_client_get_token (self->client));
  while (!g_queue_is_empty (&self->waiting_sends))
    {
      SendOp *op = g_queue_pop_head (&self->waiting_sends);
      SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (op->space));

      foyer_kms_client_get_key_async (self->kms, state != NULL ? state->key_uri : "",
                                      self->cancellable, _foyer_session_send_key_cb, op);
    }
  foyer_chat_client_get_events_async (self->client, -1, g_task_get_cancellable (task),
                                      start_cursor_cb, task);
}

/* The organization's Microsoft policy, as its administrator set it. An
 * invalid one is kept as an error the app shows where it matters. */
static void
org_settings_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->client == NULL)
    return;

  g_clear_object (&self->policy);
  g_clear_error (&self->policy_error);
  if (node != NULL)
    self->policy = foyer_org_policy_new_from_json (node, &self->policy_error);
  else
    self->policy_error = g_steal_pointer (&error);
  _foyer_session_notify (self, PROP_ORG_POLICY);
}

static void
start_spaces_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonArray *items = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL)
    {
      start_fail (self, task, error);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    items = foyer_json_get_array (json_node_get_object (node), "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *space = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (space))
        _foyer_session_add_space (self, json_node_get_object (space));
    }

  self->stream = foyer_event_stream_new (self->client);
  g_signal_connect_object (self->stream, "event", G_CALLBACK (event_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stream, "notify::connected", G_CALLBACK (stream_connected_cb),
                           self, G_CONNECT_SWAPPED);
  self->retry_delay = 0;
  foyer_outbox_watch_stream (self->outbox, self->stream);
  foyer_event_stream_start (self->stream, data->cursor);

  foyer_chat_client_get_org_settings_async (self->client, self->cancellable, org_settings_cb,
                                            g_object_ref (self));
  _foyer_session_set_state (self, FOYER_SESSION_OFFLINE);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
foyer_session_start (FoyerSession *self, GTask *task, JsonObject *person)
{
  g_free (self->person_id);
  g_free (self->person_name);
  g_free (self->person_email);
  self->person_id = g_strdup (foyer_json_get_string (person, "id"));
  self->person_name = g_strdup (foyer_json_get_string (person, "name"));
  self->person_email = g_strdup (foyer_json_get_string (person, "email"));
  self->is_admin = foyer_json_get_boolean (person, "isAdmin", FALSE);
  _foyer_session_remember_person (self, person);
  _foyer_session_notify (self, PROP_PERSON_NAME);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->spaces)) == 0)
    _foyer_session_load_cache (self);

  foyer_chat_client_request_async (self->client, "GET", "/v1/service", NULL,
                                   g_task_get_cancellable (task), start_service_cb, task);
}

static void
foyer_session_prepare (FoyerSession *self, const char *service_url)
{
  foyer_session_disconnect (self);
  self->service_url = g_strdup (service_url);
  self->client = foyer_chat_client_new (service_url);
  self->cancellable = g_cancellable_new ();
  self->outbox = foyer_outbox_new (self->client);
  /* About three seconds of trying, then the person sees why and Retry. */
  foyer_outbox_set_max_attempts (self->outbox, 3);
  g_signal_connect_object (self->outbox, "sent", G_CALLBACK (_foyer_session_outbox_sent_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outbox, "failed", G_CALLBACK (_foyer_session_outbox_failed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outbox, "changed", G_CALLBACK (_foyer_session_outbox_changed_cb),
                           self, G_CONNECT_SWAPPED);
  _foyer_session_set_state (self, FOYER_SESSION_CONNECTING);
}

typedef struct
{
  char *email;
} SignInData;

static void
secret_stored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* Without a Secret Service the session still works, for this run only. */
  if (!foyer_service_secret_store_finish (result, &error))
    g_message ("The Foyer session will not be remembered: %s", error->message);
}

static void
login_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (JsonNode) person = _foyer_session_object_finish (source, result, &error);

  if (person == NULL)
    {
      start_fail (self, task, error);
      return;
    }

  foyer_service_secret_store_async (
      self->service_url, foyer_json_get_string (json_node_get_object (person), "email"),
      foyer_chat_client_get_token (self->client), NULL, secret_stored_cb, NULL);
  foyer_session_start (self, task, json_node_get_object (person));
}

void
foyer_session_sign_in_async (FoyerSession *self,
                             const char *service_url,
                             const char *email,
                             const char *password,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (service_url != NULL && email != NULL && password != NULL);

  foyer_session_prepare (self, service_url);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_sign_in_async);
  g_task_set_task_data (task, g_new0 (StartData, 1), g_free);
  foyer_chat_client_login_async (self->client, email, password, cancellable, login_cb, task);
}

gboolean
foyer_session_sign_in_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
me_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (JsonNode) person = _foyer_session_object_finish (source, result, &error);

  if (person == NULL)
    {
      /* A token the service no longer accepts is forgotten. */
      if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED))
        foyer_service_secret_clear_async (self->service_url, NULL, NULL, NULL);
      start_fail (self, task, error);
      return;
    }

  foyer_session_start (self, task, json_node_get_object (person));
}

static void
restore_lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;

  token = foyer_service_secret_lookup_finish (result, NULL, &error);
  if (token == NULL)
    {
      foyer_session_disconnect (self);
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_boolean (task, FALSE);
      g_object_unref (task);
      return;
    }

  foyer_chat_client_set_token (self->client, token, NULL);
  foyer_chat_client_get_me_async (self->client, g_task_get_cancellable (task), me_cb, task);
}

void
foyer_session_restore_async (FoyerSession *self,
                             const char *service_url,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  StartData *data;
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (service_url != NULL);

  foyer_session_prepare (self, service_url);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_restore_async);
  data = g_new0 (StartData, 1);
  data->restoring = TRUE;
  g_task_set_task_data (task, data, g_free);
  foyer_service_secret_lookup_async (service_url, cancellable, restore_lookup_cb, task);
}

static void
foyer_session_retry_start (FoyerSession *self)
{
  GTask *task;
  StartData *data;

  if (self->client == NULL || self->stream != NULL)
    return;

  task = g_task_new (self, self->cancellable, NULL, NULL);
  g_task_set_source_tag (task, foyer_session_retry_start);
  data = g_new0 (StartData, 1);
  data->restoring = TRUE;
  g_task_set_task_data (task, data, g_free);
  foyer_chat_client_get_me_async (self->client, self->cancellable, me_cb, task);
}

/* TRUE when signed in again (possibly offline, from the local cache, while
 * it keeps trying); FALSE without error when nothing was kept. */
gboolean
foyer_session_restore_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Stops talking to the service and forgets everything in memory; what
 * the Secret Service keeps stays, so the next start signs in again. */
void
foyer_session_disconnect (FoyerSession *self)
{
  g_return_if_fail (FOYER_IS_SESSION (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  _foyer_session_search_stop (self);
  if (self->cache_source != 0)
    {
      g_clear_handle_id (&self->cache_source, g_source_remove);
      _foyer_session_flush_cache_cb (self);
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_delay = 0;
  g_clear_handle_id (&self->waiting_source, g_source_remove);
  self->waiting_delay = 0;
  g_queue_clear_full (&self->waiting_sends, (GDestroyNotify) _foyer_session_send_op_free);
  if (self->stream != NULL)
    foyer_event_stream_stop (self->stream);
  g_clear_object (&self->stream);
  g_clear_object (&self->outbox);
  if (self->kms != NULL)
    foyer_kms_client_forget_keys (self->kms);
  g_clear_object (&self->kms);
  g_clear_object (&self->client);
  g_clear_pointer (&self->service_url, g_free);
  g_clear_pointer (&self->person_id, g_free);
  g_clear_pointer (&self->person_name, g_free);
  g_clear_pointer (&self->person_email, g_free);
  self->is_admin = FALSE;
  self->open_space = NULL;
  g_clear_object (&self->policy);
  g_clear_error (&self->policy_error);

  g_list_store_remove_all (self->spaces);
  g_hash_table_remove_all (self->space_by_id);
  g_hash_table_remove_all (self->space_state);
  g_hash_table_remove_all (self->names);
  g_hash_table_remove_all (self->pending_spaces);
  g_hash_table_remove_all (self->retry_online);
  _foyer_session_set_state (self, FOYER_SESSION_SIGNED_OUT);
}

static void
secret_cleared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_service_secret_clear_finish (result, &error))
    g_warning ("Could not forget the Foyer session: %s", error->message);
}

/* Signs out for good: the stored session token is forgotten too. */
void
foyer_session_sign_out (FoyerSession *self)
{
  g_autofree char *url = NULL;

  g_return_if_fail (FOYER_IS_SESSION (self));

  url = g_strdup (self->service_url);
  /* The service ends the session, so the token is worthless even if it
   * was copied (it would otherwise stay valid until it expires). */
  if (self->client != NULL && foyer_chat_client_get_token (self->client) != NULL)
    foyer_chat_client_sign_out_async (self->client, NULL, NULL, NULL);
  foyer_session_disconnect (self);
  /* Nothing of this person stays on the device. */
  _foyer_session_search_clear (self);
  if (self->store != NULL)
    foyer_store_wipe_async (self->store, NULL, NULL, NULL);
  if (url != NULL)
    foyer_service_secret_clear_async (url, NULL, secret_cleared_cb, NULL);
}
