/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service's own secrets, kept out of its data folder.
 *
 * A copy of the data folder (a backup, a stolen disk) must not be enough
 * to read anything: the KMS master key, which wraps every content key in
 * kms.db, and the token signing key, with which anyone could sign in as
 * anyone, live elsewhere:
 *
 * - the master key comes from --master-key-file FILE, else the
 *   FOYER_SERVICE_MASTER_KEY environment variable, else a systemd
 *   credential ($CREDENTIALS_DIRECTORY/kms-master.key, LoadCredential=),
 *   else the key folder, where it is made on the first start;
 * - the signing key comes from a systemd credential
 *   (token-signing-key.jwk) or the key folder;
 * - the key folder is --key-dir DIR, by default the data folder's sibling
 *   "<data-dir>.keys" (0700): zero setup, and a copy of the data folder
 *   alone holds neither key.
 *
 * An install from before keeps its keys in the data folder: they are
 * moved to the key folder at start, and the log says so.
 *
 * A master key source may hold several keys, one per line (or separated
 * by commas in the environment), newest first. Each stored key records
 * which master key wraps it (its "kek", a fingerprint). New keys are
 * wrapped with the key kms.db names as current (meta "current_kek", set
 * by a rotation), else the first; any of them unwraps. `foyer-service kms
 * rotate-master-key` makes a new master key, re-wraps every stored key
 * under it in small transactions while the service keeps serving (it
 * reads a changed key file again when it meets a fingerprint it does not
 * know), and then drops the old key from the file.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <sys/stat.h>

#define MASTER_KEY_FILE  "kms-master.key"
#define SIGNING_KEY_FILE "token-signing-key.jwk"
#define REWRAP_BATCH     256

typedef struct
{
  guint8 key[32];
  char id[17];
} MasterKey;

struct _FoyerSvcMasterKeys
{
  char *path;        /* the file the keys come from; NULL for the environment */
  char *description; /* for messages */
  GArray *keys;      /* MasterKey, newest first */
};

static gboolean fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (GError **error, const char *format, ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, text);
  return FALSE;
}

/* ---- the key folder ---- */

char *
foyer_svc_default_key_dir (const char *data_dir)
{
  g_autofree char *canonical = g_canonicalize_filename (data_dir, NULL);

  return g_strconcat (canonical, ".keys", NULL);
}

/* TRUE when path is dir or inside it (both made absolute and clean). */
static gboolean
is_within (const char *path, const char *dir)
{
  g_autofree char *p = g_canonicalize_filename (path, NULL);
  g_autofree char *d = g_canonicalize_filename (dir, NULL);
  char real_p[PATH_MAX], real_d[PATH_MAX];

  /* Follow links where the paths exist, so a link into the data folder
   * counts as inside it. */
  if (realpath (p, real_p) != NULL)
    {
      g_free (p);
      p = g_strdup (real_p);
    }
  if (realpath (d, real_d) != NULL)
    {
      g_free (d);
      d = g_strdup (real_d);
    }
  return strcmp (p, d) == 0 || (g_str_has_prefix (p, d) && p[strlen (d)] == '/');
}

static char *
key_dir_for (const char *data_dir, const char *key_dir, GError **error)
{
  g_autofree char *dir = key_dir != NULL ? g_canonicalize_filename (key_dir, NULL)
                                         : foyer_svc_default_key_dir (data_dir);

  if (is_within (dir, data_dir))
    {
      fail (error,
            "The key folder %s is inside the data folder %s: keep the keys apart, so that "
            "a copy of the data alone decrypts nothing",
            dir, data_dir);
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      fail (error, "Cannot create the key folder %s: %s", dir, g_strerror (errno));
      return NULL;
    }
  g_chmod (dir, 0700);
  return g_steal_pointer (&dir);
}

/* A file only its owner may read (as for SSH keys). */
static gboolean
check_private (const char *path, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return fail (error, "Cannot read %s: %s", path, g_strerror (errno));
  if ((st.st_mode & 077) != 0)
    return fail (error, "%s is readable by others; make it 0600 (chmod 600)", path);
  return TRUE;
}

static gboolean
same_contents (const char *a, const char *b)
{
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;
  gsize xl = 0, yl = 0;
  gboolean same;

  if (!g_file_get_contents (a, &x, &xl, NULL) || !g_file_get_contents (b, &y, &yl, NULL))
    return FALSE;
  same = xl == yl && CRYPTO_memcmp (x, y, xl) == 0;
  OPENSSL_cleanse (x, xl);
  OPENSSL_cleanse (y, yl);
  return same;
}

/* Moves a secret from the data folder of an older install to dest:
 * rename, or copy and remove across file systems. */
static gboolean
move_out (const char *from, const char *dest, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gboolean ok;

  if (g_rename (from, dest) == 0)
    return TRUE;
  if (errno != EXDEV)
    return fail (error, "Cannot move %s to %s: %s", from, dest, g_strerror (errno));
  if (!g_file_get_contents (from, &contents, &len, error))
    return FALSE;
  ok = foyer_svc_write_private_file (dest, contents, len, error);
  OPENSSL_cleanse (contents, len);
  if (ok && g_unlink (from) != 0)
    return fail (error, "Copied %s to %s but cannot remove it: %s", from, dest, g_strerror (errno));
  return ok;
}

/* What an older install left in the data folder goes to dest, or, if
 * dest already holds the same, is removed; a different secret stops the
 * start rather than guess which one is right. */
static gboolean
migrate (const char *data_dir, const char *name, const char *dest, const char *what, GError **error)
{
  g_autofree char *old = g_build_filename (data_dir, name, NULL);

  if (!g_file_test (old, G_FILE_TEST_EXISTS))
    return TRUE;
  if (dest != NULL && !g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      if (!move_out (old, dest, error))
        return FALSE;
      g_message ("Moved %s out of the data folder: %s → %s. A copy of the data folder alone no "
                 "longer holds it; back it up apart from the data.",
                 what, old, dest);
      return TRUE;
    }
  if (dest != NULL && same_contents (old, dest))
    {
      if (g_unlink (old) != 0)
        return fail (error, "Cannot remove %s: %s", old, g_strerror (errno));
      g_message ("Removed the copy of %s left in the data folder (%s); it is kept in %s.", what,
                 old, dest);
      return TRUE;
    }
  return fail (error,
               "%s is in the data folder (%s) but this service takes %s from elsewhere%s%s. Move "
               "it out of the data folder (or delete it if it is not the one in use) and start "
               "again.",
               what, old, what, dest != NULL ? ": " : "", dest != NULL ? dest : "");
}

/* ---- the token signing key ---- */

cjose_jwk_t *
foyer_svc_keys_load_signing_key (const char *data_dir, const char *key_dir, GError **error)
{
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;

  if (credentials != NULL)
    {
      g_autofree char *path = g_build_filename (credentials, SIGNING_KEY_FILE, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return migrate (data_dir, SIGNING_KEY_FILE, path, "the token signing key", error)
                   ? foyer_svc_load_signing_key (credentials, error)
                   : NULL;
    }
  if (!(dir = key_dir_for (data_dir, key_dir, error)))
    return NULL;
  dest = g_build_filename (dir, SIGNING_KEY_FILE, NULL);
  if (!migrate (data_dir, SIGNING_KEY_FILE, dest, "the token signing key", error))
    return NULL;
  return foyer_svc_load_signing_key (dir, error);
}

/* ---- master keys ---- */

static void
key_id (const guint8 key[32], char out[17])
{
  static const char label[] = "foyer-service kms master key id";
  guint8 mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  g_autofree char *text = NULL;

  HMAC (EVP_sha256 (), key, 32, (const guint8 *) label, sizeof label - 1, mac, &mac_len);
  text = foyer_base64url_encode (mac, 12);
  g_strlcpy (out, text, 17);
}

static gboolean
parse_key (char *text, GArray *out, GError **error)
{
  g_autofree guint8 *raw = NULL;
  gsize len = 0;
  MasterKey key;

  raw = foyer_base64url_decode (text, &len);
  OPENSSL_cleanse (text, strlen (text));
  if (raw == NULL || len != 32)
    {
      if (raw != NULL)
        OPENSSL_cleanse (raw, len);
      return fail (error, "A KMS master key must be 32 bytes in base64url");
    }
  memcpy (key.key, raw, 32);
  key_id (key.key, key.id);
  OPENSSL_cleanse (raw, len);
  g_array_append_val (out, key);
  OPENSSL_cleanse (&key, sizeof key);
  return TRUE;
}

/* One key per line (lines starting with '#' are comments), or several
 * on a line separated by commas, as the environment holds them. */
static gboolean
parse_keys (const char *text, GArray *out, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean ok = TRUE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) parts = NULL;
      char *line = g_strstrip (lines[i]);

      if (*line != '\0' && *line != '#')
        parts = g_strsplit (line, ",", -1);
      for (guint j = 0; ok && parts != NULL && parts[j] != NULL; j++)
        if (*g_strstrip (parts[j]) != '\0')
          ok = parse_key (parts[j], out, error);
      OPENSSL_cleanse (lines[i], strlen (lines[i]));
    }
  if (ok && out->len == 0)
    return fail (error, "No KMS master key found");
  return ok;
}

static void
clear_keys (GArray *keys)
{
  if (keys->len > 0)
    OPENSSL_cleanse (keys->data, keys->len * sizeof (MasterKey));
  g_array_set_size (keys, 0);
}

static gboolean
read_key_file (FoyerSvcMasterKeys *self, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GArray) keys = g_array_new (FALSE, FALSE, sizeof (MasterKey));
  gboolean ok;

  if (!check_private (self->path, error)
      || !g_file_get_contents (self->path, &contents, &len, error))
    return FALSE;
  ok = parse_keys (contents, keys, error);
  OPENSSL_cleanse (contents, len);
  if (!ok)
    {
      g_prefix_error (error, "%s: ", self->path);
      clear_keys (keys);
      return FALSE;
    }
  clear_keys (self->keys);
  g_array_append_vals (self->keys, keys->data, keys->len);
  clear_keys (keys);
  return TRUE;
}

void
foyer_svc_master_keys_free (FoyerSvcMasterKeys *self)
{
  if (self == NULL)
    return;
  clear_keys (self->keys);
  g_array_unref (self->keys);
  g_free (self->path);
  g_free (self->description);
  g_free (self);
}

static guint
count_keys (sqlite3 *kms_db)
{
  g_autoptr (sqlite3_stmt) stmt
      = kms_db != NULL ? foyer_svc_store_prepare (kms_db, "SELECT COUNT (*) FROM keys", NULL)
                       : NULL;

  return stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW ? (guint) sqlite3_column_int (stmt, 0)
                                                           : 0;
}

static gboolean
create_key_file (const char *path, sqlite3 *kms_db, GError **error)
{
  guint8 key[32];
  g_autofree char *text = NULL;
  guint stored = count_keys (kms_db);
  gboolean ok;

  /* A new master key could not unwrap a single stored key: that means
   * the real one is missing (a data folder copied without its keys). */
  if (stored > 0)
    return fail (error,
                 "kms.db holds %u keys wrapped under a master key that is not here (%s): give it "
                 "with --master-key-file, FOYER_SERVICE_MASTER_KEY or a systemd credential, or "
                 "put it back in the key folder",
                 stored, path);
  if (!foyer_random_bytes (key, sizeof key, error))
    return FALSE;
  text = foyer_base64url_encode (key, sizeof key);
  OPENSSL_cleanse (key, sizeof key);
  ok = foyer_svc_write_private_file (path, text, strlen (text), error);
  OPENSSL_cleanse (text, strlen (text));
  if (ok)
    g_message ("Made a new KMS master key in %s; back it up apart from the data folder", path);
  return ok;
}

/* Finds where the master key comes from, moves an older install's key
 * out of the data folder, and reads the key(s). */
FoyerSvcMasterKeys *
foyer_svc_master_keys_open (const char *data_dir,
                            const char *key_dir,
                            const char *master_key_file,
                            sqlite3 *kms_db,
                            GError **error)
{
  g_autoptr (FoyerSvcMasterKeys) self = g_new0 (FoyerSvcMasterKeys, 1);
  const char *env = g_getenv ("FOYER_SERVICE_MASTER_KEY");
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  g_autofree char *credential = NULL;
  g_autofree char *dir = NULL;

  self->keys = g_array_new (FALSE, FALSE, sizeof (MasterKey));
  if (credentials != NULL)
    credential = g_build_filename (credentials, MASTER_KEY_FILE, NULL);

  if (master_key_file != NULL)
    {
      self->path = g_canonicalize_filename (master_key_file, NULL);
      self->description = g_strdup_printf ("--master-key-file %s", self->path);
      if (is_within (self->path, data_dir))
        {
          fail (error,
                "The master key file %s is inside the data folder %s: keep it apart, so "
                "that a copy of the data alone decrypts nothing",
                self->path, data_dir);
          return NULL;
        }
    }
  else if (env != NULL)
    self->description = g_strdup ("FOYER_SERVICE_MASTER_KEY");
  else if (credential != NULL && g_file_test (credential, G_FILE_TEST_EXISTS))
    {
      self->path = g_steal_pointer (&credential);
      self->description = g_strdup_printf ("the systemd credential %s", self->path);
    }
  else
    {
      if (!(dir = key_dir_for (data_dir, key_dir, error)))
        return NULL;
      self->path = g_build_filename (dir, MASTER_KEY_FILE, NULL);
      self->description = g_strdup_printf ("the key folder's %s", self->path);
      /* An older install: its key moves from the data folder to here. */
      if (!migrate (data_dir, MASTER_KEY_FILE, self->path, "the KMS master key", error))
        return NULL;
      if (!g_file_test (self->path, G_FILE_TEST_EXISTS)
          && !create_key_file (self->path, kms_db, error))
        return NULL;
    }

  if (self->path != NULL ? !read_key_file (self, error) : !parse_keys (env, self->keys, error))
    return NULL;
  /* An older install's key left in the data folder while the key now
   * comes from elsewhere: gone if it is one of ours, else stop. */
  {
    g_autofree char *old = g_build_filename (data_dir, MASTER_KEY_FILE, NULL);
    g_autofree char *contents = NULL;
    g_autoptr (GArray) old_keys = g_array_new (FALSE, FALSE, sizeof (MasterKey));
    gboolean known = FALSE;

    if (g_file_get_contents (old, &contents, NULL, NULL))
      {
        if (parse_keys (contents, old_keys, NULL))
          for (guint i = 0; i < self->keys->len; i++)
            known |= strcmp (g_array_index (self->keys, MasterKey, i).id,
                             g_array_index (old_keys, MasterKey, 0).id)
                     == 0;
        OPENSSL_cleanse (contents, strlen (contents));
        clear_keys (old_keys);
        if (!known)
          {
            fail (error,
                  "The KMS master key %s is in the data folder, and %s does not hold it. Move it "
                  "out of the data folder (or delete it if it is not the one in use).",
                  old, self->description);
            return NULL;
          }
        g_unlink (old);
        g_message ("Removed the copy of the KMS master key left in the data folder (%s); it comes "
                   "from %s.",
                   old, self->description);
      }
  }
  return g_steal_pointer (&self);
}

const char *
foyer_svc_master_keys_describe (FoyerSvcMasterKeys *self)
{
  return self->description;
}

static const MasterKey *
find_key (FoyerSvcMasterKeys *self, const char *id)
{
  for (guint i = 0; i < self->keys->len; i++)
    if (strcmp (g_array_index (self->keys, MasterKey, i).id, id) == 0)
      return &g_array_index (self->keys, MasterKey, i);
  return NULL;
}

/* The key to wrap with: the one kms.db names as current (a rotation in
 * progress, maybe made by another process), reading the key file again
 * if it is not known yet; else the newest. */
static const MasterKey *
current_key (FoyerSvcMasterKeys *self, sqlite3 *kms_db, GError **error)
{
  g_autofree char *current
      = kms_db != NULL ? foyer_svc_store_get_meta (kms_db, "current_kek") : NULL;
  const MasterKey *key;

  if (current == NULL)
    return &g_array_index (self->keys, MasterKey, 0);
  if ((key = find_key (self, current)) != NULL)
    return key;
  if (self->path != NULL && read_key_file (self, NULL) && (key = find_key (self, current)) != NULL)
    return key;
  g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_BUSY,
               "The KMS master key was rotated to one that %s does not hold", self->description);
  return NULL;
}

/* Wraps a content key for kms.db; *out_kek names the master key used.
 * Call it inside the transaction that stores the result, so that a
 * rotation cannot slip between. */
gboolean
foyer_svc_master_wrap (FoyerSvcMasterKeys *self,
                       sqlite3 *kms_db,
                       const guint8 *key,
                       gsize key_len,
                       guint8 *out,
                       gsize *out_len,
                       char **out_kek,
                       GError **error)
{
  const MasterKey *master = current_key (self, kms_db, error);

  if (master == NULL)
    return FALSE;
  if (!foyer_svc_wrap_key (master->key, key, key_len, out, out_len))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot wrap a key");
      return FALSE;
    }
  *out_kek = g_strdup (master->id);
  return TRUE;
}

static gboolean
try_unwrap (FoyerSvcMasterKeys *self,
            const char *kek,
            const guint8 *wrapped,
            gsize wrapped_len,
            guint8 *out,
            gsize *out_len)
{
  const MasterKey *master = kek != NULL ? find_key (self, kek) : NULL;

  if (master != NULL)
    return foyer_svc_unwrap_key (master->key, wrapped, wrapped_len, out, out_len);
  /* A key stored before fingerprints were kept: AES key wrap checks its
   * integrity, so trying each master key is safe. */
  for (guint i = 0; kek == NULL && i < self->keys->len; i++)
    if (foyer_svc_unwrap_key (g_array_index (self->keys, MasterKey, i).key, wrapped, wrapped_len,
                              out, out_len))
      return TRUE;
  return FALSE;
}

gboolean
foyer_svc_master_unwrap (FoyerSvcMasterKeys *self,
                         const char *kek,
                         const guint8 *wrapped,
                         gsize wrapped_len,
                         guint8 *out,
                         gsize *out_len)
{
  if (try_unwrap (self, kek, wrapped, wrapped_len, out, out_len))
    return TRUE;
  /* Wrapped under a key this process has not read yet (rotated by the
   * CLI while it runs): read the key file again. */
  return kek != NULL && find_key (self, kek) == NULL && self->path != NULL
         && read_key_file (self, NULL)
         && try_unwrap (self, kek, wrapped, wrapped_len, out, out_len);
}

/* ---- rotation ---- */

/* Re-wraps, a batch per transaction, every stored key not yet under the
 * master key kms.db names as current. Returns how many, or -1. */
static int
rewrap_all (FoyerSvcMasterKeys *self, sqlite3 *kms_db, const char *current, GError **error)
{
  const MasterKey *to = find_key (self, current);
  int done = 0;

  for (;;)
    {
      g_autoptr (sqlite3_stmt) select = NULL;
      int batch = 0;

      if (!foyer_svc_store_exec (kms_db, "BEGIN IMMEDIATE", error))
        return -1;
      select = foyer_svc_store_prepare (
          kms_db, "SELECT id, wrapped, kek FROM keys WHERE kek IS NULL OR kek != ? LIMIT ?", error);
      if (select == NULL)
        {
          foyer_svc_store_exec (kms_db, "ROLLBACK", NULL);
          return -1;
        }
      sqlite3_bind_text (select, 1, current, -1, SQLITE_STATIC);
      sqlite3_bind_int (select, 2, REWRAP_BATCH);
      while (sqlite3_step (select) == SQLITE_ROW)
        {
          g_autoptr (sqlite3_stmt) update = NULL;
          guint8 plain[48], wrapped[48];
          gsize plain_len = 0, wrapped_len = 0;
          const char *id = (const char *) sqlite3_column_text (select, 0);
          gboolean ok = try_unwrap (self, (const char *) sqlite3_column_text (select, 2),
                                    sqlite3_column_blob (select, 1),
                                    (gsize) sqlite3_column_bytes (select, 1), plain, &plain_len)
                        && foyer_svc_wrap_key (to->key, plain, plain_len, wrapped, &wrapped_len);

          OPENSSL_cleanse (plain, sizeof plain);
          if (!ok)
            {
              foyer_svc_store_exec (kms_db, "ROLLBACK", NULL);
              fail (error, "The stored key %s cannot be unwrapped with any master key given", id);
              return -1;
            }
          update = foyer_svc_store_prepare (
              kms_db, "UPDATE keys SET wrapped = ?, kek = ? WHERE id = ?", error);
          if (update == NULL)
            {
              foyer_svc_store_exec (kms_db, "ROLLBACK", NULL);
              return -1;
            }
          sqlite3_bind_blob (update, 1, wrapped, (int) wrapped_len, SQLITE_TRANSIENT);
          sqlite3_bind_text (update, 2, current, -1, SQLITE_STATIC);
          sqlite3_bind_text (update, 3, id, -1, SQLITE_TRANSIENT);
          if (!foyer_svc_store_step_done (kms_db, update, error))
            {
              foyer_svc_store_exec (kms_db, "ROLLBACK", NULL);
              return -1;
            }
          batch++;
        }
      g_clear_pointer (&select, sqlite3_finalize);
      if (!foyer_svc_store_exec (kms_db, "COMMIT", error))
        {
          foyer_svc_store_exec (kms_db, "ROLLBACK", NULL);
          return -1;
        }
      done += batch;
      if (batch == 0)
        return done;
    }
}

static char *
keys_text (FoyerSvcMasterKeys *self, guint first, guint count)
{
  GString *text = g_string_new ("# The KMS master key(s) of foyer-service, newest first.\n");

  for (guint i = first; i < first + count && i < self->keys->len; i++)
    {
      g_autofree char *b64
          = foyer_base64url_encode (g_array_index (self->keys, MasterKey, i).key, 32);

      g_string_append_printf (text, "%s\n", b64);
      OPENSSL_cleanse (b64, strlen (b64));
    }
  return g_string_free (text, FALSE);
}

static gboolean
write_keys (FoyerSvcMasterKeys *self, guint count, GError **error)
{
  g_autofree char *text = keys_text (self, 0, count);
  gboolean ok = foyer_svc_write_private_file (self->path, text, strlen (text), error);

  OPENSSL_cleanse (text, strlen (text));
  return ok;
}

/* `kms rotate-master-key`: a new master key first in the key file, every
 * stored key re-wrapped under it, the old ones dropped. With new_key NULL
 * (`kms rewrap`), re-wraps under the source's first key, for a key given
 * by the environment or a credential, which this command cannot edit. */
int
foyer_svc_master_rotate (
    FoyerSvcMasterKeys *self, sqlite3 *kms_db, gboolean make_new, char **out_id, GError **error)
{
  MasterKey fresh;
  int done;

  if (make_new)
    {
      if (self->path == NULL || g_str_has_prefix (self->description, "the systemd credential"))
        {
          fail (error,
                "The master key comes from %s, which this command cannot change: put the "
                "new key first and the old one after it there, restart the service, run "
                "`foyer-service kms rewrap`, then remove the old key and restart "
                "(docs/security.md)",
                self->description);
          return -1;
        }
      if (!foyer_random_bytes (fresh.key, sizeof fresh.key, error))
        return -1;
      key_id (fresh.key, fresh.id);
      g_array_prepend_val (self->keys, fresh);
      OPENSSL_cleanse (&fresh, sizeof fresh);
      /* Both keys in the file first: a service reading it meanwhile can
       * unwrap keys under either. */
      if (!write_keys (self, self->keys->len, error))
        return -1;
    }
  if (!foyer_svc_store_set_meta (kms_db, "current_kek", g_array_index (self->keys, MasterKey, 0).id,
                                 error))
    return -1;
  done = rewrap_all (self, kms_db, g_array_index (self->keys, MasterKey, 0).id, error);
  if (done < 0)
    return -1;
  if (make_new && !write_keys (self, 1, error))
    return -1;
  *out_id = g_strdup (g_array_index (self->keys, MasterKey, 0).id);
  return done;
}
