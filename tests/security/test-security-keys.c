/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service's keys against someone who copies its data folder: the KMS
 * master key and the token signing key are never in it (every window of
 * every file is tried as a master key against kms.db), an older install
 * has its keys moved out, the master key can come from a file, the
 * environment or a systemd credential but never from inside the data
 * folder, and rotating it while the service serves loses nothing.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "foyer-core.h"
#include "foyer-svc.h"
#include "foyer-test-pg.h"
#include "security-util.h"

typedef struct
{
  char *uri;
  char *path; /* /kms/v1/keys/<id> */
  char *k;
} Key;

static void
key_clear (Key *key)
{
  g_free (key->uri);
  g_free (key->path);
  g_free (key->k);
}

/* A key made by the KMS, answered in clear (no Foyer-Key-Wrap). */
static void
make_key (const char *base, const char *token, const char *resource_uri, Key *out)
{
  g_autofree char *body = g_strdup_printf ("{\"resourceUri\":\"%s\"}", resource_uri);
  g_autoptr (SecReply) reply = sec_request (base, "POST", "/kms/v1/keys", token, NULL, body);
  g_autoptr (JsonObject) object = sec_reply_json (reply);

  g_assert_cmpuint (reply->status, ==, 201);
  out->uri = g_strdup (json_object_get_string_member (object, "uri"));
  out->path = g_strdup_printf ("/kms/v1/keys/%s", strrchr (out->uri, '/') + 1);
  out->k = g_strdup (
      json_object_get_string_member (json_object_get_object_member (object, "jwk"), "k"));
}

static char *
make_resource (const char *base, const char *token)
{
  g_autoptr (SecReply) reply = sec_request (base, "POST", "/kms/v1/resources", token, NULL, "{}");
  g_autoptr (JsonObject) object = sec_reply_json (reply);

  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (json_object_get_string_member (object, "uri"));
}

/* GET the key: 200 with the same k, or the status. */
static guint
fetch_key (const char *base, const char *token, const Key *key)
{
  g_autoptr (SecReply) reply = sec_request (base, "GET", key->path, token, NULL, NULL);
  g_autoptr (JsonObject) object = NULL;

  if (reply->status != 200)
    return reply->status;
  object = sec_reply_json (reply);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (object, "jwk"), "k"), ==,
      key->k);
  return 200;
}

static char *
key_dir_of (FoyerTestService *service)
{
  return g_strconcat (foyer_test_service_get_data_dir (service), ".keys", NULL);
}

static guint8 *
read_master (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' && lines[i][0] != '#')
      {
        guint8 *raw = foyer_base64url_decode (g_strstrip (lines[i]), &len);

        g_assert_cmpuint (len, ==, 32);
        return raw;
      }
  g_assert_not_reached ();
}

/* Every stored key, wrapped, as the database holds it (kms.db, or
 * PostgreSQL's kms_keys). */
static GPtrArray *
stored_keys (FoyerTestService *service)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;
  g_autofree char *text = foyer_test_service_query (
      service, "kms",
      foyer_test_service_is_postgresql (service) ? "SELECT encode (wrapped, 'hex') FROM kms_keys"
                                                 : "SELECT hex (wrapped) FROM keys",
      &error);
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gsize len = strlen (lines[i]) / 2;
      guint8 *bytes;

      if (len == 0)
        continue;
      bytes = g_malloc (len);
      for (gsize j = 0; j < len; j++)
        bytes[j] = (guint8) ((g_ascii_xdigit_value (lines[i][2 * j]) << 4)
                             | g_ascii_xdigit_value (lines[i][2 * j + 1]));
      g_ptr_array_add (rows, g_bytes_new_take (bytes, len));
    }
  return rows;
}

static guint
unwraps (const guint8 master[32], GPtrArray *rows)
{
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      gsize len = 0;
      const guint8 *wrapped = g_bytes_get_data (g_ptr_array_index (rows, i), &len);
      guint8 out[64];
      gsize out_len = 0;

      n += foyer_svc_unwrap_key (master, wrapped, len, out, &out_len) ? 1 : 0;
    }
  return n;
}

/* Whether any 32 bytes of the file, or any 43 characters of base64url in
 * it, unwrap a stored key: what a thief holding the file could try. */
static gboolean
file_holds_a_master_key (const char *path, GPtrArray *rows)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + 32 <= len; i++)
    {
      g_autofree char *text = g_strndup (data + i, MIN (43, len - i));
      g_autofree guint8 *decoded = NULL;
      gsize decoded_len = 0;

      if (unwraps ((const guint8 *) data + i, rows) > 0)
        return TRUE;
      if (strlen (text) == 43 && (decoded = foyer_base64url_decode (text, &decoded_len)) != NULL
          && decoded_len == 32 && unwraps (decoded, rows) > 0)
        return TRUE;
    }
  return FALSE;
}

static void
copy_tree (const char *from, const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *a = g_build_filename (from, name, NULL);
      g_autofree char *b = g_build_filename (to, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (a, G_FILE_TEST_IS_DIR))
        continue;
      g_assert_true (g_file_get_contents (a, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (b, contents, (gssize) len, NULL));
      g_chmod (b, 0600);
    }
}

static void
test_stolen_data_folder (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  const char *data_dir = foyer_test_service_get_data_dir (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *resource = make_resource (base, token);
  g_autofree char *keys = key_dir_of (service);
  g_autofree char *master_path = g_build_filename (keys, "kms-master.key", NULL);
  g_autofree guint8 *master = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autofree char *thief_parent = sec_temp_dir ("thief-XXXXXX");
  g_autofree char *thief = g_build_filename (thief_parent, "data", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) stolen = NULL;
  const char *name;
  Key key = { 0 };

  make_key (base, token, resource, &key);
  g_assert_true (foyer_test_service_stop (service));

  /* The real master key, kept apart, does unwrap the stored key… */
  master = read_master (master_path);
  rows = stored_keys (service);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpuint (unwraps (master, rows), ==, 1);
  /* …and nothing in the data folder does, nor is the signing key there. */
  dir = g_dir_open (data_dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (data_dir, name, NULL);

      g_assert_cmpstr (name, !=, "kms-master.key");
      g_assert_cmpstr (name, !=, "token-signing-key.jwk");
      if (file_holds_a_master_key (path, rows))
        g_error ("%s holds a key that unwraps kms.db", name);
    }

  if (foyer_test_service_is_postgresql (service))
    {
      /* A backup of the database (pg_dump) holds no key that unwraps. */
      g_autofree char *dump
          = foyer_test_pg_dump (foyer_test_service_get_database_url (service), &error);
      g_autofree char *dump_path = g_build_filename (thief_parent, "dump.sql", NULL);
      g_autofree char *url_file = g_strconcat (thief, ".database", NULL);
      g_autofree char *no_keys = g_build_filename (thief_parent, "no-keys", NULL);
      const char *args[] = { "--key-dir", no_keys, NULL };

      g_assert_no_error (error);
      g_assert_nonnull (strstr (dump, "kms_keys"));
      g_assert_true (g_file_set_contents (dump_path, dump, -1, NULL));
      if (file_holds_a_master_key (dump_path, rows))
        g_error ("the database's dump holds a key that unwraps its keys");
      /* A node given the database but not the keys does not start. */
      copy_tree (data_dir, thief);
      g_assert_true (
          g_file_set_contents (url_file, foyer_test_service_get_database_url (service), -1, NULL));
      stolen = foyer_test_service_new_full (thief, NULL, FALSE, args, &error);
    }
  else
    {
      /* The thief's copy does not start: its keys are missing, and the
       * service says so rather than make new ones that would unwrap
       * nothing. */
      copy_tree (data_dir, thief);
      stolen = foyer_test_service_new_full (thief, NULL, FALSE, NULL, &error);
    }
  g_assert_null (stolen);
  g_assert_nonnull (error);
  key_clear (&key);
}

static void
test_moved_out_of_data_folder (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  const char *data_dir = foyer_test_service_get_data_dir (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *resource = make_resource (base, token);
  g_autofree char *keys = key_dir_of (service);
  const char *files[] = { "kms-master.key", "token-signing-key.jwk" };
  g_autoptr (GError) error = NULL;
  Key key = { 0 };

  if (foyer_test_service_is_postgresql (service))
    {
      g_test_skip ("installs from before the key folder had SQLite only");
      return;
    }
  make_key (base, token, resource, &key);
  g_assert_true (foyer_test_service_stop (service));

  /* An install from before: both keys in the data folder. */
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *in_keys = g_build_filename (keys, files[i], NULL);
      g_autofree char *in_data = g_build_filename (data_dir, files[i], NULL);

      g_assert_cmpint (g_rename (in_keys, in_data), ==, 0);
    }
  g_assert_cmpint (g_rmdir (keys), ==, 0);

  g_assert_true (foyer_test_service_restart (service, &error));
  g_assert_no_error (error);
  base = foyer_test_service_get_base_url (service);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *in_keys = g_build_filename (keys, files[i], NULL);
      g_autofree char *in_data = g_build_filename (data_dir, files[i], NULL);

      g_assert_true (g_file_test (in_keys, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (in_data, G_FILE_TEST_EXISTS));
    }
  /* Same keys: the old token is still good, the stored key still opens. */
  g_assert_cmpuint (fetch_key (base, token, &key), ==, 200);
  key_clear (&key);
}

static char *
write_key_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  guint8 raw[32];
  g_autofree char *text = NULL;

  g_assert_true (foyer_random_bytes (raw, sizeof raw, NULL));
  text = foyer_base64url_encode (raw, sizeof raw);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_chmod (path, 0600);
  return g_steal_pointer (&path);
}

/* A service on a fresh data folder with these arguments: TRUE if it
 * started; then a key made through it must unwrap with master. */
static gboolean
serves_with (const char *const *args, const char *master_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service
      = foyer_test_service_new_full (NULL, NULL, TRUE, args, &error);
  g_autofree char *token = NULL;
  g_autofree char *resource = NULL;
  g_autofree guint8 *master = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *default_key = NULL;
  Key key = { 0 };

  if (service == NULL)
    return FALSE;
  token = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  resource = make_resource (foyer_test_service_get_base_url (service), token);
  make_key (foyer_test_service_get_base_url (service), token, resource, &key);
  g_assert_true (foyer_test_service_stop (service));
  master = read_master (master_path);
  rows = stored_keys (service);
  g_assert_cmpuint (unwraps (master, rows), ==, 1);
  /* Given from elsewhere, no master key is made in the key folder. */
  default_key
      = g_strconcat (foyer_test_service_get_data_dir (service), ".keys/kms-master.key", NULL);
  g_assert_false (g_file_test (default_key, G_FILE_TEST_EXISTS));
  key_clear (&key);
  return TRUE;
}

static void
test_key_sources (void)
{
  g_autofree char *dir = sec_temp_dir ("keys-XXXXXX");
  g_autofree char *file = write_key_file (dir, "master.key");
  g_autofree char *credentials = g_build_filename (dir, "credentials", NULL);
  g_autofree char *credential = NULL;
  g_autofree char *env_file = write_key_file (dir, "env.key");
  g_autofree char *env_value = NULL;
  const char *with_file[] = { "--master-key-file", file, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service = NULL;

  g_assert_true (serves_with (with_file, file));

  g_assert_true (g_file_get_contents (env_file, &env_value, NULL, NULL));
  g_setenv ("FOYER_SERVICE_MASTER_KEY", env_value, TRUE);
  g_assert_true (serves_with (NULL, env_file));
  g_unsetenv ("FOYER_SERVICE_MASTER_KEY");

  g_assert_cmpint (g_mkdir (credentials, 0700), ==, 0);
  credential = write_key_file (credentials, "kms-master.key");
  g_setenv ("CREDENTIALS_DIRECTORY", credentials, TRUE);
  g_assert_true (serves_with (NULL, credential));
  g_unsetenv ("CREDENTIALS_DIRECTORY");

  /* Never from inside the data folder: not the key file, not the folder. */
  service = foyer_test_service_new ();
  {
    g_autofree char *data = g_strdup (foyer_test_service_get_data_dir (service));
    g_autofree char *inside = write_key_file (data, "master-here.key");
    g_autofree char *inside_dir = g_build_filename (data, "keys", NULL);
    const char *bad_file[] = { "--master-key-file", inside, NULL };
    const char *bad_dir[] = { "--key-dir", inside_dir, NULL };
    g_autoptr (FoyerTestService) a = NULL;
    g_autoptr (FoyerTestService) b = NULL;

    g_assert_true (foyer_test_service_stop (service));
    a = foyer_test_service_new_full (data, NULL, FALSE, bad_file, &error);
    g_assert_null (a);
    g_clear_error (&error);
    b = foyer_test_service_new_full (data, NULL, FALSE, bad_dir, &error);
    g_assert_null (b);
    g_clear_error (&error);
  }
}

typedef struct
{
  const char *base;
  const char *token;
  const char *resource;
  Key *keys;
  guint n_keys;
  int stop;
  int fetched;
  int made;
  int failed;
} Traffic;

/* A client fetching and making keys all through the rotation. */
static gpointer
traffic_thread (gpointer user_data)
{
  Traffic *t = user_data;

  for (guint i = 0; !g_atomic_int_get (&t->stop); i++)
    {
      if (fetch_key (t->base, t->token, &t->keys[i % t->n_keys]) == 200)
        g_atomic_int_inc (&t->fetched);
      else
        g_atomic_int_inc (&t->failed);
      if (i % 8 == 0)
        {
          Key fresh = { 0 };

          make_key (t->base, t->token, t->resource, &fresh);
          g_atomic_int_inc (&t->made);
          key_clear (&fresh);
        }
    }
  return NULL;
}

static void
test_rotation_online (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *resource = make_resource (base, token);
  g_autofree char *keys_dir = key_dir_of (service);
  g_autofree char *master_path = g_build_filename (keys_dir, "kms-master.key", NULL);
  g_autofree guint8 *old = read_master (master_path);
  g_autofree guint8 *fresh = NULL;
  g_autofree char *said = NULL;
  g_autofree char *file = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  const char *rotate[] = { "kms", "rotate-master-key", NULL };
  Key keys[300] = { { 0 } };
  Traffic traffic = { base, token, resource, keys, G_N_ELEMENTS (keys) };
  GThread *thread;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    make_key (base, token, resource, &keys[i]);

  thread = g_thread_new ("traffic", traffic_thread, &traffic);
  /* The rotation starts once the client is busy. */
  while (g_atomic_int_get (&traffic.fetched) < 10)
    g_thread_yield ();
  g_assert_true (foyer_test_service_run_cli (service, rotate, &said, &error));
  g_assert_no_error (error);
  g_test_message ("%s", said);
  g_atomic_int_set (&traffic.stop, 1);
  g_thread_join (thread);
  g_assert_cmpint (traffic.failed, ==, 0);
  g_assert_cmpint (traffic.made, >, 0);

  /* One key left in the file, a new one; it unwraps every stored key,
   * made before, during or after the rotation; the old one none. */
  g_assert_true (g_file_get_contents (master_path, &file, NULL, NULL));
  fresh = read_master (master_path);
  g_assert_false (memcmp (fresh, old, 32) == 0);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_cmpuint (fetch_key (base, token, &keys[i]), ==, 200);
  {
    Key after = { 0 };

    make_key (base, token, resource, &after);
    g_assert_cmpuint (fetch_key (base, token, &after), ==, 200);
    key_clear (&after);
  }
  g_assert_true (foyer_test_service_stop (service));
  rows = stored_keys (service);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (keys) + traffic.made + 1);
  g_assert_cmpuint (unwraps (fresh, rows), ==, rows->len);
  g_assert_cmpuint (unwraps (old, rows), ==, 0);

  /* And after a restart, with only the new key. */
  g_assert_true (foyer_test_service_restart (service, &error));
  g_assert_no_error (error);
  base = foyer_test_service_get_base_url (service);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_assert_cmpuint (fetch_key (base, token, &keys[i]), ==, 200);
      key_clear (&keys[i]);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/keys/stolen-data-folder", test_stolen_data_folder);
  g_test_add_func ("/security/keys/moved-out-of-data-folder", test_moved_out_of_data_folder);
  g_test_add_func ("/security/keys/sources", test_key_sources);
  g_test_add_func ("/security/keys/rotation-online", test_rotation_online);
  return g_test_run ();
}
