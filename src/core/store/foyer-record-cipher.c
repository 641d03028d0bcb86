/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-record-cipher.h"

#include "foyer-core.h"
#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <string.h>

struct _FoyerRecordCipher
{
  guint8 k_index[FOYER_RECORD_KEY_LEN];
  guint8 k_namespace[FOYER_RECORD_KEY_LEN];
  guint8 k_seal[FOYER_RECORD_KEY_LEN];
  guint8 check[FOYER_RECORD_KEY_LEN];
};

static void
hkdf_sha256 (const guint8 *ikm, gsize ikm_len, const char *info, guint8 out[FOYER_RECORD_KEY_LEN])
{
  static const guint8 salt[] = "io.github.foyer.Foyer local store";
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id (EVP_PKEY_HKDF, NULL);
  size_t out_len = FOYER_RECORD_KEY_LEN;

  /* Any failure here is an OpenSSL that cannot do SHA-256: nothing can go on. */
  if (ctx == NULL || EVP_PKEY_derive_init (ctx) <= 0
      || EVP_PKEY_CTX_set_hkdf_md (ctx, EVP_sha256 ()) <= 0
      || EVP_PKEY_CTX_set1_hkdf_salt (ctx, salt, sizeof salt - 1) <= 0
      || EVP_PKEY_CTX_set1_hkdf_key (ctx, ikm, (int) ikm_len) <= 0
      || EVP_PKEY_CTX_add1_hkdf_info (ctx, (const guint8 *) info, (int) strlen (info)) <= 0
      || EVP_PKEY_derive (ctx, out, &out_len) <= 0 || out_len != FOYER_RECORD_KEY_LEN)
    g_error ("HKDF-SHA256 is not available from libcrypto");

  EVP_PKEY_CTX_free (ctx);
}

FoyerRecordCipher *
foyer_record_cipher_new (const guint8 *device_key, gsize length)
{
  FoyerRecordCipher *self;

  g_return_val_if_fail (device_key != NULL, NULL);
  g_return_val_if_fail (length >= 16, NULL);

  self = g_new0 (FoyerRecordCipher, 1);
  hkdf_sha256 (device_key, length, "foyer-store index v1", self->k_index);
  hkdf_sha256 (device_key, length, "foyer-store namespace v1", self->k_namespace);
  hkdf_sha256 (device_key, length, "foyer-store seal v1", self->k_seal);
  hkdf_sha256 (device_key, length, "foyer-store key check v1", self->check);

  return self;
}

void
foyer_record_cipher_free (FoyerRecordCipher *self)
{
  if (self == NULL)
    return;
  OPENSSL_cleanse (self, sizeof *self);
  g_free (self);
}

static void
hmac_two (const guint8 *k,
          const char *first,
          const guint8 *second,
          gsize second_len,
          guint8 out[FOYER_RECORD_INDEX_LEN])
{
  /* HMAC (k, first || 0x00 || second): strings never contain 0x00, so the
   * split between the two parts is unambiguous. */
  gsize first_len = strlen (first) + 1;
  g_autofree guint8 *msg = g_malloc (first_len + second_len);
  unsigned int out_len = FOYER_RECORD_INDEX_LEN;

  memcpy (msg, first, first_len);
  if (second_len > 0)
    memcpy (msg + first_len, second, second_len);

  if (HMAC (EVP_sha256 (), k, FOYER_RECORD_KEY_LEN, msg, first_len + second_len, out, &out_len)
      == NULL)
    g_error ("HMAC-SHA256 is not available from libcrypto");

  OPENSSL_cleanse (msg, first_len + second_len);
}

void
foyer_record_cipher_lookup (FoyerRecordCipher *self,
                            const char *ns,
                            const char *key,
                            guint8 out[FOYER_RECORD_INDEX_LEN])
{
  g_return_if_fail (self != NULL && ns != NULL && key != NULL);

  hmac_two (self->k_index, ns, (const guint8 *) key, strlen (key), out);
}

void
foyer_record_cipher_namespace_tag (FoyerRecordCipher *self,
                                   const char *ns,
                                   guint8 out[FOYER_RECORD_INDEX_LEN])
{
  g_return_if_fail (self != NULL && ns != NULL);

  hmac_two (self->k_namespace, ns, NULL, 0, out);
}

void
foyer_record_cipher_key_check (FoyerRecordCipher *self, guint8 out[FOYER_RECORD_INDEX_LEN])
{
  g_return_if_fail (self != NULL);

  memcpy (out, self->check, FOYER_RECORD_INDEX_LEN);
}

static void
cleanse_and_free (gpointer data)
{
  gsize *block = data;

  OPENSSL_cleanse (block, block[0] + sizeof (gsize));
  g_free (block);
}

/* A GBytes whose memory is wiped when the last reference goes: values read
 * from the store are plaintext (cookies, messages). */
GBytes *
foyer_secure_bytes_new (const void *data, gsize length)
{
  gsize *block = g_malloc (sizeof (gsize) + MAX (length, 1));

  block[0] = length;
  if (length > 0)
    memcpy (block + 1, data, length);

  return g_bytes_new_with_free_func (block + 1, length, cleanse_and_free, block);
}

static guint8 *
make_aad (const char *ns, const guint8 lookup[FOYER_RECORD_INDEX_LEN], gsize *out_len)
{
  gsize ns_len = strlen (ns) + 1;
  guint8 *aad = g_malloc (ns_len + FOYER_RECORD_INDEX_LEN);

  memcpy (aad, ns, ns_len);
  memcpy (aad + ns_len, lookup, FOYER_RECORD_INDEX_LEN);
  *out_len = ns_len + FOYER_RECORD_INDEX_LEN;

  return aad;
}

static GBytes *
seal_plaintext (FoyerRecordCipher *self,
                const char *ns,
                const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                const guint8 *plain,
                gsize plain_len,
                GError **error)
{
  g_autofree guint8 *aad = NULL;
  gsize aad_len, sealed_len;
  guint8 *sealed;
  EVP_CIPHER_CTX *ctx;
  int n = 0, tail = 0;
  gboolean ok;

  sealed_len = FOYER_RECORD_NONCE_LEN + plain_len + FOYER_RECORD_TAG_LEN;
  sealed = g_malloc (sealed_len);
  if (!foyer_random_bytes (sealed, FOYER_RECORD_NONCE_LEN, error))
    {
      g_free (sealed);
      return NULL;
    }

  aad = make_aad (ns, lookup, &aad_len);
  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL && EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) > 0
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, FOYER_RECORD_NONCE_LEN, NULL) > 0
       && EVP_EncryptInit_ex (ctx, NULL, NULL, self->k_seal, sealed) > 0
       && EVP_EncryptUpdate (ctx, NULL, &n, aad, (int) aad_len) > 0
       && EVP_EncryptUpdate (ctx, sealed + FOYER_RECORD_NONCE_LEN, &n, plain, (int) plain_len) > 0
       && EVP_EncryptFinal_ex (ctx, sealed + FOYER_RECORD_NONCE_LEN + n, &tail) > 0
       && (gsize) (n + tail) == plain_len
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, FOYER_RECORD_TAG_LEN,
                               sealed + FOYER_RECORD_NONCE_LEN + plain_len)
              > 0;
  EVP_CIPHER_CTX_free (ctx);

  if (!ok)
    {
      g_free (sealed);
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                   _ ("Could not encrypt an item of the local store"));
      return NULL;
    }

  return g_bytes_new_take (sealed, sealed_len);
}

GBytes *
foyer_record_cipher_seal (FoyerRecordCipher *self,
                          const char *ns,
                          const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                          const char *key,
                          GBytes *value,
                          GError **error)
{
  gsize key_len, value_len, plain_len;
  const guint8 *value_data;
  guint8 *plain;
  GBytes *sealed;

  g_return_val_if_fail (self != NULL && ns != NULL && key != NULL && value != NULL, NULL);

  key_len = strlen (key);
  value_data = g_bytes_get_data (value, &value_len);
  if (key_len > G_MAXUINT32 || value_len > G_MAXINT - key_len - FOYER_RECORD_OVERHEAD)
    {
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_IO,
                   _ ("The item is too large for the local store"));
      return NULL;
    }

  plain_len = 4 + key_len + value_len;
  plain = g_malloc (plain_len);
  plain[0] = (key_len >> 24) & 0xff;
  plain[1] = (key_len >> 16) & 0xff;
  plain[2] = (key_len >> 8) & 0xff;
  plain[3] = key_len & 0xff;
  memcpy (plain + 4, key, key_len);
  if (value_len > 0)
    memcpy (plain + 4 + key_len, value_data, value_len);

  sealed = seal_plaintext (self, ns, lookup, plain, plain_len, error);
  OPENSSL_cleanse (plain, plain_len);
  g_free (plain);

  return sealed;
}

GBytes *
_foyer_record_cipher_seal_plaintext (FoyerRecordCipher *self,
                                     const char *ns,
                                     const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                                     const guint8 *plaintext,
                                     gsize length)
{
  g_return_val_if_fail (self != NULL && ns != NULL && lookup != NULL, NULL);
  g_return_val_if_fail (length <= G_MAXINT - FOYER_RECORD_OVERHEAD, NULL);

  return seal_plaintext (self, ns, lookup, plaintext, length, NULL);
}

static gboolean
set_tampered (GError **error)
{
  g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED,
               _ ("An item of the local store failed its integrity check and was dropped"));
  return FALSE;
}

gboolean
foyer_record_cipher_open (FoyerRecordCipher *self,
                          const char *ns,
                          const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                          const guint8 *sealed,
                          gsize sealed_len,
                          char **out_key,
                          GBytes **out_value,
                          GError **error)
{
  gsize plain_len, aad_len, key_len;
  g_autofree guint8 *aad = NULL;
  guint8 *plain;
  guint8 tag[FOYER_RECORD_TAG_LEN];
  guint8 expected[FOYER_RECORD_INDEX_LEN];
  g_autofree char *key = NULL;
  EVP_CIPHER_CTX *ctx;
  int n = 0, tail = 0;
  gboolean ok;

  g_return_val_if_fail (self != NULL && ns != NULL && lookup != NULL, FALSE);
  g_return_val_if_fail (sealed != NULL || sealed_len == 0, FALSE);

  if (sealed_len < FOYER_RECORD_OVERHEAD || sealed_len > G_MAXINT)
    return set_tampered (error);

  plain_len = sealed_len - FOYER_RECORD_NONCE_LEN - FOYER_RECORD_TAG_LEN;
  plain = g_malloc (plain_len);
  memcpy (tag, sealed + sealed_len - FOYER_RECORD_TAG_LEN, FOYER_RECORD_TAG_LEN);
  aad = make_aad (ns, lookup, &aad_len);

  ctx = EVP_CIPHER_CTX_new ();
  ok = ctx != NULL && EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, NULL, NULL) > 0
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_IVLEN, FOYER_RECORD_NONCE_LEN, NULL) > 0
       && EVP_DecryptInit_ex (ctx, NULL, NULL, self->k_seal, sealed) > 0
       && EVP_DecryptUpdate (ctx, NULL, &n, aad, (int) aad_len) > 0
       && EVP_DecryptUpdate (ctx, plain, &n, sealed + FOYER_RECORD_NONCE_LEN, (int) plain_len) > 0
       && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, FOYER_RECORD_TAG_LEN, tag) > 0
       && EVP_DecryptFinal_ex (ctx, plain + n, &tail) > 0 && (gsize) (n + tail) == plain_len;
  EVP_CIPHER_CTX_free (ctx);

  if (ok)
    {
      key_len = ((gsize) plain[0] << 24) | ((gsize) plain[1] << 16) | ((gsize) plain[2] << 8)
                | (gsize) plain[3];
      ok = key_len <= plain_len - 4 && memchr (plain + 4, '\0', key_len) == NULL;
    }
  if (ok)
    {
      /* The tag proves the record was written by this device key; the key
       * inside must also be the one this row is filed under. */
      key = g_strndup ((const char *) plain + 4, key_len);
      foyer_record_cipher_lookup (self, ns, key, expected);
      ok = CRYPTO_memcmp (expected, lookup, FOYER_RECORD_INDEX_LEN) == 0;
    }
  if (ok && out_value != NULL)
    *out_value = foyer_secure_bytes_new (plain + 4 + key_len, plain_len - 4 - key_len);

  OPENSSL_cleanse (plain, plain_len);
  g_free (plain);

  if (!ok)
    {
      if (key != NULL)
        OPENSSL_cleanse (key, strlen (key));
      return set_tampered (error);
    }

  if (out_key != NULL)
    *out_key = g_steal_pointer (&key);
  else
    OPENSSL_cleanse (key, strlen (key));

  return TRUE;
}
