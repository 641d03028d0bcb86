/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What TLS costs Foyer for a given reply: the same bytes served from this
 * process over plain http and over https (a certificate from a test CA,
 * checked by a FoyerTlsDatabase as Foyer checks a sandbox's), fetched by
 * libsoup as the Graph client does, on a kept-alive connection and on a
 * new connection each time. Five rounds; each figure is printed with its
 * min / median / max over the rounds and as a ratio to plain http measured
 * in the same round.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  double warm_http_ms; /* medians over the rounds, per request */
  double warm_https_ms;
  double cold_http_ms;
  double cold_https_ms;
} FoyerBenchTls;

void foyer_bench_tls_cost (const char *label,
                           GBytes *payload,
                           const char *content_type,
                           FoyerBenchTls *out);

G_END_DECLS
