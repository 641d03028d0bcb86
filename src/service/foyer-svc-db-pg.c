/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The PostgreSQL engine of the storage interface (libpq): several
 * identical nodes on one database. A connection (FoyerSvcDb) belongs to
 * one thread at a time: the pool's workers (foyer-svc-pool.c), the fan-out
 * reader (foyer-svc-fanout.c), or the admin CLI. Statements are prepared
 * on each connection the first time they run there and kept.
 *
 * Units of work. A worker runs a batch of requests in one transaction,
 * each request's unit of work in a savepoint (group commit, as SQLite's),
 * and commits once: PostgreSQL flushes its WAL once for the batch. The
 * events of a batch get their cursors at its end, under the one row of
 * event_clock, which is locked until the COMMIT: cursors are given in
 * commit order, without gap, across every node, so that a reader that
 * has seen cursor N has seen everything before it. Elsewhere (the CLI) a
 * unit of work is a transaction of its own, ended the same way.
 *
 * Every committed batch with events NOTIFYs foyer_events with each space
 * and its newest cursor; the nodes read the rows themselves. Ended
 * sessions NOTIFY foyer_sessions ("s <session id>" or "p <person id>").
 *
 * This file holds connections, the named statements, units of work and
 * opening; foyer-svc-db-pg-schema.c the migrations, the readiness check
 * and export/import, over foyer-svc-db-pg-private.h.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-pg-private.h"
#include "foyer-svc.h"

#include <string.h>

/* Each statement's columns are in the order the typed operations
 * (foyer-svc-db-people.c, -spaces.c, …) read them. */
static const char *const statements[QP_N] = {
  [Q_META_GET] = "SELECT value FROM meta WHERE key = $1",
  [Q_META_SET] = "INSERT INTO meta (key, value) VALUES ($1, $2)"
                 " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
  [Q_META_INIT] = "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
  [Q_PERSON_GET] = "SELECT " PERSON_COLUMNS " FROM persons WHERE id = $1",
  /* Addresses match whatever their case (persons_email is on lower ()). */
  [Q_PERSON_BY_EMAIL] = "SELECT " PERSON_COLUMNS " FROM persons WHERE lower (email) = lower ($1)",
  [Q_PERSON_LOGIN] = "SELECT id, password_hash, disabled FROM persons"
                     " WHERE lower (email) = lower ($1) AND NOT removed",
  [Q_PERSON_INSERT] = "INSERT INTO persons (id, email, name, password_hash, is_admin, created)"
                      " VALUES ($1, $2, $3, $4, $5, $6)",
  [Q_PERSON_LIST]
  = "SELECT " PERSON_COLUMNS " FROM persons WHERE NOT removed ORDER BY lower (email), email",
  [Q_PERSON_SET_DISABLED] = "UPDATE persons SET disabled = $1 WHERE id = $2",
  [Q_PERSON_TOMBSTONE] = "UPDATE persons SET removed = true, disabled = true, email = $1,"
                         " password_hash = '' WHERE id = $2",
  [Q_PERSON_SPACE_IDS] = "SELECT space_id FROM members WHERE person_id = $1 ORDER BY space_id",
  [Q_SESSION_PRUNE] = "DELETE FROM sessions WHERE expires < $1 OR revoked < $1",
  [Q_SESSION_INSERT]
  = "INSERT INTO sessions (id, person_id, created, expires) VALUES ($1, $2, $3, $4)",
  [Q_SESSION_CHECK] = "SELECT s.revoked, s.expires, p.disabled, p.removed FROM sessions s"
                      " JOIN persons p ON p.id = s.person_id WHERE s.id = $1 AND s.person_id = $2",
  [Q_SESSION_REVOKE_ONE] = "UPDATE sessions SET revoked = $1 WHERE id = $2 AND revoked IS NULL",
  [Q_SESSION_REVOKE_PERSON]
  = "UPDATE sessions SET revoked = $1 WHERE person_id = $2 AND revoked IS NULL",
  [Q_SPACE_GET] = "SELECT " SPACE_COLUMNS " FROM spaces s WHERE s.id = $1",
  [Q_SPACE_INSERT] = "INSERT INTO spaces (id, title, kms_resource_uri, creator_id, created)"
                     " VALUES ($1, $2, $3, $4, $5)",
  [Q_SPACES_OF_PERSON] = "SELECT " SPACE_COLUMNS " FROM spaces s JOIN members m"
                         " ON m.space_id = s.id WHERE m.person_id = $1 ORDER BY s.created, s.id",
  [Q_SPACE_BY_RESOURCE] = "SELECT id FROM spaces WHERE kms_resource_uri = $1",
  [Q_SPACE_MARK_REKEY] = "UPDATE spaces SET rekey_since = $1 WHERE id = $2",
  [Q_SPACE_SET_KEY] = "UPDATE spaces SET key_uri = $1, rekey_since = NULL WHERE id = $2",
  /* The row stays locked until the transaction ends: two nodes posting
   * into one space take its numbers one after the other. */
  [Q_SPACE_BUMP_SEQ] = "UPDATE spaces SET last_seq = last_seq + 1 WHERE id = $1"
                       " AND rekey_since IS NULL AND (key_uri IS NULL OR key_uri = $2)"
                       " RETURNING last_seq",
  [Q_MEMBER_IS] = "SELECT 1 FROM members WHERE space_id = $1 AND person_id = $2",
  [Q_MEMBER_INSERT]
  = "INSERT INTO members (space_id, person_id, added_by, created) VALUES ($1, $2, $3, $4)",
  [Q_MEMBER_DELETE] = "DELETE FROM members WHERE space_id = $1 AND person_id = $2",
  [Q_MEMBERS_LIST] = "SELECT p.id, p.email, p.name, m.added_by, m.created FROM members m"
                     " JOIN persons p ON p.id = m.person_id WHERE m.space_id = $1"
                     " ORDER BY m.created, p.id",
  [Q_MEMBER_IDS] = "SELECT person_id FROM members WHERE space_id = $1",
  [Q_MESSAGE_INSERT] = "INSERT INTO messages (" MESSAGE_COLUMNS ")"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
  [Q_MESSAGE_BY_ID] = "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = $1",
  [Q_MESSAGE_BY_CLIENT_ID] = "SELECT " MESSAGE_COLUMNS " FROM messages"
                             " WHERE space_id = $1 AND author_id = $2 AND client_message_id = $3",
  [Q_MESSAGES_BEFORE] = "SELECT " MESSAGE_COLUMNS " FROM messages"
                        " WHERE space_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
  [Q_EVENTS_LATEST] = "SELECT last FROM event_clock",
  /* The latest cursor in the same snapshot as the events (a row with
   * NULLs when there are none). */
  [Q_EVENTS_CATCH_UP]
  = "SELECT c.last, e.cursor, e.payload FROM event_clock c LEFT JOIN LATERAL"
    " (SELECT cursor, payload FROM events WHERE cursor > $1 AND (subject_id = $2 OR space_id IN"
    " (SELECT space_id FROM members WHERE person_id = $2)) ORDER BY cursor LIMIT $3) e ON true"
    " ORDER BY e.cursor",
  [Q_EVENTS_AFTER] = "SELECT cursor, type, space_id, subject_id, payload FROM events"
                     " WHERE cursor > $1 ORDER BY cursor LIMIT $2",
  [Q_KMS_META_GET] = "SELECT value FROM kms_meta WHERE key = $1",
  [Q_KMS_META_SET] = "INSERT INTO kms_meta (key, value) VALUES ($1, $2)"
                     " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
  [Q_KMS_META_INIT]
  = "INSERT INTO kms_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
  [Q_KMS_RESOURCE_EXISTS] = "SELECT 1 FROM kms_resources WHERE id = $1",
  [Q_KMS_RESOURCE_INSERT]
  = "INSERT INTO kms_resources (id, creator_id, created) VALUES ($1, $2, $3)",
  [Q_KMS_AUTH_CHECK] = "SELECT 1 FROM kms_authorizations WHERE resource_id = $1 AND person_id = $2",
  [Q_KMS_AUTH_ADD] = "INSERT INTO kms_authorizations (resource_id, person_id, created)"
                     " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
  [Q_KMS_AUTH_DELETE] = "DELETE FROM kms_authorizations WHERE resource_id = $1 AND person_id = $2",
  [Q_KMS_AUTH_LIST] = "SELECT person_id FROM kms_authorizations WHERE resource_id = $1"
                      " ORDER BY created, person_id",
  [Q_KMS_AUTH_DELETE_PERSON] = "DELETE FROM kms_authorizations WHERE person_id = $1",
  [Q_KMS_KEY_INSERT]
  = "INSERT INTO kms_keys (id, resource_id, wrapped, created, kek) VALUES ($1, $2, $3, $4, $5)",
  [Q_KMS_KEY_GET] = "SELECT resource_id, wrapped, kek FROM kms_keys WHERE id = $1",
  [Q_KMS_KEY_CREATED] = "SELECT created FROM kms_keys WHERE id = $1 AND resource_id = $2",
  [Q_KMS_KEY_COUNT] = "SELECT count (*) FROM kms_keys",
  [Q_KMS_KEYS_TO_REWRAP]
  = "SELECT id, wrapped, kek FROM kms_keys WHERE kek IS NULL OR kek <> $1 LIMIT $2",
  [Q_KMS_KEY_REWRAP] = "UPDATE kms_keys SET wrapped = $1, kek = $2 WHERE id = $3",
  [QP_CLOCK_ADVANCE] = "UPDATE event_clock SET last = last + $1 RETURNING last",
  [QP_EVENTS_INSERT]
  = "INSERT INTO events (cursor, type, space_id, subject_id, payload, created)"
    " SELECT * FROM unnest ($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::bigint[])",
  [QP_NOTIFY_EVENTS] = "SELECT pg_notify ('foyer_events', n) FROM unnest ($1::text[]) n",
  [QP_NOTIFY_SESSIONS] = "SELECT pg_notify ('foyer_sessions', $1)",
};

PgDb *
_foyer_svc_pg_db (FoyerSvcDb *db)
{
  g_assert (db->engine == &_foyer_svc_pg_engine);
  return (PgDb *) db;
}

static const char *const unreachable_message = "The database cannot be reached; try again soon";

/* Into the service's codes: a database that is restarting, unreachable or
 * asks for a retry is 503, never 500. */
void
_foyer_svc_pg_set_error (PgDb *self, PGresult *result, GError **error)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *message = result != NULL ? PQresultErrorMessage (result) : NULL;
  g_autofree char *text = NULL;

  if (message == NULL || *message == '\0')
    message = PQerrorMessage (self->conn);
  text = g_strchomp (g_strdup (message != NULL ? message : "unknown"));
  if (PQstatus (self->conn) != CONNECTION_OK || state == NULL || g_str_has_prefix (state, "08")
      || g_str_has_prefix (state, "57P") || strcmp (state, "57014") == 0
      || strcmp (state, "55P03") == 0)
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s", unreachable_message);
  else if (strcmp (state, "40001") == 0 || strcmp (state, "40P01") == 0
           || strcmp (state, "25P02") == 0
           || (g_str_has_prefix (state, "53") && strcmp (state, "53100") != 0))
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY,
                            "The service could not save this; try again");
  else if (strcmp (state, "53100") == 0)
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_STORAGE_FULL,
                            "The service's storage is full, so nothing was saved; try again later");
  else if (g_str_has_prefix (state, "23"))
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_CONFLICT, "Database error: %s", text);
  else
    foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Database error (%s): %s", state,
                            text);
}

/* ---- Connections ---- */

static void
notice_cb (void *arg, const char *message)
{
  /* NOTICEs (a savepoint released twice, …) are not for the log. */
}

/* A connection with the settings every unit of work relies on: each
 * COMMIT waits for the WAL on disk (and a synchronous standby, if the
 * operator has one), whatever the server's default; no statement or lock
 * wait holds a worker for long. */
static PGconn *
connect_to (const char *url, GError **error)
{
  /* Defaults first: the URL's own parameters override them. */
  const char *keywords[]
      = { "fallback_application_name", "connect_timeout",  "keepalives", "keepalives_idle",
          "keepalives_interval",       "keepalives_count", "dbname",     NULL };
  const char *values[] = { "foyer-service", "5", "1", "30", "10", "3", url, NULL };
  PGconn *conn = PQconnectdbParams (keywords, values, 1);
  PGresult *result;

  if (conn == NULL || PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *why
          = g_strchomp (g_strdup (conn != NULL ? PQerrorMessage (conn) : "out of memory"));
      g_autofree char *described = foyer_svc_db_url_describe (url);

      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "Cannot connect to %s: %s", described,
                              why);
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, notice_cb, NULL);
  result
      = PQexec (conn, "SET synchronous_commit = on; SET statement_timeout = '30s';"
                      " SET lock_timeout = '20s'; SET idle_in_transaction_session_timeout = '60s'");
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_INTERNAL, "Cannot set up the connection: %s",
                              PQresultErrorMessage (result));
      PQclear (result);
      PQfinish (conn);
      return NULL;
    }
  PQclear (result);
  return conn;
}

/* The connection, made again after it was lost (not more than a few
 * times a second: a database that is down answers 503 at once). */
gboolean
_foyer_svc_pg_ensure_connected (PgDb *self, GError **error)
{
  gint64 now = g_get_monotonic_time ();
  gboolean again = self->conn != NULL || self->failed_at != 0;

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  if (self->conn != NULL)
    {
      PQfinish (self->conn);
      self->conn = NULL;
      memset (self->prepared, 0, sizeof self->prepared);
      memset (self->prepared_import, 0, sizeof self->prepared_import);
      self->tx_open = self->in_unit = FALSE;
    }
  if (self->failed_at != 0 && now - self->failed_at < G_USEC_PER_SEC / 5)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s", unreachable_message);
      return FALSE;
    }
  if (!(self->conn = connect_to (self->url, error)))
    {
      self->failed_at = now;
      return FALSE;
    }
  self->failed_at = 0;
  if (again)
    g_message ("Connected to the database again");
  return TRUE;
}

static void note_failure (PgDb *self);

/* Inside a transaction, a lost connection is never made again: what the
 * transaction did is gone with it. */
static gboolean
usable (PgDb *self, GError **error)
{
  if (!self->tx_open)
    return _foyer_svc_pg_ensure_connected (self, error);
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return TRUE;
  note_failure (self);
  foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s", unreachable_message);
  return FALSE;
}

gboolean
_foyer_svc_pg_exec_simple (PgDb *self, const char *sql, GError **error)
{
  PGresult *result;
  gboolean ok;

  if (!usable (self, error))
    return FALSE;
  result = PQexec (self->conn, sql);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;
  if (!ok)
    {
      _foyer_svc_pg_set_error (self, result, error);
      note_failure (self);
    }
  PQclear (result);
  return ok;
}

/* COMMIT, and only a COMMIT: a transaction in error answers COMMIT with
 * ROLLBACK. */
static gboolean
commit_now (PgDb *self, GError **error)
{
  PGresult *result;
  gboolean ok;

  if (!usable (self, error))
    return FALSE;
  if (PQtransactionStatus (self->conn) != PQTRANS_INTRANS)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY,
                              "The service could not save this; try again");
      return FALSE;
    }
  result = PQexec (self->conn, "COMMIT");
  ok = PQresultStatus (result) == PGRES_COMMAND_OK && strcmp (PQcmdStatus (result), "COMMIT") == 0;
  if (!ok)
    _foyer_svc_pg_set_error (self, result, error);
  PQclear (result);
  return ok;
}

/* ---- Statements ---- */

/* A PostgreSQL array literal of texts: {"a","b\"c",NULL}. */
static char *
text_array (const char *const *items, guint n)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (items[i] == NULL)
        {
          g_string_append (out, "NULL");
          continue;
        }
      g_string_append_c (out, '"');
      for (const char *p = items[i]; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static char *
int_array (const gint64 *items, guint n)
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", items[i]);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* After an error: a failed statement outside a unit of work spoils the
 * batch's transaction, which can then only roll back. */
static void
note_failure (PgDb *self)
{
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      self->lost = self->tx_open;
      self->tx_open = self->in_unit = FALSE;
      return;
    }
  if (self->tx_open && !self->in_unit)
    self->lost = TRUE;
}

gint64
_foyer_svc_pg_run_prepared (PgDb *self,
                            guint query,
                            const char *name,
                            const char *sql,
                            gboolean *prepared,
                            const FoyerSvcValue *params,
                            guint n_params,
                            FoyerSvcRowFunc func,
                            gpointer user_data,
                            GError **error)
{
  const char *values[16];
  int lengths[16], formats[16];
  char *numbers[16] = { NULL };
  PGresult *result;
  ExecStatusType status;
  gint64 rows = -1;

  g_return_val_if_fail (n_params <= G_N_ELEMENTS (values), -1);
  if (self->lost)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY,
                              "The service could not save this; try again");
      return -1;
    }
  if (!usable (self, error))
    return -1;
  if (!*prepared)
    {
      result = PQprepare (self->conn, name, sql, 0, NULL);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          _foyer_svc_pg_set_error (self, result, error);
          PQclear (result);
          note_failure (self);
          return -1;
        }
      PQclear (result);
      *prepared = TRUE;
    }
  for (guint i = 0; i < n_params; i++)
    {
      formats[i] = 0;
      lengths[i] = 0;
      switch (params[i].type)
        {
        case FOYER_SVC_V_NULL:
          values[i] = NULL;
          break;
        case FOYER_SVC_V_TEXT:
          values[i] = params[i].text;
          break;
        case FOYER_SVC_V_INT:
          values[i] = numbers[i] = g_strdup_printf ("%" G_GINT64_FORMAT, params[i].number);
          break;
        case FOYER_SVC_V_BOOL:
          values[i] = params[i].number ? "t" : "f";
          break;
        case FOYER_SVC_V_BLOB:
          values[i] = params[i].text;
          lengths[i] = (int) params[i].length;
          formats[i] = 1;
          break;
        }
    }
  result = PQexecPrepared (self->conn, name, (int) n_params, values, lengths, formats, 0);
  for (guint i = 0; i < n_params; i++)
    g_free (numbers[i]);
  status = PQresultStatus (result);
  if (status == PGRES_TUPLES_OK)
    {
      FoyerSvcRow row = { &_foyer_svc_pg_engine, result, 0, NULL };
      int n = PQntuples (result);
      gboolean wanted = TRUE;

      for (row.row = 0; row.row < n && wanted && func != NULL; row.row++)
        {
          wanted = func (&row, user_data);
          g_clear_pointer (&row.unescaped, PQfreemem);
        }
      rows = n;
    }
  else if (status == PGRES_COMMAND_OK)
    rows = g_ascii_strtoll (PQcmdTuples (result), NULL, 10);
  else
    {
      _foyer_svc_pg_set_error (self, result, error);
      note_failure (self);
    }
  PQclear (result);
  return rows;
}

static gint64
run_any (PgDb *self,
         guint query,
         const FoyerSvcValue *params,
         guint n_params,
         FoyerSvcRowFunc func,
         gpointer user_data,
         GError **error)
{
  char name[16];

  g_snprintf (name, sizeof name, "f%u", query);
  return _foyer_svc_pg_run_prepared (self, query, name, statements[query], &self->prepared[query],
                                     params, n_params, func, user_data, error);
}

static gint64
pg_run (FoyerSvcDb *db,
        FoyerSvcQuery query,
        const FoyerSvcValue *params,
        guint n_params,
        FoyerSvcRowFunc func,
        gpointer user_data,
        GError **error)
{
  return run_any (_foyer_svc_pg_db (db), query, params, n_params, func, user_data, error);
}

static const char *
pg_row_text (FoyerSvcRow *row, guint column)
{
  if (PQgetisnull (row->result, row->row, (int) column))
    return NULL;
  return PQgetvalue (row->result, row->row, (int) column);
}

static gint64
pg_row_int (FoyerSvcRow *row, guint column)
{
  const char *text = PQgetvalue (row->result, row->row, (int) column);

  if (text == NULL || PQgetisnull (row->result, row->row, (int) column))
    return 0;
  if (text[0] == 't' && text[1] == '\0')
    return 1;
  if (text[0] == 'f' && text[1] == '\0')
    return 0;
  return g_ascii_strtoll (text, NULL, 10);
}

static gboolean
pg_row_is_null (FoyerSvcRow *row, guint column)
{
  return PQgetisnull (row->result, row->row, (int) column);
}

static const guint8 *
pg_row_blob (FoyerSvcRow *row, guint column, gsize *length)
{
  size_t len = 0;

  g_clear_pointer (&row->unescaped, PQfreemem);
  row->unescaped = PQunescapeBytea (
      (const unsigned char *) PQgetvalue (row->result, row->row, (int) column), &len);
  *length = row->unescaped != NULL ? len : 0;
  return row->unescaped;
}

/* ---- Units of work and transactions ---- */

typedef struct
{
  gint64 last;
} Clock;

static gboolean
clock_cb (FoyerSvcRow *row, gpointer user_data)
{
  ((Clock *) user_data)->last = pg_row_int (row, 0);
  return FALSE;
}

/* Gives the events their cursors (locking event_clock until the COMMIT),
 * stores them, and tells every node which spaces have new events. */
static gboolean
store_events (PgDb *self, GPtrArray *events, GError **error)
{
  g_autoptr (GHashTable) newest = NULL;
  g_autofree gint64 *cursors = NULL, *created = NULL;
  g_autofree const char **types = NULL, **spaces = NULL, **subjects = NULL, **texts = NULL;
  g_autoptr (GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *a1 = NULL, *a2 = NULL, *a3 = NULL, *a4 = NULL, *a5 = NULL, *a6 = NULL;
  g_autofree char *a7 = NULL;
  GHashTableIter iter;
  gpointer key, value;
  Clock clock = { 0 };
  guint n = events != NULL ? events->len : 0;

  if (n == 0)
    return TRUE;
  {
    const FoyerSvcValue params[] = { V_INT (n) };

    if (run_any (self, QP_CLOCK_ADVANCE, params, 1, clock_cb, &clock, error) != 1)
      return FALSE;
  }
  cursors = g_new (gint64, n);
  created = g_new (gint64, n);
  types = g_new (const char *, n);
  spaces = g_new (const char *, n);
  subjects = g_new (const char *, n);
  texts = g_new (const char *, n);
  newest = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < n; i++)
    {
      FoyerSvcEvent *event = g_ptr_array_index (events, i);

      event->cursor = clock.last - n + 1 + i;
      g_free (event->text);
      event->text = foyer_svc_event_build_text (event);
      cursors[i] = event->cursor;
      created[i] = event->created;
      types[i] = event->type;
      spaces[i] = event->space_id;
      subjects[i] = event->subject_id;
      texts[i] = event->text;
      g_hash_table_insert (newest, event->space_id, GINT_TO_POINTER (i + 1));
    }
  a1 = int_array (cursors, n);
  a2 = text_array (types, n);
  a3 = text_array (spaces, n);
  a4 = text_array (subjects, n);
  a5 = text_array (texts, n);
  a6 = int_array (created, n);
  {
    const FoyerSvcValue params[]
        = { V_TEXT (a1), V_TEXT (a2), V_TEXT (a3), V_TEXT (a4), V_TEXT (a5), V_TEXT (a6) };

    if (run_any (self, QP_EVENTS_INSERT, params, G_N_ELEMENTS (params), NULL, NULL, error) < 0)
      return FALSE;
  }
  /* Only the space and its newest cursor: each node reads the rows. */
  g_hash_table_iter_init (&iter, newest);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_ptr_array_add (notes,
                     g_strdup_printf ("%" G_GINT64_FORMAT " %s",
                                      cursors[GPOINTER_TO_INT (value) - 1], (const char *) key));
  a7 = text_array ((const char *const *) notes->pdata, notes->len);
  {
    const FoyerSvcValue params[] = { V_TEXT (a7) };

    return run_any (self, QP_NOTIFY_EVENTS, params, 1, NULL, NULL, error) >= 0;
  }
}

/* Ends the transaction: events stored, then COMMIT. */
static gboolean
finish (PgDb *self, GPtrArray *events, GError **error)
{
  gboolean ok;

  if (!self->tx_open)
    {
      if (!self->lost)
        return TRUE;
      self->lost = FALSE;
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY, "%s", unreachable_message);
      return FALSE;
    }
  ok = !self->lost && store_events (self, events, error) && commit_now (self, error);
  if (!ok)
    {
      if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK
          && PQtransactionStatus (self->conn) != PQTRANS_IDLE)
        _foyer_svc_pg_exec_simple (self, "ROLLBACK", NULL);
      if (error != NULL && *error == NULL)
        foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY,
                                "The service could not save this; try again");
    }
  self->tx_open = self->in_unit = self->lost = FALSE;
  return ok;
}

static gboolean
pg_begin (FoyerSvcDb *db, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);

  g_return_val_if_fail (!self->in_unit, FALSE);
  g_clear_pointer (&db->pending, g_ptr_array_unref);
  if (self->lost)
    {
      foyer_svc_db_set_error (error, FOYER_SVC_ERROR_BUSY,
                              "The service could not save this; try again");
      return FALSE;
    }
  if (!self->tx_open)
    {
      if (!_foyer_svc_pg_exec_simple (self, "BEGIN", error))
        return FALSE;
      self->tx_open = TRUE;
    }
  if (self->batched && !_foyer_svc_pg_exec_simple (self, "SAVEPOINT unit", error))
    {
      note_failure (self);
      return FALSE;
    }
  self->in_unit = TRUE;
  return TRUE;
}

static void pg_rollback (FoyerSvcDb *db);

static gboolean
pg_commit (FoyerSvcDb *db, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);
  g_autoptr (GPtrArray) events = NULL;

  g_return_val_if_fail (self->in_unit, FALSE);
  if (self->batched)
    {
      if (!_foyer_svc_pg_exec_simple (self, "RELEASE SAVEPOINT unit", error))
        {
          pg_rollback (db);
          return FALSE;
        }
      self->in_unit = FALSE;
      if (db->pending != NULL)
        {
          if (db->committed == NULL)
            db->committed = g_steal_pointer (&db->pending);
          else
            g_ptr_array_extend_and_steal (db->committed, g_steal_pointer (&db->pending));
        }
      return TRUE;
    }
  events = g_steal_pointer (&db->pending);
  self->in_unit = FALSE;
  if (!finish (self, events, error))
    return FALSE;
  if (events != NULL)
    {
      if (db->committed == NULL)
        db->committed = g_steal_pointer (&events);
      else
        g_ptr_array_extend_and_steal (db->committed, g_steal_pointer (&events));
    }
  return TRUE;
}

static void
pg_rollback (FoyerSvcDb *db)
{
  PgDb *self = _foyer_svc_pg_db (db);

  g_clear_pointer (&db->pending, g_ptr_array_unref);
  if (!self->in_unit)
    return;
  self->in_unit = FALSE;
  if (!self->batched)
    {
      if (self->tx_open && PQstatus (self->conn) == CONNECTION_OK)
        _foyer_svc_pg_exec_simple (self, "ROLLBACK", NULL);
      self->tx_open = self->lost = FALSE;
      return;
    }
  if (self->tx_open
      && (!_foyer_svc_pg_exec_simple (self, "ROLLBACK TO SAVEPOINT unit", NULL)
          || !_foyer_svc_pg_exec_simple (self, "RELEASE SAVEPOINT unit", NULL)))
    note_failure (self);
}

/* ---- For the pool (foyer-svc-pool.c) ---- */

void
foyer_svc_db_pg_set_batched (FoyerSvcDb *db, gboolean batched)
{
  _foyer_svc_pg_db (db)->batched = batched;
}

/* Ends a batch: COMMIT (with its events), or ROLLBACK if it went wrong.
 * FALSE when what the batch's units wrote is not stored. */
gboolean
foyer_svc_db_pg_finish_batch (FoyerSvcDb *db, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);
  GPtrArray *events = db->committed;
  gboolean ok;

  if (self->in_unit)
    {
      g_critical ("A handler left its unit of work open");
      pg_rollback (db);
    }
  if (!self->tx_open && !self->lost)
    return TRUE;
  ok = finish (self, events, error);
  if (!ok)
    g_clear_pointer (&db->committed, g_ptr_array_unref);
  return ok;
}

gboolean
foyer_svc_db_pg_connected (FoyerSvcDb *db)
{
  PgDb *self = _foyer_svc_pg_db (db);

  return self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK;
}

/* For the fan-out reader, which waits for notifications itself. */
PGconn *
foyer_svc_db_pg_get_conn (FoyerSvcDb *db, GError **error)
{
  PgDb *self = _foyer_svc_pg_db (db);

  return _foyer_svc_pg_ensure_connected (self, error) ? self->conn : NULL;
}

static gboolean
pg_announce (FoyerSvcDb *db, const char *payload, GError **error)
{
  const FoyerSvcValue params[] = { V_TEXT (payload) };

  return run_any (_foyer_svc_pg_db (db), QP_NOTIFY_SESSIONS, params, 1, NULL, NULL, error) >= 0;
}

/* ---- Opening and closing ---- */

static void
pg_close (FoyerSvcDb *db)
{
  PgDb *self = _foyer_svc_pg_db (db);

  if (self->conn != NULL)
    PQfinish (self->conn);
  g_free (self->url);
  g_free (self);
}

const FoyerSvcDbEngine _foyer_svc_pg_engine = {
  .name = "postgresql",
  .run = pg_run,
  .row_text = pg_row_text,
  .row_int = pg_row_int,
  .row_is_null = pg_row_is_null,
  .row_blob = pg_row_blob,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .check_ready = _foyer_svc_pg_check_ready,
  .export_table = _foyer_svc_pg_export_table,
  .import_row = _foyer_svc_pg_import_row,
  .import_finish = _foyer_svc_pg_import_finish,
  .schema_version = _foyer_svc_pg_schema_version,
  .announce = pg_announce,
  .snapshot_begin = _foyer_svc_pg_snapshot_begin,
  .snapshot_end = _foyer_svc_pg_snapshot_end,
  .close = pg_close,
};

FoyerSvcDb *
foyer_svc_db_pg_open (const char *url,
                      FoyerSvcPart parts,
                      const FoyerSvcDbOptions *options,
                      GError **error)
{
  PgDb *self = g_new0 (PgDb, 1);

  self->base.engine = &_foyer_svc_pg_engine;
  self->base.parts = parts;
  self->url = g_strdup (url);
  if (!(self->conn = connect_to (url, error))
      || !_foyer_svc_pg_migrate (self, parts, options, error)
      || !_foyer_svc_db_init_org (&self->base, options, error))
    {
      pg_close (&self->base);
      return NULL;
    }
  return &self->base;
}

/* A connection for a worker or the fan-out reader, made lazily: a node
 * starts (and answers 503) while the database is away. */
FoyerSvcDb *
foyer_svc_db_pg_new_lazy (const char *url, FoyerSvcPart parts)
{
  PgDb *self = g_new0 (PgDb, 1);

  self->base.engine = &_foyer_svc_pg_engine;
  self->base.parts = parts;
  self->url = g_strdup (url);
  return &self->base;
}
