/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-dialog-private.h"

#include "foyer-a11y.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-item-location.h"
#include "foyer-json.h"
#include "foyer-permission-text.h"
#include "foyer-picker-tile.h"
#include "foyer-thumbnail.h"

/* Choosing and the details pane. */

FoyerDriveItem *
_foyer_picker_dialog_get_chosen (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->chosen;
}

/* NULL: a search hit whose parent Graph left out (OneDrive for Business
 * does), to be looked up; never the folder searched in, which would be
 * wrong for a hit deeper down. */
static char *
location_text (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  const char *parent_path = foyer_drive_item_get_parent_path (item);

  /* Search results and recent files come from anywhere: their own path
   * says where they are; otherwise it is the folder being shown. */
  if (self->search_model != NULL)
    return parent_path != NULL && *parent_path != '\0'
               ? _foyer_picker_dialog_path_text (self, parent_path)
               : NULL;
  return _foyer_picker_dialog_location_path (self, self->path->len - 1);
}

static void
access_list_add (FoyerPickerDialog *self, const char *who, const char *role)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *who_label = gtk_label_new (NULL);
  GtkWidget *role_label = gtk_label_new (NULL);

  gtk_label_set_text (GTK_LABEL (who_label), who);
  gtk_label_set_xalign (GTK_LABEL (who_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (who_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (who_label, TRUE);
  gtk_box_append (GTK_BOX (box), who_label);
  if (role != NULL)
    {
      gtk_label_set_text (GTK_LABEL (role_label), role);
      gtk_widget_add_css_class (role_label, "dim-label");
      gtk_box_append (GTK_BOX (box), role_label);
    }
  else
    {
      g_object_ref_sink (role_label);
      g_object_unref (role_label);
    }
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_list_box_append (self->access_list, box);
  foyer_a11y_name_list_item (box, who, role);
}

static void
access_list_clear (FoyerPickerDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->access_list))) != NULL)
    gtk_list_box_remove (self->access_list, child);
}

static void
location_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerPickerDialog *self;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  path = foyer_item_location_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FOYER_PICKER_DIALOG (user_data);
  if (path != NULL)
    text = _foyer_picker_dialog_path_text (self, path);
  adw_action_row_set_subtitle (self->location_row, text != NULL ? text : _ ("Unknown"));
}

static void
permissions_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerPickerDialog *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) permissions = NULL;
  const char *owner = NULL;

  permissions
      = foyer_graph_client_list_permissions_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = FOYER_PICKER_DIALOG (user_data);
  access_list_clear (self);
  foyer_share_options_set_permissions (self->share_options, permissions);
  if (permissions == NULL)
    {
      access_list_add (self,
                       g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED)
                           ? _ ("Only the owner can see who has access")
                           : _ ("Could not find out who has access"),
                       NULL);
      adw_action_row_set_subtitle (self->owner_row, _ ("Unknown"));
      return;
    }

  for (guint i = 0; i < json_array_get_length (permissions); i++)
    {
      JsonNode *node = json_array_get_element (permissions, i);
      JsonObject *permission;
      const char *who;
      const char *role;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      permission = json_node_get_object (node);
      who = foyer_permission_who (permission);
      role = foyer_permission_role (permission);
      if (who == NULL)
        continue;
      if (owner == NULL && foyer_permission_is_owner (permission))
        owner = who;
      access_list_add (self, who, role);
    }
  if (gtk_widget_get_first_child (GTK_WIDGET (self->access_list)) == NULL)
    access_list_add (self, _ ("Only you"), NULL);
  adw_action_row_set_subtitle (self->owner_row, owner != NULL ? owner : _ ("Unknown"));
}

static void
details_thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerPickerDialog *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = foyer_thumbnail_texture_finish (source, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FOYER_PICKER_DIALOG (user_data);
  if (texture == NULL)
    return;
  gtk_image_set_from_paintable (self->details_icon, GDK_PAINTABLE (texture));
  gtk_image_set_pixel_size (self->details_icon, 160);
}

/* The details show the file's own thumbnail, as Microsoft renders it, in
 * place of its kind's icon when it comes. */
static void
load_details_thumbnail (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  const char *drive_id = foyer_drive_item_get_target_drive_id (item);
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;

  if (!foyer_drive_item_get_has_thumbnail (item) || foyer_drive_item_get_target_id (item) == NULL)
    return;
  key = g_strdup_printf ("%s:%s:medium", drive_id != NULL ? drive_id : "me",
                         foyer_drive_item_get_target_id (item));
  path = foyer_graph_thumbnail_path (drive_id, foyer_drive_item_get_target_id (item), "medium");
  foyer_thumbnail_loader_load_async (self->thumbnails, key, path, self->details_cancellable,
                                     details_thumbnail_cb, self);
}

void
_foyer_picker_dialog_set_chosen (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  g_autofree char *date = NULL;
  g_autofree char *modified = NULL;
  g_autofree char *where = NULL;
  const char *by;

  if (self->chosen == item)
    return;

  g_cancellable_cancel (self->details_cancellable);
  g_clear_object (&self->details_cancellable);
  g_set_object (&self->chosen, item);
  foyer_share_options_reset (self->share_options);
  _foyer_picker_dialog_update_share_button (self);
  if (item == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }

  gtk_image_set_from_icon_name (self->details_icon, foyer_picker_icon_name_for_item (item));
  gtk_image_set_pixel_size (self->details_icon, 64);
  gtk_label_set_text (self->details_name, foyer_drive_item_get_name (item));
  if (foyer_drive_item_get_size (item) >= 0)
    {
      g_autofree char *size = g_format_size ((guint64) foyer_drive_item_get_size (item));

      adw_action_row_set_subtitle (self->size_row, size);
    }
  else
    adw_action_row_set_subtitle (self->size_row, _ ("Unknown"));

  date = foyer_picker_format_date (foyer_drive_item_get_modified (item));
  by = foyer_drive_item_get_modified_by_name (item);
  if (date != NULL && by != NULL)
    /* Translators: when a file was modified, and by whom. */
    modified = g_strdup_printf (_ ("%s by %s"), g_strstrip (date), by);
  adw_action_row_set_subtitle (self->modified_row, modified != NULL ? modified
                                                   : date != NULL   ? g_strstrip (date)
                                                                    : _ ("Unknown"));
  adw_action_row_set_subtitle (self->owner_row, _ ("Looking…"));
  self->details_cancellable = g_cancellable_new ();
  where = location_text (self, item);
  adw_action_row_set_subtitle (self->location_row, where != NULL ? where : _ ("Looking…"));
  if (where == NULL)
    foyer_item_location_async (self->graph, item, self->details_cancellable, location_cb, self);

  access_list_clear (self);
  access_list_add (self, _ ("Looking…"), NULL);
  gtk_stack_set_visible_child_name (self->details_stack, "item");

  foyer_graph_client_list_permissions_async (
      self->graph, foyer_drive_item_get_target_drive_id (item),
      foyer_drive_item_get_target_id (item), self->details_cancellable, permissions_cb, self);
  load_details_thumbnail (self, item);
}

void
foyer_picker_dialog_activate_item (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  g_return_if_fail (FOYER_IS_PICKER_DIALOG (self));
  g_return_if_fail (FOYER_IS_DRIVE_ITEM (item));

  if (foyer_drive_item_get_is_folder (item))
    {
      _foyer_picker_dialog_open_folder (self, item);
      return;
    }

  _foyer_picker_dialog_set_chosen (self, item);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->details);
  gtk_widget_grab_focus (self->share_button);
}

void
_foyer_picker_dialog_view_activate_cb (FoyerPickerDialog *self, guint position)
{
  g_autoptr (FoyerDriveItem) item
      = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (item != NULL)
    foyer_picker_dialog_activate_item (self, item);
}

void
_foyer_picker_dialog_selection_changed_cb (FoyerPickerDialog *self)
{
  FoyerDriveItem *item = gtk_single_selection_get_selected_item (self->selection);

  _foyer_picker_dialog_set_chosen (
      self, item != NULL && !foyer_drive_item_get_is_folder (item) ? item : NULL);
}

void
_foyer_picker_dialog_show_files_action (GtkWidget *widget,
                                        const char *action_name,
                                        GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->browser);
}

/* Scrolls the details so the share options come first, once they are
 * laid out (a frame or two after the page is shown). */
static gboolean
options_into_view_cb (GtkWidget *details, GdkFrameClock *clock, gpointer user_data)
{
  FoyerPickerDialog *self = user_data;
  GtkWidget *options = GTK_WIDGET (self->share_options);
  GtkWidget *scroller = gtk_widget_get_ancestor (options, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t at;

  if (scroller == NULL)
    {
      self->options_tick = 0;
      return G_SOURCE_REMOVE;
    }
  if (!gtk_widget_get_mapped (options) || gtk_widget_get_height (options) == 0
      || !gtk_widget_compute_point (options,
                                    gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller)),
                                    &GRAPHENE_POINT_INIT (0, 0), &at))
    return G_SOURCE_CONTINUE;
  /* The point is where the options are now, under the current scroll. */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + at.y);
  self->options_tick = 0;
  return G_SOURCE_REMOVE;
}

/* picker.show-details: Next, when narrow: the chosen file's details and
 * share options, where Share is. The options are what this page is for:
 * they come into view first, the details above them a scroll away. */
void
_foyer_picker_dialog_show_details_action (GtkWidget *widget,
                                          const char *action_name,
                                          GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  if (self->chosen == NULL)
    return;
  adw_leaflet_set_visible_child (self->leaflet, self->details);
  if (self->options_tick == 0)
    self->options_tick
        = gtk_widget_add_tick_callback (self->details, options_into_view_cb, self, NULL);
}

void
_foyer_picker_dialog_share_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);
  FoyerLinkAudience audience = foyer_share_options_get_audience (self->share_options);
  g_autoptr (FoyerDriveItem) item = NULL;

  if (self->chosen == NULL || !foyer_picker_policy_allows (self->policy, audience))
    return;

  item = g_object_ref (self->chosen);
  _foyer_picker_dialog_emit_share (
      self, item, foyer_share_options_get_link_type (self->share_options), audience);
}

FoyerLinkAudience
_foyer_picker_dialog_get_audience (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), FOYER_LINK_AUDIENCE_NONE);
  return foyer_share_options_get_audience (self->share_options);
}

/* The members who will not be able to open the chosen file with the chosen
 * audience (see foyer_access_check_members_without_access ()), or NULL
 * while its permissions are unknown. */
const char *const *
_foyer_picker_dialog_get_members_without_access (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return foyer_share_options_get_members_without_access (self->share_options);
}

/* Those of them to invite with the share: when the person asked for it. */
const char *const *
foyer_picker_dialog_get_grant_emails (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return foyer_share_options_get_grant_emails (self->share_options);
}

FoyerLinkType
_foyer_picker_dialog_get_link_type (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), FOYER_LINK_TYPE_VIEW);
  return foyer_share_options_get_link_type (self->share_options);
}
