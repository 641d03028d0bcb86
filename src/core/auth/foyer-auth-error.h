/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Errors of the Microsoft identity area. Codes say what the caller should
 * do (reconnect, ask again, wait, tell the administrator); messages are
 * translated and chosen from the AADSTS number when Microsoft gives one.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FOYER_AUTH_ERROR (foyer_auth_error_quark ())

typedef enum
{
  FOYER_AUTH_ERROR_FAILED,
  /* invalid_grant: the refresh token or code is no longer usable; the
   * account needs a new interactive sign-in. */
  FOYER_AUTH_ERROR_INVALID_GRANT,
  FOYER_AUTH_ERROR_INTERACTION_REQUIRED,
  FOYER_AUTH_ERROR_CONSENT_REQUIRED,
  FOYER_AUTH_ERROR_ACCESS_DENIED,
  FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE,
  FOYER_AUTH_ERROR_WRONG_TENANT,
  FOYER_AUTH_ERROR_INVALID_ID_TOKEN,
  FOYER_AUTH_ERROR_STATE_MISMATCH,
  FOYER_AUTH_ERROR_INVALID_REDIRECT,
  FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD,
  FOYER_AUTH_ERROR_INVALID_POLICY,
  FOYER_AUTH_ERROR_DISABLED,
  /* invalid_client, unauthorized_client, invalid_request, invalid_scope…:
   * the app registration or the policy is wrong, not the user. */
  FOYER_AUTH_ERROR_CONFIGURATION,
  FOYER_AUTH_ERROR_INVALID_RESPONSE,
  FOYER_AUTH_ERROR_NETWORK,
  FOYER_AUTH_ERROR_NOT_SIGNED_IN,
} FoyerAuthError;

/* The account state of FoyerTokenManager. */
#define FOYER_AUTH_ERROR_RECONNECT_NEEDED FOYER_AUTH_ERROR_INVALID_GRANT

GQuark foyer_auth_error_quark (void);

/* The translated message for an AADSTS number Foyer knows, else NULL. */
const char *foyer_auth_error_aadsts_message (gint64 aadsts);

/* Maps an OAuth error (`error`, `error_description`, `error_codes`) to a
 * FOYER_AUTH_ERROR. Branches on `error`; the first known AADSTS number
 * only chooses the message. description may be NULL. */
GError *foyer_auth_error_new_from_oauth (const char *error,
                                         const char *description,
                                         const gint64 *aadsts_codes,
                                         gsize n_codes);
/* Same from a token endpoint reply body; NULL if the body is not
 * Microsoft's error JSON. */
GError *foyer_auth_error_new_from_json (JsonNode *root);

/* The first AADSTS number in "AADSTS50076: …", else 0. */
gint64 foyer_auth_error_parse_aadsts (const char *description);

/* TRUE for the errors after which only an interactive sign-in helps. */
gboolean foyer_auth_error_needs_reconnect (const GError *error);

G_END_DECLS
