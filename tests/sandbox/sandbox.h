/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Private state of foyer-ms-sandbox, shared by its parts: seed data
 * (sandbox-seed.c), identity (sandbox-identity.c), Graph (sandbox-graph.c),
 * SharePoint pages (sandbox-sharepoint.c), thumbnails (sandbox-thumbs.c),
 * the control API (sandbox-control.c) and the server itself (sandbox-main.c).
 *
 * Everything runs on one main loop; no locking is needed.
 */
#pragma once

#include <cjose/cjose.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef enum
{
  SANDBOX_HOST_LOGIN,
  SANDBOX_HOST_GRAPH,
  SANDBOX_HOST_SHAREPOINT,
  SANDBOX_N_HOSTS
} SandboxHost;

typedef enum
{
  SANDBOX_KIND_FOLDER,
  SANDBOX_KIND_WORD,
  SANDBOX_KIND_EXCEL,
  SANDBOX_KIND_POWERPOINT,
  SANDBOX_KIND_PDF,
  SANDBOX_KIND_JPEG,
  SANDBOX_KIND_PNG,
  SANDBOX_KIND_TEXT,
  SANDBOX_KIND_ARCHIVE,
} SandboxKind;

typedef enum
{
  SANDBOX_ACCESS_NONE,
  SANDBOX_ACCESS_READ,
  SANDBOX_ACCESS_WRITE,
  SANDBOX_ACCESS_OWNER,
} SandboxAccess;

/* When /me/drive/recent and sharedWithMe stop answering. */
typedef enum
{
  SANDBOX_RETIRE_BY_DATE, /* Microsoft's dates, by the sandbox's clock */
  SANDBOX_RETIRE_NEVER,
  SANDBOX_RETIRE_ALWAYS,
} SandboxRetire;

typedef struct _SandboxTenant SandboxTenant;
typedef struct _SandboxUser SandboxUser;
typedef struct _SandboxDrive SandboxDrive;
typedef struct _SandboxItem SandboxItem;
typedef struct _SandboxSite SandboxSite;
typedef struct _SandboxLink SandboxLink;
typedef struct _SandboxGrant SandboxGrant;
typedef struct _Sandbox Sandbox;
typedef struct _SandboxUploads SandboxUploads;

struct _SandboxTenant
{
  char *id;
  char *name;
  char *domain;
  gboolean allow_anonymous;
  gboolean admin_consent_required; /* users may not consent to apps themselves */
  gboolean insights_disabled;      /* item insights off: the insights endpoints answer 403 */
  GHashTable *admin_consents;      /* client ids an administrator consented to */
};

struct _SandboxUser
{
  char *email; /* the mail address */
  char *upn;   /* the sign-in name; usually the mail address */
  gboolean is_admin;
  char *password;
  char *name;
  char *oid;
  char *slug; /* alice_contoso_example, as in OneDrive URLs */
  SandboxTenant *tenant;
  SandboxDrive *drive;
  /* Tokens whose serial is at most these are expired / revoked. */
  gint64 expired_serial;
  gint64 revoked_serial;
  GPtrArray *recent;         /* SandboxItem*, most recent first (borrowed) */
  GPtrArray *followed_sites; /* SandboxSite* (borrowed) */
  GHashTable *redeemed;      /* SandboxLink* set */
};

struct _SandboxDrive
{
  char *id;
  char *name;
  const char *drive_type; /* "business" or "documentLibrary" */
  SandboxUser *owner;     /* NULL for a site's library */
  SandboxSite *site;      /* NULL for a OneDrive */
  SandboxTenant *tenant;
  char *web_path; /* "/personal/alice_contoso_example/Documents" */
  SandboxItem *root;
};

struct _SandboxItem
{
  char *id;
  char *name;
  SandboxKind kind;
  SandboxDrive *drive;
  SandboxItem *parent;
  GPtrArray *children;    /* SandboxItem*, owned, sorted by name */
  guint n_generated;      /* > 0: the folder's children are generated from their index */
  gint64 generated_index; /* >= 0: this item was generated from its index */
  gint64 size;
  gint64 created;
  gint64 modified;
  SandboxUser *created_by;
  int width;
  int height;
  GPtrArray *links;  /* SandboxLink*, owned */
  GPtrArray *grants; /* SandboxGrant*, owned */
};

struct _SandboxSite
{
  char *id;
  char *name;
  char *display_name;
  char *description;
  char *web_path; /* "/sites/ContosoTeam" */
  SandboxTenant *tenant;
  SandboxDrive *drive;
};

struct _SandboxLink
{
  char *id;
  char *token;
  char *type;  /* view, edit */
  char *scope; /* anonymous, organization, users */
  char *url;
  GPtrArray *recipients; /* SandboxUser* (borrowed) */
  SandboxItem *item;
  SandboxUser *created_by;
  gint64 created;
};

struct _SandboxGrant
{
  char *id;
  SandboxUser *user;
  gboolean write;
  SandboxUser *granted_by;
  gint64 created;
};

/* Access and refresh tokens are opaque random strings looked up here. */
typedef struct
{
  SandboxUser *user;
  char *client_id;
  char *scope;
  gint64 expires;
  gint64 serial;
  gboolean refresh;
} SandboxToken;

typedef struct
{
  SandboxUser *user;
  char *client_id;
  char *redirect_uri;
  char *challenge;
  char *scope;
  char *nonce;
  gint64 expires;
  gboolean redeemed;
  gboolean client_info;
} SandboxCode;

/* A browser session: ESTSAUTH on the login host, FedAuth on SharePoint. */
typedef struct
{
  SandboxUser *user;
  gint64 serial;
} SandboxSession;

/* A pre-authenticated URL on the SharePoint host: a thumbnail, a download
 * or a preview page. Items are named by id: generated ones come and go. */
typedef struct
{
  char *item_id;
  SandboxUser *user;
  char *what; /* a thumbnail size, "content" or "preview" */
  gint64 expires;
} SandboxTicket;

typedef struct
{
  guint id;
  char *pattern;
  char *method;
  int host; /* SandboxHost, or -1 for any */
  guint status;
  int retry_after;
  gboolean retry_after_date;
  guint delay_ms;
  char *body; /* NULL, "malformed" or "truncated" */
  gboolean drop;
  gboolean hold; /* answered only when a test releases it */
  int remaining; /* < 0: unlimited */
} SandboxFault;

struct _Sandbox
{
  guint64 seed;
  guint latency_ms;
  guint token_lifetime;
  char *state_dir;
  int port_base;
  GMainLoop *loop;

  SoupServer *servers[SANDBOX_N_HOSTS];
  char *base_url[SANDBOX_N_HOSTS];  /* "https://127.0.0.2:41001" */
  char *host_port[SANDBOX_N_HOSTS]; /* "127.0.0.2:41001" */
  char *graph_url;                  /* base_url[GRAPH] + "/v1.0" */

  char *client_id;
  char *redirect_uri;       /* the native-client URI */
  GPtrArray *redirect_uris; /* the app registration's reply URLs */
  char *sharepoint_client_id;

  GPtrArray *tenants;    /* owned */
  GPtrArray *users;      /* owned */
  GPtrArray *drives;     /* owned */
  GPtrArray *sites;      /* owned */
  GHashTable *items;     /* id -> SandboxItem* (borrowed: owned by their parent) */
  GHashTable *generated; /* id -> SandboxItem* generated on demand (owned) */
  GPtrArray *pinned;     /* generated items kept for good (links, grants) */
  GHashTable *links;     /* url -> SandboxLink* (borrowed) */
  SandboxItem *big_folder;

  GHashTable *tokens;        /* string -> SandboxToken* */
  GHashTable *codes;         /* string -> SandboxCode* */
  GHashTable *sessions;      /* ESTSAUTH value -> SandboxSession* */
  GHashTable *sp_sessions;   /* FedAuth value -> SandboxSession* */
  GHashTable *auth_requests; /* ctx -> SandboxAuthRequest* */
  GHashTable *consents;      /* "oid client" -> scope string */
  GHashTable *tickets;       /* thumbnail and preview tickets */
  GHashTable *thumb_cache;   /* "id size" -> GBytes* */
  gint64 serial;
  gint64 clock_offset;
  SandboxUser *auto_sso;
  SandboxRetire retire_deprecated;

  GPtrArray *faults; /* SandboxFault* */
  guint next_fault_id;
  GPtrArray *held; /* requests a "hold" fault paused, until released */
  GPtrArray *log;  /* JsonObject* */
  guint next_request_id;

  cjose_jwk_t *jwk;
  char *kid; /* also x5t */
  char *x5c;
  char *ticket_key; /* signs stateless download URLs */
  gboolean keep_alive_off;

  SandboxUploads *uploads; /* sandbox-upload.c */
};

/* What a handler knows about the request being answered. */
typedef struct
{
  Sandbox *sb;
  SoupServerMessage *msg;
  SandboxHost host;
  const char *method;
  const char *path;
  GHashTable *query;
  SandboxUser *user; /* the calling user, once known */
} SandboxRequest;

/* sandbox-main.c: small helpers for every part. */
gint64 sandbox_now (Sandbox *sb);
gboolean sandbox_set_now (Sandbox *sb, const char *iso8601);
char *sandbox_iso_time (gint64 unix_seconds);
char *sandbox_uuid (Sandbox *sb, const char *label);
char *sandbox_hash_hex (Sandbox *sb, const char *label, gsize n_bytes);
guint32 sandbox_hash32 (Sandbox *sb, const char *label);
void sandbox_respond_json (SandboxRequest *req, guint status, JsonNode *node);
void sandbox_respond_builder (SandboxRequest *req, guint status, JsonBuilder *builder);
void
sandbox_respond_html (SandboxRequest *req, guint status, const char *title, const char *body_html);
void sandbox_respond_redirect (SandboxRequest *req, const char *url);
void sandbox_set_user (SandboxRequest *req, SandboxUser *user);
JsonObject *sandbox_request_json (SandboxRequest *req);
GHashTable *sandbox_request_form (SandboxRequest *req);
char *sandbox_request_cookie (SandboxRequest *req, const char *name);
char *sandbox_request_id (void);
/* The caller's client-request-id (echoed, as Microsoft does), else a new id. */
char *sandbox_correlation_id (SandboxRequest *req);
/* Members of a JSON body sent by anyone: NULL (or the default) when of another type. */
const char *sandbox_json_string (JsonObject *object, const char *name);
JsonArray *sandbox_json_array (JsonObject *object, const char *name);
gint64 sandbox_json_int (JsonObject *object, const char *name, gint64 fallback);
gboolean sandbox_json_bool (JsonObject *object, const char *name, gboolean fallback);

/* sandbox-seed.c */
void sandbox_seed (Sandbox *sb);
SandboxUser *sandbox_find_user (Sandbox *sb, const char *email_or_oid);
SandboxTenant *sandbox_find_tenant (Sandbox *sb, const char *id_or_domain);
SandboxDrive *sandbox_find_drive (Sandbox *sb, const char *id);
SandboxSite *sandbox_find_site (Sandbox *sb, const char *id);
SandboxItem *sandbox_find_item (Sandbox *sb, const char *id);
SandboxItem *sandbox_find_path (Sandbox *sb, SandboxItem *root, const char *path);
SandboxItem *sandbox_child_at (Sandbox *sb, SandboxItem *folder, guint index);
guint sandbox_child_count (SandboxItem *folder);
SandboxItem *sandbox_item_new_generated (Sandbox *sb, SandboxItem *folder, guint index);
void sandbox_generated_name (guint index, char *buffer, gsize size);
void sandbox_foreach_item (Sandbox *sb, GFunc func, gpointer user_data);
void sandbox_item_free (SandboxItem *item);
void sandbox_item_pin (Sandbox *sb, SandboxItem *item);
char *sandbox_item_path (SandboxItem *item);
char *sandbox_item_web_url (Sandbox *sb, SandboxItem *item);
const char *sandbox_kind_mime (SandboxKind kind);
gboolean sandbox_kind_has_thumbnail (SandboxKind kind);
SandboxAccess sandbox_item_access (Sandbox *sb, SandboxItem *item, SandboxUser *user);
gboolean sandbox_link_allows (SandboxLink *link, SandboxUser *user);
SandboxLink *sandbox_link_find_or_create (Sandbox *sb,
                                          SandboxItem *item,
                                          SandboxUser *creator,
                                          const char *type,
                                          const char *scope,
                                          GPtrArray *recipients,
                                          gboolean *created);
SandboxGrant *sandbox_grant_add (
    Sandbox *sb, SandboxItem *item, SandboxUser *user, gboolean write, SandboxUser *by);
SandboxLink *sandbox_link_for_url (Sandbox *sb, const char *url);
void sandbox_touch_recent (SandboxUser *user, SandboxItem *item);
SandboxKind sandbox_kind_for_name (const char *name);
/* A new child, kept in name order; created now by the folder's owner. */
SandboxItem *sandbox_item_add (
    Sandbox *sb, SandboxItem *parent, const char *name, SandboxKind kind, gint64 size);

/* sandbox-keys.c */
void sandbox_keys_init (Sandbox *sb);

/* sandbox-identity.c */
gboolean sandbox_identity_handle (SandboxRequest *req);
SandboxToken *sandbox_token_lookup (Sandbox *sb, const char *token, const char **problem);
void sandbox_mint_tokens (Sandbox *sb,
                          SandboxUser *user,
                          const char *client_id,
                          const char *scope,
                          const char *nonce,
                          gboolean client_info,
                          JsonBuilder *builder);
/* base64url of {"uid": oid, "utid": tenant id}, as MSAL reads it. */
char *sandbox_client_info (SandboxUser *user);
gboolean sandbox_session_valid (Sandbox *sb, SandboxSession *session);
SandboxSession *sandbox_login_session (SandboxRequest *req);
void sandbox_revoke_user (Sandbox *sb, SandboxUser *user);
void sandbox_identity_init (Sandbox *sb);
SandboxUser *sandbox_redeem_sharepoint_code (Sandbox *sb, const char *code);

/* sandbox-graph.c */
void sandbox_graph_handle (SandboxRequest *req);
void sandbox_graph_error (SandboxRequest *req, guint status, const char *code, const char *message);
char *sandbox_share_id_for_url (const char *url);
char *sandbox_url_for_share_id (const char *share_id);
SandboxItem *sandbox_item_for_web_url (Sandbox *sb, const char *url);
JsonObject *sandbox_item_json (Sandbox *sb, SandboxItem *item);

/* sandbox-sharepoint.c */
void sandbox_sharepoint_handle (SandboxRequest *req);
void sandbox_sharepoint_init (Sandbox *sb);
char *sandbox_download_url (Sandbox *sb, SandboxItem *item, SandboxUser *user);
char *sandbox_ticket_url (
    Sandbox *sb, SandboxItem *item, SandboxUser *user, const char *what, int lifetime);

/* sandbox-thumbs.c */
gboolean sandbox_thumb_size (SandboxItem *item, const char *size, int *width, int *height);
GBytes *
sandbox_thumb_render (Sandbox *sb, SandboxItem *item, const char *size, const char **content_type);

/* sandbox-control.c */
void sandbox_control_handle (SandboxRequest *req);
SandboxFault *
sandbox_fault_match (Sandbox *sb, SandboxHost host, const char *method, const char *path);
void sandbox_fault_free (SandboxFault *fault);
guint sandbox_release_held (Sandbox *sb);

/* sandbox-upload.c */
void sandbox_upload_init (Sandbox *sb);
gboolean sandbox_upload_drive_op (SandboxRequest *req, SandboxDrive *drive, char **rest);
gboolean sandbox_upload_session_handle (SandboxRequest *req);
gboolean sandbox_upload_control (SandboxRequest *req, char **parts);
GBytes *sandbox_upload_content (Sandbox *sb, SandboxItem *item);
const char *sandbox_upload_hash (Sandbox *sb, SandboxItem *item);
/* Draws an uploaded image into pixbuf (a GdkPixbuf of the thumbnail's size). */
gboolean sandbox_upload_draw_thumb (Sandbox *sb, SandboxItem *item, gpointer pixbuf);

G_END_DECLS
