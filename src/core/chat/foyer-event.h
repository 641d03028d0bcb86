/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One event of the service's live stream, as it arrives in a WebSocket
 * frame or a page of /v1/events: outside input, checked before anything
 * acts on it. An event is a JSON object with a "type" and a "cursor"; the
 * encrypted parts it carries (message bodies, document references, space
 * titles) must have the shape of a compact JWE (foyer-jose-shape.h), so
 * that nothing malformed reaches cjose later.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Larger than any event the service sends (a message is at most 21
 * JWEs of 64 KiB). */
#define FOYER_EVENT_MAX_LENGTH (2 * 1024 * 1024)

JsonNode *foyer_event_parse (const char *data, gsize length, GError **error);
gboolean foyer_event_check (JsonNode *event, GError **error);

G_END_DECLS
