/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-file-kind.h"
#include "foyer-text.h"
#include "foyer-upload-tile.h"

struct _FoyerUploadTile
{
  GtkWidget parent_instance;

  FoyerFileTransfer *transfer;

  GtkWidget *box;
  GtkImage *icon;
  GtkLabel *name_label;
  GtkWidget *resumed_label;
  GtkProgressBar *progress;
  GtkLabel *status_label;
  GtkWidget *retry_button;
  GtkWidget *cancel_button;
};

G_DEFINE_FINAL_TYPE (FoyerUploadTile, foyer_upload_tile, GTK_TYPE_WIDGET)

static void
update_state (FoyerUploadTile *self)
{
  FoyerFileTransferState state = foyer_file_transfer_get_state (self->transfer);
  gboolean failed = state == FOYER_FILE_TRANSFER_FAILED;
  const char *text = failed ? foyer_file_transfer_get_error (self->transfer)
                            : foyer_file_transfer_get_details (self->transfer);

  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  /* A long reason is cut at two lines; all of it on hover. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), failed ? text : NULL);
  gtk_progress_bar_set_fraction (self->progress, foyer_file_transfer_get_progress (self->transfer));
  gtk_widget_set_visible (GTK_WIDGET (self->progress), !failed);
  gtk_widget_set_visible (self->retry_button,
                          failed && foyer_file_transfer_get_can_retry (self->transfer));
  gtk_widget_set_visible (self->resumed_label,
                          foyer_file_transfer_get_resumed (self->transfer) && !failed);
  if (failed)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_set_tooltip_text (self->cancel_button, _ ("Remove"));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
      gtk_widget_set_tooltip_text (self->cancel_button, _ ("Cancel Upload"));
    }
  /* The share is under way: what is left is quick, and not ours to stop. */
  gtk_widget_set_sensitive (self->cancel_button, state != FOYER_FILE_TRANSFER_SHARING);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_widget_get_tooltip_text (self->cancel_button), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  text != NULL ? text : "", -1);
}

static void
cancel_clicked_cb (FoyerUploadTile *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "space.cancel-upload", "s",
                              foyer_file_transfer_get_id (self->transfer));
}

static void
retry_clicked_cb (FoyerUploadTile *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "space.retry-upload", "s",
                              foyer_file_transfer_get_id (self->transfer));
}

static void
set_transfer (FoyerUploadTile *self, FoyerFileTransfer *transfer)
{
  g_autofree char *name = foyer_text_make_valid (foyer_file_transfer_get_name (transfer), -1);
  g_autofree char *label = NULL;

  self->transfer = g_object_ref (transfer);
  gtk_label_set_text (self->name_label, name);
  gtk_image_set_from_icon_name (self->icon,
                                foyer_file_kind_icon_name (foyer_file_kind_guess (NULL, name)));
  /* Translators: what a screen reader says of an upload's tile. */
  label = g_strdup_printf (_ ("Uploading %s"), name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  g_signal_connect_object (transfer, "notify", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  update_state (self);
}

FoyerFileTransfer *
foyer_upload_tile_get_transfer (FoyerUploadTile *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_TILE (self), NULL);
  return self->transfer;
}

GtkWidget *
_foyer_upload_tile_get_cancel_button (FoyerUploadTile *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_TILE (self), NULL);
  return self->cancel_button;
}

GtkWidget *
_foyer_upload_tile_get_retry_button (FoyerUploadTile *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_TILE (self), NULL);
  return self->retry_button;
}

const char *
_foyer_upload_tile_get_status (FoyerUploadTile *self)
{
  g_return_val_if_fail (FOYER_IS_UPLOAD_TILE (self), NULL);
  return gtk_label_get_text (self->status_label);
}

static void
foyer_upload_tile_dispose (GObject *object)
{
  FoyerUploadTile *self = FOYER_UPLOAD_TILE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_UPLOAD_TILE);
  g_clear_object (&self->transfer);
  G_OBJECT_CLASS (foyer_upload_tile_parent_class)->dispose (object);
}

static void
foyer_upload_tile_class_init (FoyerUploadTileClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_upload_tile_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "uploadtile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/files/foyer-upload-tile.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerUploadTile, name)
  BIND (box);
  BIND (icon);
  BIND (name_label);
  BIND (resumed_label);
  BIND (progress);
  BIND (status_label);
  BIND (retry_button);
  BIND (cancel_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
}

static void
foyer_upload_tile_init (FoyerUploadTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FoyerUploadTile *
foyer_upload_tile_new (FoyerFileTransfer *transfer)
{
  FoyerUploadTile *self;

  g_return_val_if_fail (FOYER_IS_FILE_TRANSFER (transfer), NULL);

  self = g_object_new (FOYER_TYPE_UPLOAD_TILE, NULL);
  set_transfer (self, transfer);
  return self;
}
