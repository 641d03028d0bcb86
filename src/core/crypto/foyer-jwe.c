/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-jwe.h"

#include "foyer-core.h"
#include "foyer-jose-shape.h"
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

/* Checks the shape of a compact dir/A256GCM JWE without any key: what the
 * service does before it stores a body it cannot read, and what every
 * client does before cjose sees one (see foyer-jose-shape.h). */
gboolean
foyer_jwe_check (const char *jwe, gsize max_length, char **out_kid, GError **error)
{
  static const char *const algs[] = { "dir", NULL };
  const FoyerJoseRules rules = { FOYER_JOSE_JWE, max_length, algs, "A256GCM" };
  g_autoptr (JsonObject) header = NULL;
  const char *why = NULL;
  const char *kid;

  if (out_kid != NULL)
    *out_kid = NULL;
  if (max_length == 0)
    return malformed (error, "bad length");
  header = foyer_jose_check (jwe, &rules, &why);
  if (header == NULL)
    return malformed (error, why);
  /* A dir JWE carries no encrypted key: its second part is empty. */
  if (strchr (jwe, '.')[1] != '.')
    return malformed (error, "a dir JWE has no encrypted key");
  kid = foyer_json_get_string (header, "kid");
  if (kid == NULL || *kid == '\0' || strlen (kid) > MAX_KID_LENGTH)
    return malformed (error, "missing key id");

  if (out_kid != NULL)
    *out_kid = g_strdup (kid);
  return TRUE;
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
