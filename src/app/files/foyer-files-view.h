/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerFilesView: the Files of a space, as Webex's Content tab: every
 * document shared in it (FoyerSpaceFiles), newest first, as a list or a
 * grid with thumbnails, who shared it, when and its kind; filtered by kind
 * and by name as the person types; Enter or a click opens it in the viewer
 * (account.open-document). Works offline from the sealed copy.
 */
#pragma once

#include <adwaita.h>

#include "foyer-microsoft-account.h"
#include "foyer-session.h"

G_BEGIN_DECLS

#define FOYER_TYPE_FILES_VIEW (foyer_files_view_get_type ())
G_DECLARE_FINAL_TYPE (FoyerFilesView, foyer_files_view, FOYER, FILES_VIEW, GtkWidget)

void foyer_files_view_set_context (FoyerFilesView *self,
                                   FoyerSession *session,
                                   FoyerMicrosoftAccount *account);
/* The space whose files are shown (NULL: none). */
void foyer_files_view_set_space (FoyerFilesView *self, FoyerSpaceItem *space);

/* For tests: what is shown (after filters), and the state. */
GListModel *_foyer_files_view_get_model (FoyerFilesView *self);
GListModel *_foyer_files_view_get_files (FoyerFilesView *self);
void _foyer_files_view_set_grid (FoyerFilesView *self, gboolean grid);
void _foyer_files_view_set_query (FoyerFilesView *self, const char *query);
void _foyer_files_view_set_kind (FoyerFilesView *self, guint kind_index);
/* "list", "grid" or "empty". */
const char *_foyer_files_view_get_page (FoyerFilesView *self);
void _foyer_files_view_activate (FoyerFilesView *self, guint position);

G_END_DECLS
