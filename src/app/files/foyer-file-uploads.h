/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerFileUploads: files from the computer on their way into spaces. Each
 * goes to the person's OneDrive folder "Foyer Files" (core/files'
 * FoyerUploader, made for the Microsoft account's Graph client once it is
 * connected), then is shared with its space exactly like a file picked in
 * the Microsoft picker (foyer_share_document_async: the organization's
 * policy, the audience and access chosen, the invitations asked for) and
 * posted as a tile. A GListModel of FoyerFileTransfer, for the tiles above
 * the composer.
 *
 * Nothing is lost to a quit: the upload's record (its space and sharing
 * choices in its context) is sealed in the store and taken up at the next
 * connection; an upload that finished but was not shared yet keeps a
 * sealed record of its own until the message is in the outbox.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-file-transfer.h"
#include "foyer-microsoft-account.h"
#include "foyer-object-list.h"
#include "foyer-session.h"
#include "foyer-store.h"
#include "foyer-uploader.h"

G_BEGIN_DECLS

#define FOYER_STORE_NS_UPLOAD_SHARES "upload-shares"

#define FOYER_TYPE_FILE_UPLOADS (foyer_file_uploads_get_type ())
G_DECLARE_FINAL_TYPE (FoyerFileUploads, foyer_file_uploads, FOYER, FILE_UPLOADS, FoyerObjectList)

FoyerFileUploads *foyer_file_uploads_new (FoyerSession *session, FoyerMicrosoftAccount *account);
/* The encrypted store the uploads are kept in (NULL: for this run only). */
void foyer_file_uploads_set_store (FoyerFileUploads *self, FoyerStore *store);

/* Uploads file (several calls for several files) into space's person's
 * OneDrive, then shares it there. The Microsoft account must be connected. */
FoyerFileTransfer *foyer_file_uploads_add (FoyerFileUploads *self,
                                           FoyerSpaceItem *space,
                                           GFile *file,
                                           FoyerLinkType link_type,
                                           FoyerLinkAudience audience,
                                           const char *const *grant_emails);
FoyerFileTransfer *foyer_file_uploads_find (FoyerFileUploads *self, const char *id);
/* The tile's buttons: Cancel (the upload session is deleted) or, once
 * failed, Remove; and Retry. */
void foyer_file_uploads_cancel (FoyerFileUploads *self, const char *id);
void foyer_file_uploads_retry (FoyerFileUploads *self, const char *id);
/* Signing out or disconnecting Microsoft: every upload is cancelled. */
void foyer_file_uploads_cancel_all (FoyerFileUploads *self);
/* Quitting: uploads stop and are kept for the next start. */
void foyer_file_uploads_shutdown (FoyerFileUploads *self);

/* The uploader of the connected account (NULL before), e.g. for its settings. */
FoyerUploader *foyer_file_uploads_get_uploader (FoyerFileUploads *self);

G_END_DECLS
