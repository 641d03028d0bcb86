/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Starts a real foyer-service for a test: a fresh data directory, the
 * seeded people below (created with the admin CLI), `serve` on a free
 * loopback port, and waits until service.json says it is ready.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TEST_ALICE_EMAIL    "alice@contoso.example"
#define FOYER_TEST_ALICE_PASSWORD "alice-password-1"
#define FOYER_TEST_BOB_EMAIL      "bob@contoso.example"
#define FOYER_TEST_BOB_PASSWORD   "bob-password-2"
#define FOYER_TEST_CAROL_EMAIL    "carol@contoso.example"
#define FOYER_TEST_CAROL_PASSWORD "carol-password-3"

typedef struct _FoyerTestService FoyerTestService;

/* alice (administrator), bob and carol; both roles in one process. */
FoyerTestService *foyer_test_service_new (void);
/* roles: "conversation,kms", "kms"…; extra_args are added to `serve`.
 * On PostgreSQL each new service gets a database of its own, and keys are
 * made in its key folder before it starts (nodes need them given). */
FoyerTestService *foyer_test_service_new_full (const char *data_dir,
                                               const char *roles,
                                               gboolean seed_people,
                                               const char *const *extra_args,
                                               GError **error);

/* Another node of a deployment on PostgreSQL: the same database and keys,
 * a data folder of its own (nobody is seeded). */
FoyerTestService *foyer_test_service_new_node (const char *database_url,
                                               const char *key_dir,
                                               const char *const *extra_args,
                                               GError **error);

const char *foyer_test_service_get_base_url (FoyerTestService *self);
const char *foyer_test_service_get_kms_url (FoyerTestService *self);
/* The serve process, -1 when it is not running. */
int foyer_test_service_get_pid (FoyerTestService *self);
const char *foyer_test_service_get_data_dir (FoyerTestService *self);
const char *foyer_test_service_get_log_path (FoyerTestService *self);
const char *foyer_test_service_get_service_json (FoyerTestService *self);
const char *foyer_test_service_get_executable (void);
/* The PostgreSQL database the service runs on, NULL for SQLite
 * (FOYER_TEST_DATABASE=postgresql picks it; see foyer-test-pg.h). */
const char *foyer_test_service_get_database_url (FoyerTestService *self);
gboolean foyer_test_service_is_postgresql (FoyerTestService *self);
/* Runs SQL on the service's database, part "conversation" or "kms"
 * (SQLite: that file, read-only): rows of fields joined by '|'. */
char *foyer_test_service_query (FoyerTestService *self,
                                const char *part,
                                const char *sql,
                                GError **error);

gboolean foyer_test_service_run_cli (FoyerTestService *self,
                                     const char *const *args,
                                     char **out_stdout,
                                     GError **error);
gboolean foyer_test_service_add_user (FoyerTestService *self,
                                      const char *email,
                                      const char *name,
                                      const char *password,
                                      gboolean admin,
                                      GError **error);

/* SIGKILL (kill -9) and wait: a node that dies. */
gboolean foyer_test_service_kill (FoyerTestService *self);
/* SIGTERM and wait; TRUE when it exited cleanly with status 0. */
gboolean foyer_test_service_stop (FoyerTestService *self);
/* Starts serve again on the same data directory (and the same port). */
gboolean foyer_test_service_restart (FoyerTestService *self, GError **error);
void foyer_test_service_free (FoyerTestService *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerTestService, foyer_test_service_free)

G_END_DECLS
