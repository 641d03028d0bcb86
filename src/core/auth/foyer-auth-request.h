/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerAuthRequest: one interactive sign-in (authorization code + PKCE
 * S256). It makes the authorize URL, keeps the verifier, state and nonce,
 * and checks the redirect the sign-in view catches. A request accepts one
 * redirect only.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-cloud.h"

G_BEGIN_DECLS

#define FOYER_AUTH_SCOPES                                                                          \
  "openid profile offline_access User.Read Files.ReadWrite.All Sites.Read.All"

#define FOYER_TYPE_AUTH_REQUEST (foyer_auth_request_get_type ())
G_DECLARE_FINAL_TYPE (FoyerAuthRequest, foyer_auth_request, FOYER, AUTH_REQUEST, GObject)

/* Verifier, state and nonce come from the system's CSPRNG. login_hint,
 * domain_hint and prompt may be NULL. */
FoyerAuthRequest *foyer_auth_request_new (FoyerCloud *cloud,
                                          const char *tenant,
                                          const char *client_id,
                                          const char *login_hint,
                                          const char *domain_hint,
                                          const char *prompt,
                                          GError **error);
/* For tests: fixed verifier, state and nonce. */
FoyerAuthRequest *foyer_auth_request_new_full (FoyerCloud *cloud,
                                               const char *tenant,
                                               const char *client_id,
                                               const char *login_hint,
                                               const char *domain_hint,
                                               const char *prompt,
                                               const char *verifier,
                                               const char *state,
                                               const char *nonce);

const char *foyer_auth_request_get_verifier (FoyerAuthRequest *self);
const char *foyer_auth_request_get_state (FoyerAuthRequest *self);
const char *foyer_auth_request_get_nonce (FoyerAuthRequest *self);
const char *foyer_auth_request_get_redirect_uri (FoyerAuthRequest *self);
gboolean foyer_auth_request_set_loopback_redirect_uri (FoyerAuthRequest *self,
                                                       const char *uri,
                                                       GError **error);
char *foyer_auth_request_get_authorize_url (FoyerAuthRequest *self);

/* TRUE if uri is the redirect of this request (the sign-in view stops
 * loading it). */
gboolean foyer_auth_request_is_redirect (FoyerAuthRequest *self, const char *uri);
/* The code from the redirect; STATE_MISMATCH, INVALID_REDIRECT or the
 * mapped `error` otherwise. */
gboolean foyer_auth_request_parse_redirect (FoyerAuthRequest *self,
                                            const char *uri,
                                            char **out_code,
                                            GError **error);

/* BASE64URL(SHA256(verifier)), RFC 7636. */
char *foyer_auth_pkce_challenge (const char *verifier);

G_END_DECLS
