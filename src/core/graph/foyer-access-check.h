/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Before sharing: which of a space's members will not be able to open a
 * OneDrive/SharePoint item, from the item's permissions (GET
 * …/items/{id}/permissions, as its owner sees them) and the audience the
 * link is for. Pure: no I/O, so the picker and the tiles can ask as often as
 * they like, and tests can feed it any permissions.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "foyer-sharing.h"

G_BEGIN_DECLS

/*
 * audience: the one the link is for. members: the space members' e-mail addresses.
 * organization_domains: the e-mail domains of the organization (see
 * docs/graph.md: Foyer uses the sharer's own domain).
 *
 * Returns the members (addresses as given, in order; never NULL) who will
 * not be able to open the item:
 * - anyone, space: nobody (anyone can open the link; the space's members
 *   are invited when the link is made);
 * - organization: members outside the organization's domains who hold no
 *   permission of their own on the item (nobody, and not certain, when no
 *   domain is given);
 * - existing: members who hold no permission of their own on the item
 *   (a person, an invitation, or a recipient of a "specific people" link).
 *   Anonymous and organization links do not count: sharing with existing
 *   access posts the item's own address, not those links. A permission given
 *   to a group (a site's members, a Microsoft 365 group) cannot be expanded
 *   here: members inside the organization's domains are then taken to have
 *   access, and out_certain says the answer is a guess.
 *
 * out_certain (optional) is FALSE when the answer may be wrong: a group
 * grant, or a list without an owner (only the owner sees every permission).
 */
GStrv foyer_access_check_members_without_access (JsonArray *permissions,
                                                 FoyerLinkAudience audience,
                                                 const char *const *members,
                                                 const char *const *organization_domains,
                                                 gboolean *out_certain);

/* TRUE if one of permissions names email (a person, an invitation or a
 * recipient of a link), compared without regard to case. */
gboolean foyer_access_check_has_permission (JsonArray *permissions, const char *email);

/* The domain of an e-mail address, lower-cased, or NULL. */
char *foyer_access_check_email_domain (const char *email);

G_END_DECLS
