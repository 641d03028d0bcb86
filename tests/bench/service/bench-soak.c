/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service left running under a steady, mixed load (issue #19): 200
 * WebSocket listeners, posts, a listener reconnecting (cleanly, dropped or
 * reset, in turn) and a load balancer's health check on a new connection,
 * each every 100 ms. Every interval it prints the service's descriptors,
 * memory and the p99 from post to delivery; at the end, whether they
 * stayed flat. Usage:
 *   bench-soak [--minutes 10 | --seconds S] [--listeners 200] [--interval 60]
 */
#define G_LOG_DOMAIN "bench-soak"

#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench-service.h"
#include "foyer-test-net.h"
#include "foyer-test-scene.h"

static int minutes = 10, total_seconds = 0, n_listeners = 200, interval = 60;

typedef struct
{
  FoyerTestScene *scene;
  GPtrArray *listeners; /* Listener */
  GHashTable *sent_at;  /* clientMessageId → gint64* */
  GArray *ms;           /* this interval's post → delivery */
  GArray *fds, *rss;    /* per interval */
  int post_fd;
  guint posted, failed, health_checks, health_failed, reconnects, way;
  gint64 start;
  GMainLoop *loop;
} Soak;

typedef struct
{
  Soak *soak;
  BenchListener *listener;
  guint watch;
} Listener;

static void
frame_cb (BenchListener *bench,
          const guint8 *payload,
          gsize length,
          gboolean compressed,
          gpointer user_data)
{
  Soak *soak = user_data;
  const char *id = g_strstr_len ((const char *) payload, length, "\"clientMessageId\":\"");
  const char *end;
  g_autofree char *key = NULL;
  gint64 *sent;
  double ms;

  if (id == NULL)
    return;
  id += strlen ("\"clientMessageId\":\"");
  end = memchr (id, '"', length - (id - (const char *) payload));
  if (end == NULL)
    return;
  key = g_strndup (id, end - id);
  sent = g_hash_table_lookup (soak->sent_at, key);
  if (sent == NULL)
    return;
  ms = (g_get_monotonic_time () - *sent) / 1000.0;
  g_array_append_val (soak->ms, ms);
}

static void listener_free (Listener *listener);

static gboolean
readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  Listener *listener = user_data;

  if (!bench_listener_read (listener->listener, frame_cb, listener->soak))
    {
      listener->watch = 0;
      g_ptr_array_remove_fast (listener->soak->listeners, listener);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
listener_free (Listener *listener)
{
  g_clear_handle_id (&listener->watch, g_source_remove);
  bench_listener_free (listener->listener);
  g_free (listener);
}

static void
add_listener (Soak *soak)
{
  g_autoptr (GError) error = NULL;
  int fd = foyer_test_net_ws_open (NULL, soak->scene->host, soak->scene->port,
                                   soak->scene->bob_token, FALSE, &error);
  Listener *listener;

  if (fd < 0)
    {
      g_printerr ("# listener not connected: %s\n", error->message);
      return;
    }
  listener = g_new0 (Listener, 1);
  listener->soak = soak;
  listener->listener = bench_listener_new (fd);
  listener->watch = g_unix_fd_add (fd, G_IO_IN, readable_cb, listener);
  g_ptr_array_add (soak->listeners, listener);
}

static gboolean
post_cb (gpointer user_data)
{
  Soak *soak = user_data;
  g_autofree char *id = g_strdup_printf ("soak-%u", soak->posted + soak->failed);
  g_autofree char *body = foyer_test_scene_post_json (soak->scene, id);
  gint64 *sent = g_new (gint64, 1);

  *sent = g_get_monotonic_time ();
  g_hash_table_insert (soak->sent_at, g_strdup (id), sent);
  if (bench_post (soak->post_fd, soak->scene->messages_path, soak->scene->alice_token, body) / 100
      == 2)
    soak->posted++;
  else
    {
      g_autoptr (GError) error = NULL;

      soak->failed++;
      close (soak->post_fd);
      soak->post_fd = foyer_test_net_dial (NULL, soak->scene->host, soak->scene->port, &error);
    }
  return G_SOURCE_CONTINUE;
}

/* One listener leaves, in turn cleanly, dropped or reset, and one comes. */
static gboolean
reconnect_cb (gpointer user_data)
{
  Soak *soak = user_data;
  Listener *listener;
  int fd;

  if (soak->listeners->len > 0)
    {
      listener = g_ptr_array_steal_index_fast (soak->listeners,
                                               g_random_int_range (0, (int) soak->listeners->len));
      fd = listener->listener->fd;
      g_clear_handle_id (&listener->watch, g_source_remove);
      switch (soak->way++ % 3)
        {
        case 0:
          {
            const guint8 normal[2] = { 0x03, 0xe8 };

            foyer_test_net_ws_send (fd, 0x88, normal, sizeof normal);
            shutdown (fd, SHUT_WR);
          }
          break;
        case 1:
          break;
        default:
          {
            struct linger linger = { 1, 0 };

            setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
          }
          break;
        }
      listener_free (listener);
    }
  add_listener (soak);
  soak->reconnects++;
  return G_SOURCE_CONTINUE;
}

/* As a load balancer does: a new connection each time. */
static gboolean
health_cb (gpointer user_data)
{
  Soak *soak = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *request = foyer_test_net_request ("GET", "/v1/health", NULL, NULL, 0, TRUE);
  int fd = foyer_test_net_dial (NULL, soak->scene->host, soak->scene->port, &error);

  soak->health_checks++;
  if (fd < 0 || !foyer_test_net_send_string (fd, request)
      || foyer_test_net_read_response (fd, NULL, 10000) != 200)
    soak->health_failed++;
  if (fd >= 0)
    close (fd);
  return G_SOURCE_CONTINUE;
}

static gboolean
report_cb (gpointer user_data)
{
  Soak *soak = user_data;
  double fds = foyer_test_net_count_fds (soak->scene->pid);
  double rss = foyer_test_net_rss_kib (soak->scene->pid) / 1024.0;
  double elapsed = (g_get_monotonic_time () - soak->start) / 1e6;

  g_array_append_val (soak->fds, fds);
  g_array_append_val (soak->rss, rss);
  g_print (
      "%7.0f s  descriptors %5.0f  RSS %6.1f MiB  p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  "
      "posts %u (%u failed)  deliveries %u  reconnects %u  health %u (%u failed)  listeners %u\n",
      elapsed, fds, rss, bench_percentile (soak->ms, 0.5), bench_percentile (soak->ms, 0.99),
      bench_percentile (soak->ms, 1), soak->posted, soak->failed, soak->ms->len, soak->reconnects,
      soak->health_checks, soak->health_failed, soak->listeners->len);
  g_array_set_size (soak->ms, 0);
  g_hash_table_remove_all (soak->sent_at);
  if (elapsed + 0.5 >= total_seconds)
    g_main_loop_quit (soak->loop);
  return G_SOURCE_CONTINUE;
}

static void
parse_args (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "minutes", 0, 0, G_OPTION_ARG_INT, &minutes, "Length (10)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &total_seconds, "Length, instead of minutes", "S" },
    { "listeners", 0, 0, G_OPTION_ARG_INT, &n_listeners, "WebSocket listeners (200)", "N" },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, "Seconds between reports (60)", "S" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— foyer-service left running");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (total_seconds <= 0)
    total_seconds = minutes * 60;
  interval = MAX (1, MIN (interval, total_seconds));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  Soak soak = { 0 };
  double fds[3], rss[3];
  double rss_first, rss_last;

  parse_args (argc, argv);
  g_setenv ("FOYER_SERVICE_MAX_PER_ADDRESS", "0", TRUE);
  soak.scene = foyer_test_scene_new (NULL);
  soak.listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) listener_free);
  soak.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soak.ms = g_array_new (FALSE, FALSE, sizeof (double));
  soak.fds = g_array_new (FALSE, FALSE, sizeof (double));
  soak.rss = g_array_new (FALSE, FALSE, sizeof (double));
  soak.loop = g_main_loop_new (NULL, FALSE);
  for (int i = 0; i < n_listeners; i++)
    add_listener (&soak);
  soak.post_fd = foyer_test_net_dial (NULL, soak.scene->host, soak.scene->port, &error);
  g_assert_no_error (error);

  g_print ("# %d s: %d listeners; every 100 ms a post, a reconnect and a health check; a "
           "report every %d s\n",
           total_seconds, n_listeners, interval);
  soak.start = g_get_monotonic_time ();
  g_timeout_add (100, post_cb, &soak);
  g_timeout_add (100, reconnect_cb, &soak);
  g_timeout_add (100, health_cb, &soak);
  g_timeout_add_seconds (interval, report_cb, &soak);
  g_main_loop_run (soak.loop);

  /* Flat: the same descriptors at each report (listeners come and go one
   * at a time), and memory that stops growing after the first interval. */
  bench_min_median_max (soak.fds, fds);
  rss_first = g_array_index (soak.rss, double, 0);
  rss_last = g_array_index (soak.rss, double, soak.rss->len - 1);
  bench_min_median_max (soak.rss, rss);
  g_print (
      "\ndescriptors min %.0f max %.0f (spread %.0f); RSS first %.1f MiB last %.1f MiB (min %.1f, "
      "max %.1f); %u health checks failed, %u posts failed: %s\n",
      fds[0], fds[2], fds[2] - fds[0], rss_first, rss_last, rss[0], rss[2], soak.health_failed,
      soak.failed,
      fds[2] - fds[0] <= 4 && rss[2] - rss_first <= 8 && soak.health_failed == 0 && soak.failed == 0
          ? "flat"
          : "NOT FLAT");
  close (soak.post_fd);
  g_ptr_array_unref (soak.listeners);
  foyer_test_scene_free (soak.scene);
  return 0;
}
