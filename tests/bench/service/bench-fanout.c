/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Fan-out of foyer-service: N WebSocket clients connected to one space,
 * one author posting; prints p50/p99 from post to delivery and the
 * deliveries per second. Usage: bench-fanout [N…] (default 100 1000).
 */
#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "foyer-chat-client.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-test-service.h"

#define MESSAGES 30

typedef struct
{
  GHashTable *sent_at; /* clientMessageId → gint64* */
  GArray *latencies;   /* double, ms */
  guint connected;
  guint failed;
  gint64 first_post;
  gint64 last_delivery;
} Bench;

static void
store_result_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static JsonNode *
call_finish (FoyerChatClient *client, GAsyncResult **slot)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = foyer_chat_client_call_finish (client, await (slot), &error);

  if (node == NULL)
    g_error ("%s", error->message);
  g_clear_object (slot);
  return node;
}

static FoyerChatClient *
login (FoyerTestService *service, const char *email, const char *password)
{
  FoyerChatClient *client = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_autoptr (GAsyncResult) r = NULL;

  foyer_chat_client_login_async (client, email, password, NULL, store_result_cb, &r);
  json_node_unref (call_finish (client, &r));
  return client;
}

static void
message_cb (SoupWebsocketConnection *conn, int type, GBytes *message, gpointer user_data)
{
  Bench *bench = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  JsonObject *event, *msg;
  gint64 *sent;

  if (!json_parser_load_from_data (parser, data, len, NULL))
    return;
  event = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (event, "message"))
    return;
  msg = json_object_get_object_member (event, "message");
  sent = g_hash_table_lookup (bench->sent_at,
                              json_object_get_string_member (msg, "clientMessageId"));
  if (sent != NULL)
    {
      double ms = (now - *sent) / 1000.0;

      g_array_append_val (bench->latencies, ms);
      bench->last_delivery = now;
    }
}

static void
connected_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Bench *bench = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *conn
      = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);

  if (conn == NULL)
    {
      bench->failed++;
      g_printerr ("connection failed: %s\n", error->message);
      return;
    }
  g_signal_connect (conn, "message", G_CALLBACK (message_cb), bench);
  bench->connected++;
  /* Kept alive until the process ends. */
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *sorted, double p)
{
  guint index;

  if (sorted->len == 0)
    return 0;
  index = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, index);
}

static void
run (guint n)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (FoyerChatClient) alice
      = login (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autoptr (FoyerChatClient) bob = login (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autoptr (FoyerKmsClient) kms = NULL;
  g_autoptr (SoupSession) session
      = soup_session_new_with_options ("max-conns", 100000, "max-conns-per-host", 100000, NULL);
  g_autoptr (GAsyncResult) r = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autoptr (JsonNode) space = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *title = NULL;
  g_autofree char *events_url = foyer_chat_client_get_events_url (bob);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", foyer_chat_client_get_token (bob));
  const char *people[] = { foyer_chat_client_get_person_id (alice), NULL };
  Bench bench = { 0 };
  const char *space_id;
  gsize key_len = 0;
  const guint8 *key_data;
  gint64 start, deadline;
  double seconds;

  bench.sent_at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  bench.latencies = g_array_new (FALSE, FALSE, sizeof (double));

  kms = foyer_kms_client_new (foyer_chat_client_get_session (alice),
                              foyer_test_service_get_kms_url (service));
  foyer_kms_client_set_token (kms, foyer_chat_client_get_token (alice));
  foyer_kms_client_create_resource_async (kms, people, NULL, store_result_cb, &r);
  resource = foyer_kms_client_create_resource_finish (kms, await (&r), NULL);
  g_clear_object (&r);
  foyer_kms_client_create_key_async (kms, resource, NULL, store_result_cb, &r);
  key = foyer_kms_client_create_key_finish (kms, await (&r), NULL);
  g_clear_object (&r);
  key_data = foyer_kms_key_get_data (key, &key_len);
  title = foyer_jwe_encrypt_string (key_data, key_len, key->uri, "Bench space", NULL);
  foyer_chat_client_create_space_async (alice, title, resource, NULL, store_result_cb, &r);
  space = call_finish (alice, &r);
  space_id = json_object_get_string_member (json_node_get_object (space), "id");
  foyer_chat_client_add_member_async (alice, space_id, foyer_chat_client_get_person_id (bob), NULL,
                                      store_result_cb, &r);
  json_node_unref (call_finish (alice, &r));

  /* N connections of Bob's (one person, N devices): each gets every push.
   * At most 32 handshakes at a time, so the listen backlog never overflows
   * and no SYN waits for a retransmission. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", events_url);

      while (i - (bench.connected + bench.failed) >= 32)
        g_main_context_iteration (NULL, TRUE);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                            connected_cb, &bench);
    }
  while (bench.connected + bench.failed < n)
    g_main_context_iteration (NULL, TRUE);
  g_print ("# N=%u: %u connected, %u failed in %.2f s\n", n, bench.connected, bench.failed,
           (g_get_monotonic_time () - start) / 1e6);

  bench.first_post = g_get_monotonic_time ();
  for (guint m = 0; m < MESSAGES; m++)
    {
      g_autofree char *client_id = g_strdup_printf ("bench-%u-%u", n, m);
      g_autofree char *body
          = foyer_jwe_encrypt_string (key_data, key_len, key->uri, "bench message", NULL);
      gint64 *sent = g_new (gint64, 1);

      *sent = g_get_monotonic_time ();
      g_hash_table_insert (bench.sent_at, g_strdup (client_id), sent);
      foyer_chat_client_post_message_async (alice, space_id, client_id, key->uri, body, NULL, NULL,
                                            store_result_cb, &r);
      json_node_unref (call_finish (alice, &r));
    }

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (bench.latencies->len < (guint) MESSAGES * bench.connected
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_array_sort (bench.latencies, compare_double);
  seconds = (bench.last_delivery - bench.first_post) / 1e6;
  g_print ("fanout N=%u messages=%u deliveries=%u/%u p50=%.2f ms p99=%.2f ms max=%.2f ms "
           "throughput=%.0f deliveries/s (%.1f messages/s fully delivered)\n",
           n, MESSAGES, bench.latencies->len, MESSAGES * bench.connected,
           percentile (bench.latencies, 0.50), percentile (bench.latencies, 0.99),
           percentile (bench.latencies, 1.0), seconds > 0 ? bench.latencies->len / seconds : 0,
           seconds > 0 ? MESSAGES / seconds : 0);

  g_hash_table_unref (bench.sent_at);
  g_array_unref (bench.latencies);
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    g_print ("# RLIMIT_NOFILE %lu\n", (unsigned long) limit.rlim_cur);
}

int
main (int argc, char **argv)
{
  raise_fd_limit ();
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      run ((guint) g_ascii_strtoull (argv[i], NULL, 10));
  else
    {
      run (100);
      run (1000);
    }
  return 0;
}
