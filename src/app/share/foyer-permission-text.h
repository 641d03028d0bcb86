/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A Graph permission (GET …/permissions) in words, for the lists of who
 * has access: a person's name or a link's audience, and the role.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The person's name (or address), or the link's audience; NULL when the
 * permission names no one. Plain text from the network. */
const char *foyer_permission_who (JsonObject *permission);
/* "Owner", "Can edit" or "Can view". */
const char *foyer_permission_role (JsonObject *permission);
gboolean foyer_permission_is_owner (JsonObject *permission);

G_END_DECLS
