/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-ui-test"

#include "config.h"

#include "foyer-ui-test.h"

#include "foyer-microsoft-account.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-dialog.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <webkit/webkit.h>

void
foyer_ui_test_init (int *argc, char ***argv)
{
  /* WebKit and GLib derive data paths from the program name; a test binary
   * run by absolute path would otherwise confuse them (HEADLESS.md). */
  g_set_prgname ("foyer-test");
  g_test_init (argc, argv, NULL);
  gtk_init ();
  adw_init ();
}

typedef struct
{
  gboolean timed_out;
} WaitData;

static gboolean
wait_timeout_cb (gpointer user_data)
{
  WaitData *wait = user_data;

  wait->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
foyer_ui_test_wait_until (gboolean (*predicate) (gpointer data), gpointer data, guint timeout_ms)
{
  WaitData wait = { FALSE };
  guint id = g_timeout_add (timeout_ms, wait_timeout_cb, &wait);

  while (!predicate (data) && !wait.timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!wait.timed_out)
    g_source_remove (id);

  return predicate (data);
}

static void
after_paint_cb (GdkFrameClock *clock, gpointer user_data)
{
  gboolean *painted = user_data;

  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Returns once the widget's surface has painted at least one frame. */
void
foyer_ui_test_wait_for_draw (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong id;

  g_assert_nonnull (native);
  g_assert_true (
      foyer_ui_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_mapped, native, 10000));
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (native));
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (native));
  g_assert_true (foyer_ui_test_wait_until (is_true, &painted, 10000));
  g_signal_handler_disconnect (clock, id);
}

GdkTexture *
foyer_ui_test_snapshot (GtkWidget *widget)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* Saves a PNG of the widget in the build directory and returns its path. */
char *
foyer_ui_test_save_png (GtkWidget *widget, const char *name)
{
  g_autoptr (GdkTexture) texture = foyer_ui_test_snapshot (widget);
  g_autofree char *dir = g_build_filename (FOYER_BUILDDIR, "test-screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);

  return path;
}

GtkWidget *
foyer_ui_test_child (GtkWidget *widget, GType template_type, const char *name)
{
  GObject *child = gtk_widget_get_template_child (widget, template_type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

gboolean
foyer_ui_test_is_drawn (GtkWidget *widget)
{
  return gtk_widget_is_drawable (widget) && gtk_widget_get_width (widget) > 0
         && gtk_widget_get_height (widget) > 0;
}

typedef struct
{
  GdkTexture *texture;
  GError *error;
  gboolean done;
} WebSnapshot;

static void
web_snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WebSnapshot *snap = user_data;

  snap->texture
      = webkit_web_view_get_snapshot_finish (WEBKIT_WEB_VIEW (source), result, &snap->error);
  snap->done = TRUE;
}

static gboolean
web_snapshot_done (gpointer data)
{
  return ((WebSnapshot *) data)->done;
}

/* Saves what a WebKit view shows (its web content, which a widget
 * snapshot does not include) as a PNG in the build directory. */
char *
foyer_ui_test_save_web_png (gpointer web_view, const char *name)
{
  WebSnapshot snap = { NULL, NULL, FALSE };
  g_autofree char *dir = g_build_filename (FOYER_BUILDDIR, "test-screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);

  webkit_web_view_get_snapshot (WEBKIT_WEB_VIEW (web_view), WEBKIT_SNAPSHOT_REGION_VISIBLE,
                                WEBKIT_SNAPSHOT_OPTIONS_NONE, NULL, web_snapshot_cb, &snap);
  g_assert_true (foyer_ui_test_wait_until (web_snapshot_done, &snap, 10000));
  g_assert_no_error (snap.error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (snap.texture, path));
  g_object_unref (snap.texture);

  return path;
}

static gboolean
subprocess_done (gpointer data)
{
  return *(gboolean *) data;
}

static void
xdotool_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Sends real input through the X server to the focused window. The main
 * loop keeps running meanwhile, so the app handles the events as they come. */
void
foyer_ui_test_xdotool (const char *arguments)
{
  g_autofree char *command = g_strconcat ("xdotool ", arguments, NULL);
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  gboolean done = FALSE;

  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  process = g_subprocess_newv ((const char *const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (process, NULL, xdotool_done_cb, &done);
  g_assert_true (foyer_ui_test_wait_until (subprocess_done, &done, 20000));
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (data);
}

void
foyer_ui_test_focus_window (GtkWindow *window)
{
  GdkSurface *surface;
  g_autofree char *arguments = NULL;

  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_assert_true (GDK_IS_X11_SURFACE (surface));
  arguments = g_strdup_printf ("windowfocus --sync %lu",
                               (unsigned long) gdk_x11_surface_get_xid (surface));
  foyer_ui_test_xdotool (arguments);
  g_assert_true (foyer_ui_test_wait_until (window_active, window, 10000));
}

static gboolean
hovered (gpointer data)
{
  return (gtk_widget_get_state_flags (data) & GTK_STATE_FLAG_PRELIGHT) != 0;
}

/* Clicks the middle of widget with the primary button, as a person would:
 * the pointer goes there through the X server, and the button goes down
 * once GTK has seen the pointer over it. */
void
foyer_ui_test_click (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  g_autofree char *arguments = NULL;
  graphene_rect_t bounds;
  double x, y;

  foyer_ui_test_focus_window (GTK_WINDOW (native));
  g_assert_true (gtk_widget_compute_bounds (widget, GTK_WIDGET (native), &bounds));
  gtk_native_get_surface_transform (native, &x, &y);
  arguments
      = g_strdup_printf ("mousemove --sync --window %lu %d %d",
                         (unsigned long) gdk_x11_surface_get_xid (gtk_native_get_surface (native)),
                         (int) (x + bounds.origin.x + bounds.size.width / 2),
                         (int) (y + bounds.origin.y + bounds.size.height / 2));
  foyer_ui_test_xdotool (arguments);
  g_assert_true (foyer_ui_test_wait_until (hovered, widget, 10000));
  foyer_ui_test_xdotool ("click 1");
}

/* The desktop's web browser, for this test run: a script that writes the
 * address it is given to a file. Call before anything asks GIO for
 * applications. NULL outside tests/headless-run, whose XDG folders are the
 * test's own. */
char *
foyer_ui_test_fake_browser (void)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *script = NULL;
  g_autofree char *opened = NULL;
  g_autofree char *apps = NULL;
  g_autofree char *desktop = NULL;
  g_autofree char *desktop_path = NULL;
  g_autofree char *mimeapps = NULL;
  g_autoptr (GError) error = NULL;

  if (work == NULL)
    return NULL;
  script = g_build_filename (work, "browser.sh", NULL);
  opened = g_build_filename (work, "browser-opened", NULL);
  g_assert_true (g_file_set_contents (script,
                                      "#!/bin/sh\nprintf '%s\\n' \"$1\" >>\"$(dirname "
                                      "\"$0\")/browser-opened\"\n",
                                      -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);

  apps = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0755), ==, 0);
  desktop = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\n"
                             "Exec=%s %%u\nMimeType=x-scheme-handler/http;"
                             "x-scheme-handler/https;\n",
                             script);
  desktop_path = g_build_filename (apps, "foyer-test-browser.desktop", NULL);
  g_assert_true (g_file_set_contents (desktop_path, desktop, -1, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0755), ==, 0);
  mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_assert_true (g_file_set_contents (
      mimeapps,
      "[Default Applications]\nx-scheme-handler/http=foyer-test-browser.desktop\n"
      "x-scheme-handler/https=foyer-test-browser.desktop\n",
      -1, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&opened);
}

static const char notifications_xml[]
    = "<node><interface name='org.freedesktop.Notifications'>"
      "<method name='Notify'><arg type='s' direction='in'/><arg type='u' direction='in'/>"
      "<arg type='s' direction='in'/><arg type='s' direction='in'/><arg type='s' direction='in'/>"
      "<arg type='as' direction='in'/><arg type='a{sv}' direction='in'/>"
      "<arg type='i' direction='in'/><arg type='u' direction='out'/></method>"
      "<method name='GetCapabilities'><arg type='as' direction='out'/></method>"
      "<method name='CloseNotification'><arg type='u' direction='in'/></method>"
      "<method name='GetServerInformation'><arg type='s' direction='out'/>"
      "<arg type='s' direction='out'/><arg type='s' direction='out'/><arg type='s' "
      "direction='out'/>"
      "</method></interface></node>";

static void
notifications_method_cb (GDBusConnection *connection,
                         const char *sender,
                         const char *object_path,
                         const char *interface_name,
                         const char *method_name,
                         GVariant *parameters,
                         GDBusMethodInvocation *invocation,
                         gpointer user_data)
{
  GPtrArray *received = user_data;

  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL, *body = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_variant_get_child (parameters, 4, "&s", &body);
      g_ptr_array_add (received, g_strdup_printf ("%s\n%s", summary, body));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", received->len));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    g_dbus_method_invocation_return_value (invocation, g_variant_new_parsed ("(['body'],)"));
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (invocation,
                                           g_variant_new ("(ssss)", "test", "foyer", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

GPtrArray *
foyer_ui_test_notifications (void)
{
  static GPtrArray *received;
  static const GDBusInterfaceVTable vtable = { notifications_method_cb };
  g_autoptr (GDBusNodeInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus;
  gboolean owned = FALSE;

  if (received != NULL)
    return received;

  received = g_ptr_array_new_with_free_func (g_free);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (notifications_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &vtable, received, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                (GBusNameAcquiredCallback) (void (*) (void)) NULL, NULL, NULL,
                                NULL);
  {
    g_autoptr (GVariant) reply = NULL;

    /* Wait until the name is ours, so the app finds the server at once. */
    while (!owned)
      {
        reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                             "org.freedesktop.DBus", "NameHasOwner",
                                             g_variant_new ("(s)", "org.freedesktop.Notifications"),
                                             G_VARIANT_TYPE ("(b)"), 0, -1, NULL, &error);
        g_assert_no_error (error);
        g_variant_get (reply, "(b)", &owned);
        g_clear_pointer (&reply, g_variant_unref);
        if (!owned)
          g_main_context_iteration (NULL, TRUE);
      }
  }

  return received;
}

void
foyer_ui_test_collect (GtkWidget *widget, GType type, GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      else
        foyer_ui_test_collect (child, type, found);
    }
}

gpointer
foyer_ui_test_find (GtkWidget *widget, GType type)
{
  g_autoptr (GPtrArray) found = g_ptr_array_new ();

  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  foyer_ui_test_collect (widget, type, found);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

static void
probe_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  int *found = user_data;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  *found = value != NULL && jsc_value_is_boolean (value) && jsc_value_to_boolean (value) ? 1 : 0;
}

gboolean
foyer_ui_test_web_has_element (gpointer web_view, const char *selector)
{
  g_autofree char *script = g_strdup_printf ("document.querySelector('%s') !== null", selector);
  int found = -1;

  g_return_val_if_fail (WEBKIT_IS_WEB_VIEW (web_view), FALSE);
  g_return_val_if_fail (strchr (selector, '\'') == NULL, FALSE);

  if (webkit_web_view_is_loading (web_view))
    return FALSE;
  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, probe_cb, &found);
  while (found < 0)
    g_main_context_iteration (NULL, TRUE);
  return found == 1;
}

gpointer
foyer_ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return window;
    }
  return NULL;
}

static gboolean
account_in_state (gpointer data)
{
  gpointer *pair = data;

  return (int) foyer_microsoft_account_get_state (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

gboolean
foyer_ui_test_wait_account_state (gpointer account, int state, guint timeout_ms)
{
  gpointer pair[2] = { account, GINT_TO_POINTER (state) };

  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account), FALSE);

  return foyer_ui_test_wait_until (account_in_state, pair, timeout_ms);
}

gpointer
foyer_ui_test_picker_item (gpointer picker, const char *name)
{
  GListModel *model;

  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (picker), NULL);

  model = _foyer_picker_dialog_get_model (picker);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (foyer_drive_item_get_name (item), name) == 0)
        return item; /* the model keeps it */
    }
  return NULL;
}

typedef struct
{
  FoyerPickerDialog *picker;
  const char *name;
} PickerItemWait;

static gboolean
picker_lists (gpointer data)
{
  PickerItemWait *w = data;
  const char *state = _foyer_picker_dialog_get_state (w->picker);

  return (g_str_equal (state, "list") || g_str_equal (state, "grid"))
         && foyer_ui_test_picker_item (w->picker, w->name) != NULL;
}

gboolean
foyer_ui_test_wait_picker_item (gpointer picker, const char *name, guint timeout_ms)
{
  PickerItemWait wait = { picker, name };

  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (picker), FALSE);

  return foyer_ui_test_wait_until (picker_lists, &wait, timeout_ms);
}

static gboolean
picker_owner_known (gpointer data)
{
  GtkWidget *row = foyer_ui_test_child (data, FOYER_TYPE_PICKER_DIALOG, "owner_row");
  const char *owner = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  return owner != NULL && *owner != '\0' && g_strcmp0 (owner, _ ("Looking…")) != 0;
}

gboolean
foyer_ui_test_wait_picker_owner (gpointer picker, guint timeout_ms)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (picker), FALSE);

  return foyer_ui_test_wait_until (picker_owner_known, picker, timeout_ms);
}
