/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a search found, for a results list: FoyerSearchResults is a
 * GListModel of FoyerSearchGroup (one per space, the space with the newest
 * hit first), each a GListModel of FoyerSearchHit (newest first). A hit's
 * text is the message (or a window of a long one, with "…") and its
 * ranges say which bytes of that text matched, for highlighting.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-object-list.h"
#include "foyer-search-entry.h"

G_BEGIN_DECLS

typedef struct
{
  guint start; /* byte offsets into the hit's text, end exclusive */
  guint end;
} FoyerSearchRange;

#define FOYER_TYPE_SEARCH_HIT (foyer_search_hit_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSearchHit, foyer_search_hit, FOYER, SEARCH_HIT, GObject)

FoyerSearchKind foyer_search_hit_get_kind (FoyerSearchHit *self);
const char *foyer_search_hit_get_space_id (FoyerSearchHit *self);
const char *foyer_search_hit_get_item_id (FoyerSearchHit *self);
gint64 foyer_search_hit_get_created (FoyerSearchHit *self);
const char *foyer_search_hit_get_author (FoyerSearchHit *self);
const char *foyer_search_hit_get_text (FoyerSearchHit *self);
const FoyerSearchRange *foyer_search_hit_get_ranges (FoyerSearchHit *self, guint *n_ranges);

/* text marked with 0x02 (start) and 0x03 (end) around matches, as the
 * index's snippets come; the marks are taken out. */
FoyerSearchHit *_foyer_search_hit_new (FoyerSearchKind kind,
                                       const char *space_id,
                                       const char *item_id,
                                       gint64 created,
                                       const char *author,
                                       const char *marked_text);

#define FOYER_TYPE_SEARCH_GROUP (foyer_search_group_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSearchGroup, foyer_search_group, FOYER, SEARCH_GROUP, FoyerObjectList)

const char *foyer_search_group_get_space_id (FoyerSearchGroup *self);

#define FOYER_TYPE_SEARCH_RESULTS (foyer_search_results_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerSearchResults, foyer_search_results, FOYER, SEARCH_RESULTS, FoyerObjectList)

const char *foyer_search_results_get_query (FoyerSearchResults *self);
guint foyer_search_results_get_n_hits (FoyerSearchResults *self);
/* TRUE when the limit cut the results short. */
gboolean foyer_search_results_get_has_more (FoyerSearchResults *self);

FoyerSearchResults *
_foyer_search_results_new (const char *query, GPtrArray *hits, gboolean has_more);

G_END_DECLS
