/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-device-key.h"
#include "foyer-store.h"

#include "store-test-util.h"

#include <libsecret/secret.h>

static void
assert_keys_equal (FoyerDeviceKey *a, FoyerDeviceKey *b, gboolean equal)
{
  guint8 ka[FOYER_DEVICE_KEY_LENGTH], kb[FOYER_DEVICE_KEY_LENGTH];

  foyer_device_key_copy_bytes (a, ka);
  foyer_device_key_copy_bytes (b, kb);
  g_assert_true ((memcmp (ka, kb, sizeof ka) == 0) == equal);
}

/* The stored secret of one generation, straight from the Secret Service. */
static char *
lookup_secret (const char *profile, guint generation)
{
  g_autoptr (GError) error = NULL;
  char *secret
      = secret_password_lookup_sync (foyer_device_key_get_schema (), NULL, &error, "profile",
                                     profile, "generation", (int) generation, NULL);

  g_assert_no_error (error);
  return secret;
}

static void
test_persisted (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDeviceKey) first = foyer_device_key_load_sync ("dk-persisted", NULL, &error);
  g_autoptr (FoyerDeviceKey) second = NULL;
  g_autoptr (FoyerDeviceKey) other = NULL;
  g_autofree char *secret = NULL;
  g_autofree guint8 *decoded = NULL;
  guint8 raw[FOYER_DEVICE_KEY_LENGTH];
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_true (foyer_device_key_is_persistent (first));
  g_assert_null (foyer_device_key_get_fallback_reason (first));
  g_assert_null (foyer_device_key_get_user_notice (first));
  g_assert_cmpuint (foyer_device_key_get_generation (first), ==, 1);
  g_assert_cmpstr (foyer_device_key_get_profile (first), ==, "dk-persisted");

  /* It is really in the keyring, under the documented schema. */
  secret = lookup_secret ("dk-persisted", 1);
  g_assert_nonnull (secret);
  decoded = g_base64_decode (secret, &len);
  g_assert_cmpuint (len, ==, FOYER_DEVICE_KEY_LENGTH);
  foyer_device_key_copy_bytes (first, raw);
  g_assert_cmpmem (decoded, len, raw, sizeof raw);

  second = foyer_device_key_load_sync ("dk-persisted", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (second), ==, 1);
  assert_keys_equal (first, second, TRUE);

  other = foyer_device_key_load_sync ("dk-persisted-other", NULL, &error);
  g_assert_no_error (error);
  assert_keys_equal (first, other, FALSE);
}

static void
load_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FoyerDeviceKey **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = foyer_device_key_load_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDeviceKey) async_key = NULL;
  g_autoptr (FoyerDeviceKey) sync_key = NULL;

  foyer_device_key_load_async ("dk-async", NULL, load_cb, &async_key);
  while (async_key == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (foyer_device_key_is_persistent (async_key));

  sync_key = foyer_device_key_load_sync ("dk-async", NULL, &error);
  g_assert_no_error (error);
  assert_keys_equal (async_key, sync_key, TRUE);
}

static void
rotate_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_device_key_rotate_finish (FOYER_DEVICE_KEY (object), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
test_rotate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDeviceKey) key = foyer_device_key_load_sync ("dk-rotate", NULL, &error);
  g_autoptr (FoyerDeviceKey) before = foyer_device_key_load_sync ("dk-rotate", NULL, &error);
  g_autoptr (FoyerDeviceKey) reloaded = NULL;
  g_autofree char *old_secret = NULL;
  g_autofree char *new_secret = NULL;
  gboolean done = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (key), ==, 1);

  g_assert_true (foyer_device_key_rotate_sync (key, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (key), ==, 2);
  assert_keys_equal (key, before, FALSE);

  /* The old generation is forgotten, the new one is what a restart reads. */
  old_secret = lookup_secret ("dk-rotate", 1);
  g_assert_null (old_secret);
  new_secret = lookup_secret ("dk-rotate", 2);
  g_assert_nonnull (new_secret);
  reloaded = foyer_device_key_load_sync ("dk-rotate", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (reloaded), ==, 2);
  assert_keys_equal (key, reloaded, TRUE);
  g_clear_object (&reloaded);

  foyer_device_key_rotate_async (key, NULL, rotate_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (foyer_device_key_get_generation (key), ==, 3);
  reloaded = foyer_device_key_load_sync ("dk-rotate", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (foyer_device_key_get_generation (reloaded), ==, 3);
  assert_keys_equal (key, reloaded, TRUE);
}

static void
test_stale_generations_cleared (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDeviceKey) key = NULL;
  g_autofree char *stale = NULL;

  /* An interrupted rotation left generations 4 and 7 behind. */
  g_assert_true (secret_password_store_sync (foyer_device_key_get_schema (), NULL, "stale",
                                             "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", NULL,
                                             &error, "profile", "dk-stale", "generation", 4, NULL));
  g_assert_true (secret_password_store_sync (foyer_device_key_get_schema (), NULL, "newest",
                                             "not base64 of 32 bytes", NULL, &error, "profile",
                                             "dk-stale", "generation", 7, NULL));
  g_assert_no_error (error);

  /* The newest is unreadable: a new generation above it is made, the rest cleared. */
  key = foyer_device_key_load_sync ("dk-stale", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (foyer_device_key_is_persistent (key));
  g_assert_cmpuint (foyer_device_key_get_generation (key), ==, 8);
  stale = lookup_secret ("dk-stale", 4);
  g_assert_null (stale);
  stale = lookup_secret ("dk-stale", 7);
  g_assert_null (stale);
  stale = lookup_secret ("dk-stale", 8);
  g_assert_nonnull (stale);
}

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *dir = store_test_make_dir ("no-secret-service");
      g_autofree char *bus = g_strdup_printf ("unix:path=%s/no-such-bus", dir);
      g_autofree char *data_home = g_build_filename (dir, "data", NULL);
      g_autofree char *explicit_path = g_build_filename (dir, "explicit", "store.db", NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerDeviceKey) key = NULL;
      g_autoptr (FoyerStore) store = NULL;
      g_autoptr (FoyerStore) explicit_store = NULL;
      g_autoptr (GBytes) value = g_bytes_new_static ("secret cookie", 13);
      g_autoptr (GBytes) back = NULL;
      guint files = 0;

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
      g_setenv ("XDG_DATA_HOME", data_home, TRUE);

      key = foyer_device_key_load_sync ("dk-fallback", NULL, &error);
      g_assert_no_error (error);
      g_assert_false (foyer_device_key_is_persistent (key));
      g_assert_nonnull (foyer_device_key_get_fallback_reason (key));
      g_assert_nonnull (foyer_device_key_get_user_notice (key));

      store = foyer_store_open_sync (NULL, "dk-fallback", NULL, &error);
      g_assert_no_error (error);
      g_assert_false (foyer_store_is_persistent (store));
      g_assert_null (foyer_store_get_path (store));
      g_assert_true (foyer_store_put (store, "cookies", "jar", value, &error));
      back = foyer_store_get (store, "cookies", "jar", &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back, value));
      g_assert_true (foyer_store_wipe (store, &error));
      g_assert_no_error (error);

      /* Even a path given explicitly is not used. */
      explicit_store = foyer_store_open_sync (explicit_path, "dk-fallback", NULL, &error);
      g_assert_no_error (error);
      g_assert_true (foyer_store_put (explicit_store, "cookies", "jar", value, &error));
      g_clear_object (&store);
      g_clear_object (&explicit_store);

      /* Nothing reached the disk: the directory holds no file at all. */
      g_assert_cmpuint (store_test_scan_dir (dir, "", &files), ==, 0);
      g_assert_cmpuint (files, ==, 0);
      g_assert_false (g_file_test (data_home, G_FILE_TEST_EXISTS));
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/device-key/persisted", test_persisted);
  g_test_add_func ("/device-key/async", test_async);
  g_test_add_func ("/device-key/rotate", test_rotate);
  g_test_add_func ("/device-key/stale-generations", test_stale_generations_cleared);
  g_test_add_func ("/device-key/no-secret-service", test_no_secret_service);

  return g_test_run ();
}
