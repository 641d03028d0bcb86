/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service's HTTP layer from the outside, with raw sockets against a
 * real service process (docs/service-api.md, "Connections"):
 *
 * - no descriptor leaks: 5,000 connections ended in every way a client can
 *   end one, and the service's descriptor count comes back to its start;
 * - GET /v1/health and /v1/ready;
 * - group commit: posts sent at once are all acknowledged, each one only
 *   once it can be read from the database by another process.
 */
#define G_LOG_DOMAIN "test-service-connections"

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foyer-test-net.h"
#include "foyer-test-scene.h"

#define CONNECTIONS 5000
#define WAYS        13

static FoyerTestScene *scene;

static void
get_and_read (int fd, const char *path, const char *token)
{
  g_autofree char *request = foyer_test_net_request ("GET", path, token, NULL, 0, TRUE);

  foyer_test_net_send_string (fd, request);
  g_assert_cmpint (foyer_test_net_read_response (fd, NULL, 10000), ==, 200);
}

/* Ends one connection in one of the ways a client (or the network) can. */
static void
one_connection (guint way)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *close_request = NULL;
  g_autofree char *partial_body = NULL;
  int fd;

  if (way >= 10)
    {
      /* WebSockets: closed cleanly, dropped, reset. */
      fd = foyer_test_net_ws_open (NULL, scene->host, scene->port, scene->bob_token, way == 12,
                                   &error);
      g_assert_no_error (error);
      if (way == 10)
        {
          const guint8 going_away[2] = { 0x03, 0xe9 };

          g_assert_true (foyer_test_net_ws_send (fd, 0x88, going_away, sizeof going_away));
          g_assert_true (foyer_test_net_wait_closed (fd, 10000));
          close (fd);
        }
      else if (way == 11)
        close (fd);
      else
        foyer_test_net_reset (fd);
      return;
    }

  fd = foyer_test_net_dial (NULL, scene->host, scene->port, &error);
  g_assert_no_error (error);
  switch (way)
    {
    case 0: /* connected, nothing sent */
      close (fd);
      break;
    case 1: /* a request kept alive, then the client closes: the 3.2 leak */
      get_and_read (fd, "/v1/health", NULL);
      close (fd);
      break;
    case 2: /* two requests, then close */
      get_and_read (fd, "/v1/health", NULL);
      get_and_read (fd, "/v1/service", NULL);
      close (fd);
      break;
    case 3: /* Connection: close, the service closes */
      close_request = foyer_test_net_request ("GET", "/v1/health", NULL, NULL, 0, FALSE);
      foyer_test_net_send_string (fd, close_request);
      g_assert_cmpint (foyer_test_net_read_response (fd, NULL, 10000), ==, 200);
      g_assert_true (foyer_test_net_wait_closed (fd, 10000));
      close (fd);
      break;
    case 4: /* half-close: the request, then no more from the client */
      close_request = foyer_test_net_request ("GET", "/v1/health", NULL, NULL, 0, TRUE);
      foyer_test_net_send_string (fd, close_request);
      shutdown (fd, SHUT_WR);
      g_assert_cmpint (foyer_test_net_read_response (fd, NULL, 10000), ==, 200);
      g_assert_true (foyer_test_net_wait_closed (fd, 10000));
      close (fd);
      break;
    case 5: /* reset after a reply */
      get_and_read (fd, "/v1/health", NULL);
      foyer_test_net_reset (fd);
      break;
    case 6: /* reset in the middle of the headers */
      foyer_test_net_send_string (fd, "GET /v1/health HTTP/1.1\r\nHo");
      foyer_test_net_reset (fd);
      break;
    case 7: /* closed in the middle of the headers */
      foyer_test_net_send_string (fd, "GET /v1/health HTTP/1.1\r\nHo");
      close (fd);
      break;
    case 8: /* closed in the middle of a body */
      partial_body = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                                      "Content-Type: application/json\r\nContent-Length: 900\r\n"
                                      "\r\n{\"clientMessageId\":",
                                      scene->messages_path, scene->alice_token);
      foyer_test_net_send_string (fd, partial_body);
      close (fd);
      break;
    case 9: /* a reply, then a reset in the middle of the next request's body */
      get_and_read (fd, "/v1/health", NULL);
      partial_body = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: "
                                      "application/json\r\nContent-Length: 900\r\n\r\n{",
                                      scene->messages_path);
      foyer_test_net_send_string (fd, partial_body);
      foyer_test_net_reset (fd);
      break;
    default:
      g_assert_not_reached ();
    }
}

typedef struct
{
  guint from, to;
} Range;

static gpointer
connections_thread (gpointer data)
{
  Range *range = data;

  for (guint i = range->from; i < range->to; i++)
    one_connection (i % WAYS);
  return NULL;
}

static gboolean
fds_back_to (guint start, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (foyer_test_net_count_fds (scene->pid) > start)
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (20 * 1000);
    }
  return TRUE;
}

static void
test_no_leak (void)
{
  guint start = foyer_test_net_count_fds (scene->pid);
  gsize rss_start = foyer_test_net_rss_kib (scene->pid);
  GThread *threads[8];
  Range ranges[G_N_ELEMENTS (threads)];
  gint64 t0 = g_get_monotonic_time ();

  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      ranges[k].from = CONNECTIONS * k / G_N_ELEMENTS (threads);
      ranges[k].to = CONNECTIONS * (k + 1) / G_N_ELEMENTS (threads);
      threads[k] = g_thread_new ("connections", connections_thread, &ranges[k]);
    }
  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    g_thread_join (threads[k]);

  /* The service closes its end of each within the time it takes to
   * notice: wait for that, not for a fixed time. */
  if (!fds_back_to (start, 30000))
    g_error ("%u descriptors still open after %u connections",
             foyer_test_net_count_fds (scene->pid) - start, CONNECTIONS);
  g_test_message (
      "%u connections in %d ways in %.1f s; descriptors back to %u; RSS %" G_GSIZE_FORMAT
      " -> %" G_GSIZE_FORMAT " KiB",
      CONNECTIONS, WAYS, (g_get_monotonic_time () - t0) / 1e6, start, rss_start,
      foyer_test_net_rss_kib (scene->pid));
  /* Each way alone, so that a leak says which. */
  for (guint way = 0; way < WAYS; way++)
    {
      for (guint i = 0; i < 20; i++)
        one_connection (way);
      if (!fds_back_to (start, 10000))
        g_error ("Way %u leaves %u descriptors open", way,
                 foyer_test_net_count_fds (scene->pid) - start);
    }
}

static void
test_health (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *log = NULL;
  g_autofree char *post = foyer_test_net_request ("POST", "/v1/ready", NULL, "{}", 2, TRUE);
  gint64 start = g_get_monotonic_time ();
  int fd = foyer_test_net_dial (NULL, scene->host, scene->port, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *request = foyer_test_net_request ("GET", "/v1/health", NULL, NULL, 0, TRUE);

      foyer_test_net_send_string (fd, request);
      g_assert_cmpint (foyer_test_net_read_response (fd, body, 10000), ==, 200);
      g_assert_cmpstr (body->str, ==, "{\"status\":\"ok\"}");
    }
  get_and_read (fd, "/v1/ready", NULL);
  foyer_test_net_send_string (fd, "GET /v1/ready HTTP/1.1\r\nHost: x\r\n\r\n");
  g_assert_cmpint (foyer_test_net_read_response (fd, body, 10000), ==, 200);
  g_assert_nonnull (strstr (body->str, "\"status\":\"ready\""));
  g_assert_nonnull (strstr (body->str, "\"conversationDatabase\":\"ok\""));
  g_assert_nonnull (strstr (body->str, "\"kmsDatabase\":\"ok\""));
  foyer_test_net_send_string (fd, post);
  g_assert_cmpint (foyer_test_net_read_response (fd, body, 10000), ==, 405);
  close (fd);

  /* A probe every second forever must not fill the log; the line of a
   * request is written once its reply is out, so wait for the 405's. */
  for (;;)
    {
      g_clear_pointer (&log, g_free);
      g_assert_true (
          g_file_get_contents (foyer_test_service_get_log_path (scene->service), &log, NULL, NULL));
      if (strstr (log, "POST /v1/ready 405") != NULL)
        break;
      g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
      g_usleep (10 * 1000);
    }
  g_assert_null (strstr (log, "/v1/health"));
}

typedef struct
{
  guint index;
  guint posts;
} Poster;

/* Asked on a connection of its own (SQLite's file, or PostgreSQL). */
static gboolean
message_stored (const char *client_message_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = g_strdup_printf (
      "SELECT count(*) FROM messages WHERE client_message_id = '%s'", client_message_id);
  g_autofree char *rows = foyer_test_service_query (scene->service, "conversation", sql, &error);

  g_assert_no_error (error);
  return g_strcmp0 (rows, "1\n") == 0;
}

static gpointer
poster_thread (gpointer data)
{
  Poster *poster = data;
  g_autoptr (GError) error = NULL;
  int fd = foyer_test_net_dial (NULL, scene->host, scene->port, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < poster->posts; i++)
    {
      g_autofree char *id = g_strdup_printf ("group-%u-%u", poster->index, i);
      g_autofree char *json = foyer_test_scene_post_json (scene, id);
      g_autofree char *request = foyer_test_net_request (
          "POST", scene->messages_path, scene->alice_token, json, strlen (json), TRUE);

      g_assert_true (foyer_test_net_send_string (fd, request));
      g_assert_cmpint (foyer_test_net_read_response (fd, NULL, 20000), ==, 201);
      /* Acknowledged means committed: another connection sees it. */
      g_assert_true (message_stored (id));
    }
  close (fd);
  return NULL;
}

static void
test_group_commit (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) body = g_string_new (NULL);
  g_autofree char *page = g_strdup_printf ("%s?limit=200", scene->messages_path);
  g_autofree char *request = foyer_test_net_request ("GET", page, scene->bob_token, NULL, 0, TRUE);
  GThread *threads[12];
  Poster posters[G_N_ELEMENTS (threads)];
  guint delivered = 0;
  int listener
      = foyer_test_net_ws_open (NULL, scene->host, scene->port, scene->bob_token, FALSE, &error);
  int fd;

  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    {
      posters[k] = (Poster){ k, 10 };
      threads[k] = g_thread_new ("poster", poster_thread, &posters[k]);
    }
  for (guint k = 0; k < G_N_ELEMENTS (threads); k++)
    g_thread_join (threads[k]);

  /* Every post is stored once and pushed once. */
  fd = foyer_test_net_dial (NULL, scene->host, scene->port, &error);
  g_assert_no_error (error);
  foyer_test_net_send_string (fd, request);
  g_assert_cmpint (foyer_test_net_read_response (fd, body, 10000), ==, 200);
  for (const char *p = body->str; (p = strstr (p, "\"clientMessageId\":\"group-")) != NULL; p++)
    delivered++;
  g_assert_cmpuint (delivered, ==, 12 * 10);
  close (fd);
  delivered = 0;
  while (delivered < 12 * 10)
    {
      guint8 head[4];
      guint8 payload[65536];
      gsize length;

      g_assert_cmpint (recv (listener, head, 2, MSG_WAITALL), ==, 2);
      length = head[1] & 0x7f;
      if (length == 126)
        {
          g_assert_cmpint (recv (listener, head + 2, 2, MSG_WAITALL), ==, 2);
          length = (head[2] << 8) | head[3];
        }
      g_assert_cmpuint (length, <, sizeof payload);
      g_assert_cmpint (recv (listener, payload, length, MSG_WAITALL), ==, (gssize) length);
      if ((head[0] & 0x0f) == 1 && g_strstr_len ((char *) payload, length, "\"group-") != NULL)
        delivered++;
    }
  close (listener);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Many connections from one address: the cap is not what is tested. */
  g_setenv ("FOYER_SERVICE_MAX_PER_ADDRESS", "0", TRUE);
  scene = foyer_test_scene_new (NULL);
  g_test_add_func ("/http/no-leak", test_no_leak);
  g_test_add_func ("/http/health", test_health);
  g_test_add_func ("/http/group-commit", test_group_commit);
  status = g_test_run ();
  foyer_test_scene_free (scene);
  return status;
}
