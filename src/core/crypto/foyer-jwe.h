/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Compact JWE with alg "dir" and enc "A256GCM", the only form Foyer uses
 * for message bodies, space titles and document references. The kid is
 * the KMS key URI of the 256-bit content key.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_CRYPTO_ERROR (foyer_crypto_error_quark ())

typedef enum
{
  FOYER_CRYPTO_ERROR_INVALID_KEY,
  FOYER_CRYPTO_ERROR_MALFORMED,
  FOYER_CRYPTO_ERROR_DECRYPT,
  FOYER_CRYPTO_ERROR_WRONG_KEY,
  FOYER_CRYPTO_ERROR_UNSUPPORTED_VERSION,
  FOYER_CRYPTO_ERROR_INVALID_REFERENCE,
  FOYER_CRYPTO_ERROR_FORBIDDEN_URL,
} FoyerCryptoError;

#define FOYER_JWE_KEY_SIZE 32
/* Large enough for a long message, small enough to keep the service safe. */
#define FOYER_JWE_MAX_LENGTH (256 * 1024)

GQuark foyer_crypto_error_quark (void);

char *foyer_jwe_encrypt (const guint8 *key,
                         gsize key_len,
                         const char *kid,
                         const guint8 *plaintext,
                         gsize plaintext_len,
                         GError **error);
char *foyer_jwe_encrypt_string (
    const guint8 *key, gsize key_len, const char *kid, const char *plaintext, GError **error);
GBytes *foyer_jwe_decrypt (const guint8 *key, gsize key_len, const char *jwe, GError **error);
char *foyer_jwe_decrypt_string (const guint8 *key, gsize key_len, const char *jwe, GError **error);

gboolean foyer_jwe_check (const char *jwe, gsize max_length, char **out_kid, GError **error);

G_END_DECLS
