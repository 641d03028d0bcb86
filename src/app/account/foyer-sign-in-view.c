/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-core.h"
#include "foyer-sign-in-view.h"

struct _FoyerSignInView
{
  AdwBin parent_instance;

  FoyerWebSession *session;
  WebKitWebView *web_view;
  char *redirect_uri;
  gboolean finished;
  char *host;
  FoyerSignInSecurity security;

  GtkOverlay *overlay;
  GtkImage *security_icon;
  GtkLabel *host_label;
  GtkLabel *security_label;
  GtkProgressBar *progress_bar;
};

G_DEFINE_FINAL_TYPE (FoyerSignInView, foyer_sign_in_view, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_HOST,
  PROP_SECURITY,
  N_PROPS
};

enum
{
  REDIRECT,
  FAILED,
  ADMIN_APPROVAL_NEEDED,
  N_SIGNALS
};

/* Entra ID's page when the tenant lets no user consent to an app: it never
 * goes back to the app. Its troubleshooting details carry AADSTS90094 in
 * every language; the English title is a second sign. */
static const char admin_approval_script[]
    = "(function () {"
      "  var html = document.documentElement ? document.documentElement.innerHTML : '';"
      "  var text = document.body ? document.body.innerText : '';"
      "  return html.indexOf('AADSTS90094') >= 0 || /Need admin approval/i.test(text);"
      "})()";

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

gboolean
foyer_sign_in_uri_is_allowed (const char *uri)
{
  g_autoptr (GUri) parsed = NULL;

  if (uri == NULL)
    return FALSE;
  if (g_str_equal (uri, "about:blank"))
    return TRUE;

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  return parsed != NULL && g_uri_get_host (parsed) != NULL
         && g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") == 0;
}

/* The redirect URI matches on scheme, host, port and path, as the identity
 * platform matches it; the query carries the code and state. */
gboolean
foyer_sign_in_uri_matches_redirect (const char *uri, const char *redirect_uri)
{
  g_autoptr (GUri) a = NULL;
  g_autoptr (GUri) b = NULL;

  if (uri == NULL || redirect_uri == NULL)
    return FALSE;

  a = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  b = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  if (a == NULL || b == NULL || g_uri_get_host (a) == NULL || g_uri_get_host (b) == NULL)
    return FALSE;

  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0
         && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && g_uri_get_port (a) == g_uri_get_port (b)
         && g_strcmp0 (g_uri_get_path (a), g_uri_get_path (b)) == 0;
}

static void
foyer_sign_in_view_fail (FoyerSignInView *self, const char *message)
{
  if (self->finished)
    return;

  self->finished = TRUE;
  webkit_web_view_stop_loading (self->web_view);
  g_signal_emit (self, signals[FAILED], 0, message);
}

static void
foyer_sign_in_view_set_location (FoyerSignInView *self,
                                 const char *host,
                                 FoyerSignInSecurity security)
{
  const char *icon = "channel-insecure-symbolic";
  const char *label = _ ("Not secure");

  if (g_strcmp0 (self->host, host) != 0)
    {
      g_free (self->host);
      self->host = g_strdup (host);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
    }
  if (self->security != security)
    {
      self->security = security;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
    }

  if (security == FOYER_SIGN_IN_SECURITY_SECURE)
    {
      icon = "channel-secure-symbolic";
      label = _ ("Secure connection");
    }

  gtk_image_set_from_icon_name (self->security_icon, icon);
  gtk_label_set_text (self->host_label, host != NULL ? host : "");
  gtk_label_set_text (self->security_label, label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->security_icon), label);
}

static void
foyer_sign_in_view_update_location (FoyerSignInView *self)
{
  const char *uri = webkit_web_view_get_uri (self->web_view);
  g_autoptr (GUri) parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  GTlsCertificate *certificate = NULL;
  GTlsCertificateFlags errors = 0;
  FoyerSignInSecurity security = FOYER_SIGN_IN_SECURITY_NONE;
  const char *host = parsed != NULL ? g_uri_get_host (parsed) : NULL;

  if (webkit_web_view_get_tls_info (self->web_view, &certificate, &errors)
      && foyer_web_session_is_secure (self->session, uri, certificate, errors))
    security = FOYER_SIGN_IN_SECURITY_SECURE;

  foyer_sign_in_view_set_location (self, host, security);
}

static gboolean
decide_policy_cb (WebKitWebView *web_view,
                  WebKitPolicyDecision *decision,
                  WebKitPolicyDecisionType type,
                  FoyerSignInView *self)
{
  WebKitNavigationAction *action;
  const char *uri;

  if (type != WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION
      && type != WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    return FALSE;

  action = webkit_navigation_policy_decision_get_navigation_action (
      WEBKIT_NAVIGATION_POLICY_DECISION (decision));
  uri = webkit_uri_request_get_uri (webkit_navigation_action_get_request (action));

  /* The native-client redirect carries the code: take it, never load it. */
  if (foyer_sign_in_uri_matches_redirect (uri, self->redirect_uri))
    {
      webkit_policy_decision_ignore (decision);
      if (!self->finished)
        {
          self->finished = TRUE;
          g_signal_emit (self, signals[REDIRECT], 0, uri);
        }
      return TRUE;
    }

  if (!foyer_sign_in_uri_is_allowed (uri))
    {
      webkit_policy_decision_ignore (decision);
      foyer_sign_in_view_fail (self, _ ("The sign-in page tried to open an address that is not "
                                        "secure. Foyer stopped the sign-in."));
      return TRUE;
    }

  /* Sign-in pages have no business opening windows; keep them in this view. */
  if (type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION)
    {
      webkit_policy_decision_ignore (decision);
      webkit_web_view_load_uri (web_view, uri);
      return TRUE;
    }

  return FALSE;
}

static void
admin_approval_checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerSignInView) self = user_data;
  g_autoptr (JSCValue) value = NULL;

  value = webkit_web_view_evaluate_javascript_finish (WEBKIT_WEB_VIEW (source), result, NULL);
  if (value == NULL || !jsc_value_is_boolean (value) || !jsc_value_to_boolean (value)
      || self->finished)
    return;
  self->finished = TRUE;
  g_signal_emit (self, signals[ADMIN_APPROVAL_NEEDED], 0);
}

static void
load_changed_cb (WebKitWebView *web_view, WebKitLoadEvent event, FoyerSignInView *self)
{
  if (event == WEBKIT_LOAD_COMMITTED)
    foyer_sign_in_view_update_location (self);
  /* Every page is asked whether it is Entra ID's dead end. */
  if (event == WEBKIT_LOAD_FINISHED && !self->finished)
    webkit_web_view_evaluate_javascript (web_view, admin_approval_script, -1, NULL, NULL, NULL,
                                         admin_approval_checked_cb, g_object_ref (self));

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), event != WEBKIT_LOAD_FINISHED);
}

static void
progress_cb (FoyerSignInView *self)
{
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 webkit_web_view_get_estimated_load_progress (self->web_view));
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView *web_view,
                                const char *failing_uri,
                                GTlsCertificate *certificate,
                                GTlsCertificateFlags errors,
                                FoyerSignInView *self)
{
  g_autoptr (GUri) parsed = g_uri_parse (failing_uri, G_URI_FLAGS_NONE, NULL);
  g_autofree char *message = NULL;

  /* A host of a cloud whose descriptor names its own CA: allowed, and
   * loaded again once this failed load has finished. */
  if (foyer_web_session_retry_with_certificate (self->session, web_view, failing_uri, certificate))
    return TRUE;

  message = g_strdup_printf (_ ("The identity of %s could not be verified, so Foyer did not "
                                "connect to it. Your password was not sent."),
                             parsed != NULL ? g_uri_get_host (parsed) : failing_uri);
  foyer_sign_in_view_set_location (self, parsed != NULL ? g_uri_get_host (parsed) : NULL,
                                   FOYER_SIGN_IN_SECURITY_NONE);
  foyer_sign_in_view_fail (self, message);
  return TRUE;
}

static gboolean
load_failed_cb (WebKitWebView *web_view,
                WebKitLoadEvent event,
                const char *failing_uri,
                GError *error,
                FoyerSignInView *self)
{
  g_autofree char *message = NULL;

  /* Ignoring a navigation (the caught redirect) cancels its load. */
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED)
      || g_error_matches (error, WEBKIT_POLICY_ERROR,
                          WEBKIT_POLICY_ERROR_FRAME_LOAD_INTERRUPTED_BY_POLICY_CHANGE))
    return FALSE;

  message = g_strdup_printf (_ ("The sign-in page could not be loaded: %s"), error->message);
  foyer_sign_in_view_fail (self, message);
  return FALSE;
}

static gboolean
create_cb (WebKitWebView *web_view, WebKitNavigationAction *action, FoyerSignInView *self)
{
  /* Handled in decide-policy; never create a second view. */
  return FALSE;
}

void
foyer_sign_in_view_start (FoyerSignInView *self,
                          const char *authorize_url,
                          const char *redirect_uri)
{
  g_return_if_fail (FOYER_IS_SIGN_IN_VIEW (self));
  g_return_if_fail (authorize_url != NULL);
  g_return_if_fail (redirect_uri != NULL);

  g_free (self->redirect_uri);
  self->redirect_uri = g_strdup (redirect_uri);
  self->finished = FALSE;

  if (!foyer_sign_in_uri_is_allowed (authorize_url))
    {
      foyer_sign_in_view_fail (self, _ ("The sign-in address is not secure."));
      return;
    }

  foyer_web_session_load_uri (self->session, self->web_view, authorize_url);
}

const char *
foyer_sign_in_view_get_host (FoyerSignInView *self)
{
  g_return_val_if_fail (FOYER_IS_SIGN_IN_VIEW (self), NULL);

  return self->host;
}

FoyerSignInSecurity
foyer_sign_in_view_get_security (FoyerSignInView *self)
{
  g_return_val_if_fail (FOYER_IS_SIGN_IN_VIEW (self), FOYER_SIGN_IN_SECURITY_NONE);

  return self->security;
}

WebKitWebView *
foyer_sign_in_view_get_web_view (FoyerSignInView *self)
{
  g_return_val_if_fail (FOYER_IS_SIGN_IN_VIEW (self), NULL);

  return self->web_view;
}

static void
foyer_sign_in_view_constructed (GObject *object)
{
  FoyerSignInView *self = FOYER_SIGN_IN_VIEW (object);

  G_OBJECT_CLASS (foyer_sign_in_view_parent_class)->constructed (object);

  g_assert (self->session != NULL);
  self->web_view = foyer_web_session_create_view (self->session);
  gtk_widget_set_vexpand (GTK_WIDGET (self->web_view), TRUE);
  gtk_overlay_set_child (self->overlay, GTK_WIDGET (self->web_view));

  g_signal_connect_object (self->web_view, "decide-policy", G_CALLBACK (decide_policy_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-changed", G_CALLBACK (load_changed_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-failed", G_CALLBACK (load_failed_cb), self, 0);
  g_signal_connect_object (self->web_view, "load-failed-with-tls-errors",
                           G_CALLBACK (load_failed_with_tls_errors_cb), self, 0);
  g_signal_connect_object (self->web_view, "create", G_CALLBACK (create_cb), self, 0);
  g_signal_connect_object (self->web_view, "notify::estimated-load-progress",
                           G_CALLBACK (progress_cb), self, G_CONNECT_SWAPPED);

  foyer_sign_in_view_set_location (self, NULL, FOYER_SIGN_IN_SECURITY_NONE);
}

static void
foyer_sign_in_view_dispose (GObject *object)
{
  FoyerSignInView *self = FOYER_SIGN_IN_VIEW (object);

  if (self->web_view != NULL)
    webkit_web_view_stop_loading (self->web_view);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_SIGN_IN_VIEW);
  self->web_view = NULL;
  g_clear_object (&self->session);

  G_OBJECT_CLASS (foyer_sign_in_view_parent_class)->dispose (object);
}

static void
foyer_sign_in_view_finalize (GObject *object)
{
  FoyerSignInView *self = FOYER_SIGN_IN_VIEW (object);

  g_free (self->redirect_uri);
  g_free (self->host);

  G_OBJECT_CLASS (foyer_sign_in_view_parent_class)->finalize (object);
}

static void
foyer_sign_in_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSignInView *self = FOYER_SIGN_IN_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_sign_in_view_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FoyerSignInView *self = FOYER_SIGN_IN_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_sign_in_view_class_init (FoyerSignInViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = foyer_sign_in_view_constructed;
  object_class->dispose = foyer_sign_in_view_dispose;
  object_class->finalize = foyer_sign_in_view_finalize;
  object_class->get_property = foyer_sign_in_view_get_property;
  object_class->set_property = foyer_sign_in_view_set_property;

  properties[PROP_SESSION]
      = g_param_spec_object ("session", NULL, NULL, FOYER_TYPE_WEB_SESSION,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST]
      = g_param_spec_string ("host", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECURITY] = g_param_spec_enum (
      "security", NULL, NULL, FOYER_TYPE_SIGN_IN_SECURITY, FOYER_SIGN_IN_SECURITY_NONE,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[REDIRECT] = g_signal_new ("redirect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The organization lets only administrators give apps access: the page
   * shown will never come back to Foyer. */
  signals[ADMIN_APPROVAL_NEEDED]
      = g_signal_new ("admin-approval-needed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                      NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-sign-in-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerSignInView, overlay);
  gtk_widget_class_bind_template_child (widget_class, FoyerSignInView, security_icon);
  gtk_widget_class_bind_template_child (widget_class, FoyerSignInView, host_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerSignInView, security_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerSignInView, progress_bar);
}

static void
foyer_sign_in_view_init (FoyerSignInView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

FoyerSignInView *
foyer_sign_in_view_new (FoyerWebSession *session)
{
  g_return_val_if_fail (FOYER_IS_WEB_SESSION (session), NULL);

  return g_object_new (FOYER_TYPE_SIGN_IN_VIEW, "session", session, NULL);
}
