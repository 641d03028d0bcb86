/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-web-session"

#include "config.h"

#include "foyer-web-session.h"

struct _FoyerWebSession
{
  GObject parent_instance;

  WebKitNetworkSession *network_session;
};

G_DEFINE_FINAL_TYPE (FoyerWebSession, foyer_web_session, G_TYPE_OBJECT)

static void
foyer_web_session_finalize (GObject *object)
{
  FoyerWebSession *self = FOYER_WEB_SESSION (object);

  g_clear_object (&self->network_session);
  G_OBJECT_CLASS (foyer_web_session_parent_class)->finalize (object);
}

static void
foyer_web_session_class_init (FoyerWebSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_web_session_finalize;
}

static void
foyer_web_session_init (FoyerWebSession *self)
{
  self->network_session = webkit_network_session_new_ephemeral ();

  /* A certificate error ends the load; there is no way to override it. */
  webkit_network_session_set_tls_errors_policy (self->network_session,
                                                WEBKIT_TLS_ERRORS_POLICY_FAIL);
}

FoyerWebSession *
foyer_web_session_new (void)
{
  return g_object_new (FOYER_TYPE_WEB_SESSION, NULL);
}

WebKitNetworkSession *
foyer_web_session_get_network_session (FoyerWebSession *self)
{
  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), NULL);

  return self->network_session;
}

/* Views for Microsoft pages: no developer tools, no plugins, and nothing
 * that lets a page talk to the app (no script message handlers). */
WebKitWebView *
foyer_web_session_create_view (FoyerWebSession *self)
{
  g_autoptr (WebKitSettings) settings = NULL;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), NULL);

  settings = webkit_settings_new_with_settings (
      "enable-developer-extras", FALSE, "javascript-can-open-windows-automatically", FALSE,
      "enable-back-forward-navigation-gestures", TRUE, NULL);

  return g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", self->network_session, "settings",
                       settings, NULL);
}
