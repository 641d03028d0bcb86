/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * When to ask a busy server again, for every client in core (the token
 * endpoint, Graph, the event stream): the wait its Retry-After header asks
 * for, else an exponential backoff with jitter. Waiting itself is the
 * caller's, on its main loop.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The wait before retry number attempt (0-based): base_ms doubled per
 * attempt, at most max_ms, less up to a fifth at random so that clients
 * turned away together do not come back together. */
guint foyer_retry_backoff_ms (guint base_ms, guint max_ms, guint attempt);

/* A Retry-After value: a number of seconds or an HTTP date (RFC 9110), a
 * date in the past meaning now. now is for tests (NULL: the clock). */
gboolean foyer_retry_parse_after (const char *value, GDateTime *now, guint *out_seconds);

G_END_DECLS
