/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-security-test"

#include "config.h"

#include "security-util.h"

#include <stdio.h>
#include <string.h>

void
sec_reply_free (SecReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->headers);
  g_free (reply->body);
  g_free (reply);
}

static GSocketConnection *
connect_from (const char *local_address, const char *base_url)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *connection;

  g_assert_nonnull (uri);
  g_socket_client_set_timeout (client, 30);
  if (local_address != NULL)
    {
      g_autoptr (GSocketAddress) local = g_inet_socket_address_new_from_string (local_address, 0);

      g_socket_client_set_local_address (client, local);
    }
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri),
                                                (guint16) g_uri_get_port (uri), NULL, &error);
  g_assert_no_error (error);
  return connection;
}

static SecReply *
parse_reply (const char *data, gsize length)
{
  SecReply *reply = g_new0 (SecReply, 1);
  const char *end = g_strstr_len (data, length, "\r\n\r\n");
  guint status = 0;

  if (length >= 12 && g_str_has_prefix (data, "HTTP/1.") && sscanf (data + 9, "%3u", &status) == 1)
    reply->status = status;
  reply->headers = end != NULL ? g_strndup (data, end - data) : g_strndup (data, length);
  reply->body = end != NULL ? g_strndup (end + 4, length - (end + 4 - data)) : g_strdup ("");
  return reply;
}

static GSocketConnection *
connect_to (const char *base_url)
{
  return connect_from (NULL, base_url);
}

SecReply *
sec_send_raw_from (const char *local_address, const char *base_url, const char *data, gsize length)
{
  g_autoptr (GSocketConnection) connection = connect_from (local_address, base_url);
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr (GByteArray) received = g_byte_array_new ();
  g_autoptr (GError) error = NULL;
  guint8 buffer[16384];

  g_socket_set_timeout (socket, 30);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), data, length,
                             NULL, NULL, &error);
  /* A service may answer and close before it read everything (a 413):
   * what it answered is what counts. */
  g_clear_error (&error);
  for (;;)
    {
      gssize n = g_socket_receive (socket, (char *) buffer, sizeof buffer, NULL, &error);

      if (n <= 0)
        break;
      g_byte_array_append (received, buffer, (guint) n);
    }
  g_byte_array_append (received, (const guint8 *) "", 1);
  return parse_reply ((const char *) received->data, received->len - 1);
}

SecReply *
sec_send_raw (const char *base_url, const char *data, gsize length)
{
  return sec_send_raw_from (NULL, base_url, data, length);
}

SecReply *
sec_request (const char *base_url,
             const char *method,
             const char *path,
             const char *token,
             const char *const *extra_headers,
             const char *body)
{
  return sec_request_from (NULL, base_url, method, path, token, extra_headers, body);
}

SecReply *
sec_request_from (const char *local_address,
                  const char *base_url,
                  const char *method,
                  const char *path,
                  const char *token,
                  const char *const *extra_headers,
                  const char *body)
{
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GString) request = g_string_new (NULL);

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n", method,
                          path, g_uri_get_host (uri), g_uri_get_port (uri));
  if (token != NULL)
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", token);
  for (guint i = 0; extra_headers != NULL && extra_headers[i] != NULL; i++)
    g_string_append_printf (request, "%s\r\n", extra_headers[i]);
  if (body != NULL)
    g_string_append_printf (request, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                            strlen (body));
  g_string_append (request, "\r\n");
  if (body != NULL)
    g_string_append (request, body);
  return sec_send_raw_from (local_address, base_url, request->str, request->len);
}

JsonObject *
sec_reply_json (SecReply *reply)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, reply->body, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

const char *
sec_reply_header (SecReply *reply, const char *name, char **out_value)
{
  g_auto (GStrv) lines = g_strsplit (reply->headers, "\r\n", -1);
  gsize len = strlen (name);

  *out_value = NULL;
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, len) == 0 && lines[i][len] == ':')
      {
        *out_value = g_strstrip (g_strdup (lines[i] + len + 1));
        break;
      }
  return *out_value;
}

char *
sec_sign_in (const char *base_url, const char *email, const char *password, guint *out_status)
{
  return sec_sign_in_from (NULL, base_url, email, password, out_status, NULL);
}

char *
sec_sign_in_from (const char *local_address,
                  const char *base_url,
                  const char *email,
                  const char *password,
                  guint *out_status,
                  guint *out_retry_after)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr (SecReply) reply = NULL;
  g_autoptr (JsonObject) object = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);

  reply = sec_request_from (local_address, base_url, "POST", "/v1/sessions", NULL, NULL, body);
  if (out_status != NULL)
    *out_status = reply->status;
  if (out_retry_after != NULL)
    {
      g_autofree char *value = NULL;

      *out_retry_after = sec_reply_header (reply, "Retry-After", &value) != NULL
                             ? (guint) g_ascii_strtoull (value, NULL, 10)
                             : 0;
    }
  if (reply->status != 201 || (object = sec_reply_json (reply)) == NULL)
    return NULL;
  return g_strdup (json_object_get_string_member (object, "accessToken"));
}

char *
sec_sign_in_ok (FoyerTestService *service, const char *email, const char *password)
{
  guint status = 0;
  char *token = sec_sign_in (foyer_test_service_get_base_url (service), email, password, &status);

  if (token == NULL)
    g_error ("%s could not sign in: HTTP %u", email, status);
  return token;
}

char *
sec_person_id (const char *base_url, const char *token)
{
  g_autoptr (SecReply) reply = sec_request (base_url, "GET", "/v1/people/me", token, NULL, NULL);
  g_autoptr (JsonObject) object = NULL;

  g_assert_cmpuint (reply->status, ==, 200);
  object = sec_reply_json (reply);
  g_assert_nonnull (object);
  return g_strdup (json_object_get_string_member (object, "id"));
}

gboolean
sec_service_alive (FoyerTestService *service)
{
  g_autoptr (SecReply) reply = sec_request (foyer_test_service_get_base_url (service), "GET",
                                            "/v1/service", NULL, NULL, NULL);

  return reply->status == 200;
}

void
sec_assert_serves_others (FoyerTestService *service)
{
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *token = NULL;
  g_autofree char *id = NULL;

  g_assert_true (sec_service_alive (service));
  token = sec_sign_in_ok (service, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  id = sec_person_id (base, token);
  g_assert_nonnull (id);
}

char *
sec_temp_dir (const char *prefix)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *tmpl = NULL;

  if (work == NULL)
    return g_dir_make_tmp (prefix, NULL);
  tmpl = g_build_filename (work, prefix, NULL);
  return g_strdup (g_mkdtemp (tmpl));
}

char *
sec_signing_key_path (FoyerTestService *service)
{
  const char *data_dir = foyer_test_service_get_data_dir (service);
  g_autofree char *keys = g_strconcat (data_dir, ".keys", NULL);
  const char *dirs[] = { keys, data_dir };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (dirs[i], "token-signing-key.jwk", NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  g_error ("no token-signing-key.jwk for %s", data_dir);
  return NULL;
}

/* ---- WebSocket, just enough to see a close frame ---- */

static gboolean
read_exactly (GSocket *socket, guint8 *out, gsize length, gint64 deadline)
{
  gsize done = 0;

  while (done < length)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      gssize n;

      if (left <= 0 || !g_socket_condition_timed_wait (socket, G_IO_IN, left, NULL, NULL))
        return FALSE;
      n = g_socket_receive (socket, (char *) out + done, length - done, NULL, NULL);
      if (n <= 0)
        return FALSE;
      done += (gsize) n;
    }
  return TRUE;
}

GSocketConnection *
sec_websocket_open (const char *base_url, const char *token, guint *out_status)
{
  g_autoptr (GSocketConnection) connection = connect_to (base_url);
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr (GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *request = g_strdup_printf (
      "GET /v1/events HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Authorization: Bearer %s\r\n\r\n",
      g_uri_get_host (uri), g_uri_get_port (uri), token);
  g_autoptr (GString) head = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  guint status = 0;

  g_assert_true (
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                 strlen (request), NULL, NULL, NULL));
  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      guint8 c;

      if (!read_exactly (socket, &c, 1, deadline))
        break;
      g_string_append_c (head, (char) c);
    }
  if (g_str_has_prefix (head->str, "HTTP/1.1 "))
    sscanf (head->str + 9, "%3u", &status);
  if (out_status != NULL)
    *out_status = status;
  return status == 101 ? g_steal_pointer (&connection) : NULL;
}

gboolean
sec_websocket_wait_close (GSocketConnection *connection, guint timeout_ms, guint *out_code)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      guint8 head[2], ext[8];
      guint64 length;
      g_autofree guint8 *payload = NULL;

      if (!read_exactly (socket, head, 2, deadline))
        return FALSE;
      length = head[1] & 0x7f;
      if (length == 126 && read_exactly (socket, ext, 2, deadline))
        length = ((guint64) ext[0] << 8) | ext[1];
      else if (length == 127 && read_exactly (socket, ext, 8, deadline))
        {
          length = 0;
          for (guint i = 0; i < 8; i++)
            length = (length << 8) | ext[i];
        }
      g_assert_cmpuint (length, <, 16 * 1024 * 1024);
      payload = g_malloc (length + 1);
      if (length > 0 && !read_exactly (socket, payload, length, deadline))
        return FALSE;
      if ((head[0] & 0x0f) == 0x8)
        {
          if (out_code != NULL)
            *out_code = length >= 2 ? ((guint) payload[0] << 8) | payload[1] : 1005;
          return TRUE;
        }
    }
}
