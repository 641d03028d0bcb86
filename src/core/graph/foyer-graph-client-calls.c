/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-client.h"
#include "foyer-graph-client-private.h"

#include "foyer-core.h"
#include "foyer-graph-error.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Paths. */

char *
foyer_graph_share_id_encode (const char *sharing_url)
{
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (sharing_url != NULL, NULL);

  encoded = foyer_base64url_encode ((const guint8 *) sharing_url, strlen (sharing_url));
  return g_strconcat ("u!", encoded, NULL);
}

/* A path segment, percent-encoded. */
char *
foyer_graph_escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, "!$&'()*+,;=:@", FALSE);
}

char *
foyer_graph_item_path (const char *drive_id, const char *item_id, const char *suffix)
{
  g_autofree char *drive = drive_id != NULL ? foyer_graph_escape_segment (drive_id) : NULL;
  g_autofree char *item = NULL;
  g_autofree char *prefix = NULL;

  prefix = drive != NULL ? g_strdup_printf ("/drives/%s", drive) : g_strdup ("/me/drive");
  if (item_id == NULL || g_strcmp0 (item_id, "root") == 0)
    return g_strconcat (prefix, "/root", suffix, NULL);
  item = foyer_graph_escape_segment (item_id);
  return g_strconcat (prefix, "/items/", item, suffix, NULL);
}

char *
foyer_graph_thumbnail_path (const char *drive_id, const char *item_id, const char *size)
{
  g_autofree char *escaped = foyer_graph_escape_segment (size != NULL ? size : "medium");
  g_autofree char *suffix = g_strdup_printf ("/thumbnails/0/%s/content", escaped);

  return foyer_graph_item_path (drive_id, item_id, suffix);
}

char *
foyer_graph_shared_thumbnail_path (const char *share_id, const char *size)
{
  g_autofree char *share = foyer_graph_escape_segment (share_id);
  g_autofree char *escaped = foyer_graph_escape_segment (size != NULL ? size : "medium");

  return g_strdup_printf ("/shares/%s/driveItem/thumbnails/0/%s/content", share, escaped);
}

/* The share id of a sharing URL, or the share id it already is ("u!…"). */
static char *
share_id_of (const char *sharing_url_or_share_id)
{
  if (g_str_has_prefix (sharing_url_or_share_id, "u!"))
    return g_strdup (sharing_url_or_share_id);
  return foyer_graph_share_id_encode (sharing_url_or_share_id);
}

/* The same, percent-encoded for a path. */
static char *
share_segment (const char *sharing_url_or_share_id)
{
  g_autofree char *share_id = share_id_of (sharing_url_or_share_id);

  return foyer_graph_escape_segment (share_id);
}

/* path?…&$select=select */
char *
foyer_graph_path_with_select (const char *path, const char *select)
{
  return g_strdup_printf ("%s%s$select=%s", path, strchr (path, '?') != NULL ? "&" : "?", select);
}

/* Typed single calls: a request whose JSON is converted by a function. */

typedef gpointer (*ConvertFunc) (JsonNode *root, guint status, gpointer data, GError **error);

typedef struct
{
  ConvertFunc convert;
  gpointer data;
  GDestroyNotify destroy_result;
} Typed;

static void
typed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Typed *typed = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gpointer value;
  guint status = 0;

  root = foyer_graph_client_request_finish_full (FOYER_GRAPH_CLIENT (source), result, &status,
                                                 &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  value = typed->convert (root, status, typed->data, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, typed->destroy_result);
}

static void
typed_request (FoyerGraphClient *self,
               const char *method,
               const char *path,
               JsonNode *body,
               const char *prefer,
               ConvertFunc convert,
               gpointer data,
               GDestroyNotify destroy_result,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data,
               gpointer source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Typed *typed = g_new0 (Typed, 1);

  g_task_set_source_tag (task, source_tag);
  typed->convert = convert;
  typed->data = data;
  typed->destroy_result = destroy_result;
  g_task_set_task_data (task, typed, g_free);
  _foyer_graph_client_request (self, method, path, body, FALSE, prefer, cancellable, typed_cb, task,
                               foyer_graph_client_request_async);
}

static gpointer
typed_finish (FoyerGraphClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
convert_item (JsonNode *root, guint status, gpointer data, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("driveItem"));
      return NULL;
    }
  return foyer_drive_item_new_from_json (json_node_get_object (root), error);
}

static gpointer
convert_object (JsonNode *root, guint status, gpointer data, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gpointer
convert_value_array (JsonNode *root, guint status, gpointer data, GError **error)
{
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || (value = json_object_get_member (json_node_get_object (root), "value")) == NULL
      || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("value"));
      return NULL;
    }
  return json_array_ref (json_node_get_array (value));
}

/* The organization's name from GET /organization: its first entry's
 * displayName, valid UTF-8 of at most 256 characters, or NULL. */
char *
foyer_graph_organization_name_from_json (JsonNode *root)
{
  JsonArray *value;
  JsonObject *first;
  const char *name;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  value = foyer_json_get_array (json_node_get_object (root), "value");
  if (value == NULL || json_array_get_length (value) == 0)
    return NULL;
  first = JSON_NODE_HOLDS_OBJECT (json_array_get_element (value, 0))
              ? json_array_get_object_element (value, 0)
              : NULL;
  name = foyer_json_get_string (first, "displayName");
  if (name == NULL || *name == '\0' || !g_utf8_validate (name, -1, NULL)
      || g_utf8_strlen (name, -1) > 256)
    return NULL;
  return g_strdup (name);
}

static gpointer
convert_organization_name (JsonNode *root, guint status, gpointer data, GError **error)
{
  char *name = foyer_graph_organization_name_from_json (root);

  if (name == NULL)
    g_propagate_error (error, foyer_graph_error_new_malformed ("organization"));
  return name;
}

/* The name the person's organization goes by (GET /organization, which
 * User.Read allows). */
void
foyer_graph_client_get_organization_name_async (FoyerGraphClient *self,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data)
{
  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));

  typed_request (self, "GET", "/organization?$select=displayName", NULL, NULL,
                 convert_organization_name, NULL, g_free, cancellable, callback, user_data,
                 foyer_graph_client_get_organization_name_async);
}

char *
foyer_graph_client_get_organization_name_finish (FoyerGraphClient *self,
                                                 GAsyncResult *result,
                                                 GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_organization_name_async, error);
}

void
foyer_graph_client_get_item_async (FoyerGraphClient *self,
                                   const char *drive_id,
                                   const char *item_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *selected = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));

  path = foyer_graph_item_path (drive_id, item_id, "");
  selected = foyer_graph_path_with_select (path, FOYER_DRIVE_ITEM_SELECT);
  typed_request (self, "GET", selected, NULL, NULL, convert_item, NULL, g_object_unref, cancellable,
                 callback, user_data, foyer_graph_client_get_item_async);
}

FoyerDriveItem *
foyer_graph_client_get_item_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_item_async, error);
}

void
foyer_graph_client_get_shared_item_async (FoyerGraphClient *self,
                                          const char *sharing_url_or_share_id,
                                          gboolean redeem,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autofree char *share = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  share = share_segment (sharing_url_or_share_id);
  path = g_strdup_printf ("/shares/%s/driveItem?$select=%s", share, FOYER_DRIVE_ITEM_SELECT);
  typed_request (self, "GET", path, NULL, redeem ? "redeemSharingLinkIfNecessary" : NULL,
                 convert_item, NULL, g_object_unref, cancellable, callback, user_data,
                 foyer_graph_client_get_shared_item_async);
}

FoyerDriveItem *
foyer_graph_client_get_shared_item_finish (FoyerGraphClient *self,
                                           GAsyncResult *result,
                                           GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_shared_item_async, error);
}

/* One request through the engine under this call's own source tag: its
 * bytes are the call's result (typed_finish ()). */
void
foyer_graph_client_get_shared_thumbnail_async (FoyerGraphClient *self,
                                               const char *sharing_url_or_share_id,
                                               const char *size,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data)
{
  g_autofree char *share_id = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  share_id = share_id_of (sharing_url_or_share_id);
  path = foyer_graph_shared_thumbnail_path (share_id, size);
  _foyer_graph_client_request (self, "GET", path, NULL, TRUE, NULL, cancellable, callback,
                               user_data, foyer_graph_client_get_shared_thumbnail_async);
}

GBytes *
foyer_graph_client_get_shared_thumbnail_finish (FoyerGraphClient *self,
                                                GAsyncResult *result,
                                                GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_shared_thumbnail_async, error);
}

/* POST path/preview: both previews are one call, finished alike. */
static void
preview_request (FoyerGraphClient *self,
                 const char *path,
                 const char *page,
                 double zoom,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;

  json_builder_begin_object (builder);
  if (page != NULL)
    foyer_json_builder_add_string (builder, "page", page);
  if (zoom > 0)
    {
      json_builder_set_member_name (builder, "zoom");
      json_builder_add_double_value (builder, zoom);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  typed_request (self, "POST", path, body, NULL, convert_object, NULL,
                 (GDestroyNotify) json_object_unref, cancellable, callback, user_data,
                 foyer_graph_client_preview_async);
}

void
foyer_graph_client_preview_async (FoyerGraphClient *self,
                                  const char *drive_id,
                                  const char *item_id,
                                  const char *page,
                                  double zoom,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);

  path = foyer_graph_item_path (drive_id, item_id, "/preview");
  preview_request (self, path, page, zoom, cancellable, callback, user_data);
}

void
foyer_graph_client_preview_shared_async (FoyerGraphClient *self,
                                         const char *sharing_url_or_share_id,
                                         const char *page,
                                         double zoom,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  g_autofree char *share = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  share = share_segment (sharing_url_or_share_id);
  path = g_strdup_printf ("/shares/%s/driveItem/preview", share);
  preview_request (self, path, page, zoom, cancellable, callback, user_data);
}

JsonObject *
foyer_graph_client_preview_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_preview_async, error);
}

/* createLink */

static gpointer
convert_link (JsonNode *root, guint status, gpointer data, GError **error)
{
  FoyerGraphLinkScope requested = GPOINTER_TO_UINT (data);
  FoyerGraphLink *link = foyer_graph_link_new_from_permission (root, requested, error);

  if (link != NULL)
    link->created = status == 201;
  return link;
}

static gpointer
convert_existing (JsonNode *root, guint status, gpointer data, GError **error)
{
  g_autoptr (FoyerDriveItem) item = convert_item (root, status, data, error);
  FoyerGraphLink *link;

  if (item == NULL)
    return NULL;
  if (foyer_drive_item_get_web_url (item) == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("webUrl"));
      return NULL;
    }
  link = g_new0 (FoyerGraphLink, 1);
  link->scope = FOYER_GRAPH_LINK_SCOPE_EXISTING;
  link->requested_scope = FOYER_GRAPH_LINK_SCOPE_EXISTING;
  link->web_url = g_strdup (foyer_drive_item_get_web_url (item));
  return link;
}

void
foyer_graph_client_create_link_async (FoyerGraphClient *self,
                                      const char *drive_id,
                                      const char *item_id,
                                      FoyerLinkType type,
                                      FoyerGraphLinkScope scope,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (scope <= FOYER_GRAPH_LINK_SCOPE_EXISTING);

  if (scope == FOYER_GRAPH_LINK_SCOPE_EXISTING)
    {
      path = foyer_graph_item_path (drive_id, item_id, "?$select=id,webUrl");
      typed_request (self, "GET", path, NULL, NULL, convert_existing, NULL,
                     (GDestroyNotify) foyer_graph_link_free, cancellable, callback, user_data,
                     foyer_graph_client_create_link_async);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "type", foyer_link_type_to_string (type));
  foyer_json_builder_add_string (builder, "scope", foyer_graph_link_scope_to_string (scope));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = foyer_graph_item_path (drive_id, item_id, "/createLink");
  typed_request (self, "POST", path, body, NULL, convert_link, GUINT_TO_POINTER (scope),
                 (GDestroyNotify) foyer_graph_link_free, cancellable, callback, user_data,
                 foyer_graph_client_create_link_async);
}

FoyerGraphLink *
foyer_graph_client_create_link_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_create_link_async, error);
}

typedef struct
{
  char *drive_id;
  char *item_id;
  FoyerLinkType type;
  FoyerGraphLinkScope requested;
  FoyerGraphLinkScope current;
} Fallback;

static void
fallback_free (Fallback *fallback)
{
  g_free (fallback->drive_id);
  g_free (fallback->item_id);
  g_free (fallback);
}

static void fallback_try (GTask *task);

static void
fallback_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Fallback *fallback = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  FoyerGraphLink *link;

  link = foyer_graph_client_create_link_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (link != NULL)
    {
      link->requested_scope = fallback->requested;
      g_task_return_pointer (task, link, (GDestroyNotify) foyer_graph_link_free);
      return;
    }

  /* The tenant refused this scope: try the next narrower one. */
  if (fallback->current != FOYER_GRAPH_LINK_SCOPE_EXISTING
      && (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED)
          || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_SUPPORTED)
          || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_INVALID_REQUEST)))
    {
      g_debug ("createLink with scope %s refused: %s",
               foyer_graph_link_scope_to_string (fallback->current), error->message);
      fallback->current = fallback->current == FOYER_GRAPH_LINK_SCOPE_ANONYMOUS
                              ? FOYER_GRAPH_LINK_SCOPE_ORGANIZATION
                              : FOYER_GRAPH_LINK_SCOPE_EXISTING;
      fallback_try (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
fallback_try (GTask *task)
{
  Fallback *fallback = g_task_get_task_data (task);

  foyer_graph_client_create_link_async (
      FOYER_GRAPH_CLIENT (g_task_get_source_object (task)), fallback->drive_id, fallback->item_id,
      fallback->type, fallback->current, g_task_get_cancellable (task), fallback_cb, task);
}

void
foyer_graph_create_link_with_fallback_async (FoyerGraphClient *self,
                                             const char *drive_id,
                                             const char *item_id,
                                             FoyerLinkType type,
                                             FoyerGraphLinkScope first_scope,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data)
{
  GTask *task;
  Fallback *fallback;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (first_scope <= FOYER_GRAPH_LINK_SCOPE_EXISTING);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_create_link_with_fallback_async);
  fallback = g_new0 (Fallback, 1);
  fallback->drive_id = g_strdup (drive_id);
  fallback->item_id = g_strdup (item_id);
  fallback->type = type;
  fallback->requested = first_scope;
  /* "users" is granted per person elsewhere; as a fallback chain it is
   * treated like organization. */
  fallback->current = first_scope == FOYER_GRAPH_LINK_SCOPE_USERS
                          ? FOYER_GRAPH_LINK_SCOPE_ORGANIZATION
                          : first_scope;
  g_task_set_task_data (task, fallback, (GDestroyNotify) fallback_free);
  fallback_try (task);
}

FoyerGraphLink *
foyer_graph_create_link_with_fallback_finish (FoyerGraphClient *self,
                                              GAsyncResult *result,
                                              GError **error)
{
  return typed_finish (self, result, foyer_graph_create_link_with_fallback_async, error);
}

/* At most this many pages of permissions (Graph pages them rarely; a
 * loop of nextLinks must still end). */
#define MAX_PERMISSION_PAGES 20

static void
permissions_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (source);
  GTask *task = user_data;
  JsonArray *all = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) root = foyer_graph_client_request_finish (self, result, &error);
  JsonObject *object;
  JsonNode *value;
  const char *next;

  if (root == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  value = object != NULL ? json_object_get_member (object, "value") : NULL;
  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_task_return_error (task, foyer_graph_error_new_malformed ("value"));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (value)); i++)
    json_array_add_element (
        all, json_node_copy (json_array_get_element (json_node_get_array (value), i)));

  /* The next page, from Graph itself only. */
  next = foyer_json_get_string (object, "@odata.nextLink");
  if (_foyer_graph_client_is_graph_url (self, next)
      && GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "pages")) < MAX_PERMISSION_PAGES)
    {
      g_object_set_data (
          G_OBJECT (task), "pages",
          GUINT_TO_POINTER (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "pages")) + 1));
      foyer_graph_client_request_async (self, "GET", next, NULL, g_task_get_cancellable (task),
                                        permissions_page_cb, task);
      return;
    }
  g_task_return_pointer (task, json_array_ref (all), (GDestroyNotify) json_array_unref);
  g_object_unref (task);
}

/* Every page of the item's permissions (the owner sees all of them). */
void
foyer_graph_client_list_permissions_async (FoyerGraphClient *self,
                                           const char *drive_id,
                                           const char *item_id,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_client_list_permissions_async);
  g_task_set_task_data (task, json_array_new (), (GDestroyNotify) json_array_unref);
  g_object_set_data (G_OBJECT (task), "pages", GUINT_TO_POINTER (1));
  path = foyer_graph_item_path (drive_id, item_id, "/permissions");
  foyer_graph_client_request_async (self, "GET", path, NULL, cancellable, permissions_page_cb,
                                    task);
}

JsonArray *
foyer_graph_client_list_permissions_finish (FoyerGraphClient *self,
                                            GAsyncResult *result,
                                            GError **error)
{
  return typed_finish (self, result, foyer_graph_client_list_permissions_async, error);
}

void
foyer_graph_client_invite_async (FoyerGraphClient *self,
                                 const char *drive_id,
                                 const char *item_id,
                                 const char *const *emails,
                                 gboolean write,
                                 gboolean require_sign_in,
                                 gboolean send_invitation,
                                 const char *message,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (emails != NULL && emails[0] != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; emails[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      foyer_json_builder_add_string (builder, "email", emails[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, write ? "write" : "read");
  json_builder_end_array (builder);
  foyer_json_builder_add_boolean (builder, "requireSignIn", require_sign_in);
  foyer_json_builder_add_boolean (builder, "sendInvitation", send_invitation);
  if (message != NULL)
    foyer_json_builder_add_string (builder, "message", message);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = foyer_graph_item_path (drive_id, item_id, "/invite");
  typed_request (self, "POST", path, body, NULL, convert_value_array, NULL,
                 (GDestroyNotify) json_array_unref, cancellable, callback, user_data,
                 foyer_graph_client_invite_async);
}

JsonArray *
foyer_graph_client_invite_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_invite_async, error);
}
