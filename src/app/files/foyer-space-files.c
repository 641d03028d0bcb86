/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-document-item.h"
#include "foyer-space-files.h"

#include "foyer-chat-client.h"
#include "foyer-json.h"

/*
 * The history is read in two walks, newest first: the head, from the
 * newest message down to the newest one a previous look saw (what was said
 * since), then the tail, from where a previous look stopped down to the
 * space's first message. What was found, and how far each walk got, is
 * sealed in the store after every page.
 */

struct _FoyerSpaceFiles
{
  FoyerObjectList parent_instance; /* of FoyerMessageItem, newest (highest seq) first */

  FoyerSession *session;
  FoyerSpaceItem *space;
  FoyerStore *store;
  GCancellable *cancellable;

  GHashTable *by_id; /* message id → item */

  gint64 seen_newest;  /* the newest seq a finished head walk reached */
  gint64 tail_before;  /* where the tail walk goes on (0: from the head's end) */
  gboolean complete;   /* the tail walk reached the first message */
  gint64 head_newest;  /* during the head walk: the newest seq of this look */
  gboolean in_tail;    /* walking the tail */
  gboolean cache_read; /* the sealed copy was read (or there is none) */
  gboolean loading;
  gboolean offline;
};

G_DEFINE_FINAL_TYPE (FoyerSpaceFiles, foyer_space_files, FOYER_TYPE_OBJECT_LIST)

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  PROP_OFFLINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_flag (FoyerSpaceFiles *self, gboolean *flag, gboolean value, guint prop)
{
  if (*flag == !!value)
    return;
  *flag = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static FoyerDocumentItem *
document_of (FoyerMessageItem *item)
{
  GObject *attachment = foyer_message_item_get_attachment (item);

  return FOYER_IS_DOCUMENT_ITEM (attachment) ? FOYER_DOCUMENT_ITEM (attachment) : NULL;
}

/* A sent message that shares a readable reference joins, in seq order. */
static gboolean
add_item (FoyerSpaceFiles *self, FoyerMessageItem *item)
{
  FoyerObjectList *list = FOYER_OBJECT_LIST (self);
  FoyerDocumentItem *document = document_of (item);
  gint64 seq = foyer_message_item_get_seq (item);
  guint low = 0, high = foyer_object_list_get_length (list);

  if (document == NULL || foyer_document_item_get_ref (document) == NULL || seq <= 0
      || foyer_message_item_get_state (item) != FOYER_MESSAGE_STATE_SENT
      || g_hash_table_contains (self->by_id, foyer_message_item_get_id (item)))
    return FALSE;
  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (foyer_message_item_get_seq (foyer_object_list_peek (list, mid)) > seq)
        low = mid + 1;
      else
        high = mid;
    }
  g_hash_table_insert (self->by_id, g_strdup (foyer_message_item_get_id (item)), item);
  foyer_object_list_insert (list, low, item);
  return TRUE;
}

/* ---- the sealed copy ----------------------------------------------------------------- */

static GBytes *
to_bytes (FoyerSpaceFiles *self)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  char *json;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "v");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "seenNewest");
  json_builder_add_int_value (b, self->seen_newest);
  json_builder_set_member_name (b, "tailBefore");
  json_builder_add_int_value (b, self->tail_before);
  json_builder_set_member_name (b, "complete");
  json_builder_add_boolean_value (b, self->complete);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < foyer_object_list_get_length (FOYER_OBJECT_LIST (self)); i++)
    {
      FoyerMessageItem *item = foyer_object_list_peek (FOYER_OBJECT_LIST (self), i);
      g_autofree char *created
          = foyer_message_item_get_created (item) != NULL
                ? g_date_time_format_iso8601 (foyer_message_item_get_created (item))
                : NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, foyer_message_item_get_id (item));
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, foyer_message_item_get_seq (item));
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "authorId");
      json_builder_add_string_value (b, foyer_message_item_get_author_id (item));
      json_builder_set_member_name (b, "author");
      json_builder_add_string_value (b, foyer_message_item_get_author_name (item));
      json_builder_set_member_name (b, "ref");
      json_builder_add_string_value (b, foyer_document_item_get_json (document_of (item)));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  return g_bytes_new_take (json, strlen (json));
}

static void
save (FoyerSpaceFiles *self)
{
  g_autoptr (GBytes) bytes = NULL;

  if (self->store == NULL)
    return;
  bytes = to_bytes (self);
  foyer_store_put_async (self->store, FOYER_STORE_NS_SPACE_FILES,
                         foyer_space_item_get_id (self->space), bytes, NULL, NULL, NULL);
}

/* Read back with care: an entry that is not what save () wrote is left out. */
static void
read_cached_item (FoyerSpaceFiles *self, JsonObject *object)
{
  const char *id = foyer_json_get_string (object, "id");
  const char *ref = foyer_json_get_string (object, "ref");
  const char *created_text = foyer_json_get_string (object, "created");
  g_autoptr (GDateTime) created
      = created_text != NULL ? g_date_time_new_from_iso8601 (created_text, NULL) : NULL;
  g_autoptr (FoyerMessageItem) item = NULL;
  g_autoptr (FoyerDocumentItem) document = NULL;
  gint64 seq = foyer_json_get_int (object, "seq", 0);

  if (id == NULL || ref == NULL || created == NULL || seq <= 0)
    return;
  document = foyer_document_item_new (ref);
  item = foyer_message_item_new (id, seq, foyer_json_get_string (object, "authorId"),
                                 foyer_json_get_string (object, "author"), created, NULL,
                                 FOYER_MESSAGE_STATE_SENT);
  foyer_message_item_set_attachment (item, G_OBJECT (document));
  add_item (self, item);
}

static void
read_cache (FoyerSpaceFiles *self, GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object = NULL;
  JsonArray *items;
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  if (data != NULL && json_parser_load_from_data (parser, data, len, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));
  if (object == NULL || foyer_json_get_int (object, "v", 0) != 1)
    return;
  self->seen_newest = MAX (foyer_json_get_int (object, "seenNewest", 0), 0);
  self->tail_before = MAX (foyer_json_get_int (object, "tailBefore", 0), 0);
  set_flag (self, &self->complete, foyer_json_get_boolean (object, "complete", FALSE),
            PROP_COMPLETE);
  items = foyer_json_get_array (object, "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        read_cached_item (self, json_node_get_object (node));
    }
}

/* ---- walking the history ------------------------------------------------------------- */

static void fetch (FoyerSpaceFiles *self, gint64 before);

static void
walk_done (FoyerSpaceFiles *self)
{
  set_flag (self, &self->loading, FALSE, PROP_LOADING);
  save (self);
}

/* The callbacks do not hold the model: it may go while a page is on its
 * way, which its dispose cancels. */
static void
page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerSpaceFiles *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) page = NULL;
  gint64 next = 0, oldest = G_MAXINT64, newest = 0;

  page = foyer_session_fetch_history_finish (FOYER_SESSION (source), result, &next, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (page == NULL)
    {
      /* Offline, or the service failed: what is known stays shown, and the
       * walk goes on when the session is back. */
      g_debug ("Files of a space: %s", error->message);
      set_flag (self, &self->offline, TRUE, PROP_OFFLINE);
      walk_done (self);
      return;
    }
  set_flag (self, &self->offline, FALSE, PROP_OFFLINE);
  for (guint i = 0; i < page->len; i++)
    {
      gint64 seq = foyer_message_item_get_seq (page->pdata[i]);

      oldest = MIN (oldest, seq);
      newest = MAX (newest, seq);
      add_item (self, page->pdata[i]);
    }

  if (!self->in_tail)
    {
      self->head_newest = MAX (self->head_newest, newest);
      /* The head reached what a previous look saw, or the first message. */
      if (next == 0 || (self->seen_newest > 0 && oldest <= self->seen_newest + 1))
        {
          gint64 head_end = next;

          self->seen_newest = MAX (self->seen_newest, self->head_newest);
          self->in_tail = TRUE;
          if (self->tail_before == 0 && !self->complete)
            self->tail_before = head_end;
          if (next == 0 && self->tail_before == 0)
            set_flag (self, &self->complete, TRUE, PROP_COMPLETE);
          save (self);
          if (self->complete || self->tail_before == 0)
            {
              walk_done (self);
              return;
            }
          fetch (self, self->tail_before);
          return;
        }
      fetch (self, next);
      return;
    }

  self->tail_before = next;
  if (next == 0)
    set_flag (self, &self->complete, TRUE, PROP_COMPLETE);
  save (self);
  if (next == 0)
    walk_done (self);
  else
    fetch (self, next);
}

static void
fetch (FoyerSpaceFiles *self, gint64 before)
{
  foyer_session_fetch_history_async (self->session, foyer_space_item_get_id (self->space), before,
                                     self->cancellable, page_cb, self);
}

/* A look through the history: what was said since the last one, then on
 * down to the first message if an earlier look did not get there. */
static void
walk (FoyerSpaceFiles *self)
{
  if (self->loading || !self->cache_read
      || foyer_session_get_state (self->session) != FOYER_SESSION_ONLINE)
    return;
  set_flag (self, &self->loading, TRUE, PROP_LOADING);
  self->in_tail = FALSE;
  self->head_newest = 0;
  fetch (self, 0);
}

static void
cache_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerSpaceFiles *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = foyer_store_get_finish (FOYER_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  read_cache (self, bytes);
  self->cache_read = TRUE;
  walk (self);
}

static void
session_state_cb (FoyerSpaceFiles *self)
{
  walk (self);
}

/* What the space's list has (and receives live). */
static void
messages_changed_cb (
    FoyerSpaceFiles *self, guint position, guint removed, guint added, GListModel *list)
{
  gboolean changed = FALSE;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      changed |= add_item (self, item);
    }
  if (changed && self->cache_read && !self->loading)
    save (self);
}

FoyerSpaceItem *
foyer_space_files_get_space (FoyerSpaceFiles *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_FILES (self), NULL);
  return self->space;
}

gboolean
foyer_space_files_get_loading (FoyerSpaceFiles *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_FILES (self), FALSE);
  return self->loading;
}

gboolean
foyer_space_files_get_complete (FoyerSpaceFiles *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_FILES (self), FALSE);
  return self->complete;
}

gboolean
foyer_space_files_get_offline (FoyerSpaceFiles *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_FILES (self), FALSE);
  return self->offline;
}

static void
foyer_space_files_dispose (GObject *object)
{
  FoyerSpaceFiles *self = FOYER_SPACE_FILES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->space);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_space_files_parent_class)->dispose (object);
}

static void
foyer_space_files_finalize (GObject *object)
{
  FoyerSpaceFiles *self = FOYER_SPACE_FILES (object);

  g_hash_table_unref (self->by_id);
  G_OBJECT_CLASS (foyer_space_files_parent_class)->finalize (object);
}

static void
foyer_space_files_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSpaceFiles *self = FOYER_SPACE_FILES (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, self->complete);
      break;
    case PROP_OFFLINE:
      g_value_set_boolean (value, self->offline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_space_files_class_init (FoyerSpaceFilesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_space_files_dispose;
  object_class->finalize = foyer_space_files_finalize;
  object_class->get_property = foyer_space_files_get_property;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_MESSAGE_ITEM;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE, ro);
  properties[PROP_OFFLINE] = g_param_spec_boolean ("offline", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_space_files_init (FoyerSpaceFiles *self)
{
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

FoyerSpaceFiles *
foyer_space_files_new (FoyerSession *session, FoyerSpaceItem *space)
{
  FoyerSpaceFiles *self;
  GListModel *messages;

  g_return_val_if_fail (FOYER_IS_SESSION (session), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);

  self = g_object_new (FOYER_TYPE_SPACE_FILES, NULL);
  self->session = g_object_ref (session);
  self->space = g_object_ref (space);
  self->store = foyer_session_get_store (session) != NULL
                    ? g_object_ref (foyer_session_get_store (session))
                    : NULL;
  messages = G_LIST_MODEL (foyer_space_item_get_messages (space));
  messages_changed_cb (self, 0, 0, g_list_model_get_n_items (messages), messages);
  g_signal_connect_object (messages, "items-changed", G_CALLBACK (messages_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "notify::state", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  if (self->store != NULL)
    foyer_store_get_async (self->store, FOYER_STORE_NS_SPACE_FILES, foyer_space_item_get_id (space),
                           self->cancellable, cache_cb, self);
  else
    {
      self->cache_read = TRUE;
      walk (self);
    }
  return self;
}
