/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerWrapBin: holds one wrapping label in a list row and measures it
 * only for what a row needs, its height at the width it is given. GTK's
 * label, asked for its widths, lays its text out at width 0 (a line break
 * at every character for word-char wrapping) and on one line, then again
 * at the row's width: three layouts and shapings of every message, where
 * one does. The bin asks for no width (any width suits wrapped text), so
 * the label is laid out once, at the width it is drawn at.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define FOYER_TYPE_WRAP_BIN (foyer_wrap_bin_get_type ())
G_DECLARE_FINAL_TYPE (FoyerWrapBin, foyer_wrap_bin, FOYER, WRAP_BIN, GtkWidget)

GtkWidget *foyer_wrap_bin_new (GtkWidget *child);

G_END_DECLS
