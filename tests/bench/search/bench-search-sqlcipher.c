/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The other way to keep a search index with no plaintext on disk: one
 * SQLCipher database. Debian 12's SQLCipher (3.4.1) is built on SQLite
 * 3.15.2 without FTS5, so this measures FTS4 with the same tokenizer
 * options it has. A process of its own: SQLCipher exports the same
 * sqlite3_* symbols as the SQLite that libsoup, WebKit and Foyer's store
 * load, and in one process one of the two silently serves both.
 *
 *   bench-search-sqlcipher SPACES PER_SPACE RUNS DIR
 */
#include "config.h"

#include "search-corpus-sql.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static sqlite3 *
open_keyed (const char *path, const char *key)
{
  sqlite3 *db;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\";", key);

  corpus_sql_check (sqlite3_open (path, &db), db);
  corpus_sql_check (sqlite3_exec (db, pragma, NULL, NULL, NULL), db);
  return db;
}

static double
index_all (Corpus *corpus, const char *path, const char *key)
{
  sqlite3 *db;
  double start = corpus_now_ms ();

  g_unlink (path);
  db = open_keyed (path, key);
  corpus_sql_fill (corpus, db,
                   "CREATE VIRTUAL TABLE fts USING fts4(text, space, item,"
                   " tokenize=unicode61 \"remove_diacritics=1\", prefix=\"2,3\","
                   " notindexed=space, notindexed=item)",
                   "INSERT INTO fts (docid, text, space, item) VALUES (?, ?, ?, ?)");
  sqlite3_close (db);
  return corpus_now_ms () - start;
}

static double
query (const char *typed, gpointer s)
{
  g_autofree char *match = g_strdup_printf ("%s*", typed);

  return corpus_sql_query_ms (s, match);
}

static double
typing_ms (const char *path, const char *key, double *open_first_ms)
{
  double start = corpus_now_ms ();
  sqlite3 *db = open_keyed (path, key);
  sqlite3_stmt *s;
  double worst;

  corpus_sql_check (
      sqlite3_prepare_v2 (db,
                          "SELECT docid, space, item, snippet (fts, '[', ']', '…', 0, 32)"
                          " FROM fts WHERE fts MATCH ? ORDER BY docid DESC LIMIT 50",
                          -1, &s, NULL),
      db);
  /* Opening costs the key derivation, paid before the first result. */
  *open_first_ms = query ("b", s) + (corpus_now_ms () - start);
  worst = corpus_typing_worst_ms (query, s);
  sqlite3_finalize (s);
  sqlite3_close (db);
  return worst;
}

static gboolean
file_has (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + strlen (needle) <= len; i++)
    if (memcmp (data + i, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  guint spaces, per_space, runs;
  Corpus *corpus;
  g_autofree char *path = NULL;
  guint8 raw[32];
  GString *key = g_string_new (NULL);
  g_autoptr (GArray) index_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) typing = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) open_first = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) size_ratio = g_array_new (FALSE, FALSE, sizeof (double));
  GStatBuf st;

  if (argc != 5)
    {
      g_printerr ("usage: %s SPACES PER_SPACE RUNS DIR\n", argv[0]);
      return 2;
    }
  spaces = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  per_space = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  runs = MAX (1, (guint) g_ascii_strtoull (argv[3], NULL, 10));
  path = g_build_filename (argv[4], "sqlcipher.db", NULL);
  for (gsize i = 0; i < sizeof raw; i++)
    {
      raw[i] = (guint8) g_random_int_range (0, 256);
      g_string_append_printf (key, "%02x", raw[i]);
    }
  corpus = corpus_new (spaces, per_space);
  printf ("# SQLCipher %s (SQLite %s): FTS4, FTS5 is not built in\n", "3.4.1",
          sqlite3_libversion ());
  for (guint r = 0; r < runs; r++)
    {
      double ms = index_all (corpus, path, key->str);
      double open_ms = 0;
      double t = typing_ms (path, key->str, &open_ms);
      double ratio;

      g_stat (path, &st);
      ratio = (double) st.st_size / (double) corpus->text_bytes;
      printf ("# SQLCipher run %u: index %.0f ms, typing %.1f ms, open and first results %.0f ms, "
              "%.0f MiB on disk\n",
              r + 1, ms, t, open_ms, st.st_size / 1048576.0);
      g_array_append_val (index_ms, ms);
      g_array_append_val (typing, t);
      g_array_append_val (open_first, open_ms);
      g_array_append_val (size_ratio, ratio);
    }
  if (file_has (path, "SQLite format 3") || file_has (path, "budget"))
    printf ("# SQLCipher: the file holds plaintext!\n");
  corpus_print_range ("SQLCipher FTS4: time to index", index_ms, "ms");
  corpus_print_range ("SQLCipher FTS4: first results while typing, slowest key", typing, "ms");
  corpus_print_range ("SQLCipher FTS4: open (key derivation) and first results", open_first, "ms");
  corpus_print_range ("SQLCipher FTS4: database on disk / the text", size_ratio, "x");
  g_unlink (path);
  g_string_free (key, TRUE);
  corpus_free (corpus);
  return 0;
}
