/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-json-request.h"

#include "foyer-core.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAX_RESPONSE_SIZE (8 * 1024 * 1024)

typedef struct
{
  GQuark domain;
  guint status;
  char *refusal;         /* the service's error code ("forbidden", …), if it said one */
  char *service_message; /* and its own words, for administrators and logs */
} RequestData;

static void
request_data_free (RequestData *data)
{
  g_free (data->refusal);
  g_free (data->service_message);
  g_free (data);
}

/* Plain http is only for a service on this machine (tests, the demo). */
gboolean
foyer_json_url_is_acceptable (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  if (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0
      || g_strcmp0 (g_uri_get_scheme (uri), "wss") == 0)
    return TRUE;
  return (g_strcmp0 (g_uri_get_scheme (uri), "http") == 0
          || g_strcmp0 (g_uri_get_scheme (uri), "ws") == 0)
         && foyer_host_is_loopback (g_uri_get_host (uri));
}

static int
code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return FOYER_REMOTE_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_FORBIDDEN:
      return FOYER_REMOTE_ERROR_FORBIDDEN;
    case SOUP_STATUS_NOT_FOUND:
      return FOYER_REMOTE_ERROR_NOT_FOUND;
    case 429: /* Too Many Requests */
      return FOYER_REMOTE_ERROR_SERVER;
    default:
      return status >= 500 ? FOYER_REMOTE_ERROR_SERVER : FOYER_REMOTE_ERROR_INVALID;
    }
}

/* What the service's refusal means for the person, in their language:
 * from its error code (docs/service-api.md), else from the status. The
 * service's own message is English for administrators and never shown. */
static char *
describe_refusal (const char *refusal, guint status, guint retry_after)
{
  const char *code = refusal != NULL ? refusal : "";

  if (g_str_equal (code, "too-many-requests") || status == 429)
    {
      guint minutes = (retry_after + 59) / 60;

      if (retry_after < 60)
        return g_strdup (_ ("Too many attempts; wait a moment and try again"));
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Too many attempts; try again in %u minute",
                                           "Too many attempts; try again in %u minutes", minutes),
                              minutes);
    }
  if (g_str_equal (code, "unauthorized") || status == SOUP_STATUS_UNAUTHORIZED)
    return g_strdup (_ ("Your Foyer session has expired; sign in again"));
  if (g_str_equal (code, "forbidden") || status == SOUP_STATUS_FORBIDDEN)
    return g_strdup (_ ("You are not allowed to do this"));
  if (g_str_equal (code, "not-found") || status == SOUP_STATUS_NOT_FOUND)
    return g_strdup (_ ("This item no longer exists"));
  if (g_str_equal (code, "stale-key"))
    return g_strdup (_ ("The space’s encryption key changed meanwhile; try again"));
  if (g_str_equal (code, "conflict") || status == SOUP_STATUS_CONFLICT)
    return g_strdup (_ ("This was already done"));
  if (g_str_equal (code, "too-large") || status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    return g_strdup (_ ("This is too large for the Foyer service"));
  if (g_str_equal (code, "busy") || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    return g_strdup (_ ("The Foyer service is busy; try again in a moment"));
  if (g_str_equal (code, "insufficient-storage") || status == SOUP_STATUS_INSUFFICIENT_STORAGE)
    return g_strdup (_ ("The Foyer service’s storage is full, so nothing was saved; try again "
                        "later"));
  if (g_str_equal (code, "invalid") || status == SOUP_STATUS_BAD_REQUEST)
    return g_strdup (_ ("The Foyer service could not accept what was sent"));
  if (status >= 500)
    return g_strdup (_ ("The Foyer service had a problem; try again later"));
  return g_strdup (_ ("The Foyer service refused the request"));
}

/* Why the service could not be reached, for the person; the library's
 * own words (often English) only go to the debug log. */
static const char *
describe_network_error (const GError *error)
{
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
      || g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
    return _ ("The Foyer service’s address was not found; check the address and your "
              "connection");
  if (error->domain == G_TLS_ERROR)
    return _ ("The Foyer service’s identity could not be verified: its certificate is not "
              "trusted");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return _ ("The Foyer service is not answering at this address");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return _ ("The Foyer service did not answer in time; check your connection");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE))
    return _ ("This computer is not connected to a network");
  return _ ("Could not reach the Foyer service; check your connection");
}

static void
send_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  const char *text;
  gsize len = 0;
  JsonNode *root;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        {
          g_debug ("Could not reach the Foyer service: %s", error->message);
          g_task_return_new_error (task, data->domain, FOYER_REMOTE_ERROR_NETWORK, "%s",
                                   describe_network_error (error));
        }
      return;
    }

  data->status = soup_message_get_status (msg);
  text = g_bytes_get_data (bytes, &len);
  if (len > MAX_RESPONSE_SIZE)
    {
      g_task_return_new_error (task, data->domain, FOYER_REMOTE_ERROR_SERVER,
                               _ ("The Foyer service sent an oversized reply"));
      return;
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (data->status))
    {
      const char *retry_after
          = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
      g_autoptr (JsonNode) reply = foyer_json_parse (text, len);
      g_autofree char *message = NULL;

      if (reply != NULL && JSON_NODE_HOLDS_OBJECT (reply))
        {
          JsonObject *err = foyer_json_get_object (json_node_get_object (reply), "error");

          data->refusal = g_strdup (foyer_json_get_string (err, "code"));
          data->service_message = g_strdup (foyer_json_get_string (err, "message"));
          g_debug ("The Foyer service answered %u %s: %s", data->status,
                   data->refusal != NULL ? data->refusal : "-",
                   data->service_message != NULL ? data->service_message : "-");
        }
      message = describe_refusal (
          data->refusal, data->status,
          retry_after != NULL ? (guint) MIN (g_ascii_strtoull (retry_after, NULL, 10), 86400) : 0);
      g_task_return_new_error (task, data->domain, code_for_status (data->status), "%s", message);
      return;
    }

  if (len == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
      return;
    }
  if ((root = foyer_json_parse (text, len)) == NULL)
    {
      g_task_return_new_error (task, data->domain, FOYER_REMOTE_ERROR_SERVER,
                               _ ("The Foyer service sent a reply that is not JSON"));
      return;
    }
  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

void
foyer_json_request_async (SoupSession *session,
                          const char *method,
                          const char *url,
                          const char *token,
                          JsonNode *body,
                          const char *const *extra_headers,
                          GQuark error_domain,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  RequestData *data;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (method != NULL && url != NULL);

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_json_request_async);
  data = g_new0 (RequestData, 1);
  data->domain = error_domain;
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  if (!foyer_json_url_is_acceptable (url) || (msg = soup_message_new (method, url)) == NULL)
    {
      g_task_return_new_error (task, error_domain, FOYER_REMOTE_ERROR_INVALID,
                               _ ("The Foyer service address is not a secure URL"));
      return;
    }

  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  for (gsize i = 0;
       extra_headers != NULL && extra_headers[i] != NULL && extra_headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), extra_headers[i],
                                  extra_headers[i + 1]);
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);
      gsize len = strlen (text);
      g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&text), len);

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, cancellable, send_cb,
                                    g_steal_pointer (&task));
}

/* The request's data, once result is known to be one of ours. */
static RequestData *
request_data_of (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == foyer_json_request_async, NULL);

  return g_task_get_task_data (G_TASK (result));
}

/* The service's error code for a refused request ("forbidden",
 * "conflict", … as docs/service-api.md lists them), or NULL: for a
 * caller that knows better what it means there. */
const char *
foyer_json_request_get_refusal (GAsyncResult *result)
{
  RequestData *data = request_data_of (result);

  return data != NULL ? data->refusal : NULL;
}

/* The service's own message with its refusal (English, for
 * administrators, logs and tests; never for people), or NULL. */
const char *
foyer_json_request_get_service_message (GAsyncResult *result)
{
  RequestData *data = request_data_of (result);

  return data != NULL ? data->service_message : NULL;
}

JsonNode *
foyer_json_request_finish (GAsyncResult *result, guint *out_status, GError **error)
{
  RequestData *data = request_data_of (result);

  g_return_val_if_fail (data != NULL, NULL);

  if (out_status != NULL)
    *out_status = data->status;
  return g_task_propagate_pointer (G_TASK (result), error);
}
