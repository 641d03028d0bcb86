/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-index-private.h"

G_DEFINE_INTERFACE (FoyerSearchSource, foyer_search_source, G_TYPE_OBJECT)

static void
foyer_search_source_default_init (FoyerSearchSourceInterface *iface)
{
}

/* ---- how far it got (worker) ------------------------------------------------------------ */

void
_foyer_search_backfill_state_free (BackfillState *s)
{
  g_free (s->cursor);
  g_free (s);
}

void
_foyer_search_backfill_do_state (FoyerSearchIndex *self, Op *op)
{
  BackfillState *state = g_new0 (BackfillState, 1);

  state->cursor = g_steal_pointer (&op->cursor);
  state->done = op->done;
  g_hash_table_replace (self->states, g_strdup (op->space), state);
  g_hash_table_add (self->dirty_states, g_strdup (op->space));
  _foyer_search_index_publish (self);
}

void
_foyer_search_backfill_do_get_states (FoyerSearchIndex *self, GTask *task)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) _foyer_search_backfill_state_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->states);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      BackfillState *s = value, *c = g_new0 (BackfillState, 1);

      c->cursor = g_strdup (s->cursor);
      c->done = s->done;
      g_hash_table_insert (copy, g_strdup (key), c);
    }
  g_task_return_pointer (task, copy, (GDestroyNotify) g_hash_table_unref);
}

/* ---- the back-fill (main context) ------------------------------------------------------ */

typedef struct
{
  FoyerSearchSource *source;
  GHashTable *states;
  char **spaces;
  guint next;
  guint total;
  guint indexed;
  char *space;
} Backfill;

static void
backfill_free (Backfill *b)
{
  g_clear_object (&b->source);
  g_clear_pointer (&b->states, g_hash_table_unref);
  g_strfreev (b->spaces);
  g_free (b->space);
  g_free (b);
}

static void backfill_next_space (GTask *task);

static void
backfill_flushed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (source);
  Backfill *b = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  _foyer_search_index_set_backfill (self, FALSE, 1.0);
  if (!foyer_search_index_flush_finish (self, result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, b->indexed);
}

static void
backfill_fail (GTask *task, GError *error)
{
  FoyerSearchIndex *self = g_task_get_source_object (task);

  _foyer_search_index_set_backfill (self, FALSE, self->backfill_progress);
  g_task_return_error (task, error);
}

static void
backfill_save (FoyerSearchIndex *self, const char *space, const char *cursor, gboolean done)
{
  Op *op = _foyer_search_op_new (OP_STATE, NULL);

  op->space = g_strdup (space);
  op->cursor = g_strdup (cursor);
  op->done = done;
  _foyer_search_index_push (self, op);
}

static void backfill_fetch (GTask *task, const char *cursor);

static void
backfill_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerSearchIndex *self = g_task_get_source_object (task);
  Backfill *b = g_task_get_task_data (task);
  FoyerSearchSourceInterface *iface = FOYER_SEARCH_SOURCE_GET_IFACE (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *next = NULL;
  g_autoptr (GPtrArray) entries = NULL;

  entries = iface->fetch_page_finish (FOYER_SEARCH_SOURCE (source), result, &next, &error);
  if (entries == NULL)
    {
      backfill_fail (task, g_steal_pointer (&error));
      return;
    }
  foyer_search_index_add_many (self, entries);
  b->indexed += entries->len;
  /* Queued after its entries: the sealed state never gets ahead of them. */
  backfill_save (self, b->space, next, next == NULL);
  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      backfill_fail (task, g_steal_pointer (&error));
      return;
    }
  if (next != NULL && entries->len > 0)
    {
      backfill_fetch (task, next);
      return;
    }
  b->next++;
  _foyer_search_index_set_backfill (self, TRUE, (double) b->next / MAX (b->total, 1));
  backfill_next_space (task);
}

static void
backfill_fetch (GTask *task, const char *cursor)
{
  Backfill *b = g_task_get_task_data (task);

  FOYER_SEARCH_SOURCE_GET_IFACE (b->source)->fetch_page_async (
      b->source, b->space, cursor, g_task_get_cancellable (task), backfill_page_cb,
      g_object_ref (task));
}

static void
backfill_next_space (GTask *task)
{
  FoyerSearchIndex *self = g_task_get_source_object (task);
  Backfill *b = g_task_get_task_data (task);

  g_autoptr (GError) error = NULL;

  if (g_cancellable_set_error_if_cancelled (g_task_get_cancellable (task), &error))
    {
      backfill_fail (task, g_steal_pointer (&error));
      return;
    }
  while (b->spaces[b->next] != NULL)
    {
      BackfillState *state = g_hash_table_lookup (b->states, b->spaces[b->next]);

      if (state == NULL || !state->done)
        {
          g_free (b->space);
          b->space = g_strdup (b->spaces[b->next]);
          backfill_fetch (task, state != NULL ? state->cursor : NULL);
          return;
        }
      b->next++;
      _foyer_search_index_set_backfill (self, TRUE, (double) b->next / MAX (b->total, 1));
    }
  foyer_search_index_flush_async (self, NULL, backfill_flushed_cb, g_object_ref (task));
}

static void
backfill_spaces_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Backfill *b = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  b->spaces = FOYER_SEARCH_SOURCE_GET_IFACE (source)->list_spaces_finish (
      FOYER_SEARCH_SOURCE (source), result, &error);
  if (b->spaces == NULL)
    {
      backfill_fail (task, g_steal_pointer (&error));
      return;
    }
  b->total = g_strv_length (b->spaces);
  backfill_next_space (task);
}

static void
backfill_states_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Backfill *b = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  b->states = g_task_propagate_pointer (G_TASK (result), &error);
  if (b->states == NULL)
    {
      backfill_fail (task, g_steal_pointer (&error));
      return;
    }
  FOYER_SEARCH_SOURCE_GET_IFACE (b->source)->list_spaces_async (
      b->source, g_task_get_cancellable (task), backfill_spaces_cb, g_object_ref (task));
}

void
foyer_search_index_backfill_async (FoyerSearchIndex *self,
                                   FoyerSearchSource *source,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) states = NULL;
  Backfill *b;

  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));
  g_return_if_fail (FOYER_IS_SEARCH_SOURCE (source));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_search_index_backfill_async);
  b = g_new0 (Backfill, 1);
  b->source = g_object_ref (source);
  g_task_set_task_data (task, b, (GDestroyNotify) backfill_free);
  _foyer_search_index_set_backfill (self, TRUE, 0.0);
  /* How far earlier runs got comes from the worker (it read it at load). */
  states = g_task_new (self, cancellable, backfill_states_cb, g_steal_pointer (&task));
  _foyer_search_index_push (self, _foyer_search_op_new (OP_GET_STATES, states));
}

guint
foyer_search_index_backfill_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint) n;
}
