/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * For the tile tests and the tile benchmark: the app's Microsoft account
 * connected to foyer-ms-sandbox as Alice (the organization's policy set
 * directly, single sign-on in the sandbox), references to many documents
 * of her Big folder, and a window full of FoyerDocumentTiles.
 */
#pragma once

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-document-tile.h"
#include "foyer-store.h"
#include "foyer-test-sandbox.h"

G_BEGIN_DECLS

/* Starts the sandbox with extra_args, opens a store under the test's work
 * directory for the account's thumbnails (if store_out is not NULL) and
 * connects the application's Microsoft account. */
FoyerTestSandbox *foyer_test_tiles_connect (FoyerApplication *app,
                                            const char *const *extra_args,
                                            FoyerStore **store_out);

/* n document references (JSON) for items of Alice's Big folder, shared
 * with their own address; no two alike. */
GPtrArray *foyer_test_tiles_make_refs (FoyerApplication *app, guint n);

/* A window with one tile per reference, each given the application's
 * Microsoft account and its document at once; the tiles are added to
 * tiles_out. */
GtkWindow *foyer_test_tiles_show (FoyerApplication *app, GPtrArray *refs, GPtrArray *tiles_out);

guint foyer_test_tiles_count_thumbnails (GPtrArray *tiles);
/* Tiles that are done: a thumbnail, or a status saying why not. */
guint foyer_test_tiles_count_done (GPtrArray *tiles);

G_END_DECLS
