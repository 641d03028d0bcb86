/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerTlsDatabase: the system's trust anchors plus the certificate
 * authority of one cloud descriptor (its "caFile"). A certificate is
 * accepted when either trusts it for the host asked; one anchored in the
 * descriptor's CA is judged by that CA alone (a wrong host or an expired
 * certificate stays an error). Built-in clouds never make one: they use the
 * system's anchors alone.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_TLS_DATABASE (foyer_tls_database_get_type ())
G_DECLARE_FINAL_TYPE (FoyerTlsDatabase, foyer_tls_database, FOYER, TLS_DATABASE, GTlsDatabase)

/* ca_file: PEM, at least one certificate. */
GTlsDatabase *foyer_tls_database_new (const char *ca_file, GError **error);
const char *foyer_tls_database_get_ca_file (FoyerTlsDatabase *self);

/* Whether certificate (the leaf, with its chain) is one this database
 * trusts for the host of uri: the check a web view's certificate error
 * handler makes before it allows a certificate. */
gboolean
foyer_tls_database_trusts (GTlsDatabase *database, GTlsCertificate *certificate, const char *uri);

G_END_DECLS
