/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "graph-mock-server.h"

#include "foyer-test-tls.h"

#include <string.h>

typedef struct
{
  MockServer *mock;
  SoupServerMessage *msg;
  guint source_id;
  gulong disconnected_id;
  gboolean done;
} Pending;

static void
mock_request_free (MockRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  g_free (request->authorization);
  g_free (request->user_agent);
  g_free (request->prefer);
  g_free (request->client_request_id);
  g_free (request->body);
  g_free (request);
}

static void
pending_finish (Pending *pending)
{
  if (pending->done)
    return;
  pending->done = TRUE;
  pending->mock->in_flight--;
  if (pending->source_id != 0)
    g_source_remove (pending->source_id);
  pending->source_id = 0;
  g_signal_handler_disconnect (pending->msg, pending->disconnected_id);
}

static void
pending_free (Pending *pending)
{
  pending_finish (pending);
  g_object_unref (pending->msg);
  g_free (pending);
}

static gboolean
pending_timeout_cb (gpointer user_data)
{
  Pending *pending = user_data;
  SoupServerMessage *msg = pending->msg;

  pending->source_id = 0;
  pending_finish (pending);
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
disconnected_cb (SoupServerMessage *msg, gpointer user_data)
{
  pending_finish (user_data);
}

static void
handler (SoupServer *server,
         SoupServerMessage *msg,
         const char *path,
         GHashTable *query,
         gpointer user_data)
{
  MockServer *mock = user_data;
  MockRequest *request = g_new0 (MockRequest, 1);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  guint index = mock->log->len;
  guint delay;

  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_uri_get_query (uri) != NULL
                      ? g_strdup_printf ("%s?%s", g_uri_get_path (uri), g_uri_get_query (uri))
                      : g_strdup (g_uri_get_path (uri));
  request->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  request->user_agent = g_strdup (soup_message_headers_get_one (headers, "User-Agent"));
  request->prefer = g_strdup (soup_message_headers_get_one (headers, "Prefer"));
  request->client_request_id
      = g_strdup (soup_message_headers_get_one (headers, "client-request-id"));
  request->body = body->length > 0 ? g_strndup (body->data, body->length) : NULL;
  request->time_us = g_get_monotonic_time ();
  g_ptr_array_add (mock->log, request);

  mock->in_flight++;
  mock->max_in_flight = MAX (mock->max_in_flight, mock->in_flight);

  delay = mock->responder (mock, msg, request->path, index, mock->responder_data);
  if (delay == 0)
    {
      mock->in_flight--;
      return;
    }

  {
    Pending *pending = g_new0 (Pending, 1);

    pending->mock = mock;
    pending->msg = g_object_ref (msg);
    pending->disconnected_id
        = g_signal_connect (msg, "disconnected", G_CALLBACK (disconnected_cb), pending);
    soup_server_message_pause (msg);
    pending->source_id = g_timeout_add (delay, pending_timeout_cb, pending);
    g_ptr_array_add (mock->pending, pending);
  }
}

MockServer *
mock_server_new (MockResponder responder, gpointer data)
{
  MockServer *mock = g_new0 (MockServer, 1);

  mock->server = soup_server_new (NULL, NULL);
  mock->log = g_ptr_array_new_with_free_func ((GDestroyNotify) mock_request_free);
  mock->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  mock->responder = responder;
  mock->responder_data = data;
  soup_server_add_handler (mock->server, NULL, handler, mock, NULL);
  /* https, as Graph: the certificate comes from the tests' own CA. */
  mock->tls = foyer_test_tls_listen (mock->server, foyer_test_tls_get_default_certificate ());
  mock->origin
      = g_strdup_printf ("https://127.0.0.1:%u", foyer_test_tls_listener_get_port (mock->tls));
  mock->base_url = g_strconcat (mock->origin, "/v1.0", NULL);
  return mock;
}

void
mock_server_free (MockServer *mock)
{
  foyer_test_tls_listener_stop (mock->tls);
  soup_server_disconnect (mock->server);
  g_ptr_array_unref (mock->pending);
  g_object_unref (mock->server);
  g_ptr_array_unref (mock->log);
  g_free (mock->origin);
  g_free (mock->base_url);
  g_free (mock);
}

guint
mock_server_count (MockServer *mock, const char *path_prefix)
{
  guint n = 0;

  for (guint i = 0; i < mock->log->len; i++)
    if (g_str_has_prefix (((MockRequest *) g_ptr_array_index (mock->log, i))->path, path_prefix))
      n++;
  return n;
}

MockRequest *
mock_server_request (MockServer *mock, guint index)
{
  g_assert_cmpuint (index, <, mock->log->len);
  return g_ptr_array_index (mock->log, index);
}

void
mock_json (SoupServerMessage *msg, guint status, const char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

void
mock_graph_error (SoupServerMessage *msg,
                  guint status,
                  const char *code,
                  const char *inner_code,
                  const char *request_id)
{
  g_autofree char *json = NULL;

  if (inner_code != NULL)
    json = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":\"m\",\"innerError\":{"
                            "\"code\":\"%s\",\"request-id\":\"%s\",\"date\":"
                            "\"2026-11-28T10:00:00\"}}}",
                            code, inner_code, request_id);
  else
    json = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":\"m\",\"innerError\":{"
                            "\"request-id\":\"%s\",\"date\":\"2026-11-28T10:00:00\"}}}",
                            code, request_id);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "request-id",
                                request_id);
  mock_json (msg, status, json);
}

static gboolean
timeout_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
mock_wait_for (gboolean *flag, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

void
mock_wait_for_requests (MockServer *mock, guint n, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

  while (mock->log->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
}

void
mock_wait_answered (MockServer *mock, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_flag_cb, &timed_out);

  while (mock->in_flight > 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  g_assert_false (timed_out);
  /* ...and whatever that set going in this process, done too. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
}

void
mock_wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

FoyerGraphClient *
mock_graph_client_new (const char *base_url, FoyerAuthorizer *authorizer)
{
  return g_object_new (FOYER_TYPE_GRAPH_CLIENT, "base-url", base_url, "authorizer", authorizer,
                       "tls-database", foyer_test_tls_get_default_database (), NULL);
}
