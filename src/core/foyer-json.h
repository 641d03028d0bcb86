/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading members of JSON that comes from outside (the network, a file,
 * the local store) without json-glib's criticals: its
 * json_object_get_*_member () functions assert when a member holds another
 * type, and outside input must never reach an assertion. And the small
 * writers that name a member and give its value in one call.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Type-checked member access: NULL (or the default) when the member is
 * missing or of another type. object may be NULL. */
gboolean foyer_json_lookup_string (JsonObject *object, const char *name, const char **out);
const char *foyer_json_get_string (JsonObject *object, const char *name);
const char *foyer_json_get_string_with_default (JsonObject *object,
                                                const char *name,
                                                const char *default_value);
JsonObject *foyer_json_get_object (JsonObject *object, const char *name);
JsonArray *foyer_json_get_array (JsonObject *object, const char *name);
gint64 foyer_json_get_int (JsonObject *object, const char *name, gint64 default_value);
gboolean foyer_json_get_boolean (JsonObject *object, const char *name, gboolean default_value);
GStrv foyer_json_dup_strv (JsonObject *object, const char *name);

/* JSON text from outside, measured with foyer_json_depth_within () before
 * json-glib reads it: its root (immutable, a new reference), or NULL when
 * it nests too deep, is not JSON or holds no value. */
JsonNode *foyer_json_parse (const char *data, gsize length);

/* Writing: one member of the object being built, its name then its value.
 * A NULL string is written as null, never left out. */
void foyer_json_builder_add_string (JsonBuilder *builder, const char *member, const char *value);
void foyer_json_builder_add_int (JsonBuilder *builder, const char *member, gint64 value);
void foyer_json_builder_add_boolean (JsonBuilder *builder, const char *member, gboolean value);

G_END_DECLS
