/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FoyerSearchEntry: see foyer-search-entry.h. */

#include "config.h"

#include "foyer-search-entry.h"

G_DEFINE_ENUM_TYPE (FoyerSearchKind,
                    foyer_search_kind,
                    G_DEFINE_ENUM_VALUE (FOYER_SEARCH_KIND_MESSAGE, "message"),
                    G_DEFINE_ENUM_VALUE (FOYER_SEARCH_KIND_FILE, "file"))

G_DEFINE_BOXED_TYPE (FoyerSearchEntry,
                     foyer_search_entry,
                     foyer_search_entry_copy,
                     foyer_search_entry_free)

FoyerSearchEntry *
foyer_search_entry_new (FoyerSearchKind kind,
                        const char *space_id,
                        const char *item_id,
                        gint64 created,
                        const char *author,
                        const char *text)
{
  FoyerSearchEntry *e = g_new0 (FoyerSearchEntry, 1);

  e->kind = kind;
  e->space_id = g_strdup (space_id);
  e->item_id = g_strdup (item_id);
  e->created = created;
  e->author = g_strdup (author);
  e->text = g_strdup (text);
  return e;
}

FoyerSearchEntry *
foyer_search_entry_copy (const FoyerSearchEntry *entry)
{
  return foyer_search_entry_new (entry->kind, entry->space_id, entry->item_id, entry->created,
                                 entry->author, entry->text);
}

void
foyer_search_entry_free (FoyerSearchEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->space_id);
  g_free (entry->item_id);
  g_free (entry->author);
  g_free (entry->text);
  g_free (entry);
}
