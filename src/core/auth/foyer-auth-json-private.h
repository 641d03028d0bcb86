/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Reading members of JSON that comes from outside (token replies, ID token
 * claims, JWKS, cloud.json, the organization's policy, stored credentials)
 * without json-glib's criticals: json_object_get_string_member_with_default ()
 * asserts when the member is an object or an array, and a critical is fatal
 * in tests.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The member's string; default_value when it is absent or null; NULL when
 * it is anything else, so that a caller can refuse a wrong type. */
static inline const char *
_foyer_auth_json_string (JsonObject *object, const char *member, const char *default_value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return default_value;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* The member's boolean; default_value when absent or not a boolean. */
static inline gboolean
_foyer_auth_json_boolean (JsonObject *object, const char *member, gboolean default_value)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

G_END_DECLS
