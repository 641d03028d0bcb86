/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-space-switcher"

#include "config.h"

#include "foyer-space-switcher.h"

#include "foyer-a11y.h"
#include "foyer-space-item.h"
#include "foyer-text.h"

#include <glib/gi18n.h>

struct _FoyerSpaceSwitcher
{
  AdwWindow parent_instance;

  GtkStringFilter *filter;
  GtkFilterListModel *matches;
  GtkSingleSelection *selection;

  GtkSearchEntry *search_entry;
  GtkStack *stack;
  GtkListView *list_view;
};

G_DEFINE_FINAL_TYPE (FoyerSpaceSwitcher, foyer_space_switcher, ADW_TYPE_WINDOW)

/* The first match is the one Enter opens, whatever was chosen before. */
static void
matches_changed_cb (FoyerSpaceSwitcher *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->matches));

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "matches" : "none");
  gtk_single_selection_set_selected (self->selection, n > 0 ? 0 : GTK_INVALID_LIST_POSITION);
}

static void
search_changed_cb (FoyerSpaceSwitcher *self)
{
  gtk_string_filter_set_search (self->filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
open_position (FoyerSpaceSwitcher *self, guint position)
{
  g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (G_LIST_MODEL (self->matches), position);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  if (space == NULL)
    return;
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.open-space", "s",
                                foyer_space_item_get_id (space));
  gtk_window_close (GTK_WINDOW (self));
}

static void
open_selected_cb (FoyerSpaceSwitcher *self)
{
  open_position (self, gtk_single_selection_get_selected (self->selection));
}

static void
row_activated_cb (FoyerSpaceSwitcher *self, guint position)
{
  open_position (self, position);
}

/* Up and Down choose among the matches while typing goes on. */
static gboolean
key_pressed_cb (FoyerSpaceSwitcher *self, guint keyval, guint keycode, GdkModifierType state)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->matches));
  guint selected = gtk_single_selection_get_selected (self->selection);

  if ((keyval != GDK_KEY_Up && keyval != GDK_KEY_Down) || n == 0
      || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK)))
    return FALSE;
  if (selected == GTK_INVALID_LIST_POSITION)
    selected = 0;
  else if (keyval == GDK_KEY_Down)
    selected = MIN (selected + 1, n - 1);
  else if (selected > 0)
    selected--;
  gtk_single_selection_set_selected (self->selection, selected);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", selected);
  return TRUE;
}

static char *
space_title (FoyerSpaceItem *space)
{
  if (foyer_space_item_get_title_unavailable (space) || foyer_space_item_get_title (space) == NULL)
    return g_strdup (_ ("Untitled space (title unavailable)"));
  return foyer_text_make_valid (foyer_space_item_get_title (space), -1);
}

static void
setup_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *title = space_title (gtk_list_item_get_item (list_item));

  gtk_label_set_text (GTK_LABEL (label), title);
  foyer_a11y_name_list_item (label, title, NULL);
}

GListModel *
foyer_space_switcher_get_matches (FoyerSpaceSwitcher *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_SWITCHER (self), NULL);

  return G_LIST_MODEL (self->matches);
}

static void
foyer_space_switcher_dispose (GObject *object)
{
  FoyerSpaceSwitcher *self = FOYER_SPACE_SWITCHER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_SPACE_SWITCHER);
  g_clear_object (&self->selection);
  g_clear_object (&self->matches);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (foyer_space_switcher_parent_class)->dispose (object);
}

static void
foyer_space_switcher_class_init (FoyerSpaceSwitcherClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_space_switcher_dispose;

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-space-switcher.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerSpaceSwitcher, search_entry);
  gtk_widget_class_bind_template_child (widget_class, FoyerSpaceSwitcher, stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerSpaceSwitcher, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, open_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, gtk_window_close);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
foyer_space_switcher_init (FoyerSpaceSwitcher *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter
      = gtk_string_filter_new (gtk_property_expression_new (FOYER_TYPE_SPACE_ITEM, NULL, "title"));
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
}

FoyerSpaceSwitcher *
foyer_space_switcher_new (GtkWindow *parent, GListModel *spaces)
{
  FoyerSpaceSwitcher *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (G_IS_LIST_MODEL (spaces), NULL);

  self = g_object_new (FOYER_TYPE_SPACE_SWITCHER, "transient-for", parent, NULL);
  self->matches
      = gtk_filter_list_model_new (g_object_ref (spaces), GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->matches)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->matches, "items-changed", G_CALLBACK (matches_changed_cb), self,
                           G_CONNECT_SWAPPED);
  matches_changed_cb (self);
  return self;
}
