/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: what the search index reads from outside. The first
 * byte picks:
 *   'Q': what a person types. Whatever the parser makes of it must be a
 *        query FTS5 accepts, and it is run against a small index;
 *   'B': a sealed block of the index read back from the store. A block
 *        accepted must encode back to the very same bytes.
 */
#include "config.h"

#include "foyer-search-block.h"
#include "foyer-search-query.h"

#include <sqlite3.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static sqlite3 *
index_db (void)
{
  static sqlite3 *db;

  if (db == NULL)
    {
      g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db,
                                     "CREATE VIRTUAL TABLE fts USING fts5(text, tokenize = "
                                     "'unicode61 remove_diacritics 2', prefix = '2 3');"
                                     "INSERT INTO fts VALUES ('Le budget de l''été 2027');"
                                     "INSERT INTO fts VALUES ('Quarterly report.docx');",
                                     NULL, NULL, NULL),
                       ==, SQLITE_OK);
    }
  return db;
}

static void
query (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *match = foyer_search_query_to_fts (text);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (match == NULL)
    return;
  g_assert_true (g_utf8_validate (match, -1, NULL));
  g_assert_cmpint (sqlite3_prepare_v2 (
                       index_db (), "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rowid DESC",
                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    g_error ("FTS5 refused the query “%s” made of “%s”: %s", match, text,
             sqlite3_errmsg (index_db ()));
  sqlite3_finalize (stmt);
}

static void
block (const guint8 *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = foyer_search_block_decode (bytes, "space", &error);
  g_autoptr (GBytes) again = NULL;

  if (entries == NULL)
    {
      g_assert_nonnull (error);
      return;
    }
  again = foyer_search_block_encode (entries);
  g_assert_true (g_bytes_equal (again, bytes) || entries->len == 0);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size < 1)
    return 0;
  if (data[0] == 'Q')
    query (data + 1, size - 1);
  else if (data[0] == 'B')
    block (data + 1, size - 1);
  return 0;
}
