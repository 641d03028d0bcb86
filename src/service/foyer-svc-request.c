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

void
foyer_svc_request_set_session (SoupServerMessage *msg, const FoyerSvcClaims *claims)
{
  gint64 *expires = g_new (gint64, 1);

  *expires = claims->expires;
  g_object_set_data_full (G_OBJECT (msg), "foyer-session", g_strdup (claims->session_id), g_free);
  g_object_set_data_full (G_OBJECT (msg), "foyer-expires", expires, g_free);
}

const char *
foyer_svc_request_get_session (FoyerSvcRequest *req)
{
  return g_object_get_data (G_OBJECT (req->msg), "foyer-session");
}

/* The bearer token's checks (signature, claims, live session) are in
 * foyer-svc-auth.c; the person and the session go with the message, for
 * the log and for a WebSocket opened by this request. */
gboolean
foyer_svc_request_authenticate (FoyerSvcRequest *req, GError **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  FoyerSvcClaims claims = { 0 };

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                           "Send “Authorization: Bearer <token>” from POST /v1/sessions");
      return FALSE;
    }
  if (!foyer_svc_authenticate_token (req->svc, value + 7, &claims, error))
    return FALSE;
  foyer_svc_request_set_person (req->msg, claims.person_id);
  foyer_svc_request_set_session (req->msg, &claims);
  req->person_id = g_steal_pointer (&claims.person_id);
  foyer_svc_claims_clear (&claims);
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
