/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Messages written while offline wait here, keyed by their clientMessageId,
 * and are posted in order when the service can be reached again. The
 * service makes a retried post idempotent, so a message is stored once
 * even when a reply was lost. foyer_outbox_dump () and _restore () let the
 * app keep the queue in its encrypted store between runs.
 */
#pragma once

#include "foyer-chat-client.h"
#include "foyer-event-stream.h"

G_BEGIN_DECLS

#define FOYER_TYPE_OUTBOX (foyer_outbox_get_type ())
G_DECLARE_FINAL_TYPE (FoyerOutbox, foyer_outbox, FOYER, OUTBOX, GObject)

FoyerOutbox *foyer_outbox_new (FoyerChatClient *client);

/* Returns the clientMessageId of the queued message. */
char *foyer_outbox_post (FoyerOutbox *self,
                         const char *space_id,
                         const char *key_uri,
                         const char *body_jwe,
                         const char *const *attachment_refs);
void foyer_outbox_flush (FoyerOutbox *self);
guint foyer_outbox_get_pending_count (FoyerOutbox *self);
void foyer_outbox_set_retry_delay (FoyerOutbox *self, guint initial_ms, guint max_ms);
/* After max_attempts failed tries (network or server errors), a message
 * and those queued behind it fail and are held; 0 (the default) retries
 * until the service answers. */
void foyer_outbox_set_max_attempts (FoyerOutbox *self, guint max_attempts);
gboolean foyer_outbox_retry (FoyerOutbox *self, const char *client_message_id);
gboolean foyer_outbox_discard (FoyerOutbox *self, const char *client_message_id);
void foyer_outbox_watch_stream (FoyerOutbox *self, FoyerEventStream *stream);

JsonNode *foyer_outbox_dump (FoyerOutbox *self);
gboolean foyer_outbox_restore (FoyerOutbox *self, JsonNode *dump);

G_END_DECLS
