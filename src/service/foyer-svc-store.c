/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"

#include <errno.h>
#include <glib/gstdio.h>

/* Each entry moves the schema one version up; never edit a released one,
 * append a new one. PRAGMA user_version holds the current version. */
static const char *const conversation_migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE persons (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
  "  name TEXT NOT NULL, password_hash TEXT NOT NULL, is_admin INTEGER NOT NULL DEFAULT 0,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE spaces (id TEXT PRIMARY KEY, title TEXT NOT NULL,"
  "  kms_resource_uri TEXT NOT NULL UNIQUE, creator_id TEXT NOT NULL REFERENCES persons(id),"
  "  created INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0);"
  "CREATE TABLE members (space_id TEXT NOT NULL REFERENCES spaces(id),"
  "  person_id TEXT NOT NULL REFERENCES persons(id), added_by TEXT NOT NULL,"
  "  created INTEGER NOT NULL, PRIMARY KEY (space_id, person_id));"
  "CREATE INDEX members_by_person ON members (person_id);"
  "CREATE TABLE messages (id TEXT PRIMARY KEY, space_id TEXT NOT NULL REFERENCES spaces(id),"
  "  seq INTEGER NOT NULL, author_id TEXT NOT NULL, client_message_id TEXT NOT NULL,"
  "  key_uri TEXT NOT NULL, body TEXT NOT NULL, attachments TEXT NOT NULL,"
  "  created INTEGER NOT NULL, UNIQUE (space_id, seq),"
  "  UNIQUE (space_id, author_id, client_message_id));"
  "CREATE TABLE events (cursor INTEGER PRIMARY KEY, type TEXT NOT NULL,"
  "  space_id TEXT NOT NULL, subject_id TEXT, payload TEXT NOT NULL, created INTEGER NOT NULL);"
  "CREATE INDEX events_by_space ON events (space_id, cursor);"
  "CREATE INDEX events_by_subject ON events (subject_id, cursor);",
  /* 2: server-side sessions, so that a token can be revoked before it
   * expires; disabled and removed accounts. */
  "CREATE TABLE sessions (id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES persons(id),"
  "  created INTEGER NOT NULL, expires INTEGER NOT NULL, revoked INTEGER);"
  "CREATE INDEX sessions_by_person ON sessions (person_id);"
  "ALTER TABLE persons ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE persons ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;",
  /* 3: the space's current message key, and when a member left without a
   * new key yet: later messages must use a key the removed member cannot
   * get (docs/service-api.md, Key rotation). */
  "ALTER TABLE spaces ADD COLUMN key_uri TEXT;"
  "ALTER TABLE spaces ADD COLUMN rekey_since INTEGER;",
};

static const char *const kms_migrations[] = {
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE resources (id TEXT PRIMARY KEY, creator_id TEXT NOT NULL,"
  "  created INTEGER NOT NULL);"
  "CREATE TABLE authorizations (resource_id TEXT NOT NULL REFERENCES resources(id),"
  "  person_id TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (resource_id, person_id));"
  "CREATE TABLE keys (id TEXT PRIMARY KEY, resource_id TEXT NOT NULL REFERENCES resources(id),"
  "  wrapped BLOB NOT NULL, created INTEGER NOT NULL);",
  /* 2: which master key wraps each key (NULL: the one before rotation
   * existed), so that the master key can be rotated online. */
  "ALTER TABLE keys ADD COLUMN kek TEXT;",
};

static gboolean full_sync = TRUE;
static gint64 max_bytes;

void
foyer_svc_store_configure (gboolean full, gint64 max)
{
  full_sync = full;
  max_bytes = max;
}

/* A full disk (or the size limit) is the operator's to fix, not a bug: it
 * gets its own status and a message that says nothing was saved. */
static void
set_store_error (sqlite3 *db, int rc, const char *message, GError **error)
{
  if (rc == SQLITE_FULL || sqlite3_extended_errcode (db) == SQLITE_FULL)
    g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STORAGE_FULL,
                         "The service's storage is full, so nothing was saved; try again later");
  else if (rc == SQLITE_CONSTRAINT)
    g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT, "Database error: %s", message);
  else
    g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Database error: %s", message);
}

char *
foyer_svc_new_id (void)
{
  return foyer_random_token (16);
}

gboolean
foyer_svc_store_exec (sqlite3 *db, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      set_store_error (db, rc, message != NULL ? message : sqlite3_errmsg (db), error);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
foyer_svc_store_prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Database error: %s",
                   sqlite3_errmsg (db));
      return NULL;
    }
  return stmt;
}

gboolean
foyer_svc_store_step_done (sqlite3 *db, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  set_store_error (db, rc, sqlite3_errmsg (db), error);
  return FALSE;
}

int
foyer_svc_store_schema_version (sqlite3 *db)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (db, "PRAGMA user_version", NULL);

  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return sqlite3_column_int (stmt, 0);
}

static gboolean
migrate (sqlite3 *db, const char *const *migrations, int n_migrations, GError **error)
{
  int version = foyer_svc_store_schema_version (db);

  if (version > n_migrations)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL,
                   "The database has schema version %d, newer than this foyer-service (%d)",
                   version, n_migrations);
      return FALSE;
    }
  for (int v = version; v < n_migrations; v++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", v + 1);

      if (!foyer_svc_store_exec (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!foyer_svc_store_exec (db, migrations[v], error)
          || !foyer_svc_store_exec (db, bump, error))
        {
          foyer_svc_store_exec (db, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!foyer_svc_store_exec (db, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
limit_size (sqlite3 *db, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  gint64 page_size;

  if (max_bytes <= 0)
    return TRUE;
  stmt = foyer_svc_store_prepare (db, "PRAGMA page_size", error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  page_size = MAX (sqlite3_column_int64 (stmt, 0), 512);
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         MAX (max_bytes / page_size, 1));
  return foyer_svc_store_exec (db, sql, error);
}

static sqlite3 *
open_db (const char *data_dir,
         const char *name,
         const char *const *migrations,
         int n_migrations,
         GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, name, NULL);
  sqlite3 *db = NULL;

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot create %s: %s",
                   data_dir, g_strerror (errno));
      return NULL;
    }
  if (sqlite3_open_v2 (path, &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot open %s: %s", path,
                   db != NULL ? sqlite3_errmsg (db) : "out of memory");
      sqlite3_close (db);
      return NULL;
    }
  g_chmod (path, 0600);
  sqlite3_busy_timeout (db, 5000);
  /* synchronous = FULL: in WAL mode, NORMAL does not sync the WAL at each
   * commit, so a power cut or an OS crash could lose messages and keys
   * that were already acknowledged (docs/decisions.md has the cost). */
  if (!foyer_svc_store_exec (db,
                             full_sync ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                       : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
                             error)
      || !foyer_svc_store_exec (db, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;", error)
      || !limit_size (db, error) || !migrate (db, migrations, n_migrations, error))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
}

sqlite3 *
foyer_svc_store_open_conversation (const char *data_dir, GError **error)
{
  sqlite3 *db = open_db (data_dir, "conversation.db", conversation_migrations,
                         G_N_ELEMENTS (conversation_migrations), error);
  g_autofree char *org = NULL;

  if (db == NULL)
    return NULL;
  org = foyer_svc_store_get_meta (db, "org_id");
  if (org == NULL)
    {
      g_autofree char *id = foyer_svc_new_id ();

      if (!foyer_svc_store_set_meta (db, "org_id", id, error))
        {
          sqlite3_close (db);
          return NULL;
        }
    }
  return db;
}

sqlite3 *
foyer_svc_store_open_kms (const char *data_dir, GError **error)
{
  return open_db (data_dir, "kms.db", kms_migrations, G_N_ELEMENTS (kms_migrations), error);
}

char *
foyer_svc_store_get_meta (sqlite3 *db, const char *key)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (db, "SELECT value FROM meta WHERE key = ?", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

gboolean
foyer_svc_store_set_meta (sqlite3 *db, const char *key, const char *value, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      db, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?2",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return foyer_svc_store_step_done (db, stmt, error);
}
