/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-picker-dialog-private.h"

#include "foyer-drive-item-list.h"
#include "foyer-graph-error.h"
#include "foyer-picker-tile.h"

#define SPINNER_DELAY_MS 300

static void foyer_picker_dialog_show_location (FoyerPickerDialog *self);
static void clear_search (FoyerPickerDialog *self);

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

void
_foyer_picker_location_unref (Location *location)
{
  g_rc_box_release_full (location, (GDestroyNotify) location_clear);
}

static GPtrArray *
path_copy (GPtrArray *path)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) _foyer_picker_location_unref);

  for (guint i = 0; i < path->len; i++)
    g_ptr_array_add (copy, location_ref (g_ptr_array_index (path, i)));
  return copy;
}

Location *
_foyer_picker_dialog_current_location (FoyerPickerDialog *self)
{
  g_assert (self->path->len > 0);
  return g_ptr_array_index (self->path, self->path->len - 1);
}

const char *
_foyer_picker_dialog_source_title (FoyerPickerSource source)
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
        foyer_drive_item_list_new_site_drives (self->graph, foyer_drive_item_get_id (item)));
  if (item != NULL)
    return G_LIST_MODEL (foyer_drive_item_list_new_children (
        self->graph, foyer_drive_item_get_target_drive_id (item),
        foyer_drive_item_get_target_id (item)));

  switch (location->source)
    {
    case FOYER_PICKER_SOURCE_RECENT:
      return G_LIST_MODEL (foyer_drive_item_list_new_recent (self->graph));
    case FOYER_PICKER_SOURCE_SHARED:
      return G_LIST_MODEL (foyer_drive_item_list_new_shared_with_me (self->graph));
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      return G_LIST_MODEL (foyer_drive_item_list_new_followed_sites (self->graph));
    case FOYER_PICKER_SOURCE_MY_FILES:
    default:
      return G_LIST_MODEL (foyer_drive_item_list_new_children (self->graph, NULL, NULL));
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
  Location *location = _foyer_picker_dialog_current_location (self);
  const char *drive_id;
  g_autoptr (GString) quoted = NULL;
  g_autofree char *escaped_query = NULL;
  g_autofree char *escaped_drive = NULL;
  g_autofree char *path = NULL;

  switch (location->source)
    {
    case FOYER_PICKER_SOURCE_MY_FILES:
      return G_LIST_MODEL (foyer_drive_item_list_new_search (self->graph, query));
    case FOYER_PICKER_SOURCE_SHAREPOINT:
      drive_id = location_search_drive (location);
      if (drive_id == NULL)
        return G_LIST_MODEL (foyer_drive_item_list_new_site_search (self->graph, query));
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

gboolean
_foyer_picker_dialog_filter_func (gpointer object, gpointer user_data)
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

void
_foyer_picker_dialog_resort (FoyerPickerDialog *self)
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

/* Paths, one way: the source, then the folders, as the breadcrumbs show
 * them. */

#define PATH_SEPARATOR " › "

char *
_foyer_picker_dialog_path_text (FoyerPickerDialog *self, const char *parent_path)
{
  Location *root = g_ptr_array_index (self->path, 0);
  g_auto (GStrv) parts = g_strsplit (parent_path != NULL ? parent_path : "", "/", -1);
  GString *text = g_string_new (root->title);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_string_append_printf (text, PATH_SEPARATOR "%s", parts[i]);
  return g_string_free (text, FALSE);
}

/* Where the path's location at depth is, from its source down. */
char *
_foyer_picker_dialog_location_path (FoyerPickerDialog *self, guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i <= depth && i < self->path->len; i++)
    {
      Location *location = g_ptr_array_index (self->path, i);

      if (i > 0)
        g_string_append (text, PATH_SEPARATOR);
      g_string_append (text, location->title);
    }
  return g_string_free (text, FALSE);
}

/* Breadcrumbs. */

static void
breadcrumb_clicked_cb (GtkButton *button, FoyerPickerDialog *self)
{
  guint depth = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "depth"));

  if (depth + 1 >= self->path->len && self->query == NULL)
    return;
  if (depth + 1 < self->path->len)
    {
      g_ptr_array_add (self->back_stack, path_copy (self->path));
      g_ptr_array_set_size (self->path, depth + 1);
    }
  /* Out of a search's results, to the folder clicked. */
  clear_search (self);
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

static GtkWidget *
crumb_label (const char *text)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 3);
  return label;
}

/* How deep the breadcrumbs go: to the folder shown; while a search over
 * the whole drive shows its results, to the drive searched (My Files, a
 * library), since the results come from anywhere in it. */
static guint
crumbs_depth (FoyerPickerDialog *self)
{
  Location *location = _foyer_picker_dialog_current_location (self);
  const char *drive = NULL;

  if (self->search_model == NULL)
    return self->path->len;
  if (location->source != FOYER_PICKER_SOURCE_SHAREPOINT)
    return 1;
  for (guint i = self->path->len; i > 0; i--)
    {
      const char *here = location_search_drive (g_ptr_array_index (self->path, i - 1));

      if (here == NULL || (drive != NULL && g_strcmp0 (here, drive) != 0))
        return i + 1;
      drive = here;
    }
  return 1;
}

void
_foyer_picker_dialog_update_breadcrumbs (FoyerPickerDialog *self)
{
  GtkWidget *child;
  guint depth = crumbs_depth (self);
  gboolean searching = self->query != NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->breadcrumbs))) != NULL)
    gtk_box_remove (self->breadcrumbs, child);

  /* Narrow, only where the person is: Back and Up lead further. */
  for (guint i = adw_leaflet_get_folded (self->leaflet) ? depth + (searching ? 1 : 0) - 1 : 0;
       i < depth + (searching ? 1 : 0); i++)
    {
      Location *location = i < depth ? g_ptr_array_index (self->path, i) : NULL;
      g_autofree char *results = NULL;
      GtkWidget *crumb;

      if (i > 0 && gtk_widget_get_first_child (GTK_WIDGET (self->breadcrumbs)) != NULL)
        {
          GtkWidget *separator = gtk_label_new ("›");

          gtk_widget_add_css_class (separator, "dim-label");
          gtk_accessible_update_state (GTK_ACCESSIBLE (separator), GTK_ACCESSIBLE_STATE_HIDDEN,
                                       TRUE, -1);
          gtk_box_append (self->breadcrumbs, separator);
        }

      if (location == NULL || (i + 1 == self->path->len && !searching))
        {
          if (location == NULL)
            /* Translators: the last breadcrumb while a search shows its results. */
            results = g_strdup_printf (_ ("Results for “%s”"), self->query);
          crumb = crumb_label (location != NULL ? location->title : results);
          gtk_widget_add_css_class (crumb, "heading");
          gtk_widget_set_margin_start (crumb, 6);
          gtk_widget_set_margin_end (crumb, 6);
        }
      else
        {
          crumb = gtk_button_new ();
          gtk_button_set_child (GTK_BUTTON (crumb), crumb_label (location->title));
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

GtkWidget *
_foyer_picker_dialog_current_view (FoyerPickerDialog *self)
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

void
_foyer_picker_dialog_adjustment_changed_cb (FoyerPickerDialog *self)
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
  Location *location = _foyer_picker_dialog_current_location (self);
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
  Location *location = _foyer_picker_dialog_current_location (self);

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
  _foyer_picker_dialog_update_state (self);
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
    gtk_widget_grab_focus (_foyer_picker_dialog_current_view (self));
}

void
_foyer_picker_dialog_update_state (FoyerPickerDialog *self)
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
  _foyer_picker_dialog_update_state (self);
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

void
_foyer_picker_dialog_sorted_items_changed_cb (FoyerPickerDialog *self)
{
  _foyer_picker_dialog_update_state (self);
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
  Location *location = _foyer_picker_dialog_current_location (self);
  GListModel *model;

  if (location->model == NULL)
    location->model = location_create_model (self, location);
  model = self->search_model != NULL ? self->search_model : location->model;

  _foyer_picker_dialog_set_chosen (self, NULL);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  foyer_picker_dialog_refilter (self);
  foyer_picker_dialog_watch (self, model);
  _foyer_picker_dialog_update_breadcrumbs (self);

  adw_window_title_set_subtitle (self->window_title,
                                 _foyer_picker_dialog_source_title (location->source));
  g_object_set (self->search_entry, "placeholder-text", search_placeholder (location), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, search_placeholder (location), -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.up", self->path->len > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "picker.back", self->back_stack->len > 0);

  self->changing_source = TRUE;
  gtk_list_box_select_row (self->sources_list, source_row (self, location->source));
  self->changing_source = FALSE;

  _foyer_picker_dialog_update_state (self);
}

void
_foyer_picker_dialog_open_folder (FoyerPickerDialog *self, FoyerDriveItem *item)
{
  Location *parent = _foyer_picker_dialog_current_location (self);

  g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_add (self->path,
                   location_new (parent->source, foyer_drive_item_get_name (item), item));
  clear_search (self);
  foyer_picker_dialog_show_location (self);
  gtk_widget_grab_focus (_foyer_picker_dialog_current_view (self));
}

void
foyer_picker_dialog_set_source (FoyerPickerDialog *self, FoyerPickerSource source)
{
  g_return_if_fail (FOYER_IS_PICKER_DIALOG (self));

  if (self->path->len == 1 && _foyer_picker_dialog_current_location (self)->source == source
      && self->query == NULL)
    return;

  if (self->path->len > 0)
    g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_set_size (self->path, 0);
  g_ptr_array_add (self->path,
                   location_new (source, _foyer_picker_dialog_source_title (source), NULL));
  clear_search (self);
  /* Recent files are about when: newest first; elsewhere, by name. */
  g_object_set (self, "sort-by", source == FOYER_PICKER_SOURCE_RECENT ? "modified" : "name",
                "sort-descending", source == FOYER_PICKER_SOURCE_RECENT, NULL);
  foyer_picker_dialog_show_location (self);
}

FoyerPickerSource
_foyer_picker_dialog_get_source (FoyerPickerDialog *self)
{
  g_return_val_if_fail (FOYER_IS_PICKER_DIALOG (self), FOYER_PICKER_SOURCE_MY_FILES);
  return _foyer_picker_dialog_current_location (self)->source;
}

void
_foyer_picker_dialog_source_selected_cb (FoyerPickerDialog *self, GtkListBoxRow *row)
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

void
_foyer_picker_dialog_up_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  if (self->path->len < 2)
    return;
  g_ptr_array_add (self->back_stack, path_copy (self->path));
  g_ptr_array_set_size (self->path, self->path->len - 1);
  clear_search (self);
  foyer_picker_dialog_show_location (self);
}

void
_foyer_picker_dialog_back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  if (self->back_stack->len == 0)
    return;
  g_ptr_array_unref (self->path);
  self->path = g_ptr_array_steal_index (self->back_stack, self->back_stack->len - 1);
  clear_search (self);
  foyer_picker_dialog_show_location (self);
}

void
_foyer_picker_dialog_retry_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);
  FoyerDriveItemList *list = watched_list (self);

  /* The list keeps the page that failed and asks for it again. */
  if (list != NULL && foyer_drive_item_list_get_error (list) != NULL)
    foyer_drive_item_list_load_more (list);
}

void
_foyer_picker_dialog_network_changed_cb (FoyerPickerDialog *self, gboolean available)
{
  FoyerDriveItemList *list = watched_list (self);

  if (available && list != NULL
      && g_error_matches (foyer_drive_item_list_get_error (list), FOYER_GRAPH_ERROR,
                          FOYER_GRAPH_ERROR_NETWORK))
    foyer_drive_item_list_load_more (list);
}

void
_foyer_picker_dialog_search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerPickerDialog *self = FOYER_PICKER_DIALOG (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
_foyer_picker_dialog_search_changed_cb (FoyerPickerDialog *self)
{
  g_autofree char *text
      = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  const char *query = *text != '\0' ? text : NULL;

  if (g_strcmp0 (query, self->query) == 0 || self->graph == NULL)
    return;
  set_query (self, query);
  foyer_picker_dialog_show_location (self);
}

void
_foyer_picker_dialog_search_activate_cb (FoyerPickerDialog *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->sort_model)) > 0)
    gtk_widget_grab_focus (_foyer_picker_dialog_current_view (self));
}

/* Escape in an empty search closes the dialog, as anywhere else. */
void
_foyer_picker_dialog_stop_search_cb (FoyerPickerDialog *self)
{
  if (*gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) == '\0')
    gtk_window_close (GTK_WINDOW (self));
  else
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

void
_foyer_picker_dialog_kind_changed_cb (FoyerPickerDialog *self)
{
  guint selected = gtk_drop_down_get_selected (self->kind_dropdown);

  self->kind_filter = selected <= KIND_FILTER_IMAGES ? (KindFilter) selected : KIND_FILTER_ALL;
  if (self->filter_model != NULL)
    {
      foyer_picker_dialog_refilter (self);
      _foyer_picker_dialog_update_state (self);
    }
}
