/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-core"

#include "config.h"

#include "foyer-json.h"

#include "foyer-core.h"

/* The one place a string member is read. FALSE when the member holds
 * anything but a string or null; otherwise TRUE, with *out the string, or
 * NULL when the member is absent or null. object may be NULL. */
gboolean
foyer_json_lookup_string (JsonObject *object, const char *name, const char **out)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return FALSE;
  *out = json_node_get_string (node);
  return TRUE;
}

/* The member's string; default_value when it is absent or null; NULL when
 * it holds anything else, so that a caller can refuse a wrong type. */
const char *
foyer_json_get_string_with_default (JsonObject *object, const char *name, const char *default_value)
{
  const char *value;

  if (!foyer_json_lookup_string (object, name, &value))
    return NULL;
  return value != NULL ? value : default_value;
}

const char *
foyer_json_get_string (JsonObject *object, const char *name)
{
  const char *value;

  return foyer_json_lookup_string (object, name, &value) ? value : NULL;
}

JsonObject *
foyer_json_get_object (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
foyer_json_get_array (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gint64
foyer_json_get_int (JsonObject *object, const char *name, gint64 default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return default_value;
  return json_node_get_int (node);
}

gboolean
foyer_json_get_boolean (JsonObject *object, const char *name, gboolean default_value)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return default_value;
  return json_node_get_boolean (node);
}

/* The strings of an array member, in order; anything else in it is
 * skipped. Never NULL. */
GStrv
foyer_json_dup_strv (JsonObject *object, const char *name)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array = foyer_json_get_array (object, name);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (element));
    }
  return g_strv_builder_end (builder);
}

JsonNode *
foyer_json_parse (const char *data, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (data == NULL || length > G_MAXSSIZE
      || !foyer_json_depth_within (data, length, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, data, (gssize) length, NULL)
      || (root = json_parser_get_root (parser)) == NULL)
    return NULL;
  return json_node_ref (root);
}

void
foyer_json_builder_add_string (JsonBuilder *builder, const char *member, const char *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
foyer_json_builder_add_int (JsonBuilder *builder, const char *member, gint64 value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

void
foyer_json_builder_add_boolean (JsonBuilder *builder, const char *member, gboolean value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_boolean_value (builder, value);
}
