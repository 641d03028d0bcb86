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
} RequestData;

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

static const char *
message_for_code (int code)
{
  switch (code)
    {
    case FOYER_REMOTE_ERROR_UNAUTHORIZED:
      return _ ("Your Foyer session has expired; sign in again");
    case FOYER_REMOTE_ERROR_FORBIDDEN:
      return _ ("You are not allowed to do this");
    case FOYER_REMOTE_ERROR_NOT_FOUND:
      return _ ("This item no longer exists");
    case FOYER_REMOTE_ERROR_SERVER:
      return _ ("The Foyer service had a problem; try again later");
    default:
      return _ ("The Foyer service refused the request");
    }
}

static void
send_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RequestData *data = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  const char *text;
  gsize len = 0;
  JsonNode *root;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, data->domain, FOYER_REMOTE_ERROR_NETWORK,
                                 _ ("Could not reach the Foyer service: %s"), error->message);
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
      int code = code_for_status (data->status);
      const char *detail = NULL;

      if (len > 0 && foyer_json_depth_within (text, len, FOYER_JSON_MAX_DEPTH)
          && json_parser_load_from_data (parser, text, len, NULL)
          && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *object = json_node_get_object (json_parser_get_root (parser));
          JsonObject *err = foyer_json_get_object (object, "error");

          detail = foyer_json_get_string (err, "message");
        }
      if (detail != NULL)
        g_task_return_new_error (task, data->domain, code, "%s (%s)", message_for_code (code),
                                 detail);
      else
        g_task_return_new_error (task, data->domain, code, "%s (HTTP %u)", message_for_code (code),
                                 data->status);
      return;
    }

  if (len == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
      return;
    }
  if (!foyer_json_depth_within (text, len, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, text, len, NULL)
      || (root = json_parser_get_root (parser)) == NULL)
    {
      g_task_return_new_error (task, data->domain, FOYER_REMOTE_ERROR_SERVER,
                               _ ("The Foyer service sent a reply that is not JSON"));
      return;
    }
  g_task_return_pointer (task, json_node_copy (root), (GDestroyNotify) json_node_unref);
}

void
foyer_json_request_async (SoupSession *session,
                          const char *method,
                          const char *url,
                          const char *token,
                          JsonNode *body,
                          GQuark error_domain,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  foyer_json_request_with_headers_async (session, method, url, token, body, NULL, error_domain,
                                         cancellable, callback, user_data);
}

void
foyer_json_request_with_headers_async (SoupSession *session,
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
  g_task_set_source_tag (task, foyer_json_request_with_headers_async);
  data = g_new0 (RequestData, 1);
  data->domain = error_domain;
  g_task_set_task_data (task, data, g_free);

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

JsonNode *
foyer_json_request_finish (GAsyncResult *result, guint *out_status, GError **error)
{
  RequestData *data;

  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (
      g_task_get_source_tag (G_TASK (result)) == foyer_json_request_with_headers_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_status != NULL)
    *out_status = data->status;
  return g_task_propagate_pointer (G_TASK (result), error);
}
