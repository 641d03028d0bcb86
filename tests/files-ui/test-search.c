/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search on the device, in the app's window, against foyer-service and
 * foyer-ms-sandbox on loopback: Ctrl+F shows the search over the sidebar;
 * what is typed finds messages and file names of every space, grouped by
 * space, the words marked; a space Alice joins with a history of its own is
 * indexed in the background (its progress shown), and what it said before
 * is found; a result opens its space at that message, loading older pages
 * to get there; Escape goes back to the spaces; nothing of it is on disk in
 * plaintext; signing out forgets it all. Ctrl+F is pressed for real,
 * through the X server, from the composer.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "files-ui-test.h"
#include "files/foyer-search-row.h"
#include "files/foyer-search-view.h"
#include "foyer-message-row.h"
#include "foyer-search-results.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"

#define STEP_MS        30000
#define ARCHIVE_FILLER 130

static FoyerApplication *app;

typedef struct
{
  FoyerSearchView *view;
  const char *query;
  guint min_hits;
} ResultsWait;

static guint
count_hits (GListModel *rows)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (GObject) row = g_list_model_get_item (rows, i);

      n += FOYER_IS_SEARCH_HIT (row);
    }
  return n;
}

static gboolean
results_shown (gpointer data)
{
  ResultsWait *w = data;

  return g_strcmp0 (_foyer_search_view_get_shown_query (w->view), w->query) == 0
         && count_hits (_foyer_search_view_get_rows (w->view)) >= w->min_hits;
}

static void
search_for (FoyerSearchView *view, const char *query, guint min_hits)
{
  ResultsWait wait = { view, query, min_hits };

  _foyer_search_view_set_text (view, query);
  if (!foyer_ui_test_wait_until (results_shown, &wait, STEP_MS))
    g_error ("\"%s\" found %u hits, not %u", query, count_hits (_foyer_search_view_get_rows (view)),
             min_hits);
}

/* The row of the hit whose text contains part, and its position. */
static FoyerSearchHit *
find_hit (FoyerSearchView *view, const char *part, guint *position)
{
  GListModel *rows = _foyer_search_view_get_rows (view);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (GObject) row = g_list_model_get_item (rows, i);

      if (FOYER_IS_SEARCH_HIT (row)
          && strstr (foyer_search_hit_get_text (FOYER_SEARCH_HIT (row)), part) != NULL)
        {
          if (position != NULL)
            *position = i;
          return FOYER_SEARCH_HIT (row); /* the view keeps it */
        }
    }
  return NULL;
}

/* The words found are marked bold, on the text's own bytes. */
static void
assert_marked (FoyerSearchHit *hit, const char *word)
{
  g_autoptr (PangoAttrList) attrs = foyer_search_row_highlights (hit);
  g_autoptr (GSList) list = pango_attr_list_get_attributes (attrs);
  const char *text = foyer_search_hit_get_text (hit);
  gboolean found = FALSE;

  for (GSList *l = list; l != NULL; l = l->next)
    {
      PangoAttribute *attr = l->data;
      g_autofree char *marked = NULL;

      if (attr->klass->type == PANGO_ATTR_WEIGHT)
        {
          marked = g_strndup (text + attr->start_index, attr->end_index - attr->start_index);
          if (g_ascii_strncasecmp (marked, word, strlen (word)) == 0)
            found = TRUE;
        }
    }
  g_slist_free_full (g_steal_pointer (&list), (GDestroyNotify) pango_attribute_destroy);
  g_assert_true (found);
}

typedef struct
{
  FilesUi *f;
  const char *body;
} RowWait;

/* A message row showing body is on screen in the conversation. */
static gboolean
message_row_in_view (gpointer data)
{
  RowWait *w = data;
  GtkWidget *view = files_ui_child (w->f, "messages_view");
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  graphene_rect_t bounds;

  foyer_ui_test_collect (view, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = labels->pdata[i];

      if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), w->body) != 0
          || !gtk_widget_get_mapped (label) || !gtk_widget_compute_bounds (label, view, &bounds))
        continue;
      /* Within the view's height, not scrolled away. */
      if (bounds.origin.y >= 0
          && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (view))
        return TRUE;
    }
  return FALSE;
}

static gboolean
search_shown (gpointer data)
{
  FilesUi *f = data;

  return g_strcmp0 (
             gtk_stack_get_visible_child_name (GTK_STACK (files_ui_child (f, "sidebar_stack"))),
             "search")
         == 0;
}

static gboolean
not_showing_message (gpointer data)
{
  return !_foyer_window_get_showing_message (data);
}

typedef struct
{
  FoyerSearchView *view;
  gboolean seen;
} BackfillSeen;

static void
backfill_running_cb (FoyerSearchIndex *index, GParamSpec *pspec, BackfillSeen *seen)
{
  const char *text = _foyer_search_view_get_backfill_text (seen->view);

  if (foyer_search_index_get_backfill_running (index) && text != NULL
      && g_str_has_prefix (text, "Searching older messages too"))
    seen->seen = TRUE;
}

static gboolean
backfill_done (gpointer data)
{
  return !foyer_search_index_get_backfill_running (data);
}

static gboolean
index_empty (gpointer data)
{
  return foyer_search_index_get_n_entries (data) == 0;
}

static void
send (FoyerSession *session, FoyerSpaceItem *space, const char *text)
{
  foyer_session_send_text (session, space, text);
}

static void
test_search (void)
{
  FilesUi f = { NULL };
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  FoyerSpaceItem *archive_bob, *archive;
  FoyerSearchView *view;
  FoyerSearchIndex *index;
  FoyerSearchHit *hit;
  g_autoptr (GError) error = NULL;
  BackfillSeen seen = { NULL };
  RowWait row;
  guint position = 0;
  gulong handler;

  files_ui_start (&f, app, "Planning");
  files_ui_sign_in (&f, bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  view = FOYER_SEARCH_VIEW (files_ui_child (&f, "search_view"));
  index = foyer_session_get_search_index (f.session);

  /* Said live in a space Alice is in, and a document she shares there. */
  files_ui_wait_space (bob, foyer_space_item_get_id (f.space));
  send (bob, foyer_session_find_space (bob, foyer_space_item_get_id (f.space)),
        "The quarterly budget is ready for review");
  files_ui_wait_message (f.space, "The quarterly budget is ready for review", NULL);
  files_ui_share_item (&f, f.space, "Documents/Budget 2027.xlsx");
  files_ui_wait_message (f.space, NULL, "Budget 2027.xlsx");

  /* A space of Bob's with a long history, which Alice joins later. */
  archive_bob = files_ui_create_space (&f, bob, "Archive", NULL);
  send (bob, archive_bob, "The bauxite delivery from Weipa is three weeks late");
  for (guint i = 0; i < ARCHIVE_FILLER; i++)
    {
      g_autofree char *text = g_strdup_printf ("Routine log entry %u", i);

      send (bob, archive_bob, text);
    }
  files_ui_wait_message (archive_bob, "Routine log entry 129", NULL);

  /* Ctrl+F: the search over the sidebar, the keyboard in it. */
  gtk_widget_grab_focus (files_ui_child (&f, "composer_view"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f.window));
  foyer_ui_test_xdotool ("key ctrl+f");
  g_assert_true (foyer_ui_test_wait_until (search_shown, &f, STEP_MS));
  g_assert_true (
      gtk_widget_is_focus (GTK_WIDGET (foyer_ui_test_find (GTK_WIDGET (view), GTK_TYPE_TEXT))));
  search_for (view, "budg", 2);
  hit = find_hit (view, "quarterly budget", NULL);
  g_assert_nonnull (hit);
  g_assert_cmpstr (foyer_search_hit_get_author (hit), ==, "Bob Durand");
  assert_marked (hit, "budget");
  hit = find_hit (view, "Budget 2027.xlsx", NULL);
  g_assert_nonnull (hit);
  g_assert_cmpint (foyer_search_hit_get_kind (hit), ==, FOYER_SEARCH_KIND_FILE);
  assert_marked (hit, "Budget");
  files_ui_screenshot (GTK_WIDGET (f.window), "search-results");

  /* Alice joins the Archive: its history is indexed in the background,
   * with a line saying how far, and found. */
  seen.view = view;
  handler = g_signal_connect (index, "notify::backfill-running", G_CALLBACK (backfill_running_cb),
                              &seen);
  {
    FoyerTestWait wait = { NULL };

    foyer_session_add_member_async (bob, archive_bob, FOYER_TEST_ALICE_EMAIL, NULL,
                                    foyer_test_wait_cb, &wait);
    g_assert_true (foyer_session_add_member_finish (bob, foyer_test_wait (&wait), &error));
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
  archive = files_ui_wait_space (f.session, foyer_space_item_get_id (archive_bob));
  search_for (view, "bauxite", 1);
  g_assert_true (foyer_ui_test_wait_until (backfill_done, index, STEP_MS));
  g_signal_handler_disconnect (index, handler);
  g_assert_true (seen.seen);
  hit = find_hit (view, "Weipa", &position);
  g_assert_nonnull (hit);
  g_assert_cmpstr (foyer_search_hit_get_space_id (hit), ==, foyer_space_item_get_id (archive));
  files_ui_screenshot (GTK_WIDGET (f.window), "search-backfilled");

  /* A click opens the Archive at that message, far above its newest. */
  _foyer_search_view_activate (view, position);
  g_assert_true (foyer_window_get_current_space (f.window) == archive);
  row = (RowWait){ &f, "The bauxite delivery from Weipa is three weeks late" };
  if (!foyer_ui_test_wait_until (not_showing_message, f.window, STEP_MS)
      || !foyer_ui_test_wait_until (message_row_in_view, &row, STEP_MS))
    {
      files_ui_screenshot (GTK_WIDGET (f.window), "search-opened-failed");
      g_error ("The message is not in view (%u messages in the space)",
               g_list_model_get_n_items (G_LIST_MODEL (foyer_space_item_get_messages (archive))));
    }
  /* And it stays there once drawn. */
  files_ui_screenshot (GTK_WIDGET (f.window), "search-opened");
  g_assert_true (message_row_in_view (&row));

  /* Escape: back to the spaces. */
  g_signal_emit_by_name (foyer_ui_test_find (GTK_WIDGET (view), GTK_TYPE_SEARCH_ENTRY),
                         "stop-search");
  g_assert_cmpstr (
      gtk_stack_get_visible_child_name (GTK_STACK (files_ui_child (&f, "sidebar_stack"))), ==,
      "spaces");

  /* On disk only sealed. */
  {
    FoyerTestWait wait = { NULL };

    foyer_search_index_flush_async (index, NULL, foyer_test_wait_cb, &wait);
    g_assert_true (foyer_search_index_flush_finish (index, foyer_test_wait (&wait), &error));
    g_clear_object (&wait.result);
    foyer_store_drain (f.store);
    g_assert_false (foyer_test_tree_contains (g_get_user_data_dir (), "bauxite"));
    g_assert_false (foyer_test_tree_contains (g_get_user_data_dir (), "quarterly budget"));
    g_assert_false (foyer_test_tree_contains (g_get_user_cache_dir (), "bauxite"));
  }

  /* Signing out forgets it. */
  gtk_widget_activate_action (GTK_WIDGET (f.window), "account.sign-out", NULL);
  g_assert_true (foyer_ui_test_wait_until (index_empty, index, STEP_MS));

  foyer_session_disconnect (bob);
  files_ui_stop (&f);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/search/ui", test_search);

  return g_test_run ();
}
