/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PostgreSQL engine's schema (foyer-svc-db-pg.c has the rest, over
 * foyer-svc-db-pg-private.h): its migrations and how nodes starting
 * together apply them once, the readiness check, and export and import a
 * table at a time.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-pg-private.h"
#include "foyer-svc.h"

#include <stdlib.h>

#define MIGRATION_LOCK 7214420031 /* pg_advisory_lock key of the migrations */

/* The same versions as SQLite's (foyer-svc-db-sqlite.c): version n of
 * either engine holds the same tables. Never edit a released entry. */
static const char *const conversation_migrations[] = {
  "CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);"
  "CREATE TABLE persons (id text PRIMARY KEY, email text NOT NULL, name text NOT NULL,"
  "  password_hash text NOT NULL, is_admin boolean NOT NULL DEFAULT false,"
  "  created bigint NOT NULL);"
  "CREATE UNIQUE INDEX persons_email ON persons (lower (email));"
  /* Posts update their space's row: room for HOT updates. */
  "CREATE TABLE spaces (id text PRIMARY KEY, title text NOT NULL,"
  "  kms_resource_uri text NOT NULL UNIQUE, creator_id text NOT NULL REFERENCES persons (id),"
  "  created bigint NOT NULL, last_seq bigint NOT NULL DEFAULT 0) WITH (fillfactor = 70);"
  "CREATE TABLE members (space_id text NOT NULL REFERENCES spaces (id),"
  "  person_id text NOT NULL REFERENCES persons (id), added_by text NOT NULL,"
  "  created bigint NOT NULL, PRIMARY KEY (space_id, person_id));"
  "CREATE INDEX members_by_person ON members (person_id);"
  "CREATE TABLE messages (id text PRIMARY KEY, space_id text NOT NULL REFERENCES spaces (id),"
  "  seq bigint NOT NULL, author_id text NOT NULL, client_message_id text NOT NULL,"
  "  key_uri text NOT NULL, body text NOT NULL, attachments text NOT NULL,"
  "  created bigint NOT NULL, UNIQUE (space_id, seq),"
  "  UNIQUE (space_id, author_id, client_message_id));"
  "CREATE TABLE events (cursor bigint PRIMARY KEY, type text NOT NULL, space_id text NOT NULL,"
  "  subject_id text, payload text NOT NULL, created bigint NOT NULL);"
  "CREATE INDEX events_by_space ON events (space_id, cursor);"
  "CREATE INDEX events_by_subject ON events (subject_id, cursor);"
  /* The newest cursor given; its row is the lock that orders commits. */
  "CREATE TABLE event_clock (one boolean PRIMARY KEY DEFAULT true CHECK (one),"
  "  last bigint NOT NULL);"
  "INSERT INTO event_clock (last) VALUES (0);",
  "CREATE TABLE sessions (id text PRIMARY KEY, person_id text NOT NULL REFERENCES persons (id),"
  "  created bigint NOT NULL, expires bigint NOT NULL, revoked bigint);"
  "CREATE INDEX sessions_by_person ON sessions (person_id);"
  "ALTER TABLE persons ADD COLUMN disabled boolean NOT NULL DEFAULT false,"
  "  ADD COLUMN removed boolean NOT NULL DEFAULT false;",
  "ALTER TABLE spaces ADD COLUMN key_uri text, ADD COLUMN rekey_since bigint;",
};

static const char *const kms_migrations[] = {
  "CREATE TABLE kms_meta (key text PRIMARY KEY, value text NOT NULL);"
  "CREATE TABLE kms_resources (id text PRIMARY KEY, creator_id text NOT NULL,"
  "  created bigint NOT NULL);"
  "CREATE TABLE kms_authorizations (resource_id text NOT NULL REFERENCES kms_resources (id),"
  "  person_id text NOT NULL, created bigint NOT NULL, PRIMARY KEY (resource_id, person_id));"
  "CREATE INDEX kms_authorizations_by_person ON kms_authorizations (person_id);"
  "CREATE TABLE kms_keys (id text PRIMARY KEY,"
  "  resource_id text NOT NULL REFERENCES kms_resources (id),"
  "  wrapped bytea NOT NULL, created bigint NOT NULL);",
  "ALTER TABLE kms_keys ADD COLUMN kek text;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (conversation_migrations) == FOYER_SVC_CONVERSATION_SCHEMA);
G_STATIC_ASSERT (G_N_ELEMENTS (kms_migrations) == FOYER_SVC_KMS_SCHEMA);

/* ---- Schema ---- */

static int
version_of (PgDb *self, const char *component)
{
  g_autofree char *sql
      = g_strdup_printf ("SELECT version FROM foyer_schema WHERE component = '%s'", component);
  PGresult *result = PQexec (self->conn, sql);
  int version = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK)
    version = PQntuples (result) > 0 ? atoi (PQgetvalue (result, 0, 0)) : 0;
  PQclear (result);
  return version;
}

static gboolean
migrate_part (PgDb *self,
              const char *component,
              const char *const *migrations,
              int n_migrations,
              GError **error)
{
  int version = version_of (self, component);

  if (version < 0)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Cannot read the schema version: %s",
                              PQerrorMessage (self->conn));
      return FALSE;
    }
  if (version > n_migrations)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL,
                              "The database's %s schema has version %d, newer than this "
                              "foyer-service (%d)",
                              component, version, n_migrations);
      return FALSE;
    }
  for (int v = version; v < n_migrations; v++)
    {
      g_autofree char *bump
          = g_strdup_printf ("INSERT INTO foyer_schema (component, version) VALUES ('%s', %d)"
                             " ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version",
                             component, v + 1);

      if (!_foyer_svc_pg_exec_simple (self, "BEGIN", error))
        return FALSE;
      if (!_foyer_svc_pg_exec_simple (self, migrations[v], error)
          || !_foyer_svc_pg_exec_simple (self, bump, error)
          || !_foyer_svc_pg_exec_simple (self, "COMMIT", error))
        {
          _foyer_svc_pg_exec_simple (self, "ROLLBACK", NULL);
          g_prefix_error (error, "Migrating the %s schema to version %d: ", component, v + 1);
          return FALSE;
        }
      g_message ("Migrated the %s schema to version %d", component, v + 1);
    }
  return TRUE;
}

/* Under an advisory lock: nodes starting together migrate once, the
 * others wait for it and find the schema current. */
gboolean
_foyer_svc_pg_migrate (PgDb *self,
                       FoyerSvcPart parts,
                       const FoyerSvcDbOptions *options,
                       GError **error)
{
  g_autofree char *lock
      = g_strdup_printf ("SELECT pg_advisory_lock (%" G_GINT64_FORMAT ")", (gint64) MIGRATION_LOCK);
  g_autofree char *unlock = g_strdup_printf ("SELECT pg_advisory_unlock (%" G_GINT64_FORMAT ")",
                                             (gint64) MIGRATION_LOCK);
  gboolean ok;

  if (!_foyer_svc_pg_exec_simple (self, lock, error))
    return FALSE;
  ok = _foyer_svc_pg_exec_simple (
           self,
           "CREATE TABLE IF NOT EXISTS foyer_schema (component text PRIMARY KEY,"
           " version integer NOT NULL)",
           error)
       && (!(parts & FOYER_SVC_PART_CONVERSATION) || !options->migrate
           || migrate_part (self, "conversation", conversation_migrations,
                            G_N_ELEMENTS (conversation_migrations), error))
       && (!(parts & FOYER_SVC_PART_KMS) || !options->migrate
           || migrate_part (self, "kms", kms_migrations, G_N_ELEMENTS (kms_migrations), error));
  _foyer_svc_pg_exec_simple (self, unlock, NULL);
  return ok;
}

int
_foyer_svc_pg_schema_version (FoyerSvcDb *db, FoyerSvcPart part)
{
  PgDb *self = _foyer_svc_pg_db (db);

  if (!(db->parts & part) || !_foyer_svc_pg_ensure_connected (self, NULL))
    return -1;
  return version_of (self, part == FOYER_SVC_PART_KMS ? "kms" : "conversation");
}

/* A part's schema is there and at the version this build knows. */
static gboolean
check_part_ready (PgDb *self, const char *component, const char *label, int known, GError **error)
{
  int version = version_of (self, component);

  if (version < 0)
    {
      _foyer_svc_pg_set_error (self, NULL, error);
      return FALSE;
    }
  if (version != known)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "The %s schema is at version %d, not %d",
                              label, version, known);
      return FALSE;
    }
  return TRUE;
}

gboolean
_foyer_svc_pg_check_ready (FoyerSvcDb *db, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);

  return _foyer_svc_pg_ensure_connected (self, error)
         && (!(db->parts & FOYER_SVC_PART_CONVERSATION)
             || check_part_ready (self, "conversation", "conversation",
                                  FOYER_SVC_CONVERSATION_SCHEMA, error))
         && (!(db->parts & FOYER_SVC_PART_KMS)
             || check_part_ready (self, "kms", "KMS", FOYER_SVC_KMS_SCHEMA, error));
}

/* ---- Export and import ---- */

/* A row at a time (single-row mode): a table of millions of messages does
 * not have to fit in memory. */
gboolean
_foyer_svc_pg_export_table (
    FoyerSvcDb *db, guint table, FoyerSvcRowFunc func, gpointer user_data, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);
  g_autofree char *sql = _foyer_svc_export_select_sql (table, foyer_svc_export_tables[table].name);
  PGresult *result;
  gboolean ok = TRUE, wanted = TRUE;

  if (!_foyer_svc_pg_ensure_connected (self, error))
    return FALSE;
  if (!PQsendQuery (self->conn, sql) || !PQsetSingleRowMode (self->conn))
    {
      _foyer_svc_pg_set_error (self, NULL, error);
      return FALSE;
    }
  while ((result = PQgetResult (self->conn)) != NULL)
    {
      ExecStatusType status = PQresultStatus (result);

      if (status == PGRES_SINGLE_TUPLE && wanted && ok)
        {
          FoyerSvcRow row = { &_foyer_svc_pg_engine, result, 0, NULL };

          wanted = func (&row, user_data);
          g_clear_pointer (&row.unescaped, PQfreemem);
        }
      else if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK && ok)
        {
          _foyer_svc_pg_set_error (self, result, error);
          ok = FALSE;
        }
      PQclear (result);
    }
  return ok;
}

gboolean
_foyer_svc_pg_import_row (FoyerSvcDb *db, guint table, const FoyerSvcValue *values, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);
  const FoyerSvcExportTable *t = &foyer_svc_export_tables[table];
  g_autofree char *sql = NULL;
  char name[16];

  g_return_val_if_fail (table < G_N_ELEMENTS (self->prepared_import), FALSE);
  sql = _foyer_svc_export_insert_sql (table, t->name, '$');
  g_snprintf (name, sizeof name, "i%u", table);
  return _foyer_svc_pg_run_prepared (self, 0, name, sql, &self->prepared_import[table], values,
                                     t->n_columns, NULL, NULL, error)
         >= 0;
}

gboolean
_foyer_svc_pg_import_finish (FoyerSvcDb *db, GError **error)
{
  if (!(db->parts & FOYER_SVC_PART_CONVERSATION))
    return TRUE;
  return _foyer_svc_pg_exec_simple (
      _foyer_svc_pg_db (db),
      "UPDATE event_clock SET last = (SELECT COALESCE (max (cursor), 0) FROM events)", error);
}

gboolean
_foyer_svc_pg_snapshot_begin (FoyerSvcDb *db, GError **error)
{
  return _foyer_svc_pg_exec_simple (_foyer_svc_pg_db (db),
                                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
}

void
_foyer_svc_pg_snapshot_end (FoyerSvcDb *db)
{
  _foyer_svc_pg_exec_simple (_foyer_svc_pg_db (db), "COMMIT", NULL);
}
