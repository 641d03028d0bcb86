/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Spaces, members and messages: /v1/spaces[/<id>[/members|/messages|/key]].
 * Each handler runs where the request's database is and reaches it only
 * through the storage interface (foyer-svc-db.h).
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-json.h"

#include <string.h>

#define DEFAULT_PAGE 50
#define MAX_PAGE     200

char *
foyer_svc_timestamp (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);
  g_autoptr (GDateTime) exact = g_date_time_add (dt, (ms % 1000) * 1000);

  return g_date_time_format (exact, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static JsonNode *
space_node (gconstpointer row)
{
  const FoyerSvcSpace *space = row;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *created = foyer_svc_timestamp (space->created);

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "id", space->id);
  foyer_json_builder_add_string (builder, "title", space->title);
  foyer_json_builder_add_string (builder, "kmsResourceUri", space->kms_resource_uri);
  foyer_json_builder_add_string (builder, "creatorId", space->creator_id);
  foyer_json_builder_add_string (builder, "created", created);
  foyer_json_builder_add_int (builder, "lastSeq", space->last_seq);
  foyer_json_builder_add_string (builder, "keyUri", space->key_uri);
  foyer_json_builder_add_boolean (builder, "keyRotationNeeded", space->rekey_since >= 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The space as JSON; NULL when there is none (or on error, set). */
static JsonNode *
space_json (FoyerSvcDb *db, const char *space_id, GError **error)
{
  g_autoptr (FoyerSvcSpace) space = foyer_svc_db_space_get (db, space_id, error);

  return space != NULL ? space_node (space) : NULL;
}

static JsonNode *
wrap_member (const char *name, JsonNode *value)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, name);
  json_builder_add_value (builder, value);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
not_found_or (GError **error, const char *what)
{
  if (*error == NULL)
    g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_NOT_FOUND, what);
  return FALSE;
}

static void
create_space (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) space = NULL;
  g_autofree char *title = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  gboolean local = FALSE;
  FoyerSvcDb *db = req->db;

  if (!(body = foyer_svc_request_body (req, &error))
      || !foyer_svc_parse_space_input (body, &title, &resource, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  /* A co-located KMS can check that the creator may use the resource it
   * binds to the space, since members will then get its keys. */
  if (!foyer_svc_kms_resource_allows (req, resource, req->person_id, &local, &error) && local)
    {
      foyer_svc_respond_error_or (req, error, FOYER_SVC_ERROR_FORBIDDEN,
                                  "You are not authorized on this KMS resource");
      return;
    }
  g_clear_error (&error);

  if (!foyer_svc_begin (db, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (!foyer_svc_db_space_insert (db, id, title, resource, req->person_id, now_ms (), &error))
    {
      if (g_error_matches (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT,
                               "This KMS resource already belongs to another space");
        }
    }
  else if (foyer_svc_db_member_insert (db, id, req->person_id, req->person_id, now_ms (), &error)
           && ((space = space_json (db, id, &error)) != NULL || not_found_or (&error, "No space")))
    {
      foyer_svc_db_emit (db, "space.created", id, NULL,
                         wrap_member ("space", json_node_copy (space)));
      if (foyer_svc_commit (db, &error))
        {
          foyer_svc_respond_json (req, 201, space);
          return;
        }
    }
  foyer_svc_rollback (db);
  foyer_svc_respond_error (req, error);
}

static void
list_spaces (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) spaces = foyer_svc_db_spaces_of_person (req->db, req->person_id, &error);

  foyer_svc_respond_list (req, spaces, space_node, error);
}

static void
list_members (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (GError) error = NULL;
  JsonArray *items = foyer_svc_db_members_list (req->db, space_id, &error);
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);

  if (items == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  json_node_take_object (root, json_object_new ());
  json_object_set_array_member (json_node_get_object (root), "items", items);
  foyer_svc_respond_json (req, 200, root);
}

static char *
member_target (FoyerSvcRequest *req, GError **error)
{
  static const FoyerSvcField fields[] = {
    { "personId", FIELD_STRING, TRUE, 64 },
  };
  g_autoptr (JsonNode) body = NULL;
  JsonObject *object;

  if (req->n_segments == 5)
    return g_strdup (req->segments[4]);
  if (!(body = foyer_svc_request_body (req, error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), error)))
    return NULL;
  return g_strdup (json_object_get_string_member (object, "personId"));
}

gboolean
foyer_svc_member_remove (FoyerSvcDb *db,
                         const char *space_id,
                         const char *person_id,
                         GError **error)
{
  JsonNode *extra = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (extra, json_object_new ());
  json_object_set_string_member (json_node_get_object (extra), "personId", person_id);
  /* The removed person may hold every key of the space made so far: from
   * now on, messages must be sealed with a key made after this moment. */
  if (!foyer_svc_db_member_delete (db, space_id, person_id, error)
      || !foyer_svc_db_space_mark_rekey (db, space_id, now_ms (), error))
    {
      json_node_unref (extra);
      return FALSE;
    }
  foyer_svc_db_emit (db, "member.removed", space_id, person_id, extra);
  return TRUE;
}

static void
change_member (FoyerSvcRequest *req, const FoyerSvcSpace *space, gboolean add)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *person = member_target (req, &error);
  g_autoptr (FoyerSvcPerson) target = NULL;
  g_autoptr (JsonNode) extra = NULL;
  FoyerSvcDb *db = req->db;
  const char *space_id = space->id;
  int is_member;

  if (person == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (foyer_svc_check_id (person, 64))
    target = foyer_svc_db_person_get (db, person, &error);
  if (error != NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (target == NULL || target->removed)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
      return;
    }
  if ((is_member = foyer_svc_db_is_member (db, space_id, person, &error)) < 0)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (add == (is_member == 1))
    {
      foyer_svc_respond_error_literal (req,
                                       add ? FOYER_SVC_ERROR_CONFLICT : FOYER_SVC_ERROR_NOT_FOUND,
                                       add ? "Already a member" : "Not a member");
      return;
    }

  extra = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (extra, json_object_new ());
  json_object_set_string_member (json_node_get_object (extra), "personId", person);
  if (add)
    json_object_set_member (json_node_get_object (extra), "space", space_node (space));

  if (!foyer_svc_begin (db, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (add ? !foyer_svc_db_member_insert (db, space_id, person, req->person_id, now_ms (), &error)
          : !foyer_svc_member_remove (db, space_id, person, &error))
    {
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }
  if (add)
    foyer_svc_db_emit (db, "member.added", space_id, person, json_node_ref (extra));
  if (!foyer_svc_commit (db, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  /* Keep a co-located KMS's own list in step; membership decides anyway. */
  foyer_svc_kms_authorize_local (req, space->kms_resource_uri, person, add, NULL);

  if (add)
    foyer_svc_respond_json (req, 201, extra);
  else
    foyer_svc_respond_status (req, 204);
}

static JsonNode *
message_node (const FoyerSvcMessage *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *created = foyer_svc_timestamp (message->created);

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "id", message->id);
  foyer_json_builder_add_string (builder, "spaceId", message->space_id);
  foyer_json_builder_add_int (builder, "seq", message->seq);
  foyer_json_builder_add_string (builder, "authorId", message->author_id);
  foyer_json_builder_add_string (builder, "clientMessageId", message->client_message_id);
  foyer_json_builder_add_string (builder, "keyUri", message->key_uri);
  foyer_json_builder_add_string (builder, "body", message->body);
  json_builder_set_member_name (builder, "attachments");
  if (json_parser_load_from_data (parser, message->attachments, -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  foyer_json_builder_add_string (builder, "created", created);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
attachments_text (GPtrArray *refs)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < refs->len; i++)
    {
      json_builder_begin_object (builder);
      foyer_json_builder_add_string (builder, "kind", "document");
      foyer_json_builder_add_string (builder, "ref", g_ptr_array_index (refs, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static JsonNode *
post_reply (const FoyerSvcMessage *message)
{
  JsonObject *reply = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *created = foyer_svc_timestamp (message->created);

  json_object_set_string_member (reply, "id", message->id);
  json_object_set_int_member (reply, "seq", message->seq);
  json_object_set_string_member (reply, "created", created);
  json_object_set_string_member (reply, "authorId", message->author_id);
  json_node_take_object (node, reply);
  return node;
}

static gboolean
is_key_uri (const char *uri)
{
  const char *slash
      = uri != NULL && g_str_has_prefix (uri, "kms://") ? strchr (uri + 6, '/') : NULL;

  return slash != NULL && slash > uri + 6 && g_str_has_prefix (slash, "/keys/")
         && foyer_svc_check_id (slash + 6, 128) && strlen (uri) <= 512;
}

/* Checks what the new key may be: with a co-located KMS, a key of the
 * space's resource made after the last member left (earlier keys may have
 * been fetched by that member). A separate KMS cannot be asked. */
static gboolean
check_new_key (FoyerSvcRequest *req,
               const char *key_uri,
               const char *resource,
               gint64 rekey_since,
               GError **error)
{
  gint64 created = 0;
  gboolean local = FALSE;
  gboolean found = foyer_svc_kms_key_created_on (req, key_uri, resource, &created, &local, error);

  if (error != NULL && *error != NULL)
    return FALSE;
  if (local && !found)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "keyUri is not a key of this space's KMS resource");
      return FALSE;
    }
  if (local && rekey_since >= 0 && created < rekey_since)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "This key was made before a member left: make a new one");
      return FALSE;
    }
  return TRUE;
}

/* PUT /v1/spaces/<id>/key {"keyUri", "replaces"}: the key later messages
 * are sealed with. "replaces" (the key the client knew as current) makes
 * two members rotating at once agree: the second gets 409 stale-key and
 * takes the first one's key (GET the space). */
static void
set_space_key (FoyerSvcRequest *req, const char *space_id)
{
  static const FoyerSvcField fields[] = {
    { "keyUri", FIELD_STRING, TRUE, 512 },
    { "replaces", FIELD_STRING, FALSE, 512 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (FoyerSvcSpace) space = NULL;
  const char *key_uri, *replaces;
  JsonObject *object, *extra;
  JsonNode *extra_node;
  FoyerSvcDb *db = req->db;

  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  key_uri = json_object_get_string_member (object, "keyUri");
  replaces = json_object_get_string_member_with_default (object, "replaces", NULL);
  if (!is_key_uri (key_uri))
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID,
                                       "keyUri must be a kms://…/keys/<id> URI");
      return;
    }
  if (!foyer_svc_begin (db, &error)
      || ((space = foyer_svc_db_space_get (db, space_id, &error)) == NULL
          && !not_found_or (&error, "No such space")))
    {
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }
  if (space->rekey_since < 0 && g_strcmp0 (space->key_uri, key_uri) == 0)
    {
      foyer_svc_rollback (db);
      reply = space_node (space);
      foyer_svc_respond_json (req, 200, reply);
      return;
    }
  if (space->key_uri != NULL && replaces != NULL && strcmp (space->key_uri, replaces) != 0)
    {
      g_set_error (&error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                   "Another member gave this space a new key first: %s", space->key_uri);
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }

  if (!check_new_key (req, key_uri, space->kms_resource_uri, space->rekey_since, &error)
      || !foyer_svc_db_space_set_key (db, space_id, key_uri, &error))
    {
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }
  extra_node = json_node_new (JSON_NODE_OBJECT);
  extra = json_object_new ();
  json_object_set_string_member (extra, "keyUri", key_uri);
  json_node_take_object (extra_node, extra);
  foyer_svc_db_emit (db, "space.key-rotated", space_id, NULL, extra_node);
  g_clear_pointer (&space, foyer_svc_space_free);
  if ((space = foyer_svc_db_space_get (db, space_id, &error)) == NULL
      || !foyer_svc_commit (db, &error))
    {
      foyer_svc_rollback (db);
      not_found_or (&error, "No such space");
      foyer_svc_respond_error (req, error);
      return;
    }
  reply = space_node (space);
  foyer_svc_respond_json (req, 200, reply);
}

/* A retried post answers with the message the first attempt stored: 200. */
static gboolean
respond_earlier (FoyerSvcRequest *req, const char *space_id, const char *client_message_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSvcMessage) earlier = foyer_svc_db_message_by_client_id (
      req->db, space_id, req->person_id, client_message_id, &error);
  g_autoptr (JsonNode) reply = NULL;

  if (error != NULL)
    {
      foyer_svc_respond_error (req, error);
      return TRUE;
    }
  if (earlier == NULL)
    return FALSE;
  reply = post_reply (earlier);
  foyer_svc_respond_json (req, 200, reply);
  return TRUE;
}

static void
post_message (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (FoyerSvcMessage) message = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  g_autofree char *attachments = NULL;
  FoyerSvcMessageInput input = { 0 };
  FoyerSvcDb *db = req->db;

  if (!(body = foyer_svc_request_body (req, &error))
      || !foyer_svc_parse_message_input (body, &input, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }

  if (respond_earlier (req, space_id, input.client_message_id))
    {
      foyer_svc_message_input_clear (&input);
      return;
    }

  attachments = attachments_text (input.attachments);
  if (!foyer_svc_begin (db, &error)
      || !(message
           = foyer_svc_db_message_post (db, id, space_id, req->person_id, input.client_message_id,
                                        input.key_uri, input.body, attachments, now_ms (), &error)))
    {
      foyer_svc_rollback (db);
      /* The same clientMessageId stored meanwhile (by another node, or a
       * retry sent at once): the first one's reply. */
      if (g_error_matches (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT)
          && respond_earlier (req, space_id, input.client_message_id))
        {
          foyer_svc_message_input_clear (&input);
          return;
        }
      foyer_svc_message_input_clear (&input);
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_db_emit (db, "message.created", space_id, NULL,
                     wrap_member ("message", message_node (message)));
  if (!foyer_svc_commit (db, &error))
    {
      foyer_svc_message_input_clear (&input);
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_message_input_clear (&input);
  reply = post_reply (message);
  foyer_svc_respond_json (req, 201, reply);
}

static gboolean
query_int (FoyerSvcRequest *req, const char *name, gint64 min, gint64 max, gint64 *out)
{
  const char *text = req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
  guint64 value;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, (guint64) min, (guint64) max, &value, NULL))
    return FALSE;
  *out = (gint64) value;
  return TRUE;
}

static void
list_messages (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  gint64 before = G_MAXINT64, limit = DEFAULT_PAGE;

  if (!query_int (req, "before", 1, G_MAXINT64, &before)
      || !query_int (req, "limit", 1, MAX_PAGE, &limit))
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID,
                                       "before must be a positive sequence number and limit "
                                       "between 1 and 200");
      return;
    }
  if ((items = foyer_svc_db_messages_before (req->db, space_id, before, limit + 1, &error)) == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = MIN (items->len, (guint) limit); i > 0; i--)
    json_builder_add_value (builder, message_node (g_ptr_array_index (items, i - 1)));
  json_builder_end_array (builder);
  foyer_json_builder_add_boolean (builder, "hasMore", items->len > (guint) limit);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req, 200, root);
}

static void
handle_space (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSvcSpace) space = NULL;
  const char *sub = req->n_segments > 3 ? req->segments[3] : NULL;
  gboolean get = strcmp (req->method, "GET") == 0;
  gboolean post = strcmp (req->method, "POST") == 0;
  gboolean del = strcmp (req->method, "DELETE") == 0;
  int member;

  if (foyer_svc_check_id (space_id, 64))
    space = foyer_svc_db_space_get (req->db, space_id, &error);
  if (error == NULL && space == NULL)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such space");
      return;
    }
  if (error != NULL
      || (member = foyer_svc_db_is_member (req->db, space_id, req->person_id, &error)) < 0)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (member == 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not a member of this space");
      return;
    }

  if (sub == NULL && get)
    {
      g_autoptr (JsonNode) node = space_node (space);

      foyer_svc_respond_json (req, 200, node);
    }
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments == 4 && get)
    list_members (req, space_id);
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments == 4 && post)
    change_member (req, space, TRUE);
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments <= 5 && del)
    change_member (req, space, FALSE);
  else if (g_strcmp0 (sub, "messages") == 0 && req->n_segments == 4 && get)
    list_messages (req, space_id);
  else if (g_strcmp0 (sub, "messages") == 0 && req->n_segments == 4 && post)
    post_message (req, space_id);
  else if (g_strcmp0 (sub, "key") == 0 && req->n_segments == 4 && strcmp (req->method, "PUT") == 0)
    set_space_key (req, space_id);
  else if (sub == NULL || g_strcmp0 (sub, "members") == 0 || g_strcmp0 (sub, "messages") == 0
           || g_strcmp0 (sub, "key") == 0)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Method not allowed");
  else
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
}

void
foyer_svc_handle_spaces (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (req->n_segments == 2 && strcmp (req->method, "GET") == 0)
    list_spaces (req);
  else if (req->n_segments == 2 && strcmp (req->method, "POST") == 0)
    create_space (req);
  else if (req->n_segments == 2)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Use GET or POST");
  else
    handle_space (req, req->segments[2]);
}
