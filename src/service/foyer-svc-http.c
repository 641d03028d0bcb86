/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The HTTP layer under the handlers: foyer-service accepts its connections
 * itself and hands each one to libsoup's SoupServer, which parses HTTP and
 * WebSockets. Accepting them here gives the service what Debian 12's
 * libsoup 3.2 lacks (docs/decisions.md, "The service's HTTP layer"):
 *
 * - No descriptor leaks. libsoup 3.2.3 forgets a kept-alive connection that
 *   the client closes between two requests: the next message on it only
 *   gets its completion callback once its first byte arrives (fixed in
 *   3.3.0). Each connection's input goes through FoyerSvcInput, which turns
 *   the end of such a connection (EOF or reset) into a one-byte partial
 *   request, so that libsoup's own error path closes and frees it.
 * - Time limits: a new connection must finish its request's headers within
 *   the header timeout, a request its body within the request timeout, a
 *   response must be taken by the client within the response timeout, and
 *   a kept-alive connection may stay idle for the idle timeout. Past its
 *   limit a connection is shut down, and libsoup's error path frees it.
 * - Bounded headers (64 KiB), a cap per peer address and on the number of
 *   connections, and a spare descriptor: when descriptors run out, the
 *   waiting connection is accepted and closed at once and accepting pauses
 *   briefly, rather than spinning on a listening socket that stays ready.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_HEADER_BYTES (64 * 1024)
#define SWEEP_MS         250
#define ACCEPT_PAUSE_MS  100
#define ACCEPT_BATCH     64
#define FD_HEADROOM      64 /* descriptors kept for the databases, the log, threads… */
/* After refusing a request from its headers, what is still read (and
 * dropped) so that the client, still sending, gets to read the refusal
 * rather than a reset. */
#define LINGER_BYTES (4 * 1024 * 1024)
#define LINGER_MS    2000

typedef enum
{
  PHASE_NEW,       /* accepted: the first request's headers are due */
  PHASE_HEADERS,   /* a later request has begun */
  PHASE_BODY,      /* headers read */
  PHASE_HANDLING,  /* request read; the handler or the response is under way */
  PHASE_IDLE,      /* between two requests */
  PHASE_WEBSOCKET, /* upgraded: events.c and libsoup watch it */
} Phase;

/* ---- FoyerSvcInput: the input side of a connection ---- */

G_DECLARE_FINAL_TYPE (FoyerSvcInput, foyer_svc_input, FOYER, SVC_INPUT, GInputStream)
G_DECLARE_FINAL_TYPE (FoyerSvcConn, foyer_svc_conn, FOYER, SVC_CONN, GIOStream)

struct _FoyerSvcInput
{
  GInputStream parent_instance;
  GInputStream *base;
  FoyerSvcConn *conn; /* weak: the connection owns the stream */
};

static void foyer_svc_input_pollable_init (GPollableInputStreamInterface *iface);
G_DEFINE_TYPE_WITH_CODE (FoyerSvcInput,
                         foyer_svc_input,
                         G_TYPE_INPUT_STREAM,
                         G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                foyer_svc_input_pollable_init))

/* ---- FoyerSvcConn: one accepted connection, the stream libsoup gets ---- */

struct _FoyerSvcConn
{
  GIOStream parent_instance;
  FoyerSvcHttp *http; /* NULL once closed */
  GIOStream *base;    /* GSocketConnection, or the GTlsConnection over it */
  GSocketConnection *socket_conn;
  FoyerSvcInput *input;
  char *address;
  Phase phase;
  gint64 deadline; /* monotonic µs; 0: none */
  gsize header_bytes;
  FoyerSvcHeaderEnd header_end;
  gsize early_bytes; /* after the request's headers, before any 101 */
  FoyerSvcWsScan ws_scan;
  gboolean served;             /* at least one request answered */
  gboolean idle_after_request; /* no byte read since the last response */
  gboolean faked;
  gboolean hung_up;
};

G_DEFINE_TYPE (FoyerSvcConn, foyer_svc_conn, G_TYPE_IO_STREAM)

enum
{
  PROP_0,
  PROP_BASE_IO_STREAM,
};

struct _FoyerSvcHttp
{
  SoupServer *server;
  GTlsCertificate *certificate;
  FoyerSvcLimits limits;
  GPtrArray *listeners;      /* GSocket */
  GPtrArray *accept_sources; /* GSource, one per listener while accepting */
  GHashTable *conns;         /* FoyerSvcConn (owned) */
  GHashTable *per_address;   /* address → count */
  GSocket *soup_listener;    /* only so that libsoup keeps connections alive */
  guint port;
  guint max_connections;
  int spare_fd;
  guint sweep_id;
  guint resume_id;
  gboolean closing;
  FoyerSvcHttpStats stats;
};

static void http_conn_closed (FoyerSvcHttp *http, FoyerSvcConn *conn);

static gint64
deadline_in (guint seconds)
{
  return seconds > 0 ? g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC : 0;
}

static void
conn_set_phase (FoyerSvcConn *conn, Phase phase, guint timeout)
{
  conn->phase = phase;
  conn->deadline = deadline_in (timeout);
  if (phase == PHASE_HEADERS || phase == PHASE_NEW)
    {
      conn->header_bytes = 0;
      conn->early_bytes = 0;
      memset (&conn->header_end, 0, sizeof conn->header_end);
    }
  if (phase == PHASE_WEBSOCKET)
    memset (&conn->ws_scan, 0, sizeof conn->ws_scan);
}

/* Shuts the socket down both ways: every read and write libsoup has
 * pending fails at once, and its error path disconnects and frees the
 * connection (after FoyerSvcInput's partial request, if it was idle). */
static void
conn_hang_up (FoyerSvcConn *conn)
{
  GSocket *socket;

  if (conn->hung_up)
    return;
  conn->hung_up = TRUE;
  conn->deadline = 0;
  socket = g_socket_connection_get_socket (conn->socket_conn);
  if (!g_socket_is_closed (socket))
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
}

/* Bytes from the client arrived. */
static void
conn_got_bytes (FoyerSvcConn *conn, const guint8 *data, gsize n)
{
  FoyerSvcHttp *http = conn->http;

  conn->idle_after_request = FALSE;
  if (http == NULL || conn->hung_up)
    return;
  if (conn->phase == PHASE_IDLE)
    conn_set_phase (conn, PHASE_HEADERS, http->limits.header_timeout);
  switch (conn->phase)
    {
    case PHASE_NEW:
    case PHASE_HEADERS:
      conn->header_bytes += n;
      conn->early_bytes += n - foyer_svc_header_end_feed (&conn->header_end, data, n);
      if (conn->header_bytes > MAX_HEADER_BYTES)
        {
          http->stats.refused_headers++;
          conn_hang_up (conn);
        }
      break;
    case PHASE_BODY:
    case PHASE_HANDLING:
      conn->early_bytes += n;
      break;
    case PHASE_WEBSOCKET:
      if (!foyer_svc_ws_scan_feed (&conn->ws_scan, data, n, FOYER_SVC_MAX_WS_WIRE))
        {
          http->stats.refused_websockets++;
          conn_hang_up (conn);
        }
      break;
    case PHASE_IDLE:
    default:
      break;
    }
}

/* The end of a connection that is idle after a response becomes one
 * byte of a request that can never be completed; see the top. */
static gssize
input_filter (FoyerSvcInput *self, gssize n, void *buffer, gsize count)
{
  FoyerSvcConn *conn = self->conn;

  if (n > 0)
    {
      conn_got_bytes (conn, buffer, (gsize) n);
      return n;
    }
  if (conn->idle_after_request && !conn->faked && count > 0)
    {
      conn->faked = TRUE;
      ((char *) buffer)[0] = '\n';
      return 1;
    }
  return n;
}

static gssize
foyer_svc_input_read_nonblocking (GPollableInputStream *stream,
                                  void *buffer,
                                  gsize count,
                                  GError **error)
{
  FoyerSvcInput *self = (FoyerSvcInput *) stream;
  g_autoptr (GError) local = NULL;
  gssize n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                       count, NULL, &local);

  /* A reset (or a TLS error) ends the connection as EOF does. */
  if (n < 0 && !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)
      && self->conn->idle_after_request && !self->conn->faked)
    return input_filter (self, 0, buffer, count);
  if (n < 0)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return -1;
    }
  return input_filter (self, n, buffer, count);
}

static gssize
foyer_svc_input_read (
    GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable, GError **error)
{
  FoyerSvcInput *self = (FoyerSvcInput *) stream;
  g_autoptr (GError) local = NULL;
  gssize n = g_input_stream_read (self->base, buffer, count, cancellable, &local);

  if (n < 0 && !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && self->conn->idle_after_request && !self->conn->faked)
    return input_filter (self, 0, buffer, count);
  if (n < 0)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return -1;
    }
  return input_filter (self, n, buffer, count);
}

static gboolean
foyer_svc_input_is_readable (GPollableInputStream *stream)
{
  FoyerSvcInput *self = (FoyerSvcInput *) stream;

  return g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
foyer_svc_input_create_source (GPollableInputStream *stream, GCancellable *cancellable)
{
  FoyerSvcInput *self = (FoyerSvcInput *) stream;
  g_autoptr (GSource) base
      = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), cancellable);

  return g_pollable_source_new_full (stream, base, cancellable);
}

static gboolean
foyer_svc_input_close (GInputStream *stream, GCancellable *cancellable, GError **error)
{
  /* The connection closes the socket. */
  return TRUE;
}

static void
foyer_svc_input_finalize (GObject *object)
{
  g_clear_object (&((FoyerSvcInput *) object)->base);
  G_OBJECT_CLASS (foyer_svc_input_parent_class)->finalize (object);
}

static void
foyer_svc_input_class_init (FoyerSvcInputClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_svc_input_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = foyer_svc_input_read;
  G_INPUT_STREAM_CLASS (klass)->close_fn = foyer_svc_input_close;
}

static void
foyer_svc_input_init (FoyerSvcInput *self)
{
}

static void
foyer_svc_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->is_readable = foyer_svc_input_is_readable;
  iface->create_source = foyer_svc_input_create_source;
  iface->read_nonblocking = foyer_svc_input_read_nonblocking;
}

/* ---- FoyerSvcConn ---- */

static GInputStream *
foyer_svc_conn_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (((FoyerSvcConn *) stream)->input);
}

static GOutputStream *
foyer_svc_conn_get_output_stream (GIOStream *stream)
{
  return g_io_stream_get_output_stream (((FoyerSvcConn *) stream)->base);
}

static void
base_closed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
}

/* libsoup closes the stream when it is done with the connection (or a
 * WebSocket closes it). The TLS close_notify may have to wait for the
 * peer's window, so the base is closed asynchronously, and the
 * connection leaves the books at once. */
static gboolean
foyer_svc_conn_close (GIOStream *stream, GCancellable *cancellable, GError **error)
{
  FoyerSvcConn *conn = (FoyerSvcConn *) stream;

  if (conn->http != NULL)
    http_conn_closed (conn->http, conn);
  g_io_stream_close_async (conn->base, G_PRIORITY_DEFAULT, NULL, base_closed_cb, NULL);
  return TRUE;
}

static void
foyer_svc_conn_close_async (GIOStream *stream,
                            int priority,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_svc_conn_close_async);
  foyer_svc_conn_close (stream, cancellable, NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
foyer_svc_conn_close_finish (GIOStream *stream, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
foyer_svc_conn_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_BASE_IO_STREAM:
      g_value_set_object (value, ((FoyerSvcConn *) object)->base);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_svc_conn_finalize (GObject *object)
{
  FoyerSvcConn *conn = (FoyerSvcConn *) object;

  g_clear_object (&conn->input);
  g_clear_object (&conn->base);
  g_clear_object (&conn->socket_conn);
  g_free (conn->address);
  G_OBJECT_CLASS (foyer_svc_conn_parent_class)->finalize (object);
}

static void
foyer_svc_conn_class_init (FoyerSvcConnClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->finalize = foyer_svc_conn_finalize;
  object_class->get_property = foyer_svc_conn_get_property;
  stream_class->get_input_stream = foyer_svc_conn_get_input_stream;
  stream_class->get_output_stream = foyer_svc_conn_get_output_stream;
  stream_class->close_fn = foyer_svc_conn_close;
  stream_class->close_async = foyer_svc_conn_close_async;
  stream_class->close_finish = foyer_svc_conn_close_finish;
  /* events.c finds a WebSocket's descriptor through it. */
  g_object_class_install_property (object_class, PROP_BASE_IO_STREAM,
                                   g_param_spec_object ("base-io-stream", NULL, NULL,
                                                        G_TYPE_IO_STREAM,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
foyer_svc_conn_init (FoyerSvcConn *conn)
{
}

static FoyerSvcConn *
foyer_svc_conn_new (FoyerSvcHttp *http, GSocketConnection *socket_conn, const char *address)
{
  FoyerSvcConn *conn = g_object_new (foyer_svc_conn_get_type (), NULL);

  conn->http = http;
  conn->socket_conn = g_object_ref (socket_conn);
  conn->base = g_object_ref (G_IO_STREAM (socket_conn));
  conn->address = g_strdup (address);
  conn_set_phase (conn, PHASE_NEW, http->limits.header_timeout);
  return conn;
}

/* ---- Which connection a message is on ---- */

/* libsoup keeps, for the life of the connection, the remote address object
 * it was given; the connection rides on it. */
static FoyerSvcConn *
conn_of (SoupServerMessage *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_object_get_data (G_OBJECT (remote), "foyer-conn") : NULL;
}

static void
got_headers_cb (SoupServerMessage *msg, FoyerSvcHttp *http)
{
  FoyerSvcConn *conn = conn_of (msg);

  if (conn != NULL && conn->http != NULL && !conn->hung_up)
    conn_set_phase (conn, PHASE_BODY, http->limits.request_timeout);
}

static void
got_body_cb (SoupServerMessage *msg, FoyerSvcHttp *http)
{
  FoyerSvcConn *conn = conn_of (msg);

  if (conn != NULL && conn->http != NULL && !conn->hung_up)
    conn_set_phase (conn, PHASE_HANDLING, http->limits.response_timeout);
}

/* A 101 hands the connection to the WebSocket code, which has its own
 * rules for readers that fall behind; from here on the client's frames
 * are added up (foyer-svc-wire.c), which needs them from their first
 * byte: a client that sent anything before the 101 (RFC 6455 forbids it)
 * is cut off. */
static void
wrote_informational_cb (SoupServerMessage *msg, FoyerSvcHttp *http)
{
  FoyerSvcConn *conn = conn_of (msg);

  if (conn == NULL || soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;
  conn_set_phase (conn, PHASE_WEBSOCKET, 0);
  if (conn->early_bytes > 0 && conn->http != NULL)
    {
      conn->http->stats.refused_websockets++;
      conn_hang_up (conn);
    }
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  FoyerSvcHttp *http = user_data;

  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers_cb), http);
  g_signal_connect (msg, "got-body", G_CALLBACK (got_body_cb), http);
  g_signal_connect (msg, "wrote-informational", G_CALLBACK (wrote_informational_cb), http);
}

static void
request_done_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  FoyerSvcHttp *http = user_data;
  FoyerSvcConn *conn = conn_of (msg);

  if (conn == NULL || conn->http == NULL || conn->phase == PHASE_WEBSOCKET)
    return;
  conn->served = TRUE;
  conn->idle_after_request = TRUE;
  conn->faked = FALSE;
  if (!conn->hung_up)
    conn_set_phase (conn, PHASE_IDLE, http->limits.idle_timeout);
}

/* ---- Accepting ---- */

static void start_accepting (FoyerSvcHttp *http);
static void stop_accepting (FoyerSvcHttp *http);

static void
hand_to_soup (FoyerSvcHttp *http, FoyerSvcConn *conn)
{
  GSocket *socket = g_socket_connection_get_socket (conn->socket_conn);
  g_autoptr (GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr (GError) error = NULL;

  conn->input = g_object_new (foyer_svc_input_get_type (), NULL);
  conn->input->base = g_object_ref (g_io_stream_get_input_stream (conn->base));
  conn->input->conn = conn;
  if (local == NULL || remote == NULL)
    {
      /* Reset before we got here. */
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      return;
    }
  g_object_set_data_full (G_OBJECT (remote), "foyer-conn", g_object_ref (conn), g_object_unref);
  if (!soup_server_accept_iostream (http->server, G_IO_STREAM (conn), local, remote, &error))
    {
      g_debug ("Could not serve a connection: %s", error->message);
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
    }
}

static void
handshake_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSvcConn) conn = user_data;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, NULL)
      || conn->http == NULL || conn->hung_up)
    {
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      return;
    }
  hand_to_soup (conn->http, conn);
}

static void
add_connection (FoyerSvcHttp *http, GSocket *socket, const char *address)
{
  g_autoptr (GSocketConnection) socket_conn
      = g_socket_connection_factory_create_connection (socket);
  FoyerSvcConn *conn = foyer_svc_conn_new (http, socket_conn, address);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (http->per_address, address));

  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, TRUE, NULL);
  /* A peer that vanished (no FIN, no RST) is found within two minutes,
   * WebSockets included. */
  g_socket_set_keepalive (socket, TRUE);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, 60, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPINTVL, 10, NULL);
  g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPCNT, 6, NULL);
  g_hash_table_add (http->conns, conn);
  g_hash_table_insert (http->per_address, g_strdup (address), GUINT_TO_POINTER (count + 1));
  http->stats.accepted++;
  if (g_hash_table_size (http->conns) >= http->max_connections)
    stop_accepting (http);

  if (http->certificate != NULL)
    {
      g_autoptr (GError) error = NULL;
      GIOStream *tls
          = g_tls_server_connection_new (G_IO_STREAM (socket_conn), http->certificate, &error);

      if (tls == NULL)
        {
          g_warning ("TLS: %s", error->message);
          g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
          return;
        }
      g_clear_object (&conn->base);
      conn->base = tls;
      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls),
                                                 (const char *[]){ "http/1.1", NULL });
      g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                        handshake_cb, g_object_ref (conn));
      return;
    }
  hand_to_soup (http, conn);
}

static char *
peer_address (GSocket *socket)
{
  g_autoptr (GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);

  if (remote == NULL || !G_IS_INET_SOCKET_ADDRESS (remote))
    return NULL;
  return g_inet_address_to_string (
      g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (remote)));
}

static void
take_connection (FoyerSvcHttp *http, GSocket *socket)
{
  g_autofree char *address = peer_address (socket);
  guint count;

  if (address == NULL)
    {
      g_socket_close (socket, NULL);
      return;
    }
  count = GPOINTER_TO_UINT (g_hash_table_lookup (http->per_address, address));
  if (http->limits.max_per_address > 0 && count >= http->limits.max_per_address)
    {
      /* Closed at once: its peer already holds its share. */
      http->stats.refused_per_address++;
      g_socket_close (socket, NULL);
      return;
    }
  add_connection (http, socket, address);
}

static gboolean
resume_cb (gpointer user_data)
{
  FoyerSvcHttp *http = user_data;

  http->resume_id = 0;
  if (g_hash_table_size (http->conns) < http->max_connections)
    start_accepting (http);
  return G_SOURCE_REMOVE;
}

/* Out of descriptors: the spare one makes room to accept the connection
 * that waits, and to close it, so that its client hears at once; then
 * accepting pauses, instead of spinning on a listener that stays ready. */
static void
out_of_descriptors (FoyerSvcHttp *http, GSocket *listener)
{
  int fd;

  http->stats.descriptor_pauses++;
  if (http->spare_fd >= 0)
    {
      close (http->spare_fd);
      http->spare_fd = -1;
    }
  fd = accept (g_socket_get_fd (listener), NULL, NULL);
  if (fd >= 0)
    close (fd);
  http->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  stop_accepting (http);
  if (http->resume_id == 0)
    http->resume_id = g_timeout_add (ACCEPT_PAUSE_MS, resume_cb, http);
}

static gboolean
accept_cb (GSocket *listener, GIOCondition condition, gpointer user_data)
{
  FoyerSvcHttp *http = user_data;

  for (guint i = 0; i < ACCEPT_BATCH && http->accept_sources->len > 0; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket != NULL)
        {
          take_connection (http, socket);
          continue;
        }
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_OPEN_FILES)
          || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
        {
          out_of_descriptors (http, listener);
          break;
        }
      /* A connection reset while it waited: the next one. */
    }
  return G_SOURCE_CONTINUE;
}

static void
start_accepting (FoyerSvcHttp *http)
{
  if (http->accept_sources->len > 0 || http->closing)
    return;
  for (guint i = 0; i < http->listeners->len; i++)
    {
      GSocket *listener = g_ptr_array_index (http->listeners, i);
      GSource *source = g_socket_create_source (listener, G_IO_IN, NULL);

      g_source_set_callback (source, G_SOURCE_FUNC (accept_cb), http, NULL);
      g_source_attach (source, NULL);
      g_ptr_array_add (http->accept_sources, source);
    }
}

static void
stop_accepting (FoyerSvcHttp *http)
{
  for (guint i = 0; i < http->accept_sources->len; i++)
    g_source_destroy (g_ptr_array_index (http->accept_sources, i));
  g_ptr_array_set_size (http->accept_sources, 0);
}

static void
http_conn_closed (FoyerSvcHttp *http, FoyerSvcConn *conn)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (http->per_address, conn->address));

  conn->http = NULL;
  if (count <= 1)
    g_hash_table_remove (http->per_address, conn->address);
  else
    g_hash_table_insert (http->per_address, g_strdup (conn->address), GUINT_TO_POINTER (count - 1));
  if (g_hash_table_size (http->conns) <= http->max_connections && http->resume_id == 0)
    start_accepting (http);
  g_hash_table_remove (http->conns, conn); /* may drop the last reference */
}

static gboolean
sweep_cb (gpointer user_data)
{
  FoyerSvcHttp *http = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GPtrArray) late = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, http->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      FoyerSvcConn *conn = key;

      if (conn->deadline != 0 && now >= conn->deadline)
        g_ptr_array_add (late, conn);
    }
  for (guint i = 0; i < late->len; i++)
    {
      FoyerSvcConn *conn = g_ptr_array_index (late, i);

      http->stats.timed_out++;
      conn_hang_up (conn);
    }
  return G_SOURCE_CONTINUE;
}

/* Whether the connection of a message is still there (libsoup 3.2 warns
 * when a message is unpaused after its connection went). */
gboolean
foyer_svc_http_is_connected (SoupServerMessage *msg)
{
  FoyerSvcConn *conn = conn_of (msg);

  return conn == NULL || conn->http != NULL;
}

/* ---- Refusing a request from its headers ---- */

typedef struct
{
  GIOStream *stream;
  GSocket *socket;
  char *reply;
  gsize drained;
  gint64 until;
  guint8 buffer[16 * 1024];
} Refusal;

static void
refusal_free (Refusal *refusal)
{
  g_io_stream_close (refusal->stream, NULL, NULL);
  g_object_unref (refusal->stream);
  g_object_unref (refusal->socket);
  g_free (refusal->reply);
  g_free (refusal);
}

static void drain_next (Refusal *refusal);

static void
drained_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Refusal *refusal = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || g_get_monotonic_time () > refusal->until)
    {
      refusal_free (refusal);
      return;
    }
  refusal->drained += (gsize) n;
  drain_next (refusal);
}

static void
drain_next (Refusal *refusal)
{
  if (refusal->drained >= LINGER_BYTES)
    {
      refusal_free (refusal);
      return;
    }
  g_input_stream_read_async (g_io_stream_get_input_stream (refusal->stream), refusal->buffer,
                             sizeof refusal->buffer, G_PRIORITY_DEFAULT, NULL, drained_cb, refusal);
}

static void
refusal_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Refusal *refusal = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      refusal_free (refusal);
      return;
    }
  /* The refusal says Connection: close; the client may still be sending
   * the body it was told not to. What it sends is dropped, within bounds,
   * so that it reads the refusal before the connection goes. */
  g_socket_shutdown (refusal->socket, FALSE, TRUE, NULL);
  refusal->until = g_get_monotonic_time () + LINGER_MS * 1000;
  drain_next (refusal);
}

void
foyer_svc_http_refuse (SoupServerMessage *msg, guint status, const char *json)
{
  FoyerSvcConn *conn = conn_of (msg);
  Refusal *refusal;
  GIOStream *stream;

  if (conn == NULL)
    {
      soup_server_message_set_status (msg, status, NULL);
      return;
    }
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      soup_server_message_set_status (msg, status, NULL);
      return;
    }
  if (conn->http != NULL)
    {
      conn->http->stats.refused_bodies++;
      conn_set_phase (conn, PHASE_HANDLING, LINGER_MS / 1000 + 1);
    }
  refusal = g_new0 (Refusal, 1);
  refusal->stream = stream;
  refusal->socket = g_object_ref (g_socket_connection_get_socket (conn->socket_conn));
  refusal->reply = g_strdup_printf ("HTTP/1.1 %u %s\r\nServer: foyer-service\r\n"
                                    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                                    "Cache-Control: no-store\r\nConnection: close\r\n\r\n%s",
                                    status, soup_status_get_phrase (status), strlen (json), json);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), refusal->reply,
                                   strlen (refusal->reply), G_PRIORITY_DEFAULT, NULL,
                                   refusal_written_cb, refusal);
}

/* ---- Setting up ---- */

static guint
env_uint (const char *name, guint fallback)
{
  const char *value = g_getenv (name);
  guint64 number;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &number, NULL))
    return fallback;
  return (guint) number;
}

void
foyer_svc_limits_init (FoyerSvcLimits *limits)
{
  limits->header_timeout = env_uint ("FOYER_SERVICE_HEADER_TIMEOUT", 10);
  limits->request_timeout = env_uint ("FOYER_SERVICE_REQUEST_TIMEOUT", 30);
  limits->response_timeout = env_uint ("FOYER_SERVICE_RESPONSE_TIMEOUT", 60);
  limits->idle_timeout = env_uint ("FOYER_SERVICE_IDLE_TIMEOUT", 30);
  limits->max_per_address = env_uint ("FOYER_SERVICE_MAX_PER_ADDRESS", 256);
  limits->max_connections = env_uint ("FOYER_SERVICE_MAX_CONNECTIONS", 0);
}

/* A server holds many connections: take every descriptor the system
 * allows, and keep some back for everything else. */
static guint
connection_budget (guint wanted)
{
  struct rlimit limit;
  guint budget;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    budget = 65536;
  else
    budget = limit.rlim_cur > 2 * FD_HEADROOM ? (guint) limit.rlim_cur - FD_HEADROOM
                                              : (guint) limit.rlim_cur / 2;
  return wanted > 0 ? MIN (wanted, budget) : budget;
}

/* libsoup 3.2 keeps a connection alive only while the server has a
 * listener of its own: give it one that nobody can reach, a Unix socket
 * whose name is removed at once. */
static gboolean
give_soup_a_listener (FoyerSvcHttp *http, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("foyer-service-XXXXXX", error);
  g_autofree char *path = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "unused", NULL);
  address = g_unix_socket_address_new (path);
  http->soup_listener
      = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  ok = http->soup_listener != NULL && g_socket_bind (http->soup_listener, address, FALSE, error)
       && g_socket_listen (http->soup_listener, error)
       && soup_server_listen_socket (http->server, http->soup_listener, 0, error);
  g_unlink (path);
  g_rmdir (dir);
  return ok;
}

FoyerSvcHttp *
foyer_svc_http_new (SoupServer *server, GTlsCertificate *certificate, const FoyerSvcLimits *limits)
{
  FoyerSvcHttp *http = g_new0 (FoyerSvcHttp, 1);

  http->server = g_object_ref (server);
  http->certificate = certificate != NULL ? g_object_ref (certificate) : NULL;
  http->limits = *limits;
  http->max_connections = connection_budget (limits->max_connections);
  http->listeners = g_ptr_array_new_with_free_func (g_object_unref);
  http->accept_sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  http->conns = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  http->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  http->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), http);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_done_cb), http);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_done_cb), http);
  return http;
}

gboolean
foyer_svc_http_listen (FoyerSvcHttp *http, GSocketAddress *address, GError **error)
{
  g_autoptr (GSocket) listener = g_socket_new (g_socket_address_get_family (address),
                                               G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GSocketAddress) bound = NULL;

  if (listener == NULL)
    return FALSE;
  g_socket_set_blocking (listener, FALSE);
  g_socket_set_listen_backlog (listener, 1024);
  if (!g_socket_bind (listener, address, TRUE, error) || !g_socket_listen (listener, error))
    return FALSE;
  bound = g_socket_get_local_address (listener, error);
  if (bound == NULL)
    return FALSE;
  if (http->soup_listener == NULL && !give_soup_a_listener (http, error))
    return FALSE;
  http->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  stop_accepting (http);
  g_ptr_array_add (http->listeners, g_steal_pointer (&listener));
  start_accepting (http);
  if (http->sweep_id == 0)
    http->sweep_id = g_timeout_add (SWEEP_MS, sweep_cb, http);
  return TRUE;
}

guint
foyer_svc_http_get_port (FoyerSvcHttp *http)
{
  return http->port;
}

void
foyer_svc_http_get_stats (FoyerSvcHttp *http, FoyerSvcHttpStats *out)
{
  *out = http->stats;
  out->open = g_hash_table_size (http->conns);
}

/* Stops accepting; the connections are libsoup's to close. */
void
foyer_svc_http_stop (FoyerSvcHttp *http)
{
  http->closing = TRUE;
  stop_accepting (http);
  g_clear_handle_id (&http->resume_id, g_source_remove);
}

void
foyer_svc_http_free (FoyerSvcHttp *http)
{
  GHashTableIter iter;
  gpointer key;

  if (http == NULL)
    return;
  foyer_svc_http_stop (http);
  g_clear_handle_id (&http->sweep_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (http->server, http);
  g_hash_table_iter_init (&iter, http->conns);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    ((FoyerSvcConn *) key)->http = NULL;
  g_hash_table_unref (http->conns);
  g_hash_table_unref (http->per_address);
  g_ptr_array_unref (http->accept_sources);
  g_ptr_array_unref (http->listeners);
  g_clear_object (&http->soup_listener);
  g_clear_object (&http->certificate);
  g_clear_object (&http->server);
  if (http->spare_fd >= 0)
    close (http->spare_fd);
  g_free (http);
}
