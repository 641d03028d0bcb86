/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-dialog-private.h"

#include "foyer-a11y.h"
#include "foyer-graph-error.h"
#include "foyer-item-location.h"
#include "foyer-json.h"
#include "foyer-picker-tile.h"

/* Choosing and the details pane. */

FoyerDriveItem *
_foyer_picker_dialog_get_chosen (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->chosen;
}

static char *
path_text (FoyerPickerDialog *self, const char *parent_path)
{
  return g_strconcat (
      _foyer_picker_dialog_source_title (_foyer_picker_dialog_current_location (self)->source),
      parent_path[0] == '/' ? "" : "/", parent_path, NULL);
}

/* NULL: a search hit whose parent Graph left out (OneDrive for Business
 * does), to be looked up; never the folder searched in, which would be
 * wrong for a hit deeper down. */
static char *
location_text (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  const char *parent_path = foyer_drive_item_get_parent_path (item);
  g_autoptr (GString) text = g_string_new (NULL);

  /* Search results and recent files come from anywhere: their own path
   * says where they are; otherwise it is the folder being shown. */
  if (self->search_model != NULL)
    return parent_path != NULL && *parent_path != '\0' ? path_text (self, parent_path) : NULL;

  for (guint i = 0; i < self->path->len; i++)
    {
      Location *location = g_ptr_array_index (self->path, i);

      if (i > 0)
        g_string_append (text, " / ");
      g_string_append (text, location->title);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static const char *
role_text (JsonObject *permission)
{
  g_auto (GStrv) roles = foyer_json_dup_strv (permission, "roles");

  if (g_strv_contains ((const char *const *) roles, "owner"))
    return _ ("Owner");
  return g_strv_contains ((const char *const *) roles, "write") ? _ ("Can edit") : _ ("Can view");
}

static const char *
identity_name (JsonObject *identity_set)
{
  static const char *const kinds[] = { "user", "siteUser", "group", "siteGroup", "application" };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonObject *identity = foyer_json_get_object (identity_set, kinds[i]);
      const char *name = foyer_json_get_string (identity, "displayName");

      if (name == NULL)
        name = foyer_json_get_string (identity, "email");
      if (name != NULL)
        return name;
    }
  return NULL;
}

/* Who a permission is for, in words: a person, or a link's audience. */
static const char *
permission_who (JsonObject *permission)
{
  JsonObject *link = foyer_json_get_object (permission, "link");
  FoyerGraphLinkScope scope;
  const char *name = identity_name (foyer_json_get_object (permission, "grantedToV2"));

  if (name == NULL)
    name = identity_name (foyer_json_get_object (permission, "grantedTo"));
  if (name == NULL)
    name = foyer_json_get_string (foyer_json_get_object (permission, "invitation"), "email");
  if (name != NULL)
    return name;

  if (link == NULL)
    return NULL;
  if (!foyer_graph_link_scope_from_string (foyer_json_get_string (link, "scope"), &scope))
    scope = FOYER_GRAPH_LINK_SCOPE_USERS;
  if (scope == FOYER_GRAPH_LINK_SCOPE_ANONYMOUS)
    return _ ("Anyone with the link");
  if (scope == FOYER_GRAPH_LINK_SCOPE_ORGANIZATION)
    return _ ("People in the organization with the link");
  return _ ("Specific people with the link");
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
    text = path_text (self, path);
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
      who = permission_who (permission);
      role = role_text (permission);
      if (who == NULL)
        continue;
      if (owner == NULL && g_str_equal (role, _ ("Owner")))
        owner = who;
      access_list_add (self, who, role);
    }
  if (gtk_widget_get_first_child (GTK_WIDGET (self->access_list)) == NULL)
    access_list_add (self, _ ("Only you"), NULL);
  adw_action_row_set_subtitle (self->owner_row, owner != NULL ? owner : _ ("Unknown"));
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.share",
                                 item != NULL
                                     && foyer_picker_policy_get_default_audience (self->policy)
                                            != FOYER_LINK_AUDIENCE_NONE);
  if (item == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }

  gtk_image_set_from_icon_name (self->details_icon, foyer_picker_icon_name_for_item (item));
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
