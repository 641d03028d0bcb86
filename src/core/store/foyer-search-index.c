/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-index-private.h"

#include "foyer-search-results.h"
#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>

/*
 * One worker thread owns the index's in-memory SQLite database
 * (foyer-search-index-fts.c). Work arrives on a queue sorted by priority,
 * queries first; writes are applied a few hundred at a time so a query
 * never waits long behind a back-fill. The sealed copy in the store
 * (foyer-search-index-sealed.c) is written in blocks of BLOCK_ENTRIES
 * entries a couple of seconds after they change.
 */

/* ---- the worker's state ------------------------------------------------------------ */

typedef enum
{
  CHANGE_ADD,
  CHANGE_REMOVE,
  CHANGE_REMOVE_SPACE,
  CHANGE_CLEAR,
} ChangeType;

/* Changes are applied in the order they were made, before any query that
 * came after them (up to a budget, see _foyer_search_fts_query). */
typedef struct
{
  ChangeType type;
  FoyerSearchEntry *entry; /* for a removal: the key only; a space: its id */
} Change;

G_DEFINE_FINAL_TYPE (FoyerSearchIndex, foyer_search_index, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_N_ENTRIES,
  PROP_LOADED,
  PROP_BACKFILL_RUNNING,
  PROP_BACKFILL_PROGRESS,
  PROP_MEMORY_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
change_free (Change *c)
{
  foyer_search_entry_free (c->entry);
  g_free (c);
}

/* Always a later turn of context's own thread: g_main_context_invoke ()
 * would run func at once on the worker when nobody owns the context. */
static void
run_in_context (GMainContext *context, GSourceFunc func, gpointer data, GDestroyNotify notify)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
  g_source_unref (source);
}

static gboolean
unref_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
op_free (Op *op)
{
  /* A task holds the index: its last reference must not go on the worker,
   * whose end the index's dispose waits for. */
  if (op->task != NULL)
    {
      GTask *task = g_steal_pointer (&op->task);

      run_in_context (g_task_get_context (task), unref_cb, task, NULL);
    }
  g_free (op->space);
  g_free (op->cursor);
  g_free (op);
}

static gint
op_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Op *x = a, *y = b;
  int px = x->type == OP_QUERY ? 0 : 1;
  int py = y->type == OP_QUERY ? 0 : 1;

  if (px != py)
    return px - py;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
_foyer_search_index_push (FoyerSearchIndex *self, Op *op)
{
  if (op->type == OP_QUERY)
    g_atomic_int_inc (&self->queries_waiting);
  g_mutex_lock (&self->lock);
  op->seq = self->next_seq++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push_sorted (self->queue, op, op_compare, NULL);
}

Op *
_foyer_search_op_new (OpType type, GTask *task)
{
  Op *op = g_new0 (Op, 1);

  op->type = type;
  op->task = task != NULL ? g_object_ref (task) : NULL;
  return op;
}

/* ---- telling the main context ------------------------------------------------------ */

static gboolean
notify_cb (gpointer data)
{
  FoyerSearchIndex *self = data;

  g_mutex_lock (&self->lock);
  self->notify_queued = FALSE;
  g_mutex_unlock (&self->lock);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ENTRIES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_SIZE]);
  return G_SOURCE_REMOVE;
}

static gboolean flush_timeout_cb (gpointer data);

static gboolean
schedule_write_cb (gpointer data)
{
  FoyerSearchIndex *self = data;

  if (self->flush_source == NULL && self->store != NULL)
    {
      self->flush_source = g_timeout_source_new (FLUSH_DELAY_MS);
      g_source_set_callback (self->flush_source, flush_timeout_cb, self, NULL);
      g_source_attach (self->flush_source, self->context);
    }
  return G_SOURCE_REMOVE;
}

/* Counts changed (worker): the main context hears it once per burst. */
void
_foyer_search_index_publish (FoyerSearchIndex *self)
{
  guint n = self->rows;

  if (self->stopping)
    return;
  guint64 size = _foyer_search_fts_size (self);
  gboolean queue;

  g_mutex_lock (&self->lock);
  self->n_entries = n;
  self->memory_size = size;
  queue = !self->notify_queued;
  self->notify_queued = TRUE;
  g_mutex_unlock (&self->lock);
  if (queue)
    run_in_context (self->context, notify_cb, g_object_ref (self), g_object_unref);
  if (g_hash_table_size (self->dirty) > 0 || g_hash_table_size (self->dirty_states) > 0)
    run_in_context (self->context, schedule_write_cb, g_object_ref (self), g_object_unref);
}

/* ---- the worker's operations ------------------------------------------------------- */

static void
do_remove_space (FoyerSearchIndex *self, const char *space)
{
  _foyer_search_fts_remove_space (self, space);
  _foyer_search_sealed_remove_space (self, space);
}

static void
do_clear (FoyerSearchIndex *self)
{
  _foyer_search_fts_clear (self);
  _foyer_search_sealed_clear (self);
}

static void
apply_pending (FoyerSearchIndex *self, gboolean all)
{
  _foyer_search_index_apply_some (self, G_MAXUINT, !all);
}

static void
apply_change (FoyerSearchIndex *self, Change *c)
{
  switch (c->type)
    {
    case CHANGE_ADD:
      _foyer_search_fts_insert (self, c->entry, -1);
      break;
    case CHANGE_REMOVE:
      _foyer_search_fts_remove (self, c->entry->space_id, c->entry->item_id, c->entry->kind);
      break;
    case CHANGE_REMOVE_SPACE:
      do_remove_space (self, c->entry->space_id);
      break;
    case CHANGE_CLEAR:
      do_clear (self);
      break;
    }
}

/* Applies up to budget queued changes in transactions of COMMIT_EVERY. It
 * stops early when a query is waiting (requeue: the rest is queued again,
 * behind it), so that typing never waits for a back-fill. */
void
_foyer_search_index_apply_some (FoyerSearchIndex *self, guint budget, gboolean requeue)
{
  guint applied = 0;
  gboolean more = TRUE;

  _foyer_search_fts_exec (self->db, "BEGIN", NULL);
  while (applied < budget)
    {
      Change *c;

      g_mutex_lock (&self->lock);
      c = g_queue_pop_head (&self->pending);
      g_mutex_unlock (&self->lock);
      if (c == NULL)
        {
          more = FALSE;
          break;
        }
      apply_change (self, c);
      change_free (c);
      applied++;
      if (applied % COMMIT_EVERY == 0)
        _foyer_search_fts_exec (self->db, "COMMIT; BEGIN", NULL);
      if (requeue && applied % 64 == 0 && g_atomic_int_get (&self->queries_waiting) > 0)
        break;
    }
  _foyer_search_fts_exec (self->db, "COMMIT", NULL);

  g_mutex_lock (&self->lock);
  if (self->pending.length == 0)
    self->apply_queued = FALSE;
  more = more && self->pending.length > 0 && requeue;
  g_mutex_unlock (&self->lock);
  if (more)
    _foyer_search_index_push (self, _foyer_search_op_new (OP_APPLY, NULL));
  if (applied > 0)
    _foyer_search_index_publish (self);
}

static gpointer
worker_main (gpointer data)
{
  FoyerSearchIndex *self = data;
  g_autoptr (GError) error = NULL;
  gboolean running = TRUE;

  if (!_foyer_search_fts_open (self, &error))
    g_warning ("The search index cannot start: %s", error->message);
  while (running)
    {
      Op *op = g_async_queue_pop (self->queue);

      if (self->db == NULL)
        {
          if (op->task != NULL)
            g_task_return_new_error (op->task, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO, "%s",
                                     _ ("The search index is not available."));
          running = op->type != OP_STOP;
        }
      else
        switch (op->type)
          {
          case OP_QUERY:
            g_atomic_int_dec_and_test (&self->queries_waiting);
            _foyer_search_fts_query (self, op->task);
            break;
          case OP_LOAD:
            _foyer_search_sealed_load (self, op);
            break;
          case OP_APPLY:
            apply_pending (self, FALSE);
            break;
          case OP_WRITE:
            _foyer_search_sealed_write (self);
            break;
          case OP_FLUSH:
            apply_pending (self, TRUE);
            _foyer_search_sealed_write (self);
            g_task_return_boolean (op->task, TRUE);
            break;
          case OP_STATE:
            _foyer_search_backfill_do_state (self, op);
            break;
          case OP_GET_STATES:
            _foyer_search_backfill_do_get_states (self, op->task);
            break;
          case OP_STOP:
            /* Whatever is still queued is written before the end; the
             * main context hears nothing more of an index going away. */
            self->stopping = TRUE;
            if (self->db != NULL)
              {
                apply_pending (self, TRUE);
                _foyer_search_sealed_write (self);
              }
            running = FALSE;
            break;
          }
      op_free (op);
    }
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_hash_table_remove_all (self->stmts);
  if (self->db != NULL)
    sqlite3_close (self->db);
  self->db = NULL;
  return NULL;
}

static void
query_data_free (QueryData *q)
{
  g_free (q->text);
  g_free (q);
}

/* ---- the public side (main context) -------------------------------------------------- */

static gboolean
flush_timeout_cb (gpointer data)
{
  FoyerSearchIndex *self = data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  _foyer_search_index_push (self, _foyer_search_op_new (OP_WRITE, NULL));
  return G_SOURCE_REMOVE;
}

FoyerSearchIndex *
foyer_search_index_new (FoyerStore *store)
{
  g_return_val_if_fail (store == NULL || FOYER_IS_STORE (store), NULL);

  return g_object_new (FOYER_TYPE_SEARCH_INDEX, "store", store, NULL);
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (source);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_task_return_boolean (task, TRUE);
}

void
foyer_search_index_load_async (FoyerSearchIndex *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GTask) inner = NULL;

  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_search_index_load_async);
  /* The worker answers through an inner task, so that the outer one
   * changes "loaded" on the main context first. */
  inner = g_task_new (self, NULL, load_done_cb, g_steal_pointer (&task));
  _foyer_search_index_push (self, _foyer_search_op_new (OP_LOAD, inner));
}

gboolean
foyer_search_index_load_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
queue_change (FoyerSearchIndex *self, ChangeType type, FoyerSearchEntry *entry)
{
  Change *c = g_new0 (Change, 1);
  gboolean push_apply;

  c->type = type;
  c->entry = entry;
  g_mutex_lock (&self->lock);
  g_queue_push_tail (&self->pending, c);
  push_apply = !self->apply_queued;
  self->apply_queued = TRUE;
  g_mutex_unlock (&self->lock);
  if (push_apply)
    _foyer_search_index_push (self, _foyer_search_op_new (OP_APPLY, NULL));
}

void
foyer_search_index_add (FoyerSearchIndex *self, const FoyerSearchEntry *entry)
{
  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));
  g_return_if_fail (entry != NULL && entry->space_id != NULL && entry->item_id != NULL);

  queue_change (self, CHANGE_ADD, foyer_search_entry_copy (entry));
}

void
foyer_search_index_add_many (FoyerSearchIndex *self, GPtrArray *entries)
{
  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      FoyerSearchEntry *e = entries->pdata[i];

      if (e != NULL && e->space_id != NULL && e->item_id != NULL)
        queue_change (self, CHANGE_ADD, foyer_search_entry_copy (e));
    }
}

void
foyer_search_index_remove (FoyerSearchIndex *self,
                           const char *space_id,
                           const char *item_id,
                           FoyerSearchKind kind)
{
  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));
  g_return_if_fail (space_id != NULL && item_id != NULL);

  queue_change (self, CHANGE_REMOVE,
                foyer_search_entry_new (kind, space_id, item_id, 0, NULL, NULL));
}

void
foyer_search_index_remove_space (FoyerSearchIndex *self, const char *space_id)
{
  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));
  g_return_if_fail (space_id != NULL);

  queue_change (self, CHANGE_REMOVE_SPACE,
                foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, space_id, "", 0, NULL, NULL));
}

void
foyer_search_index_clear (FoyerSearchIndex *self)
{
  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));

  /* Whatever waits is of the account being signed out of. */
  g_mutex_lock (&self->lock);
  g_queue_clear_full (&self->pending, (GDestroyNotify) change_free);
  g_mutex_unlock (&self->lock);
  queue_change (self, CHANGE_CLEAR,
                foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, "", "", 0, NULL, NULL));
}

void
foyer_search_index_flush_async (FoyerSearchIndex *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_search_index_flush_async);
  _foyer_search_index_push (self, _foyer_search_op_new (OP_FLUSH, task));
}

gboolean
foyer_search_index_flush_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
foyer_search_index_query_async (FoyerSearchIndex *self,
                                const char *text,
                                guint limit,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  QueryData *q = g_new0 (QueryData, 1);

  g_return_if_fail (FOYER_IS_SEARCH_INDEX (self));

  q->text = g_strdup (text != NULL ? text : "");
  q->limit = limit;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_search_index_query_async);
  g_task_set_task_data (task, q, (GDestroyNotify) query_data_free);
  _foyer_search_index_push (self, _foyer_search_op_new (OP_QUERY, task));
}

FoyerSearchResults *
foyer_search_index_query_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
_foyer_search_index_set_backfill (FoyerSearchIndex *self, gboolean running, double progress)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->backfill_running != running)
    {
      self->backfill_running = running;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKFILL_RUNNING]);
    }
  if (self->backfill_progress != progress)
    {
      self->backfill_progress = progress;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKFILL_PROGRESS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- getters and GObject ---------------------------------------------------------------- */

guint
foyer_search_index_get_n_entries (FoyerSearchIndex *self)
{
  guint n;

  g_return_val_if_fail (FOYER_IS_SEARCH_INDEX (self), 0);
  g_mutex_lock (&self->lock);
  n = self->n_entries;
  g_mutex_unlock (&self->lock);
  return n;
}

gboolean
foyer_search_index_get_loaded (FoyerSearchIndex *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_INDEX (self), FALSE);
  return self->loaded;
}

gboolean
foyer_search_index_get_backfill_running (FoyerSearchIndex *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_INDEX (self), FALSE);
  return self->backfill_running;
}

double
foyer_search_index_get_backfill_progress (FoyerSearchIndex *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_INDEX (self), 0);
  return self->backfill_progress;
}

guint64
foyer_search_index_get_memory_size (FoyerSearchIndex *self)
{
  guint64 size;

  g_return_val_if_fail (FOYER_IS_SEARCH_INDEX (self), 0);
  g_mutex_lock (&self->lock);
  size = self->memory_size;
  g_mutex_unlock (&self->lock);
  return size;
}

static void
foyer_search_index_constructed (GObject *object)
{
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (object);

  G_OBJECT_CLASS (foyer_search_index_parent_class)->constructed (object);
  self->worker = g_thread_new ("foyer-search", worker_main, self);
}

static void
foyer_search_index_dispose (GObject *object)
{
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (object);

  if (self->worker != NULL)
    {
      /* What is queued is applied and written before the worker ends. */
      _foyer_search_index_push (self, _foyer_search_op_new (OP_STOP, NULL));
      g_thread_join (g_steal_pointer (&self->worker));
    }
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_search_index_parent_class)->dispose (object);
}

static void
foyer_search_index_finalize (GObject *object)
{
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (object);

  g_async_queue_unref (self->queue);
  g_queue_clear_full (&self->pending, (GDestroyNotify) change_free);
  g_hash_table_unref (self->space_blocks);
  g_hash_table_unref (self->dirty);
  g_hash_table_unref (self->states);
  g_hash_table_unref (self->dirty_states);
  g_hash_table_unref (self->stmts);
  g_hash_table_unref (self->ids);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (foyer_search_index_parent_class)->finalize (object);
}

static void
foyer_search_index_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_N_ENTRIES:
      g_value_set_uint (value, foyer_search_index_get_n_entries (self));
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_BACKFILL_RUNNING:
      g_value_set_boolean (value, self->backfill_running);
      break;
    case PROP_BACKFILL_PROGRESS:
      g_value_set_double (value, self->backfill_progress);
      break;
    case PROP_MEMORY_SIZE:
      g_value_set_uint64 (value, foyer_search_index_get_memory_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_search_index_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_search_index_class_init (FoyerSearchIndexClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = foyer_search_index_constructed;
  object_class->dispose = foyer_search_index_dispose;
  object_class->finalize = foyer_search_index_finalize;
  object_class->get_property = foyer_search_index_get_property;
  object_class->set_property = foyer_search_index_set_property;

  properties[PROP_STORE]
      = g_param_spec_object ("store", NULL, NULL, FOYER_TYPE_STORE,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ENTRIES] = g_param_spec_uint ("n-entries", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  properties[PROP_BACKFILL_RUNNING]
      = g_param_spec_boolean ("backfill-running", NULL, NULL, FALSE, ro);
  properties[PROP_BACKFILL_PROGRESS]
      = g_param_spec_double ("backfill-progress", NULL, NULL, 0, 1, 0, ro);
  properties[PROP_MEMORY_SIZE]
      = g_param_spec_uint64 ("memory-size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_search_index_init (FoyerSearchIndex *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->queue = g_async_queue_new_full ((GDestroyNotify) op_free);
  g_queue_init (&self->pending);
  self->space_blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->dirty = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) _foyer_search_backfill_state_free);
  self->dirty_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stmts
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sqlite3_finalize);
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
