/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internals shared by the parts of the Graph client. */
#pragma once

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"

G_BEGIN_DECLS

/* Returns NULL without setting error for an entry to skip (e.g. an
 * insight about something other than a drive item). */
typedef FoyerDriveItem *(*FoyerDriveItemParseFunc) (JsonObject *object, GError **error);

GPtrArray *_foyer_drive_item_parse_collection_with (JsonNode *root,
                                                    FoyerDriveItemParseFunc parse,
                                                    char **out_next_link,
                                                    GError **error);

GError *_foyer_graph_malformed (const char *what);

/* Keeps the Retry-After (seconds) of the reply an error came from. */
void _foyer_graph_error_set_retry_after (GError *error, guint seconds);

/* A list whose entries are parsed with parse; if the first page of path
 * fails (other than by cancellation or sign-in), fallback_path is used. */
FoyerDriveItemList *_foyer_drive_item_list_new_full (FoyerGraphClient *client,
                                                     const char *path,
                                                     FoyerDriveItemParseFunc parse,
                                                     const char *fallback_path);

G_END_DECLS
