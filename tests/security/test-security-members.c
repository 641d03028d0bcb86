/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A removed member against a real foyer-service: Carol kept the space's
 * key she had while a member. After she is removed the service refuses
 * messages sealed with the old key, a new key is made that the KMS will
 * not give her, two members rotating at once agree on one key, and what
 * is said afterwards cannot be opened with anything she holds.
 */
#include "config.h"

#include <string.h>

#include "foyer-chat-client.h"
#include "foyer-core.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-space-key.h"
#include "foyer-test-util.h"
#include "security-util.h"

typedef struct
{
  FoyerChatClient *chat;
  FoyerKmsClient *kms;
} Person;

static void
person_sign_in (FoyerTestService *service, Person *p, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) me = NULL;

  p->chat = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  foyer_chat_client_login_async (p->chat, email, password, NULL, foyer_test_wait_cb, &wait);
  me = foyer_chat_client_call_finish (p->chat, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  p->kms = foyer_kms_client_new (foyer_chat_client_get_session (p->chat),
                                 foyer_test_service_get_kms_url (service));
  foyer_kms_client_set_token (p->kms, foyer_chat_client_get_token (p->chat));
}

static void
person_clear (Person *p)
{
  g_clear_object (&p->chat);
  g_clear_object (&p->kms);
}

static const char *
id_of (Person *p)
{
  return foyer_chat_client_get_person_id (p->chat);
}

static FoyerKmsKey *
get_key (Person *p, const char *uri, GError **error)
{
  FoyerTestWait wait = { NULL };
  FoyerKmsKey *key;

  /* Asked of the KMS every time, not of this client's memory. */
  foyer_kms_client_forget_keys (p->kms);
  foyer_kms_client_get_key_async (p->kms, uri, NULL, foyer_test_wait_cb, &wait);
  key = foyer_kms_client_get_key_finish (p->kms, foyer_test_wait (&wait), error);
  foyer_test_wait_clear (&wait);
  return key;
}

static JsonNode *
call_chat (Person *p, const char *method, const char *path, JsonNode *body, GError **error)
{
  FoyerTestWait wait = { NULL };
  JsonNode *node;

  foyer_chat_client_request_async (p->chat, method, path, body, NULL, foyer_test_wait_cb, &wait);
  node = foyer_chat_client_call_finish (p->chat, foyer_test_wait (&wait), error);
  foyer_test_wait_clear (&wait);
  return node;
}

static JsonNode *
object_node (const char *name, const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, json_object_new ());
  json_object_set_string_member (json_node_get_object (node), name, value);
  return node;
}

static JsonNode *
post (Person *p,
      const char *space,
      const char *id,
      FoyerKmsKey *key,
      const char *text,
      GError **error)
{
  gsize len = 0;
  const guint8 *data = foyer_kms_key_get_data (key, &len);
  g_autofree char *jwe = foyer_jwe_encrypt_string (data, len, key->uri, text, NULL);
  g_autofree char *path = g_strdup_printf ("/v1/spaces/%s/messages", space);
  g_autoptr (JsonNode) body = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "clientMessageId", id);
  json_object_set_string_member (object, "keyUri", key->uri);
  json_object_set_string_member (object, "body", jwe);
  json_node_take_object (body, object);
  return call_chat (p, "POST", path, body, error);
}

static char *
rotate (Person *p, const char *space, const char *resource, const char *replaces, GError **error)
{
  FoyerTestWait wait = { NULL };
  char *uri;

  foyer_space_key_rotate_async (p->chat, p->kms, space, resource, replaces, NULL,
                                foyer_test_wait_cb, &wait);
  uri = foyer_space_key_rotate_finish (foyer_test_wait (&wait), error);
  foyer_test_wait_clear (&wait);
  return uri;
}

static void
test_removed_member_loses_later_messages (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  Person alice = { 0 }, bob = { 0 }, carol = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *space = NULL;
  g_autofree char *by_bob = NULL;
  g_autofree char *by_alice = NULL;
  g_autoptr (FoyerKmsKey) first = NULL;
  g_autoptr (FoyerKmsKey) carols_copy = NULL;
  g_autoptr (FoyerKmsKey) second = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *members = NULL;
  g_autofree char *carol_path = NULL;
  g_autofree char *messages = NULL;

  person_sign_in (service, &alice, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  person_sign_in (service, &bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  person_sign_in (service, &carol, FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD);

  /* A space of three, its title and first messages under one key. */
  {
    const char *people[] = { id_of (&bob), id_of (&carol), NULL };
    FoyerTestWait wait = { NULL };
    g_autofree char *title = NULL;
    g_autoptr (JsonNode) body = NULL;
    gsize len = 0;

    foyer_kms_client_create_resource_async (alice.kms, people, NULL, foyer_test_wait_cb, &wait);
    resource = foyer_kms_client_create_resource_finish (alice.kms, foyer_test_wait (&wait), &error);
    g_assert_no_error (error);
    foyer_test_wait_clear (&wait);
    foyer_kms_client_create_key_async (alice.kms, resource, NULL, foyer_test_wait_cb, &wait);
    first = foyer_kms_client_create_key_finish (alice.kms, foyer_test_wait (&wait), &error);
    g_assert_no_error (error);
    foyer_test_wait_clear (&wait);
    title = foyer_jwe_encrypt_string (foyer_kms_key_get_data (first, &len), FOYER_JWE_KEY_SIZE,
                                      first->uri, "Board", NULL);
    body = object_node ("title", title);
    json_object_set_string_member (json_node_get_object (body), "kmsResourceUri", resource);
    node = call_chat (&alice, "POST", "/v1/spaces", body, &error);
    g_assert_no_error (error);
    space = g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
    g_clear_pointer (&node, json_node_unref);
  }
  members = g_strdup_printf ("/v1/spaces/%s/members", space);
  messages = g_strdup_printf ("/v1/spaces/%s/messages?limit=50", space);
  for (Person *p = &bob; p != NULL; p = p == &bob ? &carol : NULL)
    {
      g_autoptr (JsonNode) who = object_node ("personId", id_of (p));

      node = call_chat (&alice, "POST", members, who, &error);
      g_assert_no_error (error);
      g_clear_pointer (&node, json_node_unref);
    }
  carols_copy = get_key (&carol, first->uri, &error);
  g_assert_no_error (error);
  node = post (&alice, space, "before", first, "said before Carol left", &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);

  /* Carol leaves. Her copy of the key stays with her. */
  carol_path = g_strdup_printf ("/v1/spaces/%s/members/%s", space, id_of (&carol));
  node = call_chat (&alice, "DELETE", carol_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (get_key (&carol, first->uri, &error));
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* The old key is refused for anything said from now on. */
  node = post (&alice, space, "old-key", first, "should not go under the old key", &error);
  g_assert_null (node);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
  g_assert_cmpstr (foyer_chat_error_get_refusal (error), ==, "stale-key");
  g_assert_nonnull (strstr (foyer_chat_error_get_service_message (error), "A member left"));
  g_clear_error (&error);

  /* Bob and Alice both make a new key; they end up on the same one. */
  by_bob = rotate (&bob, space, resource, first->uri, &error);
  g_assert_no_error (error);
  by_alice = rotate (&alice, space, resource, first->uri, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_alice, ==, by_bob);
  g_assert_cmpstr (by_bob, !=, first->uri);

  /* Carol cannot get it; the members can, and talk under it. */
  g_assert_null (get_key (&carol, by_bob, &error));
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);
  second = get_key (&alice, by_bob, &error);
  g_assert_no_error (error);
  node = post (&alice, space, "after", second, "the new plan", &error);
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = post (&bob, space, "still-old", first, "stale", &error);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
  g_clear_error (&error);

  /* What she could get hold of (the ciphertext, by any means) does not
   * open with her copy of the old key. */
  node = call_chat (&alice, "GET", messages, NULL, &error);
  g_assert_no_error (error);
  {
    JsonArray *items = json_object_get_array_member (json_node_get_object (node), "items");
    JsonObject *last = json_array_get_object_element (items, json_array_get_length (items) - 1);
    const char *body = json_object_get_string_member (last, "body");
    gsize len = 0;
    const guint8 *old = foyer_kms_key_get_data (carols_copy, &len);
    g_autoptr (GError) local = NULL;
    g_autofree char *opened = foyer_jwe_decrypt_string (old, len, body, &local);

    g_assert_cmpstr (json_object_get_string_member (last, "clientMessageId"), ==, "after");
    g_assert_null (opened);
    g_assert_nonnull (local);
  }
  g_clear_pointer (&node, json_node_unref);

  /* A key made before a member left is not accepted as the new one. */
  {
    g_autofree char *bob_path = g_strdup_printf ("/v1/spaces/%s/members/%s", space, id_of (&bob));
    g_autofree char *key_path = g_strdup_printf ("/v1/spaces/%s/key", space);
    g_autoptr (JsonNode) stale = object_node ("keyUri", by_bob);

    node = call_chat (&alice, "DELETE", bob_path, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&node, json_node_unref);
    node = call_chat (&alice, "PUT", key_path, stale, &error);
    g_assert_null (node);
    g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
    g_clear_error (&error);
  }

  person_clear (&alice);
  person_clear (&bob);
  person_clear (&carol);
  sec_assert_serves_others (service);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/members/removed-member-loses-later-messages",
                   test_removed_member_loses_later_messages);
  return g_test_run ();
}
