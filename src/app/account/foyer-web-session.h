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

G_END_DECLS
