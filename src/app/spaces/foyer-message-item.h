/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One message as the message view shows it: already decrypted (or marked
 * as not decryptable), with the layout flags that FoyerMessageList keeps up
 * to date as neighbours arrive.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  FOYER_MESSAGE_STATE_SENT,
  FOYER_MESSAGE_STATE_PENDING,
  FOYER_MESSAGE_STATE_FAILED,
  FOYER_MESSAGE_STATE_UNDECRYPTABLE,
} FoyerMessageState;

#define FOYER_TYPE_MESSAGE_ITEM (foyer_message_item_get_type ())
G_DECLARE_FINAL_TYPE (FoyerMessageItem, foyer_message_item, FOYER, MESSAGE_ITEM, GObject)

FoyerMessageItem *foyer_message_item_new (const char *id,
                                          gint64 seq,
                                          const char *author_id,
                                          const char *author_name,
                                          GDateTime *created,
                                          const char *body,
                                          FoyerMessageState state);

const char *foyer_message_item_get_id (FoyerMessageItem *self);
void foyer_message_item_set_id (FoyerMessageItem *self, const char *id);
gint64 foyer_message_item_get_seq (FoyerMessageItem *self);
void foyer_message_item_set_seq (FoyerMessageItem *self, gint64 seq);
const char *foyer_message_item_get_author_id (FoyerMessageItem *self);
const char *foyer_message_item_get_author_name (FoyerMessageItem *self);
GDateTime *foyer_message_item_get_created (FoyerMessageItem *self);
const char *foyer_message_item_get_body (FoyerMessageItem *self);
FoyerMessageState foyer_message_item_get_state (FoyerMessageItem *self);
void foyer_message_item_set_state (FoyerMessageItem *self, FoyerMessageState state);
const char *foyer_message_item_get_error (FoyerMessageItem *self);
void foyer_message_item_set_error (FoyerMessageItem *self, const char *error);
gboolean foyer_message_item_get_show_header (FoyerMessageItem *self);
void foyer_message_item_set_show_header (FoyerMessageItem *self, gboolean show);
gboolean foyer_message_item_get_show_day (FoyerMessageItem *self);
void foyer_message_item_set_show_day (FoyerMessageItem *self, gboolean show);
gboolean foyer_message_item_get_show_unread_marker (FoyerMessageItem *self);
void foyer_message_item_set_show_unread_marker (FoyerMessageItem *self, gboolean show);
void foyer_message_item_set_from_me (FoyerMessageItem *self, gboolean from_me);
GObject *foyer_message_item_get_attachment (FoyerMessageItem *self);
void foyer_message_item_set_attachment (FoyerMessageItem *self, GObject *attachment);
guint foyer_message_item_get_shown_parts (FoyerMessageItem *self);
void foyer_message_item_set_shown_parts (FoyerMessageItem *self, guint parts);

G_END_DECLS

#include "foyer-app-enums.h"
