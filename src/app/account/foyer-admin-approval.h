/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the sign-in window shows when Entra ID answers "Need admin approval"
 * (the organization lets only administrators give apps access): what to
 * ask the administrator, the address where they grant consent for the
 * whole organization, a way to copy it, and Try Again ("try-again").
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FOYER_TYPE_ADMIN_APPROVAL (foyer_admin_approval_get_type ())
G_DECLARE_FINAL_TYPE (FoyerAdminApproval, foyer_admin_approval, FOYER, ADMIN_APPROVAL, AdwBin)

GtkWidget *foyer_admin_approval_new (const char *consent_url);
const char *foyer_admin_approval_get_consent_url (FoyerAdminApproval *self);

G_END_DECLS
