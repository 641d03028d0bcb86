/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Connects a FoyerWindow (the view) to a FoyerSession (the service): the
 * window's requests become session calls and dialogs, the session's state
 * and spaces become what the window shows.
 */
#pragma once

#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-window.h"

G_BEGIN_DECLS

void foyer_window_attach_session (FoyerWindow *window, FoyerSession *session);
void foyer_window_attach_microsoft (FoyerWindow *window,
                                    FoyerSession *session,
                                    FoyerMicrosoftAccount *account);

G_END_DECLS
