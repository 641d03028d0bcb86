/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "viewer-test-common.h"

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ViewerProbe *probe = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);

  g_clear_pointer (&probe->result, g_free);
  if (value != NULL && jsc_value_is_string (value))
    probe->result = jsc_value_to_string (value);
  probe->pending = FALSE;
  probe->runs++;
}

typedef struct
{
  ViewerProbe *probe;
  gboolean (*predicate) (ViewerProbe *probe, gpointer data);
  gpointer data;
  guint seen_runs;
  gboolean matched;
} ProbeWait;

static gboolean
probe_check (gpointer data)
{
  ProbeWait *wait = data;
  ViewerProbe *probe = wait->probe;

  if (wait->matched)
    return TRUE;
  if (probe->runs > wait->seen_runs)
    {
      wait->seen_runs = probe->runs;
      if (wait->predicate (probe, wait->data))
        return wait->matched = TRUE;
    }
  if (!probe->pending && !webkit_web_view_is_loading (probe->web_view))
    {
      probe->pending = TRUE;
      webkit_web_view_evaluate_javascript (probe->web_view, probe->script, -1, NULL, NULL, NULL,
                                           probe_done_cb, probe);
    }
  return FALSE;
}

gboolean
viewer_probe_until (ViewerProbe *probe,
                    gboolean (*predicate) (ViewerProbe *probe, gpointer data),
                    gpointer data,
                    guint timeout_ms)
{
  ProbeWait wait = { probe, predicate, data, probe->runs, FALSE };
  gboolean ok = foyer_ui_test_wait_until (probe_check, &wait, timeout_ms);

  return ok;
}

static gboolean
not_pending (gpointer data)
{
  return !((ViewerProbe *) data)->pending;
}

void
viewer_probe_clear (ViewerProbe *probe)
{
  /* An evaluation still running writes into the probe: let it land. */
  foyer_ui_test_wait_until (not_pending, probe, 10000);
  g_clear_pointer (&probe->result, g_free);
}

typedef struct
{
  gboolean done;
} JsWait;

static void
js_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JSCValue) value
      = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, &error);

  g_assert_no_error (error);
  ((JsWait *) user_data)->done = TRUE;
}

static gboolean
js_done (gpointer data)
{
  return ((JsWait *) data)->done;
}

void
viewer_run_js (WebKitWebView *web_view, const char *script)
{
  JsWait wait = { FALSE };

  webkit_web_view_evaluate_javascript (web_view, script, -1, NULL, NULL, NULL, js_done_cb, &wait);
  g_assert_true (foyer_ui_test_wait_until (js_done, &wait, 10000));
}

typedef struct
{
  FoyerViewer *viewer;
  FoyerViewerState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *wait = data;

  return foyer_viewer_get_state (wait->viewer) == wait->state;
}

gboolean
viewer_state_is (FoyerViewer *viewer, FoyerViewerState state, guint timeout_ms)
{
  StateWait wait = { viewer, state };

  return foyer_ui_test_wait_until (state_reached, &wait, timeout_ms);
}
