/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-dialog.h"
#include "foyer-picker-dialog-private.h"

#include "foyer-access-check.h"
#include "foyer-drive-item-list.h"
#include "foyer-graph-error.h"
#include "foyer-json.h"
#include "foyer-picker-tile.h"
#include "foyer-share-options.h"

G_DEFINE_FINAL_TYPE (FoyerPickerDialog, foyer_picker_dialog, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_GRAPH,
  PROP_POLICY,
  PROP_SORT_BY,
  PROP_SORT_DESCENDING,
  PROP_GRID_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SHARE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
_foyer_picker_dialog_emit_share (FoyerPickerDialog *self,
                                 FoyerDriveItem *item,
                                 FoyerLinkType link_type,
                                 FoyerLinkAudience audience)
{
  g_signal_emit (self, signals[SHARE], 0, item, link_type, audience);
}

/* Type-ahead and Enter in the list or grid. */

static gboolean
typeahead_reset_cb (gpointer user_data)
{
  FoyerPickerDialog *self = user_data;

  g_string_truncate (self->typeahead, 0);
  self->typeahead_source = 0;
  return G_SOURCE_REMOVE;
}

static void
typeahead_find (FoyerPickerDialog *self)
{
  GListModel *model = G_LIST_MODEL (self->sort_model);
  guint n_items = g_list_model_get_n_items (model);
  guint selected = gtk_single_selection_get_selected (self->selection);
  g_autofree char *prefix = g_utf8_casefold (self->typeahead->str, -1);
  /* Typing the same letter again moves on to the next match. */
  guint start = selected != GTK_INVALID_LIST_POSITION && g_utf8_strlen (prefix, -1) == 1
                    ? selected + 1
                    : (selected != GTK_INVALID_LIST_POSITION ? selected : 0);

  for (guint i = 0; i < n_items; i++)
    {
      guint position = (start + i) % n_items;
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, position);
      g_autofree char *name = g_utf8_casefold (foyer_drive_item_get_name (item), -1);

      if (g_str_has_prefix (name, prefix))
        {
          gtk_single_selection_set_selected (self->selection, position);
          gtk_widget_activate_action (_foyer_picker_dialog_current_view (self),
                                      "list.scroll-to-item", "u", position);
          return;
        }
    }
  gtk_widget_error_bell (GTK_WIDGET (self));
}

static gboolean
view_key_pressed_cb (FoyerPickerDialog *self,
                     guint keyval,
                     guint keycode,
                     GdkModifierType state,
                     GtkEventControllerKey *controller)
{
  gunichar c;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
    return FALSE;

  if (keyval == GDK_KEY_Return || keyval == GDK_KEY_KP_Enter || keyval == GDK_KEY_ISO_Enter)
    {
      FoyerDriveItem *item = gtk_single_selection_get_selected_item (self->selection);

      if (item == NULL)
        return FALSE;
      foyer_picker_dialog_activate_item (self, item);
      return TRUE;
    }

  c = gdk_keyval_to_unicode (keyval);
  if (c == 0 || !g_unichar_isprint (c) || (c == ' ' && self->typeahead->len == 0))
    return FALSE;

  g_string_append_unichar (self->typeahead, c);
  g_clear_handle_id (&self->typeahead_source, g_source_remove);
  self->typeahead_source = g_timeout_add (1000, typeahead_reset_cb, self);
  typeahead_find (self);
  return TRUE;
}

static void
add_key_controller (FoyerPickerDialog *self, GtkWidget *view)
{
  GtkEventController *controller = gtk_event_controller_key_new ();

  /* Capture: Enter acts on the selected item, which type-ahead moves
   * without moving the focus. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (view_key_pressed_cb), self);
  gtk_widget_add_controller (view, controller);
}

/* List items. */

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerPickerDialog *self)
{
  gboolean grid = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "grid"));

  gtk_list_item_set_child (list_item, foyer_picker_tile_new (self->thumbnails, grid));
}

/* Search results, recent and shared files come from anywhere: each says
 * where it is. */
static char *
item_location (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  Location *location = _foyer_picker_dialog_current_location (self);
  const char *parent_path = foyer_drive_item_get_parent_path (item);
  gboolean from_anywhere = self->search_model != NULL
                           || (self->path->len == 1
                               && (location->source == FOYER_PICKER_SOURCE_RECENT
                                   || location->source == FOYER_PICKER_SOURCE_SHARED));

  if (!from_anywhere || parent_path == NULL || *parent_path == '\0')
    return NULL;
  return _foyer_picker_dialog_path_text (self, parent_path);
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerPickerDialog *self)
{
  FoyerPickerTile *tile = FOYER_PICKER_TILE (gtk_list_item_get_child (list_item));
  g_autofree char *location = item_location (self, gtk_list_item_get_item (list_item));

  foyer_picker_tile_set_location (tile, location);
  foyer_picker_tile_set_item (tile, gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerPickerDialog *self)
{
  foyer_picker_tile_set_item (FOYER_PICKER_TILE (gtk_list_item_get_child (list_item)), NULL);
}

static GtkListItemFactory *
create_factory (FoyerPickerDialog *self, gboolean grid)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "grid", GINT_TO_POINTER (grid));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), self);
  return factory;
}

/* Adaptive layout. The flap and the leaflet fold while they allocate: the
 * buttons that depend on it change on the next idle, not in the middle of
 * a layout. */

/* Narrow, the details and their share options are a page of their own,
 * which the person passes through before sharing: on the files, the
 * header's button is Next; on the details, Share. The grid toggle moves
 * into the sort menu, so the title keeps its room. */
void
_foyer_picker_dialog_update_share_button (FoyerPickerDialog *self)
{
  gboolean narrow = adw_leaflet_get_folded (self->leaflet);
  gboolean on_details = adw_leaflet_get_visible_child (self->leaflet) == self->details;
  gboolean can_share
      = self->chosen != NULL
        && foyer_picker_policy_get_default_audience (self->policy) != FOYER_LINK_AUDIENCE_NONE;
  gboolean next = narrow && !on_details;

  gtk_button_set_label (GTK_BUTTON (self->share_button), next ? _ ("_Next") : _ ("_Share"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->share_button),
                                  next ? "picker.show-details" : "picker.share");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.share", can_share && !next);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.show-details", can_share && next);
}

static void
update_folded (FoyerPickerDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->sources_button), adw_flap_get_folded (self->flap));
  gtk_widget_set_visible (self->details_back_button, adw_leaflet_get_folded (self->leaflet));
  gtk_widget_set_visible (self->grid_button, !adw_leaflet_get_folded (self->leaflet));
  _foyer_picker_dialog_update_share_button (self);
  if (self->path->len > 0)
    _foyer_picker_dialog_update_breadcrumbs (self);
}

static gboolean
update_folded_cb (gpointer user_data)
{
  FoyerPickerDialog *self = user_data;

  self->folded_source = 0;
  update_folded (self);
  return G_SOURCE_REMOVE;
}

static void
folded_changed_cb (FoyerPickerDialog *self)
{
  if (self->folded_source == 0)
    self->folded_source = g_idle_add (update_folded_cb, self);
}

/* Public API. */

FoyerPickerDialog *
foyer_picker_dialog_new (GtkWindow *parent,
                         FoyerGraphClient *graph,
                         const FoyerPickerPolicy *policy)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (graph), NULL);
  g_return_val_if_fail (policy != NULL, NULL);

  return g_object_new (FOYER_TYPE_PICKER_DIALOG, "transient-for", parent, "graph", graph, "policy",
                       policy, NULL);
}

GListModel *
_foyer_picker_dialog_get_model (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

const char *
_foyer_picker_dialog_get_state (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->state;
}

char **
_foyer_picker_dialog_dup_path (FoyerPickerDialog *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);

  for (guint i = 0; i < self->path->len; i++)
    g_strv_builder_add (builder, ((Location *) g_ptr_array_index (self->path, i))->title);
  return g_strv_builder_end (builder);
}

FoyerThumbnailLoader *
_foyer_picker_dialog_get_thumbnail_loader (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->thumbnails;
}

/* GObject. */

static void
foyer_picker_dialog_constructed (GObject *object)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (object);
  g_autoptr (FoyerGraphClient) thumbnail_graph = NULL;

  G_OBJECT_CLASS (foyer_picker_dialog_parent_class)->constructed (object);

  g_assert (self->graph != NULL);
  if (self->policy == NULL)
    self->policy
        = foyer_picker_policy_new (NULL, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);
  foyer_share_options_set_policy (self->share_options, self->policy);
  /* Thumbnails get a client of their own, so that a screenful of them
   * never queues the next page of the listing behind it (the limit on
   * concurrent requests is per client and host). */
  thumbnail_graph = foyer_graph_client_new_sibling (self->graph);
  self->thumbnails = foyer_thumbnail_loader_new (thumbnail_graph, NULL);
  foyer_picker_dialog_set_source (self, FOYER_PICKER_SOURCE_MY_FILES);
}

static void
foyer_picker_dialog_dispose (GObject *object)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->details_cancellable);
  g_clear_handle_id (&self->typeahead_source, g_source_remove);
  g_clear_handle_id (&self->load_more_source, g_source_remove);
  /* A clock disposed with its surface has already dropped the handler. */
  if (self->layout_clock != NULL
      && g_signal_handler_is_connected (self->layout_clock, self->after_paint_id))
    g_signal_handler_disconnect (self->layout_clock, self->after_paint_id);
  self->after_paint_id = 0;
  g_clear_object (&self->layout_clock);
  g_clear_handle_id (&self->folded_source, g_source_remove);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  g_clear_handle_id (&self->breadcrumbs_source, g_source_remove);
  if (self->options_tick != 0 && self->details != NULL)
    gtk_widget_remove_tick_callback (self->details, self->options_tick);
  self->options_tick = 0;
  if (self->watched != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->watched_ids); i++)
      g_clear_signal_handler (&self->watched_ids[i], self->watched);
  g_clear_object (&self->watched);

  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_PICKER_DIALOG);

  g_clear_pointer (&self->path, g_ptr_array_unref);
  g_clear_pointer (&self->back_stack, g_ptr_array_unref);
  g_clear_object (&self->search_model);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->chosen);
  g_clear_object (&self->thumbnails);
  g_clear_object (&self->graph);

  G_OBJECT_CLASS (foyer_picker_dialog_parent_class)->dispose (object);
}

static void
foyer_picker_dialog_finalize (GObject *object)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->details_cancellable);
  g_clear_pointer (&self->policy, foyer_picker_policy_unref);
  g_free (self->query);
  g_free (self->sort_by);
  g_string_free (self->typeahead, TRUE);

  G_OBJECT_CLASS (foyer_picker_dialog_parent_class)->finalize (object);
}

static void
foyer_picker_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (object);

  switch (prop_id)
    {
    case PROP_GRAPH:
      g_value_set_object (value, self->graph);
      break;
    case PROP_POLICY:
      g_value_set_boxed (value, self->policy);
      break;
    case PROP_SORT_BY:
      g_value_set_string (value, self->sort_by);
      break;
    case PROP_SORT_DESCENDING:
      g_value_set_boolean (value, self->sort_descending);
      break;
    case PROP_GRID_VIEW:
      g_value_set_boolean (value, self->grid_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_picker_dialog_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (object);
  const char *sort_by;

  switch (prop_id)
    {
    case PROP_GRAPH:
      self->graph = g_value_dup_object (value);
      break;
    case PROP_POLICY:
      self->policy = g_value_dup_boxed (value);
      break;
    case PROP_SORT_BY:
      sort_by = g_value_get_string (value);
      if (g_strcmp0 (sort_by, "modified") != 0 && g_strcmp0 (sort_by, "size") != 0)
        sort_by = "name";
      if (g_strcmp0 (sort_by, self->sort_by) == 0)
        break;
      g_free (self->sort_by);
      self->sort_by = g_strdup (sort_by);
      _foyer_picker_dialog_resort (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_SORT_DESCENDING:
      if (self->sort_descending == g_value_get_boolean (value))
        break;
      self->sort_descending = g_value_get_boolean (value);
      _foyer_picker_dialog_resort (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_GRID_VIEW:
      if (self->grid_mode == g_value_get_boolean (value))
        break;
      self->grid_mode = g_value_get_boolean (value);
      if (self->path->len > 0)
        _foyer_picker_dialog_update_state (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_picker_dialog_class_init (FoyerPickerDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = foyer_picker_dialog_constructed;
  object_class->dispose = foyer_picker_dialog_dispose;
  object_class->finalize = foyer_picker_dialog_finalize;
  object_class->get_property = foyer_picker_dialog_get_property;
  object_class->set_property = foyer_picker_dialog_set_property;

  properties[PROP_GRAPH]
      = g_param_spec_object ("graph", NULL, NULL, FOYER_TYPE_GRAPH_CLIENT,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLICY]
      = g_param_spec_boxed ("policy", NULL, NULL, FOYER_TYPE_PICKER_POLICY,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_BY]
      = g_param_spec_string ("sort-by", NULL, NULL, "name",
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_DESCENDING]
      = g_param_spec_boolean ("sort-descending", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRID_VIEW]
      = g_param_spec_boolean ("grid-view", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * FoyerPickerDialog::share:
   * @item: the chosen file
   * @link_type: a #FoyerLinkType
   * @audience: a #FoyerLinkAudience, never NONE
   *
   * The person clicked *Share*. The dialog stays open: the caller closes it.
   */
  signals[SHARE] = g_signal_new ("share", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 3, FOYER_TYPE_DRIVE_ITEM,
                                 FOYER_TYPE_LINK_TYPE, FOYER_TYPE_LINK_AUDIENCE);

  g_type_ensure (FOYER_TYPE_SHARE_OPTIONS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/picker/foyer-picker-dialog.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerPickerDialog, name)
  BIND (sources_button);
  BIND (share_button);
  BIND (grid_button);
  BIND (back_button);
  BIND (up_button);
  BIND (window_title);
  BIND (flap);
  BIND (sources_list);
  BIND (my_files_row);
  BIND (recent_row);
  BIND (shared_row);
  BIND (sharepoint_row);
  BIND (leaflet);
  BIND (browser);
  BIND (details);
  BIND (breadcrumbs_scroller);
  BIND (breadcrumbs);
  BIND (search_entry);
  BIND (kind_dropdown);
  BIND (view_stack);
  BIND (list_scroller);
  BIND (list_view);
  BIND (grid_scroller);
  BIND (grid_view);
  BIND (loading_spinner);
  BIND (status_page);
  BIND (retry_button);
  BIND (details_back_button);
  BIND (details_stack);
  BIND (details_icon);
  BIND (details_name);
  BIND (size_row);
  BIND (modified_row);
  BIND (owner_row);
  BIND (location_row);
  BIND (share_options);
  BIND (access_list);
#undef BIND
  gtk_widget_class_bind_template_callback_full (
      widget_class, "source_selected_cb", G_CALLBACK (_foyer_picker_dialog_source_selected_cb));
  gtk_widget_class_bind_template_callback_full (
      widget_class, "search_changed_cb", G_CALLBACK (_foyer_picker_dialog_search_changed_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "stop_search_cb",
                                                G_CALLBACK (_foyer_picker_dialog_stop_search_cb));
  gtk_widget_class_bind_template_callback_full (
      widget_class, "search_activate_cb", G_CALLBACK (_foyer_picker_dialog_search_activate_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "kind_changed_cb",
                                                G_CALLBACK (_foyer_picker_dialog_kind_changed_cb));
  gtk_widget_class_bind_template_callback_full (widget_class, "view_activate_cb",
                                                G_CALLBACK (_foyer_picker_dialog_view_activate_cb));

  gtk_widget_class_install_action (widget_class, "picker.up", NULL, _foyer_picker_dialog_up_action);
  gtk_widget_class_install_action (widget_class, "picker.back", NULL,
                                   _foyer_picker_dialog_back_action);
  gtk_widget_class_install_action (widget_class, "picker.retry", NULL,
                                   _foyer_picker_dialog_retry_action);
  gtk_widget_class_install_action (widget_class, "picker.share", NULL,
                                   _foyer_picker_dialog_share_action);
  gtk_widget_class_install_action (widget_class, "picker.show-details", NULL,
                                   _foyer_picker_dialog_show_details_action);
  gtk_widget_class_install_action (widget_class, "picker.search", NULL,
                                   _foyer_picker_dialog_search_action);
  gtk_widget_class_install_action (widget_class, "picker.show-files", NULL,
                                   _foyer_picker_dialog_show_files_action);
  gtk_widget_class_install_property_action (widget_class, "picker.sort-by", "sort-by");
  gtk_widget_class_install_property_action (widget_class, "picker.sort-descending",
                                            "sort-descending");
  gtk_widget_class_install_property_action (widget_class, "picker.grid-view", "grid-view");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "picker.up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "picker.up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "picker.back",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "picker.search",
                                       NULL);
}

static void
foyer_picker_dialog_init (FoyerPickerDialog *self)
{
  g_autoptr (GtkListItemFactory) list_factory = NULL;
  g_autoptr (GtkListItemFactory) grid_factory = NULL;

  self->cancellable = g_cancellable_new ();
  self->path = g_ptr_array_new_with_free_func ((GDestroyNotify) _foyer_picker_location_unref);
  self->back_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->typeahead = g_string_new (NULL);
  self->sort_by = g_strdup ("name");
  self->state = "none";

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (_foyer_picker_dialog_filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, NULL);
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (self->filter_model), NULL);
  _foyer_picker_dialog_resort (self);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->sort_model, "items-changed",
                            G_CALLBACK (_foyer_picker_dialog_sorted_items_changed_cb), self);
  g_signal_connect_swapped (self->selection, "selection-changed",
                            G_CALLBACK (_foyer_picker_dialog_selection_changed_cb), self);

  list_factory = create_factory (self, FALSE);
  grid_factory = create_factory (self, TRUE);
  gtk_list_view_set_factory (self->list_view, list_factory);
  gtk_grid_view_set_factory (self->grid_view, grid_factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));
  add_key_controller (self, GTK_WIDGET (self->list_view));
  add_key_controller (self, GTK_WIDGET (self->grid_view));

  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->list_scroller),
                            "value-changed",
                            G_CALLBACK (_foyer_picker_dialog_adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->list_scroller), "changed",
                            G_CALLBACK (_foyer_picker_dialog_adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->grid_scroller),
                            "value-changed",
                            G_CALLBACK (_foyer_picker_dialog_adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->grid_scroller), "changed",
                            G_CALLBACK (_foyer_picker_dialog_adjustment_changed_cb), self);
  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (_foyer_picker_dialog_network_changed_cb), self,
                           G_CONNECT_SWAPPED);

  g_object_bind_property (self->flap, "reveal-flap", self->sources_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->flap, "notify::folded", G_CALLBACK (folded_changed_cb), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (folded_changed_cb), self);
  g_signal_connect_swapped (self->leaflet, "notify::visible-child",
                            G_CALLBACK (_foyer_picker_dialog_update_share_button), self);
  /* The breadcrumbs shorten their names rather than scroll out of sight
   * in the middle of a word. */
  gtk_scrolled_window_set_policy (self->breadcrumbs_scroller, GTK_POLICY_NEVER, GTK_POLICY_NEVER);
  update_folded (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.share", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.up", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.back", FALSE);
}
