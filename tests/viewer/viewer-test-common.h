/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers shared by the viewer's tests: probe a page with JavaScript and
 * wait on what it says, never sleeping.
 */
#pragma once

#include "foyer-ui-test.h"
#include "foyer-viewer.h"

G_BEGIN_DECLS

typedef struct
{
  WebKitWebView *web_view;
  const char *script;
  char *result;
  gboolean pending;
  guint runs;
} ViewerProbe;

/* Runs probe->script (an expression giving a string) once the page is idle,
 * again and again, until predicate accepts probe->result or timeout_ms pass. */
gboolean viewer_probe_until (ViewerProbe *probe,
                             gboolean (*predicate) (ViewerProbe *probe, gpointer data),
                             gpointer data,
                             guint timeout_ms);
void viewer_probe_clear (ViewerProbe *probe);

/* Evaluates script and waits for it to finish. */
void viewer_run_js (WebKitWebView *web_view, const char *script);

gboolean viewer_state_is (FoyerViewer *viewer, FoyerViewerState state, guint timeout_ms);

G_END_DECLS
