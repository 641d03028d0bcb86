/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSearchView: Ctrl+F, over the sidebar. What is typed is looked for in
 * the messages and file names of every space, on the device (the session's
 * FoyerSearchIndex); results come grouped by space, newest first, the words
 * found in bold; Enter or a click opens the space at that message
 * (win.show-message). While older history is still being indexed, a line
 * says how far it got.
 */
#pragma once

#include <adwaita.h>

#include "foyer-session.h"

G_BEGIN_DECLS

#define FOYER_TYPE_SEARCH_VIEW (foyer_search_view_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSearchView, foyer_search_view, FOYER, SEARCH_VIEW, GtkWidget)

void foyer_search_view_set_session (FoyerSearchView *self, FoyerSession *session);
/* Puts the keyboard in the search entry, its text selected. */
void foyer_search_view_focus (FoyerSearchView *self);

/* For tests: the rows shown (FoyerSearchGroup headers and FoyerSearchHit),
 * the query they are for, and the hits' labels. */
GListModel *_foyer_search_view_get_rows (FoyerSearchView *self);
const char *_foyer_search_view_get_shown_query (FoyerSearchView *self);
void _foyer_search_view_set_text (FoyerSearchView *self, const char *text);
void _foyer_search_view_activate (FoyerSearchView *self, guint position);
GtkWidget *_foyer_search_view_get_list (FoyerSearchView *self);
const char *_foyer_search_view_get_backfill_text (FoyerSearchView *self);

G_END_DECLS
