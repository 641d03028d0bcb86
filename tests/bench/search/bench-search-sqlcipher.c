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

#include "search-corpus.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_range (const char *what, GArray *values, const char *unit)
{
  g_array_sort (values, compare_doubles);
  printf ("%-58s min %9.2f  median %9.2f  max %9.2f %s\n", what, g_array_index (values, double, 0),
          g_array_index (values, double, values->len / 2),
          g_array_index (values, double, values->len - 1), unit);
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
check (int rc, sqlite3 *db)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("sqlcipher: %s", sqlite3_errmsg (db));
}

static sqlite3 *
open_keyed (const char *path, const char *key)
{
  sqlite3 *db;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA key = \"x'%s'\";", key);

  check (sqlite3_open (path, &db), db);
  check (sqlite3_exec (db, pragma, NULL, NULL, NULL), db);
  return db;
}

static double
index_all (Corpus *corpus, const char *path, const char *key)
{
  sqlite3 *db;
  sqlite3_stmt *s;
  double start = now_ms ();

  g_unlink (path);
  db = open_keyed (path, key);
  check (sqlite3_exec (db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                       "CREATE VIRTUAL TABLE fts USING fts4(text, space, item,"
                       " tokenize=unicode61 \"remove_diacritics=1\", prefix=\"2,3\","
                       " notindexed=space, notindexed=item); BEGIN;",
                       NULL, NULL, NULL),
         db);
  check (sqlite3_prepare_v2 (db, "INSERT INTO fts (docid, text, space, item) VALUES (?, ?, ?, ?)",
                             -1, &s, NULL),
         db);
  for (guint i = 0; i < corpus->messages->len; i++)
    {
      CorpusMessage *m = corpus->messages->pdata[i];

      sqlite3_reset (s);
      sqlite3_bind_int64 (s, 1, m->created);
      sqlite3_bind_text (s, 2, m->text, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 3, (int) m->space);
      sqlite3_bind_int (s, 4, (int) m->index);
      check (sqlite3_step (s), db);
    }
  sqlite3_finalize (s);
  check (sqlite3_exec (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL), db);
  sqlite3_close (db);
  return now_ms () - start;
}

static double
query (sqlite3 *db, sqlite3_stmt *s, const char *typed)
{
  g_autofree char *match = g_strdup_printf ("%s*", typed);
  double start = now_ms ();

  sqlite3_reset (s);
  sqlite3_bind_text (s, 1, match, -1, SQLITE_STATIC);
  while (sqlite3_step (s) == SQLITE_ROW)
    ;
  return now_ms () - start;
}

static double
typing_ms (const char *path, const char *key, double *open_first_ms)
{
  double start = now_ms ();
  sqlite3 *db = open_keyed (path, key);
  sqlite3_stmt *s;
  double worst = 0;

  check (sqlite3_prepare_v2 (db,
                             "SELECT docid, space, item, snippet (fts, '[', ']', '…', 0, 32)"
                             " FROM fts WHERE fts MATCH ? ORDER BY docid DESC LIMIT 50",
                             -1, &s, NULL),
         db);
  /* Opening costs the key derivation, paid before the first result. */
  *open_first_ms = query (db, s, "b") + (now_ms () - start);
  for (guint w = 0; corpus_typed_words[w] != NULL; w++)
    {
      const char *word = corpus_typed_words[w];

      for (const char *p = g_utf8_next_char (word);; p = g_utf8_next_char (p))
        {
          g_autofree char *typed = g_strndup (word, (gsize) (p - word));

          worst = MAX (worst, query (db, s, typed));
          if (*p == '\0')
            break;
        }
    }
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
  print_range ("SQLCipher FTS4: time to index", index_ms, "ms");
  print_range ("SQLCipher FTS4: first results while typing, slowest key", typing, "ms");
  print_range ("SQLCipher FTS4: open (key derivation) and first results", open_first, "ms");
  print_range ("SQLCipher FTS4: database on disk / the text", size_ratio, "x");
  g_unlink (path);
  g_string_free (key, TRUE);
  corpus_free (corpus);
  return 0;
}
