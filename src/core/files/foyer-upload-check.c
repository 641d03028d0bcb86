/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-private.h"

#include "foyer-graph-error.h"
#include "foyer-json.h"

/*
 * Is Graph's item the file that was read? After the simple PUT or the
 * last fragment, Graph's item is checked (size, QuickXorHash) before the
 * upload is done. When the last reply was lost, the file may be in the
 * folder already, under the name asked for or, after a conflict, under
 * the one OneDrive chose (conflictBehavior=rename): the folder is listed
 * for the item with the file's size and hash.
 */

#define MAX_LISTING_PAGES 20

static const char *
hash_of (JsonObject *item)
{
  JsonObject *hashes = foyer_json_get_object (foyer_json_get_object (item, "file"), "hashes");

  return foyer_json_get_string (hashes, "quickXorHash");
}

/* Whether Graph's item is the file as read: same size and, when Graph
 * gives one, the same QuickXorHash. */
static gboolean
item_matches (FoyerUpload *self, JsonObject *item)
{
  JsonNode *size = json_object_get_member (item, "size");
  const char *remote = hash_of (item);

  if (size == NULL || !JSON_NODE_HOLDS_VALUE (size)
      || json_node_get_value_type (size) != G_TYPE_INT64
      || (guint64) json_node_get_int (size) != self->record->size)
    return FALSE;
  if (remote == NULL || self->local_hash == NULL)
    return TRUE;
  return g_str_equal (self->local_hash, remote);
}

void
_foyer_upload_complete (FoyerUpload *self, JsonNode *node)
{
  g_autoptr (GError) error = NULL;
  FoyerDriveItem *item;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      _foyer_upload_fail (self, _foyer_upload_error_new (self, FOYER_UPLOAD_ERROR_MALFORMED),
                          FALSE);
      return;
    }
  object = json_node_get_object (node);
  if (self->local_hash == NULL && self->hashing && hash_of (object) != NULL)
    {
      /* OneDrive has the file; its hash is compared once ours is done. */
      g_clear_pointer (&self->pending_item, json_node_unref);
      self->pending_item = json_node_ref (node);
      return;
    }
  if (!item_matches (self, object))
    {
      _foyer_upload_fail (self, _foyer_upload_error_new (self, FOYER_UPLOAD_ERROR_MISMATCH), FALSE);
      return;
    }
  item = foyer_drive_item_new_from_json (object, &error);
  if (item == NULL)
    {
      _foyer_upload_fail (self, g_steal_pointer (&error), FALSE);
      return;
    }
  _foyer_upload_succeed (self, item);
}

/* ---- after a lost last reply: is the file there? -------------------------------------- */

static void listing_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
list_page (FoyerUpload *self, const char *path_or_url, guint page)
{
  FoyerUploadCall *call = _foyer_upload_call_new (self);

  call->offset = page;
  foyer_graph_client_request_async (self->client, "GET", path_or_url, NULL, self->run, listing_cb,
                                    call);
}

static void
listing_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerUploadCall) call = user_data;
  FoyerUpload *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonNode *value, *next;
  JsonObject *o;

  node = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (_foyer_upload_call_stale (call))
    return;
  if (node == NULL)
    {
      _foyer_upload_handle_failure (self, g_steal_pointer (&error));
      return;
    }
  o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  value = o != NULL ? json_object_get_member (o, "value") : NULL;
  if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *items = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonNode *item = json_array_get_element (items, i);

          if (JSON_NODE_HOLDS_OBJECT (item) && hash_of (json_node_get_object (item)) != NULL
              && item_matches (self, json_node_get_object (item)))
            {
              _foyer_upload_complete (self, item);
              return;
            }
        }
    }
  next = o != NULL ? json_object_get_member (o, "@odata.nextLink") : NULL;
  if (next != NULL && JSON_NODE_HOLDS_VALUE (next)
      && json_node_get_value_type (next) == G_TYPE_STRING && call->offset + 1 < MAX_LISTING_PAGES)
    {
      list_page (self, json_node_get_string (next), (guint) call->offset + 1);
      return;
    }
  /* Not there: the session really ended before the file was made. */
  _foyer_upload_restart_session (self);
}

void
_foyer_upload_find_committed (FoyerUpload *self)
{
  g_autofree char *folder = g_uri_escape_string (self->folder_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/me/drive/items/%s/children?$select=%s&$top=1000",
                                           folder, FOYER_DRIVE_ITEM_SELECT);

  if (self->local_hash == NULL)
    {
      _foyer_upload_restart_session (self);
      return;
    }
  list_page (self, path, 0);
}
