/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A fresh self-signed certificate (EC P-256) for host, as a GTlsCertificate
 * with its private key: for servers that a client must refuse. */
GTlsCertificate *foyer_test_tls_self_signed (const char *host, GError **error);

G_END_DECLS
