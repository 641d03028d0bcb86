/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The viewer against foyer-ms-sandbox: after Bob signs in on the app's web
 * session, his document opens with no second sign-in; after a restart the
 * cookies come back from the encrypted store; an expired session signs in
 * inside the viewer; with no sign-in possible, Graph's preview is shown.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "foyer-store.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-util.h"
#include "viewer-test-common.h"

#define BOB "bob@contoso.example"
/* Any valid S256 challenge: the test never redeems the code. */
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static FoyerTestSandbox *sandbox;
static FoyerCloud *cloud;

static const char probe_script[]
    = "(function () {"
      "  var m = document.getElementById('document');"
      "  if (m) return 'doc:' + m.dataset.viewer + ':' + m.dataset.preview;"
      "  if (document.getElementById('i0116')) return 'form';"
      "  if (document.getElementById('scopes')) return 'consent';"
      "  return 'other:' + document.title; })()";

/* Fills the sandbox's sign-in form (once) and accepts consent (once). */
static const char sign_in_script[]
    = "(function () {"
      "  var d = document.body ? document.body.dataset : null;"
      "  if (!d) return 'none';"
      "  if (document.getElementById('i0118') && !d.foyerTried) {"
      "    d.foyerTried = '1';"
      "    document.getElementById('i0116').value = '" BOB "';"
      "    document.getElementById('i0118').value = 'bob-password';"
      "    document.getElementById('idSIButton9').click(); return 'form'; }"
      "  if (document.getElementById('scopes') && !d.foyerTried) {"
      "    d.foyerTried = '1';"
      "    document.getElementById('idSIButton9').click(); return 'consent'; }"
      "  var m = document.getElementById('document');"
      "  if (m) return 'doc:' + m.dataset.viewer + ':' + m.dataset.preview;"
      "  return 'other:' + location.href; })()";

typedef struct
{
  GtkWindow *window;
  FoyerViewer *viewer;
  FoyerWebSession *session;
  FoyerStore *store;
} Fixture;

static char *
store_path (const char *name)
{
  g_autofree char *dir = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR"), "viewer", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, name, NULL);
}

static void
fixture_open (Fixture *f, const char *store_name)
{
  g_autoptr (GError) error = NULL;

  f->session = foyer_web_session_new ();
  if (store_name != NULL)
    {
      g_autofree char *path = store_path (store_name);
      FoyerTestWait wait = { NULL };

      f->store = foyer_store_open_sync (path, "test", NULL, &error);
      g_assert_no_error (error);
      foyer_web_session_attach_store_async (f->session, f->store, NULL, foyer_test_wait_cb, &wait);
      g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
      g_assert_true (foyer_web_session_attach_store_finish (f->session, wait.result, &error));
      g_assert_no_error (error);
      g_clear_object (&wait.result);
    }

  f->viewer = foyer_viewer_new (f->session, cloud);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 700);
  gtk_window_set_child (f->window, GTK_WIDGET (f->viewer));
  gtk_window_present (f->window);
}

static void
fixture_close (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  if (f->store != NULL)
    {
      FoyerTestWait wait = { NULL };

      foyer_web_session_save_cookies_async (f->session, NULL, foyer_test_wait_cb, &wait);
      g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
      g_assert_true (foyer_web_session_save_cookies_finish (f->session, wait.result, &error));
      g_assert_no_error (error);
      g_clear_object (&wait.result);
    }
  gtk_window_destroy (f->window);
  g_clear_object (&f->session);
  if (f->store != NULL)
    foyer_store_close (f->store);
  g_clear_object (&f->store);
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
}

static char *
bob_document_url (void)
{
  return g_strdup_printf ("%s/personal/bob_contoso_example/Documents/Documents/Team%%20plan.docx",
                          foyer_test_sandbox_get_sharepoint_url (sandbox));
}

static gboolean
log_has (const char *method, const char *path_part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *e = json_array_get_object_element (log, i);

      if (g_str_equal (json_object_get_string_member (e, "method"), method)
          && strstr (json_object_get_string_member (e, "path"), path_part) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
result_is (ViewerProbe *probe, gpointer data)
{
  return g_strcmp0 (probe->result, data) == 0;
}

static gboolean
uri_has_prefix (gpointer data)
{
  WebKitWebView *web_view = data;
  const char *uri = webkit_web_view_get_uri (web_view);

  return uri != NULL && g_str_has_prefix (uri, foyer_test_sandbox_get_redirect_uri (sandbox));
}

static gboolean
redirected (ViewerProbe *probe, gpointer data)
{
  return uri_has_prefix (probe->web_view);
}

/* As the app's views do: the sandbox's CA vouches for its own hosts. */
static gboolean
tls_errors_cb (WebKitWebView *web_view,
               const char *failing_uri,
               GTlsCertificate *certificate,
               GTlsCertificateFlags errors,
               FoyerWebSession *session)
{
  return foyer_web_session_retry_with_certificate (session, web_view, failing_uri, certificate);
}

/* Bob signs in the way the app does: the identity platform's form in a web
 * view on the same web session (the sign-in view's job in the app). */
static void
sign_in_bob (FoyerWebSession *session)
{
  g_autofree char *redirect
      = g_uri_escape_string (foyer_test_sandbox_get_redirect_uri (sandbox), NULL, FALSE);
  g_autofree char *authorize = g_strdup_printf (
      "%s/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
      "&scope=openid%%20offline_access&state=viewer-test&code_challenge=" CHALLENGE
      "&code_challenge_method=S256",
      foyer_test_sandbox_get_authority_url (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      redirect);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  WebKitWebView *web_view = foyer_web_session_create_view (session);
  ViewerProbe probe = { web_view, sign_in_script };

  foyer_web_session_trust_cloud (session, cloud);
  g_signal_connect (web_view, "load-failed-with-tls-errors", G_CALLBACK (tls_errors_cb), session);
  gtk_window_set_child (window, GTK_WIDGET (web_view));
  gtk_window_present (window);
  webkit_web_view_load_uri (web_view, authorize);

  /* The form, then the consent page, then the redirect to the app. */
  g_assert_true (viewer_probe_until (&probe, redirected, NULL, 20000));
  viewer_probe_clear (&probe);
  gtk_window_destroy (window);
}

static void
open_document (Fixture *f, const char *expect)
{
  g_autofree char *url = bob_document_url ();
  ViewerProbe probe = { foyer_viewer_get_web_view (f->viewer), probe_script };

  foyer_viewer_open (f->viewer, "Team plan.docx", url);
  g_assert_true (viewer_probe_until (&probe, result_is, (gpointer) expect, 20000));
  viewer_probe_clear (&probe);
  g_assert_true (viewer_state_is (f->viewer, FOYER_VIEWER_STATE_DOCUMENT, 10000));
}

static void
test_document_after_sign_in (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *png = NULL;
  Fixture f = { NULL };

  fixture_open (&f, "store.db");
  sign_in_bob (f.session);
  g_assert_true (log_has ("POST", "/login"));

  /* The viewer: the page names Bob, and no form was shown or posted. */
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  open_document (&f, "doc:" BOB ":false");
  g_assert_false (log_has ("POST", "/login"));
  g_assert_true (log_has ("GET", "/_forms/default.aspx"));
  png = foyer_ui_test_save_web_png (foyer_viewer_get_web_view (f.viewer), "viewer-document");
  g_free (png);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f.window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f.window), "viewer-window");
  fixture_close (&f);
}

static void
test_document_after_restart (void)
{
  g_autoptr (GError) error = NULL;
  Fixture f = { NULL };

  /* A fresh WebKit session: the cookies come back from the store only. */
  fixture_open (&f, "store.db");
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  open_document (&f, "doc:" BOB ":false");
  g_assert_false (log_has ("POST", "/login"));
  fixture_close (&f);
}

static void
test_sign_in_inside_viewer (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = bob_document_url ();
  g_autofree char *png = NULL;
  Fixture f = { NULL };
  ViewerProbe probe = { NULL, probe_script };
  ViewerProbe signer = { NULL, sign_in_script };

  /* No Microsoft session at all (as after it expired): the form shows in
   * the viewer, and the document follows the sign-in. */
  fixture_open (&f, "expired.db");
  probe.web_view = signer.web_view = foyer_viewer_get_web_view (f.viewer);
  foyer_viewer_open (f.viewer, "Team plan.docx", url);
  g_assert_true (viewer_probe_until (&probe, result_is, "form", 20000));
  viewer_probe_clear (&probe);
  g_assert_cmpint (foyer_viewer_get_state (f.viewer), ==, FOYER_VIEWER_STATE_DOCUMENT);
  png = foyer_ui_test_save_web_png (signer.web_view, "viewer-sign-in");

  g_assert_true (viewer_probe_until (&signer, result_is, (gpointer) ("doc:" BOB ":false"), 20000));
  viewer_probe_clear (&signer);
  fixture_close (&f);

  /* The refreshed cookies were saved: a restart opens with no form. */
  fixture_open (&f, "expired.db");
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  open_document (&f, "doc:" BOB ":false");
  g_assert_false (log_has ("POST", "/login"));
  fixture_close (&f);
}

/* A Graph POST as one of the sandbox's users; the reply's JSON. */
static JsonObject *
graph_post (const char *email, const char *path, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = foyer_test_sandbox_mint_token (sandbox, email, NULL, &error);
  g_autofree char *url = g_strconcat (foyer_test_sandbox_get_graph_url (sandbox), path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autoptr (SoupSession) session = foyer_test_sandbox_trust_session (sandbox, soup_session_new ());
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) request = g_bytes_new (json, strlen (json));
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_no_error (error);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), <, 300);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), &error));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The caller's preview provider: Graph's preview for Bob's document. */
static char *
graph_preview_url (void)
{
  g_autoptr (JsonObject) o
      = graph_post (BOB, "/me/drive/root:/Documents/Team%20plan.docx:/preview", "{}");

  return g_strdup (json_object_get_string_member (o, "getUrl"));
}

static void
test_sharing_link (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) permission = graph_post (
      "alice@contoso.example", "/me/drive/root:/Documents/Quarterly%20report.docx:/createLink",
      "{\"type\":\"view\",\"scope\":\"organization\"}");
  const char *link = json_object_get_string_member (
      json_object_get_object_member (permission, "link"), "webUrl");
  ViewerProbe probe = { NULL, probe_script };
  Fixture f = { NULL };

  /* Alice's link for the organization, opened by Bob: his session, read-only. */
  fixture_open (&f, "store.db");
  probe.web_view = foyer_viewer_get_web_view (f.viewer);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  foyer_viewer_open (f.viewer, "Quarterly report.docx", link);
  g_assert_true (viewer_probe_until (&probe, result_is, "doc:" BOB ":false", 20000));
  viewer_probe_clear (&probe);
  g_assert_false (log_has ("POST", "/login"));
  probe.script = "document.getElementById('document').dataset.mode";
  g_assert_true (viewer_probe_until (&probe, result_is, "view", 10000));
  viewer_probe_clear (&probe);
  fixture_close (&f);
}

typedef struct
{
  char *preview_url;
  char *asked_for;
  guint calls;
} Provider;

static gboolean
return_preview (gpointer data)
{
  GTask *task = data;
  Provider *p = g_task_get_task_data (task);

  g_task_return_pointer (task, g_strdup (p->preview_url), g_free);
  return G_SOURCE_REMOVE;
}

static void
provide_preview (FoyerViewer *viewer, const char *url, GTask *task, gpointer user_data)
{
  Provider *p = user_data;

  p->calls++;
  g_free (p->asked_for);
  p->asked_for = g_strdup (url);
  /* Asynchronously, as a Graph call would. */
  g_task_set_task_data (task, p, NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, return_preview, g_object_ref (task), g_object_unref);
}

static void
check_preview (Fixture *f, Provider *p, const char *png_name)
{
  g_autofree char *url = bob_document_url ();
  g_autofree char *png = NULL;
  ViewerProbe probe = { foyer_viewer_get_web_view (f->viewer), probe_script };
  GtkWidget *subtitle;

  foyer_viewer_set_preview_provider (f->viewer, provide_preview, p, NULL);
  foyer_viewer_open (f->viewer, "Team plan.docx", url);
  g_assert_true (viewer_probe_until (&probe, result_is, "doc:" BOB ":true", 20000));
  viewer_probe_clear (&probe);
  g_assert_true (viewer_state_is (f->viewer, FOYER_VIEWER_STATE_PREVIEW, 10000));
  g_assert_cmpuint (p->calls, ==, 1);
  g_assert_cmpstr (p->asked_for, ==, url);
  g_assert_true (g_str_has_prefix (webkit_web_view_get_uri (foyer_viewer_get_web_view (f->viewer)),
                                   p->preview_url));
  subtitle = foyer_ui_test_child (GTK_WIDGET (f->viewer), FOYER_TYPE_VIEWER, "subtitle_label");
  g_assert_true (gtk_widget_get_visible (subtitle));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), png_name);
}

static void
test_preview_when_sign_in_unavailable (void)
{
  g_autoptr (GError) error = NULL;
  Provider p = { graph_preview_url (), NULL, 0 };
  Fixture f = { NULL };

  /* No cookies, and the sign-in service fails: Graph's preview instead. */
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault_json (
          sandbox, "{\"pattern\":\"*/authorize\",\"host\":\"login\",\"status\":503}", &error),
      >, 0);
  g_assert_no_error (error);
  fixture_open (&f, NULL);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  check_preview (&f, &p, "viewer-preview");
  g_assert_false (log_has ("POST", "/login"));
  fixture_close (&f);
  g_free (p.preview_url);
  g_free (p.asked_for);
}

static void
test_preview_when_sign_in_unreachable (void)
{
  g_autoptr (GError) error = NULL;
  Provider p = { graph_preview_url (), NULL, 0 };
  Fixture f = { NULL };

  /* The login host closes every connection: no network sign-in possible. */
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault_json (
          sandbox, "{\"pattern\":\"*/authorize\",\"host\":\"login\",\"drop\":true}", &error),
      >, 0);
  g_assert_no_error (error);
  fixture_open (&f, NULL);
  check_preview (&f, &p, "viewer-preview-unreachable");
  fixture_close (&f);
  g_free (p.preview_url);
  g_free (p.asked_for);
}

static void
test_preview_when_no_sign_in_allowed (void)
{
  Provider p = { graph_preview_url (), NULL, 0 };
  Fixture f = { NULL };

  /* The caller says no sign-in may happen: the form is never shown. */
  fixture_open (&f, NULL);
  foyer_viewer_set_interactive_sign_in (f.viewer, FALSE);
  check_preview (&f, &p, "viewer-preview-no-sign-in");
  fixture_close (&f);
  g_free (p.preview_url);
  g_free (p.asked_for);
}

static void
test_no_preview_error_page (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = bob_document_url ();
  Fixture f = { NULL };
  ViewerProbe probe = { NULL, probe_script };

  /* No provider: an error page that says what happened. */
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault_json (
          sandbox, "{\"pattern\":\"*/authorize\",\"host\":\"login\",\"status\":503}", &error),
      >, 0);
  fixture_open (&f, NULL);
  probe.web_view = foyer_viewer_get_web_view (f.viewer);
  foyer_viewer_open (f.viewer, "Team plan.docx", url);
  g_assert_true (viewer_state_is (f.viewer, FOYER_VIEWER_STATE_ERROR, 20000));
  g_assert_nonnull (strstr (foyer_viewer_get_error_message (f.viewer), "503"));

  /* Try Again, once the service is back: the sign-in form, in the viewer. */
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.viewer), "viewer.reload", NULL));
  g_assert_true (viewer_probe_until (&probe, result_is, "form", 20000));
  viewer_probe_clear (&probe);
  g_assert_null (foyer_viewer_get_error_message (f.viewer));
  fixture_close (&f);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  foyer_ui_test_init (&argc, &argv);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);

  g_test_add_func ("/viewer/sandbox/document-after-sign-in", test_document_after_sign_in);
  g_test_add_func ("/viewer/sandbox/document-after-restart", test_document_after_restart);
  g_test_add_func ("/viewer/sandbox/sharing-link", test_sharing_link);
  g_test_add_func ("/viewer/sandbox/sign-in-inside-viewer", test_sign_in_inside_viewer);
  g_test_add_func ("/viewer/sandbox/preview-when-sign-in-unavailable",
                   test_preview_when_sign_in_unavailable);
  g_test_add_func ("/viewer/sandbox/preview-when-sign-in-unreachable",
                   test_preview_when_sign_in_unreachable);
  g_test_add_func ("/viewer/sandbox/preview-when-no-sign-in-allowed",
                   test_preview_when_no_sign_in_allowed);
  g_test_add_func ("/viewer/sandbox/no-preview-error-page", test_no_preview_error_page);

  ret = g_test_run ();
  g_clear_object (&cloud);
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
