/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-cookie-vault.h"

#include "store-test-util.h"

#define MARKER "PLAINTEXT-COOKIE-MARKER-ESTSAUTHPERSISTENT"

static FoyerStore *
open_store (const char *name, char **out_dir)
{
  g_autofree char *dir = store_test_make_dir (name);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *profile = g_strconcat ("cookie-", name, NULL);
  g_autoptr (GError) error = NULL;
  FoyerStore *store = foyer_store_open_sync (path, profile, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (foyer_store_is_persistent (store));
  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&dir);

  return store;
}

static SoupCookie *
make_cookie (const char *name,
             const char *value,
             const char *domain,
             gint64 expires_in,
             gboolean secure,
             gboolean http_only,
             SoupSameSitePolicy same_site)
{
  SoupCookie *cookie = soup_cookie_new (name, value, domain, "/", -1);

  if (expires_in != 0)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr (GDateTime) expires = g_date_time_add_seconds (now, (double) expires_in);

      soup_cookie_set_expires (cookie, expires);
    }
  soup_cookie_set_secure (cookie, secure);
  soup_cookie_set_http_only (cookie, http_only);
  soup_cookie_set_same_site_policy (cookie, same_site);

  return cookie;
}

static void
free_cookies (GSList *cookies)
{
  g_slist_free_full (cookies, (GDestroyNotify) soup_cookie_free);
}

static SoupCookie *
find_cookie (GSList *cookies, const char *name)
{
  for (GSList *l = cookies; l != NULL; l = l->next)
    if (g_strcmp0 (soup_cookie_get_name (l->data), name) == 0)
      return l->data;

  return NULL;
}

static void
assert_same_cookie (SoupCookie *expected, SoupCookie *actual)
{
  GDateTime *e = soup_cookie_get_expires (expected);
  GDateTime *a = soup_cookie_get_expires (actual);

  g_assert_nonnull (actual);
  g_assert_cmpstr (soup_cookie_get_name (actual), ==, soup_cookie_get_name (expected));
  g_assert_cmpstr (soup_cookie_get_value (actual), ==, soup_cookie_get_value (expected));
  g_assert_cmpstr (soup_cookie_get_domain (actual), ==, soup_cookie_get_domain (expected));
  g_assert_cmpstr (soup_cookie_get_path (actual), ==, soup_cookie_get_path (expected));
  g_assert_cmpint (soup_cookie_get_secure (actual), ==, soup_cookie_get_secure (expected));
  g_assert_cmpint (soup_cookie_get_http_only (actual), ==, soup_cookie_get_http_only (expected));
  g_assert_cmpint (soup_cookie_get_same_site_policy (actual), ==,
                   soup_cookie_get_same_site_policy (expected));
  g_assert_true ((e == NULL) == (a == NULL));
  if (e != NULL)
    g_assert_cmpint (g_date_time_to_unix (a), ==, g_date_time_to_unix (e));
}

static GSList *
sample_cookies (void)
{
  GSList *cookies = NULL;

  cookies = g_slist_append (cookies, make_cookie ("ESTSAUTHPERSISTENT", MARKER "-persistent",
                                                  "login.microsoftonline.com", 86400, TRUE, TRUE,
                                                  SOUP_SAME_SITE_POLICY_NONE));
  /* A session cookie: no expiry, kept all the same. */
  cookies = g_slist_append (cookies, make_cookie ("ESTSAUTH", MARKER "-session",
                                                  ".login.microsoftonline.com", 0, TRUE, TRUE,
                                                  SOUP_SAME_SITE_POLICY_LAX));
  cookies
      = g_slist_append (cookies, make_cookie ("FedAuth", "fed=value; with \"quotes\" and ünicode",
                                              "contoso.sharepoint.com", 3600, FALSE, FALSE,
                                              SOUP_SAME_SITE_POLICY_STRICT));
  soup_cookie_set_path (g_slist_last (cookies)->data, "/sites/Finance");

  return cookies;
}

static void
test_round_trip (void)
{
  g_autoptr (FoyerStore) store = open_store ("round-trip", NULL);
  g_autoptr (GError) error = NULL;
  GSList *cookies = sample_cookies ();
  GSList *loaded;

  /* Nothing saved yet. */
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_no_error (error);
  g_assert_null (loaded);

  g_assert_true (foyer_cookie_vault_save (store, cookies, &error));
  g_assert_no_error (error);
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (loaded), ==, 3);
  for (GSList *l = cookies; l != NULL; l = l->next)
    assert_same_cookie (l->data, find_cookie (loaded, soup_cookie_get_name (l->data)));

  free_cookies (loaded);
  free_cookies (cookies);
}

static void
test_expired_dropped (void)
{
  g_autoptr (FoyerStore) store = open_store ("expired", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) later = g_date_time_add_hours (now, 2);
  g_autoptr (GBytes) serialized = NULL;
  GSList *cookies = NULL;
  GSList *loaded;

  cookies = g_slist_append (
      cookies, make_cookie ("old", "v", "example.com", -60, TRUE, TRUE, SOUP_SAME_SITE_POLICY_LAX));
  cookies = g_slist_append (cookies, make_cookie ("hour", "v", "example.com", 3600, TRUE, TRUE,
                                                  SOUP_SAME_SITE_POLICY_LAX));
  cookies = g_slist_append (cookies, make_cookie ("session", "v", "example.com", 0, TRUE, TRUE,
                                                  SOUP_SAME_SITE_POLICY_LAX));

  g_assert_true (foyer_cookie_vault_save (store, cookies, &error));
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (loaded), ==, 2);
  g_assert_null (find_cookie (loaded, "old"));
  g_assert_nonnull (find_cookie (loaded, "hour"));
  g_assert_nonnull (find_cookie (loaded, "session"));
  free_cookies (loaded);

  /* A cookie that expires while saved is dropped on load. */
  serialized = foyer_cookie_vault_serialize (cookies, now);
  loaded = foyer_cookie_vault_deserialize (g_bytes_get_data (serialized, NULL),
                                           g_bytes_get_size (serialized), later, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (loaded), ==, 1);
  g_assert_nonnull (find_cookie (loaded, "session"));
  free_cookies (loaded);
  free_cookies (cookies);
}

static void
test_not_utf8_skipped (void)
{
  g_autoptr (FoyerStore) store = open_store ("not-utf8", NULL);
  g_autoptr (GError) error = NULL;
  GSList *cookies = NULL;
  GSList *loaded;

  cookies = g_slist_append (cookies, make_cookie ("latin1", "caf\xe9", "example.com", 0, FALSE,
                                                  FALSE, SOUP_SAME_SITE_POLICY_NONE));
  cookies = g_slist_append (cookies, make_cookie ("fine", "ascii", "example.com", 0, FALSE, FALSE,
                                                  SOUP_SAME_SITE_POLICY_NONE));

  /* The jar stays readable: only the cookie JSON cannot carry is left out. */
  g_assert_true (foyer_cookie_vault_save (store, cookies, &error));
  g_assert_no_error (error);
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (loaded), ==, 1);
  g_assert_cmpstr (soup_cookie_get_name (loaded->data), ==, "fine");
  free_cookies (loaded);
  free_cookies (cookies);
}

static void
test_replace_and_clear (void)
{
  g_autoptr (FoyerStore) store = open_store ("replace", NULL);
  g_autoptr (GError) error = NULL;
  GSList *first = sample_cookies ();
  GSList *second = NULL;
  GSList *loaded;

  second = g_slist_append (second, make_cookie ("only", "one", "example.com", 0, FALSE, FALSE,
                                                SOUP_SAME_SITE_POLICY_NONE));
  g_assert_true (foyer_cookie_vault_save (store, first, &error));
  g_assert_true (foyer_cookie_vault_save (store, second, &error));
  g_assert_no_error (error);
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_cmpuint (g_slist_length (loaded), ==, 1);
  assert_same_cookie (second->data, loaded->data);
  free_cookies (loaded);

  g_assert_true (foyer_cookie_vault_clear (store, &error));
  g_assert_no_error (error);
  loaded = foyer_cookie_vault_load (store, &error);
  g_assert_no_error (error);
  g_assert_null (loaded);

  free_cookies (first);
  free_cookies (second);
}

static void
test_no_plaintext_on_disk (void)
{
  g_autofree char *dir = NULL;
  g_autoptr (FoyerStore) store = open_store ("plaintext", &dir);
  g_autoptr (GError) error = NULL;
  GSList *cookies = sample_cookies ();
  guint files = 0;

  g_assert_true (foyer_cookie_vault_save (store, cookies, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (store_test_scan_dir (dir, MARKER, &files), ==, 0);
  g_assert_cmpuint (files, >=, 2);
  foyer_store_close (store);
  g_assert_cmpuint (store_test_scan_dir (dir, MARKER, NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "login.microsoftonline.com", NULL), ==, 0);
  g_assert_cmpuint (store_test_scan_dir (dir, "ESTSAUTH", NULL), ==, 0);
  free_cookies (cookies);
}

static void
test_malformed (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  static const char *const corrupt[] = {
    "not json",
    "[]",
    "{\"v\":2,\"cookies\":[]}",
    "{\"v\":\"1\",\"cookies\":[]}",
    "{\"v\":1}",
    "{\"v\":1,\"cookies\":{}}",
  };
  const char *partly
      = "{\"v\":1,\"cookies\":[42,{\"name\":\"a\"},"
        "{\"name\":\"b\",\"value\":\"v\",\"domain\":\"d.example\",\"path\":\"/"
        "\",\"expires\":\"x\"},"
        "{\"name\":\"c\",\"value\":\"v\",\"domain\":\"d.example\",\"path\":\"/\",\"sameSite\":7},"
        "{\"name\":\"d\",\"value\":\"v\",\"domain\":\"d.example\",\"path\":\"/\","
        "\"expires\":99999999999999}]}";
  GSList *loaded;

  for (gsize i = 0; i < G_N_ELEMENTS (corrupt); i++)
    {
      g_autoptr (GError) error = NULL;

      loaded = foyer_cookie_vault_deserialize ((const guint8 *) corrupt[i], strlen (corrupt[i]),
                                               now, &error);
      g_assert_null (loaded);
      g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CORRUPT);
    }

  /* Malformed entries are skipped, the good one is kept. */
  {
    g_autoptr (GError) error = NULL;

    loaded = foyer_cookie_vault_deserialize ((const guint8 *) partly, strlen (partly), now, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_slist_length (loaded), ==, 1);
    g_assert_cmpstr (soup_cookie_get_name (loaded->data), ==, "c");
    g_assert_cmpint (soup_cookie_get_same_site_policy (loaded->data), ==,
                     SOUP_SAME_SITE_POLICY_NONE);
    free_cookies (loaded);
  }
}

static void
saved_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  int *step = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_cookie_vault_save_finish (FOYER_STORE (object), result, &error));
  g_assert_no_error (error);
  *step = 1;
}

static void
loaded_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GSList **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = foyer_cookie_vault_load_finish (FOYER_STORE (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static void
test_async (void)
{
  g_autoptr (FoyerStore) store = open_store ("async", NULL);
  GSList *cookies = sample_cookies ();
  GSList *loaded = NULL;
  int step = 0;

  foyer_cookie_vault_save_async (store, cookies, NULL, saved_cb, &step);
  foyer_cookie_vault_load_async (store, NULL, loaded_cb, &loaded);
  while (step == 0 || loaded == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_slist_length (loaded), ==, 3);
  free_cookies (loaded);
  free_cookies (cookies);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cookie-vault/round-trip", test_round_trip);
  g_test_add_func ("/cookie-vault/expired-dropped", test_expired_dropped);
  g_test_add_func ("/cookie-vault/not-utf8-skipped", test_not_utf8_skipped);
  g_test_add_func ("/cookie-vault/replace-and-clear", test_replace_and_clear);
  g_test_add_func ("/cookie-vault/no-plaintext-on-disk", test_no_plaintext_on_disk);
  g_test_add_func ("/cookie-vault/malformed", test_malformed);
  g_test_add_func ("/cookie-vault/async", test_async);

  return g_test_run ();
}
