/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "foyer-document-tile.h"
#include "foyer-message-item.h"

G_BEGIN_DECLS

#define FOYER_TYPE_MESSAGE_ROW (foyer_message_row_get_type ())
G_DECLARE_FINAL_TYPE (FoyerMessageRow, foyer_message_row, FOYER, MESSAGE_ROW, GtkWidget)

FoyerMessageRow *foyer_message_row_new (void);
void foyer_message_row_set_item (FoyerMessageRow *self, FoyerMessageItem *item);
void foyer_message_row_set_account (FoyerMessageRow *self, FoyerMicrosoftAccount *account);
GtkListItemFactory *foyer_message_row_factory_new (FoyerMicrosoftAccount *account);

G_END_DECLS
