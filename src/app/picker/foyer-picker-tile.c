/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-tile.h"
#include "foyer-picker-tile-private.h"

#include "foyer-a11y.h"
#include "foyer-file-kind.h"
#include "foyer-graph-client.h"
#include "foyer-thumbnail.h"

struct _FoyerPickerTile
{
  GtkWidget parent_instance;

  GtkBox *box;
  GtkImage *image;
  GtkBox *text_box;
  GtkLabel *name_label;
  GtkLabel *detail_label;

  FoyerThumbnailLoader *loader;
  FoyerDriveItem *item;
  GCancellable *cancellable;
  guint thumbnail_source;
  gboolean grid;
  gboolean has_thumbnail;
  char *location; /* where the item is, for search results and recent files */
};

#define FETCH_DELAY_MS 120

G_DEFINE_FINAL_TYPE (FoyerPickerTile, foyer_picker_tile, GTK_TYPE_WIDGET)

/* application-pdf-symbolic is missing from some icon themes. */
const char *
foyer_picker_icon_name_for_item (FoyerDriveItem *item)
{
  static int has_pdf_icon = -1;

  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM (item), NULL);

  if (foyer_drive_item_get_is_site (item))
    return "network-workgroup-symbolic";
  if (foyer_drive_item_get_is_folder (item))
    return "folder-symbolic";

  /* A themed PDF icon where there is one; the Files view's icon else. */
  if (foyer_drive_item_get_kind (item) == FOYER_DRIVE_ITEM_KIND_PDF)
    {
      if (has_pdf_icon < 0)
        {
          GdkDisplay *display = gdk_display_get_default ();

          has_pdf_icon = display != NULL
                         && gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (display),
                                                     "application-pdf-symbolic");
        }
      if (has_pdf_icon)
        return "application-pdf-symbolic";
    }
  return foyer_file_kind_icon_name (foyer_drive_item_get_kind (item));
}

char *
foyer_picker_format_date (GDateTime *date_time)
{
  g_autoptr (GDateTime) local = NULL;

  if (date_time == NULL)
    return NULL;
  local = g_date_time_to_local (date_time);
  /* Translators: a file's modification date, see strftime(3). */
  return g_date_time_format (local, _ ("%-d %b %Y, %H:%M"));
}

static char *
describe (FoyerPickerTile *self)
{
  FoyerDriveItem *item = self->item;
  g_autofree char *date = foyer_picker_format_date (foyer_drive_item_get_modified (item));
  g_autofree char *size = NULL;

  if (foyer_drive_item_get_is_folder (item))
    {
      int count = foyer_drive_item_get_child_count (item);

      /* With the locale's thousands separator: "100 000 éléments". */
      if (count >= 0)
        size = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'d item", "%'d items", count),
                                count);
    }
  else if (foyer_drive_item_get_size (item) >= 0)
    size = g_format_size ((guint64) foyer_drive_item_get_size (item));

  if (self->location != NULL)
    /* Translators: where a search result is, then when it was modified. */
    return g_strdup_printf (_ ("%s · %s"), self->location,
                            date != NULL   ? g_strstrip (date)
                            : size != NULL ? size
                                           : "");
  if (date != NULL && size != NULL)
    /* Translators: a file's modification date and size in a list. */
    return g_strdup_printf (_ ("%s · %s"), g_strstrip (date), size);
  return g_strdup (date != NULL ? g_strstrip (date) : size);
}

/* Where the next item shown is ("My Files › Documents"), for results that
 * come from anywhere; NULL for the folder's own items. */
void
foyer_picker_tile_set_location (FoyerPickerTile *self, const char *location)
{
  g_return_if_fail (FOYER_IS_PICKER_TILE (self));

  g_free (self->location);
  self->location = g_strdup (location);
}

typedef struct
{
  FoyerPickerTile *tile;
  GCancellable *cancellable;
} ThumbnailRequest;

static void
thumbnail_request_free (ThumbnailRequest *request)
{
  g_object_unref (request->tile);
  g_object_unref (request->cancellable);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ThumbnailRequest, thumbnail_request_free)

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (ThumbnailRequest) request = user_data;
  FoyerPickerTile *self = request->tile;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = foyer_thumbnail_texture_finish (source, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (texture == NULL)
    {
      g_debug ("no thumbnail: %s", error->message);
      return;
    }
  /* A recycled tile cancelled this request's cancellable and made a new
   * one: an image that comes late anyway belongs to another item. */
  if (g_cancellable_is_cancelled (request->cancellable)
      || request->cancellable != self->cancellable)
    return;
  gtk_image_set_from_paintable (self->image, GDK_PAINTABLE (texture));
  gtk_image_set_pixel_size (self->image, self->grid ? 96 : 32);
  self->has_thumbnail = TRUE;
}

static char *
thumbnail_key (FoyerPickerTile *self, const char *size)
{
  const char *drive_id = foyer_drive_item_get_target_drive_id (self->item);

  return g_strdup_printf ("%s:%s:%s", drive_id != NULL ? drive_id : "me",
                          foyer_drive_item_get_target_id (self->item), size);
}

static void
fetch_thumbnail (FoyerPickerTile *self)
{
  const char *size = self->grid ? "medium" : "small";
  g_autofree char *key = thumbnail_key (self, size);
  g_autofree char *path
      = foyer_graph_thumbnail_path (foyer_drive_item_get_target_drive_id (self->item),
                                    foyer_drive_item_get_target_id (self->item), size);
  ThumbnailRequest *request = g_new0 (ThumbnailRequest, 1);

  self->cancellable = g_cancellable_new ();
  request->tile = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);
  foyer_thumbnail_loader_load_async (self->loader, key, path, self->cancellable, thumbnail_cb,
                                     request);
}

static gboolean
fetch_thumbnail_cb (gpointer user_data)
{
  FoyerPickerTile *self = user_data;

  self->thumbnail_source = 0;
  fetch_thumbnail (self);
  return G_SOURCE_REMOVE;
}

/* A tile that scrolls past is recycled within a frame or two: ask the
 * network only for tiles that stay a moment. What the loader holds in
 * memory comes at once. */
static void
load_thumbnail (FoyerPickerTile *self)
{
  g_autofree char *key = NULL;

  if (self->loader == NULL || !foyer_drive_item_get_has_thumbnail (self->item)
      || foyer_drive_item_get_target_id (self->item) == NULL)
    return;

  key = thumbnail_key (self, self->grid ? "medium" : "small");
  if (foyer_thumbnail_loader_is_in_memory (self->loader, key))
    fetch_thumbnail (self);
  else
    self->thumbnail_source = g_timeout_add (FETCH_DELAY_MS, fetch_thumbnail_cb, self);
}

void
foyer_picker_tile_set_item (FoyerPickerTile *self, FoyerDriveItem *item)
{
  g_autofree char *detail = NULL;

  g_return_if_fail (FOYER_IS_PICKER_TILE (self));
  g_return_if_fail (item == NULL || FOYER_IS_DRIVE_ITEM (item));

  g_clear_handle_id (&self->thumbnail_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->has_thumbnail = FALSE;
  g_set_object (&self->item, item);
  if (item == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->detail_label, "");
      gtk_image_clear (self->image);
      return;
    }

  gtk_label_set_text (self->name_label, foyer_drive_item_get_name (item));
  gtk_image_set_from_icon_name (self->image, foyer_picker_icon_name_for_item (item));
  /* A placeholder icon smaller than the thumbnail it stands for. */
  gtk_image_set_pixel_size (self->image, self->grid ? 64 : 32);
  detail = describe (self);
  gtk_label_set_text (self->detail_label, detail != NULL ? detail : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), foyer_drive_item_get_name (item));
  gtk_accessible_update_property (
      GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, foyer_drive_item_get_name (item),
      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detail != NULL ? detail : "", -1);
  /* The row or cell that takes the focus says it too. */
  foyer_a11y_name_list_item (GTK_WIDGET (self), foyer_drive_item_get_name (item), detail);
  load_thumbnail (self);
}

FoyerDriveItem *
_foyer_picker_tile_get_item (FoyerPickerTile *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_TILE (self), NULL);
  return self->item;
}

gboolean
_foyer_picker_tile_get_has_thumbnail (FoyerPickerTile *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_TILE (self), FALSE);
  return self->has_thumbnail;
}

static void
foyer_picker_tile_dispose (GObject *object)
{
  FoyerPickerTile *self = FOYER_PICKER_TILE (object);

  g_clear_handle_id (&self->thumbnail_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->item);
  g_clear_object (&self->loader);
  g_clear_pointer (&self->location, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_PICKER_TILE);

  G_OBJECT_CLASS (foyer_picker_tile_parent_class)->dispose (object);
}

static void
foyer_picker_tile_class_init (FoyerPickerTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = foyer_picker_tile_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/picker/foyer-picker-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerPickerTile, box);
  gtk_widget_class_bind_template_child (widget_class, FoyerPickerTile, image);
  gtk_widget_class_bind_template_child (widget_class, FoyerPickerTile, text_box);
  gtk_widget_class_bind_template_child (widget_class, FoyerPickerTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerPickerTile, detail_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
foyer_picker_tile_init (FoyerPickerTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
foyer_picker_tile_new (FoyerThumbnailLoader *loader, gboolean grid)
{
  FoyerPickerTile *self = g_object_new (FOYER_TYPE_PICKER_TILE, NULL);

  g_set_object (&self->loader, loader);
  self->grid = grid;
  if (grid)
    {
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->box), GTK_ORIENTATION_VERTICAL);
      gtk_image_set_pixel_size (self->image, 96);
      gtk_widget_set_size_request (GTK_WIDGET (self->image), 96, 96);
      gtk_label_set_xalign (self->name_label, 0.5);
      gtk_label_set_max_width_chars (self->name_label, 14);
      gtk_label_set_width_chars (self->name_label, 14);
      gtk_widget_set_visible (GTK_WIDGET (self->detail_label), FALSE);
    }
  return GTK_WIDGET (self);
}
