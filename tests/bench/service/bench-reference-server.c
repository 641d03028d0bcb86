/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The reference the service's benchmarks measure against, in the same run
 * on the same machine: the plainest server that does the same job with the
 * same parts. A bare libsoup SoupServer and SQLite (WAL, synchronous FULL
 * like the service): POST …/messages stores the body in its own
 * transaction and answers 201, then pushes an event to every WebSocket on
 * /v1/events (libsoup's permessage-deflate, per connection). No tokens, no
 * checks, no group commit, no limits.
 *
 * Spaces, for the many-spaces figure: a WebSocket whose Authorization is
 * "Bearer spaces=ID,ID…" gets only the posts to /v1/spaces/ID/messages of
 * those spaces (the membership the service reads from its database, given
 * here by the client); any other WebSocket gets the posts to spaces that no
 * WebSocket named.
 *
 * Usage: bench-reference-server DIR — prints "port N" when it listens.
 */
#define G_LOG_DOMAIN "bench-reference-server"

#include "config.h"

#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  sqlite3 *db;
  sqlite3_stmt *insert;
  GPtrArray *sockets;        /* named no space */
  GHashTable *space_sockets; /* space id -> GPtrArray of connections */
  gint64 cursor;
} Reference;

static void
closed_cb (SoupWebsocketConnection *conn, gpointer user_data)
{
  Reference *ref = user_data;
  char **spaces = g_object_get_data (G_OBJECT (conn), "spaces");

  for (guint i = 0; spaces != NULL && spaces[i] != NULL; i++)
    {
      GPtrArray *list = g_hash_table_lookup (ref->space_sockets, spaces[i]);

      if (list != NULL)
        g_ptr_array_remove_fast (list, conn);
    }
  g_ptr_array_remove_fast (ref->sockets, conn);
  g_object_unref (conn);
}

static void
websocket_cb (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              SoupWebsocketConnection *conn,
              gpointer user_data)
{
  Reference *ref = user_data;
  const char *authorization = soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization");

  if (authorization != NULL && g_str_has_prefix (authorization, "Bearer spaces="))
    {
      char **spaces = g_strsplit (authorization + strlen ("Bearer spaces="), ",", -1);

      for (guint i = 0; spaces[i] != NULL; i++)
        {
          GPtrArray *list = g_hash_table_lookup (ref->space_sockets, spaces[i]);

          if (list == NULL)
            {
              list = g_ptr_array_new ();
              g_hash_table_insert (ref->space_sockets, g_strdup (spaces[i]), list);
            }
          g_ptr_array_add (list, conn);
        }
      g_object_set_data_full (G_OBJECT (conn), "spaces", spaces, (GDestroyNotify) g_strfreev);
    }
  else
    g_ptr_array_add (ref->sockets, conn);
  g_object_ref (conn);
  g_signal_connect (conn, "closed", G_CALLBACK (closed_cb), ref);
}

static gboolean
store (Reference *ref, const char *body, gsize length)
{
  gboolean ok;

  sqlite3_exec (ref->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  sqlite3_bind_int64 (ref->insert, 1, ++ref->cursor);
  sqlite3_bind_text (ref->insert, 2, body, (int) length, SQLITE_TRANSIENT);
  ok = sqlite3_step (ref->insert) == SQLITE_DONE;
  sqlite3_reset (ref->insert);
  return sqlite3_exec (ref->db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK && ok;
}

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  Reference *ref = user_data;
  g_autoptr (GBytes) bytes = NULL;
  g_autofree char *event = NULL;
  g_autofree char *space = NULL;
  GPtrArray *targets;
  gsize length;
  const char *body;

  if (strcmp (path, "/v1/health") == 0)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
      return;
    }
  if (!g_str_has_suffix (path, "/messages")
      || strcmp (soup_server_message_get_method (msg), "POST") != 0)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  body = g_bytes_get_data (bytes, &length);
  if (!store (ref, body, length))
    {
      soup_server_message_set_status (msg, 500, NULL);
      return;
    }
  soup_server_message_set_status (msg, 201, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
  event = g_strdup_printf ("{\"type\":\"message.created\",\"cursor\":%" G_GINT64_FORMAT
                           ",\"message\":%.*s}",
                           ref->cursor, (int) length, body);
  if (g_str_has_prefix (path, "/v1/spaces/"))
    space = g_strndup (path + strlen ("/v1/spaces/"),
                       strlen (path) - strlen ("/v1/spaces/") - strlen ("/messages"));
  targets = space != NULL ? g_hash_table_lookup (ref->space_sockets, space) : NULL;
  if (targets == NULL)
    targets = ref->sockets;
  for (guint i = 0; i < targets->len; i++)
    soup_websocket_connection_send_text (g_ptr_array_index (targets, i), event);
}

int
main (int argc, char **argv)
{
  Reference ref = { 0 };
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  GSList *uris;

  if (argc != 2)
    {
      g_printerr ("Usage: %s DIR\n", argv[0]);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  path = g_build_filename (argv[1], "reference.db", NULL);
  if (sqlite3_open (path, &ref.db) != SQLITE_OK
      || sqlite3_exec (ref.db,
                       "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                       "CREATE TABLE messages (cursor INTEGER PRIMARY KEY, body TEXT)",
                       NULL, NULL, NULL)
             != SQLITE_OK
      || sqlite3_prepare_v2 (ref.db, "INSERT INTO messages VALUES (?, ?)", -1, &ref.insert, NULL)
             != SQLITE_OK)
    {
      g_printerr ("SQLite: %s\n", sqlite3_errmsg (ref.db));
      return 1;
    }
  ref.sockets = g_ptr_array_new ();
  ref.space_sockets
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  soup_server_add_handler (server, NULL, server_cb, &ref, NULL);
  soup_server_add_websocket_handler (server, "/v1/events", NULL, NULL, websocket_cb, &ref, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  g_print ("port %d\n", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (g_main_loop_new (NULL, FALSE));
  return 0;
}
