/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Foyer service session token, kept in the Secret Service so the app
 * signs in again at start without asking for the password. When there is
 * no Secret Service, nothing is stored and the caller is told so.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

void foyer_service_secret_store_async (const char *service_url,
                                       const char *email,
                                       const char *token,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean foyer_service_secret_store_finish (GAsyncResult *result, GError **error);

void foyer_service_secret_lookup_async (const char *service_url,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
/* Returns the token, or NULL without error when none is stored. */
char *foyer_service_secret_lookup_finish (GAsyncResult *result, char **out_email, GError **error);

void foyer_service_secret_clear_async (const char *service_url,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean foyer_service_secret_clear_finish (GAsyncResult *result, GError **error);

G_END_DECLS
