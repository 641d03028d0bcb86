/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-index.h"

#include "foyer-search-block.h"
#include "foyer-search-query.h"
#include "foyer-search-results.h"
#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

/*
 * One worker thread owns an in-memory SQLite database:
 *   fts     FTS5 over the text (rowid = created ms × 1024 + a few bits, so
 *           that "ORDER BY rowid DESC" is newest first and needs no sort);
 *   meta    what each row is: space, item, kind, author, and the block of
 *           the sealed copy it belongs to;
 *   spaces, authors   interned names (they repeat on every row).
 * Work arrives on a queue sorted by priority, queries first; writes are
 * applied a few hundred at a time so a query never waits long behind a
 * back-fill. The sealed copy in the store is written in blocks of
 * BLOCK_ENTRIES entries a couple of seconds after they change.
 */

#define BLOCK_ENTRIES      512
#define COMMIT_EVERY       5000
#define QUERY_APPLY_BUDGET 1000
#define FLUSH_DELAY_MS     2000
#define SNIPPET_TOKENS     32
#define ROWID_SLOTS        1024
#define PROGRESS_OPS       1000
#define MARK_START         "\x02"
#define MARK_END           "\x03"
#define BLOCK_KEY_PREFIX   "b:"
#define STATE_KEY_PREFIX   "f:"

G_DEFINE_INTERFACE (FoyerSearchSource, foyer_search_source, G_TYPE_OBJECT)

static void
foyer_search_source_default_init (FoyerSearchSourceInterface *iface)
{
}

/* ---- the worker's state ------------------------------------------------------------ */

typedef enum
{
  OP_QUERY,
  OP_LOAD,
  OP_APPLY,
  OP_WRITE,
  OP_FLUSH,
  OP_STATE,
  OP_GET_STATES,
  OP_STOP,
} OpType;

typedef struct
{
  OpType type;
  guint64 seq;
  GTask *task;   /* for the async ones */
  char *space;   /* OP_STATE, OP_REMOVE_SPACE */
  char *cursor;  /* OP_STATE */
  gboolean done; /* OP_STATE */
} Op;

typedef enum
{
  CHANGE_ADD,
  CHANGE_REMOVE,
  CHANGE_REMOVE_SPACE,
  CHANGE_CLEAR,
} ChangeType;

/* Changes are applied in the order they were made, before any query that
 * came after them (up to a budget, see do_query). */
typedef struct
{
  ChangeType type;
  FoyerSearchEntry *entry; /* for a removal: the key only; a space: its id */
} Change;

typedef struct
{
  gint64 current; /* the block new rows of the space go to */
  guint count;    /* rows in it */
} SpaceBlocks;

typedef struct
{
  char *cursor;
  gboolean done;
} BackfillState;

struct _FoyerSearchIndex
{
  GObject parent_instance;

  FoyerStore *store;
  GMainContext *context;
  GThread *worker;
  GAsyncQueue *queue;
  guint64 next_seq;

  /* Shared with the worker, under lock. */
  GMutex lock;
  GQueue pending; /* Change*, in order */
  gint queries_waiting;
  gboolean apply_queued;
  guint n_entries;
  guint64 memory_size;
  gboolean notify_queued;

  /* Worker only. */
  sqlite3 *db;
  GHashTable *space_blocks; /* space → SpaceBlocks* */
  GHashTable *dirty;        /* "space\x1fblock" set */
  GHashTable *states;       /* space → BackfillState* */
  GHashTable *dirty_states; /* space set */
  GHashTable *stmts;        /* SQL text → sqlite3_stmt* */
  GHashTable *ids;          /* "spaces\x1fname", "authors\x1fname" → interned id */
  guint rows;
  gboolean stopping;
  GPtrArray *loading; /* FoyerStoreEntry* of the sealed copy, while it loads */
  guint loaded_records;
  GCancellable *query_cancellable;
  guint64 rowid_counter;

  /* Main context only. */
  GSource *flush_source;
  gboolean loaded;
  gboolean backfill_running;
  double backfill_progress;
};

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

static void
backfill_state_free (BackfillState *s)
{
  g_free (s->cursor);
  g_free (s);
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

static void
push (FoyerSearchIndex *self, Op *op)
{
  if (op->type == OP_QUERY)
    g_atomic_int_inc (&self->queries_waiting);
  g_mutex_lock (&self->lock);
  op->seq = self->next_seq++;
  g_mutex_unlock (&self->lock);
  g_async_queue_push_sorted (self->queue, op, op_compare, NULL);
}

static Op *
op_new (OpType type, GTask *task)
{
  Op *op = g_new0 (Op, 1);

  op->type = type;
  op->task = task != NULL ? g_object_ref (task) : NULL;
  return op;
}

/* ---- SQLite -------------------------------------------------------------------------- */

static gboolean
exec (sqlite3 *db, const char *sql, GError **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO, "%s",
               message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_free (message);
  return FALSE;
}

static const char schema[]
    = "PRAGMA temp_store = MEMORY;"
      "CREATE VIRTUAL TABLE fts USING fts5(text, tokenize = 'unicode61 remove_diacritics 2',"
      "  prefix = '2 3', columnsize = 0);"
      "CREATE TABLE spaces (sid INTEGER PRIMARY KEY, space TEXT UNIQUE NOT NULL);"
      "CREATE TABLE authors (aid INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL);"
      "CREATE TABLE meta (id INTEGER PRIMARY KEY, sid INTEGER NOT NULL, item TEXT NOT NULL,"
      "  kind INTEGER NOT NULL, aid INTEGER, block INTEGER NOT NULL);"
      "CREATE UNIQUE INDEX meta_key ON meta (sid, item, kind);"
      "CREATE INDEX meta_block ON meta (sid, block);";

/* A query cancelled while it runs stops at the next check. */
static int
progress_cb (void *data)
{
  FoyerSearchIndex *self = data;

  return self->query_cancellable != NULL && g_cancellable_is_cancelled (self->query_cancellable);
}

static gboolean
db_open (FoyerSearchIndex *self, GError **error)
{
  /* An in-memory database: nothing of it is ever written to a file. */
  if (sqlite3_open_v2 (":memory:", &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO, "%s",
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      return FALSE;
    }
  sqlite3_progress_handler (self->db, PROGRESS_OPS, progress_cb, self);
  return exec (self->db, schema, error);
}

static sqlite3_stmt *
prepare (FoyerSearchIndex *self, const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    g_error ("Search index: cannot prepare “%s”: %s", sql, sqlite3_errmsg (self->db));
  return stmt;
}

/* A statement kept for the life of the worker, by its SQL. */
static sqlite3_stmt *
stmt (FoyerSearchIndex *self, const char *sql)
{
  sqlite3_stmt *s = g_hash_table_lookup (self->stmts, sql);

  if (s == NULL)
    {
      s = prepare (self, sql);
      g_hash_table_insert (self->stmts, (gpointer) sql, s);
    }
  sqlite3_reset (s);
  sqlite3_clear_bindings (s);
  return s;
}

static gint64 intern_lookup (FoyerSearchIndex *self, const char *table, const char *value);

/* Spaces and authors repeat on every row: their ids are remembered. */
static gint64
intern (FoyerSearchIndex *self, const char *table, const char *value)
{
  g_autofree char *key = g_strconcat (table, "\x1f", value, NULL);
  gpointer id;
  gint64 found;

  if (g_hash_table_lookup_extended (self->ids, key, NULL, &id))
    return GPOINTER_TO_SIZE (id);
  found = intern_lookup (self, table, value);
  g_hash_table_insert (self->ids, g_steal_pointer (&key), GSIZE_TO_POINTER ((gsize) found));
  return found;
}

static gint64
intern_lookup (FoyerSearchIndex *self, const char *table, const char *value)
{
  const char *select = g_str_equal (table, "spaces") ? "SELECT sid FROM spaces WHERE space = ?1"
                                                     : "SELECT aid FROM authors WHERE name = ?1";
  const char *insert = g_str_equal (table, "spaces") ? "INSERT INTO spaces (space) VALUES (?1)"
                                                     : "INSERT INTO authors (name) VALUES (?1)";
  sqlite3_stmt *s = stmt (self, select);

  sqlite3_bind_text (s, 1, value, -1, SQLITE_STATIC);
  if (sqlite3_step (s) == SQLITE_ROW)
    return sqlite3_column_int64 (s, 0);
  s = stmt (self, insert);
  sqlite3_bind_text (s, 1, value, -1, SQLITE_STATIC);
  sqlite3_step (s);
  return sqlite3_last_insert_rowid (self->db);
}

static gint64
space_sid (FoyerSearchIndex *self, const char *space, gboolean create)
{
  sqlite3_stmt *s;

  if (create)
    return intern (self, "spaces", space);
  {
    g_autofree char *key = g_strconcat ("spaces\x1f", space, NULL);
    gpointer id;

    if (g_hash_table_lookup_extended (self->ids, key, NULL, &id))
      return GPOINTER_TO_SIZE (id);
  }
  s = stmt (self, "SELECT sid FROM spaces WHERE space = ?1");
  sqlite3_bind_text (s, 1, space, -1, SQLITE_STATIC);
  return sqlite3_step (s) == SQLITE_ROW ? sqlite3_column_int64 (s, 0) : -1;
}

static void
mark_dirty (FoyerSearchIndex *self, const char *space, gint64 block)
{
  g_hash_table_add (self->dirty, g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT, space, block));
}

/* Deletes the row of (space, item, kind); its block must be written again. */
static gboolean
remove_row (FoyerSearchIndex *self, gint64 sid, const char *space, const char *item, int kind)
{
  sqlite3_stmt *s
      = stmt (self, "SELECT id, block FROM meta WHERE sid = ?1 AND item = ?2 AND kind = ?3");
  gint64 id, block;

  sqlite3_bind_int64 (s, 1, sid);
  sqlite3_bind_text (s, 2, item, -1, SQLITE_STATIC);
  sqlite3_bind_int (s, 3, kind);
  if (sqlite3_step (s) != SQLITE_ROW)
    return FALSE;
  self->rows--;
  id = sqlite3_column_int64 (s, 0);
  block = sqlite3_column_int64 (s, 1);
  s = stmt (self, "DELETE FROM fts WHERE rowid = ?1");
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_step (s);
  s = stmt (self, "DELETE FROM meta WHERE id = ?1");
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_step (s);
  mark_dirty (self, space, block);
  return TRUE;
}

/* The text as indexed: the snippet marks cannot be in it, and it is no
 * longer than a sealed block can hold. */
static char *
clean_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  gsize len = strlen (valid);

  if (len > FOYER_SEARCH_BLOCK_MAX_TEXT)
    valid[g_utf8_find_prev_char (valid, valid + FOYER_SEARCH_BLOCK_MAX_TEXT + 1) - valid] = '\0';
  for (char *p = valid; *p != '\0'; p++)
    if (*p == '\x02' || *p == '\x03')
      *p = ' ';
  return g_steal_pointer (&valid);
}

static gint64
block_for (FoyerSearchIndex *self, const char *space, gint64 wanted)
{
  SpaceBlocks *b = g_hash_table_lookup (self->space_blocks, space);

  if (b == NULL)
    {
      b = g_new0 (SpaceBlocks, 1);
      g_hash_table_insert (self->space_blocks, g_strdup (space), b);
    }
  if (wanted >= 0)
    {
      /* Loading: rows go back to the block they came from. */
      if (wanted > b->current || (wanted == b->current && b->count == 0))
        {
          b->current = wanted;
          b->count = 0;
        }
      if (wanted == b->current)
        b->count++;
      return wanted;
    }
  if (b->count >= BLOCK_ENTRIES)
    {
      b->current++;
      b->count = 0;
    }
  b->count++;
  return b->current;
}

/* block < 0: a new entry (it goes to the space's current block). */
static void
insert_entry (FoyerSearchIndex *self, const FoyerSearchEntry *e, gint64 block)
{
  g_autofree char *text = clean_text (e->text);
  gint64 sid = space_sid (self, e->space_id, TRUE);
  gint64 aid = e->author != NULL && *e->author != '\0' ? intern (self, "authors", e->author) : -1;
  gint64 base = MAX (e->created, 0) * ROWID_SLOTS;
  sqlite3_stmt *s;
  gint64 id = -1;

  gboolean replaced = FALSE;
  gboolean loading = block >= 0;

  block = block_for (self, e->space_id, block);
  /* The rowid orders by time; a few slots per millisecond tell rows apart.
   * The same (space, item, kind) replaces the old row: found by the unique
   * index refusing the insert, not looked up before every one. */
  for (guint i = 0; i < ROWID_SLOTS && id < 0; i++)
    {
      gint64 candidate = base + (gint64) ((self->rowid_counter + i) % ROWID_SLOTS);

      s = stmt (self, "INSERT INTO meta (id, sid, item, kind, aid, block) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      sqlite3_bind_int64 (s, 1, candidate);
      sqlite3_bind_int64 (s, 2, sid);
      sqlite3_bind_text (s, 3, e->item_id, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 4, e->kind);
      if (aid >= 0)
        sqlite3_bind_int64 (s, 5, aid);
      sqlite3_bind_int64 (s, 6, block);
      if (sqlite3_step (s) == SQLITE_DONE)
        id = candidate;
      else if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE && loading)
        {
          /* Loading goes from the newest blocks, and live additions may
           * come in between: what is there already is newer. */
          sqlite3_reset (s);
          return;
        }
      else if (sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_UNIQUE && !replaced)
        {
          sqlite3_reset (s);
          replaced = remove_row (self, sid, e->space_id, e->item_id, e->kind);
          i--;
        }
    }
  self->rowid_counter++;
  if (id < 0)
    return;
  s = stmt (self, "INSERT INTO fts (rowid, text) VALUES (?1, ?2)");
  sqlite3_bind_int64 (s, 1, id);
  sqlite3_bind_text (s, 2, text, -1, SQLITE_STATIC);
  sqlite3_step (s);
  self->rows++;
  mark_dirty (self, e->space_id, block);
}

static guint64
database_size (FoyerSearchIndex *self)
{
  sqlite3_stmt *s = stmt (self, "SELECT page_count * page_size FROM pragma_page_count (), "
                                "pragma_page_size ()");

  return sqlite3_step (s) == SQLITE_ROW ? (guint64) sqlite3_column_int64 (s, 0) : 0;
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
static void
publish (FoyerSearchIndex *self)
{
  guint n = self->rows;

  if (self->stopping)
    return;
  guint64 size = database_size (self);
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

/* ---- the sealed copy ------------------------------------------------------------------ */

static char *
block_key (const char *space, gint64 block)
{
  return g_strdup_printf (BLOCK_KEY_PREFIX "%" G_GINT64_FORMAT ":%s", block, space);
}

static GPtrArray *
block_entries (FoyerSearchIndex *self, const char *space, gint64 block)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  sqlite3_stmt *s = stmt (self, "SELECT m.kind, m.id, m.item, a.name, f.text FROM meta m "
                                "JOIN spaces sp ON sp.sid = m.sid "
                                "JOIN fts f ON f.rowid = m.id "
                                "LEFT JOIN authors a ON a.aid = m.aid "
                                "WHERE sp.space = ?1 AND m.block = ?2 ORDER BY m.id");

  sqlite3_bind_text (s, 1, space, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 2, block);
  while (sqlite3_step (s) == SQLITE_ROW)
    g_ptr_array_add (entries, foyer_search_entry_new (sqlite3_column_int (s, 0), space,
                                                      (const char *) sqlite3_column_text (s, 2),
                                                      sqlite3_column_int64 (s, 1) / ROWID_SLOTS,
                                                      (const char *) sqlite3_column_text (s, 3),
                                                      (const char *) sqlite3_column_text (s, 4)));
  return entries;
}

static GBytes *
state_bytes (BackfillState *state)
{
  g_autofree char *text
      = g_strdup_printf ("%d%s", state->done ? 1 : 0, state->cursor != NULL ? state->cursor : "");

  return g_bytes_new (text, strlen (text));
}

/* Blocks first, then how far each back-fill got: a crash in between
 * fetches a page again, never skips one. */
static void
write_dirty (FoyerSearchIndex *self)
{
  GHashTableIter iter;
  gpointer key;

  if (self->store == NULL)
    {
      g_hash_table_remove_all (self->dirty);
      g_hash_table_remove_all (self->dirty_states);
      return;
    }
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_auto (GStrv) parts = g_strsplit (key, "\x1f", 2);
      gint64 block = g_ascii_strtoll (parts[1], NULL, 10);
      g_autofree char *store_key = block_key (parts[0], block);
      g_autoptr (GPtrArray) entries = block_entries (self, parts[0], block);
      g_autoptr (GError) error = NULL;

      if (entries->len == 0)
        foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, store_key, &error);
      else
        {
          g_autoptr (GBytes) bytes = foyer_search_block_encode (entries);

          foyer_store_put (self->store, FOYER_STORE_NS_SEARCH, store_key, bytes, &error);
        }
      if (error != NULL)
        g_warning ("Could not keep a part of the search index: %s", error->message);
    }
  g_hash_table_remove_all (self->dirty);

  g_hash_table_iter_init (&iter, self->dirty_states);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BackfillState *state = g_hash_table_lookup (self->states, key);
      g_autofree char *store_key = g_strconcat (STATE_KEY_PREFIX, key, NULL);
      g_autoptr (GBytes) bytes = state != NULL ? state_bytes (state) : NULL;

      if (bytes != NULL)
        foyer_store_put (self->store, FOYER_STORE_NS_SEARCH, store_key, bytes, NULL);
    }
  g_hash_table_remove_all (self->dirty_states);
}

/* ---- the worker's operations ------------------------------------------------------- */

static void apply_some (FoyerSearchIndex *self, guint budget, gboolean requeue);
static void do_remove_space (FoyerSearchIndex *self, const char *space);
static void do_clear (FoyerSearchIndex *self);

static void
apply_pending (FoyerSearchIndex *self, gboolean all)
{
  apply_some (self, G_MAXUINT, !all);
}

static void
apply_change (FoyerSearchIndex *self, Change *c)
{
  gint64 sid;

  switch (c->type)
    {
    case CHANGE_ADD:
      insert_entry (self, c->entry, -1);
      break;
    case CHANGE_REMOVE:
      sid = space_sid (self, c->entry->space_id, FALSE);
      if (sid >= 0)
        remove_row (self, sid, c->entry->space_id, c->entry->item_id, c->entry->kind);
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
static void
apply_some (FoyerSearchIndex *self, guint budget, gboolean requeue)
{
  guint applied = 0;
  gboolean more = TRUE;

  exec (self->db, "BEGIN", NULL);
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
        exec (self->db, "COMMIT; BEGIN", NULL);
      if (requeue && applied % 64 == 0 && g_atomic_int_get (&self->queries_waiting) > 0)
        break;
    }
  exec (self->db, "COMMIT", NULL);

  g_mutex_lock (&self->lock);
  if (self->pending.length == 0)
    self->apply_queued = FALSE;
  more = more && self->pending.length > 0 && requeue;
  g_mutex_unlock (&self->lock);
  if (more)
    push (self, op_new (OP_APPLY, NULL));
  if (applied > 0)
    publish (self);
}

static void
load_block (FoyerSearchIndex *self, const char *key, GBytes *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const char *colon;
  gint64 block;
  char *end = NULL;

  block = g_ascii_strtoll (key + strlen (BLOCK_KEY_PREFIX), &end, 10);
  colon = end;
  if (colon == NULL || *colon != ':' || block < 0)
    return;
  entries = foyer_search_block_decode (value, colon + 1, &error);
  if (entries == NULL)
    {
      g_warning ("Dropping a damaged part of the search index");
      foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, key, NULL);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    insert_entry (self, entries->pdata[i], block);
}

static void
load_state (FoyerSearchIndex *self, const char *key, GBytes *value)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (value, &len);
  BackfillState *state;

  if (len == 0 || (data[0] != '0' && data[0] != '1') || !g_utf8_validate (data, (gssize) len, NULL))
    return;
  state = g_new0 (BackfillState, 1);
  state->done = data[0] == '1';
  state->cursor = len > 1 ? g_strndup (data + 1, len - 1) : NULL;
  g_hash_table_replace (self->states, g_strdup (key + strlen (STATE_KEY_PREFIX)), state);
}

/* Blocks with higher numbers hold newer entries: those first, so that
 * searching finds the recent past while the rest is still loading. */
static gint
load_order (gconstpointer a, gconstpointer b)
{
  const FoyerStoreEntry *x = *(FoyerStoreEntry *const *) a, *y = *(FoyerStoreEntry *const *) b;
  gboolean bx = g_str_has_prefix (x->key, BLOCK_KEY_PREFIX);
  gboolean by = g_str_has_prefix (y->key, BLOCK_KEY_PREFIX);
  gint64 nx, ny;

  if (bx != by)
    return bx ? 1 : -1;
  if (!bx)
    return 0;
  nx = g_ascii_strtoll (x->key + strlen (BLOCK_KEY_PREFIX), NULL, 10);
  ny = g_ascii_strtoll (y->key + strlen (BLOCK_KEY_PREFIX), NULL, 10);
  return nx > ny ? -1 : nx < ny;
}

/* Loads the sealed copy a part at a time: a query that comes meanwhile
 * runs between two parts (over what is loaded so far). */
static void
do_load (FoyerSearchIndex *self, Op *op)
{
  g_autoptr (GError) error = NULL;

  if (self->store == NULL)
    {
      g_task_return_boolean (op->task, TRUE);
      return;
    }
  if (self->loading == NULL)
    {
      self->loading = foyer_store_list (self->store, FOYER_STORE_NS_SEARCH, &error);
      if (self->loading == NULL)
        {
          g_task_return_error (op->task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_sort (self->loading, load_order);
      self->loaded_records = 0;
    }
  exec (self->db, "BEGIN", NULL);
  while (self->loaded_records < self->loading->len)
    {
      FoyerStoreEntry *r = self->loading->pdata[self->loaded_records++];

      if (g_str_has_prefix (r->key, BLOCK_KEY_PREFIX))
        load_block (self, r->key, r->value);
      else if (g_str_has_prefix (r->key, STATE_KEY_PREFIX))
        load_state (self, r->key, r->value);
      if (g_atomic_int_get (&self->queries_waiting) > 0)
        break;
    }
  exec (self->db, "COMMIT", NULL);
  /* Loading rebuilt the blocks as they were: nothing to write back. */
  g_hash_table_remove_all (self->dirty);
  publish (self);
  if (self->loaded_records < self->loading->len)
    {
      push (self, op_new (OP_LOAD, op->task));
      return;
    }
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_task_return_boolean (op->task, TRUE);
}

typedef struct
{
  char *text;
  guint limit;
} QueryData;

static void
query_data_free (QueryData *q)
{
  g_free (q->text);
  g_free (q);
}

static void
do_query (FoyerSearchIndex *self, GTask *task)
{
  QueryData *q = g_task_get_task_data (task);
  g_autofree char *match = foyer_search_query_to_fts (q->text);
  g_autoptr (GPtrArray) hits = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *s;
  gboolean has_more = FALSE;
  int rc;

  if (g_task_return_error_if_cancelled (task))
    return;
  /* What was added just before is found (a live message, a few); a
   * back-fill's thousands do not hold the query up. */
  apply_some (self, QUERY_APPLY_BUDGET, FALSE);
  if (match == NULL || q->limit == 0)
    {
      g_task_return_pointer (task, _foyer_search_results_new (q->text, NULL, FALSE),
                             g_object_unref);
      return;
    }
  s = stmt (self, "SELECT f.rowid, m.kind, sp.space, m.item, a.name,"
                  "  snippet (fts, 0, '" MARK_START "', '" MARK_END "', '…', 32)"
                  " FROM fts f JOIN meta m ON m.id = f.rowid"
                  " JOIN spaces sp ON sp.sid = m.sid LEFT JOIN authors a ON a.aid = m.aid"
                  " WHERE fts MATCH ?1 ORDER BY f.rowid DESC LIMIT ?2");
  sqlite3_bind_text (s, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (s, 2, (gint64) q->limit + 1);
  self->query_cancellable = g_task_get_cancellable (task);
  while ((rc = sqlite3_step (s)) == SQLITE_ROW)
    {
      if (hits->len == q->limit)
        {
          has_more = TRUE;
          break;
        }
      g_ptr_array_add (hits, _foyer_search_hit_new (sqlite3_column_int (s, 1),
                                                    (const char *) sqlite3_column_text (s, 2),
                                                    (const char *) sqlite3_column_text (s, 3),
                                                    sqlite3_column_int64 (s, 0) / ROWID_SLOTS,
                                                    (const char *) sqlite3_column_text (s, 4),
                                                    (const char *) sqlite3_column_text (s, 5)));
    }
  self->query_cancellable = NULL;
  sqlite3_reset (s);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      /* The query is ours and cannot be wrong: a failure is the index's. */
      g_task_return_new_error (task, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                               _ ("Searching failed: %s"), sqlite3_errmsg (self->db));
      return;
    }
  g_task_return_pointer (task, _foyer_search_results_new (q->text, hits, has_more), g_object_unref);
}

static void
do_remove_space (FoyerSearchIndex *self, const char *space)
{
  gint64 sid = space_sid (self, space, FALSE);
  sqlite3_stmt *s;
  SpaceBlocks *b = g_hash_table_lookup (self->space_blocks, space);

  if (sid >= 0)
    {
      s = stmt (self, "DELETE FROM fts WHERE rowid IN (SELECT id FROM meta WHERE sid = ?1)");
      sqlite3_bind_int64 (s, 1, sid);
      sqlite3_step (s);
      s = stmt (self, "DELETE FROM meta WHERE sid = ?1");
      sqlite3_bind_int64 (s, 1, sid);
      sqlite3_step (s);
      self->rows -= (guint) sqlite3_changes (self->db);
    }
  if (self->store != NULL)
    {
      g_autofree char *state_key = g_strconcat (STATE_KEY_PREFIX, space, NULL);

      for (gint64 block = 0; b != NULL && block <= b->current; block++)
        {
          g_autofree char *key = block_key (space, block);

          foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, key, NULL);
        }
      foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, state_key, NULL);
    }
  g_hash_table_remove (self->space_blocks, space);
  g_hash_table_remove (self->states, space);
  g_hash_table_remove (self->dirty_states, space);
  {
    /* Its blocks were just deleted: none is written back. */
    GHashTableIter iter;
    gpointer key;
    g_autofree char *prefix = g_strconcat (space, "\x1f", NULL);

    g_hash_table_iter_init (&iter, self->dirty);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      if (g_str_has_prefix (key, prefix))
        g_hash_table_iter_remove (&iter);
  }
}

static void
do_clear (FoyerSearchIndex *self)
{
  exec (self->db,
        "BEGIN; DELETE FROM fts; DELETE FROM meta; DELETE FROM spaces;"
        " DELETE FROM authors; COMMIT;",
        NULL);
  self->rows = 0;
  /* A load still under way would bring back what was just cleared. */
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_hash_table_remove_all (self->space_blocks);
  g_hash_table_remove_all (self->states);
  g_hash_table_remove_all (self->dirty);
  g_hash_table_remove_all (self->dirty_states);
  if (self->store != NULL)
    foyer_store_delete_namespace (self->store, FOYER_STORE_NS_SEARCH, NULL);
}

static void
do_state (FoyerSearchIndex *self, Op *op)
{
  BackfillState *state = g_new0 (BackfillState, 1);

  state->cursor = g_steal_pointer (&op->cursor);
  state->done = op->done;
  g_hash_table_replace (self->states, g_strdup (op->space), state);
  g_hash_table_add (self->dirty_states, g_strdup (op->space));
  publish (self);
}

static void
do_get_states (FoyerSearchIndex *self, GTask *task)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) backfill_state_free);
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

static gpointer
worker_main (gpointer data)
{
  FoyerSearchIndex *self = data;
  g_autoptr (GError) error = NULL;
  gboolean running = TRUE;

  if (!db_open (self, &error))
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
            do_query (self, op->task);
            break;
          case OP_LOAD:
            do_load (self, op);
            break;
          case OP_APPLY:
            apply_pending (self, FALSE);
            break;
          case OP_WRITE:
            write_dirty (self);
            break;
          case OP_FLUSH:
            apply_pending (self, TRUE);
            write_dirty (self);
            g_task_return_boolean (op->task, TRUE);
            break;
          case OP_STATE:
            do_state (self, op);
            break;
          case OP_GET_STATES:
            do_get_states (self, op->task);
            break;
          case OP_STOP:
            /* Whatever is still queued is written before the end; the
             * main context hears nothing more of an index going away. */
            self->stopping = TRUE;
            if (self->db != NULL)
              {
                apply_pending (self, TRUE);
                write_dirty (self);
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

/* ---- the public side (main context) -------------------------------------------------- */

static gboolean
flush_timeout_cb (gpointer data)
{
  FoyerSearchIndex *self = data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  push (self, op_new (OP_WRITE, NULL));
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
  push (self, op_new (OP_LOAD, inner));
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
    push (self, op_new (OP_APPLY, NULL));
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
  push (self, op_new (OP_FLUSH, task));
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
  push (self, op_new (OP_QUERY, task));
}

FoyerSearchResults *
foyer_search_index_query_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- back-fill ------------------------------------------------------------------------ */

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

static void
set_backfill (FoyerSearchIndex *self, gboolean running, double progress)
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

static void backfill_next_space (GTask *task);

static void
backfill_flushed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerSearchIndex *self = FOYER_SEARCH_INDEX (source);
  Backfill *b = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  set_backfill (self, FALSE, 1.0);
  if (!foyer_search_index_flush_finish (self, result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, b->indexed);
}

static void
backfill_fail (GTask *task, GError *error)
{
  FoyerSearchIndex *self = g_task_get_source_object (task);

  set_backfill (self, FALSE, self->backfill_progress);
  g_task_return_error (task, error);
}

static void
backfill_save (FoyerSearchIndex *self, const char *space, const char *cursor, gboolean done)
{
  Op *op = op_new (OP_STATE, NULL);

  op->space = g_strdup (space);
  op->cursor = g_strdup (cursor);
  op->done = done;
  push (self, op);
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
  set_backfill (self, TRUE, (double) b->next / MAX (b->total, 1));
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
      set_backfill (self, TRUE, (double) b->next / MAX (b->total, 1));
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
  set_backfill (self, TRUE, 0.0);
  /* How far earlier runs got comes from the worker (it read it at load). */
  states = g_task_new (self, cancellable, backfill_states_cb, g_steal_pointer (&task));
  push (self, op_new (OP_GET_STATES, states));
}

guint
foyer_search_index_backfill_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error)
{
  gssize n;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);

  n = g_task_propagate_int (G_TASK (result), error);
  return n < 0 ? 0 : (guint) n;
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
      push (self, op_new (OP_STOP, NULL));
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
                                        (GDestroyNotify) backfill_state_free);
  self->dirty_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->stmts
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sqlite3_finalize);
  self->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
