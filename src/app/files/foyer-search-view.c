/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-search-results.h"
#include "foyer-search-row.h"
#include "foyer-search-view.h"
#include "foyer-text.h"

/* Enough to find a message by a few words; the index answers in a few
 * milliseconds, so every keystroke asks again (no delay). */
#define RESULTS_LIMIT 200

struct _FoyerSearchView
{
  GtkWidget parent_instance;

  FoyerSession *session;
  FoyerSearchIndex *index;
  GCancellable *cancellable; /* the query under way */
  GListStore *rows;          /* FoyerSearchGroup, then its FoyerSearchHits, … */
  char *shown_query;         /* what the rows are for */

  GtkWidget *box;
  GtkSearchEntry *entry;
  GtkStack *stack;
  GtkListView *list;
  AdwStatusPage *status_page;
  GtkLabel *more_label;
  GtkRevealer *backfill_revealer;
  GtkLabel *backfill_label;
  GtkProgressBar *backfill_bar;
};

G_DEFINE_FINAL_TYPE (FoyerSearchView, foyer_search_view, GTK_TYPE_WIDGET)

enum
{
  STOP,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
space_title (FoyerSearchView *self, const char *space_id)
{
  FoyerSpaceItem *space
      = self->session != NULL ? foyer_session_find_space (self->session, space_id) : NULL;

  if (space == NULL || foyer_space_item_get_title (space) == NULL)
    return g_strdup (_ ("Untitled space"));
  return foyer_text_make_valid (foyer_space_item_get_title (space), -1);
}

static void
show_status (FoyerSearchView *self, const char *title, const char *description)
{
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static void
show_results (FoyerSearchView *self, FoyerSearchResults *results)
{
  GListModel *groups = G_LIST_MODEL (results);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *more = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (groups); i++)
    {
      g_autoptr (FoyerSearchGroup) group = g_list_model_get_item (groups, i);

      g_ptr_array_add (rows, g_object_ref (group));
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (group)); j++)
        g_ptr_array_add (rows, g_list_model_get_item (G_LIST_MODEL (group), j));
    }
  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  g_free (self->shown_query);
  self->shown_query = g_strdup (foyer_search_results_get_query (results));
  if (foyer_search_results_get_n_hits (results) == 0)
    show_status (self, _ ("No Results"), _ ("Try other words, or fewer."));
  else
    gtk_stack_set_visible_child_name (self->stack, "results");
  if (foyer_search_results_get_has_more (results))
    more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Showing the newest %u result: add words to find others.",
                                         "Showing the newest %u results: add words to find others.",
                                         foyer_search_results_get_n_hits (results)),
                            foyer_search_results_get_n_hits (results));
  gtk_label_set_text (self->more_label, more != NULL ? more : "");
  gtk_widget_set_visible (GTK_WIDGET (self->more_label), more != NULL);
}

static void
results_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerSearchView *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSearchResults) results
      = foyer_search_index_query_finish (FOYER_SEARCH_INDEX (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FOYER_SEARCH_VIEW (user_data);
  g_clear_object (&self->cancellable);
  if (results == NULL)
    {
      show_status (self, _ ("Search Failed"), error->message);
      return;
    }
  show_results (self, results);
}

static void
search_changed_cb (FoyerSearchView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *words = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->index == NULL || *words == '\0')
    {
      g_list_store_remove_all (self->rows);
      g_clear_pointer (&self->shown_query, g_free);
      gtk_widget_set_visible (GTK_WIDGET (self->more_label), FALSE);
      show_status (self, _ ("Search Messages and Files"),
                   _ ("Words said in your spaces and the names of files shared there are found "
                      "on this device only."));
      return;
    }
  self->cancellable = g_cancellable_new ();
  foyer_search_index_query_async (self->index, text, RESULTS_LIMIT, self->cancellable, results_cb,
                                  self);
}

static void
stop_search_cb (FoyerSearchView *self)
{
  g_signal_emit (self, signals[STOP], 0);
}

static void
open_row (FoyerSearchView *self, guint position)
{
  g_autoptr (GObject) item = g_list_model_get_item (G_LIST_MODEL (self->rows), position);

  if (!FOYER_IS_SEARCH_HIT (item))
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-message", "(ss)",
                              foyer_search_hit_get_space_id (FOYER_SEARCH_HIT (item)),
                              foyer_search_hit_get_item_id (FOYER_SEARCH_HIT (item)));
}

static void
list_activate_cb (FoyerSearchView *self, guint position)
{
  open_row (self, position);
}

/* Enter in the entry opens the newest hit. */
static void
entry_activate_cb (FoyerSearchView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 1)
    open_row (self, 1);
}

static void
backfill_cb (FoyerSearchView *self)
{
  gboolean running = self->index != NULL && foyer_search_index_get_backfill_running (self->index);
  double progress
      = self->index != NULL ? foyer_search_index_get_backfill_progress (self->index) : 0;
  g_autofree char *text = NULL;

  /* Translators: %d is a percentage; %% is the percent sign. */
  text = g_strdup_printf (_ ("Searching older messages too… %d %%"), (int) (progress * 100));
  gtk_label_set_text (self->backfill_label, text);
  gtk_progress_bar_set_fraction (self->backfill_bar, progress);
  gtk_revealer_set_reveal_child (self->backfill_revealer, running);
}

/* Older messages were indexed: the results may have more. */
static void
backfill_progress_cb (FoyerSearchView *self)
{
  backfill_cb (self);
  if (self->shown_query != NULL)
    search_changed_cb (self);
}

static void
set_index (FoyerSearchView *self)
{
  FoyerSearchIndex *index
      = self->session != NULL ? foyer_session_get_search_index (self->session) : NULL;

  if (self->index == index)
    return;
  if (self->index != NULL)
    g_signal_handlers_disconnect_by_data (self->index, self);
  g_set_object (&self->index, index);
  if (index != NULL)
    {
      g_signal_connect_object (index, "notify::backfill-running", G_CALLBACK (backfill_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (index, "notify::backfill-progress",
                               G_CALLBACK (backfill_progress_cb), self, G_CONNECT_SWAPPED);
    }
  backfill_cb (self);
  search_changed_cb (self);
}

void
foyer_search_view_set_session (FoyerSearchView *self, FoyerSession *session)
{
  g_return_if_fail (FOYER_IS_SEARCH_VIEW (self));

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::search-index", G_CALLBACK (set_index), self,
                             G_CONNECT_SWAPPED);
  set_index (self);
}

void
foyer_search_view_focus (FoyerSearchView *self)
{
  g_return_if_fail (FOYER_IS_SEARCH_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
  gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
}

static void
setup_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (foyer_search_row_new ()));
}

static void
bind_cb (GtkSignalListItemFactory *factory, GtkListItem *list_item, FoyerSearchView *self)
{
  GObject *item = gtk_list_item_get_item (list_item);
  g_autofree char *title = NULL;
  GtkWidget *row = gtk_widget_get_parent (gtk_list_item_get_child (list_item));

  if (FOYER_IS_SEARCH_GROUP (item))
    title = space_title (self, foyer_search_group_get_space_id (FOYER_SEARCH_GROUP (item)));
  foyer_search_row_set_item (FOYER_SEARCH_ROW (gtk_list_item_get_child (list_item)), item, title);
  /* A space's name is a heading, not something to open. */
  gtk_list_item_set_activatable (list_item, FOYER_IS_SEARCH_HIT (item));
  gtk_list_item_set_selectable (list_item, FOYER_IS_SEARCH_HIT (item));
  if (row != NULL && FOYER_IS_SEARCH_GROUP (item))
    gtk_widget_add_css_class (row, "search-heading");
  else if (row != NULL)
    gtk_widget_remove_css_class (row, "search-heading");
}

GListModel *
_foyer_search_view_get_rows (FoyerSearchView *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_VIEW (self), NULL);
  return G_LIST_MODEL (self->rows);
}

const char *
_foyer_search_view_get_shown_query (FoyerSearchView *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_VIEW (self), NULL);
  return self->shown_query;
}

void
_foyer_search_view_set_text (FoyerSearchView *self, const char *text)
{
  g_return_if_fail (FOYER_IS_SEARCH_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

void
_foyer_search_view_activate (FoyerSearchView *self, guint position)
{
  g_return_if_fail (FOYER_IS_SEARCH_VIEW (self));
  open_row (self, position);
}

GtkWidget *
_foyer_search_view_get_list (FoyerSearchView *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_VIEW (self), NULL);
  return GTK_WIDGET (self->list);
}

const char *
_foyer_search_view_get_backfill_text (FoyerSearchView *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_VIEW (self), NULL);
  return gtk_revealer_get_reveal_child (self->backfill_revealer)
             ? gtk_label_get_text (self->backfill_label)
             : NULL;
}

static void
foyer_search_view_dispose (GObject *object)
{
  FoyerSearchView *self = FOYER_SEARCH_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->index != NULL)
    g_signal_handlers_disconnect_by_data (self->index, self);
  g_clear_object (&self->index);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_SEARCH_VIEW);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->shown_query, g_free);
  G_OBJECT_CLASS (foyer_search_view_parent_class)->dispose (object);
}

static void
foyer_search_view_class_init (FoyerSearchViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_search_view_dispose;

  /* Escape: the person is done searching. */
  signals[STOP] = g_signal_new ("stop", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "searchview");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/files/foyer-search-view.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerSearchView, name)
  BIND (box);
  BIND (entry);
  BIND (stack);
  BIND (list);
  BIND (status_page);
  BIND (more_label);
  BIND (backfill_revealer);
  BIND (backfill_label);
  BIND (backfill_bar);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activate_cb);
}

static void
foyer_search_view_init (FoyerSearchView *self)
{
  g_autoptr (GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr (GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_list_store_new (G_TYPE_OBJECT);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cb), self, 0);
  gtk_list_view_set_factory (self->list, factory);
  gtk_list_view_set_model (self->list, GTK_SELECTION_MODEL (selection));
  gtk_search_entry_set_search_delay (self->entry, 0);
  search_changed_cb (self);
}
