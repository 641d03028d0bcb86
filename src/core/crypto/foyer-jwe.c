/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-jwe.h"

#include "foyer-core.h"
#include "foyer-json-request.h"

#include <cjose/cjose.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (foyer-crypto-error-quark, foyer_crypto_error)
/* clang-format on */

#define MAX_KID_LENGTH 512

static void
jwk_release (cjose_jwk_t *jwk)
{
  cjose_jwk_release (jwk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jwk_t, jwk_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jwe_t, cjose_jwe_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_header_t, cjose_header_release)

static cjose_jwk_t *
make_jwk (const guint8 *key, gsize key_len, GError **error)
{
  cjose_err err = { 0 };
  cjose_jwk_t *jwk;

  if (key == NULL || key_len != FOYER_JWE_KEY_SIZE)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_KEY,
                   _ ("The encryption key is not a 256-bit key"));
      return NULL;
    }
  jwk = cjose_jwk_create_oct_spec (key, key_len, &err);
  if (jwk == NULL)
    g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_KEY,
                 _ ("The encryption key could not be used: %s"), err.message);
  return jwk;
}

char *
foyer_jwe_encrypt (const guint8 *key,
                   gsize key_len,
                   const char *kid,
                   const guint8 *plaintext,
                   gsize plaintext_len,
                   GError **error)
{
  g_autoptr (cjose_jwk_t) jwk = NULL;
  g_autoptr (cjose_header_t) header = NULL;
  g_autoptr (cjose_jwe_t) jwe = NULL;
  cjose_err err = { 0 };
  char *compact;
  char *result;

  g_return_val_if_fail (kid != NULL && *kid != '\0', NULL);
  g_return_val_if_fail (plaintext != NULL || plaintext_len == 0, NULL);

  if (!(jwk = make_jwk (key, key_len, error)))
    return NULL;

  header = cjose_header_new (&err);
  if (header == NULL || !cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_DIR, &err)
      || !cjose_header_set (header, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A256GCM, &err)
      || !cjose_header_set (header, CJOSE_HDR_KID, kid, &err))
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
                   _ ("Could not prepare the encryption header: %s"), err.message);
      return NULL;
    }

  /* cjose refuses a NULL plaintext even when it is empty. */
  jwe = cjose_jwe_encrypt (jwk, header, plaintext != NULL ? plaintext : (const guint8 *) "",
                           plaintext_len, &err);
  if (jwe == NULL)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_KEY,
                   _ ("Could not encrypt: %s"), err.message);
      return NULL;
    }
  compact = cjose_jwe_export (jwe, &err);
  if (compact == NULL)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
                   _ ("Could not serialize the encrypted data: %s"), err.message);
      return NULL;
    }
  result = g_strdup (compact);
  cjose_get_dealloc () (compact);
  return result;
}

char *
foyer_jwe_encrypt_string (
    const guint8 *key, gsize key_len, const char *kid, const char *plaintext, GError **error)
{
  g_return_val_if_fail (plaintext != NULL, NULL);

  return foyer_jwe_encrypt (key, key_len, kid, (const guint8 *) plaintext, strlen (plaintext),
                            error);
}

static gboolean
malformed (GError **error, const char *why)
{
  g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
               _ ("The encrypted data is malformed: %s"), why);
  return FALSE;
}

static gboolean
check_header (const char *encoded, char **out_kid, GError **error)
{
  g_autofree guint8 *raw = NULL;
  gsize raw_len = 0;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  const char *alg, *enc, *kid;

  raw = foyer_base64url_decode (encoded, &raw_len);
  if (raw == NULL || raw_len == 0 || raw_len > 4096)
    return malformed (error, "header encoding");
  if (!g_utf8_validate ((const char *) raw, raw_len, NULL) || memchr (raw, '\0', raw_len) != NULL)
    return malformed (error, "header text");
  if (!json_parser_load_from_data (parser, (const char *) raw, raw_len, NULL))
    return malformed (error, "header JSON");
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return malformed (error, "header is not an object");
  object = json_node_get_object (root);

  alg = foyer_json_get_string (object, "alg");
  enc = foyer_json_get_string (object, "enc");
  kid = foyer_json_get_string (object, "kid");
  if (g_strcmp0 (alg, "dir") != 0 || g_strcmp0 (enc, "A256GCM") != 0)
    return malformed (error, "not dir/A256GCM");
  if (kid == NULL || *kid == '\0' || strlen (kid) > MAX_KID_LENGTH)
    return malformed (error, "missing key id");
  if (json_object_has_member (object, "zip") || json_object_has_member (object, "crit"))
    return malformed (error, "unsupported header parameter");

  if (out_kid != NULL)
    *out_kid = g_strdup (kid);
  return TRUE;
}

static gboolean
check_part_length (const char *encoded, gsize expected)
{
  g_autofree guint8 *raw = NULL;
  gsize len = 0;

  raw = foyer_base64url_decode (encoded, &len);
  return raw != NULL && len == expected;
}

/* Checks the shape of a compact dir/A256GCM JWE without any key: what the
 * service does before it stores a body it cannot read. */
gboolean
foyer_jwe_check (const char *jwe, gsize max_length, char **out_kid, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autofree guint8 *ciphertext = NULL;
  gsize len;

  if (out_kid != NULL)
    *out_kid = NULL;
  if (jwe == NULL)
    return malformed (error, "empty");
  len = strlen (jwe);
  if (len == 0 || len > max_length)
    return malformed (error, "bad length");
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (jwe[i]) && jwe[i] != '-' && jwe[i] != '_' && jwe[i] != '.')
      return malformed (error, "bad character");

  parts = g_strsplit (jwe, ".", -1);
  if (g_strv_length (parts) != 5)
    return malformed (error, "not five parts");
  if (parts[1][0] != '\0')
    return malformed (error, "a dir JWE has no encrypted key");
  if (!check_part_length (parts[2], 12))
    return malformed (error, "bad IV");
  if (!check_part_length (parts[4], 16))
    return malformed (error, "bad tag");
  if (parts[3][0] != '\0')
    {
      gsize ct_len = 0;

      ciphertext = foyer_base64url_decode (parts[3], &ct_len);
      if (ciphertext == NULL)
        return malformed (error, "bad ciphertext");
    }

  return check_header (parts[0], out_kid, error);
}

GBytes *
foyer_jwe_decrypt (const guint8 *key, gsize key_len, const char *jwe_text, GError **error)
{
  g_autoptr (cjose_jwk_t) jwk = NULL;
  g_autoptr (cjose_jwe_t) jwe = NULL;
  cjose_err err = { 0 };
  guint8 *plain;
  size_t plain_len = 0;
  GBytes *bytes;

  if (!foyer_jwe_check (jwe_text, FOYER_JWE_MAX_LENGTH, NULL, error))
    return NULL;
  if (!(jwk = make_jwk (key, key_len, error)))
    return NULL;

  jwe = cjose_jwe_import (jwe_text, strlen (jwe_text), &err);
  if (jwe == NULL)
    {
      malformed (error, err.message);
      return NULL;
    }
  plain = cjose_jwe_decrypt (jwe, jwk, &plain_len, &err);
  if (plain == NULL)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_DECRYPT,
                   _ ("Could not decrypt: the key is wrong or the data was altered"));
      return NULL;
    }
  bytes = g_bytes_new (plain, plain_len);
  memset (plain, 0, plain_len);
  cjose_get_dealloc () (plain);
  return bytes;
}

char *
foyer_jwe_decrypt_string (const guint8 *key, gsize key_len, const char *jwe, GError **error)
{
  g_autoptr (GBytes) bytes = foyer_jwe_decrypt (key, key_len, jwe, error);
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    return g_strdup ("");
  if (!g_utf8_validate (data, len, NULL) || memchr (data, '\0', len) != NULL)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
                   _ ("The decrypted text is not valid UTF-8"));
      return NULL;
    }
  return g_strndup (data, len);
}
