/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service's hot path against its goals (issues #19 and #17), in one
 * run on one machine, side by side:
 *
 *   reference       bench-reference-server: bare libsoup + SQLite doing the
 *                   same job, no checks, one process;
 *   SQLite 1 node   foyer-service on its embedded default;
 *   PG 1 node       foyer-service on a real PostgreSQL (Debian's, fsync on);
 *   PG 3 nodes      three foyer-service nodes on that PostgreSQL, posters
 *                   and listeners spread over them (events cross through
 *                   LISTEN/NOTIFY).
 *
 * Figures, each min/median/max over the runs and as a ratio of the
 * reference's median:
 *
 * - posts/s accepted with no listeners: P connections post as fast as
 *   they are answered for S seconds (goal: >= 2,500 on one node);
 * - at 100 and at 1,000 WebSocket listeners in one space
 *   (permessage-deflate offered, as the app does): M posts one after
 *   another, each waiting for its 201; p50 and p99 post -> delivery, and
 *   deliveries/s (goal: p99 <= 50 ms at 1,000 listeners);
 * - 1,000 spaces x 10 members (10 of 100 people each, every person
 *   listening on a WebSocket): P connections post for S seconds, each post
 *   into a space drawn at random by one of its members; posts/s accepted,
 *   p50/p99 post -> delivery to the 10 members;
 * - then, once per engine (not per run): opening a space (its newest 50
 *   messages) and catching up (the events after a cursor 100 events back)
 *   in the database as the runs left it, and again after it was filled to
 *   --messages messages (default 1,000,000, in 100 more spaces every
 *   listener belongs to): the two must not differ with the size.
 *
 * Usage: bench-fanout [--runs 3] [--posters 16] [--seconds 5] [--posts 100]
 *                     [--messages 1000000] [--only reference,sqlite,pg,pg3]
 *                     [--pg-no-fsync]
 */
#define G_LOG_DOMAIN "bench-fanout"

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-service.h"
#include "foyer-test-net.h"
#include "foyer-test-pg.h"
#include "foyer-test-scene.h"

#define GOAL_POSTS_PER_S 2500
#define GOAL_P99_MS      50.0
#define MAX_NODES        3
#define N_PEOPLE         100
#define N_SPACES         1000
#define N_MEMBERS        10
#define FILL_SPACES      100

static int runs = 3, posters = 16, seconds = 5, posts = 100, fill_messages = 1000000;
static char *only;
static gboolean pg_no_fsync;
static gboolean pg_no_fsync;

typedef struct
{
  const char *name;
  const char *key; /* in clientMessageIds */
  gboolean reference;
  guint n;
  char *host;
  guint16 ports[MAX_NODES];
  int pids[MAX_NODES];
  const char *token; /* posts */
  const char *listen_token;
  const char *path;
  FoyerTestScene *scene;
  FoyerTestService *nodes[MAX_NODES]; /* beyond the scene's */
  /* 1,000 spaces x 10 members */
  char *space_paths[N_SPACES];
  char *space_tokens[N_SPACES];  /* a member's, to post with */
  char *person_tokens[N_PEOPLE]; /* to listen with */
} Target;

static guint16
port_for (Target *t, guint i)
{
  return t->ports[i % t->n];
}

static double
cpu_of (Target *t)
{
  double sum = 0;

  for (guint i = 0; i < t->n; i++)
    sum += foyer_test_net_cpu_seconds (t->pids[i]);
  return sum;
}

/* ---- posts/s with no listeners ---- */

typedef struct
{
  Target *target;
  guint index;
  guint run;
  gint64 deadline;
  guint accepted;
  guint failed;
  GArray *ms;
  GHashTable *sent; /* the spaces figure: clientMessageId -> µs */
  GMutex *lock;
} Poster;

static gpointer
poster_thread (gpointer data)
{
  Poster *poster = data;
  Target *t = poster->target;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (poster->index * 7919 + poster->run);
  int fd = foyer_test_net_dial (NULL, t->host, port_for (t, poster->index), &error);

  g_assert_no_error (error);
  for (guint n = 0; g_get_monotonic_time () < poster->deadline; n++)
    {
      g_autofree char *id = g_strdup_printf ("%c-%s-%u-%u-%u", poster->sent != NULL ? 's' : 'p',
                                             t->key, poster->run, poster->index, n);
      g_autofree char *body = foyer_test_scene_post_json (t->scene, id);
      guint space = poster->sent != NULL ? g_rand_int_range (rand, 0, N_SPACES) : 0;
      const char *path = poster->sent != NULL ? t->space_paths[space] : t->path;
      const char *token = poster->sent != NULL ? t->space_tokens[space] : t->token;
      gint64 start = g_get_monotonic_time ();
      double ms;
      int status;

      if (poster->sent != NULL)
        {
          g_mutex_lock (poster->lock);
          g_hash_table_insert (poster->sent, g_strdup (id), g_memdup2 (&start, sizeof start));
          g_mutex_unlock (poster->lock);
        }
      status = bench_post (fd, path, token, body);
      if (status / 100 != 2)
        {
          if (poster->failed++ == 0)
            g_print ("# %s: a post answered %d\n", t->name, status);
          close (fd);
          fd = foyer_test_net_dial (NULL, t->host, port_for (t, poster->index), &error);
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

/* Posts/s for `seconds` from `posters` connections; the 201's p99 and the
 * CPU the nodes took. With sent, posts go to the 1,000 spaces. */
static double
run_posters (Target *target,
             guint run,
             GHashTable *sent,
             GMutex *lock,
             double *out_p99,
             double *out_cpu,
             guint *out_accepted)
{
  g_autofree GThread **threads = g_new0 (GThread *, posters);
  g_autofree Poster *state = g_new0 (Poster, posters);
  g_autoptr (GArray) ms = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_of (target);
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
                           g_array_new (FALSE, FALSE, sizeof (double)),
                           sent,
                           lock };
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
  if (out_accepted != NULL)
    *out_accepted = accepted;
  if (out_cpu != NULL)
    *out_cpu = (cpu_of (target) - cpu) / wall;
  return accepted / wall;
}

/* ---- listeners ---- */

typedef struct
{
  gint64 *sent_at;  /* µs, per post (one space) */
  GHashTable *sent; /* or clientMessageId -> µs (many spaces) */
  GMutex *lock;
  GArray *ms;
  guint expected;
  gint64 last; /* µs of the newest delivery */
  gint delivered;
} Fanout;

static void
frame_cb (BenchListener *listener,
          const guint8 *payload,
          gsize length,
          gboolean compressed,
          gpointer user_data)
{
  Fanout *fanout = user_data;
  gint64 now = g_get_monotonic_time (), sent = 0;
  double ms;

  if (fanout->sent != NULL)
    {
      static const char key[] = "\"clientMessageId\":\"";
      g_autofree char *text = g_strndup ((const char *) payload, length);
      const char *at = compressed ? NULL : strstr (text, key);
      const char *end = at != NULL ? strchr (at + strlen (key), '"') : NULL;
      g_autofree char *id
          = end != NULL ? g_strndup (at + strlen (key), end - at - strlen (key)) : NULL;
      gint64 *when;

      g_mutex_lock (fanout->lock);
      when = id != NULL ? g_hash_table_lookup (fanout->sent, id) : NULL;
      sent = when != NULL ? *when : 0;
      g_mutex_unlock (fanout->lock);
    }
  else if (listener->frames <= fanout->expected)
    sent = fanout->sent_at[listener->frames - 1];
  if (sent == 0)
    return;
  ms = (now - sent) / 1000.0;
  g_array_append_val (fanout->ms, ms);
  fanout->last = now;
  g_atomic_int_inc (&fanout->delivered);
}

typedef struct
{
  int epoll;
  Fanout *fanout;
  gint stop;
  GPtrArray *listeners;
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

static void
reader_start (Reader *reader, Target *target, guint count, gboolean per_person, Fanout *fanout)
{
  g_autoptr (GError) error = NULL;

  reader->epoll = epoll_create1 (EPOLL_CLOEXEC);
  reader->fanout = fanout;
  reader->stop = FALSE;
  reader->listeners = g_ptr_array_new_with_free_func ((GDestroyNotify) bench_listener_free);
  for (guint i = 0; i < count; i++)
    {
      const char *token = per_person ? target->person_tokens[i] : target->listen_token;
      int ws = foyer_test_net_ws_open (NULL, target->host, port_for (target, i), token, !per_person,
                                       &error);
      BenchListener *listener;
      struct epoll_event event = { .events = EPOLLIN };

      g_assert_no_error (error);
      listener = bench_listener_new (ws);
      event.data.ptr = listener;
      epoll_ctl (reader->epoll, EPOLL_CTL_ADD, ws, &event);
      g_ptr_array_add (reader->listeners, listener);
    }
}

static GThread *
reader_run (Reader *reader)
{
  return g_thread_new ("listeners", reader_thread, reader);
}

static void
reader_stop (Reader *reader, GThread *thread, guint expected)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while ((guint) g_atomic_int_get (&reader->fanout->delivered) < expected
         && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_atomic_int_set (&reader->stop, TRUE);
  g_thread_join (thread);
  close (reader->epoll);
  g_ptr_array_unref (reader->listeners);
}

/* p99 post -> delivery at `count` listeners in one space (spread over
 * the nodes); also its p50 and deliveries/s. Posts go one after another,
 * to the nodes in turn. */
static double
measure_fanout (
    Target *target, guint run, guint count, double *out_p50, double *out_rate, guint *out_delivered)
{
  g_autoptr (GError) error = NULL;
  Fanout fanout = {
    g_new0 (gint64, posts), NULL, NULL, g_array_new (FALSE, FALSE, sizeof (double)), posts, 0, 0
  };
  Reader reader;
  GThread *thread;
  int fds[MAX_NODES];
  double p99;

  reader_start (&reader, target, count, FALSE, &fanout);
  thread = reader_run (&reader);
  for (guint i = 0; i < target->n; i++)
    {
      fds[i] = foyer_test_net_dial (NULL, target->host, target->ports[i], &error);
      g_assert_no_error (error);
    }
  for (int k = 0; k < posts; k++)
    {
      g_autofree char *id = g_strdup_printf ("f%u-%s-%u-%d", count, target->key, run, k);
      g_autofree char *body = foyer_test_scene_post_json (target->scene, id);

      fanout.sent_at[k] = g_get_monotonic_time ();
      g_assert_cmpint (bench_post (fds[k % target->n], target->path, target->token, body) / 100, ==,
                       2);
    }
  for (guint i = 0; i < target->n; i++)
    close (fds[i]);
  reader_stop (&reader, thread, posts * count);
  *out_delivered = fanout.ms->len;
  *out_rate = fanout.last > fanout.sent_at[0]
                  ? fanout.ms->len / ((fanout.last - fanout.sent_at[0]) / 1e6)
                  : 0;
  *out_p50 = bench_percentile (fanout.ms, 0.5);
  p99 = bench_percentile (fanout.ms, 0.99);
  g_array_unref (fanout.ms);
  g_free (fanout.sent_at);
  return p99;
}

/* 1,000 spaces x 10 members: posts/s accepted, p50/p99 post -> delivery
 * to the members, deliveries/s. */
static double
measure_spaces (Target *target,
                guint run,
                double *out_rate,
                double *out_p50,
                double *out_p99,
                guint *out_delivered)
{
  g_autoptr (GHashTable) sent = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GMutex lock;
  Fanout fanout = { NULL, sent, &lock, g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, 0 };
  Reader reader;
  GThread *thread;
  gint64 start;
  double posts_per_s, ack_p99;
  guint accepted = 0;

  g_mutex_init (&lock);
  reader_start (&reader, target, N_PEOPLE, TRUE, &fanout);
  thread = reader_run (&reader);
  start = g_get_monotonic_time ();
  posts_per_s = run_posters (target, run, sent, &lock, &ack_p99, NULL, &accepted);
  reader_stop (&reader, thread, accepted * N_MEMBERS);
  *out_delivered = fanout.ms->len;
  *out_rate = fanout.last > start ? fanout.ms->len / ((fanout.last - start) / 1e6) : 0;
  *out_p50 = bench_percentile (fanout.ms, 0.5);
  *out_p99 = bench_percentile (fanout.ms, 0.99);
  g_array_unref (fanout.ms);
  g_mutex_clear (&lock);
  return posts_per_s;
}

/* ---- setting up ---- */

static JsonObject *
call (Target *t, int fd, const char *method, const char *path, const char *token, const char *body)
{
  g_autofree char *request
      = foyer_test_net_request (method, path, token, body, body != NULL ? strlen (body) : 0, TRUE);
  g_autoptr (GString) reply = g_string_new (NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  int status;

  g_assert_true (foyer_test_net_send_string (fd, request));
  status = foyer_test_net_read_response (fd, reply, 30000);
  if (status / 100 != 2)
    g_error ("%s: %s %s: %d %s", t->name, method, path, status, reply->str);
  if (reply->len == 0)
    return NULL;
  g_assert_true (json_parser_load_from_data (parser, reply->str, reply->len, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

typedef struct
{
  Target *target;
  guint first, last;
  char **person_ids;
  guint (*members)[N_MEMBERS];
} Maker;

static gpointer
maker_thread (gpointer data)
{
  Maker *m = data;
  Target *t = m->target;
  g_autoptr (GError) error = NULL;
  int fd = foyer_test_net_dial (NULL, t->host, port_for (t, m->first), &error);

  g_assert_no_error (error);
  for (guint s = m->first; s < m->last; s++)
    {
      const char *token = t->person_tokens[m->members[s][0]];
      g_autoptr (JsonObject) resource
          = call (t, fd, "POST", "/kms/v1/resources", token, "{\"authorizations\":[]}");
      g_autofree char *body
          = g_strdup_printf ("{\"title\":\"%s\",\"kmsResourceUri\":\"%s\"}", t->scene->body,
                             json_object_get_string_member (resource, "uri"));
      g_autoptr (JsonObject) space = call (t, fd, "POST", "/v1/spaces", token, body);
      const char *id = json_object_get_string_member (space, "id");
      g_autofree char *members_path = g_strdup_printf ("/v1/spaces/%s/members", id);

      for (guint k = 1; k < N_MEMBERS; k++)
        {
          g_autofree char *add
              = g_strdup_printf ("{\"personId\":\"%s\"}", m->person_ids[m->members[s][k]]);
          g_autoptr (JsonObject) added = call (t, fd, "POST", members_path, token, add);
        }
      t->space_paths[s] = g_strdup_printf ("/v1/spaces/%s/messages", id);
      t->space_tokens[s] = g_strdup (token);
    }
  close (fd);
  return NULL;
}

/* The same membership for every set-up: space s has 10 of the 100 people. */
static void
draw_members (guint members[N_SPACES][N_MEMBERS])
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);

  for (guint s = 0; s < N_SPACES; s++)
    for (guint k = 0; k < N_MEMBERS; k++)
      {
        gboolean again;

        do
          {
            members[s][k] = g_rand_int_range (rand, 0, N_PEOPLE);
            again = FALSE;
            for (guint j = 0; j < k; j++)
              again |= members[s][j] == members[s][k];
          }
        while (again);
      }
}

static void
setup_spaces (Target *t, guint members[N_SPACES][N_MEMBERS])
{
  g_autoptr (GError) error = NULL;
  char *person_ids[N_PEOPLE];
  gint64 start = g_get_monotonic_time ();
  GThread *threads[8];
  Maker makers[8];
  int fd;

  if (t->reference)
    {
      /* The reference is told each listener's spaces. */
      for (guint s = 0; s < N_SPACES; s++)
        {
          t->space_paths[s] = g_strdup_printf ("/v1/spaces/ref-%u/messages", s);
          t->space_tokens[s] = g_strdup (t->token);
        }
      for (guint p = 0; p < N_PEOPLE; p++)
        {
          GString *token = g_string_new ("spaces=");

          for (guint s = 0; s < N_SPACES; s++)
            for (guint k = 0; k < N_MEMBERS; k++)
              if (members[s][k] == p)
                g_string_append_printf (token, "%sref-%u", token->len > 7 ? "," : "", s);
          t->person_tokens[p] = g_string_free (token, FALSE);
        }
      return;
    }
  fd = foyer_test_net_dial (NULL, t->host, t->ports[0], &error);
  g_assert_no_error (error);
  for (guint p = 0; p < N_PEOPLE; p++)
    {
      g_autofree char *email = g_strdup_printf ("person%02u@contoso.example", p);
      g_autofree char *name = g_strdup_printf ("Person %u", p);
      g_autofree char *body = NULL;
      g_autoptr (JsonObject) session = NULL;

      g_assert_true (foyer_test_service_add_user (t->scene->service, email, name,
                                                  "person-password-1", FALSE, &error));
      g_assert_no_error (error);
      body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"person-password-1\"}", email);
      session = call (t, fd, "POST", "/v1/sessions", NULL, body);
      t->person_tokens[p] = g_strdup (json_object_get_string_member (session, "accessToken"));
      person_ids[p] = g_strdup (
          json_object_get_string_member (json_object_get_object_member (session, "person"), "id"));
    }
  close (fd);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      makers[i] = (Maker){ t, i * N_SPACES / G_N_ELEMENTS (threads),
                           (i + 1) * N_SPACES / G_N_ELEMENTS (threads), person_ids, members };
      threads[i] = g_thread_new ("maker", maker_thread, &makers[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  for (guint p = 0; p < N_PEOPLE; p++)
    g_free (person_ids[p]);
  g_print ("# %s: %u people, %u spaces of %u members made in %.1f s\n", t->name, N_PEOPLE, N_SPACES,
           N_MEMBERS, (g_get_monotonic_time () - start) / 1e6);
}

static void
die_with_bench (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
start_reference (const char *dir, guint16 *port)
{
  g_autofree char *exe = g_build_filename (FOYER_BUILDDIR, "tests", "bench", "service",
                                           "bench-reference-server", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_bench, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, exe, dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_str_has_prefix (line, "port "));
  *port = (guint16) atoi (line + 5);
  return process;
}

static void
target_from_scene (Target *t, const char *key, const char *name, FoyerTestScene *scene)
{
  *t = (Target){ 0 };
  t->name = name;
  t->key = key;
  t->n = 1;
  t->scene = scene;
  t->host = scene->host;
  t->ports[0] = scene->port;
  t->pids[0] = scene->pid;
  t->token = scene->alice_token;
  t->listen_token = scene->bob_token;
  t->path = scene->messages_path;
}

static FoyerTestScene *
new_scene (gboolean postgresql)
{
  FoyerTestScene *scene;

  if (postgresql)
    g_setenv ("FOYER_TEST_DATABASE", "postgresql", TRUE);
  scene = foyer_test_scene_new (NULL);
  g_unsetenv ("FOYER_TEST_DATABASE");
  return scene;
}

/* Two more nodes on the scene's database and keys. */
static void
add_nodes (Target *t)
{
  g_autoptr (GError) error = NULL;
  const char *database = foyer_test_service_get_database_url (t->scene->service);
  g_autofree char *key_dir
      = g_strconcat (foyer_test_service_get_data_dir (t->scene->service), ".keys", NULL);

  for (guint i = 1; i < MAX_NODES; i++)
    {
      g_autofree char *host = NULL;

      t->nodes[i] = foyer_test_service_new_node (database, key_dir, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (foyer_test_net_parse_url (foyer_test_service_get_base_url (t->nodes[i]), &host,
                                               &t->ports[i]));
      t->pids[i] = foyer_test_service_get_pid (t->nodes[i]);
    }
  t->n = MAX_NODES;
}

/* ---- a database of a million messages ---- */

/* The rows 1..n, on either engine. */
static char *
numbers (gboolean sqlite, int n)
{
  if (sqlite)
    return g_strdup_printf ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                            "WHERE i < %d) ",
                            n);
  return g_strdup_printf ("WITH n(i) AS (SELECT generate_series (1, %d)) ", n);
}

static char *
fill_sql (const char *space_id, const char *engine)
{
  /* One statement per table, the same text on both engines; the rows
   * copy a real message and its event, in FILL_SPACES more spaces that
   * have the scene's members. */
  gboolean sqlite = strcmp (engine, "sqlite") == 0;
  g_autofree char *spaces = numbers (sqlite, FILL_SPACES);
  g_autofree char *rows = numbers (sqlite, fill_messages);

  return g_strdup_printf (
      "%s INSERT INTO spaces (id, title, kms_resource_uri, creator_id, created, last_seq)"
      " SELECT 'fill-space-' || n.i, t.title, 'kms://fill/resources/' || n.i, t.creator_id,"
      " t.created, %d FROM n, (SELECT * FROM spaces WHERE id = '%s') t;"
      "%s INSERT INTO members (space_id, person_id, added_by, created)"
      " SELECT 'fill-space-' || n.i, m.person_id, m.added_by, m.created FROM n, members m"
      " WHERE m.space_id = '%s';"
      "%s INSERT INTO messages (id, space_id, seq, author_id, client_message_id, key_uri, body,"
      " attachments, created) SELECT 'fill-' || n.i, 'fill-space-' || (n.i %% %d + 1),"
      " (n.i - 1) / %d + 1, t.author_id, 'fill-' || n.i, t.key_uri, t.body, t.attachments,"
      " t.created FROM n, (SELECT * FROM messages WHERE space_id = '%s' LIMIT 1) t;"
      "%s INSERT INTO events (cursor, type, space_id, subject_id, payload, created)"
      " SELECT c.m + n.i, t.type, 'fill-space-' || (n.i %% %d + 1), t.subject_id, t.payload,"
      " t.created FROM n, (SELECT MAX (cursor) AS m FROM events) c,"
      " (SELECT * FROM events WHERE type = 'message.created' LIMIT 1) t;",
      spaces, fill_messages / FILL_SPACES, space_id, spaces, space_id, rows, FILL_SPACES,
      FILL_SPACES, space_id, rows, FILL_SPACES);
}

static void
fill (Target *t)
{
  FoyerTestService *service = t->scene->service;
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_true (foyer_test_service_stop (service));
  if (foyer_test_service_is_postgresql (service))
    {
      g_autofree char *done = NULL;
      g_autofree char *all = NULL;

      sql = fill_sql (t->scene->space_id, "postgresql");
      all = g_strconcat ("BEGIN;", sql,
                         "UPDATE event_clock SET last = (SELECT MAX (cursor) FROM events);"
                         "COMMIT; ANALYZE;",
                         NULL);
      done = foyer_test_pg_query (foyer_test_service_get_database_url (service), all, &error);
      g_assert_no_error (error);
    }
  else
    {
      g_autofree char *path
          = g_build_filename (foyer_test_service_get_data_dir (service), "conversation.db", NULL);
      g_autofree char *all = NULL;
      char *message = NULL;
      sqlite3 *db = NULL;

      sql = fill_sql (t->scene->space_id, "sqlite");
      all = g_strconcat ("BEGIN;", sql, "COMMIT; ANALYZE;", NULL);
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      if (sqlite3_exec (db, all, NULL, NULL, &message) != SQLITE_OK)
        g_error ("%s", message);
      sqlite3_close (db);
    }
  g_assert_true (foyer_test_service_restart (service, &error));
  g_assert_no_error (error);
  t->pids[0] = foyer_test_service_get_pid (service);
  g_print ("# %s: filled with %d messages in %.1f s\n", t->name, fill_messages,
           (g_get_monotonic_time () - start) / 1e6);
}

static guint64
count_messages (Target *t)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rows = foyer_test_service_query (t->scene->service, "conversation",
                                                    "SELECT COUNT (*) FROM messages", &error);

  g_assert_no_error (error);
  return g_ascii_strtoull (rows, NULL, 10);
}

static void
time_get (Target *t, int fd, const char *path, GArray *into, guint want_items)
{
  for (guint i = 0; i < 30; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr (JsonObject) reply = call (t, fd, "GET", path, t->listen_token, NULL);
      double ms = (g_get_monotonic_time () - start) / 1000.0;

      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "items")), ==,
                        want_items);
      g_array_append_val (into, ms);
    }
}

/* Opening a space and catching up 100 events, 30 times each. */
static void
measure_catchup (Target *t, const char *space_path, GArray *open_ms, GArray *catchup_ms)
{
  g_autoptr (GError) error = NULL;
  int fd = foyer_test_net_dial (NULL, t->host, t->ports[0], &error);
  g_autoptr (JsonObject) latest = NULL;
  g_autofree char *open_path = g_strdup_printf ("%s?limit=50", space_path);
  g_autofree char *after = NULL;

  g_assert_no_error (error);
  latest = call (t, fd, "GET", "/v1/events", t->listen_token, NULL);
  for (guint k = 0; k < 100; k++)
    {
      g_autofree char *id
          = g_strdup_printf ("c-%s-%u-%" G_GINT64_FORMAT, t->key, k, g_get_real_time ());
      g_autofree char *body = foyer_test_scene_post_json (t->scene, id);

      g_assert_cmpint (bench_post (fd, t->path, t->token, body) / 100, ==, 2);
    }
  after = g_strdup_printf ("/v1/events?after=%" G_GINT64_FORMAT "&limit=100",
                           json_object_get_int_member (latest, "cursor"));
  time_get (t, fd, open_path, open_ms, 50);
  time_get (t, fd, after, catchup_ms, 100);
  close (fd);
}

/* ---- printing ---- */

static void
add (GArray *array, double value)
{
  g_array_append_val (array, value);
}

typedef struct
{
  const char *label;
  const char *unit;
  GArray *values[4];
} Figure;

static void
print_row (Figure *f, Target *targets, guint n_targets)
{
  double ref[3] = { 0 };

  g_print ("%-30s", f->label);
  if (targets[0].reference)
    bench_min_median_max (f->values[0], ref);
  for (guint t = 0; t < n_targets; t++)
    {
      double v[3];
      g_autofree char *cell = NULL;

      if (f->values[t]->len == 0)
        {
          g_print (" %-30s", "-");
          continue;
        }
      bench_min_median_max (f->values[t], v);
      if (t == 0 && targets[0].reference)
        cell = g_strdup_printf ("%.1f %s [%.1f-%.1f]", v[1], f->unit, v[0], v[2]);
      else
        cell = g_strdup_printf ("%.1f [%.1f-%.1f] %.2fx", v[1], v[0], v[2],
                                ref[1] > 0 ? v[1] / ref[1] : 0);
      g_print (" %-30s", cell);
    }
  g_print ("\n");
}

static void
parse_args (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs (3)", "N" },
    { "posters", 0, 0, G_OPTION_ARG_INT, &posters, "Connections posting at once (16)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Seconds of posting per run (5)", "S" },
    { "posts", 0, 0, G_OPTION_ARG_INT, &posts, "Posts to the listeners per run (100)", "N" },
    { "messages", 0, 0, G_OPTION_ARG_INT, &fill_messages,
      "Messages in the big database (1000000; 0: skip)", "N" },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Set-ups: reference,sqlite,pg,pg3 (all)", "LIST" },
    { "pg-no-fsync", 0, 0, G_OPTION_ARG_NONE, &pg_no_fsync,
      "PostgreSQL without fsync (what the WAL flush costs; not a deployment)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— foyer-service's hot path");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
}

static gboolean
wanted (const char *key)
{
  g_auto (GStrv) keys = only != NULL ? g_strsplit (only, ",", -1) : NULL;

  return keys == NULL || g_strv_contains ((const char *const *) keys, key);
}

enum
{
  F_RATE,
  F_RATE_P99,
  F_CPU,
  F_P50_100,
  F_P99_100,
  F_DPS_100,
  F_P50_1000,
  F_P99_1000,
  F_DPS_1000,
  F_SPACES_RATE,
  F_SPACES_P50,
  F_SPACES_P99,
  F_SPACES_DPS,
  N_FIGURES
};

int
main (int argc, char **argv)
{
  static guint members[N_SPACES][N_MEMBERS];
  g_autoptr (GSubprocess) reference_process = NULL;
  g_autofree char *reference_dir = g_dir_make_tmp ("bench-reference-XXXXXX", NULL);
  FoyerTestScene *scenes[4] = { NULL };
  Target targets[4];
  guint n_targets = 0;
  struct rlimit limit;
  Figure figures[N_FIGURES] = {
    { "posts/s, no listeners", "/s" },
    { "201 p99 while posting", "ms" },
    { "nodes' CPU while posting", "%" },
    { "100 listeners: p50", "ms" },
    { "100 listeners: p99", "ms" },
    { "100 listeners: deliveries/s", "/s" },
    { "1,000 listeners: p50", "ms" },
    { "1,000 listeners: p99", "ms" },
    { "1,000 listeners: deliveries/s", "/s" },
    { "1,000 spaces x 10: posts/s", "/s" },
    { "1,000 spaces x 10: p50", "ms" },
    { "1,000 spaces x 10: p99", "ms" },
    { "1,000 spaces x 10: deliv./s", "/s" },
  };

  parse_args (argc, argv);
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  /* Every client is on 127.0.0.1 here; PostgreSQL as deployed (fsync). */
  g_setenv ("FOYER_SERVICE_MAX_PER_ADDRESS", "0", TRUE);
  g_setenv ("FOYER_SERVICE_PBKDF2_ITERATIONS", "10000", TRUE);
  foyer_test_pg_set_durable (!pg_no_fsync);
  draw_members (members);

  /* The reference posts the same sealed body as the others. */
  scenes[0] = new_scene (FALSE);
  if (wanted ("reference"))
    {
      target_from_scene (&targets[n_targets], "reference", "reference", scenes[0]);
      targets[n_targets].reference = TRUE;
      reference_process = start_reference (reference_dir, &targets[n_targets].ports[0]);
      targets[n_targets].pids[0] = atoi (g_subprocess_get_identifier (reference_process));
      n_targets++;
    }
  if (wanted ("sqlite"))
    target_from_scene (&targets[n_targets++], "sqlite", "SQLite 1 node", scenes[0]);
  if (wanted ("pg"))
    target_from_scene (&targets[n_targets++], "pg", "PostgreSQL 1 node",
                       scenes[1] = new_scene (TRUE));
  if (wanted ("pg3"))
    {
      target_from_scene (&targets[n_targets], "pg3", "PostgreSQL 3 nodes",
                         scenes[2] = new_scene (TRUE));
      add_nodes (&targets[n_targets++]);
    }
  for (guint t = 0; t < n_targets; t++)
    setup_spaces (&targets[t], members);
  for (guint f = 0; f < N_FIGURES; f++)
    for (guint t = 0; t < n_targets; t++)
      figures[f].values[t] = g_array_new (FALSE, FALSE, sizeof (double));

  g_print ("# %d runs; %d posters for %d s; %d posts one after another to 100 and 1,000 "
           "listeners; %u spaces of %u members from %u people; %u cores\n",
           runs, posters, seconds, posts, N_SPACES, N_MEMBERS, N_PEOPLE, g_get_num_processors ());
  for (int run = 0; run < runs; run++)
    for (guint t = 0; t < n_targets; t++)
      {
        Target *target = &targets[t];
        double p99, cpu, p50, rate, posts_per_s;
        guint delivered;

        posts_per_s = run_posters (target, run, NULL, NULL, &p99, &cpu, NULL);
        add (figures[F_RATE].values[t], posts_per_s);
        add (figures[F_RATE_P99].values[t], p99);
        add (figures[F_CPU].values[t], cpu * 100);
        g_print ("# run %d %-19s %6.0f posts/s (201 p99 %.1f ms, CPU %.0f%%)", run + 1,
                 target->name, posts_per_s, p99, cpu * 100);
        p99 = measure_fanout (target, run, 100, &p50, &rate, &delivered);
        add (figures[F_P50_100].values[t], p50);
        add (figures[F_P99_100].values[t], p99);
        add (figures[F_DPS_100].values[t], rate);
        g_print ("; 100: p99 %.1f ms %u/%d", p99, delivered, posts * 100);
        p99 = measure_fanout (target, run, 1000, &p50, &rate, &delivered);
        add (figures[F_P50_1000].values[t], p50);
        add (figures[F_P99_1000].values[t], p99);
        add (figures[F_DPS_1000].values[t], rate);
        g_print ("; 1,000: p99 %.1f ms %u/%d", p99, delivered, posts * 1000);
        posts_per_s = measure_spaces (target, run, &rate, &p50, &p99, &delivered);
        add (figures[F_SPACES_RATE].values[t], posts_per_s);
        add (figures[F_SPACES_P50].values[t], p50);
        add (figures[F_SPACES_P99].values[t], p99);
        add (figures[F_SPACES_DPS].values[t], rate);
        g_print ("; spaces: %.0f posts/s p99 %.1f ms, %u delivered\n", posts_per_s, p99, delivered);
      }

  g_print ("\n%-30s", "median [min-max] ratio");
  for (guint t = 0; t < n_targets; t++)
    g_print (" %-30s", targets[t].name);
  g_print ("\n");
  for (guint f = 0; f < N_FIGURES; f++)
    print_row (&figures[f], targets, n_targets);

  g_print ("\nGoals on one node and on three (median of the runs):\n");
  for (guint t = 0; t < n_targets; t++)
    {
      double rate[3], p99[3];

      if (targets[t].reference)
        continue;
      bench_min_median_max (figures[F_RATE].values[t], rate);
      bench_min_median_max (figures[F_P99_1000].values[t], p99);
      g_print ("  %-19s >= %d posts/s: %s (%.0f/s); p99 <= %.0f ms at 1,000 listeners: %s "
               "(%.1f ms)\n",
               targets[t].name, GOAL_POSTS_PER_S, rate[1] >= GOAL_POSTS_PER_S ? "met" : "MISSED",
               rate[1], GOAL_P99_MS, p99[1] <= GOAL_P99_MS ? "met" : "MISSED", p99[1]);
    }

  /* Opening a space and catching up, small database then big. */
  if (fill_messages > 0)
    {
      g_print ("\nOpening a space (its 50 newest messages) and catching up (100 events), "
               "ms, median [min-max] of 30, before and after filling the database:\n");
      for (guint t = 0; t < n_targets; t++)
        {
          Target *target = &targets[t];
          g_autoptr (GArray) open_small = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr (GArray) catch_small = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr (GArray) open_big = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr (GArray) catch_big = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr (GArray) open_fill = g_array_new (FALSE, FALSE, sizeof (double));
          g_autoptr (GArray) unused = g_array_new (FALSE, FALSE, sizeof (double));
          guint64 small, big;
          double a[3], b[3], c[3], d[3], e[3];

          /* One per engine: the three nodes share the second's engine. */
          if (target->reference || target->n > 1)
            continue;
          small = count_messages (target);
          measure_catchup (target, target->path, open_small, catch_small);
          fill (target);
          big = count_messages (target);
          measure_catchup (target, target->path, open_big, catch_big);
          measure_catchup (target, "/v1/spaces/fill-space-1/messages", open_fill, unused);
          bench_min_median_max (open_small, a);
          bench_min_median_max (open_big, b);
          bench_min_median_max (catch_small, c);
          bench_min_median_max (catch_big, d);
          bench_min_median_max (open_fill, e);
          g_print ("  %-19s open %.2f [%.2f-%.2f] at %" G_GUINT64_FORMAT
                   " messages, %.2f [%.2f-%.2f] at %" G_GUINT64_FORMAT " (%.2fx); "
                   "catch up %.2f [%.2f-%.2f], %.2f [%.2f-%.2f] (%.2fx); a space of %d: open "
                   "%.2f [%.2f-%.2f]\n",
                   target->name, a[1], a[0], a[2], small, b[1], b[0], b[2], big,
                   a[1] > 0 ? b[1] / a[1] : 0, c[1], c[0], c[2], d[1], d[0], d[2],
                   c[1] > 0 ? d[1] / c[1] : 0, fill_messages / FILL_SPACES, e[1], e[0], e[2]);
        }
    }

  if (reference_process != NULL)
    {
      g_subprocess_send_signal (reference_process, SIGTERM);
      g_subprocess_wait (reference_process, NULL, NULL);
    }
  for (guint t = 0; t < n_targets; t++)
    {
      for (guint i = 1; i < MAX_NODES; i++)
        g_clear_pointer (&targets[t].nodes[i], foyer_test_service_free);
      for (guint s = 0; s < N_SPACES; s++)
        {
          g_free (targets[t].space_paths[s]);
          g_free (targets[t].space_tokens[s]);
        }
      for (guint p = 0; p < N_PEOPLE; p++)
        g_free (targets[t].person_tokens[p]);
      for (guint f = 0; f < N_FIGURES; f++)
        g_array_unref (figures[f].values[t]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
    g_clear_pointer (&scenes[i], foyer_test_scene_free);
  return 0;
}
