/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One person's Foyer in the end-to-end test (test-e2e.c): a real
 * FoyerApplication with its window, web session, local store and keyring
 * items, in a process of its own. The coordinator drives it with one
 * command a line on stdin (shell-quoted words) and reads one answer a line
 * on stdout: "ok [words…]" or "fail <why>". Everything else the process
 * says goes to stderr, marked with the role, which the coordinator shares.
 *
 *   e2e-member --role alice --service URL --cloud SANDBOX/cloud.json
 */
#include "config.h"

#include <adwaita.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <unistd.h>

#include "foyer-application.h"
#include "foyer-document-item.h"
#include "foyer-document-tile.h"
#include "foyer-document-tile-private.h"
#include "foyer-microsoft-account.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-session.h"
#include "foyer-sign-in-view.h"
#include "foyer-store.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-tile.h"
#include "picker/foyer-picker-tile-private.h"
#include "picker/foyer-share-options.h"
#include "viewer/foyer-viewer.h"

#define STEP_TIMEOUT_MS 30000

typedef struct
{
  char *role;
  char *email; /* of the Microsoft account, once connected */
  char *service_url;
  char *authority;
  FoyerApplication *app;
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerStore *store;
  FoyerWindow *window;
  FoyerSpaceItem *space; /* the space shown in the window */
  GOutputStream *answers;
  GDataInputStream *commands;
  gboolean done;
} Member;

typedef gboolean (*CommandFunc) (Member *self, char **args, GString *answer, GError **error);

#define REQUIRE(condition, ...)                                                                    \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (!(condition))                                                                              \
      {                                                                                            \
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, __VA_ARGS__);                           \
        return FALSE;                                                                              \
      }                                                                                            \
  }                                                                                                \
  G_STMT_END

/* Waiting. */

/* The Microsoft sign-in window, while there is one. */
static GtkWindow *
sign_in_window (void)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW);
}

static gboolean
wait_for (FoyerTestWait *wait)
{
  return foyer_test_wait_result (wait, STEP_TIMEOUT_MS) != NULL;
}

static gboolean
wait_state (Member *self, FoyerMicrosoftState state)
{
  return foyer_ui_test_wait_account_state (self->account, state, STEP_TIMEOUT_MS);
}

/* Web pages. */

typedef struct
{
  WebKitWebView *view;
  const char *selector;
} PageWait;

static gboolean
element_present (gpointer data)
{
  PageWait *w = data;

  return foyer_ui_test_web_has_element (w->view, w->selector);
}

static gboolean
wait_element (WebKitWebView *view, const char *selector)
{
  PageWait wait = { view, selector };

  return foyer_ui_test_wait_until (element_present, &wait, STEP_TIMEOUT_MS);
}

static void
run_js (WebKitWebView *view, const char *script)
{
  webkit_web_view_evaluate_javascript (view, script, -1, NULL, NULL, NULL, NULL, NULL);
}

/* Widgets. */

static void
web_snapshot_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GdkTexture **texture = user_data;
  g_autoptr (GError) error = NULL;

  *texture = webkit_web_view_get_snapshot_finish (WEBKIT_WEB_VIEW (source), result, &error);
  if (*texture == NULL)
    g_error ("No snapshot of a web view: %s", error->message);
}

static gboolean
texture_ready (gpointer data)
{
  return *(GdkTexture **) data != NULL;
}

/* Saves the window as a person sees it. A widget snapshot leaves web
 * content out, so the snapshot of each web view in the window is laid
 * over its place. The picture is the window's own area, unscaled. */
static char *
save_window_png (GtkWidget *window, const char *name)
{
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) picture = NULL;
  g_autoptr (GPtrArray) views = g_ptr_array_new ();
  g_autofree char *dir = g_build_filename (FOYER_BUILDDIR, "test-screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);
  graphene_rect_t box;

  foyer_ui_test_wait_for_draw (window);
  /* The paintable draws the window's border box, which starts left of and
   * above the window's origin (by its CSS margin and border). */
  if (!gtk_widget_compute_bounds (window, window, &box))
    g_error ("The window has no bounds");
  /* Made now: a paintable keeps what the widget looked like when it was
   * made, until the next frame. */
  paintable = gtk_widget_paintable_new (window);
  gdk_paintable_snapshot (paintable, snapshot, box.size.width, box.size.height);
  foyer_ui_test_collect (window, WEBKIT_TYPE_WEB_VIEW, views);
  for (guint i = 0; i < views->len; i++)
    {
      GtkWidget *view = g_ptr_array_index (views, i);
      g_autoptr (GdkTexture) content = NULL;
      graphene_rect_t bounds;

      if (!gtk_widget_is_drawable (view) || !gtk_widget_compute_bounds (view, window, &bounds))
        continue;
      graphene_rect_offset (&bounds, -box.origin.x, -box.origin.y);
      webkit_web_view_get_snapshot (WEBKIT_WEB_VIEW (view), WEBKIT_SNAPSHOT_REGION_VISIBLE,
                                    WEBKIT_SNAPSHOT_OPTIONS_NONE, NULL, web_snapshot_cb, &content);
      if (!foyer_ui_test_wait_until (texture_ready, &content, 10000))
        g_error ("No snapshot of a web view within 10 s");
      gtk_snapshot_append_texture (snapshot, content, &bounds);
    }
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  picture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (-box.origin.x, -box.origin.y,
                                                              gtk_widget_get_width (window),
                                                              gtk_widget_get_height (window)));
  if (g_mkdir_with_parents (dir, 0755) != 0 || !gdk_texture_save_to_png (picture, path))
    g_error ("Could not save %s", path);
  g_message ("saved %s", path);
  return path;
}

static void
save_screenshot (GtkWidget *window, const char *name)
{
  g_free (save_window_png (window, name));
}

/* Commands. */

/* sign-in EMAIL PASSWORD: Foyer's own service, whose policy enables
 * Microsoft for the sandbox's tenant. */
static gboolean
sign_in (Member *self, char **args, GString *answer, GError **error)
{
  FoyerTestWait wait = { NULL };
  gboolean ok;

  REQUIRE (g_strv_length (args) == 3, "usage: sign-in EMAIL PASSWORD");
  foyer_session_sign_in_async (self->session, self->service_url, args[1], args[2], NULL,
                               foyer_test_wait_cb, &wait);
  REQUIRE (wait_for (&wait), "no answer from foyer-service to the sign-in");
  ok = foyer_session_sign_in_finish (self->session, wait.result, error);
  g_clear_object (&wait.result);
  if (!ok)
    return FALSE;
  REQUIRE (wait_state (self, FOYER_MICROSOFT_DISCONNECTED),
           "Microsoft did not become available after signing in (state %d: %s)",
           foyer_microsoft_account_get_state (self->account),
           foyer_microsoft_account_get_unavailable_reason (self->account));
  return TRUE;
}

/* connect EMAIL PASSWORD: the embedded Microsoft sign-in, filled in as a
 * person would, then consent. */
static gboolean
connect_microsoft (Member *self, char **args, GString *answer, GError **error)
{
  GtkWindow *window;
  FoyerSignInView *view;
  WebKitWebView *web;
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;
  g_autofree char *fill = NULL;
  g_autofree char *name = NULL;

  REQUIRE (g_strv_length (args) == 3, "usage: connect EMAIL PASSWORD");
  gtk_widget_activate_action (GTK_WIDGET (self->window), "account.connect-microsoft", NULL);
  window = sign_in_window ();
  REQUIRE (window != NULL, "account.connect-microsoft showed no sign-in window");
  view = foyer_ui_test_find (GTK_WIDGET (window), FOYER_TYPE_SIGN_IN_VIEW);
  REQUIRE (view != NULL, "the sign-in window has no FoyerSignInView");
  web = foyer_sign_in_view_get_web_view (view);
  REQUIRE (wait_element (web, "#i0116"), "no sign-in form at %s", webkit_web_view_get_uri (web));
  REQUIRE (g_str_has_prefix (webkit_web_view_get_uri (web), self->authority),
           "the sign-in form is at %s, not at the sandbox's %s", webkit_web_view_get_uri (web),
           self->authority);
  REQUIRE (foyer_sign_in_view_get_security (view) == FOYER_SIGN_IN_SECURITY_SECURE,
           "the sign-in view does not say the connection is secure");
  name = g_strdup_printf ("e2e-1-%s-sign-in", self->role);
  save_screenshot (GTK_WIDGET (window), name);

  email = g_strescape (args[1], NULL);
  password = g_strescape (args[2], NULL);
  fill = g_strdup_printf ("document.querySelector('#i0116').value = '%s';"
                          "document.querySelector('#i0118').value = '%s';"
                          "document.querySelector('#idSIButton9').click();",
                          email, password);
  run_js (web, fill);
  REQUIRE (wait_element (web, "#scopes"), "no consent page after the sign-in form (at %s)",
           webkit_web_view_get_uri (web));
  run_js (web, "document.querySelector('#idSIButton9').click();");

  REQUIRE (wait_state (self, FOYER_MICROSOFT_CONNECTED), "the Microsoft account did not connect");
  REQUIRE (sign_in_window () == NULL, "the sign-in window stayed open");
  REQUIRE (g_strcmp0 (foyer_microsoft_account_get_email (self->account), args[1]) == 0,
           "connected as %s, not %s", foyer_microsoft_account_get_email (self->account), args[1]);
  g_free (self->email);
  self->email = g_strdup (args[1]);
  return TRUE;
}

static gboolean
space_titled (gpointer data)
{
  return foyer_space_item_get_title (data) != NULL;
}

static void
show_space (Member *self, FoyerSpaceItem *space)
{
  g_set_object (&self->space, space);
  foyer_window_open_space (self->window, space);
}

/* create-space TITLE MEMBER-EMAIL…: answers the space's id. */
static gboolean
create_space (Member *self, char **args, GString *answer, GError **error)
{
  g_autoptr (FoyerSpaceItem) space = NULL;
  FoyerTestWait wait = { NULL };

  REQUIRE (g_strv_length (args) >= 2, "usage: create-space TITLE MEMBER-EMAIL…");
  foyer_session_create_space_async (self->session, args[1], (const char *const *) args + 2, NULL,
                                    foyer_test_wait_cb, &wait);
  REQUIRE (wait_for (&wait), "the space was not created");
  space = foyer_session_create_space_finish (self->session, wait.result, error);
  g_clear_object (&wait.result);
  if (space == NULL)
    return FALSE;
  REQUIRE (foyer_ui_test_wait_until (space_titled, space, STEP_TIMEOUT_MS),
           "the new space's title was not decrypted");
  show_space (self, space);
  g_string_append (answer, foyer_space_item_get_id (space));
  return TRUE;
}

typedef struct
{
  FoyerSession *session;
  const char *id;
} SpaceWait;

static gboolean
space_known (gpointer data)
{
  SpaceWait *w = data;
  FoyerSpaceItem *space = foyer_session_find_space (w->session, w->id);

  return space != NULL && foyer_space_item_get_title (space) != NULL;
}

/* open-space ID: once the service has told this person about the space,
 * show it in the window. Answers its (decrypted) title. */
static gboolean
open_space (Member *self, char **args, GString *answer, GError **error)
{
  SpaceWait wait = { self->session, NULL };
  FoyerSpaceItem *space;
  g_autofree char *quoted = NULL;

  REQUIRE (g_strv_length (args) == 2, "usage: open-space ID");
  wait.id = args[1];
  REQUIRE (foyer_ui_test_wait_until (space_known, &wait, STEP_TIMEOUT_MS),
           "space %s did not arrive", args[1]);
  space = foyer_session_find_space (self->session, args[1]);
  show_space (self, space);
  REQUIRE (foyer_window_get_current_space (self->window) == space,
           "the window does not show space %s", args[1]);
  quoted = g_shell_quote (foyer_space_item_get_title (space));
  g_string_append (answer, quoted);
  return TRUE;
}

static FoyerPickerDialog *
find_picker (void)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_PICKER_DIALOG);
}

static gboolean
picker_open (gpointer data)
{
  return find_picker () != NULL;
}

static gboolean
picker_closed (gpointer data)
{
  return find_picker () == NULL;
}

/* Every tile in sight for an Office document, a PDF, an image or text
 * shows its thumbnail (Graph has none for folders, archives and the like). */
static gboolean
picker_thumbnails_shown (gpointer data)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  guint shown = 0;

  foyer_ui_test_collect (data, FOYER_TYPE_PICKER_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerPickerTile *tile = g_ptr_array_index (tiles, i);
      FoyerDriveItem *item = _foyer_picker_tile_get_item (tile);

      if (!gtk_widget_get_mapped (GTK_WIDGET (tile)) || item == NULL)
        continue;
      if (foyer_drive_item_get_kind (item) >= FOYER_DRIVE_ITEM_KIND_DOCUMENT
          && foyer_drive_item_get_kind (item) <= FOYER_DRIVE_ITEM_KIND_TEXT
          && !_foyer_picker_tile_get_has_thumbnail (tile))
        return FALSE;
      shown++;
    }
  return shown > 0;
}

static GtkWidget *
picker_child (FoyerPickerDialog *picker, const char *name)
{
  GtkWidget *options;

  /* The share options have a template of their own. */
  if (gtk_widget_get_template_child (GTK_WIDGET (picker), FOYER_TYPE_PICKER_DIALOG, name) != NULL)
    return foyer_ui_test_child (GTK_WIDGET (picker), FOYER_TYPE_PICKER_DIALOG, name);
  options = foyer_ui_test_find (GTK_WIDGET (picker), FOYER_TYPE_SHARE_OPTIONS);
  return foyer_ui_test_child (options, FOYER_TYPE_SHARE_OPTIONS, name);
}

static FoyerMessageItem *
sent_document (FoyerSpaceItem *space)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item))
          && foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_SENT)
        return item; /* the list keeps it */
    }
  return NULL;
}

static gboolean
document_sent (gpointer data)
{
  return sent_document (data) != NULL;
}

typedef struct
{
  GtkWidget *window;
  const char *title;
} TileWait;

static FoyerDocumentTile *
find_tile (GtkWidget *window, const char *title)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (window, FOYER_TYPE_DOCUMENT_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    if (g_strcmp0 (_foyer_document_tile_get_title (g_ptr_array_index (tiles, i)), title) == 0)
      return g_ptr_array_index (tiles, i);
  return NULL;
}

static gboolean
tile_with_thumbnail (gpointer data)
{
  TileWait *w = data;
  FoyerDocumentTile *tile = find_tile (w->window, w->title);

  return tile != NULL && _foyer_document_tile_has_thumbnail (tile);
}

/* share FOLDER FILE: Attach file in the space shown, into FOLDER of My
 * Files, FILE with View access for the organization, Share, as a person
 * would through the picker's widgets. Answers once the message is sent
 * and this window's tile has its thumbnail. */
static gboolean
share (Member *self, char **args, GString *answer, GError **error)
{
  FoyerPickerDialog *picker;
  FoyerDriveItem *item;
  TileWait tile = { GTK_WIDGET (self->window), NULL };
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  REQUIRE (g_strv_length (args) == 3, "usage: share FOLDER FILE");
  REQUIRE (self->space != NULL, "no space is shown");
  gtk_widget_activate_action (GTK_WIDGET (self->window), "space.attach-file", NULL);
  REQUIRE (foyer_ui_test_wait_until (picker_open, NULL, STEP_TIMEOUT_MS),
           "Attach file opened no picker");
  picker = find_picker ();

  /* Into the folder, as Enter or a double click on it would. */
  REQUIRE (foyer_ui_test_wait_picker_item (picker, args[1], STEP_TIMEOUT_MS),
           "My Files does not list %s (%s)", args[1], _foyer_picker_dialog_get_state (picker));
  item = foyer_ui_test_picker_item (picker, args[1]);
  REQUIRE (foyer_drive_item_get_is_folder (item), "%s is not a folder", args[1]);
  foyer_picker_dialog_activate_item (picker, item);
  REQUIRE (foyer_ui_test_wait_picker_item (picker, args[2], STEP_TIMEOUT_MS),
           "%s does not list %s (%s)", args[1], args[2], _foyer_picker_dialog_get_state (picker));
  {
    g_auto (GStrv) crumbs = _foyer_picker_dialog_dup_path (picker);

    path = g_strjoinv (" > ", crumbs);
    REQUIRE (g_strv_length (crumbs) == 2 && g_str_equal (crumbs[1], args[1]), "the picker shows %s",
             path);
  }
  REQUIRE (foyer_ui_test_wait_until (picker_thumbnails_shown, picker, STEP_TIMEOUT_MS),
           "the picker does not show the thumbnails of %s", path);
  name = g_strdup_printf ("e2e-2-%s-picker-folder", self->role);
  save_screenshot (GTK_WIDGET (picker), name);

  /* Choose the file: its details, then View for the organization. */
  item = foyer_ui_test_picker_item (picker, args[2]);
  foyer_picker_dialog_activate_item (picker, item);
  REQUIRE (_foyer_picker_dialog_get_chosen (picker) == item, "%s was not chosen", args[2]);
  REQUIRE (foyer_ui_test_wait_picker_owner (picker, STEP_TIMEOUT_MS),
           "the details never said who owns %s", args[2]);
  gtk_switch_set_active (GTK_SWITCH (picker_child (picker, "edit_switch")), FALSE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (picker_child (picker, "organization_check")),
                               TRUE);
  /* The person scrolled down to the options. */
  {
    GtkWidget *details = gtk_widget_get_ancestor (picker_child (picker, "organization_check"),
                                                  GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adjustment;

    REQUIRE (details != NULL, "the share options do not scroll");
    /* Laid out first, so the adjustment knows how far down they are. */
    foyer_ui_test_wait_for_draw (details);
    adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (details));
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment)
                                              - gtk_adjustment_get_page_size (adjustment));
  }
  REQUIRE (_foyer_picker_dialog_get_link_type (picker) == FOYER_LINK_TYPE_VIEW,
           "the access is %s, not view",
           foyer_link_type_to_string (_foyer_picker_dialog_get_link_type (picker)));
  REQUIRE (_foyer_picker_dialog_get_audience (picker) == FOYER_LINK_AUDIENCE_ORGANIZATION,
           "the audience is %s, not organization",
           foyer_link_audience_to_string (_foyer_picker_dialog_get_audience (picker)));
  REQUIRE (gtk_widget_get_sensitive (picker_child (picker, "share_button")),
           "Share is not available");
  g_free (name);
  name = g_strdup_printf ("e2e-3-%s-share-options", self->role);
  save_screenshot (GTK_WIDGET (picker), name);

  /* Share: the window's own handler makes the link and posts it. */
  g_signal_emit_by_name (picker_child (picker, "share_button"), "clicked");
  REQUIRE (foyer_ui_test_wait_until (picker_closed, NULL, STEP_TIMEOUT_MS),
           "the picker stayed open after Share");
  REQUIRE (foyer_ui_test_wait_until (document_sent, self->space, STEP_TIMEOUT_MS),
           "the document was not sent");
  tile.title = args[2];
  REQUIRE (foyer_ui_test_wait_until (tile_with_thumbnail, &tile, STEP_TIMEOUT_MS),
           "no tile with a thumbnail for %s in the window", args[2]);
  g_free (name);
  name = g_strdup_printf ("e2e-4-%s-shared", self->role);
  save_screenshot (GTK_WIDGET (self->window), name);
  return TRUE;
}

static void
append_words (GString *answer, const char *const *words)
{
  for (gsize i = 0; words[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (words[i]);

      g_string_append_printf (answer, "%s%s", i > 0 ? " " : "", quoted);
    }
}

/* wait-tile TITLE: the window shows the document's tile with its
 * thumbnail. Answers what the tile decrypted: url, drive id, item id,
 * access, audience and who shared it. */
static gboolean
wait_tile (Member *self, char **args, GString *answer, GError **error)
{
  TileWait wait = { GTK_WIDGET (self->window), NULL };
  const FoyerDocumentRef *ref;
  g_autofree char *name = NULL;

  REQUIRE (g_strv_length (args) == 2, "usage: wait-tile TITLE");
  wait.title = args[1];
  REQUIRE (foyer_ui_test_wait_until (tile_with_thumbnail, &wait, STEP_TIMEOUT_MS),
           "no tile with a thumbnail for %s in the window", args[1]);
  ref = _foyer_document_tile_get_ref (find_tile (GTK_WIDGET (self->window), args[1]));
  REQUIRE (ref != NULL, "the tile for %s is unavailable", args[1]);
  name = g_strdup_printf ("e2e-5-%s-tile", self->role);
  save_screenshot (GTK_WIDGET (self->window), name);
  append_words (answer, (const char *const[]){ ref->url, ref->drive_id, ref->item_id,
                                               foyer_link_type_to_string (ref->link_type),
                                               foyer_link_audience_to_string (ref->audience),
                                               ref->shared_by, NULL });
  return TRUE;
}

/* open TITLE: opens the tile as a click would; the viewer shows the
 * document page as this person, with the session of the embedded sign-in. */
static gboolean
open_document (Member *self, char **args, GString *answer, GError **error)
{
  FoyerDocumentTile *tile;
  FoyerViewer *viewer;
  g_autofree char *selector = NULL;
  g_autofree char *name = NULL;

  REQUIRE (g_strv_length (args) == 2, "usage: open TITLE");
  REQUIRE (self->email != NULL, "no Microsoft account is connected");
  tile = find_tile (GTK_WIDGET (self->window), args[1]);
  REQUIRE (tile != NULL && _foyer_document_tile_get_ref (tile) != NULL, "no tile for %s", args[1]);
  g_signal_emit_by_name (tile, "open", _foyer_document_tile_get_ref (tile));
  REQUIRE (foyer_window_get_document_shown (self->window), "the window shows no document");
  viewer = foyer_ui_test_find (GTK_WIDGET (self->window), FOYER_TYPE_VIEWER);
  REQUIRE (viewer != NULL, "the window has no viewer");
  REQUIRE (g_strcmp0 (foyer_viewer_get_title (viewer), args[1]) == 0, "the viewer shows %s",
           foyer_viewer_get_title (viewer));
  selector = g_strdup_printf ("#document[data-viewer=\"%s\"]", self->email);
  REQUIRE (wait_element (foyer_viewer_get_web_view (viewer), selector),
           "the viewer does not show the document as %s (state %d, at %s)", self->email,
           foyer_viewer_get_state (viewer),
           webkit_web_view_get_uri (foyer_viewer_get_web_view (viewer)));
  REQUIRE (foyer_viewer_get_state (viewer) == FOYER_VIEWER_STATE_DOCUMENT,
           "the viewer is in state %d, not showing the document", foyer_viewer_get_state (viewer));
  name = g_strdup_printf ("e2e-6-%s-viewer", self->role);
  save_screenshot (GTK_WIDGET (self->window), name);
  return TRUE;
}

static gboolean
quit (Member *self, char **args, GString *answer, GError **error)
{
  self->done = TRUE;
  return TRUE;
}

static const struct
{
  const char *name;
  CommandFunc func;
} commands[] = {
  { "sign-in", sign_in },
  { "connect", connect_microsoft },
  { "create-space", create_space },
  { "open-space", open_space },
  { "share", share },
  { "wait-tile", wait_tile },
  { "open", open_document },
  { "quit", quit },
};

static void
answer (Member *self, const char *line)
{
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  g_autoptr (GError) error = NULL;

  if (!g_output_stream_write_all (self->answers, text, strlen (text), NULL, NULL, &error))
    g_error ("The coordinator is gone: %s", error->message);
}

static void
run_command (Member *self, const char *line)
{
  g_auto (GStrv) args = NULL;
  g_autoptr (GString) text = g_string_new ("ok");
  g_autoptr (GString) words = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  CommandFunc func = NULL;

  if (!g_shell_parse_argv (line, NULL, &args, &error))
    {
      g_autofree char *reply
          = g_strdup_printf ("fail cannot read \"%s\": %s", line, error->message);

      answer (self, reply);
      return;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, args[0]))
      func = commands[i].func;
  g_message ("%s", args[0]);
  if (func == NULL)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "unknown command %s", args[0]);
  else if (func (self, args, words, &error))
    {
      if (words->len > 0)
        g_string_append_printf (text, " %s", words->str);
      answer (self, text->str);
      return;
    }
  {
    g_autofree char *reply = g_strdup_printf ("fail %s: %s", args[0], error->message);

    g_strdelimit (reply, "\n", ' ');
    g_message ("%s", reply);
    answer (self, reply);
  }
}

static GLogWriterOutput
log_writer_cb (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *domain = NULL;
  g_autofree char *text = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;
  if (g_log_writer_default_would_drop (level, domain))
    return G_LOG_WRITER_HANDLED;
  text = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  fprintf (stderr, "[%s] %s\n", (const char *) user_data, text);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
setup (Member *self, GError **error)
{
  g_autofree char *store_path = g_build_filename (g_get_user_data_dir (), "e2e-store.db", NULL);
  g_autofree char *profile = g_strconcat ("e2e-", self->role, NULL);

  self->app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (self->app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (self->app), NULL, error))
    return FALSE;
  self->session = foyer_application_get_session (self->app);
  self->account = foyer_application_get_microsoft_account (self->app);

  /* A store (and so a device key in the keyring) of this person's own. */
  self->store = foyer_store_open_sync (store_path, profile, NULL, error);
  if (self->store == NULL)
    return FALSE;
  foyer_microsoft_account_set_store (self->account, self->store);

  self->window = foyer_window_new (GTK_APPLICATION (self->app), self->session, self->account);
  gtk_window_set_title (GTK_WINDOW (self->window), self->role);
  gtk_window_present (GTK_WINDOW (self->window));
  return TRUE;
}

static void
teardown (Member *self)
{
  gtk_window_destroy (GTK_WINDOW (self->window));
  g_clear_object (&self->space);
  foyer_session_disconnect (self->session);
  foyer_microsoft_account_set_store (self->account, NULL);
  foyer_store_drain (self->store);
  foyer_store_close (self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->app);
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new ("- one person in the e2e test");
  g_autoptr (GError) error = NULL;
  g_autofree char *cloud_path = NULL;
  g_autoptr (JsonParser) cloud = json_parser_new ();
  Member self = { NULL };
  GOptionEntry entries[] = {
    { "role", 0, 0, G_OPTION_ARG_STRING, &self.role, "alice or bob", "ROLE" },
    { "service", 0, 0, G_OPTION_ARG_STRING, &self.service_url, "foyer-service's URL", "URL" },
    { "cloud", 0, 0, G_OPTION_ARG_FILENAME, &cloud_path, "the sandbox's cloud.json", "PATH" },
    { NULL },
  };
  int answers_fd;

  /* Answers only on the real stdout: whatever else prints (g_print, a
   * library) goes to stderr with the rest of the log. */
  answers_fd = dup (STDOUT_FILENO);
  if (answers_fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    return 1;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || self.role == NULL
      || self.service_url == NULL || cloud_path == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--role, --service and --cloud");
      return 2;
    }
  if (!json_parser_load_from_file (cloud, cloud_path, &error))
    g_error ("%s: %s", cloud_path, error->message);
  self.authority = g_strdup (json_object_get_string_member (
      json_node_get_object (json_parser_get_root (cloud)), "authority"));

  g_log_set_writer_func (log_writer_cb, self.role, NULL);
  /* As in the other UI tests: a warning is a failure. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_set_prgname ("foyer-e2e-member");
  gtk_init ();
  adw_init ();
  foyer_ui_test_notifications ();

  self.answers = g_unix_output_stream_new (answers_fd, TRUE);
  self.commands = g_data_input_stream_new (g_unix_input_stream_new (STDIN_FILENO, FALSE));
  if (!setup (&self, &error))
    g_error ("Could not start: %s", error->message);
  answer (&self, "ok ready");

  /* The main loop runs between commands too: the app keeps receiving
   * events and painting while the coordinator talks to the other person. */
  while (!self.done)
    {
      FoyerTestLine read = { NULL };

      g_data_input_stream_read_line_async (self.commands, G_PRIORITY_DEFAULT, NULL,
                                           foyer_test_line_cb, &read);
      while (!read.done)
        g_main_context_iteration (NULL, TRUE);
      if (read.line == NULL)
        {
          g_message ("stdin closed: %s", read.error != NULL ? read.error->message : "end of file");
          g_clear_error (&read.error);
          break;
        }
      run_command (&self, read.line);
      g_free (read.line);
    }

  teardown (&self);
  answer (&self, "ok bye");
  g_clear_object (&self.commands);
  g_clear_object (&self.answers);
  g_free (self.authority);
  g_free (self.email);
  return 0;
}
