/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>

#define DEFAULT_CATCH_UP 500
#define MAX_CATCH_UP     1000

/* A reader is "behind" while the kernel holds this much unsent data for
 * it; behind for this many frames or this long, it is disconnected. It
 * loses nothing: it reconnects and catches up over HTTP. */
#define BEHIND_BYTES  (256 * 1024)
#define BEHIND_FRAMES 64
#define BEHIND_USEC   (30 * G_USEC_PER_SEC)

typedef struct
{
  FoyerSvc *svc;
  SoupWebsocketConnection *conn;
  char *person_id;
  char *session_id; /* NULL for a KMS alone's tokens: no session to end */
  gint64 expires;   /* the token's exp, Unix seconds */
  int fd;
  guint behind_frames;
  gint64 behind_since;
} FoyerSvcSocket;

static void watch_sessions (FoyerSvc *svc);

static void
socket_free (FoyerSvcSocket *socket)
{
  g_signal_handlers_disconnect_by_data (socket->conn, socket);
  g_object_unref (socket->conn);
  g_free (socket->person_id);
  g_free (socket->session_id);
  g_free (socket);
}

static void
index_socket (FoyerSvc *svc, FoyerSvcSocket *socket, gboolean add)
{
  GPtrArray *sockets = g_hash_table_lookup (svc->sockets_by_person, socket->person_id);

  if (add)
    {
      if (sockets == NULL)
        {
          sockets = g_ptr_array_new ();
          g_hash_table_insert (svc->sockets_by_person, g_strdup (socket->person_id), sockets);
        }
      g_ptr_array_add (sockets, socket);
      g_ptr_array_add (svc->sockets, socket);
      return;
    }
  g_ptr_array_remove_fast (svc->sockets, socket);
  if (sockets != NULL && g_ptr_array_remove_fast (sockets, socket) && sockets->len == 0)
    g_hash_table_remove (svc->sockets_by_person, socket->person_id);
}

/* The server's WebSocket stream wraps the socket (libsoup's own stream,
 * TLS): unwrap until the GSocketConnection. */
static int
socket_fd (SoupWebsocketConnection *conn)
{
  g_autoptr (GIOStream) stream = g_object_ref (soup_websocket_connection_get_io_stream (conn));

  for (guint depth = 0; depth < 4 && !G_IS_SOCKET_CONNECTION (stream); depth++)
    {
      GObjectClass *klass = G_OBJECT_GET_CLASS (stream);
      const char *names[] = { "base-iostream", "base-io-stream" };
      GIOStream *base = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (names) && base == NULL; i++)
        if (g_object_class_find_property (klass, names[i]) != NULL)
          g_object_get (stream, names[i], &base, NULL);
      if (base == NULL)
        return -1;
      g_object_unref (stream);
      stream = base;
    }
  if (!G_IS_SOCKET_CONNECTION (stream))
    return -1;
  return g_socket_get_fd (g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream)));
}

static void
log_line (FoyerSvc *svc, const char *what, const char *person)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);

  if (svc->log == NULL)
    return;
  fprintf (svc->log, "%s GET /v1/events %s person=%s websocket\n", stamp, what, person);
  fflush (svc->log);
}

/* FALSE when the reader has been behind for too long and was closed. */
static gboolean
keeps_up (FoyerSvcSocket *socket)
{
  int queued = 0;
  gint64 now;

  if (socket->fd < 0 || ioctl (socket->fd, SIOCOUTQ, &queued) != 0 || queued < BEHIND_BYTES)
    {
      socket->behind_frames = 0;
      return TRUE;
    }
  now = g_get_monotonic_time ();
  if (socket->behind_frames++ == 0)
    socket->behind_since = now;
  if (socket->behind_frames < BEHIND_FRAMES && now - socket->behind_since < BEHIND_USEC)
    return TRUE;

  log_line (socket->svc, "closed-too-slow", socket->person_id);
  soup_websocket_connection_close (socket->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION,
                                   "Too slow: reconnect and catch up with /v1/events?after=");
  return FALSE;
}

static void
send_to (FoyerSvc *svc, const char *person_id, const char *text)
{
  GPtrArray *sockets = g_hash_table_lookup (svc->sockets_by_person, person_id);
  g_autoptr (GPtrArray) copy = NULL;

  if (sockets == NULL)
    return;
  /* Closing a reader that fell behind may change the list. */
  copy = g_ptr_array_copy (sockets, NULL, NULL);
  for (guint i = 0; i < copy->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (copy, i);

      if (soup_websocket_connection_get_state (socket->conn) == SOUP_WEBSOCKET_STATE_OPEN
          && keeps_up (socket))
        soup_websocket_connection_send_text (socket->conn, text);
    }
}

/* Sending only queues the frame: a slow reader never blocks the others,
 * and one that stops reading is cut off before its queue grows large.
 * Events come in cursor order; each goes to the sockets of the space's
 * members (given by the fan-out reader, or asked of SQLite) and of the
 * event's subject. */
void
foyer_svc_events_push (FoyerSvc *svc, GPtrArray *events_to_push)
{
  g_autoptr (GPtrArray) events = events_to_push;

  if (events == NULL || svc->sockets->len == 0)
    return;
  for (guint i = 0; i < events->len; i++)
    {
      FoyerSvcEvent *event = g_ptr_array_index (events, i);
      g_autoptr (GPtrArray) members = NULL;
      gboolean subject_done = event->subject_id == NULL;

      if (event->recipients != NULL)
        {
          for (guint j = 0; event->recipients[j] != NULL; j++)
            {
              send_to (svc, event->recipients[j], event->text);
              subject_done = subject_done || strcmp (event->recipients[j], event->subject_id) == 0;
            }
        }
      else if (svc->db != NULL
               && (members = foyer_svc_db_member_ids (svc->db, event->space_id, NULL)) != NULL)
        for (guint j = 0; j < members->len; j++)
          {
            const char *person = g_ptr_array_index (members, j);

            send_to (svc, person, event->text);
            subject_done = subject_done || strcmp (person, event->subject_id) == 0;
          }
      if (!subject_done)
        send_to (svc, event->subject_id, event->text);
    }
}

static void
catch_up (FoyerSvcRequest *req, gint64 after, gint64 limit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) cursors = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) items = NULL;
  gint64 latest = 0;
  gboolean has_more;
  guint count;
  GString *text;

  items = foyer_svc_db_events_catch_up (req->db, req->person_id, after, limit + 1, cursors, &latest,
                                        &error);
  if (items == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  has_more = items->len > (guint) limit;
  count = MIN (items->len, (guint) limit);
  /* The events are JSON the service wrote: spliced, not parsed again. */
  text = g_string_new ("{\"items\":[");
  for (guint i = 0; i < count; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append (text, g_ptr_array_index (items, i));
    }
  g_string_append_printf (text, "],\"cursor\":%" G_GINT64_FORMAT ",\"hasMore\":%s}",
                          has_more ? g_array_index (cursors, gint64, count - 1)
                                   : MAX (after, latest),
                          has_more ? "true" : "false");
  req->status = 200;
  g_free (req->reply);
  req->reply = g_string_free (text, FALSE);
}

/* GET /v1/events: with "Upgrade: websocket" the live stream (the upgrade
 * itself is done by libsoup once this handler leaves the status unset),
 * with ?after=<cursor> what happened since, without it the latest cursor. */
void
foyer_svc_handle_events (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  const char *after_text = req->query != NULL ? g_hash_table_lookup (req->query, "after") : NULL;
  const char *limit_text = req->query != NULL ? g_hash_table_lookup (req->query, "limit") : NULL;
  guint64 after = 0, limit = DEFAULT_CATCH_UP;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (req->n_segments != 2 || strcmp (req->method, "GET") != 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Use GET /v1/events");
      return;
    }
  /* The upgrade itself: libsoup makes it once the status is left unset. */
  if (req->upgrade)
    return;

  if ((after_text != NULL
       && !g_ascii_string_to_unsigned (after_text, 10, 0, G_MAXINT64, &after, NULL))
      || (limit_text != NULL
          && !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_CATCH_UP, &limit, NULL)))
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID,
                                       "after must be a cursor and limit between 1 and 1000");
      return;
    }
  if (after_text == NULL)
    {
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();
      gint64 latest = foyer_svc_db_events_latest (req->db, &error);

      if (latest < 0)
        {
          foyer_svc_respond_error (req, error);
          return;
        }
      json_object_set_array_member (object, "items", json_array_new ());
      json_object_set_int_member (object, "cursor", latest);
      json_object_set_boolean_member (object, "hasMore", FALSE);
      json_node_take_object (root, object);
      foyer_svc_respond_json (req, 200, root);
      return;
    }
  catch_up (req, (gint64) after, (gint64) limit);
}

static void
socket_closed_cb (SoupWebsocketConnection *conn, gpointer user_data)
{
  FoyerSvcSocket *socket = user_data;

  index_socket (socket->svc, socket, FALSE);
  socket_free (socket);
}

/* Clients have nothing to say on this stream; anything they send is
 * dropped, and libsoup bounds its size. */
static void
socket_message_cb (SoupWebsocketConnection *conn, int type, GBytes *message, gpointer user_data)
{
}

void
foyer_svc_events_websocket (SoupServer *server,
                            SoupServerMessage *msg,
                            const char *path,
                            SoupWebsocketConnection *connection,
                            gpointer user_data)
{
  FoyerSvc *svc = user_data;
  const char *person = g_object_get_data (G_OBJECT (msg), "foyer-person");
  FoyerSvcSocket *socket;

  if (person == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }
  socket = g_new0 (FoyerSvcSocket, 1);
  socket->svc = svc;
  socket->conn = g_object_ref (connection);
  socket->person_id = g_strdup (person);
  socket->session_id = g_strdup (g_object_get_data (G_OBJECT (msg), "foyer-session"));
  socket->expires = g_object_get_data (G_OBJECT (msg), "foyer-expires") != NULL
                        ? *(gint64 *) g_object_get_data (G_OBJECT (msg), "foyer-expires")
                        : G_MAXINT64;
  socket->fd = socket_fd (connection);
  soup_websocket_connection_set_max_incoming_payload_size (connection, 4096);
  soup_websocket_connection_set_keepalive_interval (connection, 30);
  g_signal_connect (connection, "closed", G_CALLBACK (socket_closed_cb), socket);
  g_signal_connect (connection, "message", G_CALLBACK (socket_message_cb), socket);
  index_socket (svc, socket, TRUE);
  log_line (svc, "101", person);
  watch_sessions (svc);
}

void
foyer_svc_events_close_all (FoyerSvc *svc)
{
  g_autoptr (GPtrArray) sockets = g_ptr_array_copy (svc->sockets, NULL, NULL);

  g_clear_handle_id (&svc->session_watch, g_source_remove);
  for (guint i = 0; i < sockets->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (sockets, i);

      if (soup_websocket_connection_get_state (socket->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (socket->conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                         "The service is stopping");
    }
  for (guint i = 0; i < 10 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
  while (svc->sockets->len > 0)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (svc->sockets, 0);

      index_socket (svc, socket, FALSE);
      socket_free (socket);
    }
}

/* ---- Sessions: a WebSocket lives no longer than its session ----
 *
 * A socket is closed (1008, policy violation, with the reason) when its
 * token expires, when its session is signed out or revoked, and when its
 * person is disabled or removed. Changes made here close the sockets at
 * once (foyer_svc_events_close_sessions ()); those made by another process
 * (the admin CLI) are seen within a second, through SQLite's data_version,
 * which moves only when another connection commits. */

#define SESSION_WATCH_SECONDS 1

static void
close_socket (FoyerSvcSocket *socket, const char *reason)
{
  if (soup_websocket_connection_get_state (socket->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  log_line (socket->svc, "closed-session-ended", socket->person_id);
  soup_websocket_connection_close (socket->conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, reason);
}

void
foyer_svc_events_close_sessions (FoyerSvc *svc,
                                 const char *session_id,
                                 const char *person_id,
                                 const char *reason)
{
  g_autoptr (GPtrArray) sockets = g_ptr_array_copy (svc->sockets, NULL, NULL);

  for (guint i = 0; i < sockets->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (sockets, i);

      if ((session_id == NULL || g_strcmp0 (socket->session_id, session_id) == 0)
          && (person_id == NULL || g_strcmp0 (socket->person_id, person_id) == 0))
        close_socket (socket, reason);
    }
}

typedef struct
{
  char *session_id;
  char *person_id;
  gboolean alive;
} SessionProbe;

static void
session_probe_free (SessionProbe *probe)
{
  g_free (probe->session_id);
  g_free (probe->person_id);
  g_free (probe);
}

static void
recheck_work (FoyerSvcRequest *req)
{
  GPtrArray *probes = req->user_data;

  for (guint i = 0; i < probes->len; i++)
    {
      SessionProbe *probe = g_ptr_array_index (probes, i);
      g_autoptr (GError) error = NULL;
      FoyerSvcClaims claims = { probe->person_id, probe->session_id, NULL, 0, 0 };

      /* A database that cannot be asked closes nothing. */
      probe->alive = foyer_svc_session_check (req->svc, req->db, &claims, &error)
                     || !g_error_matches (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED);
    }
}

static void
recheck_done (FoyerSvcRequest *req)
{
  GPtrArray *probes = req->user_data;

  for (guint i = 0; i < probes->len; i++)
    {
      SessionProbe *probe = g_ptr_array_index (probes, i);

      if (!probe->alive)
        {
          foyer_svc_tokens_forget (req->svc, probe->session_id, NULL);
          foyer_svc_events_close_sessions (req->svc, probe->session_id, probe->person_id,
                                           "The session ended: sign in again");
        }
    }
  g_ptr_array_unref (probes);
  foyer_svc_request_free (req);
}

void
foyer_svc_events_recheck_sessions (FoyerSvc *svc)
{
  GPtrArray *probes = g_ptr_array_new_with_free_func ((GDestroyNotify) session_probe_free);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  FoyerSvcRequest *req;

  for (guint i = 0; i < svc->sockets->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (svc->sockets, i);
      SessionProbe *probe;

      if (socket->session_id == NULL || !g_hash_table_add (seen, socket->session_id))
        continue;
      probe = g_new0 (SessionProbe, 1);
      probe->session_id = g_strdup (socket->session_id);
      probe->person_id = g_strdup (socket->person_id);
      g_ptr_array_add (probes, probe);
    }
  if (probes->len == 0)
    {
      g_ptr_array_unref (probes);
      return;
    }
  req = g_new0 (FoyerSvcRequest, 1);
  req->svc = svc;
  req->method = g_strdup ("GET");
  req->order_key = g_strdup ("");
  req->user_data = probes;
  foyer_svc_execute (svc, req, recheck_work, recheck_done);
}

static gboolean
session_watch_cb (gpointer user_data)
{
  FoyerSvc *svc = user_data;
  g_autoptr (GPtrArray) sockets = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean recheck;

  if (svc->sockets->len == 0)
    {
      svc->session_watch = 0;
      return G_SOURCE_REMOVE;
    }
  /* SQLite: another process (the admin CLI) committed. PostgreSQL's
   * nodes hear of ended sessions through NOTIFY (foyer-svc-fanout.c). */
  recheck = svc->db != NULL && foyer_svc_db_sqlite_others_committed (svc->db);
  sockets = g_ptr_array_copy (svc->sockets, NULL, NULL);
  for (guint i = 0; i < sockets->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (sockets, i);
      FoyerSvcClaims claims = { socket->person_id, socket->session_id, NULL, 0, socket->expires };

      if (socket->expires <= now)
        close_socket (socket, "The token expired: sign in again");
      else if (recheck && socket->session_id != NULL
               && !foyer_svc_session_check (svc, svc->db, &claims, NULL))
        close_socket (socket, "The session ended: sign in again");
    }
  return G_SOURCE_CONTINUE;
}

static void
watch_sessions (FoyerSvc *svc)
{
  if (svc->session_watch != 0)
    return;
  if (svc->db != NULL)
    foyer_svc_db_sqlite_others_committed (svc->db);
  svc->session_watch = g_timeout_add_seconds (SESSION_WATCH_SECONDS, session_watch_cb, svc);
}
