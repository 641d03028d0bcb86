/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-session-private.h"

#include "foyer-json.h"

/* Search on the device (docs/search.md): every message the session
 * decrypts goes into the person's FoyerSearchIndex, its shared document's
 * name too; the older history is indexed in the background through a
 * FoyerSearchSource over the service's pages; the index goes when the
 * person signs out. Also the pages of history that the back-fill and the
 * Files view read without adding them to the space's message list. */

#define PAGE_SIZE 50

static gint64
created_ms (FoyerMessageItem *item)
{
  GDateTime *created = foyer_message_item_get_created (item);

  if (created == NULL)
    return 0;
  return g_date_time_to_unix (created) * 1000 + g_date_time_get_microsecond (created) / 1000;
}

static const char *
document_title (FoyerMessageItem *item)
{
  GObject *attachment = foyer_message_item_get_attachment (item);
  const FoyerDocumentRef *ref = FOYER_IS_DOCUMENT_ITEM (attachment)
                                    ? foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))
                                    : NULL;

  return ref != NULL ? ref->title : NULL;
}

/* What the index keeps of a sent message: its text, and the name of the
 * document it shares, under the message's id. */
static void
add_entries (GPtrArray *entries, const char *space_id, FoyerMessageItem *item)
{
  const char *body = foyer_message_item_get_body (item);
  const char *title = document_title (item);
  const char *id = foyer_message_item_get_id (item);
  const char *author = foyer_message_item_get_author_name (item);

  if (foyer_message_item_get_state (item) != FOYER_MESSAGE_STATE_SENT
      || foyer_message_item_get_seq (item) <= 0)
    return;
  if (body != NULL && *body != '\0')
    g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, space_id, id,
                                                      created_ms (item), author, body));
  if (title != NULL && *title != '\0')
    g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_FILE, space_id, id,
                                                      created_ms (item), author, title));
}

/* Whether the index has been built again from its sealed copy. Until
 * then new entries wait here: written meanwhile, they would go into blocks
 * of the sealed copy that are not read back yet, and replace them. */
static gboolean
search_ready (FoyerSession *self)
{
  return self->store == NULL || foyer_search_index_get_loaded (self->search);
}

static void note_head (FoyerSession *self, const char *space_id, gint64 seq);

void
_foyer_session_index_message (FoyerSession *self, FoyerSpaceItem *space, FoyerMessageItem *item)
{
  note_head (self, foyer_space_item_get_id (space), foyer_message_item_get_seq (item));
  if (search_ready (self))
    {
      g_autoptr (GPtrArray) entries
          = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);

      add_entries (entries, foyer_space_item_get_id (space), item);
      if (entries->len > 0)
        foyer_search_index_add_many (self->search, entries);
      return;
    }
  if (self->search_waiting == NULL)
    self->search_waiting
        = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  add_entries (self->search_waiting, foyer_space_item_get_id (space), item);
}

/* ---- pages of history ---------------------------------------------------------------- */

typedef struct
{
  GPtrArray *items; /* FoyerMessageItem, in the service's order */
  guint waiting;    /* decryptions still to come */
  gboolean has_more;
} Page;

static void
page_free (Page *page)
{
  g_ptr_array_unref (page->items);
  g_free (page);
}

typedef struct
{
  GTask *task;
  FoyerMessageItem *item;
} PageItem;

/* One decryption of the page came back (or the listing was read): the
 * page is returned when nothing is left. */
static void
page_release (GTask *task)
{
  Page *page = g_task_get_task_data (task);

  if (--page->waiting == 0)
    g_task_return_pointer (task, g_ptr_array_ref (page->items), (GDestroyNotify) g_ptr_array_unref);
}

static void
page_item_done (PageItem *pi)
{
  page_release (pi->task);
  g_object_unref (pi->task);
  g_object_unref (pi->item);
  g_free (pi);
}

static void
page_ref_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  PageItem *pi = data;
  g_autoptr (FoyerDocumentItem) document
      = plaintext != NULL ? foyer_document_item_new (plaintext)
                          : foyer_document_item_new_unavailable (error->message);

  foyer_message_item_set_attachment (pi->item, G_OBJECT (document));
  page_item_done (pi);
}

static void
page_body_decrypted (FoyerSession *self, const char *plaintext, const GError *error, gpointer data)
{
  PageItem *pi = data;
  const char *ref_jwe = g_object_get_data (G_OBJECT (pi->item), "foyer-ref-jwe");

  if (plaintext != NULL)
    g_object_set (pi->item, "body", plaintext, NULL);
  else
    foyer_message_item_set_state (pi->item, FOYER_MESSAGE_STATE_UNDECRYPTABLE);
  if (ref_jwe != NULL)
    _foyer_session_decrypt (self, ref_jwe, page_ref_decrypted, pi, NULL);
  else
    page_item_done (pi);
}

static const char *
attachment_ref (JsonObject *message)
{
  JsonArray *attachments = foyer_json_get_array (message, "attachments");

  for (guint i = 0; attachments != NULL && i < json_array_get_length (attachments); i++)
    {
      JsonNode *node = json_array_get_element (attachments, i);
      JsonObject *attachment = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (g_strcmp0 (foyer_json_get_string (attachment, "kind"), "document") == 0)
        return foyer_json_get_string (attachment, "ref");
    }
  return NULL;
}

static void
page_add (FoyerSession *self, GTask *task, JsonObject *message)
{
  Page *page = g_task_get_task_data (task);
  const char *id = foyer_json_get_string (message, "id");
  const char *author = foyer_json_get_string (message, "authorId");
  g_autoptr (GDateTime) created
      = _foyer_session_parse_time (foyer_json_get_string (message, "created"));
  PageItem *pi;

  if (id == NULL)
    return;
  pi = g_new0 (PageItem, 1);
  pi->task = g_object_ref (task);
  pi->item = foyer_message_item_new (id, foyer_json_get_int (message, "seq", 0), author,
                                     _foyer_session_person_name (self, author), created, NULL,
                                     FOYER_MESSAGE_STATE_SENT);
  foyer_message_item_set_from_me (pi->item, g_strcmp0 (author, self->person_id) == 0);
  g_object_set_data_full (G_OBJECT (pi->item), "foyer-ref-jwe", g_strdup (attachment_ref (message)),
                          g_free);
  g_ptr_array_add (page->items, g_object_ref (pi->item));
  page->waiting++;
  _foyer_session_decrypt (self, foyer_json_get_string (message, "body"), page_body_decrypted, pi,
                          NULL);
}

static void
page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  Page *page = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = _foyer_session_object_finish (source, result, &error);
  JsonArray *items;

  if (node == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  page->has_more = foyer_json_get_boolean (json_node_get_object (node), "hasMore", FALSE);
  items = foyer_json_get_array (json_node_get_object (node), "items");
  /* Held until every message of the page is decrypted. */
  page->waiting = 1;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *message = json_array_get_element (items, i);

      if (JSON_NODE_HOLDS_OBJECT (message))
        page_add (self, task, json_node_get_object (message));
    }
  page_release (task);
}

/* The messages of a space older than seq `before` (0: the newest), a page
 * at a time, decrypted (documents included) but not added to the space's
 * list: for the search back-fill and the Files view. The service learns
 * nothing it does not see when the person scrolls up. */
void
foyer_session_fetch_history_async (FoyerSession *self,
                                   const char *space_id,
                                   gint64 before,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Page *page;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (space_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_fetch_history_async);
  page = g_new0 (Page, 1);
  page->items = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_set_task_data (task, page, (GDestroyNotify) page_free);
  if (self->client == NULL || self->kms == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK, "%s",
                               _ ("Foyer's service cannot be reached"));
      return;
    }
  foyer_chat_client_list_messages_async (self->client, space_id, before, PAGE_SIZE, cancellable,
                                         page_cb, g_steal_pointer (&task));
}

/* → FoyerMessageItems oldest first; out_next_before: the seq to ask for
 * the page before this one, 0 when this was the first page of the space. */
GPtrArray *
foyer_session_fetch_history_finish (FoyerSession *self,
                                    GAsyncResult *result,
                                    gint64 *out_next_before,
                                    GError **error)
{
  Page *page;
  GPtrArray *items;
  gint64 oldest = 0;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  items = g_task_propagate_pointer (G_TASK (result), error);
  page = g_task_get_task_data (G_TASK (result));
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      gint64 seq = foyer_message_item_get_seq (items->pdata[i]);

      if (seq > 0 && (oldest == 0 || seq < oldest))
        oldest = seq;
    }
  if (out_next_before != NULL)
    *out_next_before = items != NULL && page->has_more && oldest > 1 ? oldest : 0;
  return items;
}

/* ---- the back-fill's source ---------------------------------------------------------- */

#define FOYER_TYPE_HISTORY_SOURCE (foyer_history_source_get_type ())
G_DECLARE_FINAL_TYPE (FoyerHistorySource, foyer_history_source, FOYER, HISTORY_SOURCE, GObject)

struct _FoyerHistorySource
{
  GObject parent_instance;

  FoyerSession *session; /* weak: the session owns the back-fill */
};

static void foyer_history_source_iface_init (FoyerSearchSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerHistorySource,
                               foyer_history_source,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_SEARCH_SOURCE,
                                                      foyer_history_source_iface_init))

static void
source_list_spaces_async (FoyerSearchSource *source,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  FoyerHistorySource *self = FOYER_HISTORY_SOURCE (source);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GStrvBuilder) ids = g_strv_builder_new ();
  GListModel *spaces = self->session != NULL ? G_LIST_MODEL (self->session->spaces) : NULL;

  g_task_set_source_tag (task, source_list_spaces_async);
  for (guint i = 0; spaces != NULL && i < g_list_model_get_n_items (spaces); i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (spaces, i);

      g_strv_builder_add (ids, foyer_space_item_get_id (space));
    }
  g_task_return_pointer (task, g_strv_builder_end (ids), (GDestroyNotify) g_strfreev);
}

static char **
source_list_spaces_finish (FoyerSearchSource *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *space_id;
  char *next_cursor;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_free (data->space_id);
  g_free (data->next_cursor);
  g_free (data);
}

static FoyerSession *
self_session (GObject *object)
{
  return FOYER_IS_SESSION (object) ? FOYER_SESSION (object) : NULL;
}

static void
source_page_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  GPtrArray *entries;
  gint64 next = 0;

  items = foyer_session_fetch_history_finish (FOYER_SESSION (object), result, &next, &error);
  if (items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  for (guint i = 0; i < items->len; i++)
    {
      add_entries (entries, data->space_id, items->pdata[i]);
      if (self_session (object) != NULL)
        note_head (self_session (object), data->space_id,
                   foyer_message_item_get_seq (items->pdata[i]));
    }
  data->next_cursor = next > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, next) : NULL;
  g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static void
source_fetch_page_async (FoyerSearchSource *source,
                         const char *space_id,
                         const char *cursor,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  FoyerHistorySource *self = FOYER_HISTORY_SOURCE (source);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  FetchData *data = g_new0 (FetchData, 1);
  gint64 before = cursor != NULL ? g_ascii_strtoll (cursor, NULL, 10) : 0;

  g_task_set_source_tag (task, source_fetch_page_async);
  data->space_id = g_strdup (space_id);
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);
  if (self->session == NULL || (cursor != NULL && before <= 1))
    {
      g_task_return_pointer (task, g_ptr_array_new (), (GDestroyNotify) g_ptr_array_unref);
      return;
    }
  foyer_session_fetch_history_async (self->session, space_id, before, cancellable, source_page_cb,
                                     g_steal_pointer (&task));
}

static GPtrArray *
source_fetch_page_finish (FoyerSearchSource *source,
                          GAsyncResult *result,
                          char **next_cursor,
                          GError **error)
{
  FetchData *data = g_task_get_task_data (G_TASK (result));
  GPtrArray *entries = g_task_propagate_pointer (G_TASK (result), error);

  if (next_cursor != NULL)
    *next_cursor = entries != NULL ? g_strdup (data->next_cursor) : NULL;
  return entries;
}

static void
foyer_history_source_iface_init (FoyerSearchSourceInterface *iface)
{
  iface->list_spaces_async = source_list_spaces_async;
  iface->list_spaces_finish = source_list_spaces_finish;
  iface->fetch_page_async = source_fetch_page_async;
  iface->fetch_page_finish = source_fetch_page_finish;
}

static void
foyer_history_source_dispose (GObject *object)
{
  FoyerHistorySource *self = FOYER_HISTORY_SOURCE (object);

  g_clear_weak_pointer (&self->session);
  G_OBJECT_CLASS (foyer_history_source_parent_class)->dispose (object);
}

static void
foyer_history_source_class_init (FoyerHistorySourceClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = foyer_history_source_dispose;
}

static void
foyer_history_source_init (FoyerHistorySource *self)
{
}

/* ---- what was said while the app was closed ------------------------------------------ */

/* The back-fill walks towards each space's first message; messages that
 * came while the app was not running are newer than where it started, and
 * the space's newest page shows only some of them. So the session keeps,
 * sealed, the newest seq it indexed in each space (its head), and at each
 * connection first indexes each space's pages from its newest message down
 * to that head. */

#define HEADS_KEY "heads"

static void
heads_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_store_put_finish (FOYER_STORE (source), result, &error))
    g_debug ("Could not keep the search heads: %s", error->message);
}

static gboolean
save_heads_cb (gpointer data)
{
  FoyerSession *self = data;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GBytes) bytes = NULL;
  GHashTableIter iter;
  gpointer key, value;
  char *json;

  self->search_heads_source = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;
  json_builder_begin_object (b);
  foyer_json_builder_add_int (b, "v", 1);
  json_builder_set_member_name (b, "heads");
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, self->search_heads);
  while (g_hash_table_iter_next (&iter, &key, &value))
    foyer_json_builder_add_int (b, key, *(gint64 *) value);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  bytes = g_bytes_new_take (json, strlen (json));
  foyer_store_put_async (self->store, FOYER_STORE_NS_SEARCH_HEADS, HEADS_KEY, bytes, NULL,
                         heads_saved_cb, NULL);
  return G_SOURCE_REMOVE;
}

static void
note_head (FoyerSession *self, const char *space_id, gint64 seq)
{
  gint64 *head = g_hash_table_lookup (self->search_heads, space_id);

  if (seq <= 0 || (head != NULL && *head >= seq))
    return;
  if (head == NULL)
    {
      head = g_new0 (gint64, 1);
      g_hash_table_insert (self->search_heads, g_strdup (space_id), head);
    }
  *head = seq;
  if (self->search_heads_source == 0)
    self->search_heads_source = g_idle_add_full (G_PRIORITY_LOW, save_heads_cb, self, NULL);
}

static void
heads_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GBytes) bytes = foyer_store_get_finish (FOYER_STORE (source), result, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *heads = NULL;
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  if (FOYER_STORE (source) != self->store || data == NULL
      || !json_parser_load_from_data (parser, data, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  heads = foyer_json_get_object (json_node_get_object (json_parser_get_root (parser)), "heads");
  for (GList *l = heads != NULL ? json_object_get_members (heads) : NULL, *members = l; l != NULL;
       l = l->next)
    {
      note_head (self, l->data, foyer_json_get_int (heads, l->data, 0));
      if (l->next == NULL)
        g_list_free (members);
    }
}

static void catch_up_next (FoyerSession *self);

static void
catch_up_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerSession *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) entries
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  gint64 next = 0, oldest = G_MAXINT64;

  items = foyer_session_fetch_history_finish (FOYER_SESSION (source), result, &next, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (items == NULL)
    {
      /* Offline again: the next connection catches up. */
      g_debug ("Could not catch up for search: %s", error->message);
      g_clear_object (&self->search_cancellable);
      return;
    }
  for (guint i = 0; i < items->len; i++)
    {
      gint64 seq = foyer_message_item_get_seq (items->pdata[i]);

      oldest = MIN (oldest, seq);
      self->search_catch_up_newest = MAX (self->search_catch_up_newest, seq);
      add_entries (entries, self->search_catching_up, items->pdata[i]);
    }
  foyer_search_index_add_many (self->search, entries);
  /* Down to the head: only now is the space's head where its pages began. */
  if (next == 0 || oldest <= self->search_catch_up_to + 1)
    {
      note_head (self, self->search_catching_up, self->search_catch_up_newest);
      catch_up_next (self);
      return;
    }
  foyer_session_fetch_history_async (self, self->search_catching_up, next, self->search_cancellable,
                                     catch_up_page_cb, self);
}

static void backfill (FoyerSession *self);

/* The next space to catch up, or the back-fill once all are. */
static void
catch_up_next (FoyerSession *self)
{
  g_clear_pointer (&self->search_catching_up, g_free);
  while (self->search_catch_up != NULL && self->search_catch_up->len > 0)
    {
      char *entry = g_ptr_array_steal_index (self->search_catch_up, 0);
      char *space_id = strchr (entry, ' ') + 1;

      if (foyer_session_find_space (self, space_id) == NULL)
        {
          g_free (entry);
          continue;
        }
      self->search_catch_up_to = g_ascii_strtoll (entry, NULL, 10);
      self->search_catch_up_newest = 0;
      self->search_catching_up = g_strdup (space_id);
      g_free (entry);
      foyer_session_fetch_history_async (self, space_id, 0, self->search_cancellable,
                                         catch_up_page_cb, self);
      return;
    }
  g_clear_pointer (&self->search_catch_up, g_ptr_array_unref);
  backfill (self);
}

/* ---- the index's life ---------------------------------------------------------------- */

static void
loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_search_index_load_finish (FOYER_SEARCH_INDEX (source), result, &error))
    g_message ("The search index was not loaded: %s", error->message);
  if (FOYER_SEARCH_INDEX (source) != self->search)
    return;
  if (self->search_waiting != NULL)
    foyer_search_index_add_many (self->search, self->search_waiting);
  g_clear_pointer (&self->search_waiting, g_ptr_array_unref);
  if (self->state == FOYER_SESSION_ONLINE)
    _foyer_session_search_start (self);
}

/* A new index on the store (or in memory for this run, without one),
 * built again from its sealed copy in the background. */
void
_foyer_session_search_set_store (FoyerSession *self, FoyerStore *store)
{
  _foyer_session_search_stop (self);
  g_clear_pointer (&self->search_waiting, g_ptr_array_unref);
  g_clear_object (&self->search);
  g_hash_table_remove_all (self->search_heads);
  self->search = foyer_search_index_new (store);
  if (store != NULL)
    {
      foyer_search_index_load_async (self->search, NULL, loaded_cb, g_object_ref (self));
      foyer_store_get_async (store, FOYER_STORE_NS_SEARCH_HEADS, HEADS_KEY, NULL, heads_loaded_cb,
                             g_object_ref (self));
    }
  _foyer_session_notify (self, PROP_SEARCH_INDEX);
}

/* Sign-out: nothing this person said can be found any more. */
void
_foyer_session_search_clear (FoyerSession *self)
{
  _foyer_session_search_stop (self);
  g_clear_pointer (&self->search_waiting, g_ptr_array_unref);
  g_hash_table_remove_all (self->search_heads);
  g_clear_handle_id (&self->search_heads_source, g_source_remove);
  if (self->store != NULL)
    foyer_store_delete_namespace (self->store, FOYER_STORE_NS_SEARCH_HEADS, NULL);
  foyer_search_index_clear (self->search);
}

static void
backfilled_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSession) self = user_data;
  g_autoptr (GError) error = NULL;
  guint n = foyer_search_index_backfill_finish (FOYER_SEARCH_INDEX (source), result, &error);

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->search_cancellable);
  /* Interrupted (the service went away): taken up where it stopped at the
   * next connection. */
  if (error != NULL)
    {
      g_debug ("The search back-fill stopped: %s", error->message);
      return;
    }
  g_debug ("The search back-fill indexed %u entries", n);
  /* Spaces the person joined meanwhile have a history of their own. */
  if (self->search_again && self->state == FOYER_SESSION_ONLINE)
    _foyer_session_search_start (self);
}

static void
backfill (FoyerSession *self)
{
  if (self->search_source == NULL)
    {
      self->search_source = g_object_new (FOYER_TYPE_HISTORY_SOURCE, NULL);
      g_set_weak_pointer (&FOYER_HISTORY_SOURCE (self->search_source)->session, self);
    }
  self->search_again = FALSE;
  foyer_search_index_backfill_async (self->search, FOYER_SEARCH_SOURCE (self->search_source),
                                     self->search_cancellable, backfilled_cb, g_object_ref (self));
}

/* Once the session is up: what each space said since the app last ran,
 * then the older history of every space, in the background, from where
 * the last run got to. */
void
_foyer_session_search_start (FoyerSession *self)
{
  GListModel *spaces = G_LIST_MODEL (self->spaces);

  if (self->search_cancellable != NULL || self->client == NULL || !search_ready (self))
    return;
  self->search_cancellable = g_cancellable_new ();
  if (self->search_caught_up)
    {
      backfill (self);
      return;
    }
  self->search_caught_up = TRUE;
  self->search_catch_up = g_ptr_array_new_with_free_func (g_free);
  /* The heads as they are now: live messages move them meanwhile. A space
   * without one is new to the index, and the back-fill takes it whole. */
  for (guint i = 0; i < g_list_model_get_n_items (spaces); i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (spaces, i);
      gint64 *head = g_hash_table_lookup (self->search_heads, foyer_space_item_get_id (space));

      if (head != NULL)
        g_ptr_array_add (self->search_catch_up, g_strdup_printf ("%" G_GINT64_FORMAT " %s", *head,
                                                                 foyer_space_item_get_id (space)));
    }
  catch_up_next (self);
}

/* Until the next connection: nothing runs; what was saved stays. */
void
_foyer_session_search_stop (FoyerSession *self)
{
  if (self->search_cancellable != NULL)
    g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_pointer (&self->search_catch_up, g_ptr_array_unref);
  g_clear_pointer (&self->search_catching_up, g_free);
  self->search_caught_up = FALSE;
  if (self->search_heads_source != 0)
    {
      g_clear_handle_id (&self->search_heads_source, g_source_remove);
      save_heads_cb (self);
    }
}

/* A space joined: its history is indexed too, now or after the back-fill
 * under way. */
void
_foyer_session_search_spaces_changed (FoyerSession *self,
                                      guint position,
                                      guint removed,
                                      guint added)
{
  if (added == 0)
    return;
  if (self->search_cancellable != NULL)
    self->search_again = TRUE;
  else if (self->state == FOYER_SESSION_ONLINE)
    _foyer_session_search_start (self);
}

FoyerSearchIndex *
foyer_session_get_search_index (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->search;
}
