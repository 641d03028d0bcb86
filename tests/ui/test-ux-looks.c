/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A conversation as Alice sees it, against a real foyer-service on
 * loopback with Bob as a second session (issue #15, "what people expect"):
 * while she is in another space, Bob's messages show in the sidebar row
 * as the newest message, its time and how many are unread; she clicks the
 * row, the count goes, "New messages" comes after her own words, and
 * Bob's consecutive messages sit under one name and avatar. The same at 1366 px (the conversation clamped to a readable
 * width) and at 360 px (one pane at a time), in light and dark; the
 * "ux-looks-fr" test runs it all again in French. The screenshots are
 * named after the width asked for, the style and the language.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "foyer-application.h"
#include "foyer-i18n.h"
#include "foyer-message-row-private.h"
#include "foyer-session.h"
#include "foyer-space-row.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static FoyerApplication *app;

typedef struct
{
  FoyerTestService *service;
  FoyerSession *alice;
  FoyerSession *bob;
  FoyerWindow *window;
  const char *style; /* "light" or "dark" */
} Fixture;

static GtkWidget *
child (Fixture *f, const char *name)
{
  return foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, name);
}

static void
sign_in (Fixture *f, FoyerSession *session, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (f->service), email,
                               password, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->style = data;
  adw_style_manager_set_color_scheme (
      adw_style_manager_get_default (),
      g_str_equal (f->style, "dark") ? ADW_COLOR_SCHEME_FORCE_DARK : ADW_COLOR_SCHEME_FORCE_LIGHT);
  f->service = foyer_test_service_new ();
  g_assert_nonnull (f->service);
  f->alice = foyer_application_get_session (app);
  f->bob = foyer_session_new ();
  f->window = foyer_window_new (GTK_APPLICATION (app), f->alice, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  gtk_window_present (GTK_WINDOW (f->window));
  sign_in (f, f->alice, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  sign_in (f, f->bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  foyer_session_disconnect (f->alice);
  foyer_session_disconnect (f->bob);
  g_clear_object (&f->bob);
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_test_service_free (f->service);
}

/* test-screenshots/ux-looks-<what>-<width>-<style>[-<language>].png */
static void
save (Fixture *f, const char *what, int width)
{
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *name = g_strdup_printf ("ux-looks-%s-%d-%s%s%s", what, width, f->style,
                                           language != NULL && *language != '\0' ? "-" : "",
                                           language != NULL ? language : "");

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->window), name));
}

static FoyerSpaceItem *
create_space (Fixture *f, const char *title)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerSpaceItem *space;

  foyer_session_create_space_async (f->alice, title, members, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (f->alice, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return space;
}

typedef struct
{
  FoyerSession *session;
  const char *id;
} SpaceWait;

static gboolean
space_arrived (gpointer data)
{
  SpaceWait *w = data;

  return foyer_session_find_space (w->session, w->id) != NULL;
}

typedef struct
{
  FoyerSpaceItem *space;
  const char *body;
} MessageWait;

static gboolean
message_sent (gpointer data)
{
  MessageWait *w = data;
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (w->space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_SENT
          && g_strcmp0 (foyer_message_item_get_body (item), w->body) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The sidebar row showing title, or NULL; its labels in order: title,
 * time, newest message, unread count. */
static GtkWidget *
space_row (Fixture *f, const char *title, GPtrArray *labels)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "spaces_view"), FOYER_TYPE_SPACE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      g_ptr_array_set_size (labels, 0);
      foyer_ui_test_collect (row, GTK_TYPE_LABEL, labels);
      g_assert_cmpuint (labels->len, ==, 4);
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, 0)), title) == 0)
        return row;
    }
  g_ptr_array_set_size (labels, 0);
  return NULL;
}

typedef struct
{
  Fixture *f;
  const char *title;
  const char *preview;
  const char *unread; /* NULL: no count shown */
} RowWait;

static gboolean
row_shows (gpointer data)
{
  RowWait *w = data;
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  GtkWidget *unread;

  if (space_row (w->f, w->title, labels) == NULL)
    return FALSE;
  unread = g_ptr_array_index (labels, 3);
  return g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, 2)), w->preview) == 0
         && (w->unread == NULL
                 ? !gtk_widget_get_visible (unread)
                 : gtk_widget_get_visible (unread)
                       && g_strcmp0 (gtk_label_get_text (GTK_LABEL (unread)), w->unread) == 0);
}

/* The row for body in the conversation, whether it shows the author's name
 * and avatar. */
static gboolean
message_shows_header (Fixture *f, const char *body, gboolean *found)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  *found = FALSE;
  foyer_ui_test_collect (child (f, "messages_view"), FOYER_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      FoyerMessageItem *item = _foyer_message_row_get_item (FOYER_MESSAGE_ROW (row));
      GtkWidget *header = foyer_ui_test_child (row, FOYER_TYPE_MESSAGE_ROW, "header");
      GtkWidget *avatar = foyer_ui_test_child (row, FOYER_TYPE_MESSAGE_ROW, "avatar");

      if (item == NULL || g_strcmp0 (foyer_message_item_get_body (item), body) != 0)
        continue;
      *found = TRUE;
      g_assert_true (gtk_widget_get_visible (header) == gtk_widget_get_visible (avatar));
      return gtk_widget_get_visible (header);
    }
  return FALSE;
}

/* Whether "New messages" shows just before body. */
static gboolean
marker_before (Fixture *f, const char *body)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "messages_view"), FOYER_TYPE_MESSAGE_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      FoyerMessageItem *item = _foyer_message_row_get_item (FOYER_MESSAGE_ROW (row));

      if (item != NULL && g_strcmp0 (foyer_message_item_get_body (item), body) == 0)
        return gtk_widget_get_visible (
            foyer_ui_test_child (row, FOYER_TYPE_MESSAGE_ROW, "unread_marker"));
    }
  return FALSE;
}

static gboolean
messages_drawn (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "messages_view"), FOYER_TYPE_MESSAGE_ROW, rows);
  return rows->len == 3 && foyer_ui_test_is_drawn (child (f, "messages_view"));
}

typedef struct
{
  Fixture *f;
  FoyerSpaceItem *space;
} OpenWait;

static gboolean
space_open (gpointer data)
{
  OpenWait *w = data;

  return foyer_window_get_current_space (w->f->window) == w->space;
}

static gboolean
folded (gpointer data)
{
  return adw_leaflet_get_folded (data);
}

static gboolean
unfolded (gpointer data)
{
  return !adw_leaflet_get_folded (data);
}

typedef struct
{
  AdwLeaflet *leaflet;
  GtkWidget *page;
} PageWait;

static gboolean
page_shown (gpointer data)
{
  PageWait *w = data;

  return adw_leaflet_get_visible_child (w->leaflet) == w->page
         && !adw_leaflet_get_child_transition_running (w->leaflet);
}

/* The header's Back button, shown when the window is narrow. */
static GtkWidget *
back_button (Fixture *f)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "content"), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)),
                   "win.show-spaces")
        == 0)
      return g_ptr_array_index (buttons, i);
  g_assert_not_reached ();
}

/* Nothing in the sidebar is wider than the window. */
static void
assert_rows_fit (Fixture *f)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "spaces_view"), FOYER_TYPE_SPACE_ROW, rows);
  g_assert_cmpuint (rows->len, ==, 2);
  for (guint i = 0; i < rows->len; i++)
    {
      graphene_rect_t bounds;

      g_assert_true (
          gtk_widget_compute_bounds (g_ptr_array_index (rows, i), GTK_WIDGET (f->window), &bounds));
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=,
                         gtk_widget_get_width (GTK_WIDGET (f->window)));
    }
}

static void
test_conversation (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerSpaceItem) design = create_space (f, "Design");
  g_autoptr (FoyerSpaceItem) budget = create_space (f, "Budget");
  SpaceWait for_bob = { f->bob, foyer_space_item_get_id (design) };
  const char *first = "Morning! The draft is in the shared folder";
  const char *second = "I left my notes on page 3";
  const char *plan = "Thanks, I will read it after lunch";
  g_autofree char *preview = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();
  AdwLeaflet *leaflet = ADW_LEAFLET (child (f, "leaflet"));
  FoyerSpaceItem *bob_design;
  GtkTextBuffer *buffer;
  GtkWidget *row;
  graphene_rect_t bounds;
  gboolean found;

  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 20000));
  bob_design = foyer_session_find_space (f->bob, for_bob.id);

  /* Alice writes first in Design, through the composer. */
  foyer_window_open_space (f->window, design);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "composer_view")));
  gtk_text_buffer_set_text (buffer, plan, -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_assert_true (foyer_ui_test_wait_until (message_sent, &(MessageWait){ design, plan }, 20000));
  g_assert_true (
      foyer_ui_test_wait_until (message_sent, &(MessageWait){ bob_design, plan }, 20000));

  /* She moves to Budget; Bob answers twice in Design. */
  row = space_row (f, "Budget", labels);
  g_assert_nonnull (row);
  foyer_ui_test_click (row);
  g_assert_true (foyer_ui_test_wait_until (space_open, &(OpenWait){ f, budget }, 10000));
  foyer_session_send_text (f->bob, bob_design, first);
  g_assert_true (foyer_ui_test_wait_until (message_sent, &(MessageWait){ design, first }, 20000));
  foyer_session_send_text (f->bob, bob_design, second);

  /* Design's row: Bob's newest message, when, and 2 unread. */
  preview = g_strdup_printf (_ ("%s: %s"), "Bob Durand", second);
  g_assert_true (
      foyer_ui_test_wait_until (row_shows, &(RowWait){ f, "Design", preview, "2" }, 20000));
  row = space_row (f, "Design", labels);
  g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 1)), !=, "");
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (labels, 0), "heading"));
  save (f, "sidebar", 1366);

  /* She clicks it: the count goes; Bob's two messages under one name and
   * avatar, hers under her own. */
  foyer_ui_test_click (row);
  g_assert_true (foyer_ui_test_wait_until (space_open, &(OpenWait){ f, design }, 10000));
  g_assert_true (
      foyer_ui_test_wait_until (row_shows, &(RowWait){ f, "Design", preview, NULL }, 20000));
  g_assert_cmpuint (foyer_space_item_get_unread_count (design), ==, 0);
  g_assert_true (foyer_ui_test_wait_until (messages_drawn, f, 20000));
  g_assert_true (message_shows_header (f, plan, &found) && found);
  g_assert_true (message_shows_header (f, first, &found) && found);
  g_assert_false (message_shows_header (f, second, &found));
  g_assert_true (found);
  /* "New messages" after her own words, before Bob's. */
  g_assert_true (marker_before (f, first));
  g_assert_false (marker_before (f, plan));
  g_assert_false (marker_before (f, second));

  /* Wide: the conversation keeps a readable width, centred beside the
   * sidebar. */
  g_assert_true (
      gtk_widget_compute_bounds (child (f, "messages_view"), GTK_WIDGET (f->window), &bounds));
  /* The window's own width, less the frame GTK draws around it. */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), >=, 1366 - 10);
  g_assert_cmpfloat (bounds.size.width, <=, 860);
  g_assert_cmpfloat (bounds.origin.x, >, gtk_widget_get_width (child (f, "sidebar")) + 40);
  save (f, "conversation", 1366);

  /* Narrow: one pane at a time; the conversation first, then back to the
   * sidebar, nothing wider than the window. */
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 720);
  g_assert_true (foyer_ui_test_wait_until (folded, leaflet, 10000));
  g_assert_true (
      foyer_ui_test_wait_until (page_shown, &(PageWait){ leaflet, child (f, "content") }, 10000));
  g_assert_true (message_shows_header (f, first, &found) && found);
  g_assert_false (message_shows_header (f, second, &found));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->window)), <=, 360);
  save (f, "conversation", 360);
  g_assert_true (gtk_widget_get_visible (back_button (f)));
  foyer_ui_test_click (back_button (f));
  g_assert_true (
      foyer_ui_test_wait_until (page_shown, &(PageWait){ leaflet, child (f, "sidebar") }, 10000));
  assert_rows_fit (f);
  save (f, "sidebar", 360);

  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  g_assert_true (foyer_ui_test_wait_until (unfolded, leaflet, 10000));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_i18n_init ();
  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add ("/ux/looks/conversation/light", Fixture, "light", fixture_set_up, test_conversation,
              fixture_tear_down);
  g_test_add ("/ux/looks/conversation/dark", Fixture, "dark", fixture_set_up, test_conversation,
              fixture_tear_down);

  return g_test_run ();
}
