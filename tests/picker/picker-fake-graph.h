/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small OneDrive for the picker's tests, served by the Graph tests' mock
 * server (tests/graph/graph-mock-server.h): a root with folders and one file
 * of every kind, a folder of 120 generated files paged by 50, Recent (the
 * insights API), Shared (insights refused, so the deprecated fallback), a
 * followed SharePoint site with one library, permissions and thumbnails.
 * Faults are set per path prefix.
 */
#pragma once

#include "graph-mock-server.h"

G_BEGIN_DECLS

typedef struct
{
  MockServer *mock;
  GHashTable
      *faults; /* path prefix -> fault text: "429:<retry-after>:<count>", "malformed", "403" */
  guint thumbnail_delay_ms;
} FakeGraph;

FakeGraph *fake_graph_new (void);
void fake_graph_free (FakeGraph *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeGraph, fake_graph_free)

void fake_graph_set_fault (FakeGraph *fake, const char *path_prefix, const char *fault);
guint fake_graph_count (FakeGraph *fake, const char *path_prefix);
/* The arrival time (monotonic µs) of the nth request to the prefix. */
gint64 fake_graph_time (FakeGraph *fake, const char *path_prefix, guint nth);

G_END_DECLS
