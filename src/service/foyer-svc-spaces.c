/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

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

gboolean
foyer_svc_is_member (FoyerSvc *svc, const char *space_id, const char *person_id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "SELECT 1 FROM members WHERE space_id = ? AND person_id = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static JsonNode *
space_json (FoyerSvc *svc, const char *space_id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db,
      "SELECT id, title, kms_resource_uri, creator_id, created, last_seq, key_uri, rekey_since"
      " FROM spaces WHERE id = ?",
      NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *created = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  created = foyer_svc_timestamp (sqlite3_column_int64 (stmt, 4));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
  json_builder_set_member_name (builder, "kmsResourceUri");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
  json_builder_set_member_name (builder, "creatorId");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "lastSeq");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 5));
  json_builder_set_member_name (builder, "keyUri");
  if (sqlite3_column_type (stmt, 6) == SQLITE_NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 6));
  json_builder_set_member_name (builder, "keyRotationNeeded");
  json_builder_add_boolean_value (builder, sqlite3_column_type (stmt, 7) != SQLITE_NULL);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
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
add_member_row (FoyerSvc *svc,
                const char *space_id,
                const char *person_id,
                const char *added_by,
                GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "INSERT INTO members (space_id, person_id, added_by, created) VALUES (?, ?, ?, ?)",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, added_by, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now_ms ());
  return foyer_svc_store_step_done (svc->db, stmt, error);
}

static gboolean
insert_space (FoyerSvc *svc,
              const char *id,
              const char *title,
              const char *resource,
              const char *creator,
              GError **error)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db,
                                 "INSERT INTO spaces (id, title, kms_resource_uri, creator_id, "
                                 "created) VALUES (?, ?, ?, ?, ?)",
                                 error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, title, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, resource, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, creator, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, now_ms ());
  if (!foyer_svc_store_step_done (svc->db, stmt, error))
    {
      if (g_error_matches (*error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT))
        {
          g_clear_error (error);
          g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT,
                               "This KMS resource already belongs to another space");
        }
      return FALSE;
    }
  return TRUE;
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
  FoyerSvc *svc = req->svc;

  if (!(body = foyer_svc_request_body (req, &error))
      || !foyer_svc_parse_space_input (body, &title, &resource, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  /* A co-located KMS can check that the creator may use the resource it
   * binds to the space, since members will then get its keys. */
  if (!foyer_svc_kms_resource_allows (svc, resource, req->person_id, &local) && local)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not authorized on this KMS resource");
      return;
    }

  if (!foyer_svc_begin (svc, &error)
      || !insert_space (svc, id, title, resource, req->person_id, &error)
      || !add_member_row (svc, id, req->person_id, req->person_id, &error)
      || !(space = space_json (svc, id))
      || !foyer_svc_event_emit (svc, "space.created", id, NULL,
                                wrap_member ("space", json_node_copy (space)), &error)
      || !foyer_svc_commit (svc, &error))
    {
      foyer_svc_rollback (svc);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  foyer_svc_respond_json (req->msg, 201, space);
}

static void
list_spaces (FoyerSvcRequest *req)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      req->svc->db,
      "SELECT s.id FROM spaces s JOIN members m ON m.space_id = s.id WHERE m.person_id = ?"
      " ORDER BY s.created, s.id",
      NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  sqlite3_bind_text (stmt, 1, req->person_id, -1, SQLITE_STATIC);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonNode *space = space_json (req->svc, (const char *) sqlite3_column_text (stmt, 0));

      if (space != NULL)
        json_builder_add_value (builder, space);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req->msg, 200, root);
}

static void
list_members (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      req->svc->db,
      "SELECT p.id, p.email, p.name, m.added_by, m.created FROM members m"
      " JOIN persons p ON p.id = m.person_id WHERE m.space_id = ? ORDER BY m.created, p.id",
      NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autofree char *created = foyer_svc_timestamp (sqlite3_column_int64 (stmt, 4));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "personId");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (builder, "addedBy");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
      json_builder_set_member_name (builder, "created");
      json_builder_add_string_value (builder, created);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req->msg, 200, root);
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

static const char *
space_resource (FoyerSvc *svc, const char *space_id, char **out)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db, "SELECT kms_resource_uri FROM spaces WHERE id = ?", NULL);

  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  *out = sqlite3_step (stmt) == SQLITE_ROW ? g_strdup ((const char *) sqlite3_column_text (stmt, 0))
                                           : NULL;
  return *out;
}

/* The removed person may hold every key of the space made so far: from
 * now on, messages must be sealed with a key made after this moment. */
static gboolean
mark_rekey (FoyerSvc *svc, const char *space_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db, "UPDATE spaces SET rekey_since = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now_ms ());
  sqlite3_bind_text (stmt, 2, space_id, -1, SQLITE_STATIC);
  return foyer_svc_store_step_done (svc->db, stmt, error);
}

/* Inside the caller's transaction: the person leaves the space, every
 * member (the person too) hears of it, and the space needs a new key. */
gboolean
foyer_svc_member_remove (FoyerSvc *svc, const char *space_id, const char *person_id, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "DELETE FROM members WHERE space_id = ? AND person_id = ?", error);
  g_autoptr (JsonNode) extra = json_node_new (JSON_NODE_OBJECT);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  if (!foyer_svc_store_step_done (svc->db, stmt, error))
    return FALSE;
  json_node_take_object (extra, json_object_new ());
  json_object_set_string_member (json_node_get_object (extra), "personId", person_id);
  return mark_rekey (svc, space_id, error)
         && foyer_svc_event_emit (svc, "member.removed", space_id, person_id,
                                  g_steal_pointer (&extra), error);
}

static void
change_member (FoyerSvcRequest *req, const char *space_id, gboolean add)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *person = member_target (req, &error);
  g_autofree char *resource = NULL;
  g_autoptr (JsonNode) extra = NULL;
  FoyerSvc *svc = req->svc;
  gboolean is_member;

  if (person == NULL)
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (!foyer_svc_check_id (person, 64) || !foyer_svc_person_exists (svc, person))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
      return;
    }
  is_member = foyer_svc_is_member (svc, space_id, person);
  if (add == is_member)
    {
      foyer_svc_respond_error_literal (req->msg,
                                       add ? FOYER_SVC_ERROR_CONFLICT : FOYER_SVC_ERROR_NOT_FOUND,
                                       add ? "Already a member" : "Not a member");
      return;
    }

  space_resource (svc, space_id, &resource);
  extra = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (extra, json_object_new ());
  json_object_set_string_member (json_node_get_object (extra), "personId", person);
  if (add)
    json_object_set_member (json_node_get_object (extra), "space", space_json (svc, space_id));

  if (!foyer_svc_begin (svc, &error)
      || !(add ? add_member_row (svc, space_id, person, req->person_id, &error)
                     && foyer_svc_event_emit (svc, "member.added", space_id, person,
                                              json_node_ref (extra), &error)
               : foyer_svc_member_remove (svc, space_id, person, &error))
      || !foyer_svc_commit (svc, &error))
    {
      foyer_svc_rollback (svc);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  /* Keep a co-located KMS's own list in step; membership decides anyway. */
  if (resource != NULL)
    foyer_svc_kms_authorize_local (svc, resource, person, add, NULL);

  if (add)
    foyer_svc_respond_json (req->msg, 201, extra);
  else
    soup_server_message_set_status (req->msg, 204, NULL);
}

static JsonNode *
message_from_row (sqlite3_stmt *stmt)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *created = foyer_svc_timestamp (sqlite3_column_int64 (stmt, 8));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
  json_builder_set_member_name (builder, "spaceId");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 2));
  json_builder_set_member_name (builder, "authorId");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 3));
  json_builder_set_member_name (builder, "clientMessageId");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 4));
  json_builder_set_member_name (builder, "keyUri");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 5));
  json_builder_set_member_name (builder, "body");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 6));
  json_builder_set_member_name (builder, "attachments");
  if (json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 7), -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

#define MESSAGE_COLUMNS                                                                            \
  "id, space_id, seq, author_id, client_message_id, key_uri, body, attachments, created"

static JsonNode *
find_message (FoyerSvc *svc, const char *sql, const char *a, const char *b, const char *c)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (svc->db, sql, NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, a, -1, SQLITE_STATIC);
  if (b != NULL)
    sqlite3_bind_text (stmt, 2, b, -1, SQLITE_STATIC);
  if (c != NULL)
    sqlite3_bind_text (stmt, 3, c, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return message_from_row (stmt);
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
      json_builder_set_member_name (builder, "kind");
      json_builder_add_string_value (builder, "document");
      json_builder_set_member_name (builder, "ref");
      json_builder_add_string_value (builder, g_ptr_array_index (refs, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
insert_message (FoyerSvc *svc,
                const char *id,
                const char *space_id,
                const char *author,
                FoyerSvcMessageInput *input,
                GError **error)
{
  g_autoptr (sqlite3_stmt) bump = foyer_svc_store_prepare (
      svc->db, "UPDATE spaces SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq", error);
  g_autoptr (sqlite3_stmt) insert = NULL;
  g_autofree char *attachments = attachments_text (input->attachments);
  gint64 seq;

  if (bump == NULL)
    return FALSE;
  sqlite3_bind_text (bump, 1, space_id, -1, SQLITE_STATIC);
  if (sqlite3_step (bump) != SQLITE_ROW)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_NOT_FOUND, "No such space");
      return FALSE;
    }
  seq = sqlite3_column_int64 (bump, 0);

  insert = foyer_svc_store_prepare (
      svc->db, "INSERT INTO messages (" MESSAGE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 3, seq);
  sqlite3_bind_text (insert, 4, author, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, input->client_message_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 6, input->key_uri, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 7, input->body, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 8, attachments, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 9, now_ms ());
  return foyer_svc_store_step_done (svc->db, insert, error);
}

static JsonNode *
post_reply (JsonNode *message)
{
  JsonObject *m = json_node_get_object (message);
  JsonObject *reply = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (reply, "id", json_object_get_string_member (m, "id"));
  json_object_set_int_member (reply, "seq", json_object_get_int_member (m, "seq"));
  json_object_set_string_member (reply, "created", json_object_get_string_member (m, "created"));
  json_object_set_string_member (reply, "authorId", json_object_get_string_member (m, "authorId"));
  json_node_take_object (node, reply);
  return node;
}

static gboolean
update_space_key (FoyerSvc *svc, const char *space_id, const char *key_uri, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "UPDATE spaces SET key_uri = ?, rekey_since = NULL WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key_uri, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, space_id, -1, SQLITE_STATIC);
  return foyer_svc_store_step_done (svc->db, stmt, error);
}

/* After a member left, messages must wait for a new key; after a new key,
 * they must use it (a client still on the old one re-encrypts). */
static gboolean
key_is_current (FoyerSvc *svc, const char *space_id, const char *key_uri, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "SELECT key_uri, rekey_since FROM spaces WHERE id = ?", error);
  const char *current;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return TRUE;
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                           "A member left this space: seal messages with a new key of the space "
                           "(PUT /v1/spaces/<id>/key)");
      return FALSE;
    }
  current = (const char *) sqlite3_column_text (stmt, 0);
  if (current != NULL && strcmp (current, key_uri) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                   "This space's messages are now sealed with %s", current);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_key_uri (const char *uri)
{
  const char *slash
      = uri != NULL && g_str_has_prefix (uri, "kms://") ? strchr (uri + 6, '/') : NULL;

  return slash != NULL && slash > uri + 6 && g_str_has_prefix (slash, "/keys/")
         && foyer_svc_check_id (slash + 6, 128) && strlen (uri) <= 512;
}

static gboolean
space_key_row (FoyerSvc *svc,
               const char *space_id,
               char **out_resource,
               char **out_key,
               gint64 *out_rekey_since)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "SELECT kms_resource_uri, key_uri, rekey_since FROM spaces WHERE id = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  *out_resource = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *out_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  *out_rekey_since
      = sqlite3_column_type (stmt, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/* Checks what the new key may be: with a co-located KMS, a key of the
 * space's resource made after the last member left (earlier keys may have
 * been fetched by that member). A separate KMS cannot be asked. */
static gboolean
check_new_key (
    FoyerSvc *svc, const char *key_uri, const char *resource, gint64 rekey_since, GError **error)
{
  gint64 created = 0;
  gboolean local = FALSE;
  gboolean found = foyer_svc_kms_key_created_on (svc, key_uri, resource, &created, &local);

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
  g_autoptr (JsonNode) space = NULL;
  g_autoptr (JsonNode) extra = NULL;
  g_autofree char *resource = NULL;
  g_autofree char *current = NULL;
  gint64 rekey_since = -1;
  const char *key_uri, *replaces;
  JsonObject *object;
  FoyerSvc *svc = req->svc;

  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  key_uri = json_object_get_string_member (object, "keyUri");
  replaces = json_object_get_string_member_with_default (object, "replaces", NULL);
  if (!is_key_uri (key_uri))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID,
                                       "keyUri must be a kms://…/keys/<id> URI");
      return;
    }
  if (!foyer_svc_begin (svc, &error)
      || !space_key_row (svc, space_id, &resource, &current, &rekey_since))
    {
      foyer_svc_rollback (svc);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (rekey_since < 0 && g_strcmp0 (current, key_uri) == 0)
    {
      foyer_svc_rollback (svc);
      space = space_json (svc, space_id);
      foyer_svc_respond_json (req->msg, 200, space);
      return;
    }
  if (current != NULL && replaces != NULL && strcmp (current, replaces) != 0)
    {
      g_set_error (&error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                   "Another member gave this space a new key first: %s", current);
      foyer_svc_rollback (svc);
      foyer_svc_respond_error (req->msg, error);
      return;
    }

  extra = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (extra, json_object_new ());
  json_object_set_string_member (json_node_get_object (extra), "keyUri", key_uri);
  if (!check_new_key (svc, key_uri, resource, rekey_since, &error)
      || !update_space_key (svc, space_id, key_uri, &error)
      || !foyer_svc_event_emit (svc, "space.key-rotated", space_id, NULL, json_node_ref (extra),
                                &error)
      || !(space = space_json (svc, space_id)) || !foyer_svc_commit (svc, &error))
    {
      foyer_svc_rollback (svc);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  foyer_svc_respond_json (req->msg, 200, space);
}

static void
post_message (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) message = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  FoyerSvcMessageInput input = { 0 };
  FoyerSvc *svc = req->svc;
  const char *by_client = "SELECT " MESSAGE_COLUMNS " FROM messages"
                          " WHERE space_id = ? AND author_id = ? AND client_message_id = ?";

  if (!(body = foyer_svc_request_body (req, &error))
      || !foyer_svc_parse_message_input (body, &input, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }

  /* A retried post answers with the message the first attempt stored. */
  message = find_message (svc, by_client, space_id, req->person_id, input.client_message_id);
  if (message != NULL)
    {
      reply = post_reply (message);
      foyer_svc_message_input_clear (&input);
      foyer_svc_respond_json (req->msg, 200, reply);
      return;
    }

  if (!foyer_svc_begin (svc, &error) || !key_is_current (svc, space_id, input.key_uri, &error)
      || !insert_message (svc, id, space_id, req->person_id, &input, &error)
      || !(message = find_message (svc, "SELECT " MESSAGE_COLUMNS " FROM messages WHERE id = ?", id,
                                   NULL, NULL))
      || !foyer_svc_event_emit (svc, "message.created", space_id, NULL,
                                wrap_member ("message", json_node_copy (message)), &error)
      || !foyer_svc_commit (svc, &error))
    {
      foyer_svc_rollback (svc);
      foyer_svc_message_input_clear (&input);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  foyer_svc_message_input_clear (&input);
  reply = post_reply (message);
  foyer_svc_respond_json (req->msg, 201, reply);
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
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gint64 before = G_MAXINT64, limit = DEFAULT_PAGE;

  if (!query_int (req, "before", 1, G_MAXINT64, &before)
      || !query_int (req, "limit", 1, MAX_PAGE, &limit))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID,
                                       "before must be a positive sequence number and limit "
                                       "between 1 and 200");
      return;
    }
  stmt = foyer_svc_store_prepare (req->svc->db,
                                  "SELECT " MESSAGE_COLUMNS " FROM messages"
                                  " WHERE space_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                                  NULL);
  sqlite3_bind_text (stmt, 1, space_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, before);
  sqlite3_bind_int64 (stmt, 3, limit + 1);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (items, message_from_row (stmt));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = MIN (items->len, (guint) limit); i > 0; i--)
    json_builder_add_value (builder, json_node_ref (g_ptr_array_index (items, i - 1)));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "hasMore");
  json_builder_add_boolean_value (builder, items->len > (guint) limit);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req->msg, 200, root);
}

static void
handle_space (FoyerSvcRequest *req, const char *space_id)
{
  g_autoptr (JsonNode) space = NULL;
  const char *sub = req->n_segments > 3 ? req->segments[3] : NULL;
  gboolean get = strcmp (req->method, "GET") == 0;
  gboolean post = strcmp (req->method, "POST") == 0;
  gboolean del = strcmp (req->method, "DELETE") == 0;

  if (!foyer_svc_check_id (space_id, 64) || !(space = space_json (req->svc, space_id)))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such space");
      return;
    }
  if (!foyer_svc_is_member (req->svc, space_id, req->person_id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not a member of this space");
      return;
    }

  if (sub == NULL && get)
    foyer_svc_respond_json (req->msg, 200, space);
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments == 4 && get)
    list_members (req, space_id);
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments == 4 && post)
    change_member (req, space_id, TRUE);
  else if (g_strcmp0 (sub, "members") == 0 && req->n_segments <= 5 && del)
    change_member (req, space_id, FALSE);
  else if (g_strcmp0 (sub, "messages") == 0 && req->n_segments == 4 && get)
    list_messages (req, space_id);
  else if (g_strcmp0 (sub, "messages") == 0 && req->n_segments == 4 && post)
    post_message (req, space_id);
  else if (g_strcmp0 (sub, "key") == 0 && req->n_segments == 4 && strcmp (req->method, "PUT") == 0)
    set_space_key (req, space_id);
  else if (sub == NULL || g_strcmp0 (sub, "members") == 0 || g_strcmp0 (sub, "messages") == 0
           || g_strcmp0 (sub, "key") == 0)
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Method not allowed");
  else
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
}

void
foyer_svc_handle_spaces (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (req->n_segments == 2 && strcmp (req->method, "GET") == 0)
    list_spaces (req);
  else if (req->n_segments == 2 && strcmp (req->method, "POST") == 0)
    create_space (req);
  else if (req->n_segments == 2)
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Use GET or POST");
  else
    handle_space (req, req->segments[2]);
}
