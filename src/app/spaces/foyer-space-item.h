/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One space as the sidebar shows it: its decrypted title (or why it could
 * not be decrypted), when it was last active and how many messages are
 * unread, and a preview of the newest message. It also owns the space's FoyerMessageList and composer draft.
 */
#pragma once

#include <glib-object.h>

#include "foyer-message-list.h"

G_BEGIN_DECLS

#define FOYER_TYPE_SPACE_ITEM (foyer_space_item_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSpaceItem, foyer_space_item, FOYER, SPACE_ITEM, GObject)

FoyerSpaceItem *foyer_space_item_new (const char *id);

const char *foyer_space_item_get_id (FoyerSpaceItem *self);
const char *foyer_space_item_get_title (FoyerSpaceItem *self);
void foyer_space_item_set_title (FoyerSpaceItem *self, const char *title);
gboolean foyer_space_item_get_title_unavailable (FoyerSpaceItem *self);
void foyer_space_item_set_title_unavailable (FoyerSpaceItem *self, gboolean unavailable);
GDateTime *foyer_space_item_get_last_activity (FoyerSpaceItem *self);
void foyer_space_item_set_last_activity (FoyerSpaceItem *self, GDateTime *when);
guint foyer_space_item_get_unread_count (FoyerSpaceItem *self);
void foyer_space_item_set_unread_count (FoyerSpaceItem *self, guint count);
const char *foyer_space_item_get_draft (FoyerSpaceItem *self);
void foyer_space_item_set_draft (FoyerSpaceItem *self, const char *draft);
const char *foyer_space_item_get_last_message (FoyerSpaceItem *self);
void foyer_space_item_set_last_message (FoyerSpaceItem *self, const char *preview);
gboolean foyer_space_item_get_history_loaded (FoyerSpaceItem *self);
void foyer_space_item_set_history_loaded (FoyerSpaceItem *self, gboolean loaded);
FoyerMessageList *foyer_space_item_get_messages (FoyerSpaceItem *self);

int foyer_space_item_compare_activity (gconstpointer a, gconstpointer b, gpointer user_data);

G_END_DECLS
