/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-tls"

#include "foyer-test-tls.h"

#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#define VALID_DAYS 30

struct _FoyerTestTls
{
  EVP_PKEY *key;
  X509 *cert;
  char *ca_pem;
};

static void
set_openssl_error (GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "OpenSSL could not %s", what);
}

static char *
bio_to_string (BIO *bio)
{
  char *data = NULL;
  long len = BIO_get_mem_data (bio, &data);

  return g_strndup (data, len > 0 ? (gsize) len : 0);
}

static char *
cert_pem (X509 *cert)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *text;

  PEM_write_bio_X509 (bio, cert);
  text = bio_to_string (bio);
  BIO_free (bio);
  return text;
}

static char *
key_pem (EVP_PKEY *key)
{
  BIO *bio = BIO_new (BIO_s_mem ());
  char *text;

  PEM_write_bio_PrivateKey (bio, key, NULL, NULL, 0, NULL, NULL);
  text = bio_to_string (bio);
  BIO_free (bio);
  return text;
}

static gboolean
add_ext (X509 *cert, X509 *issuer, int nid, const char *value)
{
  X509V3_CTX ctx;
  X509_EXTENSION *ext;
  gboolean ok;

  X509V3_set_ctx (&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
  ext = X509V3_EXT_conf_nid (NULL, &ctx, nid, value);
  if (ext == NULL)
    return FALSE;
  ok = X509_add_ext (cert, ext, -1) == 1;
  X509_EXTENSION_free (ext);
  return ok;
}

static char *
subject_alt_names (const char *const *hosts)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    {
      g_autoptr (GInetAddress) ip = g_inet_address_new_from_string (hosts[i]);

      g_string_append_printf (out, "%s%s:%s", out->len > 0 ? "," : "", ip != NULL ? "IP" : "DNS",
                              hosts[i]);
    }
  return g_string_free (out, FALSE);
}

/* A certificate for key, signed by issuer (or self-signed when NULL). */
static X509 *
make_cert (EVP_PKEY *key,
           const char *common_name,
           X509 *issuer,
           EVP_PKEY *issuer_key,
           const char *const *hosts)
{
  X509 *cert = X509_new ();
  unsigned char serial[16];
  BIGNUM *bn;
  gboolean ok;

  RAND_bytes (serial, sizeof serial);
  serial[0] &= 0x7f;
  bn = BN_bin2bn (serial, sizeof serial, NULL);
  BN_to_ASN1_INTEGER (bn, X509_get_serialNumber (cert));
  BN_free (bn);
  X509_set_version (cert, 2);
  X509_gmtime_adj (X509_getm_notBefore (cert), -3600);
  X509_gmtime_adj (X509_getm_notAfter (cert), (long) VALID_DAYS * 86400);
  X509_set_pubkey (cert, key);
  X509_NAME_add_entry_by_txt (X509_get_subject_name (cert), "CN", MBSTRING_UTF8,
                              (const unsigned char *) common_name, -1, -1, 0);
  X509_set_issuer_name (cert, X509_get_subject_name (issuer != NULL ? issuer : cert));

  ok = add_ext (cert, issuer, NID_subject_key_identifier, "hash");
  if (issuer == NULL)
    ok = ok && add_ext (cert, issuer, NID_basic_constraints, "critical,CA:TRUE")
         && add_ext (cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
  else
    {
      g_autofree char *names = subject_alt_names (hosts);

      ok = ok && add_ext (cert, issuer, NID_authority_key_identifier, "keyid:always")
           && add_ext (cert, issuer, NID_basic_constraints, "critical,CA:FALSE")
           && add_ext (cert, issuer, NID_key_usage, "critical,digitalSignature")
           && add_ext (cert, issuer, NID_ext_key_usage, "serverAuth")
           && (*names == '\0' || add_ext (cert, issuer, NID_subject_alt_name, names));
    }
  if (!ok || X509_sign (cert, issuer_key != NULL ? issuer_key : key, EVP_sha256 ()) == 0)
    {
      X509_free (cert);
      return NULL;
    }
  return cert;
}

FoyerTestTls *
foyer_test_tls_new (const char *name, GError **error)
{
  g_autoptr (FoyerTestTls) tls = g_new0 (FoyerTestTls, 1);
  g_autofree char *common_name = g_strdup_printf ("%s test CA", name != NULL ? name : "Foyer");

  tls->key = EVP_EC_gen ("P-256");
  if (tls->key == NULL)
    {
      set_openssl_error (error, "make a key");
      return NULL;
    }
  tls->cert = make_cert (tls->key, common_name, NULL, NULL, NULL);
  if (tls->cert == NULL)
    {
      set_openssl_error (error, "make the CA certificate");
      return NULL;
    }
  tls->ca_pem = cert_pem (tls->cert);
  return g_steal_pointer (&tls);
}

void
foyer_test_tls_free (FoyerTestTls *tls)
{
  if (tls == NULL)
    return;
  EVP_PKEY_free (tls->key);
  X509_free (tls->cert);
  g_free (tls->ca_pem);
  g_free (tls);
}

GTlsCertificate *
foyer_test_tls_issue (FoyerTestTls *tls, const char *const *hosts, GError **error)
{
  EVP_PKEY *key;
  X509 *cert;
  g_autofree char *leaf = NULL;
  g_autofree char *private = NULL;
  g_autofree char *pem = NULL;

  g_return_val_if_fail (tls != NULL && hosts != NULL && hosts[0] != NULL, NULL);

  key = EVP_EC_gen ("P-256");
  cert = key != NULL ? make_cert (key, hosts[0], tls->cert, tls->key, hosts) : NULL;
  if (cert == NULL)
    {
      EVP_PKEY_free (key);
      set_openssl_error (error, "issue a server certificate");
      return NULL;
    }
  leaf = cert_pem (cert);
  private = key_pem (key);
  X509_free (cert);
  EVP_PKEY_free (key);
  /* The leaf, then its issuer: GLib builds the chain in that order. */
  pem = g_strconcat (leaf, tls->ca_pem, private, NULL);
  return g_tls_certificate_new_from_pem (pem, -1, error);
}

GTlsCertificate *
foyer_test_tls_self_signed (const char *host, GError **error)
{
  g_autoptr (FoyerTestTls) alone = foyer_test_tls_new (host, error);
  const char *const hosts[] = { host, NULL };

  /* Issued by a CA made for it and forgotten at once: nobody trusts it. */
  return alone != NULL ? foyer_test_tls_issue (alone, hosts, error) : NULL;
}

const char *
foyer_test_tls_get_ca_pem (FoyerTestTls *tls)
{
  return tls->ca_pem;
}

gboolean
foyer_test_tls_write_ca (FoyerTestTls *tls, const char *path, GError **error)
{
  return g_file_set_contents (path, tls->ca_pem, -1, error);
}

/* The default CA, for in-test servers. */

static char *default_dir;
static char *default_ca_file;

static void
remove_default_files (void)
{
  if (default_ca_file != NULL)
    g_unlink (default_ca_file);
  if (default_dir != NULL)
    g_rmdir (default_dir);
}

FoyerTestTls *
foyer_test_tls_get_default (void)
{
  static FoyerTestTls *tls;

  if (g_once_init_enter (&tls))
    {
      g_autoptr (GError) error = NULL;
      FoyerTestTls *made = foyer_test_tls_new ("in-test servers", &error);
      const char *workdir = g_getenv ("FOYER_TEST_WORKDIR");
      g_autofree char *template = g_build_filename (workdir != NULL ? workdir : g_get_tmp_dir (),
                                                    "foyer-test-ca-XXXXXX", NULL);

      g_assert_no_error (error);
      default_dir = g_mkdtemp (g_steal_pointer (&template));
      g_assert_nonnull (default_dir);
      default_ca_file = g_build_filename (default_dir, "ca.pem", NULL);
      foyer_test_tls_write_ca (made, default_ca_file, &error);
      g_assert_no_error (error);
      atexit (remove_default_files);
      g_once_init_leave (&tls, made);
    }
  return tls;
}

const char *
foyer_test_tls_get_default_ca_file (void)
{
  foyer_test_tls_get_default ();
  return default_ca_file;
}

GTlsDatabase *
foyer_test_tls_get_default_database (void)
{
  static GTlsDatabase *database;

  if (g_once_init_enter (&database))
    {
      g_autoptr (GError) error = NULL;
      GTlsDatabase *made = g_tls_file_database_new (foyer_test_tls_get_default_ca_file (), &error);

      g_assert_no_error (error);
      g_once_init_leave (&database, made);
    }
  return database;
}

GTlsCertificate *
foyer_test_tls_get_default_certificate (void)
{
  static GTlsCertificate *certificate;

  if (g_once_init_enter (&certificate))
    {
      static const char *const hosts[] = { "127.0.0.1", "localhost", NULL };
      g_autoptr (GError) error = NULL;
      GTlsCertificate *made = foyer_test_tls_issue (foyer_test_tls_get_default (), hosts, &error);

      g_assert_no_error (error);
      g_once_init_leave (&certificate, made);
    }
  return certificate;
}

/* A listener that does the TLS handshakes itself. */

struct _FoyerTestTlsListener
{
  SoupServer *server;
  GTlsCertificate *certificate;
  GSocketService *service;
  GCancellable *cancellable;
  guint pending;
  guint16 port;
};

typedef struct
{
  FoyerTestTlsListener *listener;
  GSocketConnection *connection;
} Handshake;

static void
handshake_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Handshake *h = user_data;
  g_autoptr (GError) error = NULL;

  h->listener->pending--;
  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error)
      && !g_cancellable_is_cancelled (h->listener->cancellable))
    {
      g_autoptr (GSocketAddress) local
          = g_socket_connection_get_local_address (h->connection, NULL);
      g_autoptr (GSocketAddress) remote
          = g_socket_connection_get_remote_address (h->connection, NULL);

      if (!soup_server_accept_iostream (h->listener->server, G_IO_STREAM (source), local, remote,
                                        &error))
        g_io_stream_close (G_IO_STREAM (source), NULL, NULL);
    }
  else
    g_io_stream_close (G_IO_STREAM (source), NULL, NULL);
  g_object_unref (source);
  g_object_unref (h->connection);
  g_free (h);
}

static gboolean
incoming_cb (GSocketService *service,
             GSocketConnection *connection,
             GObject *source_object,
             gpointer user_data)
{
  FoyerTestTlsListener *listener = user_data;
  g_autoptr (GError) error = NULL;
  GIOStream *tls
      = g_tls_server_connection_new (G_IO_STREAM (connection), listener->certificate, &error);
  Handshake *h;

  if (tls == NULL)
    return FALSE;
  /* As libsoup's own listener: no Nagle, or a reply written in two parts
   * waits for the peer's delayed ACK (40 ms a request). */
  g_socket_set_option (g_socket_connection_get_socket (connection), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  h = g_new0 (Handshake, 1);
  h->listener = listener;
  h->connection = g_object_ref (connection);
  listener->pending++;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    listener->cancellable, handshake_cb, h);
  return TRUE;
}

FoyerTestTlsListener *
foyer_test_tls_listen (SoupServer *server, GTlsCertificate *certificate)
{
  FoyerTestTlsListener *listener = g_new0 (FoyerTestTlsListener, 1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;

  listener->server = g_object_ref (server);
  listener->certificate = g_object_ref (certificate);
  listener->cancellable = g_cancellable_new ();
  listener->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (listener->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  listener->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (listener->service, "incoming", G_CALLBACK (incoming_cb), listener);
  g_socket_service_start (listener->service);
  return listener;
}

guint16
foyer_test_tls_listener_get_port (FoyerTestTlsListener *listener)
{
  return listener->port;
}

void
foyer_test_tls_listener_stop (FoyerTestTlsListener *listener)
{
  if (listener == NULL)
    return;
  g_socket_service_stop (listener->service);
  g_socket_listener_close (G_SOCKET_LISTENER (listener->service));
  g_signal_handlers_disconnect_by_data (listener->service, listener);
  g_cancellable_cancel (listener->cancellable);
  /* A condition, not a timer: each handshake under way reports back. */
  while (listener->pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (listener->service);
  g_object_unref (listener->cancellable);
  g_object_unref (listener->certificate);
  g_object_unref (listener->server);
  g_free (listener);
}
