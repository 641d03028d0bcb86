/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the real foyer-service on loopback and drives it with core's
 * clients, as three people would: spaces with encrypted titles, members,
 * messages pushed to every member, reconnect and catch-up, idempotent
 * retries, the KMS refusing non-members, admin-only organization settings,
 * hostile input, and no plaintext left in the service's files.
 */
#include "config.h"

#include <cjose/cjose.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "foyer-chat-client.h"
#include "foyer-core.h"
#include "foyer-document-ref.h"
#include "foyer-event-stream.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-outbox.h"
#include "foyer-space-key.h"
#include "foyer-test-pg.h"
#include "foyer-test-service.h"

/* Plaintext the clients use; none of it may reach the service's files. */
#define SECRET_TITLE   "Project Nightingale merger"
#define SECRET_TEXT    "The acquisition price is 42 million"
#define SECRET_URL     "https://contoso.sharepoint.com/:w:/s/legal/EdSecretLink123"
#define SECRET_DRIVE   "b!SecretDriveIdentifier987"
#define SECRET_ITEM    "01SECRETITEMIDENTIFIER654"
#define SECRET_DOCNAME "Nightingale term sheet.docx"

typedef struct
{
  FoyerChatClient *chat;
  FoyerKmsClient *kms;
  FoyerEventStream *stream;
  GPtrArray *events; /* JsonNode */
} Person;

typedef struct
{
  FoyerTestService *service;
  Person alice, bob, carol;
} Fixture;

/* ---- waiting for async results ---- */

/* Inside the harness's work directory (removed after the test) if any. */
static char *
make_temp_dir (const char *prefix)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *tmpl = NULL;

  if (work == NULL)
    return g_dir_make_tmp (prefix, NULL);
  tmpl = g_build_filename (work, prefix, NULL);
  return g_strdup (g_mkdtemp (tmpl));
}

static void
store_result_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (20, timeout_cb, &timed_out);

  while (*slot == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (id);
  return *slot;
}

typedef gboolean (*Predicate) (gpointer data);

static gboolean
spin_until (Predicate predicate, gpointer data, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return predicate (data);
}

static void
spin_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

#define CHAT_CALL(client, error, call, ...)                                                        \
  ({                                                                                               \
    g_autoptr (GAsyncResult) _r = NULL;                                                            \
    call (client, __VA_ARGS__, NULL, store_result_cb, &_r);                                        \
    foyer_chat_client_call_finish (client, await (&_r), error);                                    \
  })

#define CHAT_CALL0(client, error, call)                                                            \
  ({                                                                                               \
    g_autoptr (GAsyncResult) _r = NULL;                                                            \
    call (client, NULL, store_result_cb, &_r);                                                     \
    foyer_chat_client_call_finish (client, await (&_r), error);                                    \
  })

static JsonObject *
obj (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* ---- people ---- */

static void
event_cb (FoyerEventStream *stream, const char *type, JsonNode *event, gpointer user_data)
{
  g_ptr_array_add (user_data, json_node_copy (event));
}

static void
person_login (Fixture *f, Person *p, const char *email, const char *password)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) person = NULL;

  p->chat = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  foyer_chat_client_login_async (p->chat, email, password, NULL, store_result_cb, &result);
  person = foyer_chat_client_call_finish (p->chat, await (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (obj (person), "email"), ==, email);
  p->kms = foyer_kms_client_new (foyer_chat_client_get_session (p->chat),
                                 foyer_test_service_get_kms_url (f->service));
  foyer_kms_client_set_token (p->kms, foyer_chat_client_get_token (p->chat));
  p->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
}

static gboolean
stream_connected (gpointer data)
{
  return foyer_event_stream_get_connected (data);
}

static void
person_listen (Person *p)
{
  p->stream = foyer_event_stream_new (p->chat);
  foyer_event_stream_set_backoff (p->stream, 50, 400);
  g_signal_connect (p->stream, "event", G_CALLBACK (event_cb), p->events);
  foyer_event_stream_start (p->stream, -1);
  g_assert_true (spin_until (stream_connected, p->stream, 10000));
}

static void
person_clear (Person *p)
{
  if (p->stream != NULL)
    foyer_event_stream_stop (p->stream);
  g_clear_object (&p->stream);
  g_clear_object (&p->kms);
  g_clear_object (&p->chat);
  g_clear_pointer (&p->events, g_ptr_array_unref);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->service = foyer_test_service_new ();
  person_login (f, &f->alice, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  person_login (f, &f->bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  person_login (f, &f->carol, FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  person_clear (&f->alice);
  person_clear (&f->bob);
  person_clear (&f->carol);
  /* SIGTERM must stop it cleanly (exit status 0). */
  g_assert_true (foyer_test_service_stop (f->service));
  g_clear_pointer (&f->service, foyer_test_service_free);
}

static const char *
pid (Person *p)
{
  return foyer_chat_client_get_person_id (p->chat);
}

/* ---- KMS helpers ---- */

static char *
kms_create_resource (Person *p, const char *const *people, GError **error)
{
  g_autoptr (GAsyncResult) r = NULL;

  foyer_kms_client_create_resource_async (p->kms, people, NULL, store_result_cb, &r);
  return foyer_kms_client_create_resource_finish (p->kms, await (&r), error);
}

static FoyerKmsKey *
kms_create_key (Person *p, const char *resource, GError **error)
{
  g_autoptr (GAsyncResult) r = NULL;

  foyer_kms_client_create_key_async (p->kms, resource, NULL, store_result_cb, &r);
  return foyer_kms_client_create_key_finish (p->kms, await (&r), error);
}

static FoyerKmsKey *
kms_get_key (Person *p, const char *uri, GError **error)
{
  g_autoptr (GAsyncResult) r = NULL;

  foyer_kms_client_get_key_async (p->kms, uri, NULL, store_result_cb, &r);
  return foyer_kms_client_get_key_finish (p->kms, await (&r), error);
}

static char *
seal (FoyerKmsKey *key, const char *text)
{
  gsize len = 0;
  const guint8 *data = foyer_kms_key_get_data (key, &len);
  g_autoptr (GError) error = NULL;
  char *jwe = foyer_jwe_encrypt_string (data, len, key->uri, text, &error);

  g_assert_no_error (error);
  return jwe;
}

static char *
unseal (FoyerKmsKey *key, const char *jwe)
{
  gsize len = 0;
  const guint8 *data = foyer_kms_key_get_data (key, &len);
  g_autoptr (GError) error = NULL;
  char *text = foyer_jwe_decrypt_string (data, len, jwe, &error);

  g_assert_no_error (error);
  return text;
}

/* Alice makes a space whose title is encrypted with a fresh key. */
static char *
create_space (Fixture *f, FoyerKmsKey **out_key, char **out_resource)
{
  const char *people[] = { pid (&f->alice), NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *resource = kms_create_resource (&f->alice, people, &error);
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *title = NULL;
  g_autoptr (JsonNode) space = NULL;

  g_assert_no_error (error);
  key = kms_create_key (&f->alice, resource, &error);
  g_assert_no_error (error);
  title = seal (key, SECRET_TITLE);
  space = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_create_space_async, title, resource);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (obj (space), "title"), ==, title);
  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  if (out_resource != NULL)
    *out_resource = g_steal_pointer (&resource);
  return g_strdup (json_object_get_string_member (obj (space), "id"));
}

static void
add_member (Fixture *f, Person *by, const char *space, Person *who)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply
      = CHAT_CALL (by->chat, &error, foyer_chat_client_add_member_async, space, pid (who));

  g_assert_no_error (error);
}

static JsonNode *
post (Person *p,
      const char *space,
      const char *client_id,
      FoyerKmsKey *key,
      const char *text,
      GError **error)
{
  g_autofree char *body = seal (key, text);

  return CHAT_CALL (p->chat, error, foyer_chat_client_post_message_async, space, client_id,
                    key->uri, body, NULL);
}

typedef struct
{
  GPtrArray *events;
  guint count;
} CountWait;

static gboolean
has_events (gpointer data)
{
  CountWait *wait = data;

  return wait->events->len >= wait->count;
}

static void
wait_events (Person *p, guint count)
{
  CountWait wait = { p->events, count };

  g_assert_true (spin_until (has_events, &wait, 10000));
}

static JsonObject *
event_at (Person *p, guint i)
{
  return obj (g_ptr_array_index (p->events, i));
}

static guint
count_type (Person *p, const char *type)
{
  guint n = 0;

  for (guint i = 0; i < p->events->len; i++)
    n += g_strcmp0 (json_object_get_string_member (event_at (p, i), "type"), type) == 0;
  return n;
}

/* ---- tests ---- */

static void
test_login_people (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) me = CHAT_CALL0 (f->bob.chat, &error, foyer_chat_client_get_me_async);
  g_autoptr (JsonNode) found = NULL;
  g_autoptr (JsonNode) none = NULL;
  g_autoptr (FoyerChatClient) intruder = NULL;
  g_autoptr (GAsyncResult) r = NULL;
  g_autoptr (JsonNode) refused = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (obj (me), "name"), ==, "Bob Durand");
  g_assert_false (json_object_get_boolean_member (obj (me), "isAdmin"));

  found = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_find_people_async,
                     FOYER_TEST_CAROL_EMAIL);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (found), "items")), ==,
                    1);
  none = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_find_people_async, "x@y.example");
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (none), "items")), ==,
                    0);

  intruder = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  foyer_chat_client_login_async (intruder, FOYER_TEST_ALICE_EMAIL, "wrong-password", NULL,
                                 store_result_cb, &r);
  refused = foyer_chat_client_call_finish (intruder, await (&r), &error);
  g_assert_null (refused);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* Five wrong passwords, then even the right one waits (429: retry later). */
  for (int i = 0; i < 5; i++)
    {
      g_autoptr (GAsyncResult) attempt = NULL;
      g_autoptr (JsonNode) no = NULL;

      foyer_chat_client_login_async (intruder, FOYER_TEST_CAROL_EMAIL, "guess", NULL,
                                     store_result_cb, &attempt);
      no = foyer_chat_client_call_finish (intruder, await (&attempt), &error);
      g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED);
      g_clear_error (&error);
    }
  {
    g_autoptr (GAsyncResult) attempt = NULL;
    g_autoptr (JsonNode) no = NULL;

    foyer_chat_client_login_async (intruder, FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD,
                                   NULL, store_result_cb, &attempt);
    no = foyer_chat_client_call_finish (intruder, await (&attempt), &error);
    g_assert_null (no);
    g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER);
    g_assert_cmpstr (foyer_chat_error_get_refusal (error), ==, "too-many-requests");
    g_assert_nonnull (strstr (error->message, "Too many"));
    g_clear_error (&error);
  }
  /* Other accounts are not affected. */
  {
    g_autoptr (FoyerChatClient) other
        = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
    g_autoptr (GAsyncResult) attempt = NULL;
    g_autoptr (JsonNode) yes = NULL;

    foyer_chat_client_login_async (other, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                   store_result_cb, &attempt);
    yes = foyer_chat_client_call_finish (other, await (&attempt), &error);
    g_assert_no_error (error);
  }

  /* Without a token. */
  refused = CHAT_CALL0 (intruder, &error, foyer_chat_client_list_spaces_async);
  g_assert_null (refused);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  /* With a forged token. */
  foyer_chat_client_set_token (intruder, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "x");
  refused = CHAT_CALL0 (intruder, &error, foyer_chat_client_list_spaces_async);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED);
}

static JsonNode *
settings_node (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_org_settings (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) good = settings_node (
      "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"contoso.onmicrosoft.com\","
      "\"clientId\":\"11111111-2222-3333-4444-555555555555\",\"cloud\":\"worldwide\","
      "\"audiences\":[\"organization\",\"space\"],\"defaultAudience\":\"space\","
      "\"defaultLinkType\":\"edit\"}}");
  g_autoptr (JsonNode) bad = settings_node (
      "{\"microsoft\":{\"enabled\":false,\"cloud\":\"china\",\"audiences\":[\"space\"],"
      "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}");
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) seen = NULL;
  g_autofree char *shown = NULL;
  const char *show[] = { "org", "show", NULL };

  reply = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_put_org_settings_async, good);
  g_assert_null (reply);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_clear_error (&error);

  reply = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_put_org_settings_async, bad);
  g_assert_null (reply);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
  g_assert_cmpstr (foyer_chat_error_get_refusal (error), ==, "invalid");
  g_assert_nonnull (strstr (foyer_chat_error_get_service_message (error), "china"));
  g_clear_error (&error);

  reply = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_put_org_settings_async, good);
  g_assert_no_error (error);

  seen = CHAT_CALL0 (f->bob.chat, &error, foyer_chat_client_get_org_settings_async);
  g_assert_no_error (error);
  g_assert_true (json_node_equal (seen, good));

  g_assert_true (foyer_test_service_run_cli (f->service, show, &shown, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (shown, "contoso.onmicrosoft.com"));
}

static void
test_space_members_messages (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autoptr (FoyerKmsKey) bob_key = NULL;
  g_autoptr (FoyerKmsKey) carol_key = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *space = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  JsonObject *message;

  person_listen (&f->alice);
  person_listen (&f->bob);
  person_listen (&f->carol);

  space = create_space (f, &key, &resource);
  wait_events (&f->alice, 1);
  g_assert_cmpstr (json_object_get_string_member (event_at (&f->alice, 0), "type"), ==,
                   "space.created");

  /* Bob is not a member yet: the service and the KMS both refuse him. */
  node = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_get_space_async, space);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  bob_key = kms_get_key (&f->bob, key->uri, &error);
  g_assert_null (bob_key);
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);

  add_member (f, &f->alice, space, &f->bob);
  wait_events (&f->bob, 1);
  g_assert_cmpstr (json_object_get_string_member (event_at (&f->bob, 0), "type"), ==,
                   "member.added");

  /* Now Bob reads the encrypted title with the key the KMS gives him. */
  node = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_get_space_async, space);
  g_assert_no_error (error);
  bob_key = kms_get_key (&f->bob, key->uri, &error);
  g_assert_no_error (error);
  title = unseal (bob_key, json_object_get_string_member (obj (node), "title"));
  g_assert_cmpstr (title, ==, SECRET_TITLE);
  g_clear_pointer (&node, json_node_unref);
  g_assert_cmpuint (foyer_kms_client_get_cached_count (f->bob.kms), ==, 1);

  /* Carol, not a member, gets 403 from the KMS for the space's key. */
  carol_key = kms_get_key (&f->carol, key->uri, &error);
  g_assert_null (carol_key);
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);

  node = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_list_members_async, space);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (node), "items")), ==,
                    2);
  g_clear_pointer (&node, json_node_unref);

  node = post (&f->alice, space, "m-1", key, SECRET_TEXT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (obj (node), "seq"), ==, 1);
  g_clear_pointer (&node, json_node_unref);

  /* Pushed to both members, not to Carol. */
  wait_events (&f->bob, 2);
  wait_events (&f->alice, 3);
  message = json_object_get_object_member (event_at (&f->bob, 1), "message");
  g_assert_cmpstr (json_object_get_string_member (event_at (&f->bob, 1), "type"), ==,
                   "message.created");
  text = unseal (bob_key, json_object_get_string_member (message, "body"));
  g_assert_cmpstr (text, ==, SECRET_TEXT);
  g_assert_cmpstr (json_object_get_string_member (message, "authorId"), ==, pid (&f->alice));
  spin_for (200);
  g_assert_cmpuint (f->carol.events->len, ==, 0);

  /* Carol cannot post or read either. */
  node = post (&f->carol, space, "c-1", key, "hi", &error);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  node = CHAT_CALL (f->carol.chat, &error, foyer_chat_client_list_messages_async, space, 0, 50);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Removing Bob tells him, and the KMS stops giving him the key. */
  node = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_remove_member_async, space,
                    pid (&f->bob));
  g_assert_no_error (error);
  wait_events (&f->bob, 3);
  g_assert_cmpstr (json_object_get_string_member (event_at (&f->bob, 2), "type"), ==,
                   "member.removed");
  foyer_kms_client_forget_keys (f->bob.kms);
  g_clear_pointer (&bob_key, foyer_kms_key_free);
  bob_key = kms_get_key (&f->bob, key->uri, &error);
  g_assert_null (bob_key);
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);

  /* Later messages need a key made after Bob left, which he cannot get. */
  g_clear_pointer (&node, json_node_unref);
  node = post (&f->alice, space, "m-2", key, "after bob left", &error);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr (GAsyncResult) r = NULL;
    g_autofree char *new_uri = NULL;

    foyer_space_key_rotate_async (f->alice.chat, f->alice.kms, space, resource, key->uri, NULL,
                                  store_result_cb, &r);
    new_uri = foyer_space_key_rotate_finish (await (&r), &error);
    g_assert_no_error (error);
    g_clear_pointer (&key, foyer_kms_key_free);
    key = kms_get_key (&f->alice, new_uri, &error);
    g_assert_no_error (error);
    g_assert_null (kms_get_key (&f->bob, new_uri, &error));
    g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
    g_clear_error (&error);
  }
  node = post (&f->alice, space, "m-2", key, "after bob left", &error);
  g_assert_no_error (error);
  wait_events (&f->alice, 6);
  spin_for (200);
  g_assert_cmpuint (count_type (&f->bob, "message.created"), ==, 1);
}

static void
test_idempotent_and_paging (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autoptr (JsonNode) first = post (&f->alice, space, "retry-me", key, "once", &error);
  g_autoptr (JsonNode) second = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autoptr (JsonNode) older = NULL;
  JsonArray *items;

  g_assert_no_error (error);
  second = post (&f->alice, space, "retry-me", key, "once", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (obj (first), "id"), ==,
                   json_object_get_string_member (obj (second), "id"));
  g_assert_cmpint (json_object_get_int_member (obj (second), "seq"), ==, 1);

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("p-%d", i);
      g_autoptr (JsonNode) reply = post (&f->alice, space, id, key, "paged", &error);

      g_assert_no_error (error);
      g_assert_cmpint (json_object_get_int_member (obj (reply), "seq"), ==, i + 2);
    }

  page = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_list_messages_async, space, 0, 4);
  g_assert_no_error (error);
  items = json_object_get_array_member (obj (page), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 4);
  g_assert_true (json_object_get_boolean_member (obj (page), "hasMore"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "seq"), ==,
                   3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 3), "seq"), ==,
                   6);

  older = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_list_messages_async, space, 3, 4);
  g_assert_no_error (error);
  items = json_object_get_array_member (obj (older), "items");
  g_assert_cmpuint (json_array_get_length (items), ==, 2);
  g_assert_false (json_object_get_boolean_member (obj (older), "hasMore"));
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (items, 0), "seq"), ==,
                   1);
}

static guint
count_message_ids (Person *p, const char *client_id)
{
  guint n = 0;

  for (guint i = 0; i < p->events->len; i++)
    {
      JsonObject *event = event_at (p, i);

      if (json_object_has_member (event, "message")
          && g_strcmp0 (json_object_get_string_member (
                            json_object_get_object_member (event, "message"), "clientMessageId"),
                        client_id)
                 == 0)
        n++;
    }
  return n;
}

static gboolean
outbox_empty (gpointer data)
{
  return foyer_outbox_get_pending_count (data) == 0;
}

static void
test_reconnect_catch_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autoptr (FoyerOutbox) outbox = foyer_outbox_new (f->alice.chat);
  g_autofree char *first_id = NULL;
  g_autofree char *second_id = NULL;
  g_autofree char *body1 = seal (key, "written offline 1");
  g_autofree char *body2 = seal (key, "written offline 2");
  gint64 cursor;

  add_member (f, &f->alice, space, &f->bob);
  person_listen (&f->alice);
  person_listen (&f->bob);
  foyer_outbox_set_retry_delay (outbox, 100, 400);
  foyer_outbox_watch_stream (outbox, f->alice.stream);

  /* Bob goes away; three messages arrive; he comes back from his cursor. */
  cursor = foyer_event_stream_get_cursor (f->bob.stream);
  foyer_event_stream_stop (f->bob.stream);
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("away-%d", i);
      g_autoptr (JsonNode) reply = post (&f->alice, space, id, key, "while away", &error);

      g_assert_no_error (error);
    }
  foyer_event_stream_start (f->bob.stream, cursor);
  wait_events (&f->bob, 3);
  spin_for (200);
  g_assert_cmpuint (f->bob.events->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("away-%u", i);

      g_assert_cmpuint (count_message_ids (&f->bob, id), ==, 1);
    }
  g_assert_true (spin_until (stream_connected, f->bob.stream, 10000));

  /* The service stops: Alice writes offline, her outbox keeps the posts. */
  g_assert_true (foyer_test_service_stop (f->service));
  first_id = foyer_outbox_post (outbox, space, key->uri, body1, NULL);
  second_id = foyer_outbox_post (outbox, space, key->uri, body2, NULL);
  spin_for (300);
  g_assert_cmpuint (foyer_outbox_get_pending_count (outbox), ==, 2);
  g_assert_false (foyer_event_stream_get_connected (f->bob.stream));

  /* It comes back: streams reconnect, catch up, and the outbox sends once. */
  g_assert_true (foyer_test_service_restart (f->service, &error));
  g_assert_no_error (error);
  g_assert_true (spin_until (outbox_empty, outbox, 15000));
  g_assert_true (spin_until (stream_connected, f->bob.stream, 15000));
  wait_events (&f->bob, 5);
  spin_for (300);
  g_assert_cmpuint (count_message_ids (&f->bob, first_id), ==, 1);
  g_assert_cmpuint (count_message_ids (&f->bob, second_id), ==, 1);
  g_assert_cmpuint (f->bob.events->len, ==, 5);
  g_assert_cmpuint (foyer_event_stream_get_reconnect_count (f->bob.stream), >=, 1);

  /* Cursors only grow: nothing delivered twice, nothing out of order. */
  for (guint i = 1; i < f->bob.events->len; i++)
    g_assert_cmpint (json_object_get_int_member (event_at (&f->bob, i), "cursor"), >,
                     json_object_get_int_member (event_at (&f->bob, i - 1), "cursor"));
}

static gboolean
needs_sign_in (gpointer data)
{
  return foyer_event_stream_get_needs_sign_in (data);
}

static void
test_stream_needs_sign_in (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerChatClient) stale
      = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  g_autoptr (FoyerEventStream) stream = NULL;

  /* A token the service does not accept (as after a key rotation). */
  foyer_chat_client_set_token (stale, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "x");
  stream = foyer_event_stream_new (stale);
  foyer_event_stream_set_backoff (stream, 10, 50);
  foyer_event_stream_start (stream, 0);
  g_assert_true (spin_until (needs_sign_in, stream, 10000));
  g_assert_false (foyer_event_stream_get_connected (stream));

  /* Signed in again, it connects. */
  foyer_chat_client_set_token (stale, foyer_chat_client_get_token (f->bob.chat),
                               foyer_chat_client_get_person_id (f->bob.chat));
  foyer_event_stream_start (stream, -1);
  g_assert_false (foyer_event_stream_get_needs_sign_in (stream));
  g_assert_true (spin_until (stream_connected, stream, 10000));
}

/* ---- raw HTTP for hostile input ---- */

static guint
raw_request (Fixture *f,
             const char *method,
             const char *path,
             const char *token,
             const char *content_type,
             const char *body,
             gsize body_len,
             char **out_reply)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (foyer_test_service_get_base_url (f->service), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;

  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, body_len);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (out_reply != NULL)
    *out_reply = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  return soup_message_get_status (msg);
}

static void
expect_status (Fixture *f, const char *path, const char *body, gsize len, guint status)
{
  g_autofree char *reply = NULL;
  guint got = raw_request (f, "POST", path, foyer_chat_client_get_token (f->alice.chat),
                           "application/json", body, len, &reply);

  if (got != status)
    g_error ("POST %s %.60s → %u (%s), expected %u", path, body, got, reply, status);
  /* Every refusal is a JSON error a person can read. */
  g_assert_nonnull (strstr (reply, "\"error\""));
  g_assert_nonnull (strstr (reply, "\"message\""));
}

static void
test_hostile_input (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autofree char *messages = g_strdup_printf ("/v1/spaces/%s/messages", space);
  g_autofree char *deep = g_strnfill (50000, '[');
  g_autofree char *huge = g_strnfill (2 * 1024 * 1024, ' ');
  g_autofree char *big_body = g_strnfill (200 * 1024, 'A');
  g_autofree char *big_message = g_strdup_printf (
      "{\"clientMessageId\":\"big\",\"keyUri\":\"%s\",\"body\":\"%s\"}", key->uri, big_body);
  g_autofree char *plain_message = g_strdup_printf (
      "{\"clientMessageId\":\"p\",\"keyUri\":\"%s\",\"body\":\"hello in clear\"}", key->uri);
  g_autofree char *typed
      = g_strdup_printf ("{\"clientMessageId\":7,\"keyUri\":\"%s\",\"body\":\"x\"}", key->uri);
  g_autofree char *unknown = g_strdup_printf (
      "{\"clientMessageId\":\"u\",\"keyUri\":\"%s\",\"body\":\"x\",\"text\":\"clear\"}", key->uri);
  const char bad_utf8[] = "{\"clientMessageId\":\"\xc3\x28\"}";
  g_autofree char *reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) still = NULL;

  expect_status (f, messages, "{", 1, 400);
  expect_status (f, messages, deep, strlen (deep), 400);
  expect_status (f, messages, huge, strlen (huge), 413);
  expect_status (f, messages, big_message, strlen (big_message), 413);
  expect_status (f, messages, plain_message, strlen (plain_message), 400);
  expect_status (f, messages, typed, strlen (typed), 400);
  expect_status (f, messages, unknown, strlen (unknown), 400);
  expect_status (f, messages, bad_utf8, sizeof bad_utf8 - 1, 400);
  expect_status (f, messages, "[1,2]", 5, 400);
  expect_status (
      f, "/v1/spaces", "{\"title\":\"clear title\",\"kmsResourceUri\":\"kms://a/resources/b\"}",
      strlen ("{\"title\":\"clear title\",\"kmsResourceUri\":\"kms://a/resources/b\"}"), 400);
  expect_status (f, "/kms/v1/resources", "{\"authorizations\":[1]}",
                 strlen ("{\"authorizations\":[1]}"), 400);

  g_assert_cmpuint (raw_request (f, "POST", messages, foyer_chat_client_get_token (f->alice.chat),
                                 "text/plain", "{}", 2, NULL),
                    ==, 415);
  g_assert_cmpuint (raw_request (f, "POST", messages, NULL, "application/json", "{}", 2, &reply),
                    ==, 401);
  g_assert_nonnull (strstr (reply, "unauthorized"));
  g_assert_cmpuint (raw_request (f, "GET", "/v1/nothing", NULL, NULL, NULL, 0, NULL), ==, 404);
  g_assert_cmpuint (raw_request (f, "GET", "/v1/spaces/..%2f..%2fetc",
                                 foyer_chat_client_get_token (f->alice.chat), NULL, NULL, 0, NULL)
                        / 100,
                    ==, 4);
  g_assert_cmpuint (raw_request (f, "PATCH", "/v1/spaces",
                                 foyer_chat_client_get_token (f->alice.chat), NULL, NULL, 0, NULL),
                    ==, 405);

  /* The service is still there for everyone. */
  still = CHAT_CALL0 (f->bob.chat, &error, foyer_chat_client_get_me_async);
  g_assert_no_error (error);
}

static guint
get_key_raw (Fixture *f, const char *key_uri, const char *wrap_header, char **out_reply)
{
  g_autoptr (SoupSession) session = soup_session_new ();
  const char *id = strrchr (key_uri, '/') + 1;
  g_autofree char *url
      = g_strdup_printf ("%s/keys/%s", foyer_test_service_get_kms_url (f->service), id);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *auth
      = g_strdup_printf ("Bearer %s", foyer_chat_client_get_token (f->alice.chat));
  g_autoptr (GBytes) reply = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (wrap_header != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Foyer-Key-Wrap",
                                  wrap_header);
  reply = soup_session_send_and_read (session, msg, NULL, NULL);
  g_assert_nonnull (reply);
  *out_reply = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  return soup_message_get_status (msg);
}

static void
test_kms_key_wrapping (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autofree char *plain_reply = NULL;
  g_autofree char *wrapped_reply = NULL;
  g_autofree char *bad_reply = NULL;
  g_autofree char *private_reply = NULL;
  g_autofree char *k = NULL;
  g_autofree char *wrap = NULL;
  g_autofree char *private_wrap = NULL;
  cjose_err err = { 0 };
  cjose_jwk_t *ephemeral = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  char *public_json = cjose_jwk_to_json (ephemeral, false, &err);
  char *private_json = cjose_jwk_to_json (ephemeral, true, &err);
  gsize len = 0;
  const guint8 *raw = foyer_kms_key_get_data (key, &len);

  k = foyer_base64url_encode (raw, len);
  wrap = foyer_base64url_encode ((const guint8 *) public_json, strlen (public_json));
  private_wrap = foyer_base64url_encode ((const guint8 *) private_json, strlen (private_json));

  /* Without a wrapping key the JWK comes as is (TLS protects it)… */
  g_assert_cmpuint (get_key_raw (f, key->uri, NULL, &plain_reply), ==, 200);
  g_assert_nonnull (strstr (plain_reply, k));

  /* …with one, only a JWE that the ephemeral key opens. */
  g_assert_cmpuint (get_key_raw (f, key->uri, wrap, &wrapped_reply), ==, 200);
  g_assert_nonnull (strstr (wrapped_reply, "\"wrappedKey\""));
  g_assert_null (strstr (wrapped_reply, k));
  g_assert_null (strstr (wrapped_reply, "\"jwk\""));

  g_assert_cmpuint (get_key_raw (f, key->uri, "not-a-key", &bad_reply), ==, 400);
  g_assert_cmpuint (get_key_raw (f, key->uri, private_wrap, &private_reply), ==, 400);

  cjose_get_dealloc () (public_json);
  cjose_get_dealloc () (private_json);
  cjose_jwk_release (ephemeral);
}

static void
test_slow_client_does_not_block (Fixture *f, gconstpointer data)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GSocketConnection) slow = NULL;
  g_autoptr (GUri) uri
      = g_uri_parse (foyer_test_service_get_base_url (f->service), G_URI_FLAGS_NONE, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) me = NULL;
  const char *partial
      = "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 100000\r\n\r\n{\"email\":";
  gint64 start;

  /* A client sends half a request and stalls… */
  slow = g_socket_client_connect_to_host (socket_client, g_uri_get_host (uri),
                                          (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (slow)), partial,
                             strlen (partial), NULL, NULL, &error);
  g_assert_no_error (error);

  /* …and everybody else is still served at once. */
  start = g_get_monotonic_time ();
  me = CHAT_CALL0 (f->bob.chat, &error, foyer_chat_client_get_me_async);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static gboolean file_contains (const char *path, const char *needle);

typedef struct
{
  const char *path;
  const char *needle;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *wait = data;

  return file_contains (wait->path, wait->needle);
}

typedef struct
{
  GPtrArray *sent;   /* clientMessageId */
  GPtrArray *failed; /* clientMessageId */
} OutboxLog;

static void
outbox_sent_cb (FoyerOutbox *outbox, const char *id, JsonNode *reply, gpointer user_data)
{
  g_ptr_array_add (((OutboxLog *) user_data)->sent, g_strdup (id));
}

static void
outbox_failed_cb (FoyerOutbox *outbox, const char *id, GError *error, gpointer user_data)
{
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_ptr_array_add (((OutboxLog *) user_data)->failed, g_strdup (id));
}

static void
test_outbox_persisted (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autofree char *body = seal (key, "kept across a restart");
  g_autoptr (FoyerOutbox) first = foyer_outbox_new (f->alice.chat);
  g_autoptr (FoyerOutbox) second = foyer_outbox_new (f->alice.chat);
  g_autoptr (FoyerOutbox) again = foyer_outbox_new (f->alice.chat);
  g_autoptr (FoyerOutbox) carol = foyer_outbox_new (f->carol.chat);
  g_autoptr (JsonNode) dump = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autofree char *id = NULL;
  g_autofree char *refused_id = NULL;
  OutboxLog log
      = { g_ptr_array_new_with_free_func (g_free), g_ptr_array_new_with_free_func (g_free) };

  /* Written while the service is down, saved, and the app quits. */
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_outbox_set_retry_delay (first, 5000, 5000);
  id = foyer_outbox_post (first, space, key->uri, body, NULL);
  spin_for (200);
  g_assert_cmpuint (foyer_outbox_get_pending_count (first), ==, 1);
  dump = foyer_outbox_dump (first);
  g_clear_object (&first);
  g_assert_true (foyer_test_service_restart (f->service, &error));
  g_assert_no_error (error);

  /* The next run restores it and sends it once… */
  g_signal_connect (second, "sent", G_CALLBACK (outbox_sent_cb), &log);
  g_assert_true (foyer_outbox_restore (second, dump));
  g_assert_true (spin_until (outbox_empty, second, 10000));
  g_assert_cmpuint (log.sent->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.sent, 0), ==, id);

  /* …and sending the same dump again stores nothing new (idempotent). */
  g_signal_connect (again, "sent", G_CALLBACK (outbox_sent_cb), &log);
  g_assert_true (foyer_outbox_restore (again, dump));
  g_assert_true (spin_until (outbox_empty, again, 10000));
  page = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_list_messages_async, space, 0, 50);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (page), "items")), ==,
                    1);

  /* A post the service refuses for good is dropped and reported. */
  g_signal_connect (carol, "failed", G_CALLBACK (outbox_failed_cb), &log);
  refused_id = foyer_outbox_post (carol, space, key->uri, body, NULL);
  g_assert_true (spin_until (outbox_empty, carol, 10000));
  g_assert_cmpuint (log.failed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.failed, 0), ==, refused_id);

  g_assert_false (foyer_outbox_restore (second, NULL));
  g_ptr_array_unref (log.sent);
  g_ptr_array_unref (log.failed);
}

static void
test_stalled_reader_cut_off (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GSocketConnection) stalled = NULL;
  g_autoptr (GUri) uri
      = g_uri_parse (foyer_test_service_get_base_url (f->service), G_URI_FLAGS_NONE, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *upgrade = NULL;
  g_autofree char *big = g_strnfill (45 * 1024, 'x');
  LogWait wait = { foyer_test_service_get_log_path (f->service), "closed-too-slow" };
  guint posted = 0;

  add_member (f, &f->alice, space, &f->bob);
  person_listen (&f->bob);

  /* Bob's second device upgrades to a WebSocket and then never reads. */
  stalled = g_socket_client_connect_to_host (socket_client, g_uri_get_host (uri),
                                             (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  g_socket_set_option (g_socket_connection_get_socket (stalled), SOL_SOCKET, SO_RCVBUF, 4096, NULL);
  upgrade
      = g_strdup_printf ("GET /v1/events HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                         "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer %s\r\n\r\n",
                         g_uri_get_host (uri), foyer_chat_client_get_token (f->bob.chat));
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stalled)), upgrade,
                             strlen (upgrade), NULL, NULL, &error);
  g_assert_no_error (error);
  spin_for (300);

  /* Alice keeps talking; the service cuts the stalled reader off. */
  while (!log_has (&wait) && posted < 400)
    {
      g_autofree char *id = g_strdup_printf ("big-%u", posted++);
      g_autoptr (JsonNode) reply = post (&f->alice, space, id, key, big, &error);

      g_assert_no_error (error);
    }
  g_assert_true (spin_until (log_has, &wait, 5000));

  /* Bob's live device got every message all along. */
  wait_events (&f->bob, posted);
  for (guint i = 0; i < posted; i++)
    {
      g_autofree char *id = g_strdup_printf ("big-%u", i);

      g_assert_cmpuint (count_message_ids (&f->bob, id), ==, 1);
    }
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return g_strstr_len (contents, len, needle) != NULL;
}

static void
collect_files (const char *dir, GPtrArray *out)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          collect_files (path, out);
          g_free (path);
        }
      else
        g_ptr_array_add (out, path);
    }
}

/* Where the service keeps what it stores: its SQLite files, or every file
 * of the PostgreSQL server (tables, indexes, WAL). */
static GPtrArray *
stored_files (FoyerTestService *service)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *dir = foyer_test_service_get_data_dir (service);
  const char *names[] = { "conversation.db", "conversation.db-wal", "kms.db", "kms.db-wal", NULL };

  if (foyer_test_service_is_postgresql (service))
    {
      g_autofree char *pg = g_build_filename (foyer_test_pg_socket_dir (NULL), "data", NULL);

      collect_files (pg, files);
      g_assert_cmpuint (files->len, >, 10);
    }
  else
    for (gsize i = 0; names[i] != NULL; i++)
      g_ptr_array_add (files, g_build_filename (dir, names[i], NULL));
  g_ptr_array_add (files, g_build_filename (dir, "service.log", NULL));
  return files;
}

static void
test_no_plaintext_stored (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *space = create_space (f, &key, NULL);
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new ();
  g_autofree char *ref_json = NULL;
  g_autofree char *ref_jwe = NULL;
  g_autofree char *body = seal (key, SECRET_TEXT);
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (JsonNode) page = NULL;
  const char *refs[2] = { NULL, NULL };
  const char *secrets[] = { SECRET_TITLE, SECRET_TEXT,    SECRET_URL,    SECRET_DRIVE,
                            SECRET_ITEM,  SECRET_DOCNAME, "Nightingale", NULL };
  g_autoptr (GPtrArray) files = NULL;
  const char *dir = foyer_test_service_get_data_dir (f->service);
  g_autofree char *master_key = NULL;
  g_autofree char *log_path = NULL;
  struct stat st;

  ref->cloud = g_strdup ("worldwide");
  ref->drive_id = g_strdup (SECRET_DRIVE);
  ref->item_id = g_strdup (SECRET_ITEM);
  ref->title = g_strdup (SECRET_DOCNAME);
  ref->url = g_strdup (SECRET_URL);
  ref->link_type = FOYER_LINK_TYPE_VIEW;
  ref->audience = FOYER_LINK_AUDIENCE_SPACE;
  ref_json = foyer_document_ref_to_json (ref);
  ref_jwe = seal (key, ref_json);
  refs[0] = ref_jwe;

  add_member (f, &f->alice, space, &f->bob);
  person_listen (&f->bob);
  reply = CHAT_CALL (f->alice.chat, &error, foyer_chat_client_post_message_async, space, "doc-1",
                     key->uri, body, refs);
  g_assert_no_error (error);
  wait_events (&f->bob, 1);

  /* Bob can open it (so the test did store the real thing). */
  page = CHAT_CALL (f->bob.chat, &error, foyer_chat_client_list_messages_async, space, 0, 10);
  g_assert_no_error (error);
  {
    JsonObject *m
        = json_array_get_object_element (json_object_get_array_member (obj (page), "items"), 0);
    JsonObject *att
        = json_array_get_object_element (json_object_get_array_member (m, "attachments"), 0);
    g_autofree char *opened = unseal (key, json_object_get_string_member (att, "ref"));
    const char *const hosts[] = { "sharepoint.com", NULL };
    g_autoptr (FoyerDocumentRef) back = foyer_document_ref_new_from_json (opened, hosts, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (back->item_id, ==, SECRET_ITEM);
  }

  /* Stop the service so every write reached the files, then look. */
  g_assert_true (foyer_test_service_stop (f->service));
  files = stored_files (f->service);
  for (guint i = 0; i < files->len; i++)
    for (gsize j = 0; secrets[j] != NULL; j++)
      if (file_contains (g_ptr_array_index (files, i), secrets[j]))
        g_error ("%s holds the plaintext “%s”", (char *) g_ptr_array_index (files, i), secrets[j]);

  /* The log holds no token, no Authorization header and no body. */
  log_path = g_build_filename (dir, "service.log", NULL);
  g_assert_true (file_contains (log_path, "POST /v1/spaces/"));
  g_assert_false (file_contains (log_path, foyer_chat_client_get_token (f->alice.chat)));
  g_assert_false (file_contains (log_path, "Bearer"));
  g_assert_false (file_contains (log_path, "Authorization"));
  g_assert_false (file_contains (log_path, FOYER_TEST_ALICE_PASSWORD));
  g_assert_false (file_contains (log_path, body));
  g_assert_false (file_contains (log_path, "microsoft"));

  /* Keys rest wrapped: the raw key never appears in what is stored. */
  {
    gsize len = 0;
    const guint8 *raw = foyer_kms_key_get_data (key, &len);

    for (guint f_i = 0; f_i < files->len; f_i++)
      {
        g_autofree char *contents = NULL;
        gsize kms_len = 0;

        if (!g_file_get_contents (g_ptr_array_index (files, f_i), &contents, &kms_len, NULL))
          continue;
        for (gsize i = 0; i + len <= kms_len; i++)
          g_assert_false (memcmp (contents + i, raw, len) == 0);
      }
  }

  /* The master key is kept apart from the data folder (docs/security.md). */
  master_key = g_build_filename (dir, "kms-master.key", NULL);
  g_assert_false (g_file_test (master_key, G_FILE_TEST_EXISTS));
  g_free (master_key);
  master_key = g_strconcat (dir, ".keys/kms-master.key", NULL);
  g_assert_cmpint (g_stat (master_key, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_cli_and_master_key (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autofree char *listing = NULL;
  g_autofree char *master = NULL;
  g_autofree char *dir = NULL;
  const char *list[] = { "user", "list", NULL };
  const char *bad_org[] = { "org", "set", "--file", "/nonexistent/settings.json", NULL };

  g_assert_true (foyer_test_service_run_cli (service, list, &listing, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (listing, "alice@contoso.example\tAlice Martin\tadmin"));
  g_assert_nonnull (strstr (listing, "bob@contoso.example\tBob Durand\tmember"));
  g_assert_null (strstr (listing, "pbkdf2"));

  g_assert_false (foyer_test_service_add_user (service, FOYER_TEST_BOB_EMAIL, "Bob Again",
                                               "another-password", FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (foyer_test_service_add_user (service, "dave@contoso.example", "Dave", "short",
                                               FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (foyer_test_service_run_cli (service, bad_org, NULL, &error));
  g_clear_error (&error);

  /* A master key others can read is refused at start. */
  g_assert_true (foyer_test_service_stop (service));
  dir = g_strdup (foyer_test_service_get_data_dir (service));
  master = g_strconcat (dir, ".keys/kms-master.key", NULL);
  g_assert_cmpint (g_chmod (master, 0644), ==, 0);
  g_assert_false (foyer_test_service_restart (service, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_cmpint (g_chmod (master, 0600), ==, 0);
  g_assert_true (foyer_test_service_restart (service, &error));
  g_assert_no_error (error);
}

static void
test_kms_alone (Fixture *f, gconstpointer data)
{
  const char *args[]
      = { "--token-public-key", foyer_test_service_get_service_json (f->service), NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) kms = NULL;
  g_autoptr (FoyerTestService) stranger = NULL;
  g_autoptr (FoyerKmsClient) alice_kms = NULL;
  g_autoptr (FoyerKmsClient) carol_kms = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autoptr (FoyerKmsKey) refused = NULL;
  g_autoptr (GAsyncResult) r = NULL;
  g_autofree char *resource = NULL;
  const char *people[] = { pid (&f->bob), NULL };

  kms = foyer_test_service_new_full (NULL, "kms", FALSE, args, &error);
  g_assert_no_error (error);

  alice_kms = foyer_kms_client_new (foyer_chat_client_get_session (f->alice.chat),
                                    foyer_test_service_get_kms_url (kms));
  foyer_kms_client_set_token (alice_kms, foyer_chat_client_get_token (f->alice.chat));
  foyer_kms_client_create_resource_async (alice_kms, people, NULL, store_result_cb, &r);
  resource = foyer_kms_client_create_resource_finish (alice_kms, await (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);
  foyer_kms_client_create_key_async (alice_kms, resource, NULL, store_result_cb, &r);
  key = foyer_kms_client_create_key_finish (alice_kms, await (&r), &error);
  g_assert_no_error (error);
  g_clear_object (&r);

  /* Carol is not on the resource's authorizations. */
  carol_kms = foyer_kms_client_new (foyer_chat_client_get_session (f->carol.chat),
                                    foyer_test_service_get_kms_url (kms));
  foyer_kms_client_set_token (carol_kms, foyer_chat_client_get_token (f->carol.chat));
  foyer_kms_client_get_key_async (carol_kms, key->uri, NULL, store_result_cb, &r);
  refused = foyer_kms_client_get_key_finish (carol_kms, await (&r), &error);
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_clear_object (&r);

  /* Alice lets her in, then she gets it. */
  foyer_kms_client_authorize_async (alice_kms, resource, pid (&f->carol), NULL, store_result_cb,
                                    &r);
  g_assert_true (foyer_kms_client_authorize_finish (alice_kms, await (&r), &error));
  g_assert_no_error (error);
  g_clear_object (&r);
  foyer_kms_client_get_key_async (carol_kms, key->uri, NULL, store_result_cb, &r);
  refused = foyer_kms_client_get_key_finish (carol_kms, await (&r), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (refused->key, key->key));
  g_clear_object (&r);

  /* A token from another service (another signing key) is refused. */
  {
    g_autoptr (FoyerChatClient) outsider = NULL;
    g_autoptr (FoyerKmsClient) outsider_kms = NULL;
    g_autoptr (JsonNode) person = NULL;
    g_autofree char *none = NULL;
    const char *nobody[] = { NULL };

    stranger = foyer_test_service_new ();
    outsider = foyer_chat_client_new (foyer_test_service_get_base_url (stranger));
    foyer_chat_client_login_async (outsider, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD,
                                   NULL, store_result_cb, &r);
    person = foyer_chat_client_call_finish (outsider, await (&r), &error);
    g_assert_no_error (error);
    g_clear_object (&r);
    outsider_kms = foyer_kms_client_new (foyer_chat_client_get_session (outsider),
                                         foyer_test_service_get_kms_url (kms));
    foyer_kms_client_set_token (outsider_kms, foyer_chat_client_get_token (outsider));
    foyer_kms_client_create_resource_async (outsider_kms, nobody, NULL, store_result_cb, &r);
    none = foyer_kms_client_create_resource_finish (outsider_kms, await (&r), &error);
    g_assert_null (none);
    g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_UNAUTHORIZED);
    g_clear_error (&error);
    g_clear_object (&r);
  }

  /* The conversation API is not served by a KMS alone. */
  {
    g_autoptr (SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (foyer_test_service_get_base_url (kms), "/v1/spaces", NULL);
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
    g_autofree char *auth
        = g_strdup_printf ("Bearer %s", foyer_chat_client_get_token (f->alice.chat));
    g_autoptr (GBytes) reply = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    reply = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  }
  g_assert_true (foyer_test_service_stop (kms));
}

/* The conversation role alone, pointing at a KMS run elsewhere. */
static void
test_conversation_alone (void)
{
  const char *args[] = { "--kms-url", "https://kms.contoso.example/kms/v1", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service
      = foyer_test_service_new_full (NULL, "conversation", TRUE, args, &error);
  g_autoptr (FoyerChatClient) alice = NULL;
  g_autoptr (GAsyncResult) r = NULL;
  g_autoptr (JsonNode) person = NULL;
  g_autoptr (JsonNode) info = NULL;
  g_autoptr (JsonNode) space = NULL;
  g_autofree char *kms_db = NULL;
  g_autofree char *title = NULL;
  guint8 key[32];

  g_assert_no_error (error);
  g_assert_cmpstr (foyer_test_service_get_kms_url (service), ==, args[1]);

  alice = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  foyer_chat_client_login_async (alice, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 store_result_cb, &r);
  person = foyer_chat_client_call_finish (alice, await (&r), &error);
  g_assert_no_error (error);

  info = CHAT_CALL (alice, &error, foyer_chat_client_request_async, "GET", "/v1/service", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (obj (info), "kmsUrl"), ==, args[1]);

  /* Spaces may use the remote KMS's resources; this process holds no keys. */
  foyer_random_bytes (key, sizeof key, NULL);
  title
      = foyer_jwe_encrypt_string (key, sizeof key, "kms://kms.contoso.example/keys/k1", "t", NULL);
  space = CHAT_CALL (alice, &error, foyer_chat_client_create_space_async, title,
                     "kms://kms.contoso.example/resources/r1");
  g_assert_no_error (error);
  g_clear_pointer (&info, json_node_unref);
  info = CHAT_CALL (alice, &error, foyer_chat_client_request_async, "POST", "/kms/v1/resources",
                    NULL);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND);
  kms_db = g_build_filename (foyer_test_service_get_data_dir (service), "kms.db", NULL);
  g_assert_false (g_file_test (kms_db, G_FILE_TEST_EXISTS));
  g_assert_true (foyer_test_service_stop (service));
}

static void
test_tls_and_listen (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = make_temp_dir ("foyer-tls-XXXXXX");
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *data_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *plain_dir = g_build_filename (dir, "plain", NULL);
  g_autofree char *err_text = NULL;
  g_autoptr (GSubprocess) openssl = NULL;
  g_autoptr (GSubprocess) refused = NULL;
  g_autoptr (FoyerTestService) service = NULL;
  g_autoptr (FoyerChatClient) strict = NULL;
  g_autoptr (FoyerChatClient) trusting = NULL;
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (GAsyncResult) r = NULL;
  g_autoptr (JsonNode) person = NULL;
  const char *tls_args[] = { "--tls-cert", cert, "--tls-key", key, NULL };

  /* Plain HTTP on a non-loopback address is refused at start. */
  refused = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              foyer_test_service_get_executable (), "serve", "--data-dir",
                              plain_dir, "--listen", "0.0.0.0:0", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (refused, NULL, NULL, NULL, &err_text, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (refused), !=, 0);
  g_assert_nonnull (strstr (err_text, "loopback"));

  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              NULL, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
                              "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                              "subjectAltName=IP:127.0.0.1", NULL);
  if (openssl == NULL || !g_subprocess_wait_check (openssl, NULL, NULL))
    {
      g_test_skip ("openssl cannot make a test certificate");
      return;
    }

  service = foyer_test_service_new_full (data_dir, NULL, TRUE, tls_args, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (foyer_test_service_get_base_url (service), "https://"));

  /* An untrusted certificate fails closed… */
  strict = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  foyer_chat_client_login_async (strict, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 store_result_cb, &r);
  person = foyer_chat_client_call_finish (strict, await (&r), &error);
  g_assert_null (person);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK);
  g_clear_error (&error);
  g_clear_object (&r);

  /* …and a trusted one works. */
  database = g_tls_file_database_new (cert, &error);
  g_assert_no_error (error);
  trusting = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_object_set (foyer_chat_client_get_session (trusting), "tls-database", database, NULL);
  foyer_chat_client_login_async (trusting, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 store_result_cb, &r);
  person = foyer_chat_client_call_finish (trusting, await (&r), &error);
  g_assert_no_error (error);
  g_assert_nonnull (person);
  g_assert_true (foyer_test_service_stop (service));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  /* Two programs from this file keep each one short on a busy machine:
   * the flows people use, and robustness and deployment. */
  if (FOYER_TEST_PART == 1)
    {
      ADD ("/service/login-people", test_login_people);
      ADD ("/service/org-settings", test_org_settings);
      ADD ("/service/space-members-messages", test_space_members_messages);
      ADD ("/service/idempotent-and-paging", test_idempotent_and_paging);
      ADD ("/service/reconnect-catch-up", test_reconnect_catch_up);
      ADD ("/service/outbox-persisted", test_outbox_persisted);
      ADD ("/service/stream-needs-sign-in", test_stream_needs_sign_in);
      ADD ("/service/no-plaintext-stored", test_no_plaintext_stored);
    }
  else
    {
      ADD ("/service/hostile-input", test_hostile_input);
      ADD ("/service/slow-client", test_slow_client_does_not_block);
      ADD ("/service/stalled-reader-cut-off", test_stalled_reader_cut_off);
      ADD ("/service/kms-alone", test_kms_alone);
      ADD ("/service/kms-key-wrapping", test_kms_key_wrapping);
      g_test_add_func ("/service/cli-and-master-key", test_cli_and_master_key);
      g_test_add_func ("/service/tls-and-listen", test_tls_and_listen);
      g_test_add_func ("/service/conversation-alone", test_conversation_alone);
    }
#undef ADD

  return g_test_run ();
}
