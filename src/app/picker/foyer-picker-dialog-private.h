/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerPickerDialog is three files over this header: foyer-picker-dialog.c
 * (the object, keyboard, list items, adaptive layout),
 * foyer-picker-dialog-browse.c (sources and folders, search, filter and
 * sort, breadcrumbs, paging and the view's states) and
 * foyer-picker-dialog-details.c (the chosen file's details and who has
 * access; its share options are FoyerShareOptions).
 */
#pragma once

#include "foyer-picker-dialog.h"
#include "foyer-share-options.h"

G_BEGIN_DECLS

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
  GtkWidget *grid_button;
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
  FoyerShareOptions *share_options;
  GtkListBox *access_list;
  guint options_tick; /* bringing the share options into view, or 0 */

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

/* foyer-picker-dialog-browse.c */
void _foyer_picker_location_unref (Location *location);
Location *_foyer_picker_dialog_current_location (FoyerPickerDialog *self);
const char *_foyer_picker_dialog_source_title (FoyerPickerSource source);
gboolean _foyer_picker_dialog_filter_func (gpointer object, gpointer user_data);
void _foyer_picker_dialog_resort (FoyerPickerDialog *self);
GtkWidget *_foyer_picker_dialog_current_view (FoyerPickerDialog *self);
void _foyer_picker_dialog_adjustment_changed_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_update_state (FoyerPickerDialog *self);
void _foyer_picker_dialog_update_breadcrumbs (FoyerPickerDialog *self);
void _foyer_picker_dialog_sorted_items_changed_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_open_folder (FoyerPickerDialog *self, FoyerDriveItem *item);
void _foyer_picker_dialog_source_selected_cb (FoyerPickerDialog *self, GtkListBoxRow *row);
void
_foyer_picker_dialog_up_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
void
_foyer_picker_dialog_back_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
void
_foyer_picker_dialog_retry_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
void _foyer_picker_dialog_network_changed_cb (FoyerPickerDialog *self, gboolean available);
void _foyer_picker_dialog_search_action (GtkWidget *widget,
                                         const char *action_name,
                                         GVariant *parameter);
void _foyer_picker_dialog_search_changed_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_search_activate_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_stop_search_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_kind_changed_cb (FoyerPickerDialog *self);

/* foyer-picker-dialog-details.c */
void _foyer_picker_dialog_set_chosen (FoyerPickerDialog *self, FoyerDriveItem *item);
void _foyer_picker_dialog_view_activate_cb (FoyerPickerDialog *self, guint position);
void _foyer_picker_dialog_selection_changed_cb (FoyerPickerDialog *self);
void _foyer_picker_dialog_show_files_action (GtkWidget *widget,
                                             const char *action_name,
                                             GVariant *parameter);
void
_foyer_picker_dialog_share_action (GtkWidget *widget, const char *action_name, GVariant *parameter);
void _foyer_picker_dialog_show_details_action (GtkWidget *widget,
                                               const char *action_name,
                                               GVariant *parameter);

/* The one way the picker writes where an item is: its source, then its
 * folders, "My Files › Documents › Reports". parent_path is Graph's,
 * decoded ("/Documents/Reports"). */
char *_foyer_picker_dialog_path_text (FoyerPickerDialog *self, const char *parent_path);
char *_foyer_picker_dialog_location_path (FoyerPickerDialog *self, guint depth);

/* foyer-picker-dialog.c */
void _foyer_picker_dialog_update_share_button (FoyerPickerDialog *self);
void _foyer_picker_dialog_emit_share (FoyerPickerDialog *self,
                                      FoyerDriveItem *item,
                                      FoyerLinkType link_type,
                                      FoyerLinkAudience audience);

/* For tests: what the dialog shows and holds. */
/* "list", "grid", "loading" or "status". */
const char *_foyer_picker_dialog_get_state (FoyerPickerDialog *self);
/* What the view shows: its model after search, filter and sort. */
GListModel *_foyer_picker_dialog_get_model (FoyerPickerDialog *self);
/* The breadcrumbs, from the source down to the folder shown. */
char **_foyer_picker_dialog_dup_path (FoyerPickerDialog *self);
FoyerThumbnailLoader *_foyer_picker_dialog_get_thumbnail_loader (FoyerPickerDialog *self);
FoyerDriveItem *_foyer_picker_dialog_get_chosen (FoyerPickerDialog *self);
const char *const *_foyer_picker_dialog_get_members_without_access (FoyerPickerDialog *self);
FoyerLinkAudience _foyer_picker_dialog_get_audience (FoyerPickerDialog *self);
FoyerLinkType _foyer_picker_dialog_get_link_type (FoyerPickerDialog *self);
FoyerPickerSource _foyer_picker_dialog_get_source (FoyerPickerDialog *self);

G_END_DECLS
