/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The picker on the sandbox's 100,000-item "Big folder": time until the
 * first page is visible against one round trip, memory per thousand items
 * loaded, and frame times (GdkFrameClock) while scrolling to random
 * positions. Prints the figures as TAP comments.
 *
 * FOYER_BENCH_ITEMS sets how many items to load for the memory and
 * scrolling figures (default: all 100,000); FOYER_BENCH_LATENCY_MS the
 * sandbox's added latency per reply (default 20).
 */
#include "config.h"

#include <adwaita.h>
#include <malloc.h>
#include <unistd.h>

#include "foyer-authorizer.h"
#include "foyer-bench-tls.h"
#include "foyer-drive-item-list.h"
#include "foyer-test-sandbox.h"
#include "foyer-ui-test.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-tile.h"

static FoyerTestSandbox *sandbox;
static FoyerCloud *cloud;
static FoyerGraphClient *graph;
/* The same sandbox, but closing every connection: a TLS handshake per request. */
static FoyerTestSandbox *closing_sandbox;
static FoyerCloud *closing_cloud;
static FoyerGraphClient *closing_graph;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static gsize
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  g_assert_true (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL));
  g_assert_cmpint (sscanf (text, "%lu %lu", &size, &resident), ==, 2);
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *values, double p)
{
  guint index;

  g_array_sort (values, compare_doubles);
  index = (guint) MIN ((double) values->len - 1, p * (values->len - 1) + 0.5);
  return g_array_index (values, double, index);
}

static gboolean
list_page_loaded (gpointer data)
{
  return foyer_drive_item_list_get_pages_loaded (data) > 0
         || foyer_drive_item_list_get_error (data) != NULL;
}

static FoyerDriveItem *
find_item (FoyerPickerDialog *dialog, const char *name)
{
  GListModel *model = _foyer_picker_dialog_get_model (dialog);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (foyer_drive_item_get_name (item), name))
        return item;
    }
  g_assert_not_reached ();
}

static gboolean
shows_items (gpointer data)
{
  const char *state = _foyer_picker_dialog_get_state (data);

  return g_str_equal (state, "list") || g_str_equal (state, "grid");
}

typedef struct
{
  gboolean painted;
  double paint_start;
  double layout_start;
  GArray *frame_ms;  /* layout start → after paint */
  GArray *layout_ms; /* layout phase: binding tiles (our code) and measuring */
  gboolean recording;
} Frames;

static void
layout_cb (GdkFrameClock *clock, Frames *frames)
{
  frames->layout_start = now_ms ();
}

static void
paint_cb (GdkFrameClock *clock, Frames *frames)
{
  frames->paint_start = now_ms ();
}

static double timeline_t0;

static void
timeline_cb (GdkFrameClock *clock, gpointer phase)
{
  if (timeline_t0 > 0)
    g_print ("#     %s at %.1f ms\n", (const char *) phase, now_ms () - timeline_t0);
}

static void
after_paint_cb (GdkFrameClock *clock, Frames *frames)
{
  double end = now_ms ();

  if (frames->recording && frames->layout_start > 0)
    {
      double frame = end - frames->layout_start;
      double layout = frames->paint_start - frames->layout_start;

      g_array_append_val (frames->frame_ms, frame);
      g_array_append_val (frames->layout_ms, layout);
    }
  frames->layout_start = 0;
  frames->painted = TRUE;
}

typedef struct
{
  GListModel *model;
  guint before;
} Grew;

static gboolean
model_grew (gpointer data)
{
  Grew *grew = data;

  return g_list_model_get_n_items (grew->model) > grew->before;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
bytes_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  *(GBytes **) user_data
      = foyer_graph_client_request_bytes_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
have_bytes (gpointer data)
{
  return *(GBytes **) data != NULL;
}

static double
first_page_ms (FoyerGraphClient *client, FoyerDriveItem *big)
{
  g_autoptr (FoyerDriveItemList) list = NULL;
  double start = now_ms ();

  list = foyer_drive_item_list_new_children (client, foyer_drive_item_get_target_drive_id (big),
                                             foyer_drive_item_get_target_id (big));
  g_assert_true (foyer_ui_test_wait_until (list_page_loaded, list, 30000));
  g_assert_null (foyer_drive_item_list_get_error (list));
  return now_ms () - start;
}

/* Issue #16: what https costs the picker. The first page's very bytes over
 * http and https from this process, then the picker's own request against
 * a sandbox that closes every connection (a handshake each time). */
static void
tls_cost (FoyerDriveItem *big, double round_trip)
{
  g_autofree char *children = foyer_graph_item_path (foyer_drive_item_get_target_drive_id (big),
                                                     foyer_drive_item_get_target_id (big),
                                                     "/children?$select=" FOYER_DRIVE_ITEM_SELECT);
  g_autoptr (GBytes) page = NULL;
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) closing = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  FoyerBenchTls tls;

  foyer_graph_client_request_bytes_async (graph, "GET", children, NULL, bytes_cb, &page);
  g_assert_true (foyer_ui_test_wait_until (have_bytes, &page, 30000));
  foyer_bench_tls_cost ("picker: first page of Big folder", page, "application/json", &tls);
  g_print ("# picker: TLS on the first page: %.2f ms of the %.1f ms round trip on a kept "
           "connection (%.1f%%); a new connection adds a handshake, %.2f ms\n",
           tls.warm_https_ms - tls.warm_http_ms, round_trip,
           100.0 * (tls.warm_https_ms - tls.warm_http_ms) / round_trip,
           tls.cold_https_ms - tls.cold_http_ms);

  /* The picker's own request, a handshake each time against none, taken
   * in turns so that the machine's load weighs on both alike. */
  first_page_ms (closing_graph, big);
  for (int i = 0; i < 7; i++)
    {
      double warm = first_page_ms (graph, big);
      double cold = first_page_ms (closing_graph, big);
      double ratio = cold / warm;

      g_array_append_val (kept, warm);
      g_array_append_val (closing, cold);
      g_array_append_val (ratios, ratio);
    }
  g_print ("# picker: first page with a TLS handshake per request (a sandbox that closes every "
           "connection) %.1f ms (min %.1f, max %.1f), on a kept connection %.1f ms (min %.1f, "
           "max %.1f): %.2fx (min %.2fx, max %.2fx)\n",
           percentile (closing, 0.5), percentile (closing, 0.0), percentile (closing, 1.0),
           percentile (kept, 0.5), percentile (kept, 0.0), percentile (kept, 1.0),
           percentile (ratios, 0.5), percentile (ratios, 0.0), percentile (ratios, 1.0));
}

typedef struct
{
  double round_trip; /* the same request the picker makes, alone */
  double parsed;     /* from the activation until the first page is in the list */
  double model;      /* … until the view shows items */
  double visible;    /* … until the first frame painted with them */
} FirstPage;

/* A new dialog on the root; one round trip for the first page of Big
 * folder (warm connection), then the folder opened: its first page
 * visible = the first frame painted with its items. Returns the dialog,
 * on Big folder. */
static FoyerPickerDialog *
first_page_once (FoyerPickerPolicy *policy,
                 Frames *frames,
                 FirstPage *page,
                 FoyerDriveItem **big_out)
{
  FoyerPickerDialog *dialog = foyer_picker_dialog_new (NULL, graph, policy);
  g_autoptr (FoyerDriveItem) big = NULL;
  GdkFrameClock *clock;
  gint64 activated;
  gulong id;
  double t0;

  g_object_ref_sink (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_true (foyer_ui_test_wait_until (shows_items, dialog, 30000));
  big = g_object_ref (find_item (dialog, "Big folder"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));

  {
    g_autoptr (FoyerDriveItemList) list = NULL;

    t0 = now_ms ();
    list = foyer_drive_item_list_new_children (graph, foyer_drive_item_get_target_drive_id (big),
                                               foyer_drive_item_get_target_id (big));
    g_assert_true (foyer_ui_test_wait_until (list_page_loaded, list, 30000));
    g_assert_null (foyer_drive_item_list_get_error (list));
    page->round_trip = now_ms () - t0;
  }

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (dialog));
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), frames);
  if (g_getenv ("FOYER_BENCH_VERBOSE") != NULL)
    g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, NULL));
  if (g_getenv ("FOYER_BENCH_VERBOSE") != NULL)
    {
      g_signal_connect (clock, "layout", G_CALLBACK (timeline_cb), "layout");
      g_signal_connect (clock, "paint", G_CALLBACK (timeline_cb), "paint");
      g_signal_connect (clock, "after-paint", G_CALLBACK (timeline_cb), "after-paint");
    }
  t0 = timeline_t0 = now_ms ();
  activated = g_get_real_time () / 1000;
  foyer_picker_dialog_activate_item (dialog, big);
  {
    GListModel *filtered = gtk_sort_list_model_get_model (
        GTK_SORT_LIST_MODEL (_foyer_picker_dialog_get_model (dialog)));
    GListModel *list = gtk_filter_list_model_get_model (GTK_FILTER_LIST_MODEL (filtered));

    g_assert_true (FOYER_IS_DRIVE_ITEM_LIST (list));
    g_assert_true (foyer_ui_test_wait_until (list_page_loaded, list, 30000));
    page->parsed = now_ms () - t0;
    if (g_getenv ("FOYER_BENCH_VERBOSE") != NULL)
      g_print ("#     parsed at %.1f ms\n", page->parsed);
  }
  g_assert_true (foyer_ui_test_wait_until (shows_items, dialog, 30000));
  page->model = now_ms () - t0;
  frames->painted = FALSE;
  g_assert_true (foyer_ui_test_wait_until (is_true, &frames->painted, 10000));
  page->visible = now_ms () - t0;
  timeline_t0 = 0;
  g_set_object (big_out, big);
  g_signal_handler_disconnect (clock, id);
  if (g_getenv ("FOYER_BENCH_VERBOSE") != NULL)
    {
      g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, NULL);

      g_print ("# activated at %" G_GINT64_FORMAT ": parsed %.1f, model %.1f, visible %.1f ms\n",
               activated, page->parsed, page->model, page->visible);
      for (guint i = 0; log != NULL && i < json_array_get_length (log); i++)
        {
          JsonObject *e = json_array_get_object_element (log, i);

          g_print ("#   %" G_GINT64_FORMAT " +%" G_GINT64_FORMAT " %s %.80s\n",
                   json_object_get_int_member (e, "timestampMs"),
                   json_object_get_int_member (e, "durationMs"),
                   json_object_get_string_member (e, "method"),
                   json_object_get_string_member (e, "path"));
        }
    }
  return dialog;
}

static void
print_spread (const char *what, GArray *values)
{
  g_print ("# picker: %s: %.1f / %.1f / %.1f ms (min / median / max of %u)\n", what,
           percentile (values, 0.0), percentile (values, 0.5), percentile (values, 1.0),
           values->len);
}

static void
bench_picker (void)
{
  const FoyerLinkAudience audiences[]
      = { FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_AUDIENCE_NONE };
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (audiences, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);
  FoyerPickerDialog *dialog = NULL;
  g_autoptr (FoyerDriveItem) big = NULL;
  GListModel *model;
  GtkAdjustment *adjustment;
  GdkFrameClock *clock;
  Frames frames = { 0 };
  const char *env_items = g_getenv ("FOYER_BENCH_ITEMS");
  const char *env_runs = g_getenv ("FOYER_BENCH_RUNS");
  guint target = env_items != NULL ? (guint) g_ascii_strtoull (env_items, NULL, 10) : 100000;
  guint runs = env_runs != NULL ? CLAMP (g_ascii_strtoull (env_runs, NULL, 10), 1, 50) : 5;
  double load_start, load_ms;
  gsize rss_before, rss_after, heap_before, heap_after, thumbs_before, thumbs_after;
  guint loaded, over_16 = 0, layout_over_16 = 0;
  gulong ids[3];

  /* The first page, against the round trip measured just before it. */
  {
    g_autoptr (GArray) round_trips = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) parsed = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) in_model = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) visible = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) overheads = g_array_new (FALSE, FALSE, sizeof (double));
    g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));

    for (guint i = 0; i <= runs; i++)
      {
        FirstPage page;
        double overhead, ratio;

        if (dialog != NULL)
          {
            gtk_window_destroy (GTK_WINDOW (dialog));
            g_object_unref (dialog);
          }
        dialog = first_page_once (policy, &frames, &page, &big);
        if (i == 0)
          continue; /* warm-up: the sandbox's and the app's first time */
        overhead = page.visible - page.round_trip;
        ratio = page.visible / page.round_trip;
        g_array_append_val (round_trips, page.round_trip);
        g_array_append_val (parsed, page.parsed);
        g_array_append_val (in_model, page.model);
        g_array_append_val (visible, page.visible);
        g_array_append_val (overheads, overhead);
        g_array_append_val (ratios, ratio);
      }
    print_spread ("one round trip for the first page of Big folder (reference)", round_trips);
    print_spread ("opening Big folder: first page in the list", parsed);
    print_spread ("opening Big folder: items shown by the view", in_model);
    print_spread ("opening Big folder: first page visible (first frame painted)", visible);
    print_spread ("first page visible minus the same run's round trip (goal <= 50 ms)", overheads);
    g_print ("# picker: first page visible / round trip: ratio %.2f / %.2f / %.2f\n",
             percentile (ratios, 0.0), percentile (ratios, 0.5), percentile (ratios, 1.0));
    tls_cost (big, percentile (round_trips, 0.5));
  }
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (dialog));
  ids[0] = g_signal_connect (clock, "layout", G_CALLBACK (layout_cb), &frames);
  ids[1] = g_signal_connect (clock, "paint", G_CALLBACK (paint_cb), &frames);
  ids[2] = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &frames);

  /* Load pages by scrolling to the end, as a person would. */
  model = _foyer_picker_dialog_get_model (dialog);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (
      foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_PICKER_DIALOG, "list_scroller")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  rss_before = resident_bytes ();
  heap_before = mallinfo2 ().uordblks;
  thumbs_before = foyer_thumbnail_loader_get_memory_bytes (
      _foyer_picker_dialog_get_thumbnail_loader (dialog));
  loaded = g_list_model_get_n_items (model);
  load_start = now_ms ();
  while (g_list_model_get_n_items (model) < target && now_ms () - load_start < 240000)
    {
      Grew grew = { model, g_list_model_get_n_items (model) };

      /* The adjustment's upper grows at the next layout; then scroll to the
       * end, which makes the view ask for the next page. */
      foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
      foyer_ui_test_wait_until (model_grew, &grew, 5000);
      if (g_getenv ("FOYER_BENCH_VERBOSE") != NULL)
        g_print ("# %u items at %.0f ms\n", g_list_model_get_n_items (model),
                 now_ms () - load_start);
    }
  load_ms = now_ms () - load_start;
  rss_after = resident_bytes ();
  heap_after = mallinfo2 ().uordblks;
  thumbs_after = foyer_thumbnail_loader_get_memory_bytes (
      _foyer_picker_dialog_get_thumbnail_loader (dialog));
  g_print ("# picker: loaded %u items (from %u) in %.0f ms (%.2f ms per page of 200)\n",
           g_list_model_get_n_items (model), loaded, load_ms,
           load_ms / MAX (1.0, (g_list_model_get_n_items (model) - loaded) / 200.0));
  g_print ("# picker: heap in use %.1f KiB per 1000 items loaded (thumbnail bytes cached "
           "meanwhile excluded: %.1f MiB)\n",
           ((double) heap_after - (double) heap_before
            - ((double) thumbs_after - (double) thumbs_before))
               / 1024.0 / MAX (1.0, (g_list_model_get_n_items (model) - loaded) / 1000.0),
           ((double) thumbs_after - (double) thumbs_before) / 1048576.0);
  g_print ("# picker: resident %.1f KiB per 1000 items loaded (resident %.1f → %.1f MiB)\n",
           (double) (rss_after - rss_before) / 1024.0
               / MAX (1.0, (g_list_model_get_n_items (model) - loaded) / 1000.0),
           rss_before / 1048576.0, rss_after / 1048576.0);
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, MIN (target, 1000));

  /* Scroll to random positions; time each frame. */
  frames.frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  frames.layout_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_random_set_seed (2027);
  for (int i = 0; i < 200; i++)
    {
      double upper = gtk_adjustment_get_upper (adjustment);
      double page = gtk_adjustment_get_page_size (adjustment);

      frames.recording = TRUE;
      frames.painted = FALSE;
      gtk_adjustment_set_value (adjustment, g_random_double_range (0, MAX (0, upper - page)));
      g_assert_true (foyer_ui_test_wait_until (is_true, &frames.painted, 10000));
    }
  frames.recording = FALSE;

  /* For scale: frames that scroll by one pixel, so that no tile is bound
   * and GTK only moves what it has. */
  {
    g_autoptr (GArray) saved = frames.frame_ms;

    frames.frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
    for (int i = 0; i < 30; i++)
      {
        frames.recording = TRUE;
        frames.painted = FALSE;
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + 1);
        g_assert_true (foyer_ui_test_wait_until (is_true, &frames.painted, 10000));
      }
    frames.recording = FALSE;
    g_print ("# picker: for scale, frames scrolling by one pixel (no tile bound): p50 %.1f ms, "
             "max %.1f ms\n",
             percentile (frames.frame_ms, 0.5), percentile (frames.frame_ms, 1.0));
    g_array_unref (frames.frame_ms);
    frames.frame_ms = g_steal_pointer (&saved);
  }
  g_array_set_size (frames.layout_ms, frames.frame_ms->len);

  for (guint i = 0; i < frames.frame_ms->len; i++)
    {
      over_16 += g_array_index (frames.frame_ms, double, i) > 16.0;
      layout_over_16 += g_array_index (frames.layout_ms, double, i) > 16.0;
    }
  g_print ("# picker: %u frames scrolling to random positions over %u items: layout+paint "
           "p50 %.1f ms, p95 %.1f ms, max %.1f ms, %u over 16 ms\n",
           frames.frame_ms->len, g_list_model_get_n_items (model),
           percentile (frames.frame_ms, 0.5), percentile (frames.frame_ms, 0.95),
           percentile (frames.frame_ms, 1.0), over_16);
  g_print ("# picker: layout phase (binding tiles: our code, and measuring) p50 %.1f ms, "
           "p95 %.1f ms, max %.1f ms, %u over 16 ms\n",
           percentile (frames.layout_ms, 0.5), percentile (frames.layout_ms, 0.95),
           percentile (frames.layout_ms, 1.0), layout_over_16);
  g_assert_cmpuint (frames.frame_ms->len, >, 0);

  /* Our share of a frame: binding a tile to an item (labels, icon, dates,
   * accessible properties, the deferred thumbnail). */
  {
    GtkWidget *window = gtk_window_new ();
    GtkWidget *tile
        = foyer_picker_tile_new (_foyer_picker_dialog_get_thumbnail_loader (dialog), FALSE);
    guint n = MIN (g_list_model_get_n_items (model), 5000);
    double start, bind_ms;

    gtk_window_set_child (GTK_WINDOW (window), tile);
    start = now_ms ();
    for (guint i = 0; i < n; i++)
      {
        g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

        foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), item);
      }
    bind_ms = (now_ms () - start) / n;
    g_print ("# picker: binding a tile takes %.3f ms (a screenful of 20 tiles: %.2f ms)\n", bind_ms,
             20 * bind_ms);
    start = now_ms ();
    for (int i = 0; i < 50; i++)
      g_object_unref (g_object_ref_sink (foyer_picker_tile_new (NULL, FALSE)));
    g_print ("# picker: making a tile (from its template) takes %.3f ms\n",
             (now_ms () - start) / 50);
    foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), NULL);
    gtk_window_destroy (GTK_WINDOW (window));
  }

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    g_signal_handler_disconnect (clock, ids[i]);
  g_array_unref (frames.frame_ms);
  g_array_unref (frames.layout_ms);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStaticAuthorizer) authorizer = NULL;
  g_autofree char *token = NULL;
  g_autofree char *latency = g_strdup (g_getenv ("FOYER_BENCH_LATENCY_MS"));
  const char *args[] = { "--latency-ms", latency != NULL ? latency : "20", NULL };
  int status;

  foyer_ui_test_init (&argc, &argv);
  sandbox = foyer_test_sandbox_start (args, &error);
  g_assert_no_error (error);
  token = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);
  authorizer = foyer_static_authorizer_new (token);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);
  graph = foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (authorizer));
  {
    const char *closing_args[]
        = { "--latency-ms", latency != NULL ? latency : "20", "--close-connections", NULL };
    g_autofree char *closing_token = NULL;
    g_autoptr (FoyerStaticAuthorizer) closing_authorizer = NULL;

    closing_sandbox = foyer_test_sandbox_start (closing_args, &error);
    g_assert_no_error (error);
    closing_token
        = foyer_test_sandbox_mint_token (closing_sandbox, "alice@contoso.example", NULL, &error);
    g_assert_no_error (error);
    closing_authorizer = foyer_static_authorizer_new (closing_token);
    closing_cloud
        = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (closing_sandbox), &error);
    g_assert_no_error (error);
    closing_graph
        = foyer_graph_client_new_for_cloud (closing_cloud, FOYER_AUTHORIZER (closing_authorizer));
  }

  g_test_add_func ("/bench/picker/big-folder", bench_picker);
  status = g_test_run ();

  g_clear_object (&graph);
  g_clear_object (&cloud);
  g_clear_object (&closing_graph);
  g_clear_object (&closing_cloud);
  foyer_test_sandbox_unref (closing_sandbox);
  foyer_test_sandbox_unref (sandbox);
  return status;
}
