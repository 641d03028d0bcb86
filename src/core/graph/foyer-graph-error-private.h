/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the Graph client alone adds to its errors.
 */
#pragma once

#include "foyer-graph-error.h"

G_BEGIN_DECLS

/* The server's Retry-After, in seconds (foyer_graph_error_get_retry_after). */
void _foyer_graph_error_set_retry_after (GError *error, guint seconds);

G_END_DECLS
