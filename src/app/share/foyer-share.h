/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sharing a OneDrive/SharePoint document into a space: the link Microsoft
 * makes for the chosen audience (with the documented fallback when the
 * tenant forbids anonymous links), access granted to the space's members
 * when that is the audience, and the encrypted reference posted.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-document-ref.h"
#include "foyer-drive-item.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"

G_BEGIN_DECLS

void foyer_share_document_async (FoyerMicrosoftAccount *account,
                                 FoyerSession *session,
                                 FoyerSpaceItem *space,
                                 FoyerDriveItem *item,
                                 FoyerLinkType link_type,
                                 FoyerLinkAudience audience,
                                 const char *const *grant_emails,
                                 const char *comment,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean foyer_share_is_document_link (FoyerMicrosoftAccount *account, const char *text);
void foyer_share_link_async (FoyerMicrosoftAccount *account,
                             FoyerSession *session,
                             FoyerSpaceItem *space,
                             const char *url,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);

/* For both: out_notice is what the person should know (a fallback), or NULL. */
gboolean foyer_share_document_finish (GAsyncResult *result, char **out_notice, GError **error);
/* After a share that succeeded: "Shared “X” with …", or NULL (a pasted link). */
char *foyer_share_document_dup_summary (GAsyncResult *result);

/* Update file sharing on a document shared with the space's members: the
 * members who cannot open it now (who joined later) are invited. */
void foyer_share_update_async (FoyerMicrosoftAccount *account,
                               FoyerSession *session,
                               FoyerSpaceItem *space,
                               const FoyerDocumentRef *ref,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
void foyer_share_check_async (FoyerMicrosoftAccount *account,
                              FoyerSession *session,
                              FoyerSpaceItem *space,
                              const FoyerDocumentRef *ref,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
GStrv foyer_share_update_finish (GAsyncResult *result, GError **error);

G_END_DECLS
