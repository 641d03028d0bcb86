/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "test-sandbox-common.h"

#include <string.h>

void
tc_reply_free (TcReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->body);
  g_free (reply->location);
  g_free (reply->content_type);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_free (reply);
}

SoupSession *
tc_session_new (FoyerTestSandbox *sb)
{
  return foyer_test_sandbox_trust_session (sb, soup_session_new ());
}

SoupSession *
tc_browser_new (FoyerTestSandbox *sb)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 30, "max-conns", 500,
                                                        "max-conns-per-host", 500, NULL);
  g_autoptr (SoupCookieJar) jar = soup_cookie_jar_new ();

  foyer_test_sandbox_trust_session (sb, session);
  soup_cookie_jar_set_accept_policy (jar, SOUP_COOKIE_JAR_ACCEPT_ALWAYS);
  soup_session_add_feature (session, SOUP_SESSION_FEATURE (jar));
  return session;
}

TcReply *
tc_request (SoupSession *session,
            const char *method,
            const char *url,
            const char *content_type,
            const char *body,
            const char *bearer)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  TcReply *reply = g_new0 (TcReply, 1);
  const char *location;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (bearer != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) req = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, content_type, req);
    }
  bytes = soup_session_send_and_read (session, msg, NULL, &error);
  if (bytes == NULL)
    {
      reply->status = 0;
      reply->body = g_strdup (error->message);
      return reply;
    }
  reply->status = soup_message_get_status (msg);
  reply->length = g_bytes_get_size (bytes);
  reply->body = g_malloc0 (reply->length + 1);
  memcpy (reply->body, g_bytes_get_data (bytes, NULL), reply->length);
  location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  reply->location = g_strdup (location);
  reply->content_type = g_strdup (
      soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  reply->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return reply;
}

TcReply *
tc_get (SoupSession *session, const char *url, const char *bearer)
{
  return tc_request (session, "GET", url, NULL, NULL, bearer);
}

TcReply *
tc_post_json (SoupSession *session, const char *url, const char *json, const char *bearer)
{
  return tc_request (session, "POST", url, "application/json", json, bearer);
}

TcReply *
tc_post_form (SoupSession *session, const char *url, ...)
{
  va_list ap;
  g_autofree char *form = NULL;

  va_start (ap, url);
  form = soup_form_encode_valist (va_arg (ap, const char *), ap);
  va_end (ap);
  return tc_request (session, "POST", url, "application/x-www-form-urlencoded", form, NULL);
}

JsonObject *
tc_json (TcReply *reply)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, reply->body, reply->length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
tc_between (const char *text, const char *before, const char *after)
{
  const char *start = text != NULL ? strstr (text, before) : NULL;
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (before);
  end = strstr (start, after);
  return end != NULL ? g_strndup (start, end - start) : NULL;
}

char *
tc_query_param (const char *url, const char *name)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GHashTable) params = NULL;
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;

  if (query == NULL)
    return NULL;
  params = soup_form_decode (query);
  return g_strdup (g_hash_table_lookup (params, name));
}

char *
tc_absolute (const char *base, const char *location)
{
  g_autoptr (GUri) b = g_uri_parse (base, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GUri) abs = g_uri_parse_relative (b, location, G_URI_FLAGS_ENCODED, NULL);

  return g_uri_to_string (abs);
}

void
tc_pkce (char **verifier, char **challenge)
{
  g_autofree char *a = g_uuid_string_random ();
  g_autofree char *b = g_uuid_string_random ();
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *b64 = NULL;
  GString *out = g_string_new (NULL);

  *verifier = g_strdelimit (g_strconcat (a, b, NULL), "-", '_');
  g_checksum_update (sum, (const guchar *) *verifier, -1);
  g_checksum_get_digest (sum, digest, &len);
  b64 = g_base64_encode (digest, len);
  for (const char *p = b64; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  *challenge = g_string_free (out, FALSE);
}

char *
tc_authorize_url (FoyerTestSandbox *sb,
                  const char *tenant,
                  const char *challenge,
                  const char *state,
                  const char *extra)
{
  g_autofree char *redirect
      = g_uri_escape_string (foyer_test_sandbox_get_redirect_uri (sb), NULL, FALSE);

  return g_strdup_printf (
      "%s/%s/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
      "&scope=openid%%20profile%%20offline_access%%20Files.ReadWrite.All"
      "&state=%s&nonce=n-0S6_WzA2Mj&code_challenge=%s&code_challenge_method=S256%s",
      foyer_test_sandbox_get_authority_url (sb), tenant != NULL ? tenant : "organizations",
      foyer_test_sandbox_get_client_id (sb), redirect, state, challenge,
      extra != NULL ? extra : "");
}

char *
tc_sign_in (SoupSession *browser,
            FoyerTestSandbox *sb,
            const char *tenant,
            const char *email,
            const char *challenge)
{
  g_autofree char *url = tc_authorize_url (sb, tenant, challenge, "xyz", NULL);
  g_autoptr (TcReply) form = tc_get (browser, url, NULL);
  g_autofree char *ctx = NULL;
  g_autofree char *action = NULL;
  g_autofree char *login_url = NULL;
  g_autoptr (TcReply) consent = NULL;
  g_autoptr (TcReply) done = NULL;
  TcReply *last;

  g_assert_cmpuint (form->status, ==, 200);
  g_assert_nonnull (strstr (form->body, "id=\"i0116\""));
  ctx = tc_between (form->body, "name=\"ctx\" value=\"", "\"");
  action = tc_between (form->body, "action=\"", "\"");
  g_assert_nonnull (ctx);
  login_url = tc_absolute (url, action);
  consent = tc_post_form (browser, login_url, "ctx", ctx, "login", email, "passwd",
                          foyer_test_sandbox_get_user_password (sb, email), NULL);
  last = consent;
  if (consent->status == 200)
    {
      g_autofree char *ctx2 = tc_between (consent->body, "name=\"ctx\" value=\"", "\"");
      g_autofree char *action2 = tc_between (consent->body, "action=\"", "\"");
      g_autofree char *consent_url = tc_absolute (url, action2);

      g_assert_nonnull (strstr (consent->body, "Permissions requested"));
      done = tc_post_form (browser, consent_url, "ctx", ctx2, "accept", "yes", NULL);
      last = done;
    }
  g_assert_cmpuint (last->status, ==, 302);
  g_assert_true (g_str_has_prefix (last->location, foyer_test_sandbox_get_redirect_uri (sb)));
  {
    g_autofree char *state = tc_query_param (last->location, "state");

    g_assert_cmpstr (state, ==, "xyz");
  }
  return tc_query_param (last->location, "code");
}

JsonObject *
tc_redeem (FoyerTestSandbox *sb, const char *code, const char *verifier, guint *status)
{
  g_autoptr (SoupSession) s = tc_session_new (sb);
  g_autofree char *url = g_strdup_printf ("%s/organizations/oauth2/v2.0/token",
                                          foyer_test_sandbox_get_authority_url (sb));
  g_autoptr (TcReply) r
      = tc_post_form (s, url, "client_id", foyer_test_sandbox_get_client_id (sb), "grant_type",
                      "authorization_code", "code", code, "redirect_uri",
                      foyer_test_sandbox_get_redirect_uri (sb), "code_verifier", verifier, NULL);

  *status = r->status;
  return tc_json (r);
}

char *
tc_graph (FoyerTestSandbox *sb, const char *path)
{
  return g_strconcat (foyer_test_sandbox_get_graph_url (sb), path, NULL);
}
