/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Document tiles: 200 tiles (organization links to items of the sandbox's
 * Big folder) shown at once from a cold cache while foyer-ms-sandbox adds
 * 100 ms to every reply. Prints: the time until every thumbnail is painted,
 * next to the lower bound for the concurrency the app uses
 * (ceil(tiles / concurrency) × latency); the longest main-loop iteration
 * during the burst; and the same 200 again from the encrypted disk cache,
 * then from memory.
 *
 * FOYER_BENCH_TILES (default 200) and FOYER_BENCH_LATENCY_MS (default 100)
 * change the figures' inputs.
 */
#include "config.h"

#include <math.h>

#include "foyer-bench-tls.h"
#include "foyer-graph-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-test-tiles.h"
#include "foyer-thumbnail-loader.h"
#include "foyer-ui-test.h"

static FoyerApplication *app;
static guint n_tiles = 200;
static guint latency_ms = 100;

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
  g_usleep (20000);
  return stable >= 10;
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
  g_autoptr (GPtrArray) refs = foyer_test_tiles_make_refs (app, n_tiles);
  guint loader_max = foyer_thumbnail_loader_get_max_concurrent (loader);
  guint host_max = foyer_graph_client_get_max_concurrent_per_host (
      foyer_microsoft_account_get_graph (account));
  guint concurrency = MIN (loader_max, host_max);
  double bound = ceil ((double) n_tiles / concurrency) * latency_ms;
  /* Each thumbnail is two round trips (Graph answers 302, then the
   * SharePoint host sends the bytes); the loader holds its slot for both,
   * the Graph host's slot only for the first. */
  double path_floor = MAX (bound, ceil ((double) n_tiles / loader_max) * 2.0 * latency_ms);
  gsize memory_max = foyer_thumbnail_loader_get_max_memory_bytes (loader);
  guint64 stored = 0;
  Run cold, disk, memory;

  cold = run_once (sandbox, refs, "bench-tiles-cold");
  g_assert_true (foyer_ui_test_wait_until (store_settled, store, 60000));
  foyer_store_get_namespace_size (store, FOYER_STORE_NS_THUMBNAILS, &stored, NULL);

  /* From the encrypted store only: nothing kept in memory meanwhile. */
  foyer_thumbnail_loader_set_max_memory_bytes (loader, 0);
  disk = run_once (sandbox, refs, NULL);
  foyer_thumbnail_loader_set_max_memory_bytes (loader, memory_max);
  run_once (sandbox, refs, NULL); /* fills the memory cache from the store */
  memory = run_once (sandbox, refs, NULL);

  g_print ("# tiles: %u tiles, sandbox latency %u ms, concurrency %u (loader %u, Graph per "
           "host %u)\n",
           n_tiles, latency_ms, concurrency, loader_max, host_max);
  g_print ("# tiles: cold cache: all thumbnails painted in %.0f ms; lower bound "
           "ceil(%u/%u) x %u ms = %.0f ms (measured %.2fx); floor for the two round trips of "
           "each thumbnail (max of that and ceil(%u/%u) x 2 x %u ms) %.0f ms (%.2fx)\n",
           cold.ms, n_tiles, concurrency, latency_ms, bound, cold.ms / bound, n_tiles, loader_max,
           latency_ms, path_floor, cold.ms / path_floor);
  g_print ("# tiles: cold cache: making %u tiles and giving them their documents took %.1f ms; "
           "the first frame returned to the loop at %.0f ms; %u thumbnail requests\n",
           n_tiles, cold.show_ms, cold.first_frame_ms, cold.network);
  g_print ("# tiles: cold cache: longest main-loop iteration during the burst %.1f ms, ending "
           "%.0f ms after the start; %u frames while thumbnails arrive, the longest (GTK's layout "
           "and drawing of the %u tiles) %.1f ms\n",
           MAX (cold.longest_ms, cold.first_frame_longest_ms), cold.longest_at_ms, cold.frames,
           n_tiles, cold.longest_frame_ms);
  g_print ("# tiles: warm, encrypted disk cache (%.1f MiB sealed): %.0f ms (first frame %.0f ms), "
           "longest iteration %.1f ms (first frame %.1f ms), %u requests\n",
           stored / 1048576.0, disk.ms, disk.first_frame_ms, disk.longest_ms,
           disk.first_frame_longest_ms, disk.network);
  g_print ("# tiles: warm, memory: %.0f ms (first frame %.0f ms), longest iteration %.1f ms "
           "(first frame %.1f ms), %u requests\n",
           memory.ms, memory.first_frame_ms, memory.longest_ms, memory.first_frame_longest_ms,
           memory.network);
  g_assert_cmpuint (disk.network, ==, 0);
  g_assert_cmpuint (memory.network, ==, 0);
  tls_cost (foyer_microsoft_account_get_graph (account), refs, host_max + loader_max, cold.ms);

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
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/bench/tiles/burst", bench_tiles);
  return g_test_run ();
}
