/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-session-private.h"

#define HISTORY_PAGE 50

/* Messages */

typedef struct
{
  gatomicrefcount refs;
  FoyerSpaceItem *space;
  FoyerMessageItem *item;
  char *ref_jwe;
  gboolean live;
} MessageOp;

static MessageOp *
message_op_ref (MessageOp *op)
{
  g_atomic_ref_count_inc (&op->refs);
  return op;
}

static void
message_op_free (MessageOp *op)
{
  if (!g_atomic_ref_count_dec (&op->refs))
    return;
  g_clear_object (&op->space);
  g_clear_object (&op->item);
  g_free (op->ref_jwe);
  g_free (op);
}

static void message_ready (FoyerSession *self, MessageOp *op);

static void
ref_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  MessageOp *op = data;
  g_autoptr (FoyerDocumentItem) document = NULL;

  if (plaintext != NULL)
    document = foyer_document_item_new (plaintext);
  else
    document = foyer_document_item_new_unavailable (error->message);
  foyer_message_item_set_attachment (op->item, G_OBJECT (document));
  message_ready (self, op);
}

static void
body_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  MessageOp *op = data;

  if (plaintext != NULL)
    g_object_set (op->item, "body", plaintext, NULL);
  else
    {
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_UNDECRYPTABLE);
      foyer_message_item_set_error (op->item, error->message);
    }

  /* A shared document's reference is its own JWE, under the same key. */
  if (op->ref_jwe != NULL)
    {
      _foyer_session_decrypt (self, op->ref_jwe, ref_decrypted, message_op_ref (op),
                              (GDestroyNotify) message_op_free);
      return;
    }
  message_ready (self, op);
}

/* Having written in a space, one has read it up to there: "New messages"
 * goes after one's own words, never before them. */
static void
read_up_to (FoyerSession *self, FoyerSpaceItem *space, gint64 seq)
{
  SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (space));

  if (state != NULL)
    state->last_read_seq = MAX (state->last_read_seq, seq);
}

static void
message_ready (FoyerSession *self, MessageOp *op)
{
  FoyerMessageList *list = foyer_space_item_get_messages (op->space);

  if (!foyer_message_list_add (list, op->item))
    return;
  _foyer_session_mark_dirty (self, op->space);
  _foyer_session_index_message (self, op->space, op->item);
  if (op->space == self->open_space)
    read_up_to (self, op->space, foyer_message_item_get_seq (op->item));

  if (op->live && g_strcmp0 (foyer_message_item_get_author_id (op->item), self->person_id) != 0)
    {
      if (op->space != self->open_space)
        foyer_space_item_set_unread_count (op->space,
                                           foyer_space_item_get_unread_count (op->space) + 1);
      _foyer_session_emit_message_received (self, op->space, op->item);
    }
}

void
_foyer_session_add_message (FoyerSession *self, JsonObject *object, gboolean live)
{
  const char *space_id = foyer_json_get_string (object, "spaceId");
  const char *id = foyer_json_get_string (object, "id");
  const char *author = foyer_json_get_string (object, "authorId");
  FoyerSpaceItem *space
      = space_id != NULL ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
  g_autoptr (GDateTime) created = NULL;
  const char *client_id;
  JsonArray *attachments;
  MessageOp *op;

  if (space == NULL || id == NULL)
    return;
  if (foyer_message_list_find (foyer_space_item_get_messages (space), id) != NULL)
    return;

  /* The newest message, ours too, brings its space to the top. */
  created = _foyer_session_parse_time (foyer_json_get_string (object, "created"));
  if (created != NULL
      && (foyer_space_item_get_last_activity (space) == NULL
          || g_date_time_compare (created, foyer_space_item_get_last_activity (space)) > 0))
    foyer_space_item_set_last_activity (space, created);

  /* Our own message, still pending here: it is sent, whichever of the
   * event and the post's reply comes first. */
  client_id = foyer_json_get_string (object, "clientMessageId");
  if (client_id != NULL && g_hash_table_contains (self->pending_spaces, client_id)
      && foyer_message_list_confirm (foyer_space_item_get_messages (space), client_id, id,
                                     foyer_json_get_int (object, "seq", 0)))
    {
      FoyerMessageItem *sent = foyer_message_list_find (foyer_space_item_get_messages (space), id);

      /* The cache holds it pending until told otherwise. */
      _foyer_session_mark_dirty (self, space);
      read_up_to (self, space, foyer_json_get_int (object, "seq", 0));
      if (sent != NULL)
        _foyer_session_index_message (self, space, sent);
      /* The post did reach the service (its reply was lost, or has not
       * come yet): nothing to retry. */
      if (self->outbox != NULL && foyer_outbox_discard (self->outbox, client_id))
        g_hash_table_remove (self->pending_spaces, client_id);
      return;
    }

  op = g_new0 (MessageOp, 1);
  g_atomic_ref_count_init (&op->refs);
  op->space = g_object_ref (space);
  op->live = live;
  attachments = foyer_json_get_array (object, "attachments");
  for (guint i = 0; attachments != NULL && i < json_array_get_length (attachments); i++)
    {
      JsonNode *node = json_array_get_element (attachments, i);
      JsonObject *attachment = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (g_strcmp0 (foyer_json_get_string (attachment, "kind"), "document") == 0
          && foyer_json_get_string (attachment, "ref") != NULL)
        {
          op->ref_jwe = g_strdup (foyer_json_get_string (attachment, "ref"));
          break;
        }
    }
  op->item = foyer_message_item_new (id, foyer_json_get_int (object, "seq", 0), author,
                                     _foyer_session_person_name (self, author), created, NULL,
                                     FOYER_MESSAGE_STATE_SENT);
  _foyer_session_decrypt (self, foyer_json_get_string (object, "body"), body_decrypted, op,
                          (GDestroyNotify) message_op_free);
}

typedef struct
{
  FoyerSession *self;
  FoyerSpaceItem *space;
} HistoryOp;

static void
history_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HistoryOp *op = user_data;
  g_autoptr (FoyerSession) self = op->self;
  g_autoptr (FoyerSpaceItem) space = op->space;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  SpaceState *state;
  JsonObject *object;
  JsonArray *items;

  g_free (op);
  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  if (state == NULL)
    return;
  state->loading = FALSE;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      /* Offline is a state the window shows, not a fault: the history is
       * asked for again when the space is next opened. */
      if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK))
        g_debug ("Could not load messages: %s", error->message);
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not load messages: %s", error ? error->message : "malformed reply");
      return;
    }

  object = json_node_get_object (node);
  items = foyer_json_get_array (object, "items");
  state->history_loaded = TRUE;
  foyer_space_item_set_history_loaded (space, TRUE);
  state->has_more = foyer_json_get_boolean (object, "hasMore", FALSE);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *message = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (message))
        _foyer_session_add_message (self, json_node_get_object (message), FALSE);
    }
}

static void
foyer_session_fetch_history (FoyerSession *self, FoyerSpaceItem *space, gint64 before)
{
  SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  HistoryOp *op;

  if (state == NULL || state->loading || (before > 0 && !state->has_more))
    return;

  state->loading = TRUE;
  op = g_new0 (HistoryOp, 1);
  op->self = g_object_ref (self);
  op->space = g_object_ref (space);
  foyer_chat_client_list_messages_async (self->client, foyer_space_item_get_id (space), before,
                                         HISTORY_PAGE, self->cancellable, history_cb, op);
}

void
foyer_session_open_space (FoyerSession *self, FoyerSpaceItem *space)
{
  SpaceState *state;

  g_return_if_fail (FOYER_IS_SESSION (self));

  self->open_space = space;
  if (space == NULL)
    return;

  foyer_space_item_set_unread_count (space, 0);
  _foyer_session_mark_dirty (self, space);
  state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  if (state == NULL)
    return;

  if (state->cache_pending && self->store != NULL)
    {
      state->cache_pending = FALSE;
      _foyer_session_load_cached_messages (self, space);
    }

  /* "New messages" goes where this person stopped reading; from now on
   * what arrives while the space is open is read. */
  foyer_message_list_set_last_read_seq (foyer_space_item_get_messages (space), state->last_read_seq,
                                        self->person_id);
  state->last_read_seq
      = MAX (state->last_read_seq,
             foyer_message_list_get_newest_seq (foyer_space_item_get_messages (space)));
  if (!state->history_loaded)
    foyer_session_fetch_history (self, space, 0);
}

void
foyer_session_load_older (FoyerSession *self, FoyerSpaceItem *space)
{
  gint64 oldest;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));

  oldest = foyer_message_list_get_oldest_seq (foyer_space_item_get_messages (space));
  if (oldest > 1)
    foyer_session_fetch_history (self, space, oldest);
}

/* Sending: encrypted here, queued in the outbox, shown pending at once. */

void
_foyer_session_outbox_sent_cb (FoyerSession *self, const char *client_id, JsonNode *reply)
{
  const char *space_id = g_hash_table_lookup (self->pending_spaces, client_id);
  FoyerSpaceItem *space = space_id ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
  JsonObject *object
      = reply != NULL && JSON_NODE_HOLDS_OBJECT (reply) ? json_node_get_object (reply) : NULL;
  const char *id = foyer_json_get_string (object, "id");
  gint64 seq = foyer_json_get_int (object, "seq", 0);

  if (space != NULL && id != NULL && seq > 0
      && foyer_message_list_confirm (foyer_space_item_get_messages (space), client_id, id, seq))
    {
      FoyerMessageItem *sent = foyer_message_list_find (foyer_space_item_get_messages (space), id);

      _foyer_session_mark_dirty (self, space);
      read_up_to (self, space, seq);
      if (sent != NULL)
        _foyer_session_index_message (self, space, sent);
    }
  g_hash_table_remove (self->pending_spaces, client_id);
  self->waiting_delay = 0;
}

typedef struct
{
  FoyerSession *self;
  FoyerSpaceItem *space;
  char *message_id;
  char *key_uri; /* what the refused message was sealed with */
} RefreshOp;

static void
refreshed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RefreshOp *op = user_data;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, NULL);
  SpaceState *state = _foyer_session_space_state (op->self, foyer_space_item_get_id (op->space));

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && state != NULL)
    {
      _foyer_session_apply_space_key (op->self, json_node_get_object (node));
      if (state->rekey_needed || g_strcmp0 (state->key_uri, op->key_uri) != 0)
        foyer_session_retry_message (op->self, op->space, op->message_id);
    }
  g_object_unref (op->self);
  g_object_unref (op->space);
  g_free (op->message_id);
  g_free (op->key_uri);
  g_free (op);
}

static void
refresh_key_then_retry (FoyerSession *self, FoyerSpaceItem *space, const char *message_id)
{
  SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  RefreshOp *op;

  if (self->client == NULL || state == NULL)
    return;
  op = g_new0 (RefreshOp, 1);
  op->self = g_object_ref (self);
  op->space = g_object_ref (space);
  op->message_id = g_strdup (message_id);
  op->key_uri = g_strdup (state->key_uri);
  foyer_chat_client_get_space_async (self->client, foyer_space_item_get_id (space),
                                     self->cancellable, refreshed_cb, op);
}

/* What waits for the service goes again by itself: at once when the event
 * stream comes back, and meanwhile every 5 s, then less often (to 60 s),
 * for a service that answers the stream but not posts. */
#define WAITING_MIN_S 5
#define WAITING_MAX_S 60

static gboolean
send_waiting_cb (gpointer data)
{
  FoyerSession *self = data;

  self->waiting_source = 0;
  if (self->state == FOYER_SESSION_ONLINE)
    _foyer_session_send_waiting (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_waiting (FoyerSession *self)
{
  if (self->waiting_source != 0)
    return;
  self->waiting_delay = CLAMP (self->waiting_delay * 2, WAITING_MIN_S, WAITING_MAX_S);
  self->waiting_source = g_timeout_add_seconds (self->waiting_delay, send_waiting_cb, self);
}

/* Sends again, with their clientMessageIds, the messages that wait for
 * the service. */
void
_foyer_session_send_waiting (FoyerSession *self)
{
  g_autofree char **ids = NULL;

  if (g_hash_table_size (self->retry_online) == 0)
    return;
  ids = (char **) g_hash_table_get_keys_as_array (self->retry_online, NULL);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autofree char *id = g_strdup (ids[i]);
      const char *space_id = g_hash_table_lookup (self->pending_spaces, id);
      FoyerSpaceItem *space
          = space_id != NULL ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;

      g_hash_table_remove (self->retry_online, id);
      if (space != NULL)
        foyer_session_retry_message (self, space, id);
    }
}

/* Why a message waits, in the words the window's subtitle uses: it is
 * pending, and goes by itself; there is nothing to click. */
static const char *
waiting_reason (const GError *error)
{
  if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK))
    return _ ("Waiting for Foyer’s service — sent when the connection returns");
  if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER))
    return _ ("Waiting for Foyer’s service, which is having problems — sent when it recovers");
  if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED))
    return _ ("Waiting to sign in to Foyer’s service again");
  return NULL;
}

void
_foyer_session_outbox_failed_cb (FoyerSession *self, const char *client_id, const GError *error)
{
  const char *space_id = g_hash_table_lookup (self->pending_spaces, client_id);
  FoyerSpaceItem *space = space_id ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
  FoyerMessageItem *item = NULL;
  const char *waiting = waiting_reason (error);

  if (space != NULL)
    item = foyer_message_list_find (foyer_space_item_get_messages (space), client_id);
  if (item != NULL && waiting != NULL)
    {
      /* One truth while offline: it stays pending and goes by itself. */
      g_hash_table_add (self->retry_online, g_strdup (client_id));
      foyer_message_item_set_error (item, waiting);
      foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_PENDING);
      schedule_waiting (self);
    }
  else if (item != NULL)
    {
      foyer_message_item_set_error (item, error->message);
      foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_FAILED);
    }
  /* A message from the last run whose space is not open yet: its row
   * comes back from the cache as pending, and it goes again when the
   * service is back. */
  if (item == NULL && space != NULL
      && (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK)
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER)))
    {
      g_hash_table_add (self->retry_online, g_strdup (client_id));
      schedule_waiting (self);
      return;
    }
  /* The outbox holds it, with its clientMessageId, for a retry: the entry
   * stays so that a reply or an event for it still finds it. */
  if (item == NULL)
    {
      foyer_outbox_discard (self->outbox, client_id);
      g_hash_table_remove (self->pending_spaces, client_id);
    }
  /* Refused, so never stored: the same ciphertext would be refused again.
   * Its text is sealed anew on Retry — at once if the refusal was the
   * space's key changing under it (a member left meanwhile). */
  else if (space != NULL && g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID))
    {
      foyer_outbox_discard (self->outbox, client_id);
      g_hash_table_remove (self->pending_spaces, client_id);
      refresh_key_then_retry (self, space, client_id);
    }
}

void
_foyer_session_send_op_free (SendOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->space);
  g_object_unref (op->item);
  g_free (op->text);
  g_free (op->ref_json);
  g_free (op);
}

static void send_with_space_key (FoyerSession *self, SpaceState *state, SendOp *op);

void
_foyer_session_send_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *jwe = NULL;
  g_autofree char *ref_jwe = NULL;
  g_autofree char *client_id = NULL;
  SpaceState *state = _foyer_session_space_state (op->self, foyer_space_item_get_id (op->space));

  key = foyer_kms_client_get_key_finish (FOYER_KMS_CLIENT (source), result, &error);
  if (key != NULL && state != NULL)
    {
      gsize len = 0;
      const guint8 *bytes = foyer_kms_key_get_data (key, &len);

      jwe = foyer_jwe_encrypt_string (bytes, len, state->key_uri, op->text, &error);
      if (jwe != NULL && op->ref_json != NULL)
        {
          ref_jwe = foyer_jwe_encrypt_string (bytes, len, state->key_uri, op->ref_json, &error);
          if (ref_jwe == NULL)
            g_clear_pointer (&jwe, g_free);
        }
    }

  if (jwe == NULL)
    {
      foyer_message_item_set_error (op->item,
                                    error != NULL ? error->message : _ ("The space was removed"));
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_FAILED);
    }
  else
    {
      FoyerMessageList *list = foyer_space_item_get_messages (op->space);

      const char *refs[] = { ref_jwe, NULL };

      client_id = foyer_outbox_post (op->self->outbox, foyer_space_item_get_id (op->space),
                                     state->key_uri, jwe, ref_jwe != NULL ? refs : NULL);
      /* The pending item takes the outbox's id so that its reply finds it. */
      foyer_message_list_rename (list, foyer_message_item_get_id (op->item), client_id);
      g_hash_table_insert (op->self->pending_spaces, g_strdup (client_id),
                           g_strdup (foyer_space_item_get_id (op->space)));
      _foyer_session_outbox_changed_cb (op->self);
    }

  _foyer_session_send_op_free (op);
}

void
foyer_session_send_text (FoyerSession *self, FoyerSpaceItem *space, const char *text)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (text != NULL);

  _foyer_session_send (self, space, text, NULL);
}

/* Posts a shared document: its reference (plaintext JSON, see
 * FoyerDocumentRef) is encrypted with the space's key like the comment. */
void
foyer_session_share_document (FoyerSession *self,
                              FoyerSpaceItem *space,
                              const char *ref_json,
                              const char *comment)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (ref_json != NULL);

  _foyer_session_send (self, space, comment != NULL ? comment : "", ref_json);
}

void
_foyer_session_send (FoyerSession *self,
                     FoyerSpaceItem *space,
                     const char *text,
                     const char *ref_json)
{
  SpaceState *state;
  SendOp *op;
  g_autofree char *local_id = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  if (state == NULL)
    return;

  local_id = foyer_chat_new_client_message_id ();
  op = g_new0 (SendOp, 1);
  op->self = g_object_ref (self);
  op->space = g_object_ref (space);
  op->text = g_strdup (text);
  op->ref_json = g_strdup (ref_json);
  op->item = foyer_message_item_new (local_id, 0, self->person_id, self->person_name, now, text,
                                     FOYER_MESSAGE_STATE_PENDING);
  if (ref_json != NULL)
    {
      g_autoptr (FoyerDocumentItem) document = foyer_document_item_new (ref_json);

      foyer_message_item_set_attachment (op->item, G_OBJECT (document));
    }
  foyer_message_list_add (foyer_space_item_get_messages (space), op->item);
  foyer_space_item_set_last_activity (space, now);

  if (state->key_uri == NULL)
    {
      foyer_message_item_set_error (op->item, _ ("This space has no encryption key"));
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_FAILED);
      _foyer_session_send_op_free (op);
      return;
    }

  /* Offline since start: encrypt and queue it once the key service answers. */
  if (self->kms == NULL)
    {
      g_queue_push_tail (&self->waiting_sends, op);
      _foyer_session_outbox_changed_cb (self);
      return;
    }
  send_with_space_key (self, state, op);
}

static void
rekeyed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendOp *op = user_data;
  SpaceState *state = _foyer_session_space_state (op->self, foyer_space_item_get_id (op->space));
  g_autoptr (GError) error = NULL;
  g_autofree char *key_uri = foyer_space_key_rotate_finish (result, &error);

  if (key_uri == NULL || state == NULL || op->self->kms == NULL)
    {
      foyer_message_item_set_error (op->item,
                                    error != NULL ? error->message : _ ("The space was removed"));
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_FAILED);
      _foyer_session_send_op_free (op);
      return;
    }
  g_free (state->key_uri);
  state->key_uri = g_steal_pointer (&key_uri);
  state->rekey_needed = FALSE;
  g_hash_table_add (op->self->dirty_spaces, g_strdup (foyer_space_item_get_id (op->space)));
  foyer_kms_client_get_key_async (op->self->kms, state->key_uri, op->self->cancellable,
                                  _foyer_session_send_key_cb, op);
}

/* After a member left, the first message makes the space's new key, which
 * the removed member cannot fetch; the others use it from then on. */
static void
send_with_space_key (FoyerSession *self, SpaceState *state, SendOp *op)
{
  if (state->rekey_needed && self->client != NULL && state->resource_uri != NULL)
    foyer_space_key_rotate_async (self->client, self->kms, foyer_space_item_get_id (op->space),
                                  state->resource_uri, state->key_uri, self->cancellable,
                                  rekeyed_cb, op);
  else
    foyer_kms_client_get_key_async (self->kms, state->key_uri, self->cancellable,
                                    _foyer_session_send_key_cb, op);
}

/* Sends a failed message again. One the outbox holds goes again with the
 * same clientMessageId, so if an earlier attempt did reach the service
 * (its reply was lost), the service answers with that message instead of
 * storing a second one. One that never reached the outbox (no key) is
 * written again, document included. */
gboolean
foyer_session_retry_message (FoyerSession *self, FoyerSpaceItem *space, const char *message_id)
{
  FoyerMessageList *list;
  FoyerMessageItem *item;
  GObject *attachment;
  g_autofree char *text = NULL;
  g_autofree char *ref_json = NULL;

  g_return_val_if_fail (FOYER_IS_SESSION (self), FALSE);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  list = foyer_space_item_get_messages (space);
  item = foyer_message_list_find (list, message_id);
  if (item == NULL
      || (foyer_message_item_get_state (item) != FOYER_MESSAGE_STATE_FAILED
          && !(foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_PENDING
               && foyer_message_item_get_error (item) != NULL)))
    return FALSE;

  g_hash_table_remove (self->retry_online, message_id);
  if (self->outbox != NULL && g_hash_table_contains (self->pending_spaces, message_id)
      && foyer_outbox_retry (self->outbox, message_id))
    {
      foyer_message_item_set_error (item, NULL);
      foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_PENDING);
      return TRUE;
    }

  text = g_strdup (foyer_message_item_get_body (item));
  attachment = foyer_message_item_get_attachment (item);
  if (FOYER_IS_DOCUMENT_ITEM (attachment))
    ref_json = g_strdup (foyer_document_item_get_json (FOYER_DOCUMENT_ITEM (attachment)));
  foyer_message_list_remove (list, message_id);
  _foyer_session_send (self, space, text != NULL ? text : "", ref_json);
  return TRUE;
}
