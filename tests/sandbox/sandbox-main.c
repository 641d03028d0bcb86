/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-ms-sandbox: a local stand-in for Microsoft identity, Graph and
 * SharePoint. This file starts the three listeners (login, Graph and
 * SharePoint hosts on distinct loopback addresses), dispatches requests,
 * applies the injected faults and the added latency, keeps the request log,
 * and writes cloud.json once everything listens.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"
#include "foyer-test-tls.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

static const char *const host_addresses[SANDBOX_N_HOSTS]
    = { "127.0.0.2", "127.0.0.3", "127.0.0.4" };
static const char *const host_names[SANDBOX_N_HOSTS] = { "login", "graph", "sharepoint" };

/* Per-request bookkeeping, attached to the SoupServerMessage. */
typedef struct
{
  gint64 start;
  SandboxHost host;
  char *user;
  gboolean no_log;
} RequestInfo;

static void
request_info_free (gpointer data)
{
  RequestInfo *info = data;

  g_free (info->user);
  g_free (info);
}

typedef struct
{
  Sandbox *sb;
  SandboxHost host;
} HostData;

/* ---- helpers shared by every part ------------------------------------- */

gint64
sandbox_now (Sandbox *sb)
{
  return g_get_real_time () / G_USEC_PER_SEC + sb->clock_offset;
}

/* --now: the clock runs on from that date. */
gboolean
sandbox_set_now (Sandbox *sb, const char *text)
{
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (text, utc);

  if (when == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      when = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (when == NULL)
    return FALSE;
  sb->clock_offset = g_date_time_to_unix (when) - g_get_real_time () / G_USEC_PER_SEC;
  return TRUE;
}

char *
sandbox_iso_time (gint64 unix_seconds)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

static void
hash_bytes (Sandbox *sb, const char *label, guint8 out[32])
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "|%s", sb->seed, label);
  gsize len = 32;

  g_checksum_update (sum, (const guchar *) text, -1);
  g_checksum_get_digest (sum, out, &len);
}

/* Deterministic UUIDs, so ids stay the same for a given --seed. */
char *
sandbox_uuid (Sandbox *sb, const char *label)
{
  guint8 b[32];

  hash_bytes (sb, label, b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                          b[12], b[13], b[14], b[15]);
}

char *
sandbox_hash_hex (Sandbox *sb, const char *label, gsize n_bytes)
{
  guint8 b[32];
  GString *out = g_string_new (NULL);

  hash_bytes (sb, label, b);
  for (gsize i = 0; i < MIN (n_bytes, 32); i++)
    g_string_append_printf (out, "%02X", b[i]);
  return g_string_free (out, FALSE);
}

guint32
sandbox_hash32 (Sandbox *sb, const char *label)
{
  guint8 b[32];

  hash_bytes (sb, label, b);
  return ((guint32) b[0] << 24) | ((guint32) b[1] << 16) | ((guint32) b[2] << 8) | b[3];
}

char *
sandbox_request_id (void)
{
  guint8 b[16];

  if (!foyer_random_bytes (b, sizeof b, NULL))
    memset (b, 0, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                          b[12], b[13], b[14], b[15]);
}

char *
sandbox_correlation_id (SandboxRequest *req)
{
  const char *given = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "client-request-id");

  /* Echoed only if it looks like an id: a header is outside input. */
  if (given != NULL && g_uuid_string_is_valid (given))
    return g_strdup (given);
  return sandbox_request_id ();
}

void
sandbox_respond_json (SandboxRequest *req, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

void
sandbox_respond_builder (SandboxRequest *req, guint status, JsonBuilder *builder)
{
  g_autoptr (JsonNode) node = json_builder_get_root (builder);

  sandbox_respond_json (req, status, node);
}

void
sandbox_respond_html (SandboxRequest *req, guint status, const char *title, const char *body_html)
{
  g_autofree char *escaped = g_markup_escape_text (title, -1);
  g_autofree char *page = g_strdup_printf (
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\"><title>%s</title>"
      "<style>body{font-family:sans-serif;margin:3em auto;max-width:36em;color:#1b1b1b}"
      "input,button{font-size:1em;padding:.4em;margin:.3em 0}input{width:100%%}"
      ".error{color:#a80000}.muted{color:#605e5c;font-size:.85em}</style></head>\n"
      "<body>\n%s\n</body></html>\n",
      escaped, body_html);

  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page,
                                    strlen (page));
}

void
sandbox_respond_redirect (SandboxRequest *req, const char *url)
{
  soup_server_message_set_status (req->msg, SOUP_STATUS_FOUND, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Location",
                                url);
  soup_server_message_set_response (req->msg, "text/html", SOUP_MEMORY_STATIC, "", 0);
}

void
sandbox_set_user (SandboxRequest *req, SandboxUser *user)
{
  RequestInfo *info = g_object_get_data (G_OBJECT (req->msg), "sandbox-info");

  req->user = user;
  if (info != NULL)
    {
      g_free (info->user);
      info->user = user != NULL ? g_strdup (user->email) : NULL;
    }
}

static GBytes *
request_body (SandboxRequest *req)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);

  return soup_message_body_flatten (body);
}

JsonObject *
sandbox_request_json (SandboxRequest *req)
{
  g_autoptr (GBytes) bytes = request_body (req);
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (len == 0)
    return json_object_new ();
  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_object_ref (json_node_get_object (root));
}

static JsonNode *
json_value (JsonObject *object, const char *name, GType type)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
sandbox_json_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_value (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

JsonArray *
sandbox_json_array (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gint64
sandbox_json_int (JsonObject *object, const char *name, gint64 fallback)
{
  JsonNode *node = json_value (object, name, G_TYPE_INT64);

  return node != NULL ? json_node_get_int (node) : fallback;
}

gboolean
sandbox_json_bool (JsonObject *object, const char *name, gboolean fallback)
{
  JsonNode *node = json_value (object, name, G_TYPE_BOOLEAN);

  return node != NULL ? json_node_get_boolean (node) : fallback;
}

GHashTable *
sandbox_request_form (SandboxRequest *req)
{
  g_autoptr (GBytes) bytes = request_body (req);
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_strndup (data, len);

  return soup_form_decode (text);
}

char *
sandbox_request_cookie (SandboxRequest *req, const char *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *header = soup_message_headers_get_list (headers, "Cookie");
  g_autoptr (GHashTable) params = NULL;
  const char *value;

  if (header == NULL)
    return NULL;
  params = soup_header_parse_semi_param_list (header);
  value = g_hash_table_lookup (params, name);
  return value != NULL && *value != '\0' ? g_strdup (value) : NULL;
}

/* ---- faults, latency and the request log ------------------------------ */

typedef struct
{
  Sandbox *sb;
  SoupServerMessage *msg;
  gboolean drop;
  guint delay_ms; /* after its release, for a held request */
} Delayed;

static void
log_request (Sandbox *sb, SoupServerMessage *msg, guint status)
{
  RequestInfo *info = g_object_get_data (G_OBJECT (msg), "sandbox-info");
  GUri *uri = soup_server_message_get_uri (msg);
  JsonObject *entry;
  g_autoptr (GDateTime) dt = NULL;
  g_autoptr (GDateTime) dt_ms = NULL;
  g_autofree char *time_text = NULL;

  if (info == NULL || info->no_log)
    return;
  info->no_log = TRUE;

  dt = g_date_time_new_from_unix_utc (info->start / G_USEC_PER_SEC);
  dt_ms = g_date_time_add (dt, info->start % G_USEC_PER_SEC);
  time_text = g_date_time_format (dt_ms, "%Y-%m-%dT%H:%M:%S.%fZ");
  entry = json_object_new ();
  json_object_set_int_member (entry, "id", ++sb->next_request_id);
  json_object_set_string_member (entry, "time", time_text);
  json_object_set_int_member (entry, "timestampMs", info->start / 1000);
  json_object_set_int_member (entry, "durationMs", (g_get_real_time () - info->start) / 1000);
  json_object_set_string_member (entry, "host", host_names[info->host]);
  json_object_set_string_member (entry, "method", soup_server_message_get_method (msg));
  json_object_set_string_member (entry, "path", g_uri_get_path (uri));
  if (info->host == SANDBOX_HOST_GRAPH && g_uri_get_query (uri) != NULL)
    json_object_set_string_member (entry, "query", g_uri_get_query (uri));
  else
    json_object_set_null_member (entry, "query");
  json_object_set_int_member (entry, "status", status);
  if (info->user != NULL)
    json_object_set_string_member (entry, "user", info->user);
  else
    json_object_set_null_member (entry, "user");
  /* Bounded: a long benchmark must not grow the sandbox without end. */
  if (sb->log->len >= 200000)
    g_ptr_array_remove_range (sb->log, 0, 20000);
  g_ptr_array_add (sb->log, entry);
}

static void
request_finished_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  Sandbox *sb = user_data;

  log_request (sb, msg, soup_server_message_get_status (msg));
}

static void
drop_connection (Sandbox *sb, SoupServerMessage *msg)
{
  g_autoptr (GIOStream) stream = NULL;

  log_request (sb, msg, 0);
  stream = soup_server_message_steal_connection (msg);
  if (stream != NULL)
    g_io_stream_close (stream, NULL, NULL);
}

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;

  if (d->drop)
    {
      soup_server_message_unpause (d->msg);
      drop_connection (d->sb, d->msg);
    }
  else
    soup_server_message_unpause (d->msg);
  g_object_unref (d->msg);
  g_free (d);
  return G_SOURCE_REMOVE;
}

/* Answers every request a "hold" fault paused (each after its delay);
 * returns how many there were. */
guint
sandbox_release_held (Sandbox *sb)
{
  guint n = sb->held->len;

  for (guint i = 0; i < n; i++)
    {
      Delayed *d = sb->held->pdata[i];

      if (d->delay_ms > 0)
        g_timeout_add (d->delay_ms, delayed_cb, d);
      else
        delayed_cb (d);
    }
  g_ptr_array_set_size (sb->held, 0);
  return n;
}

static void
apply_fault_status (SandboxRequest *req, SandboxFault *fault)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);
  const char *code = fault->status == 429   ? "activityLimitReached"
                     : fault->status == 503 ? "serviceNotAvailable"
                     : fault->status == 504 ? "gatewayTimeout"
                                            : "generalException";

  if (req->host == SANDBOX_HOST_LOGIN)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, "temporarily_unavailable");
      json_builder_set_member_name (b, "error_description");
      json_builder_add_string_value (
          b, "AADSTS90033: A transient error has occurred. Please try again.");
      json_builder_set_member_name (b, "error_codes");
      json_builder_begin_array (b);
      json_builder_add_int_value (b, 90033);
      json_builder_end_array (b);
      json_builder_end_object (b);
      sandbox_respond_builder (req, fault->status, b);
    }
  else
    sandbox_graph_error (req, fault->status, code,
                         fault->status == 429 ? "The request has been throttled."
                                              : "The service is temporarily unavailable.");

  if (fault->retry_after >= 0)
    {
      if (fault->retry_after_date)
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (
              g_get_real_time () / G_USEC_PER_SEC + fault->retry_after);
          g_autofree char *date = g_date_time_format (dt, "%a, %d %b %Y %H:%M:%S GMT");

          soup_message_headers_replace (headers, "Retry-After", date);
        }
      else
        {
          g_autofree char *secs = g_strdup_printf ("%d", fault->retry_after);

          soup_message_headers_replace (headers, "Retry-After", secs);
        }
    }
}

/* A malformed body keeps the status; a truncated one is cut in the middle. */
static void
corrupt_body (SandboxRequest *req, const char *how)
{
  SoupMessageBody *body = soup_server_message_get_response_body (req->msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len = g_bytes_get_size (bytes);
  g_autofree char *copy = g_strndup (g_bytes_get_data (bytes, NULL), len);

  /* set_response appends to what the handler wrote: start again. */
  soup_message_body_truncate (body);

  if (g_strcmp0 (how, "truncated") == 0)
    soup_server_message_set_response (req->msg, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                      copy, len / 2);
  else
    {
      static const char malformed[] = "{\"value\": [{\"id\": \"01\", \"name\": ,,, }";

      soup_server_message_set_response (req->msg, "application/json; charset=utf-8",
                                        SOUP_MEMORY_STATIC, malformed, strlen (malformed));
    }
}

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  HostData *hd = user_data;
  Sandbox *sb = hd->sb;
  RequestInfo *info = g_new0 (RequestInfo, 1);
  SandboxRequest req
      = { sb, msg, hd->host, soup_server_message_get_method (msg), path, query, NULL };
  SandboxFault *fault = NULL;
  guint delay = sb->latency_ms;
  gboolean drop = FALSE;
  gboolean hold = FALSE;
  gboolean status_fault = FALSE;
  g_autofree char *fault_body = NULL;

  info->start = g_get_real_time ();
  info->host = hd->host;
  g_object_set_data_full (G_OBJECT (msg), "sandbox-info", info, request_info_free);
  /* Benchmarks: every request on a new connection, so a TLS handshake each. */
  if (sb->keep_alive_off)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                  "close");

  /* Generated items are cached for the current requests only. */
  if (g_hash_table_size (sb->generated) > 4096)
    g_hash_table_remove_all (sb->generated);

  if (g_str_has_prefix (path, "/_sandbox"))
    {
      info->no_log = TRUE;
      if (hd->host == SANDBOX_HOST_GRAPH)
        sandbox_control_handle (&req);
      else
        soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  fault = sandbox_fault_match (sb, hd->host, req.method, path);
  if (fault != NULL)
    {
      delay += fault->delay_ms;
      drop = fault->drop;
      hold = fault->hold;
      fault_body = g_strdup (fault->body);
      if (fault->status != 0)
        apply_fault_status (&req, fault);
      status_fault = fault->status != 0;
      if (fault->remaining > 0 && --fault->remaining == 0)
        g_ptr_array_remove (sb->faults, fault);
    }

  if (!drop && !status_fault)
    {
      switch (hd->host)
        {
        case SANDBOX_HOST_LOGIN:
          if (!sandbox_identity_handle (&req))
            sandbox_respond_html (&req, SOUP_STATUS_NOT_FOUND, "Not found",
                                  "<h1>404</h1><p>There is nothing here.</p>");
          break;
        case SANDBOX_HOST_GRAPH:
          sandbox_graph_handle (&req);
          break;
        case SANDBOX_HOST_SHAREPOINT:
          sandbox_sharepoint_handle (&req);
          break;
        default:
          g_assert_not_reached ();
        }
      if (fault_body != NULL)
        corrupt_body (&req, fault_body);
    }

  if (delay > 0 || hold)
    {
      Delayed *d = g_new0 (Delayed, 1);

      d->sb = sb;
      d->msg = g_object_ref (msg);
      d->drop = drop;
      soup_server_message_pause (msg);
      /* A held request waits for the test, however slow the machine;
       * its delay, if any, counts from the release. */
      if (hold)
        {
          d->delay_ms = delay;
          g_ptr_array_add (sb->held, d);
        }
      else
        g_timeout_add (delay, delayed_cb, d);
    }
  else if (drop)
    drop_connection (sb, msg);
}

/* ---- start-up ---------------------------------------------------------- */

static gboolean
listen_on (Sandbox *sb, FoyerTestTls *ca, SandboxHost host, int port, GError **error)
{
  const char *const names[] = { host_addresses[host], NULL };
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) inet = g_inet_address_new_from_string (host_addresses[host]);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (inet, port);
  g_autoptr (GSocketAddress) bound = NULL;
  HostData *hd;
  guint16 real_port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_option (socket, SOL_SOCKET, SO_REUSEADDR, 1, NULL);
  /* Hundreds of clients may connect at once: the default backlog of 10 is too short. */
  g_socket_set_listen_backlog (socket, 1024);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;

  /* Each host has a certificate of its own, as Microsoft's hosts do. */
  certificate = foyer_test_tls_issue (ca, names, error);
  if (certificate == NULL)
    return FALSE;
  sb->servers[host] = soup_server_new ("server-header", "foyer-ms-sandbox ", "tls-certificate",
                                       certificate, NULL);
  hd = g_new0 (HostData, 1);
  hd->sb = sb;
  hd->host = host;
  soup_server_add_handler (sb->servers[host], NULL, server_cb, hd, g_free);
  g_signal_connect (sb->servers[host], "request-finished", G_CALLBACK (request_finished_cb), sb);
  if (!soup_server_listen_socket (sb->servers[host], socket, SOUP_SERVER_LISTEN_HTTPS, error))
    return FALSE;

  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return FALSE;
  real_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  sb->host_port[host] = g_strdup_printf ("%s:%u", host_addresses[host], real_port);
  sb->base_url[host] = g_strdup_printf ("https://%s", sb->host_port[host]);
  return TRUE;
}

static void
add_string (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static gboolean
write_cloud_json (Sandbox *sb, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (sb->state_dir, "cloud.json", NULL);
  g_autofree char *control = g_strdup_printf ("%s/_sandbox", sb->base_url[SANDBOX_HOST_GRAPH]);
  SandboxTenant *org = sb->tenants->pdata[0];

  json_builder_begin_object (b);
  add_string (b, "name", "sandbox");
  /* Relative to cloud.json: the CA that issued every host's certificate. */
  add_string (b, "caFile", "ca.pem");
  add_string (b, "authority", sb->base_url[SANDBOX_HOST_LOGIN]);
  add_string (b, "graph", sb->graph_url);
  add_string (b, "sharepoint", sb->base_url[SANDBOX_HOST_SHAREPOINT]);
  json_builder_set_member_name (b, "allowedHosts");
  json_builder_begin_array (b);
  for (int i = 0; i < SANDBOX_N_HOSTS; i++)
    json_builder_add_string_value (b, sb->host_port[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "sharepointHosts");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, sb->host_port[SANDBOX_HOST_SHAREPOINT]);
  json_builder_end_array (b);
  add_string (b, "redirectUri", sb->redirect_uri);
  json_builder_set_member_name (b, "redirectUris");
  json_builder_begin_array (b);
  for (guint i = 0; i < sb->redirect_uris->len; i++)
    json_builder_add_string_value (b, sb->redirect_uris->pdata[i]);
  json_builder_end_array (b);
  add_string (b, "tenantId", org->id);
  add_string (b, "clientId", sb->client_id);
  add_string (b, "control", control);
  json_builder_set_member_name (b, "seed");
  json_builder_add_int_value (b, (gint64) sb->seed);
  json_builder_set_member_name (b, "tenants");
  json_builder_begin_array (b);
  for (guint i = 0; i < sb->tenants->len; i++)
    {
      SandboxTenant *t = sb->tenants->pdata[i];

      json_builder_begin_object (b);
      add_string (b, "id", t->id);
      add_string (b, "name", t->name);
      add_string (b, "domain", t->domain);
      json_builder_set_member_name (b, "allowAnonymousLinks");
      json_builder_add_boolean_value (b, t->allow_anonymous);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "users");
  json_builder_begin_array (b);
  for (guint i = 0; i < sb->users->len; i++)
    {
      SandboxUser *u = sb->users->pdata[i];

      json_builder_begin_object (b);
      add_string (b, "email", u->email);
      add_string (b, "upn", u->upn);
      json_builder_set_member_name (b, "isAdmin");
      json_builder_add_boolean_value (b, u->is_admin);
      add_string (b, "password", u->password);
      add_string (b, "name", u->name);
      add_string (b, "tenantId", u->tenant->id);
      add_string (b, "oid", u->oid);
      add_string (b, "driveId", u->drive->id);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  /* g_file_set_contents writes a temporary file and renames it. */
  return g_file_set_contents (path, text, -1, error);
}

static gboolean
quit_cb (gpointer user_data)
{
  Sandbox *sb = user_data;

  g_message ("Stopping");
  g_main_loop_quit (sb->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  Sandbox sb_storage = { 0 };
  Sandbox *sb = &sb_storage;
  g_autofree char *state_dir = NULL;
  int latency = 0;
  int port_base = 0;
  gint64 seed = 20270101;
  int token_lifetime = 3599;
  g_autofree char *now = NULL;
  gboolean close_connections = FALSE;
  g_autoptr (FoyerTestTls) ca = NULL;
  g_autofree char *ca_path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  GOptionEntry entries[] = {
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, "Where to write cloud.json", "DIR" },
    { "latency-ms", 0, 0, G_OPTION_ARG_INT, &latency, "Latency added to every reply", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the generated data", "N" },
    { "port-base", 0, 0, G_OPTION_ARG_INT, &port_base,
      "Listen on ports N (login), N+1 (Graph), N+2 (SharePoint) instead of free ones", "N" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT, &token_lifetime,
      "Access token lifetime in seconds (default 3599)", "S" },
    { "now", 0, 0, G_OPTION_ARG_STRING, &now,
      "The sandbox's date: YYYY-MM-DD or an ISO 8601 date and time (default: the real one)",
      "DATE" },
    { "close-connections", 0, 0, G_OPTION_ARG_NONE, &close_connections,
      "Close every connection after its reply (benchmarks: a TLS handshake per request)", NULL },
    { NULL }
  };

  context
      = g_option_context_new ("- a local stand-in for Microsoft identity, Graph and SharePoint");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("foyer-ms-sandbox: %s\n", error->message);
      return 2;
    }
  if (state_dir == NULL)
    {
      g_printerr ("foyer-ms-sandbox: --state-dir DIR is required\n");
      return 2;
    }
  if (g_mkdir_with_parents (state_dir, 0700) != 0)
    {
      g_printerr ("foyer-ms-sandbox: cannot create %s\n", state_dir);
      return 1;
    }

  if (now != NULL && !sandbox_set_now (sb, now))
    {
      g_printerr ("foyer-ms-sandbox: --now wants YYYY-MM-DD or an ISO 8601 date and time, not %s\n",
                  now);
      return 2;
    }
  sb->seed = (guint64) seed;
  sb->keep_alive_off = close_connections;
  sb->latency_ms = (guint) MAX (latency, 0);
  sb->token_lifetime = (guint) MAX (token_lifetime, 1);
  sb->state_dir = state_dir;
  sb->port_base = port_base;
  sb->loop = g_main_loop_new (NULL, FALSE);
  sb->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) sandbox_fault_free);
  sb->held = g_ptr_array_new ();
  sb->log = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  ca = foyer_test_tls_new ("foyer-ms-sandbox", &error);
  ca_path = g_build_filename (state_dir, "ca.pem", NULL);
  if (ca == NULL || !foyer_test_tls_write_ca (ca, ca_path, &error))
    {
      g_printerr ("foyer-ms-sandbox: cannot make its certificate authority: %s\n", error->message);
      return 1;
    }
  for (int i = 0; i < SANDBOX_N_HOSTS; i++)
    if (!listen_on (sb, ca, i, port_base > 0 ? port_base + i : 0, &error))
      {
        g_printerr ("foyer-ms-sandbox: cannot listen on %s: %s\n", host_addresses[i],
                    error->message);
        return 1;
      }
  sb->graph_url = g_strdup_printf ("%s/v1.0", sb->base_url[SANDBOX_HOST_GRAPH]);

  sandbox_seed (sb);
  sandbox_identity_init (sb);
  sandbox_sharepoint_init (sb);
  sandbox_upload_init (sb);

  if (!write_cloud_json (sb, &error))
    {
      g_printerr ("foyer-ms-sandbox: %s\n", error->message);
      return 1;
    }
  g_message ("Ready: login %s, Graph %s, SharePoint %s", sb->base_url[SANDBOX_HOST_LOGIN],
             sb->graph_url, sb->base_url[SANDBOX_HOST_SHAREPOINT]);

  g_unix_signal_add (SIGTERM, quit_cb, sb);
  g_unix_signal_add (SIGINT, quit_cb, sb);
  g_main_loop_run (sb->loop);

  /* No soup_server_disconnect (): it closes each TLS connection in turn,
   * and closing one whose handshake a client opened but never finished
   * (a speculative connection of WebKit's) waits for that handshake for
   * ever; microsoft-connect once hung 6 minutes on "Stopping". The
   * process ends here and the kernel closes every socket. */
  return 0;
}
