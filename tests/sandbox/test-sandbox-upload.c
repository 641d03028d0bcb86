/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Uploads on the sandbox, as Graph documents them: folders, the simple
 * upload, upload sessions (ranges, 202/201/200, 416, status, cancel,
 * expiry, conflicts), the faults only uploads have, and uploaded items that
 * list, download, show thumbnails, preview and share like seeded ones.
 */
#include "config.h"

#include "test-sandbox-common.h"

#include "foyer-quickxor.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

#define UNIT (320 * 1024)

static FoyerTestSandbox *sandbox;
static SoupSession *api;
static char *alice;
static char *bob;

typedef struct
{
  guint status;
  GBytes *body;
  SoupMessageHeaders *headers;
  char *error; /* a transport error */
} Reply;

static void
reply_free (Reply *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->headers, soup_message_headers_unref);
  g_free (r->error);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static Reply *
send (const char *method,
      const char *url,
      const char *bearer,
      const char *content_type,
      GBytes *body,
      const char *content_range)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  SoupMessageHeaders *h;
  g_autoptr (GError) error = NULL;
  Reply *r = g_new0 (Reply, 1);

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  h = soup_message_get_request_headers (msg);
  if (bearer != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (h, "Authorization", auth);
    }
  if (content_range != NULL)
    soup_message_headers_replace (h, "Content-Range", content_range);
  if (body != NULL)
    {
      /* libsoup 3.2 sends a PUT again by itself when a kept-alive
       * connection closes under it, without the part of the body already
       * sent: bodies go on a connection of their own. */
      soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
      soup_message_set_request_body_from_bytes (msg, content_type, body);
    }
  r->body = soup_session_send_and_read (api, msg, NULL, &error);
  if (r->body == NULL)
    {
      r->error = g_strdup (error->message);
      return r;
    }
  r->status = soup_message_get_status (msg);
  r->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return r;
}

static Reply *
graph (const char *method, const char *path, const char *bearer, const char *json)
{
  g_autofree char *url = tc_graph (sandbox, path);
  g_autoptr (GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  return send (method, url, bearer, "application/json", body, NULL);
}

static JsonObject *
reply_json (Reply *r)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  const char *data;

  g_assert_nonnull (r->body);
  data = g_bytes_get_data (r->body, &len);
  json_parser_load_from_data (parser, data, (gssize) len, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
error_code (JsonObject *o)
{
  return json_object_get_string_member (json_object_get_object_member (o, "error"), "code");
}

static void
assert_error (Reply *r, guint status, const char *code)
{
  g_autoptr (JsonObject) o = NULL;

  g_assert_null (r->error);
  g_assert_cmpuint (r->status, ==, status);
  o = reply_json (r);
  g_assert_cmpstr (error_code (o), ==, code);
}

static GBytes *
pattern_bytes (gsize n, guint seed)
{
  guint8 *data = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) ((i * 31 + seed + (i >> 13)) & 0xff);
  return g_bytes_new_take (data, n);
}

/* The folder "Foyer Files" in Alice's OneDrive, made once for the tests. */
static char *
foyer_files_id (void)
{
  static char *id;

  if (id == NULL)
    {
      g_autoptr (Reply) r = graph ("POST", "/me/drive/root/children", alice,
                                   "{\"name\":\"Foyer Files\",\"folder\":{},"
                                   "\"@microsoft.graph.conflictBehavior\":\"replace\"}");
      g_autoptr (JsonObject) o = reply_json (r);

      g_assert_cmpuint (r->status / 100, ==, 2);
      id = g_strdup (json_object_get_string_member (o, "id"));
    }
  return id;
}

static char *
escape (const char *name)
{
  return g_uri_escape_string (name, NULL, FALSE);
}

static JsonObject *
create_session (const char *name, const char *conflict, guint expect_status)
{
  g_autofree char *escaped = escape (name);
  g_autofree char *path
      = g_strdup_printf ("/me/drive/items/%s:/%s:/createUploadSession", foyer_files_id (), escaped);
  g_autofree char *body = g_strdup_printf (
      "{\"item\":{\"@microsoft.graph.conflictBehavior\":\"%s\",\"name\":\"%s\"}}", conflict, name);
  g_autoptr (Reply) r = graph ("POST", path, alice, body);

  g_assert_null (r->error);
  g_assert_cmpuint (r->status, ==, expect_status);
  return reply_json (r);
}

static Reply *
put_range (const char *url, GBytes *all, gsize start, gsize len, const char *bearer)
{
  g_autoptr (GBytes) part = g_bytes_new_from_bytes (all, start, len);
  g_autofree char *range
      = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT, start,
                         start + len - 1, g_bytes_get_size (all));

  return send ("PUT", url, bearer, "application/octet-stream", part, range);
}

static const char *
first_range (JsonObject *o)
{
  JsonArray *ranges = json_object_get_array_member (o, "nextExpectedRanges");

  g_assert_cmpuint (json_array_get_length (ranges), ==, 1);
  return json_array_get_string_element (ranges, 0);
}

static GBytes *
download (const char *item_id, const char *bearer)
{
  g_autofree char *path = g_strdup_printf ("/me/drive/items/%s/content", item_id);
  g_autoptr (Reply) r = graph ("GET", path, bearer, NULL);
  const char *location;
  g_autoptr (Reply) bytes = NULL;

  g_assert_cmpuint (r->status, ==, 302);
  location = soup_message_headers_get_one (r->headers, "Location");
  g_assert_nonnull (location);
  bytes = send ("GET", location, NULL, NULL, NULL, NULL);
  g_assert_cmpuint (bytes->status, ==, 200);
  return g_bytes_ref (bytes->body);
}

static void
test_folder (void)
{
  g_autoptr (Reply) created = graph (
      "POST", "/me/drive/root/children", alice,
      "{\"name\":\"Reports\",\"folder\":{},\"@microsoft.graph.conflictBehavior\":\"fail\"}");
  g_autoptr (Reply) again = graph (
      "POST", "/me/drive/root/children", alice,
      "{\"name\":\"reports\",\"folder\":{},\"@microsoft.graph.conflictBehavior\":\"fail\"}");
  g_autoptr (Reply) replaced = graph (
      "POST", "/me/drive/root/children", alice,
      "{\"name\":\"Reports\",\"folder\":{},\"@microsoft.graph.conflictBehavior\":\"replace\"}");
  g_autoptr (Reply) renamed = graph (
      "POST", "/me/drive/root/children", alice,
      "{\"name\":\"Reports\",\"folder\":{},\"@microsoft.graph.conflictBehavior\":\"rename\"}");
  g_autoptr (Reply) no_facet
      = graph ("POST", "/me/drive/root/children", alice, "{\"name\":\"Plain\"}");
  g_autoptr (Reply) bad_name
      = graph ("POST", "/me/drive/root/children", alice, "{\"name\":\"a:b\",\"folder\":{}}");
  g_autoptr (Reply) anonymous
      = graph ("POST", "/me/drive/root/children", NULL, "{\"name\":\"X\",\"folder\":{}}");
  g_autofree char *alice_root
      = g_strdup_printf ("/drives/%s/root/children",
                         foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));
  g_autoptr (Reply) foreign = graph ("POST", alice_root, bob, "{\"name\":\"Bob's\",\"folder\":{}}");
  g_autoptr (Reply) listed = graph ("GET", "/me/drive/root:/Reports", alice, NULL);
  g_autoptr (JsonObject) c = reply_json (created);
  g_autoptr (JsonObject) r = reply_json (replaced);
  g_autoptr (JsonObject) n = reply_json (renamed);
  g_autoptr (JsonObject) l = reply_json (listed);

  g_assert_cmpuint (created->status, ==, 201);
  g_assert_true (json_object_has_member (c, "folder"));
  g_assert_cmpstr (json_object_get_string_member (c, "name"), ==, "Reports");
  /* Names compare without regard to case, as in OneDrive. */
  assert_error (again, 409, "nameAlreadyExists");
  g_assert_cmpuint (replaced->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (r, "id"), ==,
                   json_object_get_string_member (c, "id"));
  g_assert_cmpuint (renamed->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (n, "name"), ==, "Reports 1");
  assert_error (no_facet, 400, "invalidRequest");
  assert_error (bad_name, 400, "invalidRequest");
  g_assert_cmpuint (anonymous->status, ==, 401);
  assert_error (foreign, 403, "accessDenied");
  g_assert_cmpuint (listed->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (l, "id"), ==,
                   json_object_get_string_member (c, "id"));
}

static void
test_simple_upload (void)
{
  const char *folder = foyer_files_id ();
  g_autoptr (GBytes) text = pattern_bytes (5000, 1);
  g_autoptr (GBytes) other = pattern_bytes (7000, 2);
  g_autofree char *path = g_strdup_printf ("/me/drive/items/%s:/%s:/content", folder,
                                           "Caf%C3%A9%20notes%20%25%2B.txt");
  g_autofree char *url = tc_graph (sandbox, path);
  g_autofree char *rename_url
      = g_strconcat (url, "?@microsoft.graph.conflictBehavior=rename", NULL);
  g_autofree char *fail_url = g_strconcat (url, "?@microsoft.graph.conflictBehavior=fail", NULL);
  g_autofree char *by_path = tc_graph (sandbox, "/me/drive/root:/Foyer%20Files/b.txt:/content");
  g_autofree char *missing = tc_graph (sandbox, "/me/drive/root:/Nowhere/b.txt:/content");
  g_autoptr (Reply) first = send ("PUT", url, alice, "text/plain", text, NULL);
  g_autoptr (JsonObject) item = reply_json (first);
  const char *id = json_object_get_string_member (item, "id");
  g_autoptr (Reply) replaced = send ("PUT", url, alice, "text/plain", other, NULL);
  g_autoptr (JsonObject) replaced_item = reply_json (replaced);
  g_autoptr (Reply) renamed = send ("PUT", rename_url, alice, "text/plain", text, NULL);
  g_autoptr (JsonObject) renamed_item = reply_json (renamed);
  g_autoptr (Reply) failed = send ("PUT", fail_url, alice, "text/plain", text, NULL);
  g_autoptr (Reply) pathed = send ("PUT", by_path, alice, "text/plain", text, NULL);
  g_autoptr (Reply) lost = send ("PUT", missing, alice, "text/plain", text, NULL);
  g_autoptr (GBytes) fetched = NULL;
  g_autofree char *children = g_strdup_printf ("/me/drive/items/%s/children", folder);
  g_autoptr (Reply) listing = graph ("GET", children, alice, NULL);
  g_autofree char *hash = foyer_quickxor_base64 (g_bytes_get_data (other, NULL), 7000);
  JsonObject *file;

  g_assert_cmpuint (first->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Café notes %+.txt");
  g_assert_cmpint (json_object_get_int_member (item, "size"), ==, 5000);
  /* Without a conflict behaviour a PUT replaces: same item, new bytes. */
  g_assert_cmpuint (replaced->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (replaced_item, "id"), ==, id);
  g_assert_cmpint (json_object_get_int_member (replaced_item, "size"), ==, 7000);
  file = json_object_get_object_member (replaced_item, "file");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (file, "hashes"),
                                                  "quickXorHash"),
                   ==, hash);
  fetched = download (id, alice);
  g_assert_true (g_bytes_equal (fetched, other));
  g_assert_cmpuint (renamed->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (renamed_item, "name"), ==, "Café notes %+ 1.txt");
  assert_error (failed, 409, "nameAlreadyExists");
  g_assert_cmpuint (pathed->status, ==, 201);
  assert_error (lost, 404, "itemNotFound");
  g_assert_cmpuint (listing->status, ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (listing->body, NULL), "Café notes %+ 1.txt"));
}

static void
test_session (void)
{
  gsize total = 3 * UNIT + 12345;
  g_autoptr (GBytes) data = pattern_bytes (total, 3);
  g_autoptr (JsonObject) session = create_session ("Big report.docx", "rename", 200);
  const char *url = json_object_get_string_member (session, "uploadUrl");
  g_autoptr (Reply) with_token = put_range (url, data, 0, UNIT, alice);
  g_autoptr (Reply) odd = put_range (url, data, 0, UNIT + 1, NULL);
  g_autoptr (Reply) first = put_range (url, data, 0, 2 * UNIT, NULL);
  g_autoptr (JsonObject) f = reply_json (first);
  g_autoptr (Reply) repeated = put_range (url, data, 0, UNIT, NULL);
  g_autoptr (Reply) gap = put_range (url, data, 3 * UNIT, total - 3 * UNIT, NULL);
  g_autoptr (Reply) status = send ("GET", url, NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) s = reply_json (status);
  g_autoptr (GBytes) wrong_total_part = g_bytes_new_from_bytes (data, 2 * UNIT, UNIT);
  g_autoptr (Reply) wrong_total
      = send ("PUT", url, NULL, NULL, wrong_total_part, "bytes 655360-983039/99999999");
  g_autoptr (Reply) last = put_range (url, data, 2 * UNIT, total - 2 * UNIT, NULL);
  g_autoptr (JsonObject) item = reply_json (last);
  g_autoptr (Reply) after = send ("GET", url, NULL, NULL, NULL, NULL);
  g_autofree char *hash = foyer_quickxor_base64 (g_bytes_get_data (data, NULL), total);
  g_autoptr (GBytes) fetched = NULL;
  g_autofree char *graph_host = NULL;
  g_autofree char *url_host = NULL;
  JsonObject *hashes;

  /* The upload URL lives on another host than Graph, and takes no token. */
  g_assert_true (g_str_has_prefix (url, foyer_test_sandbox_get_sharepoint_url (sandbox)));
  g_assert_cmpstr (first_range (session), ==, "0-");
  g_assert_true (json_object_has_member (session, "expirationDateTime"));
  assert_error (with_token, 401, "unauthenticated");
  assert_error (odd, 400, "invalidRequest");
  g_assert_cmpuint (first->status, ==, 202);
  g_assert_cmpstr (first_range (f), ==, "655360-");
  assert_error (repeated, 416, "invalidRange");
  assert_error (gap, 416, "invalidRange");
  g_assert_cmpuint (status->status, ==, 200);
  g_assert_cmpstr (first_range (s), ==, "655360-");
  assert_error (wrong_total, 400, "invalidRequest");

  /* The last fragment may have any length; it completes the file. */
  g_assert_cmpuint (last->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Big report.docx");
  g_assert_cmpint (json_object_get_int_member (item, "size"), ==, total);
  hashes = json_object_get_object_member (json_object_get_object_member (item, "file"), "hashes");
  g_assert_cmpstr (json_object_get_string_member (hashes, "quickXorHash"), ==, hash);
  g_assert_cmpuint (after->status, ==, 404);
  fetched = download (json_object_get_string_member (item, "id"), alice);
  g_assert_true (g_bytes_equal (fetched, data));

  /* A second session with rename gets the OneDrive-style name. */
  {
    g_autoptr (JsonObject) again = create_session ("Big report.docx", "rename", 200);
    g_autoptr (GBytes) small = pattern_bytes (100, 4);
    g_autoptr (Reply) done
        = put_range (json_object_get_string_member (again, "uploadUrl"), small, 0, 100, NULL);
    g_autoptr (JsonObject) renamed = reply_json (done);

    g_assert_cmpuint (done->status, ==, 201);
    g_assert_cmpstr (json_object_get_string_member (renamed, "name"), ==, "Big report 1.docx");
  }
}

static void
test_session_conflicts (void)
{
  g_autoptr (GBytes) data = pattern_bytes (1000, 5);
  g_autoptr (GBytes) other = pattern_bytes (2000, 6);
  g_autoptr (JsonObject) first = create_session ("Minutes.txt", "fail", 200);
  g_autoptr (JsonObject) racing = create_session ("Minutes.txt", "fail", 200);
  g_autoptr (Reply) done
      = put_range (json_object_get_string_member (first, "uploadUrl"), data, 0, 1000, NULL);
  g_autoptr (JsonObject) item = reply_json (done);
  /* The name was taken while the second session was open: 409 at the end,
   * and the session stays, with its bytes. */
  g_autoptr (Reply) conflict
      = put_range (json_object_get_string_member (racing, "uploadUrl"), data, 0, 1000, NULL);
  g_autoptr (Reply) kept
      = send ("GET", json_object_get_string_member (racing, "uploadUrl"), NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) replacing = create_session ("Minutes.txt", "replace", 200);
  g_autoptr (Reply) replaced
      = put_range (json_object_get_string_member (replacing, "uploadUrl"), other, 0, 2000, NULL);
  g_autoptr (JsonObject) replaced_item = reply_json (replaced);
  g_autoptr (Reply) mismatch = NULL;
  g_autofree char *path
      = g_strdup_printf ("/me/drive/items/%s:/A.txt:/createUploadSession", foyer_files_id ());

  g_assert_cmpuint (done->status, ==, 201);
  assert_error (conflict, 409, "nameAlreadyExists");
  g_assert_cmpuint (kept->status, ==, 200);
  g_assert_cmpuint (replaced->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (replaced_item, "id"), ==,
                   json_object_get_string_member (item, "id"));
  g_assert_cmpint (json_object_get_int_member (replaced_item, "size"), ==, 2000);

  mismatch = graph ("POST", path, alice, "{\"item\":{\"name\":\"B.txt\"}}");
  assert_error (mismatch, 400, "invalidRequest");
}

static void
test_session_cancel_and_expiry (void)
{
  g_autoptr (GBytes) data = pattern_bytes (2 * UNIT + 10, 7);
  g_autoptr (JsonObject) cancelled = create_session ("Cancelled.bin", "rename", 200);
  const char *url = json_object_get_string_member (cancelled, "uploadUrl");
  g_autoptr (Reply) part = put_range (url, data, 0, UNIT, NULL);
  g_autoptr (Reply) deleted = send ("DELETE", url, NULL, NULL, NULL, NULL);
  g_autoptr (Reply) gone = send ("GET", url, NULL, NULL, NULL, NULL);
  g_autoptr (Reply) gone_put = put_range (url, data, UNIT, UNIT, NULL);
  g_autoptr (JsonObject) expiring = create_session ("Expiring.bin", "rename", 200);
  const char *url2 = json_object_get_string_member (expiring, "uploadUrl");
  g_autoptr (Reply) before = send ("GET", url2, NULL, NULL, NULL, NULL);
  g_autoptr (JsonObject) b = reply_json (before);
  g_autoptr (Reply) extended = NULL;
  g_autoptr (JsonObject) e = NULL;
  g_autoptr (Reply) expired = NULL;
  g_autoptr (JsonObject) by_clock = create_session ("Clock.bin", "rename", 200);
  g_autoptr (Reply) late = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) expire_reply = NULL;

  g_assert_cmpuint (part->status, ==, 202);
  g_assert_cmpuint (deleted->status, ==, 204);
  assert_error (gone, 404, "itemNotFound");
  assert_error (gone_put, 404, "itemNotFound");

  /* Each fragment moves the expiry on. */
  g_assert_true (foyer_test_sandbox_advance_clock (sandbox, 600, &error));
  extended = put_range (url2, data, 0, UNIT, NULL);
  e = reply_json (extended);
  g_assert_cmpuint (extended->status, ==, 202);
  g_assert_cmpstr (json_object_get_string_member (e, "expirationDateTime"), >,
                   json_object_get_string_member (b, "expirationDateTime"));
  expire_reply
      = foyer_test_sandbox_control (sandbox, "POST", "/uploads/expire", "{\"id\":null}", &error);
  g_assert_no_error (error);
  expired = put_range (url2, data, UNIT, UNIT, NULL);
  assert_error (expired, 404, "itemNotFound");

  /* The clock alone ends a session too (an hour without a fragment). */
  g_assert_true (foyer_test_sandbox_advance_clock (sandbox, 3601, &error));
  late
      = send ("GET", json_object_get_string_member (by_clock, "uploadUrl"), NULL, NULL, NULL, NULL);
  assert_error (late, 404, "itemNotFound");

  /* The tokens aged with the clock: the next tests get fresh ones. */
  g_free (alice);
  alice = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);
  g_free (bob);
  bob = foyer_test_sandbox_mint_token (sandbox, "bob@contoso.example", NULL, &error);
  g_assert_no_error (error);
}

static void
test_session_faults (void)
{
  g_autoptr (GBytes) data = pattern_bytes (40 * UNIT, 8);
  g_autoptr (JsonObject) session = create_session ("Faulty.bin", "rename", 200);
  const char *url = json_object_get_string_member (session, "uploadUrl");
  g_autoptr (GError) error = NULL;
  g_autoptr (Reply) throttled = NULL;
  g_autoptr (Reply) unavailable = NULL;
  g_autoptr (Reply) dropped = NULL;
  g_autoptr (Reply) status = NULL;
  g_autoptr (JsonObject) s = NULL;
  g_autoptr (JsonNode) uploads = NULL;
  g_autoptr (JsonNode) drop = NULL;
  g_autoptr (Reply) ok = NULL;
  JsonArray *sessions;
  gboolean seen = FALSE;

  foyer_test_sandbox_add_fault_json (
      sandbox,
      "{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"host\":\"sharepoint\","
      "\"status\":429,\"retryAfter\":3,\"times\":1}",
      &error);
  g_assert_no_error (error);
  throttled = put_range (url, data, 0, 8 * UNIT, NULL);
  assert_error (throttled, 429, "activityLimitReached");
  g_assert_cmpstr (soup_message_headers_get_one (throttled->headers, "Retry-After"), ==, "3");
  foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"status\":503,\"times\":1}",
      &error);
  unavailable = put_range (url, data, 0, 8 * UNIT, NULL);
  g_assert_cmpuint (unavailable->status, ==, 503);

  /* The connection goes away in the middle of a 10 MiB fragment: none of
   * its bytes count. */
  drop = foyer_test_sandbox_control (sandbox, "POST", "/uploads/drops",
                                     "{\"dropAfterBytes\":1000000,\"times\":1}", &error);
  g_assert_no_error (error);
  dropped = put_range (url, data, 0, 32 * UNIT, NULL);
  g_assert_nonnull (dropped->error);
  status = send ("GET", url, NULL, NULL, NULL, NULL);
  s = reply_json (status);
  g_assert_cmpstr (first_range (s), ==, "0-");
  uploads = foyer_test_sandbox_control (sandbox, "GET", "/uploads", NULL, &error);
  g_assert_no_error (error);
  sessions = json_object_get_array_member (json_node_get_object (uploads), "value");
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    {
      JsonObject *o = json_array_get_object_element (sessions, i);

      if (g_str_equal (json_object_get_string_member (o, "name"), "Faulty.bin"))
        {
          g_assert_cmpint (json_object_get_int_member (o, "dropped"), ==, 1);
          g_assert_cmpint (json_object_get_int_member (o, "received"), ==, 0);
          seen = TRUE;
        }
    }
  g_assert_true (seen);

  /* Then it goes through. */
  ok = put_range (url, data, 0, 32 * UNIT, NULL);
  g_assert_cmpuint (ok->status, ==, 202);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
}

static GBytes *
make_png (int width, int height, guint32 rgba)
{
  g_autoptr (GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize len = 0;

  gdk_pixbuf_fill (pb, rgba);
  g_assert_true (gdk_pixbuf_save_to_buffer (pb, &buffer, &len, "png", &error, NULL));
  return g_bytes_new_take (buffer, len);
}

static void
test_uploaded_item_works_everywhere (void)
{
  g_autoptr (GBytes) png = make_png (300, 200, 0xff0000ff);
  g_autoptr (JsonObject) session = create_session ("Red square.png", "rename", 200);
  g_autoptr (Reply) done = put_range (json_object_get_string_member (session, "uploadUrl"), png, 0,
                                      g_bytes_get_size (png), NULL);
  g_autoptr (JsonObject) item = reply_json (done);
  const char *id = json_object_get_string_member (item, "id");
  JsonObject *image = json_object_get_object_member (item, "image");
  g_autofree char *thumb_path
      = g_strdup_printf ("/me/drive/items/%s/thumbnails/0/medium/content", id);
  g_autoptr (Reply) thumb = graph ("GET", thumb_path, alice, NULL);
  g_autoptr (Reply) thumb_bytes = NULL;
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GdkPixbuf) pb = NULL;
  g_autofree char *link_path = g_strdup_printf ("/me/drive/items/%s/createLink", id);
  g_autoptr (Reply) link
      = graph ("POST", link_path, alice, "{\"type\":\"view\",\"scope\":\"organization\"}");
  g_autoptr (JsonObject) permission = reply_json (link);
  const char *web_url = json_object_get_string_member (
      json_object_get_object_member (permission, "link"), "webUrl");
  g_autofree char *share_id = foyer_test_sandbox_share_id (web_url);
  g_autofree char *shared_path = g_strdup_printf ("/shares/%s/driveItem", share_id);
  g_autoptr (Reply) bobs = graph ("GET", shared_path, bob, NULL);
  g_autofree char *preview_path = g_strdup_printf ("/shares/%s/driveItem/preview", share_id);
  g_autoptr (Reply) preview = graph ("POST", preview_path, bob, "{}");
  g_autoptr (JsonObject) p = reply_json (preview);
  g_autoptr (Reply) page
      = send ("GET", json_object_get_string_member (p, "getUrl"), NULL, NULL, NULL, NULL);
  guint8 *pixel;

  g_assert_cmpuint (done->status, ==, 201);
  g_assert_nonnull (image);
  g_assert_cmpint (json_object_get_int_member (image, "width"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (image, "height"), ==, 200);

  /* The thumbnail is the uploaded picture, scaled down. */
  g_assert_cmpuint (thumb->status, ==, 302);
  thumb_bytes = send ("GET", soup_message_headers_get_one (thumb->headers, "Location"), NULL, NULL,
                      NULL, NULL);
  g_assert_cmpuint (thumb_bytes->status, ==, 200);
  stream = g_memory_input_stream_new_from_bytes (thumb_bytes->body);
  pb = gdk_pixbuf_new_from_stream (stream, NULL, NULL);
  g_assert_nonnull (pb);
  g_assert_cmpint (gdk_pixbuf_get_width (pb), ==, 176);
  g_assert_cmpint (gdk_pixbuf_get_height (pb), ==, 117);
  pixel = gdk_pixbuf_get_pixels (pb) + 50 * gdk_pixbuf_get_rowstride (pb)
          + 80 * gdk_pixbuf_get_n_channels (pb);
  g_assert_cmpuint (pixel[0], >, 240);
  g_assert_cmpuint (pixel[1], <, 15);

  /* Shared like any file: Bob opens it and previews it with his own token. */
  g_assert_cmpuint (link->status, ==, 201);
  g_assert_cmpuint (bobs->status, ==, 200);
  g_assert_cmpuint (preview->status, ==, 200);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (g_bytes_get_data (page->body, NULL), "Red square.png"));
}

static void
test_site_library (void)
{
  g_autoptr (Reply) sites = graph ("GET", "/sites?search=Contoso", alice, NULL);
  g_autoptr (JsonObject) s = reply_json (sites);
  const char *site_id = json_object_get_string_member (
      json_array_get_object_element (json_object_get_array_member (s, "value"), 0), "id");
  g_autofree char *drive_path = g_strdup_printf ("/sites/%s/drive", site_id);
  g_autoptr (Reply) drive = graph ("GET", drive_path, alice, NULL);
  g_autoptr (JsonObject) d = reply_json (drive);
  g_autofree char *path
      = g_strdup_printf ("/drives/%s/root:/Team%%20notes.txt:/createUploadSession",
                         json_object_get_string_member (d, "id"));
  g_autoptr (Reply) created = graph ("POST", path, bob, "{}");
  g_autoptr (JsonObject) session = reply_json (created);
  g_autoptr (GBytes) data = pattern_bytes (10, 9);
  g_autoptr (Reply) done
      = put_range (json_object_get_string_member (session, "uploadUrl"), data, 0, 10, NULL);
  g_autoptr (JsonObject) item = reply_json (done);
  g_autoptr (Reply) foreign = NULL;
  g_autofree char *mallory = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (created->status, ==, 200);
  g_assert_nonnull (strstr (json_object_get_string_member (session, "uploadUrl"),
                            "/sites/ContosoTeam/_api/v2.0/uploadSession"));
  g_assert_cmpuint (done->status, ==, 201);
  g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Team notes.txt");

  /* Someone of another tenant may not write there. */
  mallory = foyer_test_sandbox_mint_token (sandbox, "mallory@fabrikam.example", NULL, &error);
  g_assert_no_error (error);
  foreign = graph ("POST", path, mallory, "{}");
  assert_error (foreign, 403, "accessDenied");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  api = foyer_test_sandbox_trust_session (sandbox,
                                          soup_session_new_with_options ("timeout", 60, NULL));
  alice = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);
  bob = foyer_test_sandbox_mint_token (sandbox, "bob@contoso.example", NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/sandbox/upload/folder", test_folder);
  g_test_add_func ("/sandbox/upload/simple", test_simple_upload);
  g_test_add_func ("/sandbox/upload/session", test_session);
  g_test_add_func ("/sandbox/upload/session-conflicts", test_session_conflicts);
  g_test_add_func ("/sandbox/upload/session-cancel-expiry", test_session_cancel_and_expiry);
  g_test_add_func ("/sandbox/upload/session-faults", test_session_faults);
  g_test_add_func ("/sandbox/upload/uploaded-item", test_uploaded_item_works_everywhere);
  g_test_add_func ("/sandbox/upload/site-library", test_site_library);
  status = g_test_run ();

  g_clear_object (&api);
  g_free (alice);
  g_free (bob);
  foyer_test_sandbox_unref (sandbox);
  return status;
}
