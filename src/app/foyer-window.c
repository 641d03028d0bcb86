/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-window.h"

struct _FoyerWindow
{
  AdwApplicationWindow parent_instance;

  GSettings *settings;

  AdwToastOverlay *toast_overlay;
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  GtkStack *sidebar_stack;
  GtkWidget *spaces_empty_page;
  GtkListView *spaces_view;
  GtkWidget *content;
  AdwWindowTitle *content_title;
  GtkStack *content_stack;
  GtkListView *messages_view;
  GtkWidget *sign_in_button;
  GtkWidget *composer;
  GtkTextView *composer_view;
  GtkWidget *attach_button;
  GtkWidget *send_button;
};

G_DEFINE_FINAL_TYPE (FoyerWindow, foyer_window, ADW_TYPE_APPLICATION_WINDOW)

/* The composer is usable only while a space is open; it stays visible so the
 * window keeps its shape in every state. */
static void
foyer_window_update_composer (FoyerWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->content_stack);
  gboolean in_space = g_strcmp0 (page, "conversation") == 0;

  gtk_widget_set_sensitive (self->composer, in_space);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.attach-file", in_space);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send", in_space);
}

static void
content_page_changed_cb (FoyerWindow *self)
{
  foyer_window_update_composer (self);
}

static void
show_spaces_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
not_yet_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);

  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_ ("This is not available yet")));
}

static gboolean
foyer_window_close_request (GtkWindow *window)
{
  FoyerWindow *self = FOYER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set (self->settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (foyer_window_parent_class)->close_request (window);
}

static void
foyer_window_dispose (GObject *object)
{
  FoyerWindow *self = FOYER_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (foyer_window_parent_class)->dispose (object);
}

static void
foyer_window_class_init (FoyerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = foyer_window_dispose;
  window_class->close_request = foyer_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/foyer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, spaces_empty_page);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, spaces_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, messages_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, composer_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, attach_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, send_button);
  gtk_widget_class_bind_template_callback (widget_class, content_page_changed_cb);

  gtk_widget_class_install_action (widget_class, "win.show-spaces", NULL, show_spaces_action);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, not_yet_action);
  gtk_widget_class_install_action (widget_class, "win.new-space", NULL, not_yet_action);
  gtk_widget_class_install_action (widget_class, "win.attach-file", NULL, not_yet_action);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, not_yet_action);
}

static void
foyer_window_init (FoyerWindow *self)
{
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  gtk_stack_set_visible_child_name (self->sidebar_stack, "empty");
  gtk_stack_set_visible_child_name (self->content_stack, "signed-out");
  foyer_window_update_composer (self);
}

FoyerWindow *
foyer_window_new (FoyerApplication *application)
{
  return g_object_new (FOYER_TYPE_WINDOW, "application", application, NULL);
}
