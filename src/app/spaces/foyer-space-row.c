/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-space-row"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-space-row.h"
#include "foyer-a11y.h"
#include "foyer-text.h"

struct _FoyerSpaceRow
{
  GtkWidget parent_instance;

  FoyerSpaceItem *item;
  gulong notify_id;
  GtkWidget *box;
  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkLabel *preview_label;
  GtkLabel *unread_label;
};

G_DEFINE_FINAL_TYPE (FoyerSpaceRow, foyer_space_row, GTK_TYPE_WIDGET)

/* The newest message's preview and when the space was last active; the
 * preview is plain text from the network. */
static void
foyer_space_row_update_last (FoyerSpaceRow *self)
{
  GDateTime *when = foyer_space_item_get_last_activity (self->item);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = when != NULL ? foyer_text_format_when (when, now) : NULL;
  g_autofree char *preview = NULL;

  if (foyer_space_item_get_last_message (self->item) != NULL)
    preview = foyer_text_make_valid (foyer_space_item_get_last_message (self->item), -1);
  gtk_label_set_text (self->time_label, time != NULL ? time : "");
  gtk_label_set_text (self->preview_label, preview != NULL ? preview : "");
  gtk_widget_set_visible (GTK_WIDGET (self->preview_label), preview != NULL);
}

/* The row a screen reader lands on says the space's title and how many
 * messages are unread, not "list item". */
static void
foyer_space_row_update_accessible (FoyerSpaceRow *self, const char *title, guint unread)
{
  g_autofree char *description = NULL;

  if (unread > 0)
    description = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%u unread message", "%u unread messages", unread), unread);
  foyer_a11y_name_list_item (GTK_WIDGET (self), title, description);
}

static void
foyer_space_row_update (FoyerSpaceRow *self)
{
  guint unread;
  g_autofree char *title = NULL;
  g_autofree char *count = NULL;

  if (self->item == NULL)
    return;

  if (foyer_space_item_get_title_unavailable (self->item))
    title = g_strdup (_ ("Untitled space (title unavailable)"));
  else
    title = foyer_text_make_valid (foyer_space_item_get_title (self->item), -1);
  gtk_label_set_text (self->title_label, title);

  unread = foyer_space_item_get_unread_count (self->item);
  count = unread > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", unread);
  gtk_label_set_text (self->unread_label, count);
  gtk_widget_set_visible (GTK_WIDGET (self->unread_label), unread > 0);
  if (unread > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->title_label), "heading");
  foyer_space_row_update_accessible (self, title, unread);

  foyer_space_row_update_last (self);
}

void
foyer_space_row_set_item (FoyerSpaceRow *self, FoyerSpaceItem *item)
{
  g_return_if_fail (FOYER_IS_SPACE_ROW (self));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_set_object (&self->item, item);
  if (item != NULL)
    {
      self->notify_id = g_signal_connect_object (
          item, "notify", G_CALLBACK (foyer_space_row_update), self, G_CONNECT_SWAPPED);
      foyer_space_row_update (self);
    }
}

static void
foyer_space_row_dispose (GObject *object)
{
  FoyerSpaceRow *self = FOYER_SPACE_ROW (object);

  foyer_space_row_set_item (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (foyer_space_row_parent_class)->dispose (object);
}

static void
foyer_space_row_class_init (FoyerSpaceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = foyer_space_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "spacerow");
  /* Its list item carries the name (foyer_a11y_name_list_item ()). */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
}

static GtkLabel *
line_label (GtkWidget *line, gboolean expand, const char *style, const char *style2)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));

  gtk_label_set_xalign (label, 0);
  gtk_label_set_single_line_mode (label, TRUE);
  if (expand)
    {
      gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (GTK_WIDGET (label), TRUE);
    }
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), style);
  if (style2 != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), style2);
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (label));
  return label;
}

/* Two lines: the title and when, then the newest message and how many are
 * unread. */
static void
foyer_space_row_init (FoyerSpaceRow *self)
{
  GtkWidget *first = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *second = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  gtk_box_append (GTK_BOX (self->box), first);
  gtk_box_append (GTK_BOX (self->box), second);

  self->title_label = line_label (first, TRUE, NULL, NULL);
  self->time_label = line_label (first, FALSE, "dim-label", "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "numeric");
  self->preview_label = line_label (second, TRUE, "dim-label", "caption");
  self->unread_label = line_label (second, FALSE, "unread-badge", "numeric");
  gtk_widget_set_valign (GTK_WIDGET (self->unread_label), GTK_ALIGN_CENTER);
}

FoyerSpaceRow *
foyer_space_row_new (void)
{
  return g_object_new (FOYER_TYPE_SPACE_ROW, NULL);
}

static void
setup_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (foyer_space_row_new ()));
}

static void
bind_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  foyer_space_row_set_item (FOYER_SPACE_ROW (gtk_list_item_get_child (list_item)),
                            gtk_list_item_get_item (list_item));
}

static void
unbind_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  foyer_space_row_set_item (FOYER_SPACE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

GtkListItemFactory *
foyer_space_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cb), NULL);

  return factory;
}
