/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer entry point for the Graph JSON readers: collection pages, drive
 * items (plain, insight, drive, site), error bodies, createLink permissions,
 * the organization's name and Retry-After values. Built as a libFuzzer target with clang and
 * -Dfuzzing=true; replay-graph-json.c runs the same function in `meson test`.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-graph-link.h"
#include "foyer-retry.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Reading every property proves the object is consistent. */
static void
touch_item (FoyerDriveItem *item)
{
  guint n_props = 0;
  g_autofree GParamSpec **props
      = g_object_class_list_properties (G_OBJECT_GET_CLASS (item), &n_props);

  for (guint i = 0; i < n_props; i++)
    {
      g_auto (GValue) value = G_VALUE_INIT;

      g_value_init (&value, props[i]->value_type);
      g_object_get_property (G_OBJECT (item), props[i]->name, &value);
    }
  (void) foyer_drive_item_get_target_drive_id (item);
  (void) foyer_drive_item_get_target_id (item);
}

static void
try_item (FoyerDriveItem *(*parse) (JsonObject *, GError **), JsonObject *object)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = parse (object, &error);

  g_assert ((item == NULL) || (error == NULL));
  if (item != NULL)
    touch_item (item);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *text = g_strndup ((const char *) data, size);
  JsonNode *root;
  guint seconds = 0;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);

  (void) foyer_retry_parse_after (text, NULL, &seconds);

  if (size > G_MAXSSIZE
      || !json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return 0;
  root = json_parser_get_root (parser);
  g_free (foyer_graph_organization_name_from_json (root));

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) items = NULL;
    g_autofree char *next = NULL;

    items = foyer_drive_item_parse_collection (root, &next, &error);
    g_assert ((items == NULL) != (error == NULL));
    for (guint i = 0; items != NULL && i < items->len; i++)
      touch_item (g_ptr_array_index (items, i));
  }

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *value = json_object_get_member (object, "value");

      try_item (foyer_drive_item_new_from_json, object);
      try_item (foyer_drive_item_new_from_insight, object);
      try_item (foyer_drive_item_new_from_drive, object);
      try_item (foyer_drive_item_new_from_site, object);

      if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
        {
          JsonArray *array = json_node_get_array (value);

          for (guint i = 0; i < json_array_get_length (array) && i < 64; i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_OBJECT (element))
                {
                  try_item (foyer_drive_item_new_from_insight, json_node_get_object (element));
                  try_item (foyer_drive_item_new_from_site, json_node_get_object (element));
                  try_item (foyer_drive_item_new_from_drive, json_node_get_object (element));
                }
            }
        }
    }

  {
    g_autoptr (GError) error = foyer_graph_error_new_from_json (400, NULL, root);

    g_assert (error != NULL && error->domain == FOYER_GRAPH_ERROR);
    (void) foyer_graph_error_get_code (error);
    (void) foyer_graph_error_get_request_id (error);
  }

  {
    g_autoptr (GError) error = NULL;
    g_autoptr (FoyerGraphLink) link
        = foyer_graph_link_new_from_permission (root, FOYER_GRAPH_LINK_SCOPE_ORGANIZATION, &error);

    g_assert ((link == NULL) != (error == NULL));
  }

  return 0;
}
