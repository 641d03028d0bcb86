/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The search index's own copy of what it indexed, kept sealed in the
 * encrypted store (namespace "search") in blocks of up to a few hundred
 * entries, so that the index, held in memory only, is built again at the
 * next start without asking the service or the key service for anything.
 * A compact binary layout, read back as outside input: every length is
 * checked against what is left.
 *
 *   "FSB1", then per entry: kind (1 byte), created (8 bytes, little-endian
 *   Unix milliseconds), item id (2-byte length + UTF-8), author (2 + UTF-8),
 *   text (4 + UTF-8).
 */
#pragma once

#include <glib.h>

#include "foyer-search-entry.h"

G_BEGIN_DECLS

#define FOYER_SEARCH_BLOCK_MAX_TEXT (256 * 1024)

/* entries: FoyerSearchEntry* whose space_id is the block's. */
GBytes *foyer_search_block_encode (GPtrArray *entries);
/* FoyerSearchEntry* (owned), each with space_id; NULL and an error for a
 * damaged block. */
GPtrArray *foyer_search_block_decode (GBytes *block, const char *space_id, GError **error);

G_END_DECLS
