/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How fast the sandbox answers: requests per second with many clients at
 * once, and the latency of each page of the 100,000-item folder.
 */
#include "config.h"

#include "foyer-test-sandbox.h"

#include <libsoup/soup.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  SoupSession *session;
  char *url;
  char *auth;
  guint remaining;
  guint in_flight;
  guint ok;
  guint failed;
  GMainLoop *loop;
} Load;

static void send_one (Load *load);

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Load *load = user_data;
  g_autoptr (GBytes) bytes
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (bytes != NULL && soup_message_get_status (msg) == 200)
    load->ok++;
  else
    load->failed++;
  load->in_flight--;
  if (load->remaining > 0)
    send_one (load);
  else if (load->in_flight == 0)
    g_main_loop_quit (load->loop);
}

static void
send_one (Load *load)
{
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", load->url);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                load->auth);
  load->remaining--;
  load->in_flight++;
  soup_session_send_and_read_async (load->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, load);
}

static void
throughput (FoyerTestSandbox *sb, const char *token, const char *path, guint total, guint clients)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (SoupSession) session = foyer_test_sandbox_trust_session (
      sb,
      soup_session_new_with_options ("max-conns", clients, "max-conns-per-host", clients, NULL));
  g_autofree char *url = g_strconcat (foyer_test_sandbox_get_graph_url (sb), path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  Load load = { session, url, auth, total, 0, 0, 0, loop };
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (guint i = 0; i < clients && load.remaining > 0; i++)
    send_one (&load);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_print ("sandbox: %-45s %5u requests, %3u clients: %7.0f requests/s (%u failed)\n", path, total,
           clients, total / seconds, load.failed);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
big_folder_pages (FoyerTestSandbox *sb, const char *token, guint top)
{
  g_autoptr (SoupSession) session = foyer_test_sandbox_trust_session (sb, soup_session_new ());
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autofree char *url = g_strdup_printf (
      "%s/me/drive/root:/Big%%20folder:/children?$top=%u&$select=id,name,size,file",
      foyer_test_sandbox_get_graph_url (sb), top);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  guint items = 0;
  double total = 0;

  while (url != NULL)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *o;
      gint64 start = g_get_monotonic_time ();
      double ms;

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      bytes = soup_session_send_and_read (session, msg, NULL, NULL);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_clear_pointer (&url, g_free);
      if (bytes == NULL || soup_message_get_status (msg) != 200
          || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes), NULL))
        {
          g_printerr ("bench-sandbox: a page failed\n");
          exit (1);
        }
      o = json_node_get_object (json_parser_get_root (parser));
      items += json_array_get_length (json_object_get_array_member (o, "value"));
      url = g_strdup (json_object_get_string_member_with_default (o, "@odata.nextLink", NULL));
      g_array_append_val (times, ms);
      total += ms;
    }
  qsort (times->data, times->len, sizeof (double), compare_doubles);
  g_print ("sandbox: big folder, $top=%-4u %6u items in %3u pages: mean %.2f ms, p50 %.2f ms, p95 "
           "%.2f ms, max %.2f ms"
           " per page, total %.2f s\n",
           top, items, times->len, total / times->len,
           g_array_index (times, double, times->len / 2),
           g_array_index (times, double, times->len * 95 / 100),
           g_array_index (times, double, times->len - 1), total / 1000);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sb = foyer_test_sandbox_start (NULL, &error);
  g_autofree char *token = NULL;

  if (sb == NULL)
    {
      g_printerr ("bench-sandbox: %s\n", error->message);
      return 1;
    }
  token = foyer_test_sandbox_mint_token (sb, "alice@contoso.example", NULL, &error);
  throughput (sb, token, "/me", 5000, 50);
  throughput (sb, token, "/me/drive/root/children", 5000, 50);
  throughput (sb, token, "/me/drive/root:/Big%20folder:/children?$top=200", 2000, 200);
  big_folder_pages (sb, token, 200);
  big_folder_pages (sb, token, 1000);
  return 0;
}
