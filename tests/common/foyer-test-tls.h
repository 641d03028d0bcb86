/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A throwaway certificate authority for local test servers (OpenSSL's
 * libcrypto): the sandbox and the mock servers serve https with server
 * certificates it issues, and clients trust its ca.pem only.
 *
 *   g_autoptr (FoyerTestTls) ca = foyer_test_tls_new ("mock Graph", &error);
 *   g_autoptr (GTlsCertificate) cert = foyer_test_tls_issue (ca, hosts, &error);
 *   g_object_set (server, "tls-certificate", cert, NULL);
 *   foyer_test_tls_write_ca (ca, "/tmp/x/ca.pem", &error);
 *
 * Keys are ECDSA P-256 (fast to make); certificates last 30 days and start
 * an hour in the past, so a client's clock may be a little behind.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _FoyerTestTls FoyerTestTls;

FoyerTestTls *foyer_test_tls_new (const char *name, GError **error);
void foyer_test_tls_free (FoyerTestTls *tls);

/* A server certificate (with its key and the CA in its chain) for hosts:
 * IP addresses become iPAddress names, the others dNSName. */
GTlsCertificate *foyer_test_tls_issue (FoyerTestTls *tls, const char *const *hosts, GError **error);

/* A fresh self-signed server certificate for host, trusted by no one:
 * for servers that a client must refuse. */
GTlsCertificate *foyer_test_tls_self_signed (const char *host, GError **error);

/* The CA certificate, PEM. */
const char *foyer_test_tls_get_ca_pem (FoyerTestTls *tls);
gboolean foyer_test_tls_write_ca (FoyerTestTls *tls, const char *path, GError **error);

/* A process-wide CA for in-test servers, its ca.pem written once in a
 * temporary folder (removed at exit), and a database that trusts it alone. */
FoyerTestTls *foyer_test_tls_get_default (void);
const char *foyer_test_tls_get_default_ca_file (void);
GTlsDatabase *foyer_test_tls_get_default_database (void);
/* A certificate for 127.0.0.1 and localhost from the default CA. */
GTlsCertificate *foyer_test_tls_get_default_certificate (void);

/* https for a SoupServer whose client runs in the same process. libsoup's
 * own https listener closes a connection synchronously, and a handshake
 * still waiting for that client's first bytes then waits for the main
 * loop the close is blocking: a deadlock. This listener does the
 * handshakes itself, cancellably, and hands finished connections to the
 * server; _stop () cancels those under way and waits for them (on the
 * default main context) before the server may be disconnected. The cost:
 * libsoup keeps no such connection alive, so every request has a handshake
 * of its own (fine for tests, not for benchmarks). */
typedef struct _FoyerTestTlsListener FoyerTestTlsListener;

FoyerTestTlsListener *foyer_test_tls_listen (SoupServer *server, GTlsCertificate *certificate);
/* On 127.0.0.1. */
guint16 foyer_test_tls_listener_get_port (FoyerTestTlsListener *listener);
void foyer_test_tls_listener_stop (FoyerTestTlsListener *listener);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerTestTls, foyer_test_tls_free)

G_END_DECLS
