/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the service benchmarks share: WebSocket listeners read from raw
 * sockets, posting, and the arithmetic of the figures.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BenchListener BenchListener;

/* Called for each data frame a listener receives (the payload is not
 * inflated: compressed is TRUE when RSV1 is set). */
typedef void (*BenchFrameFunc) (BenchListener *listener,
                                const guint8 *payload,
                                gsize length,
                                gboolean compressed,
                                gpointer user_data);

struct _BenchListener
{
  int fd;
  GByteArray *buffer;
  guint frames;
};

BenchListener *bench_listener_new (int fd);
/* Reads what has arrived (the fd is non-blocking); FALSE once closed. */
gboolean bench_listener_read (BenchListener *self, BenchFrameFunc func, gpointer user_data);
void bench_listener_free (BenchListener *self);

/* POST body to path on a kept-alive connection; the status, or -1. */
int bench_post (int fd, const char *path, const char *token, const char *body);

int bench_compare_double (gconstpointer a, gconstpointer b);
/* p in [0, 1] of values sorted in place. */
double bench_percentile (GArray *values, double p);
void bench_min_median_max (GArray *values, double out[3]);

G_END_DECLS
