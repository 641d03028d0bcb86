/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerTokenClient: the token endpoint of one cloud and tenant for one
 * public client: code exchange (with ID token validation), refresh-token
 * grant, and the tenant's signing keys (cached). 5xx and 429 replies are
 * retried after Retry-After or a bounded, jittered exponential backoff.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "foyer-auth-request.h"
#include "foyer-cloud.h"
#include "foyer-token-set.h"

G_BEGIN_DECLS

#define FOYER_TYPE_TOKEN_CLIENT (foyer_token_client_get_type ())
G_DECLARE_FINAL_TYPE (FoyerTokenClient, foyer_token_client, FOYER, TOKEN_CLIENT, GObject)

/* tenant: the organization's tenant id; session may be NULL. */
FoyerTokenClient *foyer_token_client_new (FoyerCloud *cloud,
                                          const char *tenant,
                                          const char *client_id,
                                          SoupSession *session);

const char *foyer_token_client_get_tenant (FoyerTokenClient *self);

/* Defaults: 3 retries, 1000 ms base delay, 30000 ms cap; a Retry-After
 * longer than max_retry_after_s is not waited for. */
void foyer_token_client_set_retry_policy (FoyerTokenClient *self,
                                          guint max_retries,
                                          guint base_delay_ms,
                                          guint max_delay_ms,
                                          guint max_retry_after_s);

/* The delay before retry number attempt (0-based), without Retry-After:
 * base * 2^attempt, capped, minus up to 20% jitter. */
guint foyer_token_client_backoff_ms (FoyerTokenClient *self, guint attempt);

/* Exchanges the code and validates the ID token (signature, issuer,
 * audience, nonce of req, expiry, tenant). */
void foyer_token_client_exchange_code_async (FoyerTokenClient *self,
                                             FoyerAuthRequest *req,
                                             const char *code,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
FoyerTokenSet *foyer_token_client_exchange_code_finish (FoyerTokenClient *self,
                                                        GAsyncResult *result,
                                                        GError **error);

/* The reply carries the rotated refresh token (keep it). */
void foyer_token_client_refresh_async (FoyerTokenClient *self,
                                       const char *refresh_token,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
FoyerTokenSet *
foyer_token_client_refresh_finish (FoyerTokenClient *self, GAsyncResult *result, GError **error);

/* Validates an ID token against the tenant's published keys, fetched once
 * and again only when a token names an unknown key. Returns its claims. */
void foyer_token_client_validate_id_token_async (FoyerTokenClient *self,
                                                 const char *id_token,
                                                 const char *nonce,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
JsonObject *foyer_token_client_validate_id_token_finish (FoyerTokenClient *self,
                                                         GAsyncResult *result,
                                                         GError **error);

G_END_DECLS
