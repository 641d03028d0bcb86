/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-auth-error.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (foyer-auth-error-quark, foyer_auth_error)
/* clang-format on */

const char *
foyer_auth_error_aadsts_message (gint64 aadsts)
{
  switch (aadsts)
    {
    case 50076:
    case 50079:
      return _ (
          "Your organization requires multi-factor authentication. Sign in again to continue.");
    case 65001:
      return _ (
          "Foyer has not been allowed to use your Microsoft account yet. Sign in again to give "
          "your consent.");
    case 65004:
      return _ ("You declined to let Foyer use your Microsoft account.");
    case 700082:
      return _ ("Your Microsoft sign-in expired because it was not used for a long time. Sign in "
                "again.");
    case 70008:
      return _ ("Your Microsoft sign-in has expired or was revoked. Sign in again.");
    case 50173:
      return _ ("Your Microsoft sign-in was revoked, for example after a password change. Sign in "
                "again.");
    case 70043:
      return _ ("Your organization requires you to sign in again after a while. Sign in again.");
    case 53003:
      return _ ("Your organization's access policies blocked this sign-in. Contact your "
                "administrator.");
    case 50058:
      return _ ("You are not signed in to Microsoft. Sign in to continue.");
    case 54005:
      return _ ("This sign-in was already used. Start the sign-in again.");
    case 501481:
      return _ ("The sign-in could not be verified. Start the sign-in again.");
    case 50011:
      return _ ("Foyer's sign-in address is not registered for your organization. Contact your "
                "administrator.");
    default:
      return NULL;
    }
}

gint64
foyer_auth_error_parse_aadsts (const char *description)
{
  const char *p;

  if (description == NULL)
    return 0;
  p = strstr (description, "AADSTS");
  if (p == NULL || !g_ascii_isdigit (p[6]))
    return 0;
  return g_ascii_strtoll (p + 6, NULL, 10);
}

static FoyerAuthError
code_from_oauth (const char *error)
{
  static const struct
  {
    const char *name;
    FoyerAuthError code;
  } map[] = {
    { "invalid_grant", FOYER_AUTH_ERROR_INVALID_GRANT },
    { "interaction_required", FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "login_required", FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "consent_required", FOYER_AUTH_ERROR_CONSENT_REQUIRED },
    { "access_denied", FOYER_AUTH_ERROR_ACCESS_DENIED },
    { "temporarily_unavailable", FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE },
    { "server_error", FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE },
    { "invalid_request", FOYER_AUTH_ERROR_CONFIGURATION },
    { "invalid_client", FOYER_AUTH_ERROR_CONFIGURATION },
    { "unauthorized_client", FOYER_AUTH_ERROR_CONFIGURATION },
    { "unsupported_grant_type", FOYER_AUTH_ERROR_CONFIGURATION },
    { "unsupported_response_type", FOYER_AUTH_ERROR_CONFIGURATION },
    { "invalid_resource", FOYER_AUTH_ERROR_CONFIGURATION },
    { "invalid_scope", FOYER_AUTH_ERROR_CONFIGURATION },
  };

  for (gsize i = 0; error != NULL && i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (error, map[i].name))
      return map[i].code;
  return FOYER_AUTH_ERROR_FAILED;
}

static const char *
generic_message (FoyerAuthError code)
{
  switch (code)
    {
    case FOYER_AUTH_ERROR_INVALID_GRANT:
      return _ ("Your Microsoft sign-in is no longer valid. Sign in again.");
    case FOYER_AUTH_ERROR_INTERACTION_REQUIRED:
      return _ ("Microsoft needs you to sign in again.");
    case FOYER_AUTH_ERROR_CONSENT_REQUIRED:
      return _ ("Foyer needs your consent to use your Microsoft account. Sign in again.");
    case FOYER_AUTH_ERROR_ACCESS_DENIED:
      return _ ("The Microsoft sign-in was cancelled or refused.");
    case FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE:
      return _ ("Microsoft sign-in is temporarily unavailable. Try again later.");
    case FOYER_AUTH_ERROR_CONFIGURATION:
      return _ ("Foyer is not set up correctly for your organization's Microsoft account. Contact "
                "your administrator.");
    default:
      return _ ("Microsoft sign-in failed.");
    }
}

GError *
foyer_auth_error_new_from_oauth (const char *error,
                                 const char *description,
                                 const gint64 *aadsts_codes,
                                 gsize n_codes)
{
  FoyerAuthError code = code_from_oauth (error);
  const char *message = NULL;
  gint64 aadsts = 0;

  for (gsize i = 0; i < n_codes && message == NULL; i++)
    if ((message = foyer_auth_error_aadsts_message (aadsts_codes[i])) != NULL)
      aadsts = aadsts_codes[i];
  if (message == NULL && (aadsts = foyer_auth_error_parse_aadsts (description)) != 0)
    message = foyer_auth_error_aadsts_message (aadsts);
  if (aadsts == 0 && n_codes > 0)
    aadsts = aadsts_codes[0];
  if (message == NULL)
    message = generic_message (code);

  if (aadsts != 0)
    return g_error_new (FOYER_AUTH_ERROR, code, "%s (%s, AADSTS%" G_GINT64_FORMAT ")", message,
                        error ? error : "unknown", aadsts);
  return g_error_new (FOYER_AUTH_ERROR, code, "%s (%s)", message, error ? error : "unknown");
}

GError *
foyer_auth_error_new_from_json (JsonNode *root)
{
  JsonObject *obj;
  JsonArray *codes;
  g_autoptr (GArray) numbers = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *error;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  error = foyer_json_get_string (obj, "error");
  if (error == NULL)
    return NULL;
  codes = foyer_json_get_array (obj, "error_codes");
  for (guint i = 0; codes != NULL && i < json_array_get_length (codes); i++)
    {
      JsonNode *n = json_array_get_element (codes, i);

      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
        {
          gint64 v = json_node_get_int (n);
          g_array_append_val (numbers, v);
        }
    }
  return foyer_auth_error_new_from_oauth (error, foyer_json_get_string (obj, "error_description"),
                                          (const gint64 *) numbers->data, numbers->len);
}

gboolean
foyer_auth_error_needs_reconnect (const GError *error)
{
  return error != NULL && error->domain == FOYER_AUTH_ERROR
         && (error->code == FOYER_AUTH_ERROR_INVALID_GRANT
             || error->code == FOYER_AUTH_ERROR_INTERACTION_REQUIRED
             || error->code == FOYER_AUTH_ERROR_CONSENT_REQUIRED);
}
