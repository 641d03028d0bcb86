/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the files of the storage interface's typed operations share
 * (foyer-svc-db.c and foyer-svc-db-{people,spaces,messages,events,kms,
 * export}.c): the row readers of single-column results. Not for the
 * request handlers, which use foyer-svc-db.h only.
 */
#pragma once

#include "foyer-svc-db.h"

G_BEGIN_DECLS

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

/* Converters of single-column results: the first column, as a copy of its
 * text. */
gpointer _foyer_svc_db_text_from_row (FoyerSvcRow *row);
/* The row function of a statement that gives one number: the first row's
 * first column into user_data (a gint64 *). */
gboolean _foyer_svc_db_first_int_cb (FoyerSvcRow *row, gpointer user_data);

G_END_DECLS
