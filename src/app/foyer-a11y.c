/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-a11y"

#include "config.h"

#include "foyer-a11y.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <webkit/webkit.h>

/* Set on a widget once repaired, and on a list item its owner named. */
static GQuark
repaired_quark (void)
{
  return g_quark_from_static_string ("foyer-a11y-repaired");
}

static GQuark
named_quark (void)
{
  return g_quark_from_static_string ("foyer-a11y-named");
}

static void
set_label (GtkWidget *widget, const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label != NULL ? label : "", -1);
}

/* "_Save as…" → "Save as…"; "__" stands for one underscore. */
static char *
strip_mnemonic (const char *text)
{
  GString *plain = g_string_new (NULL);

  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '_' && p[1] == '_')
        p++;
      else if (*p == '_')
        continue;
      g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}

/* A button with a mnemonic is named by the label GTK links to it as its
 * mnemonic label; its own label property still holds the underscore, and
 * GTK 4.8 reads both. The property goes, every time GTK sets it again. */
static void
button_label_changed_cb (GtkButton *button)
{
  if (gtk_button_get_use_underline (button))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/* A check button's label gets no such link: its name is its label
 * without the underscore. */
static void
check_label_changed_cb (GtkCheckButton *check)
{
  g_autofree char *plain = NULL;

  if (!gtk_check_button_get_use_underline (check) || gtk_check_button_get_label (check) == NULL)
    return;
  plain = strip_mnemonic (gtk_check_button_get_label (check));
  set_label (GTK_WIDGET (check), plain);
}

/* An icon button is named by its tooltip, which says what it does. */
static void
tooltip_changed_cb (GtkWidget *widget)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (tooltip != NULL && *tooltip != '\0')
    set_label (widget, tooltip);
}

static gboolean
is_icon_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget))
    return gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) == NULL;
  return GTK_IS_BUTTON (widget) && GTK_IS_IMAGE (gtk_button_get_child (GTK_BUTTON (widget)));
}

/* A button holding a label of its own making (not through its label
 * property) has no name in GTK 4.8: it takes the label's text. */
static void
child_label_changed_cb (GtkLabel *label, GParamSpec *pspec, GtkWidget *button)
{
  set_label (button, gtk_label_get_text (label));
}

static void
repair_button (GtkWidget *widget)
{
  GtkWidget *child = GTK_IS_BUTTON (widget) ? gtk_button_get_child (GTK_BUTTON (widget)) : NULL;

  if (GTK_IS_BUTTON (widget) && GTK_IS_LABEL (child))
    {
      if (gtk_button_get_label (GTK_BUTTON (widget)) == NULL)
        {
          g_signal_connect_object (child, "notify::label", G_CALLBACK (child_label_changed_cb),
                                   widget, 0);
          child_label_changed_cb (GTK_LABEL (child), NULL, widget);
          return;
        }
      g_signal_connect (widget, "notify::label", G_CALLBACK (button_label_changed_cb), NULL);
      g_signal_connect (widget, "notify::use-underline", G_CALLBACK (button_label_changed_cb),
                        NULL);
      button_label_changed_cb (GTK_BUTTON (widget));
    }
  else if (is_icon_button (widget))
    {
      g_signal_connect (widget, "notify::tooltip-text", G_CALLBACK (tooltip_changed_cb), NULL);
      tooltip_changed_cb (widget);
    }
}

/* A search entry is named by its placeholder ("Search Shortcuts"). */
static void
placeholder_changed_cb (GtkWidget *entry)
{
  g_autofree char *placeholder = NULL;

  g_object_get (entry, "placeholder-text", &placeholder, NULL);
  if (placeholder != NULL && *placeholder != '\0')
    set_label (entry, placeholder);
}

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found
          = G_TYPE_CHECK_INSTANCE_TYPE (child, type) ? child : find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The texts of the labels under widget, in order, joined by ", ". */
static void
collect_texts (GtkWidget *widget, GString *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        g_string_append_printf (text, "%s%s", text->len > 0 ? ", " : "",
                                gtk_label_get_text (GTK_LABEL (child)));
      else
        collect_texts (child, text);
    }
}

/* A list item nobody named says what its labels say. */
static void
item_text_changed_cb (GtkWidget *item)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (g_object_get_qdata (G_OBJECT (item), named_quark ()) != NULL)
    return;
  collect_texts (item, text);
  set_label (item, text->str);
}

static void
watch_labels (GtkWidget *widget, GtkWidget *item)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child))
        g_signal_connect_object (child, "notify::label", G_CALLBACK (item_text_changed_cb), item,
                                 G_CONNECT_SWAPPED);
      else
        watch_labels (child, item);
    }
}

/* GTK's own rows of a list view, grid view or drop-down, and list box
 * rows that are not preference rows (which name themselves). */
static gboolean
is_list_item (GtkWidget *widget)
{
  GType item_type = g_type_from_name ("GtkListItemWidget");

  if (GTK_IS_LIST_BOX_ROW (widget))
    return !ADW_IS_PREFERENCES_ROW (widget);
  return item_type != 0 && G_TYPE_CHECK_INSTANCE_TYPE (widget, item_type);
}

/* The list inside a preferences group is named by the group's title,
 * which libadwaita does; an untitled group's list gets its description,
 * or no name rather than "GtkListBox". */
static void
repair_group_list (GtkWidget *list)
{
  GtkWidget *group = gtk_widget_get_ancestor (list, ADW_TYPE_PREFERENCES_GROUP);
  const char *title
      = group != NULL ? adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (group)) : NULL;
  const char *description
      = group != NULL ? adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group))
                      : NULL;

  if (group == NULL || (title != NULL && *title != '\0'))
    return;
  set_label (list, description);
}

/* A read-only text (the about window's release notes and debugging
 * information) is named by the title of the page it is on. */
static void
repair_text_view (GtkWidget *view)
{
  if (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)))
    return;
  for (GtkWidget *up = gtk_widget_get_parent (view); up != NULL; up = gtk_widget_get_parent (up))
    {
      GtkWidget *title = find_descendant (up, ADW_TYPE_WINDOW_TITLE);

      if (title != NULL)
        {
          set_label (view, adw_window_title_get_title (ADW_WINDOW_TITLE (title)));
          return;
        }
    }
}

/* A web view is named by its page's title, as a browser's tab is;
 * WebKit leaves it its type's name. */
static void
web_title_changed_cb (WebKitWebView *view)
{
  const char *title = webkit_web_view_get_title (view);

  set_label (GTK_WIDGET (view), title != NULL && *title != '\0' ? title : _ ("Web Page"));
}

/* What GTK 4.8's and libadwaita 1.2's own widgets leave unnamed: the
 * shortcuts window's search toggle and section menu, a preferences
 * window's search entry, a combo row's list, a menu button's menu, a
 * drop-down's button, a view switcher (which Orca says as focus enters
 * it) and a web view. */
static void
repair_library_widget (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (GTK_IS_SHORTCUTS_WINDOW (root) && GTK_IS_TOGGLE_BUTTON (widget)
      && gtk_widget_get_tooltip_text (widget) == NULL)
    {
      gtk_widget_set_tooltip_text (widget, _ ("Search Shortcuts"));
      set_label (widget, _ ("Search Shortcuts"));
    }
  else if (GTK_IS_SHORTCUTS_WINDOW (root) && GTK_IS_MENU_BUTTON (widget)
           && gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) == NULL)
    set_label (widget, _ ("Sections"));
  else if (ADW_IS_VIEW_SWITCHER (widget))
    set_label (widget, _ ("Pages"));
  else if (WEBKIT_IS_WEB_VIEW (widget))
    {
      g_signal_connect (widget, "notify::title", G_CALLBACK (web_title_changed_cb), NULL);
      web_title_changed_cb (WEBKIT_WEB_VIEW (widget));
    }
  else if (ADW_IS_PREFERENCES_WINDOW (root) && GTK_IS_SEARCH_ENTRY (widget))
    set_label (widget, _ ("Search Preferences"));
  else if ((GTK_IS_LIST_VIEW (widget) || GTK_IS_GRID_VIEW (widget))
           && gtk_widget_get_ancestor (widget, ADW_TYPE_COMBO_ROW) != NULL)
    set_label (widget, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                           gtk_widget_get_ancestor (widget, ADW_TYPE_COMBO_ROW))));
  /* A menu is named as the button that opens it. */
  else if (GTK_IS_POPOVER (widget) && GTK_IS_MENU_BUTTON (parent)
           && gtk_widget_get_tooltip_text (parent) != NULL)
    set_label (widget, gtk_widget_get_tooltip_text (parent));
  else if (GTK_IS_TOGGLE_BUTTON (widget) && GTK_IS_DROP_DOWN (parent)
           && gtk_widget_get_tooltip_text (parent) != NULL)
    set_label (widget, gtk_widget_get_tooltip_text (parent));
  /* The choice a drop-down's button shows is a list item GTK leaves
   * focusable; the button is what takes the focus. */
  else if (is_list_item (widget) && GTK_IS_STACK (parent)
           && gtk_widget_get_ancestor (parent, GTK_TYPE_TOGGLE_BUTTON) != NULL
           && gtk_widget_get_ancestor (parent, GTK_TYPE_DROP_DOWN) != NULL)
    gtk_widget_set_focusable (widget, FALSE);
}

/* GTK 4.8 says neither that a menu button opens a menu nor whether it is
 * open: both on the button and on the toggle inside it that takes the
 * focus. */
static void
menu_toggled_cb (GtkToggleButton *toggle, GParamSpec *pspec, GtkWidget *menu_button)
{
  gboolean open = gtk_toggle_button_get_active (toggle);

  gtk_accessible_update_state (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_STATE_EXPANDED, open,
                               -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_STATE_EXPANDED, open, -1);
}

static void
repair_menu_button (GtkWidget *menu_button)
{
  GtkWidget *toggle = find_descendant (menu_button, GTK_TYPE_TOGGLE_BUTTON);

  if (toggle == NULL)
    return;
  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button), GTK_ACCESSIBLE_PROPERTY_HAS_POPUP,
                                  TRUE, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_HAS_POPUP, TRUE,
                                  -1);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (menu_toggled_cb), menu_button, 0);
  menu_toggled_cb (GTK_TOGGLE_BUTTON (toggle), NULL, menu_button);
}

static void
repair_widget (GtkWidget *widget)
{
  if (g_object_get_qdata (G_OBJECT (widget), repaired_quark ()) != NULL)
    return;
  g_object_set_qdata (G_OBJECT (widget), repaired_quark (), GINT_TO_POINTER (TRUE));

  repair_button (widget);
  repair_library_widget (widget);
  if (GTK_IS_CHECK_BUTTON (widget))
    {
      g_signal_connect (widget, "notify::label", G_CALLBACK (check_label_changed_cb), NULL);
      check_label_changed_cb (GTK_CHECK_BUTTON (widget));
    }
  else if (GTK_IS_MENU_BUTTON (widget))
    repair_menu_button (widget);
  else if (GTK_IS_SEARCH_ENTRY (widget))
    {
      g_signal_connect (widget, "notify::placeholder-text", G_CALLBACK (placeholder_changed_cb),
                        NULL);
      placeholder_changed_cb (widget);
    }
  else if (GTK_IS_LIST_BOX (widget))
    repair_group_list (widget);
  else if (GTK_IS_TEXT_VIEW (widget))
    repair_text_view (widget);
  else if (is_list_item (widget))
    {
      watch_labels (widget, widget);
      item_text_changed_cb (widget);
    }
}

/**
 * foyer_a11y_repair:
 * @root: a widget, usually a window
 *
 * Names, by rule, what GTK 4.8 and libadwaita 1.2 leave unnamed or name
 * wrongly under root: mnemonic buttons and check buttons, icon buttons (by
 * their tooltip), buttons with a label of their own, search entries (by
 * their placeholder), untitled preference lists, read-only texts, list
 * items nobody named (by their labels) and the parts of GTK's and
 * libadwaita's own windows that have no name; and menu buttons say that
 * they open a menu, and whether it is open. Each widget is repaired
 * once and kept so as its labels change.
 */
void
foyer_a11y_repair (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  repair_widget (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    foyer_a11y_repair (child);
}

static void
window_mapped_cb (GtkWidget *window)
{
  foyer_a11y_repair (window);
}

static void
toplevels_changed_cb (GListModel *toplevels, guint position, guint removed, guint added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      /* Its widgets are not there yet (a template fills it after this):
       * it is repaired whenever it is shown. */
      g_signal_connect (window, "map", G_CALLBACK (window_mapped_cb), NULL);
    }
}

/**
 * foyer_a11y_watch_toplevels:
 *
 * Repairs every window of the process (foyer_a11y_repair ()) each time it
 * is shown, GTK's and libadwaita's own included.
 */
void
foyer_a11y_watch_toplevels (void)
{
  static gsize watching;
  GListModel *toplevels = gtk_window_get_toplevels ();

  if (!g_once_init_enter (&watching))
    return;
  g_signal_connect (toplevels, "items-changed", G_CALLBACK (toplevels_changed_cb), NULL);
  toplevels_changed_cb (toplevels, 0, 0, g_list_model_get_n_items (toplevels));
  g_once_init_leave (&watching, TRUE);
}

/**
 * foyer_a11y_name_list_item:
 * @child: the widget a list view's factory made, or a list box row's child
 * @label: what a screen reader says for the row
 * @description: (nullable): what it says after
 *
 * Names the row that holds child: GTK 4.8 gives the rows of list views
 * and list boxes no name, so a screen reader says only "list item".
 */
void
foyer_a11y_name_list_item (GtkWidget *child, const char *label, const char *description)
{
  GtkWidget *item;

  g_return_if_fail (GTK_IS_WIDGET (child));

  for (item = child; item != NULL && !is_list_item (item); item = gtk_widget_get_parent (item))
    ;
  if (item == NULL)
    return;
  g_object_set_qdata (G_OBJECT (item), named_quark (), GINT_TO_POINTER (TRUE));
  gtk_accessible_update_property (GTK_ACCESSIBLE (item), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label != NULL ? label : "", GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description != NULL ? description : "", -1);
}
