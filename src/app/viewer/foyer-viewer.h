/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The document viewer: a shared document in an embedded web view that uses
 * the app's one web session, so the Microsoft sign-in's cookies apply. Only
 * the cloud's Microsoft hosts load inside it; other links go to the system
 * browser once the user agrees; downloads go through a save dialog; TLS
 * errors end the load with no override. When the document cannot be shown
 * with the session (the sign-in service is unreachable, or the caller says
 * no sign-in may happen), it falls back to a Graph preview URL that the
 * caller provides.
 */
#pragma once

#include <adwaita.h>

#include "foyer-cloud.h"
#include "foyer-web-session.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_VIEWER_STATE_EMPTY,
  FOYER_VIEWER_STATE_LOADING,
  FOYER_VIEWER_STATE_DOCUMENT,
  FOYER_VIEWER_STATE_PREVIEW,
  FOYER_VIEWER_STATE_ERROR,
} FoyerViewerState;

#define FOYER_TYPE_VIEWER (foyer_viewer_get_type ())
G_DECLARE_FINAL_TYPE (FoyerViewer, foyer_viewer, FOYER, VIEWER, AdwBin)

/* Called when the document page cannot be shown with the session. It must
 * complete task with g_task_return_pointer (task, preview_url, g_free) (a
 * Graph preview getUrl) or g_task_return_error (); the task's cancellable
 * is cancelled when the viewer opens something else or goes away. */
typedef void (*FoyerViewerPreviewFunc) (FoyerViewer *viewer,
                                        const char *url,
                                        GTask *task,
                                        gpointer user_data);

FoyerViewer *foyer_viewer_new (FoyerWebSession *session, FoyerCloud *cloud);
void foyer_viewer_open (FoyerViewer *self, const char *title, const char *url);
void foyer_viewer_set_preview_provider (FoyerViewer *self,
                                        FoyerViewerPreviewFunc func,
                                        gpointer user_data,
                                        GDestroyNotify destroy);
/* FALSE: no sign-in form may be shown (e.g. no network sign-in possible);
 * the viewer falls back to the preview instead. Default TRUE. */
void foyer_viewer_set_interactive_sign_in (FoyerViewer *self, gboolean allowed);

FoyerViewerState foyer_viewer_get_state (FoyerViewer *self);
const char *foyer_viewer_get_title (FoyerViewer *self);
/* What the error page says, or NULL. */
const char *foyer_viewer_get_error_message (FoyerViewer *self);
WebKitWebView *foyer_viewer_get_web_view (FoyerViewer *self);

/* Whether the viewer loads uri itself (a Microsoft host of the cloud). */
gboolean foyer_viewer_uri_is_allowed (FoyerViewer *self, const char *uri);

G_END_DECLS

#include "foyer-app-enums.h"
