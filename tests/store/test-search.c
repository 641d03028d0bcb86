/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Search on the device: the query parser (nothing of FTS5's syntax gets
 * through), the sealed block codec, results grouped by space with match
 * ranges, prefixes while typing, diacritics, file names, replace and
 * remove, the index built again from its sealed copy (and nothing of it in
 * plaintext on disk), a back-fill that reports progress and goes on where
 * the last run stopped, cancellation, and queries that do not wait behind
 * a back-fill.
 */
#include "config.h"

#include "foyer-search-block.h"
#include "foyer-search-index.h"
#include "foyer-search-query.h"
#include "foyer-search-results.h"
#include "foyer-store.h"
#include "store-test-util.h"

#include <string.h>

#define MARKER "PLAINTEXT-SEARCH-MARKER"

/* ---- waiting ----------------------------------------------------------------------------- */

static void
result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static FoyerSearchResults *
query (FoyerSearchIndex *index, const char *text, guint limit)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  FoyerSearchResults *results;

  foyer_search_index_query_async (index, text, limit, NULL, result_cb, &result);
  results = foyer_search_index_query_finish (index, wait_result (&result), &error);
  g_object_unref (result);
  g_assert_no_error (error);
  return results;
}

static void
flush (FoyerSearchIndex *index)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  foyer_search_index_flush_async (index, NULL, result_cb, &result);
  g_assert_true (foyer_search_index_flush_finish (index, wait_result (&result), &error));
  g_object_unref (result);
  g_assert_no_error (error);
}

static void
load (FoyerSearchIndex *index)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  foyer_search_index_load_async (index, NULL, result_cb, &result);
  g_assert_true (foyer_search_index_load_finish (index, wait_result (&result), &error));
  g_object_unref (result);
  g_assert_no_error (error);
  g_assert_true (foyer_search_index_get_loaded (index));
}

static void
add (FoyerSearchIndex *index,
     FoyerSearchKind kind,
     const char *space,
     const char *item,
     gint64 created,
     const char *author,
     const char *text)
{
  g_autoptr (FoyerSearchEntry) e
      = foyer_search_entry_new (kind, space, item, created, author, text);

  foyer_search_index_add (index, e);
}

static FoyerSearchHit *
hit_at (FoyerSearchResults *results, guint group, guint position)
{
  g_autoptr (FoyerSearchGroup) g = g_list_model_get_item (G_LIST_MODEL (results), group);
  FoyerSearchHit *hit;

  g_assert_nonnull (g);
  hit = g_list_model_get_item (G_LIST_MODEL (g), position);
  g_assert_nonnull (hit);
  g_object_unref (hit); /* the group keeps it */
  return hit;
}

/* The highlighted parts of a hit, joined with "|". */
static char *
marked (FoyerSearchHit *hit)
{
  guint n = 0;
  const FoyerSearchRange *ranges = foyer_search_hit_get_ranges (hit, &n);
  const char *text = foyer_search_hit_get_text (hit);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (ranges[i].end, <=, strlen (text));
      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append_len (out, text + ranges[i].start, ranges[i].end - ranges[i].start);
    }
  return g_string_free (out, FALSE);
}

/* ---- the parser and the codec ----------------------------------------------------------- */

static void
test_query_parse (void)
{
  const char *cases[][2] = {
    { "bud", "\"bud\"*" },
    { "  budget   report ", "\"budget\"* \"report\"*" },
    { "\"quarterly report\"", "\"quarterly report\"" },
    { "\"quarterly rep", "\"quarterly rep\"*" },
    { "NEAR(a b) OR c", "\"NEAR(a\"* \"b)\"* \"OR\"* \"c\"*" },
    { "text:secret", "\"text:secret\"*" },
    { "a\"b", "\"a\"* \"b\"*" },
    { "^start", "\"^start\"*" },
    { "Été", "\"Été\"*" },
    { "- !! ...", NULL },
    { "", NULL },
    { "   ", NULL },
    { "\"\"", NULL },
  };
  g_autofree char *invalid = foyer_search_query_to_fts ("caf\xe9 au lait");
  g_autofree char *long_query = NULL;
  g_autofree char *many = NULL;
  GString *words = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = foyer_search_query_to_fts (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }
  g_assert_nonnull (invalid);
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  g_assert_null (foyer_search_query_to_fts (NULL));
  for (int i = 0; i < 40; i++)
    g_string_append_printf (words, "w%d ", i);
  many = foyer_search_query_to_fts (words->str);
  g_assert_cmpuint (g_strv_length (g_strsplit (many, " ", -1)), ==, FOYER_SEARCH_QUERY_MAX_TERMS);
  g_string_free (words, TRUE);
  long_query = foyer_search_query_to_fts (
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_assert_cmpuint (strlen (long_query), ==, FOYER_SEARCH_QUERY_MAX_TERM + 3);
}

static void
test_block (void)
{
  g_autoptr (GPtrArray) entries
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  g_autoptr (GBytes) block = NULL;
  g_autoptr (GPtrArray) back = NULL;
  g_autoptr (GError) error = NULL;
  const char *bad[]
      = { "", "FSB", "FSB2", "FSB1\x02", "FSB1\x00\x01\x02\x03\x04\x05\x06\x07\x08\x00\x00", NULL };

  g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, "s1", "m1",
                                                    1767603600123, "Alice", "Le budget 2027"));
  g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_FILE, "s1", "m2", 5, NULL,
                                                    "Quarterly report.docx"));
  block = foyer_search_block_encode (entries);
  back = foyer_search_block_decode (block, "s1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      FoyerSearchEntry *a = entries->pdata[i], *b = back->pdata[i];

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpstr (a->space_id, ==, b->space_id);
      g_assert_cmpstr (a->item_id, ==, b->item_id);
      g_assert_cmpint (a->created, ==, b->created);
      g_assert_cmpstr (a->author, ==, b->author);
      g_assert_cmpstr (a->text, ==, b->text);
    }
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GBytes) b = g_bytes_new (bad[i], i == 4 ? 16 : strlen (bad[i]));
      g_autoptr (GPtrArray) r = foyer_search_block_decode (b, "s1", &error);

      g_assert_null (r);
      g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED);
      g_clear_error (&error);
    }
  /* Every prefix of a good block but the whole is broken or shorter. */
  for (gsize cut = 5; cut < g_bytes_get_size (block); cut++)
    {
      g_autoptr (GBytes) part = g_bytes_new_from_bytes (block, 0, cut);
      g_autoptr (GPtrArray) r = foyer_search_block_decode (part, "s1", NULL);

      g_assert_true (r == NULL || r->len < 2);
    }
}

/* ---- the index ------------------------------------------------------------------------- */

static FoyerSearchIndex *
fill (FoyerStore *store)
{
  FoyerSearchIndex *index = foyer_search_index_new (store);

  add (index, FOYER_SEARCH_KIND_MESSAGE, "finance", "m1", 1000, "Alice",
       "The budget for 2027 is ready");
  add (index, FOYER_SEARCH_KIND_MESSAGE, "finance", "m2", 2000, "Bob",
       "Budgets are due Friday, budget first");
  add (index, FOYER_SEARCH_KIND_MESSAGE, "team", "m3", 3000, "Carol",
       "Été : l'équipe se retrouve à Lyon");
  add (index, FOYER_SEARCH_KIND_FILE, "team", "m4", 4000, "Bob", "Quarterly report.docx");
  add (index, FOYER_SEARCH_KIND_MESSAGE, "team", "m4", 4000, "Bob", "Here is the quarterly report");
  add (index, FOYER_SEARCH_KIND_MESSAGE, "random", "m5", 5000, NULL,
       "nothing to see \x02 here \x03");
  return index;
}

static void
test_basic (void)
{
  g_autoptr (FoyerSearchIndex) index = fill (NULL);
  g_autoptr (FoyerSearchResults) bud = query (index, "bud", 50);
  g_autoptr (FoyerSearchResults) ete = query (index, "ete equipe", 50);
  g_autoptr (FoyerSearchResults) report = query (index, "report", 50);
  g_autoptr (FoyerSearchResults) phrase = query (index, "\"quarterly report\"", 50);
  g_autoptr (FoyerSearchResults) none = query (index, "zebra", 50);
  g_autoptr (FoyerSearchResults) empty = query (index, "  ", 50);
  g_autoptr (FoyerSearchResults) marks = query (index, "nothing", 50);
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *e = NULL;
  FoyerSearchHit *h;

  /* Prefixes while typing, newest first, grouped by space. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (bud)), ==, 1);
  g_assert_cmpuint (foyer_search_results_get_n_hits (bud), ==, 2);
  g_assert_false (foyer_search_results_get_has_more (bud));
  h = hit_at (bud, 0, 0);
  g_assert_cmpstr (foyer_search_hit_get_item_id (h), ==, "m2");
  g_assert_cmpstr (foyer_search_hit_get_space_id (h), ==, "finance");
  g_assert_cmpstr (foyer_search_hit_get_author (h), ==, "Bob");
  g_assert_cmpint (foyer_search_hit_get_created (h), ==, 2000);
  g_assert_cmpstr (foyer_search_hit_get_text (h), ==, "Budgets are due Friday, budget first");
  m2 = marked (h);
  g_assert_cmpstr (m2, ==, "Budgets|budget");
  m1 = marked (hit_at (bud, 0, 1));
  g_assert_cmpstr (m1, ==, "budget");

  /* Without diacritics, and every word must match. */
  g_assert_cmpuint (foyer_search_results_get_n_hits (ete), ==, 1);
  e = marked (hit_at (ete, 0, 0));
  g_assert_cmpstr (e, ==, "Été|équipe");

  /* File names are found too, with their kind. */
  g_assert_cmpuint (foyer_search_results_get_n_hits (report), ==, 2);
  {
    FoyerSearchHit *a = hit_at (report, 0, 0), *b = hit_at (report, 0, 1);
    FoyerSearchHit *file = foyer_search_hit_get_kind (a) == FOYER_SEARCH_KIND_FILE ? a : b;

    g_assert_cmpint (foyer_search_hit_get_kind (file), ==, FOYER_SEARCH_KIND_FILE);
    g_assert_cmpstr (foyer_search_hit_get_text (file), ==, "Quarterly report.docx");
    g_assert_cmpint (foyer_search_hit_get_kind (a == file ? b : a), ==, FOYER_SEARCH_KIND_MESSAGE);
  }
  g_assert_cmpuint (foyer_search_results_get_n_hits (phrase), ==, 2);
  g_assert_cmpuint (foyer_search_results_get_n_hits (none), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (empty)), ==, 0);
  /* The marks used for highlighting cannot come from a message. */
  g_assert_cmpuint (foyer_search_results_get_n_hits (marks), ==, 1);
  g_assert_null (strchr (foyer_search_hit_get_text (hit_at (marks, 0, 0)), '\x02'));
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 6);
}

static void
test_groups_and_limit (void)
{
  g_autoptr (FoyerSearchIndex) index = foyer_search_index_new (NULL);
  g_autoptr (FoyerSearchResults) all = NULL;
  g_autoptr (FoyerSearchResults) few = NULL;

  for (int i = 0; i < 30; i++)
    {
      g_autofree char *space = g_strdup_printf ("space-%d", i % 3);
      g_autofree char *item = g_strdup_printf ("item-%d", i);

      add (index, FOYER_SEARCH_KIND_MESSAGE, space, item, 1000 + i, "A", "lunch plans");
    }
  all = query (index, "lun", 100);
  few = query (index, "lunch", 10);
  g_assert_cmpuint (foyer_search_results_get_n_hits (all), ==, 30);
  /* The space with the newest hit first. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, 3);
  g_assert_cmpstr (foyer_search_hit_get_space_id (hit_at (all, 0, 0)), ==, "space-2");
  g_assert_cmpstr (foyer_search_hit_get_item_id (hit_at (all, 0, 0)), ==, "item-29");
  g_assert_cmpstr (foyer_search_hit_get_item_id (hit_at (all, 1, 0)), ==, "item-28");
  g_assert_cmpuint (foyer_search_results_get_n_hits (few), ==, 10);
  g_assert_true (foyer_search_results_get_has_more (few));
}

static void
test_replace_and_remove (void)
{
  g_autoptr (FoyerSearchIndex) index = fill (NULL);
  g_autoptr (FoyerSearchResults) before = query (index, "budget", 50);
  g_autoptr (FoyerSearchResults) edited = NULL;
  g_autoptr (FoyerSearchResults) removed = NULL;
  g_autoptr (FoyerSearchResults) space_gone = NULL;

  g_assert_cmpuint (foyer_search_results_get_n_hits (before), ==, 2);
  /* An edited message replaces the old text. */
  add (index, FOYER_SEARCH_KIND_MESSAGE, "finance", "m1", 1000, "Alice", "The forecast is ready");
  edited = query (index, "budget", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (edited), ==, 1);
  foyer_search_index_remove (index, "finance", "m2", FOYER_SEARCH_KIND_MESSAGE);
  removed = query (index, "budget", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (removed), ==, 0);
  foyer_search_index_remove_space (index, "team");
  space_gone = query (index, "report", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (space_gone), ==, 0);
  flush (index);
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 2);
}

/* After a sign-out's clear, the index is used again (the next account, or
 * the same one back): names seen before the clear must not keep ids that
 * new names get again. */
static void
test_clear_and_again (void)
{
  g_autoptr (FoyerSearchIndex) index = fill (NULL);
  g_autoptr (FoyerSearchResults) gone = NULL;
  g_autoptr (FoyerSearchResults) again = NULL;
  FoyerSearchHit *finance, *other;

  flush (index);
  foyer_search_index_clear (index);
  gone = query (index, "budget", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (gone), ==, 0);
  add (index, FOYER_SEARCH_KIND_MESSAGE, "other", "o1", 6000, "Dan", "budget talk");
  add (index, FOYER_SEARCH_KIND_MESSAGE, "finance", "m9", 7000, "Alice", "budget again");
  again = query (index, "budget", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (again), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 2);
  finance = hit_at (again, 0, 0);
  other = hit_at (again, 1, 0);
  g_assert_cmpstr (foyer_search_hit_get_item_id (finance), ==, "m9");
  g_assert_cmpstr (foyer_search_hit_get_space_id (finance), ==, "finance");
  g_assert_cmpstr (foyer_search_hit_get_author (finance), ==, "Alice");
  g_assert_cmpstr (foyer_search_hit_get_item_id (other), ==, "o1");
  g_assert_cmpstr (foyer_search_hit_get_space_id (other), ==, "other");
  g_assert_cmpstr (foyer_search_hit_get_author (other), ==, "Dan");
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 2);
}

static void
test_cancel (void)
{
  g_autoptr (FoyerSearchIndex) index = fill (NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSearchResults) results = NULL;

  g_cancellable_cancel (cancellable);
  foyer_search_index_query_async (index, "bud", 50, cancellable, result_cb, &result);
  results = foyer_search_index_query_finish (index, wait_result (&result), &error);
  g_object_unref (result);
  g_assert_null (results);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static FoyerStore *
open_store (const char *dir, const char *profile)
{
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GError) error = NULL;
  FoyerStore *store = foyer_store_open_sync (path, profile, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (foyer_store_is_persistent (store));
  return store;
}

static void
test_persist (void)
{
  g_autofree char *dir = store_test_make_dir ("search-persist");
  g_autoptr (FoyerStore) store = open_store (dir, "test-search-persist");
  g_autoptr (FoyerSearchIndex) index = fill (store);
  g_autoptr (FoyerSearchIndex) again = NULL;
  g_autoptr (FoyerSearchResults) results = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *m = NULL;

  add (index, FOYER_SEARCH_KIND_MESSAGE, "finance", "secret", 9000, "Alice",
       "The " MARKER " is in the budget");
  add (index, FOYER_SEARCH_KIND_FILE, "finance", "doc", 9500, "Alice", MARKER "-FILE.xlsx");
  flush (index);
  g_clear_object (&index);

  /* A new run builds the index again from its sealed copy. */
  again = foyer_search_index_new (store);
  load (again);
  g_assert_cmpuint (foyer_search_index_get_n_entries (again), ==, 8);
  results = query (again, "budg", 50);
  g_assert_cmpuint (foyer_search_results_get_n_hits (results), ==, 3);
  g_assert_cmpstr (foyer_search_hit_get_item_id (hit_at (results, 0, 0)), ==, "secret");
  m = marked (hit_at (results, 0, 0));
  g_assert_cmpstr (m, ==, "budget");
  g_assert_cmpuint (foyer_search_index_get_memory_size (again), >, 0);

  /* Nothing of it on disk in plaintext: text, file names, spaces, authors. */
  foyer_store_drain (store);
  g_assert_cmpuint (store_test_scan_dir (dir, MARKER, NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "budget", NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "Quarterly", NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "finance", NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "Carol", NULL), ==, 0);

  /* Sign-out empties it, sealed copy included. */
  foyer_search_index_clear (again);
  flush (again);
  g_assert_cmpuint (foyer_search_index_get_n_entries (again), ==, 0);
  records = foyer_store_list (store, FOYER_STORE_NS_SEARCH, NULL);
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_many_blocks (void)
{
  g_autofree char *dir = store_test_make_dir ("search-blocks");
  g_autoptr (FoyerStore) store = open_store (dir, "test-search-blocks");
  g_autoptr (FoyerSearchIndex) index = foyer_search_index_new (store);
  g_autoptr (FoyerSearchIndex) again = NULL;
  g_autoptr (FoyerSearchResults) results = NULL;
  g_autoptr (GPtrArray) records = NULL;

  /* More than one block per space; then some removed from the middle. */
  for (int i = 0; i < 1500; i++)
    {
      g_autofree char *item = g_strdup_printf ("m%d", i);
      g_autofree char *text
          = g_strdup_printf ("message number %d about %s", i, i % 2 ? "apples" : "pears");

      add (index, FOYER_SEARCH_KIND_MESSAGE, i < 1200 ? "big" : "small", item, 10000 + i, "A",
           text);
    }
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *item = g_strdup_printf ("m%d", 300 + i);

      foyer_search_index_remove (index, "big", item, FOYER_SEARCH_KIND_MESSAGE);
    }
  flush (index);
  records = foyer_store_list (store, FOYER_STORE_NS_SEARCH, NULL);
  g_assert_cmpuint (records->len, ==, 4);
  g_clear_object (&index);
  again = foyer_search_index_new (store);
  load (again);
  g_assert_cmpuint (foyer_search_index_get_n_entries (again), ==, 1400);
  results = query (again, "apples", 2000);
  g_assert_cmpuint (foyer_search_results_get_n_hits (results), ==, 700);
}

/* ---- back-fill -------------------------------------------------------------------------- */

#define TEST_TYPE_SOURCE (test_source_get_type ())
G_DECLARE_FINAL_TYPE (TestSource, test_source, TEST, SOURCE, GObject)

struct _TestSource
{
  GObject parent_instance;
  guint pages;   /* per space */
  guint fetches; /* how many pages were asked for */
  guint stop_after;
  GCancellable *to_cancel;
};

static void source_iface_init (FoyerSearchSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSource,
                               test_source,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_SEARCH_SOURCE, source_iface_init))

static void
list_spaces_async (FoyerSearchSource *source,
                   GCancellable *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);
  char *spaces[] = { "alpha", "beta", "gamma", NULL };

  g_task_return_pointer (task, g_strdupv (spaces), (GDestroyNotify) g_strfreev);
}

static char **
list_spaces_finish (FoyerSearchSource *source, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Pages of 10 messages, newest first; the cursor is the page number. */
static void
fetch_page_async (FoyerSearchSource *source,
                  const char *space,
                  const char *cursor,
                  GCancellable *cancellable,
                  GAsyncReadyCallback callback,
                  gpointer user_data)
{
  TestSource *self = TEST_SOURCE (source);
  g_autoptr (GTask) task = g_task_new (source, cancellable, callback, user_data);
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  guint page = cursor != NULL ? (guint) g_ascii_strtoull (cursor, NULL, 10) : 0;

  self->fetches++;
  if (self->stop_after > 0 && self->fetches == self->stop_after)
    g_cancellable_cancel (self->to_cancel);
  for (guint i = 0; i < 10; i++)
    {
      guint n = page * 10 + i;
      g_autofree char *item = g_strdup_printf ("%s-%u", space, n);
      g_autofree char *text = g_strdup_printf ("old news %u from %s", n, space);

      g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, space, item,
                                                        100000 - n, "Someone", text));
    }
  g_object_set_data_full (G_OBJECT (task), "next",
                          page + 1 < self->pages ? g_strdup_printf ("%u", page + 1) : NULL, g_free);
  g_task_return_pointer (task, entries, (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
fetch_page_finish (FoyerSearchSource *source,
                   GAsyncResult *result,
                   char **next_cursor,
                   GError **error)
{
  GPtrArray *entries = g_task_propagate_pointer (G_TASK (result), error);

  *next_cursor = g_strdup (g_object_get_data (G_OBJECT (result), "next"));
  return entries;
}

static void
source_iface_init (FoyerSearchSourceInterface *iface)
{
  iface->list_spaces_async = list_spaces_async;
  iface->list_spaces_finish = list_spaces_finish;
  iface->fetch_page_async = fetch_page_async;
  iface->fetch_page_finish = fetch_page_finish;
}

static void
test_source_class_init (TestSourceClass *klass)
{
}

static void
test_source_init (TestSource *self)
{
}

static void
progress_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  GArray *seen = data;
  double p = foyer_search_index_get_backfill_progress (FOYER_SEARCH_INDEX (object));

  g_array_append_val (seen, p);
}

static guint
backfill (FoyerSearchIndex *index, TestSource *source, GCancellable *cancellable, GError **error)
{
  GAsyncResult *result = NULL;
  guint n;

  foyer_search_index_backfill_async (index, FOYER_SEARCH_SOURCE (source), cancellable, result_cb,
                                     &result);
  n = foyer_search_index_backfill_finish (index, wait_result (&result), error);
  g_object_unref (result);
  return n;
}

static void
test_backfill (void)
{
  g_autofree char *dir = store_test_make_dir ("search-backfill");
  g_autoptr (FoyerStore) store = open_store (dir, "test-search-backfill");
  g_autoptr (FoyerSearchIndex) index = foyer_search_index_new (store);
  g_autoptr (TestSource) source = g_object_new (TEST_TYPE_SOURCE, NULL);
  g_autoptr (GArray) seen = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSearchResults) results = NULL;
  g_autoptr (FoyerSearchIndex) again = NULL;
  g_autoptr (TestSource) later = g_object_new (TEST_TYPE_SOURCE, NULL);
  guint n;

  source->pages = 5;
  load (index);
  /* Stopped during the second space's third page … */
  source->stop_after = 8;
  source->to_cancel = cancellable;
  n = backfill (index, source, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (foyer_search_index_get_backfill_running (index));
  flush (index);
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 70);
  g_clear_object (&index);

  /* … the next run goes on from there, with progress up to 1. */
  again = foyer_search_index_new (store);
  load (again);
  later->pages = 5;
  g_signal_connect (again, "notify::backfill-progress", G_CALLBACK (progress_cb), seen);
  n = backfill (again, later, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (later->fetches, ==, 15 - 8 + 1);
  g_assert_cmpuint (n, ==, later->fetches * 10);
  g_assert_cmpuint (foyer_search_index_get_n_entries (again), ==, 150);
  g_assert_cmpuint (seen->len, >, 0);
  for (guint i = 1; i < seen->len; i++)
    g_assert_cmpfloat (g_array_index (seen, double, i), >=, g_array_index (seen, double, i - 1));
  g_assert_cmpfloat (g_array_index (seen, double, seen->len - 1), ==, 1.0);
  results = query (again, "news gamma", 200);
  g_assert_cmpuint (foyer_search_results_get_n_hits (results), ==, 50);

  /* Done: a third back-fill asks for nothing. */
  later->fetches = 0;
  n = backfill (again, later, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (later->fetches, ==, 0);
}

static void
test_queries_first (void)
{
  g_autoptr (FoyerSearchIndex) index = foyer_search_index_new (NULL);
  g_autoptr (GPtrArray) entries
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  g_autoptr (FoyerSearchResults) results = NULL;

  for (int i = 0; i < 40000; i++)
    {
      g_autofree char *item = g_strdup_printf ("m%d", i);

      g_ptr_array_add (entries, foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, "s", item, i,
                                                        NULL, "backfilled words"));
    }
  foyer_search_index_add_many (index, entries);
  /* A query does not wait for a back-fill's writes: it is answered while
   * most of them are still queued. */
  results = query (index, "words", 10);
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), <, 40000);
  flush (index);
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 40000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/search/query-parse", test_query_parse);
  g_test_add_func ("/search/block", test_block);
  g_test_add_func ("/search/basic", test_basic);
  g_test_add_func ("/search/groups-and-limit", test_groups_and_limit);
  g_test_add_func ("/search/replace-and-remove", test_replace_and_remove);
  g_test_add_func ("/search/clear-and-again", test_clear_and_again);
  g_test_add_func ("/search/cancel", test_cancel);
  g_test_add_func ("/search/persist", test_persist);
  g_test_add_func ("/search/many-blocks", test_many_blocks);
  g_test_add_func ("/search/backfill", test_backfill);
  g_test_add_func ("/search/queries-first", test_queries_first);
  return g_test_run ();
}
