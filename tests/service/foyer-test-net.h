/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Raw sockets for the service's HTTP-layer tests and benchmarks: they must
 * open, half-close, reset and stall connections as no HTTP library would,
 * and look at the service process from outside (descriptors, memory).
 * Blocking sockets, loopback, numeric addresses only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A TCP connection to host:port; from source (e.g. "127.0.0.2") if given.
 * -1 with error when it fails. */
int foyer_test_net_dial (const char *source, const char *host, guint16 port, GError **error);
gboolean foyer_test_net_send (int fd, const void *data, gsize length);
gboolean foyer_test_net_send_string (int fd, const char *text);
/* Reads one response (headers and a Content-Length body); returns its
 * status, or -1 when the connection ends or timeout_ms passes first. */
int foyer_test_net_read_response (int fd, GString *body, int timeout_ms);
/* A request with a body (may be NULL) and its Content-Length. */
char *foyer_test_net_request (const char *method,
                              const char *path,
                              const char *token,
                              const char *body,
                              gsize length,
                              gboolean keep_alive);
/* The WebSocket handshake on /v1/events; the fd after the 101 (its
 * remaining bytes untouched), or -1. */
int foyer_test_net_ws_open (const char *source,
                            const char *host,
                            guint16 port,
                            const char *token,
                            gboolean deflate,
                            GError **error);
/* A client frame (masked). */
gboolean foyer_test_net_ws_send (int fd, guint8 first_byte, const void *payload, gsize length);
/* Closes with a reset (SO_LINGER 0). */
void foyer_test_net_reset (int fd);
/* TRUE once the peer has closed (EOF or reset) within timeout_ms; data
 * that arrives first is read and dropped. */
gboolean foyer_test_net_wait_closed (int fd, int timeout_ms);

guint foyer_test_net_count_fds (int pid);
gsize foyer_test_net_rss_kib (int pid);
/* User + system CPU time of the process, in seconds. */
double foyer_test_net_cpu_seconds (int pid);
/* Splits "http://127.0.0.1:1234" into host and port. */
gboolean foyer_test_net_parse_url (const char *url, char **host, guint16 *port);

G_END_DECLS
