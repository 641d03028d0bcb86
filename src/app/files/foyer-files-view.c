/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-document-item.h"
#include "foyer-file-cell.h"
#include "foyer-file-kind.h"
#include "foyer-files-view.h"
#include "foyer-space-files.h"

/* The kind filter's entries, in the order of the drop-down. */
enum
{
  KIND_ALL,
  KIND_DOCUMENTS,
  KIND_SPREADSHEETS,
  KIND_PRESENTATIONS,
  KIND_PDFS,
  KIND_IMAGES,
  KIND_OTHER,
};

struct _FoyerFilesView
{
  GtkWidget parent_instance;

  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerSpaceFiles *files;
  char *query; /* normalized and case-folded; NULL: none */
  guint kind;

  GtkCustomFilter *filter;
  GtkFilterListModel *filtered;
  GtkNoSelection *selection;

  GtkWidget *box;
  GtkSearchEntry *search_entry;
  GtkDropDown *kind_dropdown;
  GtkToggleButton *list_button;
  GtkToggleButton *grid_button;
  GtkStack *view_stack;
  GtkListView *list_view;
  GtkGridView *grid_view;
  AdwStatusPage *empty_page;
  GtkRevealer *status_revealer;
  GtkSpinner *spinner;
  GtkLabel *status_label;
};

G_DEFINE_FINAL_TYPE (FoyerFilesView, foyer_files_view, GTK_TYPE_WIDGET)

static char *
fold (const char *text)
{
  g_autofree char *normalized = g_utf8_normalize (text != NULL ? text : "", -1, G_NORMALIZE_ALL);

  return normalized != NULL ? g_utf8_casefold (normalized, -1) : g_strdup ("");
}

static gboolean
kind_matches (guint filter, FoyerDriveItemKind kind)
{
  switch (filter)
    {
    case KIND_DOCUMENTS:
      return kind == FOYER_DRIVE_ITEM_KIND_DOCUMENT || kind == FOYER_DRIVE_ITEM_KIND_TEXT;
    case KIND_SPREADSHEETS:
      return kind == FOYER_DRIVE_ITEM_KIND_SPREADSHEET;
    case KIND_PRESENTATIONS:
      return kind == FOYER_DRIVE_ITEM_KIND_PRESENTATION;
    case KIND_PDFS:
      return kind == FOYER_DRIVE_ITEM_KIND_PDF;
    case KIND_IMAGES:
      return kind == FOYER_DRIVE_ITEM_KIND_IMAGE;
    case KIND_OTHER:
      return kind == FOYER_DRIVE_ITEM_KIND_OTHER || kind == FOYER_DRIVE_ITEM_KIND_ARCHIVE
             || kind == FOYER_DRIVE_ITEM_KIND_FOLDER;
    case KIND_ALL:
    default:
      return TRUE;
    }
}

static gboolean
filter_func (gpointer object, gpointer user_data)
{
  FoyerFilesView *self = user_data;
  GObject *attachment = foyer_message_item_get_attachment (object);
  const FoyerDocumentRef *ref = FOYER_IS_DOCUMENT_ITEM (attachment)
                                    ? foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))
                                    : NULL;
  g_autofree char *title = NULL;

  if (ref == NULL)
    return self->query == NULL && self->kind == KIND_ALL;
  if (!kind_matches (self->kind, foyer_file_kind_guess (ref->mime_type, ref->title)))
    return FALSE;
  if (self->query == NULL)
    return TRUE;
  title = fold (ref->title);
  return strstr (title, self->query) != NULL;
}

static void
update_state (FoyerFilesView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  gboolean loading = self->files != NULL && foyer_space_files_get_loading (self->files);
  gboolean offline = self->files != NULL && foyer_space_files_get_offline (self->files);
  gboolean filtered = self->query != NULL || self->kind != KIND_ALL;

  if (shown > 0)
    gtk_stack_set_visible_child_name (
        self->view_stack, gtk_toggle_button_get_active (self->grid_button) ? "grid" : "list");
  else
    {
      gtk_stack_set_visible_child_name (self->view_stack, "empty");
      adw_status_page_set_title (self->empty_page, filtered  ? _ ("No Matching Files")
                                                   : loading ? _ ("Looking for Files…")
                                                             : _ ("No Files Yet"));
      adw_status_page_set_description (
          self->empty_page, filtered ? _ ("Try another name or kind of file.")
                                     : _ ("Documents shared in this space appear here."));
    }

  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  if (loading)
    gtk_label_set_text (self->status_label, _ ("Looking through older messages…"));
  else if (offline)
    gtk_label_set_text (self->status_label,
                        _ ("Older files appear when Foyer’s service can be reached."));
  gtk_revealer_set_reveal_child (self->status_revealer, loading || offline);
}

static void
search_changed_cb (FoyerFilesView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *query = NULL;

  if (text != NULL && *text != '\0')
    query = fold (text);
  if (g_strcmp0 (query, self->query) == 0)
    return;
  g_free (self->query);
  self->query = g_steal_pointer (&query);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
stop_search_cb (FoyerFilesView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
kind_changed_cb (FoyerFilesView *self)
{
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);

  if (kind == GTK_INVALID_LIST_POSITION || kind == self->kind)
    return;
  self->kind = kind;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
layout_toggled_cb (FoyerFilesView *self)
{
  update_state (self);
}

static void
view_activate_cb (FoyerFilesView *self, guint position)
{
  g_autoptr (FoyerMessageItem) item
      = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (item != NULL)
    foyer_file_open_item (GTK_WIDGET (self), self->account, item);
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  gboolean grid = GPOINTER_TO_INT (user_data);

  gtk_list_item_set_child (list_item, GTK_WIDGET (foyer_file_cell_new (grid)));
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerFilesView *self)
{
  FoyerFileCell *cell = FOYER_FILE_CELL (gtk_list_item_get_child (list_item));

  foyer_file_cell_set_account (cell, self->account);
  foyer_file_cell_set_item (cell, gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  foyer_file_cell_set_item (FOYER_FILE_CELL (gtk_list_item_get_child (list_item)), NULL);
}

static GtkListItemFactory *
factory_new (FoyerFilesView *self, gboolean grid)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), GINT_TO_POINTER (grid));
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cb), self, 0);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);
  return factory;
}

void
foyer_files_view_set_context (FoyerFilesView *self,
                              FoyerSession *session,
                              FoyerMicrosoftAccount *account)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));

  g_set_object (&self->session, session);
  g_set_object (&self->account, account);
}

/* Each space opens on all its files, of every kind. */
void
foyer_files_view_set_space (FoyerFilesView *self, FoyerSpaceItem *space)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));

  if (self->files != NULL && foyer_space_files_get_space (self->files) == space)
    return;
  if (self->files != NULL)
    g_signal_handlers_disconnect_by_data (self->files, self);
  g_clear_object (&self->files);
  if (space != NULL && self->session != NULL)
    self->files = foyer_space_files_new (self->session, space);
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (self->files));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->kind_dropdown, KIND_ALL);
  if (self->files != NULL)
    {
      g_signal_connect_object (self->files, "notify::loading", G_CALLBACK (update_state), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->files, "notify::offline", G_CALLBACK (update_state), self,
                               G_CONNECT_SWAPPED);
    }
  update_state (self);
}

GListModel *
_foyer_files_view_get_model (FoyerFilesView *self)
{
  g_return_val_if_fail (FOYER_IS_FILES_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

GListModel *
_foyer_files_view_get_files (FoyerFilesView *self)
{
  g_return_val_if_fail (FOYER_IS_FILES_VIEW (self), NULL);
  return G_LIST_MODEL (self->files);
}

void
_foyer_files_view_set_grid (FoyerFilesView *self, gboolean grid)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));
  gtk_toggle_button_set_active (grid ? self->grid_button : self->list_button, TRUE);
}

void
_foyer_files_view_set_query (FoyerFilesView *self, const char *query)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), query != NULL ? query : "");
  /* Now, not after the entry's delay. */
  search_changed_cb (self);
}

void
_foyer_files_view_set_kind (FoyerFilesView *self, guint kind_index)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));
  gtk_drop_down_set_selected (self->kind_dropdown, kind_index);
}

const char *
_foyer_files_view_get_page (FoyerFilesView *self)
{
  g_return_val_if_fail (FOYER_IS_FILES_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->view_stack);
}

void
_foyer_files_view_activate (FoyerFilesView *self, guint position)
{
  g_return_if_fail (FOYER_IS_FILES_VIEW (self));
  view_activate_cb (self, position);
}

static void
foyer_files_view_dispose (GObject *object)
{
  FoyerFilesView *self = FOYER_FILES_VIEW (object);

  if (self->files != NULL)
    g_signal_handlers_disconnect_by_data (self->files, self);
  g_clear_object (&self->files);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_FILES_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->session);
  g_clear_object (&self->account);
  g_clear_pointer (&self->query, g_free);
  G_OBJECT_CLASS (foyer_files_view_parent_class)->dispose (object);
}

static void
foyer_files_view_class_init (FoyerFilesViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_files_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filesview");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/files/foyer-files-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerFilesView, name)
  BIND (box);
  BIND (search_entry);
  BIND (kind_dropdown);
  BIND (list_button);
  BIND (grid_button);
  BIND (view_stack);
  BIND (list_view);
  BIND (grid_view);
  BIND (empty_page);
  BIND (status_revealer);
  BIND (spinner);
  BIND (status_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, layout_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_activate_cb);
}

static void
foyer_files_view_init (FoyerFilesView *self)
{
  g_autoptr (GtkListItemFactory) list_factory = NULL;
  g_autoptr (GtkListItemFactory) grid_factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  list_factory = factory_new (self, FALSE);
  grid_factory = factory_new (self, TRUE);
  gtk_list_view_set_factory (self->list_view, list_factory);
  gtk_grid_view_set_factory (self->grid_view, grid_factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  /* Typing anywhere in the view searches by name. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self));
  gtk_search_entry_set_search_delay (self->search_entry, 0);
  update_state (self);
}
