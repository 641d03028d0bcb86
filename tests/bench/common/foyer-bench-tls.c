/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-bench"

#include "config.h"

#include "foyer-bench-tls.h"

#include "foyer-test-tls.h"
#include "foyer-tls-database.h"

#include <libsoup/soup.h>

#define ROUNDS        5
#define WARM_REQUESTS 40
#define COLD_REQUESTS 20

typedef struct
{
  GBytes *payload;
  const char *content_type;
} Served;

static void
serve_cb (SoupServer *server,
          SoupServerMessage *msg,
          const char *path,
          GHashTable *query,
          gpointer user_data)
{
  Served *served = user_data;

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, served->content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (served->payload, NULL),
                                    g_bytes_get_size (served->payload));
}

/* The same server, plain or with TLS, both with libsoup's own listener
 * (it keeps connections alive; every request here has finished before the
 * server goes, so its synchronous close has no handshake to wait for). */
static SoupServer *
serve (Served *served, gboolean https, char **url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;
  SoupServer *server
      = https ? soup_server_new ("tls-certificate", foyer_test_tls_get_default_certificate (), NULL)
              : soup_server_new (NULL, NULL);

  soup_server_add_handler (server, "/page", serve_cb, served, NULL);
  g_assert_true (soup_server_listen_local (
      server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | (https ? SOUP_SERVER_LISTEN_HTTPS : 0), &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *url = g_strdup_printf ("%s://127.0.0.1:%d/page", https ? "https" : "http",
                          g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  return server;
}

typedef struct
{
  gboolean done;
  gsize size;
} Fetch;

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fetch *fetch = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  g_assert_no_error (error);
  fetch->size = g_bytes_get_size (body);
  fetch->done = TRUE;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

/* The median time of one request, over n requests one after the other. */
static double
per_request_ms (SoupSession *session, const char *url, guint n, gboolean new_connection, gsize size)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
      Fetch fetch = { FALSE, 0 };
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (new_connection)
        soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, fetched_cb, &fetch);
      while (!fetch.done)
        g_main_context_iteration (NULL, TRUE);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_assert_cmpuint (fetch.size, ==, size);
      g_array_append_val (times, ms);
    }
  return median (times);
}

static void
print_figure (const char *label, const char *what, GArray *https, GArray *http)
{
  g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  double min_ratio, max_ratio;

  for (guint i = 0; i < https->len; i++)
    {
      double ratio = g_array_index (https, double, i) / g_array_index (http, double, i);

      g_array_append_val (ratios, ratio);
    }
  g_array_sort (https, compare_doubles);
  g_array_sort (http, compare_doubles);
  g_array_sort (ratios, compare_doubles);
  min_ratio = g_array_index (ratios, double, 0);
  max_ratio = g_array_index (ratios, double, ratios->len - 1);
  g_print ("# %s: TLS %s: https %.2f ms (min %.2f, max %.2f), http %.2f ms (min %.2f, max "
           "%.2f); https/http %.2fx (min %.2fx, max %.2fx)\n",
           label, what, median (https), g_array_index (https, double, 0),
           g_array_index (https, double, https->len - 1), median (http),
           g_array_index (http, double, 0), g_array_index (http, double, http->len - 1),
           median (ratios), min_ratio, max_ratio);
}

void
foyer_bench_tls_cost (const char *label,
                      GBytes *payload,
                      const char *content_type,
                      FoyerBenchTls *out)
{
  Served served = { payload, content_type };
  g_autofree char *http_url = NULL;
  g_autofree char *https_url = NULL;
  g_autoptr (SoupServer) plain = serve (&served, FALSE, &http_url);
  g_autoptr (SoupServer) secure = serve (&served, TRUE, &https_url);
  g_autoptr (GError) error = NULL;
  /* As Foyer trusts a descriptor's CA: the system's anchors plus it. */
  g_autoptr (GTlsDatabase) database
      = foyer_tls_database_new (foyer_test_tls_get_default_ca_file (), &error);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (GArray) warm_http = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) warm_https = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cold_http = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cold_https = g_array_new (FALSE, FALSE, sizeof (double));
  gsize size = g_bytes_get_size (payload);

  g_assert_no_error (error);
  soup_session_set_tls_database (session, database);
  /* Warm both connections up (and the TLS backend) before measuring. */
  per_request_ms (session, http_url, 2, FALSE, size);
  per_request_ms (session, https_url, 2, FALSE, size);
  for (int round = 0; round < ROUNDS; round++)
    {
      double v;

      v = per_request_ms (session, http_url, WARM_REQUESTS, FALSE, size);
      g_array_append_val (warm_http, v);
      v = per_request_ms (session, https_url, WARM_REQUESTS, FALSE, size);
      g_array_append_val (warm_https, v);
      v = per_request_ms (session, http_url, COLD_REQUESTS, TRUE, size);
      g_array_append_val (cold_http, v);
      v = per_request_ms (session, https_url, COLD_REQUESTS, TRUE, size);
      g_array_append_val (cold_https, v);
    }

  g_print ("# %s: TLS cost for a reply of %.1f KiB (%s), %d rounds of %d requests on a kept "
           "connection and %d on new connections, loopback, both ends in this process:\n",
           label, size / 1024.0, content_type, ROUNDS, WARM_REQUESTS, COLD_REQUESTS);
  print_figure (label, "on a kept connection, per request", warm_https, warm_http);
  print_figure (label, "on a new connection (TCP connect + TLS handshake), per request", cold_https,
                cold_http);
  if (out != NULL)
    {
      out->warm_http_ms = median (warm_http);
      out->warm_https_ms = median (warm_https);
      out->cold_http_ms = median (cold_http);
      out->cold_https_ms = median (cold_https);
    }
  soup_server_disconnect (plain);
  soup_server_disconnect (secure);
}
