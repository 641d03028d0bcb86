/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The live events of foyer-service: a WebSocket that reconnects with
 * exponential backoff and jitter, and after each (re)connection catches up
 * over HTTP from the last cursor it delivered, so that every event is
 * emitted once and in cursor order.
 */
#pragma once

#include "foyer-chat-client.h"

G_BEGIN_DECLS

#define FOYER_TYPE_EVENT_STREAM (foyer_event_stream_get_type ())
G_DECLARE_FINAL_TYPE (FoyerEventStream, foyer_event_stream, FOYER, EVENT_STREAM, GObject)

FoyerEventStream *foyer_event_stream_new (FoyerChatClient *client);

/* after < 0 starts from now; otherwise from that cursor (exclusive). */
void foyer_event_stream_start (FoyerEventStream *self, gint64 after);
void foyer_event_stream_stop (FoyerEventStream *self);
gboolean foyer_event_stream_get_connected (FoyerEventStream *self);
gint64 foyer_event_stream_get_cursor (FoyerEventStream *self);
gboolean foyer_event_stream_get_needs_sign_in (FoyerEventStream *self);
void foyer_event_stream_set_backoff (FoyerEventStream *self, guint initial_ms, guint max_ms);
guint foyer_event_stream_get_reconnect_count (FoyerEventStream *self);

G_END_DECLS
