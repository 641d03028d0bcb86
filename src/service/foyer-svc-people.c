/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <openssl/crypto.h>
#include <string.h>

gboolean
foyer_svc_person_exists (FoyerSvc *svc, const char *person_id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "SELECT 1 FROM persons WHERE id = ? AND removed = 0", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static JsonNode *
person_from_row (sqlite3_stmt *stmt)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 1));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
  json_builder_set_member_name (builder, "isAdmin");
  json_builder_add_boolean_value (builder, sqlite3_column_int (stmt, 3) != 0);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
foyer_svc_person_json (FoyerSvc *svc, const char *person_id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->db, "SELECT id, email, name, is_admin FROM persons WHERE id = ?", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return person_from_row (stmt);
}

gboolean
foyer_svc_person_is_admin (FoyerSvc *svc, const char *person_id)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->db, "SELECT is_admin FROM persons WHERE id = ?", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, person_id, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

/* Ends sessions and says so to their WebSockets, which are closed. */
static gboolean
end_sessions (FoyerSvc *svc, const char *session_id, const char *person_id, GError **error)
{
  if (foyer_svc_sessions_revoke (svc->db, session_id, person_id, error) < 0)
    return FALSE;
  foyer_svc_tokens_forget (svc, session_id, person_id);
  foyer_svc_events_close_sessions (svc, session_id, person_id,
                                   session_id != NULL ? "Signed out"
                                                      : "Signed out by an administrator");
  return TRUE;
}

/* DELETE /v1/sessions/current: sign out. The token is refused from now
 * on and the session's WebSockets are closed. */
static void
sign_out (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;

  if (strcmp (req->method, "DELETE") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD,
                                       "Use DELETE /v1/sessions/current");
      return;
    }
  if (!foyer_svc_request_authenticate (req, &error)
      || !end_sessions (req->svc, foyer_svc_request_get_session (req), NULL, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  soup_server_message_set_status (req->msg, 204, NULL);
}

/* DELETE /v1/people/<id>/sessions: an administrator signs a person out
 * everywhere (a lost laptop, a leaving employee). */
static void
sign_out_everywhere (FoyerSvcRequest *req, const char *person_id)
{
  g_autoptr (GError) error = NULL;

  if (strcmp (req->method, "DELETE") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD,
                                       "Use DELETE /v1/people/<id>/sessions");
      return;
    }
  if (!foyer_svc_person_is_admin (req->svc, req->person_id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "Only an administrator can sign someone else out");
      return;
    }
  if (!foyer_svc_check_id (person_id, 64) || !foyer_svc_person_exists (req->svc, person_id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
      return;
    }
  if (!end_sessions (req->svc, NULL, person_id, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  soup_server_message_set_status (req->msg, 204, NULL);
}

/* POST /v1/sessions signs in (foyer-svc-sign-in.c);
 * DELETE /v1/sessions/current signs out. */
void
foyer_svc_handle_sessions (FoyerSvcRequest *req)
{
  if (req->n_segments == 3 && strcmp (req->segments[2], "current") == 0)
    sign_out (req);
  else if (req->n_segments == 2 && strcmp (req->method, "POST") == 0)
    foyer_svc_sign_in (req);
  else
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Use POST /v1/sessions");
}

static void
respond_people (FoyerSvcRequest *req, const char *email)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  stmt = foyer_svc_store_prepare (
      req->svc->db, "SELECT id, email, name, is_admin FROM persons WHERE email = ?", NULL);
  if (stmt == NULL)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INTERNAL, "Database error");
      return;
    }
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_builder_add_value (builder, person_from_row (stmt));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req->msg, 200, root);
}

/* GET /v1/people/me, GET /v1/people?email=, GET /v1/people/<id> */
void
foyer_svc_handle_people (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) person = NULL;
  const char *email;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (req->n_segments == 4 && strcmp (req->segments[3], "sessions") == 0)
    {
      sign_out_everywhere (req, req->segments[2]);
      return;
    }
  if (strcmp (req->method, "GET") != 0 || req->n_segments > 3)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Only GET is allowed");
      return;
    }
  if (req->n_segments == 2)
    {
      email = req->query != NULL ? g_hash_table_lookup (req->query, "email") : NULL;
      if (email == NULL || *email == '\0' || strlen (email) > 320)
        foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID,
                                         "Give ?email=<address>");
      else
        respond_people (req, email);
      return;
    }

  person = foyer_svc_person_json (
      req->svc, strcmp (req->segments[2], "me") == 0 ? req->person_id : req->segments[2]);
  if (person == NULL)
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
  else
    foyer_svc_respond_json (req->msg, 200, person);
}

JsonNode *
foyer_svc_org_settings_load (sqlite3 *db)
{
  g_autofree char *text = foyer_svc_store_get_meta (db, "org_settings");
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();

  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return foyer_svc_org_settings_default ();
  return json_node_copy (json_parser_get_root (parser));
}

gboolean
foyer_svc_org_settings_store (sqlite3 *db, JsonNode *settings, GError **error)
{
  g_autofree char *text = json_to_string (settings, FALSE);

  return foyer_svc_store_set_meta (db, "org_settings", text, error);
}

/* GET /v1/org/settings for everyone, PUT for administrators only. */
void
foyer_svc_handle_org (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) settings = NULL;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (req->n_segments != 3 || strcmp (req->segments[2], "settings") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
      return;
    }
  if (strcmp (req->method, "GET") == 0)
    {
      settings = foyer_svc_org_settings_load (req->svc->db);
      foyer_svc_respond_json (req->msg, 200, settings);
      return;
    }
  if (strcmp (req->method, "PUT") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Use GET or PUT");
      return;
    }
  if (!foyer_svc_person_is_admin (req->svc, req->person_id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "Only an administrator can change organization settings");
      return;
    }
  if (!(body = foyer_svc_request_body (req, &error))
      || !(settings = foyer_svc_org_settings_validate (body, &error))
      || !foyer_svc_org_settings_store (req->svc->db, settings, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  foyer_svc_respond_json (req->msg, 200, settings);
}
