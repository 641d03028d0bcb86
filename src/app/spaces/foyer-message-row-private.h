/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For tests: what the message row shows, and its buttons. */
#pragma once

#include "foyer-message-row.h"

G_BEGIN_DECLS

GtkWidget *_foyer_message_row_get_retry_button (FoyerMessageRow *self);
FoyerMessageItem *_foyer_message_row_get_item (FoyerMessageRow *self);

G_END_DECLS
