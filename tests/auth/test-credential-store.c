/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The credential store against the test's own gnome-keyring (set up by
 * tests/headless-run), its generation number, and the in-memory fallback
 * when no Secret Service answers. */
#include "config.h"

#include "foyer-credential-store.h"

#include <libsecret/secret.h>

static GAsyncResult *the_result;

static void
result_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  the_result = g_object_ref (result);
}

static GAsyncResult *
wait_result (void)
{
  g_clear_object (&the_result);
  while (the_result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return the_result;
}

static gboolean
save (FoyerCredentialStore *store, const FoyerCredentials *c, GError **error)
{
  foyer_credential_store_save_async (store, c, NULL, result_cb, NULL);
  return foyer_credential_store_save_finish (store, wait_result (), error);
}

static FoyerCredentials *
lookup (FoyerCredentialStore *store, const char *account, GError **error)
{
  foyer_credential_store_lookup_async (store, account, NULL, result_cb, NULL);
  return foyer_credential_store_lookup_finish (store, wait_result (), error);
}

static gboolean
clear (FoyerCredentialStore *store, const char *account, GError **error)
{
  foyer_credential_store_clear_async (store, account, NULL, result_cb, NULL);
  return foyer_credential_store_clear_finish (store, wait_result (), error);
}

static void
test_roundtrip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new ();
  g_autoptr (FoyerCredentialStore) again = NULL;
  g_autoptr (FoyerCredentials) alice
      = foyer_credentials_new ("oid-a@tid", "refresh-a", "Alice", "alice@contoso.example", "tid");
  g_autoptr (FoyerCredentials) bob
      = foyer_credentials_new ("oid-b@tid", "refresh-b", "Bob", "bob@contoso.example", "tid");
  g_autoptr (FoyerCredentials) got = NULL;
  g_autoptr (FoyerCredentials) got_b = NULL;
  g_autoptr (FoyerCredentials) gone = NULL;

  g_assert_true (save (store, alice, &error));
  g_assert_no_error (error);
  g_assert_true (save (store, bob, &error));
  g_assert_true (foyer_credential_store_is_persistent (store));

  /* A new store (as at the next start) finds them in the keyring. */
  again = foyer_credential_store_new ();
  got = lookup (again, "oid-a@tid", &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpstr (got->refresh_token, ==, "refresh-a");
  g_assert_cmpstr (got->name, ==, "Alice");
  g_assert_cmpstr (got->email, ==, "alice@contoso.example");
  g_assert_cmpstr (got->tenant_id, ==, "tid");

  /* Saving again replaces (a rotated refresh token). */
  g_free (alice->refresh_token);
  alice->refresh_token = g_strdup ("refresh-a2");
  g_assert_true (save (again, alice, &error));
  g_clear_pointer (&got, foyer_credentials_free);
  got = lookup (store, "oid-a@tid", &error);
  g_assert_cmpstr (got->refresh_token, ==, "refresh-a2");

  g_assert_true (clear (store, "oid-a@tid", &error));
  g_assert_no_error (error);
  gone = lookup (again, "oid-a@tid", &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  got_b = lookup (again, NULL, &error);
  g_assert_nonnull (got_b);
  g_assert_cmpstr (got_b->refresh_token, ==, "refresh-b");
  g_assert_true (clear (store, NULL, &error));
  g_clear_pointer (&got_b, foyer_credentials_free);
  got_b = lookup (again, NULL, &error);
  g_assert_null (got_b);
}

typedef struct
{
  FoyerCredentialStore *store;
  guint answers;
  gboolean ok;
} ClearWait;

static void
clear_answered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClearWait *w = user_data;
  g_autoptr (GError) error = NULL;

  g_assert_true (FOYER_CREDENTIAL_STORE (source) == w->store);
  w->ok = foyer_credential_store_clear_finish (w->store, result, &error);
  g_assert_no_error (error);
  w->answers++;
}

/* Two clears of the same item at once (a disconnect, then a sign-out
 * before the keyring answered): libsecret's own clear returns its task
 * twice when the item it found is gone by the time it deletes it (a
 * GLib critical, seen in the search-ui test). Each clear answers once,
 * and the keyring stays in use. */
static void
test_concurrent_clears (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new ();
  g_autoptr (FoyerCredentialStore) other = foyer_credential_store_new ();
  g_autoptr (FoyerCredentials) c
      = foyer_credentials_new ("oid-c@tid", "refresh-c", "Carol", "carol@contoso.example", "tid");
  g_autoptr (FoyerCredentials) got = NULL;
  ClearWait first = { store }, second = { store }, third = { other };

  for (guint round = 0; round < 5; round++)
    {
      g_assert_true (save (store, c, &error));
      g_assert_no_error (error);
      first.answers = second.answers = third.answers = 0;
      foyer_credential_store_clear_async (store, "oid-c@tid", NULL, clear_answered_cb, &first);
      foyer_credential_store_clear_async (store, "oid-c@tid", NULL, clear_answered_cb, &second);
      foyer_credential_store_clear_async (other, NULL, NULL, clear_answered_cb, &third);
      while (first.answers == 0 || second.answers == 0 || third.answers == 0)
        g_main_context_iteration (NULL, TRUE);
      /* Nothing answers a second time later. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_assert_cmpuint (first.answers + second.answers + third.answers, ==, 3);
      g_assert_true (first.ok && second.ok && third.ok);
      g_assert_true (foyer_credential_store_is_persistent (store));
      g_assert_true (foyer_credential_store_is_persistent (other));
      got = lookup (other, "oid-c@tid", &error);
      g_assert_no_error (error);
      g_assert_null (got);
    }
}

static const SecretSchema test_schema = {
  "io.github.foyer.Foyer.MicrosoftAccount",
  SECRET_SCHEMA_NONE,
  {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "generation", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
  },
};

static void
test_generation (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new ();
  g_autoptr (FoyerCredentials) got = NULL;

  /* An item of an older generation, as an earlier version left it. */
  g_assert_true (secret_password_store_sync (
      &test_schema, SECRET_COLLECTION_DEFAULT, "old", "{\"refreshToken\":\"old-token\"}", NULL,
      &error, "account", "oid-old@tid", "generation", FOYER_CREDENTIAL_GENERATION - 1, NULL));
  g_assert_no_error (error);

  got = lookup (store, "oid-old@tid", &error);
  g_assert_no_error (error);
  g_assert_null (got);
  got = lookup (store, NULL, &error);
  g_assert_null (got);
  g_assert_true (foyer_credential_store_is_persistent (store));
}

static void
persistent_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerCredentialStore) store = NULL;
      g_autoptr (FoyerCredentials) c
          = foyer_credentials_new ("oid@tid", "refresh", "Alice", "alice@x", "tid");
      g_autoptr (FoyerCredentials) got = NULL;
      guint notifies = 0;

      /* No session bus at all: libsecret cannot reach any service. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/foyer-test-bus", TRUE);
      store = foyer_credential_store_new ();
      g_signal_connect (store, "notify::persistent", G_CALLBACK (persistent_notify_cb), &notifies);
      g_assert_true (foyer_credential_store_is_persistent (store));
      g_assert_true (save (store, c, &error));
      g_assert_no_error (error);
      g_assert_false (foyer_credential_store_is_persistent (store));
      g_assert_cmpuint (notifies, ==, 1);
      got = lookup (store, "oid@tid", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got->refresh_token, ==, "refresh");
      g_assert_true (clear (store, "oid@tid", &error));
      g_clear_pointer (&got, foyer_credentials_free);
      got = lookup (store, "oid@tid", &error);
      g_assert_null (got);
      g_clear_object (&the_result);
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Secret Service is unavailable*");
}

static void
test_in_memory (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentialStore) store = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerCredentialStore) other = foyer_credential_store_new_in_memory ();
  g_autoptr (FoyerCredentials) c = foyer_credentials_new ("oid@tid", "r", NULL, NULL, "tid");
  g_autoptr (FoyerCredentials) got = NULL;
  g_autoptr (FoyerCredentials) none = NULL;

  g_assert_false (foyer_credential_store_is_persistent (store));
  g_assert_true (save (store, c, &error));
  got = lookup (store, NULL, &error);
  g_assert_cmpstr (got->refresh_token, ==, "r");
  /* Nothing reaches the keyring or another store. */
  none = lookup (other, "oid@tid", &error);
  g_assert_null (none);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/credential-store/roundtrip", test_roundtrip);
  g_test_add_func ("/auth/credential-store/concurrent-clears", test_concurrent_clears);
  g_test_add_func ("/auth/credential-store/generation", test_generation);
  g_test_add_func ("/auth/credential-store/no-secret-service", test_no_secret_service);
  g_test_add_func ("/auth/credential-store/in-memory", test_in_memory);

  ret = g_test_run ();
  g_clear_object (&the_result);
  return ret;
}
