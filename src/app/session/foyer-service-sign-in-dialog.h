/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Asks for the organization's Foyer service address, an e-mail address and a
 * password. The dialog only collects and validates; whoever opened it signs
 * in (the "submit" signal) and reports back with set_busy() / set_error()
 * or closes it.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FOYER_TYPE_SERVICE_SIGN_IN_DIALOG (foyer_service_sign_in_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FoyerServiceSignInDialog,
                      foyer_service_sign_in_dialog,
                      FOYER,
                      SERVICE_SIGN_IN_DIALOG,
                      AdwWindow)

FoyerServiceSignInDialog *
foyer_service_sign_in_dialog_new (GtkWindow *parent, const char *service_url, const char *email);
void foyer_service_sign_in_dialog_set_busy (FoyerServiceSignInDialog *self, gboolean busy);
void foyer_service_sign_in_dialog_set_error (FoyerServiceSignInDialog *self, const char *message);

char *foyer_service_url_normalize (const char *text, GError **error);

G_END_DECLS
