/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerRecordCipher: how one record of the local store is sealed.
 *
 * Two keys are derived from the device key with HKDF-SHA256: k_index keys
 * the HMAC-SHA256 that names a row (so neither the namespace nor the key is
 * readable on disk) and k_seal is the AES-256-GCM key of the value:
 *
 *   lookup = HMAC(k_index, namespace || 0x00 || key)
 *   value  = nonce(12) || AES-256-GCM(k_seal, be32(key_len) || key || value) || tag(16)
 *            with AAD = namespace || 0x00 || lookup
 *
 * Opening checks the tag and that the key inside hashes to the lookup it
 * was read under, so a row moved to another key or namespace is refused.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_RECORD_KEY_LEN   32
#define FOYER_RECORD_INDEX_LEN 32
#define FOYER_RECORD_NONCE_LEN 12
#define FOYER_RECORD_TAG_LEN   16
#define FOYER_RECORD_OVERHEAD  (FOYER_RECORD_NONCE_LEN + 4 + FOYER_RECORD_TAG_LEN)

typedef struct _FoyerRecordCipher FoyerRecordCipher;

FoyerRecordCipher *foyer_record_cipher_new (const guint8 *device_key, gsize length);
void foyer_record_cipher_free (FoyerRecordCipher *self);

void foyer_record_cipher_lookup (FoyerRecordCipher *self,
                                 const char *ns,
                                 const char *key,
                                 guint8 out[FOYER_RECORD_INDEX_LEN]);
void foyer_record_cipher_namespace_tag (FoyerRecordCipher *self,
                                        const char *ns,
                                        guint8 out[FOYER_RECORD_INDEX_LEN]);
void foyer_record_cipher_key_check (FoyerRecordCipher *self, guint8 out[FOYER_RECORD_INDEX_LEN]);

GBytes *foyer_record_cipher_seal (FoyerRecordCipher *self,
                                  const char *ns,
                                  const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                                  const char *key,
                                  GBytes *value,
                                  GError **error);
gboolean foyer_record_cipher_open (FoyerRecordCipher *self,
                                   const char *ns,
                                   const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                                   const guint8 *sealed,
                                   gsize sealed_len,
                                   char **out_key,
                                   GBytes **out_value,
                                   GError **error);

/* For the fuzz tests only: seals arbitrary plaintext, so the parsing that
 * follows a valid tag can be exercised. */
GBytes *_foyer_record_cipher_seal_plaintext (FoyerRecordCipher *self,
                                             const char *ns,
                                             const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                                             const guint8 *plaintext,
                                             gsize length);

GBytes *foyer_secure_bytes_new (const void *data, gsize length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerRecordCipher, foyer_record_cipher_free)

G_END_DECLS
