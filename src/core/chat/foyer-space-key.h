/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A new key for a space after a member left (docs/service-api.md, *Key
 * rotation*): the key service makes a key on the space's resource, which
 * only the current members can fetch, and the conversation service is told
 * to have later messages sealed with it. When another member did it first,
 * the space's key is that one. Finishes with the key URI to use.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-chat-client.h"
#include "foyer-kms-client.h"

G_BEGIN_DECLS

void foyer_space_key_rotate_async (FoyerChatClient *chat,
                                   FoyerKmsClient *kms,
                                   const char *space_id,
                                   const char *resource_uri,
                                   const char *replaces,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
char *foyer_space_key_rotate_finish (GAsyncResult *result, GError **error);

G_END_DECLS
