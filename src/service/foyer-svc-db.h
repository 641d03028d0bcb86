/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service's storage interface: everything foyer-service keeps (people,
 * sessions, organization settings, spaces, members, messages, events,
 * idempotency keys, KMS resources, keys and authorizations), behind one set
 * of typed operations, with two engines:
 *
 * - SQLite (foyer-svc-db-sqlite.c): the zero-setup default, two files in
 *   the data folder, one connection each, used on the main loop with group
 *   commit (foyer-svc-commit.c);
 * - PostgreSQL (foyer-svc-db-pg.c): several identical nodes on one
 *   database, each with a few connections on worker threads
 *   (foyer-svc-pool.c), so that no query ever runs on the main loop.
 *
 * The request handlers call the operations below and contain no SQL; each
 * engine keeps its SQL, its statement cache and its migrations in its own
 * file. Statements are named (FoyerSvcQuery) and each engine gives the
 * text of every name.
 *
 * Errors: a failed operation sets a FOYER_SVC_ERROR: CONFLICT for a unique
 * key, STORAGE_FULL for a full disk, BUSY (503) when the database cannot be
 * reached or asks for a retry (PostgreSQL restarting, a deadlock), INTERNAL
 * otherwise. "Not found" is never an error: lookups return NULL or 0.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _FoyerSvcDb FoyerSvcDb;
typedef struct _FoyerSvcDbEngine FoyerSvcDbEngine;
typedef struct _FoyerSvcRow FoyerSvcRow;

/* Which part of the service a connection holds. SQLite keeps them in two
 * files; PostgreSQL in one database (KMS tables are prefixed kms_). */
typedef enum
{
  FOYER_SVC_PART_CONVERSATION = 1 << 0,
  FOYER_SVC_PART_KMS = 1 << 1,
} FoyerSvcPart;

/* The schema versions this build knows (the same numbers on both engines). */
#define FOYER_SVC_CONVERSATION_SCHEMA 3
#define FOYER_SVC_KMS_SCHEMA          2

/* ---- Named statements ---- */

typedef enum
{
  Q_META_GET,
  Q_META_SET,
  Q_META_INIT,
  Q_PERSON_GET,
  Q_PERSON_BY_EMAIL,
  Q_PERSON_LOGIN,
  Q_PERSON_INSERT,
  Q_PERSON_LIST,
  Q_PERSON_SET_DISABLED,
  Q_PERSON_TOMBSTONE,
  Q_PERSON_SPACE_IDS,
  Q_SESSION_PRUNE,
  Q_SESSION_INSERT,
  Q_SESSION_CHECK,
  Q_SESSION_REVOKE_ONE,
  Q_SESSION_REVOKE_PERSON,
  Q_SPACE_GET,
  Q_SPACE_INSERT,
  Q_SPACES_OF_PERSON,
  Q_SPACE_BY_RESOURCE,
  Q_SPACE_MARK_REKEY,
  Q_SPACE_SET_KEY,
  Q_SPACE_BUMP_SEQ,
  Q_MEMBER_IS,
  Q_MEMBER_INSERT,
  Q_MEMBER_DELETE,
  Q_MEMBERS_LIST,
  Q_MEMBER_IDS,
  Q_MESSAGE_INSERT,
  Q_MESSAGE_BY_ID,
  Q_MESSAGE_BY_CLIENT_ID,
  Q_MESSAGES_BEFORE,
  Q_EVENTS_LATEST,
  Q_EVENTS_CATCH_UP,
  Q_EVENTS_AFTER,
  Q_KMS_META_GET,
  Q_KMS_META_SET,
  Q_KMS_META_INIT,
  Q_KMS_RESOURCE_EXISTS,
  Q_KMS_RESOURCE_INSERT,
  Q_KMS_AUTH_CHECK,
  Q_KMS_AUTH_ADD,
  Q_KMS_AUTH_DELETE,
  Q_KMS_AUTH_LIST,
  Q_KMS_AUTH_DELETE_PERSON,
  Q_KMS_KEY_INSERT,
  Q_KMS_KEY_GET,
  Q_KMS_KEY_CREATED,
  Q_KMS_KEY_COUNT,
  Q_KMS_KEYS_TO_REWRAP,
  Q_KMS_KEY_REWRAP,
  Q_N_QUERIES
} FoyerSvcQuery;

typedef enum
{
  FOYER_SVC_V_NULL,
  FOYER_SVC_V_TEXT,
  FOYER_SVC_V_INT,
  FOYER_SVC_V_BOOL,
  FOYER_SVC_V_BLOB,
} FoyerSvcValueType;

typedef struct
{
  FoyerSvcValueType type;
  const char *text; /* TEXT, or the bytes of a BLOB */
  gint64 number;    /* INT, BOOL */
  gsize length;     /* BLOB */
} FoyerSvcValue;

#define V_TEXT(s)    ((FoyerSvcValue){ (s) != NULL ? FOYER_SVC_V_TEXT : FOYER_SVC_V_NULL, (s), 0, 0 })
#define V_INT(n)     ((FoyerSvcValue){ FOYER_SVC_V_INT, NULL, (n), 0 })
#define V_BOOL(b)    ((FoyerSvcValue){ FOYER_SVC_V_BOOL, NULL, (b) ? 1 : 0, 0 })
#define V_BLOB(p, n) ((FoyerSvcValue){ FOYER_SVC_V_BLOB, (const char *) (p), 0, (n) })
#define V_NULL       ((FoyerSvcValue){ FOYER_SVC_V_NULL, NULL, 0, 0 })

/* Each row of a statement's result; FALSE stops early. */
typedef gboolean (*FoyerSvcRowFunc) (FoyerSvcRow *row, gpointer user_data);

const char *foyer_svc_row_text (FoyerSvcRow *row, guint column); /* NULL for NULL */
gint64 foyer_svc_row_int (FoyerSvcRow *row, guint column);       /* booleans: 0 or 1 */
gboolean foyer_svc_row_is_null (FoyerSvcRow *row, guint column);
/* The bytes of a BLOB (bytea), valid while the row is. */
const guint8 *foyer_svc_row_blob (FoyerSvcRow *row, guint column, gsize *length);

/* Runs a named statement: the rows it returned (each given to func), or,
 * for a statement that returns none, the rows it changed; -1 on error. */
gint64 foyer_svc_db_run (FoyerSvcDb *db,
                         FoyerSvcQuery query,
                         const FoyerSvcValue *params,
                         guint n_params,
                         FoyerSvcRowFunc func,
                         gpointer user_data,
                         GError **error);

#define DB_RUN(db, q, func, data, error, ...)                                                      \
  ({                                                                                               \
    const FoyerSvcValue _p[] = { __VA_ARGS__ };                                                    \
    foyer_svc_db_run (db, q, _p, G_N_ELEMENTS (_p), func, data, error);                            \
  })

/* ---- Events (written in a transaction, pushed after it commits) ---- */

typedef struct
{
  gint64 cursor; /* 0 until stored */
  char *type;
  char *space_id;
  char *subject_id;
  JsonNode *extra;  /* members added to the event */
  gint64 created;   /* ms */
  char *text;       /* the event's JSON, made when it is stored */
  GStrv recipients; /* who gets it, when the reader knows (PostgreSQL) */
} FoyerSvcEvent;

void foyer_svc_event_free (FoyerSvcEvent *event);
/* The JSON of an event, once its cursor is known. */
char *foyer_svc_event_build_text (FoyerSvcEvent *event);

/* ---- Engines ---- */

struct _FoyerSvcDbEngine
{
  const char *name; /* "sqlite", "postgresql" */
  gint64 (*run) (FoyerSvcDb *db,
                 FoyerSvcQuery query,
                 const FoyerSvcValue *params,
                 guint n_params,
                 FoyerSvcRowFunc func,
                 gpointer user_data,
                 GError **error);
  const char *(*row_text) (FoyerSvcRow *row, guint column);
  gint64 (*row_int) (FoyerSvcRow *row, guint column);
  gboolean (*row_is_null) (FoyerSvcRow *row, guint column);
  const guint8 *(*row_blob) (FoyerSvcRow *row, guint column, gsize *length);
  /* A unit of work: a savepoint inside a group or batch, else a
   * transaction of its own. commit stores the events emitted inside. */
  gboolean (*begin) (FoyerSvcDb *db, GError **error);
  gboolean (*commit) (FoyerSvcDb *db, GError **error);
  void (*rollback) (FoyerSvcDb *db);
  /* Whether the schema is there and current, and the database answers. */
  gboolean (*check_ready) (FoyerSvcDb *db, GError **error);
  /* Export and import, a table at a time (foyer-svc-db-export.c). */
  gboolean (*export_table) (
      FoyerSvcDb *db, guint table, FoyerSvcRowFunc func, gpointer user_data, GError **error);
  gboolean (*import_row) (FoyerSvcDb *db, guint table, const FoyerSvcValue *values, GError **error);
  gboolean (*import_finish) (FoyerSvcDb *db, GError **error);
  int (*schema_version) (FoyerSvcDb *db, FoyerSvcPart part);
  /* PostgreSQL: NOTIFY the other nodes that sessions ended. */
  gboolean (*announce) (FoyerSvcDb *db, const char *payload, GError **error);
  /* A consistent read-only view for an export. */
  gboolean (*snapshot_begin) (FoyerSvcDb *db, GError **error);
  void (*snapshot_end) (FoyerSvcDb *db);
  void (*close) (FoyerSvcDb *db);
};

struct _FoyerSvcDb
{
  const FoyerSvcDbEngine *engine;
  FoyerSvcPart parts;
  GPtrArray *pending;   /* FoyerSvcEvent of the open unit of work */
  GPtrArray *committed; /* FoyerSvcEvent stored, to push once durable */
};

/* The database a URL names: "sqlite:DIR" (the data folder, as --data-dir
 * gives it) or "postgresql://…" / "postgres://…" (a libpq URI). Opens one
 * connection for the parts given and migrates them (under a lock) unless
 * migrate is FALSE. */
typedef struct
{
  gboolean full_sync;  /* SQLite: synchronous FULL (else NORMAL) */
  gint64 max_bytes;    /* SQLite: size limit, 0 for none */
  gboolean migrate;    /* apply missing migrations */
  gboolean create_org; /* give a new conversation database its org id */
} FoyerSvcDbOptions;

gboolean foyer_svc_db_url_is_postgresql (const char *url);
char *foyer_svc_db_url_for_dir (const char *data_dir);
FoyerSvcDb *foyer_svc_db_open (const char *url,
                               FoyerSvcPart parts,
                               const FoyerSvcDbOptions *options,
                               GError **error);
void foyer_svc_db_close (FoyerSvcDb *db);
const char *foyer_svc_db_engine_name (FoyerSvcDb *db);
gboolean foyer_svc_db_is_postgresql (FoyerSvcDb *db);
/* What a URL says, without its password, for messages. */
char *foyer_svc_db_url_describe (const char *url);

gboolean foyer_svc_db_begin (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_db_commit (FoyerSvcDb *db, GError **error);
void foyer_svc_db_rollback (FoyerSvcDb *db);
gboolean foyer_svc_db_check_ready (FoyerSvcDb *db, GError **error);
int foyer_svc_db_schema_version (FoyerSvcDb *db, FoyerSvcPart part);

/* Emitted inside a unit of work; stored with a cursor when it commits. */
void foyer_svc_db_emit (FoyerSvcDb *db,
                        const char *type,
                        const char *space_id,
                        const char *subject_id,
                        JsonNode *extra);
/* The events stored by units of work committed so far (owned). */
GPtrArray *foyer_svc_db_take_committed (FoyerSvcDb *db);

/* Engines (foyer-svc-db-sqlite.c, foyer-svc-db-pg.c). */
FoyerSvcDb *foyer_svc_db_sqlite_open (const char *data_dir,
                                      FoyerSvcPart part,
                                      const FoyerSvcDbOptions *options,
                                      GError **error);
FoyerSvcDb *foyer_svc_db_pg_open (const char *url,
                                  FoyerSvcPart parts,
                                  const FoyerSvcDbOptions *options,
                                  GError **error);

/* ---- Typed operations (foyer-svc-db-{people,spaces,messages,events,kms}.c) ---- */

typedef struct
{
  char *id;
  char *email;
  char *name;
  gboolean is_admin;
  gboolean disabled;
  gboolean removed;
} FoyerSvcPerson;

void foyer_svc_person_free (FoyerSvcPerson *person);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSvcPerson, foyer_svc_person_free)

typedef struct
{
  char *id;
  char *title;
  char *kms_resource_uri;
  char *creator_id;
  gint64 created;
  gint64 last_seq;
  char *key_uri;      /* NULL before any rotation */
  gint64 rekey_since; /* -1: no member left since the last key */
} FoyerSvcSpace;

void foyer_svc_space_free (FoyerSvcSpace *space);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSvcSpace, foyer_svc_space_free)

typedef struct
{
  char *id;
  char *space_id;
  gint64 seq;
  char *author_id;
  char *client_message_id;
  char *key_uri;
  char *body;
  char *attachments; /* JSON text */
  gint64 created;
} FoyerSvcMessage;

void foyer_svc_message_free (FoyerSvcMessage *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSvcMessage, foyer_svc_message_free)

typedef enum
{
  FOYER_SVC_SESSION_LIVE,
  FOYER_SVC_SESSION_UNKNOWN,
  FOYER_SVC_SESSION_PERSON_REMOVED,
  FOYER_SVC_SESSION_PERSON_DISABLED,
  FOYER_SVC_SESSION_REVOKED,
  FOYER_SVC_SESSION_EXPIRED,
} FoyerSvcSessionState;

/* meta (conversation) and kms meta */
char *foyer_svc_db_meta_get (FoyerSvcDb *db, const char *key, GError **error);
gboolean foyer_svc_db_meta_set (FoyerSvcDb *db, const char *key, const char *value, GError **error);
/* Sets a value only if there is none, and returns the one kept: two
 * nodes starting at once agree. */
char *foyer_svc_db_meta_init (FoyerSvcDb *db, const char *key, const char *value, GError **error);
char *
foyer_svc_db_kms_meta_init (FoyerSvcDb *db, const char *key, const char *value, GError **error);
char *foyer_svc_db_kms_meta_get (FoyerSvcDb *db, const char *key, GError **error);
gboolean
foyer_svc_db_kms_meta_set (FoyerSvcDb *db, const char *key, const char *value, GError **error);

/* people */
FoyerSvcPerson *foyer_svc_db_person_get (FoyerSvcDb *db, const char *id, GError **error);
/* The people whose address is this one, ignoring ASCII case. */
GPtrArray *foyer_svc_db_people_by_email (FoyerSvcDb *db, const char *email, GError **error);
/* The live account of an address: its id, password hash, disabled. */
gboolean foyer_svc_db_person_login (FoyerSvcDb *db,
                                    const char *email,
                                    char **out_id,
                                    char **out_hash,
                                    gboolean *out_disabled,
                                    GError **error);
gboolean foyer_svc_db_person_insert (FoyerSvcDb *db,
                                     const char *id,
                                     const char *email,
                                     const char *name,
                                     const char *password_hash,
                                     gboolean is_admin,
                                     GError **error);
GPtrArray *foyer_svc_db_people_list (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_db_person_set_disabled (FoyerSvcDb *db,
                                           const char *id,
                                           gboolean disabled,
                                           GError **error);
gboolean foyer_svc_db_person_tombstone (FoyerSvcDb *db, const char *id, GError **error);
GPtrArray *foyer_svc_db_person_space_ids (FoyerSvcDb *db, const char *person_id, GError **error);

/* sessions */
gboolean foyer_svc_db_session_insert (FoyerSvcDb *db,
                                      const char *id,
                                      const char *person_id,
                                      gint64 created_ms,
                                      gint64 expires_ms,
                                      GError **error);
gboolean foyer_svc_db_sessions_prune (FoyerSvcDb *db, gint64 before_ms, GError **error);
/* -1 on error. */
int foyer_svc_db_session_state (
    FoyerSvcDb *db, const char *session_id, const char *person_id, gint64 now_ms, GError **error);
/* Ends one session, or every live one of a person: how many, or -1. */
int foyer_svc_db_sessions_revoke (FoyerSvcDb *db,
                                  const char *session_id,
                                  const char *person_id,
                                  GError **error);

/* spaces and members */
FoyerSvcSpace *foyer_svc_db_space_get (FoyerSvcDb *db, const char *id, GError **error);
gboolean foyer_svc_db_space_insert (FoyerSvcDb *db,
                                    const char *id,
                                    const char *title,
                                    const char *resource_uri,
                                    const char *creator_id,
                                    gint64 created_ms,
                                    GError **error);
GPtrArray *foyer_svc_db_spaces_of_person (FoyerSvcDb *db, const char *person_id, GError **error);
char *foyer_svc_db_space_by_resource (FoyerSvcDb *db, const char *resource_uri, GError **error);
gboolean
foyer_svc_db_space_mark_rekey (FoyerSvcDb *db, const char *space_id, gint64 now_ms, GError **error);
gboolean foyer_svc_db_space_set_key (FoyerSvcDb *db,
                                     const char *space_id,
                                     const char *key_uri,
                                     GError **error);
/* 1 member, 0 not, -1 error. */
int foyer_svc_db_is_member (FoyerSvcDb *db,
                            const char *space_id,
                            const char *person_id,
                            GError **error);
gboolean foyer_svc_db_member_insert (FoyerSvcDb *db,
                                     const char *space_id,
                                     const char *person_id,
                                     const char *added_by,
                                     gint64 created_ms,
                                     GError **error);
gboolean foyer_svc_db_member_delete (FoyerSvcDb *db,
                                     const char *space_id,
                                     const char *person_id,
                                     GError **error);
/* Each: personId, email, name, addedBy, created (JSON objects). */
JsonArray *foyer_svc_db_members_list (FoyerSvcDb *db, const char *space_id, GError **error);
GPtrArray *foyer_svc_db_member_ids (FoyerSvcDb *db, const char *space_id, GError **error);

/* messages */
FoyerSvcMessage *foyer_svc_db_message_by_id (FoyerSvcDb *db, const char *id, GError **error);
FoyerSvcMessage *foyer_svc_db_message_by_client_id (FoyerSvcDb *db,
                                                    const char *space_id,
                                                    const char *author_id,
                                                    const char *client_message_id,
                                                    GError **error);
/* Takes the space's next sequence number and stores the message under it,
 * if key_uri is the space's current key (else STALE_KEY). The space's row
 * is locked until the unit of work ends, so that two nodes posting into a
 * space at once get numbers without gap or repeat. A clientMessageId
 * already stored fails with CONFLICT. */
FoyerSvcMessage *foyer_svc_db_message_post (FoyerSvcDb *db,
                                            const char *id,
                                            const char *space_id,
                                            const char *author_id,
                                            const char *client_message_id,
                                            const char *key_uri,
                                            const char *body,
                                            const char *attachments,
                                            gint64 created_ms,
                                            GError **error);
/* Newest first, at most limit, seq < before. */
GPtrArray *foyer_svc_db_messages_before (
    FoyerSvcDb *db, const char *space_id, gint64 before, gint64 limit, GError **error);

/* events */
gint64 foyer_svc_db_events_latest (FoyerSvcDb *db, GError **error); /* -1 on error */
/* The events a person can see after a cursor, oldest first (the JSON of
 * each, and its cursor in out_cursors), and in the same snapshot the
 * latest cursor of all. */
GPtrArray *foyer_svc_db_events_catch_up (FoyerSvcDb *db,
                                         const char *person_id,
                                         gint64 after,
                                         gint64 limit,
                                         GArray *out_cursors,
                                         gint64 *out_latest,
                                         GError **error);
/* Every event after a cursor (FoyerSvcEvent, text set), for the fan-out. */
GPtrArray *foyer_svc_db_events_after (FoyerSvcDb *db, gint64 after, gint64 limit, GError **error);

/* KMS */
int foyer_svc_db_kms_resource_exists (FoyerSvcDb *db, const char *id, GError **error);
gboolean foyer_svc_db_kms_resource_insert (
    FoyerSvcDb *db, const char *id, const char *creator_id, gint64 created_ms, GError **error);
int foyer_svc_db_kms_authorized (FoyerSvcDb *db,
                                 const char *resource_id,
                                 const char *person_id,
                                 GError **error);
gboolean foyer_svc_db_kms_authorize (
    FoyerSvcDb *db, const char *resource_id, const char *person_id, gboolean add, GError **error);
GPtrArray *
foyer_svc_db_kms_authorizations (FoyerSvcDb *db, const char *resource_id, GError **error);
gboolean
foyer_svc_db_kms_deauthorize_everywhere (FoyerSvcDb *db, const char *person_id, GError **error);
gboolean foyer_svc_db_kms_key_insert (FoyerSvcDb *db,
                                      const char *id,
                                      const char *resource_id,
                                      const guint8 *wrapped,
                                      gsize wrapped_len,
                                      gint64 created_ms,
                                      const char *kek,
                                      GError **error);
/* The key's resource, wrapped bytes (owned) and master key fingerprint;
 * FALSE without error when there is no such key. */
gboolean foyer_svc_db_kms_key_get (FoyerSvcDb *db,
                                   const char *id,
                                   char **out_resource_id,
                                   GBytes **out_wrapped,
                                   char **out_kek,
                                   GError **error);
/* 1 with *out_created, 0 when the key is not of this resource, -1 error. */
int foyer_svc_db_kms_key_created (FoyerSvcDb *db,
                                  const char *key_id,
                                  const char *resource_id,
                                  gint64 *out_created,
                                  GError **error);
gint64 foyer_svc_db_kms_key_count (FoyerSvcDb *db, GError **error);

typedef struct
{
  char *id;
  GBytes *wrapped;
  char *kek;
} FoyerSvcWrappedKey;

void foyer_svc_wrapped_key_free (FoyerSvcWrappedKey *key);
/* Keys not yet wrapped under the master key `current`, at most limit. */
GPtrArray *
foyer_svc_db_kms_keys_to_rewrap (FoyerSvcDb *db, const char *current, guint limit, GError **error);
gboolean foyer_svc_db_kms_key_rewrap (FoyerSvcDb *db,
                                      const char *id,
                                      const guint8 *wrapped,
                                      gsize wrapped_len,
                                      const char *kek,
                                      GError **error);

/* ---- Export and import: an organization as JSON lines ---- */

/* Writes every table of the parts the databases hold (either may be NULL,
 * or both the same); ciphertext stays ciphertext, wrapped keys stay
 * wrapped. */
gboolean
foyer_svc_db_export (FoyerSvcDb *conversation, FoyerSvcDb *kms, GOutputStream *out, GError **error);
/* Into empty databases (either may be NULL, or both the same); *out_rows
 * counts the rows read. */
gboolean foyer_svc_db_import (
    FoyerSvcDb *conversation, FoyerSvcDb *kms, GInputStream *in, guint64 *out_rows, GError **error);

typedef enum
{
  EXPORT_TEXT,
  EXPORT_INT,
  EXPORT_BOOL,
  EXPORT_BLOB,
} FoyerSvcExportType;

typedef struct
{
  const char *name;
  FoyerSvcExportType type;
  gboolean nullable;
} FoyerSvcExportColumn;

typedef struct
{
  const char *name; /* as in the export; each engine maps it to its table */
  FoyerSvcPart part;
  const char *order_by;
  guint n_columns;
  FoyerSvcExportColumn columns[12];
} FoyerSvcExportTable;

extern const FoyerSvcExportTable foyer_svc_export_tables[];
extern const guint foyer_svc_n_export_tables;

/* For the engines: SQL error text into the service's error codes. */
void foyer_svc_db_set_error (GError **error, int code, const char *format, ...)
    G_GNUC_PRINTF (3, 4);

G_END_DECLS
