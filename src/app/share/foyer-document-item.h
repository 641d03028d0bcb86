/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A document shared in a message: the decrypted reference (JSON), or why it
 * could not be decrypted. Validated against the person's Microsoft cloud
 * when shown, so a reference pointing anywhere else is never opened.
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
FoyerDocumentRef *
foyer_document_item_dup_ref (FoyerDocumentItem *self, FoyerCloud *cloud, GError **error);

G_END_DECLS
