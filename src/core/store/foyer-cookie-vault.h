/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerCookieVault: keeps the web session's cookies (SoupCookie, as WebKit's
 * cookie manager hands them out and takes them back) sealed in the
 * "cookies" namespace of a FoyerStore, so WebKit can run an ephemeral
 * network session and nothing of the Microsoft session is on disk in clear.
 */
#pragma once

#include <libsoup/soup.h>

#include "foyer-store.h"

G_BEGIN_DECLS

gboolean foyer_cookie_vault_save (FoyerStore *store, GSList *cookies, GError **error);
GSList *foyer_cookie_vault_load (FoyerStore *store, GError **error);
gboolean foyer_cookie_vault_clear (FoyerStore *store, GError **error);

/* The cookies are serialized before this returns: the caller may free them. */
void foyer_cookie_vault_save_async (FoyerStore *store,
                                    GSList *cookies,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean foyer_cookie_vault_save_finish (FoyerStore *store, GAsyncResult *result, GError **error);
void foyer_cookie_vault_load_async (FoyerStore *store,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
GSList *foyer_cookie_vault_load_finish (FoyerStore *store, GAsyncResult *result, GError **error);

GBytes *foyer_cookie_vault_serialize (GSList *cookies, GDateTime *now);
GSList *
foyer_cookie_vault_deserialize (const guint8 *data, gsize length, GDateTime *now, GError **error);

G_END_DECLS
