/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-index-private.h"

#include "foyer-search-block.h"
#include "foyer-search-query.h"
#include "foyer-search-results.h"
#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/*
 * The in-memory database the worker thread owns (nothing of it is ever
 * written to a file):
 *   fts     FTS5 over the text (rowid = created ms × 1024 + a few bits, so
 *           that "ORDER BY rowid DESC" is newest first and needs no sort);
 *   meta    what each row is: space, item, kind, author, and the block of
 *           the sealed copy it belongs to;
 *   spaces, authors   interned names (they repeat on every row).
 */

gboolean
_foyer_search_fts_exec (sqlite3 *db, const char *sql, GError **error)
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

gboolean
_foyer_search_fts_open (FoyerSearchIndex *self, GError **error)
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
  return _foyer_search_fts_exec (self->db, schema, error);
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

/* Runs sql, whose one parameter is id. */
static void
run_on (FoyerSearchIndex *self, const char *sql, gint64 id)
{
  sqlite3_stmt *s = stmt (self, sql);

  sqlite3_bind_int64 (s, 1, id);
  sqlite3_step (s);
}

/* The id of a space or an author (table: "spaces" or "authors"), made
 * when create is set, else -1 when there is none. */
static gint64
intern_lookup (FoyerSearchIndex *self, const char *table, const char *value, gboolean create)
{
  const char *select = g_str_equal (table, "spaces") ? "SELECT sid FROM spaces WHERE space = ?1"
                                                     : "SELECT aid FROM authors WHERE name = ?1";
  const char *insert = g_str_equal (table, "spaces") ? "INSERT INTO spaces (space) VALUES (?1)"
                                                     : "INSERT INTO authors (name) VALUES (?1)";
  sqlite3_stmt *s = stmt (self, select);

  sqlite3_bind_text (s, 1, value, -1, SQLITE_STATIC);
  if (sqlite3_step (s) == SQLITE_ROW)
    return sqlite3_column_int64 (s, 0);
  if (!create)
    return -1;
  s = stmt (self, insert);
  sqlite3_bind_text (s, 1, value, -1, SQLITE_STATIC);
  sqlite3_step (s);
  return sqlite3_last_insert_rowid (self->db);
}

/* Spaces and authors repeat on every row: their ids are remembered. */
static gint64
intern (FoyerSearchIndex *self, const char *table, const char *value, gboolean create)
{
  g_autofree char *key = g_strconcat (table, "\x1f", value, NULL);
  gpointer id;
  gint64 found;

  if (g_hash_table_lookup_extended (self->ids, key, NULL, &id))
    return GPOINTER_TO_SIZE (id);
  found = intern_lookup (self, table, value, create);
  if (found >= 0)
    g_hash_table_insert (self->ids, g_steal_pointer (&key), GSIZE_TO_POINTER ((gsize) found));
  return found;
}

static gint64
space_sid (FoyerSearchIndex *self, const char *space, gboolean create)
{
  return intern (self, "spaces", space, create);
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
  run_on (self, "DELETE FROM fts WHERE rowid = ?1", id);
  run_on (self, "DELETE FROM meta WHERE id = ?1", id);
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

void
_foyer_search_fts_insert (FoyerSearchIndex *self, const FoyerSearchEntry *e, gint64 block)
{
  g_autofree char *text = clean_text (e->text);
  gint64 sid = space_sid (self, e->space_id, TRUE);
  gint64 aid
      = e->author != NULL && *e->author != '\0' ? intern (self, "authors", e->author, TRUE) : -1;
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

guint64
_foyer_search_fts_size (FoyerSearchIndex *self)
{
  sqlite3_stmt *s = stmt (self, "SELECT page_count * page_size FROM pragma_page_count (), "
                                "pragma_page_size ()");

  return sqlite3_step (s) == SQLITE_ROW ? (guint64) sqlite3_column_int64 (s, 0) : 0;
}

GPtrArray *
_foyer_search_fts_block_entries (FoyerSearchIndex *self, const char *space, gint64 block)
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

void
_foyer_search_fts_query (FoyerSearchIndex *self, GTask *task)
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
  _foyer_search_index_apply_some (self, QUERY_APPLY_BUDGET, FALSE);
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

void
_foyer_search_fts_remove (FoyerSearchIndex *self,
                          const char *space,
                          const char *item,
                          FoyerSearchKind kind)
{
  gint64 sid = space_sid (self, space, FALSE);

  if (sid >= 0)
    remove_row (self, sid, space, item, kind);
}

void
_foyer_search_fts_remove_space (FoyerSearchIndex *self, const char *space)
{
  gint64 sid = space_sid (self, space, FALSE);

  if (sid < 0)
    return;
  run_on (self, "DELETE FROM fts WHERE rowid IN (SELECT id FROM meta WHERE sid = ?1)", sid);
  run_on (self, "DELETE FROM meta WHERE sid = ?1", sid);
  self->rows -= (guint) sqlite3_changes (self->db);
}

/* Runs inside the transaction of the changes being applied: a BEGIN of
 * its own would fail, and with it every DELETE after it. The ids go with
 * their rows, or a name seen before would share its old id with the next
 * new one. */
void
_foyer_search_fts_clear (FoyerSearchIndex *self)
{
  g_autoptr (GError) error = NULL;

  if (!_foyer_search_fts_exec (self->db,
                               "DELETE FROM fts; DELETE FROM meta; DELETE FROM spaces;"
                               " DELETE FROM authors;",
                               &error))
    g_warning ("Could not empty the search index: %s", error->message);
  g_hash_table_remove_all (self->ids);
  self->rows = 0;
}
