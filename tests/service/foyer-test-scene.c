/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-scene"

#include "config.h"

#include "foyer-test-scene.h"

#include "foyer-chat-client.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-test-net.h"

static void
store_result_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static JsonNode *
call_finish (FoyerChatClient *client, GAsyncResult **slot)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = foyer_chat_client_call_finish (client, await (slot), &error);

  g_assert_no_error (error);
  g_clear_object (slot);
  return node;
}

static FoyerChatClient *
login (FoyerTestService *service, const char *email, const char *password)
{
  FoyerChatClient *client = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_autoptr (GAsyncResult) r = NULL;

  foyer_chat_client_login_async (client, email, password, NULL, store_result_cb, &r);
  json_node_unref (call_finish (client, &r));
  return client;
}

FoyerTestScene *
foyer_test_scene_new (const char *const *extra_args)
{
  g_autoptr (GError) error = NULL;
  FoyerTestScene *self = g_new0 (FoyerTestScene, 1);
  g_autoptr (FoyerChatClient) alice = NULL;
  g_autoptr (FoyerChatClient) bob = NULL;
  g_autoptr (FoyerKmsClient) kms = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autoptr (JsonNode) space = NULL;
  g_autoptr (GAsyncResult) r = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *title = NULL;
  const char *people[2] = { NULL, NULL };
  const guint8 *key_data;
  gsize key_len = 0;

  self->service = foyer_test_service_new_full (NULL, NULL, TRUE, extra_args, &error);
  g_assert_no_error (error);
  g_assert_true (foyer_test_net_parse_url (foyer_test_service_get_base_url (self->service),
                                           &self->host, &self->port));
  self->pid = foyer_test_service_get_pid (self->service);
  alice = login (self->service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  bob = login (self->service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  self->alice_token = g_strdup (foyer_chat_client_get_token (alice));
  self->bob_token = g_strdup (foyer_chat_client_get_token (bob));

  people[0] = foyer_chat_client_get_person_id (alice);
  kms = foyer_kms_client_new (foyer_chat_client_get_session (alice),
                              foyer_test_service_get_kms_url (self->service));
  foyer_kms_client_set_token (kms, self->alice_token);
  foyer_kms_client_create_resource_async (kms, people, NULL, store_result_cb, &r);
  resource = foyer_kms_client_create_resource_finish (kms, await (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  foyer_kms_client_create_key_async (kms, resource, NULL, store_result_cb, &r);
  key = foyer_kms_client_create_key_finish (kms, await (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  key_data = foyer_kms_key_get_data (key, &key_len);
  self->key_uri = g_strdup (key->uri);
  title = foyer_jwe_encrypt_string (key_data, key_len, key->uri, "Scene", NULL);
  self->body = foyer_jwe_encrypt_string (key_data, key_len, key->uri, "A message", NULL);

  foyer_chat_client_create_space_async (alice, title, resource, NULL, store_result_cb, &r);
  space = call_finish (alice, &r);
  self->space_id = g_strdup (json_object_get_string_member (json_node_get_object (space), "id"));
  self->messages_path = g_strdup_printf ("/v1/spaces/%s/messages", self->space_id);
  foyer_chat_client_add_member_async (alice, self->space_id, foyer_chat_client_get_person_id (bob),
                                      NULL, store_result_cb, &r);
  json_node_unref (call_finish (alice, &r));
  return self;
}

char *
foyer_test_scene_post_json (FoyerTestScene *self, const char *client_message_id)
{
  return g_strdup_printf ("{\"clientMessageId\":\"%s\",\"keyUri\":\"%s\",\"body\":\"%s\"}",
                          client_message_id, self->key_uri, self->body);
}

void
foyer_test_scene_free (FoyerTestScene *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->service, foyer_test_service_free);
  g_free (self->host);
  g_free (self->alice_token);
  g_free (self->bob_token);
  g_free (self->space_id);
  g_free (self->messages_path);
  g_free (self->key_uri);
  g_free (self->body);
  g_free (self);
}
