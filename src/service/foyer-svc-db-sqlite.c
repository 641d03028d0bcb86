/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SQLite engine of the storage interface: the zero-setup default. The
 * data folder holds conversation.db and kms.db (WAL, synchronous FULL),
 * each opened as one connection used from the main loop only. Statements
 * are prepared once and kept (sqlite3_prepare_v2 on every request was a
 * fifth of a post's time).
 *
 * While the service serves, the conversation database is "grouped": the
 * units of work of one turn of the main loop share one transaction, each in
 * a savepoint, and foyer-svc-commit.c commits it at the end of the turn
 * (group commit). Elsewhere (the admin CLI, the KMS database) a unit of work
 * is a transaction of its own.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

/* Statements of this engine only, after the shared names. */
enum
{
  QS_EVENT_NEXT = Q_N_QUERIES,
  QS_EVENT_INSERT,
  QS_N
};

/* Each statement's columns are in the order the typed operations
 * (foyer-svc-db-people.c, -spaces.c, …) read them. */
static const char *const statements[QS_N] = {
  [Q_META_GET] = "SELECT value FROM meta WHERE key = ?1",
  [Q_META_SET]
  = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
  [Q_META_INIT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
  [Q_PERSON_GET] = "SELECT " PERSON_COLUMNS " FROM persons WHERE id = ?1",
  /* email is COLLATE NOCASE: ASCII letters match either case. */
  [Q_PERSON_BY_EMAIL] = "SELECT " PERSON_COLUMNS " FROM persons WHERE email = ?1",
  [Q_PERSON_LOGIN]
  = "SELECT id, password_hash, disabled FROM persons WHERE email = ?1 AND removed = 0",
  [Q_PERSON_INSERT] = "INSERT INTO persons (id, email, name, password_hash, is_admin, created)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [Q_PERSON_LIST] = "SELECT " PERSON_COLUMNS " FROM persons WHERE removed = 0 ORDER BY email",
  [Q_PERSON_SET_DISABLED] = "UPDATE persons SET disabled = ?1 WHERE id = ?2",
  [Q_PERSON_TOMBSTONE] = "UPDATE persons SET removed = 1, disabled = 1, email = ?1,"
                         " password_hash = '' WHERE id = ?2",
  [Q_PERSON_SPACE_IDS] = "SELECT space_id FROM members WHERE person_id = ?1 ORDER BY space_id",
  [Q_SESSION_PRUNE] = "DELETE FROM sessions WHERE expires < ?1 OR revoked < ?1",
  [Q_SESSION_INSERT]
  = "INSERT INTO sessions (id, person_id, created, expires) VALUES (?1, ?2, ?3, ?4)",
  [Q_SESSION_CHECK] = "SELECT s.revoked, s.expires, p.disabled, p.removed FROM sessions s"
                      " JOIN persons p ON p.id = s.person_id WHERE s.id = ?1 AND s.person_id = ?2",
  [Q_SESSION_REVOKE_ONE] = "UPDATE sessions SET revoked = ?1 WHERE id = ?2 AND revoked IS NULL",
  [Q_SESSION_REVOKE_PERSON]
  = "UPDATE sessions SET revoked = ?1 WHERE person_id = ?2 AND revoked IS NULL",
  [Q_SPACE_GET] = "SELECT " SPACE_COLUMNS " FROM spaces s WHERE s.id = ?1",
  [Q_SPACE_INSERT] = "INSERT INTO spaces (id, title, kms_resource_uri, creator_id, created)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
  [Q_SPACES_OF_PERSON] = "SELECT " SPACE_COLUMNS " FROM spaces s JOIN members m"
                         " ON m.space_id = s.id WHERE m.person_id = ?1 ORDER BY s.created, s.id",
  [Q_SPACE_BY_RESOURCE] = "SELECT id FROM spaces WHERE kms_resource_uri = ?1",
  [Q_SPACE_MARK_REKEY] = "UPDATE spaces SET rekey_since = ?1 WHERE id = ?2",
  [Q_SPACE_SET_KEY] = "UPDATE spaces SET key_uri = ?1, rekey_since = NULL WHERE id = ?2",
  [Q_SPACE_BUMP_SEQ] = "UPDATE spaces SET last_seq = last_seq + 1 WHERE id = ?1"
                       " AND rekey_since IS NULL AND (key_uri IS NULL OR key_uri = ?2)"
                       " RETURNING last_seq",
  [Q_MEMBER_IS] = "SELECT 1 FROM members WHERE space_id = ?1 AND person_id = ?2",
  [Q_MEMBER_INSERT]
  = "INSERT INTO members (space_id, person_id, added_by, created) VALUES (?1, ?2, ?3, ?4)",
  [Q_MEMBER_DELETE] = "DELETE FROM members WHERE space_id = ?1 AND person_id = ?2",
  [Q_MEMBERS_LIST] = "SELECT p.id, p.email, p.name, m.added_by, m.created FROM members m"
                     " JOIN persons p ON p.id = m.person_id WHERE m.space_id = ?1"
                     " ORDER BY m.created, p.id",
  [Q_MEMBER_IDS] = "SELECT person_id FROM members WHERE space_id = ?1",
  [Q_MESSAGE_INSERT] = "INSERT INTO messages (" MESSAGE_COLUMNS ")"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
  [Q_MESSAGE_BY_ID] = "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?1",
  [Q_MESSAGE_BY_CLIENT_ID] = "SELECT " MESSAGE_COLUMNS " FROM messages"
                             " WHERE space_id = ?1 AND author_id = ?2 AND client_message_id = ?3",
  [Q_MESSAGES_BEFORE] = "SELECT " MESSAGE_COLUMNS " FROM messages"
                        " WHERE space_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
  [Q_EVENTS_LATEST] = "SELECT COALESCE (MAX (cursor), 0) FROM events",
  [Q_EVENTS_CATCH_UP]
  = "SELECT (SELECT COALESCE (MAX (cursor), 0) FROM events), cursor, payload FROM events"
    " WHERE cursor > ?1 AND (subject_id = ?2 OR space_id IN"
    " (SELECT space_id FROM members WHERE person_id = ?2)) ORDER BY cursor LIMIT ?3",
  [Q_EVENTS_AFTER] = "SELECT cursor, type, space_id, subject_id, payload FROM events"
                     " WHERE cursor > ?1 ORDER BY cursor LIMIT ?2",
  /* kms.db */
  [Q_KMS_META_GET] = "SELECT value FROM meta WHERE key = ?1",
  [Q_KMS_META_SET]
  = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
  [Q_KMS_META_INIT] = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
  [Q_KMS_RESOURCE_EXISTS] = "SELECT 1 FROM resources WHERE id = ?1",
  [Q_KMS_RESOURCE_INSERT] = "INSERT INTO resources (id, creator_id, created) VALUES (?1, ?2, ?3)",
  [Q_KMS_AUTH_CHECK] = "SELECT 1 FROM authorizations WHERE resource_id = ?1 AND person_id = ?2",
  [Q_KMS_AUTH_ADD] = "INSERT INTO authorizations (resource_id, person_id, created)"
                     " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
  [Q_KMS_AUTH_DELETE] = "DELETE FROM authorizations WHERE resource_id = ?1 AND person_id = ?2",
  [Q_KMS_AUTH_LIST] = "SELECT person_id FROM authorizations WHERE resource_id = ?1"
                      " ORDER BY created, person_id",
  [Q_KMS_AUTH_DELETE_PERSON] = "DELETE FROM authorizations WHERE person_id = ?1",
  [Q_KMS_KEY_INSERT]
  = "INSERT INTO keys (id, resource_id, wrapped, created, kek) VALUES (?1, ?2, ?3, ?4, ?5)",
  [Q_KMS_KEY_GET] = "SELECT resource_id, wrapped, kek FROM keys WHERE id = ?1",
  [Q_KMS_KEY_CREATED] = "SELECT created FROM keys WHERE id = ?1 AND resource_id = ?2",
  [Q_KMS_KEY_COUNT] = "SELECT COUNT (*) FROM keys",
  [Q_KMS_KEYS_TO_REWRAP] = "SELECT id, wrapped, kek FROM keys WHERE kek IS NULL OR kek != ?1"
                           " LIMIT ?2",
  [Q_KMS_KEY_REWRAP] = "UPDATE keys SET wrapped = ?1, kek = ?2 WHERE id = ?3",
  [QS_EVENT_NEXT] = "SELECT COALESCE (MAX (cursor), 0) + 1 FROM events",
  [QS_EVENT_INSERT] = "INSERT INTO events (cursor, type, space_id, subject_id, payload, created)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
};

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

G_STATIC_ASSERT (G_N_ELEMENTS (conversation_migrations) == FOYER_SVC_CONVERSATION_SCHEMA);
G_STATIC_ASSERT (G_N_ELEMENTS (kms_migrations) == FOYER_SVC_KMS_SCHEMA);

typedef struct
{
  FoyerSvcDb base;
  sqlite3 *handle;
  char *path;
  sqlite3_stmt *cache[QS_N];
  gboolean in_use[QS_N];
  sqlite3_stmt *import[16]; /* per export table */
  gboolean grouped;         /* units of work share the turn's transaction */
  gboolean group_open;      /* BEGIN IMMEDIATE done, COMMIT due */
  gboolean in_unit;         /* a unit of work is open */
  int data_version;
} SqliteDb;

struct _FoyerSvcRow
{
  const FoyerSvcDbEngine *engine;
  sqlite3_stmt *stmt;
};

static const FoyerSvcDbEngine sqlite_engine;

static SqliteDb *
sqlite_db (FoyerSvcDb *db)
{
  g_assert (db->engine == &sqlite_engine);
  return (SqliteDb *) db;
}

/* A full disk (or the size limit) is the operator's to fix, not a bug: it
 * gets its own status and a message that says nothing was saved. */
static void
set_error (sqlite3 *handle, int rc, const char *message, GError **error)
{
  int code = rc & 0xff;

  if (code == SQLITE_FULL || (sqlite3_extended_errcode (handle) & 0xff) == SQLITE_FULL)
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_STORAGE_FULL,
                            "The service's storage is full, so nothing was saved; try again later");
  else if (code == SQLITE_CONSTRAINT)
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_CONFLICT, "Database error: %s", message);
  else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "The database is busy; try again");
  else
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Database error: %s", message);
}

static gboolean
exec (sqlite3 *handle, const char *sql, GError **error)
{
  char *message = NULL;
  int rc = sqlite3_exec (handle, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    {
      set_error (handle, rc, message != NULL ? message : sqlite3_errmsg (handle), error);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

/* The cached statement, or a fresh one while the cached one is stepping
 * (a statement run from inside its own rows). */
static sqlite3_stmt *
statement (SqliteDb *self, guint query, gboolean *out_cached, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  const char *sql = statements[query];

  *out_cached = FALSE;
  if (self->cache[query] != NULL && !self->in_use[query])
    {
      *out_cached = TRUE;
      self->in_use[query] = TRUE;
      return self->cache[query];
    }
  if (sqlite3_prepare_v3 (self->handle, sql, -1,
                          self->cache[query] == NULL ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, NULL)
      != SQLITE_OK)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Database error: %s",
                              sqlite3_errmsg (self->handle));
      return NULL;
    }
  if (self->cache[query] == NULL)
    {
      self->cache[query] = stmt;
      self->in_use[query] = TRUE;
      *out_cached = TRUE;
    }
  return stmt;
}

static void
bind (sqlite3_stmt *stmt, const FoyerSvcValue *params, guint n_params)
{
  for (guint i = 0; i < n_params; i++)
    {
      const FoyerSvcValue *value = &params[i];

      switch (value->type)
        {
        case FOYER_SVC_V_NULL:
          sqlite3_bind_null (stmt, (int) i + 1);
          break;
        case FOYER_SVC_V_TEXT:
          sqlite3_bind_text (stmt, (int) i + 1, value->text, -1, SQLITE_STATIC);
          break;
        case FOYER_SVC_V_INT:
        case FOYER_SVC_V_BOOL:
          sqlite3_bind_int64 (stmt, (int) i + 1, value->number);
          break;
        case FOYER_SVC_V_BLOB:
          sqlite3_bind_blob (stmt, (int) i + 1, value->text, (int) value->length, SQLITE_STATIC);
          break;
        }
    }
}

static gint64
step_all (
    SqliteDb *self, sqlite3_stmt *stmt, FoyerSvcRowFunc func, gpointer user_data, GError **error)
{
  FoyerSvcRow row = { &sqlite_engine, stmt };
  gboolean returns_rows = sqlite3_column_count (stmt) > 0;
  gboolean writes = !sqlite3_stmt_readonly (stmt);
  gboolean wanted = TRUE;
  gint64 rows = 0;
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      rows++;
      if (wanted && func != NULL)
        wanted = func (&row, user_data);
      else if (func == NULL)
        wanted = FALSE;
      /* A read can stop at the first row it was given; a write with
       * RETURNING goes to its end. */
      if (!wanted && !writes)
        break;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_error (self->handle, rc, sqlite3_errmsg (self->handle), error);
      return -1;
    }
  return returns_rows ? rows : sqlite3_changes (self->handle);
}

static gint64
sqlite_run_any (SqliteDb *self,
                guint query,
                const FoyerSvcValue *params,
                guint n_params,
                FoyerSvcRowFunc func,
                gpointer user_data,
                GError **error)
{
  gboolean cached = FALSE;
  sqlite3_stmt *stmt = statement (self, query, &cached, error);
  gint64 result;

  if (stmt == NULL)
    return -1;
  bind (stmt, params, n_params);
  result = step_all (self, stmt, func, user_data, error);
  if (cached)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      self->in_use[query] = FALSE;
    }
  else
    sqlite3_finalize (stmt);
  return result;
}

static gint64
sqlite_run (FoyerSvcDb *db,
            FoyerSvcQuery query,
            const FoyerSvcValue *params,
            guint n_params,
            FoyerSvcRowFunc func,
            gpointer user_data,
            GError **error)
{
  return sqlite_run_any (sqlite_db (db), query, params, n_params, func, user_data, error);
}

static const char *
sqlite_row_text (FoyerSvcRow *row, guint column)
{
  return (const char *) sqlite3_column_text (row->stmt, (int) column);
}

static gint64
sqlite_row_int (FoyerSvcRow *row, guint column)
{
  return sqlite3_column_int64 (row->stmt, (int) column);
}

static gboolean
sqlite_row_is_null (FoyerSvcRow *row, guint column)
{
  return sqlite3_column_type (row->stmt, (int) column) == SQLITE_NULL;
}

static const guint8 *
sqlite_row_blob (FoyerSvcRow *row, guint column, gsize *length)
{
  const guint8 *bytes = sqlite3_column_blob (row->stmt, (int) column);

  *length = (gsize) sqlite3_column_bytes (row->stmt, (int) column);
  return bytes;
}

/* ---- Units of work ---- */

static gboolean
next_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(gint64 *) user_data = sqlite3_column_int64 (row->stmt, 0);
  return FALSE;
}

/* Gives each event of the unit its cursor (the next after the newest,
 * under the write lock) and stores it. */
static gboolean
store_events (SqliteDb *self, GError **error)
{
  GPtrArray *pending = self->base.pending;

  for (guint i = 0; pending != NULL && i < pending->len; i++)
    {
      FoyerSvcEvent *event = g_ptr_array_index (pending, i);
      gint64 next = 0;

      if (sqlite_run_any (self, QS_EVENT_NEXT, NULL, 0, next_cb, &next, error) < 0)
        return FALSE;
      event->cursor = next;
      g_free (event->text);
      event->text = foyer_svc_event_build_text (event);
      {
        const FoyerSvcValue params[]
            = { V_INT (event->cursor),      V_TEXT (event->type), V_TEXT (event->space_id),
                V_TEXT (event->subject_id), V_TEXT (event->text), V_INT (event->created) };

        if (sqlite_run_any (self, QS_EVENT_INSERT, params, G_N_ELEMENTS (params), NULL, NULL, error)
            < 0)
          return FALSE;
      }
    }
  return TRUE;
}

static void
move_to_committed (FoyerSvcDb *db)
{
  if (db->pending == NULL)
    return;
  if (db->committed == NULL)
    db->committed = g_steal_pointer (&db->pending);
  else
    g_ptr_array_extend_and_steal (db->committed, g_steal_pointer (&db->pending));
}

static gboolean
sqlite_begin (FoyerSvcDb *db, GError **error)
{
  SqliteDb *self = sqlite_db (db);

  g_return_val_if_fail (!self->in_unit, FALSE);
  g_clear_pointer (&db->pending, g_ptr_array_unref);
  if (!self->grouped)
    {
      if (!exec (self->handle, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->in_unit = TRUE;
      return TRUE;
    }
  if (!self->group_open)
    {
      if (!exec (self->handle, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->group_open = TRUE;
    }
  if (!exec (self->handle, "SAVEPOINT request", error))
    return FALSE;
  self->in_unit = TRUE;
  return TRUE;
}

static void sqlite_rollback (FoyerSvcDb *db);

static gboolean
sqlite_commit (FoyerSvcDb *db, GError **error)
{
  SqliteDb *self = sqlite_db (db);

  g_return_val_if_fail (self->in_unit, FALSE);
  if (!store_events (self, error)
      || !exec (self->handle, self->grouped ? "RELEASE request" : "COMMIT", error))
    {
      sqlite_rollback (db);
      return FALSE;
    }
  self->in_unit = FALSE;
  move_to_committed (db);
  return TRUE;
}

static void
sqlite_rollback (FoyerSvcDb *db)
{
  SqliteDb *self = sqlite_db (db);

  g_clear_pointer (&db->pending, g_ptr_array_unref);
  if (!self->in_unit)
    return;
  self->in_unit = FALSE;
  if (!self->grouped)
    {
      if (!sqlite3_get_autocommit (self->handle))
        exec (self->handle, "ROLLBACK", NULL);
      return;
    }
  /* SQLite may have rolled the whole transaction back by itself (a full
   * disk): the group notices it (foyer_svc_db_sqlite_group_lost ()). */
  if (!sqlite3_get_autocommit (self->handle))
    {
      exec (self->handle, "ROLLBACK TO request", NULL);
      exec (self->handle, "RELEASE request", NULL);
    }
}

/* ---- Group commit (driven by foyer-svc-commit.c) ---- */

void
foyer_svc_db_sqlite_set_grouped (FoyerSvcDb *db, gboolean grouped)
{
  sqlite_db (db)->grouped = grouped;
}

gboolean
foyer_svc_db_sqlite_group_pending (FoyerSvcDb *db)
{
  SqliteDb *self = sqlite_db (db);

  return self->group_open && !self->in_unit;
}

gboolean
foyer_svc_db_sqlite_in_unit (FoyerSvcDb *db)
{
  return sqlite_db (db)->in_unit;
}

/* On some errors (a full disk, I/O) SQLite rolls the whole transaction
 * back by itself: what the turn's earlier units wrote is gone. Returns the
 * cause (an SQLite result code) when that happened, else SQLITE_OK. */
int
foyer_svc_db_sqlite_group_lost (FoyerSvcDb *db)
{
  SqliteDb *self = sqlite_db (db);

  if (!self->group_open || !sqlite3_get_autocommit (self->handle))
    return SQLITE_OK;
  self->group_open = FALSE;
  self->in_unit = FALSE;
  g_clear_pointer (&db->committed, g_ptr_array_unref);
  g_clear_pointer (&db->pending, g_ptr_array_unref);
  return sqlite3_extended_errcode (self->handle) & 0xff ?: SQLITE_ERROR;
}

/* Commits the turn's transaction. FALSE (and the events dropped) when it
 * failed; then nothing of the turn was stored. */
gboolean
foyer_svc_db_sqlite_group_commit (FoyerSvcDb *db, GError **error)
{
  SqliteDb *self = sqlite_db (db);

  if (!self->group_open)
    return TRUE;
  self->group_open = FALSE;
  if (!exec (self->handle, "COMMIT", error))
    {
      exec (self->handle, "ROLLBACK", NULL);
      g_clear_pointer (&db->committed, g_ptr_array_unref);
      return FALSE;
    }
  return TRUE;
}

/* Whether another connection (the admin CLI) committed since last asked. */
gboolean
foyer_svc_db_sqlite_others_committed (FoyerSvcDb *db)
{
  SqliteDb *self = sqlite_db (db);
  sqlite3_stmt *stmt = NULL;
  int version;

  if (sqlite3_prepare_v2 (self->handle, "PRAGMA data_version", -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  version = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int (stmt, 0) : self->data_version;
  sqlite3_finalize (stmt);
  if (version == self->data_version)
    return FALSE;
  self->data_version = version;
  return TRUE;
}

/* ---- Schema ---- */

static int
user_version (sqlite3 *handle)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (handle, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return version;
}

/* BEGIN IMMEDIATE takes the database's write lock: two processes opening
 * it at once migrate it once. */
static gboolean
migrate (sqlite3 *handle, const char *const *migrations, int n_migrations, GError **error)
{
  int version = user_version (handle);

  if (version > n_migrations)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL,
                              "The database has schema version %d, newer than this "
                              "foyer-service (%d)",
                              version, n_migrations);
      return FALSE;
    }
  while (version < n_migrations)
    {
      g_autofree char *bump = NULL;

      if (!exec (handle, "BEGIN IMMEDIATE", error))
        return FALSE;
      version = user_version (handle);
      if (version >= n_migrations)
        {
          exec (handle, "COMMIT", NULL);
          break;
        }
      bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);
      if (!exec (handle, migrations[version], error) || !exec (handle, bump, error))
        {
          exec (handle, "ROLLBACK", NULL);
          return FALSE;
        }
      if (!exec (handle, "COMMIT", error))
        return FALSE;
      version++;
    }
  return TRUE;
}

static gboolean
limit_size (sqlite3 *handle, gint64 max_bytes, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = NULL;
  gint64 page_size = 4096;

  if (max_bytes <= 0)
    return TRUE;
  if (sqlite3_prepare_v2 (handle, "PRAGMA page_size", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    page_size = MAX (sqlite3_column_int64 (stmt, 0), 512);
  sqlite3_finalize (stmt);
  sql = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT,
                         MAX (max_bytes / page_size, 1));
  return exec (handle, sql, error);
}

static int
sqlite_schema_version (FoyerSvcDb *db, FoyerSvcPart part)
{
  return (db->parts & part) ? user_version (sqlite_db (db)->handle) : -1;
}

static gboolean
sqlite_check_ready (FoyerSvcDb *db, GError **error)
{
  SqliteDb *self = sqlite_db (db);
  sqlite3_stmt *stmt = NULL;
  gboolean answers;
  int wanted
      = db->parts == FOYER_SVC_PART_KMS ? FOYER_SVC_KMS_SCHEMA : FOYER_SVC_CONVERSATION_SCHEMA;

  answers = sqlite3_prepare_v2 (self->handle, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL)
                == SQLITE_OK
            && sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  if (!answers)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s does not answer", self->path);
      return FALSE;
    }
  if (user_version (self->handle) != wanted)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s is not at schema version %d",
                              self->path, wanted);
      return FALSE;
    }
  return TRUE;
}

/* ---- Export and import ---- */

static const char *
table_name (guint table)
{
  const char *name = foyer_svc_export_tables[table].name;

  /* kms.db has its tables without the prefix. */
  return g_str_has_prefix (name, "kms_") ? name + 4 : name;
}

static gboolean
sqlite_export_table (
    FoyerSvcDb *db, guint table, FoyerSvcRowFunc func, gpointer user_data, GError **error)
{
  SqliteDb *self = sqlite_db (db);
  g_autofree char *sql = _foyer_svc_export_select_sql (table, table_name (table));
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  if (sqlite3_prepare_v2 (self->handle, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_error (self->handle, SQLITE_ERROR, sqlite3_errmsg (self->handle), error);
      return FALSE;
    }
  n = step_all (self, stmt, func, user_data, error);
  sqlite3_finalize (stmt);
  return n >= 0;
}

static gboolean
sqlite_import_row (FoyerSvcDb *db, guint table, const FoyerSvcValue *values, GError **error)
{
  SqliteDb *self = sqlite_db (db);
  const FoyerSvcExportTable *t = &foyer_svc_export_tables[table];
  gint64 n;

  g_return_val_if_fail (table < G_N_ELEMENTS (self->import), FALSE);
  if (self->import[table] == NULL)
    {
      g_autofree char *sql = _foyer_svc_export_insert_sql (table, table_name (table), '?');

      if (sqlite3_prepare_v2 (self->handle, sql, -1, &self->import[table], NULL) != SQLITE_OK)
        {
          set_error (self->handle, SQLITE_ERROR, sqlite3_errmsg (self->handle), error);
          return FALSE;
        }
    }
  bind (self->import[table], values, t->n_columns);
  n = step_all (self, self->import[table], NULL, NULL, error);
  sqlite3_reset (self->import[table]);
  return n >= 0;
}

static gboolean
sqlite_import_finish (FoyerSvcDb *db, GError **error)
{
  return TRUE;
}

/* A read transaction: the export sees one state of the file while the
 * service goes on writing (WAL). */
static gboolean
sqlite_snapshot_begin (FoyerSvcDb *db, GError **error)
{
  SqliteDb *self = sqlite_db (db);

  return exec (self->handle, "BEGIN; SELECT count(*) FROM sqlite_master;", error);
}

static void
sqlite_snapshot_end (FoyerSvcDb *db)
{
  exec (sqlite_db (db)->handle, "COMMIT", NULL);
}

/* ---- Opening and closing ---- */

static void
sqlite_close (FoyerSvcDb *db)
{
  SqliteDb *self = sqlite_db (db);

  for (guint i = 0; i < QS_N; i++)
    if (self->cache[i] != NULL)
      sqlite3_finalize (self->cache[i]);
  for (guint i = 0; i < G_N_ELEMENTS (self->import); i++)
    if (self->import[i] != NULL)
      sqlite3_finalize (self->import[i]);
  sqlite3_close (self->handle);
  g_free (self->path);
  g_free (self);
}

static const FoyerSvcDbEngine sqlite_engine = {
  .name = "sqlite",
  .run = sqlite_run,
  .row_text = sqlite_row_text,
  .row_int = sqlite_row_int,
  .row_is_null = sqlite_row_is_null,
  .row_blob = sqlite_row_blob,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .check_ready = sqlite_check_ready,
  .export_table = sqlite_export_table,
  .import_row = sqlite_import_row,
  .import_finish = sqlite_import_finish,
  .schema_version = sqlite_schema_version,
  .snapshot_begin = sqlite_snapshot_begin,
  .snapshot_end = sqlite_snapshot_end,
  .close = sqlite_close,
};

FoyerSvcDb *
foyer_svc_db_sqlite_open (const char *data_dir,
                          FoyerSvcPart part,
                          const FoyerSvcDbOptions *options,
                          GError **error)
{
  gboolean conversation = part == FOYER_SVC_PART_CONVERSATION;
  SqliteDb *self = g_new0 (SqliteDb, 1);

  self->base.engine = &sqlite_engine;
  self->base.parts = part;
  self->path = g_build_filename (data_dir, conversation ? "conversation.db" : "kms.db", NULL);
  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Cannot create %s: %s", data_dir,
                              g_strerror (errno));
      g_free (self->path);
      g_free (self);
      return NULL;
    }
  if (sqlite3_open_v2 (self->path, &self->handle,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL)
      != SQLITE_OK)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Cannot open %s: %s", self->path,
                              self->handle != NULL ? sqlite3_errmsg (self->handle)
                                                   : "out of memory");
      sqlite_close (&self->base);
      return NULL;
    }
  g_chmod (self->path, 0600);
  sqlite3_busy_timeout (self->handle, 5000);
  /* synchronous = FULL: in WAL mode, NORMAL does not sync the WAL at each
   * commit, so a power cut or an OS crash could lose messages and keys
   * that were already acknowledged (docs/decisions.md has the cost). */
  if (!exec (self->handle,
             options->full_sync ? "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                                : "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
             error)
      || !exec (self->handle, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;", error)
      || !limit_size (self->handle, options->max_bytes, error)
      || (options->migrate
          && !migrate (self->handle, conversation ? conversation_migrations : kms_migrations,
                       conversation ? G_N_ELEMENTS (conversation_migrations)
                                    : G_N_ELEMENTS (kms_migrations),
                       error))
      || !_foyer_svc_db_init_org (&self->base, options, error))
    {
      sqlite_close (&self->base);
      return NULL;
    }
  foyer_svc_db_sqlite_others_committed (&self->base);
  return &self->base;
}
