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

/* Row functions for foyer_svc_db_run (): the first row's first column, as
 * text (user_data a char **, set to a copy) or as a number (a gint64 *);
 * every row's first column as text, added to a GPtrArray (g_free). */
gboolean _foyer_svc_db_first_text_cb (FoyerSvcRow *row, gpointer user_data);
gboolean _foyer_svc_db_first_int_cb (FoyerSvcRow *row, gpointer user_data);
gboolean _foyer_svc_db_texts_cb (FoyerSvcRow *row, gpointer user_data);

G_END_DECLS
