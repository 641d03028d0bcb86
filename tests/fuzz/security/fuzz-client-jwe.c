/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the app's JWE opening (message bodies, titles and
 * document references, dir/A256GCM) and the KMS client's reading of a
 * wrapped key (ECDH-ES), both on bytes a hostile service could send.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "foyer-jwe.h"
#include "foyer-kms-client-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static cjose_jwk_t *
ephemeral (void)
{
  static cjose_jwk_t *key;
  cjose_err err = { 0 };

  if (key == NULL)
    key = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  return key;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  guint8 key[FOYER_JWE_KEY_SIZE] = { 0 };
  g_autofree char *plain = foyer_jwe_decrypt_string (key, sizeof key, text, NULL);
  g_autoptr (JsonObject) reply = json_object_new ();
  g_autoptr (FoyerKmsKey) unwrapped = NULL;

  json_object_set_string_member (reply, "uri", "kms://kms.example/keys/k1");
  json_object_set_string_member (reply, "wrappedKey", text);
  unwrapped = _foyer_kms_key_unwrap (reply, ephemeral ());
  return 0;
}
