/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The app's one WebKit network session. The Microsoft sign-in and the
 * document viewer share it, so the viewer reuses the sign-in's cookies. It
 * is ephemeral: WebKit writes nothing to disk; cookies are saved sealed in
 * the encrypted store instead. WebKit's session (and its network process)
 * is made on first use, not at start-up; cookies restored from the store
 * before then are handed to it as it is made.
 */
#pragma once

#include <webkit/webkit.h>

#include "foyer-cloud.h"
#include "foyer-store.h"

G_BEGIN_DECLS

#define FOYER_TYPE_WEB_SESSION (foyer_web_session_get_type ())
G_DECLARE_FINAL_TYPE (FoyerWebSession, foyer_web_session, FOYER, WEB_SESSION, GObject)

FoyerWebSession *foyer_web_session_new (void);
WebKitNetworkSession *foyer_web_session_get_network_session (FoyerWebSession *self);
WebKitWebView *foyer_web_session_create_view (FoyerWebSession *self);

/* Restores the cookies kept in the store, then keeps the store up to date
 * as cookies change. */
void foyer_web_session_attach_store_async (FoyerWebSession *self,
                                           FoyerStore *store,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean
foyer_web_session_attach_store_finish (FoyerWebSession *self, GAsyncResult *result, GError **error);
void foyer_web_session_save_cookies_async (FoyerWebSession *self,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
gboolean
foyer_web_session_save_cookies_finish (FoyerWebSession *self, GAsyncResult *result, GError **error);
void foyer_web_session_flush (FoyerWebSession *self, guint timeout_ms);
/* Forgets the Microsoft session: cookies in WebKit and in the store. */
void foyer_web_session_forget (FoyerWebSession *self);

/* TLS: WebKit checks certificates against the system's anchors only. A
 * cloud descriptor that names its own CA (the sandbox) is trusted for its
 * own hosts, and nothing else: a view's load-failed-with-tls-errors handler
 * asks foyer_web_session_allow_certificate (), which allows exactly that
 * certificate for exactly that host when the cloud's CA issued it for it,
 * and then loads the address again. Built-in clouds change nothing. */
void foyer_web_session_trust_cloud (FoyerWebSession *self, FoyerCloud *cloud);
gboolean foyer_web_session_allow_certificate (FoyerWebSession *self,
                                              const char *uri,
                                              GTlsCertificate *certificate);
/* The whole of a load-failed-with-tls-errors handler's good path: allows
 * the certificate as above and, if it did, loads uri again in web_view
 * from an idle callback (after WebKit has finished the failed load). */
gboolean foyer_web_session_retry_with_certificate (FoyerWebSession *self,
                                                   WebKitWebView *web_view,
                                                   const char *uri,
                                                   GTlsCertificate *certificate);
/* Loads uri in web_view; for the host of a cloud with its own CA, allows
 * its certificate before WebKit's first request (see the .c file). */
void foyer_web_session_load_uri (FoyerWebSession *self, WebKitWebView *web_view, const char *uri);
/* Whether a page loaded from uri, with the certificate and errors WebKit
 * reports, is secure: https with no error, or with a certificate a trusted
 * cloud's CA issued for that host. */
gboolean foyer_web_session_is_secure (FoyerWebSession *self,
                                      const char *uri,
                                      GTlsCertificate *certificate,
                                      GTlsCertificateFlags errors);

G_END_DECLS
