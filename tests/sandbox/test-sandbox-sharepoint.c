/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SharePoint document pages: the cookie flow that proves a viewer reuses the sign-in session. */
#include "config.h"

#include "test-sandbox-common.h"

#include <string.h>

static FoyerTestSandbox *sandbox;

/* Follows redirects by hand, as a browser would, and counts the hops. */
static TcReply *
follow (SoupSession *browser, const char *start, guint *hops)
{
  g_autofree char *url = g_strdup (start);

  *hops = 0;
  for (;;)
    {
      TcReply *r = tc_get (browser, url, NULL);
      char *next;

      if (r->status != 302 || r->location == NULL
          || g_str_has_prefix (r->location, foyer_test_sandbox_get_redirect_uri (sandbox)))
        return r;
      next = tc_absolute (url, r->location);
      tc_reply_free (r);
      g_free (url);
      url = next;
      g_assert_cmpuint (++*hops, <, 10);
    }
}

static char *
link_url (const char *owner, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = foyer_test_sandbox_mint_token (sandbox, owner, NULL, &error);
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = g_strdup_printf ("%s/me/drive/root:%s:/permissions",
                                          foyer_test_sandbox_get_graph_url (sandbox), path);
  g_autoptr (TcReply) r = tc_get (s, url, token);
  g_autoptr (JsonObject) o = tc_json (r);
  JsonArray *value = json_object_get_array_member (o, "value");

  g_assert_cmpuint (r->status, ==, 200);
  for (guint i = 0; i < json_array_get_length (value); i++)
    {
      JsonObject *p = json_array_get_object_element (value, i);

      if (json_object_has_member (p, "link"))
        return g_strdup (
            json_object_get_string_member (json_object_get_object_member (p, "link"), "webUrl"));
    }
  g_assert_not_reached ();
  return NULL;
}

static gboolean
log_has (JsonArray *log, const char *method, const char *path_part)
{
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *e = json_array_get_object_element (log, i);

      if (g_str_equal (json_object_get_string_member (e, "method"), method)
          && strstr (json_object_get_string_member (e, "path"), path_part) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_session_reused (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *code = NULL;
  g_autofree char *design = link_url ("bob@contoso.example", "/Documents/Design%20review.pptx");
  g_autofree char *sales = link_url ("bob@contoso.example", "/Documents/Sales%20figures.xlsx");
  g_autoptr (TcReply) page = NULL;
  g_autoptr (TcReply) again = NULL;
  g_autoptr (TcReply) edit = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  guint hops = 0;

  tc_pkce (&verifier, &challenge);
  code = tc_sign_in (browser, sandbox, NULL, "alice@contoso.example", challenge);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  page = follow (browser, design, &hops);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_cmpuint (hops, ==, 3);
  g_assert_nonnull (strstr (page->body, "data-viewer=\"alice@contoso.example\""));
  g_assert_nonnull (strstr (page->body, "data-mode=\"view\""));
  g_assert_nonnull (strstr (page->body, "Design review.pptx"));

  /* No form was shown or posted: the login host's session answered. */
  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_true (log_has (log, "GET", "/oauth2/v2.0/authorize"));
  g_assert_true (log_has (log, "GET", "/_forms/default.aspx"));
  g_assert_false (log_has (log, "POST", "/login"));

  /* The SharePoint cookie is now set: no more redirects. */
  again = follow (browser, design, &hops);
  g_assert_cmpuint (again->status, ==, 200);
  g_assert_cmpuint (hops, ==, 0);

  edit = follow (browser, sales, &hops);
  g_assert_cmpuint (edit->status, ==, 200);
  g_assert_nonnull (strstr (edit->body, "data-mode=\"edit\""));
}

static void
test_no_session_shows_form (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *design = link_url ("bob@contoso.example", "/Documents/Design%20review.pptx");
  g_autoptr (TcReply) r = NULL;
  guint hops = 0;

  r = follow (browser, design, &hops);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpuint (hops, ==, 1);
  g_assert_nonnull (strstr (r->body, "id=\"i0116\""));
  g_assert_null (strstr (r->body, "data-viewer"));
}

static void
test_automatic_sso (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autoptr (SoupSession) foreign = tc_browser_new (sandbox);
  g_autofree char *design = link_url ("bob@contoso.example", "/Documents/Design%20review.pptx");
  g_autoptr (TcReply) page = NULL;
  g_autoptr (TcReply) denied = NULL;
  g_autoptr (GError) error = NULL;
  guint hops = 0;

  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "carol@contoso.example", &error));
  page = follow (browser, design, &hops);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (page->body, "data-viewer=\"carol@contoso.example\""));

  /* An organization link does not open for another tenant's user. */
  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "mallory@fabrikam.example", &error));
  denied = follow (foreign, design, &hops);
  g_assert_cmpuint (denied->status, ==, 403);
  g_assert_nonnull (strstr (denied->body, "mallory@fabrikam.example"));
  g_assert_true (foyer_test_sandbox_disable_sso (sandbox, &error));
}

static void
test_item_page_and_revocation (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *url
      = g_strdup_printf ("%s/personal/alice_contoso_example/Documents/Documents/notes.txt",
                         foyer_test_sandbox_get_sharepoint_url (sandbox));
  g_autoptr (TcReply) page = NULL;
  g_autoptr (TcReply) after = NULL;
  g_autoptr (GError) error = NULL;
  guint hops = 0;

  g_assert_true (foyer_test_sandbox_enable_sso (sandbox, "alice@contoso.example", &error));
  page = follow (browser, url, &hops);
  g_assert_true (foyer_test_sandbox_disable_sso (sandbox, &error));
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_nonnull (strstr (page->body, "data-mode=\"edit\""));

  /* Revoking Alice's sessions sends her back to the form. */
  g_assert_true (foyer_test_sandbox_revoke_tokens (sandbox, "alice@contoso.example", &error));
  after = follow (browser, url, &hops);
  g_assert_cmpuint (after->status, ==, 200);
  g_assert_nonnull (strstr (after->body, "id=\"i0116\""));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/sandbox/sharepoint/session-reused", test_session_reused);
  g_test_add_func ("/sandbox/sharepoint/no-session-shows-form", test_no_session_shows_form);
  g_test_add_func ("/sandbox/sharepoint/automatic-sso", test_automatic_sso);
  g_test_add_func ("/sandbox/sharepoint/item-page-and-revocation", test_item_page_and_revocation);
  ret = g_test_run ();
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
