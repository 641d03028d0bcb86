/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * On-device search over 50 spaces × 10,000 messages (FOYER_BENCH_SPACES,
 * FOYER_BENCH_MESSAGES), min/median/max over FOYER_BENCH_RUNS runs (3),
 * each figure next to a reference from the same run:
 *  - time to index, against a plain SQLite FTS5 database on disk over the
 *    same text (the same tokenizer and prefixes);
 *  - first results while typing (the slowest keystroke of each word, limit
 *    50, goal ≤ 50 ms), against the same queries on that FTS5 database and
 *    a linear scan of the decrypted text;
 *  - the index's size in memory and its sealed copy's on disk, against the
 *    messages' own size;
 *  - building the index again from its sealed copy at start, against
 *    indexing from the text.
 * When the SQLCipher benchmark was built (Debian's libsqlcipher-dev), it
 * runs on the same corpus in its own process and its figures follow.
 */
#include "config.h"

#include "foyer-search-index.h"
#include "foyer-search-results.h"
#include "search-corpus-sql.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static guint spaces = 50, per_space = 10000, runs = 3;

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
flush (FoyerSearchIndex *index)
{
  GAsyncResult *result = NULL;

  foyer_search_index_flush_async (index, NULL, result_cb, &result);
  if (!foyer_search_index_flush_finish (index, wait_result (&result), NULL))
    g_error ("flush failed");
  g_object_unref (result);
}

static GPtrArray *
entries_of (Corpus *corpus)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);

  for (guint i = 0; i < corpus->messages->len; i++)
    {
      CorpusMessage *m = corpus->messages->pdata[i];
      g_autofree char *space = g_strdup_printf ("space-%02u-1f0e9a6b-3c2d-4e5f", m->space);
      g_autofree char *item = g_strdup_printf ("msg-%u-%u-8a7b6c5d4e3f", m->space, m->index);

      g_ptr_array_add (entries, foyer_search_entry_new (
                                    m->file ? FOYER_SEARCH_KIND_FILE : FOYER_SEARCH_KIND_MESSAGE,
                                    space, item, m->created,
                                    m->index % 2 ? "Alice Martin" : "Bob Dupont", m->text));
    }
  return entries;
}

/* ---- Foyer's index ---------------------------------------------------------------------- */

static double
index_all (FoyerSearchIndex *index, GPtrArray *entries)
{
  double start = corpus_now_ms ();

  foyer_search_index_add_many (index, entries);
  flush (index);
  return corpus_now_ms () - start;
}

static double
query_ms (FoyerSearchIndex *index, const char *text, guint *hits)
{
  GAsyncResult *result = NULL;
  g_autoptr (FoyerSearchResults) results = NULL;
  double start = corpus_now_ms ();

  foyer_search_index_query_async (index, text, 50, NULL, result_cb, &result);
  results = foyer_search_index_query_finish (index, wait_result (&result), NULL);
  g_object_unref (result);
  if (results == NULL)
    g_error ("query failed");
  if (hits != NULL)
    *hits = foyer_search_results_get_n_hits (results);
  return corpus_now_ms () - start;
}

static double
keystroke_ms (const char *typed, gpointer index)
{
  return query_ms (index, typed, NULL);
}

/* The slowest keystroke while each word is typed. */
static double
typing_ms (FoyerSearchIndex *index)
{
  return corpus_typing_worst_ms (keystroke_ms, index);
}

/* ---- the references: FTS5 on disk, and a scan ------------------------------------------ */

static double
fts5_index (Corpus *corpus, const char *path)
{
  sqlite3 *db;
  double start = corpus_now_ms ();

  g_unlink (path);
  corpus_sql_check (sqlite3_open (path, &db), db);
  corpus_sql_fill (corpus, db,
                   "CREATE VIRTUAL TABLE fts USING fts5(text, space UNINDEXED, item UNINDEXED,"
                   " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3',"
                   " columnsize = 0)",
                   "INSERT INTO fts (rowid, text, space, item) VALUES (?, ?, ?, ?)");
  sqlite3_close (db);
  return corpus_now_ms () - start;
}

static double
fts5_keystroke_ms (const char *typed, gpointer s)
{
  g_autofree char *match = g_strdup_printf ("\"%s\"*", typed);

  return corpus_sql_query_ms (s, match);
}

static double
fts5_typing_ms (const char *path)
{
  sqlite3 *db;
  sqlite3_stmt *s;
  double worst;

  corpus_sql_check (sqlite3_open (path, &db), db);
  corpus_sql_check (
      sqlite3_prepare_v2 (db,
                          "SELECT rowid, space, item, snippet (fts, 0, '[', ']', '…', 32)"
                          " FROM fts WHERE fts MATCH ? ORDER BY rowid DESC LIMIT 50",
                          -1, &s, NULL),
      db);
  worst = corpus_typing_worst_ms (fts5_keystroke_ms, s);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return worst;
}

/* What a search without an index does: every message, case-folded. */
static double
scan_ms (Corpus *corpus, const char *word)
{
  g_autofree char *needle = g_utf8_casefold (word, -1);
  double start = corpus_now_ms ();
  guint found = 0;

  for (guint i = corpus->messages->len; i-- > 0 && found < 50;)
    {
      CorpusMessage *m = corpus->messages->pdata[i];
      g_autofree char *folded = g_utf8_casefold (m->text, -1);

      if (strstr (folded, needle) != NULL)
        found++;
    }
  /* The rarest word: the scan goes through everything. */
  return corpus_now_ms () - start;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static guint64
tree_size (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      total += file_size (path);
    }
  return total;
}

/* ---- rebuilding from the sealed copy ------------------------------------------------------ */

static double
sealed_copy (GPtrArray *entries, const char *dir, double *load_ms, guint64 *disk_bytes)
{
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = foyer_store_open_sync (path, "bench-search", NULL, &error);
  g_autoptr (FoyerSearchIndex) index = NULL;
  g_autoptr (FoyerSearchIndex) again = NULL;
  GAsyncResult *result = NULL;
  double write_ms, start;

  if (store == NULL)
    g_error ("no store: %s", error->message);
  index = foyer_search_index_new (store);
  write_ms = index_all (index, entries);
  g_clear_object (&index);
  foyer_store_close (store);
  g_clear_object (&store);
  *disk_bytes = tree_size (dir);

  store = foyer_store_open_sync (path, "bench-search", NULL, &error);
  again = foyer_search_index_new (store);
  start = corpus_now_ms ();
  foyer_search_index_load_async (again, NULL, result_cb, &result);
  if (!foyer_search_index_load_finish (again, wait_result (&result), &error))
    g_error ("load failed: %s", error->message);
  g_object_unref (result);
  *load_ms = corpus_now_ms () - start;
  if (foyer_search_index_get_n_entries (again) != entries->len)
    g_error ("the rebuilt index has %u entries, not %u", foyer_search_index_get_n_entries (again),
             entries->len);
  foyer_search_index_clear (again);
  flush (again);
  return write_ms;
}

static void
run_sqlcipher (const char *dir)
{
  g_autofree char *helper
      = g_build_filename (g_getenv ("FOYER_BUILDDIR") ?: FOYER_BUILDDIR, "tests", "bench", "search",
                          "bench-search-sqlcipher", NULL);
  g_autofree char *spaces_s = g_strdup_printf ("%u", spaces);
  g_autofree char *per_s = g_strdup_printf ("%u", per_space);
  g_autofree char *runs_s = g_strdup_printf ("%u", runs);
  const char *argv[] = { helper, spaces_s, per_s, runs_s, dir, NULL };
  g_autoptr (GError) error = NULL;
  int status;

  if (!g_file_test (helper, G_FILE_TEST_IS_EXECUTABLE))
    {
      printf ("# SQLCipher: not built (libsqlcipher-dev is not installed)\n");
      return;
    }
  fflush (stdout);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL,
                     NULL, &status, &error))
    g_warning ("SQLCipher benchmark: %s", error->message);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("foyer-bench-search-XXXXXX", NULL);
  g_autofree char *fts5_path = g_build_filename (dir, "reference-fts5.db", NULL);
  Corpus *corpus;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GArray) index_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) fts5_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) index_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) typing = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) fts5_typing = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) scan = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) memory_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) fts5_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) sealed_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) load = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) load_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) write = g_array_new (FALSE, FALSE, sizeof (double));

  spaces = (guint) g_ascii_strtoull (g_getenv ("FOYER_BENCH_SPACES") ?: "50", NULL, 10);
  per_space = (guint) g_ascii_strtoull (g_getenv ("FOYER_BENCH_MESSAGES") ?: "10000", NULL, 10);
  runs = MAX (1, (guint) g_ascii_strtoull (g_getenv ("FOYER_BENCH_RUNS") ?: "3", NULL, 10));
  corpus = corpus_new (spaces, per_space);
  entries = entries_of (corpus);
  printf ("# %u spaces × %u messages = %u, %.1f MiB of text, %u runs\n", spaces, per_space,
          corpus->messages->len, corpus->text_bytes / 1048576.0, runs);

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr (FoyerSearchIndex) index = foyer_search_index_new (NULL);
      double ours = index_all (index, entries);
      double theirs = fts5_index (corpus, fts5_path);
      double mem = foyer_search_index_get_memory_size (index) / (double) corpus->text_bytes;
      double disk = file_size (fts5_path) / (double) corpus->text_bytes;
      double t = typing_ms (index), t5 = fts5_typing_ms (fts5_path);
      double s = scan_ms (corpus, "xylophone");
      g_autofree char *sealed_dir = g_build_filename (dir, "sealed", NULL);
      double load_ms = 0, w;
      guint64 sealed_bytes = 0;
      double ratio = ours / theirs, sealed, lr;

      g_mkdir_with_parents (sealed_dir, 0700);
      w = sealed_copy (entries, sealed_dir, &load_ms, &sealed_bytes);
      sealed = sealed_bytes / (double) corpus->text_bytes;
      lr = load_ms / ours;
      printf ("# run %u: index %.0f ms (FTS5 on disk %.0f ms), typing %.1f ms (FTS5 %.1f ms, scan "
              "%.0f ms), memory %.0f MiB, rebuilt from the sealed copy in %.0f ms\n",
              r + 1, ours, theirs, t, t5, s, foyer_search_index_get_memory_size (index) / 1048576.0,
              load_ms);
      g_array_append_val (index_ms, ours);
      g_array_append_val (fts5_ms, theirs);
      g_array_append_val (index_ratio, ratio);
      g_array_append_val (typing, t);
      g_array_append_val (fts5_typing, t5);
      g_array_append_val (scan, s);
      g_array_append_val (memory_ratio, mem);
      g_array_append_val (fts5_ratio, disk);
      g_array_append_val (sealed_ratio, sealed);
      g_array_append_val (load, load_ms);
      g_array_append_val (load_ratio, lr);
      g_array_append_val (write, w);
    }
  corpus_print_range ("time to index (in memory)", index_ms, "ms");
  corpus_print_range ("  reference: plain FTS5 on disk", fts5_ms, "ms");
  corpus_print_range ("  ratio", index_ratio, "x");
  corpus_print_range ("first results while typing, slowest key (goal <= 50)", typing, "ms");
  corpus_print_range ("  reference: the same on plain FTS5 on disk", fts5_typing, "ms");
  corpus_print_range ("  reference: a linear scan of the text", scan, "ms");
  corpus_print_range ("index in memory / the messages' text", memory_ratio, "x");
  corpus_print_range ("  reference: plain FTS5 on disk / the text", fts5_ratio, "x");
  corpus_print_range ("sealed copy on disk / the text", sealed_ratio, "x");
  corpus_print_range ("indexing with its sealed copy written", write, "ms");
  corpus_print_range ("rebuilt at start from the sealed copy", load, "ms");
  corpus_print_range ("  ratio to indexing the text", load_ratio, "x");
  run_sqlcipher (dir);
  corpus_free (corpus);
  return 0;
}
