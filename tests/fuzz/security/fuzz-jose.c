/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the JOSE shape check (foyer-jose-shape.c) and what
 * stands behind it. Whatever the check lets through must go through cjose
 * without an abort: a JWS is imported and verified, a dir JWE decrypted,
 * an ECDH-ES JWE decrypted with an EC key, a JWK imported; and the
 * service's bearer-token verification gets the same bytes.
 */
#include "config.h"

#include <cjose/cjose.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "foyer-jose-shape.h"
#include "foyer-jwe.h"
#include "foyer-svc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static cjose_jwk_t *
ec_key (void)
{
  static cjose_jwk_t *key;
  cjose_err err = { 0 };

  if (key == NULL)
    key = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  return key;
}

static void
try_jws (const char *text)
{
  static const char *const algs[] = { "ES256", "RS256", NULL };
  static const FoyerJoseRules rules = { FOYER_JOSE_JWS, 0, algs, NULL };
  g_autoptr (JsonObject) header = foyer_jose_check (text, &rules, NULL);
  cjose_err err = { 0 };
  cjose_jws_t *jws;
  FoyerSvcClaims claims;

  static FoyerSvcTokenKeys *ring;

  if (ring == NULL)
    ring = foyer_svc_token_keys_new_for_key (ec_key ());
  g_assert_false (foyer_svc_token_verify (ring, text, &claims, NULL));
  if (header == NULL)
    return;
  jws = cjose_jws_import (text, strlen (text), &err);
  if (jws != NULL)
    {
      cjose_jws_verify (jws, ec_key (), &err);
      cjose_jws_release (jws);
    }
}

static void
try_ecdh_jwe (const char *text)
{
  static const char *const algs[] = { "ECDH-ES", NULL };
  static const FoyerJoseRules rules = { FOYER_JOSE_JWE, 0, algs, "A256GCM" };
  g_autoptr (JsonObject) header = foyer_jose_check (text, &rules, NULL);
  cjose_err err = { 0 };
  cjose_jwe_t *jwe;
  size_t len = 0;
  guint8 *plain;

  if (header == NULL)
    return;
  jwe = cjose_jwe_import (text, strlen (text), &err);
  if (jwe == NULL)
    return;
  plain = cjose_jwe_decrypt (jwe, ec_key (), &len, &err);
  if (plain != NULL)
    cjose_get_dealloc () (plain);
  cjose_jwe_release (jwe);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  guint8 key[FOYER_JWE_KEY_SIZE] = { 0 };
  g_autoptr (GBytes) plain = NULL;

  try_jws (text);
  try_ecdh_jwe (text);
  plain = foyer_jwe_decrypt (key, sizeof key, text, NULL);
  if (foyer_jose_check_jwk_text (text, strlen (text), NULL))
    {
      cjose_err err = { 0 };
      cjose_jwk_t *jwk = cjose_jwk_import (text, strlen (text), &err);

      if (jwk != NULL)
        cjose_jwk_release (jwk);
    }
  return 0;
}
