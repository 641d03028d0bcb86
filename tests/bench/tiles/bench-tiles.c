/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Document tiles: 200 tiles (organization links to items of the sandbox's
 * Big folder) shown at once from a cold cache while foyer-ms-sandbox adds
 * 100 ms to every reply. Prints, min / median / max over FOYER_BENCH_RUNS
 * runs (default 5): the time until every thumbnail is painted against the
 * bare-libsoup floor measured in the same run (one SoupSession, 4
 * connections per host, fetching the same 200 thumbnails through the same
 * two hops: Graph's 302, then the files host), runs of the two alternated;
 * the longest main-loop iteration during the burst; the same 200 again
 * from the encrypted disk cache, then from memory (goal <= 100 ms); and,
 * from the sandbox's request log, whether any thumbnail request went out
 * before a Retry-After when every tile is bound again after a 429.
 *
 * FOYER_BENCH_TILES (default 200) and FOYER_BENCH_LATENCY_MS (default 100)
 * change the figures' inputs.
 */
#include "config.h"

#include <math.h>

#include "foyer-bench-tls.h"
#include "foyer-document-item.h"
#include "foyer-graph-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-test-util.h"
#include "foyer-test-tiles.h"
#include "foyer-thumbnail-loader.h"
#include "foyer-ui-test.h"

static FoyerApplication *app;
static guint n_tiles = 200;
static guint latency_ms = 100;
static guint runs = 5;

/* A high-priority 1 ms tick: the longest gap between two ticks is the
 * longest time the main loop was busy with something else. */
typedef struct
{
  gint64 last;
  gint64 longest;
  gint64 longest_at; /* when it ended */
  guint source;
} Heartbeat;

static gboolean
tick_cb (gpointer user_data)
{
  Heartbeat *hb = user_data;
  gint64 now = g_get_monotonic_time ();

  if (hb->last > 0 && now - hb->last > hb->longest)
    {
      hb->longest = now - hb->last;
      hb->longest_at = now;
    }
  hb->last = now;
  return G_SOURCE_CONTINUE;
}

static void
heartbeat_start (Heartbeat *hb)
{
  hb->last = 0;
  hb->longest = 0;
  hb->source = g_timeout_add_full (G_PRIORITY_HIGH, 1, tick_cb, hb, NULL);
}

static double
heartbeat_stop (Heartbeat *hb)
{
  g_clear_handle_id (&hb->source, g_source_remove);
  return hb->longest / 1000.0;
}

/* The window's frames: how long GTK took from before-paint to
 * after-paint (layout and drawing), the longest and how many. */
typedef struct
{
  gint64 start;
  gint64 longest;
  guint frames;
} Frames;

static void
before_paint_cb (GdkFrameClock *clock, Frames *frames)
{
  frames->start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock, Frames *frames)
{
  if (frames->start > 0)
    frames->longest = MAX (frames->longest, g_get_monotonic_time () - frames->start);
  frames->frames++;
}

static gboolean
all_thumbnails (gpointer data)
{
  return foyer_test_tiles_count_thumbnails (data) == n_tiles;
}

typedef struct
{
  double ms;                     /* until every thumbnail was painted */
  double longest_ms;             /* longest main-loop iteration meanwhile */
  double first_frame_longest_ms; /* of those, until the first frame with the tiles */
  double first_frame_ms;
  double longest_frame_ms; /* GTK's own work in one frame, while thumbnails arrive */
  double longest_at_ms;    /* when the longest iteration ended, from the start */
  guint frames;
  double show_ms; /* making the tiles and giving them their documents */
  guint network;  /* thumbnail requests the sandbox saw */
} Run;

static Run
run_once (FoyerTestSandbox *sandbox, GPtrArray *refs, const char *name)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  Heartbeat hb = { 0 };
  Frames frames = { 0 };
  gulong before_id, after_id;
  GtkWindow *window;
  gint64 t0;
  Run run = { 0 };

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  heartbeat_start (&hb);
  t0 = g_get_monotonic_time ();
  window = foyer_test_tiles_show (app, refs, tiles);
  run.show_ms = (g_get_monotonic_time () - t0) / 1000.0;
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  run.first_frame_ms = (g_get_monotonic_time () - t0) / 1000.0;
  /* The first layout of the tiles is one thing, the thumbnails coming in
   * another: both are reported. */
  run.first_frame_longest_ms = hb.longest / 1000.0;
  hb.longest = 0;
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));

    before_id = g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), &frames);
    after_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);
  }
  g_assert_true (foyer_ui_test_wait_until (all_thumbnails, tiles, 300000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  run.ms = (g_get_monotonic_time () - t0) / 1000.0;
  run.longest_at_ms = (hb.longest_at - t0) / 1000.0;
  run.longest_ms = heartbeat_stop (&hb);
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), before_id);
  g_signal_handler_disconnect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), after_id);
  run.longest_frame_ms = frames.longest / 1000.0;
  run.frames = frames.frames;

  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    run.network += g_str_has_prefix (json_object_get_string_member_with_default (
                                         json_array_get_object_element (log, i), "path", ""),
                                     "/v1.0/shares/");
  if (name != NULL)
    g_free (foyer_ui_test_save_png (GTK_WIDGET (window), name));
  gtk_window_destroy (window);
  /* Let the destroyed tiles go before the next run. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (NULL, FALSE);
  return run;
}

static gboolean
store_settled (gpointer data)
{
  static guint64 last = 0;
  static guint stable = 0;
  guint64 bytes = 0;

  foyer_store_get_namespace_size (data, FOYER_STORE_NS_THUMBNAILS, &bytes, NULL);
  stable = bytes > 0 && bytes == last ? stable + 1 : 0;
  last = bytes;
  return stable >= 10;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* The encrypted store has written every thumbnail: its size the same
 * for 10 looks 20 ms apart (a timer wakes the loop to look again). */
static gboolean
wait_store_settled (FoyerStore *store)
{
  guint wake = g_timeout_add (20, wake_cb, NULL);
  gboolean settled = foyer_ui_test_wait_until (store_settled, store, 60000);

  g_source_remove (wake);
  return settled;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  double min, median, max;
} Spread;

static Spread
spread_of (GArray *values)
{
  g_autoptr (GArray) sorted = g_array_copy (values);

  g_array_sort (sorted, compare_doubles);
  return (Spread){ g_array_index (sorted, double, 0),
                   g_array_index (sorted, double, sorted->len / 2),
                   g_array_index (sorted, double, sorted->len - 1) };
}

static void
append (GArray *values, double value)
{
  g_array_append_val (values, value);
}

/* The floor: plain libsoup fetching the same thumbnails, the same two
 * hops (libsoup follows the 302 itself), 4 connections per host, all
 * asked at once. */
typedef struct
{
  guint remaining;
  guint failed;
} Floor;

static void
floor_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Floor *floor = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (bytes == NULL || soup_message_get_status (msg) != 200 || g_bytes_get_size (bytes) == 0)
    floor->failed++;
  floor->remaining--;
}

static gboolean
floor_done (gpointer data)
{
  return ((Floor *) data)->remaining == 0;
}

static double
bare_libsoup (SoupSession *session, GPtrArray *urls, const char *token)
{
  g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
  Floor floor = { urls->len, 0 };
  gint64 t0 = g_get_monotonic_time ();

  for (guint i = 0; i < urls->len; i++)
    {
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", g_ptr_array_index (urls, i));

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    bearer);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, floor_read_cb,
                                        &floor);
    }
  g_assert_true (foyer_ui_test_wait_until (floor_done, &floor, 300000));
  g_assert_cmpuint (floor.failed, ==, 0);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* The app's own network path without any widget: a new loader (nothing
 * in memory, no disk cache) on the account's Graph client fetching the
 * same 200 thumbnails at once, at the given concurrency. */
typedef struct
{
  guint remaining;
  guint failed;
} Loads;

static void
loader_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Loads *loads = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes
      = foyer_thumbnail_loader_load_finish (FOYER_THUMBNAIL_LOADER (source), result, &error);

  loads->failed += bytes == NULL;
  loads->remaining--;
}

static gboolean
loads_done (gpointer data)
{
  return ((Loads *) data)->remaining == 0;
}

static double
loader_only (FoyerGraphClient *graph, GPtrArray *paths, guint concurrency)
{
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (graph, NULL);
  Loads loads = { paths->len, 0 };
  gint64 t0;

  if (concurrency > 0)
    foyer_thumbnail_loader_set_max_concurrent (loader, concurrency);
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *key = g_strdup_printf ("bench:%u", i);

      foyer_thumbnail_loader_load_async (loader, key, g_ptr_array_index (paths, i), NULL, loader_cb,
                                         &loads);
    }
  g_assert_true (foyer_ui_test_wait_until (loads_done, &loads, 300000));
  g_assert_cmpuint (loads.failed, ==, 0);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static GPtrArray *
thumbnail_paths (GPtrArray *refs)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < refs->len; i++)
    {
      g_autoptr (FoyerDocumentItem) document = foyer_document_item_new (refs->pdata[i]);
      const FoyerDocumentRef *ref = foyer_document_item_get_ref (document);
      g_autofree char *share_id = foyer_graph_share_id_encode (ref->url);

      g_ptr_array_add (paths, foyer_graph_shared_thumbnail_path (share_id, "medium"));
    }
  return paths;
}

static GPtrArray *
thumbnail_urls (FoyerGraphClient *graph, GPtrArray *refs)
{
  GPtrArray *urls = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < refs->len; i++)
    {
      g_autoptr (FoyerDocumentItem) document = foyer_document_item_new (refs->pdata[i]);
      const FoyerDocumentRef *ref = foyer_document_item_get_ref (document);
      g_autofree char *share_id = foyer_graph_share_id_encode (ref->url);
      g_autofree char *path = foyer_graph_shared_thumbnail_path (share_id, "medium");

      g_ptr_array_add (urls, g_strconcat (foyer_graph_client_get_base_url (graph), path, NULL));
    }
  return urls;
}

static char *
account_token (FoyerMicrosoftAccount *account)
{
  FoyerAuthorizer *authorizer = foyer_microsoft_account_get_authorizer (account);
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  char *token;

  foyer_authorizer_get_token_async (authorizer, FALSE, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_test_wait_result (&wait, 30000) != NULL);
  token = foyer_authorizer_get_token_finish (authorizer, wait.result, &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  return token;
}

/* Nothing of the thumbnails kept: memory and the encrypted store. */
static void
forget_thumbnails (FoyerThumbnailLoader *loader, FoyerStore *store)
{
  gsize memory_max = foyer_thumbnail_loader_get_max_memory_bytes (loader);
  g_autoptr (GError) error = NULL;

  g_assert_true (wait_store_settled (store));
  foyer_thumbnail_loader_set_max_memory_bytes (loader, 0);
  foyer_thumbnail_loader_set_max_memory_bytes (loader, memory_max);
  g_assert_true (foyer_store_delete_namespace (store, FOYER_STORE_NS_THUMBNAILS, &error));
  g_assert_no_error (error);
}

static void
print_spread (const char *what, GArray *values, GArray *references, const char *reference)
{
  Spread v = spread_of (values);

  if (references == NULL)
    {
      g_print ("# tiles: %s: %.0f / %.0f / %.0f ms (min / median / max of %u)\n", what, v.min,
               v.median, v.max, values->len);
      return;
    }
  {
    g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
    Spread r = spread_of (references), q;

    for (guint i = 0; i < values->len; i++)
      append (ratios, g_array_index (values, double, i) / g_array_index (references, double, i));
    q = spread_of (ratios);
    g_print ("# tiles: %s: %.0f / %.0f / %.0f ms; %s %.0f / %.0f / %.0f ms; ratio %.2f / %.2f / "
             "%.2f (min / median / max of %u)\n",
             what, v.min, v.median, v.max, reference, r.min, r.median, r.max, q.min, q.median,
             q.max, values->len);
  }
}

static gboolean
thumbnails_held (gpointer data)
{
  return foyer_thumbnail_loader_get_held_until (data) > 0;
}

static gboolean
all_thumbnails_of (gpointer data)
{
  GPtrArray *tiles = data;

  return foyer_test_tiles_count_thumbnails (tiles) == tiles->len;
}

/* A 429 with a Retry-After longer than the client waits, every tile
 * bound again at once: requests sent before the Retry-After ran out (the
 * sandbox's log). One fetch at a time, so that none is on its way when
 * the 429 comes back. */
static guint
early_after_rebind (FoyerTestSandbox *sandbox,
                    FoyerMicrosoftAccount *account,
                    FoyerStore *store,
                    GPtrArray *refs)
{
  FoyerThumbnailLoader *loader = foyer_microsoft_account_get_thumbnails (account);
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (account);
  guint loader_max = foyer_thumbnail_loader_get_max_concurrent (loader);
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  gint64 answered = G_MAXINT64;
  guint early = 0;
  GtkWindow *window;

  forget_thumbnails (loader, store);
  foyer_graph_client_set_max_wait_ms (graph, 1000);
  foyer_thumbnail_loader_set_max_concurrent (loader, 1);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  g_assert_true (foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/shares/*\",\"status\":429,\"retryAfter\":3,\"times\":1}",
      &error));
  window = foyer_test_tiles_show (app, refs, tiles);
  g_assert_true (foyer_ui_test_wait_until (thumbnails_held, loader, 60000));
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerDocumentTile *tile = g_ptr_array_index (tiles, i);
      g_autoptr (FoyerDocumentItem) document
          = g_object_ref (foyer_document_tile_get_document (tile));

      foyer_document_tile_set_document (tile, NULL);
      foyer_document_tile_set_document (tile, document);
    }
  foyer_thumbnail_loader_set_max_concurrent (loader, loader_max);
  g_assert_true (foyer_ui_test_wait_until (all_thumbnails_of, tiles, 300000));
  gtk_window_destroy (window);
  foyer_graph_client_set_max_wait_ms (graph, 180000);

  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (json_object_get_int_member (entry, "status") == 429)
        answered = json_object_get_int_member (entry, "timestampMs")
                   + json_object_get_int_member (entry, "durationMs");
    }
  g_assert_cmpint (answered, <, G_MAXINT64);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member_with_default (entry, "path", "");
      gint64 arrived = json_object_get_int_member (entry, "timestampMs");

      if (g_str_has_prefix (path, "/v1.0/shares/") && arrived >= answered
          && arrived < answered + 3000 - 1)
        early++;
    }
  return early;
}

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  *(GBytes **) user_data = foyer_graph_client_get_shared_thumbnail_finish (
      FOYER_GRAPH_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
have_bytes (gpointer data)
{
  return *(GBytes **) data != NULL;
}

/* Issue #16: what https costs the burst. Each thumbnail is two replies (a
 * 302 from Graph, the image from SharePoint); connections are kept, so a
 * handshake is paid once per connection: at most the Graph host's limit
 * plus the loader's for SharePoint. */
static void
tls_cost (FoyerGraphClient *graph, GPtrArray *refs, guint connections, double cold_ms)
{
  /* The references are their JSON: the first one's link. */
  g_autoptr (JsonNode) ref = json_from_string (g_ptr_array_index (refs, 0), NULL);
  const char *url = json_object_get_string_member (json_node_get_object (ref), "url");
  g_autoptr (GBytes) thumbnail = NULL;
  FoyerBenchTls tls;
  double per_reply, handshake, spent;

  foyer_graph_client_get_shared_thumbnail_async (graph, url, "medium", NULL, thumbnail_cb,
                                                 &thumbnail);
  g_assert_true (foyer_ui_test_wait_until (have_bytes, &thumbnail, 30000));
  foyer_bench_tls_cost ("tiles: one medium thumbnail", thumbnail, "image/png", &tls);
  per_reply = MAX (0.0, tls.warm_https_ms - tls.warm_http_ms);
  handshake = MAX (0.0, tls.cold_https_ms - tls.cold_http_ms);
  spent = 2.0 * n_tiles * per_reply + connections * handshake;
  g_print ("# tiles: TLS in the cold burst, at most: %u replies x %.3f ms + %u handshakes x %.2f "
           "ms = %.1f ms of work, spread over the TLS threads, against %.0f ms for the burst "
           "(%.1f%%)\n",
           2 * n_tiles, per_reply, connections, handshake, spent, cold_ms, 100.0 * spent / cold_ms);
}

static void
bench_tiles (void)
{
  g_autofree char *latency = g_strdup_printf ("%u", latency_ms);
  const char *const args[] = { "--latency-ms", latency, NULL };
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_tiles_connect (app, args, &store);
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  FoyerThumbnailLoader *loader = foyer_microsoft_account_get_thumbnails (account);
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (account);
  g_autoptr (GPtrArray) refs = foyer_test_tiles_make_refs (app, n_tiles);
  g_autoptr (GPtrArray) urls = thumbnail_urls (graph, refs);
  g_autofree char *token = account_token (account);
  g_autoptr (SoupSession) session = soup_session_new_with_options (
      "max-conns-per-host", 4, "max-conns", 64, "user-agent", "bench-tiles", "tls-database",
      foyer_test_sandbox_get_tls_database (sandbox), NULL);
  g_autoptr (GArray) cold_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) longest_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) disk_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) memory_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GPtrArray) paths = thumbnail_paths (refs);
  g_autoptr (GArray) loader_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) loader6_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) loader_floor_ms = g_array_new (FALSE, FALSE, sizeof (double));
  guint loader_max = foyer_thumbnail_loader_get_max_concurrent (loader);
  guint host_max = foyer_graph_client_get_max_concurrent_per_host (graph);
  gsize memory_max = foyer_thumbnail_loader_get_max_memory_bytes (loader);
  guint64 stored = 0;
  guint early;
  Run cold = { 0 }, run;

  /* Warm connections for both, and the sandbox's own caches. */
  bare_libsoup (session, urls, token);
  run_once (sandbox, refs, NULL);

  /* The network path alone, no widget: the loader at its concurrency and
   * at the 6 it had before, against the floor, alternated. */
  for (guint i = 0; i < runs; i++)
    {
      append (loader_ms, loader_only (graph, paths, 0));
      append (loader6_ms, loader_only (graph, paths, 6));
      append (loader_floor_ms, bare_libsoup (session, urls, token));
    }
  for (guint i = 0; i < runs; i++)
    {
      forget_thumbnails (loader, store);
      cold = run_once (sandbox, refs, i == 0 ? "bench-tiles-cold" : NULL);
      append (cold_ms, cold.ms);
      append (longest_ms, MAX (cold.longest_ms, cold.first_frame_longest_ms));
      g_assert_cmpuint (cold.network, ==, n_tiles);
      append (floor_ms, bare_libsoup (session, urls, token));
    }
  g_assert_true (wait_store_settled (store));
  foyer_store_get_namespace_size (store, FOYER_STORE_NS_THUMBNAILS, &stored, NULL);

  /* From the encrypted store only: nothing kept in memory meanwhile. */
  for (guint i = 0; i < runs; i++)
    {
      foyer_thumbnail_loader_set_max_memory_bytes (loader, 0);
      run = run_once (sandbox, refs, NULL);
      g_assert_cmpuint (run.network, ==, 0);
      append (disk_ms, run.ms);
    }
  foyer_thumbnail_loader_set_max_memory_bytes (loader, memory_max);
  run_once (sandbox, refs, NULL); /* fills the memory cache from the store */
  for (guint i = 0; i < runs; i++)
    {
      run = run_once (sandbox, refs, NULL);
      g_assert_cmpuint (run.network, ==, 0);
      append (memory_ms, run.ms);
    }
  early = early_after_rebind (sandbox, account, store, refs);

  g_print ("# tiles: %u tiles, sandbox latency %u ms, loader concurrency %u, Graph per host %u\n",
           n_tiles, latency_ms, loader_max, host_max);
  print_spread ("network only, the loader without widgets (its concurrency)", loader_ms,
                loader_floor_ms, "bare libsoup, same two hops, 4 per host");
  print_spread ("network only, the loader at 6 as before", loader6_ms, loader_floor_ms,
                "bare libsoup, same two hops, 4 per host");
  print_spread ("cold cache, every thumbnail painted (goal <= 1.2x)", cold_ms, floor_ms,
                "bare libsoup, same two hops, 4 per host");
  g_print ("# tiles: cold cache (last run): making %u tiles and giving them their documents "
           "took %.1f ms; the first frame returned to the loop at %.0f ms; %u frames while "
           "thumbnails arrive, the longest (GTK's layout and drawing) %.1f ms\n",
           n_tiles, cold.show_ms, cold.first_frame_ms, cold.frames, cold.longest_frame_ms);
  print_spread ("cold cache, longest main-loop iteration", longest_ms, NULL, NULL);
  g_print ("# tiles: encrypted disk cache holds %.1f MiB sealed\n", stored / 1048576.0);
  print_spread ("warm, from the encrypted disk cache", disk_ms, NULL, NULL);
  print_spread ("warm, from memory (goal <= 100 ms)", memory_ms, NULL, NULL);
  g_print ("# tiles: thumbnail requests sent before a Retry-After (3 s, longer than the client "
           "waits), every tile bound again: %u (goal 0)\n",
           early);
  g_assert_cmpuint (early, ==, 0);
  tls_cost (graph, refs, host_max + loader_max, spread_of (cold_ms).median);

  foyer_microsoft_account_disconnect (account);
  foyer_microsoft_account_set_store (account, NULL);
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *env;

  foyer_ui_test_init (&argc, &argv);
  if ((env = g_getenv ("FOYER_BENCH_TILES")) != NULL)
    n_tiles = CLAMP (g_ascii_strtoull (env, NULL, 10), 1, 1000);
  if ((env = g_getenv ("FOYER_BENCH_LATENCY_MS")) != NULL)
    latency_ms = MIN (g_ascii_strtoull (env, NULL, 10), 5000);
  if ((env = g_getenv ("FOYER_BENCH_RUNS")) != NULL)
    runs = CLAMP (g_ascii_strtoull (env, NULL, 10), 1, 50);
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/bench/tiles/burst", bench_tiles);
  return g_test_run ();
}
