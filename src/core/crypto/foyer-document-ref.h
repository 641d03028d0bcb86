/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The plaintext inside an attachment's JWE: which Microsoft document a
 * message points at, and how the link was shared (DESIGN.md, Encrypted
 * content). Decoding validates it so a forged reference is never opened.
 */
#pragma once

#include <glib-object.h>

#include "foyer-sharing.h"

G_BEGIN_DECLS

#define FOYER_TYPE_DOCUMENT_REF (foyer_document_ref_get_type ())

typedef struct
{
  int v;
  char *provider;
  char *cloud;
  char *drive_id;
  char *item_id;
  char *title;
  char *url;
  FoyerLinkType link_type;
  FoyerLinkAudience audience;
  char *mime_type;
  gint64 size;
  char *shared_by;
} FoyerDocumentRef;

GType foyer_document_ref_get_type (void) G_GNUC_CONST;

FoyerDocumentRef *foyer_document_ref_new (void);
FoyerDocumentRef *foyer_document_ref_copy (const FoyerDocumentRef *self);
void foyer_document_ref_free (FoyerDocumentRef *self);

char *foyer_document_ref_to_json (const FoyerDocumentRef *self);
FoyerDocumentRef *foyer_document_ref_parse (const char *json, GError **error);
FoyerDocumentRef *foyer_document_ref_new_from_json (const char *json,
                                                    const char *const *allowed_host_suffixes,
                                                    GError **error);
gboolean foyer_document_ref_check_url (const char *url,
                                       const char *const *allowed_host_suffixes,
                                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerDocumentRef, foyer_document_ref_free)

G_END_DECLS
