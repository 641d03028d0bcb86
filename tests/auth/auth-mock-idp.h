/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A tiny Microsoft identity platform for the auth tests: a SoupServer on a
 * free loopback port with a token endpoint (codes single-use, PKCE S256
 * checked, refresh tokens rotated, Microsoft-shaped errors) and a JWKS;
 * ID tokens are signed with an RSA key made at start. It runs on the
 * thread-default main context of its creator.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "foyer-cloud.h"

G_BEGIN_DECLS

#define MOCK_TENANT       "11111111-2222-3333-4444-555555555555"
#define MOCK_OTHER_TENANT "99999999-8888-7777-6666-555555555555"
#define MOCK_CLIENT       "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define MOCK_OID          "00000000-0000-0000-0000-00000000a11c"

typedef struct _MockIdp MockIdp;

MockIdp *mock_idp_new (void);
void mock_idp_free (MockIdp *idp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockIdp, mock_idp_free)

const char *mock_idp_get_authority (MockIdp *idp);
/* A file-style descriptor pointing at the mock. */
FoyerCloud *mock_idp_new_cloud (MockIdp *idp);

/* Registers a code for a PKCE challenge and nonce. */
void mock_idp_add_code (MockIdp *idp, const char *code, const char *challenge, const char *nonce);
/* A refresh token the endpoint accepts once (it rotates). */
void mock_idp_add_refresh_token (MockIdp *idp, const char *refresh_token);
void mock_idp_revoke_all (MockIdp *idp);

/* The next n token replies are this status, with Retry-After if not NULL,
 * and Microsoft's error JSON for `error` if not NULL. */
void mock_idp_add_fault (
    MockIdp *idp, guint n, guint status, const char *retry_after, const char *error, gint64 aadsts);

/* What the next ID tokens say (NULL keeps the right value). */
void mock_idp_set_id_token_tid (MockIdp *idp, const char *tid);
void mock_idp_set_id_token_aud (MockIdp *idp, const char *aud);
void mock_idp_set_id_token_iss (MockIdp *idp, const char *iss);
void mock_idp_set_id_token_exp_offset (MockIdp *idp, gint64 seconds);
void mock_idp_set_id_token_alg_none (MockIdp *idp, gboolean none);
/* Sign with a key the JWKS does not publish (same kid). */
void mock_idp_set_id_token_foreign_key (MockIdp *idp, gboolean foreign);
/* Rotate: a new signing key with a new kid, published in the JWKS. */
void mock_idp_rotate_key (MockIdp *idp);
void mock_idp_set_expires_in (MockIdp *idp, gint64 seconds);
/* Delays token replies (the mock answers from a timeout, never sleeps). */
void mock_idp_set_token_delay_ms (MockIdp *idp, guint ms);

/* Signs claims into an ID token with the mock's current key. */
char *mock_idp_sign (MockIdp *idp, JsonObject *claims);
char *mock_idp_get_jwks (MockIdp *idp);

guint mock_idp_get_token_requests (MockIdp *idp);
guint mock_idp_get_jwks_requests (MockIdp *idp);
/* The last token request's form (grant_type, code_verifier…). */
GHashTable *mock_idp_get_last_form (MockIdp *idp);
const char *mock_idp_get_last_user_agent (MockIdp *idp);
/* The last refresh token the endpoint issued. */
const char *mock_idp_get_last_refresh_token (MockIdp *idp);
const char *mock_idp_get_last_access_token (MockIdp *idp);
/* Monotonic times (µs) of the token requests. */
GArray *mock_idp_get_request_times (MockIdp *idp);

G_END_DECLS
