/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Opening a document: Foyer's viewer (a new FoyerViewer in a new window,
 * as the window makes on the first open) against a plain WebKitWebView on
 * the same web session loading the same address in a window of its own,
 * both after Bob signed in on foyer-ms-sandbox, runs of the two
 * alternated. Each time runs from the call until WebKit says the
 * document's page finished loading; then a probe checks it is Bob's
 * document (not timed). Also the web process's memory (PSS) with the
 * document shown, for each. Prints min / median / max over
 * FOYER_BENCH_RUNS runs (default 5) and the ratio per run.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-test-sandbox.h"
#include "foyer-ui-test.h"
#include "foyer-viewer.h"
#include "foyer-web-session.h"

#define BOB       "bob@contoso.example"
#define CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static FoyerTestSandbox *sandbox;
static FoyerCloud *cloud;
static guint runs = 5;

static const char probe_script[] = "(function () {"
                                   "  var m = document.getElementById('document');"
                                   "  if (m) return 'doc:' + m.dataset.viewer;"
                                   "  if (document.getElementById('i0116')) return 'form';"
                                   "  if (document.getElementById('scopes')) return 'consent';"
                                   "  return 'other'; })()";

/* Fills the sandbox's sign-in form and accepts consent, once each. */
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
      "  return location.href; })()";

typedef struct
{
  char *result;
  gboolean done;
} Js;

static void
js_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Js *js = user_data;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);

  js->result = value != NULL && jsc_value_is_string (value) ? jsc_value_to_string (value) : NULL;
  js->done = TRUE;
}

static gboolean
js_done (gpointer data)
{
  return ((Js *) data)->done;
}

static char *
run_js (WebKitWebView *web_view, const char *script)
{
  Js js = { NULL, FALSE };

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, js_cb, &js);
  g_assert_true (foyer_ui_test_wait_until (js_done, &js, 20000));
  return js.result;
}

typedef struct
{
  WebKitWebView *web_view;
  const char *script;
  const char *prefix;
} Probe;

static gboolean
probe_has_prefix (gpointer data)
{
  Probe *probe = data;
  g_autofree char *result = NULL;

  if (webkit_web_view_is_loading (probe->web_view))
    return FALSE;
  result = run_js (probe->web_view, probe->script);
  return result != NULL && g_str_has_prefix (result, probe->prefix);
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

/* Bob signs in the way the app does: the identity platform's form in a
 * web view on the same web session. */
static void
sign_in_bob (FoyerWebSession *session)
{
  g_autofree char *redirect
      = g_uri_escape_string (foyer_test_sandbox_get_redirect_uri (sandbox), NULL, FALSE);
  g_autofree char *authorize = g_strdup_printf (
      "%s/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
      "&scope=openid%%20offline_access&state=bench&code_challenge=" CHALLENGE
      "&code_challenge_method=S256",
      foyer_test_sandbox_get_authority_url (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      redirect);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  WebKitWebView *web_view = foyer_web_session_create_view (session);
  Probe probe = { web_view, sign_in_script, foyer_test_sandbox_get_redirect_uri (sandbox) };

  foyer_web_session_trust_cloud (session, cloud);
  g_signal_connect (web_view, "load-failed-with-tls-errors", G_CALLBACK (tls_errors_cb), session);
  gtk_window_set_child (window, GTK_WIDGET (web_view));
  gtk_window_present (window);
  webkit_web_view_load_uri (web_view, authorize);
  g_assert_true (foyer_ui_test_wait_until (probe_has_prefix, &probe, 30000));
  gtk_window_destroy (window);
}

static char *
document_url (void)
{
  return g_strdup_printf ("%s/personal/bob_contoso_example/Documents/Documents/Team%%20plan.docx",
                          foyer_test_sandbox_get_sharepoint_url (sandbox));
}

typedef struct
{
  gint64 finished; /* monotonic µs */
} Load;

static void
load_changed_cb (WebKitWebView *web_view, WebKitLoadEvent event, Load *load)
{
  const char *uri = webkit_web_view_get_uri (web_view);

  if (event == WEBKIT_LOAD_FINISHED && uri != NULL
      && g_str_has_prefix (uri, foyer_test_sandbox_get_sharepoint_url (sandbox))
      && strstr (uri, "/_forms/") == NULL)
    load->finished = g_get_monotonic_time ();
}

static gboolean
load_finished (gpointer data)
{
  return ((Load *) data)->finished > 0;
}

/* PSS of a process from /proc/PID/smaps_rollup, in bytes. */
static guint64
pss_of (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/smaps_rollup", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, "\nPss:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 5, NULL, 10) * 1024;
}

/* The newest WebKitWebProcess started by this process (the one showing
 * the page just loaded). */
static int
newest_web_process (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  unsigned long long newest_start = 0;
  int newest = 0;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/stat", name);
      g_autofree char *stat = NULL;
      const char *close_paren;
      char state;
      int ppid;
      unsigned long long start;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL)
          || strstr (stat, "(WebKitWebProces") == NULL
          || (close_paren = strrchr (stat, ')')) == NULL)
        continue;
      /* state ppid pgrp session tty tpgid flags minflt cminflt majflt
       * cmajflt utime stime cutime cstime priority nice threads
       * itrealvalue starttime */
      if (sscanf (close_paren + 2,
                  "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                  &state, &ppid, &start)
              != 3
          || ppid != getpid ())
        continue;
      if (start >= newest_start)
        {
          newest_start = start;
          newest = atoi (name);
        }
    }
  return newest;
}

typedef struct
{
  double ms;
  guint64 pss;
} Opened;

static void
check_document (WebKitWebView *web_view)
{
  Probe probe = { web_view, probe_script, "doc:" BOB };

  g_assert_true (foyer_ui_test_wait_until (probe_has_prefix, &probe, 20000));
}

static Opened
open_in_viewer (FoyerWebSession *session, const char *url)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  Load load = { 0 };
  FoyerViewer *viewer;
  WebKitWebView *web_view;
  Opened opened;
  gint64 t0;

  gtk_window_set_default_size (window, 900, 700);
  t0 = g_get_monotonic_time ();
  viewer = foyer_viewer_new (session, cloud);
  web_view = foyer_viewer_get_web_view (viewer);
  g_signal_connect (web_view, "load-changed", G_CALLBACK (load_changed_cb), &load);
  gtk_window_set_child (window, GTK_WIDGET (viewer));
  gtk_window_present (window);
  foyer_viewer_open (viewer, "Team plan.docx", url);
  g_assert_true (foyer_ui_test_wait_until (load_finished, &load, 30000));
  opened.ms = (load.finished - t0) / 1000.0;
  g_assert_cmpint (foyer_viewer_get_state (viewer), ==, FOYER_VIEWER_STATE_DOCUMENT);
  check_document (web_view);
  opened.pss = pss_of (newest_web_process ());
  g_signal_handlers_disconnect_by_data (web_view, &load);
  gtk_window_destroy (window);
  return opened;
}

static Opened
open_in_web_view (FoyerWebSession *session, const char *url)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  Load load = { 0 };
  WebKitWebView *web_view;
  Opened opened;
  gint64 t0;

  gtk_window_set_default_size (window, 900, 700);
  t0 = g_get_monotonic_time ();
  web_view = foyer_web_session_create_view (session);
  g_signal_connect (web_view, "load-failed-with-tls-errors", G_CALLBACK (tls_errors_cb), session);
  g_signal_connect (web_view, "load-changed", G_CALLBACK (load_changed_cb), &load);
  gtk_window_set_child (window, GTK_WIDGET (web_view));
  gtk_window_present (window);
  webkit_web_view_load_uri (web_view, url);
  g_assert_true (foyer_ui_test_wait_until (load_finished, &load, 30000));
  opened.ms = (load.finished - t0) / 1000.0;
  check_document (web_view);
  opened.pss = pss_of (newest_web_process ());
  g_signal_handlers_disconnect_by_data (web_view, &load);
  gtk_window_destroy (window);
  return opened;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
spread (GArray *values, double *min, double *median, double *max)
{
  g_autoptr (GArray) sorted = g_array_copy (values);

  g_array_sort (sorted, compare_doubles);
  *min = g_array_index (sorted, double, 0);
  *median = g_array_index (sorted, double, sorted->len / 2);
  *max = g_array_index (sorted, double, sorted->len - 1);
}

static void
print_pair (const char *what, const char *unit, GArray *values, GArray *references)
{
  g_autoptr (GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  double v[3], r[3], q[3];

  for (guint i = 0; i < values->len; i++)
    {
      double ratio = g_array_index (values, double, i) / g_array_index (references, double, i);

      g_array_append_val (ratios, ratio);
    }
  spread (values, &v[0], &v[1], &v[2]);
  spread (references, &r[0], &r[1], &r[2]);
  spread (ratios, &q[0], &q[1], &q[2]);
  g_print ("# viewer: %s: %.1f / %.1f / %.1f %s; plain WebKitWebView %.1f / %.1f / %.1f %s; "
           "ratio %.2f / %.2f / %.2f (min / median / max of %u)\n",
           what, v[0], v[1], v[2], unit, r[0], r[1], r[2], unit, q[0], q[1], q[2], values->len);
}

static void
bench_viewer (void)
{
  g_autoptr (FoyerWebSession) session = foyer_web_session_new ();
  g_autofree char *url = document_url ();
  g_autoptr (GArray) viewer_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) plain_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) viewer_mib = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) plain_mib = g_array_new (FALSE, FALSE, sizeof (double));

  sign_in_bob (session);
  /* Warm both: the network process, the sandbox, WebKit's caches. */
  open_in_viewer (session, url);
  open_in_web_view (session, url);
  for (guint i = 0; i < runs; i++)
    {
      /* Alternate which goes first, so neither always follows the other. */
      Opened v, p;
      double mib;

      if (i % 2 == 0)
        {
          v = open_in_viewer (session, url);
          p = open_in_web_view (session, url);
        }
      else
        {
          p = open_in_web_view (session, url);
          v = open_in_viewer (session, url);
        }
      g_array_append_val (viewer_ms, v.ms);
      g_array_append_val (plain_ms, p.ms);
      mib = v.pss / 1048576.0;
      g_array_append_val (viewer_mib, mib);
      mib = p.pss / 1048576.0;
      g_array_append_val (plain_mib, mib);
    }
  print_pair ("opening a document (goal <= 1.3x)", "ms", viewer_ms, plain_ms);
  print_pair ("web process PSS with the document shown", "MiB", viewer_mib, plain_mib);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const char *env;
  int ret;

  foyer_ui_test_init (&argc, &argv);
  if ((env = g_getenv ("FOYER_BENCH_RUNS")) != NULL)
    runs = CLAMP (g_ascii_strtoull (env, NULL, 10), 1, 50);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);

  g_test_add_func ("/bench/viewer/open", bench_viewer);
  ret = g_test_run ();
  g_clear_object (&cloud);
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
