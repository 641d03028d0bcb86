/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The main window: the person's spaces, the open space's messages and the
 * composer, and a shared document over them. It shows the session's and
 * the Microsoft account's models and does what its actions ask (see
 * foyer-window-private.h); it knows nothing of the application.
 */
#pragma once

#include <adwaita.h>

#include "files/foyer-file-uploads.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-space-item.h"

G_BEGIN_DECLS

#define FOYER_TYPE_WINDOW (foyer_window_get_type ())
G_DECLARE_FINAL_TYPE (FoyerWindow, foyer_window, FOYER, WINDOW, AdwApplicationWindow)

/* session and account may be NULL: the window then only shows what it is
 * given (foyer_window_set_spaces ()), and its requests go nowhere. */
FoyerWindow *foyer_window_new (GtkApplication *application,
                               FoyerSession *session,
                               FoyerMicrosoftAccount *account);
void foyer_window_set_spaces (FoyerWindow *self, GListModel *spaces);
void foyer_window_open_space (FoyerWindow *self, FoyerSpaceItem *space);
FoyerSpaceItem *foyer_window_get_current_space (FoyerWindow *self);
void foyer_window_show_toast (FoyerWindow *self, const char *message);
gboolean foyer_window_get_document_shown (FoyerWindow *self);
/* Files from the computer: the window offers them and shows their tiles. */
void foyer_window_set_uploads (FoyerWindow *self, FoyerFileUploads *uploads);
FoyerFileUploads *foyer_window_get_uploads (FoyerWindow *self);
/* For tests: whether a message is still being brought into view (a search
 * result's, win.show-message). */
gboolean _foyer_window_get_showing_message (FoyerWindow *self);

G_END_DECLS
