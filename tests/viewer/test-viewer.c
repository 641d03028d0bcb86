/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The viewer against a local stand-in for SharePoint: the document loads,
 * links outside the cloud are never loaded, redirects out of it are
 * refused, and a host with a self-signed certificate is refused.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>

#include "foyer-test-tls.h"
#include "viewer-test-common.h"

static const char doc_page[]
    = "<!DOCTYPE html><html><head><title>Doc page</title></head><body>"
      "<main id='document' data-viewer='bob@contoso.example'>A document</main>"
      "<a id='out' href='https://example.org/x'>outside</a>"
      "<a id='out-window' target='_blank' href='https://example.com/'>window</a>"
      "<a id='in-window' target='_blank' href='/other'>inside</a>"
      "<a id='download' href='/file.bin'>download</a>"
      "</body></html>";

static const char other_page[]
    = "<!DOCTYPE html><html><head><title>Other</title></head><body>"
      "<main id='document' data-viewer='other'>Other</main></body></html>";

typedef struct
{
  SoupServer *server;
  char *base;
  FoyerCloud *cloud;
  FoyerWebSession *session;
  GtkWindow *window;
  FoyerViewer *viewer;
  GPtrArray *external;
  guint closes;
  guint requests;
} Fixture;

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  f->requests++;
  if (g_str_equal (path, "/doc"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, doc_page,
                                        strlen (doc_page));
    }
  else if (g_str_equal (path, "/other"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, other_page,
                                        strlen (other_page));
    }
  else if (g_str_equal (path, "/file.bin"))
    {
      soup_message_headers_replace (headers, "Content-Disposition",
                                    "attachment; filename=\"../report.bin\"");
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_STATIC,
                                        "report-bytes", 12);
    }
  else if (g_str_equal (path, "/leave"))
    {
      soup_message_headers_replace (headers, "Location", "http://127.0.0.9:8080/phish");
      soup_server_message_set_status (msg, 302, NULL);
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static gboolean
external_cb (FoyerViewer *viewer, const char *uri, Fixture *f)
{
  g_ptr_array_add (f->external, g_strdup (uri));
  return TRUE;
}

static void
close_cb (FoyerViewer *viewer, Fixture *f)
{
  f->closes++;
}

static FoyerCloud *
make_cloud (const char *allowed_host, const char *extra_host)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
      "{\"name\":\"test\",\"caFile\":\"%s\",\"authority\":\"https://127.0.0.5:1\","
      "\"graph\":\"https://127.0.0.6:1/v1.0\",\"allowedHosts\":[\"%s\",\"%s\"],"
      "\"sharepointHosts\":[\"%s\"]}",
      foyer_test_tls_get_default_ca_file (), allowed_host,
      extra_host != NULL ? extra_host : allowed_host, allowed_host);
  FoyerCloud *cloud = foyer_cloud_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return cloud;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;
  g_autofree char *host = NULL;
  int port;

  f->server = soup_server_new ("tls-certificate", foyer_test_tls_get_default_certificate (), NULL);
  soup_server_add_handler (f->server, NULL, server_cb, f, NULL);
  g_assert_true (soup_server_listen_local (
      f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  f->base = g_strdup_printf ("https://127.0.0.1:%d", port);
  host = g_strdup_printf ("127.0.0.1:%d", port);

  f->cloud = make_cloud (host, data);
  f->session = foyer_web_session_new ();
  f->external = g_ptr_array_new_with_free_func (g_free);
  f->viewer = foyer_viewer_new (f->session, f->cloud);
  g_signal_connect (f->viewer, "close", G_CALLBACK (close_cb), f);
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 900, 700);
  gtk_window_set_child (f->window, GTK_WIDGET (f->viewer));
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
  g_ptr_array_unref (f->external);
}

static gboolean
names (ViewerProbe *probe, gpointer data)
{
  return g_strcmp0 (probe->result, data) == 0;
}

static const char viewer_script[] = "(function () { var m = document.getElementById('document');"
                                    "  return m ? m.dataset.viewer : ''; })()";

static void
open_doc (Fixture *f)
{
  g_autofree char *doc = g_strconcat (f->base, "/doc", NULL);
  ViewerProbe probe = { foyer_viewer_get_web_view (f->viewer), viewer_script };

  /* A title from the network is text, not markup. */
  foyer_viewer_open (f->viewer, "Plan <b>2027</b>.docx", doc);
  g_assert_true (viewer_state_is (f->viewer, FOYER_VIEWER_STATE_DOCUMENT, 20000));
  g_assert_true (viewer_probe_until (&probe, names, "bob@contoso.example", 20000));
  viewer_probe_clear (&probe);
}

static void
test_document (Fixture *f, gconstpointer data)
{
  GtkWidget *title;
  g_autofree char *png = NULL;

  g_signal_connect (f->viewer, "external-link", G_CALLBACK (external_cb), f);
  open_doc (f);

  title = foyer_ui_test_child (GTK_WIDGET (f->viewer), FOYER_TYPE_VIEWER, "title_label");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (title)), ==, "Plan <b>2027</b>.docx");
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (title)));
  g_assert_null (foyer_viewer_get_error_message (f->viewer));

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), "viewer-widget");

  /* Back to the conversation. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->viewer), "viewer.back", NULL));
  g_assert_cmpuint (f->closes, ==, 1);
}

static gboolean
closed (gpointer data)
{
  return ((Fixture *) data)->closes >= 1;
}

/* Over the whole window, the viewer has the window's controls; Escape,
 * pressed with the focus in the page, leaves it. */
static void
test_controls_and_escape (Fixture *f, gconstpointer data)
{
  AdwHeaderBar *header = foyer_ui_test_find (GTK_WIDGET (f->viewer), ADW_TYPE_HEADER_BAR);

  open_doc (f);
  g_assert_true (adw_header_bar_get_show_end_title_buttons (header));
  g_assert_true (adw_header_bar_get_show_start_title_buttons (header));
  g_assert_nonnull (foyer_ui_test_find (GTK_WIDGET (header), GTK_TYPE_WINDOW_CONTROLS));

  foyer_ui_test_focus_window (f->window);
  gtk_widget_grab_focus (GTK_WIDGET (foyer_viewer_get_web_view (f->viewer)));
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (foyer_viewer_get_web_view (f->viewer))));
  foyer_ui_test_xdotool ("key Escape");
  g_assert_true (foyer_ui_test_wait_until (closed, f, 10000));
  g_assert_cmpuint (f->closes, ==, 1);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->window), "viewer-controls"));
}

static gboolean
has_external (gpointer data)
{
  return ((Fixture *) data)->external->len > 0;
}

static void
test_foreign_link (Fixture *f, gconstpointer data)
{
  WebKitWebView *web_view = foyer_viewer_get_web_view (f->viewer);
  g_autofree char *doc = g_strconcat (f->base, "/doc", NULL);
  ViewerProbe probe = { web_view, viewer_script };

  g_signal_connect (f->viewer, "external-link", G_CALLBACK (external_cb), f);
  open_doc (f);

  /* A link to a foreign host: handed over, never loaded here. */
  viewer_run_js (web_view, "document.getElementById('out').click();");
  g_assert_true (foyer_ui_test_wait_until (has_external, f, 10000));
  g_assert_cmpstr (g_ptr_array_index (f->external, 0), ==, "https://example.org/x");
  g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, doc);
  g_assert_true (viewer_probe_until (&probe, names, "bob@contoso.example", 10000));
  g_assert_cmpint (foyer_viewer_get_state (f->viewer), ==, FOYER_VIEWER_STATE_DOCUMENT);

  /* A new window to a foreign host: the same. */
  g_ptr_array_set_size (f->external, 0);
  viewer_run_js (web_view, "document.getElementById('out-window').click();");
  g_assert_true (foyer_ui_test_wait_until (has_external, f, 10000));
  g_assert_cmpstr (g_ptr_array_index (f->external, 0), ==, "https://example.com/");
  g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, doc);

  /* A new window inside the cloud opens in the viewer itself. */
  g_ptr_array_set_size (f->external, 0);
  viewer_run_js (web_view, "document.getElementById('in-window').click();");
  g_assert_true (viewer_probe_until (&probe, names, "other", 10000));
  g_assert_cmpuint (f->external->len, ==, 0);
  viewer_probe_clear (&probe);
}

static AdwMessageDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        return ADW_MESSAGE_DIALOG (item);
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_dialog () != NULL;
}

static void
test_foreign_link_asks (Fixture *f, gconstpointer data)
{
  WebKitWebView *web_view = foyer_viewer_get_web_view (f->viewer);
  g_autofree char *doc = g_strconcat (f->base, "/doc", NULL);
  AdwMessageDialog *dialog;
  g_autofree char *png = NULL;

  open_doc (f);
  viewer_run_js (web_view, "document.getElementById('out').click();");
  g_assert_true (foyer_ui_test_wait_until (dialog_shown, NULL, 10000));
  dialog = find_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "example.org"));
  g_assert_false (adw_message_dialog_get_body_use_markup (dialog));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (dialog), "viewer-external-link");

  /* The user declines: nothing opens, the document stays. */
  adw_message_dialog_response (dialog, "cancel");
  g_assert_cmpstr (webkit_web_view_get_uri (web_view), ==, doc);
}

static GtkFileChooser *
find_file_chooser (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (toplevels, i);

      if (GTK_IS_FILE_CHOOSER (item) && gtk_widget_get_visible (GTK_WIDGET (item)))
        return GTK_FILE_CHOOSER (item);
    }
  return NULL;
}

static gboolean
file_chooser_shown (gpointer data)
{
  return find_file_chooser () != NULL;
}

static void
download_failed_cb (WebKitDownload *download, GError *error, gboolean *cancelled)
{
  *cancelled
      = g_error_matches (error, WEBKIT_DOWNLOAD_ERROR, WEBKIT_DOWNLOAD_ERROR_CANCELLED_BY_USER);
}

static void
download_started_cb (WebKitNetworkSession *session, WebKitDownload *download, gboolean *cancelled)
{
  g_signal_connect (download, "failed", G_CALLBACK (download_failed_cb), cancelled);
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_download (Fixture *f, gconstpointer data)
{
  WebKitWebView *web_view = foyer_viewer_get_web_view (f->viewer);
  GtkFileChooser *chooser;
  g_autofree char *name = NULL;
  gboolean cancelled = FALSE;

  g_signal_connect (foyer_web_session_get_network_session (f->session), "download-started",
                    G_CALLBACK (download_started_cb), &cancelled);
  open_doc (f);
  viewer_run_js (web_view, "document.getElementById('download').click();");

  /* A save dialog, with the suggested name reduced to a base name. */
  g_assert_true (foyer_ui_test_wait_until (file_chooser_shown, NULL, 10000));
  chooser = find_file_chooser ();
  g_assert_cmpint (gtk_file_chooser_get_action (chooser), ==, GTK_FILE_CHOOSER_ACTION_SAVE);
  name = gtk_file_chooser_get_current_name (chooser);
  g_assert_cmpstr (name, ==, "report.bin");
  foyer_ui_test_wait_for_draw (GTK_WIDGET (chooser));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (chooser), "viewer-save-dialog"));

  /* The user cancels: so is the download; the document stays. */
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  g_assert_true (foyer_ui_test_wait_until (is_true, &cancelled, 10000));
  g_assert_null (find_file_chooser ());
  g_assert_true (viewer_state_is (f->viewer, FOYER_VIEWER_STATE_DOCUMENT, 10000));
}

static void
test_redirect_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *leave = g_strconcat (f->base, "/leave", NULL);

  g_signal_connect (f->viewer, "external-link", G_CALLBACK (external_cb), f);
  foyer_viewer_open (f->viewer, "Leaving", leave);
  g_assert_true (viewer_state_is (f->viewer, FOYER_VIEWER_STATE_ERROR, 20000));
  g_assert_nonnull (strstr (foyer_viewer_get_error_message (f->viewer), "127.0.0.9"));
  /* A redirect is the page's doing, not the user's: refused, not offered. */
  g_assert_cmpuint (f->external->len, ==, 0);
}

static void
test_open_foreign_refused (Fixture *f, gconstpointer data)
{
  g_signal_connect (f->viewer, "external-link", G_CALLBACK (external_cb), f);
  foyer_viewer_open (f->viewer, "Elsewhere", "https://example.com/file.docx");
  g_assert_cmpint (foyer_viewer_get_state (f->viewer), ==, FOYER_VIEWER_STATE_ERROR);
  g_assert_nonnull (strstr (foyer_viewer_get_error_message (f->viewer), "example.com"));
  g_assert_null (webkit_web_view_get_uri (foyer_viewer_get_web_view (f->viewer)));
  g_assert_cmpuint (f->requests, ==, 0);
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
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, doc_page,
                                    strlen (doc_page));
}

static void
test_tls_error_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = foyer_test_tls_self_signed ("127.0.0.1", &error);
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (GSList) uris = NULL;
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autoptr (FoyerWebSession) session = foyer_web_session_new ();
  g_autofree char *host = NULL;
  g_autofree char *url = NULL;
  g_autofree char *png = NULL;
  GtkWindow *window;
  FoyerViewer *viewer;
  GtkWidget *status;

  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_add_handler (server, NULL, tls_server_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (
      server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  host = g_strdup_printf ("127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  url = g_strdup_printf ("https://%s/doc", host);

  /* The host is one of the cloud's, whose descriptor names a CA: only the
   * certificate is wrong (not from that CA). */
  cloud = make_cloud (host, NULL);
  g_assert_true (foyer_cloud_is_allowed_url (cloud, url));
  viewer = foyer_viewer_new (session, cloud);
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 900, 700);
  gtk_window_set_child (window, GTK_WIDGET (viewer));
  gtk_window_present (window);

  foyer_viewer_open (viewer, "Intercepted", url);
  g_assert_true (viewer_state_is (viewer, FOYER_VIEWER_STATE_ERROR, 20000));

  /* Fails closed: an error page that says why, no request served. */
  g_assert_nonnull (strstr (foyer_viewer_get_error_message (viewer), "127.0.0.1"));
  g_assert_cmpuint (tls_requests, ==, 0);
  status = foyer_ui_test_child (GTK_WIDGET (viewer), FOYER_TYPE_VIEWER, "stack");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (status)), ==, "error");
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  png = foyer_ui_test_save_png (GTK_WIDGET (window), "viewer-tls-error");

  gtk_window_destroy (window);
  soup_server_disconnect (server);
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);

  g_test_add ("/viewer/widget/document", Fixture, NULL, fixture_set_up, test_document,
              fixture_tear_down);
  g_test_add ("/viewer/widget/controls-and-escape", Fixture, NULL, fixture_set_up,
              test_controls_and_escape, fixture_tear_down);
  g_test_add ("/viewer/widget/foreign-link", Fixture, NULL, fixture_set_up, test_foreign_link,
              fixture_tear_down);
  g_test_add ("/viewer/widget/foreign-link-asks", Fixture, NULL, fixture_set_up,
              test_foreign_link_asks, fixture_tear_down);
  g_test_add ("/viewer/widget/redirect-refused", Fixture, NULL, fixture_set_up,
              test_redirect_refused, fixture_tear_down);
  g_test_add ("/viewer/widget/open-foreign-refused", Fixture, NULL, fixture_set_up,
              test_open_foreign_refused, fixture_tear_down);
  g_test_add_func ("/viewer/widget/tls-error", test_tls_error_refused);
  g_test_add ("/viewer/widget/download", Fixture, NULL, fixture_set_up, test_download,
              fixture_tear_down);

  return g_test_run ();
}
