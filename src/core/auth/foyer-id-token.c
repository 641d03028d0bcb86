/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-id-token.h"

#include "foyer-auth-error.h"
#include "foyer-core.h"
#include "foyer-jose-shape.h"
#include "foyer-json.h"

#include <cjose/cjose.h>
#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jws_t, cjose_jws_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jwk_t, cjose_jwk_release)

static JsonObject *
invalid (GError **error, const char *why)
{
  /* why is for the log: the person only needs to know it was refused. */
  g_debug ("ID token refused: %s", why);
  g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN,
                       _ ("Microsoft's answer could not be verified. Try signing in again."));
  return NULL;
}

/* cjose 0.6 aborts (an assert in its base64 decoder) on some malformed
 * segments, so only a well-formed compact JWS, no bigger than any real ID
 * token, reaches it (foyer-jose-shape.h). */
static gboolean
is_compact_jws (const char *text)
{
  static const FoyerJoseRules rules = { FOYER_JOSE_JWS, 65536, NULL, NULL };
  g_autoptr (JsonObject) header = foyer_jose_check (text, &rules, NULL);

  return header != NULL;
}

char *
foyer_id_token_get_kid (const char *id_token)
{
  cjose_err err;
  g_autoptr (cjose_jws_t) jws = NULL;
  cjose_header_t *header;
  const char *kid;

  if (!is_compact_jws (id_token))
    return NULL;
  jws = cjose_jws_import (id_token, strlen (id_token), &err);
  if (jws == NULL || (header = cjose_jws_get_protected (jws)) == NULL)
    return NULL;
  kid = cjose_header_get (header, CJOSE_HDR_KID, &err);
  return g_strdup (kid);
}

static JsonArray *
jwks_keys (JsonNode *jwks)
{
  JsonNode *keys;

  if (jwks == NULL || !JSON_NODE_HOLDS_OBJECT (jwks))
    return NULL;
  keys = json_object_get_member (json_node_get_object (jwks), "keys");
  return keys != NULL && JSON_NODE_HOLDS_ARRAY (keys) ? json_node_get_array (keys) : NULL;
}

gboolean
foyer_id_token_jwks_has_kid (JsonNode *jwks, const char *kid)
{
  JsonArray *keys = jwks_keys (jwks);

  for (guint i = 0; kid != NULL && keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonNode *key = json_array_get_element (keys, i);

      if (JSON_NODE_HOLDS_OBJECT (key)
          && g_strcmp0 (foyer_json_get_string (json_node_get_object (key), "kid"), kid) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Tries each RSA signing key with a matching kid (or every one when the
 * token names none). */
static gboolean
verify_signature (cjose_jws_t *jws, JsonNode *jwks, const char *kid)
{
  JsonArray *keys = jwks_keys (jwks);

  for (guint i = 0; keys != NULL && i < json_array_get_length (keys); i++)
    {
      JsonNode *node = json_array_get_element (keys, i);
      JsonObject *key;
      g_autofree char *json = NULL;
      g_autoptr (cjose_jwk_t) jwk = NULL;
      const char *use;
      cjose_err err;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      key = json_node_get_object (node);
      use = foyer_json_get_string_with_default (key, "use", "sig");
      if (g_strcmp0 (foyer_json_get_string (key, "kty"), "RSA") != 0 || g_strcmp0 (use, "sig") != 0)
        continue;
      if (kid != NULL && g_strcmp0 (foyer_json_get_string (key, "kid"), kid) != 0)
        continue;
      /* The key set is outside input as well. */
      if (!foyer_jose_check_jwk (key, NULL))
        continue;
      json = json_to_string (node, FALSE);
      jwk = cjose_jwk_import (json, strlen (json), &err);
      if (jwk != NULL && cjose_jws_verify (jws, jwk, &err))
        return TRUE;
    }
  return FALSE;
}

static gboolean
audience_matches (JsonObject *claims, const char *audience)
{
  JsonNode *aud = json_object_get_member (claims, "aud");

  if (aud == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (aud) && json_node_get_value_type (aud) == G_TYPE_STRING)
    return g_strcmp0 (json_node_get_string (aud), audience) == 0;
  return FALSE;
}

static gboolean
read_time (JsonObject *claims, const char *name, gboolean required, gint64 *out)
{
  JsonNode *node = json_object_get_member (claims, name);

  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
check_claims (JsonObject *claims,
              const char *issuer,
              const char *audience,
              const char *nonce,
              const char *tenant,
              gint64 now,
              GError **error)
{
  const char *tid = foyer_json_get_string (claims, "tid");
  gint64 exp = 0;
  gint64 nbf = G_MININT64;

  if (tid == NULL || tenant == NULL || g_ascii_strcasecmp (tid, tenant) != 0)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT,
                           _ ("This Microsoft account belongs to another organization. Sign in "
                              "with your organization's account."));
      return NULL;
    }
  if (g_strcmp0 (foyer_json_get_string (claims, "iss"), issuer) != 0)
    return invalid (error, "issuer");
  if (!audience_matches (claims, audience))
    return invalid (error, "audience");
  if (nonce != NULL && g_strcmp0 (foyer_json_get_string (claims, "nonce"), nonce) != 0)
    return invalid (error, "nonce");
  if (!read_time (claims, "exp", TRUE, &exp) || !read_time (claims, "nbf", FALSE, &nbf))
    return invalid (error, "times");
  if (now > exp + FOYER_ID_TOKEN_SKEW_SECONDS)
    return invalid (error, "expired");
  if (now + FOYER_ID_TOKEN_SKEW_SECONDS < nbf)
    return invalid (error, "not yet valid");
  return json_object_ref (claims);
}

JsonObject *
foyer_id_token_verify (const char *id_token,
                       JsonNode *jwks,
                       const char *issuer,
                       const char *audience,
                       const char *nonce,
                       const char *tenant,
                       gint64 now,
                       GError **error)
{
  g_autoptr (cjose_jws_t) jws = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  cjose_header_t *header;
  const char *alg;
  uint8_t *payload = NULL;
  size_t payload_len = 0;
  cjose_err err;
  JsonNode *root;

  g_return_val_if_fail (issuer != NULL && audience != NULL, NULL);

  if (!is_compact_jws (id_token)
      || (jws = cjose_jws_import (id_token, strlen (id_token), &err)) == NULL
      || (header = cjose_jws_get_protected (jws)) == NULL)
    return invalid (error, "not a JWS");
  /* Only RS256: never "none", never an HMAC keyed with a public key. */
  alg = cjose_header_get (header, CJOSE_HDR_ALG, &err);
  if (g_strcmp0 (alg, CJOSE_HDR_ALG_RS256) != 0)
    return invalid (error, "algorithm");
  if (!verify_signature (jws, jwks, cjose_header_get (header, CJOSE_HDR_KID, &err)))
    return invalid (error, "signature");
  if (!cjose_jws_get_plaintext (jws, &payload, &payload_len, &err)
      || !foyer_json_depth_within ((const char *) payload, payload_len, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, (const char *) payload, (gssize) payload_len, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return invalid (error, "payload");
  return check_claims (json_node_get_object (root), issuer, audience, nonce, tenant, now, error);
}
