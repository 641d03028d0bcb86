/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerPickerPolicy: what the organization lets a person choose in the
 * picker's share options (DESIGN.md, Organization policy): the audiences a
 * link may be made for, the preselected audience and link type, and the
 * e-mail addresses of the people currently in the space.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "foyer-sharing.h"

G_BEGIN_DECLS

#define FOYER_TYPE_PICKER_POLICY (foyer_picker_policy_get_type ())

typedef struct _FoyerPickerPolicy FoyerPickerPolicy;

GType foyer_picker_policy_get_type (void);

/* audiences: the ones the organization allows, ending with
 * FOYER_LINK_AUDIENCE_NONE (NULL: none). */
FoyerPickerPolicy *foyer_picker_policy_new (const FoyerLinkAudience *audiences,
                                            FoyerLinkAudience default_audience,
                                            FoyerLinkType default_link_type,
                                            const char *const *space_members);
FoyerPickerPolicy *foyer_picker_policy_new_from_json (JsonObject *microsoft,
                                                      const char *const *space_members);
FoyerPickerPolicy *foyer_picker_policy_ref (FoyerPickerPolicy *self);
void foyer_picker_policy_unref (FoyerPickerPolicy *self);

gboolean foyer_picker_policy_allows (const FoyerPickerPolicy *self, FoyerLinkAudience audience);
const FoyerLinkAudience *foyer_picker_policy_get_audiences (const FoyerPickerPolicy *self);
FoyerLinkAudience foyer_picker_policy_get_default_audience (const FoyerPickerPolicy *self);
FoyerLinkType foyer_picker_policy_get_default_link_type (const FoyerPickerPolicy *self);
const char *const *foyer_picker_policy_get_space_members (const FoyerPickerPolicy *self);
void foyer_picker_policy_set_member_names (FoyerPickerPolicy *self, const char *const *names);
const char *foyer_picker_policy_get_member_name (const FoyerPickerPolicy *self, const char *email);
void foyer_picker_policy_set_organization_domains (FoyerPickerPolicy *self,
                                                   const char *const *domains);
const char *const *foyer_picker_policy_get_organization_domains (const FoyerPickerPolicy *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerPickerPolicy, foyer_picker_policy_unref)

G_END_DECLS
