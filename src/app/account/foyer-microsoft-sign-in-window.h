/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The modal window a Microsoft sign-in happens in: Microsoft's own pages in
 * an embedded view on the app's web session (so the viewer gets the
 * session's cookies), or, in the policy's browser mode, a page that says to
 * continue in the system browser. It drives the account's sign-in and
 * closes when the sign-in ends; Cancel ends it.
 */
#pragma once

#include <adwaita.h>

#include "foyer-microsoft-account.h"

G_BEGIN_DECLS

#define FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW (foyer_microsoft_sign_in_window_get_type ())
G_DECLARE_FINAL_TYPE (FoyerMicrosoftSignInWindow,
                      foyer_microsoft_sign_in_window,
                      FOYER,
                      MICROSOFT_SIGN_IN_WINDOW,
                      AdwWindow)

/* Presents the account's sign-in window, started now (or the one under way);
 * FALSE when no sign-in can start (the account says why). */
gboolean foyer_microsoft_sign_in_window_open (GtkWindow *parent, FoyerMicrosoftAccount *account);

G_END_DECLS
