/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-demo-seed: fills a freshly started foyer-service and Microsoft
 * sandbox with a few spaces and their history, shared documents included,
 * so that the demo shows every flow at once.
 *
 *   foyer-demo-seed --service-json FILE --cloud CLOUD.json --password EMAIL=PASSWORD…
 *
 * It does what the people's apps would do, with the same core code: each
 * person signs in to foyer-service, spaces get a key from the KMS, every
 * message and document reference is encrypted with the space key before it
 * is posted, and documents are shared with a createLink made with their
 * owner's own (sandbox-minted) Microsoft token.
 */
#define G_LOG_DOMAIN "foyer-demo-seed"

#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>

#include "foyer-authorizer.h"
#include "foyer-chat-client.h"
#include "foyer-document-ref.h"
#include "foyer-drive-item.h"
#include "foyer-graph-client.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"

typedef struct
{
  const char *email;
  FoyerChatClient *chat;
  FoyerKmsClient *kms;
  FoyerGraphClient *graph;
  char *name;
} Person;

typedef struct
{
  char *id;
  char *key_uri;
} Space;

static GHashTable *passwords; /* email → foyer-service password */
static JsonObject *cloud;
static FoyerCloud *ms_cloud;
static char *kms_url;
static SoupSession *soup;

/* Every step is asynchronous; the seeder has nothing else to do, so it
 * runs the main context until each one is done. */
typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  g_clear_object (&wait->result);
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

static G_NORETURN void
fail (const char *what, const GError *error)
{
  g_printerr ("foyer-demo-seed: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (1);
}

static JsonObject *
load_json_object (const char *path)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  if (!json_parser_load_from_file (parser, path, &error))
    fail (path, error);
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    fail (path, NULL);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* An access token for email from the sandbox's control API (the demo's
 * stand-in for that person's completed Microsoft sign-in). */
static char *
mint_token (const char *email)
{
  g_autofree char *url = g_strconcat (foyer_json_get_string (cloud, "control"), "/tokens", NULL);
  g_autofree char *body = g_strdup_printf ("{\"email\":\"%s\"}", email);
  g_autoptr (GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  const char *token = NULL;

  if (msg == NULL)
    fail ("the sandbox's control address", NULL);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (soup, msg, NULL, &error);
  if (reply == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK
      || !json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                      g_bytes_get_size (reply), &error))
    fail ("a Microsoft token from the sandbox", error);
  if (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    token = foyer_json_get_string (json_node_get_object (json_parser_get_root (parser)),
                                   "access_token");
  if (token == NULL)
    fail ("a Microsoft token from the sandbox", NULL);
  return g_strdup (token);
}

static void
person_sign_in (Person *person, const char *base_url)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (FoyerStaticAuthorizer) authorizer = NULL;
  g_autofree char *token = NULL;
  const char *password = g_hash_table_lookup (passwords, person->email);
  Wait wait = { NULL };

  if (password == NULL)
    {
      g_printerr ("foyer-demo-seed: no --password for %s\n", person->email);
      exit (2);
    }
  person->chat = foyer_chat_client_new (base_url);
  foyer_chat_client_login_async (person->chat, person->email, password, NULL, done_cb, &wait);
  me = foyer_chat_client_call_finish (person->chat, wait_for (&wait), &error);
  if (me == NULL || !JSON_NODE_HOLDS_OBJECT (me))
    fail (person->email, error);
  person->name = g_strdup (foyer_json_get_string (json_node_get_object (me), "name"));
  person->kms = foyer_kms_client_new (foyer_chat_client_get_session (person->chat), kms_url);
  foyer_kms_client_set_token (person->kms, foyer_chat_client_get_token (person->chat));

  token = mint_token (person->email);
  authorizer = foyer_static_authorizer_new (token);
  person->graph = foyer_graph_client_new_for_cloud (ms_cloud, FOYER_AUTHORIZER (authorizer));
  g_clear_object (&wait.result);
}

static FoyerKmsKey *
space_key (Person *person, Space *space)
{
  g_autoptr (GError) error = NULL;
  FoyerKmsKey *key;
  Wait wait = { NULL };

  foyer_kms_client_get_key_async (person->kms, space->key_uri, NULL, done_cb, &wait);
  key = foyer_kms_client_get_key_finish (person->kms, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  if (key == NULL)
    fail ("the space key", error);
  return key;
}

/* As the app does: a KMS resource for the members, a key under it, the
 * title encrypted with it, then the space and its members. */
static Space *
create_space (Person *owner, const char *title, Person **members)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autofree char *resource_uri = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *title_jwe = NULL;
  g_autoptr (JsonNode) node = NULL;
  const guint8 *bytes;
  gsize len = 0;
  Space *space = g_new0 (Space, 1);
  Wait wait = { NULL };

  g_ptr_array_add (ids, (gpointer) foyer_chat_client_get_person_id (owner->chat));
  for (guint i = 0; members[i] != NULL; i++)
    g_ptr_array_add (ids, (gpointer) foyer_chat_client_get_person_id (members[i]->chat));
  g_ptr_array_add (ids, NULL);

  foyer_kms_client_create_resource_async (owner->kms, (const char *const *) ids->pdata, NULL,
                                          done_cb, &wait);
  resource_uri = foyer_kms_client_create_resource_finish (owner->kms, wait_for (&wait), &error);
  if (resource_uri == NULL)
    fail ("a KMS resource", error);
  foyer_kms_client_create_key_async (owner->kms, resource_uri, NULL, done_cb, &wait);
  key = foyer_kms_client_create_key_finish (owner->kms, wait_for (&wait), &error);
  if (key == NULL)
    fail ("a space key", error);
  bytes = foyer_kms_key_get_data (key, &len);
  title_jwe = foyer_jwe_encrypt_string (bytes, len, key->uri, title, &error);
  if (title_jwe == NULL)
    fail ("the space title", error);

  foyer_chat_client_create_space_async (owner->chat, title_jwe, resource_uri, NULL, done_cb, &wait);
  node = foyer_chat_client_call_finish (owner->chat, wait_for (&wait), &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node)
      || foyer_json_get_string (json_node_get_object (node), "id") == NULL)
    fail (title, error);
  space->id = g_strdup (foyer_json_get_string (json_node_get_object (node), "id"));
  space->key_uri = g_strdup (key->uri);

  for (guint i = 0; members[i] != NULL; i++)
    {
      g_autoptr (JsonNode) added = NULL;

      foyer_chat_client_add_member_async (owner->chat, space->id,
                                          foyer_chat_client_get_person_id (members[i]->chat), NULL,
                                          done_cb, &wait);
      added = foyer_chat_client_call_finish (owner->chat, wait_for (&wait), &error);
      if (added == NULL)
        fail (members[i]->email, error);
    }
  g_clear_object (&wait.result);
  return space;
}

static void
post (Person *author, Space *space, const char *text, const char *ref_json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = space_key (author, space);
  g_autofree char *jwe = NULL;
  g_autofree char *ref_jwe = NULL;
  g_autofree char *client_id = foyer_chat_new_client_message_id ();
  g_autoptr (JsonNode) node = NULL;
  const char *refs[2] = { NULL, NULL };
  const guint8 *bytes;
  gsize len = 0;
  Wait wait = { NULL };

  bytes = foyer_kms_key_get_data (key, &len);
  jwe = foyer_jwe_encrypt_string (bytes, len, space->key_uri, text, &error);
  if (jwe != NULL && ref_json != NULL)
    ref_jwe = foyer_jwe_encrypt_string (bytes, len, space->key_uri, ref_json, &error);
  if (jwe == NULL || (ref_json != NULL && ref_jwe == NULL))
    fail ("a message", error);
  refs[0] = ref_jwe;

  foyer_chat_client_post_message_async (author->chat, space->id, client_id, space->key_uri, jwe,
                                        ref_jwe != NULL ? refs : NULL, NULL, done_cb, &wait);
  node = foyer_chat_client_call_finish (author->chat, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  if (node == NULL)
    fail ("a message", error);
}

/* The document at path in the sharer's OneDrive, a link for the
 * organization (view or edit), and its reference as the app builds it. */
static char *
share_reference (Person *sharer, const char *path, gboolean edit)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (FoyerGraphLink) link = NULL;
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new ();
  g_autofree char *request = g_strdup_printf ("/me/drive/root:/%s", path);
  Wait wait = { NULL };

  foyer_graph_client_request_async (sharer->graph, "GET", request, NULL, NULL, done_cb, &wait);
  node = foyer_graph_client_request_finish (sharer->graph, wait_for (&wait), &error);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    fail (path, error);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  if (item == NULL)
    fail (path, error);

  foyer_graph_create_link_with_fallback_async (
      sharer->graph, foyer_drive_item_get_target_drive_id (item),
      foyer_drive_item_get_target_id (item), edit ? FOYER_LINK_TYPE_EDIT : FOYER_LINK_TYPE_VIEW,
      FOYER_GRAPH_LINK_SCOPE_ORGANIZATION, NULL, done_cb, &wait);
  link = foyer_graph_create_link_with_fallback_finish (sharer->graph, wait_for (&wait), &error);
  g_clear_object (&wait.result);
  if (link == NULL)
    fail (path, error);

  ref->v = 1;
  ref->provider = g_strdup ("microsoft");
  ref->cloud = g_strdup ("worldwide");
  ref->drive_id = g_strdup (foyer_drive_item_get_target_drive_id (item));
  ref->item_id = g_strdup (foyer_drive_item_get_target_id (item));
  ref->title = g_strdup (foyer_drive_item_get_name (item));
  ref->url = g_strdup (link->web_url != NULL ? link->web_url : foyer_drive_item_get_web_url (item));
  ref->link_type = edit ? FOYER_LINK_TYPE_EDIT : FOYER_LINK_TYPE_VIEW;
  ref->audience = FOYER_LINK_AUDIENCE_ORGANIZATION;
  ref->mime_type = g_strdup (foyer_drive_item_get_mime_type (item));
  ref->size = foyer_drive_item_get_size (item);
  ref->shared_by = g_strdup (sharer->name);
  return foyer_document_ref_to_json (ref);
}

static void
space_free (Space *space)
{
  g_free (space->id);
  g_free (space->key_uri);
  g_free (space);
}

int
main (int argc, char **argv)
{
  g_autofree char *service_json = NULL;
  g_autofree char *cloud_path = NULL;
  g_auto (GStrv) password_args = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) service = NULL;
  GOptionEntry entries[] = {
    { "service-json", 0, 0, G_OPTION_ARG_FILENAME, &service_json,
      "the service.json foyer-service wrote", "FILE" },
    { "cloud", 0, 0, G_OPTION_ARG_FILENAME, &cloud_path, "the sandbox's cloud.json", "FILE" },
    { "password", 0, 0, G_OPTION_ARG_STRING_ARRAY, &password_args,
      "a person's foyer-service password", "EMAIL=PASSWORD" },
    { NULL },
  };
  Person alice = { "alice@contoso.example" };
  Person bob = { "bob@contoso.example" };
  Person carol = { "carol@contoso.example" };
  Person *everyone[] = { &bob, &carol, NULL };
  Person *just_bob[] = { &bob, NULL };
  Person *just_alice[] = { &alice, NULL };
  Person *people[] = { &alice, &bob, &carol };
  Space *welcome, *budget, *design;
  g_autofree char *quarterly = NULL;
  g_autofree char *budget_ref = NULL;
  g_autofree char *design_ref = NULL;

  context = g_option_context_new ("— seed the Foyer demo");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || service_json == NULL
      || cloud_path == NULL)
    {
      g_printerr ("foyer-demo-seed: %s\n",
                  error != NULL ? error->message : "--service-json and --cloud are needed");
      return 2;
    }
  passwords = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; password_args != NULL && password_args[i] != NULL; i++)
    {
      char *eq = strchr (password_args[i], '=');

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_insert (passwords, password_args[i], eq + 1);
    }

  service = load_json_object (service_json);
  cloud = load_json_object (cloud_path);
  /* The sandbox's endpoints and its CA, as the app reads them. */
  ms_cloud = foyer_cloud_new_from_file (cloud_path, &error);
  if (ms_cloud == NULL)
    fail ("the sandbox's cloud.json", error);
  kms_url = g_strdup (foyer_json_get_string (service, "kmsUrl"));
  if (kms_url == NULL || foyer_json_get_string (service, "baseUrl") == NULL)
    fail ("service.json has no baseUrl or kmsUrl", NULL);
  soup = soup_session_new ();
  soup_session_set_tls_database (soup, foyer_cloud_get_tls_database (ms_cloud));

  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    person_sign_in (people[i], foyer_json_get_string (service, "baseUrl"));

  welcome = create_space (&alice, "Welcome to Foyer", everyone);
  post (&alice, welcome, "Welcome! This space is where the team tries Foyer.", NULL);
  post (&bob, welcome, "Hi everyone!", NULL);
  post (&carol, welcome, "Hello! Could someone share the quarterly report?", NULL);
  quarterly = share_reference (&alice, "Documents/Quarterly report.docx", FALSE);
  post (&alice, welcome, "Here it is, view only, for everyone at Contoso.", quarterly);
  post (&bob, welcome, "Thanks! Click the tile to read it right here.", NULL);

  budget = create_space (&alice, "Budget 2027", just_bob);
  budget_ref = share_reference (&alice, "Documents/Budget 2027.xlsx", TRUE);
  post (&alice, budget, "The draft budget; you can edit it.", budget_ref);
  post (&bob, budget, "I'll add the Q3 figures tomorrow.", NULL);

  design = create_space (&bob, "Design review", just_alice);
  design_ref = share_reference (&bob, "Documents/Design review.pptx", FALSE);
  post (&bob, design, "Slides for Thursday's review.", design_ref);
  post (&alice, design, "Looks great. One question about slide 4.", NULL);

  g_print ("Seeded 3 spaces with 9 messages, 3 of them shared documents.\n");

  space_free (welcome);
  space_free (budget);
  space_free (design);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_clear_object (&people[i]->chat);
      g_clear_object (&people[i]->kms);
      g_clear_object (&people[i]->graph);
      g_free (people[i]->name);
    }
  g_object_unref (soup);
  g_object_unref (ms_cloud);
  json_object_unref (cloud);
  g_free (kms_url);
  g_hash_table_unref (passwords);
  return 0;
}
