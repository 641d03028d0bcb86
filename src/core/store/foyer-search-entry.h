/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSearchEntry: one thing the search index finds (a message's text or
 * a shared document's name), as the app hands it to the index, as the
 * index's sealed copy keeps it and as a hit comes back.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  FOYER_SEARCH_KIND_MESSAGE, /* a message's text */
  FOYER_SEARCH_KIND_FILE,    /* the name of a document shared in a message */
} FoyerSearchKind;

#define FOYER_TYPE_SEARCH_KIND (foyer_search_kind_get_type ())
GType foyer_search_kind_get_type (void);

/* One thing to find: (space_id, item_id, kind) identifies it; adding it
 * again replaces it. item_id is the message's id (a file's too). */
typedef struct
{
  FoyerSearchKind kind;
  char *space_id;
  char *item_id;
  gint64 created; /* Unix milliseconds: results come newest first */
  char *author;   /* may be NULL; shown, not searched */
  char *text;
} FoyerSearchEntry;

#define FOYER_TYPE_SEARCH_ENTRY (foyer_search_entry_get_type ())
GType foyer_search_entry_get_type (void);
FoyerSearchEntry *foyer_search_entry_new (FoyerSearchKind kind,
                                          const char *space_id,
                                          const char *item_id,
                                          gint64 created,
                                          const char *author,
                                          const char *text);
FoyerSearchEntry *foyer_search_entry_copy (const FoyerSearchEntry *entry);
void foyer_search_entry_free (FoyerSearchEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerSearchEntry, foyer_search_entry_free)

G_END_DECLS
