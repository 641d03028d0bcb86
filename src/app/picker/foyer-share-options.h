/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerShareOptions: the picker's share options for the chosen file: what
 * the link lets people do, who it works for (among the audiences the
 * organization allows), and which of the space's members could not open it
 * that way, with the offer to give them access.
 */
#pragma once

#include <adwaita.h>

#include "foyer-picker-policy.h"

G_BEGIN_DECLS

#define FOYER_TYPE_SHARE_OPTIONS (foyer_share_options_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerShareOptions, foyer_share_options, FOYER, SHARE_OPTIONS, AdwPreferencesGroup)

void foyer_share_options_set_policy (FoyerShareOptions *self, const FoyerPickerPolicy *policy);
void foyer_share_options_reset (FoyerShareOptions *self);
void foyer_share_options_set_permissions (FoyerShareOptions *self, JsonArray *permissions);
FoyerLinkAudience foyer_share_options_get_audience (FoyerShareOptions *self);
FoyerLinkType foyer_share_options_get_link_type (FoyerShareOptions *self);
const char *const *foyer_share_options_get_members_without_access (FoyerShareOptions *self);
const char *const *foyer_share_options_get_grant_emails (FoyerShareOptions *self);

G_END_DECLS
