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

typedef struct
{
  gint64 cursor;
  char *space_id;
  char *subject_id;
  char *text;
} FoyerSvcEvent;

static void
event_free (FoyerSvcEvent *event)
{
  g_free (event->space_id);
  g_free (event->subject_id);
  g_free (event->text);
  g_free (event);
}

static void
socket_free (FoyerSvcSocket *socket)
{
  g_signal_handlers_disconnect_by_data (socket->conn, socket);
  g_object_unref (socket->conn);
  g_free (socket->person_id);
  g_free (socket->session_id);
  g_free (socket);
}

/* Written in the caller's transaction; pushed by foyer_svc_events_flush ()
 * once that transaction is committed, so nobody hears of an event that a
 * rollback undid. The extra object's members are added to the event. */
gboolean
foyer_svc_event_emit (FoyerSvc *svc,
                      const char *type,
                      const char *space_id,
                      const char *subject_id,
                      JsonNode *extra,
                      GError **error)
{
  g_autoptr (JsonNode) owned_extra = extra;
  g_autoptr (sqlite3_stmt) next = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  FoyerSvcEvent *event;
  gint64 now = g_get_real_time () / 1000;
  g_autofree char *created = foyer_svc_timestamp (now);

  json_node_take_object (node, object);
  next = foyer_svc_store_prepare (svc->db, "SELECT COALESCE (MAX (cursor), 0) + 1 FROM events",
                                  error);
  if (next == NULL || sqlite3_step (next) != SQLITE_ROW)
    return FALSE;

  event = g_new0 (FoyerSvcEvent, 1);
  event->cursor = sqlite3_column_int64 (next, 0);
  event->space_id = g_strdup (space_id);
  event->subject_id = g_strdup (subject_id);

  json_object_set_string_member (object, "type", type);
  json_object_set_int_member (object, "cursor", event->cursor);
  json_object_set_string_member (object, "spaceId", space_id);
  json_object_set_string_member (object, "created", created);
  if (extra != NULL && JSON_NODE_HOLDS_OBJECT (extra))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (extra));
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (object, name, json_node_copy (value));
    }
  event->text = json_to_string (node, FALSE);

  insert = foyer_svc_store_prepare (svc->db,
                                    "INSERT INTO events (cursor, type, space_id, subject_id,"
                                    " payload, created) VALUES (?, ?, ?, ?, ?, ?)",
                                    error);
  if (insert == NULL)
    {
      event_free (event);
      return FALSE;
    }
  sqlite3_bind_int64 (insert, 1, event->cursor);
  sqlite3_bind_text (insert, 2, type, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, subject_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, event->text, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 6, now);
  if (!foyer_svc_store_step_done (svc->db, insert, error))
    {
      event_free (event);
      return FALSE;
    }

  if (svc->pending_events == NULL)
    svc->pending_events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  g_ptr_array_add (svc->pending_events, event);
  return TRUE;
}

static GHashTable *
recipients (FoyerSvc *svc, FoyerSvcEvent *event)
{
  GHashTable *set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db, "SELECT person_id FROM members WHERE space_id = ?", NULL);

  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, event->space_id, -1, SQLITE_STATIC);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_hash_table_add (set, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
    }
  if (event->subject_id != NULL)
    g_hash_table_add (set, g_strdup (event->subject_id));
  return set;
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

/* Sending only queues the frame: a slow reader never blocks the others,
 * and one that stops reading is cut off before its queue grows large. */
void
foyer_svc_events_push (FoyerSvc *svc, GPtrArray *events_to_push)
{
  g_autoptr (GPtrArray) events = events_to_push;

  if (events == NULL)
    return;
  for (guint i = 0; i < events->len; i++)
    {
      FoyerSvcEvent *event = g_ptr_array_index (events, i);
      g_autoptr (GHashTable) people = recipients (svc, event);

      for (guint j = 0; j < svc->sockets->len; j++)
        {
          FoyerSvcSocket *socket = g_ptr_array_index (svc->sockets, j);

          if (g_hash_table_contains (people, socket->person_id)
              && soup_websocket_connection_get_state (socket->conn) == SOUP_WEBSOCKET_STATE_OPEN
              && keeps_up (socket))
            soup_websocket_connection_send_text (socket->conn, event->text);
        }
    }
}

void
foyer_svc_events_flush (FoyerSvc *svc)
{
  foyer_svc_events_push (svc, g_steal_pointer (&svc->pending_events));
}

/* The events of the current transaction, to push once it commits. */
GPtrArray *
foyer_svc_events_take (FoyerSvc *svc)
{
  return g_steal_pointer (&svc->pending_events);
}

void
foyer_svc_events_discard (FoyerSvc *svc)
{
  g_clear_pointer (&svc->pending_events, g_ptr_array_unref);
}

static gint64
latest_cursor (FoyerSvc *svc)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db, "SELECT COALESCE (MAX (cursor), 0) FROM events", NULL);

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

static void
catch_up (FoyerSvcRequest *req, gint64 after, gint64 limit)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      req->svc->db,
      "SELECT cursor, payload FROM events WHERE cursor > ?1 AND (subject_id = ?2 OR space_id IN"
      " (SELECT space_id FROM members WHERE person_id = ?2)) ORDER BY cursor LIMIT ?3",
      NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 last = after;
  gint64 count = 0;
  gboolean has_more = FALSE;

  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_text (stmt, 2, req->person_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, limit + 1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr (JsonParser) parser = json_parser_new_immutable ();

      if (count == limit)
        {
          has_more = TRUE;
          break;
        }
      last = sqlite3_column_int64 (stmt, 0);
      count++;
      if (json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 1), -1,
                                      NULL))
        json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_int_value (builder, has_more ? last : MAX (after, latest_cursor (req->svc)));
  json_builder_set_member_name (builder, "hasMore");
  json_builder_add_boolean_value (builder, has_more);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req->msg, 200, root);
}

/* GET /v1/events: with "Upgrade: websocket" the live stream (the upgrade
 * itself is done by libsoup once this handler leaves the status unset),
 * with ?after=<cursor> what happened since, without it the latest cursor. */
void
foyer_svc_handle_events (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *after_text = req->query != NULL ? g_hash_table_lookup (req->query, "after") : NULL;
  const char *limit_text = req->query != NULL ? g_hash_table_lookup (req->query, "limit") : NULL;
  guint64 after = 0, limit = DEFAULT_CATCH_UP;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (req->n_segments != 2 || strcmp (req->method, "GET") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Use GET /v1/events");
      return;
    }
  if (soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    return;

  if ((after_text != NULL
       && !g_ascii_string_to_unsigned (after_text, 10, 0, G_MAXINT64, &after, NULL))
      || (limit_text != NULL
          && !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_CATCH_UP, &limit, NULL)))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID,
                                       "after must be a cursor and limit between 1 and 1000");
      return;
    }
  if (after_text == NULL)
    {
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
      JsonObject *object = json_object_new ();

      json_object_set_array_member (object, "items", json_array_new ());
      json_object_set_int_member (object, "cursor", latest_cursor (req->svc));
      json_object_set_boolean_member (object, "hasMore", FALSE);
      json_node_take_object (root, object);
      foyer_svc_respond_json (req->msg, 200, root);
      return;
    }
  catch_up (req, (gint64) after, (gint64) limit);
}

static void
socket_closed_cb (SoupWebsocketConnection *conn, gpointer user_data)
{
  FoyerSvcSocket *socket = user_data;

  g_ptr_array_remove_fast (socket->svc->sockets, socket);
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
  g_ptr_array_add (svc->sockets, socket);
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
      FoyerSvcSocket *socket = g_ptr_array_steal_index_fast (svc->sockets, 0);

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

static gboolean
others_committed (FoyerSvc *svc)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int version;

  if (svc->db == NULL)
    return FALSE;
  stmt = foyer_svc_store_prepare (svc->db, "PRAGMA data_version", NULL);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  version = sqlite3_column_int (stmt, 0);
  if (version == svc->data_version)
    return FALSE;
  svc->data_version = version;
  return TRUE;
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
  recheck = others_committed (svc);
  sockets = g_ptr_array_copy (svc->sockets, NULL, NULL);
  for (guint i = 0; i < sockets->len; i++)
    {
      FoyerSvcSocket *socket = g_ptr_array_index (sockets, i);
      FoyerSvcClaims claims = { socket->person_id, socket->session_id, NULL, 0, socket->expires };

      if (socket->expires <= now)
        close_socket (socket, "The token expired: sign in again");
      else if (recheck && socket->session_id != NULL
               && !foyer_svc_session_check (svc, &claims, NULL))
        close_socket (socket, "The session ended: sign in again");
    }
  return G_SOURCE_CONTINUE;
}

static void
watch_sessions (FoyerSvc *svc)
{
  if (svc->session_watch != 0)
    return;
  others_committed (svc);
  svc->session_watch = g_timeout_add_seconds (SESSION_WATCH_SECONDS, session_watch_cb, svc);
}
