/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a screen reader hears. GTK 4.8 and libadwaita 1.2 name some
 * controls after their type ("GtkImage", "GtkMenuButton"), read mnemonic
 * buttons twice with the underscore ("_Sign In… Sign In…") and give list
 * items no name at all. foyer_a11y_repair () mends a window's widgets by
 * rule, once they exist; foyer_a11y_watch_toplevels () does it for every
 * window as it is shown; foyer_a11y_name_list_item () names the row of a
 * list view or list box that holds a widget. tests/ui/test-accessibility.c
 * reads every window through AT-SPI to keep it so.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void foyer_a11y_repair (GtkWidget *root);
void foyer_a11y_watch_toplevels (void);
void foyer_a11y_name_list_item (GtkWidget *child, const char *label, const char *description);

G_END_DECLS
