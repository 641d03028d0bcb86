/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-message-list"

#include "config.h"

#include "foyer-message-list.h"
#include "foyer-text.h"

struct _FoyerMessageList
{
  GObject parent_instance;

  GPtrArray *items;
  GHashTable *by_id;
  gint64 last_read_seq;
  char *own_author_id;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerMessageList,
                               foyer_message_list,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return FOYER_TYPE_MESSAGE_ITEM;
}

static guint
get_n_items (GListModel *model)
{
  return FOYER_MESSAGE_LIST (model)->items->len;
}

static gpointer
get_item (GListModel *model, guint position)
{
  FoyerMessageList *self = FOYER_MESSAGE_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static FoyerMessageItem *
item_at (FoyerMessageList *self, guint position)
{
  return position < self->items->len ? g_ptr_array_index (self->items, position) : NULL;
}

/* Sent messages by seq; pending and failed ones after them, in the order
 * they were written. */
static gboolean
sorts_before (FoyerMessageItem *a, FoyerMessageItem *b)
{
  gboolean a_local = foyer_message_item_get_seq (a) <= 0;
  gboolean b_local = foyer_message_item_get_seq (b) <= 0;

  if (a_local != b_local)
    return b_local;
  if (a_local)
    return FALSE;

  return foyer_message_item_get_seq (a) < foyer_message_item_get_seq (b);
}

static guint
insertion_point (FoyerMessageList *self, FoyerMessageItem *item)
{
  guint lo = 0, hi = self->items->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (sorts_before (item, item_at (self, mid)))
        hi = mid;
      else
        lo = mid + 1;
    }

  return lo;
}

static void
update_flags (FoyerMessageList *self, guint position)
{
  FoyerMessageItem *item = item_at (self, position);
  FoyerMessageItem *previous = position > 0 ? item_at (self, position - 1) : NULL;
  gboolean new_day, unread;

  if (item == NULL)
    return;

  new_day = previous == NULL
            || !foyer_text_same_day (foyer_message_item_get_created (previous),
                                     foyer_message_item_get_created (item));
  unread = self->last_read_seq >= 0 && foyer_message_item_get_seq (item) > self->last_read_seq
           && (previous == NULL || foyer_message_item_get_seq (previous) <= self->last_read_seq)
           && g_strcmp0 (foyer_message_item_get_author_id (item), self->own_author_id) != 0;

  foyer_message_item_set_show_day (item, new_day);
  foyer_message_item_set_show_unread_marker (item, unread);
  foyer_message_item_set_from_me (
      item, self->own_author_id != NULL
                && g_strcmp0 (foyer_message_item_get_author_id (item), self->own_author_id) == 0);
  foyer_message_item_set_show_header (
      item,
      new_day || unread
          || !foyer_text_continues_group (
              previous ? foyer_message_item_get_author_id (previous) : NULL,
              previous ? foyer_message_item_get_created (previous) : NULL,
              foyer_message_item_get_author_id (item), foyer_message_item_get_created (item)));
}

static void
insert_at (FoyerMessageList *self, guint position, FoyerMessageItem *item)
{
  g_ptr_array_insert (self->items, position, g_object_ref (item));
  update_flags (self, position);
  update_flags (self, position + 1);
}

gboolean
foyer_message_list_add (FoyerMessageList *self, FoyerMessageItem *item)
{
  guint position;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), FALSE);
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (item), FALSE);
  g_return_val_if_fail (foyer_message_item_get_id (item) != NULL, FALSE);

  if (g_hash_table_contains (self->by_id, foyer_message_item_get_id (item)))
    return FALSE;

  position = insertion_point (self, item);
  g_hash_table_insert (self->by_id, g_strdup (foyer_message_item_get_id (item)), item);
  insert_at (self, position, item);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);

  return TRUE;
}

static int
compare_items (gconstpointer a, gconstpointer b, gpointer user_data)
{
  FoyerMessageItem *x = *(FoyerMessageItem **) a;
  FoyerMessageItem *y = *(FoyerMessageItem **) b;

  return sorts_before (x, y) ? -1 : sorts_before (y, x) ? 1 : 0;
}

/* Adds a page of messages (a history page, a catch-up batch, the cache)
 * and returns how many were new. One change for the whole page when it
 * lands in one piece (it nearly always does), so a view measures its rows
 * once. */
guint
foyer_message_list_add_many (FoyerMessageList *self, GPtrArray *items)
{
  g_autoptr (GPtrArray) sorted = NULL;
  guint old_len, first = G_MAXUINT, last = 0, added = 0;
  gboolean contiguous = TRUE;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), 0);

  old_len = self->items->len;
  sorted = g_ptr_array_copy (items, NULL, NULL);
  g_ptr_array_set_free_func (sorted, NULL); /* the caller's items keep their refs */
  g_ptr_array_sort_with_data (sorted, compare_items, NULL);
  for (guint i = 0; i < sorted->len; i++)
    {
      FoyerMessageItem *item = g_ptr_array_index (sorted, i);
      const char *id = foyer_message_item_get_id (item);
      guint position;

      if (id == NULL || g_hash_table_contains (self->by_id, id))
        continue;
      position = insertion_point (self, item);
      g_hash_table_insert (self->by_id, g_strdup (id), item);
      g_ptr_array_insert (self->items, position, g_object_ref (item));
      if (added > 0 && position != last + 1)
        contiguous = FALSE;
      first = MIN (first, position);
      last = position;
      added++;
    }
  if (added == 0)
    return 0;

  if (contiguous)
    {
      for (guint i = first; i <= first + added; i++)
        update_flags (self, i);
      g_list_model_items_changed (G_LIST_MODEL (self), first, 0, added);
    }
  else
    {
      for (guint i = first; i < self->items->len; i++)
        update_flags (self, i);
      g_list_model_items_changed (G_LIST_MODEL (self), first, old_len - first,
                                  self->items->len - first);
    }
  return added;
}

FoyerMessageItem *
foyer_message_list_find (FoyerMessageList *self, const char *id)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), NULL);

  return id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
}

static guint
position_of (FoyerMessageList *self, FoyerMessageItem *item)
{
  guint position = 0;

  g_assert (g_ptr_array_find (self->items, item, &position));
  return position;
}

/* The service accepted a pending message: it gets its server id and seq and
 * moves to its place among the sent ones. If the live event for it came
 * first, the pending copy simply goes away. */
gboolean
foyer_message_list_confirm (FoyerMessageList *self,
                            const char *pending_id,
                            const char *id,
                            gint64 seq)
{
  g_autoptr (FoyerMessageItem) item = NULL;
  guint from;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), FALSE);
  g_return_val_if_fail (seq > 0, FALSE);

  if (foyer_message_list_find (self, pending_id) == NULL)
    return FALSE;
  item = g_object_ref (foyer_message_list_find (self, pending_id));

  from = position_of (self, item);
  g_ptr_array_remove_index (self->items, from);
  g_hash_table_remove (self->by_id, pending_id);
  update_flags (self, from);
  g_list_model_items_changed (G_LIST_MODEL (self), from, 1, 0);

  if (g_hash_table_contains (self->by_id, id))
    return TRUE;

  foyer_message_item_set_id (item, id);
  foyer_message_item_set_seq (item, seq);
  foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_SENT);
  foyer_message_item_set_error (item, NULL);
  foyer_message_list_add (self, item);

  return TRUE;
}

gboolean
foyer_message_list_remove (FoyerMessageList *self, const char *id)
{
  FoyerMessageItem *item;
  guint position;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), FALSE);

  item = foyer_message_list_find (self, id);
  if (item == NULL)
    return FALSE;

  position = position_of (self, item);
  g_hash_table_remove (self->by_id, id);
  g_ptr_array_remove_index (self->items, position);
  update_flags (self, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

/* A pending message gets the id its outbox gave it. */
gboolean
foyer_message_list_rename (FoyerMessageList *self, const char *id, const char *new_id)
{
  FoyerMessageItem *item;
  gpointer old_key = NULL;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), FALSE);
  g_return_val_if_fail (new_id != NULL, FALSE);

  item = foyer_message_list_find (self, id);
  if (item == NULL || g_hash_table_contains (self->by_id, new_id))
    return FALSE;

  /* id may be the item's own string: done with it before renaming. */
  g_hash_table_steal_extended (self->by_id, id, &old_key, NULL);
  g_free (old_key);
  foyer_message_item_set_id (item, new_id);
  g_hash_table_insert (self->by_id, g_strdup (new_id), item);
  return TRUE;
}

gint64
foyer_message_list_get_oldest_seq (FoyerMessageList *self)
{
  FoyerMessageItem *first;

  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), 0);

  first = item_at (self, 0);
  return first != NULL ? MAX (foyer_message_item_get_seq (first), 0) : 0;
}

gint64
foyer_message_list_get_newest_seq (FoyerMessageList *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_LIST (self), 0);

  for (guint i = self->items->len; i > 0; i--)
    {
      gint64 seq = foyer_message_item_get_seq (item_at (self, i - 1));

      if (seq > 0)
        return seq;
    }

  return 0;
}

void
foyer_message_list_set_last_read_seq (FoyerMessageList *self, gint64 seq, const char *own_author_id)
{
  g_return_if_fail (FOYER_IS_MESSAGE_LIST (self));

  self->last_read_seq = seq;
  g_free (self->own_author_id);
  self->own_author_id = g_strdup (own_author_id);
  for (guint i = 0; i < self->items->len; i++)
    update_flags (self, i);
}

static void
foyer_message_list_finalize (GObject *object)
{
  FoyerMessageList *self = FOYER_MESSAGE_LIST (object);

  g_ptr_array_unref (self->items);
  g_hash_table_unref (self->by_id);
  g_free (self->own_author_id);

  G_OBJECT_CLASS (foyer_message_list_parent_class)->finalize (object);
}

static void
foyer_message_list_class_init (FoyerMessageListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_message_list_finalize;
}

static void
foyer_message_list_init (FoyerMessageList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  /* No marker until the owner says where reading stopped. */
  self->last_read_seq = -1;
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FoyerMessageList *
foyer_message_list_new (void)
{
  return g_object_new (FOYER_TYPE_MESSAGE_LIST, NULL);
}
