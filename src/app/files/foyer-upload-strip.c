/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-upload-strip.h"
#include "foyer-upload-tile.h"

/* About three tiles; more scroll. */
#define MAX_HEIGHT 200

struct _FoyerUploadStrip
{
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkListBox *list;
  GtkCustomFilter *filter;
  GtkFilterListModel *model;
  char *space_id;
};

G_DEFINE_FINAL_TYPE (FoyerUploadStrip, foyer_upload_strip, GTK_TYPE_WIDGET)

static gboolean
in_space (gpointer item, gpointer user_data)
{
  FoyerUploadStrip *self = user_data;

  return self->space_id != NULL
         && g_strcmp0 (foyer_file_transfer_get_space_id (item), self->space_id) == 0;
}

static GtkWidget *
create_tile (gpointer item, gpointer user_data)
{
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row),
                              GTK_WIDGET (foyer_upload_tile_new (FOYER_FILE_TRANSFER (item))));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

static void
update_visible (FoyerUploadStrip *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self),
                          g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0);
}

void
foyer_upload_strip_set_uploads (FoyerUploadStrip *self, FoyerFileUploads *uploads)
{
  g_return_if_fail (FOYER_IS_UPLOAD_STRIP (self));
  g_return_if_fail (uploads == NULL || FOYER_IS_FILE_UPLOADS (uploads));

  gtk_filter_list_model_set_model (self->model, G_LIST_MODEL (uploads));
  update_visible (self);
}

void
foyer_upload_strip_set_space_id (FoyerUploadStrip *self, const char *space_id)
{
  g_return_if_fail (FOYER_IS_UPLOAD_STRIP (self));

  if (g_strcmp0 (self->space_id, space_id) == 0)
    return;
  g_free (self->space_id);
  self->space_id = g_strdup (space_id);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_visible (self);
}

static void
foyer_upload_strip_dispose (GObject *object)
{
  FoyerUploadStrip *self = FOYER_UPLOAD_STRIP (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->model);
  g_clear_pointer (&self->space_id, g_free);
  G_OBJECT_CLASS (foyer_upload_strip_parent_class)->dispose (object);
}

static void
foyer_upload_strip_class_init (FoyerUploadStripClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_upload_strip_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "uploadstrip");
}

static void
foyer_upload_strip_init (FoyerUploadStrip *self)
{
  self->filter = gtk_custom_filter_new (in_space, self, NULL);
  self->model = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _ ("Files on their way"), -1);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->model), create_tile, self, NULL);
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (self->scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (self->scroller), MAX_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), GTK_WIDGET (self->list));
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  g_signal_connect_object (self->model, "items-changed", G_CALLBACK (update_visible), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

FoyerUploadStrip *
foyer_upload_strip_new (void)
{
  return g_object_new (FOYER_TYPE_UPLOAD_STRIP, NULL);
}
