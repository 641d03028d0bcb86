/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The demo's seeder against the real foyer-service and Microsoft sandbox:
 * Bob finds the seeded spaces, decrypts their history with keys from the
 * KMS, and every shared document is a reference that validates against the
 * sandbox's cloud; the service keeps none of it in plaintext.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "foyer-chat-client.h"
#include "foyer-document-ref.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-test-pg.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"

/* Each step waits for its result, then lets it go. */
static GAsyncResult *
wait_for (FoyerTestWait *wait)
{
  foyer_test_wait_clear (wait);
  return foyer_test_wait (wait);
}

static char *
decrypt (FoyerKmsClient *kms, const char *jwe)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *kid = NULL;
  const guint8 *bytes;
  gsize len = 0;
  FoyerTestWait wait = { NULL };
  char *text;

  g_assert_true (foyer_jwe_check (jwe, FOYER_JWE_MAX_LENGTH, &kid, &error));
  foyer_kms_client_get_key_async (kms, kid, NULL, foyer_test_wait_cb, &wait);
  key = foyer_kms_client_get_key_finish (kms, wait_for (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  bytes = foyer_kms_key_get_data (key, &len);
  text = foyer_jwe_decrypt_string (bytes, len, jwe, &error);
  g_assert_no_error (error);
  return text;
}

/* Bob, as his app would see it: every space's title and messages, opened
 * with keys from the KMS; the document references in refs. */
static GString *
read_history (const char *base_url, const char *kms_url, GPtrArray *refs, guint *n_messages)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerChatClient) bob = foyer_chat_client_new (base_url);
  g_autoptr (FoyerKmsClient) kms = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (JsonNode) spaces = NULL;
  GString *history = g_string_new (NULL);
  FoyerTestWait wait = { NULL };
  JsonArray *items;

  *n_messages = 0;
  foyer_chat_client_login_async (bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  me = foyer_chat_client_call_finish (bob, wait_for (&wait), &error);
  g_assert_no_error (error);
  kms = foyer_kms_client_new (foyer_chat_client_get_session (bob), kms_url);
  foyer_kms_client_set_token (kms, foyer_chat_client_get_token (bob));

  foyer_chat_client_list_spaces_async (bob, NULL, foyer_test_wait_cb, &wait);
  spaces = foyer_chat_client_call_finish (bob, wait_for (&wait), &error);
  g_assert_no_error (error);
  items = foyer_json_get_array (json_node_get_object (spaces), "items");
  g_assert_nonnull (items);
  g_assert_cmpuint (json_array_get_length (items), ==, 3);

  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *space = json_array_get_object_element (items, i);
      g_autofree char *title = decrypt (kms, foyer_json_get_string (space, "title"));
      g_autoptr (JsonNode) page = NULL;
      JsonArray *messages;

      g_string_append_printf (history, "# %s (%s)\n", title, foyer_json_get_string (space, "id"));
      foyer_chat_client_list_messages_async (bob, foyer_json_get_string (space, "id"), 0, 50, NULL,
                                             foyer_test_wait_cb, &wait);
      page = foyer_chat_client_call_finish (bob, wait_for (&wait), &error);
      g_assert_no_error (error);
      messages = foyer_json_get_array (json_node_get_object (page), "items");
      g_assert_nonnull (messages);
      for (guint m = 0; m < json_array_get_length (messages); m++)
        {
          JsonObject *message = json_array_get_object_element (messages, m);
          JsonArray *attachments = foyer_json_get_array (message, "attachments");
          g_autofree char *text = decrypt (kms, foyer_json_get_string (message, "body"));

          g_string_append_printf (history, "%" G_GINT64_FORMAT " %s %s\n",
                                  foyer_json_get_int (message, "seq", -1),
                                  foyer_json_get_string (message, "created"), text);
          (*n_messages)++;
          for (guint a = 0; attachments != NULL && a < json_array_get_length (attachments); a++)
            g_ptr_array_add (
                refs, decrypt (kms, foyer_json_get_string (
                                        json_array_get_object_element (attachments, a), "ref")));
        }
    }
  g_clear_object (&wait.result);
  return history;
}

/* The demo's organization, seeded the way the apps would fill it. */
static void
seed (FoyerTestSandbox *sandbox, FoyerTestService *service)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) seeder = NULL;
  g_autofree char *out = NULL;
  g_autofree char *alice_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *carol_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD);

  seeder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             TEST_BUILDDIR "/demo/foyer-demo-seed", "--service-json",
                             foyer_test_service_get_service_json (service), "--cloud",
                             foyer_test_sandbox_get_cloud_path (sandbox), alice_password,
                             bob_password, carol_password, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (seeder, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (seeder));
  g_assert_cmpint (g_subprocess_get_exit_status (seeder), ==, 0);
  g_assert_nonnull (strstr (out, "3 spaces"));
}

static void
test_seed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (GString) history = NULL;
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *suffix = NULL;
  guint n_messages = 0;

  g_assert_no_error (error);
  g_assert_nonnull (service);

  seed (sandbox, service);

  history = read_history (foyer_test_service_get_base_url (service),
                          foyer_test_service_get_kms_url (service), refs, &n_messages);
  g_assert_cmpuint (n_messages, ==, 9);
  g_assert_nonnull (strstr (history->str, "# Welcome to Foyer"));
  g_assert_nonnull (strstr (history->str, "# Budget 2027"));
  g_assert_nonnull (strstr (history->str, "# Design review"));
  g_assert_nonnull (strstr (history->str, "Could someone share the quarterly report?"));

  /* The shared documents: references the apps accept, on the cloud's hosts. */
  g_assert_cmpuint (refs->len, ==, 3);
  {
    g_autoptr (GUri) sharepoint
        = g_uri_parse (foyer_test_sandbox_get_sharepoint_url (sandbox), G_URI_FLAGS_NONE, NULL);

    suffix = g_strdup (g_uri_get_host (sharepoint));
  }
  for (guint i = 0; i < refs->len; i++)
    {
      const char *const allowed[] = { suffix, NULL };
      g_autoptr (FoyerDocumentRef) ref
          = foyer_document_ref_new_from_json (g_ptr_array_index (refs, i), allowed, &error);

      g_assert_no_error (error);
      g_assert_nonnull (ref->title);
      g_assert_nonnull (ref->url);
      g_assert_nonnull (ref->shared_by);
      g_assert_cmpint (ref->audience, ==, FOYER_LINK_AUDIENCE_ORGANIZATION);
      g_assert_false (
          foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->title));
      g_assert_false (
          foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->url));
      g_assert_false (
          foyer_test_tree_contains (foyer_test_service_get_data_dir (service), ref->item_id));
    }
  g_assert_false (
      foyer_test_tree_contains (foyer_test_service_get_data_dir (service), "quarterly report?"));

  g_assert_true (foyer_test_service_stop (service));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

static char *
run_cli (FoyerTestService *service, const char *const *args)
{
  g_autoptr (GError) error = NULL;
  char *out = NULL;

  g_assert_true (foyer_test_service_run_cli (service, args, &out, &error));
  g_assert_no_error (error);
  return out;
}

/* The demo's organization moves from SQLite to PostgreSQL with
 * `foyer-service export` and `import`: ciphertext out, ciphertext in, and
 * on PostgreSQL Bob reads the same history with the same keys (the master
 * key and the signing key move with the operator, never in the export),
 * his token still works, and new posts go on from where the old ones were. */
static void
test_move_to_postgresql (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  g_autoptr (FoyerTestService) sqlite = NULL;
  g_autoptr (FoyerTestService) postgresql = NULL;
  g_autoptr (GString) before = NULL;
  g_autoptr (GString) after = NULL;
  g_autoptr (GPtrArray) refs_before = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) refs_after = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *database = NULL;
  g_autofree char *export_path = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *key_dir = NULL;
  g_autofree char *said = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *old_token = NULL;
  g_autoptr (FoyerChatClient) bob = NULL;
  g_autoptr (JsonNode) me = NULL;
  FoyerTestWait wait = { NULL };
  guint n_before = 0, n_after = 0;

  g_assert_no_error (error);
  g_unsetenv ("FOYER_TEST_DATABASE");
  sqlite = foyer_test_service_new ();
  seed (sandbox, sqlite);
  before = read_history (foyer_test_service_get_base_url (sqlite),
                         foyer_test_service_get_kms_url (sqlite), refs_before, &n_before);
  g_assert_cmpuint (n_before, ==, 9);

  /* A token of the SQLite days, to see it still works afterwards. */
  bob = foyer_chat_client_new (foyer_test_service_get_base_url (sqlite));
  foyer_chat_client_login_async (bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  me = foyer_chat_client_call_finish (bob, wait_for (&wait), &error);
  g_assert_no_error (error);
  old_token = g_strdup (foyer_chat_client_get_token (bob));
  g_clear_object (&wait.result);

  /* Out, while the service serves (a consistent snapshot of the files). */
  export_path = g_build_filename (
      g_getenv ("FOYER_TEST_WORKDIR") != NULL ? g_getenv ("FOYER_TEST_WORKDIR") : g_get_tmp_dir (),
      "organization.jsonl", NULL);
  {
    const char *args[] = { "export", "--output", export_path, NULL };

    g_free (run_cli (sqlite, args));
  }
  g_assert_true (foyer_test_service_stop (sqlite));
  g_assert_true (g_file_get_contents (export_path, &exported, NULL, NULL));
  g_assert_nonnull (strstr (exported, "\"table\":\"messages\""));
  g_assert_nonnull (strstr (exported, "\"table\":\"kms_keys\""));
  /* Ciphertext only: no title, text, link, name of a document. */
  g_assert_null (strstr (exported, "Welcome to Foyer"));
  g_assert_null (strstr (exported, "Budget 2027"));
  g_assert_null (strstr (exported, "quarterly report?"));
  for (guint i = 0; i < refs_before->len; i++)
    g_assert_null (strstr (exported, g_ptr_array_index (refs_before, i)));
  g_assert_null (strstr (exported, FOYER_TEST_BOB_PASSWORD));

  /* In, into a new PostgreSQL database. */
  database = foyer_test_pg_new_database (&error);
  g_assert_no_error (error);
  {
    g_autofree char *database_arg = g_strdup_printf ("--database=%s", database);
    const char *args[] = { "import", database_arg, "--input", export_path, NULL };

    said = run_cli (sqlite, args);
    g_assert_nonnull (strstr (said, "Imported"));
    g_test_message ("%s", said);
    /* Never into a database that holds an organization already. */
    {
      g_autoptr (GError) again = NULL;

      g_assert_false (foyer_test_service_run_cli (sqlite, args, NULL, &again));
      g_assert_nonnull (again);
      g_assert_nonnull (strstr (again->message, "already holds"));
    }
  }
  counts = foyer_test_pg_query (
      database,
      "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM spaces),"
      " (SELECT count(*) FROM kms_keys), (SELECT last FROM event_clock) ="
      " (SELECT max(cursor) FROM events)",
      &error);
  g_assert_no_error (error);
  g_assert_cmpstr (counts, ==, "9|3|3|t\n");

  /* A node on it, with the same key folder. */
  key_dir = g_strconcat (foyer_test_service_get_data_dir (sqlite), ".keys", NULL);
  postgresql = foyer_test_service_new_node (database, key_dir, NULL, &error);
  g_assert_no_error (error);
  after = read_history (foyer_test_service_get_base_url (postgresql),
                        foyer_test_service_get_kms_url (postgresql), refs_after, &n_after);
  g_assert_cmpstr (after->str, ==, before->str);
  g_assert_cmpuint (refs_after->len, ==, refs_before->len);
  for (guint i = 0; i < refs_before->len; i++)
    g_assert_cmpstr (g_ptr_array_index (refs_after, i), ==, g_ptr_array_index (refs_before, i));

  /* The old token, its session moved with the rest. */
  {
    g_autoptr (FoyerChatClient) same
        = foyer_chat_client_new (foyer_test_service_get_base_url (postgresql));
    g_autoptr (JsonNode) spaces = NULL;

    foyer_chat_client_set_token (same, old_token, foyer_chat_client_get_person_id (bob));
    foyer_chat_client_list_spaces_async (same, NULL, foyer_test_wait_cb, &wait);
    spaces = foyer_chat_client_call_finish (same, wait_for (&wait), &error);
    g_assert_no_error (error);
    g_clear_object (&wait.result);
  }
  g_assert_true (foyer_test_service_stop (postgresql));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/demo/seed", test_seed);
  g_test_add_func ("/demo/move-to-postgresql", test_move_to_postgresql);
  return g_test_run ();
}
