/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-store-thumbnail-cache.h"

#include "foyer-record-cipher.h"
#include "store-test-util.h"

#include <sqlite3.h>

typedef struct
{
  gboolean done;
  gboolean ok;
  GBytes *bytes;
  GError *error;
} Result;

static void
lookup_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->bytes
      = foyer_thumbnail_cache_lookup_finish (FOYER_THUMBNAIL_CACHE (object), result, &r->error);
  r->done = TRUE;
}

static void
store_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = foyer_thumbnail_cache_store_finish (FOYER_THUMBNAIL_CACHE (object), result, &r->error);
  r->done = TRUE;
}

static GBytes *
lookup (FoyerThumbnailCache *cache, const char *key)
{
  Result r = { 0 };

  foyer_thumbnail_cache_lookup_async (cache, key, NULL, lookup_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);

  return r.bytes;
}

static void
store (FoyerThumbnailCache *cache, const char *key, GBytes *bytes)
{
  Result r = { 0 };

  foyer_thumbnail_cache_store_async (cache, key, bytes, NULL, store_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

static GBytes *
image (gsize size, guint8 seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + seed);

  return g_bytes_new_take (data, size);
}

static FoyerStore *
open_store (const char *name, char **out_path)
{
  g_autofree char *dir = store_test_make_dir (name);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *profile = g_strconcat ("thumb-", name, NULL);
  g_autoptr (GError) error = NULL;
  FoyerStore *s = foyer_store_open_sync (path, profile, NULL, &error);

  g_assert_no_error (error);
  if (out_path != NULL)
    *out_path = g_steal_pointer (&path);

  return s;
}

static void
test_round_trip (void)
{
  g_autoptr (FoyerStore) s = open_store ("round-trip", NULL);
  g_autoptr (FoyerStoreThumbnailCache) cache
      = foyer_store_thumbnail_cache_new (s, FOYER_STORE_THUMBNAIL_CACHE_DEFAULT_MAX_BYTES);
  g_autoptr (GBytes) png = image (30 * 1024, 1);
  g_autoptr (GBytes) back = NULL;
  g_autoptr (GError) error = NULL;
  const char *key = "u!aHR0cHM6Ly9jb250b3NvLnNoYXJlcG9pbnQuY29tL3NpdGVzL0ZpbmFuY2U:medium";

  g_assert_true (FOYER_IS_THUMBNAIL_CACHE (cache));
  g_assert_true (foyer_store_thumbnail_cache_get_store (cache) == s);

  back = lookup (FOYER_THUMBNAIL_CACHE (cache), key);
  g_assert_null (back);

  store (FOYER_THUMBNAIL_CACHE (cache), key, png);
  back = lookup (FOYER_THUMBNAIL_CACHE (cache), key);
  g_assert_nonnull (back);
  g_assert_true (g_bytes_equal (back, png));
  g_clear_pointer (&back, g_bytes_unref);

  /* It is the store's "thumbnails" namespace. */
  back = foyer_store_get (s, FOYER_STORE_NS_THUMBNAILS, key, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, png));
}

static void
test_budget (void)
{
  g_autoptr (FoyerStore) s = open_store ("budget", NULL);
  guint64 record = 1000 + 2 + FOYER_RECORD_OVERHEAD, size = 0;
  g_autoptr (FoyerStoreThumbnailCache) cache = foyer_store_thumbnail_cache_new (s, 3 * record);
  g_autoptr (GBytes) first = NULL;
  char key[8];

  g_assert_cmpuint (foyer_store_thumbnail_cache_get_max_bytes (cache), ==, 3 * record);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr (GBytes) png = image (1000, (guint8) i);

      g_snprintf (key, sizeof key, "k%d", i);
      store (FOYER_THUMBNAIL_CACHE (cache), key, png);
    }
  /* k0 is read again, so k1 is the least recently used when k3 comes. */
  first = lookup (FOYER_THUMBNAIL_CACHE (cache), "k0");
  g_assert_nonnull (first);
  {
    g_autoptr (GBytes) png = image (1000, 3);

    store (FOYER_THUMBNAIL_CACHE (cache), "k3", png);
  }

  g_assert_true (foyer_store_get_namespace_size (s, FOYER_STORE_NS_THUMBNAILS, &size, NULL));
  g_assert_cmpuint (size, <=, 3 * record);
  for (int i = 0; i < 4; i++)
    {
      g_autoptr (GBytes) got = NULL;

      g_snprintf (key, sizeof key, "k%d", i);
      got = lookup (FOYER_THUMBNAIL_CACHE (cache), key);
      g_assert_true ((got != NULL) == (i != 1));
    }
}

static void
test_tampered_reads_as_absent (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) s = open_store ("tampered", &path);
  g_autoptr (FoyerStoreThumbnailCache) cache = foyer_store_thumbnail_cache_new (s, 1 << 20);
  g_autoptr (GBytes) png = image (2048, 9);
  g_autoptr (GBytes) got = NULL;
  sqlite3 *db = NULL;

  store (FOYER_THUMBNAIL_CACHE (cache), "k", png);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (
      sqlite3_exec (db, "UPDATE records SET value = zeroblob(length(value))", NULL, NULL, NULL), ==,
      SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  /* No error: the loader just fetches the image again. */
  got = lookup (FOYER_THUMBNAIL_CACHE (cache), "k");
  g_assert_null (got);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store-thumbnail-cache/round-trip", test_round_trip);
  g_test_add_func ("/store-thumbnail-cache/budget", test_budget);
  g_test_add_func ("/store-thumbnail-cache/tampered", test_tampered_reads_as_absent);

  return g_test_run ();
}
