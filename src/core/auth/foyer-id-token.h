/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ID token checks, without network: RS256 signature against a JWKS,
 * issuer, audience, nonce, exp/nbf (with a small clock skew) and the
 * organization's tenant.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FOYER_ID_TOKEN_SKEW_SECONDS 300

/* The `kid` of the token's protected header, or NULL. */
char *foyer_id_token_get_kid (const char *id_token);
/* TRUE when jwks (the keys document) holds a key with this kid. */
gboolean foyer_id_token_jwks_has_kid (JsonNode *jwks, const char *kid);

/* Returns the claims, or NULL with FOYER_AUTH_ERROR_INVALID_ID_TOKEN (or
 * WRONG_TENANT when the signed `tid` is another tenant's). nonce NULL
 * skips the nonce check (refreshed tokens carry none). */
JsonObject *foyer_id_token_verify (const char *id_token,
                                   JsonNode *jwks,
                                   const char *issuer,
                                   const char *audience,
                                   const char *nonce,
                                   const char *tenant,
                                   gint64 now,
                                   GError **error);

G_END_DECLS
