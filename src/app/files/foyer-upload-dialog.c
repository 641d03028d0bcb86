/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-file-kind.h"
#include "foyer-share-options.h"
#include "foyer-text.h"
#include "foyer-upload-dialog.h"

/* One file of the list: its row, and whether it can go. */
typedef struct
{
  GFile *file;
  AdwActionRow *row;
  gboolean looked_at;
  gboolean ok;
} Entry;

struct _FoyerUploadDialog
{
  AdwWindow parent_instance;

  AdwWindowTitle *window_title;
  GtkWidget *share_button;
  AdwPreferencesGroup *files_group;
  FoyerShareOptions *share_options;

  GPtrArray *entries; /* Entry* */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (FoyerUploadDialog, foyer_upload_dialog, ADW_TYPE_WINDOW)

enum
{
  UPLOAD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->file);
  g_free (entry);
}

static guint
count_ok (FoyerUploadDialog *self, gboolean *all_looked_at)
{
  guint n = 0;

  *all_looked_at = TRUE;
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = self->entries->pdata[i];

      n += entry->ok;
      *all_looked_at &= entry->looked_at;
    }
  return n;
}

static void
update_title (FoyerUploadDialog *self)
{
  gboolean ready;
  guint n = count_ok (self, &ready);
  guint shown = ready ? n : self->entries->len;
  g_autofree char *title = NULL;

  /* Once they are looked at, the files that can go. */
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Share %u File", "Share %u Files", shown),
                           shown);
  adw_window_title_set_title (self->window_title, title);
  gtk_widget_set_sensitive (self->share_button,
                            ready && n > 0
                                && foyer_share_options_get_audience (self->share_options)
                                       != FOYER_LINK_AUDIENCE_NONE);
}

static Entry *
find_entry (FoyerUploadDialog *self, GtkWidget *row)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = self->entries->pdata[i];

      if (GTK_WIDGET (entry->row) == row)
        return entry;
    }
  return NULL;
}

static void
remove_clicked_cb (GtkButton *button, FoyerUploadDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (button), ADW_TYPE_ACTION_ROW);
  Entry *entry = find_entry (self, row);

  if (entry == NULL)
    return;
  adw_preferences_group_remove (self->files_group, row);
  g_ptr_array_remove (self->entries, entry);
  update_title (self);
  if (self->entries->len == 0)
    gtk_window_close (GTK_WINDOW (self));
}

static void
info_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerUploadDialog *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, &error);
  g_autofree char *size = NULL;
  Entry *entry = NULL;
  const char *problem = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FOYER_UPLOAD_DIALOG (user_data);
  for (guint i = 0; i < self->entries->len && entry == NULL; i++)
    if (((Entry *) self->entries->pdata[i])->file == G_FILE (source))
      entry = self->entries->pdata[i];
  if (entry == NULL)
    return;

  entry->looked_at = TRUE;
  if (info == NULL)
    problem = _ ("This file cannot be read");
  else if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    problem = _ ("Folders cannot be shared from the computer; share its files");
  else if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    problem = _ ("Only files can be shared");
  entry->ok = problem == NULL;
  if (entry->ok)
    {
      size = g_format_size (g_file_info_get_size (info));
      adw_action_row_set_subtitle (entry->row, size);
    }
  else
    {
      adw_action_row_set_subtitle (entry->row, problem);
      gtk_widget_add_css_class (GTK_WIDGET (entry->row), "error");
    }
  update_title (self);
}

static void
add_file (FoyerUploadDialog *self, GFile *file)
{
  Entry *entry = g_new0 (Entry, 1);
  g_autofree char *base = g_file_get_basename (file);
  g_autofree char *display = g_filename_display_name (base != NULL ? base : "");
  g_autofree char *name = foyer_text_make_valid (display, -1);
  g_autofree char *remove_label = NULL;
  GtkWidget *icon = gtk_image_new_from_icon_name (
      foyer_file_kind_icon_name (foyer_file_kind_guess (NULL, name)));
  GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

  entry->file = g_object_ref (file);
  entry->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (entry->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry->row), name);
  adw_action_row_set_subtitle (entry->row, _ ("Looking…"));
  adw_action_row_add_prefix (entry->row, icon);
  /* Translators: %s is a file name. */
  remove_label = g_strdup_printf (_ ("Do not share %s"), name);
  gtk_widget_set_tooltip_text (remove, _ ("Do Not Share"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_label, -1);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_add_css_class (remove, "circular");
  g_signal_connect_object (remove, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
  adw_action_row_add_suffix (entry->row, remove);
  adw_preferences_group_add (self->files_group, GTK_WIDGET (entry->row));
  g_ptr_array_add (self->entries, entry);
  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, self->cancellable, info_cb,
                           self);
}

static void
share_clicked_cb (FoyerUploadDialog *self)
{
  if (!gtk_widget_get_sensitive (self->share_button))
    return;
  g_signal_emit (self, signals[UPLOAD], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

GPtrArray *
foyer_upload_dialog_dup_files (FoyerUploadDialog *self)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), files);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = self->entries->pdata[i];

      if (entry->ok)
        g_ptr_array_add (files, g_object_ref (entry->file));
    }
  return files;
}

FoyerLinkType
foyer_upload_dialog_get_link_type (FoyerUploadDialog *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), FOYER_LINK_TYPE_VIEW);
  return foyer_share_options_get_link_type (self->share_options);
}

FoyerLinkAudience
foyer_upload_dialog_get_audience (FoyerUploadDialog *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), FOYER_LINK_AUDIENCE_NONE);
  return foyer_share_options_get_audience (self->share_options);
}

const char *const *
foyer_upload_dialog_get_grant_emails (FoyerUploadDialog *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), NULL);
  return foyer_share_options_get_grant_emails (self->share_options);
}

gboolean
foyer_upload_dialog_get_ready (FoyerUploadDialog *self)
{
  gboolean ready;

  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), FALSE);
  count_ok (self, &ready);
  return ready;
}

GtkWidget *
_foyer_upload_dialog_get_share_button (FoyerUploadDialog *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_DIALOG (self), NULL);
  return self->share_button;
}

/* A file new in the person's OneDrive: only they can open it, so the access
 * check says who the chosen audience leaves out. */
static JsonArray *
owner_only_permissions (const char *owner_email)
{
  JsonArray *permissions = json_array_new ();
  JsonObject *permission = json_object_new ();
  JsonObject *granted = json_object_new ();
  JsonObject *user = json_object_new ();
  JsonArray *roles = json_array_new ();

  json_array_add_string_element (roles, "owner");
  json_object_set_string_member (user, "email", owner_email != NULL ? owner_email : "");
  json_object_set_object_member (granted, "user", user);
  json_object_set_array_member (permission, "roles", roles);
  json_object_set_object_member (permission, "grantedToV2", granted);
  json_array_add_object_element (permissions, permission);
  return permissions;
}

static void
foyer_upload_dialog_dispose (GObject *object)
{
  FoyerUploadDialog *self = FOYER_UPLOAD_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_UPLOAD_DIALOG);
  G_OBJECT_CLASS (foyer_upload_dialog_parent_class)->dispose (object);
}

static void
foyer_upload_dialog_class_init (FoyerUploadDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_upload_dialog_dispose;

  /* The person chose to upload and share the files. */
  signals[UPLOAD] = g_signal_new ("upload", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (FOYER_TYPE_SHARE_OPTIONS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/files/foyer-upload-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerUploadDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, FoyerUploadDialog, share_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerUploadDialog, files_group);
  gtk_widget_class_bind_template_child (widget_class, FoyerUploadDialog, share_options);
  gtk_widget_class_bind_template_callback (widget_class, share_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
foyer_upload_dialog_init (FoyerUploadDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->cancellable = g_cancellable_new ();
  g_signal_connect_object (self->share_options, "notify::audience", G_CALLBACK (update_title), self,
                           G_CONNECT_SWAPPED);
}

FoyerUploadDialog *
foyer_upload_dialog_new (GtkWindow *parent,
                         const FoyerPickerPolicy *policy,
                         const char *owner_email,
                         GPtrArray *files)
{
  FoyerUploadDialog *self;
  g_autoptr (JsonArray) permissions = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (files != NULL && files->len > 0, NULL);

  self = g_object_new (FOYER_TYPE_UPLOAD_DIALOG, "transient-for", parent, NULL);
  for (guint i = 0; i < files->len; i++)
    add_file (self, files->pdata[i]);
  foyer_share_options_set_policy (self->share_options, policy);
  foyer_share_options_reset (self->share_options);
  permissions = owner_only_permissions (owner_email);
  foyer_share_options_set_permissions (self->share_options, permissions);
  update_title (self);
  return self;
}
