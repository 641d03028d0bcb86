/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-drive-item.h"

#include "foyer-graph-error.h"
#include "foyer-drive-item-private.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

struct _FoyerDriveItem
{
  GObject parent_instance;

  char *id;
  char *name;
  gint64 size;
  char *mime_type;
  int child_count;
  GDateTime *created;
  GDateTime *modified;
  char *modified_by_name;
  char *modified_by_email;
  char *web_url;
  char *drive_id;
  char *drive_type;
  char *parent_id;
  char *parent_path;
  char *remote_drive_id;
  char *remote_id;
  FoyerDriveItemKind kind;
  guint is_folder : 1;
  guint is_package : 1;
  guint is_remote : 1;
  guint is_site : 1;
  guint has_thumbnail : 1;
};

G_DEFINE_FINAL_TYPE (FoyerDriveItem, foyer_drive_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SIZE,
  PROP_MIME_TYPE,
  PROP_IS_FOLDER,
  PROP_IS_PACKAGE,
  PROP_CHILD_COUNT,
  PROP_CREATED,
  PROP_MODIFIED,
  PROP_MODIFIED_BY_NAME,
  PROP_MODIFIED_BY_EMAIL,
  PROP_WEB_URL,
  PROP_DRIVE_ID,
  PROP_DRIVE_TYPE,
  PROP_PARENT_ID,
  PROP_PARENT_PATH,
  PROP_IS_REMOTE,
  PROP_REMOTE_DRIVE_ID,
  PROP_REMOTE_ID,
  PROP_IS_SITE,
  PROP_HAS_THUMBNAIL,
  PROP_KIND,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
foyer_drive_item_finalize (GObject *object)
{
  FoyerDriveItem *self = FOYER_DRIVE_ITEM (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->mime_type);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->modified, g_date_time_unref);
  g_free (self->modified_by_name);
  g_free (self->modified_by_email);
  g_free (self->web_url);
  g_free (self->drive_id);
  g_free (self->drive_type);
  g_free (self->parent_id);
  g_free (self->parent_path);
  g_free (self->remote_drive_id);
  g_free (self->remote_id);

  G_OBJECT_CLASS (foyer_drive_item_parent_class)->finalize (object);
}

static void
foyer_drive_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerDriveItem *self = FOYER_DRIVE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SIZE:
      g_value_set_int64 (value, self->size);
      break;
    case PROP_MIME_TYPE:
      g_value_set_string (value, self->mime_type);
      break;
    case PROP_IS_FOLDER:
      g_value_set_boolean (value, self->is_folder);
      break;
    case PROP_IS_PACKAGE:
      g_value_set_boolean (value, self->is_package);
      break;
    case PROP_CHILD_COUNT:
      g_value_set_int (value, self->child_count);
      break;
    case PROP_CREATED:
      g_value_set_boxed (value, self->created);
      break;
    case PROP_MODIFIED:
      g_value_set_boxed (value, self->modified);
      break;
    case PROP_MODIFIED_BY_NAME:
      g_value_set_string (value, self->modified_by_name);
      break;
    case PROP_MODIFIED_BY_EMAIL:
      g_value_set_string (value, self->modified_by_email);
      break;
    case PROP_WEB_URL:
      g_value_set_string (value, self->web_url);
      break;
    case PROP_DRIVE_ID:
      g_value_set_string (value, self->drive_id);
      break;
    case PROP_DRIVE_TYPE:
      g_value_set_string (value, self->drive_type);
      break;
    case PROP_PARENT_ID:
      g_value_set_string (value, self->parent_id);
      break;
    case PROP_PARENT_PATH:
      g_value_set_string (value, self->parent_path);
      break;
    case PROP_IS_REMOTE:
      g_value_set_boolean (value, self->is_remote);
      break;
    case PROP_REMOTE_DRIVE_ID:
      g_value_set_string (value, self->remote_drive_id);
      break;
    case PROP_REMOTE_ID:
      g_value_set_string (value, self->remote_id);
      break;
    case PROP_IS_SITE:
      g_value_set_boolean (value, self->is_site);
      break;
    case PROP_HAS_THUMBNAIL:
      g_value_set_boolean (value, self->has_thumbnail);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RO (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
foyer_drive_item_class_init (FoyerDriveItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = foyer_drive_item_finalize;
  object_class->get_property = foyer_drive_item_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, RO);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, RO);
  properties[PROP_SIZE] = g_param_spec_int64 ("size", NULL, NULL, -1, G_MAXINT64, -1, RO);
  properties[PROP_MIME_TYPE] = g_param_spec_string ("mime-type", NULL, NULL, NULL, RO);
  properties[PROP_IS_FOLDER] = g_param_spec_boolean ("is-folder", NULL, NULL, FALSE, RO);
  properties[PROP_IS_PACKAGE] = g_param_spec_boolean ("is-package", NULL, NULL, FALSE, RO);
  properties[PROP_CHILD_COUNT] = g_param_spec_int ("child-count", NULL, NULL, -1, G_MAXINT, -1, RO);
  properties[PROP_CREATED] = g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME, RO);
  properties[PROP_MODIFIED] = g_param_spec_boxed ("modified", NULL, NULL, G_TYPE_DATE_TIME, RO);
  properties[PROP_MODIFIED_BY_NAME]
      = g_param_spec_string ("modified-by-name", NULL, NULL, NULL, RO);
  properties[PROP_MODIFIED_BY_EMAIL]
      = g_param_spec_string ("modified-by-email", NULL, NULL, NULL, RO);
  properties[PROP_WEB_URL] = g_param_spec_string ("web-url", NULL, NULL, NULL, RO);
  properties[PROP_DRIVE_ID] = g_param_spec_string ("drive-id", NULL, NULL, NULL, RO);
  properties[PROP_DRIVE_TYPE] = g_param_spec_string ("drive-type", NULL, NULL, NULL, RO);
  properties[PROP_PARENT_ID] = g_param_spec_string ("parent-id", NULL, NULL, NULL, RO);
  properties[PROP_PARENT_PATH] = g_param_spec_string ("parent-path", NULL, NULL, NULL, RO);
  properties[PROP_IS_REMOTE] = g_param_spec_boolean ("is-remote", NULL, NULL, FALSE, RO);
  properties[PROP_REMOTE_DRIVE_ID] = g_param_spec_string ("remote-drive-id", NULL, NULL, NULL, RO);
  properties[PROP_REMOTE_ID] = g_param_spec_string ("remote-id", NULL, NULL, NULL, RO);
  properties[PROP_IS_SITE] = g_param_spec_boolean ("is-site", NULL, NULL, FALSE, RO);
  properties[PROP_HAS_THUMBNAIL] = g_param_spec_boolean ("has-thumbnail", NULL, NULL, FALSE, RO);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, FOYER_TYPE_DRIVE_ITEM_KIND,
                                             FOYER_DRIVE_ITEM_KIND_OTHER, RO);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_drive_item_init (FoyerDriveItem *self)
{
  self->size = -1;
  self->child_count = -1;
}

/* JSON readers that check types: a missing member or JSON null is "absent"
 * (TRUE, nothing stored); a member of another type is an error. */

static gboolean
is_absent (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

/* A member that is absent leaves *out as it is; one of another type is an
 * error. */
static gboolean
read_string (JsonObject *object, const char *name, char **out, GError **error)
{
  const char *value;

  if (!foyer_json_lookup_string (object, name, &value))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed (name));
      return FALSE;
    }
  if (value == NULL)
    return TRUE;
  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
read_object (JsonObject *object, const char *name, JsonObject **out, GError **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  *out = NULL;
  if (is_absent (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed (name));
      return FALSE;
    }
  *out = json_node_get_object (node);
  return TRUE;
}

static gboolean
read_int (JsonObject *object, const char *name, gint64 *out, GError **error)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;
  GType type;

  if (is_absent (node))
    return TRUE;
  type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;
  if (type == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (isfinite (d) && d >= 0 && d < 9.0e18 && floor (d) == d)
        {
          *out = (gint64) d;
          return TRUE;
        }
    }
  g_propagate_error (error, foyer_graph_error_new_malformed (name));
  return FALSE;
}

static gboolean
read_date_time (JsonObject *object, const char *name, GDateTime **out, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  GDateTime *parsed;

  if (!read_string (object, name, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  parsed = g_date_time_new_from_iso8601 (text, utc);
  if (parsed == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed (name));
      return FALSE;
    }
  g_clear_pointer (out, g_date_time_unref);
  *out = parsed;
  return TRUE;
}

/* "/drive/root:/Documents/a%20b" → "/Documents/a b"; the root itself is "/". */
static char *
decode_parent_path (const char *path)
{
  const char *colon;
  g_autofree char *decoded = NULL;

  if (path == NULL)
    return NULL;
  colon = strchr (path, ':');
  if (colon == NULL)
    return NULL;
  if (colon[1] == '\0')
    return g_strdup ("/");
  decoded = g_uri_unescape_string (colon + 1, NULL);
  if (decoded == NULL)
    return g_strdup (colon + 1);
  return g_steal_pointer (&decoded);
}

static gboolean
read_identity (FoyerDriveItem *self, JsonObject *identity_set, GError **error)
{
  JsonObject *who = NULL;

  if (identity_set == NULL)
    return TRUE;
  if (!read_object (identity_set, "user", &who, error))
    return FALSE;
  if (who == NULL && !read_object (identity_set, "application", &who, error))
    return FALSE;
  if (who == NULL)
    return TRUE;
  return read_string (who, "displayName", &self->modified_by_name, error)
         && read_string (who, "email", &self->modified_by_email, error);
}

/* Facets can sit on the item or, for a remote item, only on remoteItem. */
static gboolean
read_facets (FoyerDriveItem *self, JsonObject *object, GError **error)
{
  JsonObject *file = NULL, *folder = NULL, *package = NULL, *root = NULL;

  if (!read_object (object, "file", &file, error) || !read_object (object, "folder", &folder, error)
      || !read_object (object, "package", &package, error)
      || !read_object (object, "root", &root, error))
    return FALSE;

  if (file != NULL && !read_string (file, "mimeType", &self->mime_type, error))
    return FALSE;
  if (folder != NULL)
    {
      gint64 count = -1;

      if (!read_int (folder, "childCount", &count, error))
        return FALSE;
      self->is_folder = TRUE;
      self->child_count = (int) CLAMP (count, -1, G_MAXINT);
    }
  if (root != NULL)
    self->is_folder = TRUE;
  if (package != NULL)
    self->is_package = TRUE;
  return TRUE;
}

static gboolean
read_remote (FoyerDriveItem *self, JsonObject *remote, GError **error)
{
  JsonObject *parent = NULL;
  JsonObject *modified_by = NULL;

  if (!read_string (remote, "id", &self->remote_id, error))
    return FALSE;
  if (self->remote_id == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("remoteItem.id"));
      return FALSE;
    }
  self->is_remote = TRUE;

  if (!read_object (remote, "parentReference", &parent, error)
      || !read_string (parent, "driveId", &self->remote_drive_id, error))
    return FALSE;
  if (self->drive_type == NULL && !read_string (parent, "driveType", &self->drive_type, error))
    return FALSE;

  if (self->name == NULL && !read_string (remote, "name", &self->name, error))
    return FALSE;
  if (self->web_url == NULL && !read_string (remote, "webUrl", &self->web_url, error))
    return FALSE;
  if (self->size < 0 && !read_int (remote, "size", &self->size, error))
    return FALSE;
  if (self->modified == NULL
      && !read_date_time (remote, "lastModifiedDateTime", &self->modified, error))
    return FALSE;
  if (self->modified_by_name == NULL
      && (!read_object (remote, "lastModifiedBy", &modified_by, error)
          || !read_identity (self, modified_by, error)))
    return FALSE;
  if (self->mime_type == NULL && !self->is_folder && !self->is_package)
    return read_facets (self, remote, error);
  return TRUE;
}

static void
finish_item (FoyerDriveItem *self, JsonObject *object)
{
  JsonNode *thumbnails = json_object_get_member (object, "thumbnails");

  if (self->is_folder)
    self->kind = FOYER_DRIVE_ITEM_KIND_FOLDER;
  else
    self->kind = foyer_drive_item_kind_guess (self->mime_type, self->name);

  /* Only an expanded, empty `thumbnails` says for sure there is none;
   * otherwise files usually have one and folders usually do not. */
  if (thumbnails != NULL && JSON_NODE_HOLDS_ARRAY (thumbnails))
    self->has_thumbnail = json_array_get_length (json_node_get_array (thumbnails)) > 0;
  else
    self->has_thumbnail = !self->is_folder && !self->is_package && !self->is_site;
}

FoyerDriveItem *
foyer_drive_item_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (FoyerDriveItem) self = NULL;
  JsonObject *parent = NULL, *modified_by = NULL, *remote = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (FOYER_TYPE_DRIVE_ITEM, NULL);

  if (!read_string (object, "id", &self->id, error))
    return NULL;
  if (self->id == NULL || *self->id == '\0')
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("id"));
      return NULL;
    }

  if (!read_string (object, "name", &self->name, error)
      || !read_int (object, "size", &self->size, error)
      || !read_string (object, "webUrl", &self->web_url, error)
      || !read_date_time (object, "createdDateTime", &self->created, error)
      || !read_date_time (object, "lastModifiedDateTime", &self->modified, error)
      || !read_object (object, "lastModifiedBy", &modified_by, error)
      || !read_identity (self, modified_by, error) || !read_facets (self, object, error))
    return NULL;

  if (!read_object (object, "parentReference", &parent, error)
      || !read_string (parent, "driveId", &self->drive_id, error)
      || !read_string (parent, "driveType", &self->drive_type, error)
      || !read_string (parent, "id", &self->parent_id, error)
      || !read_string (parent, "path", &path, error))
    return NULL;
  self->parent_path = decode_parent_path (path);

  if (!read_object (object, "remoteItem", &remote, error))
    return NULL;
  if (remote != NULL && !read_remote (self, remote, error))
    return NULL;

  finish_item (self, object);
  return g_steal_pointer (&self);
}

/* An insight (/me/insights/used or /shared) about a drive item; its
 * resourceReference.id reads "drives/{driveId}/items/{itemId}". Insights
 * about anything else are skipped (NULL without an error). */
FoyerDriveItem *
foyer_drive_item_new_from_insight (JsonObject *object, GError **error)
{
  g_autoptr (FoyerDriveItem) self = NULL;
  JsonObject *visual = NULL, *reference = NULL, *last_used = NULL, *last_shared = NULL;
  JsonObject *shared_by = NULL;
  g_autofree char *ref_id = NULL;
  g_autofree char *ref_type = NULL;
  g_auto (GStrv) parts = NULL;

  g_return_val_if_fail (object != NULL, NULL);

  if (!read_object (object, "resourceVisualization", &visual, error)
      || !read_object (object, "resourceReference", &reference, error)
      || !read_object (object, "lastUsed", &last_used, error)
      || !read_object (object, "lastShared", &last_shared, error)
      || !read_string (reference, "id", &ref_id, error)
      || !read_string (reference, "type", &ref_type, error))
    return NULL;

  if (ref_type != NULL && g_strcmp0 (ref_type, "microsoft.graph.driveItem") != 0)
    return NULL;
  if (ref_id == NULL)
    return NULL;
  parts = g_strsplit (ref_id, "/", -1);
  if (g_strv_length (parts) != 4 || g_strcmp0 (parts[0], "drives") != 0
      || g_strcmp0 (parts[2], "items") != 0 || *parts[1] == '\0' || *parts[3] == '\0')
    return NULL;

  self = g_object_new (FOYER_TYPE_DRIVE_ITEM, NULL);
  self->drive_id = g_strdup (parts[1]);
  self->id = g_strdup (parts[3]);

  if (!read_string (visual, "title", &self->name, error)
      || !read_string (visual, "mediaType", &self->mime_type, error)
      || !read_string (reference, "webUrl", &self->web_url, error))
    return NULL;
  if (last_used != NULL
      && !read_date_time (last_used, "lastModifiedDateTime", &self->modified, error))
    return NULL;
  if (last_shared != NULL
      && (!read_date_time (last_shared, "sharedDateTime", &self->modified, error)
          || !read_object (last_shared, "sharedBy", &shared_by, error)
          || !read_string (shared_by, "displayName", &self->modified_by_name, error)
          || !read_string (shared_by, "address", &self->modified_by_email, error)))
    return NULL;

  finish_item (self, object);
  return g_steal_pointer (&self);
}

/* A drive (document library) shown as a folder: its root's children are
 * listed with the item id "root". */
FoyerDriveItem *
foyer_drive_item_new_from_drive (JsonObject *object, GError **error)
{
  g_autoptr (FoyerDriveItem) self = g_object_new (FOYER_TYPE_DRIVE_ITEM, NULL);

  if (!read_string (object, "id", &self->drive_id, error)
      || !read_string (object, "name", &self->name, error)
      || !read_string (object, "driveType", &self->drive_type, error)
      || !read_string (object, "webUrl", &self->web_url, error)
      || !read_date_time (object, "lastModifiedDateTime", &self->modified, error))
    return NULL;
  if (self->drive_id == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("id"));
      return NULL;
    }
  self->id = g_strdup ("root");
  self->is_folder = TRUE;
  finish_item (self, object);
  return g_steal_pointer (&self);
}

/* A SharePoint site shown as a folder whose children are its drives. */
FoyerDriveItem *
foyer_drive_item_new_from_site (JsonObject *object, GError **error)
{
  g_autoptr (FoyerDriveItem) self = g_object_new (FOYER_TYPE_DRIVE_ITEM, NULL);

  if (!read_string (object, "id", &self->id, error)
      || !read_string (object, "name", &self->name, error)
      || !read_string (object, "displayName", &self->name, error)
      || !read_string (object, "webUrl", &self->web_url, error)
      || !read_date_time (object, "lastModifiedDateTime", &self->modified, error))
    return NULL;
  if (self->id == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("id"));
      return NULL;
    }
  self->is_site = TRUE;
  self->is_folder = TRUE;
  self->drive_type = g_strdup ("site");
  finish_item (self, object);
  return g_steal_pointer (&self);
}

GPtrArray *
_foyer_drive_item_parse_collection_with (JsonNode *root,
                                         FoyerDriveItemParseFunc parse,
                                         char **out_next_link,
                                         GError **error)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *next_link = NULL;
  JsonObject *object;
  JsonNode *value;
  JsonArray *array;
  guint n;

  g_return_val_if_fail (parse != NULL, NULL);

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("collection"));
      return NULL;
    }
  object = json_node_get_object (root);
  value = json_object_get_member (object, "value");
  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("value"));
      return NULL;
    }
  if (!read_string (object, "@odata.nextLink", &next_link, error))
    return NULL;

  array = json_node_get_array (value);
  n = json_array_get_length (array);
  items = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      FoyerDriveItem *item;
      GError *local_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_propagate_error (error, foyer_graph_error_new_malformed ("value[]"));
          return NULL;
        }
      item = parse (json_node_get_object (element), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (item != NULL)
        g_ptr_array_add (items, item);
    }

  if (out_next_link != NULL)
    *out_next_link = g_steal_pointer (&next_link);
  return g_steal_pointer (&items);
}

GPtrArray *
foyer_drive_item_parse_collection (JsonNode *root, char **out_next_link, GError **error)
{
  return _foyer_drive_item_parse_collection_with (root, foyer_drive_item_new_from_json,
                                                  out_next_link, error);
}

static const struct
{
  const char *key;
  FoyerDriveItemKind kind;
} mime_kinds[] = {
  { "application/pdf", FOYER_DRIVE_ITEM_KIND_PDF },
  { "application/msword", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "application/vnd.openxmlformats-officedocument.wordprocessingml",
    FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "application/vnd.ms-word", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "application/vnd.oasis.opendocument.text", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "application/rtf", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "application/vnd.ms-excel", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "application/vnd.openxmlformats-officedocument.spreadsheetml",
    FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "application/vnd.oasis.opendocument.spreadsheet", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "text/csv", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "application/vnd.ms-powerpoint", FOYER_DRIVE_ITEM_KIND_PRESENTATION },
  { "application/vnd.openxmlformats-officedocument.presentationml",
    FOYER_DRIVE_ITEM_KIND_PRESENTATION },
  { "application/vnd.oasis.opendocument.presentation", FOYER_DRIVE_ITEM_KIND_PRESENTATION },
  { "application/zip", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-zip-compressed", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-7z-compressed", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-tar", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/gzip", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-gzip", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-rar-compressed", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/vnd.rar", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-bzip2", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "application/x-xz", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "image/", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "text/", FOYER_DRIVE_ITEM_KIND_TEXT },
  { "application/json", FOYER_DRIVE_ITEM_KIND_TEXT },
  { "application/xml", FOYER_DRIVE_ITEM_KIND_TEXT },
};

static const struct
{
  const char *key;
  FoyerDriveItemKind kind;
} extension_kinds[] = {
  { "pdf", FOYER_DRIVE_ITEM_KIND_PDF },           { "doc", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "docx", FOYER_DRIVE_ITEM_KIND_DOCUMENT },     { "docm", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "dotx", FOYER_DRIVE_ITEM_KIND_DOCUMENT },     { "odt", FOYER_DRIVE_ITEM_KIND_DOCUMENT },
  { "rtf", FOYER_DRIVE_ITEM_KIND_DOCUMENT },      { "xls", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "xlsx", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },  { "xlsm", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "xlsb", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },  { "ods", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },
  { "csv", FOYER_DRIVE_ITEM_KIND_SPREADSHEET },   { "ppt", FOYER_DRIVE_ITEM_KIND_PRESENTATION },
  { "pptx", FOYER_DRIVE_ITEM_KIND_PRESENTATION }, { "ppsx", FOYER_DRIVE_ITEM_KIND_PRESENTATION },
  { "odp", FOYER_DRIVE_ITEM_KIND_PRESENTATION },  { "jpg", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "jpeg", FOYER_DRIVE_ITEM_KIND_IMAGE },        { "png", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "gif", FOYER_DRIVE_ITEM_KIND_IMAGE },         { "bmp", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "tif", FOYER_DRIVE_ITEM_KIND_IMAGE },         { "tiff", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "heic", FOYER_DRIVE_ITEM_KIND_IMAGE },        { "webp", FOYER_DRIVE_ITEM_KIND_IMAGE },
  { "svg", FOYER_DRIVE_ITEM_KIND_IMAGE },         { "txt", FOYER_DRIVE_ITEM_KIND_TEXT },
  { "md", FOYER_DRIVE_ITEM_KIND_TEXT },           { "log", FOYER_DRIVE_ITEM_KIND_TEXT },
  { "json", FOYER_DRIVE_ITEM_KIND_TEXT },         { "xml", FOYER_DRIVE_ITEM_KIND_TEXT },
  { "zip", FOYER_DRIVE_ITEM_KIND_ARCHIVE },       { "7z", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "tar", FOYER_DRIVE_ITEM_KIND_ARCHIVE },       { "gz", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "tgz", FOYER_DRIVE_ITEM_KIND_ARCHIVE },       { "rar", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
  { "bz2", FOYER_DRIVE_ITEM_KIND_ARCHIVE },       { "xz", FOYER_DRIVE_ITEM_KIND_ARCHIVE },
};

/* The MIME type decides when it is specific; the extension otherwise
 * (OneDrive sends application/octet-stream for many files). */
FoyerDriveItemKind
foyer_drive_item_kind_guess (const char *mime_type, const char *name)
{
  const char *dot;

  if (mime_type != NULL && g_ascii_strcasecmp (mime_type, "application/octet-stream") != 0)
    for (gsize i = 0; i < G_N_ELEMENTS (mime_kinds); i++)
      if (g_ascii_strncasecmp (mime_type, mime_kinds[i].key, strlen (mime_kinds[i].key)) == 0)
        return mime_kinds[i].kind;

  dot = name != NULL ? strrchr (name, '.') : NULL;
  if (dot != NULL && dot != name)
    for (gsize i = 0; i < G_N_ELEMENTS (extension_kinds); i++)
      if (g_ascii_strcasecmp (dot + 1, extension_kinds[i].key) == 0)
        return extension_kinds[i].kind;

  return FOYER_DRIVE_ITEM_KIND_OTHER;
}

#define GETTER(type, field, fallback)                                                              \
  type foyer_drive_item_get_##field (FoyerDriveItem *self)                                         \
  {                                                                                                \
    g_return_val_if_fail (FOYER_IS_DRIVE_ITEM (self), fallback);                                   \
    return self->field;                                                                            \
  }

GETTER (const char *, id, NULL)
GETTER (const char *, name, NULL)
GETTER (gint64, size, -1)
GETTER (const char *, mime_type, NULL)
GETTER (gboolean, is_folder, FALSE)
GETTER (gboolean, is_package, FALSE)
GETTER (int, child_count, -1)
GETTER (GDateTime *, modified, NULL)
GETTER (const char *, modified_by_name, NULL)
GETTER (const char *, modified_by_email, NULL)
GETTER (const char *, web_url, NULL)
GETTER (const char *, drive_id, NULL)
GETTER (const char *, drive_type, NULL)
GETTER (const char *, parent_id, NULL)
GETTER (const char *, parent_path, NULL)
GETTER (gboolean, is_remote, FALSE)
GETTER (const char *, remote_drive_id, NULL)
GETTER (const char *, remote_id, NULL)
GETTER (gboolean, is_site, FALSE)
GETTER (gboolean, has_thumbnail, FALSE)
GETTER (FoyerDriveItemKind, kind, FOYER_DRIVE_ITEM_KIND_OTHER)

const char *
foyer_drive_item_get_target_drive_id (FoyerDriveItem *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM (self), NULL);

  return self->is_remote && self->remote_drive_id != NULL ? self->remote_drive_id : self->drive_id;
}

const char *
foyer_drive_item_get_target_id (FoyerDriveItem *self)
{
  g_return_val_if_fail (FOYER_IS_DRIVE_ITEM (self), NULL);

  return self->is_remote ? self->remote_id : self->id;
}
