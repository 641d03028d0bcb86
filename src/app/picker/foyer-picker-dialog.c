/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-dialog.h"

#include "foyer-access-check.h"
#include "foyer-drive-item-list.h"
#include "foyer-graph-error.h"
#include "foyer-item-location.h"
#include "foyer-picker-tile.h"

/* A place in a source: its root (item NULL), a folder, a site or a drive.
 * Its listing is made when first shown and kept while it is on the path,
 * so that going up shows the parent at once. */
typedef struct
{
  FoyerPickerSource source;
  char *title;
  FoyerDriveItem *item;
  GListModel *model;
} Location;

typedef enum
{
  KIND_FILTER_ALL,
  KIND_FILTER_DOCUMENTS,
  KIND_FILTER_SPREADSHEETS,
  KIND_FILTER_PRESENTATIONS,
  KIND_FILTER_PDFS,
  KIND_FILTER_IMAGES,
} KindFilter;

struct _FoyerPickerDialog
{
  AdwWindow parent_instance;

  GtkToggleButton *sources_button;
  GtkWidget *share_button;
  GtkWidget *back_button;
  GtkWidget *up_button;
  AdwWindowTitle *window_title;
  AdwFlap *flap;
  GtkListBox *sources_list;
  GtkListBoxRow *my_files_row;
  GtkListBoxRow *recent_row;
  GtkListBoxRow *shared_row;
  GtkListBoxRow *sharepoint_row;
  AdwLeaflet *leaflet;
  GtkWidget *browser;
  GtkWidget *details;
  GtkScrolledWindow *breadcrumbs_scroller;
  GtkBox *breadcrumbs;
  GtkSearchEntry *search_entry;
  GtkDropDown *kind_dropdown;
  GtkStack *view_stack;
  GtkScrolledWindow *list_scroller;
  GtkListView *list_view;
  GtkScrolledWindow *grid_scroller;
  GtkGridView *grid_view;
  GtkSpinner *loading_spinner;
  AdwStatusPage *status_page;
  GtkWidget *retry_button;
  GtkWidget *details_back_button;
  GtkStack *details_stack;
  GtkImage *details_icon;
  GtkLabel *details_name;
  AdwActionRow *size_row;
  AdwActionRow *modified_row;
  AdwActionRow *owner_row;
  AdwActionRow *location_row;
  AdwActionRow *edit_row;
  GtkSwitch *edit_switch;
  AdwPreferencesGroup *audience_group;
  AdwActionRow *anyone_row;
  AdwActionRow *organization_row;
  AdwActionRow *space_row;
  AdwActionRow *existing_row;
  GtkCheckButton *anyone_check;
  GtkCheckButton *organization_check;
  GtkCheckButton *space_check;
  GtkCheckButton *existing_check;
  GtkListBox *access_list;
  AdwPreferencesGroup *access_check_group;
  AdwActionRow *access_warning_row;
  AdwActionRow *grant_row;
  GtkSwitch *grant_switch;

  FoyerGraphClient *graph;
  FoyerPickerPolicy *policy;
  FoyerThumbnailLoader *thumbnails;
  GCancellable *cancellable;         /* cancelled in dispose */
  GCancellable *details_cancellable; /* the chosen item's permissions */

  GPtrArray *path;       /* Location*, the source's root first */
  GPtrArray *back_stack; /* GPtrArray* of Location*, earlier paths */
  char *query;
  GListModel *search_model; /* remote results for query, or NULL */
  GListModel *watched;      /* the model under the filter */
  gulong watched_ids[2];

  GtkFilterListModel *filter_model;
  GtkCustomFilter *filter;
  GtkSortListModel *sort_model;
  GtkSingleSelection *selection;
  FoyerDriveItem *chosen;
  char *audience;
  JsonArray *permissions; /* the chosen item's, once known */
  GStrv without_access;   /* members who could not open it with the audience */

  char *sort_by;
  gboolean sort_descending;
  gboolean grid_mode;
  KindFilter kind_filter;
  const char *state;

  GString *typeahead;
  guint typeahead_source;
  guint load_more_source;
  GdkFrameClock *layout_clock; /* watched for the next frame's end */
  gulong after_paint_id;
  gboolean layout_pending; /* items changed, the view not yet laid out */
  guint folded_source;
  guint spinner_source;
  guint breadcrumbs_source;
  gint64 loading_since;
  gboolean changing_source;
};

#define SPINNER_DELAY_MS 300

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

static void foyer_picker_dialog_show_location (FoyerPickerDialog *self);
static void foyer_picker_dialog_update_state (FoyerPickerDialog *self);
static void foyer_picker_dialog_set_chosen (FoyerPickerDialog *self, FoyerDriveItem *item);

/* Locations. */

static void
location_clear (Location *location)
{
  g_free (location->title);
  g_clear_object (&location->item);
  g_clear_object (&location->model);
}

static Location *
location_new (FoyerPickerSource source, const char *title, FoyerDriveItem *item)
{
  Location *location = g_rc_box_new0 (Location);

  location->source = source;
  location->title = g_strdup (title);
  g_set_object (&location->item, item);
  return location;
}

static Location *
location_ref (Location *location)
{
  return g_rc_box_acquire (location);
}

static void
location_unref (Location *location)
{
  g_rc_box_release_full (location, (GDestroyNotify) location_clear);
}

static GPtrArray *
path_copy (GPtrArray *path)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) location_unref);

  for (guint i = 0; i < path->len; i++)
    g_ptr_array_add (copy, location_ref (g_ptr_array_index (path, i)));
  return copy;
}

static Location *
current_location (FoyerPickerDialog *self)
{
  g_assert (self->path->len > 0);
  return g_ptr_array_index (self->path, self->path->len - 1);
}

static const char *
source_title (FoyerPickerSource source)
{
  switch (source)
    {
    case FOYER_PICKER_SOURCE_RECENT:
      return _ ("Recent");
    case FOYER_PICKER_SOURCE_SHARED:
      return _ ("Shared with Me");
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      return _ ("SharePoint");
    case FOYER_PICKER_SOURCE_MY_FILES:
    default:
      return _ ("My Files");
    }
}

static GListModel *
location_create_model (FoyerPickerDialog *self, Location *location)
{
  FoyerDriveItem *item = location->item;

  if (item != NULL && foyer_drive_item_get_is_site (item))
    return G_LIST_MODEL (
        foyer_graph_client_list_site_drives (self->graph, foyer_drive_item_get_id (item)));
  if (item != NULL)
    return G_LIST_MODEL (
        foyer_graph_client_list_children (self->graph, foyer_drive_item_get_target_drive_id (item),
                                          foyer_drive_item_get_target_id (item)));

  switch (location->source)
    {
    case FOYER_PICKER_SOURCE_RECENT:
      return G_LIST_MODEL (foyer_graph_client_list_recent (self->graph));
    case FOYER_PICKER_SOURCE_SHARED:
      return G_LIST_MODEL (foyer_graph_client_list_shared_with_me (self->graph));
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      return G_LIST_MODEL (foyer_graph_client_list_followed_sites (self->graph));
    case FOYER_PICKER_SOURCE_MY_FILES:
    default:
      return G_LIST_MODEL (foyer_graph_client_list_children (self->graph, NULL, NULL));
    }
}

/* The drive a search should cover for the location, or NULL when the
 * results are filtered locally (Recent and Shared list few items, and
 * Graph has no search over them). */
static const char *
location_search_drive (Location *location)
{
  if (location->item == NULL || foyer_drive_item_get_is_site (location->item))
    return NULL;
  return foyer_drive_item_get_target_drive_id (location->item);
}

static GListModel *
create_search_model (FoyerPickerDialog *self, const char *query)
{
  Location *location = current_location (self);
  const char *drive_id;
  g_autoptr (GString) quoted = NULL;
  g_autofree char *escaped_query = NULL;
  g_autofree char *escaped_drive = NULL;
  g_autofree char *path = NULL;

  switch (location->source)
    {
    case FOYER_PICKER_SOURCE_MY_FILES:
      return G_LIST_MODEL (foyer_graph_client_search (self->graph, query));
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      drive_id = location_search_drive (location);
      if (drive_id == NULL)
        return G_LIST_MODEL (foyer_graph_client_search_sites (self->graph, query));
      break;
    case FOYER_PICKER_SOURCE_RECENT:
    case FOYER_PICKER_SOURCE_SHARED:
    default:
      return NULL;
    }

  /* A document library: search that drive (an OData string literal, a
   * quote doubled). */
  quoted = g_string_new (NULL);
  for (const char *p = query; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (quoted, '\'');
      g_string_append_c (quoted, *p);
    }
  escaped_query = g_uri_escape_string (quoted->str, "'", FALSE);
  escaped_drive = g_uri_escape_string (drive_id, NULL, FALSE);
  path = g_strdup_printf ("/drives/%s/root/search(q='%s')?$select=%s", escaped_drive, escaped_query,
                          FOYER_DRIVE_ITEM_SELECT);
  return G_LIST_MODEL (foyer_drive_item_list_new (self->graph, path));
}

/* Filter and sort. */

static gboolean
kind_matches (KindFilter filter, FoyerDriveItem *item)
{
  FoyerDriveItemKind kind = foyer_drive_item_get_kind (item);

  /* Folders stay, so that one can still browse into them. */
  if (foyer_drive_item_get_is_folder (item))
    return TRUE;

  switch (filter)
    {
    case KIND_FILTER_DOCUMENTS:
      return kind == FOYER_DRIVE_ITEM_KIND_DOCUMENT || kind == FOYER_DRIVE_ITEM_KIND_TEXT;
    case KIND_FILTER_SPREADSHEETS:
      return kind == FOYER_DRIVE_ITEM_KIND_SPREADSHEET;
    case KIND_FILTER_PRESENTATIONS:
      return kind == FOYER_DRIVE_ITEM_KIND_PRESENTATION;
    case KIND_FILTER_PDFS:
      return kind == FOYER_DRIVE_ITEM_KIND_PDF;
    case KIND_FILTER_IMAGES:
      return kind == FOYER_DRIVE_ITEM_KIND_IMAGE;
    case KIND_FILTER_ALL:
    default:
      return TRUE;
    }
}

static gboolean
filter_func (gpointer object, gpointer user_data)
{
  FoyerPickerDialog *self = user_data;
  FoyerDriveItem *item = object;

  if (!kind_matches (self->kind_filter, item))
    return FALSE;

  if (self->query != NULL && self->search_model == NULL)
    {
      g_autofree char *name = g_utf8_casefold (foyer_drive_item_get_name (item), -1);
      g_autofree char *needle = g_utf8_casefold (self->query, -1);

      return strstr (name, needle) != NULL;
    }
  return TRUE;
}

static void
foyer_picker_dialog_refilter (FoyerPickerDialog *self)
{
  gboolean active
      = self->kind_filter != KIND_FILTER_ALL || (self->query != NULL && self->search_model == NULL);

  /* No filter at all is much cheaper on a big folder than one that passes
   * everything. */
  if (!active)
    {
      gtk_filter_list_model_set_filter (self->filter_model, NULL);
      return;
    }
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static gint64
modified_unix (FoyerDriveItem *item)
{
  GDateTime *modified = foyer_drive_item_get_modified (item);

  return modified != NULL ? g_date_time_to_unix (modified) : 0;
}

static int
compare_names_descending (gconstpointer a, gconstpointer b, gpointer user_data)
{
  g_autofree char *name_a = g_utf8_casefold (foyer_drive_item_get_name ((FoyerDriveItem *) a), -1);
  g_autofree char *name_b = g_utf8_casefold (foyer_drive_item_get_name ((FoyerDriveItem *) b), -1);

  return g_utf8_collate (name_b, name_a);
}

static void
foyer_picker_dialog_resort (FoyerPickerDialog *self)
{
  g_autoptr (GtkMultiSorter) sorter = gtk_multi_sorter_new ();
  GtkSorter *folders;
  GtkSorter *key = NULL;
  GtkSorter *name;
  GtkSortType order = self->sort_descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING;

  folders = GTK_SORTER (gtk_numeric_sorter_new (
      gtk_property_expression_new (FOYER_TYPE_DRIVE_ITEM, NULL, "is-folder")));
  gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (folders), GTK_SORT_DESCENDING);
  gtk_multi_sorter_append (sorter, folders);

  if (g_strcmp0 (self->sort_by, "modified") == 0)
    key = GTK_SORTER (gtk_numeric_sorter_new (gtk_cclosure_expression_new (
        G_TYPE_INT64, NULL, 0, NULL, G_CALLBACK (modified_unix), NULL, NULL)));
  else if (g_strcmp0 (self->sort_by, "size") == 0)
    key = GTK_SORTER (
        gtk_numeric_sorter_new (gtk_property_expression_new (FOYER_TYPE_DRIVE_ITEM, NULL, "size")));
  if (key != NULL)
    {
      gtk_numeric_sorter_set_sort_order (GTK_NUMERIC_SORTER (key), order);
      gtk_multi_sorter_append (sorter, key);
    }

  /* GtkStringSorter has no order of its own before GTK 4.10. */
  if (key == NULL && self->sort_descending)
    name = GTK_SORTER (gtk_custom_sorter_new (compare_names_descending, NULL, NULL));
  else
    name = GTK_SORTER (
        gtk_string_sorter_new (gtk_property_expression_new (FOYER_TYPE_DRIVE_ITEM, NULL, "name")));
  gtk_multi_sorter_append (sorter, name);

  gtk_sort_list_model_set_sorter (self->sort_model, GTK_SORTER (sorter));
}

/* Breadcrumbs. */

static void
breadcrumb_clicked_cb (GtkButton *button, FoyerPickerDialog *self)
{
  guint depth = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "depth"));

  if (depth + 1 >= self->path->len)
    return;
  g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_set_size (self->path, depth + 1);
  foyer_picker_dialog_show_location (self);
}

static gboolean
scroll_breadcrumbs_cb (gpointer user_data)
{
  FoyerPickerDialog *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->breadcrumbs_scroller);

  self->breadcrumbs_source = 0;

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  return G_SOURCE_REMOVE;
}

static void
foyer_picker_dialog_update_breadcrumbs (FoyerPickerDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->breadcrumbs))) != NULL)
    gtk_box_remove (self->breadcrumbs, child);

  for (guint i = 0; i < self->path->len; i++)
    {
      Location *location = g_ptr_array_index (self->path, i);
      GtkWidget *crumb;

      if (i > 0)
        {
          GtkWidget *separator = gtk_label_new ("/");

          gtk_widget_add_css_class (separator, "dim-label");
          gtk_accessible_update_state (GTK_ACCESSIBLE (separator), GTK_ACCESSIBLE_STATE_HIDDEN,
                                       TRUE, -1);
          gtk_box_append (self->breadcrumbs, separator);
        }

      if (i + 1 == self->path->len)
        {
          crumb = gtk_label_new (NULL);
          gtk_label_set_text (GTK_LABEL (crumb), location->title);
          gtk_widget_add_css_class (crumb, "heading");
          gtk_widget_set_margin_start (crumb, 6);
          gtk_widget_set_margin_end (crumb, 6);
        }
      else
        {
          GtkWidget *label = gtk_label_new (NULL);

          gtk_label_set_text (GTK_LABEL (label), location->title);
          crumb = gtk_button_new ();
          gtk_button_set_child (GTK_BUTTON (crumb), label);
          gtk_widget_add_css_class (crumb, "flat");
          g_object_set_data (G_OBJECT (crumb), "depth", GUINT_TO_POINTER (i));
          g_signal_connect (crumb, "clicked", G_CALLBACK (breadcrumb_clicked_cb), self);
          gtk_accessible_update_property (GTK_ACCESSIBLE (crumb), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          location->title, -1);
        }
      gtk_box_append (self->breadcrumbs, crumb);
    }

  if (self->breadcrumbs_source == 0)
    self->breadcrumbs_source = g_idle_add_full (G_PRIORITY_LOW, scroll_breadcrumbs_cb, self, NULL);
}

/* The model under the view, and what state it is in. */

static GtkWidget *
current_view (FoyerPickerDialog *self)
{
  return self->grid_mode ? GTK_WIDGET (self->grid_view) : GTK_WIDGET (self->list_view);
}

static GtkScrolledWindow *
current_scroller (FoyerPickerDialog *self)
{
  return self->grid_mode ? self->grid_scroller : self->list_scroller;
}

static FoyerDriveItemList *
watched_list (FoyerPickerDialog *self)
{
  return FOYER_IS_DRIVE_ITEM_LIST (self->watched) ? FOYER_DRIVE_ITEM_LIST (self->watched) : NULL;
}

/* Loads the next page when the view is within a screen of its end. */
static void
foyer_picker_dialog_maybe_load_more (FoyerPickerDialog *self)
{
  FoyerDriveItemList *list = watched_list (self);
  GtkAdjustment *adjustment;
  double remaining;

  if (list == NULL || !foyer_drive_item_list_get_has_more (list)
      || foyer_drive_item_list_get_loading (list) || foyer_drive_item_list_get_error (list) != NULL)
    return;

  /* What the adjustment says describes the view before the new items;
   * after_paint_cb () comes back here. (A check queued while the folder was
   * still empty may run between its first page and that frame.) */
  if (self->layout_pending && self->layout_clock != NULL
      && g_signal_handler_is_connected (self->layout_clock, self->after_paint_id))
    return;

  adjustment = gtk_scrolled_window_get_vadjustment (current_scroller (self));
  remaining = gtk_adjustment_get_upper (adjustment)
              - (gtk_adjustment_get_value (adjustment) + gtk_adjustment_get_page_size (adjustment));
  /* Until the view is allocated its adjustment is all zeros, which would
   * look like "at the end"; it changes again once the view has a size. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)) == 0
      || (gtk_adjustment_get_page_size (adjustment) > 0
          && remaining <= gtk_adjustment_get_page_size (adjustment)))
    foyer_drive_item_list_load_more (list);
}

static gboolean
maybe_load_more_cb (gpointer user_data)
{
  FoyerPickerDialog *self = user_data;

  self->load_more_source = 0;
  foyer_picker_dialog_maybe_load_more (self);
  return G_SOURCE_REMOVE;
}

/* Deferred: the list notifies from inside its own load_more, which must
 * not be re-entered. */
static void
foyer_picker_dialog_queue_load_more (FoyerPickerDialog *self)
{
  if (self->load_more_source == 0)
    self->load_more_source = g_idle_add (maybe_load_more_cb, self);
}

static void
after_paint_cb (GdkFrameClock *clock, FoyerPickerDialog *self)
{
  g_clear_signal_handler (&self->after_paint_id, clock);
  self->layout_pending = FALSE;
  foyer_picker_dialog_queue_load_more (self);
}

/* New items change the view's size only once it is laid out again; until
 * then its adjustment still describes what it showed before (a short
 * folder that fit the window looks like "at the end"). */
static void
foyer_picker_dialog_queue_load_more_after_layout (FoyerPickerDialog *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (clock == NULL)
    {
      self->layout_pending = FALSE;
      foyer_picker_dialog_queue_load_more (self);
      return;
    }
  if (self->after_paint_id != 0 && self->layout_clock == clock
      && g_signal_handler_is_connected (clock, self->after_paint_id))
    return;
  self->layout_pending = TRUE;
  g_set_object (&self->layout_clock, clock);
  self->after_paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), self);
  gtk_widget_queue_resize (GTK_WIDGET (current_scroller (self)));
}

static void
adjustment_changed_cb (FoyerPickerDialog *self)
{
  foyer_picker_dialog_queue_load_more (self);
}

static void
set_status (FoyerPickerDialog *self,
            const char *icon_name,
            const char *title,
            const char *description,
            gboolean can_retry)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (self->retry_button, can_retry);
}

static void
show_error (FoyerPickerDialog *self, const GError *error)
{
  if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED)
      || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE))
    set_status (self, "alarm-symbolic", _ ("Microsoft Is Busy"),
                _ ("Microsoft asked Foyer to slow down, and waiting did not help. Try again "
                   "in a moment."),
                TRUE);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NETWORK))
    set_status (self, "network-offline-symbolic", _ ("You Are Offline"),
                _ ("Foyer cannot reach Microsoft. It tries again when the connection is back."),
                TRUE);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED))
    set_status (self, "action-unavailable-symbolic", _ ("No Access"),
                _ ("You do not have permission to open this. Ask its owner to share it with "
                   "you."),
                TRUE);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND))
    set_status (self, "folder-symbolic", _ ("Not Found"), _ ("This folder was moved or deleted."),
                TRUE);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_UNAUTHENTICATED))
    set_status (self, "dialog-password-symbolic", _ ("Reconnect Needed"),
                _ ("Your Microsoft account needs to sign in again."), TRUE);
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE))
    set_status (self, "dialog-error-symbolic", _ ("Could Not Load Files"),
                _ ("Microsoft sent a reply Foyer could not read."), TRUE);
  else
    set_status (self, "dialog-error-symbolic", _ ("Could Not Load Files"),
                _ ("Something went wrong while talking to Microsoft."), TRUE);
  g_debug ("listing failed: %s", error->message);
}

/* Recent and Shared come from item insights; when Graph would not give
 * those (an organization that turned them off: 403 ItemInsightsDisabled),
 * the deprecated lists are asked instead, and they return nothing once
 * Microsoft retired them. Say which, rather than "nothing recent". */
static gboolean
show_insights_unavailable (FoyerPickerDialog *self, gboolean failed)
{
  Location *location = current_location (self);
  FoyerDriveItemList *list = watched_list (self);
  const GError *why = list != NULL ? foyer_drive_item_list_get_fallback_error (list) : NULL;
  gboolean recent = location->source == FOYER_PICKER_SOURCE_RECENT;
  gboolean turned_off;

  if (location->item != NULL || why == NULL || self->query != NULL
      || (!recent && location->source != FOYER_PICKER_SOURCE_SHARED))
    return FALSE;
  turned_off = g_strcmp0 (foyer_graph_error_get_code (why), "ItemInsightsDisabled") == 0;
  if (recent)
    set_status (self, "document-open-recent-symbolic",
                turned_off ? _ ("Recent Files Are Turned Off") : _ ("Recent Files Unavailable"),
                turned_off ? _ ("Your organization has turned off the Microsoft 365 feature "
                                "that lists the files you used recently. Find your files in My "
                                "Files or by searching.")
                           : _ ("Microsoft did not say which files you used recently. Find "
                                "your files in My Files or by searching."),
                failed && !turned_off);
  else
    set_status (self, "folder-publicshare-symbolic",
                turned_off ? _ ("Shared Files Are Turned Off") : _ ("Shared Files Unavailable"),
                turned_off ? _ ("Your organization has turned off the Microsoft 365 feature "
                                "that lists the files others shared with you. Open a file from "
                                "the link you were sent, or ask its owner where it is.")
                           : _ ("Microsoft did not say which files were shared with you. Open a "
                                "file from the link you were sent."),
                failed && !turned_off);
  g_debug ("%s unavailable: %s", recent ? "recent" : "shared", why->message);
  return TRUE;
}

static void
show_empty (FoyerPickerDialog *self)
{
  Location *location = current_location (self);

  if (show_insights_unavailable (self, FALSE))
    return;

  if (self->query != NULL)
    set_status (self, "edit-find-symbolic", _ ("No Results"),
                _ ("Nothing here matches your search."), FALSE);
  else if (self->kind_filter != KIND_FILTER_ALL)
    set_status (self, "edit-find-symbolic", _ ("No Matching Files"),
                _ ("There are no files of this kind here."), FALSE);
  else if (location->item == NULL && location->source == FOYER_PICKER_SOURCE_SHAREPOINT)
    set_status (self, "network-workgroup-symbolic", _ ("No Followed Sites"),
                _ ("Search for a SharePoint site to see its document libraries."), FALSE);
  else if (location->item == NULL && location->source == FOYER_PICKER_SOURCE_RECENT)
    set_status (self, "document-open-recent-symbolic", _ ("No Recent Files"),
                _ ("Files you open or edit will show up here."), FALSE);
  else if (location->item == NULL && location->source == FOYER_PICKER_SOURCE_SHARED)
    set_status (self, "folder-publicshare-symbolic", _ ("Nothing Shared with You"),
                _ ("Files that others share with you will show up here."), FALSE);
  else
    set_status (self, "folder-symbolic", _ ("Empty Folder"), _ ("This folder has no files."),
                FALSE);
}

static gboolean
spinner_timeout_cb (gpointer user_data)
{
  FoyerPickerDialog *self = user_data;

  self->spinner_source = 0;
  foyer_picker_dialog_update_state (self);
  return G_SOURCE_REMOVE;
}

static void
set_state (FoyerPickerDialog *self, const char *state)
{
  const char *page = state;
  GtkWidget *focus;

  /* A spinner only for a wait one notices: a quick page goes straight
   * from an empty view to its items, without painting the spinner first. */
  if (g_str_equal (state, "loading"))
    {
      gint64 now = g_get_monotonic_time ();

      if (!g_str_equal (self->state, "loading"))
        self->loading_since = now;
      if (now - self->loading_since < SPINNER_DELAY_MS * 1000)
        {
          page = self->grid_mode ? "grid" : "list";
          if (self->spinner_source == 0)
            self->spinner_source
                = g_timeout_add (SPINNER_DELAY_MS - (guint) ((now - self->loading_since) / 1000),
                                 spinner_timeout_cb, self);
        }
    }
  else
    g_clear_handle_id (&self->spinner_source, g_source_remove);

  self->state = state;
  gtk_stack_set_visible_child_name (self->view_stack, page);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (page, "loading"));

  /* Keep the keyboard in the files when the page it was on went away. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if ((g_str_equal (state, "list") || g_str_equal (state, "grid"))
      && (focus == NULL || !gtk_widget_get_mapped (focus)))
    gtk_widget_grab_focus (current_view (self));
}

static void
foyer_picker_dialog_update_state (FoyerPickerDialog *self)
{
  FoyerDriveItemList *list = watched_list (self);
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->sort_model));
  const GError *error = list != NULL ? foyer_drive_item_list_get_error (list) : NULL;
  gboolean loading = list != NULL && foyer_drive_item_list_get_loading (list);
  gboolean has_more = list != NULL && foyer_drive_item_list_get_has_more (list);

  if (n_items > 0)
    set_state (self, self->grid_mode ? "grid" : "list");
  else if (error != NULL)
    {
      /* The fallback failed too: the first reason is the one to tell. */
      if (!show_insights_unavailable (self, TRUE))
        show_error (self, error);
      set_state (self, "status");
    }
  else if (loading || has_more)
    set_state (self, "loading");
  else
    {
      show_empty (self);
      set_state (self, "status");
    }

  if (n_items > 0)
    foyer_picker_dialog_queue_load_more_after_layout (self);
  else
    foyer_picker_dialog_queue_load_more (self);
}

static void
watched_changed_cb (FoyerPickerDialog *self)
{
  foyer_picker_dialog_update_state (self);
}

static void
foyer_picker_dialog_watch (FoyerPickerDialog *self, GListModel *model)
{
  if (self->watched == model)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (self->watched_ids); i++)
    g_clear_signal_handler (&self->watched_ids[i], self->watched);
  g_set_object (&self->watched, model);

  if (FOYER_IS_DRIVE_ITEM_LIST (model))
    {
      self->watched_ids[0] = g_signal_connect_swapped (model, "notify::loading",
                                                       G_CALLBACK (watched_changed_cb), self);
      self->watched_ids[1] = g_signal_connect_swapped (model, "notify::error",
                                                       G_CALLBACK (watched_changed_cb), self);
    }
  gtk_filter_list_model_set_model (self->filter_model, model);
}

static void
sorted_items_changed_cb (FoyerPickerDialog *self)
{
  foyer_picker_dialog_update_state (self);
}

/* Navigation. */

static void
set_query (FoyerPickerDialog *self, const char *query)
{
  g_clear_pointer (&self->query, g_free);
  g_clear_object (&self->search_model);
  if (query != NULL && *query != '\0')
    {
      self->query = g_strdup (query);
      self->search_model = create_search_model (self, query);
    }
}

static void
clear_search (FoyerPickerDialog *self)
{
  set_query (self, NULL);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static const char *
search_placeholder (Location *location)
{
  switch (location->source)
    {
    case FOYER_PICKER_SOURCE_RECENT:
      return _ ("Search Recent Files");
    case FOYER_PICKER_SOURCE_SHARED:
      return _ ("Search Shared Files");
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      return location_search_drive (location) != NULL ? _ ("Search This Library")
                                                      : _ ("Search SharePoint Sites");
    case FOYER_PICKER_SOURCE_MY_FILES:
    default:
      return _ ("Search My Files");
    }
}

static GtkListBoxRow *
source_row (FoyerPickerDialog *self, FoyerPickerSource source)
{
  switch (source)
    {
    case FOYER_PICKER_SOURCE_RECENT:
      return self->recent_row;
    case FOYER_PICKER_SOURCE_SHARED:
      return self->shared_row;
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      return self->sharepoint_row;
    case FOYER_PICKER_SOURCE_MY_FILES:
    default:
      return self->my_files_row;
    }
}

static void
foyer_picker_dialog_show_location (FoyerPickerDialog *self)
{
  Location *location = current_location (self);
  GListModel *model;

  if (location->model == NULL)
    location->model = location_create_model (self, location);
  model = self->search_model != NULL ? self->search_model : location->model;

  foyer_picker_dialog_set_chosen (self, NULL);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  foyer_picker_dialog_refilter (self);
  foyer_picker_dialog_watch (self, model);
  foyer_picker_dialog_update_breadcrumbs (self);

  adw_window_title_set_subtitle (self->window_title, source_title (location->source));
  g_object_set (self->search_entry, "placeholder-text", search_placeholder (location), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, search_placeholder (location), -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.up", self->path->len > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.back", self->back_stack->len > 0);

  self->changing_source = TRUE;
  gtk_list_box_select_row (self->sources_list, source_row (self, location->source));
  self->changing_source = FALSE;

  foyer_picker_dialog_update_state (self);
}

static void
open_folder (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  Location *parent = current_location (self);

  g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_add (self->path,
                   location_new (parent->source, foyer_drive_item_get_name (item), item));
  clear_search (self);
  foyer_picker_dialog_show_location (self);
  gtk_widget_grab_focus (current_view (self));
}

void
foyer_picker_dialog_set_source (FoyerPickerDialog *self, FoyerPickerSource source)
{
  g_return_if_fail (FOYER_IS_PICKER_DIALOG (self));

  if (self->path->len == 1 && current_location (self)->source == source && self->query == NULL)
    return;

  if (self->path->len > 0)
    g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_set_size (self->path, 0);
  g_ptr_array_add (self->path, location_new (source, source_title (source), NULL));
  clear_search (self);
  foyer_picker_dialog_show_location (self);
}

FoyerPickerSource
foyer_picker_dialog_get_source (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), FOYER_PICKER_SOURCE_MY_FILES);
  return current_location (self)->source;
}

static void
source_selected_cb (FoyerPickerDialog *self, GtkListBoxRow *row)
{
  if (row == NULL || self->changing_source || self->graph == NULL)
    return;

  if (row == self->recent_row)
    foyer_picker_dialog_set_source (self, FOYER_PICKER_SOURCE_RECENT);
  else if (row == self->shared_row)
    foyer_picker_dialog_set_source (self, FOYER_PICKER_SOURCE_SHARED);
  else if (row == self->sharepoint_row)
    foyer_picker_dialog_set_source (self, FOYER_PICKER_SOURCE_SHAREPOINT);
  else
    foyer_picker_dialog_set_source (self, FOYER_PICKER_SOURCE_MY_FILES);

  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, FALSE);
}

static void
up_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  if (self->path->len < 2)
    return;
  g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_set_size (self->path, self->path->len - 1);
  clear_search (self);
  foyer_picker_dialog_show_location (self);
}

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  if (self->back_stack->len == 0)
    return;
  g_ptr_array_unref (self->path);
  self->path = g_ptr_array_steal_index (self->back_stack, self->back_stack->len - 1);
  clear_search (self);
  foyer_picker_dialog_show_location (self);
}

static void
retry_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);
  FoyerDriveItemList *list = watched_list (self);

  /* The list keeps the page that failed and asks for it again. */
  if (list != NULL && foyer_drive_item_list_get_error (list) != NULL)
    foyer_drive_item_list_load_more (list);
}

static void
network_changed_cb (FoyerPickerDialog *self, gboolean available)
{
  FoyerDriveItemList *list = watched_list (self);

  if (available && list != NULL
      && g_error_matches (foyer_drive_item_list_get_error (list), FOYER_GRAPH_ERROR,
                          FOYER_GRAPH_ERROR_NETWORK))
    foyer_drive_item_list_load_more (list);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
search_changed_cb (FoyerPickerDialog *self)
{
  g_autofree char *text
      = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  const char *query = *text != '\0' ? text : NULL;

  if (g_strcmp0 (query, self->query) == 0 || self->graph == NULL)
    return;
  set_query (self, query);
  foyer_picker_dialog_show_location (self);
}

static void
search_activate_cb (FoyerPickerDialog *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)) > 0)
    gtk_widget_grab_focus (current_view (self));
}

/* Escape in an empty search closes the dialog, as anywhere else. */
static void
stop_search_cb (FoyerPickerDialog *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) == '\0')
    gtk_window_close (GTK_WINDOW (self));
  else
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
kind_changed_cb (FoyerPickerDialog *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);

  self->kind_filter = selected <= KIND_FILTER_IMAGES ? (KindFilter) selected : KIND_FILTER_ALL;
  if (self->filter_model != NULL)
    {
      foyer_picker_dialog_refilter (self);
      foyer_picker_dialog_update_state (self);
    }
}

/* Choosing and the details pane. */

FoyerDriveItem *
foyer_picker_dialog_get_chosen (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->chosen;
}

static char *
path_text (FoyerPickerDialog *self, const char *parent_path)
{
  return g_strconcat (source_title (current_location (self)->source),
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
  JsonNode *roles = json_object_get_member (permission, "roles");
  gboolean write = FALSE;

  if (roles != NULL && JSON_NODE_HOLDS_ARRAY (roles))
    {
      JsonArray *array = json_node_get_array (roles);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *role = json_array_get_string_element (array, i);

          if (g_strcmp0 (role, "owner") == 0)
            return _ ("Owner");
          if (g_strcmp0 (role, "write") == 0)
            write = TRUE;
        }
    }
  return write ? _ ("Can edit") : _ ("Can view");
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
object_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
identity_name (JsonObject *identity_set)
{
  static const char *const kinds[] = { "user", "siteUser", "group", "siteGroup", "application" };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonObject *identity = object_member (identity_set, kinds[i]);
      const char *name = string_member (identity, "displayName");

      if (name == NULL)
        name = string_member (identity, "email");
      if (name != NULL)
        return name;
    }
  return NULL;
}

/* Who a permission is for, in words: a person, or a link's audience. */
static const char *
permission_who (JsonObject *permission)
{
  JsonObject *link = object_member (permission, "link");
  const char *name = identity_name (object_member (permission, "grantedToV2"));

  if (name == NULL)
    name = identity_name (object_member (permission, "grantedTo"));
  if (name == NULL)
    name = string_member (object_member (permission, "invitation"), "email");
  if (name != NULL)
    return name;

  if (link != NULL)
    {
      const char *scope = string_member (link, "scope");

      if (g_strcmp0 (scope, "anonymous") == 0)
        return _ ("Anyone with the link");
      if (g_strcmp0 (scope, "organization") == 0)
        return _ ("People in the organization with the link");
      return _ ("Specific people with the link");
    }
  return NULL;
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
}

static void
access_list_clear (FoyerPickerDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->access_list))) != NULL)
    gtk_list_box_remove (self->access_list, child);
}

/* Says which members will not be able to open the file with the chosen
 * audience, and offers to give them access (an invitation made with the
 * share) where the organization allows sharing with a space's people. */
static void
update_access_check (FoyerPickerDialog *self)
{
  const char *const *members = foyer_picker_policy_get_space_members (self->policy);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autofree char *title = NULL;
  gboolean certain = TRUE;
  guint n;

  g_clear_pointer (&self->without_access, g_strfreev);
  if (self->chosen == NULL || self->permissions == NULL || self->audience == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->access_check_group), FALSE);
      return;
    }

  self->without_access = foyer_access_check_members_without_access (
      self->permissions, self->audience, members,
      foyer_picker_policy_get_organization_domains (self->policy), &certain);
  n = g_strv_length (self->without_access);
  gtk_widget_set_visible (GTK_WIDGET (self->access_check_group), n > 0);
  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names,
                       foyer_picker_policy_get_member_name (self->policy, self->without_access[i]));
    }
  if (certain)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member can’t open this file",
                                          "%u members can’t open this file", n),
                             n);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u member may not be able to open this file",
                                          "%u members may not be able to open this file", n),
                             n);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->access_warning_row), title);
  adw_action_row_set_subtitle (self->access_warning_row, names->str);
  gtk_widget_set_visible (GTK_WIDGET (self->grant_row),
                          foyer_picker_policy_allows (self->policy, FOYER_PICKER_AUDIENCE_SPACE));
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
  g_clear_pointer (&self->permissions, json_array_unref);
  if (permissions != NULL)
    self->permissions = json_array_ref (permissions);
  update_access_check (self);
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

static GtkCheckButton *
audience_check (FoyerPickerDialog *self, const char *audience)
{
  if (g_strcmp0 (audience, FOYER_PICKER_AUDIENCE_ANYONE) == 0)
    return self->anyone_check;
  if (g_strcmp0 (audience, FOYER_PICKER_AUDIENCE_ORGANIZATION) == 0)
    return self->organization_check;
  if (g_strcmp0 (audience, FOYER_PICKER_AUDIENCE_SPACE) == 0)
    return self->space_check;
  if (g_strcmp0 (audience, FOYER_PICKER_AUDIENCE_EXISTING) == 0)
    return self->existing_check;
  return NULL;
}

static void
reset_share_options (FoyerPickerDialog *self)
{
  const char *audience = foyer_picker_policy_get_default_audience (self->policy);
  const char *const *members = foyer_picker_policy_get_space_members (self->policy);
  guint n_members = g_strv_length ((char **) members);
  g_autofree char *joined = g_strjoinv (", ", (char **) members);
  g_autofree char *subtitle = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->anyone_row),
                          foyer_picker_policy_allows (self->policy, FOYER_PICKER_AUDIENCE_ANYONE));
  gtk_widget_set_visible (
      GTK_WIDGET (self->organization_row),
      foyer_picker_policy_allows (self->policy, FOYER_PICKER_AUDIENCE_ORGANIZATION));
  gtk_widget_set_visible (GTK_WIDGET (self->space_row),
                          foyer_picker_policy_allows (self->policy, FOYER_PICKER_AUDIENCE_SPACE));
  gtk_widget_set_visible (
      GTK_WIDGET (self->existing_row),
      foyer_picker_policy_allows (self->policy, FOYER_PICKER_AUDIENCE_EXISTING));
  gtk_widget_set_visible (GTK_WIDGET (self->audience_group), audience != NULL);

  if (n_members == 0)
    subtitle = g_strdup (_ ("Nobody else is in this space yet"));
  else
    subtitle = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%u person: %s", "%u people: %s", n_members), n_members,
        joined);
  adw_action_row_set_subtitle (self->space_row, subtitle);

  if (audience_check (self, audience) != NULL)
    gtk_check_button_set_active (audience_check (self, audience), TRUE);
  gtk_switch_set_active (
      self->edit_switch,
      g_strcmp0 (foyer_picker_policy_get_default_link_type (self->policy), "edit") == 0);
}

static void
audience_toggled_cb (FoyerPickerDialog *self, GtkCheckButton *check)
{
  const char *audience = NULL;

  if (!gtk_check_button_get_active (check))
    return;
  if (check == self->anyone_check)
    audience = FOYER_PICKER_AUDIENCE_ANYONE;
  else if (check == self->organization_check)
    audience = FOYER_PICKER_AUDIENCE_ORGANIZATION;
  else if (check == self->space_check)
    audience = FOYER_PICKER_AUDIENCE_SPACE;
  else if (check == self->existing_check)
    audience = FOYER_PICKER_AUDIENCE_EXISTING;

  g_free (self->audience);
  self->audience = g_strdup (audience);
  update_access_check (self);
  /* With existing access no link is made: people keep the rights they have. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_row),
                            g_strcmp0 (audience, FOYER_PICKER_AUDIENCE_EXISTING) != 0);
}

static void
foyer_picker_dialog_set_chosen (FoyerPickerDialog *self, FoyerDriveItem *item)
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
  g_clear_pointer (&self->permissions, json_array_unref);
  gtk_switch_set_active (self->grant_switch, FALSE);
  update_access_check (self);
  gtk_widget_action_set_enabled (
      GTK_WIDGET (self), "picker.share",
      item != NULL && foyer_picker_policy_get_default_audience (self->policy) != NULL);
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

  reset_share_options (self);
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
      open_folder (self, item);
      return;
    }

  foyer_picker_dialog_set_chosen (self, item);
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_set_visible_child (self->leaflet, self->details);
  gtk_widget_grab_focus (self->share_button);
}

static void
view_activate_cb (FoyerPickerDialog *self, guint position)
{
  g_autoptr (FoyerDriveItem) item
      = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (item != NULL)
    foyer_picker_dialog_activate_item (self, item);
}

static void
selection_changed_cb (FoyerPickerDialog *self)
{
  FoyerDriveItem *item = gtk_single_selection_get_selected_item (self->selection);

  foyer_picker_dialog_set_chosen (
      self, item != NULL && !foyer_drive_item_get_is_folder (item) ? item : NULL);
}

static void
show_files_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  adw_leaflet_set_visible_child (self->leaflet, self->browser);
}

static void
share_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);
  g_autoptr (FoyerDriveItem) item = NULL;

  if (self->chosen == NULL || self->audience == NULL
      || !foyer_picker_policy_allows (self->policy, self->audience))
    return;

  item = g_object_ref (self->chosen);
  g_signal_emit (self, signals[SHARE], 0, item, foyer_picker_dialog_get_link_type (self),
                 self->audience);
}

const char *
foyer_picker_dialog_get_audience (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->audience;
}

/* The members who will not be able to open the chosen file with the chosen
 * audience (see foyer_access_check_members_without_access ()), or NULL
 * while its permissions are unknown. */
const char *const *
foyer_picker_dialog_get_members_without_access (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return (const char *const *) self->without_access;
}

/* Those of them to invite with the share: when the person asked for it. */
const char *const *
foyer_picker_dialog_get_grant_emails (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);

  if (self->without_access == NULL || self->without_access[0] == NULL
      || !gtk_widget_get_visible (GTK_WIDGET (self->access_check_group))
      || !gtk_widget_get_visible (GTK_WIDGET (self->grant_row))
      || !gtk_switch_get_active (self->grant_switch))
    return NULL;
  return (const char *const *) self->without_access;
}

const char *
foyer_picker_dialog_get_link_type (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return gtk_switch_get_active (self->edit_switch) ? "edit" : "view";
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
          gtk_widget_activate_action (current_view (self), "list.scroll-to-item", "u", position);
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

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerPickerDialog *self)
{
  foyer_picker_tile_set_item (FOYER_PICKER_TILE (gtk_list_item_get_child (list_item)),
                              gtk_list_item_get_item (list_item));
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

static void
update_folded (FoyerPickerDialog *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->sources_button), adw_flap_get_folded (self->flap));
  gtk_widget_set_visible (self->details_back_button, adw_leaflet_get_folded (self->leaflet));
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
foyer_picker_dialog_get_model (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

const char *
foyer_picker_dialog_get_state (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);
  return self->state;
}

char **
foyer_picker_dialog_dup_path (FoyerPickerDialog *self)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), NULL);

  for (guint i = 0; i < self->path->len; i++)
    g_strv_builder_add (builder, ((Location *) g_ptr_array_index (self->path, i))->title);
  return g_strv_builder_end (builder);
}

FoyerThumbnailLoader *
foyer_picker_dialog_get_thumbnail_loader (FoyerPickerDialog *self)
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
    self->policy = foyer_picker_policy_new (NULL, NULL, NULL, NULL);
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
  g_clear_pointer (&self->permissions, json_array_unref);
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
  g_free (self->audience);
  g_strfreev (self->without_access);
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
      foyer_picker_dialog_resort (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_SORT_DESCENDING:
      if (self->sort_descending == g_value_get_boolean (value))
        break;
      self->sort_descending = g_value_get_boolean (value);
      foyer_picker_dialog_resort (self);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_GRID_VIEW:
      if (self->grid_mode == g_value_get_boolean (value))
        break;
      self->grid_mode = g_value_get_boolean (value);
      if (self->path->len > 0)
        foyer_picker_dialog_update_state (self);
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
   * @link_type: "view" or "edit"
   * @audience: "anyone", "organization", "space" or "existing"
   *
   * The person clicked *Share*. The dialog stays open: the caller closes it.
   */
  signals[SHARE]
      = g_signal_new ("share", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 3, FOYER_TYPE_DRIVE_ITEM, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/picker/foyer-picker-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerPickerDialog, name)
  BIND (sources_button);
  BIND (share_button);
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
  BIND (edit_row);
  BIND (edit_switch);
  BIND (audience_group);
  BIND (anyone_row);
  BIND (organization_row);
  BIND (space_row);
  BIND (existing_row);
  BIND (anyone_check);
  BIND (organization_check);
  BIND (space_check);
  BIND (existing_check);
  BIND (access_list);
  BIND (access_check_group);
  BIND (access_warning_row);
  BIND (grant_row);
  BIND (grant_switch);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, source_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, audience_toggled_cb);

  gtk_widget_class_install_action (widget_class, "picker.up", NULL, up_action);
  gtk_widget_class_install_action (widget_class, "picker.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "picker.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "picker.share", NULL, share_action);
  gtk_widget_class_install_action (widget_class, "picker.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "picker.show-files", NULL, show_files_action);
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
  self->path = g_ptr_array_new_with_free_func ((GDestroyNotify) location_unref);
  self->back_stack = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  self->typeahead = g_string_new (NULL);
  self->sort_by = g_strdup ("name");
  self->state = "none";

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (NULL, NULL);
  self->sort_model = gtk_sort_list_model_new (G_LIST_MODEL (self->filter_model), NULL);
  foyer_picker_dialog_resort (self);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->sort_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_swapped (self->sort_model, "items-changed", G_CALLBACK (sorted_items_changed_cb),
                            self);
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                            self);

  list_factory = create_factory (self, FALSE);
  grid_factory = create_factory (self, TRUE);
  gtk_list_view_set_factory (self->list_view, list_factory);
  gtk_grid_view_set_factory (self->grid_view, grid_factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));
  add_key_controller (self, GTK_WIDGET (self->list_view));
  add_key_controller (self, GTK_WIDGET (self->grid_view));

  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->list_scroller),
                            "value-changed", G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->list_scroller), "changed",
                            G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->grid_scroller),
                            "value-changed", G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_swapped (gtk_scrolled_window_get_vadjustment (self->grid_scroller), "changed",
                            G_CALLBACK (adjustment_changed_cb), self);
  g_signal_connect_object (g_network_monitor_get_default (), "network-changed",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);

  g_object_bind_property (self->flap, "reveal-flap", self->sources_button, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->flap, "notify::folded", G_CALLBACK (folded_changed_cb), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (folded_changed_cb), self);
  update_folded (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.share", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.up", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.back", FALSE);
}
