/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The corpus in an SQL full-text table, for the references the benchmarks
 * measure Foyer's index against: plain SQLite FTS5 (bench-search) and
 * SQLCipher FTS4 (bench-search-sqlcipher). Built into each program with
 * the sqlite3.h of the library it links.
 */
#pragma once

#include "search-corpus.h"

#include <sqlite3.h>

/* Any result but OK, DONE or ROW ends the benchmark with db's error. */
void corpus_sql_check (int rc, sqlite3 *db);

/* In one transaction: create_sql (the FTS table, after WAL and synchronous
 * NORMAL), then insert_sql (?1 the id, ?2 the text, ?3 the space, ?4 the
 * item) for each message; then a checkpoint. */
void corpus_sql_fill (Corpus *corpus, sqlite3 *db, const char *create_sql, const char *insert_sql);

/* Runs s (its ?1 bound to match) to its last row → the milliseconds it took. */
double corpus_sql_query_ms (sqlite3_stmt *s, const char *match);
