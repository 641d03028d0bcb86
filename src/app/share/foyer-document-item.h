/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A document shared in a message: its reference, read and checked once
 * when the message is decrypted (or why it is unavailable). Where its
 * address points is checked against the person's Microsoft cloud each time
 * it is shown, so a reference pointing anywhere else is never opened.
 */
#pragma once

#include <glib-object.h>

#include "foyer-cloud.h"
#include "foyer-document-ref.h"

G_BEGIN_DECLS

#define FOYER_TYPE_DOCUMENT_ITEM (foyer_document_item_get_type ())
G_DECLARE_FINAL_TYPE (FoyerDocumentItem, foyer_document_item, FOYER, DOCUMENT_ITEM, GObject)

FoyerDocumentItem *foyer_document_item_new (const char *json);
FoyerDocumentItem *foyer_document_item_new_unavailable (const char *reason);
const char *foyer_document_item_get_json (FoyerDocumentItem *self);
const char *foyer_document_item_get_reason (FoyerDocumentItem *self);
const FoyerDocumentRef *foyer_document_item_get_ref (FoyerDocumentItem *self);
const FoyerDocumentRef *
foyer_document_item_check (FoyerDocumentItem *self, FoyerCloud *cloud, GError **error);

void foyer_document_item_set_sharing (FoyerDocumentItem *self,
                                      gboolean busy,
                                      const char *status,
                                      gboolean failed);
gboolean foyer_document_item_get_sharing_busy (FoyerDocumentItem *self);
gboolean foyer_document_item_get_sharing_failed (FoyerDocumentItem *self);
const char *foyer_document_item_get_sharing_status (FoyerDocumentItem *self);
void foyer_document_item_set_access (FoyerDocumentItem *self,
                                     gboolean needs_update,
                                     const char *checked_members);
gboolean foyer_document_item_get_needs_update (FoyerDocumentItem *self);
const char *foyer_document_item_get_checked_members (FoyerDocumentItem *self);

G_END_DECLS
