/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The spaces view's figures, each against a reference measured in the same
 * run (min / median / max over RUNS runs, the two kinds alternated so that
 * the machine's load falls on both alike):
 *
 * - start-up to the first painted frame with 50 spaces of 1,000 messages
 *   each (read back from the encrypted local store), against an empty
 *   AdwApplicationWindow in a program that links only libadwaita
 *   (bench-empty-window). Each start is a fresh process (this program runs
 *   itself with --child), timed from just before it is spawned, so that
 *   loading and relocating the libraries count too;
 * - the main process's proportional set size (PSS) once all 50 spaces have
 *   been opened one after another, against the empty window's;
 * - frame times while scrolling up through a 10,000-message space (50 older
 *   messages shown at each top) and jumping around it, against a bare
 *   GtkListView of the same messages as plain wrapped labels, grown the
 *   same way.
 *
 * FOYER_BENCH_RUNS (default 5) changes the number of runs.
 */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "foyer-application.h"
#include "foyer-message-list.h"
#include "foyer-space-item.h"
#include "foyer-store.h"
#include "foyer-window.h"

#define SPACES       50
#define MESSAGES     1000
#define BIG_SPACE    10000
#define SCROLL_STEPS 60
#define JUMPS        100
#define PAGE         50

static guint runs = 5;
static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock, gpointer data)
{
  painted = TRUE;
}

static void
wait_first_frame (GtkWidget *window)
{
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  painted = FALSE;
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb),
                    NULL);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static void
wait_next_frame (GtkWidget *window)
{
  painted = FALSE;
  gtk_widget_queue_draw (window);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

/* The process's proportional set size in KiB: its own pages, and its
 * share of those it maps with others. */
static long
pss_kib (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/smaps_rollup", &text, NULL, NULL))
    return -1;
  line = strstr (text, "\nPss:");
  return line != NULL ? strtol (line + 5, NULL, 10) : -1;
}

/* The CPU time the process has used, all its threads (ms). */
static double
process_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

static GBytes *
messages_blob (guint space, guint count)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) base = g_date_time_new_utc (2026, 11, 1, 9, 0, 0);
  char *text;

  json_builder_begin_array (b);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr (GDateTime) when = g_date_time_add_minutes (base, i * 3);
      g_autofree char *created = g_date_time_format_iso8601 (when);
      g_autofree char *id = g_strdup_printf ("s%u-m%u", space, i);
      g_autofree char *body = g_strdup_printf ("Message %u of space %u: a line of ordinary "
                                               "conversation, about as long as most.",
                                               i, space);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "seq");
      json_builder_add_int_value (b, i + 1);
      json_builder_set_member_name (b, "authorId");
      json_builder_add_string_value (b, i % 3 == 0 ? "alice" : "bob");
      json_builder_set_member_name (b, "authorName");
      json_builder_add_string_value (b, i % 3 == 0 ? "Alice Martin" : "Bob Dupont");
      json_builder_set_member_name (b, "created");
      json_builder_add_string_value (b, created);
      json_builder_set_member_name (b, "body");
      json_builder_add_string_value (b, body);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

/* What the session does with its cache when a space opens. */
static void
space_load_blob (FoyerSpaceItem *space, GBytes *blob)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (blob, NULL),
                                             g_bytes_get_size (blob), NULL));
  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      g_autoptr (GDateTime) created
          = g_date_time_new_from_iso8601 (json_object_get_string_member (o, "created"), NULL);

      g_ptr_array_add (
          items, foyer_message_item_new (
                     json_object_get_string_member (o, "id"), json_object_get_int_member (o, "seq"),
                     json_object_get_string_member (o, "authorId"),
                     json_object_get_string_member (o, "authorName"), created,
                     json_object_get_string_member (o, "body"), FOYER_MESSAGE_STATE_SENT));
    }
  foyer_message_list_add_many (foyer_space_item_get_messages (space), items);
  foyer_space_item_set_last_activity (
      space, foyer_message_item_get_created (g_ptr_array_index (items, items->len - 1)));
}

static void
open_from_store (FoyerWindow *window, FoyerStore *store, FoyerSpaceItem *space)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) blob
      = foyer_store_get (store, FOYER_STORE_NS_MESSAGES, foyer_space_item_get_id (space), &error);

  g_assert_no_error (error);
  space_load_blob (space, blob);
  foyer_window_open_space (window, space);
}

static GtkWidget *
foyer_child_window (const char *db, FoyerApplication *app, FoyerStore **store, GListStore *spaces)
{
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) first = NULL;
  FoyerWindow *window;

  *store = foyer_store_open_sync (db, "bench", NULL, &error);
  g_assert_no_error (error);
  /* As the session does: every space for the sidebar, then the cached
   * messages of the one that opens. */
  entries = foyer_store_list (*store, FOYER_STORE_NS_SPACES, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, SPACES);
  for (guint i = 0; i < entries->len; i++)
    {
      FoyerStoreEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr (FoyerSpaceItem) space = foyer_space_item_new (entry->key);
      g_autofree char *title
          = g_strndup (g_bytes_get_data (entry->value, NULL), g_bytes_get_size (entry->value));

      foyer_space_item_set_title (space, title);
      g_list_store_append (spaces, space);
    }
  window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
  foyer_window_set_spaces (window, G_LIST_MODEL (spaces));
  first = g_list_model_get_item (G_LIST_MODEL (spaces), 0);
  open_from_store (window, *store, first);
  return GTK_WIDGET (window);
}

/* Prints when the first frame was painted (monotonic µs), the PSS then
 * and, for "all", the PSS once every space has been opened. */
static int
child_main (const char *mode, const char *db)
{
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (GApplication) app = NULL;
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *window;
  gint64 frame_us;
  long first_pss, all_pss;
  double cpu_ms;

  app = G_APPLICATION (foyer_application_new ());
  g_application_set_flags (app, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (app, NULL, &error));
  window = foyer_child_window (db, FOYER_APPLICATION (app), &store, spaces);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_first_frame (window);
  frame_us = g_get_monotonic_time ();
  cpu_ms = process_cpu_ms ();
  first_pss = all_pss = pss_kib ();

  if (g_str_equal (mode, "all"))
    {
      for (guint i = 1; i < SPACES; i++)
        {
          g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (G_LIST_MODEL (spaces), i);

          open_from_store (FOYER_WINDOW (window), store, space);
          wait_next_frame (window);
        }
      /* What stays once the work is done, not what a pass left in
       * flight: the frames after the last one opened (the rest of its
       * first 50 messages come in the second), then idle work. */
      wait_next_frame (window);
      wait_next_frame (window);
      for (int i = 0; i < 100; i++)
        g_main_context_iteration (NULL, FALSE);
      all_pss = pss_kib ();
    }
  if (g_getenv ("FOYER_BENCH_SMAPS") != NULL)
    {
      g_autofree char *smaps = NULL;
      g_autofree char *name = g_strdup_printf ("%s/smaps-%s", g_getenv ("FOYER_BENCH_SMAPS"), mode);

      g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL);
      g_file_set_contents (name, smaps, -1, NULL);
    }
  printf ("%" G_GINT64_FORMAT " %ld %ld %.1f\n", frame_us, first_pss, all_pss, cpu_ms);
  return 0;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
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

/* The ratios of pairs measured one after the other. */
static GArray *
ratios_of (GArray *values, GArray *references)
{
  GArray *ratios = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < values->len; i++)
    {
      double r = g_array_index (values, double, i) / g_array_index (references, double, i);

      g_array_append_val (ratios, r);
    }
  return ratios;
}

static void
print_figure (const char *what, const char *unit, GArray *values, GArray *references)
{
  g_autoptr (GArray) ratios = ratios_of (values, references);
  Spread v = spread_of (values), r = spread_of (references), q = spread_of (ratios);

  printf ("%s: %.1f / %.1f / %.1f %s; reference %.1f / %.1f / %.1f %s; ratio %.2f / %.2f / "
          "%.2f (min / median / max of %u)\n",
          what, v.min, v.median, v.max, unit, r.min, r.median, r.max, unit, q.min, q.median, q.max,
          values->len);
}

/* Spawns this program in child mode; returns the time from spawning it to
 * its first frame, and its PSS figures. */
static double
run_child (
    const char *self_path, const char *mode, const char *db, long *first, long *all, double *cpu_ms)
{
  const char *argv[]
      = { g_str_equal (mode, "empty") ? BENCH_EMPTY_WINDOW : self_path, "--child", mode, db, NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  gint64 frame_us = 0;
  gint64 spawned;
  int status = 0;

  spawned = g_get_monotonic_time ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpint (sscanf (out, "%" G_GINT64_FORMAT " %ld %ld %lf", &frame_us, first, all, cpu_ms),
                   ==, 4);
  return (frame_us - spawned) / 1000.0;
}

static void
fill_store (const char *db)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = foyer_store_open_sync (db, "bench", NULL, &error);

  g_assert_no_error (error);
  for (guint s = 0; s < SPACES; s++)
    {
      g_autoptr (GBytes) blob = messages_blob (s, MESSAGES);
      g_autofree char *key = g_strdup_printf ("space-%u", s);

      g_autofree char *title = g_strdup_printf ("Project %u", s);
      g_autoptr (GBytes) space = g_bytes_new (title, strlen (title));

      g_assert_true (foyer_store_put (store, FOYER_STORE_NS_MESSAGES, key, blob, &error));
      g_assert_true (foyer_store_put (store, FOYER_STORE_NS_SPACES, key, space, &error));
    }
  foyer_store_close (store);
}

static void
bench_start_up (const char *self_path, const char *db)
{
  g_autoptr (GArray) empty_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) full_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) empty_mib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) full_mib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) all_mib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) all_ref_mib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) empty_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) full_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  long first = 0, all = 0, empty_first = 0;
  double ms, mib, cpu;

  /* One of each first, unmeasured: the disk cache holds the libraries. */
  run_child (self_path, "empty", db, &first, &all, &cpu);
  run_child (self_path, "full", db, &first, &all, &cpu);
  for (guint i = 0; i < runs; i++)
    {
      ms = run_child (self_path, "empty", db, &empty_first, &all, &cpu);
      g_array_append_val (empty_ms, ms);
      g_array_append_val (empty_cpu, cpu);
      mib = empty_first / 1024.0;
      g_array_append_val (empty_mib, mib);
      ms = run_child (self_path, "full", db, &first, &all, &cpu);
      g_array_append_val (full_ms, ms);
      g_array_append_val (full_cpu, cpu);
      mib = first / 1024.0;
      g_array_append_val (full_mib, mib);
      if (g_getenv ("FOYER_BENCH_QUICK") != NULL)
        continue;
      run_child (self_path, "all", db, &first, &all, &cpu);
      mib = all / 1024.0;
      g_array_append_val (all_mib, mib);
      mib = empty_first / 1024.0;
      g_array_append_val (all_ref_mib, mib);
    }
  print_figure ("start-up to first frame, from spawn (50 spaces x 1000 cached messages) vs an "
                "empty AdwApplicationWindow (goal <= 1.5x)",
                "ms", full_ms, empty_ms);
  print_figure ("  the same, CPU time of the main process until its first frame", "ms", full_cpu,
                empty_cpu);
  print_figure ("main-process PSS at the first frame vs the empty window's", "MiB", full_mib,
                empty_mib);
  if (all_mib->len > 0)
    print_figure ("main-process PSS with all 50 spaces opened (goal <= 120 MB = 114.4 MiB) vs the "
                  "empty window's",
                  "MiB", all_mib, all_ref_mib);
}

/* The reference list: a bare GtkListView of the same messages, each a
 * plain wrapped label, its model grown like the window's (the newest
 * PAGE, PAGE more at each top). */

static void
bare_setup_cb (GtkListItemFactory *factory, GtkListItem *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (item, label);
}

static void
bare_bind_cb (GtkListItemFactory *factory, GtkListItem *item)
{
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      foyer_message_item_get_body (gtk_list_item_get_item (item)));
}

typedef struct
{
  GtkFilterListModel *tail;
  GtkCustomFilter *filter;
  gint64 min_seq;
} Bare;

static gboolean
bare_filter_func (gpointer item, gpointer data)
{
  return foyer_message_item_get_seq (item) >= ((Bare *) data)->min_seq;
}

static void
bare_scrolled_cb (GtkAdjustment *adj, Bare *bare)
{
  if (gtk_adjustment_get_value (adj) >= gtk_adjustment_get_page_size (adj) || bare->min_seq <= 1)
    return;
  bare->min_seq = MAX (1, bare->min_seq - PAGE);
  gtk_filter_changed (GTK_FILTER (bare->filter), GTK_FILTER_CHANGE_LESS_STRICT);
}

static GtkWidget *
bare_window (GtkApplication *app, FoyerSpaceItem *space, Bare *bare, GtkAdjustment **adj)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkWidget *view;

  g_signal_connect (factory, "setup", G_CALLBACK (bare_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bare_bind_cb), NULL);
  bare->min_seq = BIG_SPACE - PAGE + 1;
  bare->filter = gtk_custom_filter_new (bare_filter_func, bare, NULL);
  bare->tail = gtk_filter_list_model_new (
      g_object_ref (G_LIST_MODEL (foyer_space_item_get_messages (space))),
      g_object_ref (GTK_FILTER (bare->filter)));
  view = gtk_list_view_new (
      GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (bare->tail)))),
      g_object_ref (factory));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), scroller);
  *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_signal_connect (*adj, "value-changed", G_CALLBACK (bare_scrolled_cb), bare);
  return window;
}

/* One frame after moving the view to value: how long it took to lay out
 * and paint. */
static double
frame_after_scroll (GtkWidget *window, GtkAdjustment *adj, double value)
{
  gint64 before = g_get_monotonic_time ();

  gtk_adjustment_set_value (adj, value);
  wait_next_frame (window);
  return (g_get_monotonic_time () - before) / 1000.0;
}

static double
median_of (GArray *values)
{
  return spread_of (values).median;
}

/* Scrolling up SCROLL_STEPS times to the top of the space, then JUMPS
 * jumps to random places among what is shown by then: the median frame of
 * each. */
static void
scroll_and_jump (GtkWidget *window, GtkAdjustment *adj, double *up_ms, double *jump_ms)
{
  g_autoptr (GArray) up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) jumps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_first_frame (window);
  /* Start from the bottom, as a space opens. */
  for (int i = 0; i < 3; i++)
    frame_after_scroll (window, adj, gtk_adjustment_get_upper (adj));
  for (guint i = 0; i < SCROLL_STEPS; i++)
    {
      double ms = frame_after_scroll (window, adj, 0);

      g_array_append_val (up, ms);
    }
  for (guint i = 0; i < JUMPS; i++)
    {
      double upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
      double ms = frame_after_scroll (window, adj, g_rand_double_range (rand, 0, MAX (upper, 1)));

      g_array_append_val (jumps, ms);
    }
  *up_ms = median_of (up);
  *jump_ms = median_of (jumps);
}

static void
bench_scrolling (void)
{
  g_autoptr (AdwApplication) app
      = adw_application_new ("io.github.foyer.BenchScroll", G_APPLICATION_NON_UNIQUE);
  g_autoptr (GBytes) blob = messages_blob (0, BIG_SPACE);
  g_autoptr (GArray) up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) jump = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) bare_up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) bare_jump = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GError) error = NULL;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  for (guint r = 0; r < runs; r++)
    {
      g_autoptr (FoyerSpaceItem) space = foyer_space_item_new ("space-0");
      g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
      FoyerWindow *window;
      GtkWidget *bare;
      GtkAdjustment *adj;
      Bare b = { NULL };
      double up_ms, jump_ms;

      space_load_blob (space, blob);
      g_list_store_append (spaces, space);
      window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
      foyer_window_set_spaces (window, G_LIST_MODEL (spaces));
      foyer_window_open_space (window, space);
      adj = gtk_scrolled_window_get_vadjustment (
          GTK_SCROLLED_WINDOW (gtk_widget_get_template_child (
              GTK_WIDGET (window), FOYER_TYPE_WINDOW, "messages_scroller")));
      scroll_and_jump (GTK_WIDGET (window), adj, &up_ms, &jump_ms);
      g_array_append_val (up, up_ms);
      g_array_append_val (jump, jump_ms);
      gtk_window_destroy (GTK_WINDOW (window));

      bare = bare_window (GTK_APPLICATION (app), space, &b, &adj);
      scroll_and_jump (bare, adj, &up_ms, &jump_ms);
      g_array_append_val (bare_up, up_ms);
      g_array_append_val (bare_jump, jump_ms);
      g_print ("# run %u: Foyer up %.1f jump %.1f ms; bare list up %.1f jump %.1f ms (%u "
               "messages shown)\n",
               r + 1, g_array_index (up, double, r), g_array_index (jump, double, r), up_ms,
               jump_ms, g_list_model_get_n_items (G_LIST_MODEL (b.tail)));
      gtk_window_destroy (GTK_WINDOW (bare));
      g_object_unref (b.tail);
      g_object_unref (b.filter);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  print_figure ("median frame scrolling up a 10000-message space vs a bare GtkListView of the "
                "same messages (goal <= 1.5x)",
                "ms", up, bare_up);
  print_figure ("median frame jumping to random places in it vs the bare list (goal <= 1.5x)", "ms",
                jump, bare_jump);
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *self_path = NULL;
  const char *env;

  g_set_prgname ("foyer-bench");
  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3]);
  if ((env = g_getenv ("FOYER_BENCH_RUNS")) != NULL)
    runs = CLAMP (g_ascii_strtoull (env, NULL, 10), 1, 50);

  if (g_getenv ("FOYER_BENCH_SCROLL_ONLY") == NULL)
    {
      self_path = g_canonicalize_filename (argv[0], NULL);
      db = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR") ?: g_get_tmp_dir (), "bench-spaces.db",
                             NULL);
      fill_store (db);
      bench_start_up (self_path, db);
    }
  if (g_getenv ("FOYER_BENCH_START_ONLY") == NULL)
    bench_scrolling ();
  return 0;
}
