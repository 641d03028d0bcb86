/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The words of a share, the same from the organization's policy through the
 * picker and the Graph call to the reference every member receives: what a
 * link lets people do and who it works for. Both are registered enum types
 * (foyer-core-enums.h); strings are only for JSON, read and written here.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  FOYER_LINK_TYPE_VIEW,
  FOYER_LINK_TYPE_EDIT,
} FoyerLinkType;

/* NONE is no audience at all (a policy that allows none, nothing chosen
 * yet); a reference never has it. SPACE shares with the space's current
 * members; EXISTING makes no new link. */
typedef enum
{
  FOYER_LINK_AUDIENCE_NONE,
  FOYER_LINK_AUDIENCE_ANYONE,
  FOYER_LINK_AUDIENCE_ORGANIZATION,
  FOYER_LINK_AUDIENCE_SPACE,
  FOYER_LINK_AUDIENCE_EXISTING,
} FoyerLinkAudience;

/* The JSON edge: "view" and "edit"; "anyone", "organization", "space" and
 * "existing" (NULL for NONE). from_string () is FALSE for anything else. */
const char *foyer_link_type_to_string (FoyerLinkType type);
gboolean foyer_link_type_from_string (const char *text, FoyerLinkType *out);
const char *foyer_link_audience_to_string (FoyerLinkAudience audience);
gboolean foyer_link_audience_from_string (const char *text, FoyerLinkAudience *out);

G_END_DECLS

#include "foyer-core-enums.h"
