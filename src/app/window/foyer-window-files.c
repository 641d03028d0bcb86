/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>

#include "files/foyer-file-uploads.h"
#include "files/foyer-files-view.h"
#include "files/foyer-paste-file.h"
#include "files/foyer-search-view.h"
#include "files/foyer-upload-dialog.h"
#include "files/foyer-upload-strip.h"
#include "foyer-window-private.h"

/* The window's side of files: files from the computer (Upload from
 * Computer…, dropped on the conversation, pasted into the composer) and
 * their tiles, the Files view of a space, search (Ctrl+F), and opening a
 * space at a message. */

/* How many pages of older history a search result may need before the
 * window says the message cannot be shown. */
#define REVEAL_MAX_PAGES 100

/* ---- files from the computer --------------------------------------------------------- */

typedef struct
{
  FoyerWindow *window;
  FoyerSpaceItem *space;
  GPtrArray *files;   /* GFile*: as given (some may be pasted images) */
  GHashTable *queued; /* GFile* given to the uploads */
} UploadAsk;

static void
upload_ask_free (UploadAsk *ask)
{
  /* A pasted image the person did not send after all is not kept. */
  for (guint i = 0; i < ask->files->len; i++)
    if (!g_hash_table_contains (ask->queued, ask->files->pdata[i]))
      foyer_paste_file_delete (ask->files->pdata[i]);
  g_clear_object (&ask->window);
  g_clear_object (&ask->space);
  g_ptr_array_unref (ask->files);
  g_hash_table_unref (ask->queued);
  g_free (ask);
}

static void
upload_cb (FoyerUploadDialog *dialog, UploadAsk *ask)
{
  FoyerWindow *self = ask->window;
  g_autoptr (GPtrArray) files = foyer_upload_dialog_dup_files (dialog);
  guint failed = 0;

  for (guint i = 0; i < files->len; i++)
    {
      if (self->uploads == NULL
          || foyer_file_uploads_add (self->uploads, ask->space, files->pdata[i],
                                     foyer_upload_dialog_get_link_type (dialog),
                                     foyer_upload_dialog_get_audience (dialog),
                                     foyer_upload_dialog_get_grant_emails (dialog))
                 == NULL)
        {
          failed++;
          continue;
        }
      g_hash_table_add (ask->queued, files->pdata[i]);
    }
  if (failed > 0)
    foyer_window_show_toast (self, _ ("Connect your Microsoft account to share files."));
}

/* Whether files can go now; if not, the window asks for what is missing. */
static gboolean
uploads_ready (FoyerWindow *self)
{
  if (self->uploads == NULL || self->session == NULL || self->current_space == NULL)
    return FALSE;
  return _foyer_window_microsoft_ready (self, NULL);
}

static void
ask_upload (FoyerWindow *self, GPtrArray *files)
{
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  FoyerUploadDialog *dialog;
  UploadAsk *ask;

  if (files->len == 0)
    return;
  ask = g_new0 (UploadAsk, 1);
  ask->files = g_ptr_array_ref (files);
  ask->queued = g_hash_table_new (NULL, NULL);
  ask->window = g_object_ref (self);
  if (!uploads_ready (self))
    {
      upload_ask_free (ask);
      return;
    }
  ask->space = g_object_ref (self->current_space);
  policy = _foyer_window_picker_policy (self, self->current_space);
  dialog = foyer_upload_dialog_new (GTK_WINDOW (self), policy,
                                    foyer_microsoft_account_get_email (self->account), files);
  g_signal_connect_data (dialog, "upload", G_CALLBACK (upload_cb), ask,
                         (GClosureNotify) upload_ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
chooser_response_cb (GtkNativeDialog *chooser, int response, FoyerWindow *self)
{
  g_autoptr (GListModel) chosen = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      for (guint i = 0; i < g_list_model_get_n_items (chosen); i++)
        g_ptr_array_add (files, g_list_model_get_item (chosen, i));
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
  ask_upload (self, files);
}

/* space.upload-from-computer: the desktop's file chooser (the portal's, in
 * a Flatpak), several files at once. */
static void
upload_from_computer_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  GtkFileChooserNative *chooser;

  if (!uploads_ready (self) || self->chooser != NULL)
    return;
  chooser
      = gtk_file_chooser_native_new (_ ("Upload from Computer"), GTK_WINDOW (self),
                                     GTK_FILE_CHOOSER_ACTION_OPEN, _ ("_Choose"), _ ("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* space.upload-files (as): these files (URIs), dropped or pasted. */
static void
upload_files_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree const char **uris = g_variant_get_strv (parameter, NULL);

  for (guint i = 0; uris[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_uri (uris[i]));
  ask_upload (self, files);
}

static void
cancel_upload_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->uploads != NULL)
    foyer_file_uploads_cancel (self->uploads, g_variant_get_string (parameter, NULL));
}

static void
retry_upload_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->uploads != NULL)
    foyer_file_uploads_retry (self->uploads, g_variant_get_string (parameter, NULL));
}

static void
activate_upload_files (FoyerWindow *self, const char *const *uris)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "space.upload-files", "^as", uris);
}

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, FoyerWindow *self)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr (GStrvBuilder) uris = g_strv_builder_new ();
  g_auto (GStrv) strv = NULL;

  if (self->current_space == NULL || list == NULL)
    return FALSE;
  for (GSList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_file_get_uri (l->data);

      g_strv_builder_add (uris, uri);
    }
  strv = g_strv_builder_end (uris);
  activate_upload_files (self, (const char *const *) strv);
  return TRUE;
}

static void
pasted_files_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  const GValue *value = gdk_clipboard_read_value_finish (GDK_CLIPBOARD (source), result, NULL);
  GSList *list = value != NULL ? g_value_get_boxed (value) : NULL;
  g_autoptr (GStrvBuilder) uris = g_strv_builder_new ();
  g_auto (GStrv) strv = NULL;

  for (GSList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *uri = g_file_get_uri (l->data);

      g_strv_builder_add (uris, uri);
    }
  strv = g_strv_builder_end (uris);
  if (strv[0] != NULL)
    activate_upload_files (self, (const char *const *) strv);
}

static void
pasted_texture_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture
      = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result, &error);
  g_autoptr (GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (texture != NULL)
    file = foyer_paste_file_save (texture, &error);
  if (file == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        foyer_window_show_toast (self, error->message);
      return;
    }
  uri = g_file_get_uri (file);
  activate_upload_files (self, (const char *const[]){ uri, NULL });
}

/* Files (copied in Files) or an image (a screenshot) in the clipboard go
 * as files; text is pasted as text. */
static void
composer_paste_cb (GtkTextView *view, FoyerWindow *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (view));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);

  if (self->current_space == NULL)
    return;
  if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_FILE_LIST))
    gdk_clipboard_read_value_async (clipboard, GDK_TYPE_FILE_LIST, G_PRIORITY_DEFAULT, NULL,
                                    pasted_files_cb, g_object_ref (self));
  else if (gdk_content_formats_contain_gtype (formats, GDK_TYPE_TEXTURE)
           && !gdk_content_formats_contain_gtype (formats, G_TYPE_STRING))
    gdk_clipboard_read_texture_async (clipboard, NULL, pasted_texture_cb, g_object_ref (self));
  else
    return;
  g_signal_stop_emission_by_name (view, "paste-clipboard");
}

static void
uploads_notice_cb (FoyerWindow *self, const char *notice)
{
  foyer_window_show_toast (self, notice);
}

/* The files from the computer on their way, and their tiles. */
void
foyer_window_set_uploads (FoyerWindow *self, FoyerFileUploads *uploads)
{
  g_return_if_fail (FOYER_IS_WINDOW (self));
  g_return_if_fail (uploads == NULL || FOYER_IS_FILE_UPLOADS (uploads));

  if (self->uploads != NULL)
    g_signal_handlers_disconnect_by_data (self->uploads, self);
  g_set_object (&self->uploads, uploads);
  foyer_upload_strip_set_uploads (self->upload_strip, uploads);
  if (uploads != NULL)
    g_signal_connect_object (uploads, "notice", G_CALLBACK (uploads_notice_cb), self,
                             G_CONNECT_SWAPPED);
}

FoyerFileUploads *
foyer_window_get_uploads (FoyerWindow *self)
{
  g_return_val_if_fail (FOYER_IS_WINDOW (self), NULL);
  return self->uploads;
}

/* ---- the Files view ------------------------------------------------------------------ */

static void
files_toggled_cb (FoyerWindow *self)
{
  gboolean files = gtk_toggle_button_get_active (self->files_button);

  if (self->current_space == NULL)
    return;
  gtk_stack_set_visible_child_name (self->content_stack, files ? "files" : "conversation");
}

/* space.show-files: the Files view, or back to the conversation. */
static void
show_files_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  gtk_toggle_button_set_active (self->files_button,
                                !gtk_toggle_button_get_active (self->files_button));
}

/* From foyer_window_update_composer (): the composer belongs to the
 * conversation, the Files button to a space. */
void
_foyer_window_files_page_changed (FoyerWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->content_stack);
  gboolean files = g_strcmp0 (page, "files") == 0;

  gtk_widget_set_visible (self->composer, !files);
  gtk_widget_set_visible (self->composer_separator, !files);
  gtk_widget_set_visible (GTK_WIDGET (self->files_button), _foyer_window_in_space (self));
  if (!files && gtk_toggle_button_get_active (self->files_button))
    gtk_toggle_button_set_active (self->files_button, FALSE);
}

/* From foyer_window_open_space (): every space opens on its conversation. */
void
_foyer_window_files_space_changed (FoyerWindow *self)
{
  const char *id
      = self->current_space != NULL ? foyer_space_item_get_id (self->current_space) : NULL;

  gtk_toggle_button_set_active (self->files_button, FALSE);
  foyer_upload_strip_set_space_id (self->upload_strip, id);
  foyer_files_view_set_space (self->files_view, self->current_space);
  g_clear_pointer (&self->reveal_id, g_free);
}

/* ---- search -------------------------------------------------------------------------- */

gboolean
_foyer_window_searching (FoyerWindow *self)
{
  return gtk_toggle_button_get_active (self->search_button);
}

static void
search_toggled_cb (FoyerWindow *self)
{
  gboolean any = self->spaces != NULL && g_list_model_get_n_items (self->spaces) > 0;

  if (_foyer_window_searching (self))
    {
      gtk_stack_set_visible_child_name (self->sidebar_stack, "search");
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
      foyer_search_view_focus (self->search_view);
      return;
    }
  gtk_stack_set_visible_child_name (self->sidebar_stack, any ? "spaces" : "empty");
}

/* win.search (Ctrl+F): search every space; again, back to the entry. */
static void
search_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);

  if (self->session == NULL || foyer_session_get_state (self->session) == FOYER_SESSION_SIGNED_OUT)
    return;
  if (foyer_window_get_document_shown (self))
    return;
  if (_foyer_window_searching (self))
    foyer_search_view_focus (self->search_view);
  else
    gtk_toggle_button_set_active (self->search_button, TRUE);
}

static void
search_stop_cb (FoyerWindow *self)
{
  gtk_toggle_button_set_active (self->search_button, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->spaces_view));
}

/* ---- opening a space at a message ---------------------------------------------------- */

static gboolean
scroll_to_message_cb (gpointer data)
{
  FoyerWindow *self = FOYER_WINDOW (data);
  guint n = self->message_tail != NULL
                ? g_list_model_get_n_items (G_LIST_MODEL (self->message_tail))
                : 0;

  for (guint i = 0; self->scroll_to_id != NULL && i < n; i++)
    {
      g_autoptr (FoyerMessageItem) item
          = g_list_model_get_item (G_LIST_MODEL (self->message_tail), i);

      if (g_strcmp0 (foyer_message_item_get_id (item), self->scroll_to_id) != 0)
        continue;
      self->stick_to_bottom = FALSE;
      gtk_widget_activate_action (GTK_WIDGET (self->messages_view), "list.scroll-to-item", "u", i);
      break;
    }
  g_clear_pointer (&self->scroll_to_id, g_free);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void reveal_messages_changed_cb (FoyerWindow *self);

static void
stop_reveal (FoyerWindow *self)
{
  if (self->reveal_space != NULL)
    g_signal_handlers_disconnect_by_func (foyer_space_item_get_messages (self->reveal_space),
                                          reveal_messages_changed_cb, self);
  g_clear_object (&self->reveal_space);
  g_clear_pointer (&self->reveal_id, g_free);
}

/* Shows the message if the space has it yet; else asks for older pages,
 * and tries again when they come. */
static void
try_reveal (FoyerWindow *self)
{
  FoyerMessageList *list;
  gint64 oldest, first_seq = 0;
  guint n;

  if (self->reveal_id == NULL || self->current_space != self->reveal_space)
    {
      stop_reveal (self);
      return;
    }
  list = foyer_space_item_get_messages (self->current_space);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_strcmp0 (foyer_message_item_get_id (item), self->reveal_id) != 0)
        continue;
      _foyer_window_show_messages_from (self, i);
      g_free (self->scroll_to_id);
      self->scroll_to_id = g_strdup (self->reveal_id);
      /* After the window's own scroll to the bottom of a space just opened
       * (queued before, at the same priority), which gives way to it. */
      self->stick_to_bottom = FALSE;
      g_idle_add_full (G_PRIORITY_LOW, scroll_to_message_cb, g_object_ref (self), NULL);
      stop_reveal (self);
      return;
    }
  /* Older pages until the message is there: the session asks for one at a
   * time (it ignores the request while one is on its way), and every
   * message that arrives asks again. A page's messages come one by one:
   * the space's first message is there only once it is the list's first. */
  oldest = foyer_message_list_get_oldest_seq (list);
  if (oldest != self->reveal_before)
    self->reveal_pages++;
  self->reveal_before = oldest;
  if (n > 0)
    {
      g_autoptr (FoyerMessageItem) first = g_list_model_get_item (G_LIST_MODEL (list), 0);

      first_seq = foyer_message_item_get_seq (first);
    }
  if (self->reveal_pages > REVEAL_MAX_PAGES || first_seq == 1)
    {
      foyer_window_show_toast (self, _ ("This message can no longer be shown."));
      stop_reveal (self);
      return;
    }
  if (self->reveal_pages == 1 && foyer_session_get_state (self->session) == FOYER_SESSION_OFFLINE)
    foyer_window_show_toast (self,
                             _ ("This message is shown once Foyer’s service can be reached."));
  gtk_widget_activate_action (GTK_WIDGET (self), "space.load-older", NULL);
}

static void
reveal_messages_changed_cb (FoyerWindow *self)
{
  try_reveal (self);
}

/* win.show-message ((ss)): a search result: its space, at that message. */
static void
show_message_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  const char *space_id = NULL;
  const char *message_id = NULL;
  FoyerSpaceItem *space;

  g_variant_get (parameter, "(&s&s)", &space_id, &message_id);
  space = self->session != NULL ? foyer_session_find_space (self->session, space_id) : NULL;
  if (space == NULL)
    {
      foyer_window_show_toast (self, _ ("You are no longer in this space."));
      return;
    }
  stop_reveal (self);
  foyer_window_open_space (self, space);
  self->reveal_space = g_object_ref (space);
  self->reveal_id = g_strdup (message_id);
  self->reveal_pages = 0;
  self->reveal_before = 0;
  g_signal_connect_object (foyer_space_item_get_messages (space), "items-changed",
                           G_CALLBACK (reveal_messages_changed_cb), self, G_CONNECT_SWAPPED);
  try_reveal (self);
}

gboolean
_foyer_window_get_showing_message (FoyerWindow *self)
{
  g_return_val_if_fail (FOYER_IS_WINDOW (self), FALSE);
  return self->reveal_id != NULL || self->scroll_to_id != NULL;
}

/* ---- the window's hooks -------------------------------------------------------------- */

void
_foyer_window_files_add_actions (FoyerWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "upload-from-computer", .activate = upload_from_computer_cb },
    { .name = "upload-files", .activate = upload_files_cb, .parameter_type = "as" },
    { .name = "cancel-upload", .activate = cancel_upload_cb, .parameter_type = "s" },
    { .name = "retry-upload", .activate = retry_upload_cb, .parameter_type = "s" },
    { .name = "show-files", .activate = show_files_cb },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self->space_actions), entries,
                                   G_N_ELEMENTS (entries), self);
}

/* The attach menu has no action of its own: it goes with its items. Its
 * inner button is what screen readers see (with the menu's name), and
 * reports only its own sensitivity. */
static void
set_attach_sensitive (FoyerWindow *self, gboolean sensitive)
{
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (self->attach_button));

  gtk_widget_set_sensitive (GTK_WIDGET (self->attach_button), sensitive);
  if (inner != NULL)
    gtk_widget_set_sensitive (inner, sensitive);
}

void
_foyer_window_files_update_actions (FoyerWindow *self, gboolean in_space)
{
  static const char *const names[] = { "upload-from-computer", "upload-files", "show-files" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self->space_actions), names[i]);

      if (action != NULL)
        g_simple_action_set_enabled (G_SIMPLE_ACTION (action), in_space);
    }
  set_attach_sensitive (self, in_space);
}

void
_foyer_window_class_init_files (GtkWidgetClass *widget_class)
{
  g_type_ensure (FOYER_TYPE_UPLOAD_STRIP);
  g_type_ensure (FOYER_TYPE_FILES_VIEW);
  g_type_ensure (FOYER_TYPE_SEARCH_VIEW);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, upload_strip);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, files_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, search_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, files_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, composer_separator);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_cb);
  gtk_widget_class_install_action (widget_class, "win.show-message", "(ss)", show_message_cb);
  /* Ctrl+F and Ctrl+U are the application's accelerators (foyer-application.c),
   * listed in the shortcuts window. */
}

void
_foyer_window_init_files (FoyerWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (self->content, GTK_EVENT_CONTROLLER (drop));
  gtk_widget_add_css_class (self->content, "files-drop");
  set_attach_sensitive (self, FALSE);
  g_signal_connect_object (self->composer_view, "paste-clipboard", G_CALLBACK (composer_paste_cb),
                           self, 0);
  g_signal_connect_object (self->files_button, "toggled", G_CALLBACK (files_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_button, "toggled", G_CALLBACK (search_toggled_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_view, "stop", G_CALLBACK (search_stop_cb), self,
                           G_CONNECT_SWAPPED);
}

/* Once the window has its session and account. */
void
_foyer_window_setup_files (FoyerWindow *self)
{
  foyer_files_view_set_context (self->files_view, self->session, self->account);
  foyer_search_view_set_session (self->search_view, self->session);
}

void
_foyer_window_dispose_files (FoyerWindow *self)
{
  stop_reveal (self);
  g_clear_pointer (&self->scroll_to_id, g_free);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  if (self->uploads != NULL)
    g_signal_handlers_disconnect_by_data (self->uploads, self);
  g_clear_object (&self->uploads);
}
