/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-drive-item-list.h"

#include "foyer-drive-item-private.h"
#include "foyer-graph-error.h"
#include "foyer-graph-log.h"

#include <string.h>

struct _FoyerDriveItemList
{
  FoyerObjectList parent_instance;

  FoyerGraphClient *client;
  FoyerDriveItemParseFunc parse;
  char *next_path; /* the next page to load; NULL when there is none */
  char *fallback_path;
  GCancellable *cancellable;
  GError *error;
  GError *fallback_error; /* why the first endpoint was left for the fallback */
  guint pages_loaded;
  gboolean loading;
};

G_DEFINE_FINAL_TYPE (FoyerDriveItemList, foyer_drive_item_list, FOYER_TYPE_OBJECT_LIST)

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_HAS_MORE,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
foyer_drive_item_list_dispose (GObject *object)
{
  FoyerDriveItemList *self = FOYER_DRIVE_ITEM_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (foyer_drive_item_list_parent_class)->dispose (object);
}

static void
foyer_drive_item_list_finalize (GObject *object)
{
  FoyerDriveItemList *self = FOYER_DRIVE_ITEM_LIST (object);

  g_clear_object (&self->cancellable);
  g_free (self->next_path);
  g_free (self->fallback_path);
  g_clear_error (&self->error);
  g_clear_error (&self->fallback_error);

  G_OBJECT_CLASS (foyer_drive_item_list_parent_class)->finalize (object);
}

static void
foyer_drive_item_list_get_property (GObject *object,
                                    guint prop_id,
                                    GValue *value,
                                    GParamSpec *pspec)
{
  FoyerDriveItemList *self = FOYER_DRIVE_ITEM_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_HAS_MORE:
      g_value_set_boolean (value, self->next_path != NULL);
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_drive_item_list_class_init (FoyerDriveItemListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_drive_item_list_dispose;
  object_class->finalize = foyer_drive_item_list_finalize;
  object_class->get_property = foyer_drive_item_list_get_property;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_DRIVE_ITEM;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_drive_item_list_init (FoyerDriveItemList *self)
{
  self->cancellable = g_cancellable_new ();
  self->parse = foyer_drive_item_new_from_json;
}

static void
set_loading (FoyerDriveItemList *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_error (FoyerDriveItemList *self, GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
set_next_path (FoyerDriveItemList *self, char *next_path)
{
  gboolean had_more = self->next_path != NULL;

  g_free (self->next_path);
  self->next_path = next_path;
  if (had_more != (next_path != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_MORE]);
}

static gboolean
may_fall_back (const GError *error)
{
  return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
         && !g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_UNAUTHENTICATED)
         && !g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NETWORK);
}

static void
page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerDriveItemList *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) page = NULL;
  char *next_link = NULL;

  root = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  /* The list may be gone: cancellation only comes from its dispose. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = FOYER_DRIVE_ITEM_LIST (user_data);
  if (root != NULL)
    page = _foyer_drive_item_parse_collection_with (root, self->parse, &next_link, &error);

  if (page == NULL)
    {
      if (self->pages_loaded == 0 && self->fallback_path != NULL && may_fall_back (error))
        {
          g_autofree char *logged = foyer_graph_path_template (self->fallback_path);

          g_debug ("falling back to %s: %s", logged, error->message);
          g_clear_error (&self->fallback_error);
          self->fallback_error = g_steal_pointer (&error);
          set_next_path (self, g_steal_pointer (&self->fallback_path));
          self->parse = foyer_drive_item_new_from_json;
          set_loading (self, FALSE);
          foyer_drive_item_list_load_more (self);
          return;
        }
      set_error (self, g_steal_pointer (&error));
      set_loading (self, FALSE);
      return;
    }

  self->pages_loaded++;
  g_clear_pointer (&self->fallback_path, g_free);
  /* The items first, so that a view reacting to `loading` sees them. */
  foyer_object_list_splice (FOYER_OBJECT_LIST (self),
                            foyer_object_list_get_length (FOYER_OBJECT_LIST (self)), 0, page->pdata,
                            page->len);
  set_next_path (self, next_link);
  set_loading (self, FALSE);
}

void
foyer_drive_item_list_load_more (FoyerDriveItemList *self)
{
  g_return_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self));

  if (self->loading || self->next_path == NULL || self->client == NULL)
    return;

  /* Loading first: a notify::error handler that asks for more must find
   * the page already on its way, not send it a second time. */
  set_loading (self, TRUE);
  set_error (self, NULL);
  /* No reference is held, so that dropping the list disposes it, which
   * cancels; the callback does not touch a cancelled list. */
  foyer_graph_client_request_async (self->client, "GET", self->next_path, NULL, self->cancellable,
                                    page_cb, self);
}

static FoyerDriveItemList *
new_full (FoyerGraphClient *client,
          const char *path,
          FoyerDriveItemParseFunc parse,
          const char *fallback_path)
{
  FoyerDriveItemList *self;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (FOYER_TYPE_DRIVE_ITEM_LIST, NULL);
  self->client = g_object_ref (client);
  self->parse = parse;
  self->next_path = g_strdup (path);
  self->fallback_path = g_strdup (fallback_path);
  foyer_drive_item_list_load_more (self);
  return self;
}

FoyerDriveItemList *
foyer_drive_item_list_new (FoyerGraphClient *client, const char *path)
{
  return new_full (client, path, foyer_drive_item_new_from_json, NULL);
}

/* The lists Foyer reads. */

FoyerDriveItemList *
foyer_drive_item_list_new_children (FoyerGraphClient *client,
                                    const char *drive_id,
                                    const char *item_id)
{
  g_autofree char *path = NULL;
  g_autofree char *selected = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);

  path = foyer_graph_item_path (drive_id, item_id, "/children");
  selected = foyer_graph_path_with_select (path, FOYER_DRIVE_ITEM_SELECT);
  return foyer_drive_item_list_new (client, selected);
}

/* Each insight type has its own properties: usedInsight has no lastShared
 * and sharedInsight no lastUsed, and Graph answers 400 to a $select that
 * names a property its type lacks. */
#define USED_INSIGHT_SELECT   "id,resourceVisualization,resourceReference,lastUsed"
#define SHARED_INSIGHT_SELECT "id,resourceVisualization,resourceReference,lastShared"

/* Recent and Shared use the insights API; the drive endpoints are deprecated
 * and only a fallback (MSGRAPH.md). */
FoyerDriveItemList *
foyer_drive_item_list_new_recent (FoyerGraphClient *client)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);

  return new_full (client, "/me/insights/used?$select=" USED_INSIGHT_SELECT,
                   foyer_drive_item_new_from_insight,
                   "/me/drive/recent?$select=" FOYER_DRIVE_ITEM_SELECT);
}

FoyerDriveItemList *
foyer_drive_item_list_new_shared_with_me (FoyerGraphClient *client)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);

  return new_full (client, "/me/insights/shared?$select=" SHARED_INSIGHT_SELECT,
                   foyer_drive_item_new_from_insight,
                   "/me/drive/sharedWithMe?$select=" FOYER_DRIVE_ITEM_SELECT);
}

FoyerDriveItemList *
foyer_drive_item_list_new_search (FoyerGraphClient *client, const char *query)
{
  g_autoptr (GString) quoted = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* OData string literal: a quote is doubled. */
  for (const char *p = query; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (quoted, '\'');
      g_string_append_c (quoted, *p);
    }
  escaped = g_uri_escape_string (quoted->str, "'", FALSE);
  path = g_strdup_printf ("/me/drive/root/search(q='%s')?$select=%s", escaped,
                          FOYER_DRIVE_ITEM_SELECT);
  return foyer_drive_item_list_new (client, path);
}

FoyerDriveItemList *
foyer_drive_item_list_new_followed_sites (FoyerGraphClient *client)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);

  return new_full (client, "/me/followedSites?$select=id,name,displayName,webUrl",
                   foyer_drive_item_new_from_site, NULL);
}

FoyerDriveItemList *
foyer_drive_item_list_new_site_search (FoyerGraphClient *client, const char *query)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  escaped = g_uri_escape_string (query, NULL, FALSE);
  path = g_strdup_printf ("/sites?search=%s&$select=id,name,displayName,webUrl", escaped);
  return new_full (client, path, foyer_drive_item_new_from_site, NULL);
}

FoyerDriveItemList *
foyer_drive_item_list_new_site_drives (FoyerGraphClient *client, const char *site_id)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (client), NULL);
  g_return_val_if_fail (site_id != NULL, NULL);

  escaped = foyer_graph_escape_segment (site_id);
  path = g_strdup_printf ("/sites/%s/drives?$select=id,name,driveType,webUrl,lastModifiedDateTime",
                          escaped);
  return new_full (client, path, foyer_drive_item_new_from_drive, NULL);
}

gboolean
foyer_drive_item_list_get_loading (FoyerDriveItemList *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self), FALSE);
  return self->loading;
}

gboolean
foyer_drive_item_list_get_has_more (FoyerDriveItemList *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self), FALSE);
  return self->next_path != NULL;
}

const GError *
foyer_drive_item_list_get_error (FoyerDriveItemList *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self), NULL);
  return self->error;
}

guint
foyer_drive_item_list_get_pages_loaded (FoyerDriveItemList *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self), 0);
  return self->pages_loaded;
}

const GError *
foyer_drive_item_list_get_fallback_error (FoyerDriveItemList *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM_LIST (self), NULL);
  return self->fallback_error;
}
