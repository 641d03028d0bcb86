/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerDriveItem: one OneDrive/SharePoint drive item (file, folder, package
 * or a remote item living in another drive), read-only, with properties that
 * list rows can bind to.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  FOYER_DRIVE_ITEM_KIND_OTHER,
  FOYER_DRIVE_ITEM_KIND_FOLDER,
  FOYER_DRIVE_ITEM_KIND_DOCUMENT,
  FOYER_DRIVE_ITEM_KIND_SPREADSHEET,
  FOYER_DRIVE_ITEM_KIND_PRESENTATION,
  FOYER_DRIVE_ITEM_KIND_PDF,
  FOYER_DRIVE_ITEM_KIND_IMAGE,
  FOYER_DRIVE_ITEM_KIND_TEXT,
  FOYER_DRIVE_ITEM_KIND_ARCHIVE,
} FoyerDriveItemKind;

/* The fields FoyerDriveItem reads, for `$select`. */
#define FOYER_DRIVE_ITEM_SELECT                                                                    \
  "id,name,size,file,folder,package,remoteItem,parentReference,webUrl,createdDateTime,"            \
  "lastModifiedDateTime,lastModifiedBy,root"

#define FOYER_TYPE_DRIVE_ITEM (foyer_drive_item_get_type ())
G_DECLARE_FINAL_TYPE (FoyerDriveItem, foyer_drive_item, FOYER, DRIVE_ITEM, GObject)

FoyerDriveItem *foyer_drive_item_new_from_json (JsonObject *object, GError **error);
FoyerDriveItem *foyer_drive_item_new_from_insight (JsonObject *object, GError **error);
FoyerDriveItem *foyer_drive_item_new_from_drive (JsonObject *object, GError **error);
FoyerDriveItem *foyer_drive_item_new_from_site (JsonObject *object, GError **error);
gboolean foyer_drive_item_get_is_site (FoyerDriveItem *self);

const char *foyer_drive_item_get_id (FoyerDriveItem *self);
const char *foyer_drive_item_get_name (FoyerDriveItem *self);
gint64 foyer_drive_item_get_size (FoyerDriveItem *self);
const char *foyer_drive_item_get_mime_type (FoyerDriveItem *self);
gboolean foyer_drive_item_get_is_folder (FoyerDriveItem *self);
gboolean foyer_drive_item_get_is_package (FoyerDriveItem *self);
int foyer_drive_item_get_child_count (FoyerDriveItem *self);
GDateTime *foyer_drive_item_get_modified (FoyerDriveItem *self);
const char *foyer_drive_item_get_modified_by_name (FoyerDriveItem *self);
const char *foyer_drive_item_get_modified_by_email (FoyerDriveItem *self);
const char *foyer_drive_item_get_web_url (FoyerDriveItem *self);
const char *foyer_drive_item_get_drive_id (FoyerDriveItem *self);
const char *foyer_drive_item_get_drive_type (FoyerDriveItem *self);
const char *foyer_drive_item_get_parent_id (FoyerDriveItem *self);
const char *foyer_drive_item_get_parent_path (FoyerDriveItem *self);
gboolean foyer_drive_item_get_is_remote (FoyerDriveItem *self);
const char *foyer_drive_item_get_remote_drive_id (FoyerDriveItem *self);
const char *foyer_drive_item_get_remote_id (FoyerDriveItem *self);
gboolean foyer_drive_item_get_has_thumbnail (FoyerDriveItem *self);
FoyerDriveItemKind foyer_drive_item_get_kind (FoyerDriveItem *self);

/* Where the item really lives: the remote drive and id for a remote item,
 * else its own. Use these for children, thumbnails, createLink. */
const char *foyer_drive_item_get_target_drive_id (FoyerDriveItem *self);
const char *foyer_drive_item_get_target_id (FoyerDriveItem *self);

FoyerDriveItemKind foyer_drive_item_kind_guess (const char *mime_type, const char *name);

/* A Graph collection page ({"value":[…], "@odata.nextLink":…}) parsed into
 * FoyerDriveItems. Items of the wrong shape make the whole page fail. */
GPtrArray *foyer_drive_item_parse_collection (JsonNode *root, char **out_next_link, GError **error);

G_END_DECLS

#include "foyer-core-enums.h"
