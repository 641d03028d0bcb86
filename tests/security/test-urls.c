/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Document links a hostile member could put in a reference, and pages a
 * hostile SharePoint page could send the viewer to: the host Foyer checks
 * must be the host the browser goes to. GLib keeps '\' in a host where
 * WebKit reads it as '/', so "https://evil.example\.sharepoint.com/"
 * passed the suffix check while WebKit (and "Open in Browser") went to
 * evil.example; bidirectional controls made a link read as another.
 */
#include "config.h"

#include "foyer-cloud.h"
#include "foyer-core.h"
#include "foyer-document-ref.h"
#include "foyer-jwe.h"

static const char *const hosts[] = { "sharepoint.com", "1drv.ms", "127.0.0.4", NULL };

static const char *const hostile[] = {
  "https://evil.example\\.sharepoint.com/",
  "https://evil.example\\\\.sharepoint.com/doc",
  "https:\\\\evil.example\\.sharepoint.com/",
  "https://evil.example%5C.sharepoint.com/",
  "https://evil.example%2esharepoint.com/",
  "https://evil.example\t.sharepoint.com/",
  "https://evil.example\n.sharepoint.com/",
  "https://evil.example .sharepoint.com/",
  "https://evil.example|.sharepoint.com/",
  "https://evil.example^.sharepoint.com/",
  "https://contoso.sharepoint.com\xe2\x80\xae/x", /* RLO */
  "https://\xe2\x81\xa7"
  "contoso.sharepoint.com/x", /* RLI */
  "https://contoso.sharepoint.com/\xe2\x80\xae"
  "exe.docx", /* RLO in the path */
  "https://contoso.sharepoint.com./x",
  "https://contoso..sharepoint.com/x",
  "https://-contoso.sharepoint.com/x",
  "https://contoso_x.sharepoint.com/x",
  "https://contoso.sharepoint.com:0/x",
  "https://contoso.sharepoint.com:99999/x",
  "https://contoso.sharepoint.com@evil.example/",
  "https://user:pw@contoso.sharepoint.com/x",
  "https://evil.example?.sharepoint.com",
  "https://evil.example#.sharepoint.com",
  "https://evil.example/.sharepoint.com",
  "https://[::1].sharepoint.com/",
  "https://contoso.sharepoint.com/x%zz",
  "javascript:alert(1)//.sharepoint.com",
  "file:///etc/passwd",
  "http://127.0.0.4:8080/doc", /* plain http, even to this computer */
  "",
};

static void
test_document_links (void)
{
  const char *good[] = {
    "https://contoso.sharepoint.com/:w:/s/legal/EdSecretLink123?e=abc%20x",
    "https://contoso-my.sharepoint.com/personal/a_b/Documents/x.docx?web=1&a=%C3%A9",
    "https://1drv.ms/w/s!Abc",
    "https://127.0.0.4:8080/doc",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr (GError) error = NULL;

      if (foyer_document_ref_check_url (hostile[i], hosts, &error))
        g_error ("accepted the link %s", hostile[i]);
      g_assert_error (error, FOYER_CRYPTO_ERROR, error->code);
    }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      if (!foyer_document_ref_check_url (good[i], hosts, &error))
        g_error ("refused the link %s: %s", good[i], error->message);
    }
}

/* The same check stands between a reference and the app: a whole
 * reference with such a link is refused, so its tile is unavailable. */
static void
test_reference_refused (void)
{
  const char *json = "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\","
                     "\"driveId\":\"b!d\",\"itemId\":\"01I\",\"title\":\"Budget.xlsx\","
                     "\"url\":\"https://evil.example\\\\.sharepoint.com/\",\"linkType\":\"view\","
                     "\"audience\":\"organization\"}";
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new_from_json (json, hosts, &error);

  g_assert_null (ref);
  g_assert_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
}

/* Where the viewer lets a page go: the cloud's allowed hosts. */
static void
test_viewer_navigation (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    if (foyer_cloud_is_allowed_url (cloud, hostile[i]))
      g_error ("the viewer would follow %s", hostile[i]);
  /* What WebKit hands over for a real page, query characters included. */
  g_assert_true (foyer_cloud_is_allowed_url (
      cloud, "https://contoso.sharepoint.com/:w:/r/sites/a/_layouts/15/Doc.aspx?a=1|2&b={x}"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://evil.example/"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/urls/document-links", test_document_links);
  g_test_add_func ("/security/urls/reference-refused", test_reference_refused);
  g_test_add_func ("/security/urls/viewer-navigation", test_viewer_navigation);
  return g_test_run ();
}
