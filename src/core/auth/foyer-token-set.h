/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerTokenSet: one reply of the token endpoint. The access token's
 * expiry is absolute (Unix seconds, computed when the reply arrived).
 * Never log its tokens.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FOYER_TYPE_TOKEN_SET (foyer_token_set_get_type ())
G_DECLARE_FINAL_TYPE (FoyerTokenSet, foyer_token_set, FOYER, TOKEN_SET, GObject)

/* received_at: Unix seconds when the reply arrived. */
FoyerTokenSet *foyer_token_set_new_from_json (JsonNode *root, gint64 received_at, GError **error);

const char *foyer_token_set_get_access_token (FoyerTokenSet *self);
gint64 foyer_token_set_get_expires_at (FoyerTokenSet *self);
const char *foyer_token_set_get_refresh_token (FoyerTokenSet *self);
const char *foyer_token_set_get_id_token (FoyerTokenSet *self);

/* The validated ID token's claims (NULL until set). */
JsonObject *foyer_token_set_get_claims (FoyerTokenSet *self);
void foyer_token_set_set_claims (FoyerTokenSet *self, JsonObject *claims);
/* Claims by name, NULL when absent. */
const char *foyer_token_set_get_claim (FoyerTokenSet *self, const char *name);

/* TRUE when the access token expires within margin seconds of now. */
gboolean foyer_token_set_needs_refresh (FoyerTokenSet *self, gint64 now, gint64 margin);

G_END_DECLS
