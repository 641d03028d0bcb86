/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The drive item's parsing, for the lists of the graph area. */
#pragma once

#include "foyer-drive-item.h"

G_BEGIN_DECLS

/* Returns NULL without setting error for an entry to skip (e.g. an
 * insight about something other than a drive item). */
typedef FoyerDriveItem *(*FoyerDriveItemParseFunc) (JsonObject *object, GError **error);

GPtrArray *_foyer_drive_item_parse_collection_with (JsonNode *root,
                                                    FoyerDriveItemParseFunc parse,
                                                    char **out_next_link,
                                                    GError **error);

G_END_DECLS
