/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-message-list.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

/* One registered application for the whole program, a new window per test. */
static FoyerApplication *app;

typedef struct
{
  FoyerWindow *window;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
}

static GtkWidget *
child (Fixture *f, const char *name)
{
  return foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, name);
}

static void
test_window_shape (Fixture *f, gconstpointer data)
{
  GtkWidget *sidebar = child (f, "sidebar");
  GtkWidget *content = child (f, "content");
  GtkWidget *composer = child (f, "composer");
  GtkWidget *attach = child (f, "attach_button");
  GtkWidget *composer_view = child (f, "composer_view");
  graphene_rect_t sidebar_bounds, content_bounds, composer_bounds;

  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Foyer");

  /* At the default size, the sidebar and the conversation sit side by side. */
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (child (f, "leaflet"))));
  g_assert_true (foyer_ui_test_is_drawn (sidebar));
  g_assert_true (foyer_ui_test_is_drawn (content));
  g_assert_true (foyer_ui_test_is_drawn (composer));
  g_assert_true (foyer_ui_test_is_drawn (attach));
  g_assert_true (foyer_ui_test_is_drawn (composer_view));

  g_assert_true (gtk_widget_compute_bounds (sidebar, GTK_WIDGET (f->window), &sidebar_bounds));
  g_assert_true (gtk_widget_compute_bounds (content, GTK_WIDGET (f->window), &content_bounds));
  g_assert_true (gtk_widget_compute_bounds (composer, GTK_WIDGET (f->window), &composer_bounds));
  g_assert_cmpfloat (sidebar_bounds.origin.x + sidebar_bounds.size.width, <=,
                     content_bounds.origin.x + 1);
  /* The composer sits at the bottom of the conversation pane. */
  g_assert_cmpfloat (composer_bounds.origin.y, >, content_bounds.size.height / 2);
  g_assert_cmpfloat (composer_bounds.origin.x, >=, content_bounds.origin.x);

  g_assert_cmpstr (gtk_widget_get_tooltip_text (attach), ==, "Attach File");
  /* It offers the Microsoft picker and files from the computer. */
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (attach));
    GMenuModel *section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    g_assert_nonnull (section);
    g_assert_cmpint (g_menu_model_get_n_items (section), ==, 2);
    g_assert_true (
        g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s", &first));
    g_assert_true (
        g_menu_model_get_item_attribute (section, 1, G_MENU_ATTRIBUTE_ACTION, "s", &second));
    g_assert_cmpstr (first, ==, "space.attach-file");
    g_assert_cmpstr (second, ==, "space.upload-from-computer");
    g_object_unref (section);
  }
}

static void
test_empty_states (Fixture *f, gconstpointer data)
{
  GtkStack *sidebar_stack = GTK_STACK (child (f, "sidebar_stack"));
  GtkStack *content_stack = GTK_STACK (child (f, "content_stack"));

  /* No account yet: no spaces, a welcome page, and nothing to compose into. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (sidebar_stack), ==, "empty");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content_stack), ==, "signed-out");
  g_assert_true (foyer_ui_test_is_drawn (child (f, "spaces_empty_page")));
  g_assert_true (foyer_ui_test_is_drawn (child (f, "sign_in_button")));
  g_assert_false (gtk_widget_get_sensitive (child (f, "composer")));
  g_assert_false (gtk_widget_is_sensitive (child (f, "send_button")));

  /* Opening a space makes the composer usable. */
  gtk_stack_set_visible_child_name (content_stack, "conversation");
  g_assert_true (gtk_widget_get_sensitive (child (f, "composer")));
  g_assert_true (gtk_widget_is_sensitive (child (f, "attach_button")));
  gtk_stack_set_visible_child_name (content_stack, "signed-out");
  g_assert_false (gtk_widget_get_sensitive (child (f, "composer")));
}

static void
test_narrow_window_folds (Fixture *f, gconstpointer data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (child (f, "leaflet"));

  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 600);
  g_assert_true (
      foyer_ui_test_wait_until ((gboolean (*) (gpointer)) adw_leaflet_get_folded, leaflet, 5000));
}

static void
test_screenshot (Fixture *f, gconstpointer data)
{
  g_autoptr (GdkTexture) texture = foyer_ui_test_snapshot (GTK_WIDGET (f->window));
  g_autofree char *path = NULL;
  g_autofree guchar *pixels = NULL;
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autoptr (GHashTable) colours = g_hash_table_new (NULL, NULL);

  g_assert_cmpint (width, ==, gtk_widget_get_width (GTK_WIDGET (f->window)));
  g_assert_cmpint (height, ==, gtk_widget_get_height (GTK_WIDGET (f->window)));

  /* A rendered window has text, icons and panes: many distinct colours,
   * where a blank or failed render has one or two. */
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i += 7)
    g_hash_table_add (colours, GUINT_TO_POINTER (((guint32 *) pixels)[i]));
  g_assert_cmpuint (g_hash_table_size (colours), >, 16);

  path = foyer_ui_test_save_png (GTK_WIDGET (f->window), "window");
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
}

static FoyerSpaceItem *
space (const char *id, const char *title, int minutes_ago, guint unread)
{
  FoyerSpaceItem *item = foyer_space_item_new (id);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) when = g_date_time_add_minutes (now, -minutes_ago);

  foyer_space_item_set_title (item, title);
  foyer_space_item_set_last_activity (item, when);
  foyer_space_item_set_unread_count (item, unread);
  return item;
}

/* In place of the session's: the actions of the open space, so that a
 * test sees what the window asks of it. */
static void
replace_space_actions (Fixture *f, const GActionEntry *entry, gpointer data)
{
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (group), entry, 1, data);
  gtk_widget_insert_action_group (GTK_WIDGET (f->window), "space", G_ACTION_GROUP (group));
}

typedef struct
{
  FoyerWindow *window;
  FoyerSpaceItem *space;
  char *text;
  guint count;
} Composed;

/* space.send-text (s) */
static void
composed_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Composed *c = user_data;

  c->count++;
  c->space = foyer_window_get_current_space (c->window);
  g_free (c->text);
  c->text = g_variant_dup_string (parameter, NULL);
}

static gboolean
sent_twice (gpointer data)
{
  return ((Composed *) data)->count >= 2;
}

static char *
buffer_text (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "composer_view")));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_spaces_and_composer (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (FoyerSpaceItem) old = space ("s-old", "Old <b>project</b>", 600, 0);
  g_autoptr (FoyerSpaceItem) recent = space ("s-recent", "Design review", 1, 3);
  GtkListView *spaces_view = GTK_LIST_VIEW (child (f, "spaces_view"));
  GtkSelectionModel *selection = gtk_list_view_get_model (spaces_view);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (f, "composer_view")));
  Composed c = { f->window, NULL, NULL, 0 };
  const GActionEntry send_text
      = { .name = "send-text", .activate = composed_cb, .parameter_type = "s" };
  g_autofree char *png = NULL;
  g_autofree char *remaining = NULL;

  g_list_store_append (spaces, old);
  g_list_store_append (spaces, recent);
  foyer_window_set_spaces (f->window, G_LIST_MODEL (spaces));
  replace_space_actions (f, &send_text, &c);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "sidebar_stack"))), ==,
                   "spaces");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "content_stack"))), ==,
                   "no-space");
  /* Most recently active first. */
  {
    g_autoptr (FoyerSpaceItem) first = g_list_model_get_item (G_LIST_MODEL (selection), 0);
    g_assert_true (first == recent);
  }

  gtk_selection_model_select_item (selection, 1, TRUE);
  g_assert_true (foyer_window_get_current_space (f->window) == old);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "content_stack"))), ==,
                   "conversation");
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (child (f, "content_title"))), ==,
                   "Old <b>project</b>");
  g_assert_true (gtk_widget_is_sensitive (child (f, "send_button")));

  /* A draft stays with its space. */
  gtk_text_buffer_set_text (buffer, "half-written thought", -1);
  foyer_window_open_space (f->window, recent);
  g_assert_cmpstr ((remaining = buffer_text (f)), ==, "");
  g_clear_pointer (&remaining, g_free);
  foyer_window_open_space (f->window, old);
  g_assert_cmpstr ((remaining = buffer_text (f)), ==, "half-written thought");
  g_clear_pointer (&remaining, g_free);

  /* Sending hands the text over and empties the composer; blank text is not sent. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_assert_cmpuint (c.count, ==, 1);
  g_assert_true (c.space == old);
  g_assert_cmpstr (c.text, ==, "half-written thought");
  g_assert_cmpstr ((remaining = buffer_text (f)), ==, "");
  gtk_text_buffer_set_text (buffer, "  \n\t ", -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  g_assert_cmpuint (c.count, ==, 1);

  /* Real key presses through the X server: Shift+Enter adds a line, Enter sends. */
  gtk_text_buffer_set_text (buffer, "", -1);
  gtk_widget_grab_focus (child (f, "composer_view"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  foyer_ui_test_xdotool ("type --delay 5 line1");
  foyer_ui_test_xdotool ("key shift+Return");
  foyer_ui_test_xdotool ("type --delay 5 line2");
  foyer_ui_test_xdotool ("key Return");
  g_assert_true (foyer_ui_test_wait_until (sent_twice, &c, 10000));
  g_assert_cmpstr (c.text, ==, "line1\nline2");

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), "window-spaces");

  /* Signing out takes the spaces away. */
  foyer_window_set_spaces (f->window, NULL);
  g_assert_null (foyer_window_get_current_space (f->window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "content_stack"))), ==,
                   "signed-out");
  g_free (c.text);
}

static FoyerMessageItem *
message (guint seq)
{
  g_autoptr (GDateTime) base = g_date_time_new_utc (2026, 11, 1, 9, 0, 0);
  g_autoptr (GDateTime) when = g_date_time_add_minutes (base, seq);
  g_autofree char *id = g_strdup_printf ("m%u", seq);
  g_autofree char *body = g_strdup_printf ("Message %u", seq);

  return foyer_message_item_new (id, seq, "alice", "Alice Martin", when, body,
                                 FOYER_MESSAGE_STATE_SENT);
}

/* space.load-older */
static void
load_older_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

static guint
shown (Fixture *f)
{
  return g_list_model_get_n_items (
      G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "messages_view")))));
}

static gboolean
shown_is (gpointer data)
{
  gpointer *pair = data;

  return shown (pair[0]) == GPOINTER_TO_UINT (pair[1]);
}

static gboolean
shown_at_least_50 (gpointer data)
{
  return shown (data) >= 50;
}

/* A space with a long cached history opens on its newest messages;
 * scrolling up shows older ones a page at a time, and only past the oldest
 * asks the service for more. New messages join what is shown. */
static void
test_message_tail (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (FoyerSpaceItem) big = space ("s-big", "Long history", 1, 0);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  FoyerMessageList *list = foyer_space_item_get_messages (big);
  GtkAdjustment *adj
      = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child (f, "messages_scroller")));
  guint older_asked = 0, before;
  const GActionEntry load_older = { .name = "load-older", .activate = load_older_cb };
  gpointer pair[2] = { f, NULL };

  g_list_store_append (spaces, big);
  foyer_window_set_spaces (f->window, G_LIST_MODEL (spaces));
  replace_space_actions (f, &load_older, &older_asked);
  foyer_window_open_space (f->window, big);

  /* The cache arrives after the space opened: about a screenful shows
   * in the first frame, then its newest 50 (and more if they do not fill
   * two screens: the view is then near the top). */
  for (guint i = 1; i <= 120; i++)
    g_ptr_array_add (items, message (i));
  foyer_message_list_add_many (list, items);
  g_assert_cmpuint (shown (f), >=, 12);
  g_assert_cmpuint (shown (f), <, 50);
  g_assert_true (foyer_ui_test_wait_until (shown_at_least_50, f, 10000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  before = shown (f);
  {
    g_autoptr (FoyerMessageItem) first = g_list_model_get_item (
        G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "messages_view")))), 0);
    g_assert_cmpint (foyer_message_item_get_seq (first), ==, 121 - before);
  }

  /* A new message joins them. */
  {
    g_autoptr (FoyerMessageItem) live = message (121);
    foyer_message_list_add (list, live);
  }
  g_assert_cmpuint (shown (f), ==, before + 1);

  /* Scrolling to the top: a page of the older ones, then the rest, then
   * the service is asked. */
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  gtk_adjustment_set_value (adj, 0);
  pair[1] = GUINT_TO_POINTER (MIN (before + 1 + 50, 121));
  g_assert_true (foyer_ui_test_wait_until (shown_is, pair, 10000));
  g_assert_cmpuint (older_asked, ==, 0);
  for (guint i = 0; i < 50 && shown (f) < 121; i++)
    {
      foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
      gtk_adjustment_set_value (adj, 0);
    }
  g_assert_cmpuint (shown (f), ==, 121);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  gtk_adjustment_set_value (adj, 1);
  gtk_adjustment_set_value (adj, 0);
  g_assert_cmpuint (older_asked, ==, 1);
}

/* Where the person stopped reading, 80 messages back, is among what the
 * space shows when it opens. */
static void
test_message_tail_unread (Fixture *f, gconstpointer data)
{
  g_autoptr (GListStore) spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  g_autoptr (FoyerSpaceItem) big = space ("s-unread", "Busy space", 1, 80);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  FoyerMessageList *list = foyer_space_item_get_messages (big);

  for (guint i = 1; i <= 120; i++)
    g_ptr_array_add (items, message (i));
  foyer_message_list_add_many (list, items);
  foyer_message_list_set_last_read_seq (list, 40, "someone-else");
  g_list_store_append (spaces, big);
  foyer_window_set_spaces (f->window, G_LIST_MODEL (spaces));
  foyer_window_open_space (f->window, big);

  /* Seq 41 carries the marker: the 80 unread, and two before them. */
  g_assert_cmpuint (shown (f), ==, 82);
  {
    g_autoptr (FoyerMessageItem) first = g_list_model_get_item (
        G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "messages_view")))), 2);
    g_assert_true (foyer_message_item_get_show_unread_marker (first));
  }
}

/* About shows Foyer's own icon, also when run from the build tree. */
static void
test_about_icon (Fixture *f, gconstpointer data)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
  AdwAboutWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = foyer_ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, BASE_APP_ID "-symbolic"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (about));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (about), "window-about"));
  gtk_window_destroy (GTK_WINDOW (about));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_test_add ("/ui/window/shape", Fixture, NULL, fixture_set_up, test_window_shape,
              fixture_tear_down);
  g_test_add ("/ui/window/empty-states", Fixture, NULL, fixture_set_up, test_empty_states,
              fixture_tear_down);
  g_test_add ("/ui/window/narrow", Fixture, NULL, fixture_set_up, test_narrow_window_folds,
              fixture_tear_down);
  g_test_add ("/ui/window/screenshot", Fixture, NULL, fixture_set_up, test_screenshot,
              fixture_tear_down);
  g_test_add ("/ui/window/about", Fixture, NULL, fixture_set_up, test_about_icon,
              fixture_tear_down);

  g_test_add ("/ui/window/spaces-and-composer", Fixture, NULL, fixture_set_up,
              test_spaces_and_composer, fixture_tear_down);
  g_test_add ("/ui/window/message-tail", Fixture, NULL, fixture_set_up, test_message_tail,
              fixture_tear_down);
  g_test_add ("/ui/window/message-tail-unread", Fixture, NULL, fixture_set_up,
              test_message_tail_unread, fixture_tear_down);

  return g_test_run ();
}
