/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What handlers read from a request: the person its bearer token names
 * and its JSON body.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

void
foyer_svc_request_set_person (SoupServerMessage *msg, const char *person_id)
{
  g_object_set_data_full (G_OBJECT (msg), "foyer-person", g_strdup (person_id), g_free);
}

gboolean
foyer_svc_request_authenticate (FoyerSvcRequest *req, GError **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *org = NULL;
  g_autofree char *person = NULL;

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                           "Send “Authorization: Bearer <token>” from POST /v1/sessions");
      return FALSE;
    }
  person = foyer_svc_token_verify (req->svc->verify_key, value + 7, &org, error);
  if (person == NULL)
    return FALSE;
  if (req->svc->org_id != NULL && g_strcmp0 (org, req->svc->org_id) != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                           "The token belongs to another organization");
      return FALSE;
    }
  if (req->svc->db != NULL && !foyer_svc_person_exists (req->svc, person))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                           "The account of this token no longer exists");
      return FALSE;
    }
  foyer_svc_request_set_person (req->msg, person);
  req->person_id = g_steal_pointer (&person);
  return TRUE;
}

JsonNode *
foyer_svc_request_body (FoyerSvcRequest *req, GError **error)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr (GBytes) bytes = NULL;
  gsize len = 0;
  const char *data;

  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_MEDIA_TYPE,
                           "The body must be application/json");
      return NULL;
    }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  return foyer_svc_json_parse (data, len, error);
}
