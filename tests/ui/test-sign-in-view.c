/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "foyer-sign-in-view.h"
#include "foyer-test-tls.h"
#include "foyer-ui-test.h"

/* A stand-in for a sign-in page: a form whose POST answers with the redirect
 * to the native-client URI, which must never actually be requested. */
typedef struct
{
  SoupServer *server;
  char *base;
  char *redirect_uri;
  guint redirect_hits;
  FoyerWebSession *session;
  FoyerCloud *cloud;
  GtkWindow *window;
  FoyerSignInView *view;
  char *caught;
  char *failure;
} Fixture;

static const char form_page[]
    = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
      "<form method='post' action='/login'>"
      "<input id='email' name='email'><input id='password' name='password' type='password'>"
      "<button id='sign-in' type='submit'>Sign in</button></form></body></html>";

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/authorize"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, form_page,
                                        strlen (form_page));
    }
  else if (g_str_equal (path, "/login"))
    {
      g_autofree char *location
          = g_strconcat (f->redirect_uri, "?code=the-code&state=the-state", NULL);

      soup_message_headers_replace (headers, "Location", location);
      soup_server_message_set_status (msg, 302, NULL);
    }
  else if (g_str_equal (path, "/common/oauth2/nativeclient"))
    {
      f->redirect_hits++;
      soup_server_message_set_status (msg, 200, NULL);
    }
  else if (g_str_equal (path, "/phish"))
    {
      soup_message_headers_replace (headers, "Location", "http://192.0.2.1/login");
      soup_server_message_set_status (msg, 302, NULL);
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static void
redirect_cb (FoyerSignInView *view, const char *uri, Fixture *f)
{
  f->caught = g_strdup (uri);
}

static void
failed_cb (FoyerSignInView *view, const char *message, Fixture *f)
{
  f->failure = g_strdup (message);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;

  g_autofree char *cloud_json = NULL;
  int port;

  /* https with a certificate from a test CA that only the cloud names. */
  f->server = soup_server_new ("tls-certificate", foyer_test_tls_get_default_certificate (), NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen_local (
      f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  port = g_uri_get_port (uris->data);
  f->base = g_strdup_printf ("https://127.0.0.1:%d", port);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  f->redirect_uri = g_strconcat (f->base, "/common/oauth2/nativeclient", NULL);
  cloud_json
      = g_strdup_printf ("{\"caFile\": \"%s\", \"authority\": \"%s\", \"graph\": \"%s/v1.0\","
                         " \"allowedHosts\": [\"127.0.0.1:%d\"]}",
                         foyer_test_tls_get_default_ca_file (), f->base, f->base, port);
  f->cloud = foyer_cloud_new_from_data (cloud_json, -1, &error);
  g_assert_no_error (error);

  f->session = foyer_web_session_new ();
  foyer_web_session_trust_cloud (f->session, f->cloud);
  f->view = foyer_sign_in_view_new (f->session);
  g_signal_connect (f->view, "redirect", G_CALLBACK (redirect_cb), f);
  g_signal_connect (f->view, "failed", G_CALLBACK (failed_cb), f);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 800, 600);
  gtk_window_set_child (f->window, GTK_WIDGET (f->view));
  gtk_window_present (f->window);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  g_clear_object (&f->session);
  g_clear_object (&f->cloud);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->base);
  g_free (f->redirect_uri);
  g_free (f->caught);
  g_free (f->failure);
}

static gboolean
finished (gpointer data)
{
  Fixture *f = data;

  return f->caught != NULL || f->failure != NULL;
}

static gboolean
page_loaded (gpointer data)
{
  Fixture *f = data;
  WebKitWebView *web_view = foyer_sign_in_view_get_web_view (f->view);

  return !webkit_web_view_is_loading (web_view)
         && g_strcmp0 (webkit_web_view_get_title (web_view), "Sign in") == 0;
}

static void
js_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);

  g_assert_no_error (error);
}

static void
test_redirect_caught (Fixture *f, gconstpointer data)
{
  g_autofree char *authorize = g_strconcat (f->base, "/authorize", NULL);
  WebKitWebView *web_view = foyer_sign_in_view_get_web_view (f->view);
  g_autofree char *png = NULL;
  const char *script = "document.getElementById('email').value = 'alice@contoso.example';"
                       "document.getElementById('password').value = 'secret';"
                       "document.getElementById('sign-in').click();";

  foyer_sign_in_view_start (f->view, authorize, f->redirect_uri);
  /* The first page starts WebKit's processes (slow on a busy machine); the
   * certificate was fetched and allowed before WebKit's first request. */
  if (!foyer_ui_test_wait_until (page_loaded, f, 60000))
    g_error ("sign-in page not shown: loading %d, title %s, uri %s, failure %s",
             webkit_web_view_is_loading (web_view), webkit_web_view_get_title (web_view),
             webkit_web_view_get_uri (web_view), f->failure);

  /* The user sees where the password goes, and that the cloud's CA vouches for it. */
  g_assert_cmpstr (foyer_sign_in_view_get_host (f->view), ==, "127.0.0.1");
  g_assert_cmpint (foyer_sign_in_view_get_security (f->view), ==, FOYER_SIGN_IN_SECURITY_SECURE);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), "sign-in-view");
  g_free (png);
  png = foyer_ui_test_save_web_png (web_view, "sign-in-page");

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, js_done_cb, NULL);
  g_assert_true (foyer_ui_test_wait_until (finished, f, 20000));
  g_assert_null (f->failure);
  g_assert_true (g_str_has_prefix (f->caught, f->redirect_uri));
  g_assert_nonnull (strstr (f->caught, "code=the-code"));
  g_assert_nonnull (strstr (f->caught, "state=the-state"));

  /* Caught in decide-policy: the redirect URI itself was never requested. */
  g_assert_cmpuint (f->redirect_hits, ==, 0);
}

static void
test_insecure_start_refused (Fixture *f, gconstpointer data)
{
  foyer_sign_in_view_start (f->view, "http://login.example.com/authorize", f->redirect_uri);
  g_assert_true (foyer_ui_test_wait_until (finished, f, 5000));
  g_assert_null (f->caught);
  g_assert_nonnull (f->failure);
}

static void
test_insecure_redirect_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *phish = g_strconcat (f->base, "/phish", NULL);

  foyer_sign_in_view_start (f->view, phish, f->redirect_uri);
  g_assert_true (foyer_ui_test_wait_until (finished, f, 20000));
  g_assert_null (f->caught);
  g_assert_nonnull (f->failure);
}

static guint tls_requests;

static void
tls_server_cb (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  tls_requests++;
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, form_page,
                                    strlen (form_page));
}

static void
tls_refused (Fixture *f, GTlsCertificate *certificate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GSList) uris = NULL;
  g_autofree char *authorize = NULL;

  tls_requests = 0;
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, tls_server_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (
      server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  authorize = g_strdup_printf ("https://127.0.0.1:%d/authorize", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  foyer_sign_in_view_start (f->view, authorize, f->redirect_uri);
  g_assert_true (foyer_ui_test_wait_until (finished, f, 20000));

  /* Fails closed: no page, no request, and the user is told why. */
  g_assert_null (f->caught);
  g_assert_nonnull (f->failure);
  g_assert_nonnull (strstr (f->failure, "127.0.0.1"));
  g_assert_cmpuint (tls_requests, ==, 0);
  g_assert_cmpint (foyer_sign_in_view_get_security (f->view), ==, FOYER_SIGN_IN_SECURITY_NONE);
  soup_server_disconnect (server);
}

static void
test_tls_error_refused (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = foyer_test_tls_self_signed ("127.0.0.1", &error);

  g_assert_no_error (error);
  tls_refused (f, certificate);
}

/* The cloud's CA vouches for the cloud's own hosts only: the same CA's
 * certificate on another port (another host:port) is refused. */
static void
test_tls_ca_only_for_cloud_hosts (Fixture *f, gconstpointer data)
{
  tls_refused (f, foyer_test_tls_get_default_certificate ());
}

static void
test_uri_rules (void)
{
  g_assert_true (foyer_sign_in_uri_is_allowed ("https://login.microsoftonline.com/x"));
  g_assert_true (foyer_sign_in_uri_is_allowed ("https://adfs.contoso.example/adfs/ls"));
  g_assert_true (foyer_sign_in_uri_is_allowed ("https://127.0.0.2:8080/x"));
  g_assert_false (foyer_sign_in_uri_is_allowed ("http://127.0.0.2:8080/x"));
  g_assert_false (foyer_sign_in_uri_is_allowed ("http://login.microsoftonline.com/x"));
  g_assert_false (foyer_sign_in_uri_is_allowed ("javascript:alert(1)"));
  g_assert_false (foyer_sign_in_uri_is_allowed ("file:///etc/passwd"));
  g_assert_false (foyer_sign_in_uri_is_allowed ("data:text/html,hi"));
  g_assert_false (foyer_sign_in_uri_is_allowed (NULL));

  g_assert_true (foyer_sign_in_uri_matches_redirect (
      "https://login.microsoftonline.com/common/oauth2/nativeclient?code=a&state=b",
      "https://login.microsoftonline.com/common/oauth2/nativeclient"));
  g_assert_true (foyer_sign_in_uri_matches_redirect (
      "https://LOGIN.microsoftonline.com/common/oauth2/nativeclient?code=a",
      "https://login.microsoftonline.com/common/oauth2/nativeclient"));
  g_assert_false (foyer_sign_in_uri_matches_redirect (
      "https://login.microsoftonline.com/common/oauth2/nativeclient2?code=a",
      "https://login.microsoftonline.com/common/oauth2/nativeclient"));
  g_assert_false (foyer_sign_in_uri_matches_redirect (
      "https://login.microsoftonline.com.evil.example/common/oauth2/nativeclient?code=a",
      "https://login.microsoftonline.com/common/oauth2/nativeclient"));
  g_assert_false (foyer_sign_in_uri_matches_redirect (
      "http://login.microsoftonline.com/common/oauth2/nativeclient?code=a",
      "https://login.microsoftonline.com/common/oauth2/nativeclient"));
  g_assert_false (
      foyer_sign_in_uri_matches_redirect ("http://127.0.0.2:81/common/oauth2/nativeclient",
                                          "http://127.0.0.2:80/common/oauth2/nativeclient"));
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);

  g_test_add_func ("/auth/sign-in-view/uri-rules", test_uri_rules);
  g_test_add ("/auth/sign-in-view/redirect-caught", Fixture, NULL, fixture_set_up,
              test_redirect_caught, fixture_tear_down);
  g_test_add ("/auth/sign-in-view/insecure-start", Fixture, NULL, fixture_set_up,
              test_insecure_start_refused, fixture_tear_down);
  g_test_add ("/auth/sign-in-view/insecure-redirect", Fixture, NULL, fixture_set_up,
              test_insecure_redirect_refused, fixture_tear_down);

  g_test_add ("/auth/sign-in-view/tls-error", Fixture, NULL, fixture_set_up, test_tls_error_refused,
              fixture_tear_down);
  g_test_add ("/auth/sign-in-view/tls-ca-only-for-cloud-hosts", Fixture, NULL, fixture_set_up,
              test_tls_ca_only_for_cloud_hosts, fixture_tear_down);

  return g_test_run ();
}
