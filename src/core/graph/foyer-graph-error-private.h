/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "foyer-graph-error.h"

G_BEGIN_DECLS

/* Keeps the Retry-After (seconds) of the reply an error came from, for
 * foyer_graph_error_get_retry_after (); the request engine sets it. */
void _foyer_graph_error_set_retry_after (GError *error, guint seconds);

G_END_DECLS
