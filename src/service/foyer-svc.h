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
#include <sqlite3.h>
#include <stdio.h>

G_BEGIN_DECLS

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

/* ---- Store (foyer-svc-store.c) ---- */

/* How every database is opened from then on: synchronous FULL (every
 * acknowledged write is on disk) or NORMAL (faster; a power cut may lose
 * the last ones), and an optional size limit in bytes (0: none), past
 * which writes fail as on a full disk (507). */
void foyer_svc_store_configure (gboolean full_sync, gint64 max_bytes);
sqlite3 *foyer_svc_store_open_conversation (const char *data_dir, GError **error);
sqlite3 *foyer_svc_store_open_kms (const char *data_dir, GError **error);
gboolean foyer_svc_store_exec (sqlite3 *db, const char *sql, GError **error);
sqlite3_stmt *foyer_svc_store_prepare (sqlite3 *db, const char *sql, GError **error);
gboolean foyer_svc_store_step_done (sqlite3 *db, sqlite3_stmt *stmt, GError **error);
int foyer_svc_store_schema_version (sqlite3 *db);
char *foyer_svc_store_get_meta (sqlite3 *db, const char *key);
gboolean foyer_svc_store_set_meta (sqlite3 *db, const char *key, const char *value, GError **error);
char *foyer_svc_new_id (void);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* ---- Secrets and tokens (foyer-svc-auth.c) ---- */

char *foyer_svc_password_hash (const char *password, GError **error);
gboolean foyer_svc_password_verify (const char *password, const char *stored);
cjose_jwk_t *foyer_svc_load_signing_key (const char *data_dir, GError **error);
cjose_jwk_t *foyer_svc_load_public_key_file (const char *path, GError **error);
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
gboolean
foyer_svc_token_verify (cjose_jwk_t *key, const char *token, FoyerSvcClaims *out, GError **error);
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
cjose_jwk_t *
foyer_svc_keys_load_signing_key (const char *data_dir, const char *key_dir, GError **error);
FoyerSvcMasterKeys *foyer_svc_master_keys_open (const char *data_dir,
                                                const char *key_dir,
                                                const char *master_key_file,
                                                sqlite3 *kms_db,
                                                GError **error);
void foyer_svc_master_keys_free (FoyerSvcMasterKeys *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSvcMasterKeys, foyer_svc_master_keys_free)
const char *foyer_svc_master_keys_describe (FoyerSvcMasterKeys *self);
gboolean foyer_svc_master_wrap (FoyerSvcMasterKeys *self,
                                sqlite3 *kms_db,
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
    FoyerSvcMasterKeys *self, sqlite3 *kms_db, gboolean make_new, char **out_id, GError **error);

/* ---- The daemon (foyer-svc-server.c) ---- */

typedef struct _FoyerSvc FoyerSvc;

/* Sessions and verified tokens (foyer-svc-auth.c). */
gboolean foyer_svc_authenticate_token (FoyerSvc *svc,
                                       const char *token,
                                       FoyerSvcClaims *out,
                                       GError **error);
gboolean foyer_svc_session_check (FoyerSvc *svc, const FoyerSvcClaims *claims, GError **error);
char *
foyer_svc_session_create (FoyerSvc *svc, const char *person_id, gint64 lifetime, GError **error);
int foyer_svc_sessions_revoke (sqlite3 *db,
                               const char *session_id,
                               const char *person_id,
                               GError **error);
void foyer_svc_tokens_forget (FoyerSvc *svc, const char *session_id, const char *person_id);

struct _FoyerSvc
{
  char *data_dir;
  gboolean conversation;
  gboolean kms;
  sqlite3 *db;
  sqlite3 *kms_db;
  cjose_jwk_t *signing_key;
  cjose_jwk_t *verify_key;
  struct _FoyerSvcMasterKeys *master; /* foyer-svc-keys.c */
  char *org_id;
  char *base_url;
  char *kms_url;
  char *kms_authority;
  SoupServer *server;
  FoyerSvcHttp *http;
  GPtrArray *sockets;           /* FoyerSvcSocket */
  GPtrArray *pending_events;    /* FoyerSvcEvent, written but not yet pushed */
  struct _FoyerSvcGroup *group; /* group commit while serving (foyer-svc-commit.c) */
  FILE *log;
  GMainLoop *loop;
  guint n_pending;
  struct _FoyerSvcSignIn *sign_in; /* foyer-svc-sign-in.c */
  gint64 token_lifetime;           /* seconds */
  GHashTable *tokens;              /* SHA-256 of a verified token → its claims */
  gint64 sessions_pruned;          /* ms */
  guint session_watch;             /* the WebSockets' session check */
  int data_version;                /* PRAGMA data_version when last checked */
};

typedef struct
{
  FoyerSvc *svc;
  SoupServerMessage *msg;
  const char *method;
  char **segments; /* path split on '/', without the leading empty one */
  guint n_segments;
  GHashTable *query;
  char *person_id;
} FoyerSvcRequest;

typedef struct
{
  const char *data_dir;
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
  const char *synchronous; /* "full" (NULL) or "normal" */
  gint64 max_database_mib; /* 0: no limit */
} FoyerSvcOptions;

FoyerSvc *foyer_svc_new (const FoyerSvcOptions *options, GError **error);
int foyer_svc_run (FoyerSvc *svc);
void foyer_svc_free (FoyerSvc *svc);

/* ---- Replies (foyer-svc-response.c) and requests (foyer-svc-request.c) ---- */

void foyer_svc_respond_json (SoupServerMessage *msg, guint status, JsonNode *node);
void foyer_svc_respond_error (SoupServerMessage *msg, const GError *error);
void foyer_svc_respond_error_literal (SoupServerMessage *msg, FoyerSvcError code, const char *text);
char *foyer_svc_error_json (const GError *error);
JsonNode *foyer_svc_request_body (FoyerSvcRequest *req, GError **error);
gboolean foyer_svc_request_authenticate (FoyerSvcRequest *req, GError **error);
void foyer_svc_request_set_person (SoupServerMessage *msg, const char *person_id);
void foyer_svc_request_set_session (SoupServerMessage *msg, const FoyerSvcClaims *claims);
const char *foyer_svc_request_get_session (FoyerSvcRequest *req);

/* ---- Transactions and group commit (foyer-svc-commit.c) ---- */

typedef struct _FoyerSvcGroup FoyerSvcGroup;

typedef struct
{
  guint64 commits;  /* group commits */
  guint64 requests; /* replies held for one */
} FoyerSvcGroupStats;

gboolean foyer_svc_begin (FoyerSvc *svc, GError **error);
gboolean foyer_svc_commit (FoyerSvc *svc, GError **error);
void foyer_svc_rollback (FoyerSvc *svc);
void foyer_svc_group_start (FoyerSvc *svc);
void foyer_svc_group_hold (FoyerSvc *svc, SoupServerMessage *msg);
void foyer_svc_group_finish (FoyerSvc *svc);
void foyer_svc_group_free (FoyerSvcGroup *group);
void foyer_svc_group_get_stats (FoyerSvc *svc, FoyerSvcGroupStats *out);

/* ---- Handlers of each part ---- */

void foyer_svc_handle_sessions (FoyerSvcRequest *req);
typedef struct _FoyerSvcSignIn FoyerSvcSignIn;
FoyerSvcSignIn *foyer_svc_sign_in_new (void);
void foyer_svc_sign_in_free (FoyerSvcSignIn *self);
void foyer_svc_sign_in (FoyerSvcRequest *req);
void foyer_svc_handle_people (FoyerSvcRequest *req);
void foyer_svc_handle_org (FoyerSvcRequest *req);
JsonNode *foyer_svc_person_json (FoyerSvc *svc, const char *person_id);
gboolean foyer_svc_person_exists (FoyerSvc *svc, const char *person_id);
gboolean foyer_svc_person_is_admin (FoyerSvc *svc, const char *person_id);
JsonNode *foyer_svc_org_settings_load (sqlite3 *db);
gboolean foyer_svc_org_settings_store (sqlite3 *db, JsonNode *settings, GError **error);

void foyer_svc_handle_spaces (FoyerSvcRequest *req);
gboolean foyer_svc_is_member (FoyerSvc *svc, const char *space_id, const char *person_id);
gboolean foyer_svc_member_remove (FoyerSvc *svc,
                                  const char *space_id,
                                  const char *person_id,
                                  GError **error);

void foyer_svc_handle_events (FoyerSvcRequest *req);
void foyer_svc_events_websocket (SoupServer *server,
                                 SoupServerMessage *msg,
                                 const char *path,
                                 SoupWebsocketConnection *connection,
                                 gpointer user_data);
gboolean foyer_svc_event_emit (FoyerSvc *svc,
                               const char *type,
                               const char *space_id,
                               const char *subject_id,
                               JsonNode *extra,
                               GError **error);
void foyer_svc_events_flush (FoyerSvc *svc);
GPtrArray *foyer_svc_events_take (FoyerSvc *svc);
void foyer_svc_events_push (FoyerSvc *svc, GPtrArray *events);
void foyer_svc_events_discard (FoyerSvc *svc);
void foyer_svc_events_close_all (FoyerSvc *svc);
void foyer_svc_events_close_sessions (FoyerSvc *svc,
                                      const char *session_id,
                                      const char *person_id,
                                      const char *reason);
char *foyer_svc_timestamp (gint64 ms);
gboolean foyer_svc_kms_resource_allows (FoyerSvc *svc,
                                        const char *resource_uri,
                                        const char *person_id,
                                        gboolean *out_local);
gboolean foyer_svc_kms_key_created_on (FoyerSvc *svc,
                                       const char *key_uri,
                                       const char *resource_uri,
                                       gint64 *out_created,
                                       gboolean *out_local);
gboolean foyer_svc_kms_authorize_local (
    FoyerSvc *svc, const char *resource_uri, const char *person_id, gboolean add, GError **error);

void foyer_svc_handle_kms (FoyerSvcRequest *req);
gboolean foyer_svc_wrap_key_parse (const char *value, cjose_jwk_t **out, GError **error);

/* ---- The admin CLI (foyer-svc-cli.c) ---- */

int foyer_svc_cli_main (int argc, char **argv);

G_END_DECLS
