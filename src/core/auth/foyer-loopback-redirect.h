/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The system browser's way back (RFC 8252 §7.3): a one-shot HTTP listener
 * on 127.0.0.1 with a port the system picks. The sign-in's redirect lands
 * here; the browser gets a short page saying it can be closed, and the
 * caller gets the address with its code (or error) to check and redeem.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_LOOPBACK_REDIRECT (foyer_loopback_redirect_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerLoopbackRedirect, foyer_loopback_redirect, FOYER, LOOPBACK_REDIRECT, GObject)

FoyerLoopbackRedirect *foyer_loopback_redirect_new (GError **error);
/* http://127.0.0.1:PORT/ */
const char *foyer_loopback_redirect_get_uri (FoyerLoopbackRedirect *self);
/* Completes with the first request to the redirect's path that carries a
 * `code` or an `error` (the full address, to give to
 * foyer_auth_request_parse_redirect ()). The listener closes then. */
void foyer_loopback_redirect_wait_async (FoyerLoopbackRedirect *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
char *foyer_loopback_redirect_wait_finish (FoyerLoopbackRedirect *self,
                                           GAsyncResult *result,
                                           GError **error);

G_END_DECLS
