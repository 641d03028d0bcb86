/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A request as handlers see it: what the message said (copied on the main
 * loop, so that a handler may run on a worker thread), who sent it (its
 * bearer token), and its reply, put on the message once what it wrote is
 * durable.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <string.h>

/* Marks a message whose request is done (its reply set). */
#define DONE_KEY "foyer-done"

typedef struct
{
  char *session_id;
  char *person_id;
  char *reason;
} Ended;

static void
ended_free (Ended *ended)
{
  g_free (ended->session_id);
  g_free (ended->person_id);
  g_free (ended->reason);
  g_free (ended);
}

/* The client's address; an IPv6 client is known by its /64, which is what
 * one customer usually gets. */
static char *
peer_address (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);
  g_autoptr (GInetAddress) address = host != NULL ? g_inet_address_new_from_string (host) : NULL;
  const guint8 *bytes;

  if (address == NULL)
    return g_strdup (host != NULL ? host : "-");
  if (g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return g_inet_address_to_string (address);
  bytes = g_inet_address_to_bytes (address);
  return g_strdup_printf ("%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", bytes[0], bytes[1], bytes[2],
                          bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
}

FoyerSvcRequest *
foyer_svc_request_new (FoyerSvc *svc, SoupServerMessage *msg, const char *path, GHashTable *query)
{
  FoyerSvcRequest *req = g_new0 (FoyerSvcRequest, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  req->svc = svc;
  req->msg = g_object_ref (msg);
  g_object_set_data (G_OBJECT (msg), DONE_KEY, NULL);
  req->method = g_strdup (soup_server_message_get_method (msg));
  req->segments = g_strsplit (path[0] == '/' ? path + 1 : path, "/", 8);
  req->n_segments = g_strv_length (req->segments);
  req->query = query != NULL ? g_hash_table_ref (query) : NULL;
  req->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  req->content_type = g_strdup (type);
  req->key_wrap = g_strdup (soup_message_headers_get_one (headers, "Foyer-Key-Wrap"));
  req->upgrade = soup_message_headers_header_contains (headers, "Upgrade", "websocket");
  req->address = peer_address (msg);
  if (body != NULL && body->length > 0)
    req->body = soup_message_body_flatten (body);
  /* Requests about one space run in the order of its id in a batch. */
  req->order_key = g_strdup (req->n_segments > 2 && strcmp (req->segments[0], "v1") == 0
                                     && strcmp (req->segments[1], "spaces") == 0
                                 ? req->segments[2]
                                 : "");
  return req;
}

void
foyer_svc_request_free (FoyerSvcRequest *req)
{
  if (req == NULL)
    return;
  g_clear_object (&req->msg);
  g_free (req->method);
  g_strfreev (req->segments);
  g_clear_pointer (&req->query, g_hash_table_unref);
  g_free (req->authorization);
  g_free (req->content_type);
  g_free (req->key_wrap);
  g_free (req->address);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req->person_id);
  g_free (req->session_id);
  g_free (req->reply);
  g_free (req->retry_after);
  g_clear_pointer (&req->ended, g_ptr_array_unref);
  g_free (req->order_key);
  g_free (req);
}

/* Remembered for after the commit: the WebSockets of these sessions are
 * closed then, and the verified tokens forgotten. */
void
foyer_svc_request_end_sessions (FoyerSvcRequest *req,
                                const char *session_id,
                                const char *person_id,
                                const char *reason)
{
  Ended *ended = g_new0 (Ended, 1);

  ended->session_id = g_strdup (session_id);
  ended->person_id = g_strdup (person_id);
  ended->reason = g_strdup (reason);
  if (req->ended == NULL)
    req->ended = g_ptr_array_new_with_free_func ((GDestroyNotify) ended_free);
  g_ptr_array_add (req->ended, ended);
}

void
foyer_svc_request_finish (FoyerSvcRequest *req)
{
  SoupServerMessage *msg = req->msg;

  /* Only a reply that went through ends sessions. */
  if (req->ended != NULL && req->status / 100 == 2)
    for (guint i = 0; i < req->ended->len; i++)
      {
        Ended *ended = g_ptr_array_index (req->ended, i);

        foyer_svc_tokens_forget (req->svc, ended->session_id, ended->person_id);
        foyer_svc_events_close_sessions (req->svc, ended->session_id, ended->person_id,
                                         ended->reason);
      }
  if (msg == NULL || !foyer_svc_http_is_connected (msg))
    return;
  if (req->person_id != NULL)
    g_object_set_data_full (G_OBJECT (msg), "foyer-person", g_strdup (req->person_id), g_free);
  if (req->session_id != NULL)
    {
      gint64 *expires = g_new (gint64, 1);

      *expires = req->expires;
      g_object_set_data_full (G_OBJECT (msg), "foyer-session", g_strdup (req->session_id), g_free);
      g_object_set_data_full (G_OBJECT (msg), "foyer-expires", expires, g_free);
    }
  if (req->status != 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      soup_message_headers_replace (headers, "Cache-Control", "no-store");
      if (req->retry_after != NULL)
        soup_message_headers_replace (headers, "Retry-After", req->retry_after);
      soup_server_message_set_status (msg, req->status, NULL);
      if (req->reply != NULL)
        {
          gsize len = strlen (req->reply);

          soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                            g_steal_pointer (&req->reply), len);
        }
      else
        soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
    }
  if (req->paused)
    {
      req->paused = FALSE;
      soup_server_message_unpause (msg);
    }
}

/* Puts the reply on the message and lets the request go. */
void
foyer_svc_request_complete (FoyerSvcRequest *req)
{
  SoupServerMessage *msg = req->msg != NULL ? g_object_ref (req->msg) : NULL;

  foyer_svc_request_finish (req);
  if (msg != NULL)
    {
      g_object_set_data (G_OBJECT (msg), DONE_KEY, GINT_TO_POINTER (1));
      g_object_unref (msg);
    }
  foyer_svc_request_free (req);
}

/* After handing a request on: unless it was completed already (SQLite,
 * nothing to wait for), the message waits for its reply. */
void
foyer_svc_request_wait (SoupServerMessage *msg, FoyerSvcRequest *req)
{
  if (g_object_get_data (G_OBJECT (msg), DONE_KEY) != NULL)
    return;
  req->paused = TRUE;
  soup_server_message_pause (msg);
  /* A status, for now: libsoup takes a message without one, on a path
   * that also has a WebSocket handler, for a failed handshake (400). The
   * reply replaces it. */
  if (!req->upgrade)
    soup_server_message_set_status (msg, SOUP_STATUS_ACCEPTED, NULL);
}

/* The bearer token's checks (signature, claims, live session) are in
 * foyer-svc-auth.c; the person and the session go with the request, for
 * the log and for a WebSocket opened by it. */
gboolean
foyer_svc_request_authenticate (FoyerSvcRequest *req, GError **error)
{
  const char *value = req->authorization;
  FoyerSvcClaims claims = { 0 };

  if (value == NULL || g_ascii_strncasecmp (value, "Bearer ", 7) != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                           "Send “Authorization: Bearer <token>” from POST /v1/sessions");
      return FALSE;
    }
  if (!foyer_svc_authenticate_token (req->svc, req->db, value + 7, &claims, error))
    return FALSE;
  g_free (req->person_id);
  g_free (req->session_id);
  req->person_id = g_steal_pointer (&claims.person_id);
  req->session_id = g_steal_pointer (&claims.session_id);
  req->expires = claims.expires;
  foyer_svc_claims_clear (&claims);
  return TRUE;
}

JsonNode *
foyer_svc_request_body (FoyerSvcRequest *req, GError **error)
{
  gsize len = 0;
  const char *data = req->body != NULL ? g_bytes_get_data (req->body, &len) : "";

  if (req->content_type == NULL || g_ascii_strcasecmp (req->content_type, "application/json") != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_MEDIA_TYPE,
                           "The body must be application/json");
      return NULL;
    }
  return foyer_svc_json_parse (data, len, error);
}
