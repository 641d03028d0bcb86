/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-chat"

#include "config.h"

#include "foyer-event.h"

#include "foyer-chat-client.h"
#include "foyer-core.h"
#include "foyer-json.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"

#include <string.h>

static gboolean
invalid (GError **error, const char *why)
{
  g_set_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID,
               "The service sent a malformed event (%s)", why);
  return FALSE;
}

static gboolean
is_id (const char *id)
{
  gsize len = id != NULL ? strlen (id) : 0;

  if (len == 0 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  return TRUE;
}

/* A member that, when present, must be a JWE of the right shape. */
static gboolean
check_jwe_member (JsonObject *object, const char *name, gboolean required)
{
  const char *jwe;

  if (!foyer_json_lookup_string (object, name, &jwe))
    return FALSE;
  if (jwe == NULL)
    return !required;
  return foyer_jwe_check (jwe, FOYER_JWE_MAX_LENGTH, NULL, NULL);
}

static gboolean
check_message (JsonObject *message, GError **error)
{
  JsonNode *attachments;

  if (message == NULL || !is_id (foyer_json_get_string (message, "id")))
    return invalid (error, "message");
  if (!check_jwe_member (message, "body", TRUE))
    return invalid (error, "message body");
  attachments = json_object_get_member (message, "attachments");
  if (attachments == NULL || JSON_NODE_HOLDS_NULL (attachments))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (attachments))
    return invalid (error, "attachments");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (attachments)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (attachments), i);

      if (!JSON_NODE_HOLDS_OBJECT (element)
          || !check_jwe_member (json_node_get_object (element), "ref", TRUE))
        return invalid (error, "attachment");
    }
  return TRUE;
}

static gboolean
check_space (JsonObject *space, GError **error)
{
  if (space == NULL || !is_id (foyer_json_get_string (space, "id")))
    return invalid (error, "space");
  if (!check_jwe_member (space, "title", FALSE))
    return invalid (error, "space title");
  return TRUE;
}

gboolean
foyer_event_check (JsonNode *event, GError **error)
{
  JsonObject *object
      = event != NULL && JSON_NODE_HOLDS_OBJECT (event) ? json_node_get_object (event) : NULL;
  const char *type = foyer_json_get_string (object, "type");
  const char *space_id = foyer_json_get_string (object, "spaceId");

  if (object == NULL)
    return invalid (error, "not an object");
  if (type == NULL || *type == '\0' || strlen (type) > 64)
    return invalid (error, "type");
  if (foyer_json_get_int (object, "cursor", 0) < 1)
    return invalid (error, "cursor");
  if (json_object_has_member (object, "spaceId") && !is_id (space_id))
    return invalid (error, "spaceId");
  if (json_object_has_member (object, "personId")
      && !is_id (foyer_json_get_string (object, "personId")))
    return invalid (error, "personId");
  if (strcmp (type, "message.created") == 0)
    return check_message (foyer_json_get_object (object, "message"), error);
  if (json_object_has_member (object, "space"))
    return check_space (foyer_json_get_object (object, "space"), error);
  return TRUE;
}

JsonNode *
foyer_event_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (JsonNode) root = NULL;

  if (data == NULL || length == 0 || length > FOYER_EVENT_MAX_LENGTH
      || !g_utf8_validate (data, (gssize) length, NULL) || memchr (data, '\0', length) != NULL)
    {
      invalid (error, "not text");
      return NULL;
    }
  if ((root = foyer_json_parse (data, length)) == NULL)
    {
      invalid (error, "not JSON");
      return NULL;
    }
  if (!foyer_event_check (root, error))
    return NULL;
  return json_node_copy (root);
}
