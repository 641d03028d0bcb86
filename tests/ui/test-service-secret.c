/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "foyer-service-secret.h"

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
run (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
store (const char *url, const char *email, const char *token)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  foyer_service_secret_store_async (url, email, token, NULL, done_cb, &result);
  g_assert_true (foyer_service_secret_store_finish (run (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static char *
lookup (const char *url, char **email)
{
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;
  char *token;

  foyer_service_secret_lookup_async (url, NULL, done_cb, &result);
  token = foyer_service_secret_lookup_finish (run (&result), email, &error);
  g_assert_no_error (error);
  g_object_unref (result);
  return token;
}

static void
test_round_trip (void)
{
  const char *url = "https://foyer.contoso.example";
  g_autofree char *token = NULL;
  g_autofree char *email = NULL;
  GAsyncResult *result = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_null ((token = lookup (url, &email)));
  g_assert_null (email);

  store (url, "alice@contoso.example", "token-one");
  token = lookup (url, &email);
  g_assert_cmpstr (token, ==, "token-one");
  g_assert_cmpstr (email, ==, "alice@contoso.example");
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&email, g_free);

  /* Another service's session is separate; a new sign-in replaces the old. */
  store ("http://127.0.0.1:9999", "bob@contoso.example", "token-other");
  store (url, "carol@contoso.example", "token-two");
  token = lookup (url, &email);
  g_assert_cmpstr (token, ==, "token-two");
  g_assert_cmpstr (email, ==, "carol@contoso.example");
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&email, g_free);

  foyer_service_secret_clear_async (url, NULL, done_cb, &result);
  g_assert_true (foyer_service_secret_clear_finish (run (&result), &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_null ((token = lookup (url, NULL)));
  token = lookup ("http://127.0.0.1:9999", NULL);
  g_assert_cmpstr (token, ==, "token-other");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spaces/service-secret/round-trip", test_round_trip);
  return g_test_run ();
}
