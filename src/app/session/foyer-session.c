/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-chat-client.h"
#include "foyer-document-item.h"
#include "foyer-event-stream.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-org-policy.h"
#include "foyer-outbox.h"
#include "foyer-service-secret.h"
#include "foyer-session.h"
#include "foyer-space-key.h"
#include "foyer-store.h"

#define HISTORY_PAGE 50
/* How many recent messages of each space are kept on the device. */
#define CACHED_MESSAGES 100
#define CACHE_DELAY_MS  500
#define CACHE_NS        "session"

/* What the session knows of a space beyond what the sidebar shows. */
typedef struct
{
  char *resource_uri;
  char *key_uri;
  gboolean history_loaded;
  gboolean cache_pending; /* cached messages not read yet: read on open */
  gboolean has_more;
  gboolean loading;
  gint64 last_read_seq;
  GStrv member_emails;
  GStrv member_names;    /* in the order of member_emails */
  gboolean rekey_needed; /* a member left: a new key before the next message */
} SpaceState;

struct _FoyerSession
{
  GObject parent_instance;

  FoyerSessionState state;
  char *service_url;
  char *person_id;
  char *person_name;
  char *person_email;
  gboolean is_admin;

  FoyerChatClient *client;
  FoyerKmsClient *kms;
  FoyerEventStream *stream;
  FoyerOutbox *outbox;
  GCancellable *cancellable;

  GListStore *spaces;
  GHashTable *space_by_id;    /* id → FoyerSpaceItem */
  GHashTable *space_state;    /* id → SpaceState */
  GHashTable *names;          /* person id → display name */
  GHashTable *pending_spaces; /* client message id → space id */
  GHashTable *retry_online;   /* client message ids that failed for want of the service */
  FoyerSpaceItem *open_space;

  FoyerStore *store;
  GHashTable *dirty_spaces; /* space ids whose cache needs writing */
  gboolean outbox_dirty;    /* the outbox's queue changed since it was saved */
  guint cache_source;
  guint retry_source;
  guint retry_delay;
  GQueue waiting_sends; /* SendOp: written before the key service was reachable */
  FoyerOrgPolicy *policy;
  GError *policy_error;
};

G_DEFINE_FINAL_TYPE (FoyerSession, foyer_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PERSON_NAME,
  PROP_ORG_POLICY,
  N_PROPS
};

enum
{
  MESSAGE_RECEIVED,
  MEMBERS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
space_state_free (SpaceState *state)
{
  g_free (state->resource_uri);
  g_free (state->key_uri);
  g_strfreev (state->member_emails);
  g_strfreev (state->member_names);
  g_free (state);
}

static void
foyer_session_set_state (FoyerSession *self, FoyerSessionState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static SpaceState *
space_state (FoyerSession *self, const char *space_id)
{
  return g_hash_table_lookup (self->space_state, space_id);
}

static GDateTime *
parse_time (const char *text)
{
  GDateTime *time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? time : g_date_time_new_now_utc ();
}

static const char *
person_name (FoyerSession *self, const char *person_id)
{
  const char *name = person_id != NULL ? g_hash_table_lookup (self->names, person_id) : NULL;

  return name != NULL ? name : _ ("Unknown person");
}

static void
remember_person (FoyerSession *self, JsonObject *person)
{
  const char *id = foyer_json_get_string (person, "personId");
  const char *name = foyer_json_get_string (person, "name");

  if (id == NULL)
    id = foyer_json_get_string (person, "id");
  if (id != NULL && name != NULL)
    g_hash_table_replace (self->names, g_strdup (id), g_strdup (name));
}

/* Decrypting: every JWE names its key; keys come from the KMS (cached). */

typedef void (*DecryptedFunc) (FoyerSession *self,
                               const char *plaintext,
                               const GError *error,
                               gpointer data);

typedef struct
{
  FoyerSession *self;
  char *jwe;
  DecryptedFunc func;
  gpointer data;
  GDestroyNotify destroy;
} DecryptOp;

static void
decrypt_op_finish (DecryptOp *op, const char *plaintext, const GError *error)
{
  op->func (op->self, plaintext, error, op->data);
  if (op->destroy != NULL)
    op->destroy (op->data);
  g_object_unref (op->self);
  g_free (op->jwe);
  g_free (op);
}

static void
decrypt_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DecryptOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *plaintext = NULL;
  const guint8 *bytes;
  gsize len = 0;

  key = foyer_kms_client_get_key_finish (FOYER_KMS_CLIENT (source), result, &error);
  if (key != NULL)
    {
      bytes = foyer_kms_key_get_data (key, &len);
      plaintext = foyer_jwe_decrypt_string (bytes, len, op->jwe, &error);
    }
  decrypt_op_finish (op, plaintext, error);
}

static void
foyer_session_decrypt (
    FoyerSession *self, const char *jwe, DecryptedFunc func, gpointer data, GDestroyNotify destroy)
{
  DecryptOp *op = g_new0 (DecryptOp, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *kid = NULL;

  op->self = g_object_ref (self);
  op->jwe = g_strdup (jwe);
  op->func = func;
  op->data = data;
  op->destroy = destroy;

  if (jwe == NULL || !foyer_jwe_check (jwe, FOYER_JWE_MAX_LENGTH, &kid, &error) || kid == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
                             _ ("The encrypted data is malformed"));
      decrypt_op_finish (op, NULL, error);
      return;
    }
  /* Signed out (or disconnected) while an earlier step was in flight. */
  if (self->kms == NULL)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _ ("You are no longer signed in"));
      decrypt_op_finish (op, NULL, error);
      return;
    }

  foyer_kms_client_get_key_async (self->kms, kid, self->cancellable, decrypt_key_cb, op);
}

typedef struct
{
  FoyerSession *self;
  FoyerSpaceItem *space;
  FoyerMessageItem *item;
  char *text;
  char *ref_json; /* a shared document's reference, or NULL */
} SendOp;

static void foyer_session_send (FoyerSession *self,
                                FoyerSpaceItem *space,
                                const char *text,
                                const char *ref_json);

/* The local cache: spaces and their recent messages, sealed in the store,
 * so the app shows them at once at start, even offline. */

static JsonNode *
space_to_json (FoyerSession *self, FoyerSpaceItem *space)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  SpaceState *state = space_state (self, foyer_space_item_get_id (space));
  GDateTime *activity = foyer_space_item_get_last_activity (space);
  g_autofree char *when = activity != NULL ? g_date_time_format_iso8601 (activity) : NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, foyer_space_item_get_id (space));
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, foyer_space_item_get_title (space));
  json_builder_set_member_name (b, "titleUnavailable");
  json_builder_add_boolean_value (b, foyer_space_item_get_title_unavailable (space));
  json_builder_set_member_name (b, "lastActivity");
  json_builder_add_string_value (b, when);
  json_builder_set_member_name (b, "unread");
  json_builder_add_int_value (b, foyer_space_item_get_unread_count (space));
  json_builder_set_member_name (b, "resourceUri");
  json_builder_add_string_value (b, state != NULL ? state->resource_uri : NULL);
  json_builder_set_member_name (b, "keyUri");
  json_builder_add_string_value (b, state != NULL ? state->key_uri : NULL);
  json_builder_set_member_name (b, "lastReadSeq");
  json_builder_add_int_value (b, state != NULL ? state->last_read_seq : 0);
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
        {
          json_builder_set_member_name (b, "unsent");
          json_builder_add_boolean_value (b, TRUE);
        }
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, foyer_message_item_get_id (item));
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, foyer_message_item_get_seq (item));
      json_builder_set_member_name (b, "authorId");
      json_builder_add_string_value (b, foyer_message_item_get_author_id (item));
      json_builder_set_member_name (b, "authorName");
      json_builder_add_string_value (b, foyer_message_item_get_author_name (item));
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "body");
      json_builder_add_string_value (b, foyer_message_item_get_body (item));
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, foyer_message_item_get_error (item));
      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item)))
        {
          FoyerDocumentItem *doc = FOYER_DOCUMENT_ITEM (foyer_message_item_get_attachment (item));

          json_builder_set_member_name (b, "document");
          json_builder_add_string_value (b, foyer_document_item_get_json (doc));
          json_builder_set_member_name (b, "documentError");
          json_builder_add_string_value (b, foyer_document_item_get_reason (doc));
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
      json_builder_set_member_name (b, "spaceId");
      json_builder_add_string_value (b, foyer_space_item_get_id (op->space));
      json_builder_set_member_name (b, "text");
      json_builder_add_string_value (b, op->text);
      json_builder_set_member_name (b, "document");
      json_builder_add_string_value (b, op->ref_json);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
flush_cache_cb (gpointer data)
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
      if (space_state (self, id) != NULL && !space_state (self, id)->cache_pending)
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

static void
foyer_session_mark_dirty (FoyerSession *self, FoyerSpaceItem *space)
{
  if (self->store == NULL || space == NULL)
    return;
  g_hash_table_add (self->dirty_spaces, g_strdup (foyer_space_item_get_id (space)));
  if (self->cache_source == 0)
    self->cache_source = g_timeout_add (CACHE_DELAY_MS, flush_cache_cb, self);
}

/* Messages not yet sent survive a quit: the outbox's queue (ciphertext,
 * clientMessageId) and the pending rows of their spaces are saved, sealed,
 * with the rest of the cache. */
static void
outbox_changed_cb (FoyerSession *self)
{
  GHashTableIter iter;
  const char *space_id;

  if (self->store == NULL)
    return;
  self->outbox_dirty = TRUE;
  g_hash_table_iter_init (&iter, self->pending_spaces);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &space_id))
    foyer_session_mark_dirty (self, g_hash_table_lookup (self->space_by_id, space_id));
  if (self->cache_source == 0)
    self->cache_source = g_timeout_add (CACHE_DELAY_MS, flush_cache_cb, self);
}

static FoyerSpaceItem *foyer_session_new_space (FoyerSession *self,
                                                const char *id,
                                                const char *resource_uri,
                                                const char *key_uri);

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
          state = g_hash_table_contains (self->retry_online, id) ? FOYER_MESSAGE_STATE_FAILED
                                                                 : FOYER_MESSAGE_STATE_PENDING;
          seq = 0;
        }
      else if (id == NULL || seq <= 0)
        continue;
      else
        state = error != NULL ? FOYER_MESSAGE_STATE_UNDECRYPTABLE : FOYER_MESSAGE_STATE_SENT;
      created = parse_time (foyer_json_get_string (o, "created"));
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
        foyer_session_send (self, space, foyer_json_get_string (o, "text"),
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

      space = foyer_session_new_space (self, entry->key, foyer_json_get_string (o, "resourceUri"),
                                       foyer_json_get_string (o, "keyUri"));
      title = foyer_json_get_string (o, "title");
      foyer_space_item_set_title (space, title);
      foyer_space_item_set_title_unavailable (space, title == NULL);
      foyer_space_item_set_unread_count (space, foyer_json_get_int (o, "unread", 0));
      space_state (self, entry->key)->last_read_seq = foyer_json_get_int (o, "lastReadSeq", 0);
      if (foyer_json_get_string (o, "lastActivity") != NULL)
        {
          when = parse_time (foyer_json_get_string (o, "lastActivity"));
          foyer_space_item_set_last_activity (space, when);
        }
      /* Messages are read when the space is opened: start-up only needs
       * the sidebar. */
      space_state (self, entry->key)->cache_pending = TRUE;
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
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, self->person_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, self->person_name);
  json_builder_set_member_name (b, "email");
  json_builder_add_string_value (b, self->person_email);
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
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON_NAME]);
    }
  if (self->person_id == NULL)
    return;

  /* The cache belongs to one person: anyone else starts from nothing. */
  if (g_strcmp0 (cached_id, self->person_id) != 0)
    {
      person = person_bytes (self);
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_SPACES, NULL);
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_MESSAGES, NULL);
      foyer_store_delete (self->store, CACHE_NS, "outbox", NULL);
      foyer_store_put_async (self->store, CACHE_NS, "person", person, NULL, cache_written_cb, NULL);
      return;
    }

  foyer_store_list_async (self->store, FOYER_STORE_NS_SPACES, NULL, cached_spaces_cb,
                          g_object_ref (self));
}

static void
foyer_session_load_cache (FoyerSession *self)
{
  if (self->store != NULL)
    foyer_store_get_async (self->store, CACHE_NS, "person", NULL, cached_person_cb,
                           g_object_ref (self));
}

/* Spaces */

static void
title_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  FoyerSpaceItem *space = data;

  if (plaintext != NULL)
    {
      foyer_space_item_set_title (space, plaintext);
      foyer_space_item_set_title_unavailable (space, FALSE);
      foyer_session_mark_dirty (self, space);
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
static void
foyer_session_fetch_members (FoyerSession *self, const char *space_id)
{
  MembersOp *op = g_new0 (MembersOp, 1);

  op->self = g_object_ref (self);
  op->space_id = g_strdup (space_id);
  foyer_chat_client_list_members_async (self->client, space_id, self->cancellable, members_cb, op);
}

static FoyerSpaceItem *
foyer_session_new_space (FoyerSession *self,
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
static void
apply_space_key (FoyerSession *self, JsonObject *space)
{
  SpaceState *state = space_state (self, foyer_json_get_string (space, "id"));
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

static FoyerSpaceItem *
foyer_session_add_space (FoyerSession *self, JsonObject *object)
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
        foyer_session_decrypt (self, title, title_decrypted, g_object_ref (space), g_object_unref);
      apply_space_key (self, object);
      return space;
    }

  if (title != NULL)
    foyer_jwe_check (title, FOYER_JWE_MAX_LENGTH, &kid, NULL);
  space = foyer_session_new_space (self, id, foyer_json_get_string (object, "kmsResourceUri"), kid);
  /* What was there before this device first saw the space counts as read. */
  space_state (self, id)->last_read_seq = foyer_json_get_int (object, "lastSeq", 0);
  created = parse_time (foyer_json_get_string (object, "created"));
  foyer_space_item_set_last_activity (space, created);

  apply_space_key (self, object);
  foyer_session_decrypt (self, title, title_decrypted, g_object_ref (space), g_object_unref);
  foyer_session_fetch_members (self, id);
  return space;
}

static void
foyer_session_remove_space (FoyerSession *self, const char *space_id)
{
  FoyerSpaceItem *space = g_hash_table_lookup (self->space_by_id, space_id);
  guint position;

  if (space == NULL)
    return;
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
  SpaceState *state = space_state (self, op->space_id);
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
      remember_person (self, object);
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
  g_signal_emit (self, signals[MEMBERS_CHANGED], 0, op->space_id);

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
            g_object_set (message, "author-name", person_name (self, author), NULL);
        }
    }
}

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
      foyer_session_decrypt (self, op->ref_jwe, ref_decrypted, message_op_ref (op),
                             (GDestroyNotify) message_op_free);
      return;
    }
  message_ready (self, op);
}

static void
message_ready (FoyerSession *self, MessageOp *op)
{
  FoyerMessageList *list = foyer_space_item_get_messages (op->space);

  if (!foyer_message_list_add (list, op->item))
    return;
  foyer_session_mark_dirty (self, op->space);
  if (op->space == self->open_space)
    {
      SpaceState *state = space_state (self, foyer_space_item_get_id (op->space));

      if (state != NULL)
        state->last_read_seq = MAX (state->last_read_seq, foyer_message_item_get_seq (op->item));
    }

  if (op->live && g_strcmp0 (foyer_message_item_get_author_id (op->item), self->person_id) != 0)
    {
      if (op->space != self->open_space)
        foyer_space_item_set_unread_count (op->space,
                                           foyer_space_item_get_unread_count (op->space) + 1);
      g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, op->space, op->item);
    }
}

static void
foyer_session_add_message (FoyerSession *self, JsonObject *object, gboolean live)
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

  /* Our own message, still pending here: it is sent, whichever of the
   * event and the post's reply comes first. */
  client_id = foyer_json_get_string (object, "clientMessageId");
  if (client_id != NULL && g_hash_table_contains (self->pending_spaces, client_id)
      && foyer_message_list_confirm (foyer_space_item_get_messages (space), client_id, id,
                                     foyer_json_get_int (object, "seq", 0)))
    {
      /* The post did reach the service (its reply was lost, or has not
       * come yet): nothing to retry. */
      if (self->outbox != NULL && foyer_outbox_discard (self->outbox, client_id))
        g_hash_table_remove (self->pending_spaces, client_id);
      return;
    }

  created = parse_time (foyer_json_get_string (object, "created"));
  if (foyer_space_item_get_last_activity (space) == NULL
      || g_date_time_compare (created, foyer_space_item_get_last_activity (space)) > 0)
    foyer_space_item_set_last_activity (space, created);

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
                                     person_name (self, author), created, NULL,
                                     FOYER_MESSAGE_STATE_SENT);
  foyer_session_decrypt (self, foyer_json_get_string (object, "body"), body_decrypted, op,
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
  state = space_state (self, foyer_space_item_get_id (space));
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
  state->has_more = foyer_json_get_boolean (object, "hasMore", FALSE);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *message = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (message))
        foyer_session_add_message (self, json_node_get_object (message), FALSE);
    }
}

static void
foyer_session_fetch_history (FoyerSession *self, FoyerSpaceItem *space, gint64 before)
{
  SpaceState *state = space_state (self, foyer_space_item_get_id (space));
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
  foyer_session_mark_dirty (self, space);
  state = space_state (self, foyer_space_item_get_id (space));
  if (state == NULL)
    return;

  if (state->cache_pending && self->store != NULL)
    {
      state->cache_pending = FALSE;
      CachedLoad *load = g_new0 (CachedLoad, 1);

      load->self = g_object_ref (self);
      load->space = g_object_ref (space);
      foyer_store_get_async (self->store, FOYER_STORE_NS_MESSAGES, foyer_space_item_get_id (space),
                             NULL, cached_messages_cb, load);
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

static void
outbox_sent_cb (FoyerSession *self, const char *client_id, JsonNode *reply)
{
  const char *space_id = g_hash_table_lookup (self->pending_spaces, client_id);
  FoyerSpaceItem *space = space_id ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
  JsonObject *object
      = reply != NULL && JSON_NODE_HOLDS_OBJECT (reply) ? json_node_get_object (reply) : NULL;
  const char *id = foyer_json_get_string (object, "id");
  gint64 seq = foyer_json_get_int (object, "seq", 0);

  if (space != NULL && id != NULL && seq > 0)
    foyer_message_list_confirm (foyer_space_item_get_messages (space), client_id, id, seq);
  g_hash_table_remove (self->pending_spaces, client_id);
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
  SpaceState *state = space_state (op->self, foyer_space_item_get_id (op->space));

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && state != NULL)
    {
      apply_space_key (op->self, json_node_get_object (node));
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
  SpaceState *state = space_state (self, foyer_space_item_get_id (space));
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

static void
outbox_failed_cb (FoyerSession *self, const char *client_id, const GError *error)
{
  const char *space_id = g_hash_table_lookup (self->pending_spaces, client_id);
  FoyerSpaceItem *space = space_id ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
  FoyerMessageItem *item = NULL;

  if (space != NULL)
    item = foyer_message_list_find (foyer_space_item_get_messages (space), client_id);
  if (item != NULL)
    {
      const char *reason = error->message;

      if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK))
        reason = _ ("Foyer's service cannot be reached");
      else if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER))
        reason = _ ("Foyer's service is having problems");
      /* Sent again by itself when the service is back; Retry is for now. */
      if (reason != error->message
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED))
        g_hash_table_add (self->retry_online, g_strdup (client_id));
      foyer_message_item_set_error (item, reason);
      foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_FAILED);
    }
  /* A message from the last run whose space is not open yet: its row
   * comes back from the cache as failed, and it goes again when the
   * service is back. */
  if (item == NULL && space != NULL
      && (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK)
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER)))
    {
      g_hash_table_add (self->retry_online, g_strdup (client_id));
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

static void
send_op_free (SendOp *op)
{
  g_object_unref (op->self);
  g_object_unref (op->space);
  g_object_unref (op->item);
  g_free (op->text);
  g_free (op->ref_json);
  g_free (op);
}

static void send_with_space_key (FoyerSession *self, SpaceState *state, SendOp *op);

static void
send_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *jwe = NULL;
  g_autofree char *ref_jwe = NULL;
  g_autofree char *client_id = NULL;
  SpaceState *state = space_state (op->self, foyer_space_item_get_id (op->space));

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
      outbox_changed_cb (op->self);
    }

  send_op_free (op);
}

void
foyer_session_send_text (FoyerSession *self, FoyerSpaceItem *space, const char *text)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (text != NULL);

  foyer_session_send (self, space, text, NULL);
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

  foyer_session_send (self, space, comment != NULL ? comment : "", ref_json);
}

static void
foyer_session_send (FoyerSession *self,
                    FoyerSpaceItem *space,
                    const char *text,
                    const char *ref_json)
{
  SpaceState *state;
  SendOp *op;
  g_autofree char *local_id = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  state = space_state (self, foyer_space_item_get_id (space));
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

  if (state->key_uri == NULL)
    {
      foyer_message_item_set_error (op->item, _ ("This space has no encryption key"));
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_FAILED);
      send_op_free (op);
      return;
    }

  /* Offline since start: encrypt and queue it once the key service answers. */
  if (self->kms == NULL)
    {
      g_queue_push_tail (&self->waiting_sends, op);
      outbox_changed_cb (self);
      return;
    }
  send_with_space_key (self, state, op);
}

static void
rekeyed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SendOp *op = user_data;
  SpaceState *state = space_state (op->self, foyer_space_item_get_id (op->space));
  g_autoptr (GError) error = NULL;
  g_autofree char *key_uri = foyer_space_key_rotate_finish (result, &error);

  if (key_uri == NULL || state == NULL || op->self->kms == NULL)
    {
      foyer_message_item_set_error (op->item,
                                    error != NULL ? error->message : _ ("The space was removed"));
      foyer_message_item_set_state (op->item, FOYER_MESSAGE_STATE_FAILED);
      send_op_free (op);
      return;
    }
  g_free (state->key_uri);
  state->key_uri = g_steal_pointer (&key_uri);
  state->rekey_needed = FALSE;
  g_hash_table_add (op->self->dirty_spaces, g_strdup (foyer_space_item_get_id (op->space)));
  foyer_kms_client_get_key_async (op->self->kms, state->key_uri, op->self->cancellable, send_key_cb,
                                  op);
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
    foyer_kms_client_get_key_async (self->kms, state->key_uri, self->cancellable, send_key_cb, op);
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
  if (item == NULL || foyer_message_item_get_state (item) != FOYER_MESSAGE_STATE_FAILED)
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
  foyer_session_send (self, space, text != NULL ? text : "", ref_json);
  return TRUE;
}

void
foyer_session_retry_failed (FoyerSession *self, FoyerSpaceItem *space)
{
  FoyerMessageList *list;
  g_autoptr (GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));

  list = foyer_space_item_get_messages (space);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      FoyerMessageItem *item = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_FAILED)
        g_ptr_array_add (failed, item);
      else
        g_object_unref (item);
    }

  for (guint i = 0; i < failed->len; i++)
    {
      FoyerMessageItem *item = g_ptr_array_index (failed, i);
      g_autofree char *id = g_strdup (foyer_message_item_get_id (item));

      foyer_session_retry_message (self, space, id);
    }
}

/* Live events */

static void
space_fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, NULL);

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) && self->client != NULL)
    foyer_session_add_space (self, json_node_get_object (node));
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
        foyer_session_add_message (self, message, TRUE);
    }
  else if (g_str_equal (type, "space.created"))
    {
      JsonObject *space = foyer_json_get_object (object, "space");

      if (space != NULL)
        foyer_session_add_space (self, space);
    }
  else if (g_str_equal (type, "space.key-rotated") && space_id != NULL)
    {
      SpaceState *state = space_state (self, space_id);
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
          SpaceState *state = space_id != NULL ? space_state (self, space_id) : NULL;

          /* Someone else joined or left: names and addresses change, and
           * after a departure the next message needs a new key. */
          if (space_id != NULL && self->client != NULL)
            foyer_session_fetch_members (self, space_id);
          if (state != NULL && g_str_equal (type, "member.removed"))
            state->rekey_needed = TRUE;
          return;
        }
      if (g_str_equal (type, "member.removed"))
        foyer_session_remove_space (self, space_id);
      else if (space != NULL)
        foyer_session_add_space (self, space);
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
  foyer_session_set_state (self, foyer_event_stream_get_connected (self->stream)
                                     ? FOYER_SESSION_ONLINE
                                     : FOYER_SESSION_OFFLINE);
  if (self->state == FOYER_SESSION_ONLINE && g_hash_table_size (self->retry_online) > 0)
    {
      g_autofree char **ids = (char **) g_hash_table_get_keys_as_array (self->retry_online, NULL);

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
    foyer_session_load_cache (self);
  foyer_session_set_state (self, FOYER_SESSION_OFFLINE);
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
      SpaceState *state = space_state (self, foyer_space_item_get_id (op->space));

      foyer_kms_client_get_key_async (self->kms, state != NULL ? state->key_uri : "",
                                      self->cancellable, send_key_cb, op);
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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORG_POLICY]);
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
        foyer_session_add_space (self, json_node_get_object (space));
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
  foyer_session_set_state (self, FOYER_SESSION_OFFLINE);
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
  remember_person (self, person);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSON_NAME]);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->spaces)) == 0)
    foyer_session_load_cache (self);

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
  g_signal_connect_object (self->outbox, "sent", G_CALLBACK (outbox_sent_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outbox, "failed", G_CALLBACK (outbox_failed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->outbox, "changed", G_CALLBACK (outbox_changed_cb), self,
                           G_CONNECT_SWAPPED);
  foyer_session_set_state (self, FOYER_SESSION_CONNECTING);
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
  g_autoptr (JsonNode) person = NULL;

  person = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (person == NULL || !JSON_NODE_HOLDS_OBJECT (person))
    {
      if (error == NULL)
        error = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                                     _ ("The Foyer service sent an unexpected reply"));
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
  g_autoptr (JsonNode) person = NULL;

  person = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (person == NULL || !JSON_NODE_HOLDS_OBJECT (person))
    {
      /* A token the service no longer accepts is forgotten. */
      if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED))
        foyer_service_secret_clear_async (self->service_url, NULL, NULL, NULL);
      if (error == NULL)
        error = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                                     _ ("The Foyer service sent an unexpected reply"));
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
  if (self->cache_source != 0)
    {
      g_clear_handle_id (&self->cache_source, g_source_remove);
      flush_cache_cb (self);
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_delay = 0;
  g_queue_clear_full (&self->waiting_sends, (GDestroyNotify) send_op_free);
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
  foyer_session_set_state (self, FOYER_SESSION_SIGNED_OUT);
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
  if (self->store != NULL)
    foyer_store_wipe_async (self->store, NULL, NULL, NULL);
  if (url != NULL)
    foyer_service_secret_clear_async (url, NULL, secret_cleared_cb, NULL);
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
  g_autoptr (JsonNode) node = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (error == NULL)
        error = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                                     _ ("The Foyer service sent an unexpected reply"));
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data->space = g_object_ref (foyer_session_add_space (self, json_node_get_object (node)));
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

static void
create_person_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  CreateData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object = NULL;
  JsonArray *items;
  const char *id = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      items = foyer_json_get_array (json_node_get_object (node), "items");
      if (items != NULL && json_array_get_length (items) > 0
          && JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, 0)))
        object = json_array_get_object_element (items, 0);
      else
        object = json_node_get_object (node);
      id = foyer_json_get_string (object, "id");
    }

  if (id == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND,
                               _ ("Nobody in your organization has the address %s"),
                               data->emails[data->next_email - 1]);
      g_object_unref (task);
      return;
    }

  remember_person (g_task_get_source_object (task), object);
  g_ptr_array_add (data->person_ids, g_strdup (id));
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
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *object = NULL;
  JsonArray *items;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      items = foyer_json_get_array (json_node_get_object (node), "items");
      if (items != NULL && json_array_get_length (items) > 0
          && JSON_NODE_HOLDS_OBJECT (json_array_get_element (items, 0)))
        object = json_array_get_object_element (items, 0);
      else
        object = json_node_get_object (node);
    }
  if (foyer_json_get_string (object, "id") == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND,
                               _ ("Nobody in your organization has this address"));
      g_object_unref (task);
      return;
    }

  remember_person (self, object);
  data->person_id = g_strdup (foyer_json_get_string (object, "id"));
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
  SpaceState *state = space_state (self, foyer_space_item_get_id (space));
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

void
foyer_session_add_member_async (FoyerSession *self,
                                FoyerSpaceItem *space,
                                const char *email,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (email != NULL);

  task = member_task (self, space, TRUE, foyer_session_add_member_async, cancellable, callback,
                      user_data);
  if (task != NULL)
    foyer_chat_client_find_people_async (self->client, email, cancellable, add_person_found_cb,
                                         task);
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
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (email != NULL);

  task = member_task (self, space, FALSE, foyer_session_remove_member_async, cancellable, callback,
                      user_data);
  if (task != NULL)
    foyer_chat_client_find_people_async (self->client, email, cancellable, add_person_found_cb,
                                         task);
}

gboolean
foyer_session_remove_member_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Object */

FoyerSessionState
foyer_session_get_state (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), FOYER_SESSION_SIGNED_OUT);

  return self->state;
}

GListModel *
foyer_session_get_spaces (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->spaces);
}

const char *
foyer_session_get_service_url (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->service_url;
}

const char *
foyer_session_get_person_id (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_id;
}

const char *
foyer_session_get_person_name (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_name;
}

const char *
foyer_session_get_person_email (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_email;
}

gboolean
foyer_session_get_is_admin (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), FALSE);

  return self->is_admin;
}

/* NULL until the service answered, or when the policy is invalid (then
 * error says why). */
FoyerOrgPolicy *
foyer_session_get_org_policy (FoyerSession *self, const GError **error)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  if (error != NULL)
    *error = self->policy_error;
  return self->policy;
}

static void
settings_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  FoyerOrgPolicy *policy;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  policy = node != NULL ? foyer_org_policy_new_from_json (node, &error) : NULL;
  if (policy == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_clear_object (&self->policy);
  g_clear_error (&self->policy_error);
  self->policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORG_POLICY]);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Administrators only: the service refuses everyone else (FORBIDDEN). */
void
foyer_session_save_org_settings_async (FoyerSession *self,
                                       JsonNode *settings,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (settings != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_save_org_settings_async);
  if (self->client == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED,
                               _ ("You are not signed in"));
      g_object_unref (task);
      return;
    }
  foyer_chat_client_put_org_settings_async (self->client, settings, cancellable, settings_saved_cb,
                                            task);
}

gboolean
foyer_session_save_org_settings_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Messages the outbox still has to post (not counting failed ones). */
guint
foyer_session_get_unsent_count (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), 0);

  return self->outbox != NULL ? foyer_outbox_get_pending_count (self->outbox) : 0;
}

/* The names of the space's other members, in the order of
 * foyer_session_get_member_emails (). */
const char *const *
foyer_session_get_member_names (FoyerSession *self, FoyerSpaceItem *space)
{
  SpaceState *state;

  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);

  state = space_state (self, foyer_space_item_get_id (space));
  return state != NULL ? (const char *const *) state->member_names : NULL;
}

/* The e-mail addresses of the space's other members, as last fetched. */
const char *const *
foyer_session_get_member_emails (FoyerSession *self, FoyerSpaceItem *space)
{
  SpaceState *state;

  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);

  state = space_state (self, foyer_space_item_get_id (space));
  return state != NULL ? (const char *const *) state->member_emails : NULL;
}

/* The encrypted local store that caches spaces and recent messages. */
void
foyer_session_set_store (FoyerSession *self, FoyerStore *store)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (!store || FOYER_IS_STORE (store));

  g_set_object (&self->store, store);
}

FoyerSpaceItem *
foyer_session_find_space (FoyerSession *self, const char *space_id)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return space_id != NULL ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
}

static void
foyer_session_dispose (GObject *object)
{
  FoyerSession *self = FOYER_SESSION (object);

  if (self->spaces != NULL)
    foyer_session_disconnect (self);

  G_OBJECT_CLASS (foyer_session_parent_class)->dispose (object);
}

static void
foyer_session_finalize (GObject *object)
{
  FoyerSession *self = FOYER_SESSION (object);

  g_clear_object (&self->spaces);
  g_clear_object (&self->store);
  g_hash_table_unref (self->dirty_spaces);
  g_hash_table_unref (self->space_by_id);
  g_hash_table_unref (self->space_state);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->pending_spaces);
  g_hash_table_unref (self->retry_online);

  G_OBJECT_CLASS (foyer_session_parent_class)->finalize (object);
}

static void
foyer_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSession *self = FOYER_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PERSON_NAME:
      g_value_set_string (value, self->person_name);
      break;
    case PROP_ORG_POLICY:
      g_value_set_object (value, self->policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_session_class_init (FoyerSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_session_dispose;
  object_class->finalize = foyer_session_finalize;
  object_class->get_property = foyer_session_get_property;

  properties[PROP_STATE]
      = g_param_spec_int ("state", NULL, NULL, FOYER_SESSION_SIGNED_OUT, FOYER_SESSION_OFFLINE,
                          FOYER_SESSION_SIGNED_OUT,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSON_NAME]
      = g_param_spec_string ("person-name", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORG_POLICY]
      = g_param_spec_object ("org-policy", NULL, NULL, FOYER_TYPE_ORG_POLICY,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message from someone else arrived live (space, message). */
  signals[MESSAGE_RECEIVED]
      = g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 2, FOYER_TYPE_SPACE_ITEM, FOYER_TYPE_MESSAGE_ITEM);
  /* A space's member list was fetched again (space id). */
  signals[MEMBERS_CHANGED]
      = g_signal_new ("members-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
foyer_session_init (FoyerSession *self)
{
  self->spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  self->space_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->space_state
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) space_state_free);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending_spaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->retry_online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dirty_spaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FoyerSession *
foyer_session_new (void)
{
  return g_object_new (FOYER_TYPE_SESSION, NULL);
}
