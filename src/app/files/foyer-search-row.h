/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSearchRow: one row of the search results: a space's name over its
 * hits (a FoyerSearchGroup), or a hit (FoyerSearchHit): who, when, and the
 * text with the words found in bold. The text is set as plain text with
 * Pango attributes from the hit's byte ranges: it is never read as markup.
 */
#pragma once

#include <adwaita.h>

#include "foyer-search-results.h"

G_BEGIN_DECLS

#define FOYER_TYPE_SEARCH_ROW (foyer_search_row_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSearchRow, foyer_search_row, FOYER, SEARCH_ROW, GtkWidget)

FoyerSearchRow *foyer_search_row_new (void);
/* A FoyerSearchGroup (title: the space's) or a FoyerSearchHit. */
void foyer_search_row_set_item (FoyerSearchRow *self, GObject *item, const char *title);

/* The attributes that mark the hit's ranges in its text (for tests). */
PangoAttrList *foyer_search_row_highlights (FoyerSearchHit *hit);
GtkLabel *_foyer_search_row_get_text_label (FoyerSearchRow *self);

G_END_DECLS
