/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-session-private.h"

#include "foyer-json.h"

/* How many recent messages of each space are kept on the device. */
#define CACHED_MESSAGES 100
#define CACHE_DELAY_MS  500
#define CACHE_NS        "session"

/* The local cache: spaces and their recent messages, sealed in the store,
 * so the app shows them at once at start, even offline. */

static JsonNode *
space_to_json (FoyerSession *self, FoyerSpaceItem *space)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  SpaceState *state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  GDateTime *activity = foyer_space_item_get_last_activity (space);
  g_autofree char *when = activity != NULL ? g_date_time_format_iso8601 (activity) : NULL;

  json_builder_begin_object (b);
  foyer_json_builder_add_string (b, "id", foyer_space_item_get_id (space));
  foyer_json_builder_add_string (b, "title", foyer_space_item_get_title (space));
  foyer_json_builder_add_boolean (b, "titleUnavailable",
                                  foyer_space_item_get_title_unavailable (space));
  foyer_json_builder_add_string (b, "lastActivity", when);
  foyer_json_builder_add_int (b, "unread", foyer_space_item_get_unread_count (space));
  foyer_json_builder_add_string (b, "lastMessage", foyer_space_item_get_last_message (space));
  foyer_json_builder_add_string (b, "resourceUri", state != NULL ? state->resource_uri : NULL);
  foyer_json_builder_add_string (b, "keyUri", state != NULL ? state->key_uri : NULL);
  foyer_json_builder_add_int (b, "lastReadSeq", state != NULL ? state->last_read_seq : 0);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static JsonNode *
messages_to_json (FoyerSpaceItem *space)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint n = g_list_model_get_n_items (list);

  json_builder_begin_array (b);
  for (guint i = n > CACHED_MESSAGES ? n - CACHED_MESSAGES : 0; i < n; i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);
      FoyerMessageState state = foyer_message_item_get_state (item);
      g_autofree char *created = NULL;

      created = g_date_time_format_iso8601 (foyer_message_item_get_created (item));
      json_builder_begin_object (b);
      /* Not sent yet: the outbox (saved beside) holds what goes to the
       * service; this is what the person sees until then. */
      if (state == FOYER_MESSAGE_STATE_PENDING || state == FOYER_MESSAGE_STATE_FAILED)
        foyer_json_builder_add_boolean (b, "unsent", TRUE);
      foyer_json_builder_add_string (b, "id", foyer_message_item_get_id (item));
      foyer_json_builder_add_int (b, "seq", foyer_message_item_get_seq (item));
      foyer_json_builder_add_string (b, "authorId", foyer_message_item_get_author_id (item));
      foyer_json_builder_add_string (b, "authorName", foyer_message_item_get_author_name (item));
      foyer_json_builder_add_string (b, "created", created);
      foyer_json_builder_add_string (b, "body", foyer_message_item_get_body (item));
      foyer_json_builder_add_string (b, "error", foyer_message_item_get_error (item));
      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item)))
        {
          FoyerDocumentItem *doc = FOYER_DOCUMENT_ITEM (foyer_message_item_get_attachment (item));

          foyer_json_builder_add_string (b, "document", foyer_document_item_get_json (doc));
          foyer_json_builder_add_string (b, "documentError", foyer_document_item_get_reason (doc));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  return json_builder_get_root (b);
}

static GBytes *
json_bytes (JsonNode *node)
{
  gsize len = 0;
  char *text = json_to_string (node, FALSE);

  len = strlen (text);
  return g_bytes_new_take (text, len);
}

static void
cache_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_store_put_finish (FOYER_STORE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not cache a space: %s", error->message);
}

/* What is not sent yet: the outbox's queue (encrypted, with its
 * clientMessageIds), and what was written before the key service could be
 * reached (not encrypted yet: it is sealed in the store like the rest). */
static JsonNode *
unsent_to_json (FoyerSession *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "queue");
  json_builder_add_value (b, foyer_outbox_dump (self->outbox));
  json_builder_set_member_name (b, "unqueued");
  json_builder_begin_array (b);
  for (GList *l = self->waiting_sends.head; l != NULL; l = l->next)
    {
      SendOp *op = l->data;

      json_builder_begin_object (b);
      foyer_json_builder_add_string (b, "spaceId", foyer_space_item_get_id (op->space));
      foyer_json_builder_add_string (b, "text", op->text);
      foyer_json_builder_add_string (b, "document", op->ref_json);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
_foyer_session_flush_cache_cb (gpointer data)
{
  FoyerSession *self = data;
  GHashTableIter iter;
  const char *id;

  self->cache_source = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  g_hash_table_iter_init (&iter, self->dirty_spaces);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    {
      FoyerSpaceItem *space = g_hash_table_lookup (self->space_by_id, id);
      g_autoptr (JsonNode) space_json = NULL;
      g_autoptr (JsonNode) messages_json = NULL;
      g_autoptr (GBytes) space_bytes = NULL;
      g_autoptr (GBytes) message_bytes = NULL;

      if (space == NULL)
        continue;
      space_json = space_to_json (self, space);
      messages_json = messages_to_json (space);
      space_bytes = json_bytes (space_json);
      message_bytes = json_bytes (messages_json);
      foyer_store_put_async (self->store, FOYER_STORE_NS_SPACES, id, space_bytes, NULL,
                             cache_written_cb, NULL);
      /* A space whose cached messages were never read keeps them. */
      if (_foyer_session_space_state (self, id) != NULL
          && !_foyer_session_space_state (self, id)->cache_pending)
        foyer_store_put_async (self->store, FOYER_STORE_NS_MESSAGES, id, message_bytes, NULL,
                               cache_written_cb, NULL);
    }
  g_hash_table_remove_all (self->dirty_spaces);

  if (self->outbox_dirty && self->outbox != NULL)
    {
      g_autoptr (JsonNode) dump = unsent_to_json (self);
      g_autoptr (GBytes) bytes = json_bytes (dump);

      foyer_store_put_async (self->store, CACHE_NS, "outbox", bytes, NULL, cache_written_cb, NULL);
      self->outbox_dirty = FALSE;
    }

  return G_SOURCE_REMOVE;
}

void
_foyer_session_mark_dirty (FoyerSession *self, FoyerSpaceItem *space)
{
  if (self->store == NULL || space == NULL)
    return;
  g_hash_table_add (self->dirty_spaces, g_strdup (foyer_space_item_get_id (space)));
  if (self->cache_source == 0)
    self->cache_source = g_timeout_add (CACHE_DELAY_MS, _foyer_session_flush_cache_cb, self);
}

/* Messages not yet sent survive a quit: the outbox's queue (ciphertext,
 * clientMessageId) and the pending rows of their spaces are saved, sealed,
 * with the rest of the cache. */
void
_foyer_session_outbox_changed_cb (FoyerSession *self)
{
  GHashTableIter iter;
  const char *space_id;

  if (self->store == NULL)
    return;
  self->outbox_dirty = TRUE;
  g_hash_table_iter_init (&iter, self->pending_spaces);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &space_id))
    _foyer_session_mark_dirty (self, g_hash_table_lookup (self->space_by_id, space_id));
  if (self->cache_source == 0)
    self->cache_source = g_timeout_add (CACHE_DELAY_MS, _foyer_session_flush_cache_cb, self);
}

typedef struct
{
  FoyerSession *self;
  FoyerSpaceItem *space;
} CachedLoad;

static void
cached_load_free (CachedLoad *load)
{
  g_object_unref (load->self);
  g_object_unref (load->space);
  g_free (load);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedLoad, cached_load_free)

static void
cached_messages_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (CachedLoad) load = user_data;
  FoyerSession *self = load->self;
  FoyerSpaceItem *space = load->space;
  g_autoptr (GBytes) bytes = foyer_store_get_finish (FOYER_STORE (source), result, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonNode *root;
  JsonArray *array;

  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_ARRAY (root))
    return;

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = foyer_json_get_string (o, "id");
      const char *error = foyer_json_get_string (o, "error");
      gint64 seq = foyer_json_get_int (o, "seq", 0);
      g_autoptr (GDateTime) created = NULL;
      FoyerMessageState state;
      FoyerMessageItem *item;

      if (foyer_json_get_boolean (o, "unsent", FALSE))
        {
          /* Still in the restored outbox (else it was sent, or given up). */
          if (id == NULL || !g_hash_table_contains (self->pending_spaces, id))
            continue;
          state = FOYER_MESSAGE_STATE_PENDING;
          seq = 0;
        }
      else if (id == NULL || seq <= 0)
        continue;
      else
        state = error != NULL ? FOYER_MESSAGE_STATE_UNDECRYPTABLE : FOYER_MESSAGE_STATE_SENT;
      created = _foyer_session_parse_time (foyer_json_get_string (o, "created"));
      item = foyer_message_item_new (id, seq, foyer_json_get_string (o, "authorId"),
                                     foyer_json_get_string (o, "authorName"), created,
                                     foyer_json_get_string (o, "body"), state);
      foyer_message_item_set_error (item, error);
      if (foyer_json_get_string (o, "document") != NULL
          || foyer_json_get_string (o, "documentError") != NULL)
        {
          g_autoptr (FoyerDocumentItem) doc
              = foyer_json_get_string (o, "document") != NULL
                    ? foyer_document_item_new (foyer_json_get_string (o, "document"))
                    : foyer_document_item_new_unavailable (
                        foyer_json_get_string (o, "documentError"));

          foyer_message_item_set_attachment (item, G_OBJECT (doc));
        }
      g_ptr_array_add (items, item);
    }
  foyer_message_list_add_many (foyer_space_item_get_messages (space), items);
}

/* A space's cached messages, read when it is first opened. */
void
_foyer_session_load_cached_messages (FoyerSession *self, FoyerSpaceItem *space)
{
  CachedLoad *load = g_new0 (CachedLoad, 1);

  load->self = g_object_ref (self);
  load->space = g_object_ref (space);
  foyer_store_get_async (self->store, FOYER_STORE_NS_MESSAGES, foyer_space_item_get_id (space),
                         NULL, cached_messages_cb, load);
}

/* What the last run could not send goes again, under the same
 * clientMessageIds (the service keeps one copy of each). */
static void
cached_outbox_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GBytes) bytes = foyer_store_get_finish (FOYER_STORE (source), result, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root, *queue;
  JsonArray *array;

  if (bytes == NULL || self->outbox == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL))
    return;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  queue = json_object_get_member (json_node_get_object (root), "queue");
  array = queue != NULL && JSON_NODE_HOLDS_ARRAY (queue) ? json_node_get_array (queue) : NULL;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *id = foyer_json_get_string (o, "clientMessageId");
      const char *space_id = foyer_json_get_string (o, "spaceId");

      if (id != NULL && space_id != NULL)
        g_hash_table_replace (self->pending_spaces, g_strdup (id), g_strdup (space_id));
    }
  if (array != NULL && !foyer_outbox_restore (self->outbox, queue))
    g_warning ("Messages saved from the last run could not all be queued again");

  /* Never encrypted: written again, as new messages (they never reached
   * the service). */
  array = foyer_json_get_array (json_node_get_object (root), "unqueued");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      FoyerSpaceItem *space
          = g_hash_table_lookup (self->space_by_id, foyer_json_get_string (o, "spaceId") ?: "");

      if (space != NULL && foyer_json_get_string (o, "text") != NULL)
        _foyer_session_send (self, space, foyer_json_get_string (o, "text"),
                             foyer_json_get_string (o, "document"));
    }
}

static void
cached_spaces_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;

  entries = foyer_store_list_finish (FOYER_STORE (source), result, &error);
  if (entries == NULL || self->store == NULL)
    return;

  for (guint i = 0; i < entries->len; i++)
    {
      FoyerStoreEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      FoyerSpaceItem *space;
      g_autoptr (GDateTime) when = NULL;
      const char *title;

      if (!json_parser_load_from_data (parser, g_bytes_get_data (entry->value, NULL),
                                       g_bytes_get_size (entry->value), NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      o = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (foyer_json_get_string (o, "id"), entry->key) != 0
          || g_hash_table_contains (self->space_by_id, entry->key))
        continue;

      space = _foyer_session_new_space (self, entry->key, foyer_json_get_string (o, "resourceUri"),
                                        foyer_json_get_string (o, "keyUri"));
      title = foyer_json_get_string (o, "title");
      foyer_space_item_set_title (space, title);
      foyer_space_item_set_title_unavailable (space, title == NULL);
      foyer_space_item_set_unread_count (space, foyer_json_get_int (o, "unread", 0));
      foyer_space_item_set_last_message (space, foyer_json_get_string (o, "lastMessage"));
      _foyer_session_space_state (self, entry->key)->last_read_seq
          = foyer_json_get_int (o, "lastReadSeq", 0);
      if (foyer_json_get_string (o, "lastActivity") != NULL)
        {
          when = _foyer_session_parse_time (foyer_json_get_string (o, "lastActivity"));
          foyer_space_item_set_last_activity (space, when);
        }
      /* Messages are read when the space is opened: start-up only needs
       * the sidebar. */
      _foyer_session_space_state (self, entry->key)->cache_pending = TRUE;
    }

  /* Then what the last run could not send, into these spaces. */
  foyer_store_get_async (self->store, CACHE_NS, "outbox", NULL, cached_outbox_cb,
                         g_object_ref (self));
}

static GBytes *
person_bytes (FoyerSession *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  foyer_json_builder_add_string (b, "id", self->person_id);
  foyer_json_builder_add_string (b, "name", self->person_name);
  foyer_json_builder_add_string (b, "email", self->person_email);
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  return json_bytes (root);
}

static JsonObject *
parse_object (GBytes *bytes, JsonParser *parser)
{
  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  return json_node_get_object (json_parser_get_root (parser));
}

static void
cached_person_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GBytes) cached = foyer_store_get_finish (FOYER_STORE (source), result, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GBytes) person = NULL;
  JsonObject *object = parse_object (cached, parser);
  const char *cached_id = foyer_json_get_string (object, "id");

  if (self->store == NULL)
    return;

  /* Offline at start: the cache says who was signed in. */
  if (self->person_id == NULL && cached_id != NULL)
    {
      self->person_id = g_strdup (cached_id);
      self->person_name = g_strdup (foyer_json_get_string (object, "name"));
      self->person_email = g_strdup (foyer_json_get_string (object, "email"));
      _foyer_session_notify (self, PROP_PERSON_NAME);
    }
  if (self->person_id == NULL)
    return;

  /* The cache belongs to one person: anyone else starts from nothing. */
  if (g_strcmp0 (cached_id, self->person_id) != 0)
    {
      person = person_bytes (self);
      _foyer_session_search_clear (self);
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_SPACES, NULL);
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_MESSAGES, NULL);
      foyer_store_delete (self->store, CACHE_NS, "outbox", NULL);
      foyer_store_put_async (self->store, CACHE_NS, "person", person, NULL, cache_written_cb, NULL);
      return;
    }

  foyer_store_list_async (self->store, FOYER_STORE_NS_SPACES, NULL, cached_spaces_cb,
                          g_object_ref (self));
}

void
_foyer_session_load_cache (FoyerSession *self)
{
  if (self->store != NULL)
    foyer_store_get_async (self->store, CACHE_NS, "person", NULL, cached_person_cb,
                           g_object_ref (self));
}
