/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerUploadDialog: files from the computer (chosen, dropped or pasted)
 * before they go: which ones, and the share options the organization
 * allows, as in the Microsoft picker (FoyerShareOptions), with the access
 * check for a file that only its owner can open yet. ::upload says go.
 */
#pragma once

#include <adwaita.h>

#include "foyer-picker-policy.h"

G_BEGIN_DECLS

#define FOYER_TYPE_UPLOAD_DIALOG (foyer_upload_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FoyerUploadDialog, foyer_upload_dialog, FOYER, UPLOAD_DIALOG, AdwWindow)

/* files: GFile*; owner_email: the Microsoft account's, who alone can open
 * a new file in its OneDrive. */
FoyerUploadDialog *foyer_upload_dialog_new (GtkWindow *parent,
                                            const FoyerPickerPolicy *policy,
                                            const char *owner_email,
                                            GPtrArray *files);

/* The files to upload (GFile*): those that are files, not removed. */
GPtrArray *foyer_upload_dialog_dup_files (FoyerUploadDialog *self);
FoyerLinkType foyer_upload_dialog_get_link_type (FoyerUploadDialog *self);
FoyerLinkAudience foyer_upload_dialog_get_audience (FoyerUploadDialog *self);
const char *const *foyer_upload_dialog_get_grant_emails (FoyerUploadDialog *self);
/* Whether every file was looked at (for tests). */
gboolean foyer_upload_dialog_get_ready (FoyerUploadDialog *self);
/* The Upload and Share button (for tests). */
GtkWidget *_foyer_upload_dialog_get_share_button (FoyerUploadDialog *self);

G_END_DECLS
