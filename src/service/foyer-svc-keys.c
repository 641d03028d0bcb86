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
#include "foyer-jose-shape.h"
#include "foyer-json.h"
#include "foyer-json-request.h"

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
  GMutex lock;       /* keys may be read again while workers use them */
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
  g_autofree char *dir = NULL;

  if (key_dir == NULL && data_dir == NULL)
    {
      fail (error, "Give the key folder (--key-dir DIR) or the key files");
      return NULL;
    }
  dir = key_dir != NULL ? g_canonicalize_filename (key_dir, NULL)
                        : foyer_svc_default_key_dir (data_dir);
  if (data_dir != NULL && is_within (dir, data_dir))
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

static gboolean
create_key_file (const char *path, FoyerSvcDb *kms_db, gboolean may_create, GError **error);

/* ---- the token signing keys ----
 *
 * The signing key file holds one private JWK (an older install) or a set,
 * {"keys": [newest first…], "retired": {"<kid>": <Unix seconds>}}. The
 * first key signs; every key verifies the tokens whose "kid" names it.
 * Several nodes share the file (--token-key-file, a systemd credential, or
 * the key folder copied to each); `foyer-service keys rotate-token-key`
 * puts a new key first, and each node reads the file again when it has
 * changed (looked at, at most once a second, when signing) or when a
 * token names a key it does not know. A key stops verifying once every
 * token it signed has expired: the rotation drops keys retired longer ago
 * than a token lives. */

#define RETIRED_KEEP (FOYER_SVC_TOKEN_MAX_LIFETIME + FOYER_SVC_TOKEN_SKEW + 300)

struct _FoyerSvcTokenKeys
{
  GMutex lock;
  char *path;
  gboolean private;
  GPtrArray *keys; /* cjose_jwk_t, newest first */
  gint64 mtime;
  gint64 checked; /* monotonic µs */
};

static void
jwk_unref (gpointer jwk)
{
  cjose_jwk_release (jwk);
}

static cjose_jwk_t *
import_jwk (JsonNode *node, gboolean want_private, GError **error)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize len = strlen (text);
  cjose_err err = { 0 };
  cjose_jwk_t *jwk = NULL;
  gboolean has_d
      = JSON_NODE_HOLDS_OBJECT (node) && json_object_has_member (json_node_get_object (node), "d");

  if (foyer_jose_check_jwk_text (text, len, NULL))
    jwk = cjose_jwk_import (text, len, &err);
  OPENSSL_cleanse (text, len);
  if (jwk == NULL || cjose_jwk_get_kty (jwk, &err) != CJOSE_JWK_KTY_EC || (want_private && !has_d))
    {
      if (jwk != NULL)
        cjose_jwk_release (jwk);
      fail (error, want_private ? "not an EC private key" : "not an EC public key");
      return NULL;
    }
  return jwk;
}

/* A JWK, {"keys": [...]}, or a service.json's tokenPublicKey(s). */
static GPtrArray *
parse_key_set (const char *text, gsize len, gboolean want_private, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (jwk_unref);
  JsonObject *root;
  JsonArray *array = NULL;
  JsonNode *single = NULL;

  if (!foyer_json_depth_within (text, len, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, text, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fail (error, "not a JWK or a key set");
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if ((array = foyer_json_get_array (root, "keys")) == NULL
      && (array = foyer_json_get_array (root, "tokenPublicKeys")) == NULL)
    single = json_object_get_member (root, "tokenPublicKey");
  if (array != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        cjose_jwk_t *jwk = import_jwk (json_array_get_element (array, i), want_private, error);

        if (jwk == NULL)
          return NULL;
        g_ptr_array_add (keys, jwk);
      }
  else
    {
      cjose_jwk_t *jwk = import_jwk (single != NULL ? single : json_parser_get_root (parser),
                                     want_private, error);

      if (jwk == NULL)
        return NULL;
      g_ptr_array_add (keys, jwk);
    }
  if (keys->len == 0)
    {
      fail (error, "an empty key set");
      return NULL;
    }
  return g_steal_pointer (&keys);
}

static gint64
file_mtime (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0
             ? (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000
             : -1;
}

/* Called with the lock held (or before anyone else has the keys). */
static gboolean
read_token_keys (FoyerSvcTokenKeys *self, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  GPtrArray *keys;
  gint64 mtime = file_mtime (self->path);

  if (self->private && !check_private (self->path, error))
    return FALSE;
  if (!g_file_get_contents (self->path, &contents, &len, error))
    return FALSE;
  keys = parse_key_set (contents, len, self->private, error);
  OPENSSL_cleanse (contents, len);
  if (keys == NULL)
    {
      g_prefix_error (error, "%s: ", self->path);
      return FALSE;
    }
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  self->keys = keys;
  self->mtime = mtime;
  return TRUE;
}

/* The file again when it changed, at most once a second. */
static void
refresh_token_keys (FoyerSvcTokenKeys *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;

  if (self->path == NULL || (!force && now - self->checked < G_USEC_PER_SEC)
      || (force && now - self->checked < G_USEC_PER_SEC / 10))
    return;
  self->checked = now;
  if (file_mtime (self->path) == self->mtime)
    return;
  if (!read_token_keys (self, &error))
    g_warning ("Keeping the token keys read before: %s", error->message);
  else
    g_message ("Read the token keys again from %s (%u keys)", self->path, self->keys->len);
}

static char *
new_signing_key_json (GError **error)
{
  cjose_err err = { 0 };
  cjose_jwk_t *jwk = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  g_autofree char *kid = foyer_random_token (12);
  char *json;
  char *copy;

  if (jwk == NULL || !cjose_jwk_set_kid (jwk, kid, strlen (kid), &err)
      || (json = cjose_jwk_to_json (jwk, true, &err)) == NULL)
    {
      if (jwk != NULL)
        cjose_jwk_release (jwk);
      fail (error, "Cannot create a token signing key: %s", err.message);
      return NULL;
    }
  copy = g_strdup (json);
  OPENSSL_cleanse (json, strlen (json));
  cjose_get_dealloc () (json);
  cjose_jwk_release (jwk);
  return copy;
}

static gboolean
write_key_set (const char *path, JsonNode *set, GError **error)
{
  g_autofree char *text = json_to_string (set, TRUE);
  gboolean ok = foyer_svc_write_private_file (path, text, strlen (text), error);

  OPENSSL_cleanse (text, strlen (text));
  return ok;
}

static gboolean
create_token_key_file (const char *path, GError **error)
{
  g_autofree char *jwk = new_signing_key_json (error);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonNode) set = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *keys = json_array_new ();
  gboolean ok;

  if (jwk == NULL || !json_parser_load_from_data (parser, jwk, -1, NULL))
    return FALSE;
  OPENSSL_cleanse (jwk, strlen (jwk));
  json_array_add_element (keys, json_node_copy (json_parser_get_root (parser)));
  json_object_set_array_member (object, "keys", keys);
  json_object_set_object_member (object, "retired", json_object_new ());
  json_node_take_object (set, object);
  ok = write_key_set (path, set, error);
  return ok;
}

/* Where the signing keys are: --token-key-file, a systemd credential, or
 * the key folder (made there when may_create). */
static char *
token_key_path (const char *data_dir,
                const char *key_dir,
                const char *key_file,
                gboolean may_create,
                GError **error)
{
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  g_autofree char *dir = NULL;
  g_autofree char *dest = NULL;

  if (key_file != NULL)
    {
      if (data_dir != NULL && is_within (key_file, data_dir))
        {
          fail (error, "The token key file %s is inside the data folder %s: keep it apart",
                key_file, data_dir);
          return NULL;
        }
      return g_canonicalize_filename (key_file, NULL);
    }
  if (credentials != NULL)
    {
      g_autofree char *path = g_build_filename (credentials, SIGNING_KEY_FILE, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return data_dir == NULL
                       || migrate (data_dir, SIGNING_KEY_FILE, path, "the token signing key", error)
                   ? g_steal_pointer (&path)
                   : NULL;
    }
  if (!(dir = key_dir_for (data_dir, key_dir, error)))
    return NULL;
  dest = g_build_filename (dir, SIGNING_KEY_FILE, NULL);
  if (data_dir != NULL
      && !migrate (data_dir, SIGNING_KEY_FILE, dest, "the token signing key", error))
    return NULL;
  if (!g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      if (!may_create)
        {
          fail (error,
                "No token signing key: every node of a PostgreSQL deployment needs the same "
                "one. Make one with `foyer-service keys generate --key-dir DIR` and give it to "
                "each node with --token-key-file or --key-dir (docs/deploy.md)");
          return NULL;
        }
      if (!create_token_key_file (dest, error))
        return NULL;
    }
  return g_steal_pointer (&dest);
}

FoyerSvcTokenKeys *
foyer_svc_token_keys_load (const char *data_dir,
                           const char *key_dir,
                           const char *key_file,
                           gboolean may_create,
                           GError **error)
{
  FoyerSvcTokenKeys *self = g_new0 (FoyerSvcTokenKeys, 1);

  g_mutex_init (&self->lock);
  self->private = TRUE;
  self->checked = g_get_monotonic_time ();
  self->path = token_key_path (data_dir, key_dir, key_file, may_create, error);
  if (self->path == NULL || !read_token_keys (self, error))
    {
      foyer_svc_token_keys_free (self);
      return NULL;
    }
  return self;
}

FoyerSvcTokenKeys *
foyer_svc_token_keys_load_public (const char *path, GError **error)
{
  FoyerSvcTokenKeys *self = g_new0 (FoyerSvcTokenKeys, 1);

  g_mutex_init (&self->lock);
  self->path = g_canonicalize_filename (path, NULL);
  self->checked = g_get_monotonic_time ();
  if (!read_token_keys (self, error))
    {
      foyer_svc_token_keys_free (self);
      return NULL;
    }
  return self;
}

FoyerSvcTokenKeys *
foyer_svc_token_keys_new_for_key (cjose_jwk_t *key)
{
  FoyerSvcTokenKeys *self = g_new0 (FoyerSvcTokenKeys, 1);
  cjose_err err = { 0 };

  g_mutex_init (&self->lock);
  self->private = TRUE;
  self->keys = g_ptr_array_new_with_free_func (jwk_unref);
  g_ptr_array_add (self->keys, cjose_jwk_retain (key, &err));
  return self;
}

void
foyer_svc_token_keys_free (FoyerSvcTokenKeys *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  g_free (self->path);
  g_mutex_clear (&self->lock);
  g_free (self);
}

cjose_jwk_t *
foyer_svc_token_keys_signing (FoyerSvcTokenKeys *self)
{
  cjose_err err = { 0 };
  cjose_jwk_t *key = NULL;

  if (!self->private)
    return NULL;
  g_mutex_lock (&self->lock);
  refresh_token_keys (self, FALSE);
  key = cjose_jwk_retain (g_ptr_array_index (self->keys, 0), &err);
  g_mutex_unlock (&self->lock);
  return key;
}

static cjose_jwk_t *
find_kid (FoyerSvcTokenKeys *self, const char *kid)
{
  cjose_err err = { 0 };

  for (guint i = 0; i < self->keys->len; i++)
    {
      cjose_jwk_t *key = g_ptr_array_index (self->keys, i);

      if (kid == NULL || g_strcmp0 (cjose_jwk_get_kid (key, &err), kid) == 0)
        return cjose_jwk_retain (key, &err);
    }
  return NULL;
}

cjose_jwk_t *
foyer_svc_token_keys_find (FoyerSvcTokenKeys *self, const char *kid)
{
  cjose_jwk_t *key;

  g_mutex_lock (&self->lock);
  if ((key = find_kid (self, kid)) == NULL)
    {
      refresh_token_keys (self, TRUE);
      key = find_kid (self, kid);
    }
  g_mutex_unlock (&self->lock);
  return key;
}

JsonNode *
foyer_svc_token_keys_public (FoyerSvcTokenKeys *self)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  JsonArray *array = json_array_new ();

  json_node_take_array (node, array);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->keys->len; i++)
    {
      cjose_err err = { 0 };
      char *text = cjose_jwk_to_json (g_ptr_array_index (self->keys, i), false, &err);
      g_autoptr (JsonParser) parser = json_parser_new ();

      if (text != NULL && json_parser_load_from_data (parser, text, -1, NULL))
        json_array_add_element (array, json_node_copy (json_parser_get_root (parser)));
      if (text != NULL)
        cjose_get_dealloc () (text);
    }
  g_mutex_unlock (&self->lock);
  return g_steal_pointer (&node);
}

char *
foyer_svc_token_keys_rotate (const char *data_dir,
                             const char *key_dir,
                             const char *key_file,
                             GError **error)
{
  g_autofree char *path = token_key_path (data_dir, key_dir, key_file, FALSE, error);
  g_autofree char *contents = NULL;
  g_autofree char *fresh = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) fresh_parser = json_parser_new ();
  g_autoptr (JsonNode) set = json_node_new (JSON_NODE_OBJECT);
  JsonObject *old, *out = json_object_new ();
  JsonArray *old_keys, *keys = json_array_new ();
  JsonObject *old_retired, *retired = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize len = 0;
  char *kid;

  json_node_take_object (set, out);
  json_object_set_array_member (out, "keys", keys);
  json_object_set_object_member (out, "retired", retired);
  if (path == NULL || !check_private (path, error)
      || !g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (!json_parser_load_from_data (parser, contents, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      OPENSSL_cleanse (contents, len);
      fail (error, "%s is not a JWK or a key set", path);
      return NULL;
    }
  OPENSSL_cleanse (contents, len);
  old = json_node_get_object (json_parser_get_root (parser));
  old_keys = foyer_json_get_array (old, "keys");
  old_retired = foyer_json_get_object (old, "retired");
  if ((fresh = new_signing_key_json (error)) == NULL
      || !json_parser_load_from_data (fresh_parser, fresh, -1, NULL))
    return NULL;
  OPENSSL_cleanse (fresh, strlen (fresh));
  json_array_add_element (keys, json_node_copy (json_parser_get_root (fresh_parser)));
  kid = g_strdup (
      foyer_json_get_string (json_node_get_object (json_parser_get_root (fresh_parser)), "kid"));

  /* The key that signed until now retires; keys retired longer ago than a
   * token lives verify nothing any more and go. */
  for (guint i = 0; i < (old_keys != NULL ? json_array_get_length (old_keys) : 1); i++)
    {
      JsonNode *key
          = old_keys != NULL ? json_array_get_element (old_keys, i) : json_parser_get_root (parser);
      const char *old_kid = JSON_NODE_HOLDS_OBJECT (key)
                                ? foyer_json_get_string (json_node_get_object (key), "kid")
                                : NULL;
      gint64 since = old_kid != NULL && old_retired != NULL
                         ? foyer_json_get_int (old_retired, old_kid, now)
                         : now;

      if (old_kid == NULL || now - since > RETIRED_KEEP)
        continue;
      json_array_add_element (keys, json_node_copy (key));
      json_object_set_int_member (retired, old_kid, since);
    }
  if (!write_key_set (path, set, error))
    {
      g_free (kid);
      return NULL;
    }
  return kid;
}

gboolean
foyer_svc_keys_generate (const char *key_dir, GError **error)
{
  g_autofree char *dir = key_dir_for (NULL, key_dir, error);
  g_autofree char *master = NULL;
  g_autofree char *signing = NULL;

  if (dir == NULL)
    return FALSE;
  master = g_build_filename (dir, MASTER_KEY_FILE, NULL);
  signing = g_build_filename (dir, SIGNING_KEY_FILE, NULL);
  if (g_file_test (master, G_FILE_TEST_EXISTS) || g_file_test (signing, G_FILE_TEST_EXISTS))
    return fail (error, "%s already holds keys: they are not replaced", dir);
  return create_key_file (master, NULL, TRUE, error) && create_token_key_file (signing, error);
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
  g_mutex_clear (&self->lock);
  g_free (self->path);
  g_free (self->description);
  g_free (self);
}

static gboolean
create_key_file (const char *path, FoyerSvcDb *kms_db, gboolean may_create, GError **error)
{
  guint8 key[32];
  g_autofree char *text = NULL;
  gint64 stored = kms_db != NULL ? foyer_svc_db_kms_key_count (kms_db, error) : 0;
  gboolean ok;

  if (stored < 0)
    return FALSE;
  /* Several nodes on one database would each make a key of their own,
   * and none could unwrap the others' keys. */
  if (!may_create)
    return fail (error,
                 "No KMS master key: every node of a PostgreSQL deployment needs the same one. "
                 "Make one with `foyer-service keys generate --key-dir DIR` and give it to each "
                 "node with --master-key-file, FOYER_SERVICE_MASTER_KEY or a systemd credential "
                 "(docs/deploy.md)");

  /* A new master key could not unwrap a single stored key: that means
   * the real one is missing (a data folder copied without its keys). */
  if (stored > 0)
    return fail (error,
                 "The KMS database holds %" G_GINT64_FORMAT
                 " keys wrapped under a master key that is not here (%s): give it "
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
                            FoyerSvcDb *kms_db,
                            gboolean may_create,
                            GError **error)
{
  g_autoptr (FoyerSvcMasterKeys) self = g_new0 (FoyerSvcMasterKeys, 1);
  const char *env = g_getenv ("FOYER_SERVICE_MASTER_KEY");
  const char *credentials = g_getenv ("CREDENTIALS_DIRECTORY");
  g_autofree char *credential = NULL;
  g_autofree char *dir = NULL;

  self->keys = g_array_new (FALSE, FALSE, sizeof (MasterKey));
  g_mutex_init (&self->lock);
  if (credentials != NULL)
    credential = g_build_filename (credentials, MASTER_KEY_FILE, NULL);

  if (master_key_file != NULL)
    {
      self->path = g_canonicalize_filename (master_key_file, NULL);
      self->description = g_strdup_printf ("--master-key-file %s", self->path);
      if (data_dir != NULL && is_within (self->path, data_dir))
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
      if (data_dir != NULL
          && !migrate (data_dir, MASTER_KEY_FILE, self->path, "the KMS master key", error))
        return NULL;
      if (!g_file_test (self->path, G_FILE_TEST_EXISTS)
          && !create_key_file (self->path, kms_db, may_create, error))
        return NULL;
    }

  if (self->path != NULL ? !read_key_file (self, error) : !parse_keys (env, self->keys, error))
    return NULL;
  /* An older install's key left in the data folder while the key now
   * comes from elsewhere: gone if it is one of ours, else stop. */
  if (data_dir != NULL)
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
          g_message (
              "Removed the copy of the KMS master key left in the data folder (%s); it comes "
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
current_key (FoyerSvcMasterKeys *self, FoyerSvcDb *kms_db, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *current
      = kms_db != NULL ? foyer_svc_db_kms_meta_get (kms_db, "current_kek", &local) : NULL;
  const MasterKey *key;

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
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
                       FoyerSvcDb *kms_db,
                       const guint8 *key,
                       gsize key_len,
                       guint8 *out,
                       gsize *out_len,
                       char **out_kek,
                       GError **error)
{
  const MasterKey *master;
  gboolean ok = FALSE;

  g_mutex_lock (&self->lock);
  master = current_key (self, kms_db, error);
  if (master != NULL && foyer_svc_wrap_key (master->key, key, key_len, out, out_len))
    {
      *out_kek = g_strdup (master->id);
      ok = TRUE;
    }
  else if (master != NULL)
    g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot wrap a key");
  g_mutex_unlock (&self->lock);
  return ok;
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
  gboolean ok;

  g_mutex_lock (&self->lock);
  ok = try_unwrap (self, kek, wrapped, wrapped_len, out, out_len)
       /* Wrapped under a key this process has not read yet (rotated by
        * the CLI while it runs): read the key file again. */
       || (kek != NULL && find_key (self, kek) == NULL && self->path != NULL
           && read_key_file (self, NULL)
           && try_unwrap (self, kek, wrapped, wrapped_len, out, out_len));
  g_mutex_unlock (&self->lock);
  return ok;
}

/* ---- rotation ---- */

/* Re-wraps, a batch per transaction, every stored key not yet under the
 * master key kms.db names as current. Returns how many, or -1. */
static int
rewrap_all (FoyerSvcMasterKeys *self, FoyerSvcDb *kms_db, const char *current, GError **error)
{
  const MasterKey *to = find_key (self, current);
  int done = 0;

  for (;;)
    {
      g_autoptr (GPtrArray) batch = NULL;

      if (!foyer_svc_begin (kms_db, error))
        return -1;
      batch = foyer_svc_db_kms_keys_to_rewrap (kms_db, current, REWRAP_BATCH, error);
      if (batch == NULL)
        {
          foyer_svc_rollback (kms_db);
          return -1;
        }
      for (guint i = 0; i < batch->len; i++)
        {
          FoyerSvcWrappedKey *key = g_ptr_array_index (batch, i);
          guint8 plain[48], wrapped[48];
          gsize plain_len = 0, wrapped_len = 0, len = 0;
          const guint8 *bytes = g_bytes_get_data (key->wrapped, &len);
          gboolean ok = try_unwrap (self, key->kek, bytes, len, plain, &plain_len)
                        && foyer_svc_wrap_key (to->key, plain, plain_len, wrapped, &wrapped_len);

          OPENSSL_cleanse (plain, sizeof plain);
          if (!ok)
            {
              foyer_svc_rollback (kms_db);
              fail (error, "The stored key %s cannot be unwrapped with any master key given",
                    key->id);
              return -1;
            }
          if (!foyer_svc_db_kms_key_rewrap (kms_db, key->id, wrapped, wrapped_len, current, error))
            {
              foyer_svc_rollback (kms_db);
              return -1;
            }
        }
      if (!foyer_svc_commit (kms_db, error))
        return -1;
      done += (int) batch->len;
      if (batch->len == 0)
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
    FoyerSvcMasterKeys *self, FoyerSvcDb *kms_db, gboolean make_new, char **out_id, GError **error)
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
  if (!foyer_svc_db_kms_meta_set (kms_db, "current_kek",
                                  g_array_index (self->keys, MasterKey, 0).id, error))
    return -1;
  done = rewrap_all (self, kms_db, g_array_index (self->keys, MasterKey, 0).id, error);
  if (done < 0)
    return -1;
  if (make_new && !write_keys (self, 1, error))
    return -1;
  *out_id = g_strdup (g_array_index (self->keys, MasterKey, 0).id);
  return done;
}
