/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the two files of the PostgreSQL engine share: foyer-svc-db-pg.c
 * (connections, named statements, units of work, the pool's calls,
 * opening) and foyer-svc-db-pg-schema.c (migrations, readiness, export and
 * import).
 */
#pragma once

#include "foyer-svc-db-private.h"

#include <libpq-fe.h>

G_BEGIN_DECLS

/* Statements of this engine only, after the shared names. */
enum
{
  QP_CLOCK_ADVANCE = Q_N_QUERIES,
  QP_EVENTS_INSERT,
  QP_NOTIFY_EVENTS,
  QP_NOTIFY_SESSIONS,
  QP_N
};

typedef struct
{
  FoyerSvcDb base;
  PGconn *conn;
  char *url;
  gboolean prepared[QP_N];
  gboolean prepared_import[16];
  gboolean batched; /* units of work are savepoints of the batch's transaction */
  gboolean tx_open; /* BEGIN sent */
  gboolean in_unit;
  gboolean lost;    /* the transaction failed outside a unit: it must roll back */
  gint64 failed_at; /* monotonic µs of the last failed connection attempt */
} PgDb;

struct _FoyerSvcRow
{
  const FoyerSvcDbEngine *engine;
  PGresult *result;
  int row;
  unsigned char *unescaped;
};

extern const FoyerSvcDbEngine _foyer_svc_pg_engine;

PgDb *_foyer_svc_pg_db (FoyerSvcDb *db);
void _foyer_svc_pg_set_error (PgDb *self, PGresult *result, GError **error);
gboolean _foyer_svc_pg_ensure_connected (PgDb *self, GError **error);
gboolean _foyer_svc_pg_exec_simple (PgDb *self, const char *sql, GError **error);
gint64 _foyer_svc_pg_run_prepared (PgDb *self,
                                   guint query,
                                   const char *name,
                                   const char *sql,
                                   gboolean *prepared,
                                   const FoyerSvcValue *params,
                                   guint n_params,
                                   FoyerSvcRowFunc func,
                                   gpointer user_data,
                                   GError **error);

/* foyer-svc-db-pg-schema.c */
gboolean _foyer_svc_pg_migrate (PgDb *self,
                                FoyerSvcPart parts,
                                const FoyerSvcDbOptions *options,
                                GError **error);
int _foyer_svc_pg_schema_version (FoyerSvcDb *db, FoyerSvcPart part);
gboolean _foyer_svc_pg_check_ready (FoyerSvcDb *db, GError **error);
gboolean _foyer_svc_pg_export_table (
    FoyerSvcDb *db, guint table, FoyerSvcRowFunc func, gpointer user_data, GError **error);
gboolean
_foyer_svc_pg_import_row (FoyerSvcDb *db, guint table, const FoyerSvcValue *values, GError **error);
gboolean _foyer_svc_pg_import_finish (FoyerSvcDb *db, GError **error);
gboolean _foyer_svc_pg_snapshot_begin (FoyerSvcDb *db, GError **error);
void _foyer_svc_pg_snapshot_end (FoyerSvcDb *db);

G_END_DECLS
