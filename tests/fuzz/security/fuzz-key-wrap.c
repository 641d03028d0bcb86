/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the KMS's Foyer-Key-Wrap header (a client's ephemeral
 * public key as base64url of a JWK), parsed as the service parses it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "foyer-svc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *value = g_strndup ((const char *) data, size);
  cjose_jwk_t *key = NULL;

  if (foyer_svc_wrap_key_parse (value, &key, NULL) && key != NULL)
    cjose_jwk_release (key);
  return 0;
}
