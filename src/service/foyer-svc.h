/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private interface between the parts of foyer-service: the daemon state,
 * the store, tokens, JSON input checking and the request handlers of each
 * role. Nothing here is installed; tests and the fuzz target link it.
 */
#pragma once

#include <cjose/cjose.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>

#include "foyer-svc-db.h"

G_BEGIN_DECLS

static inline void
foyer_svc_jwk_release (cjose_jwk_t *jwk)
{
  cjose_jwk_release (jwk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jwk_t, foyer_svc_jwk_release)

#define FOYER_SVC_ERROR (foyer_svc_error_quark ())

/* Each code is one HTTP status; see foyer_svc_error_status (). */
typedef enum
{
  FOYER_SVC_ERROR_INVALID,      /* 400 */
  FOYER_SVC_ERROR_UNAUTHORIZED, /* 401 */
  FOYER_SVC_ERROR_FORBIDDEN,    /* 403 */
  FOYER_SVC_ERROR_NOT_FOUND,    /* 404 */
  FOYER_SVC_ERROR_METHOD,       /* 405 */
  FOYER_SVC_ERROR_CONFLICT,     /* 409 */
  FOYER_SVC_ERROR_LENGTH,       /* 411 */
  FOYER_SVC_ERROR_TOO_LARGE,    /* 413 */
  FOYER_SVC_ERROR_MEDIA_TYPE,   /* 415 */
  FOYER_SVC_ERROR_TOO_MANY,     /* 429 */
  FOYER_SVC_ERROR_INTERNAL,     /* 500 */
  FOYER_SVC_ERROR_BUSY,         /* 503 */
  FOYER_SVC_ERROR_STORAGE_FULL, /* 507 */
  FOYER_SVC_ERROR_STALE_KEY,    /* 409, the space's key changed */
} FoyerSvcError;

GQuark foyer_svc_error_quark (void);
guint foyer_svc_error_status (const GError *error);
const char *foyer_svc_error_code_name (const GError *error);

#define FOYER_SVC_MAX_BODY       (1024 * 1024)
#define FOYER_SVC_MAX_JSON_DEPTH 16
#define FOYER_SVC_MAX_MESSAGE    (64 * 1024)
#define FOYER_SVC_MAX_TITLE      (8 * 1024)
#define FOYER_SVC_MAX_ATTACH     20
#define FOYER_SVC_TOKEN_LIFETIME (12 * 3600)
/* Tokens are refused when they claim a longer life, or an issue time
 * further in the future than the clock skew allowed. */
#define FOYER_SVC_TOKEN_MAX_LIFETIME (12 * 3600)
#define FOYER_SVC_TOKEN_SKEW         60
#define FOYER_SVC_TOKEN_MIN_LIFETIME 60
#define FOYER_SVC_TOKEN_ISSUER       "foyer-service"

/* ---- JSON input (foyer-svc-json.c) ---- */

typedef enum
{
  FIELD_STRING,
  FIELD_BOOLEAN,
  FIELD_INTEGER,
  FIELD_ARRAY,
  FIELD_OBJECT,
} FoyerSvcFieldType;

typedef struct
{
  const char *name;
  FoyerSvcFieldType type;
  gboolean required;
  gsize max_length; /* strings: bytes; arrays: elements; 0 = default */
} FoyerSvcField;

JsonNode *foyer_svc_json_parse (const char *data, gsize length, GError **error);
JsonObject *foyer_svc_json_check_object (JsonNode *node,
                                         const FoyerSvcField *fields,
                                         gsize n_fields,
                                         GError **error);
gboolean foyer_svc_check_id (const char *id, gsize max_length);

typedef struct
{
  char *client_message_id;
  char *key_uri;
  char *body;
  GPtrArray *attachments; /* JWE strings of the document references */
} FoyerSvcMessageInput;

void foyer_svc_message_input_clear (FoyerSvcMessageInput *input);
gboolean foyer_svc_parse_message_input (JsonNode *node, FoyerSvcMessageInput *out, GError **error);
gboolean foyer_svc_parse_space_input (JsonNode *node,
                                      char **out_title,
                                      char **out_resource_uri,
                                      GError **error);
JsonNode *foyer_svc_org_settings_validate (JsonNode *node, GError **error);
JsonNode *foyer_svc_org_settings_default (void);
int foyer_svc_fuzz_one (const guint8 *data, gsize size);

char *foyer_svc_new_id (void);
char *foyer_svc_timestamp (gint64 ms);

/* The SQLite engine's group commit (foyer-svc-db-sqlite.c). */
void foyer_svc_db_sqlite_set_grouped (FoyerSvcDb *db, gboolean grouped);
gboolean foyer_svc_db_sqlite_group_pending (FoyerSvcDb *db);
gboolean foyer_svc_db_sqlite_in_unit (FoyerSvcDb *db);
int foyer_svc_db_sqlite_group_lost (FoyerSvcDb *db);
gboolean foyer_svc_db_sqlite_group_commit (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_db_sqlite_others_committed (FoyerSvcDb *db);

/* PostgreSQL's connections for the pool and the fan-out
 * (foyer-svc-db-pg.c). */
FoyerSvcDb *foyer_svc_db_pg_new_lazy (const char *url, FoyerSvcPart parts);
void foyer_svc_db_pg_set_batched (FoyerSvcDb *db, gboolean batched);
gboolean foyer_svc_db_pg_finish_batch (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_db_pg_connected (FoyerSvcDb *db);
struct pg_conn *foyer_svc_db_pg_get_conn (FoyerSvcDb *db, GError **error);

/* PostgreSQL: tells every node that sessions ended (foyer-svc-db-pg.c);
 * delivered when the unit of work commits. Nothing for SQLite. */
gboolean foyer_svc_db_announce_sessions_ended (FoyerSvcDb *db,
                                               const char *session_id,
                                               const char *person_id,
                                               GError **error);

/* ---- Secrets and tokens (foyer-svc-auth.c) ---- */

char *foyer_svc_password_hash (const char *password, GError **error);
gboolean foyer_svc_password_verify (const char *password, const char *stored);

/* Token signing keys: the newest signs, every one verifies (by its kid)
 * until the tokens it signed have expired (foyer-svc-keys.c). */
typedef struct _FoyerSvcTokenKeys FoyerSvcTokenKeys;

FoyerSvcTokenKeys *foyer_svc_token_keys_load (const char *data_dir,
                                              const char *key_dir,
                                              const char *key_file,
                                              gboolean may_create,
                                              GError **error);
/* Public keys alone: a JWK, a {"keys": [...]} set, or a service.json. */
FoyerSvcTokenKeys *foyer_svc_token_keys_load_public (const char *path, GError **error);
/* A ring of one key held in memory (tests, fuzzing). */
FoyerSvcTokenKeys *foyer_svc_token_keys_new_for_key (cjose_jwk_t *key);
void foyer_svc_token_keys_free (FoyerSvcTokenKeys *self);
/* The key that signs (NULL for public keys alone), retained. */
cjose_jwk_t *foyer_svc_token_keys_signing (FoyerSvcTokenKeys *self);
/* The key a token's kid names (any when kid is NULL), retained; reads the
 * file again (at most once a second) for a kid it does not know. */
cjose_jwk_t *foyer_svc_token_keys_find (FoyerSvcTokenKeys *self, const char *kid);
/* The public keys as a JSON array of JWKs (for service.json). */
JsonNode *foyer_svc_token_keys_public (FoyerSvcTokenKeys *self);
/* `keys rotate-token-key`: a new key first, old ones kept until the
 * tokens they signed expired. Returns the new kid. */
char *foyer_svc_token_keys_rotate (const char *data_dir,
                                   const char *key_dir,
                                   const char *key_file,
                                   GError **error);
/* `keys generate`: a master key and a signing key for a new deployment. */
gboolean foyer_svc_keys_generate (const char *key_dir, GError **error);
typedef struct
{
  char *person_id;  /* sub */
  char *session_id; /* sid */
  char *org;
  gint64 issued;  /* iat, Unix seconds */
  gint64 expires; /* exp */
} FoyerSvcClaims;

void foyer_svc_claims_clear (FoyerSvcClaims *claims);
char *foyer_svc_token_issue (cjose_jwk_t *key,
                             const char *person_id,
                             const char *session_id,
                             const char *org,
                             gint64 lifetime,
                             GError **error);
gboolean foyer_svc_token_verify (FoyerSvcTokenKeys *keys,
                                 const char *token,
                                 FoyerSvcClaims *out,
                                 GError **error);
gboolean foyer_svc_wrap_key (
    const guint8 master[32], const guint8 *key, gsize key_len, guint8 *out, gsize *out_len);
gboolean foyer_svc_unwrap_key (
    const guint8 master[32], const guint8 *wrapped, gsize wrapped_len, guint8 *out, gsize *out_len);
gboolean
foyer_svc_write_private_file (const char *path, const char *contents, gsize length, GError **error);

/* ---- The HTTP layer under libsoup (foyer-svc-http.c) ---- */

typedef struct _FoyerSvcHttp FoyerSvcHttp;

/* Seconds (0: no limit) and counts; see docs/service-api.md. */
typedef struct
{
  guint header_timeout;   /* connection made or request begun → headers read */
  guint request_timeout;  /* headers read → body read */
  guint response_timeout; /* body read → response taken by the client */
  guint idle_timeout;     /* a kept-alive connection between requests */
  guint max_per_address;  /* connections from one peer address */
  guint max_connections;  /* 0: as many as the descriptors allow */
} FoyerSvcLimits;

typedef struct
{
  guint open;
  guint64 accepted;
  guint64 timed_out;
  guint64 refused_per_address;
  guint64 refused_headers;
  guint64 refused_bodies;
  guint64 refused_websockets;
  guint64 descriptor_pauses;
} FoyerSvcHttpStats;

/* The defaults, or the FOYER_SERVICE_*_TIMEOUT / _MAX_* environment. */
void foyer_svc_limits_init (FoyerSvcLimits *limits);
FoyerSvcHttp *
foyer_svc_http_new (SoupServer *server, GTlsCertificate *certificate, const FoyerSvcLimits *limits);
gboolean foyer_svc_http_listen (FoyerSvcHttp *http, GSocketAddress *address, GError **error);
guint foyer_svc_http_get_port (FoyerSvcHttp *http);
void foyer_svc_http_get_stats (FoyerSvcHttp *http, FoyerSvcHttpStats *out);
/* Answers from the headers alone and closes the connection without
 * reading the body (but a little of it, dropped, so the client sees it). */
void foyer_svc_http_refuse (SoupServerMessage *msg, guint status, const char *json);
gboolean foyer_svc_http_is_connected (SoupServerMessage *msg);
void foyer_svc_http_stop (FoyerSvcHttp *http);
void foyer_svc_http_free (FoyerSvcHttp *http);

/* ---- Readers of raw client bytes (foyer-svc-wire.c) ---- */

typedef struct
{
  gboolean line_start;
  gboolean ended;
} FoyerSvcHeaderEnd;

gsize foyer_svc_header_end_feed (FoyerSvcHeaderEnd *self, const guint8 *data, gsize length);

typedef struct
{
  guint8 head[14];
  guint head_len;
  guint64 payload_left;
  guint64 message;
} FoyerSvcWsScan;

gboolean
foyer_svc_ws_scan_feed (FoyerSvcWsScan *self, const guint8 *data, gsize length, guint64 limit);

/* ---- WebSocket compression (foyer-svc-deflate.c) ---- */

/* What a client's message may hold, inflated, all fragments together. */
#define FOYER_SVC_MAX_WS_MESSAGE 4096
/* The same on the wire, compressed or not, with room for what deflate adds. */
#define FOYER_SVC_MAX_WS_WIRE (2 * FOYER_SVC_MAX_WS_MESSAGE)

#define FOYER_TYPE_SVC_DEFLATE (foyer_svc_deflate_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerSvcDeflate, foyer_svc_deflate, FOYER, SVC_DEFLATE, SoupWebsocketExtension)

typedef struct
{
  guint64 compressed;      /* messages compressed */
  guint64 reused;          /* sends that reused a compressed message */
  guint64 refused_too_big; /* client messages past the limit */
} FoyerSvcDeflateStats;

void foyer_svc_deflate_get_stats (FoyerSvcDeflateStats *out);

/* ---- Keys kept out of the data folder (foyer-svc-keys.c) ---- */

typedef struct _FoyerSvcMasterKeys FoyerSvcMasterKeys;

char *foyer_svc_default_key_dir (const char *data_dir);
/* may_create: make a master key in the key folder when there is none and
 * the database holds no key (SQLite only: several nodes would each make
 * their own). data_dir may be NULL (PostgreSQL without one). */
FoyerSvcMasterKeys *foyer_svc_master_keys_open (const char *data_dir,
                                                const char *key_dir,
                                                const char *master_key_file,
                                                FoyerSvcDb *kms_db,
                                                gboolean may_create,
                                                GError **error);
void foyer_svc_master_keys_free (FoyerSvcMasterKeys *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSvcMasterKeys, foyer_svc_master_keys_free)
const char *foyer_svc_master_keys_describe (FoyerSvcMasterKeys *self);
gboolean foyer_svc_master_wrap (FoyerSvcMasterKeys *self,
                                FoyerSvcDb *kms_db,
                                const guint8 *key,
                                gsize key_len,
                                guint8 *out,
                                gsize *out_len,
                                char **out_kek,
                                GError **error);
gboolean foyer_svc_master_unwrap (FoyerSvcMasterKeys *self,
                                  const char *kek,
                                  const guint8 *wrapped,
                                  gsize wrapped_len,
                                  guint8 *out,
                                  gsize *out_len);
int foyer_svc_master_rotate (
    FoyerSvcMasterKeys *self, FoyerSvcDb *kms_db, gboolean make_new, char **out_id, GError **error);

/* ---- The daemon (foyer-svc-server.c) ---- */

typedef struct _FoyerSvc FoyerSvc;
typedef struct _FoyerSvcRequest FoyerSvcRequest;
typedef struct _FoyerSvcPool FoyerSvcPool;
typedef struct _FoyerSvcFanout FoyerSvcFanout;

/* Sessions and verified tokens (foyer-svc-auth.c). Thread-safe. */
gboolean foyer_svc_authenticate_token (
    FoyerSvc *svc, FoyerSvcDb *db, const char *token, FoyerSvcClaims *out, GError **error);
gboolean foyer_svc_session_check (FoyerSvc *svc,
                                  FoyerSvcDb *db,
                                  const FoyerSvcClaims *claims,
                                  GError **error);
char *foyer_svc_session_create (
    FoyerSvc *svc, FoyerSvcDb *db, const char *person_id, gint64 lifetime, GError **error);
void foyer_svc_tokens_forget (FoyerSvc *svc, const char *session_id, const char *person_id);

struct _FoyerSvc
{
  char *data_dir;
  char *database_url;
  gboolean conversation;
  gboolean kms;
  /* SQLite: one connection per part, used on the main loop. PostgreSQL:
   * NULL, the pool's connections serve (pool, fanout). */
  FoyerSvcDb *db;
  FoyerSvcDb *kms_db;
  FoyerSvcPool *pool;
  FoyerSvcFanout *fanout;
  FoyerSvcTokenKeys *token_keys;
  struct _FoyerSvcMasterKeys *master; /* foyer-svc-keys.c */
  char *org_id;
  char *base_url;
  char *kms_url;
  char *kms_authority;
  SoupServer *server;
  FoyerSvcHttp *http;
  GPtrArray *sockets;            /* FoyerSvcSocket */
  GHashTable *sockets_by_person; /* person id → GPtrArray of FoyerSvcSocket */
  struct _FoyerSvcGroup *group;  /* SQLite's group commit (foyer-svc-commit.c) */
  FILE *log;
  GMainLoop *loop;
  guint n_pending;
  struct _FoyerSvcSignIn *sign_in; /* foyer-svc-sign-in.c */
  gint64 token_lifetime;           /* seconds */
  GMutex tokens_lock;
  GHashTable *tokens;     /* SHA-256 of a verified token → its claims */
  gint64 sessions_pruned; /* ms */
  guint session_watch;    /* the WebSockets' session check */
  gboolean quitting;
};

/* What a handler reads from a request and writes as its reply. It is made
 * on the main loop from the message, then handed to the thread of its
 * database (the main loop for SQLite, a worker for PostgreSQL): handlers
 * never touch the SoupServerMessage. */
struct _FoyerSvcRequest
{
  FoyerSvc *svc;
  FoyerSvcDb *db;     /* conversation part; NULL for a KMS alone */
  FoyerSvcDb *kms_db; /* KMS part; NULL for a conversation role alone */
  char *method;
  char **segments; /* path split on '/', without the leading empty one */
  guint n_segments;
  GHashTable *query;
  char *authorization;
  char *content_type;
  char *key_wrap;
  char *address; /* the peer's, for sign-in throttling */
  gboolean upgrade;
  GBytes *body;
  /* who, once authenticated */
  char *person_id;
  char *session_id;
  gint64 expires;
  /* the reply */
  guint status;
  char *reply; /* JSON, or NULL */
  char *retry_after;
  /* sessions ended by this request: (session id, person id, reason) */
  GPtrArray *ended;
  /* PostgreSQL: requests of a batch run in this order, so that two
   * batches take row locks in the same order (no deadlock). */
  char *order_key;
  SoupServerMessage *msg; /* main loop only */
  gboolean paused;
  gpointer user_data; /* the sign-in's */
};

FoyerSvcRequest *
foyer_svc_request_new (FoyerSvc *svc, SoupServerMessage *msg, const char *path, GHashTable *query);
void foyer_svc_request_free (FoyerSvcRequest *req);
/* Sets the reply on the message (if its connection is still there), and
 * closes the WebSockets of the sessions the request ended. */
void foyer_svc_request_finish (FoyerSvcRequest *req);
/* finish, then free. */
void foyer_svc_request_complete (FoyerSvcRequest *req);
/* The message waits for its reply unless the request is complete. */
void foyer_svc_request_wait (SoupServerMessage *msg, FoyerSvcRequest *req);
void foyer_svc_request_end_sessions (FoyerSvcRequest *req,
                                     const char *session_id,
                                     const char *person_id,
                                     const char *reason);

typedef struct
{
  const char *data_dir;
  const char *database; /* URL; NULL: sqlite:<data_dir> */
  const char *listen;
  const char *roles;
  const char *tls_cert;
  const char *tls_key;
  const char *kms_url;
  const char *token_public_key;
  const char *kms_name;
  gint64 token_lifetime; /* seconds; 0: FOYER_SVC_TOKEN_LIFETIME */
  const char *key_dir;   /* NULL: foyer_svc_default_key_dir () */
  const char *master_key_file;
  const char *token_key_file;
  const char *synchronous; /* "full" (NULL) or "normal" */
  gint64 max_database_mib; /* 0: no limit */
  gint64 connections;      /* PostgreSQL connections per node; 0: default */
} FoyerSvcOptions;

FoyerSvc *foyer_svc_new (const FoyerSvcOptions *options, GError **error);
int foyer_svc_run (FoyerSvc *svc);
void foyer_svc_free (FoyerSvc *svc);

/* ---- Replies (foyer-svc-response.c) and requests (foyer-svc-request.c) ---- */

void foyer_svc_respond_json (FoyerSvcRequest *req, guint status, JsonNode *node);
void foyer_svc_respond_status (FoyerSvcRequest *req, guint status);
void foyer_svc_respond_error (FoyerSvcRequest *req, const GError *error);
void foyer_svc_respond_error_literal (FoyerSvcRequest *req, FoyerSvcError code, const char *text);
/* The error when there is one (a failed lookup), else code and text (the
 * lookup found nothing, or said no). */
void foyer_svc_respond_error_or (FoyerSvcRequest *req,
                                 const GError *error,
                                 FoyerSvcError code,
                                 const char *text);
/* 200 {"items": [to_node (row), …]} for the rows of a lookup, or its error
 * when rows is NULL. */
typedef JsonNode *(*FoyerSvcNodeFunc) (gconstpointer row);
void foyer_svc_respond_list (FoyerSvcRequest *req,
                             GPtrArray *rows,
                             FoyerSvcNodeFunc to_node,
                             const GError *error);
char *foyer_svc_error_json (const GError *error);
JsonNode *foyer_svc_request_body (FoyerSvcRequest *req, GError **error);
gboolean foyer_svc_request_authenticate (FoyerSvcRequest *req, GError **error);

/* ---- Running requests on their database ---- */

/* work runs where the database is (inline for SQLite, on a worker of the
 * pool for PostgreSQL); done runs on the main loop once what work wrote
 * is durable (or failed: then a 2xx reply has become the error). */
typedef void (*FoyerSvcWork) (FoyerSvcRequest *req);
typedef void (*FoyerSvcDone) (FoyerSvcRequest *req);

void foyer_svc_execute (FoyerSvc *svc, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done);

/* A unit of work of a handler (a savepoint in the group or batch). */
gboolean foyer_svc_begin (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_commit (FoyerSvcDb *db, GError **error);
void foyer_svc_rollback (FoyerSvcDb *db);

/* ---- SQLite: group commit (foyer-svc-commit.c) ---- */

typedef struct _FoyerSvcGroup FoyerSvcGroup;

typedef struct
{
  guint64 commits;  /* group commits */
  guint64 requests; /* replies held for one */
} FoyerSvcGroupStats;

void foyer_svc_group_start (FoyerSvc *svc);
void
foyer_svc_group_run (FoyerSvc *svc, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done);
void foyer_svc_group_finish (FoyerSvc *svc);
void foyer_svc_group_free (FoyerSvcGroup *group);
void foyer_svc_group_get_stats (FoyerSvc *svc, FoyerSvcGroupStats *out);

/* ---- PostgreSQL: connections on worker threads (foyer-svc-pool.c) ---- */

FoyerSvcPool *foyer_svc_pool_new (FoyerSvc *svc, const char *url, guint connections);
void
foyer_svc_pool_run (FoyerSvcPool *pool, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done);
/* Waits for the requests in flight and closes the connections. */
void foyer_svc_pool_free (FoyerSvcPool *pool);

/* Cross-node fan-out: LISTEN/NOTIFY on a connection of its own, reading
 * the events committed by any node in cursor order (foyer-svc-fanout.c). */
FoyerSvcFanout *foyer_svc_fanout_new (FoyerSvc *svc, const char *url, GError **error);
/* Wakes the reader at once (a local commit stored events). */
void foyer_svc_fanout_poke (FoyerSvcFanout *fanout);
void foyer_svc_fanout_free (FoyerSvcFanout *fanout);

/* ---- Handlers of each part ---- */

/* Each runs where the request's database is. */
void foyer_svc_handle_sessions (FoyerSvcRequest *req);
void foyer_svc_handle_people (FoyerSvcRequest *req);
void foyer_svc_handle_org (FoyerSvcRequest *req);
void foyer_svc_handle_spaces (FoyerSvcRequest *req);
void foyer_svc_handle_events (FoyerSvcRequest *req);
void foyer_svc_handle_kms (FoyerSvcRequest *req);
void foyer_svc_handle_probe (FoyerSvcRequest *req);

/* POST /v1/sessions: on the main loop, since its throttling lives there. */
typedef struct _FoyerSvcSignIn FoyerSvcSignIn;
FoyerSvcSignIn *foyer_svc_sign_in_new (void);
void foyer_svc_sign_in_free (FoyerSvcSignIn *self);
void foyer_svc_sign_in (FoyerSvcRequest *req);

JsonNode *foyer_svc_person_json (FoyerSvcDb *db, const char *person_id, GError **error);
JsonNode *foyer_svc_org_settings_load (FoyerSvcDb *db, GError **error);
gboolean foyer_svc_org_settings_store (FoyerSvcDb *db, JsonNode *settings, GError **error);
/* Inside the caller's unit of work: the person leaves the space, every
 * member (the person too) hears of it, and the space needs a new key. */
gboolean foyer_svc_member_remove (FoyerSvcDb *db,
                                  const char *space_id,
                                  const char *person_id,
                                  GError **error);

/* WebSockets (foyer-svc-events.c), main loop only. */
void foyer_svc_events_websocket (SoupServer *server,
                                 SoupServerMessage *msg,
                                 const char *path,
                                 SoupWebsocketConnection *connection,
                                 gpointer user_data);
/* Events in cursor order; recipients from the event or (SQLite) the
 * database. */
void foyer_svc_events_push (FoyerSvc *svc, GPtrArray *events);
void foyer_svc_events_close_all (FoyerSvc *svc);
void foyer_svc_events_close_sessions (FoyerSvc *svc,
                                      const char *session_id,
                                      const char *person_id,
                                      const char *reason);
/* Sessions of every WebSocket checked again (a node's notifications may
 * have been lost while its database connection was down). */
void foyer_svc_events_recheck_sessions (FoyerSvc *svc);

gboolean foyer_svc_kms_resource_allows (FoyerSvcRequest *req,
                                        const char *resource_uri,
                                        const char *person_id,
                                        gboolean *out_local,
                                        GError **error);
gboolean foyer_svc_kms_key_created_on (FoyerSvcRequest *req,
                                       const char *key_uri,
                                       const char *resource_uri,
                                       gint64 *out_created,
                                       gboolean *out_local,
                                       GError **error);
gboolean foyer_svc_kms_authorize_local (FoyerSvcRequest *req,
                                        const char *resource_uri,
                                        const char *person_id,
                                        gboolean add,
                                        GError **error);

gboolean foyer_svc_wrap_key_parse (const char *value, cjose_jwk_t **out, GError **error);

/* ---- The admin CLI (foyer-svc-cli.c) ---- */

int foyer_svc_cli_main (int argc, char **argv);

G_END_DECLS
