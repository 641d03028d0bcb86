/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSearchIndex: search on the device, over decrypted message text and
 * the names of shared documents, with nothing in plaintext on disk. The
 * full-text index (SQLite FTS5, unicode61 without diacritics, prefixes of
 * 1–3 characters) lives in memory only; what it indexed is also kept
 * sealed in the encrypted store, from which it is built again at start
 * (foyer_search_index_load_async). docs/search.md says why (measured
 * against SQLCipher) and how.
 *
 *   index = foyer_search_index_new (store);
 *   foyer_search_index_load_async (index, NULL, loaded_cb, self);      (at start)
 *   foyer_search_index_add (index, &entry);                            (each decrypted message)
 *   foyer_search_index_backfill_async (index, source, …);              (older history, with progress)
 *   foyer_search_index_query_async (index, "bud", 200, cancellable, …) (→ FoyerSearchResults)
 *
 * All work happens on one worker thread; queries go before pending writes,
 * and writes are applied in small batches so that typing never waits long.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-search-entry.h"
#include "foyer-store.h"

G_BEGIN_DECLS

#define FOYER_STORE_NS_SEARCH "search"

/* The app's side of the back-fill: the older history of each space,
 * decrypted, a page at a time. */
#define FOYER_TYPE_SEARCH_SOURCE (foyer_search_source_get_type ())
G_DECLARE_INTERFACE (FoyerSearchSource, foyer_search_source, FOYER, SEARCH_SOURCE, GObject)

struct _FoyerSearchSourceInterface
{
  GTypeInterface parent_iface;

  /* → the ids of the spaces to index (GStrv). */
  void (*list_spaces_async) (FoyerSearchSource *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
  char **(*list_spaces_finish) (FoyerSearchSource *self, GAsyncResult *result, GError **error);
  /* → FoyerSearchEntry* of the messages before cursor (NULL: the newest),
   * and the cursor of the next older page, NULL when there is none. */
  void (*fetch_page_async) (FoyerSearchSource *self,
                            const char *space_id,
                            const char *cursor,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
  GPtrArray *(*fetch_page_finish) (FoyerSearchSource *self,
                                   GAsyncResult *result,
                                   char **next_cursor,
                                   GError **error);
};

#define FOYER_TYPE_SEARCH_INDEX (foyer_search_index_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSearchIndex, foyer_search_index, FOYER, SEARCH_INDEX, GObject)

typedef struct _FoyerSearchResults FoyerSearchResults;

/* store may be NULL: the index then lasts for the run only. */
FoyerSearchIndex *foyer_search_index_new (FoyerStore *store);

/* Builds the index from its sealed copy (on the worker thread). */
void foyer_search_index_load_async (FoyerSearchIndex *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean
foyer_search_index_load_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error);

/* Cheap: queued, applied on the worker thread. */
void foyer_search_index_add (FoyerSearchIndex *self, const FoyerSearchEntry *entry);
void foyer_search_index_add_many (FoyerSearchIndex *self, GPtrArray *entries);
void foyer_search_index_remove (FoyerSearchIndex *self,
                                const char *space_id,
                                const char *item_id,
                                FoyerSearchKind kind);
/* The person left the space: everything of it goes. */
void foyer_search_index_remove_space (FoyerSearchIndex *self, const char *space_id);
/* Sign-out: the index and its sealed copy are emptied. */
void foyer_search_index_clear (FoyerSearchIndex *self);

/* Waits until everything queued is indexed and its sealed copy written. */
void foyer_search_index_flush_async (FoyerSearchIndex *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean
foyer_search_index_flush_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error);

/* At most limit hits, newest first, grouped by space. An empty or
 * wordless query gives empty results. Cancelling interrupts the query. */
void foyer_search_index_query_async (FoyerSearchIndex *self,
                                     const char *text,
                                     guint limit,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
FoyerSearchResults *
foyer_search_index_query_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error);

/* Walks the source's spaces back to their first message, indexing as it
 * goes; remembers (sealed) how far each space got, so a later run goes on
 * from there. Properties backfill-running and backfill-progress (0–1)
 * follow it. → the number of entries indexed. */
void foyer_search_index_backfill_async (FoyerSearchIndex *self,
                                        FoyerSearchSource *source,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
guint
foyer_search_index_backfill_finish (FoyerSearchIndex *self, GAsyncResult *result, GError **error);

guint foyer_search_index_get_n_entries (FoyerSearchIndex *self);
gboolean foyer_search_index_get_loaded (FoyerSearchIndex *self);
gboolean foyer_search_index_get_backfill_running (FoyerSearchIndex *self);
double foyer_search_index_get_backfill_progress (FoyerSearchIndex *self);
/* Bytes the index takes in memory (SQLite's pages of it). */
guint64 foyer_search_index_get_memory_size (FoyerSearchIndex *self);

G_END_DECLS
