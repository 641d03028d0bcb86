/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The spaces view's figures: start-up to the first drawn frame with 50
 * spaces of 1,000 messages each (read back from the encrypted local store)
 * against an empty GTK window in the same run, memory after loading, and
 * frame times while jumping around a 10,000-message space.
 *
 * Each start-up is measured in a fresh process (this program runs itself
 * with --child), from main() to the first frame the window paints.
 */
#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "foyer-application.h"
#include "foyer-message-list.h"
#include "foyer-space-item.h"
#include "foyer-store.h"
#include "foyer-window.h"

#define SPACES    50
#define MESSAGES  1000
#define BIG_SPACE 10000
#define RUNS      5

static gint64 start_us;
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
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb),
                    NULL);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
}

static long
rss_kib (void)
{
  g_autofree char *text = NULL;
  long pages = 0, resident = 0;

  if (g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
    sscanf (text, "%ld %ld", &pages, &resident);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
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

/* What the session does with its cache at start, on the main thread. */
static FoyerSpaceItem *
space_from_blob (guint index, GBytes *blob)
{
  g_autofree char *id = g_strdup_printf ("space-%u", index);
  g_autofree char *title = g_strdup_printf ("Project %u", index);
  FoyerSpaceItem *space = foyer_space_item_new (id);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;

  foyer_space_item_set_title (space, title);
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
  return space;
}

static int
child_main (const char *mode, const char *db)
{
  GtkWidget *window;
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (FoyerApplication) app = NULL;
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (GError) error = NULL;
  long rss_before;

  gtk_init ();
  adw_init ();
  rss_before = rss_kib ();

  if (g_str_equal (mode, "empty"))
    window = gtk_window_new ();
  else
    {
      g_autoptr (GPtrArray) entries = NULL;

      app = foyer_application_new ();
      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
      store = foyer_store_open_sync (db, "bench", NULL, &error);
      g_assert_no_error (error);
      /* As the session does: every space for the sidebar, then the cached
       * messages of the one that opens. */
      entries = foyer_store_list (store, FOYER_STORE_NS_SPACES, &error);
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
      {
        g_autoptr (FoyerSpaceItem) first = g_list_model_get_item (G_LIST_MODEL (spaces), 0);
        g_autoptr (GBytes) blob = foyer_store_get (store, FOYER_STORE_NS_MESSAGES,
                                                   foyer_space_item_get_id (first), &error);
        g_autoptr (FoyerSpaceItem) loaded = space_from_blob (0, blob);

        g_assert_no_error (error);
        g_list_store_splice (spaces, 0, 1, (gpointer *) &loaded, 1);
      }
      window = GTK_WIDGET (foyer_window_new (GTK_APPLICATION (app), NULL, NULL));
      foyer_window_set_spaces (FOYER_WINDOW (window), G_LIST_MODEL (spaces));
      {
        g_autoptr (FoyerSpaceItem) first = g_list_model_get_item (G_LIST_MODEL (spaces), 0);
        foyer_window_open_space (FOYER_WINDOW (window), first);
      }
    }

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  wait_first_frame (window);
  printf ("%.1f %ld\n", (g_get_monotonic_time () - start_us) / 1000.0, rss_kib () - rss_before);
  return 0;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
run_children (
    const char *self_path, const char *mode, const char *db, double *out_ms, double *out_rss)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) rss = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < RUNS; i++)
    {
      const char *argv[] = { self_path, "--child", mode, db, NULL };
      g_autofree char *out = NULL;
      g_autoptr (GError) error = NULL;
      int status = 0;
      double ms = 0, kib = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_cmpint (sscanf (out, "%lf %lf", &ms, &kib), ==, 2);
      g_array_append_val (times, ms);
      g_array_append_val (rss, kib);
    }
  g_array_sort (times, compare_doubles);
  g_array_sort (rss, compare_doubles);
  *out_ms = g_array_index (times, double, RUNS / 2);
  *out_rss = g_array_index (rss, double, RUNS / 2);
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
report_frames (const char *what, GArray *frames)
{
  g_array_sort (frames, compare_doubles);
  printf ("%s: frame p50 %.1f ms, p95 %.1f ms, worst %.1f ms\n", what,
          g_array_index (frames, double, frames->len / 2),
          g_array_index (frames, double, frames->len * 95 / 100),
          g_array_index (frames, double, frames->len - 1));
}

/* One frame after moving the view to value: how long it took to lay out
 * and paint. */
static double
frame_after_scroll (GtkWidget *window, GtkAdjustment *adj, double value)
{
  gint64 before = g_get_monotonic_time ();

  gtk_adjustment_set_value (adj, value);
  painted = FALSE;
  gtk_widget_queue_draw (window);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  return (g_get_monotonic_time () - before) / 1000.0;
}

/* A 10,000-message space: scrolling up through its history (each time at
 * the top, the window shows the next 50 older messages), then jumping to
 * random places in what has been shown by then. */
static void
scroll_frames (void)
{
  g_autoptr (FoyerApplication) app = foyer_application_new ();
  g_autoptr (GBytes) blob = messages_blob (0, BIG_SPACE);
  g_autoptr (FoyerSpaceItem) space = space_from_blob (0, blob);
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) up = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) jumps = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autofree char *up_what = NULL;
  g_autofree char *jump_what = NULL;
  FoyerWindow *window;
  GtkListView *view;
  GtkAdjustment *adj;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_list_store_append (spaces, space);
  window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
  foyer_window_set_spaces (window, G_LIST_MODEL (spaces));
  foyer_window_open_space (window, space);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  painted = FALSE;
  wait_first_frame (GTK_WIDGET (window));
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (
      gtk_widget_get_template_child (GTK_WIDGET (window), FOYER_TYPE_WINDOW, "messages_scroller")));
  view = GTK_LIST_VIEW (
      gtk_widget_get_template_child (GTK_WIDGET (window), FOYER_TYPE_WINDOW, "messages_view"));

  for (guint i = 0; i < 100; i++)
    {
      double ms = frame_after_scroll (GTK_WIDGET (window), adj, 0);

      g_array_append_val (up, ms);
    }
  for (guint i = 0; i < 200; i++)
    {
      double upper = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);
      double ms = frame_after_scroll (GTK_WIDGET (window), adj,
                                      g_rand_double_range (rand, 0, MAX (upper, 1)));

      g_array_append_val (jumps, ms);
    }

  up_what = g_strdup_printf ("scrolling up through a %d-message space, 100 steps to the top",
                             BIG_SPACE);
  report_frames (up_what, up);
  jump_what
      = g_strdup_printf ("then 200 jumps among the %u messages shown by then",
                         g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))));
  report_frames (jump_what, jumps);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *self_path = NULL;
  double empty_ms, empty_kib, full_ms, full_kib;

  start_us = g_get_monotonic_time ();
  g_set_prgname ("foyer-bench");
  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return child_main (argv[2], argv[3]);

  if (g_getenv ("FOYER_BENCH_SCROLL_ONLY") != NULL)
    {
      gtk_init ();
      adw_init ();
      scroll_frames ();
      return 0;
    }

  self_path = g_canonicalize_filename (argv[0], NULL);
  db = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR") ?: g_get_tmp_dir (), "bench-spaces.db",
                         NULL);
  fill_store (db);

  run_children (self_path, "empty", db, &empty_ms, &empty_kib);
  run_children (self_path, "full", db, &full_ms, &full_kib);
  printf ("start-up to first frame (median of %d): empty GTK window %.0f ms; Foyer with %d spaces "
          "x %d cached messages %.0f ms (%.2fx the empty window)\n",
          RUNS, empty_ms, SPACES, MESSAGES, full_ms, full_ms / empty_ms);
  printf ("memory added by the first frame: empty window %.0f KiB; Foyer %.0f KiB (%d spaces, "
          "the open one's %d messages loaded)\n",
          empty_kib, full_kib, SPACES, MESSAGES);

  gtk_init ();
  adw_init ();
  scroll_frames ();
  return 0;
}
