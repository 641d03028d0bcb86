/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
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
  f->window = foyer_window_new (app);
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
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (attach)), ==, "win.attach-file");
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

  return g_test_run ();
}
