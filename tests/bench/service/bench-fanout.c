/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service's hot path against its goals (issue #19), beside the
 * reference server (bench-reference-server: bare libsoup + SQLite doing
 * the same job) measured in the same run, on the same machine:
 *
 * - posts/s accepted with no listeners: P connections post as fast as
 *   they are answered for S seconds (goal: >= 2,500);
 * - p99 post -> delivery at L WebSocket listeners (permessage-deflate
 *   offered, as the app does): M posts one after another, each waiting
 *   for its 201; a listener's k-th frame is the k-th post (goal: <= 50 ms
 *   at 1,000 listeners).
 *
 * Each figure: min/median/max over the runs, and the service's median as
 * a ratio of the reference's. Usage:
 *   bench-fanout [--runs 3] [--posters 16] [--seconds 5] [--listeners 1000] [--posts 100]
 */
#define G_LOG_DOMAIN "bench-fanout"

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-service.h"
#include "foyer-test-net.h"
#include "foyer-test-scene.h"

#define GOAL_POSTS_PER_S 2500
#define GOAL_P99_MS      50.0

static int runs = 3, posters = 16, seconds = 5, listeners = 1000, posts = 100;

typedef struct
{
  const char *name;
  const char *host;
  guint16 port;
  int pid;
  const char *token; /* posts */
  const char *listen_token;
  const char *path;
  FoyerTestScene *scene;
} Target;

typedef struct
{
  Target *target;
  guint index;
  guint run;
  gint64 deadline;
  guint accepted;
  guint failed;
  GArray *ms;
} Poster;

static char *
post_json (Target *target, const char *id)
{
  return foyer_test_scene_post_json (target->scene, id);
}

static gpointer
poster_thread (gpointer data)
{
  Poster *poster = data;
  g_autoptr (GError) error = NULL;
  int fd = foyer_test_net_dial (NULL, poster->target->host, poster->target->port, &error);

  g_assert_no_error (error);
  for (guint n = 0; g_get_monotonic_time () < poster->deadline; n++)
    {
      g_autofree char *id
          = g_strdup_printf ("p-%s-%u-%u-%u", poster->target->name, poster->run, poster->index, n);
      g_autofree char *body = post_json (poster->target, id);
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (bench_post (fd, poster->target->path, poster->target->token, body) / 100 != 2)
        {
          poster->failed++;
          close (fd);
          fd = foyer_test_net_dial (NULL, poster->target->host, poster->target->port, &error);
          g_assert_no_error (error);
          continue;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (poster->ms, ms);
      poster->accepted++;
    }
  close (fd);
  return NULL;
}

/* Posts/s with no listeners; also the 201's p99 and the CPU each side took. */
static double
measure_posts (Target *target, guint run, double *out_p99, double *out_cpu)
{
  g_autofree GThread **threads = g_new0 (GThread *, posters);
  g_autofree Poster *state = g_new0 (Poster, posters);
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 start = g_get_monotonic_time ();
  double cpu = foyer_test_net_cpu_seconds (target->pid);
  guint accepted = 0, failed = 0;
  double wall;

  for (int i = 0; i < posters; i++)
    {
      state[i] = (Poster){ target,
                           i,
                           run,
                           start + seconds * G_USEC_PER_SEC,
                           0,
                           0,
                           g_array_new (FALSE, FALSE, sizeof (double)) };
      threads[i] = g_thread_new ("poster", poster_thread, &state[i]);
    }
  for (int i = 0; i < posters; i++)
    {
      g_thread_join (threads[i]);
      accepted += state[i].accepted;
      failed += state[i].failed;
      g_array_append_vals (ms, state[i].ms->data, state[i].ms->len);
      g_array_unref (state[i].ms);
    }
  wall = (g_get_monotonic_time () - start) / 1e6;
  if (failed > 0)
    g_print ("# %s: %u posts failed\n", target->name, failed);
  *out_p99 = bench_percentile (ms, 0.99);
  *out_cpu = (foyer_test_net_cpu_seconds (target->pid) - cpu) / wall;
  return accepted / wall;
}

typedef struct
{
  gint64 *sent_at; /* µs, per post */
  GArray *ms;
  guint expected;
} Fanout;

static void
frame_cb (BenchListener *listener,
          const guint8 *payload,
          gsize length,
          gboolean compressed,
          gpointer user_data)
{
  Fanout *fanout = user_data;
  gint64 sent = listener->frames <= fanout->expected ? fanout->sent_at[listener->frames - 1] : 0;
  double ms;

  if (sent == 0)
    return;
  ms = (g_get_monotonic_time () - sent) / 1000.0;
  g_array_append_val (fanout->ms, ms);
}

typedef struct
{
  int epoll;
  Fanout *fanout;
  gboolean stop;
} Reader;

static gpointer
reader_thread (gpointer data)
{
  Reader *reader = data;
  struct epoll_event events[256];

  while (!g_atomic_int_get (&reader->stop))
    {
      int n = epoll_wait (reader->epoll, events, G_N_ELEMENTS (events), 50);

      for (int i = 0; i < n; i++)
        bench_listener_read (events[i].data.ptr, frame_cb, reader->fanout);
    }
  return NULL;
}

/* p99 post -> delivery at `listeners` listeners; also how long the
 * poster waited for each 201 meanwhile. */
static double
measure_fanout (Target *target, guint run, double *out_p50, double *out_ack, guint *out_delivered)
{
  g_autoptr (GArray) acks = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_listener_free);
  Fanout fanout = { g_new0 (gint64, posts), g_array_new (FALSE, FALSE, sizeof (double)), posts };
  Reader reader = { epoll_create1 (EPOLL_CLOEXEC), &fanout, FALSE };
  GThread *thread;
  gint64 deadline;
  double p99;
  int fd;

  for (int i = 0; i < listeners; i++)
    {
      int ws = foyer_test_net_ws_open (NULL, target->host, target->port, target->listen_token, TRUE,
                                       &error);
      BenchListener *listener;
      struct epoll_event event = { .events = EPOLLIN };

      g_assert_no_error (error);
      listener = bench_listener_new (ws);
      event.data.ptr = listener;
      epoll_ctl (reader.epoll, EPOLL_CTL_ADD, ws, &event);
      g_ptr_array_add (all, listener);
    }
  thread = g_thread_new ("listeners", reader_thread, &reader);
  fd = foyer_test_net_dial (NULL, target->host, target->port, &error);
  g_assert_no_error (error);
  for (int k = 0; k < posts; k++)
    {
      g_autofree char *id = g_strdup_printf ("f-%s-%u-%d", target->name, run, k);
      g_autofree char *body = post_json (target, id);

      double ack;

      fanout.sent_at[k] = g_get_monotonic_time ();
      g_assert_cmpint (bench_post (fd, target->path, target->token, body) / 100, ==, 2);
      ack = (g_get_monotonic_time () - fanout.sent_at[k]) / 1000.0;
      g_array_append_val (acks, ack);
    }
  close (fd);
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&fanout.ms->len) < posts * listeners
         && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_atomic_int_set (&reader.stop, TRUE);
  g_thread_join (thread);
  close (reader.epoll);
  *out_delivered = fanout.ms->len;
  *out_ack = bench_percentile (acks, 0.5);
  *out_p50 = bench_percentile (fanout.ms, 0.5);
  p99 = bench_percentile (fanout.ms, 0.99);
  g_array_unref (fanout.ms);
  g_free (fanout.sent_at);
  return p99;
}

static GSubprocess *
start_reference (const char *dir, guint16 *port)
{
  g_autofree char *exe = g_build_filename (FOYER_BUILDDIR, "tests", "bench", "service",
                                           "bench-reference-server", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, dir, NULL);

  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "port "));
  *port = (guint16) atoi (line + 5);
  return process;
}

static void
print_figure (const char *what, GArray *service, GArray *reference, const char *unit)
{
  double s[3], r[3];

  bench_min_median_max (service, s);
  bench_min_median_max (reference, r);
  g_print ("%-34s service %9.1f %-7s (min %.1f, max %.1f)   reference %9.1f (min %.1f, max %.1f)   "
           "ratio %.2f\n",
           what, s[1], unit, s[0], s[2], r[1], r[0], r[2], r[1] > 0 ? s[1] / r[1] : 0);
}

static void
add (GArray *array, double value)
{
  g_array_append_val (array, value);
}

static void
parse_args (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs (3)", "N" },
    { "posters", 0, 0, G_OPTION_ARG_INT, &posters, "Connections posting at once (16)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Seconds of posting per run (5)", "S" },
    { "listeners", 0, 0, G_OPTION_ARG_INT, &listeners, "WebSocket listeners (1000)", "N" },
    { "posts", 0, 0, G_OPTION_ARG_INT, &posts, "Posts to the listeners per run (100)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— foyer-service's hot path");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
}

int
main (int argc, char **argv)
{
  g_autoptr (FoyerTestScene) scene = NULL;
  g_autoptr (GSubprocess) reference_process = NULL;
  g_autofree char *reference_dir = g_dir_make_tmp ("bench-reference-XXXXXX", NULL);
  const char *names[2] = { "service", "reference" };
  GArray *rate[2], *rate_p99[2], *cpu[2], *p99[2], *p50[2], *ack[2];
  Target targets[2];
  struct rlimit limit;
  double median_rate[3], median_p99[3];

  parse_args (argc, argv);
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  /* Every client is on 127.0.0.1 here. */
  g_setenv ("FOYER_SERVICE_MAX_PER_ADDRESS", "0", TRUE);
  scene = foyer_test_scene_new (NULL);
  targets[0] = (Target){ "service",          scene->host,      scene->port,          scene->pid,
                         scene->alice_token, scene->bob_token, scene->messages_path, scene };
  targets[1] = targets[0];
  targets[1].name = "reference";
  reference_process = start_reference (reference_dir, &targets[1].port);
  targets[1].pid = atoi (g_subprocess_get_identifier (reference_process));

  for (guint t = 0; t < 2; t++)
    {
      rate[t] = g_array_new (FALSE, FALSE, sizeof (double));
      rate_p99[t] = g_array_new (FALSE, FALSE, sizeof (double));
      cpu[t] = g_array_new (FALSE, FALSE, sizeof (double));
      p99[t] = g_array_new (FALSE, FALSE, sizeof (double));
      p50[t] = g_array_new (FALSE, FALSE, sizeof (double));
      ack[t] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  g_print ("# %d runs; %d posters for %d s; %d listeners, %d posts one after another; "
           "%u cores\n",
           runs, posters, seconds, listeners, posts, g_get_num_processors ());
  for (int run = 0; run < runs; run++)
    for (guint t = 0; t < 2; t++)
      {
        double post_p99, post_cpu, fan_p50, fan_p99, fan_ack, posts_per_s;
        guint delivered;

        posts_per_s = measure_posts (&targets[t], run, &post_p99, &post_cpu);
        fan_p99 = measure_fanout (&targets[t], run, &fan_p50, &fan_ack, &delivered);
        g_print ("# run %d %-9s %7.0f posts/s (201 p99 %.1f ms, server CPU %.0f%% of a core); "
                 "%d listeners: 201 p50 %.1f ms, delivery p50 %.1f ms p99 %.1f ms, %u/%d "
                 "delivered\n",
                 run + 1, names[t], posts_per_s, post_p99, post_cpu * 100, listeners, fan_ack,
                 fan_p50, fan_p99, delivered, posts * listeners);
        add (ack[t], fan_ack);
        add (rate[t], posts_per_s);
        add (rate_p99[t], post_p99);
        add (cpu[t], post_cpu * 100);
        add (p99[t], fan_p99);
        add (p50[t], fan_p50);
      }

  g_print ("\n");
  print_figure ("posts/s, no listeners", rate[0], rate[1], "/s");
  print_figure ("201 p99 while posting", rate_p99[0], rate_p99[1], "ms");
  print_figure ("server CPU while posting", cpu[0], cpu[1], "%");
  print_figure ("201 p50 with the listeners", ack[0], ack[1], "ms");
  print_figure ("p50 post->delivery", p50[0], p50[1], "ms");
  print_figure ("p99 post->delivery", p99[0], p99[1], "ms");

  bench_min_median_max (rate[0], median_rate);
  bench_min_median_max (p99[0], median_p99);
  g_print ("\nGoal >= %d posts/s with no listeners: %s (median %.0f/s", GOAL_POSTS_PER_S,
           median_rate[1] >= GOAL_POSTS_PER_S ? "met" : "MISSED", median_rate[1]);
  if (median_rate[1] < GOAL_POSTS_PER_S)
    {
      double share = bench_percentile (cpu[0], 0.5) / 100;

      /* The posting threads run on the same cores: what the service did
       * with the CPU it got says what a core of its own would do. */
      g_print (", %.0f%% short; the service had %.0f%% of a core, the %d posting threads took the "
               "rest of the %u; %.0f posts/s per core of the service's own",
               100 - 100 * median_rate[1] / GOAL_POSTS_PER_S, share * 100, posters,
               g_get_num_processors (), share > 0 ? median_rate[1] / share : 0);
    }
  g_print (")\n");
  g_print ("Goal p99 <= %.0f ms at %d listeners: %s (median p99 %.1f ms", GOAL_P99_MS, listeners,
           median_p99[1] <= GOAL_P99_MS ? "met" : "MISSED", median_p99[1]);
  if (median_p99[1] > GOAL_P99_MS)
    g_print (", %.1f ms over; the listeners' reader shares the %u cores with the service",
             median_p99[1] - GOAL_P99_MS, g_get_num_processors ());
  g_print (")\n");

  g_subprocess_send_signal (reference_process, SIGTERM);
  g_subprocess_wait (reference_process, NULL, NULL);
  for (guint t = 0; t < 2; t++)
    {
      g_array_unref (rate[t]);
      g_array_unref (rate_p99[t]);
      g_array_unref (cpu[t]);
      g_array_unref (p99[t]);
      g_array_unref (p50[t]);
      g_array_unref (ack[t]);
    }
  return 0;
}
