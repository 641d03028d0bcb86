/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-index-private.h"

#include "foyer-search-block.h"

#include <string.h>

/*
 * The sealed copy of the index, in the store's "search" namespace (the
 * store encrypts every record):
 *   b:BLOCK:SPACE   up to BLOCK_ENTRIES entries of a space (foyer-search-block.c),
 *                   written a couple of seconds after one of them changed;
 *   f:SPACE         how far the back-fill of the space got.
 * At start the index is built again from it, newest blocks first.
 */

static char *
block_key (const char *space, gint64 block)
{
  return g_strdup_printf (BLOCK_KEY_PREFIX "%" G_GINT64_FORMAT ":%s", block, space);
}

static GBytes *
state_bytes (BackfillState *state)
{
  g_autofree char *text
      = g_strdup_printf ("%d%s", state->done ? 1 : 0, state->cursor != NULL ? state->cursor : "");

  return g_bytes_new (text, strlen (text));
}

/* Blocks first, then how far each back-fill got: a crash in between
 * fetches a page again, never skips one. */
void
_foyer_search_sealed_write (FoyerSearchIndex *self)
{
  GHashTableIter iter;
  gpointer key;

  if (self->store == NULL)
    {
      g_hash_table_remove_all (self->dirty);
      g_hash_table_remove_all (self->dirty_states);
      return;
    }
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_auto (GStrv) parts = g_strsplit (key, "\x1f", 2);
      gint64 block = g_ascii_strtoll (parts[1], NULL, 10);
      g_autofree char *store_key = block_key (parts[0], block);
      g_autoptr (GPtrArray) entries = _foyer_search_fts_block_entries (self, parts[0], block);
      g_autoptr (GError) error = NULL;

      if (entries->len == 0)
        foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, store_key, &error);
      else
        {
          g_autoptr (GBytes) bytes = foyer_search_block_encode (entries);

          foyer_store_put (self->store, FOYER_STORE_NS_SEARCH, store_key, bytes, &error);
        }
      if (error != NULL)
        g_warning ("Could not keep a part of the search index: %s", error->message);
    }
  g_hash_table_remove_all (self->dirty);

  g_hash_table_iter_init (&iter, self->dirty_states);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BackfillState *state = g_hash_table_lookup (self->states, key);
      g_autofree char *store_key = g_strconcat (STATE_KEY_PREFIX, key, NULL);
      g_autoptr (GBytes) bytes = state != NULL ? state_bytes (state) : NULL;

      if (bytes != NULL)
        foyer_store_put (self->store, FOYER_STORE_NS_SEARCH, store_key, bytes, NULL);
    }
  g_hash_table_remove_all (self->dirty_states);
}

static void
load_block (FoyerSearchIndex *self, const char *key, GBytes *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const char *colon;
  gint64 block;
  char *end = NULL;

  block = g_ascii_strtoll (key + strlen (BLOCK_KEY_PREFIX), &end, 10);
  colon = end;
  if (colon == NULL || *colon != ':' || block < 0)
    return;
  entries = foyer_search_block_decode (value, colon + 1, &error);
  if (entries == NULL)
    {
      g_warning ("Dropping a damaged part of the search index");
      foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, key, NULL);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    _foyer_search_fts_insert (self, entries->pdata[i], block);
}

static void
load_state (FoyerSearchIndex *self, const char *key, GBytes *value)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (value, &len);
  BackfillState *state;

  if (len == 0 || (data[0] != '0' && data[0] != '1') || !g_utf8_validate (data, (gssize) len, NULL))
    return;
  state = g_new0 (BackfillState, 1);
  state->done = data[0] == '1';
  state->cursor = len > 1 ? g_strndup (data + 1, len - 1) : NULL;
  g_hash_table_replace (self->states, g_strdup (key + strlen (STATE_KEY_PREFIX)), state);
}

/* Blocks with higher numbers hold newer entries: those first, so that
 * searching finds the recent past while the rest is still loading. */
static gint
load_order (gconstpointer a, gconstpointer b)
{
  const FoyerStoreEntry *x = *(FoyerStoreEntry *const *) a, *y = *(FoyerStoreEntry *const *) b;
  gboolean bx = g_str_has_prefix (x->key, BLOCK_KEY_PREFIX);
  gboolean by = g_str_has_prefix (y->key, BLOCK_KEY_PREFIX);
  gint64 nx, ny;

  if (bx != by)
    return bx ? 1 : -1;
  if (!bx)
    return 0;
  nx = g_ascii_strtoll (x->key + strlen (BLOCK_KEY_PREFIX), NULL, 10);
  ny = g_ascii_strtoll (y->key + strlen (BLOCK_KEY_PREFIX), NULL, 10);
  return nx > ny ? -1 : nx < ny;
}

/* Loads the sealed copy a part at a time: a query that comes meanwhile
 * runs between two parts (over what is loaded so far). */
void
_foyer_search_sealed_load (FoyerSearchIndex *self, Op *op)
{
  g_autoptr (GError) error = NULL;

  if (self->store == NULL)
    {
      g_task_return_boolean (op->task, TRUE);
      return;
    }
  if (self->loading == NULL)
    {
      self->loading = foyer_store_list (self->store, FOYER_STORE_NS_SEARCH, &error);
      if (self->loading == NULL)
        {
          g_task_return_error (op->task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_sort (self->loading, load_order);
      self->loaded_records = 0;
    }
  _foyer_search_fts_exec (self->db, "BEGIN", NULL);
  while (self->loaded_records < self->loading->len)
    {
      FoyerStoreEntry *r = self->loading->pdata[self->loaded_records++];

      if (g_str_has_prefix (r->key, BLOCK_KEY_PREFIX))
        load_block (self, r->key, r->value);
      else if (g_str_has_prefix (r->key, STATE_KEY_PREFIX))
        load_state (self, r->key, r->value);
      if (g_atomic_int_get (&self->queries_waiting) > 0)
        break;
    }
  _foyer_search_fts_exec (self->db, "COMMIT", NULL);
  /* Loading rebuilt the blocks as they were: nothing to write back. */
  g_hash_table_remove_all (self->dirty);
  _foyer_search_index_publish (self);
  if (self->loaded_records < self->loading->len)
    {
      _foyer_search_index_push (self, _foyer_search_op_new (OP_LOAD, op->task));
      return;
    }
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_task_return_boolean (op->task, TRUE);
}

/* The space's blocks and back-fill state go from the store, and none of
 * its blocks is written back. */
void
_foyer_search_sealed_remove_space (FoyerSearchIndex *self, const char *space)
{
  SpaceBlocks *b = g_hash_table_lookup (self->space_blocks, space);
  GHashTableIter iter;
  gpointer key;
  g_autofree char *prefix = g_strconcat (space, "\x1f", NULL);

  if (self->store != NULL)
    {
      g_autofree char *state_key = g_strconcat (STATE_KEY_PREFIX, space, NULL);

      for (gint64 block = 0; b != NULL && block <= b->current; block++)
        {
          g_autofree char *key = block_key (space, block);

          foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, key, NULL);
        }
      foyer_store_delete (self->store, FOYER_STORE_NS_SEARCH, state_key, NULL);
    }
  g_hash_table_remove (self->space_blocks, space);
  g_hash_table_remove (self->states, space);
  g_hash_table_remove (self->dirty_states, space);
  g_hash_table_iter_init (&iter, self->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix))
      g_hash_table_iter_remove (&iter);
}

void
_foyer_search_sealed_clear (FoyerSearchIndex *self)
{
  /* A load still under way would bring back what was just cleared. */
  g_clear_pointer (&self->loading, g_ptr_array_unref);
  g_hash_table_remove_all (self->space_blocks);
  g_hash_table_remove_all (self->states);
  g_hash_table_remove_all (self->dirty);
  g_hash_table_remove_all (self->dirty_states);
  if (self->store != NULL)
    foyer_store_delete_namespace (self->store, FOYER_STORE_NS_SEARCH, NULL);
}
