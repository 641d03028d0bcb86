/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The cost of synchronous = FULL (every acknowledged write synced to disk)
 * against NORMAL, on this machine's disk: one author posting messages one
 * after another over a kept-alive connection, to a service started each
 * way on a fresh data folder. Prints posts per second and the latency of
 * a post (p50, p99) for both, and FULL as a ratio of NORMAL, with min,
 * median and max over the runs. Usage: bench-durability [POSTS [RUNS]]
 * (default 300 posts, 3 runs of each).
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "foyer-core.h"
#include "foyer-test-service.h"

#define KEY_URI "kms://bench.example/keys/k1"

typedef struct
{
  double posts_per_second;
  double p50_ms;
  double p99_ms;
} Run;

static JsonObject *
request (SoupSession *session,
         const char *method,
         const char *url,
         const char *token,
         const char *body,
         guint expected)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  if (reply == NULL || soup_message_get_status (msg) != expected)
    g_error ("%s %s → %u %s", method, url, soup_message_get_status (msg),
             error != NULL ? error->message : "");
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   (gssize) g_bytes_get_size (reply), NULL))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
jwe (const char *text)
{
  const char *header = "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" KEY_URI "\"}";
  g_autofree char *h = foyer_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *ct = foyer_base64url_encode ((const guint8 *) text, strlen (text));

  return g_strdup_printf ("%s..AAAAAAAAAAAAAAAA.%s.AAAAAAAAAAAAAAAAAAAAAA", h, ct);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static Run
measure (const char *synchronous, guint posts)
{
  const char *args[] = { "--synchronous", synchronous, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service
      = foyer_test_service_new_full (NULL, NULL, TRUE, args, &error);
  g_autoptr (SoupSession) session = soup_session_new ();
  const char *base;
  g_autofree char *url = NULL;
  g_autofree char *sign_in = NULL;
  g_autofree char *title = jwe ("title");
  g_autofree char *space_body = NULL;
  g_autofree char *messages = NULL;
  g_autoptr (JsonObject) signed_in = NULL;
  g_autoptr (JsonObject) space = NULL;
  g_autoptr (GArray) latencies = g_array_new (FALSE, FALSE, sizeof (double));
  const char *token;
  gint64 start;
  Run run;

  g_assert_no_error (error);
  base = foyer_test_service_get_base_url (service);
  url = g_strconcat (base, "/v1/sessions", NULL);
  sign_in = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"%s\"}", FOYER_TEST_ALICE_EMAIL,
                             FOYER_TEST_ALICE_PASSWORD);
  signed_in = request (session, "POST", url, NULL, sign_in, 201);
  token = json_object_get_string_member (signed_in, "accessToken");
  g_free (url);
  url = g_strconcat (base, "/v1/spaces", NULL);
  space_body = g_strdup_printf (
      "{\"title\":\"%s\",\"kmsResourceUri\":\"kms://bench.example/resources/r1\"}", title);
  space = request (session, "POST", url, token, space_body, 201);
  messages = g_strdup_printf ("%s/v1/spaces/%s/messages", base,
                              json_object_get_string_member (space, "id"));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < posts; i++)
    {
      g_autofree char *text = g_strdup_printf ("message number %u of the durability bench", i);
      g_autofree char *body_jwe = jwe (text);
      g_autofree char *body = g_strdup_printf (
          "{\"clientMessageId\":\"m-%u\",\"keyUri\":\"" KEY_URI "\",\"body\":\"%s\"}", i, body_jwe);
      gint64 t = g_get_monotonic_time ();
      g_autoptr (JsonObject) reply = request (session, "POST", messages, token, body, 201);
      double ms = (g_get_monotonic_time () - t) / 1000.0;

      g_array_append_val (latencies, ms);
    }
  run.posts_per_second = posts / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  g_array_sort (latencies, compare_double);
  run.p50_ms = g_array_index (latencies, double, posts / 2);
  run.p99_ms = g_array_index (latencies, double, MIN (posts - 1, posts * 99 / 100));
  foyer_test_service_stop (service);
  return run;
}

static void
print_range (const char *what, double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_double);
  g_print ("  %-34s min %8.2f  median %8.2f  max %8.2f\n", what, values[0], values[n / 2],
           values[n - 1]);
}

int
main (int argc, char **argv)
{
  guint posts = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 300;
  guint runs = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  g_autofree double *full_rate = g_new (double, runs);
  g_autofree double *normal_rate = g_new (double, runs);
  g_autofree double *full_p50 = g_new (double, runs);
  g_autofree double *normal_p50 = g_new (double, runs);
  g_autofree double *full_p99 = g_new (double, runs);
  g_autofree double *normal_p99 = g_new (double, runs);
  g_autofree double *ratio = g_new (double, runs);

  posts = MAX (posts, 10);
  runs = MAX (runs, 1);
  g_print ("foyer-service, synchronous FULL against NORMAL: %u posts one after another, %u runs "
           "of each, data folder in %s\n",
           posts, runs, g_getenv ("FOYER_TEST_WORKDIR") ? g_getenv ("FOYER_TEST_WORKDIR") : "/tmp");
  for (guint r = 0; r < runs; r++)
    {
      /* Alternated, so that the machine's load weighs on both alike. */
      Run normal = measure ("normal", posts);
      Run full = measure ("full", posts);

      normal_rate[r] = normal.posts_per_second;
      full_rate[r] = full.posts_per_second;
      normal_p50[r] = normal.p50_ms;
      full_p50[r] = full.p50_ms;
      normal_p99[r] = normal.p99_ms;
      full_p99[r] = full.p99_ms;
      ratio[r] = full.posts_per_second / normal.posts_per_second;
    }
  print_range ("posts/s, NORMAL (reference)", normal_rate, runs);
  print_range ("posts/s, FULL", full_rate, runs);
  print_range ("posts/s, FULL / NORMAL", ratio, runs);
  print_range ("p50 post, NORMAL (ms)", normal_p50, runs);
  print_range ("p50 post, FULL (ms)", full_p50, runs);
  print_range ("p99 post, NORMAL (ms)", normal_p99, runs);
  print_range ("p99 post, FULL (ms)", full_p99, runs);
  return 0;
}
