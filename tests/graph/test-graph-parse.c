/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parsing of Microsoft-shaped JSON: drive items, collections, errors,
 * Retry-After, shareId and paths. No network. */
#include "config.h"

#include <string.h>

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-graph-link.h"
#include "foyer-retry.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static FoyerDriveItem *
item_from (const char *json, GError **error)
{
  g_autoptr (JsonNode) root = parse (json);

  return foyer_drive_item_new_from_json (json_node_get_object (root), error);
}

/* From Microsoft's driveItem documentation (OneDrive for Business). */
static const char file_json[]
    = "{\"@odata.etag\":\"\\\"{AB12},1\\\"\",\"id\":\"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K\","
      "\"name\":\"Quarterly Report.docx\",\"size\":35212,"
      "\"webUrl\":\"https://contoso-my.sharepoint.com/personal/alice_contoso_com/Documents/"
      "Quarterly%20Report.docx\",\"createdDateTime\":\"2026-10-01T08:00:00Z\","
      "\"lastModifiedDateTime\":\"2026-11-20T15:31:02Z\","
      "\"lastModifiedBy\":{\"user\":{\"displayName\":\"Alice Martin\","
      "\"email\":\"alice@contoso.com\",\"id\":\"a1\"}},"
      "\"parentReference\":{\"driveId\":\"b!drive-1\",\"driveType\":\"business\","
      "\"id\":\"01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ\","
      "\"path\":\"/drive/root:/Documents/Team%20Plans\"},"
      "\"file\":{\"mimeType\":\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document\","
      "\"hashes\":{\"quickXorHash\":\"abc=\"}},\"shared\":{\"scope\":\"users\"}}";

static void
test_item_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = item_from (file_json, &error);
  g_autofree char *name = NULL;
  GDateTime *modified;

  g_assert_no_error (error);
  g_assert_nonnull (item);
  g_assert_cmpstr (foyer_drive_item_get_id (item), ==, "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K");
  g_assert_cmpstr (foyer_drive_item_get_name (item), ==, "Quarterly Report.docx");
  g_assert_cmpint (foyer_drive_item_get_size (item), ==, 35212);
  g_assert_false (foyer_drive_item_get_is_folder (item));
  g_assert_cmpint (foyer_drive_item_get_child_count (item), ==, -1);
  g_assert_cmpint (foyer_drive_item_get_kind (item), ==, FOYER_DRIVE_ITEM_KIND_DOCUMENT);
  g_assert_cmpstr (foyer_drive_item_get_modified_by_name (item), ==, "Alice Martin");
  g_assert_cmpstr (foyer_drive_item_get_modified_by_email (item), ==, "alice@contoso.com");
  g_assert_cmpstr (foyer_drive_item_get_drive_id (item), ==, "b!drive-1");
  g_assert_cmpstr (foyer_drive_item_get_drive_type (item), ==, "business");
  g_assert_cmpstr (foyer_drive_item_get_parent_id (item), ==, "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ");
  g_assert_cmpstr (foyer_drive_item_get_parent_path (item), ==, "/Documents/Team Plans");
  g_assert_false (foyer_drive_item_get_is_remote (item));
  g_assert_true (foyer_drive_item_get_has_thumbnail (item));
  g_assert_cmpstr (foyer_drive_item_get_target_drive_id (item), ==, "b!drive-1");
  g_assert_cmpstr (foyer_drive_item_get_target_id (item), ==, "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K");

  modified = foyer_drive_item_get_modified (item);
  g_assert_nonnull (modified);
  g_assert_cmpint (g_date_time_get_year (modified), ==, 2026);
  g_assert_cmpint (g_date_time_get_day_of_month (modified), ==, 20);
  g_assert_cmpint (g_date_time_get_hour (modified), ==, 15);

  /* Properties are readable for bindings. */
  g_object_get (item, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "Quarterly Report.docx");
}

static void
test_item_folder (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item
      = item_from ("{\"id\":\"F1\",\"name\":\"Team Plans\",\"folder\":{\"childCount\":12},"
                   "\"parentReference\":{\"driveId\":\"d\",\"path\":\"/drive/root:\"},"
                   "\"size\":1024}",
                   &error);
  FoyerDriveItemKind kind;

  g_assert_no_error (error);
  g_assert_true (foyer_drive_item_get_is_folder (item));
  g_assert_cmpint (foyer_drive_item_get_child_count (item), ==, 12);
  g_assert_cmpstr (foyer_drive_item_get_parent_path (item), ==, "/");
  g_assert_false (foyer_drive_item_get_has_thumbnail (item));
  g_object_get (item, "kind", &kind, NULL);
  g_assert_cmpint (kind, ==, FOYER_DRIVE_ITEM_KIND_FOLDER);
}

/* From sharedWithMe: the facets live on remoteItem. */
static void
test_item_remote (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = item_from (
      "{\"id\":\"LOCAL1\",\"name\":\"Budget.xlsx\",\"remoteItem\":{\"id\":\"REMOTE9\","
      "\"size\":4096,\"file\":{\"mimeType\":\"application/vnd.openxmlformats-officedocument."
      "spreadsheetml.sheet\"},\"parentReference\":{\"driveId\":\"b!bob-drive\","
      "\"driveType\":\"business\"},\"webUrl\":\"https://contoso-my.sharepoint.com/x\","
      "\"lastModifiedBy\":{\"user\":{\"displayName\":\"Bob\"}}}}",
      &error);

  g_assert_no_error (error);
  g_assert_true (foyer_drive_item_get_is_remote (item));
  g_assert_cmpstr (foyer_drive_item_get_remote_id (item), ==, "REMOTE9");
  g_assert_cmpstr (foyer_drive_item_get_remote_drive_id (item), ==, "b!bob-drive");
  g_assert_cmpstr (foyer_drive_item_get_target_drive_id (item), ==, "b!bob-drive");
  g_assert_cmpstr (foyer_drive_item_get_target_id (item), ==, "REMOTE9");
  g_assert_cmpint (foyer_drive_item_get_size (item), ==, 4096);
  g_assert_cmpint (foyer_drive_item_get_kind (item), ==, FOYER_DRIVE_ITEM_KIND_SPREADSHEET);
  g_assert_cmpstr (foyer_drive_item_get_web_url (item), ==, "https://contoso-my.sharepoint.com/x");
  g_assert_cmpstr (foyer_drive_item_get_modified_by_name (item), ==, "Bob");

  /* A remoteItem without its id is unusable. */
  g_clear_object (&item);
  item = item_from ("{\"id\":\"L\",\"remoteItem\":{\"size\":1}}", &error);
  g_assert_null (item);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
}

static void
test_item_package (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = item_from (
      "{\"id\":\"P\",\"name\":\"Notebook\",\"package\":{\"type\":\"oneNote\"},\"size\":0}", &error);

  g_assert_no_error (error);
  g_assert_true (foyer_drive_item_get_is_package (item));
  g_assert_false (foyer_drive_item_get_is_folder (item));
  g_assert_false (foyer_drive_item_get_has_thumbnail (item));
}

static void
test_item_missing_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = item_from ("{\"id\":\"X\",\"name\":null}", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (foyer_drive_item_get_id (item), ==, "X");
  g_assert_null (foyer_drive_item_get_name (item));
  g_assert_cmpint (foyer_drive_item_get_size (item), ==, -1);
  g_assert_null (foyer_drive_item_get_modified (item));
  g_assert_null (foyer_drive_item_get_parent_path (item));
  g_assert_cmpint (foyer_drive_item_get_kind (item), ==, FOYER_DRIVE_ITEM_KIND_OTHER);

  g_clear_object (&item);
  item = item_from ("{\"name\":\"no id\"}", &error);
  g_assert_null (item);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
}

static void
test_item_wrong_types (void)
{
  static const char *const bad[] = {
    "{\"id\":42}",
    "{\"id\":\"x\",\"name\":7}",
    "{\"id\":\"x\",\"size\":\"big\"}",
    "{\"id\":\"x\",\"size\":-5}",
    "{\"id\":\"x\",\"size\":1.5}",
    "{\"id\":\"x\",\"folder\":\"yes\"}",
    "{\"id\":\"x\",\"folder\":{\"childCount\":\"3\"}}",
    "{\"id\":\"x\",\"file\":{\"mimeType\":[]}}",
    "{\"id\":\"x\",\"parentReference\":[]}",
    "{\"id\":\"x\",\"parentReference\":{\"path\":{}}}",
    "{\"id\":\"x\",\"lastModifiedDateTime\":\"yesterday\"}",
    "{\"id\":\"x\",\"lastModifiedBy\":{\"user\":\"bob\"}}",
    "{\"id\":\"x\",\"remoteItem\":true}",
    "{\"id\":\"\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerDriveItem) item = item_from (bad[i], &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (item);
      g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
    }
}

static void
test_item_kind (void)
{
  g_assert_cmpint (foyer_drive_item_kind_guess ("application/pdf", "x"), ==,
                   FOYER_DRIVE_ITEM_KIND_PDF);
  g_assert_cmpint (foyer_drive_item_kind_guess ("application/octet-stream", "slides.PPTX"), ==,
                   FOYER_DRIVE_ITEM_KIND_PRESENTATION);
  g_assert_cmpint (foyer_drive_item_kind_guess (NULL, "photo.jpeg"), ==,
                   FOYER_DRIVE_ITEM_KIND_IMAGE);
  g_assert_cmpint (foyer_drive_item_kind_guess ("image/png", NULL), ==,
                   FOYER_DRIVE_ITEM_KIND_IMAGE);
  g_assert_cmpint (foyer_drive_item_kind_guess ("text/plain", "a.txt"), ==,
                   FOYER_DRIVE_ITEM_KIND_TEXT);
  g_assert_cmpint (foyer_drive_item_kind_guess ("text/csv", "a.csv"), ==,
                   FOYER_DRIVE_ITEM_KIND_SPREADSHEET);
  g_assert_cmpint (foyer_drive_item_kind_guess ("application/zip", NULL), ==,
                   FOYER_DRIVE_ITEM_KIND_ARCHIVE);
  g_assert_cmpint (foyer_drive_item_kind_guess (NULL, ".bashrc"), ==, FOYER_DRIVE_ITEM_KIND_OTHER);
  g_assert_cmpint (foyer_drive_item_kind_guess (NULL, "README"), ==, FOYER_DRIVE_ITEM_KIND_OTHER);
  g_assert_cmpint (foyer_drive_item_kind_guess (NULL, NULL), ==, FOYER_DRIVE_ITEM_KIND_OTHER);
}

static void
test_item_insight (void)
{
  g_autoptr (JsonNode) root
      = parse ("{\"id\":\"AAA\",\"lastUsed\":{\"lastAccessedDateTime\":\"2026-11-27T10:00:00Z\","
               "\"lastModifiedDateTime\":\"2026-11-26T10:00:00Z\"},\"resourceVisualization\":{"
               "\"title\":\"Plan.pptx\",\"type\":\"PowerPoint\",\"mediaType\":\"application/"
               "vnd.openxmlformats-officedocument.presentationml.presentation\"},"
               "\"resourceReference\":{\"webUrl\":\"https://contoso.sharepoint.com/Plan.pptx\","
               "\"id\":\"drives/b!d1/items/ITEM7\",\"type\":\"microsoft.graph.driveItem\"}}");
  g_autoptr (JsonNode) mail = parse ("{\"id\":\"M\",\"resourceVisualization\":{\"title\":\"x\"},"
                                     "\"resourceReference\":{\"id\":\"users/u/messages/"
                                     "m\",\"type\":\"microsoft.graph.message\"}}");
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (FoyerDriveItem) skipped = NULL;

  item = foyer_drive_item_new_from_insight (json_node_get_object (root), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_drive_item_get_id (item), ==, "ITEM7");
  g_assert_cmpstr (foyer_drive_item_get_drive_id (item), ==, "b!d1");
  g_assert_cmpstr (foyer_drive_item_get_name (item), ==, "Plan.pptx");
  g_assert_cmpint (foyer_drive_item_get_kind (item), ==, FOYER_DRIVE_ITEM_KIND_PRESENTATION);
  g_assert_nonnull (foyer_drive_item_get_modified (item));

  skipped = foyer_drive_item_new_from_insight (json_node_get_object (mail), &error);
  g_assert_no_error (error);
  g_assert_null (skipped);
}

static void
test_item_site_and_drive (void)
{
  g_autoptr (JsonNode) site = parse (
      "{\"id\":\"contoso.sharepoint.com,2C71,2D22\",\"name\":\"marketing\",\"displayName\":"
      "\"Marketing\",\"webUrl\":\"https://contoso.sharepoint.com/sites/marketing\"}");
  g_autoptr (JsonNode) drive
      = parse ("{\"id\":\"b!t18F8y\",\"driveType\":\"documentLibrary\",\"name\":\"Documents\","
               "\"webUrl\":\"https://contoso.sharepoint.com/sites/marketing/Shared%20Documents\"}");
  g_autoptr (JsonNode) bad = parse ("{\"name\":\"no id\"}");
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDriveItem) s_item = NULL;
  g_autoptr (FoyerDriveItem) d_item = NULL;
  g_autoptr (FoyerDriveItem) none = NULL;

  s_item = foyer_drive_item_new_from_site (json_node_get_object (site), &error);
  g_assert_no_error (error);
  g_assert_true (foyer_drive_item_get_is_site (s_item));
  g_assert_true (foyer_drive_item_get_is_folder (s_item));
  g_assert_cmpstr (foyer_drive_item_get_name (s_item), ==, "Marketing");
  g_assert_cmpstr (foyer_drive_item_get_id (s_item), ==, "contoso.sharepoint.com,2C71,2D22");
  g_assert_false (foyer_drive_item_get_has_thumbnail (s_item));

  d_item = foyer_drive_item_new_from_drive (json_node_get_object (drive), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_drive_item_get_id (d_item), ==, "root");
  g_assert_cmpstr (foyer_drive_item_get_drive_id (d_item), ==, "b!t18F8y");
  g_assert_cmpstr (foyer_drive_item_get_drive_type (d_item), ==, "documentLibrary");
  g_assert_cmpint (foyer_drive_item_get_kind (d_item), ==, FOYER_DRIVE_ITEM_KIND_FOLDER);

  none = foyer_drive_item_new_from_drive (json_node_get_object (bad), &error);
  g_assert_null (none);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
  g_clear_error (&error);
  none = foyer_drive_item_new_from_site (json_node_get_object (bad), &error);
  g_assert_null (none);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
}

static void
test_collection (void)
{
  g_autoptr (JsonNode) page = parse (
      "{\"@odata.context\":\"x\",\"value\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\","
      "\"folder\":{\"childCount\":0}}],\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/"
      "me/drive/root/children?$skiptoken=X\"}");
  g_autoptr (JsonNode) last = parse ("{\"value\":[]}");
  static const char *const bad[] = {
    "[]",
    "{}",
    "{\"value\":{}}",
    "{\"value\":[1]}",
    "{\"value\":[{\"id\":1}]}",
    "{\"value\":[],\"@odata.nextLink\":5}",
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *next = NULL;

  items = foyer_drive_item_parse_collection (page, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 2);
  g_assert_cmpstr (foyer_drive_item_get_name (g_ptr_array_index (items, 0)), ==, "A");
  g_assert_true (foyer_drive_item_get_is_folder (g_ptr_array_index (items, 1)));
  g_assert_cmpstr (next, ==,
                   "https://graph.microsoft.com/v1.0/me/drive/root/children?$skiptoken=X");

  g_clear_pointer (&items, g_ptr_array_unref);
  g_clear_pointer (&next, g_free);
  items = foyer_drive_item_parse_collection (last, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
  g_assert_null (next);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonNode) root = parse (bad[i]);
      g_autoptr (GPtrArray) none = NULL;
      g_autoptr (GError) local_error = NULL;

      none = foyer_drive_item_parse_collection (root, NULL, &local_error);
      g_assert_null (none);
      g_assert_error (local_error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
    }
}

static void
test_share_id (void)
{
  g_autofree char *id = foyer_graph_share_id_encode (
      "https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1");
  g_autofree char *plus_slash = NULL;

  g_assert_cmpstr (id, ==,
                   "u!"
                   "aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMjMxMjQ0MTkzOTEyITEyJmF1dGh"
                   "LZXk9MTIwMTkxOSExMjkyMSEx");
  /* "???" is "Pz8/" in base64: the URL-safe form has no '/' and no '='. */
  plus_slash = foyer_graph_share_id_encode ("a?\?\?>");
  g_assert_cmpstr (plus_slash, ==, "u!YT8_Pz4");
}

static void
test_error_json (void)
{
  g_autoptr (JsonNode) nested = parse (
      "{\"error\":{\"code\":\"accessDenied\",\"message\":\"Access denied\",\"innerError\":{"
      "\"code\":\"notAllowed\",\"innerError\":{\"code\":\"throttledRequest\",\"innerError\":{"
      "\"code\":\"someFutureCode\"}},\"request-id\":\"rid-123\",\"date\":\"2026-11-28T10:00:00\"}}"
      "}");
  g_autoptr (JsonNode) unknown = parse ("{\"error\":{\"code\":\"weirdError\",\"message\":\"?\","
                                        "\"innerError\":{\"request-id\":\"r2\"}}}");
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) copy = NULL;

  /* The deepest known code wins: throttledRequest, not accessDenied. */
  error = foyer_graph_error_new_from_json (403, NULL, nested);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpuint (foyer_graph_error_get_status (error), ==, 403);
  g_assert_cmpstr (foyer_graph_error_get_code (error), ==, "throttledRequest");
  g_assert_cmpstr (foyer_graph_error_get_request_id (error), ==, "rid-123");
  g_assert_true (
      g_str_has_suffix (error->message, " (HTTP 403, throttledRequest, request-id rid-123)"));

  copy = g_error_copy (error);
  g_assert_cmpuint (foyer_graph_error_get_status (copy), ==, 403);
  g_assert_cmpstr (foyer_graph_error_get_request_id (copy), ==, "rid-123");
  g_clear_error (&error);

  /* An unknown code is kept; the HTTP status decides. The header's
   * request id is preferred. */
  error = foyer_graph_error_new_from_json (404, "hdr-rid", unknown);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_FOUND);
  g_assert_cmpstr (foyer_graph_error_get_code (error), ==, "weirdError");
  g_assert_cmpstr (foyer_graph_error_get_request_id (error), ==, "hdr-rid");
  g_clear_error (&error);

  /* No usable body at all. */
  {
    g_autoptr (GBytes) junk = g_bytes_new_static ("<html>", 6);

    error = foyer_graph_error_new_from_response (503, NULL, junk);
    g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE);
    g_assert_null (foyer_graph_error_get_code (error));
    g_assert_cmpuint (foyer_graph_error_get_status (error), ==, 503);
    g_clear_error (&error);
  }

  g_assert_cmpint (foyer_graph_error_code_from_graph ("nameAlreadyExists", 409), ==,
                   FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS);
  g_assert_cmpint (foyer_graph_error_code_from_graph ("quotaLimitReached", 507), ==,
                   FOYER_GRAPH_ERROR_QUOTA);
  g_assert_cmpint (foyer_graph_error_code_from_graph ("invalidRequest", 400), ==,
                   FOYER_GRAPH_ERROR_INVALID_REQUEST);
  g_assert_cmpint (foyer_graph_error_code_from_graph ("itemNotFound", 404), ==,
                   FOYER_GRAPH_ERROR_NOT_FOUND);
  g_assert_cmpint (foyer_graph_error_code_from_graph (NULL, 429), ==, FOYER_GRAPH_ERROR_THROTTLED);
  g_assert_cmpint (foyer_graph_error_code_from_graph (NULL, 418), ==, FOYER_GRAPH_ERROR_FAILED);

  /* Other domains have no Graph facts. */
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");
  g_assert_cmpuint (foyer_graph_error_get_status (error), ==, 0);
  g_assert_null (foyer_graph_error_get_code (error));
}

static void
test_retry_after (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_utc (2026, 11, 28, 12, 0, 0);
  guint seconds = 99;

  g_assert_true (foyer_retry_parse_after ("41", now, &seconds));
  g_assert_cmpuint (seconds, ==, 41);
  g_assert_true (foyer_retry_parse_after (" 0 ", now, &seconds));
  g_assert_cmpuint (seconds, ==, 0);
  g_assert_true (foyer_retry_parse_after ("Sat, 28 Nov 2026 12:05:15 GMT", now, &seconds));
  g_assert_cmpuint (seconds, ==, 315);
  g_assert_true (foyer_retry_parse_after ("Sat, 28 Nov 2026 11:00:00 GMT", now, &seconds));
  g_assert_cmpuint (seconds, ==, 0);
  g_assert_true (foyer_retry_parse_after ("99999999999999", now, &seconds));
  g_assert_cmpuint (seconds, ==, G_MAXUINT);

  g_assert_false (foyer_retry_parse_after (NULL, now, &seconds));
  g_assert_false (foyer_retry_parse_after ("", now, &seconds));
  g_assert_false (foyer_retry_parse_after ("-5", now, &seconds));
  g_assert_false (foyer_retry_parse_after ("5s", now, &seconds));
  g_assert_false (foyer_retry_parse_after ("soon", now, &seconds));
}

static void
test_paths (void)
{
  g_autofree char *a = foyer_graph_item_path (NULL, NULL, "/children");
  g_autofree char *b = foyer_graph_item_path ("b!x y", "12!3", "/createLink");
  g_autofree char *c = foyer_graph_item_path ("d", "root", "/children");
  g_autofree char *d = foyer_graph_thumbnail_path (NULL, "A/B", "c300x400_crop");
  g_autofree char *e = foyer_graph_shared_thumbnail_path ("u!abc", "large");

  g_assert_cmpstr (a, ==, "/me/drive/root/children");
  g_assert_cmpstr (b, ==, "/drives/b!x%20y/items/12!3/createLink");
  g_assert_cmpstr (c, ==, "/drives/d/root/children");
  g_assert_cmpstr (d, ==, "/me/drive/items/A%2FB/thumbnails/0/c300x400_crop/content");
  g_assert_cmpstr (e, ==, "/shares/u!abc/driveItem/thumbnails/0/large/content");
}

static void
test_link_permission (void)
{
  g_autoptr (JsonNode) root
      = parse ("{\"id\":\"123ABC\",\"roles\":[\"write\"],\"link\":{\"type\":\"edit\",\"scope\":"
               "\"organization\",\"webUrl\":\"https://contoso.sharepoint.com/:w:/g/abc\"},"
               "\"hasPassword\":false}");
  g_autoptr (JsonNode) no_scope
      = parse ("{\"id\":\"1\",\"link\":{\"type\":\"view\",\"webUrl\":\"https://x/y\"}}");
  g_autoptr (JsonNode) no_url = parse ("{\"id\":\"1\",\"link\":{\"type\":\"view\"}}");
  g_autoptr (FoyerGraphLink) link = NULL;
  g_autoptr (FoyerGraphLink) copy = NULL;
  g_autoptr (GError) error = NULL;

  link = foyer_graph_link_new_from_permission (root, FOYER_GRAPH_LINK_SCOPE_ANONYMOUS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->type, ==, FOYER_LINK_TYPE_EDIT);
  g_assert_cmpint (link->scope, ==, FOYER_GRAPH_LINK_SCOPE_ORGANIZATION);
  g_assert_cmpstr (link->web_url, ==, "https://contoso.sharepoint.com/:w:/g/abc");
  g_assert_cmpstr (link->permission_id, ==, "123ABC");
  copy = foyer_graph_link_copy (link);
  g_assert_cmpstr (copy->web_url, ==, link->web_url);
  g_clear_pointer (&link, foyer_graph_link_free);

  link = foyer_graph_link_new_from_permission (no_scope, FOYER_GRAPH_LINK_SCOPE_USERS, &error);
  g_assert_no_error (error);
  g_assert_cmpint (link->scope, ==, FOYER_GRAPH_LINK_SCOPE_USERS);
  g_clear_pointer (&link, foyer_graph_link_free);

  link = foyer_graph_link_new_from_permission (no_url, FOYER_GRAPH_LINK_SCOPE_USERS, &error);
  g_assert_null (link);
  g_assert_error (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_MALFORMED_RESPONSE);
}

/* GET /organization: the first entry's displayName, or nothing. */
static void
test_organization_name (void)
{
  static const char *const none[] = {
    "[]",
    "{}",
    "{\"value\": []}",
    "{\"value\": [42]}",
    "{\"value\": [{\"id\": \"t\"}]}",
    "{\"value\": [{\"displayName\": 7}]}",
    "{\"value\": [{\"displayName\": \"\"}]}",
    "{\"value\": {\"displayName\": \"Contoso\"}}",
  };
  g_autoptr (JsonNode) good
      = parse ("{\"value\": [{\"id\": \"t\", \"displayName\": \"Contoso Ltd\"}, "
               "{\"displayName\": \"Other\"}]}");
  g_autofree char *name = foyer_graph_organization_name_from_json (good);
  g_autofree char *long_name = g_strnfill (257, 'x');
  g_autofree char *too_long
      = g_strdup_printf ("{\"value\": [{\"displayName\": \"%s\"}]}", long_name);
  g_autoptr (JsonNode) long_node = parse (too_long);
  g_autofree char *from_long = foyer_graph_organization_name_from_json (long_node);

  g_assert_cmpstr (name, ==, "Contoso Ltd");
  g_assert_null (from_long);
  g_assert_null (foyer_graph_organization_name_from_json (NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (none); i++)
    {
      g_autoptr (JsonNode) node = parse (none[i]);
      g_autofree char *nothing = foyer_graph_organization_name_from_json (node);

      g_assert_null (nothing);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/organization-name", test_organization_name);
  g_test_add_func ("/graph/item/file", test_item_file);
  g_test_add_func ("/graph/item/folder", test_item_folder);
  g_test_add_func ("/graph/item/remote", test_item_remote);
  g_test_add_func ("/graph/item/package", test_item_package);
  g_test_add_func ("/graph/item/missing-fields", test_item_missing_fields);
  g_test_add_func ("/graph/item/wrong-types", test_item_wrong_types);
  g_test_add_func ("/graph/item/kind", test_item_kind);
  g_test_add_func ("/graph/item/insight", test_item_insight);
  g_test_add_func ("/graph/item/site-and-drive", test_item_site_and_drive);
  g_test_add_func ("/graph/collection", test_collection);
  g_test_add_func ("/graph/share-id", test_share_id);
  g_test_add_func ("/graph/error/json", test_error_json);
  g_test_add_func ("/graph/retry-after", test_retry_after);
  g_test_add_func ("/graph/paths", test_paths);
  g_test_add_func ("/graph/link/permission", test_link_permission);
  return g_test_run ();
}
