/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the record unsealer. The first byte picks a mode:
 *   0: the rest is a sealed value read from disk, opened as is;
 *   1: the rest is a plaintext sealed under the right key, so the parsing
 *      behind a valid tag (key length, key, value) sees arbitrary bytes;
 *   2: the rest is XORed over a genuine record: any change must be refused.
 */
#include "config.h"

#include "foyer-record-cipher.h"
#include "foyer-store-error.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static FoyerRecordCipher *
fixed_cipher (void)
{
  static FoyerRecordCipher *cipher;

  if (cipher == NULL)
    {
      guint8 key[32];

      memset (key, 0x42, sizeof key);
      cipher = foyer_record_cipher_new (key, sizeof key);
    }

  return cipher;
}

static void
open_and_check (FoyerRecordCipher *cipher,
                const guint8 lookup[FOYER_RECORD_INDEX_LEN],
                const guint8 *sealed,
                gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) value = NULL;
  g_autofree char *key = NULL;
  guint8 again[FOYER_RECORD_INDEX_LEN];

  if (foyer_record_cipher_open (cipher, "thumbnails", lookup, sealed, len, &key, &value, &error))
    {
      /* Accepted only if the key inside is the one the row is filed under. */
      g_assert_no_error (error);
      g_assert_nonnull (value);
      foyer_record_cipher_lookup (cipher, "thumbnails", key, again);
      g_assert_cmpmem (again, sizeof again, lookup, FOYER_RECORD_INDEX_LEN);
      g_assert_cmpuint (g_bytes_get_size (value) + strlen (key) + FOYER_RECORD_OVERHEAD, ==, len);
      return;
    }
  g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED);
  g_assert_null (key);
  g_assert_null (value);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  FoyerRecordCipher *cipher = fixed_cipher ();
  guint8 lookup[FOYER_RECORD_INDEX_LEN];

  if (size == 0 || size > 1 << 20)
    return 0;

  foyer_record_cipher_lookup (cipher, "thumbnails", "k", lookup);

  switch (data[0] % 3)
    {
    case 0:
      open_and_check (cipher, lookup, data + 1, size - 1);
      break;

    case 1:
      {
        g_autoptr (GBytes) sealed = _foyer_record_cipher_seal_plaintext (
            cipher, "thumbnails", lookup, data + 1, size - 1);

        g_assert_nonnull (sealed);
        open_and_check (cipher, lookup, g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
      }
      break;

    default:
      {
        g_autoptr (GBytes) value = g_bytes_new_static ("a thumbnail", 11);
        g_autoptr (GBytes) sealed
            = foyer_record_cipher_seal (cipher, "thumbnails", lookup, "k", value, NULL);
        gsize len = g_bytes_get_size (sealed);
        gsize mask_len = size - 1;
        gsize total = MAX (len, mask_len);
        g_autofree guint8 *copy = g_malloc0 (total);
        g_autoptr (GError) error = NULL;
        gboolean changed = mask_len > len;

        /* The mask flips bytes of the record; bytes beyond it are appended. */
        memcpy (copy, g_bytes_get_data (sealed, NULL), len);
        for (gsize i = 0; i < mask_len; i++)
          {
            copy[i] ^= data[i + 1];
            changed = changed || (i < len && data[i + 1] != 0);
          }

        if (changed)
          {
            g_assert_false (foyer_record_cipher_open (cipher, "thumbnails", lookup, copy, total,
                                                      NULL, NULL, &error));
            g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED);
          }
        else
          {
            g_assert_true (foyer_record_cipher_open (cipher, "thumbnails", lookup, copy, len, NULL,
                                                     NULL, NULL));
          }
      }
      break;
    }

  return 0;
}
