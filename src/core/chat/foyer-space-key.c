/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-chat"

#include "config.h"

#include "foyer-space-key.h"

#include "foyer-json-request.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  FoyerChatClient *chat;
  char *space_id;
  char *replaces;
  char *key_uri;
} Rotation;

static void
rotation_free (Rotation *rotation)
{
  g_object_unref (rotation->chat);
  g_free (rotation->space_id);
  g_free (rotation->replaces);
  g_free (rotation->key_uri);
  g_free (rotation);
}

static char *
space_path (Rotation *rotation, const char *tail)
{
  g_autofree char *escaped = g_uri_escape_string (rotation->space_id, NULL, FALSE);

  return g_strdup_printf ("/v1/spaces/%s%s", escaped, tail);
}

/* The key the space's messages are sealed with, as the service says. */
static void
space_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  JsonObject *space
      = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *key_uri = foyer_json_get_string (space, "keyUri");

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (key_uri == NULL || foyer_json_get_boolean (space, "keyRotationNeeded", FALSE))
    g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                             _ ("This space has no new key yet; try again"));
  else
    g_task_return_pointer (task, g_strdup (key_uri), g_free);
}

static void
set_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Rotation *rotation = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  g_autofree char *path = NULL;
  GCancellable *cancellable;

  if (node != NULL)
    {
      g_task_return_pointer (task, g_strdup (rotation->key_uri), g_free);
      return;
    }
  if (!g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Another member set a key first (409): that one is the space's. */
  path = space_path (rotation, "");
  cancellable = g_task_get_cancellable (task);
  foyer_chat_client_request_async (rotation->chat, "GET", path, NULL, cancellable, space_cb,
                                   g_steal_pointer (&task));
}

static void
key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Rotation *rotation = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key
      = foyer_kms_client_create_key_finish (FOYER_KMS_CLIENT (source), result, &error);
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;
  GCancellable *cancellable;
  JsonObject *object;

  if (key == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  rotation->key_uri = g_strdup (key->uri);
  object = json_object_new ();
  json_object_set_string_member (object, "keyUri", key->uri);
  if (rotation->replaces != NULL)
    json_object_set_string_member (object, "replaces", rotation->replaces);
  body = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (body, object);
  path = space_path (rotation, "/key");
  cancellable = g_task_get_cancellable (task);
  foyer_chat_client_request_async (rotation->chat, "PUT", path, body, cancellable, set_key_cb,
                                   g_steal_pointer (&task));
}

void
foyer_space_key_rotate_async (FoyerChatClient *chat,
                              FoyerKmsClient *kms,
                              const char *space_id,
                              const char *resource_uri,
                              const char *replaces,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task;
  Rotation *rotation;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (chat));
  g_return_if_fail (FOYER_IS_KMS_CLIENT (kms));
  g_return_if_fail (space_id != NULL && resource_uri != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_space_key_rotate_async);
  rotation = g_new0 (Rotation, 1);
  rotation->chat = g_object_ref (chat);
  rotation->space_id = g_strdup (space_id);
  rotation->replaces = g_strdup (replaces);
  g_task_set_task_data (task, rotation, (GDestroyNotify) rotation_free);
  foyer_kms_client_create_key_async (kms, resource_uri, cancellable, key_cb, task);
}

char *
foyer_space_key_rotate_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
