/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-a11y.h"
#include "foyer-search-row.h"
#include "foyer-text.h"

struct _FoyerSearchRow
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkLabel *title; /* a group's */
  GtkWidget *hit;  /* a hit's box */
  GtkLabel *author;
  GtkLabel *when;
  GtkImage *kind;
  GtkLabel *text;
};

G_DEFINE_FINAL_TYPE (FoyerSearchRow, foyer_search_row, GTK_TYPE_WIDGET)

/* Bold, on a light wash of the accent blue, readable in dark and light. */
PangoAttrList *
foyer_search_row_highlights (FoyerSearchHit *hit)
{
  PangoAttrList *attrs = pango_attr_list_new ();
  const char *text = foyer_search_hit_get_text (hit);
  gsize len = text != NULL ? strlen (text) : 0;
  const FoyerSearchRange *ranges;
  guint n = 0;

  ranges = foyer_search_hit_get_ranges (hit, &n);
  for (guint i = 0; i < n; i++)
    {
      guint start = MIN (ranges[i].start, len);
      guint end = MIN (ranges[i].end, len);
      PangoAttribute *attr;

      if (start >= end)
        continue;
      attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
      attr->start_index = start;
      attr->end_index = end;
      pango_attr_list_insert (attrs, attr);
      attr = pango_attr_background_new (0x3535, 0x8484, 0xe4e4);
      attr->start_index = start;
      attr->end_index = end;
      pango_attr_list_insert (attrs, attr);
      attr = pango_attr_background_alpha_new (0x4000);
      attr->start_index = start;
      attr->end_index = end;
      pango_attr_list_insert (attrs, attr);
    }
  return attrs;
}

static char *
format_when (gint64 ms)
{
  g_autoptr (GDateTime) when = g_date_time_new_from_unix_local (ms / 1000);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    /* Translators: a message of today (strftime). */
    return g_date_time_format (when, _ ("%H:%M"));
  if (g_date_time_get_year (when) == g_date_time_get_year (now))
    /* Translators: a message of this year (strftime), e.g. "3 Dec". */
    return g_date_time_format (when, _ ("%-d %b"));
  /* Translators: a message of another year (strftime), e.g. "3 Dec 2025". */
  return g_date_time_format (when, _ ("%-d %b %Y"));
}

void
foyer_search_row_set_item (FoyerSearchRow *self, GObject *item, const char *title)
{
  FoyerSearchHit *hit;
  g_autoptr (PangoAttrList) attrs = NULL;
  g_autofree char *author = NULL;
  g_autofree char *when = NULL;
  g_autofree char *label = NULL;
  const char *text;

  g_return_if_fail (FOYER_IS_SEARCH_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->title), FOYER_IS_SEARCH_GROUP (item));
  gtk_widget_set_visible (self->hit, FOYER_IS_SEARCH_HIT (item));
  if (FOYER_IS_SEARCH_GROUP (item))
    {
      gtk_label_set_text (self->title, title != NULL ? title : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      title != NULL ? title : "", -1);
      foyer_a11y_name_list_item (GTK_WIDGET (self), title != NULL ? title : "", NULL);
      return;
    }
  if (!FOYER_IS_SEARCH_HIT (item))
    return;

  hit = FOYER_SEARCH_HIT (item);
  text = foyer_search_hit_get_text (hit);
  author = foyer_text_make_valid (foyer_search_hit_get_author (hit), -1);
  when = format_when (foyer_search_hit_get_created (hit));
  attrs = foyer_search_row_highlights (hit);
  gtk_label_set_text (self->author, author != NULL ? author : "");
  gtk_label_set_text (self->when, when);
  gtk_label_set_text (self->text, text != NULL ? text : "");
  gtk_label_set_attributes (self->text, attrs);
  gtk_widget_set_visible (GTK_WIDGET (self->kind),
                          foyer_search_hit_get_kind (hit) == FOYER_SEARCH_KIND_FILE);
  /* Translators: what a screen reader says of a search result: who, when, what. */
  label = g_strdup_printf (_ ("%s, %s: %s"), author != NULL ? author : "", when,
                           text != NULL ? text : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  foyer_a11y_name_list_item (GTK_WIDGET (self), label, NULL);
}

GtkLabel *
_foyer_search_row_get_text_label (FoyerSearchRow *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_ROW (self), NULL);
  return self->text;
}

static void
foyer_search_row_dispose (GObject *object)
{
  FoyerSearchRow *self = FOYER_SEARCH_ROW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (foyer_search_row_parent_class)->dispose (object);
}

static void
foyer_search_row_class_init (FoyerSearchRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_search_row_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "searchrow");
}

static GtkLabel *
small_label (const char *css_class)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));

  gtk_label_set_xalign (label, 0);
  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (label), "caption");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  return label;
}

static void
foyer_search_row_init (FoyerSearchRow *self)
{
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title, 0);
  gtk_label_set_ellipsize (self->title, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "search-space");

  self->hit = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  self->author = small_label ("heading");
  self->when = small_label ("dim-label");
  gtk_widget_set_hexpand (GTK_WIDGET (self->author), TRUE);
  self->kind = GTK_IMAGE (gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->kind), _ ("A shared file’s name"));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->kind));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->author));
  gtk_box_append (GTK_BOX (line), GTK_WIDGET (self->when));
  self->text = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->text, 0);
  gtk_label_set_wrap (self->text, TRUE);
  gtk_label_set_wrap_mode (self->text, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (self->text, 3);
  gtk_label_set_ellipsize (self->text, PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (self->hit), line);
  gtk_box_append (GTK_BOX (self->hit), GTK_WIDGET (self->text));

  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->title));
  gtk_box_append (GTK_BOX (self->box), self->hit);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
}

FoyerSearchRow *
foyer_search_row_new (void)
{
  return g_object_new (FOYER_TYPE_SEARCH_ROW, NULL);
}
