/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-auth-request.h"

#include "foyer-auth-error.h"
#include "foyer-core.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _FoyerAuthRequest
{
  GObject parent_instance;

  FoyerCloud *cloud;
  char *tenant;
  char *client_id;
  char *login_hint;
  char *domain_hint;
  char *prompt;
  char *verifier;
  char *state;
  char *nonce;
  char *redirect_uri; /* the system browser's loopback address, or NULL: the cloud's */
  gboolean used;
};

G_DEFINE_FINAL_TYPE (FoyerAuthRequest, foyer_auth_request, G_TYPE_OBJECT)

static void
foyer_auth_request_finalize (GObject *object)
{
  FoyerAuthRequest *self = FOYER_AUTH_REQUEST (object);

  g_clear_object (&self->cloud);
  g_free (self->tenant);
  g_free (self->client_id);
  g_free (self->login_hint);
  g_free (self->domain_hint);
  g_free (self->prompt);
  g_free (self->verifier);
  g_free (self->state);
  g_free (self->nonce);
  g_free (self->redirect_uri);
  G_OBJECT_CLASS (foyer_auth_request_parent_class)->finalize (object);
}

static void
foyer_auth_request_class_init (FoyerAuthRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_auth_request_finalize;
}

static void
foyer_auth_request_init (FoyerAuthRequest *self)
{
}

char *
foyer_auth_pkce_challenge (const char *verifier)
{
  g_autoptr (GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (sha, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha, digest, &length);
  return foyer_base64url_encode (digest, length);
}

FoyerAuthRequest *
foyer_auth_request_new_full (FoyerCloud *cloud,
                             const char *tenant,
                             const char *client_id,
                             const char *login_hint,
                             const char *domain_hint,
                             const char *prompt,
                             const char *verifier,
                             const char *state,
                             const char *nonce)
{
  FoyerAuthRequest *self;

  g_return_val_if_fail (FOYER_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (tenant != NULL && client_id != NULL, NULL);
  g_return_val_if_fail (verifier != NULL && state != NULL && nonce != NULL, NULL);

  self = g_object_new (FOYER_TYPE_AUTH_REQUEST, NULL);
  self->cloud = g_object_ref (cloud);
  self->tenant = g_strdup (tenant);
  self->client_id = g_strdup (client_id);
  self->login_hint = g_strdup (login_hint);
  self->domain_hint = g_strdup (domain_hint);
  self->prompt = g_strdup (prompt);
  self->verifier = g_strdup (verifier);
  self->state = g_strdup (state);
  self->nonce = g_strdup (nonce);
  return self;
}

static char *
random_text (gsize n_bytes, GError **error)
{
  g_autofree guint8 *bytes = g_malloc (n_bytes);

  if (!foyer_random_bytes (bytes, n_bytes, error))
    return NULL;
  return foyer_base64url_encode (bytes, n_bytes);
}

FoyerAuthRequest *
foyer_auth_request_new (FoyerCloud *cloud,
                        const char *tenant,
                        const char *client_id,
                        const char *login_hint,
                        const char *domain_hint,
                        const char *prompt,
                        GError **error)
{
  g_autofree char *verifier = NULL;
  g_autofree char *state = NULL;
  g_autofree char *nonce = NULL;

  g_return_val_if_fail (FOYER_IS_CLOUD (cloud), NULL);

  /* 32 bytes give a 43-character verifier, the RFC 7636 minimum length
   * with 256 bits of entropy. */
  if ((verifier = random_text (32, error)) == NULL || (state = random_text (24, error)) == NULL
      || (nonce = random_text (24, error)) == NULL)
    return NULL;
  return foyer_auth_request_new_full (cloud, tenant, client_id, login_hint, domain_hint, prompt,
                                      verifier, state, nonce);
}

const char *
foyer_auth_request_get_verifier (FoyerAuthRequest *self)
{
  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), NULL);
  return self->verifier;
}

const char *
foyer_auth_request_get_state (FoyerAuthRequest *self)
{
  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), NULL);
  return self->state;
}

const char *
foyer_auth_request_get_nonce (FoyerAuthRequest *self)
{
  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), NULL);
  return self->nonce;
}

const char *
foyer_auth_request_get_redirect_uri (FoyerAuthRequest *self)
{
  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), NULL);
  return self->redirect_uri != NULL ? self->redirect_uri
                                    : foyer_cloud_get_redirect_uri (self->cloud);
}

/* For the system browser (RFC 8252 §7.3): http on 127.0.0.1 with the
 * port the app listens on, instead of the cloud's native-client URI.
 * Anything else is refused. */
gboolean
foyer_auth_request_set_loopback_redirect_uri (FoyerAuthRequest *self,
                                              const char *uri,
                                              GError **error)
{
  g_autoptr (GUri) parsed = NULL;

  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), FALSE);

  parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "http") != 0
      || g_strcmp0 (g_uri_get_host (parsed), "127.0.0.1") != 0 || g_uri_get_port (parsed) <= 0)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_REDIRECT,
                           _ ("The browser sign-in can only return to this computer."));
      return FALSE;
    }
  g_free (self->redirect_uri);
  self->redirect_uri = g_strdup (uri);
  return TRUE;
}

static void
append_param (GString *query, const char *name, const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL)
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (query, "%s%s=%s", query->len ? "&" : "", name, escaped);
}

char *
foyer_auth_request_get_authorize_url (FoyerAuthRequest *self)
{
  g_autoptr (GString) query = g_string_new (NULL);
  g_autofree char *base = NULL;
  g_autofree char *challenge = NULL;

  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), NULL);

  challenge = foyer_auth_pkce_challenge (self->verifier);
  append_param (query, "client_id", self->client_id);
  append_param (query, "response_type", "code");
  append_param (query, "redirect_uri", foyer_auth_request_get_redirect_uri (self));
  append_param (query, "response_mode", "query");
  append_param (query, "scope", FOYER_AUTH_SCOPES);
  append_param (query, "state", self->state);
  append_param (query, "code_challenge", challenge);
  append_param (query, "code_challenge_method", "S256");
  append_param (query, "nonce", self->nonce);
  append_param (query, "prompt", self->prompt);
  append_param (query, "login_hint", self->login_hint);
  append_param (query, "domain_hint", self->domain_hint);
  base = foyer_cloud_authorize_url (self->cloud, self->tenant);
  return g_strconcat (base, "?", query->str, NULL);
}

static gboolean
same_endpoint (GUri *a, GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 && g_uri_get_host (a)
         && g_uri_get_host (b) && g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0
         && g_uri_get_port (a) == g_uri_get_port (b)
         && g_strcmp0 (g_uri_get_path (a), g_uri_get_path (b)) == 0;
}

gboolean
foyer_auth_request_is_redirect (FoyerAuthRequest *self, const char *uri)
{
  g_autoptr (GUri) expected = NULL;
  g_autoptr (GUri) got = NULL;

  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), FALSE);

  if (uri == NULL)
    return FALSE;
  expected = g_uri_parse (foyer_auth_request_get_redirect_uri (self), G_URI_FLAGS_NONE, NULL);
  got = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY, NULL);
  return expected != NULL && got != NULL && same_endpoint (expected, got);
}

static GHashTable *
redirect_params (const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  const char *query = parsed ? g_uri_get_query (parsed) : NULL;

  if (query == NULL && parsed != NULL)
    query = g_uri_get_fragment (parsed);
  if (query == NULL)
    return NULL;
  return g_uri_parse_params (query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
}

gboolean
foyer_auth_request_parse_redirect (FoyerAuthRequest *self,
                                   const char *uri,
                                   char **out_code,
                                   GError **error)
{
  g_autoptr (GHashTable) params = NULL;
  const char *state;
  const char *oauth_error;
  const char *code;

  g_return_val_if_fail (FOYER_IS_AUTH_REQUEST (self), FALSE);
  g_return_val_if_fail (out_code != NULL, FALSE);

  *out_code = NULL;
  if (!foyer_auth_request_is_redirect (self, uri) || (params = redirect_params (uri)) == NULL)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_REDIRECT,
                           _ ("Microsoft sign-in returned an unexpected address."));
      return FALSE;
    }

  state = g_hash_table_lookup (params, "state");
  if (state == NULL || !g_str_equal (state, self->state) || self->used)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_STATE_MISMATCH,
                           _ ("The Microsoft sign-in answer does not belong to this sign-in. "
                              "Start the sign-in again."));
      return FALSE;
    }
  self->used = TRUE;

  oauth_error = g_hash_table_lookup (params, "error");
  if (oauth_error != NULL)
    {
      g_propagate_error (
          error, foyer_auth_error_new_from_oauth (
                     oauth_error, g_hash_table_lookup (params, "error_description"), NULL, 0));
      return FALSE;
    }

  code = g_hash_table_lookup (params, "code");
  if (code == NULL || *code == '\0')
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_REDIRECT,
                           _ ("Microsoft sign-in returned no authorization code."));
      return FALSE;
    }
  *out_code = g_strdup (code);
  return TRUE;
}
