/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-wrap-bin"

#include "config.h"

#include "foyer-wrap-bin.h"

struct _FoyerWrapBin
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (FoyerWrapBin, foyer_wrap_bin, GTK_TYPE_WIDGET)

static void
foyer_wrap_bin_measure (GtkWidget *widget,
                        GtkOrientation orientation,
                        int for_size,
                        int *minimum,
                        int *natural,
                        int *minimum_baseline,
                        int *natural_baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  *minimum = *natural = 0;
  if (child == NULL || !gtk_widget_should_layout (child))
    return;
  /* No width asked: the row gives the text the width it has, and it
   * wraps there. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    return;
  gtk_widget_measure (child, orientation, for_size, minimum, natural, minimum_baseline,
                      natural_baseline);
}

/* A height for each width: GtkWidget's own answer (a constant size) would
 * have it measured without the width. */
static GtkSizeRequestMode
foyer_wrap_bin_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
foyer_wrap_bin_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  GtkWidget *child = gtk_widget_get_first_child (widget);

  if (child != NULL && gtk_widget_should_layout (child))
    gtk_widget_allocate (child, width, height, baseline, NULL);
}

static void
foyer_wrap_bin_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (foyer_wrap_bin_parent_class)->dispose (object);
}

static void
foyer_wrap_bin_class_init (FoyerWrapBinClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_wrap_bin_dispose;
  widget_class->get_request_mode = foyer_wrap_bin_get_request_mode;
  widget_class->measure = foyer_wrap_bin_measure;
  widget_class->size_allocate = foyer_wrap_bin_size_allocate;
}

static void
foyer_wrap_bin_init (FoyerWrapBin *self)
{
}

GtkWidget *
foyer_wrap_bin_new (GtkWidget *child)
{
  GtkWidget *self = g_object_new (FOYER_TYPE_WRAP_BIN, NULL);

  g_return_val_if_fail (child == NULL || GTK_IS_WIDGET (child), NULL);

  if (child != NULL)
    gtk_widget_set_parent (child, self);
  return self;
}
