/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of the storage interface share (foyer-svc-db.c, the
 * typed operations in foyer-svc-db-{people,spaces,messages,events,kms,
 * export}.c, and the engines foyer-svc-db-sqlite.c and foyer-svc-db-pg.c):
 * the runner of lookups and its row converters, the columns those read,
 * and what both engines do the same apart from their SQL. Not for the
 * request handlers, which use foyer-svc-db.h only.
 */
#pragma once

#include "foyer-svc-db.h"

G_BEGIN_DECLS

/* The columns the converters below read, in their order, for the engines'
 * statements: person_from_row (foyer-svc-db-people.c), space_from_row
 * (foyer-svc-db-spaces.c: a space is "s") and message_from_row
 * (foyer-svc-db-messages.c). */
#define PERSON_COLUMNS "id, email, name, is_admin, disabled, removed"
#define SPACE_COLUMNS                                                                              \
  "s.id, s.title, s.kms_resource_uri, s.creator_id, s.created, s.last_seq, s.key_uri, "            \
  "s.rekey_since"
#define MESSAGE_COLUMNS                                                                            \
  "id, space_id, seq, author_id, client_message_id, key_uri, body, attachments, created"

/* The result of a lookup: NULL with no error means "none". */
#define LOOKUP_FAILED(n) ((n) < 0)

/* A row into a value of its type (a FoyerSvcPerson, a FoyerSvcSpace, …),
 * owned by the caller. */
typedef gpointer (*FoyerSvcRowConverter) (FoyerSvcRow *row);

/* Runs a statement and converts its first row: NULL with no error when it
 * returned none. */
gpointer _foyer_svc_db_get_one (FoyerSvcDb *db,
                                FoyerSvcQuery query,
                                const FoyerSvcValue *params,
                                guint n_params,
                                FoyerSvcRowConverter convert,
                                GError **error);
/* Runs a statement and converts every row, into an array that frees them
 * with free_func; NULL on error. */
GPtrArray *_foyer_svc_db_get_all (FoyerSvcDb *db,
                                  FoyerSvcQuery query,
                                  const FoyerSvcValue *params,
                                  guint n_params,
                                  FoyerSvcRowConverter convert,
                                  GDestroyNotify free_func,
                                  GError **error);

#define DB_GET_ONE(db, q, convert, error, ...)                                                     \
  ({                                                                                               \
    const FoyerSvcValue _p[] = { __VA_ARGS__ };                                                    \
    _foyer_svc_db_get_one (db, q, _p, G_N_ELEMENTS (_p), convert, error);                          \
  })
#define DB_GET_ALL(db, q, convert, free_func, error, ...)                                          \
  ({                                                                                               \
    const FoyerSvcValue _p[] = { __VA_ARGS__ };                                                    \
    _foyer_svc_db_get_all (db, q, _p, G_N_ELEMENTS (_p), convert, free_func, error);               \
  })

/* 1 when a statement gives a row, 0 when it gives none, -1 on error. */
int _foyer_svc_db_exists (FoyerSvcDb *db,
                          FoyerSvcQuery query,
                          const FoyerSvcValue *params,
                          guint n_params,
                          GError **error);

#define DB_EXISTS(db, q, error, ...)                                                               \
  ({                                                                                               \
    const FoyerSvcValue _p[] = { __VA_ARGS__ };                                                    \
    _foyer_svc_db_exists (db, q, _p, G_N_ELEMENTS (_p), error);                                    \
  })

/* The number a statement without parameters gives (a count, the latest
 * cursor), 0 when it gives no row, -1 on error. */
gint64 _foyer_svc_db_get_number (FoyerSvcDb *db, FoyerSvcQuery query, GError **error);

/* Converters of single-column results: the first column, as a copy of its
 * text. */
gpointer _foyer_svc_db_text_from_row (FoyerSvcRow *row);
/* The row function of a statement that gives one number: the first row's
 * first column into user_data (a gint64 *). */
gboolean _foyer_svc_db_first_int_cb (FoyerSvcRow *row, gpointer user_data);

/* For the engines' open (): gives a new conversation database its
 * organization id when options ask for it (a second node starting at once
 * keeps the first one's). */
gboolean _foyer_svc_db_init_org (FoyerSvcDb *db, const FoyerSvcDbOptions *options, GError **error);

/* For the engines' export and import (foyer-svc-db-export.c): the SQL
 * that reads a whole export table in its order, and the one that inserts
 * a row of it, with placeholders '$' (PostgreSQL: $1, $2…) or '?' (SQLite),
 * under the engine's own name of the table. */
char *_foyer_svc_export_select_sql (guint table, const char *table_name);
char *_foyer_svc_export_insert_sql (guint table, const char *table_name, char placeholder);

G_END_DECLS
