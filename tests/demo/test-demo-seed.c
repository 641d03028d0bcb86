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

static void
test_seed (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_sandbox_start (NULL, &error);
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (GSubprocess) seeder = NULL;
  g_autoptr (FoyerChatClient) bob = NULL;
  g_autoptr (FoyerKmsClient) kms = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (JsonNode) spaces = NULL;
  g_autoptr (GString) history = g_string_new (NULL);
  g_autoptr (GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *alice_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *carol_password
      = g_strdup_printf ("--password=%s=%s", FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD);
  g_autofree char *suffix = NULL;
  JsonArray *items;
  FoyerTestWait wait = { NULL };
  guint n_messages = 0;

  g_assert_no_error (error);
  g_assert_nonnull (service);

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

  /* Bob, as his app would see it. */
  bob = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  foyer_chat_client_login_async (bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  me = foyer_chat_client_call_finish (bob, wait_for (&wait), &error);
  g_assert_no_error (error);
  kms = foyer_kms_client_new (foyer_chat_client_get_session (bob),
                              foyer_test_service_get_kms_url (service));
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

      g_string_append_printf (history, "# %s\n", title);
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

          g_string_append_printf (history, "%s\n", text);
          n_messages++;
          for (guint a = 0; attachments != NULL && a < json_array_get_length (attachments); a++)
            g_ptr_array_add (
                refs, decrypt (kms, foyer_json_get_string (
                                        json_array_get_object_element (attachments, a), "ref")));
        }
    }

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

  g_clear_object (&wait.result);
  g_assert_true (foyer_test_service_stop (service));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/demo/seed", test_seed);
  return g_test_run ();
}
