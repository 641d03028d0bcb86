/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The control API: injected faults, the request log, and many clients at once. */
#include "config.h"

#include "test-sandbox-common.h"

#include <string.h>

static FoyerTestSandbox *sandbox;
static SoupSession *api;
static char *alice;

static TcReply *
get_me (void)
{
  g_autofree char *url = tc_graph (sandbox, "/me");

  return tc_get (api, url, alice);
}

static void
test_throttling (void)
{
  g_autoptr (GError) error = NULL;
  guint id = foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/me\",\"status\":429,\"retryAfter\":2,\"times\":1}", &error);
  g_autoptr (TcReply) throttled = NULL;
  g_autoptr (TcReply) ok = NULL;
  g_autoptr (TcReply) dated = NULL;
  g_autoptr (TcReply) unavailable = NULL;
  g_autoptr (TcReply) gateway = NULL;
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (JsonObject) o = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (id, >, 0);
  throttled = get_me ();
  g_assert_cmpuint (throttled->status, ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (throttled->headers, "Retry-After"), ==, "2");
  o = tc_json (throttled);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "error"), "code"), ==,
      "activityLimitReached");
  /* times: 1 — the next call goes through. */
  ok = get_me ();
  g_assert_cmpuint (ok->status, ==, 200);

  foyer_test_sandbox_add_fault_json (
      sandbox,
      "{\"pattern\":\"/v1.0/"
      "me\",\"status\":429,\"retryAfter\":30,\"retryAfterDate\":true,\"times\":1}",
      &error);
  dated = get_me ();
  g_assert_cmpuint (dated->status, ==, 429);
  when = soup_date_time_new_from_http_string (
      soup_message_headers_get_one (dated->headers, "Retry-After"));
  g_assert_nonnull (when);
  g_assert_cmpint (g_date_time_difference (when, now) / G_USEC_PER_SEC, >=, 28);

  foyer_test_sandbox_add_fault (sandbox, "/v1.0/me", 503, 1, &error);
  unavailable = get_me ();
  g_assert_cmpuint (unavailable->status, ==, 503);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
  foyer_test_sandbox_add_fault (sandbox, "/v1.0/me*", 504, -1, &error);
  gateway = get_me ();
  g_assert_cmpuint (gateway->status, ==, 504);
  g_assert_null (soup_message_headers_get_one (gateway->headers, "Retry-After"));
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
}

static void
test_broken_bodies (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TcReply) malformed = NULL;
  g_autoptr (TcReply) truncated = NULL;
  g_autoptr (TcReply) whole = get_me ();
  g_autoptr (JsonParser) parser = json_parser_new ();

  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/me\",\"body\":\"malformed\",\"times\":1}", &error);
  malformed = get_me ();
  g_assert_cmpuint (malformed->status, ==, 200);
  g_assert_false (json_parser_load_from_data (parser, malformed->body, malformed->length, NULL));

  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/me\",\"body\":\"truncated\",\"times\":1}", &error);
  truncated = get_me ();
  g_assert_cmpuint (truncated->status, ==, 200);
  g_assert_cmpuint (truncated->length, <, whole->length);
  g_assert_false (json_parser_load_from_data (parser, truncated->body, truncated->length, NULL));
}

static void
test_drop_and_delay (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TcReply) dropped = NULL;
  g_autoptr (TcReply) slow = NULL;
  gint64 start;

  /* Unlimited: libsoup resends a request once when a kept-alive connection closes. */
  foyer_test_sandbox_add_fault_json (sandbox, "{\"pattern\":\"/v1.0/me\",\"drop\":true}", &error);
  dropped = get_me ();
  g_assert_cmpuint (dropped->status, ==, 0);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));

  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/me\",\"delayMs\":300,\"times\":1}", &error);
  start = g_get_monotonic_time ();
  slow = get_me ();
  g_assert_cmpuint (slow->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
}

static void
got_reply_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  *(guint *) data = soup_message_get_status (msg);
}

/* A held request is answered when the test says so, not before, however
 * long that takes; and only the matching requests are held. */
static void
test_hold (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = tc_graph (sandbox, "/me");
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", alice);
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (TcReply) other = NULL;
  guint status = 0;
  int held = 0;

  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/me\",\"hold\":true,\"times\":1}", &error);
  g_assert_no_error (error);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_session_send_and_read_async (s, msg, G_PRIORITY_DEFAULT, NULL, got_reply_cb, &status);
  while (held == 0)
    {
      g_main_context_iteration (NULL, FALSE);
      held = foyer_test_sandbox_get_held (sandbox, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (held, ==, 1);

  /* The fault was for one request: the next goes through. */
  other = get_me ();
  g_assert_cmpuint (other->status, ==, 200);
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (status, ==, 0);

  g_assert_cmpint (foyer_test_sandbox_release_held (sandbox, &error), ==, 1);
  g_assert_no_error (error);
  while (status == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (foyer_test_sandbox_get_held (sandbox, &error), ==, 0);
}

static void
test_login_host_fault (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = g_strdup_printf ("%s/organizations/oauth2/v2.0/token",
                                          foyer_test_sandbox_get_authority_url (sandbox));
  g_autoptr (TcReply) r = NULL;
  g_autoptr (JsonObject) o = NULL;

  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"*/token\",\"host\":\"login\",\"status\":503,\"times\":1}", &error);
  g_assert_no_error (error);
  r = tc_post_form (s, url, "client_id", "x", NULL);
  g_assert_cmpuint (r->status, ==, 503);
  o = tc_json (r);
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, "temporarily_unavailable");
}

static void
test_request_log (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  g_autoptr (JsonArray) empty = NULL;
  g_autoptr (TcReply) r1 = NULL;
  g_autoptr (TcReply) r2 = NULL;
  g_autofree char *children = tc_graph (sandbox, "/me/drive/root/children?$top=2");
  JsonObject *e;

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  r1 = get_me ();
  r2 = tc_get (api, children, NULL);
  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (log), ==, 2);
  e = json_array_get_object_element (log, 0);
  g_assert_cmpstr (json_object_get_string_member (e, "method"), ==, "GET");
  g_assert_cmpstr (json_object_get_string_member (e, "path"), ==, "/v1.0/me");
  g_assert_cmpint (json_object_get_int_member (e, "status"), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (e, "user"), ==, "alice@contoso.example");
  g_assert_cmpstr (json_object_get_string_member (e, "host"), ==, "graph");
  g_assert_nonnull (json_object_get_string_member (e, "time"));
  e = json_array_get_object_element (log, 1);
  g_assert_cmpint (json_object_get_int_member (e, "status"), ==, 401);
  g_assert_true (json_object_get_null_member (e, "user"));
  g_assert_cmpstr (json_object_get_string_member (e, "query"), ==, "$top=2");

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  empty = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_cmpuint (json_array_get_length (empty), ==, 0);
}

typedef struct
{
  guint pending;
  guint ok;
  GMainLoop *loop;
} Batch;

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Batch *batch = user_data;
  g_autoptr (GBytes) bytes
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (bytes != NULL && soup_message_get_status (msg) == 200 && g_bytes_get_size (bytes) > 100)
    batch->ok++;
  if (--batch->pending == 0)
    g_main_loop_quit (batch->loop);
}

static void
test_concurrency (void)
{
  const guint n = 400;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Batch batch = { n, 0, loop };
  g_autoptr (SoupSession) session = foyer_test_sandbox_trust_session (
      sandbox, soup_session_new_with_options ("max-conns", 1000, "max-conns-per-host", 1000,
                                              "timeout", 30, NULL));
  g_autofree char *auth = g_strconcat ("Bearer ", alice, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path
          = g_strdup_printf ("/me/drive/root:/Big%%20folder:/children?$top=20&$skiptoken=%s",
                             "UGFnZWQ9VFJVRSZwX0luZGV4PTEwMDA");
      g_autofree char *url = tc_graph (sandbox, i % 2 == 0 ? path : "/me/drive/root/children");
      g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb, &batch);
    }
  g_main_loop_run (loop);
  g_assert_cmpuint (batch.ok, ==, n);
  {
    g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

    g_assert_cmpuint (json_array_get_length (log), ==, n);
  }
}

static void
test_latency_and_sigterm (void)
{
  const char *args[] = { "--latency-ms", "250", "--seed", "7", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) slow = foyer_test_sandbox_start (args, &error);
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autoptr (TcReply) r = NULL;
  g_autoptr (SoupSession) session = NULL;
  gint64 start;

  g_assert_no_error (error);
  /* Each sandbox makes a CA of its own. */
  session = tc_session_new (slow);
  /* Another seed gives other ids, but the same names and people. */
  g_assert_cmpstr (foyer_test_sandbox_get_tenant_id (slow), !=,
                   foyer_test_sandbox_get_tenant_id (sandbox));
  g_assert_cmpstr (foyer_test_sandbox_get_user_password (slow, "bob@contoso.example"), ==,
                   "bob-password");
  token = foyer_test_sandbox_mint_token (slow, "alice@contoso.example", NULL, &error);
  url = g_strconcat (foyer_test_sandbox_get_graph_url (slow), "/me", NULL);
  start = g_get_monotonic_time ();
  r = tc_get (session, url, token);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
  g_assert_true (foyer_test_sandbox_stop (slow));
  g_assert_false (g_file_test (foyer_test_sandbox_get_cloud_path (slow), G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  api = tc_session_new (sandbox);
  alice = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/sandbox/control/throttling", test_throttling);
  g_test_add_func ("/sandbox/control/broken-bodies", test_broken_bodies);
  g_test_add_func ("/sandbox/control/drop-and-delay", test_drop_and_delay);
  g_test_add_func ("/sandbox/control/hold", test_hold);
  g_test_add_func ("/sandbox/control/login-host-fault", test_login_host_fault);
  g_test_add_func ("/sandbox/control/request-log", test_request_log);
  g_test_add_func ("/sandbox/control/concurrency", test_concurrency);
  g_test_add_func ("/sandbox/control/latency-and-sigterm", test_latency_and_sigterm);
  ret = g_test_run ();
  g_object_unref (api);
  g_free (alice);
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
