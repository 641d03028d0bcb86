/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-json-request.h"
#include "foyer-json.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void log_request (FoyerSvc *svc, SoupServerMessage *msg, guint status);

static void
refuse (FoyerSvc *svc, SoupServerMessage *msg, FoyerSvcError code, const char *text)
{
  g_autoptr (GError) error = g_error_new_literal (FOYER_SVC_ERROR, code, text);
  g_autofree char *json = foyer_svc_error_json (error);
  guint status = foyer_svc_error_status (error);

  log_request (svc, msg, status);
  foyer_svc_http_refuse (msg, status, json);
}

/* Refuses oversized bodies from the headers alone: the connection is
 * closed without the body being read, so it costs no memory. */
static void
upgrade_work (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_svc_request_authenticate (req, &error))
    foyer_svc_respond_error (req, error);
}

static void
upgrade_done (FoyerSvcRequest *req)
{
  foyer_svc_request_complete (req);
}

/* A WebSocket upgrade is authenticated from its headers, before libsoup
 * reads the (empty) body and answers the handshake, which it does as soon
 * as the handler returns: the database may answer later (PostgreSQL), so
 * the message waits here meanwhile. */
static void
authenticate_upgrade (FoyerSvc *svc, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  FoyerSvcRequest *req = foyer_svc_request_new (svc, msg, path, query);

  foyer_svc_execute (svc, req, upgrade_work, upgrade_done);
  foyer_svc_request_wait (msg, req);
}

/* Refuses oversized bodies from the headers alone: the connection is
 * closed without the body being read, so it costs no memory. */
static void
early_cb (SoupServer *server,
          SoupServerMessage *msg,
          const char *path,
          GHashTable *query,
          gpointer user_data)
{
  FoyerSvc *svc = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF)
    refuse (svc, msg, FOYER_SVC_ERROR_LENGTH, "Send the body with a Content-Length");
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH
           && soup_message_headers_get_content_length (headers) > FOYER_SVC_MAX_BODY)
    refuse (svc, msg, FOYER_SVC_ERROR_TOO_LARGE, "The request body is larger than 1 MiB");
  else if (svc->conversation && strcmp (path, "/v1/events") == 0
           && strcmp (soup_server_message_get_method (msg), "GET") == 0
           && soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    authenticate_upgrade (svc, msg, path, query);
}

static void
handle_service_info (FoyerSvcRequest *req)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "version", PACKAGE_VERSION);
  foyer_json_builder_add_string (builder, "kmsUrl", req->svc->kms_url);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req, 200, root);
}

static void
respond_status (FoyerSvcRequest *req, guint status, const char *text, JsonObject *checks)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "status", text);
  if (checks != NULL)
    json_object_set_object_member (object, "checks", checks);
  json_node_take_object (root, object);
  foyer_svc_respond_json (req, status, root);
}

static const char *
check_database (FoyerSvcDb *db, gboolean *ok)
{
  g_autoptr (GError) error = NULL;

  if (db != NULL && foyer_svc_db_check_ready (db, &error))
    return "ok";
  *ok = FALSE;
  if (error != NULL && strstr (error->message, "schema") != NULL)
    return "not-migrated";
  return "unreachable";
}

/* GET /v1/ready: the service can do its work: the databases answer, their
 * schema is the one this build expects, and it is not stopping; 503
 * otherwise, so that a load balancer takes it out. (GET /v1/health, the
 * process serves, is answered on the main loop.) */
void
foyer_svc_handle_probe (FoyerSvcRequest *req)
{
  JsonObject *checks = json_object_new ();
  gboolean ok = TRUE;

  if (req->svc->conversation)
    json_object_set_string_member (checks, "conversationDatabase", check_database (req->db, &ok));
  if (req->svc->kms)
    json_object_set_string_member (checks, "kmsDatabase", check_database (req->kms_db, &ok));
  if (g_atomic_int_get (&req->svc->quitting))
    json_object_set_string_member (checks, "service", "stopping");
  ok = ok && !g_atomic_int_get (&req->svc->quitting);
  respond_status (req, ok ? 200 : 503, ok ? "ready" : "unavailable", checks);
}

static gboolean
is_probe (FoyerSvcRequest *req, const char *name)
{
  return req->n_segments == 2 && strcmp (req->segments[0], "v1") == 0
         && strcmp (req->segments[1], name) == 0;
}

/* Runs where the request's database is. */
static void
dispatch_work (FoyerSvcRequest *req)
{
  const char *first = req->n_segments > 0 ? req->segments[0] : "";
  const char *second = req->n_segments > 1 ? req->segments[1] : "";

  if (is_probe (req, "ready"))
    foyer_svc_handle_probe (req);
  else if (strcmp (first, "v1") == 0 && req->svc->conversation)
    {
      if (strcmp (second, "sessions") == 0)
        foyer_svc_handle_sessions (req);
      else if (strcmp (second, "people") == 0)
        foyer_svc_handle_people (req);
      else if (strcmp (second, "org") == 0)
        foyer_svc_handle_org (req);
      else if (strcmp (second, "spaces") == 0)
        foyer_svc_handle_spaces (req);
      else if (strcmp (second, "events") == 0)
        foyer_svc_handle_events (req);
      else
        foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
    }
  else if (strcmp (first, "kms") == 0 && strcmp (second, "v1") == 0 && req->svc->kms)
    foyer_svc_handle_kms (req);
  else
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
}

static void
request_done (FoyerSvcRequest *req)
{
  foyer_svc_request_complete (req);
}

typedef enum
{
  NOT_HERE,
  ANSWERED,
  TAKEN, /* completed elsewhere, now or later */
} Here;

/* What needs no database is answered here; the rest runs where the
 * database is, and the message waits for its reply. */
static Here
answer_here (FoyerSvcRequest *req)
{
  for (guint i = 0; i < req->n_segments; i++)
    if (req->segments[i][0] == '\0')
      {
        foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
        return ANSWERED;
      }
  if ((is_probe (req, "health") || is_probe (req, "ready")) && strcmp (req->method, "GET") != 0
      && strcmp (req->method, "HEAD") != 0)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Use GET");
  else if (is_probe (req, "health"))
    respond_status (req, 200, "ok", NULL);
  else if (req->svc->conversation && is_probe (req, "service"))
    handle_service_info (req);
  else if (req->svc->conversation && is_probe (req, "sessions")
           && strcmp (req->method, "POST") == 0)
    {
      foyer_svc_sign_in (req);
      return TAKEN;
    }
  else if (req->svc->conversation && is_probe (req, "events") && req->upgrade)
    {
      /* Authenticated from its headers (authenticate_upgrade ()); an
       * unset status lets libsoup answer the handshake. */
      if (g_object_get_data (G_OBJECT (req->msg), "foyer-person") == NULL)
        foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_UNAUTHORIZED,
                                         "Send “Authorization: Bearer <token>” from POST "
                                         "/v1/sessions");
    }
  else
    return NOT_HERE;
  return ANSWERED;
}

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  FoyerSvc *svc = user_data;
  FoyerSvcRequest *req = foyer_svc_request_new (svc, msg, path, query);

  switch (answer_here (req))
    {
    case ANSWERED:
      request_done (req);
      return;
    case TAKEN:
      foyer_svc_request_wait (msg, req);
      return;
    case NOT_HERE:
      break;
    }
  foyer_svc_execute (svc, req, dispatch_work, request_done);
  foyer_svc_request_wait (msg, req);
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  gint64 *start = g_new (gint64, 1);

  *start = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), "foyer-start", start, g_free);
}

/* One line per request: never a header value, a query or a body. */
static void
log_request (FoyerSvc *svc, SoupServerMessage *msg, guint status)
{
  gint64 *start = g_object_get_data (G_OBJECT (msg), "foyer-start");
  const char *person = g_object_get_data (G_OBJECT (msg), "foyer-person");
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *path = NULL;

  if (svc->log == NULL || soup_server_message_get_method (msg) == NULL)
    return;
  path = g_utf8_make_valid (uri != NULL ? g_uri_get_path (uri) : "-", -1);
  /* Health checks come every few seconds, forever: only failures count. */
  if (status == 200 && (strcmp (path, "/v1/health") == 0 || strcmp (path, "/v1/ready") == 0))
    return;
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format_iso8601 (now);
  g_strdelimit (path, " \t\r\n", '_');
  fprintf (svc->log, "%s %s %s %u person=%s %.1fms\n", stamp, soup_server_message_get_method (msg),
           path, status, person != NULL ? person : "-",
           start != NULL ? (g_get_monotonic_time () - *start) / 1000.0 : 0.0);
  fflush (svc->log);
}

static void
request_finished_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  log_request (user_data, msg, soup_server_message_get_status (msg));
}

static gboolean
parse_listen (const char *listen, GInetAddress **out_address, guint *out_port, GError **error)
{
  const char *colon = listen != NULL ? strrchr (listen, ':') : NULL;
  g_autofree char *host = NULL;
  guint64 port = 0;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "--listen wants ADDRESS:PORT, e.g. 127.0.0.1:8443");
      return FALSE;
    }
  host = g_strndup (listen, colon - listen);
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    {
      memmove (host, host + 1, strlen (host));
      host[strlen (host) - 1] = '\0';
    }
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    *out_address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    *out_address = g_inet_address_new_from_string (host);
  if (*out_address == NULL)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "--listen wants a numeric address, not “%s”", host);
      return FALSE;
    }
  *out_port = (guint) port;
  return TRUE;
}

static gboolean
setup_roles (FoyerSvc *svc, const char *roles, GError **error)
{
  g_auto (GStrv) names = g_strsplit (roles != NULL ? roles : "conversation,kms", ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_strstrip (names[i]);
      if (strcmp (names[i], "conversation") == 0)
        svc->conversation = TRUE;
      else if (strcmp (names[i], "kms") == 0)
        svc->kms = TRUE;
      else
        {
          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                       "Unknown role “%s” (conversation, kms)", names[i]);
          return FALSE;
        }
    }
  if (!svc->conversation && !svc->kms)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "No role to serve");
      return FALSE;
    }
  return TRUE;
}

static gboolean
setup_keys (FoyerSvc *svc, const FoyerSvcOptions *options, gboolean shared, GError **error)
{
  if (options->token_public_key != NULL && !svc->conversation)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      svc->token_keys = foyer_svc_token_keys_load_public (options->token_public_key, error);
      /* A service.json also names the organization whose tokens to accept. */
      if (svc->token_keys != NULL
          && json_parser_load_from_file (parser, options->token_public_key, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        svc->org_id = g_strdup (
            foyer_json_get_string (json_node_get_object (json_parser_get_root (parser)), "org"));
      return svc->token_keys != NULL;
    }
  svc->token_keys = foyer_svc_token_keys_load (svc->data_dir, options->key_dir,
                                               options->token_key_file, !shared, error);
  return svc->token_keys != NULL;
}

/* Key URIs must survive restarts and port changes: the KMS's name is
 * chosen once and kept in its database (the first node to start names
 * it; the others read the name). */
static gboolean
setup_kms_name (FoyerSvc *svc, FoyerSvcDb *kms_db, const char *wanted, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *fresh = NULL;

  if (wanted != NULL)
    for (const char *p = wanted; *p != '\0'; p++)
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != ':')
        {
          g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                               "--kms-name may hold letters, digits, '-', '.', ':'");
          return FALSE;
        }
  if (wanted == NULL)
    {
      guint8 bytes[5];

      if (!foyer_random_bytes (bytes, sizeof bytes, error))
        return FALSE;
      fresh = g_strdup_printf ("kms-%02x%02x%02x%02x%02x.foyer", bytes[0], bytes[1], bytes[2],
                               bytes[3], bytes[4]);
    }
  name = foyer_svc_db_kms_meta_init (kms_db, "kms_name", wanted != NULL ? wanted : fresh, error);
  if (name == NULL)
    return FALSE;
  if (wanted != NULL && strcmp (name, wanted) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "This KMS is already named “%s”; its key URIs depend on it", name);
      return FALSE;
    }
  svc->kms_authority = g_steal_pointer (&name);
  return TRUE;
}

static gboolean
setup_store (FoyerSvc *svc, const FoyerSvcOptions *options, GError **error)
{
  FoyerSvcDbOptions db_options = { TRUE, 0, TRUE, TRUE };
  gboolean shared = foyer_svc_db_url_is_postgresql (svc->database_url);
  FoyerSvcPart parts
      = (svc->conversation ? FOYER_SVC_PART_CONVERSATION : 0) | (svc->kms ? FOYER_SVC_PART_KMS : 0);
  FoyerSvcDb *setup_db = NULL;
  gboolean ok = FALSE;

  db_options.full_sync = g_strcmp0 (options->synchronous, "normal") != 0;
  db_options.max_bytes = options->max_database_mib * 1024 * 1024;
  if (shared)
    {
      /* One connection to migrate (under a lock: nodes starting together
       * migrate once) and read the organization; the pool serves. */
      if (!(setup_db = foyer_svc_db_open (svc->database_url, parts, &db_options, error)))
        return FALSE;
    }
  else
    {
      if (svc->conversation
          && !(svc->db = foyer_svc_db_open (svc->database_url, FOYER_SVC_PART_CONVERSATION,
                                            &db_options, error)))
        return FALSE;
      if (svc->kms
          && !(svc->kms_db
               = foyer_svc_db_open (svc->database_url, FOYER_SVC_PART_KMS, &db_options, error)))
        return FALSE;
    }
  if (svc->conversation
      && !(svc->org_id = foyer_svc_db_meta_get (shared ? setup_db : svc->db, "org_id", error)))
    goto out;
  if (svc->kms
      && (!(svc->master
            = foyer_svc_master_keys_open (svc->data_dir, options->key_dir, options->master_key_file,
                                          shared ? setup_db : svc->kms_db, !shared, error))
          || !setup_kms_name (svc, shared ? setup_db : svc->kms_db, options->kms_name, error)))
    goto out;
  if (!setup_keys (svc, options, shared, error))
    goto out;
  ok = TRUE;
out:
  foyer_svc_db_close (setup_db);
  if (ok && shared)
    {
      svc->pool = foyer_svc_pool_new (svc, svc->database_url,
                                      options->connections > 0 ? (guint) options->connections : 4);
      if (svc->conversation
          && !(svc->fanout = foyer_svc_fanout_new (svc, svc->database_url, error)))
        return FALSE;
    }
  return ok;
}

static gboolean
setup_server (FoyerSvc *svc, const FoyerSvcOptions *options, GError **error)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GTlsCertificate) cert = NULL;
  g_autofree char *host = NULL;
  FoyerSvcLimits limits;
  guint port = 0;
  gboolean tls = options->tls_cert != NULL;
  gboolean v6;

  if (!parse_listen (options->listen, &address, &port, error))
    return FALSE;
  if ((options->tls_cert == NULL) != (options->tls_key == NULL))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "--tls-cert and --tls-key go together");
      return FALSE;
    }
  if (!tls && !g_inet_address_get_is_loopback (address))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "Plain HTTP is only for loopback addresses: give --tls-cert and "
                           "--tls-key to listen on another address");
      return FALSE;
    }

  svc->server = soup_server_new ("server-header", "foyer-service", NULL);
  /* Ours bounds what a message inflates to and compresses each event once. */
  soup_server_remove_websocket_extension (svc->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_websocket_extension (svc->server, FOYER_TYPE_SVC_DEFLATE);
  if (tls)
    {
      cert = g_tls_certificate_new_from_files (options->tls_cert, options->tls_key, error);
      if (cert == NULL)
        return FALSE;
    }

  soup_server_add_early_handler (svc->server, NULL, early_cb, svc, NULL);
  soup_server_add_handler (svc->server, NULL, server_cb, svc, NULL);
  if (svc->conversation)
    {
      soup_server_add_handler (svc->server, "/v1/events", server_cb, svc, NULL);
      soup_server_add_early_handler (svc->server, "/v1/events", early_cb, svc, NULL);
      soup_server_add_websocket_handler (svc->server, "/v1/events", NULL, NULL,
                                         foyer_svc_events_websocket, svc, NULL);
    }
  g_signal_connect (svc->server, "request-started", G_CALLBACK (request_started_cb), svc);
  g_signal_connect (svc->server, "request-finished", G_CALLBACK (request_finished_cb), svc);
  g_signal_connect (svc->server, "request-aborted", G_CALLBACK (request_finished_cb), svc);

  /* The service accepts connections itself (foyer-svc-http.c) and
   * hands them to libsoup, TLS included. */
  foyer_svc_limits_init (&limits);
  svc->http = foyer_svc_http_new (svc->server, cert, &limits);
  socket_address = g_inet_socket_address_new (address, port);
  if (!foyer_svc_http_listen (svc->http, socket_address, error))
    return FALSE;

  host = g_inet_address_to_string (address);
  v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  svc->base_url = g_strdup_printf ("%s://%s%s%s:%u", tls ? "https" : "http", v6 ? "[" : "", host,
                                   v6 ? "]" : "", foyer_svc_http_get_port (svc->http));
  if (svc->kms)
    svc->kms_url = g_strdup_printf ("%s/kms/v1", svc->base_url);
  else if (options->kms_url != NULL)
    svc->kms_url = g_strdup (options->kms_url);
  return TRUE;
}

FoyerSvc *
foyer_svc_new (const FoyerSvcOptions *options, GError **error)
{
  FoyerSvc *svc = g_new0 (FoyerSvc, 1);
  g_autofree char *log_path = NULL;

  svc->data_dir = g_strdup (options->data_dir);
  svc->database_url = options->database != NULL   ? g_strdup (options->database)
                      : options->data_dir != NULL ? foyer_svc_db_url_for_dir (options->data_dir)
                                                  : NULL;
  svc->sockets_by_person
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  g_mutex_init (&svc->tokens_lock);
  svc->token_lifetime
      = options->token_lifetime > 0 ? options->token_lifetime : FOYER_SVC_TOKEN_LIFETIME;
  svc->sockets = g_ptr_array_new ();
  svc->loop = g_main_loop_new (NULL, FALSE);

  if (svc->data_dir == NULL)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "--data-dir is needed");
      foyer_svc_free (svc);
      return NULL;
    }
  if (g_mkdir_with_parents (svc->data_dir, 0700) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot create %s: %s",
                   svc->data_dir, g_strerror (errno));
      foyer_svc_free (svc);
      return NULL;
    }
  if (!setup_roles (svc, options->roles, error) || !setup_store (svc, options, error)
      || !setup_server (svc, options, error))
    {
      foyer_svc_free (svc);
      return NULL;
    }

  log_path = g_build_filename (svc->data_dir, "service.log", NULL);
  svc->log = g_fopen (log_path, "ae");
  if (svc->log != NULL)
    g_chmod (log_path, 0600);
  return svc;
}

static gboolean
write_service_json (FoyerSvc *svc, GError **error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *path = g_build_filename (svc->data_dir, "service.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) public_keys = foyer_svc_token_keys_public (svc->token_keys);
  JsonArray *keys = json_node_get_array (public_keys);

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "version", PACKAGE_VERSION);
  foyer_json_builder_add_int (builder, "pid", getpid ());
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  if (svc->conversation)
    json_builder_add_string_value (builder, "conversation");
  if (svc->kms)
    json_builder_add_string_value (builder, "kms");
  json_builder_end_array (builder);
  foyer_json_builder_add_string (builder, "baseUrl", svc->base_url);
  if (svc->conversation)
    {
      g_autofree char *ws = g_strdup_printf (
          "%s%s/v1/events", g_str_has_prefix (svc->base_url, "https") ? "wss" : "ws",
          strchr (svc->base_url, ':'));

      foyer_json_builder_add_string (builder, "conversationUrl", svc->base_url);
      foyer_json_builder_add_string (builder, "eventsUrl", ws);
    }
  foyer_json_builder_add_string (builder, "kmsUrl", svc->kms_url);
  if (svc->org_id != NULL)
    foyer_json_builder_add_string (builder, "org", svc->org_id);
  if (json_array_get_length (keys) > 0)
    {
      json_builder_set_member_name (builder, "tokenPublicKey");
      json_builder_add_value (builder, json_node_copy (json_array_get_element (keys, 0)));
      json_builder_set_member_name (builder, "tokenPublicKeys");
      json_builder_add_value (builder, json_node_copy (public_keys));
    }
  foyer_json_builder_add_string (builder, "database",
                                 svc->db != NULL || svc->kms_db != NULL ? "sqlite" : "postgresql");
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  return g_file_set_contents (path, text, -1, error);
}

static gboolean
quit_cb (gpointer user_data)
{
  FoyerSvc *svc = user_data;

  g_atomic_int_set (&svc->quitting, TRUE);
  if (svc->n_pending == 0)
    g_main_loop_quit (svc->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
pending_check_cb (gpointer user_data)
{
  FoyerSvc *svc = user_data;

  if (svc->quitting && svc->n_pending == 0)
    g_main_loop_quit (svc->loop);
  return G_SOURCE_CONTINUE;
}

int
foyer_svc_run (FoyerSvc *svc)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json_path = g_build_filename (svc->data_dir, "service.json", NULL);
  guint term, intr, check;

  signal (SIGPIPE, SIG_IGN);
  /* Before service.json says it is ready: a stop that follows at once
   * must still find the handlers (it killed the process otherwise). */
  term = g_unix_signal_add (SIGTERM, quit_cb, svc);
  intr = g_unix_signal_add (SIGINT, quit_cb, svc);
  if (!write_service_json (svc, &error))
    {
      g_printerr ("foyer-service: %s\n", error->message);
      return 1;
    }
  g_message ("Serving %s%s%s at %s", svc->conversation ? "conversation" : "",
             svc->conversation && svc->kms ? " and " : "", svc->kms ? "kms" : "", svc->base_url);

  check = g_timeout_add (100, pending_check_cb, svc);
  if (svc->db != NULL)
    foyer_svc_group_start (svc);
  g_main_loop_run (svc->loop);
  g_source_remove (term);
  g_source_remove (intr);
  g_source_remove (check);

  foyer_svc_http_stop (svc->http);
  foyer_svc_group_finish (svc);
  /* Requests in flight on the pool's workers finish and are answered. */
  g_clear_pointer (&svc->pool, foyer_svc_pool_free);
  g_clear_pointer (&svc->fanout, foyer_svc_fanout_free);
  foyer_svc_events_close_all (svc);
  soup_server_disconnect (svc->server);
  g_unlink (json_path);
  g_message ("Stopped cleanly");
  return 0;
}

void
foyer_svc_free (FoyerSvc *svc)
{
  if (svc == NULL)
    return;
  g_clear_pointer (&svc->http, foyer_svc_http_free);
  g_clear_pointer (&svc->group, foyer_svc_group_free);
  g_clear_object (&svc->server);
  g_clear_pointer (&svc->sockets, g_ptr_array_unref);
  g_clear_pointer (&svc->sign_in, foyer_svc_sign_in_free);
  g_clear_pointer (&svc->tokens, g_hash_table_unref);
  g_clear_pointer (&svc->pool, foyer_svc_pool_free);
  g_clear_pointer (&svc->fanout, foyer_svc_fanout_free);
  g_clear_pointer (&svc->sockets_by_person, g_hash_table_unref);
  g_clear_pointer (&svc->db, foyer_svc_db_close);
  g_clear_pointer (&svc->kms_db, foyer_svc_db_close);
  g_clear_pointer (&svc->token_keys, foyer_svc_token_keys_free);
  g_clear_pointer (&svc->master, foyer_svc_master_keys_free);
  g_mutex_clear (&svc->tokens_lock);
  if (svc->log != NULL)
    fclose (svc->log);
  g_clear_pointer (&svc->loop, g_main_loop_unref);
  g_free (svc->data_dir);
  g_free (svc->database_url);
  g_free (svc->org_id);
  g_free (svc->base_url);
  g_free (svc->kms_url);
  g_free (svc->kms_authority);
  g_free (svc);
}
