/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "search-corpus-sql.h"

void
corpus_sql_check (int rc, sqlite3 *db)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    g_error ("SQL: %s", sqlite3_errmsg (db));
}

void
corpus_sql_fill (Corpus *corpus, sqlite3 *db, const char *create_sql, const char *insert_sql)
{
  g_autofree char *script = g_strconcat ("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                                         create_sql, "; BEGIN;", NULL);
  sqlite3_stmt *s;

  corpus_sql_check (sqlite3_exec (db, script, NULL, NULL, NULL), db);
  corpus_sql_check (sqlite3_prepare_v2 (db, insert_sql, -1, &s, NULL), db);
  for (guint i = 0; i < corpus->messages->len; i++)
    {
      CorpusMessage *m = corpus->messages->pdata[i];

      sqlite3_reset (s);
      sqlite3_bind_int64 (s, 1, m->created);
      sqlite3_bind_text (s, 2, m->text, -1, SQLITE_STATIC);
      sqlite3_bind_int (s, 3, (int) m->space);
      sqlite3_bind_int (s, 4, (int) m->index);
      corpus_sql_check (sqlite3_step (s), db);
    }
  sqlite3_finalize (s);
  corpus_sql_check (sqlite3_exec (db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL),
                    db);
}

double
corpus_sql_query_ms (sqlite3_stmt *s, const char *match)
{
  double start = corpus_now_ms ();

  sqlite3_reset (s);
  sqlite3_bind_text (s, 1, match, -1, SQLITE_STATIC);
  while (sqlite3_step (s) == SQLITE_ROW)
    ;
  return corpus_now_ms () - start;
}
