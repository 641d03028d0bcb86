/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a person types into search, made into an FTS5 query that cannot be
 * anything else: each word becomes a quoted prefix ("bud"* finds "budget"
 * while typing), a "quoted phrase" stays a phrase, and all of them must
 * match. Nothing of FTS5's own syntax (NEAR, OR, column filters, ^) gets
 * through. Words without a letter or a digit are dropped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_SEARCH_QUERY_MAX_TERMS 16
#define FOYER_SEARCH_QUERY_MAX_TERM  64 /* characters */

/* NULL when there is nothing to search for. */
char *foyer_search_query_to_fts (const char *text);

G_END_DECLS
