/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The store is two files: foyer-store.c is the database and its
 * synchronous calls; foyer-store-async.c queues the _async calls, in call
 * order, on the store's one worker thread, which runs the synchronous
 * ones.
 */
#pragma once

#include "foyer-store.h"

G_BEGIN_DECLS

/* The worker thread's function (the pool's), and the pool. */
void _foyer_store_worker_run (gpointer task, gpointer user_data);
GThreadPool *_foyer_store_get_worker (FoyerStore *self);

G_END_DECLS
