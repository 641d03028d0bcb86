/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small helpers the integration tests share (GLib only): waiting for an
 * async result on the main context, and looking for plaintext in a folder.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GAsyncResult *result;
} FoyerTestWait;

/* The GAsyncReadyCallback: keeps the result in the FoyerTestWait. */
void foyer_test_wait_cb (GObject *source, GAsyncResult *result, gpointer wait);
/* Runs the main context until the result came, or timeout_ms passed
 * (NULL). The result stays in wait until foyer_test_wait_clear (). */
GAsyncResult *foyer_test_wait_result (FoyerTestWait *wait, guint timeout_ms);
/* The same, failing the test after 30 s. */
GAsyncResult *foyer_test_wait (FoyerTestWait *wait);
void foyer_test_wait_clear (FoyerTestWait *wait);

/* A line read with g_data_input_stream_read_line_async (…,
 * foyer_test_line_cb, &line): done once it came (line NULL at the end of
 * the stream or on error). */
typedef struct
{
  char *line;
  GError *error;
  gboolean done;
} FoyerTestLine;

void foyer_test_line_cb (GObject *source, GAsyncResult *result, gpointer line);

/* Whether any file under dir (recursively, not into linked folders) holds
 * needle; says which one with g_test_message (). */
gboolean foyer_test_tree_contains (const char *dir, const char *needle);

G_END_DECLS
