/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-viewer"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-viewer.h"

#include "foyer-a11y.h"

struct _FoyerViewer
{
  AdwBin parent_instance;

  FoyerWebSession *session;
  FoyerCloud *cloud;
  WebKitWebView *web_view;
  GCancellable *cancellable;

  char *title;
  char *url;
  char *error_message;
  FoyerViewerState state;
  gboolean interactive_sign_in;
  gboolean previewing;
  gboolean failed;
  gboolean tls_retry; /* a load failed on a certificate since allowed: it loads again */
  /* A redirect to a host outside the cloud, refused in decide-policy. */
  char *refused_uri;

  FoyerViewerPreviewFunc preview_func;
  gpointer preview_data;
  GDestroyNotify preview_destroy;

  AdwMessageDialog *confirm_dialog;

  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkStack *stack;
  AdwBin *web_bin;
  AdwStatusPage *status_page;
  GtkProgressBar *progress_bar;
};

G_DEFINE_FINAL_TYPE (FoyerViewer, foyer_viewer, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_CLOUD,
  PROP_TITLE,
  PROP_URL,
  PROP_STATE,
  PROP_INTERACTIVE_SIGN_IN,
  N_PROPS
};

enum
{
  CLOSE,
  EXTERNAL_LINK,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void foyer_viewer_fall_back (FoyerViewer *self, const char *reason);

static char *
uri_host (const char *uri)
{
  g_autoptr (GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;

  if (parsed == NULL || g_uri_get_host (parsed) == NULL)
    return g_strdup (uri != NULL ? uri : "");
  return g_strdup (g_uri_get_host (parsed));
}

/* Pages may use these for frames; they load nothing from the network. */
static gboolean
uri_is_local_blank (const char *uri)
{
  return g_strcmp0 (uri, "about:blank") == 0 || g_strcmp0 (uri, "about:srcdoc") == 0;
}

gboolean
foyer_viewer_uri_is_allowed (FoyerViewer *self, const char *uri)
{
  g_return_val_if_fail (FOYER_IS_VIEWER (self), FALSE);

  return uri != NULL && foyer_cloud_is_allowed_url (self->cloud, uri);
}

/* The cloud's identity host (where a sign-in form would appear). */
static gboolean
uri_is_sign_in (FoyerViewer *self, const char *uri)
{
  g_autoptr (GUri) a = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr (GUri) b
      = g_uri_parse (foyer_cloud_get_authority (self->cloud), G_URI_FLAGS_NONE, NULL);

  if (a == NULL || b == NULL || g_uri_get_host (a) == NULL || g_uri_get_host (b) == NULL)
    return FALSE;
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && g_uri_get_port (a) == g_uri_get_port (b);
}

static void
foyer_viewer_set_state (FoyerViewer *self, FoyerViewerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
foyer_viewer_update_header (FoyerViewer *self)
{
  const char *uri = webkit_web_view_get_uri (self->web_view);
  const char *title = self->title;
  g_autofree char *host = NULL;
  g_autofree char *subtitle = NULL;

  if (title == NULL || *title == '\0')
    title = webkit_web_view_get_title (self->web_view);
  if (title == NULL || *title == '\0')
    title = _ ("Document");
  /* Titles come from the network: plain text, never markup. */
  gtk_label_set_text (self->title_label, title);

  if (self->state != FOYER_VIEWER_STATE_ERROR && uri != NULL && !uri_is_local_blank (uri))
    host = uri_host (uri);
  if (host != NULL && self->previewing)
    subtitle = g_strdup_printf (_ ("Preview · %s"), host);
  else if (host != NULL)
    subtitle = g_steal_pointer (&host);
  gtk_label_set_text (self->subtitle_label, subtitle != NULL ? subtitle : "");
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), subtitle != NULL);
}

static void
foyer_viewer_show_error_full (FoyerViewer *self,
                              const char *icon_name,
                              const char *title,
                              const char *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  self->failed = TRUE;
  g_free (self->error_message);
  self->error_message = g_strdup (message);
  webkit_web_view_stop_loading (self->web_view);

  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  /* The description is markup; the message may name hosts from the network. */
  adw_status_page_set_description (self->status_page, escaped);
  gtk_stack_set_visible_child_name (self->stack, "error");
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  foyer_viewer_set_state (self, FOYER_VIEWER_STATE_ERROR);
  foyer_viewer_update_header (self);
}

static void
foyer_viewer_show_error (FoyerViewer *self, const char *title, const char *message)
{
  foyer_viewer_show_error_full (self, "dialog-warning-symbolic", title, message);
}

static void
foyer_viewer_reset (FoyerViewer *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->previewing = FALSE;
  self->failed = FALSE;
  g_clear_pointer (&self->refused_uri, g_free);
  g_clear_pointer (&self->error_message, g_free);
}

static void
foyer_viewer_load (FoyerViewer *self, const char *uri)
{
  gtk_stack_set_visible_child_name (self->stack, "web");
  foyer_viewer_set_state (self, FOYER_VIEWER_STATE_LOADING);
  foyer_web_session_load_uri (self->session, self->web_view, uri);
  foyer_viewer_update_header (self);
}

void
foyer_viewer_open (FoyerViewer *self, const char *title, const char *url)
{
  g_return_if_fail (FOYER_IS_VIEWER (self));
  g_return_if_fail (url != NULL);

  foyer_viewer_reset (self);
  if (g_strcmp0 (self->title, title) != 0)
    {
      g_free (self->title);
      self->title = g_strdup (title);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
    }
  if (g_strcmp0 (self->url, url) != 0)
    {
      g_free (self->url);
      self->url = g_strdup (url);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
    }

  if (!foyer_viewer_uri_is_allowed (self, url))
    {
      g_autofree char *host = uri_host (url);
      g_autofree char *message = g_strdup_printf (
          _ ("%s is not a Microsoft address of your organization, so Foyer does not open it "
             "here. Use “Open in Browser” to open it in your web browser."),
          host);

      foyer_viewer_show_error (self, _ ("Not a Microsoft Document"), message);
      return;
    }

  foyer_viewer_load (self, url);
}

/* Fallback to Graph's preview */

static void
preview_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerViewer *self = FOYER_VIEWER (source);
  g_autoptr (GError) error = NULL;
  g_autofree char *preview_url = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (preview_url == NULL)
    {
      g_autofree char *message
          = g_strdup_printf (_ ("The document could not be shown, and no preview is available: %s"),
                             error != NULL ? error->message : _ ("no preview address"));

      foyer_viewer_show_error (self, _ ("Could Not Open the Document"), message);
      return;
    }
  if (!foyer_viewer_uri_is_allowed (self, preview_url))
    {
      foyer_viewer_show_error (self, _ ("Could Not Open the Document"),
                               _ ("The preview is not on a Microsoft address of your "
                                  "organization."));
      return;
    }

  g_debug ("Showing the preview instead of the document page");
  self->failed = FALSE;
  foyer_viewer_load (self, preview_url);
}

static void
foyer_viewer_fall_back (FoyerViewer *self, const char *reason)
{
  GTask *task;

  if (self->previewing || self->preview_func == NULL)
    {
      foyer_viewer_show_error (self, _ ("Could Not Open the Document"), reason);
      return;
    }

  self->previewing = TRUE;
  self->failed = TRUE;
  webkit_web_view_stop_loading (self->web_view);
  foyer_viewer_set_state (self, FOYER_VIEWER_STATE_LOADING);
  task = g_task_new (self, self->cancellable, preview_ready_cb, NULL);
  g_task_set_source_tag (task, foyer_viewer_fall_back);
  self->preview_func (self, self->url, task, self->preview_data);
  g_object_unref (task);
}

/* Links outside the cloud */

static void
confirm_response_cb (AdwMessageDialog *dialog, const char *response, FoyerViewer *self)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "uri");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (g_strcmp0 (response, "open") == 0)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  g_clear_weak_pointer (&self->confirm_dialog);
}

static gboolean
foyer_viewer_real_external_link (FoyerViewer *self, const char *uri)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *host = uri_host (uri);
  GtkWidget *dialog;

  /* One question at a time: a page cannot pile up dialogs. */
  if (self->confirm_dialog != NULL)
    return TRUE;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Open in Your Browser?"), NULL);
  /* Plain text: the address comes from the page. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _ ("The document links to %s, which is not a Microsoft "
                                     "address of your organization. Foyer does not open it "
                                     "itself.\n\n%s"),
                                  host, uri);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "open",
                                    _ ("_Open in Browser"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "open",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "uri", g_strdup (uri), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  /* Weak: the dialog may go without an answer (its window closed). */
  g_set_weak_pointer (&self->confirm_dialog, ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

static void
foyer_viewer_external_link (FoyerViewer *self, const char *uri)
{
  gboolean handled = FALSE;

  g_autofree char *host = uri_host (uri);

  /* Only the host: the address may carry a token. */
  g_debug ("Not loading a page of %s in the viewer", host);
  g_signal_emit (self, signals[EXTERNAL_LINK], 0, uri, &handled);
}

/* The web view */

static gboolean
decide_navigation (FoyerViewer *self, WebKitPolicyDecision *decision, WebKitPolicyDecisionType type)
{
  WebKitNavigationAction *action = webkit_navigation_policy_decision_get_navigation_action (
      WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  const char *uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));
  gboolean new_window = type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION;

  if (!new_window && uri_is_local_blank (uri))
    return FALSE;

  if (!foyer_viewer_uri_is_allowed (self, uri))
    {
      webkit_policy_decision_ignore (decision);
      /* What the user asked for goes to the browser once they agree; what a
       * page does on its own (redirects, frames, scripts) is only refused. */
      if (new_window || webkit_navigation_action_is_user_gesture (action)
          || webkit_navigation_action_get_navigation_type (action)
                 == WEBKIT_NAVIGATION_TYPE_LINK_CLICKED)
        foyer_viewer_external_link (self, uri);
      else if (webkit_navigation_action_is_redirect (action))
        {
          g_free (self->refused_uri);
          self->refused_uri = g_strdup (uri);
        }
      return TRUE;
    }

  /* Microsoft pages that open windows stay in the viewer. */
  if (new_window)
    {
      webkit_policy_decision_ignore (decision);
      webkit_web_view_load_uri (self->web_view, uri);
      return TRUE;
    }

  return FALSE;
}

static gboolean
decide_response (FoyerViewer *self, WebKitResponsePolicyDecision *decision)
{
  WebKitURIResponse *response = webkit_response_policy_decision_get_response (decision);
  const char *uri = webkit_uri_response_get_uri (response);
  guint status = webkit_uri_response_get_status_code (response);

  if (webkit_response_policy_decision_is_main_frame_main_resource (decision)
      && uri_is_sign_in (self, uri) && status >= 500)
    {
      g_autofree char *reason = g_strdup_printf (
          _ ("The Microsoft sign-in service is not available (HTTP %u)."), status);

      webkit_policy_decision_ignore (WEBKIT_POLICY_DECISION (decision));
      foyer_viewer_fall_back (self, reason);
      return TRUE;
    }

  if (!webkit_response_policy_decision_is_mime_type_supported (decision))
    {
      webkit_policy_decision_download (WEBKIT_POLICY_DECISION (decision));
      return TRUE;
    }
  return FALSE;
}

static gboolean
decide_policy_cb (WebKitWebView *web_view,
                  WebKitPolicyDecision *decision,
                  WebKitPolicyDecisionType type,
                  FoyerViewer *self)
{
  switch (type)
    {
    case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
    case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION:
      return decide_navigation (self, decision, type);
    case WEBKIT_POLICY_DECISION_TYPE_RESPONSE:
      return decide_response (self, WEBKIT_RESPONSE_POLICY_DECISION (decision));
    default:
      return FALSE;
    }
}

static void
load_changed_cb (WebKitWebView *web_view, WebKitLoadEvent event, FoyerViewer *self)
{
  const char *uri = webkit_web_view_get_uri (web_view);

  if (self->failed)
    return;
  /* The end of a load that failed on a certificate now allowed: the same
   * address is about to load again. */
  if (self->tls_retry && event == WEBKIT_LOAD_FINISHED)
    {
      self->tls_retry = FALSE;
      return;
    }

  if (event == WEBKIT_LOAD_STARTED)
    {
      g_clear_pointer (&self->refused_uri, g_free);
      gtk_stack_set_visible_child_name (self->stack, "web");
      foyer_viewer_set_state (self, FOYER_VIEWER_STATE_LOADING);
    }
  else if (event == WEBKIT_LOAD_COMMITTED && !self->interactive_sign_in
           && uri_is_sign_in (self, uri))
    {
      /* The session did not answer by itself: a form would follow. */
      foyer_viewer_fall_back (self, _ ("You need to sign in to Microsoft again to open the "
                                       "document, which is not possible now."));
      return;
    }
  else if (event == WEBKIT_LOAD_FINISHED)
    foyer_viewer_set_state (self, self->previewing ? FOYER_VIEWER_STATE_PREVIEW
                                                   : FOYER_VIEWER_STATE_DOCUMENT);

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), event != WEBKIT_LOAD_FINISHED);
  foyer_viewer_update_header (self);
}

static void
progress_cb (FoyerViewer *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 webkit_web_view_get_estimated_load_progress (self->web_view));
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView *web_view,
                                const char *failing_uri,
                                GTlsCertificate *certificate,
                                GTlsCertificateFlags errors,
                                FoyerViewer *self)
{
  g_autofree char *host = uri_host (failing_uri);
  g_autofree char *message = NULL;

  /* A host of this cloud whose descriptor names its own CA: allowed, and
   * loaded again once this failed load has finished. */
  if (foyer_web_session_retry_with_certificate (self->session, web_view, failing_uri, certificate))
    {
      self->tls_retry = TRUE;
      return TRUE;
    }

  /* Fail closed: there is deliberately no way to continue. */
  message = g_strdup_printf (_ ("The identity of %s could not be verified, so Foyer did not "
                                "connect to it. Someone may be trying to intercept the "
                                "connection."),
                             host);
  foyer_viewer_show_error_full (self, "channel-insecure-symbolic", _ ("Connection Not Secure"),
                                message);
  return TRUE;
}

static gboolean
load_failed_cb (WebKitWebView *web_view,
                WebKitLoadEvent event,
                const char *failing_uri,
                GError *error,
                FoyerViewer *self)
{
  g_autofree char *message = NULL;

  if (self->failed)
    return TRUE;

  /* A page that tried to leave the cloud by a redirect. */
  if (self->refused_uri != NULL
      && g_error_matches (error, WEBKIT_POLICY_ERROR,
                          WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    {
      g_autofree char *host = uri_host (self->refused_uri);

      message = g_strdup_printf (_ ("The document page sent Foyer to %s, which is not a "
                                    "Microsoft address of your organization. Foyer did not "
                                    "go there."),
                                 host);
      foyer_viewer_show_error (self, _ ("Could Not Open the Document"), message);
      return TRUE;
    }

  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED)
      || g_error_matches (error, WEBKIT_POLICY_ERROR,
                          WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE)
      || g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_FILE_DOES_NOT_EXIST)
      || g_error_matches (error, WEBKIT_MEDIA_ERROR, WEBKIT_MEDIA_ERROR_WILL_HANDLE_LOAD)
      || g_error_matches (error, WEBKIT_DOWNLOAD_ERROR, WEBKIT_DOWNLOAD_ERROR_CANCELLED_BY_USER))
    {
      /* Stopped, refused or turned into a download: the page shown stays. */
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      if (self->state == FOYER_VIEWER_STATE_LOADING && !self->previewing
          && webkit_web_view_get_uri (web_view) != NULL)
        foyer_viewer_set_state (self, FOYER_VIEWER_STATE_DOCUMENT);
      return FALSE;
    }

  /* The sign-in service cannot be reached: no network sign-in possible. */
  if (uri_is_sign_in (self, failing_uri))
    {
      message = g_strdup_printf (_ ("The Microsoft sign-in service could not be reached: %s"),
                                 error->message);
      foyer_viewer_fall_back (self, message);
      return TRUE;
    }

  message = g_strdup_printf (_ ("The document could not be loaded: %s"), error->message);
  foyer_viewer_show_error_full (self, "network-error-symbolic", _ ("Could Not Open the Document"),
                                message);
  return TRUE;
}

static GtkWidget *
create_cb (WebKitWebView *web_view, WebKitNavigationAction *action, FoyerViewer *self)
{
  /* New windows are decided in decide-policy; never create a second view. */
  return NULL;
}

/* Downloads */

static void
save_response_cb (GtkNativeDialog *dialog, int response, WebKitDownload *download)
{
  g_autoptr (GFile) file = NULL;

  g_debug ("Save dialog response %d", response);
  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL
      && g_file_peek_path (file) != NULL)
    {
      /* The chooser already asked before replacing a file. */
      webkit_download_set_allow_overwrite (download, TRUE);
      webkit_download_set_destination (download, g_file_peek_path (file));
    }
  else
    webkit_download_cancel (download);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (download);
}

static gboolean
decide_destination_cb (WebKitDownload *download, const char *suggested, FoyerViewer *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *name
      = g_path_get_basename (suggested != NULL && *suggested ? suggested : "download");
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_ ("Save File"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"), _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  if (g_strcmp0 (name, ".") != 0 && g_strcmp0 (name, G_DIR_SEPARATOR_S) != 0)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (save_response_cb), g_object_ref (download));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
  return TRUE;
}

static void
download_started_cb (WebKitNetworkSession *session, WebKitDownload *download, FoyerViewer *self)
{
  /* The session is shared: only this viewer's downloads are ours. */
  if (webkit_download_get_web_view (download) != self->web_view)
    return;
  g_signal_connect_object (download, "decide-destination", G_CALLBACK (decide_destination_cb), self,
                           0);
}

/* Actions */

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerViewer *self = FOYER_VIEWER (widget);

  webkit_web_view_stop_loading (self->web_view);
  g_signal_emit (self, signals[CLOSE], 0);
}

static void
reload_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerViewer *self = FOYER_VIEWER (widget);

  if (self->url == NULL)
    return;
  /* After an error or a fallback, start again from the document. */
  if (self->state == FOYER_VIEWER_STATE_ERROR || self->previewing
      || webkit_web_view_get_uri (self->web_view) == NULL)
    {
      g_autofree char *title = g_strdup (self->title);
      g_autofree char *url = g_strdup (self->url);

      foyer_viewer_open (self, title, url);
    }
  else
    webkit_web_view_reload (self->web_view);
}

static void
open_in_browser_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerViewer *self = FOYER_VIEWER (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  const char *uri = webkit_web_view_get_uri (self->web_view);

  /* A preview address expires: the browser gets the document's own. */
  if (self->previewing || self->state == FOYER_VIEWER_STATE_ERROR || uri == NULL
      || !foyer_viewer_uri_is_allowed (self, uri) || uri_is_sign_in (self, uri))
    uri = self->url;
  if (uri != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
}

/* Accessors */

void
foyer_viewer_set_preview_provider (FoyerViewer *self,
                                   FoyerViewerPreviewFunc func,
                                   gpointer user_data,
                                   GDestroyNotify destroy)
{
  g_return_if_fail (FOYER_IS_VIEWER (self));

  if (self->preview_destroy != NULL)
    self->preview_destroy (self->preview_data);
  self->preview_func = func;
  self->preview_data = user_data;
  self->preview_destroy = destroy;
}

void
foyer_viewer_set_interactive_sign_in (FoyerViewer *self, gboolean allowed)
{
  g_return_if_fail (FOYER_IS_VIEWER (self));

  allowed = !!allowed;
  if (self->interactive_sign_in == allowed)
    return;
  self->interactive_sign_in = allowed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTIVE_SIGN_IN]);
}

FoyerViewerState
foyer_viewer_get_state (FoyerViewer *self)
{
  g_return_val_if_fail (FOYER_IS_VIEWER (self), FOYER_VIEWER_STATE_EMPTY);

  return self->state;
}

const char *
foyer_viewer_get_title (FoyerViewer *self)
{
  g_return_val_if_fail (FOYER_IS_VIEWER (self), NULL);

  return self->title;
}

const char *
foyer_viewer_get_error_message (FoyerViewer *self)
{
  g_return_val_if_fail (FOYER_IS_VIEWER (self), NULL);

  return self->state == FOYER_VIEWER_STATE_ERROR ? self->error_message : NULL;
}

WebKitWebView *
foyer_viewer_get_web_view (FoyerViewer *self)
{
  g_return_val_if_fail (FOYER_IS_VIEWER (self), NULL);

  return self->web_view;
}

/* GObject */

static void
foyer_viewer_constructed (GObject *object)
{
  FoyerViewer *self = FOYER_VIEWER (object);

  G_OBJECT_CLASS (foyer_viewer_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  g_assert (self->cloud != NULL);
  foyer_web_session_trust_cloud (self->session, self->cloud);
  self->web_view = foyer_web_session_create_view (self->session);
  gtk_widget_set_vexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->web_view), TRUE);
  adw_bin_set_child (self->web_bin, GTK_WIDGET (self->web_view));

  g_signal_connect_object (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (load_changed_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-failed", G_CALLBACK (load_failed_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-failed-with-tls-errors",
                           G_CALLBACK (load_failed_with_tls_errors_cb), self, 0);
  g_signal_connect_object (self->web_view, "create", G_CALLBACK (create_cb), self, 0);
  g_signal_connect_object (self->web_view, "notify::estimated-load-progress",
                           G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->web_view, "notify::title", G_CALLBACK (foyer_viewer_update_header),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (foyer_web_session_get_network_session (self->session),
                           "download-started", G_CALLBACK (download_started_cb), self, 0);

  foyer_viewer_update_header (self);
  /* Made after the window was shown: its buttons and web view are named
   * here. */
  foyer_a11y_repair (GTK_WIDGET (self));
}

static void
foyer_viewer_dispose (GObject *object)
{
  FoyerViewer *self = FOYER_VIEWER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->confirm_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->confirm_dialog));
  g_clear_weak_pointer (&self->confirm_dialog);
  if (self->web_view != NULL)
    webkit_web_view_stop_loading (self->web_view);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_VIEWER);
  self->web_view = NULL;
  foyer_viewer_set_preview_provider (self, NULL, NULL, NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->cloud);

  G_OBJECT_CLASS (foyer_viewer_parent_class)->dispose (object);
}

static void
foyer_viewer_finalize (GObject *object)
{
  FoyerViewer *self = FOYER_VIEWER (object);

  g_free (self->title);
  g_free (self->url);
  g_free (self->error_message);
  g_free (self->refused_uri);

  G_OBJECT_CLASS (foyer_viewer_parent_class)->finalize (object);
}

static void
foyer_viewer_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerViewer *self = FOYER_VIEWER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_CLOUD:
      g_value_set_object (value, self->cloud);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_INTERACTIVE_SIGN_IN:
      g_value_set_boolean (value, self->interactive_sign_in);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_viewer_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FoyerViewer *self = FOYER_VIEWER (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_CLOUD:
      self->cloud = g_value_dup_object (value);
      break;
    case PROP_INTERACTIVE_SIGN_IN:
      foyer_viewer_set_interactive_sign_in (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_viewer_class_init (FoyerViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = foyer_viewer_constructed;
  object_class->dispose = foyer_viewer_dispose;
  object_class->finalize = foyer_viewer_finalize;
  object_class->get_property = foyer_viewer_get_property;
  object_class->set_property = foyer_viewer_set_property;

  properties[PROP_SESSION]
      = g_param_spec_object ("session", NULL, NULL, FOYER_TYPE_WEB_SESSION,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOUD]
      = g_param_spec_object ("cloud", NULL, NULL, FOYER_TYPE_CLOUD,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE]
      = g_param_spec_string ("title", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] = g_param_spec_string (
      "url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_VIEWER_STATE, FOYER_VIEWER_STATE_EMPTY,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_INTERACTIVE_SIGN_IN]
      = g_param_spec_boolean ("interactive-sign-in", NULL, NULL, TRUE,
                              G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Back to the conversation. */
  signals[CLOSE] = g_signal_new ("close", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                 NULL, NULL, G_TYPE_NONE, 0);
  /* A link or window outside the cloud. The default handler asks the user,
   * then opens it in the system browser; return TRUE to handle it instead. */
  signals[EXTERNAL_LINK] = g_signal_new_class_handler (
      "external-link", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
      G_CALLBACK (foyer_viewer_real_external_link), g_signal_accumulator_true_handled, NULL, NULL,
      G_TYPE_BOOLEAN, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "viewer.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "viewer.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "viewer.open-in-browser", NULL,
                                   open_in_browser_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "viewer.reload",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "viewer.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "viewer.back",
                                       NULL);
  /* Escape leaves the document, as it leaves any view laid over a window
   * (a page that uses Escape itself, to close a menu, gets it first). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "viewer.back", NULL);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/viewer/foyer-viewer.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, title_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, web_bin);
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, status_page);
  gtk_widget_class_bind_template_child (widget_class, FoyerViewer, progress_bar);
}

static void
foyer_viewer_init (FoyerViewer *self)
{
  self->interactive_sign_in = TRUE;
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

FoyerViewer *
foyer_viewer_new (FoyerWebSession *session, FoyerCloud *cloud)
{
  g_return_val_if_fail (FOYER_IS_WEB_SESSION (session), NULL);
  g_return_val_if_fail (FOYER_IS_CLOUD (cloud), NULL);

  return g_object_new (FOYER_TYPE_VIEWER, "session", session, "cloud", cloud, NULL);
}
