/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A real PostgreSQL for a test program (Debian's postgresql package): one
 * server per program, started on first use in a folder of its own under
 * /tmp, listening on a Unix socket only, run as nobody when the test runs
 * as root (initdb refuses root), stopped and removed at exit (and killed
 * with the program if it dies: setpriv --pdeathsig). Each call of
 * foyer_test_pg_new_database () makes a fresh database.
 *
 * FOYER_TEST_DATABASE=postgresql makes foyer_test_service_new () use it.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Benchmarks: fsync on, as a real deployment (before the first use). */
void foyer_test_pg_set_durable (gboolean on);
/* Whether Debian's PostgreSQL server programs are installed. */
gboolean foyer_test_pg_available (void);
/* Whether the tests run foyer-service on PostgreSQL. */
gboolean foyer_test_pg_wanted (void);
/* A new, empty database: its URL (postgresql:///name?host=…&user=…). */
char *foyer_test_pg_new_database (GError **error);
/* The server's folder of sockets (it is started if need be). */
const char *foyer_test_pg_socket_dir (GError **error);
/* For the fault tests: stop the server (fast or immediate), start it
 * again (same data, same socket). */
gboolean foyer_test_pg_stop (gboolean immediate, GError **error);
gboolean foyer_test_pg_start (GError **error);
/* Runs SQL; each row's fields joined by '|', rows by '\n'. */
char *foyer_test_pg_query (const char *url, const char *sql, GError **error);
/* The text pg_dump makes of a database (what a backup holds). */
char *foyer_test_pg_dump (const char *url, GError **error);

G_END_DECLS
