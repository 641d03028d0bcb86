/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-store.h"
#include "foyer-store-private.h"

#include "foyer-record-cipher.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

struct _FoyerStore
{
  GObject parent_instance;

  /* Guards everything below: one SQLite connection, used by one thread at a time. */
  GMutex lock;
  sqlite3 *db;
  GHashTable *statements;
  FoyerRecordCipher *cipher;
  gint64 clock;

  char *path; /* NULL when the store lives in memory */
  FoyerDeviceKey *key;
  GThreadPool *pool;
};

G_DEFINE_FINAL_TYPE (FoyerStore, foyer_store, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATH,
  PROP_PROFILE,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Each entry brings the schema from version i to version i + 1. */
static const char *const migrations[] = {
  "CREATE TABLE meta (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);"
  "CREATE TABLE records (lookup BLOB PRIMARY KEY NOT NULL, ns BLOB NOT NULL,"
  "                      value BLOB NOT NULL, size INTEGER NOT NULL, used INTEGER NOT NULL);"
  "CREATE INDEX records_by_ns ON records (ns, used);",
  /* Unix seconds after which a record reads as absent; 0: never. */
  "ALTER TABLE records ADD COLUMN expires INTEGER NOT NULL DEFAULT 0;",
};

#define SQL_PUT                                                                                    \
  "INSERT OR REPLACE INTO records (lookup, ns, value, size, used, expires)"                        \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
#define SQL_GET    "SELECT value, expires FROM records WHERE lookup = ?1"
#define SQL_TOUCH  "UPDATE records SET used = ?2 WHERE lookup = ?1"
#define SQL_DELETE "DELETE FROM records WHERE lookup = ?1"
#define SQL_LIST                                                                                   \
  "SELECT rowid, lookup, value FROM records WHERE ns = ?1 AND (expires = 0 OR expires > ?2)"
#define SQL_PURGE      "DELETE FROM records WHERE ns = ?1 AND expires != 0 AND expires <= ?2"
#define SQL_DELETE_ROW "DELETE FROM records WHERE rowid = ?1"
#define SQL_DELETE_NS  "DELETE FROM records WHERE ns = ?1"
#define SQL_SIZE       "SELECT COALESCE(SUM(size), 0) FROM records WHERE ns = ?1"
#define SQL_BY_RECENCY "SELECT lookup, size FROM records WHERE ns = ?1 ORDER BY used DESC"

void
foyer_store_entry_free (FoyerStoreEntry *entry)
{
  if (entry == NULL)
    return;
  if (entry->key != NULL)
    OPENSSL_cleanse (entry->key, strlen (entry->key));
  g_free (entry->key);
  g_clear_pointer (&entry->value, g_bytes_unref);
  g_free (entry);
}

static gboolean
set_sqlite_error (GError **error, sqlite3 *db, int rc)
{
  int primary = rc & 0xff;

  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CORRUPT,
                 _ ("The local data file is damaged: %s"),
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  else
    g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                 _ ("Could not read or write local data: %s"),
                 db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));

  return FALSE;
}

static gboolean
exec_sql (sqlite3 *db, const char *sql, GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, db, rc);

  return TRUE;
}

static gboolean
check_open (FoyerStore *self, GError **error)
{
  if (self->db != NULL)
    return TRUE;

  g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED,
               _ ("The local data store is closed"));
  return FALSE;
}

/* Statements are prepared once and kept; the caller resets them with done(). */
static sqlite3_stmt *
statement (FoyerStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc);
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);

  return stmt;
}

static void
done (sqlite3_stmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

static gboolean
step_done (FoyerStore *self, sqlite3_stmt *stmt, GError **error)
{
  int rc = sqlite3_step (stmt);

  done (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc);

  return TRUE;
}

static gboolean
get_user_version (sqlite3 *db, int *out_version, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_version = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, db, rc);

  return TRUE;
}

static gboolean
migrate (sqlite3 *db, GError **error)
{
  int version = 0;

  if (!get_user_version (db, &version, error))
    return FALSE;

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_UNSUPPORTED_VERSION,
                   _ ("The local data was written by a newer version of Foyer"));
      return FALSE;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (db, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], error) || !exec_sql (db, bump, error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      if (!exec_sql (db, "COMMIT", error))
        return FALSE;
    }

  return TRUE;
}

/* Rows sealed under another device key (the keyring was reset, or a wipe
 * was interrupted) can never be read again: drop them at once. */
static gboolean
check_device_key (FoyerStore *self, gboolean announce, GError **error)
{
  guint8 check[FOYER_RECORD_INDEX_LEN];
  sqlite3_stmt *stmt = NULL;
  gboolean matches = FALSE, present = FALSE;
  int rc;

  foyer_record_cipher_key_check (self->cipher, check);

  rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE name = 'key_check'", -1, &stmt,
                           NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      present = TRUE;
      matches = sqlite3_column_bytes (stmt, 0) == FOYER_RECORD_INDEX_LEN
                && CRYPTO_memcmp (sqlite3_column_blob (stmt, 0), check, sizeof check) == 0;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc);

  if (matches)
    return TRUE;

  if (present && announce)
    g_message ("The local data was sealed under another device key; dropping it");

  if (!exec_sql (self->db, "BEGIN IMMEDIATE; DELETE FROM records", error))
    return FALSE;

  rc = sqlite3_prepare_v2 (self->db,
                           "INSERT OR REPLACE INTO meta (name, value) VALUES ('key_check', ?1)", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_blob (stmt, 1, check, sizeof check, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return exec_sql (self->db, "COMMIT", error);
}

static gboolean
read_clock (FoyerStore *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, "SELECT COALESCE(MAX(used), 0) FROM records", -1, &stmt,
                               NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    self->clock = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc);

  return TRUE;
}

static gboolean
prepare_file (const char *path, gboolean is_default, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd, saved;

  if (g_mkdir_with_parents (dir, 0700) != 0 || (is_default && g_chmod (dir, 0700) != 0))
    {
      saved = errno;
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                   _ ("Could not create the folder for local data “%s”: %s"), dir,
                   g_strerror (saved));
      return FALSE;
    }

  /* Create the file before SQLite does, so it is never readable by others;
   * SQLite gives the -wal and -shm files the same mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || fchmod (fd, 0600) != 0)
    {
      saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                   _ ("Could not open the local data file “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  return TRUE;
}

static void
move_aside (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (path, ".corrupt", suffixes[i], NULL);

      if (g_rename (from, to) != 0 && errno != ENOENT)
        g_unlink (from);
    }
}

static void
remove_moved_aside (const char *path)
{
  static const char *const suffixes[] = { "", "-wal", "-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *aside = g_strconcat (path, ".corrupt", suffixes[i], NULL);

      g_unlink (aside);
    }
}

static void
close_db (FoyerStore *self)
{
  g_hash_table_remove_all (self->statements);
  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      if (rc != SQLITE_OK)
        g_critical ("Could not close the local store: %s", sqlite3_errstr (rc));
      self->db = NULL;
    }
}

static gboolean
open_db (FoyerStore *self, GError **error)
{
  const char *filename = self->path != NULL ? self->path : ":memory:";
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc;

  rc = sqlite3_open_v2 (filename, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc);
      close_db (self);
      return FALSE;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  /* Another connection (a second instance, a backup tool) may hold a lock for a moment. */
  sqlite3_busy_timeout (self->db, 5000);

  /* secure_delete zeroes freed pages; temp_store keeps sorts and VACUUM's
   * scratch copy off the disk. */
  if (!exec_sql (self->db,
                 "PRAGMA secure_delete = ON;"
                 "PRAGMA temp_store = MEMORY;"
                 "PRAGMA trusted_schema = OFF;",
                 error)
      || (self->path != NULL
          && !exec_sql (self->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", error))
      || !migrate (self->db, error) || !check_device_key (self, TRUE, error)
      || !read_clock (self, error))
    {
      close_db (self);
      return FALSE;
    }

  return TRUE;
}

static void
foyer_store_finalize (GObject *object)
{
  FoyerStore *self = FOYER_STORE (object);

  foyer_store_close (self);
  /* Not waiting: the last reference may be dropped on the pool's own thread. */
  g_thread_pool_free (self->pool, FALSE, FALSE);
  g_hash_table_unref (self->statements);
  g_clear_pointer (&self->cipher, foyer_record_cipher_free);
  g_clear_object (&self->key);
  g_free (self->path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (foyer_store_parent_class)->finalize (object);
}

static void
foyer_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerStore *self = FOYER_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, foyer_store_get_profile (self));
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, foyer_store_is_persistent (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_store_class_init (FoyerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = foyer_store_finalize;
  object_class->get_property = foyer_store_get_property;

  properties[PROP_PATH]
      = g_param_spec_string ("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
foyer_store_init (FoyerStore *self)
{
  g_mutex_init (&self->lock);
  self->statements
      = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, finalize_statement);
  /* One thread, so asynchronous calls run in the order they were made. */
  self->pool = g_thread_pool_new (_foyer_store_worker_run, NULL, 1, FALSE, NULL);
}

char *
foyer_store_get_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), APP_ID, "store.db", NULL);
}

/* Opens the store at path (NULL: the default path) sealed under key. With a
 * key that is not persistent the store lives in memory and path is unused:
 * nothing of this run may reach the disk. */
FoyerStore *
foyer_store_open_with_key (const char *path, FoyerDeviceKey *key, GError **error)
{
  g_autoptr (FoyerStore) self = NULL;
  g_autoptr (GError) local_error = NULL;
  guint8 raw[FOYER_DEVICE_KEY_LENGTH];

  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (key), NULL);

  self = g_object_new (FOYER_TYPE_STORE, NULL);
  self->key = g_object_ref (key);
  foyer_device_key_copy_bytes (key, raw);
  self->cipher = foyer_record_cipher_new (raw, sizeof raw);
  OPENSSL_cleanse (raw, sizeof raw);

  if (foyer_device_key_is_persistent (key))
    {
      self->path = path != NULL ? g_strdup (path) : foyer_store_get_default_path ();
      if (!prepare_file (self->path, path == NULL, error))
        return NULL;
    }

  if (open_db (self, &local_error))
    return g_steal_pointer (&self);

  if (self->path == NULL
      || !g_error_matches (local_error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* A damaged file must not keep the app from starting: keep it for a
   * post-mortem (it holds only sealed records) and start empty. */
  g_message ("The local data file %s is damaged (%s); moving it aside", self->path,
             local_error->message);
  move_aside (self->path);
  if (!prepare_file (self->path, path == NULL, error) || !open_db (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

FoyerStore *
foyer_store_open_sync (const char *path,
                       const char *profile,
                       GCancellable *cancellable,
                       GError **error)
{
  g_autoptr (FoyerDeviceKey) key = NULL;

  g_return_val_if_fail (profile != NULL && *profile != '\0', NULL);

  key = foyer_device_key_load_sync (profile, cancellable, error);
  if (key == NULL)
    return NULL;

  return foyer_store_open_with_key (path, key, error);
}

typedef struct
{
  char *path;
  char *profile;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->path);
  g_free (data->profile);
  g_free (data);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  FoyerStore *store = foyer_store_open_sync (data->path, data->profile, cancellable, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
foyer_store_open_async (const char *path,
                        const char *profile,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  OpenData *data;

  g_return_if_fail (profile != NULL && *profile != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (OpenData, 1);
  data->path = g_strdup (path);
  data->profile = g_strdup (profile);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_store_open_async);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

FoyerStore *
foyer_store_open_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == foyer_store_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Closes the database (checkpointing the WAL into the main file). Later
 * calls fail with FOYER_STORE_ERROR_CLOSED. */
void
foyer_store_close (FoyerStore *self)
{
  g_return_if_fail (FOYER_IS_STORE (self));

  g_mutex_lock (&self->lock);
  close_db (self);
  g_mutex_unlock (&self->lock);
}

const char *
foyer_store_get_path (FoyerStore *self)
{
  g_return_val_if_fail (FOYER_IS_STORE (self), NULL);

  return self->path;
}

const char *
foyer_store_get_profile (FoyerStore *self)
{
  g_return_val_if_fail (FOYER_IS_STORE (self), NULL);

  return foyer_device_key_get_profile (self->key);
}

gboolean
foyer_store_is_persistent (FoyerStore *self)
{
  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);

  return foyer_device_key_is_persistent (self->key);
}

FoyerDeviceKey *
foyer_store_get_device_key (FoyerStore *self)
{
  g_return_val_if_fail (FOYER_IS_STORE (self), NULL);

  return self->key;
}

static gint64
now_unix (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
put_locked (FoyerStore *self,
            const char *ns,
            const char *key,
            GBytes *value,
            gint64 expires,
            GError **error)
{
  guint8 lookup[FOYER_RECORD_INDEX_LEN], tag[FOYER_RECORD_INDEX_LEN];
  g_autoptr (GBytes) sealed = NULL;
  sqlite3_stmt *stmt;
  const guint8 *data;
  gsize len;

  if (!check_open (self, error) || (stmt = statement (self, SQL_PUT, error)) == NULL)
    return FALSE;

  foyer_record_cipher_lookup (self->cipher, ns, key, lookup);
  foyer_record_cipher_namespace_tag (self->cipher, ns, tag);
  sealed = foyer_record_cipher_seal (self->cipher, ns, lookup, key, value, error);
  if (sealed == NULL)
    return FALSE;

  data = g_bytes_get_data (sealed, &len);
  sqlite3_bind_blob (stmt, 1, lookup, sizeof lookup, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 2, tag, sizeof tag, SQLITE_TRANSIENT);
  sqlite3_bind_blob (stmt, 3, data, (int) len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, (sqlite3_int64) len);
  sqlite3_bind_int64 (stmt, 5, ++self->clock);
  sqlite3_bind_int64 (stmt, 6, MAX (expires, 0));

  return step_done (self, stmt, error);
}

static gboolean
delete_lookup_locked (FoyerStore *self, const guint8 lookup[FOYER_RECORD_INDEX_LEN], GError **error)
{
  sqlite3_stmt *stmt = statement (self, SQL_DELETE, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, lookup, FOYER_RECORD_INDEX_LEN, SQLITE_TRANSIENT);

  return step_done (self, stmt, error);
}

static GBytes *
get_locked (FoyerStore *self, const char *ns, const char *key, GError **error)
{
  guint8 lookup[FOYER_RECORD_INDEX_LEN];
  g_autoptr (GBytes) value = NULL;
  g_autoptr (GError) open_error = NULL;
  sqlite3_stmt *stmt;
  gint64 expires;
  int rc;

  if (!check_open (self, error) || (stmt = statement (self, SQL_GET, error)) == NULL)
    return NULL;

  foyer_record_cipher_lookup (self->cipher, ns, key, lookup);
  sqlite3_bind_blob (stmt, 1, lookup, sizeof lookup, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      done (stmt);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc);
      done (stmt);
      return NULL;
    }

  expires = sqlite3_column_int64 (stmt, 1);
  if (expires != 0 && expires <= now_unix ())
    {
      done (stmt);
      delete_lookup_locked (self, lookup, NULL);
      return NULL;
    }

  foyer_record_cipher_open (self->cipher, ns, lookup, sqlite3_column_blob (stmt, 0),
                            (gsize) sqlite3_column_bytes (stmt, 0), NULL, &value, &open_error);
  done (stmt);

  if (value == NULL)
    {
      g_debug ("Dropping a record of “%s” that failed authentication", ns);
      delete_lookup_locked (self, lookup, NULL);
      g_propagate_error (error, g_steal_pointer (&open_error));
      return NULL;
    }

  stmt = statement (self, SQL_TOUCH, NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_blob (stmt, 1, lookup, sizeof lookup, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, ++self->clock);
      step_done (self, stmt, NULL);
    }

  return g_steal_pointer (&value);
}

static int
compare_entries (gconstpointer a, gconstpointer b)
{
  const FoyerStoreEntry *ea = *(FoyerStoreEntry *const *) a;
  const FoyerStoreEntry *eb = *(FoyerStoreEntry *const *) b;

  return strcmp (ea->key, eb->key);
}

static GPtrArray *
list_locked (FoyerStore *self, const char *ns, GError **error)
{
  guint8 tag[FOYER_RECORD_INDEX_LEN];
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GArray) tampered = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!check_open (self, error) || (stmt = statement (self, SQL_LIST, error)) == NULL)
    return NULL;

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_store_entry_free);
  tampered = g_array_new (FALSE, FALSE, sizeof (sqlite3_int64));
  foyer_record_cipher_namespace_tag (self->cipher, ns, tag);
  sqlite3_bind_blob (stmt, 1, tag, sizeof tag, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now_unix ());

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      sqlite3_int64 rowid = sqlite3_column_int64 (stmt, 0);
      const guint8 *lookup = sqlite3_column_blob (stmt, 1);
      g_autoptr (FoyerStoreEntry) entry = g_new0 (FoyerStoreEntry, 1);

      if (sqlite3_column_bytes (stmt, 1) != FOYER_RECORD_INDEX_LEN
          || !foyer_record_cipher_open (self->cipher, ns, lookup, sqlite3_column_blob (stmt, 2),
                                        (gsize) sqlite3_column_bytes (stmt, 2), &entry->key,
                                        &entry->value, NULL))
        {
          g_array_append_val (tampered, rowid);
          continue;
        }
      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }
  done (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc);
      return NULL;
    }

  for (guint i = 0; i < tampered->len; i++)
    {
      sqlite3_stmt *del = statement (self, SQL_DELETE_ROW, NULL);

      if (del == NULL)
        break;
      sqlite3_bind_int64 (del, 1, g_array_index (tampered, sqlite3_int64, i));
      step_done (self, del, NULL);
    }
  if (tampered->len > 0)
    g_debug ("Dropped %u records of “%s” that failed authentication", tampered->len, ns);

  g_ptr_array_sort (entries, compare_entries);

  return g_steal_pointer (&entries);
}

static gboolean
delete_namespace_locked (FoyerStore *self, const char *ns, GError **error)
{
  guint8 tag[FOYER_RECORD_INDEX_LEN];
  sqlite3_stmt *stmt;

  if (!check_open (self, error) || (stmt = statement (self, SQL_DELETE_NS, error)) == NULL)
    return FALSE;

  foyer_record_cipher_namespace_tag (self->cipher, ns, tag);
  sqlite3_bind_blob (stmt, 1, tag, sizeof tag, SQLITE_TRANSIENT);

  return step_done (self, stmt, error);
}

static gboolean
namespace_size_locked (FoyerStore *self, const char *ns, guint64 *out_bytes, GError **error)
{
  guint8 tag[FOYER_RECORD_INDEX_LEN];
  sqlite3_stmt *stmt;
  int rc;

  if (!check_open (self, error) || (stmt = statement (self, SQL_SIZE, error)) == NULL)
    return FALSE;

  foyer_record_cipher_namespace_tag (self->cipher, ns, tag);
  sqlite3_bind_blob (stmt, 1, tag, sizeof tag, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out_bytes = (guint64) sqlite3_column_int64 (stmt, 0);
  done (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc);

  return TRUE;
}

static gboolean
trim_locked (FoyerStore *self, const char *ns, guint64 max_bytes, GError **error)
{
  guint8 tag[FOYER_RECORD_INDEX_LEN];
  g_autoptr (GPtrArray) evict = NULL;
  sqlite3_stmt *stmt, *purge;
  guint64 total = 0;
  gboolean over = FALSE;
  int rc;

  if (!check_open (self, error) || (stmt = statement (self, SQL_BY_RECENCY, error)) == NULL
      || (purge = statement (self, SQL_PURGE, error)) == NULL)
    return FALSE;
  if (!exec_sql (self->db, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* Expired records go first, whatever the budget. */
  foyer_record_cipher_namespace_tag (self->cipher, ns, tag);
  sqlite3_bind_blob (purge, 1, tag, sizeof tag, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (purge, 2, now_unix ());
  if (!step_done (self, purge, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  /* Keep the most recently used records while they fit, drop the rest. */
  evict = g_ptr_array_new_with_free_func (g_free);
  sqlite3_bind_blob (stmt, 1, tag, sizeof tag, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      total += (guint64) sqlite3_column_int64 (stmt, 1);
      over = over || total > max_bytes;
      if (over && sqlite3_column_bytes (stmt, 0) == FOYER_RECORD_INDEX_LEN)
        g_ptr_array_add (evict, g_memdup2 (sqlite3_column_blob (stmt, 0), FOYER_RECORD_INDEX_LEN));
    }
  done (stmt);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc);
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  for (guint i = 0; i < evict->len; i++)
    {
      if (!delete_lookup_locked (self, evict->pdata[i], error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return exec_sql (self->db, "COMMIT", error);
}

static gboolean
wipe_locked (FoyerStore *self, GError **error)
{
  guint8 raw[FOYER_DEVICE_KEY_LENGTH];

  if (!check_open (self, error))
    return FALSE;

  /* secure_delete zeroes the freed pages, VACUUM rebuilds the file and the
   * checkpoint empties the WAL, so no sealed record is left anywhere. */
  if (!exec_sql (self->db, "DELETE FROM records", error))
    return FALSE;
  g_hash_table_remove_all (self->statements);
  if (!exec_sql (self->db, "VACUUM", error))
    return FALSE;
  if (self->path != NULL && !exec_sql (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", error))
    return FALSE;
  self->clock = 0;
  if (self->path != NULL)
    remove_moved_aside (self->path);

  /* A new key generation makes a copy of the old file (a backup, the
   * .corrupt file) unreadable as well. */
  if (!foyer_device_key_rotate_sync (self->key, NULL, error))
    return FALSE;

  foyer_device_key_copy_bytes (self->key, raw);
  g_clear_pointer (&self->cipher, foyer_record_cipher_free);
  self->cipher = foyer_record_cipher_new (raw, sizeof raw);
  OPENSSL_cleanse (raw, sizeof raw);

  return check_device_key (self, FALSE, error);
}

#define LOCKED(self, expr)                                                                         \
  G_STMT_START                                                                                     \
  {                                                                                                \
    g_mutex_lock (&(self)->lock);                                                                  \
    ret = (expr);                                                                                  \
    g_mutex_unlock (&(self)->lock);                                                                \
  }                                                                                                \
  G_STMT_END

gboolean
foyer_store_put (FoyerStore *self, const char *ns, const char *key, GBytes *value, GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0' && key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  LOCKED (self, put_locked (self, ns, key, value, 0, error));
  return ret;
}

/* Like foyer_store_put(), for a value that is stale after expires (Unix
 * seconds; 0 for never): from then on it reads as absent and is deleted. */
gboolean
foyer_store_put_with_expiry (FoyerStore *self,
                             const char *ns,
                             const char *key,
                             GBytes *value,
                             gint64 expires,
                             GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0' && key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  LOCKED (self, put_locked (self, ns, key, value, expires, error));
  return ret;
}

/* Returns NULL without an error when there is no such record. */
GBytes *
foyer_store_get (FoyerStore *self, const char *ns, const char *key, GError **error)
{
  GBytes *ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), NULL);
  g_return_val_if_fail (ns != NULL && *ns != '\0' && key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  LOCKED (self, get_locked (self, ns, key, error));
  return ret;
}

gboolean
foyer_store_delete (FoyerStore *self, const char *ns, const char *key, GError **error)
{
  guint8 lookup[FOYER_RECORD_INDEX_LEN];
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0' && key != NULL, FALSE);

  g_mutex_lock (&self->lock);
  ret = check_open (self, error);
  if (ret)
    {
      foyer_record_cipher_lookup (self->cipher, ns, key, lookup);
      ret = delete_lookup_locked (self, lookup, error);
    }
  g_mutex_unlock (&self->lock);

  return ret;
}

/* Every readable record of ns as FoyerStoreEntry, sorted by key; records
 * that fail authentication are deleted and left out. */
GPtrArray *
foyer_store_list (FoyerStore *self, const char *ns, GError **error)
{
  GPtrArray *ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), NULL);
  g_return_val_if_fail (ns != NULL && *ns != '\0', NULL);

  LOCKED (self, list_locked (self, ns, error));
  return ret;
}

gboolean
foyer_store_delete_namespace (FoyerStore *self, const char *ns, GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0', FALSE);

  LOCKED (self, delete_namespace_locked (self, ns, error));
  return ret;
}

/* Drops the expired records of ns, then the least recently used ones
 * (written or read) until the sealed records of ns take at most max_bytes. */
gboolean
foyer_store_trim (FoyerStore *self, const char *ns, guint64 max_bytes, GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0', FALSE);

  LOCKED (self, trim_locked (self, ns, max_bytes, error));
  return ret;
}

/* The bytes the sealed records of ns take (values, keys and overhead). */
gboolean
foyer_store_get_namespace_size (FoyerStore *self,
                                const char *ns,
                                guint64 *out_bytes,
                                GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);
  g_return_val_if_fail (ns != NULL && *ns != '\0' && out_bytes != NULL, FALSE);

  LOCKED (self, namespace_size_locked (self, ns, out_bytes, error));
  return ret;
}

/* Sign-out: deletes every record, compacts the file and moves the device
 * key to a new generation. Talks to the Secret Service: from the main
 * thread use foyer_store_wipe_async(). */
gboolean
foyer_store_wipe (FoyerStore *self, GError **error)
{
  gboolean ret;

  g_return_val_if_fail (FOYER_IS_STORE (self), FALSE);

  LOCKED (self, wipe_locked (self, error));
  return ret;
}

GThreadPool *
_foyer_store_get_worker (FoyerStore *self)
{
  return self->pool;
}
