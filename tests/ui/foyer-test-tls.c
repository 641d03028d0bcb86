/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-tls"

#include "config.h"

#include "foyer-test-tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len);
}

GTlsCertificate *
foyer_test_tls_self_signed (const char *host, GError **error)
{
  EVP_PKEY *key = EVP_EC_gen ("P-256");
  X509 *cert = X509_new ();
  X509_NAME *name;
  X509_EXTENSION *ext;
  BIO *cert_bio = BIO_new (BIO_s_mem ());
  BIO *key_bio = BIO_new (BIO_s_mem ());
  g_autofree char *san = g_strdup_printf ("IP:%s", host);
  g_autofree char *pem = NULL;
  g_autofree char *cert_pem = NULL;
  g_autofree char *key_pem = NULL;
  GTlsCertificate *result;

  g_assert (key != NULL && cert != NULL);
  X509_set_version (cert, 2);
  ASN1_INTEGER_set (X509_get_serialNumber (cert), g_random_int_range (1, G_MAXINT32));
  X509_gmtime_adj (X509_getm_notBefore (cert), -3600);
  X509_gmtime_adj (X509_getm_notAfter (cert), 24 * 3600);
  X509_set_pubkey (cert, key);
  name = X509_get_subject_name (cert);
  X509_NAME_add_entry_by_txt (name, "CN", MBSTRING_ASC, (const unsigned char *) host, -1, -1, 0);
  X509_set_issuer_name (cert, name);
  ext = X509V3_EXT_conf_nid (NULL, NULL, NID_subject_alt_name, san);
  X509_add_ext (cert, ext, -1);
  X509_EXTENSION_free (ext);
  X509_sign (cert, key, EVP_sha256 ());

  PEM_write_bio_X509 (cert_bio, cert);
  PEM_write_bio_PrivateKey (key_bio, key, NULL, NULL, 0, NULL, NULL);
  cert_pem = bio_to_string (cert_bio);
  key_pem = bio_to_string (key_bio);
  pem = g_strconcat (cert_pem, key_pem, NULL);

  BIO_free (cert_bio);
  BIO_free (key_bio);
  X509_free (cert);
  EVP_PKEY_free (key);

  result = g_tls_certificate_new_from_pem (pem, -1, error);
  return result;
}
