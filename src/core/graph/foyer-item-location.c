/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-item-location.h"

static char *
join (const char *parent_path, const char *name)
{
  if (parent_path == NULL)
    return g_strdup ("/");
  return g_strconcat (parent_path, g_str_has_suffix (parent_path, "/") ? "" : "/", name, NULL);
}

static void
parent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (FoyerDriveItem) parent = NULL;
  GError *error = NULL;

  parent = foyer_graph_client_get_item_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (parent == NULL)
    g_task_return_error (task, error);
  else
    /* The root itself has no parent path: its children live at "/". */
    g_task_return_pointer (
        task, join (foyer_drive_item_get_parent_path (parent), foyer_drive_item_get_name (parent)),
        g_free);
}

void
foyer_item_location_async (FoyerGraphClient *client,
                           FoyerDriveItem *item,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  const char *path;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (client));
  g_return_if_fail (FOYER_IS_DRIVE_ITEM (item));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_item_location_async);
  path = foyer_drive_item_get_parent_path (item);
  if (path != NULL && *path != '\0')
    {
      g_task_return_pointer (task, g_strdup (path), g_free);
      return;
    }
  if (foyer_drive_item_get_is_remote (item) || foyer_drive_item_get_parent_id (item) == NULL
      || foyer_drive_item_get_drive_id (item) == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  foyer_graph_client_get_item_async (client, foyer_drive_item_get_drive_id (item),
                                     foyer_drive_item_get_parent_id (item), cancellable, parent_cb,
                                     g_steal_pointer (&task));
}

char *
foyer_item_location_finish (FoyerGraphClient *client, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, client), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == foyer_item_location_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
