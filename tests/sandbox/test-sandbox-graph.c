/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's Graph endpoints: tokens, listing, paging, thumbnails, sharing. */
#include "config.h"

#include "test-sandbox-common.h"

#include <string.h>

static FoyerTestSandbox *sandbox;
static SoupSession *api;
static char *alice, *bob, *carol, *mallory;

static TcReply *
graph_get (const char *path, const char *token)
{
  g_autofree char *url = tc_graph (sandbox, path);

  return tc_get (api, url, token);
}

static TcReply *
graph_post (const char *path, const char *json, const char *token)
{
  g_autofree char *url = tc_graph (sandbox, path);

  return tc_post_json (api, url, json, token);
}

static JsonObject *
graph_json (const char *path, const char *token, guint expected)
{
  g_autoptr (TcReply) r = graph_get (path, token);

  g_assert_cmpuint (r->status, ==, expected);
  return tc_json (r);
}

static void
assert_graph_error (TcReply *r, guint status, const char *code)
{
  g_autoptr (JsonObject) o = tc_json (r);
  JsonObject *e = json_object_get_object_member (o, "error");

  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, code);
  g_assert_true (
      json_object_has_member (json_object_get_object_member (e, "innerError"), "request-id"));
}

/* The id of the child called name, listing folder_path. */
static char *
child_id (const char *token, const char *folder_path, const char *name)
{
  g_autoptr (JsonObject) o = graph_json (folder_path, token, 200);
  JsonArray *value = json_object_get_array_member (o, "value");

  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *item = json_array_get_object_element (value, i);

      if (g_str_equal (json_object_get_string_member (item, "name"), name))
        return g_strdup (json_object_get_string_member (item, "id"));
    }
  g_assert_not_reached ();
  return NULL;
}

static char *
alice_doc (const char *name)
{
  g_autofree char *docs = child_id (alice, "/me/drive/root/children", "Documents");
  g_autofree char *path = g_strdup_printf ("/me/drive/items/%s/children", docs);

  return child_id (alice, path, name);
}

static void
test_unauthorized (void)
{
  g_autoptr (TcReply) none = graph_get ("/me/drive/root/children", NULL);
  g_autoptr (TcReply) bogus = graph_get ("/me/drive/root/children", "not-a-token");
  g_autoptr (GError) error = NULL;
  g_autofree char *carol2
      = foyer_test_sandbox_mint_token (sandbox, "carol@contoso.example", NULL, &error);
  g_autoptr (TcReply) ok = graph_get ("/me", carol2);
  g_autoptr (TcReply) expired = NULL;
  g_autoptr (TcReply) revoked = NULL;
  g_autofree char *fresh = NULL;

  assert_graph_error (none, 401, "InvalidAuthenticationToken");
  g_assert_nonnull (soup_message_headers_get_one (none->headers, "WWW-Authenticate"));
  assert_graph_error (bogus, 401, "InvalidAuthenticationToken");
  g_assert_cmpuint (ok->status, ==, 200);

  g_assert_true (foyer_test_sandbox_expire_tokens (sandbox, "carol@contoso.example", &error));
  expired = graph_get ("/me", carol2);
  assert_graph_error (expired, 401, "InvalidAuthenticationToken");
  g_assert_nonnull (strstr (expired->body, "expired"));

  fresh = foyer_test_sandbox_mint_token (sandbox, "carol@contoso.example", NULL, &error);
  g_assert_true (foyer_test_sandbox_revoke_tokens (sandbox, "carol@contoso.example", &error));
  revoked = graph_get ("/me", fresh);
  assert_graph_error (revoked, 401, "InvalidAuthenticationToken");
  g_assert_nonnull (strstr (revoked->body, "TokensRevoked"));
}

static void
test_children_and_select (void)
{
  g_autofree char *docs = child_id (alice, "/me/drive/root/children", "Documents");
  g_autofree char *path
      = g_strdup_printf ("/me/drive/items/%s/children?$select=id,name,file", docs);
  g_autoptr (JsonObject) o = graph_json (path, alice, 200);
  JsonArray *value = json_object_get_array_member (o, "value");
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autofree char *report = alice_doc ("Quarterly report.docx");
  g_autofree char *item_path = g_strdup_printf ("/me/drive/items/%s", report);
  g_autoptr (JsonObject) item = graph_json (item_path, alice, 200);
  g_autoptr (JsonObject) by_path
      = graph_json ("/me/drive/root:/Documents/Quarterly%20report.docx", alice, 200);
  JsonObject *parent = json_object_get_object_member (item, "parentReference");
  g_autofree char *web = g_strdup_printf (
      "%s/personal/alice_contoso_example/Documents/Documents/Quarterly%%20report.docx",
      foyer_test_sandbox_get_sharepoint_url (sandbox));

  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *c = json_array_get_object_element (value, i);

      g_ptr_array_add (names, (gpointer) json_object_get_string_member (c, "name"));
      g_assert_false (json_object_has_member (c, "webUrl"));
      g_assert_false (json_object_has_member (c, "size"));
    }
  for (const char *const *n
       = (const char *const[]){ "Quarterly report.docx", "Budget 2027.xlsx", "Roadmap.pptx",
                                "Contract.pdf", "notes.txt", "archive.zip", "photos", NULL };
       *n != NULL; n++)
    g_assert_true (g_ptr_array_find_with_equal_func (names, *n, g_str_equal, NULL));

  g_assert_cmpstr (json_object_get_string_member (by_path, "id"), ==, report);
  g_assert_cmpstr (json_object_get_string_member (item, "webUrl"), ==, web);
  g_assert_cmpstr (json_object_get_string_member (parent, "path"), ==, "/drive/root:/Documents");
  g_assert_cmpstr (json_object_get_string_member (parent, "driveType"), ==, "business");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (item, "file"), "mimeType"), ==,
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
}

static void
test_big_folder_paging (void)
{
  g_autofree char *big = child_id (alice, "/me/drive/root/children?$top=1000", "Big folder");
  g_autofree char *first
      = g_strdup_printf ("/me/drive/items/%s/children?$top=1000&$select=id,name", big);
  g_autofree char *url = tc_graph (sandbox, first);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint pages = 0;
  g_autofree char *last_name = NULL;

  while (url != NULL)
    {
      g_autoptr (TcReply) r = tc_get (api, url, alice);
      g_autoptr (JsonObject) o = NULL;
      JsonArray *value;

      g_assert_cmpuint (r->status, ==, 200);
      o = tc_json (r);
      value = json_object_get_array_member (o, "value");
      g_assert_cmpuint (json_array_get_length (value), ==, 1000);
      for (guint i = 0; i < json_array_get_length (value); i++)
        {
          JsonObject *c = json_array_get_object_element (value, i);

          g_assert_true (
              g_hash_table_add (seen, g_strdup (json_object_get_string_member (c, "id"))));
          g_assert_false (json_object_has_member (c, "size"));
        }
      g_free (last_name);
      last_name = g_strdup (
          json_object_get_string_member (json_array_get_object_element (value, 999), "name"));
      g_free (url);
      url = g_strdup (json_object_get_string_member_with_default (o, "@odata.nextLink", NULL));
      /* As Graph writes them: the query's names literally, $skiptoken too. */
      if (url != NULL)
        {
          g_assert_nonnull (strstr (url, "$select=id,name"));
          g_assert_nonnull (strstr (url, "$skiptoken="));
          g_assert_null (strstr (url, "%24"));
        }
      pages++;
    }
  g_assert_cmpuint (pages, ==, 100);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 100000);
  g_assert_cmpstr (last_name, ==, "Item 099999.png");

  /* Default page size is 200, and one generated item can be fetched by id. */
  {
    g_autofree char *p = g_strdup_printf ("/me/drive/items/%s/children", big);
    g_autoptr (JsonObject) o = graph_json (p, alice, 200);
    JsonArray *value = json_object_get_array_member (o, "value");
    const char *id = json_object_get_string_member (json_array_get_object_element (value, 5), "id");
    g_autofree char *ip = g_strdup_printf ("/me/drive/items/%s", id);
    g_autoptr (JsonObject) item = graph_json (ip, alice, 200);

    g_assert_cmpuint (json_array_get_length (value), ==, 200);
    g_assert_cmpstr (json_object_get_string_member (item, "name"), ==, "Item 000005.jpg");
  }
}

static gboolean
has_name (JsonArray *value, const char *name, gboolean remote)
{
  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *c = json_array_get_object_element (value, i);

      if (g_str_equal (json_object_get_string_member (c, "name"), name))
        return !remote || json_object_has_member (c, "remoteItem");
    }
  return FALSE;
}

static void
test_lists (void)
{
  g_autoptr (JsonObject) search = graph_json ("/me/drive/root/search(q='budget')", alice, 200);
  g_autoptr (JsonObject) shared = graph_json ("/me/drive/sharedWithMe", alice, 200);
  g_autoptr (JsonObject) recent = graph_json ("/me/drive/recent", alice, 200);
  g_autoptr (JsonObject) used = graph_json ("/me/insights/used", alice, 200);
  g_autoptr (JsonObject) ishared = graph_json ("/me/insights/shared", alice, 200);
  g_autoptr (JsonObject) followed = graph_json ("/me/followedSites", alice, 200);
  g_autoptr (JsonObject) sites = graph_json ("/sites?search=team", alice, 200);
  g_autoptr (JsonObject) foreign = graph_json ("/sites?search=team", mallory, 200);
  JsonArray *sv = json_object_get_array_member (sites, "value");
  const char *site_id = json_object_get_string_member (json_array_get_object_element (sv, 0), "id");
  g_autofree char *drives_path = g_strdup_printf ("/sites/%s/drives", site_id);
  g_autoptr (JsonObject) drives = graph_json (drives_path, alice, 200);
  JsonObject *drive
      = json_array_get_object_element (json_object_get_array_member (drives, "value"), 0);
  g_autofree char *lib_path
      = g_strdup_printf ("/drives/%s/root/children", json_object_get_string_member (drive, "id"));
  g_autoptr (JsonObject) lib = graph_json (lib_path, bob, 200);
  g_autoptr (TcReply) big_search = graph_get ("/me/drive/root/search(q='item%2009999')", alice);
  g_autoptr (JsonObject) bs = tc_json (big_search);
  JsonObject *used0
      = json_array_get_object_element (json_object_get_array_member (used, "value"), 0);

  g_assert_true (
      has_name (json_object_get_array_member (search, "value"), "Budget 2027.xlsx", FALSE));
  g_assert_true (json_object_has_member (
      json_array_get_object_element (json_object_get_array_member (search, "value"), 0),
      "searchResult"));
  g_assert_true (has_name (json_object_get_array_member (shared, "value"), "Team plan.docx", TRUE));
  g_assert_true (
      has_name (json_object_get_array_member (shared, "value"), "Sales figures.xlsx", TRUE));
  g_assert_false (
      has_name (json_object_get_array_member (shared, "value"), "Private notes.txt", FALSE));
  g_assert_true (
      has_name (json_object_get_array_member (recent, "value"), "Quarterly report.docx", FALSE));
  g_assert_true (has_name (json_object_get_array_member (recent, "value"), "Team plan.docx", TRUE));
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (used0, "resourceVisualization"), "title"),
                   ==, "Quarterly report.docx");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ishared, "value")), >=, 2);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (followed, "value"), 0),
          "displayName"),
      ==, "Contoso Team");
  g_assert_cmpuint (json_array_get_length (sv), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (foreign, "value")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (drive, "driveType"), ==, "documentLibrary");
  g_assert_true (
      has_name (json_object_get_array_member (lib, "value"), "Team handbook.docx", FALSE));
  g_assert_cmpuint (big_search->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (bs, "value")), ==, 10);
}

static void
png_size (TcReply *r, guint *w, guint *h)
{
  const guint8 *b = (const guint8 *) r->body;

  g_assert_cmpuint (r->length, >, 24);
  g_assert_cmpmem (b, 8, "\x89PNG\r\n\x1a\n", 8);
  *w = (guint) b[16] << 24 | (guint) b[17] << 16 | (guint) b[18] << 8 | b[19];
  *h = (guint) b[20] << 24 | (guint) b[21] << 16 | (guint) b[22] << 8 | b[23];
}

static void
test_thumbnails (void)
{
  g_autofree char *report = alice_doc ("Quarterly report.docx");
  g_autofree char *archive = alice_doc ("archive.zip");
  g_autofree char *list_path = g_strdup_printf ("/me/drive/items/%s/thumbnails", report);
  g_autoptr (JsonObject) list = graph_json (list_path, alice, 200);
  JsonObject *set = json_array_get_object_element (json_object_get_array_member (list, "value"), 0);
  JsonObject *small = json_object_get_object_member (set, "small");
  JsonObject *large = json_object_get_object_member (set, "large");
  g_autofree char *arch_path = g_strdup_printf ("/me/drive/items/%s/thumbnails", archive);
  g_autoptr (JsonObject) none = graph_json (arch_path, alice, 200);
  g_autofree char *content
      = g_strdup_printf ("/me/drive/items/%s/thumbnails/0/medium/content", report);
  g_autoptr (TcReply) redirect = graph_get (content, alice);
  g_autoptr (SoupSession) anonymous = tc_session_new (sandbox);
  g_autoptr (TcReply) image = NULL;
  g_autofree char *direct_path = g_strdup_printf ("%s?preferNoRedirect=true", content);
  g_autoptr (TcReply) direct = graph_get (direct_path, alice);
  g_autofree char *folder = child_id (alice, "/me/drive/root/children", "Documents");
  g_autofree char *folder_thumbs = g_strdup_printf ("/me/drive/items/%s/thumbnails", folder);
  g_autoptr (JsonObject) folder_list = graph_json (folder_thumbs, alice, 200);
  g_autofree char *photos = alice_doc ("photos");
  g_autofree char *photos_path = g_strdup_printf ("/me/drive/items/%s/children", photos);
  g_autofree char *beach = child_id (alice, photos_path, "Beach.jpg");
  g_autofree char *beach_path = g_strdup_printf (
      "/me/drive/items/%s/thumbnails/0/large/content?preferNoRedirect=true", beach);
  g_autoptr (TcReply) jpeg = graph_get (beach_path, alice);
  g_autofree char *bad_size
      = g_strdup_printf ("/me/drive/items/%s/thumbnails/0/huge/content", report);
  g_autoptr (TcReply) bad = graph_get (bad_size, alice);
  g_autofree char *custom = g_strdup_printf (
      "/me/drive/items/%s/thumbnails/0/c300x400_crop/content?preferNoRedirect=true", report);
  g_autoptr (TcReply) crop = graph_get (custom, alice);
  guint w = 0, h = 0;

  g_assert_cmpint (MAX (json_object_get_int_member (small, "width"),
                        json_object_get_int_member (small, "height")),
                   ==, 96);
  g_assert_cmpint (MAX (json_object_get_int_member (large, "width"),
                        json_object_get_int_member (large, "height")),
                   ==, 800);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (none, "value")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (folder_list, "value")), ==,
                    0);

  g_assert_cmpuint (redirect->status, ==, 302);
  g_assert_true (
      g_str_has_prefix (redirect->location, foyer_test_sandbox_get_sharepoint_url (sandbox)));
  image = tc_get (anonymous, redirect->location, NULL);
  g_assert_cmpuint (image->status, ==, 200);
  g_assert_cmpstr (image->content_type, ==, "image/png");
  png_size (image, &w, &h);
  g_assert_cmpuint (MAX (w, h), ==, 176);

  g_assert_cmpuint (direct->status, ==, 200);
  g_assert_cmpuint (direct->length, ==, image->length);

  g_assert_cmpuint (jpeg->status, ==, 200);
  g_assert_cmpstr (jpeg->content_type, ==, "image/jpeg");
  g_assert_cmpmem (jpeg->body, 3, "\xff\xd8\xff", 3);

  assert_graph_error (bad, 400, "invalidRequest");
  png_size (crop, &w, &h);
  g_assert_cmpuint (w, ==, 300);
  g_assert_cmpuint (h, ==, 400);
}

static JsonObject *
create_link (const char *token, const char *item_path, const char *body, guint expected)
{
  g_autofree char *path = g_strdup_printf ("%s/createLink", item_path);
  g_autoptr (TcReply) r = graph_post (path, body, token);

  g_assert_cmpuint (r->status, ==, expected);
  return tc_json (r);
}

static void
test_create_link_and_shares (void)
{
  g_autofree char *roadmap = alice_doc ("Roadmap.pptx");
  g_autofree char *item_path = g_strdup_printf ("/me/drive/items/%s", roadmap);
  g_autoptr (JsonObject) denied
      = create_link (alice, item_path, "{\"type\":\"view\",\"scope\":\"anonymous\"}", 403);
  g_autoptr (JsonObject) org
      = create_link (alice, item_path, "{\"type\":\"view\",\"scope\":\"organization\"}", 201);
  g_autoptr (JsonObject) again
      = create_link (alice, item_path, "{\"type\":\"view\",\"scope\":\"organization\"}", 200);
  g_autoptr (JsonObject) users
      = create_link (alice, item_path,
                     "{\"type\":\"edit\",\"scope\":\"users\",\"recipients\":[{\"email\":\"bob@"
                     "contoso.example\"}]}",
                     201);
  const char *org_url
      = json_object_get_string_member (json_object_get_object_member (org, "link"), "webUrl");
  const char *users_url
      = json_object_get_string_member (json_object_get_object_member (users, "link"), "webUrl");
  g_autofree char *org_share = foyer_test_sandbox_share_id (org_url);
  g_autofree char *users_share = foyer_test_sandbox_share_id (users_url);
  g_autofree char *org_path = g_strdup_printf ("/shares/%s/driveItem", org_share);
  g_autofree char *users_path = g_strdup_printf ("/shares/%s/driveItem", users_share);
  g_autoptr (JsonObject) bob_org = graph_json (org_path, bob, 200);
  g_autoptr (TcReply) mallory_org = graph_get (org_path, mallory);
  g_autoptr (JsonObject) bob_users = graph_json (users_path, bob, 200);
  g_autoptr (TcReply) carol_users = graph_get (users_path, carol);
  g_autofree char *thumb_path
      = g_strdup_printf ("/shares/%s/driveItem/thumbnails/0/small/content", org_share);
  g_autofree char *root_thumb_path
      = g_strdup_printf ("/shares/%s/root/thumbnails/0/large/content", org_share);
  g_autoptr (TcReply) thumb = graph_get (thumb_path, bob);
  g_autoptr (TcReply) root_thumb = graph_get (root_thumb_path, bob);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  gboolean found = FALSE;
  g_autofree char *prefix = g_strdup_printf ("%s/:p:/g/personal/alice_contoso_example/",
                                             foyer_test_sandbox_get_sharepoint_url (sandbox));

  g_assert_true (json_object_has_member (json_object_get_object_member (denied, "error"), "code"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (denied, "error"), "code"), ==,
      "accessDenied");
  g_assert_true (g_str_has_prefix (org_url, prefix));
  g_assert_cmpstr (json_object_get_string_member (again, "id"), ==,
                   json_object_get_string_member (org, "id"));
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (users, "link"), "scope"), ==,
      "users");

  g_assert_cmpstr (json_object_get_string_member (bob_org, "id"), ==, roadmap);
  assert_graph_error (mallory_org, 403, "accessDenied");
  g_assert_cmpstr (json_object_get_string_member (bob_users, "name"), ==, "Roadmap.pptx");
  assert_graph_error (carol_users, 403, "accessDenied");
  g_assert_cmpuint (thumb->status, ==, 302);
  g_assert_cmpuint (root_thumb->status, ==, 302);

  /* The log names the calling user of each request. */
  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *e = json_array_get_object_element (log, i);

      if (strstr (json_object_get_string_member (e, "path"),
                  "/driveItem/thumbnails/0/small/content")
              != NULL
          && g_strcmp0 (json_object_get_string_member (e, "user"), "bob@contoso.example") == 0)
        found = TRUE;
    }
  g_assert_true (found);
}

static void
test_foreign_links (void)
{
  /* Mallory's tenant allows anonymous links: anyone signed in may open hers. */
  g_autoptr (JsonObject) shared = graph_json ("/me/drive/root/children", mallory, 200);
  g_autofree char *docs = child_id (mallory, "/me/drive/root/children", "Documents");
  g_autofree char *docs_path = g_strdup_printf ("/me/drive/items/%s/children", docs);
  g_autofree char *proposal = child_id (mallory, docs_path, "Fabrikam proposal.docx");
  g_autofree char *internal = child_id (mallory, docs_path, "Internal pricing.xlsx");
  g_autofree char *p1 = g_strdup_printf ("/me/drive/items/%s/permissions", proposal);
  g_autofree char *p2 = g_strdup_printf ("/me/drive/items/%s/permissions", internal);
  g_autoptr (JsonObject) perms1 = graph_json (p1, mallory, 200);
  g_autoptr (JsonObject) perms2 = graph_json (p2, mallory, 200);
  JsonArray *v1 = json_object_get_array_member (perms1, "value");
  JsonArray *v2 = json_object_get_array_member (perms2, "value");
  const char *anon_url = NULL, *org_url = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *sp1 = NULL, *sp2 = NULL;
  g_autoptr (TcReply) alice_anon = NULL;
  g_autoptr (TcReply) alice_org = NULL;

  for (guint i = 0; i < json_array_get_length (v1); i++)
    if (json_object_has_member (json_array_get_object_element (v1, i), "link"))
      anon_url = json_object_get_string_member (
          json_object_get_object_member (json_array_get_object_element (v1, i), "link"), "webUrl");
  for (guint i = 0; i < json_array_get_length (v2); i++)
    if (json_object_has_member (json_array_get_object_element (v2, i), "link"))
      org_url = json_object_get_string_member (
          json_object_get_object_member (json_array_get_object_element (v2, i), "link"), "webUrl");
  g_assert_nonnull (anon_url);
  g_assert_nonnull (org_url);
  s1 = foyer_test_sandbox_share_id (anon_url);
  s2 = foyer_test_sandbox_share_id (org_url);
  sp1 = g_strdup_printf ("/shares/%s/driveItem", s1);
  sp2 = g_strdup_printf ("/shares/%s/driveItem", s2);
  alice_anon = graph_get (sp1, alice);
  alice_org = graph_get (sp2, alice);
  g_assert_cmpuint (alice_anon->status, ==, 200);
  assert_graph_error (alice_org, 403, "accessDenied");
  g_assert_nonnull (shared);
}

static void
test_permissions_and_invite (void)
{
  g_autofree char *contract = alice_doc ("Contract.pdf");
  g_autofree char *invite = g_strdup_printf ("/me/drive/items/%s/invite", contract);
  g_autoptr (TcReply) r = graph_post (invite,
                                      "{\"recipients\":[{\"email\":\"carol@contoso.example\"}],"
                                      "\"roles\":[\"read\"],\"requireSignIn\":true}",
                                      alice);
  g_autoptr (TcReply) bad = graph_post (
      invite, "{\"recipients\":[{\"email\":\"nobody@nowhere.example\"}],\"roles\":[\"read\"]}",
      alice);
  g_autoptr (GError) error = NULL;
  g_autofree char *carol2
      = foyer_test_sandbox_mint_token (sandbox, "carol@contoso.example", NULL, &error);
  g_autoptr (JsonObject) shared = graph_json ("/me/drive/sharedWithMe", carol2, 200);
  g_autofree char *drive
      = g_strdup (foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));
  g_autofree char *perm_path = g_strdup_printf ("/drives/%s/items/%s/permissions", drive, contract);
  g_autoptr (JsonObject) owner_view = graph_json (perm_path, alice, 200);
  g_autoptr (JsonObject) carol_view = graph_json (perm_path, carol2, 200);
  g_autoptr (TcReply) bob_view = graph_get (perm_path, bob);
  g_autofree char *link_path = g_strdup_printf ("/drives/%s/items/%s/createLink", drive, contract);
  g_autoptr (TcReply) bob_link
      = graph_post (link_path, "{\"type\":\"view\",\"scope\":\"organization\"}", carol2);

  g_assert_cmpuint (r->status, ==, 200);
  assert_graph_error (bad, 400, "invalidRequest");
  g_assert_true (has_name (json_object_get_array_member (shared, "value"), "Contract.pdf", TRUE));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (owner_view, "value")), ==,
                    2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (carol_view, "value")), ==,
                    1);
  assert_graph_error (bob_view, 403, "accessDenied");
  /* Carol may read, not share. */
  assert_graph_error (bob_link, 403, "accessDenied");
}

static void
test_preview (void)
{
  g_autofree char *report = alice_doc ("Quarterly report.docx");
  g_autofree char *drive
      = g_strdup (foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));
  g_autofree char *path = g_strdup_printf ("/drives/%s/items/%s/preview", drive, report);
  g_autoptr (TcReply) r = graph_post (path, "{}", alice);
  g_autoptr (JsonObject) o = tc_json (r);
  const char *get_url = json_object_get_string_member (o, "getUrl");
  g_autoptr (SoupSession) cookieless = tc_session_new (sandbox);
  g_autoptr (TcReply) page = tc_get (cookieless, get_url, NULL);
  g_autoptr (TcReply) expired = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (page->body, "data-viewer=\"alice@contoso.example\""));
  g_assert_nonnull (strstr (page->body, "Quarterly report.docx"));
  g_assert_true (foyer_test_sandbox_advance_clock (sandbox, 3700, &error));
  expired = tc_get (cookieless, get_url, NULL);
  g_assert_cmpuint (expired->status, ==, 403);
}

/* Issue #16: a $select naming a property the type lacks is refused as
 * Graph's OData layer refuses it. */
static void
assert_select_refused (const char *path, const char *property, const char *type)
{
  g_autoptr (TcReply) r = graph_get (path, alice);
  g_autoptr (JsonObject) o = NULL;
  g_autofree char *expected = g_strdup_printf (
      "Could not find a property named '%s' on type 'microsoft.graph.%s'.", property, type);

  assert_graph_error (r, 400, "BadRequest");
  o = tc_json (r);
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (o, "error"), "message"), ==,
      expected);
}

static void
test_select_validated (void)
{
  g_autoptr (JsonObject) used = NULL;
  g_autoptr (JsonObject) shared = NULL;
  g_autoptr (JsonObject) me = NULL;
  g_autoptr (JsonObject) organization = NULL;

  assert_select_refused ("/me/insights/used?$select=id,lastUsed,lastShared", "lastShared",
                         "usedInsight");
  assert_select_refused ("/me/insights/shared?$select=id,lastUsed,lastShared", "lastUsed",
                         "sharedInsight");
  assert_select_refused ("/me?$select=id,colour", "colour", "user");
  assert_select_refused ("/me/drive/root/children?$select=id,nom", "nom", "driveItem");
  assert_select_refused ("/me/drive?$select=id,size", "size", "drive");
  assert_select_refused ("/me/followedSites?$select=id,webURL2", "webURL2", "site");
  assert_select_refused ("/organization?$select=displayName,name", "name", "organization");

  /* What a type has is fine, and is all that comes back. */
  used = graph_json ("/me/insights/used?$select=id,lastUsed,resourceReference", alice, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (used, "value")), >, 0);
  g_assert_false (json_object_has_member (
      json_array_get_object_element (json_object_get_array_member (used, "value"), 0),
      "resourceVisualization"));
  shared = graph_json ("/me/insights/shared?$select=id,lastShared", alice, 200);
  g_assert_true (json_object_has_member (
      json_array_get_object_element (json_object_get_array_member (shared, "value"), 0),
      "lastShared"));
  me = graph_json ("/me?$select=id,displayName,mail,userPrincipalName", alice, 200);
  g_assert_cmpstr (json_object_get_string_member (me, "mail"), ==, "alice@contoso.example");
  g_assert_false (json_object_has_member (me, "businessPhones"));
  /* The organization's name, as Preferences shows it. */
  organization = graph_json ("/organization?$select=displayName", alice, 200);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (organization, "value"), 0),
          "displayName"),
      ==, "Contoso");
}

/* request-id on every reply; the caller's client-request-id echoed, in
 * the headers and in an error's innerError. */
static void
test_request_ids (void)
{
  const char *ours = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
  g_autofree char *url = tc_graph (sandbox, "/me/drive/items/nonexistent");
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *auth = g_strconcat ("Bearer ", alice, NULL);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (TcReply) ok = graph_get ("/me", alice);
  JsonObject *inner;
  SoupMessageHeaders *headers;

  g_assert_true (g_uuid_string_is_valid (soup_message_headers_get_one (ok->headers, "request-id")));
  g_assert_true (
      g_uuid_string_is_valid (soup_message_headers_get_one (ok->headers, "client-request-id")));

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "client-request-id", ours);
  body = soup_session_send_and_read (api, msg, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  headers = soup_message_get_response_headers (msg);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "client-request-id"), ==, ours);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  inner = json_object_get_object_member (
      json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "error"),
      "innerError");
  g_assert_cmpstr (json_object_get_string_member (inner, "client-request-id"), ==, ours);
  g_assert_cmpstr (json_object_get_string_member (inner, "request-id"), ==,
                   soup_message_headers_get_one (headers, "request-id"));
}

/* OneDrive for Business leaves the path out of search hits. */
static void
test_search_without_path (void)
{
  g_autoptr (JsonObject) o = graph_json ("/me/drive/root/search(q='roadmap')", alice, 200);
  JsonObject *hit = json_array_get_object_element (json_object_get_array_member (o, "value"), 0);
  JsonObject *parent = json_object_get_object_member (hit, "parentReference");
  g_autoptr (JsonObject) folder = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpstr (json_object_get_string_member (hit, "name"), ==, "Roadmap.pptx");
  g_assert_false (json_object_has_member (parent, "path"));
  g_assert_cmpstr (json_object_get_string_member (parent, "driveType"), ==, "business");
  g_assert_nonnull (json_object_get_string_member (parent, "driveId"));
  /* Where it lives is one more request away: its parent. */
  path = g_strdup_printf ("/drives/%s/items/%s", json_object_get_string_member (parent, "driveId"),
                          json_object_get_string_member (parent, "id"));
  folder = graph_json (path, alice, 200);
  g_assert_cmpstr (json_object_get_string_member (folder, "name"), ==, "Documents");
  g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (folder, "parentReference"), "path"),
                   ==, "/drive/root:");
}

static void
test_download_url (void)
{
  g_autofree char *docs = child_id (alice, "/me/drive/root/children", "Documents");
  g_autofree char *list = g_strdup_printf ("/me/drive/items/%s/children", docs);
  g_autofree char *selected = g_strdup_printf ("/me/drive/items/%s/children?$select=id,name", docs);
  g_autofree char *asked = g_strdup_printf (
      "/me/drive/items/%s/children?$select=id,@microsoft.graph.downloadUrl", docs);
  g_autoptr (JsonObject) all = graph_json (list, alice, 200);
  g_autoptr (JsonObject) some = graph_json (selected, alice, 200);
  g_autoptr (JsonObject) only = graph_json (asked, alice, 200);
  g_autoptr (SoupSession) anonymous = tc_session_new (sandbox);
  g_autoptr (TcReply) bytes = NULL;
  g_autoptr (TcReply) forged = NULL;
  g_autofree char *tampered = NULL;
  const char *url = NULL;
  JsonArray *value = json_object_get_array_member (all, "value");

  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *item = json_array_get_object_element (value, i);

      if (json_object_has_member (item, "folder"))
        g_assert_false (json_object_has_member (item, "@microsoft.graph.downloadUrl"));
      else if (g_str_equal (json_object_get_string_member (item, "name"), "notes.txt"))
        url = json_object_get_string_member (item, "@microsoft.graph.downloadUrl");
    }
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, foyer_test_sandbox_get_sharepoint_url (sandbox)));
  /* Pre-authenticated: no token, no cookie. */
  bytes = tc_get (anonymous, url, NULL);
  g_assert_cmpuint (bytes->status, ==, 200);
  g_assert_nonnull (strstr (bytes->body, "notes.txt"));
  tampered = g_strconcat (url, "0", NULL);
  forged = tc_get (anonymous, tampered, NULL);
  g_assert_cmpuint (forged->status, ==, 404);
  g_assert_false (json_object_has_member (
      json_array_get_object_element (json_object_get_array_member (some, "value"), 0),
      "@microsoft.graph.downloadUrl"));
  value = json_object_get_array_member (only, "value");
  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *item = json_array_get_object_element (value, i);

      g_assert_false (json_object_has_member (item, "name"));
      g_assert_true (json_object_has_member (item, "folder") == FALSE
                     || !json_object_has_member (item, "@microsoft.graph.downloadUrl"));
    }
}

/* /me with Graph's default properties; Dana signs in with a name that is
 * not her mail address. */
static void
test_me_shape (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dana
      = foyer_test_sandbox_mint_token (sandbox, "dana.durand@contoso.example", NULL, &error);
  g_autoptr (JsonObject) me = graph_json ("/me", alice, 200);
  g_autoptr (JsonObject) dana_me = NULL;
  g_autoptr (TcReply) info = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autofree char *info_url = NULL;
  const char *const members[]
      = { "@odata.context",    "businessPhones", "displayName",       "givenName",
          "jobTitle",          "mail",           "mobilePhone",       "officeLocation",
          "preferredLanguage", "surname",        "userPrincipalName", "id" };

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    g_assert_true (json_object_has_member (me, members[i]));
  g_assert_cmpstr (json_object_get_string_member (me, "givenName"), ==, "Alice");
  g_assert_cmpstr (json_object_get_string_member (me, "surname"), ==, "Martin");
  dana_me = graph_json ("/me", dana, 200);
  g_assert_cmpstr (json_object_get_string_member (dana_me, "mail"), ==,
                   "dana.durand@contoso.example");
  g_assert_cmpstr (json_object_get_string_member (dana_me, "userPrincipalName"), ==,
                   "dana@contoso.onmicrosoft.example");

  /* The OpenID configuration's userinfo endpoint, on the Graph host. */
  info_url = g_strconcat (foyer_test_sandbox_get_graph_url (sandbox), "/../oidc/userinfo", NULL);
  info = tc_get (api, info_url, dana);
  g_assert_cmpuint (info->status, ==, 200);
  claims = tc_json (info);
  g_assert_cmpstr (json_object_get_string_member (claims, "email"), ==,
                   "dana.durand@contoso.example");
}

static void
tenant_set (const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply
      = foyer_test_sandbox_control (sandbox, "POST", "/tenants/contoso.example", json, &error);

  g_assert_no_error (error);
}

static void
test_insights_disabled (void)
{
  g_autoptr (TcReply) used = NULL;
  g_autoptr (TcReply) shared = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonObject) o = NULL;

  tenant_set ("{\"insightsDisabled\": true}");
  used = graph_get ("/me/insights/used", alice);
  shared = graph_get ("/me/insights/shared", alice);
  assert_graph_error (used, 403, "ItemInsightsDisabled");
  assert_graph_error (shared, 403, "ItemInsightsDisabled");
  o = tc_json (used);
  g_assert_nonnull (
      strstr (json_object_get_string_member (json_object_get_object_member (o, "error"), "message"),
              "item insights are disabled"));
  tenant_set ("{\"insightsDisabled\": false}");
  again = graph_json ("/me/insights/used", alice, 200);
}

/* The deprecated lists stop answering on Microsoft's dates, by the sandbox's
 * own clock: recent after October 2026, sharedWithMe after October 2027. */
static void
test_retirement (void)
{
  const char *args[] = { "--now", "2026-10-31T23:00:00Z", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) dated = foyer_test_sandbox_start (args, &error);
  g_autoptr (SoupSession) session = NULL;
  g_autofree char *token = NULL;
  g_autofree char *recent_url = NULL;
  g_autofree char *shared_url = NULL;
  g_autoptr (TcReply) before = NULL;
  g_autoptr (TcReply) after = NULL;
  g_autoptr (TcReply) shared = NULL;
  g_autoptr (TcReply) shared_after = NULL;
  g_autoptr (JsonObject) b = NULL;
  g_autoptr (JsonObject) a = NULL;
  g_autoptr (JsonObject) s = NULL;
  g_autoptr (JsonObject) sa = NULL;

  g_assert_no_error (error);
  session = tc_session_new (dated);
  recent_url = g_strconcat (foyer_test_sandbox_get_graph_url (dated), "/me/drive/recent", NULL);
  shared_url
      = g_strconcat (foyer_test_sandbox_get_graph_url (dated), "/me/drive/sharedWithMe", NULL);
  token = foyer_test_sandbox_mint_token (dated, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);
  before = tc_get (session, recent_url, token);
  g_assert_cmpuint (before->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (before->headers, "Deprecation"), ==, "true");
  b = tc_json (before);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (b, "value")), >, 0);

  /* Two hours later it is November 2026. */
  g_assert_true (foyer_test_sandbox_advance_clock (dated, 7200, &error));
  g_clear_pointer (&token, g_free);
  token = foyer_test_sandbox_mint_token (dated, "alice@contoso.example", NULL, &error);
  after = tc_get (session, recent_url, token);
  shared = tc_get (session, shared_url, token);
  g_assert_cmpuint (after->status, ==, 200);
  a = tc_json (after);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (a, "value")), ==, 0);
  s = tc_json (shared);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (s, "value")), >, 0);

  /* A year on, sharedWithMe too. */
  g_assert_true (foyer_test_sandbox_advance_clock (dated, 365 * 86400, &error));
  g_clear_pointer (&token, g_free);
  token = foyer_test_sandbox_mint_token (dated, "alice@contoso.example", NULL, &error);
  shared_after = tc_get (session, shared_url, token);
  sa = tc_json (shared_after);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (sa, "value")), ==, 0);
}

static char *
mint (const char *email)
{
  g_autoptr (GError) error = NULL;
  char *token = foyer_test_sandbox_mint_token (sandbox, email, NULL, &error);

  g_assert_no_error (error);
  return token;
}

int
main (int argc, char **argv)
{
  const char *now_args[] = { "--now", "2026-10-15", NULL };
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* Before the deprecated lists retire, so that both eras are tested. */
  sandbox = foyer_test_sandbox_start (now_args, &error);
  g_assert_no_error (error);
  api = tc_browser_new (sandbox);
  alice = mint ("alice@contoso.example");
  bob = mint ("bob@contoso.example");
  carol = mint ("carol@contoso.example");
  mallory = mint ("mallory@fabrikam.example");

  g_test_add_func ("/sandbox/graph/children-and-select", test_children_and_select);
  g_test_add_func ("/sandbox/graph/big-folder-paging", test_big_folder_paging);
  g_test_add_func ("/sandbox/graph/lists", test_lists);
  g_test_add_func ("/sandbox/graph/thumbnails", test_thumbnails);
  g_test_add_func ("/sandbox/graph/create-link-and-shares", test_create_link_and_shares);
  g_test_add_func ("/sandbox/graph/foreign-links", test_foreign_links);
  g_test_add_func ("/sandbox/graph/permissions-and-invite", test_permissions_and_invite);
  g_test_add_func ("/sandbox/graph/select-validated", test_select_validated);
  g_test_add_func ("/sandbox/graph/request-ids", test_request_ids);
  g_test_add_func ("/sandbox/graph/search-without-path", test_search_without_path);
  g_test_add_func ("/sandbox/graph/download-url", test_download_url);
  g_test_add_func ("/sandbox/graph/me-shape", test_me_shape);
  g_test_add_func ("/sandbox/graph/insights-disabled", test_insights_disabled);
  g_test_add_func ("/sandbox/graph/retirement", test_retirement);
  g_test_add_func ("/sandbox/graph/unauthorized", test_unauthorized);
  g_test_add_func ("/sandbox/graph/preview", test_preview);
  ret = g_test_run ();
  g_object_unref (api);
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
