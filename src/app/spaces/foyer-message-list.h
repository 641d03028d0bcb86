/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The messages of one space, oldest first, as a GListModel: sent messages in
 * server order (seq), then the ones still waiting to be sent. Adding a
 * message the list already has does nothing, so live events, catch-up and
 * history pages can overlap freely. It keeps each item's grouping flags
 * (author header, day separator, "new messages" marker) right.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-message-item.h"

G_BEGIN_DECLS

#define FOYER_TYPE_MESSAGE_LIST (foyer_message_list_get_type ())
G_DECLARE_FINAL_TYPE (FoyerMessageList, foyer_message_list, FOYER, MESSAGE_LIST, GObject)

FoyerMessageList *foyer_message_list_new (void);
gboolean foyer_message_list_add (FoyerMessageList *self, FoyerMessageItem *item);
guint foyer_message_list_add_many (FoyerMessageList *self, GPtrArray *items);
FoyerMessageItem *foyer_message_list_find (FoyerMessageList *self, const char *id);
gboolean foyer_message_list_confirm (FoyerMessageList *self,
                                     const char *pending_id,
                                     const char *id,
                                     gint64 seq);
gboolean foyer_message_list_remove (FoyerMessageList *self, const char *id);
gboolean foyer_message_list_rename (FoyerMessageList *self, const char *id, const char *new_id);
gint64 foyer_message_list_get_oldest_seq (FoyerMessageList *self);
gint64 foyer_message_list_get_newest_seq (FoyerMessageList *self);
/* seq 0: nothing was read yet; -1 (the initial value): no marker. */
void foyer_message_list_set_last_read_seq (FoyerMessageList *self,
                                           gint64 seq,
                                           const char *own_author_id);

G_END_DECLS
