/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerTokenManager: one Microsoft account, as a FoyerAuthorizer. The
 * access token lives in memory only, with its absolute expiry, and is
 * refreshed a few minutes before it; one refresh runs at a time and every
 * caller waiting meanwhile gets its result. A forced refresh (after a 401)
 * never hands back the rejected token. invalid_grant, interaction_required
 * and consent_required move the account to RECONNECT_NEEDED.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-auth-request.h"
#include "foyer-authorizer.h"
#include "foyer-credential-store.h"
#include "foyer-token-client.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_ACCOUNT_DISCONNECTED,
  FOYER_ACCOUNT_CONNECTED,
  FOYER_ACCOUNT_RECONNECT_NEEDED,
} FoyerAccountState;

#define FOYER_TYPE_ACCOUNT_STATE (foyer_account_state_get_type ())
GType foyer_account_state_get_type (void);

#define FOYER_TOKEN_REFRESH_MARGIN_SECONDS 300

#define FOYER_TYPE_TOKEN_MANAGER (foyer_token_manager_get_type ())
G_DECLARE_FINAL_TYPE (FoyerTokenManager, foyer_token_manager, FOYER, TOKEN_MANAGER, GObject)

FoyerTokenManager *foyer_token_manager_new (FoyerTokenClient *client, FoyerCredentialStore *store);

FoyerAccountState foyer_token_manager_get_state (FoyerTokenManager *self);
/* oid@tid, NULL when disconnected. */
const char *foyer_token_manager_get_account (FoyerTokenManager *self);
const char *foyer_token_manager_get_display_name (FoyerTokenManager *self);
const char *foyer_token_manager_get_email (FoyerTokenManager *self);
/* Why the account needs a reconnect (translated), or NULL. */
const char *foyer_token_manager_get_reconnect_reason (FoyerTokenManager *self);
/* Absolute expiry (Unix seconds) of the access token in memory, or 0. */
gint64 foyer_token_manager_get_expires_at (FoyerTokenManager *self);
void foyer_token_manager_set_refresh_margin (FoyerTokenManager *self, gint64 seconds);

/* Completes an interactive sign-in from the redirect the sign-in view
 * caught: state check, code exchange, ID token and tenant checks, and
 * the refresh token saved. The account becomes CONNECTED. */
void foyer_token_manager_sign_in_async (FoyerTokenManager *self,
                                        FoyerAuthRequest *request,
                                        const char *redirect_uri,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean
foyer_token_manager_sign_in_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error);

/* Loads the stored account (account NULL: any). TRUE and CONNECTED when
 * one was found; FALSE without error when there is none. */
void foyer_token_manager_restore_async (FoyerTokenManager *self,
                                        const char *account,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean
foyer_token_manager_restore_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error);

/* Forgets the tokens and removes the stored credentials. */
void foyer_token_manager_sign_out_async (FoyerTokenManager *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean
foyer_token_manager_sign_out_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error);

G_END_DECLS
