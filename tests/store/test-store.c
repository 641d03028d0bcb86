/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-store.h"

#include "foyer-record-cipher.h"
#include "foyer-search-index.h"
#include "foyer-upload-record.h"
#include "store-test-util.h"

#include <sqlite3.h>
#include <sys/stat.h>

#define MARKER "PLAINTEXT-MARKER-https://contoso.sharepoint.com/:w:/s/Finance/EaBcD"

static FoyerStore *
open_store (const char *dir_name, const char *profile, char **out_path)
{
  g_autofree char *dir = store_test_make_dir (dir_name);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GError) error = NULL;
  FoyerStore *store = foyer_store_open_sync (path, profile, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_true (foyer_store_is_persistent (store));
  g_assert_cmpstr (foyer_store_get_path (store), ==, path);
  if (out_path != NULL)
    *out_path = g_steal_pointer (&path);

  return store;
}

static GBytes *
str_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_value (FoyerStore *store, const char *ns, const char *key, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = foyer_store_get (store, ns, key, &error);

  g_assert_no_error (error);
  if (expected == NULL)
    {
      g_assert_null (value);
      return;
    }
  g_assert_nonnull (value);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), expected,
                   strlen (expected));
}

static void
put_str (FoyerStore *store, const char *ns, const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = str_bytes (value);

  g_assert_true (foyer_store_put (store, ns, key, bytes, &error));
  g_assert_no_error (error);
}

static void
assert_tampered (FoyerStore *store, const char *ns, const char *key)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = foyer_store_get (store, ns, key, &error);

  g_assert_null (value);
  g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED);
  g_clear_error (&error);

  /* The record was dropped: it now reads as absent, without an error. */
  value = foyer_store_get (store, ns, key, &error);
  g_assert_no_error (error);
  g_assert_null (value);
}

/* Raw access to the file, as an attacker with the disk would have. */

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);

  return db;
}

static gint64
raw_count (const char *path)
{
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  gint64 count;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM records", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return count;
}

/* The rowid of the record filed under (ns, key), found through the same
 * lookup hash the store uses. */
static gint64
raw_rowid (FoyerStore *store, const char *path, const char *ns, const char *key)
{
  guint8 raw_key[FOYER_DEVICE_KEY_LENGTH], lookup[FOYER_RECORD_INDEX_LEN];
  g_autoptr (FoyerRecordCipher) cipher = NULL;
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  gint64 rowid = -1;

  foyer_device_key_copy_bytes (foyer_store_get_device_key (store), raw_key);
  cipher = foyer_record_cipher_new (raw_key, sizeof raw_key);
  foyer_record_cipher_lookup (cipher, ns, key, lookup);

  g_assert_cmpint (
      sqlite3_prepare_v2 (db, "SELECT rowid FROM records WHERE lookup = ?1", -1, &stmt, NULL), ==,
      SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, lookup, sizeof lookup, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    rowid = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return rowid;
}

static GBytes *
raw_get_column (const char *path, gint64 rowid, const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM records WHERE rowid = ?1", column);
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, rowid);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return bytes;
}

static void
raw_set_column (const char *path, gint64 rowid, const char *column, const guint8 *data, gsize len)
{
  g_autofree char *sql = g_strdup_printf ("UPDATE records SET %s = ?1 WHERE rowid = ?2", column);
  sqlite3 *db = raw_open (path);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, data, (int) len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, rowid);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
test_round_trip (void)
{
  g_autoptr (FoyerStore) store = open_store ("round-trip", "test-round-trip", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr (GBytes) got = NULL;
  guint64 size = 0;

  put_str (store, "spaces", "space-1", "{\"title\":\"Finance\"}");
  put_str (store, "messages", "space-1", "a message");
  put_str (store, "drive", "root", "listing");
  put_str (store, "messages", "space-2", "another");

  assert_value (store, "spaces", "space-1", "{\"title\":\"Finance\"}");
  /* The same key in another namespace is another record. */
  assert_value (store, "messages", "space-1", "a message");
  assert_value (store, "drive", "root", "listing");
  assert_value (store, "drive", "absent", NULL);
  assert_value (store, "nowhere", "space-1", NULL);

  /* Overwrite. */
  put_str (store, "spaces", "space-1", "{\"title\":\"Finance 2\"}");
  assert_value (store, "spaces", "space-1", "{\"title\":\"Finance 2\"}");

  /* Empty values and empty keys are values like any other. */
  g_assert_true (foyer_store_put (store, "drive", "", empty, &error));
  g_assert_no_error (error);
  got = foyer_store_get (store, "drive", "", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 0);

  /* List, sorted by key. */
  entries = foyer_store_list (store, "messages", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[0])->key, ==, "space-1");
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[1])->key, ==, "space-2");
  g_assert_cmpmem (g_bytes_get_data (((FoyerStoreEntry *) entries->pdata[1])->value, NULL),
                   g_bytes_get_size (((FoyerStoreEntry *) entries->pdata[1])->value), "another", 7);
  g_clear_pointer (&entries, g_ptr_array_unref);

  g_assert_true (foyer_store_get_namespace_size (store, "messages", &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 2 * FOYER_RECORD_OVERHEAD + 7 + 9 + 7 + 7);

  /* Delete one, then a namespace. */
  g_assert_true (foyer_store_delete (store, "messages", "space-1", &error));
  g_assert_no_error (error);
  assert_value (store, "messages", "space-1", NULL);
  assert_value (store, "messages", "space-2", "another");
  g_assert_true (foyer_store_delete (store, "messages", "never-there", &error));
  g_assert_no_error (error);

  g_assert_true (foyer_store_delete_namespace (store, "messages", &error));
  g_assert_no_error (error);
  entries = foyer_store_list (store, "messages", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  assert_value (store, "spaces", "space-1", "{\"title\":\"Finance 2\"}");
  assert_value (store, "drive", "root", "listing");
}

static void
test_default_path (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = foyer_store_open_sync (NULL, "test-default-path", NULL, &error);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), APP_ID, "store.db", NULL);
  g_autofree char *dir = g_path_get_dirname (expected);
  g_autofree char *wal = g_strconcat (expected, "-wal", NULL);
  GStatBuf st;

  g_assert_no_error (error);
  g_assert_cmpstr (foyer_store_get_path (store), ==, expected);
  put_str (store, "spaces", "k", "v");

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (expected, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* WAL mode, and the WAL is as private as the database. */
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_no_plaintext_on_disk (void)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (FoyerStore) store = open_store ("plaintext", "test-plaintext", &path);
  guint files = 0;

  dir = g_path_get_dirname (path);
  for (int i = 0; i < 50; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s/key-%d", MARKER, i);
      g_autofree char *value = g_strdup_printf ("%s/value-%d", MARKER, i);

      put_str (store, "thumbnails", key, value);
      put_str (store, "PLAINTEXT-NS-MARKER", "k", value);
    }
  assert_value (store, "thumbnails", MARKER "/key-7", MARKER "/value-7");
  g_assert_true (foyer_store_delete (store, "thumbnails", MARKER "/key-8", NULL));

  /* While open (the WAL holds the fresh pages) … */
  g_assert_cmpuint (store_test_scan_dir (dir, "PLAINTEXT-MARKER", &files), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "PLAINTEXT-NS-MARKER", NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "thumbnails", NULL), ==, 0);
  g_assert_cmpuint (files, >=, 2);

  /* … and once closed and checkpointed. */
  foyer_store_close (store);
  files = 0;
  g_assert_cmpuint (store_test_scan_dir (dir, "PLAINTEXT-MARKER", &files), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "contoso", NULL), ==, 0);
  g_assert_cmpuint (files, >=, 1);

  /* The scan itself works: a file holding the marker is found. */
  {
    g_autofree char *canary = g_build_filename (dir, "canary", NULL);

    g_assert_true (g_file_set_contents (canary, "xx" MARKER "yy", -1, NULL));
    g_assert_cmpuint (store_test_scan_dir (dir, "PLAINTEXT-MARKER", NULL), ==, 1);
    g_unlink (canary);
  }
}

static void
search_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  *(gboolean *) data = foyer_search_index_flush_finish (FOYER_SEARCH_INDEX (source), result, NULL);
}

/* The same scan over what uploads and search keep: an upload session URL
 * (a bearer capability), the picked file's name and path, and the search
 * index's copy of message text, file names, spaces and authors. */
static void
test_no_plaintext_uploads_and_search (void)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (FoyerStore) store = open_store ("plaintext-files", "test-plaintext-files", &path);
  g_autoptr (FoyerUploadRecord) record = foyer_upload_record_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (FoyerSearchIndex) index = NULL;
  const char *const markers[]
      = { "TEMPAUTH-MARKER", "UPLOADNAME-MARKER", "UPLOADPATH-MARKER", "CONTEXT-MARKER",
          "MESSAGE-MARKER",  "FILENAME-MARKER",   "SPACE-MARKER",      "AUTHOR-MARKER" };
  gboolean flushed = FALSE;

  dir = g_path_get_dirname (path);
  record->id = g_strdup ("upload-1");
  record->file_uri = g_strdup ("file:///home/alice/UPLOADPATH-MARKER/UPLOADNAME-MARKER.pptx");
  record->name = g_strdup ("UPLOADNAME-MARKER.pptx");
  record->size = 123456789;
  record->mtime_us = 1;
  record->context = g_strdup ("{\"space\":\"CONTEXT-MARKER\"}");
  record->upload_url = g_strdup (
      "https://contoso-my.sharepoint.com/personal/alice/_api/v2.0/uploadSession?guid='1'&tempauth="
      "TEMPAUTH-MARKER");
  bytes = foyer_upload_record_to_bytes (record);
  g_assert_true (foyer_store_put (store, FOYER_STORE_NS_UPLOADS, record->id, bytes, NULL));

  index = foyer_search_index_new (store);
  for (int i = 0; i < 600; i++)
    {
      g_autofree char *item = g_strdup_printf ("m%d", i);
      g_autoptr (FoyerSearchEntry) text
          = foyer_search_entry_new (FOYER_SEARCH_KIND_MESSAGE, "SPACE-MARKER", item, 1000 + i,
                                    "AUTHOR-MARKER", "the MESSAGE-MARKER of the day");
      g_autoptr (FoyerSearchEntry) file
          = foyer_search_entry_new (FOYER_SEARCH_KIND_FILE, "SPACE-MARKER", item, 1000 + i,
                                    "AUTHOR-MARKER", "FILENAME-MARKER.xlsx");

      foyer_search_index_add (index, text);
      foyer_search_index_add (index, file);
    }
  foyer_search_index_flush_async (index, NULL, search_done_cb, &flushed);
  while (!flushed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (foyer_search_index_get_n_entries (index), ==, 1200);

  /* While open, and once closed and checkpointed. */
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    g_assert_cmpuint (store_test_scan_dir (dir, markers[i], NULL), ==, 0);
  g_clear_object (&index);
  foyer_store_close (store);
  for (gsize i = 0; i < G_N_ELEMENTS (markers); i++)
    g_assert_cmpuint (store_test_scan_dir (dir, markers[i], NULL), ==, 0);
}

static void
test_tamper_flip (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("tamper-flip", "test-tamper-flip", &path);
  g_autoptr (GBytes) sealed = NULL;
  g_autofree guint8 *copy = NULL;
  gsize len;
  gint64 rowid;

  put_str (store, "spaces", "victim", "some value");
  put_str (store, "spaces", "bystander", "other value");
  g_assert_cmpint (raw_count (path), ==, 2);

  for (gsize offset_from_end = 1; offset_from_end <= 3; offset_from_end++)
    {
      /* Flip a byte of the tag, of the ciphertext, then of the nonce. */
      rowid = raw_rowid (store, path, "spaces", "victim");
      if (rowid < 0)
        put_str (store, "spaces", "victim", "some value");
      rowid = raw_rowid (store, path, "spaces", "victim");
      g_assert_cmpint (rowid, >=, 0);
      sealed = raw_get_column (path, rowid, "value");
      copy = g_memdup2 (g_bytes_get_data (sealed, &len), g_bytes_get_size (sealed));
      len = g_bytes_get_size (sealed);
      if (offset_from_end == 1)
        copy[len - 1] ^= 0x01;
      else if (offset_from_end == 2)
        copy[FOYER_RECORD_NONCE_LEN + 2] ^= 0x80;
      else
        copy[0] ^= 0x10;
      raw_set_column (path, rowid, "value", copy, len);
      g_clear_pointer (&copy, g_free);
      g_clear_pointer (&sealed, g_bytes_unref);

      assert_tampered (store, "spaces", "victim");
      g_assert_cmpint (raw_rowid (store, path, "spaces", "victim"), ==, -1);
      g_assert_cmpint (raw_count (path), ==, 1);
    }

  assert_value (store, "spaces", "bystander", "other value");
}

static void
test_tamper_swap (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("tamper-swap", "test-tamper-swap", &path);
  g_autoptr (GBytes) a = NULL;
  g_autoptr (GBytes) b = NULL;
  g_autoptr (GBytes) other_ns = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 row_a, row_b, row_c;

  put_str (store, "spaces", "alice", "alice's value");
  put_str (store, "spaces", "bob", "bob's value");
  put_str (store, "messages", "carol", "carol's value");

  /* Swap the sealed values of two keys of one namespace. */
  row_a = raw_rowid (store, path, "spaces", "alice");
  row_b = raw_rowid (store, path, "spaces", "bob");
  a = raw_get_column (path, row_a, "value");
  b = raw_get_column (path, row_b, "value");
  raw_set_column (path, row_a, "value", g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  raw_set_column (path, row_b, "value", g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  assert_tampered (store, "spaces", "alice");
  assert_tampered (store, "spaces", "bob");

  /* Move a record into another namespace (its lookup and namespace tag
   * along with it): listing that namespace drops it. */
  row_c = raw_rowid (store, path, "messages", "carol");
  put_str (store, "spaces", "dave", "dave's value");
  other_ns = raw_get_column (path, raw_rowid (store, path, "spaces", "dave"), "ns");
  raw_set_column (path, row_c, "ns", g_bytes_get_data (other_ns, NULL),
                  g_bytes_get_size (other_ns));
  entries = foyer_store_list (store, "spaces", NULL);
  g_assert_nonnull (entries);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[0])->key, ==, "dave");
  g_assert_cmpint (raw_count (path), ==, 1);
}

static void
test_tamper_truncate (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("tamper-truncate", "test-tamper-truncate", &path);
  const gsize keep[] = { 0, 5, FOYER_RECORD_OVERHEAD - 1, FOYER_RECORD_OVERHEAD, 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (keep); i++)
    {
      g_autoptr (GBytes) sealed = NULL;
      gint64 rowid;
      gsize len;

      put_str (store, "drive", "item", "a drive listing that is long enough");
      rowid = raw_rowid (store, path, "drive", "item");
      sealed = raw_get_column (path, rowid, "value");
      len = g_bytes_get_size (sealed);
      /* The last case drops only the final byte. */
      raw_set_column (path, rowid, "value", g_bytes_get_data (sealed, NULL),
                      i == G_N_ELEMENTS (keep) - 1 ? len - 1 : keep[i]);
      assert_tampered (store, "drive", "item");
    }
  g_assert_cmpint (raw_count (path), ==, 0);
}

static void
test_tamper_list (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("tamper-list", "test-tamper-list", &path);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  guint8 junk[40] = { 0 };

  put_str (store, "messages", "m1", "one");
  put_str (store, "messages", "m2", "two");
  put_str (store, "messages", "m3", "three");
  raw_set_column (path, raw_rowid (store, path, "messages", "m2"), "value", junk, sizeof junk);

  entries = foyer_store_list (store, "messages", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[0])->key, ==, "m1");
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[1])->key, ==, "m3");
  g_assert_cmpint (raw_count (path), ==, 2);
  assert_value (store, "messages", "m2", NULL);
}

static void
test_corrupt_file (void)
{
  g_autofree char *dir = store_test_make_dir ("corrupt");
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);
  g_autofree guint8 *garbage = g_malloc (16384);
  g_autofree char *kept = NULL;
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  gsize kept_len = 0;

  for (gsize i = 0; i < 16384; i++)
    garbage[i] = (guint8) (i * 131 + 7);
  g_assert_true (g_file_set_contents (path, (const char *) garbage, 16384, NULL));

  store = foyer_store_open_sync (path, "test-corrupt", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  entries = foyer_store_list (store, "spaces", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  put_str (store, "spaces", "fresh", "start");
  assert_value (store, "spaces", "fresh", "start");

  /* The damaged file was kept aside, untouched. */
  g_assert_true (g_file_get_contents (aside, &kept, &kept_len, NULL));
  g_assert_cmpmem (kept, kept_len, garbage, 16384);
}

static void
test_corrupt_header (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("corrupt-header", "test-corrupt-header", &path);
  g_autoptr (GError) error = NULL;
  g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);
  FILE *f;

  put_str (store, "spaces", "k", "v");
  foyer_store_close (store);
  g_clear_object (&store);

  /* Overwrite the SQLite header of a real store. */
  f = fopen (path, "r+b");
  g_assert_nonnull (f);
  fwrite ("this is not sqlite at all", 1, 25, f);
  fclose (f);

  store = foyer_store_open_sync (path, "test-corrupt-header", NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "spaces", "k", NULL);
  g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
}

static void
test_newer_version (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("newer-version", "test-newer-version", &path);
  g_autoptr (GError) error = NULL;
  g_autofree char *aside = NULL;
  sqlite3 *db;

  put_str (store, "spaces", "k", "v");
  foyer_store_close (store);
  g_clear_object (&store);

  db = raw_open (path);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  /* Refused, and left alone for the newer Foyer that wrote it. */
  store = foyer_store_open_sync (path, "test-newer-version", NULL, &error);
  g_assert_null (store);
  g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_UNSUPPORTED_VERSION);
  aside = g_strconcat (path, ".corrupt", NULL);
  g_assert_false (g_file_test (aside, G_FILE_TEST_EXISTS));
  g_assert_cmpint (raw_count (path), ==, 1);
}

static void
test_reopen (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("reopen", "test-reopen", &path);
  g_autoptr (GError) error = NULL;
  guint generation = foyer_device_key_get_generation (foyer_store_get_device_key (store));

  put_str (store, "spaces", "k", "persisted value");
  foyer_store_close (store);
  g_clear_object (&store);

  store = foyer_store_open_sync (path, "test-reopen", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (foyer_store_get_device_key (store)), ==,
                    generation);
  assert_value (store, "spaces", "k", "persisted value");
  g_clear_object (&store);

  /* Another profile has another device key: the same file yields nothing. */
  store = foyer_store_open_sync (path, "test-reopen-other", NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "spaces", "k", NULL);
  g_assert_cmpint (raw_count (path), ==, 0);
}

static void
test_wipe (void)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (FoyerStore) store = open_store ("wipe", "test-wipe", &path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint generation;
  gsize length;

  dir = g_path_get_dirname (path);
  backup = g_build_filename (dir, "backup.db", NULL);
  put_str (store, "spaces", "s", "space");
  put_str (store, "cookies", "jar", "cookies");
  put_str (store, "thumbnails", "t", "thumb");

  /* An old copy of the file, as a backup tool would have kept it. */
  foyer_store_close (store);
  g_clear_object (&store);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (backup, contents, length, NULL));

  store = foyer_store_open_sync (path, "test-wipe", NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "spaces", "s", "space");
  generation = foyer_device_key_get_generation (foyer_store_get_device_key (store));

  /* A damaged file moved aside earlier goes with the rest. */
  {
    g_autofree char *aside = g_strconcat (path, ".corrupt", NULL);

    g_assert_true (g_file_set_contents (aside, "old sealed records", -1, NULL));
    g_assert_true (foyer_store_wipe (store, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (aside, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpuint (foyer_device_key_get_generation (foyer_store_get_device_key (store)), ==,
                    generation + 1);
  assert_value (store, "spaces", "s", NULL);
  assert_value (store, "cookies", "jar", NULL);
  entries = foyer_store_list (store, "thumbnails", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
  g_assert_cmpint (raw_count (path), ==, 0);

  /* The store goes on working under the new generation, across a reopen. */
  put_str (store, "spaces", "after", "new");
  foyer_store_close (store);
  g_clear_object (&store);
  store = foyer_store_open_sync (path, "test-wipe", NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "spaces", "after", "new");
  g_clear_object (&store);

  /* The old copy cannot be read with the current key. */
  store = foyer_store_open_sync (backup, "test-wipe", NULL, &error);
  g_assert_no_error (error);
  assert_value (store, "spaces", "s", NULL);
  assert_value (store, "cookies", "jar", NULL);
  g_assert_cmpint (raw_count (backup), ==, 0);
}

static void
put_sized (FoyerStore *store, const char *key, gsize size)
{
  g_autofree guint8 *data = g_malloc0 (size);
  g_autoptr (GBytes) bytes = NULL;

  bytes = g_bytes_new_take (g_steal_pointer (&data), size);
  g_assert_true (foyer_store_put (store, "thumbnails", key, bytes, NULL));
}

static void
test_trim (void)
{
  g_autoptr (FoyerStore) store = open_store ("trim", "test-trim", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) touched = NULL;
  guint64 size = 0, record;
  char key[16];

  for (int i = 0; i < 10; i++)
    {
      g_snprintf (key, sizeof key, "t%d", i);
      put_sized (store, key, 1000);
    }
  put_str (store, "spaces", "untouched", "by trimming thumbnails");
  record = 1000 + 2 + FOYER_RECORD_OVERHEAD;
  g_assert_true (foyer_store_get_namespace_size (store, "thumbnails", &size, &error));
  g_assert_cmpuint (size, ==, 10 * record);

  /* Reading t0 makes it the most recently used. */
  touched = foyer_store_get (store, "thumbnails", "t0", &error);
  g_assert_nonnull (touched);

  g_assert_true (foyer_store_trim (store, "thumbnails", 5 * record + 10, &error));
  g_assert_no_error (error);
  g_assert_true (foyer_store_get_namespace_size (store, "thumbnails", &size, &error));
  g_assert_cmpuint (size, ==, 5 * record);

  for (int i = 0; i < 10; i++)
    {
      g_autoptr (GBytes) value = NULL;
      gboolean expect = i == 0 || i >= 6;

      g_snprintf (key, sizeof key, "t%d", i);
      value = foyer_store_get (store, "thumbnails", key, &error);
      g_assert_no_error (error);
      g_assert_true ((value != NULL) == expect);
    }
  assert_value (store, "spaces", "untouched", "by trimming thumbnails");

  g_assert_true (foyer_store_trim (store, "thumbnails", 0, &error));
  g_assert_true (foyer_store_get_namespace_size (store, "thumbnails", &size, &error));
  g_assert_cmpuint (size, ==, 0);
}

static void
test_expiry (void)
{
  g_autofree char *path = NULL;
  g_autoptr (FoyerStore) store = open_store ("expiry", "test-expiry", &path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = str_bytes ("a drive listing");
  g_autoptr (GPtrArray) entries = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  guint64 size = 0;

  g_assert_true (foyer_store_put_with_expiry (store, "drive", "stale", value, now - 10, &error));
  g_assert_true (foyer_store_put_with_expiry (store, "drive", "fresh", value, now + 3600, &error));
  g_assert_true (foyer_store_put_with_expiry (store, "drive", "stale2", value, now - 1, &error));
  g_assert_true (foyer_store_put_with_expiry (store, "drive", "forever", value, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_count (path), ==, 4);

  /* Listing leaves the stale ones out, reading one deletes it. */
  entries = foyer_store_list (store, "drive", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[0])->key, ==, "forever");
  g_assert_cmpstr (((FoyerStoreEntry *) entries->pdata[1])->key, ==, "fresh");
  assert_value (store, "drive", "stale", NULL);
  assert_value (store, "drive", "fresh", "a drive listing");
  g_assert_cmpint (raw_count (path), ==, 3);

  /* Trimming drops what expired even when the budget is not reached. */
  g_assert_true (foyer_store_trim (store, "drive", G_MAXUINT64, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_count (path), ==, 2);
  g_assert_true (foyer_store_get_namespace_size (store, "drive", &size, &error));
  g_assert_cmpuint (size, ==, 2 * (FOYER_RECORD_OVERHEAD + 15) + 5 + 7);

  /* Putting again without expiry makes a record permanent. */
  put_str (store, "drive", "fresh", "again");
  assert_value (store, "drive", "fresh", "again");
}

static void
test_migration (void)
{
  g_autofree char *dir = store_test_make_dir ("migration");
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean has_expires = FALSE;
  sqlite3 *db = NULL;

  /* A store as the first release wrote it (schema version 1). */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (
      sqlite3_exec (db,
                    "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);"
                    "CREATE TABLE records (lookup BLOB PRIMARY KEY NOT NULL, ns BLOB NOT NULL,"
                    " value BLOB NOT NULL, size INTEGER NOT NULL, used INTEGER NOT NULL);"
                    "CREATE INDEX records_by_ns ON records (ns, used);"
                    "PRAGMA user_version = 1;",
                    NULL, NULL, NULL),
      ==, SQLITE_OK);
  sqlite3_close (db);

  store = foyer_store_open_sync (path, "test-migration", NULL, &error);
  g_assert_no_error (error);
  put_str (store, "spaces", "k", "v");
  assert_value (store, "spaces", "k", "v");
  foyer_store_close (store);

  db = raw_open (path);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA table_info(records)", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    has_expires
        = has_expires || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "expires") == 0;
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_true (has_expires);
}

static void
test_closed (void)
{
  g_autoptr (FoyerStore) store = open_store ("closed", "test-closed", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = str_bytes ("v");

  foyer_store_close (store);
  g_assert_false (foyer_store_put (store, "spaces", "k", bytes, &error));
  g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED);
  g_clear_error (&error);
  g_assert_null (foyer_store_get (store, "spaces", "k", &error));
  g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED);
}

/* Asynchronous calls from the main loop while another thread writes. */

typedef struct
{
  FoyerStore *store;
  GMainLoop *loop;
  int pending;
  int puts_ok;
  int gets_ok;
  int writer_done;
} AsyncState;

static gpointer
writer_thread (gpointer data)
{
  AsyncState *state = data;

  for (int i = 0; i < 300; i++)
    {
      g_autofree char *key = g_strdup_printf ("w%d", i);
      g_autoptr (GBytes) value = g_bytes_new (key, strlen (key));
      g_autoptr (GBytes) back = NULL;

      g_assert_true (foyer_store_put (state->store, "messages", key, value, NULL));
      back = foyer_store_get (state->store, "messages", key, NULL);
      g_assert_true (g_bytes_equal (back, value));
    }
  g_atomic_int_set (&state->writer_done, 1);

  return NULL;
}

static void
async_put_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_store_put_finish (FOYER_STORE (object), result, &error));
  g_assert_no_error (error);
  state->puts_ok++;
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
async_get_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = foyer_store_get_finish (FOYER_STORE (object), result, &error);

  g_assert_no_error (error);
  /* Queued after its put: asynchronous calls run in order. */
  g_assert_nonnull (value);
  g_assert_cmpuint (g_bytes_get_size (value), ==, 30 * 1024);
  state->gets_ok++;
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
open_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;
  g_autoptr (GError) error = NULL;

  state->store = foyer_store_open_finish (result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (state->loop);
}

static gboolean
timeout_cb (gpointer data)
{
  g_error ("The asynchronous store calls did not finish: deadlock?");
  return G_SOURCE_REMOVE;
}

static void
test_async (void)
{
  g_autofree char *dir = store_test_make_dir ("async");
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree guint8 *blob = g_malloc (30 * 1024);
  g_autoptr (GBytes) bytes = NULL;
  AsyncState state = { 0 };
  GThread *writer;
  guint timeout;

  state.loop = g_main_loop_new (NULL, FALSE);
  timeout = g_timeout_add_seconds (45, timeout_cb, NULL);

  foyer_store_open_async (path, "test-async", NULL, open_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_nonnull (state.store);

  for (gsize i = 0; i < 30 * 1024; i++)
    blob[i] = (guint8) i;
  bytes = g_bytes_new_take (g_steal_pointer (&blob), 30 * 1024);

  writer = g_thread_new ("writer", writer_thread, &state);
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("thumb-%d", i);

      state.pending += 2;
      foyer_store_put_async (state.store, "thumbnails", key, bytes, NULL, async_put_cb, &state);
      foyer_store_get_async (state.store, "thumbnails", key, NULL, async_get_cb, &state);
    }
  g_main_loop_run (state.loop);
  g_thread_join (writer);

  g_assert_cmpint (state.puts_ok, ==, 100);
  g_assert_cmpint (state.gets_ok, ==, 100);
  g_assert_cmpint (g_atomic_int_get (&state.writer_done), ==, 1);

  g_source_remove (timeout);
  g_clear_object (&state.store);
  g_main_loop_unref (state.loop);
}

static void
cancelled_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_false (foyer_store_put_finish (FOYER_STORE (object), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *done = TRUE;
}

static void
test_async_cancelled (void)
{
  g_autoptr (FoyerStore) store = open_store ("async-cancel", "test-async-cancel", NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GBytes) bytes = str_bytes ("never written");
  gboolean done = FALSE;

  g_cancellable_cancel (cancellable);
  foyer_store_put_async (store, "spaces", "k", bytes, cancellable, cancelled_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  assert_value (store, "spaces", "k", NULL);
}

static void
drain_put_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_assert_true (foyer_store_put_finish (FOYER_STORE (source), result, NULL));
  (*(guint *) user_data)++;
}

/* After drain, everything queued has been written, without running the
 * main loop: what the app needs before the process exits. */
static void
test_drain (void)
{
  g_autoptr (FoyerStore) store = open_store ("drain", "test-drain", NULL);
  guint done = 0;

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autoptr (GBytes) value = g_bytes_new (key, strlen (key));

      foyer_store_put_async (store, "drain", key, value, NULL, drain_put_cb, &done);
    }
  foyer_store_drain (store);
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *key = g_strdup_printf ("k%u", i);
      g_autoptr (GBytes) value = foyer_store_get (store, "drain", key, NULL);

      g_assert_nonnull (value);
    }
  /* The completions are delivered on the main context afterwards. */
  while (done < 200)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/round-trip", test_round_trip);
  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/no-plaintext-on-disk", test_no_plaintext_on_disk);
  g_test_add_func ("/store/no-plaintext-on-disk/uploads-and-search",
                   test_no_plaintext_uploads_and_search);
  g_test_add_func ("/store/tamper/flip", test_tamper_flip);
  g_test_add_func ("/store/tamper/swap", test_tamper_swap);
  g_test_add_func ("/store/tamper/truncate", test_tamper_truncate);
  g_test_add_func ("/store/tamper/list", test_tamper_list);
  g_test_add_func ("/store/corrupt/garbage-file", test_corrupt_file);
  g_test_add_func ("/store/corrupt/header", test_corrupt_header);
  g_test_add_func ("/store/newer-version", test_newer_version);
  g_test_add_func ("/store/reopen", test_reopen);
  g_test_add_func ("/store/wipe", test_wipe);
  g_test_add_func ("/store/trim", test_trim);
  g_test_add_func ("/store/expiry", test_expiry);
  g_test_add_func ("/store/migration", test_migration);
  g_test_add_func ("/store/closed", test_closed);
  g_test_add_func ("/store/async/concurrent", test_async);
  g_test_add_func ("/store/async/cancelled", test_async_cancelled);

  g_test_add_func ("/store/drain", test_drain);

  return g_test_run ();
}
