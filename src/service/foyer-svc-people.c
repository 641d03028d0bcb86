/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <openssl/crypto.h>
#include <string.h>

/* Sign-in guards: a few wrong passwords per address and account, then a
 * pause; and a bound on hashes in flight, so a flood of sign-ins cannot
 * take every core from the people already signed in. */
#define MAX_FAILURES     5
#define FAILURE_WINDOW   (5 * 60 * G_USEC_PER_SEC)
#define MAX_HASHING      8
#define MAX_FAILURE_KEYS 10000

typedef struct
{
  guint count;
  gint64 since;
} SignInFailures;

typedef struct
{
  FoyerSvc *svc;
  SoupServerMessage *msg;
  char *password;
  char *stored_hash;
  char *person_id;
  char *throttle_key;
  gboolean disabled;
} LoginData;

static void
login_data_free (LoginData *data)
{
  if (data->password != NULL)
    OPENSSL_cleanse (data->password, strlen (data->password));
  g_free (data->password);
  g_free (data->stored_hash);
  g_free (data->person_id);
  g_free (data->throttle_key);
  g_object_unref (data->msg);
  g_free (data);
}

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

static char *
throttle_key (SoupServerMessage *msg, const char *email)
{
  const char *host = soup_server_message_get_remote_host (msg);
  g_autofree char *folded = g_utf8_casefold (email, -1);

  return g_strdup_printf ("%s|%s", host != NULL ? host : "-", folded);
}

static gboolean
throttled (FoyerSvc *svc, const char *key)
{
  SignInFailures *failures = g_hash_table_lookup (svc->sign_in_failures, key);

  if (failures == NULL)
    return FALSE;
  if (g_get_monotonic_time () - failures->since > FAILURE_WINDOW)
    {
      g_hash_table_remove (svc->sign_in_failures, key);
      return FALSE;
    }
  return failures->count >= MAX_FAILURES;
}

static void
record_failure (FoyerSvc *svc, const char *key)
{
  SignInFailures *failures = g_hash_table_lookup (svc->sign_in_failures, key);

  if (failures == NULL)
    {
      /* Bounded memory: forget everything rather than grow without end. */
      if (g_hash_table_size (svc->sign_in_failures) >= MAX_FAILURE_KEYS)
        g_hash_table_remove_all (svc->sign_in_failures);
      failures = g_new0 (SignInFailures, 1);
      failures->since = g_get_monotonic_time ();
      g_hash_table_insert (svc->sign_in_failures, g_strdup (key), failures);
    }
  failures->count++;
}

static void
verify_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoginData *data = task_data;

  g_task_return_boolean (task, foyer_svc_password_verify (data->password, data->stored_hash));
}

static void
login_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoginData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *session = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  data->svc->n_pending--;
  data->svc->n_hashing--;
  if (!g_task_propagate_boolean (G_TASK (result), NULL) || data->person_id == NULL)
    {
      record_failure (data->svc, data->throttle_key);
      foyer_svc_respond_error_literal (data->msg, FOYER_SVC_ERROR_UNAUTHORIZED,
                                       "Wrong e-mail address or password");
      soup_server_message_unpause (data->msg);
      return;
    }
  /* Only the right password learns that the account is disabled. */
  if (data->disabled)
    {
      foyer_svc_respond_error_literal (data->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "This account is disabled; ask an administrator");
      soup_server_message_unpause (data->msg);
      return;
    }
  session
      = foyer_svc_session_create (data->svc, data->person_id, data->svc->token_lifetime, &error);
  if (session != NULL)
    token = foyer_svc_token_issue (data->svc->signing_key, data->person_id, session,
                                   data->svc->org_id, data->svc->token_lifetime, &error);
  if (token == NULL)
    {
      foyer_svc_respond_error (data->msg, error);
      soup_server_message_unpause (data->msg);
      return;
    }

  g_hash_table_remove (data->svc->sign_in_failures, data->throttle_key);
  foyer_svc_request_set_person (data->msg, data->person_id);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accessToken");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "expiresIn");
  json_builder_add_int_value (builder, data->svc->token_lifetime);
  json_builder_set_member_name (builder, "person");
  json_builder_add_value (builder, foyer_svc_person_json (data->svc, data->person_id));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (data->msg, 201, root);
  soup_server_message_unpause (data->msg);
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

/* POST /v1/sessions: the password hash is slow on purpose, so it runs in
 * a worker thread and the main loop keeps serving everyone else. */
void
foyer_svc_handle_sessions (FoyerSvcRequest *req)
{
  static const FoyerSvcField fields[] = {
    { "email", FIELD_STRING, TRUE, 320 },
    { "password", FIELD_STRING, TRUE, 1024 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GTask) task = NULL;
  g_autofree char *key = NULL;
  JsonObject *object;
  LoginData *data;

  if (req->n_segments == 3 && strcmp (req->segments[2], "current") == 0)
    {
      sign_out (req);
      return;
    }
  if (req->n_segments != 2 || strcmp (req->method, "POST") != 0)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Use POST /v1/sessions");
      return;
    }
  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }

  key = throttle_key (req->msg, json_object_get_string_member (object, "email"));
  if (throttled (req->svc, key))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Retry-After", "300");
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_TOO_MANY,
                                       "Too many wrong passwords; try again in a few minutes");
      return;
    }
  if (req->svc->n_hashing >= MAX_HASHING)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Retry-After", "1");
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_BUSY,
                                       "Too many sign-ins at once; try again in a moment");
      return;
    }

  data = g_new0 (LoginData, 1);
  data->svc = req->svc;
  data->throttle_key = g_steal_pointer (&key);
  data->msg = g_object_ref (req->msg);
  data->password = g_strdup (json_object_get_string_member (object, "password"));
  stmt = foyer_svc_store_prepare (
      req->svc->db,
      "SELECT id, password_hash, disabled FROM persons WHERE email = ? AND removed = 0", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, json_object_get_string_member (object, "email"), -1,
                         SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          data->person_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          data->stored_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          data->disabled = sqlite3_column_int (stmt, 2) != 0;
        }
    }

  req->svc->n_pending++;
  req->svc->n_hashing++;
  soup_server_message_pause (req->msg);
  task = g_task_new (NULL, NULL, login_done_cb, NULL);
  g_task_set_source_tag (task, foyer_svc_handle_sessions);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, verify_thread);
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
