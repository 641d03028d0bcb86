/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The person's page (their accounts, named in words, and notifications)
 * and, for administrators, a page of the organization's Microsoft
 * OneDrive and SharePoint policy. Every change applies at once: the
 * person's through GSettings, the organization's sent to the service
 * (one save at a time, a form it would refuse put back with the reason).
 */
#pragma once

#include <adwaita.h>

#include "foyer-microsoft-account.h"
#include "foyer-session.h"

G_BEGIN_DECLS

#define FOYER_TYPE_PREFERENCES_WINDOW (foyer_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (FoyerPreferencesWindow,
                      foyer_preferences_window,
                      FOYER,
                      PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

FoyerPreferencesWindow *foyer_preferences_window_new (GtkWindow *parent,
                                                      FoyerSession *session,
                                                      FoyerMicrosoftAccount *account);
/* The organization settings as the form holds them (for saving and tests). */
JsonNode *foyer_preferences_window_dup_settings (FoyerPreferencesWindow *self);
/* Sends the form's organization settings now (changes do by themselves). */
void foyer_preferences_window_save (FoyerPreferencesWindow *self);

G_END_DECLS
