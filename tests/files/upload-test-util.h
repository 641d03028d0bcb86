/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the upload tests and benchmark share: a Graph client for a sandbox
 * user, files of known bytes, and waits on an upload's state. */
#pragma once

#include "foyer-graph-client.h"
#include "foyer-test-sandbox.h"
#include "foyer-uploader.h"

G_BEGIN_DECLS

/* A client whose authorizer mints sandbox tokens (a new one when forced). */
FoyerGraphClient *upload_test_client (FoyerTestSandbox *sandbox, const char *email);
/* The same for another description of the sandbox's cloud. */
FoyerGraphClient *
upload_test_client_in (FoyerTestSandbox *sandbox, const char *email, FoyerCloud *cloud);

/* A file of size bytes (a pattern from seed) under dir; returns its path. */
char *upload_test_make_file (const char *dir, const char *name, gsize size, guint seed);
GBytes *upload_test_file_bytes (const char *path);

/* Runs the main context until the upload reaches a final state (at most
 * 60 s), or until bytes-sent reaches at_least when that is not 0. */
void upload_test_wait_final (FoyerUpload *upload);
void upload_test_wait_sent (FoyerUpload *upload, guint64 at_least);

/* The sandbox's request log entries with this method whose path contains part. */
guint upload_test_count_requests (JsonArray *log, const char *method, const char *part);

G_END_DECLS
