/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The login host's token-signing key, as Microsoft publishes its own: an
 * RSA key with a self-signed certificate, so the JWKS entry carries x5c
 * (the certificate) and x5t (its SHA-1 thumbprint, which is also the kid).
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <string.h>

static X509 *
self_signed (EVP_PKEY *key)
{
  X509 *cert = X509_new ();
  unsigned char serial[16];
  BIGNUM *bn;

  RAND_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert));
  BN_free (bn);
  X509_set_version (cert, 2);
  X509_gmtime_adj (X509_getm_notBefore (cert), -86400);
  X509_gmtime_adj (X509_getm_notAfter (cert), 5L * 365 * 86400);
  X509_set_pubkey (cert, key);
  X509_NAME_add_entry_by_txt (X509_get_subject_name (cert), "CN", MBSTRING_UTF8,
                              (const unsigned char *) "accounts.sandbox.foyer.example", -1, -1, 0);
  X509_set_issuer_name (cert, X509_get_subject_name (cert));
  if (X509_sign (cert, key, EVP_sha256 ()) == 0)
    g_error ("Cannot sign the token-signing certificate");
  return cert;
}

static guint8 *
bn_param (EVP_PKEY *key, const char *name, size_t *len)
{
  BIGNUM *bn = NULL;
  guint8 *out;

  if (!EVP_PKEY_get_bn_param (key, name, &bn))
    g_error ("The signing key has no %s", name);
  *len = BN_num_bytes (bn);
  out = g_malloc (*len);
  BN_bn2bin (bn, out);
  BN_free (bn);
  return out;
}

void
sandbox_keys_init (Sandbox *sb)
{
  EVP_PKEY *key = EVP_RSA_gen (2048);
  X509 *cert;
  unsigned char *der = NULL;
  int der_len;
  guint8 sha1[20];
  gsize sha1_len = sizeof sha1;
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
  cjose_jwk_rsa_keyspec spec = { 0 };
  cjose_err err;

  if (key == NULL)
    g_error ("Cannot make the token-signing key");
  cert = self_signed (key);
  der_len = i2d_X509 (cert, &der);
  if (der_len <= 0)
    g_error ("Cannot encode the token-signing certificate");
  sb->x5c = g_base64_encode (der, der_len);
  g_checksum_update (sum, der, der_len);
  g_checksum_get_digest (sum, sha1, &sha1_len);
  sb->kid = foyer_base64url_encode (sha1, sha1_len);

  spec.n = bn_param (key, OSSL_PKEY_PARAM_RSA_N, &spec.nlen);
  spec.e = bn_param (key, OSSL_PKEY_PARAM_RSA_E, &spec.elen);
  spec.d = bn_param (key, OSSL_PKEY_PARAM_RSA_D, &spec.dlen);
  spec.p = bn_param (key, OSSL_PKEY_PARAM_RSA_FACTOR1, &spec.plen);
  spec.q = bn_param (key, OSSL_PKEY_PARAM_RSA_FACTOR2, &spec.qlen);
  spec.dp = bn_param (key, OSSL_PKEY_PARAM_RSA_EXPONENT1, &spec.dplen);
  spec.dq = bn_param (key, OSSL_PKEY_PARAM_RSA_EXPONENT2, &spec.dqlen);
  spec.qi = bn_param (key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, &spec.qilen);
  sb->jwk = cjose_jwk_create_RSA_spec (&spec, &err);
  if (sb->jwk == NULL || !cjose_jwk_set_kid (sb->jwk, sb->kid, strlen (sb->kid), &err))
    g_error ("Cannot make the signing JWK: %s", err.message);

  g_free (spec.n);
  g_free (spec.e);
  g_free (spec.d);
  g_free (spec.p);
  g_free (spec.q);
  g_free (spec.dp);
  g_free (spec.dq);
  g_free (spec.qi);
  OPENSSL_free (der);
  X509_free (cert);
  EVP_PKEY_free (key);
}
