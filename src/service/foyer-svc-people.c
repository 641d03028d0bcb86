/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-json.h"

#include <openssl/crypto.h>
#include <string.h>

static JsonNode *
person_node (gconstpointer row)
{
  const FoyerSvcPerson *person = row;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "id", person->id);
  foyer_json_builder_add_string (builder, "email", person->email);
  foyer_json_builder_add_string (builder, "name", person->name);
  foyer_json_builder_add_boolean (builder, "isAdmin", person->is_admin);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* NULL without error for nobody. */
JsonNode *
foyer_svc_person_json (FoyerSvcDb *db, const char *person_id, GError **error)
{
  g_autoptr (FoyerSvcPerson) person = foyer_svc_db_person_get (db, person_id, error);

  return person != NULL ? person_node (person) : NULL;
}

/* 1 live person, 0 none (or removed), -1 error in the reply. */
static int
person_exists (FoyerSvcRequest *req, const char *person_id, gboolean *out_admin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSvcPerson) person = foyer_svc_db_person_get (req->db, person_id, &error);

  if (error != NULL)
    {
      foyer_svc_respond_error (req, error);
      return -1;
    }
  if (out_admin != NULL)
    *out_admin = person != NULL && person->is_admin;
  return person != NULL && !person->removed;
}

/* Whether the caller is an administrator; if not (or the lookup failed),
 * the reply is sent, 403 with forbidden. */
static gboolean
caller_is_admin (FoyerSvcRequest *req, const char *forbidden)
{
  gboolean admin = FALSE;

  if (person_exists (req, req->person_id, &admin) < 0)
    return FALSE;
  if (!admin)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_FORBIDDEN, forbidden);
  return admin;
}

/* Ends sessions; their WebSockets (on every node) are closed once this
 * is committed. */
static gboolean
end_sessions (FoyerSvcRequest *req, const char *session_id, const char *person_id, GError **error)
{
  FoyerSvcDb *db = req->db;

  if (!foyer_svc_begin (db, error))
    return FALSE;
  if (foyer_svc_db_sessions_revoke (db, session_id, person_id, error) < 0
      || !foyer_svc_db_announce_sessions_ended (db, session_id, person_id, error)
      || !foyer_svc_commit (db, error))
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  foyer_svc_request_end_sessions (req, session_id, person_id,
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
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD,
                                       "Use DELETE /v1/sessions/current");
      return;
    }
  if (!foyer_svc_request_authenticate (req, &error)
      || !end_sessions (req, req->session_id, NULL, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_respond_status (req, 204);
}

/* DELETE /v1/people/<id>/sessions: an administrator signs a person out
 * everywhere (a lost laptop, a leaving employee). */
static void
sign_out_everywhere (FoyerSvcRequest *req, const char *person_id)
{
  g_autoptr (GError) error = NULL;
  int exists;

  if (strcmp (req->method, "DELETE") != 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD,
                                       "Use DELETE /v1/people/<id>/sessions");
      return;
    }
  if (!caller_is_admin (req, "Only an administrator can sign someone else out"))
    return;
  if (!foyer_svc_check_id (person_id, 64) || (exists = person_exists (req, person_id, NULL)) == 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
      return;
    }
  if (exists < 0)
    return;
  if (!end_sessions (req, NULL, person_id, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_respond_status (req, 204);
}

/* DELETE /v1/sessions/current signs out; POST /v1/sessions (signing in)
 * is taken on the main loop (foyer-svc-sign-in.c). */
void
foyer_svc_handle_sessions (FoyerSvcRequest *req)
{
  if (req->n_segments == 3 && strcmp (req->segments[2], "current") == 0)
    sign_out (req);
  else
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Use POST /v1/sessions");
}

static void
respond_people (FoyerSvcRequest *req, const char *email)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) people = foyer_svc_db_people_by_email (req->db, email, &error);

  foyer_svc_respond_list (req, people, person_node, error);
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
      foyer_svc_respond_error (req, error);
      return;
    }
  if (req->n_segments == 4 && strcmp (req->segments[3], "sessions") == 0)
    {
      sign_out_everywhere (req, req->segments[2]);
      return;
    }
  if (strcmp (req->method, "GET") != 0 || req->n_segments > 3)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Only GET is allowed");
      return;
    }
  if (req->n_segments == 2)
    {
      email = req->query != NULL ? g_hash_table_lookup (req->query, "email") : NULL;
      if (email == NULL || *email == '\0' || strlen (email) > 320)
        foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID, "Give ?email=<address>");
      else
        respond_people (req, email);
      return;
    }

  person = foyer_svc_person_json (
      req->db, strcmp (req->segments[2], "me") == 0 ? req->person_id : req->segments[2], &error);
  if (person == NULL)
    foyer_svc_respond_error_or (req, error, FOYER_SVC_ERROR_NOT_FOUND, "No such person");
  else
    foyer_svc_respond_json (req, 200, person);
}

JsonNode *
foyer_svc_org_settings_load (FoyerSvcDb *db, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = foyer_svc_db_meta_get (db, "org_settings", &local);
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();

  if (local != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  if (text == NULL || !json_parser_load_from_data (parser, text, -1, NULL))
    return foyer_svc_org_settings_default ();
  return json_node_copy (json_parser_get_root (parser));
}

gboolean
foyer_svc_org_settings_store (FoyerSvcDb *db, JsonNode *settings, GError **error)
{
  g_autofree char *text = json_to_string (settings, FALSE);

  if (!foyer_svc_begin (db, error))
    return FALSE;
  if (!foyer_svc_db_meta_set (db, "org_settings", text, error) || !foyer_svc_commit (db, error))
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  return TRUE;
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
      foyer_svc_respond_error (req, error);
      return;
    }
  if (req->n_segments != 3 || strcmp (req->segments[2], "settings") != 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
      return;
    }
  if (strcmp (req->method, "GET") == 0)
    {
      if ((settings = foyer_svc_org_settings_load (req->db, &error)) == NULL)
        foyer_svc_respond_error (req, error);
      else
        foyer_svc_respond_json (req, 200, settings);
      return;
    }
  if (strcmp (req->method, "PUT") != 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Use GET or PUT");
      return;
    }
  if (!caller_is_admin (req, "Only an administrator can change organization settings"))
    return;
  if (!(body = foyer_svc_request_body (req, &error))
      || !(settings = foyer_svc_org_settings_validate (body, &error))
      || !foyer_svc_org_settings_store (req->db, settings, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_respond_json (req, 200, settings);
}
