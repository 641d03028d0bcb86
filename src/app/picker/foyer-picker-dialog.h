/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerPickerDialog: the Microsoft file picker that *Attach file* opens.
 * It browses OneDrive and SharePoint through Microsoft Graph, shows the
 * details of the chosen file and the share options the organization allows,
 * and emits ::share with the choice. See docs/picker.md.
 */
#pragma once

#include <adwaita.h>

#include "foyer-drive-item.h"
#include "foyer-graph-client.h"
#include "foyer-picker-policy.h"
#include "foyer-thumbnail-loader.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_PICKER_SOURCE_MY_FILES,
  FOYER_PICKER_SOURCE_RECENT,
  FOYER_PICKER_SOURCE_SHARED,
  FOYER_PICKER_SOURCE_SHAREPOINT,
} FoyerPickerSource;

#define FOYER_TYPE_PICKER_DIALOG (foyer_picker_dialog_get_type ())
G_DECLARE_FINAL_TYPE (FoyerPickerDialog, foyer_picker_dialog, FOYER, PICKER_DIALOG, AdwWindow)

FoyerPickerDialog *foyer_picker_dialog_new (GtkWindow *parent,
                                            FoyerGraphClient *graph,
                                            const FoyerPickerPolicy *policy);

FoyerPickerSource foyer_picker_dialog_get_source (FoyerPickerDialog *self);
void foyer_picker_dialog_set_source (FoyerPickerDialog *self, FoyerPickerSource source);

/* What the view shows: its model after search, filter and sort. */
GListModel *foyer_picker_dialog_get_model (FoyerPickerDialog *self);
/* "list", "grid", "loading" or "status". */
const char *foyer_picker_dialog_get_state (FoyerPickerDialog *self);
/* The breadcrumbs, from the source down to the folder shown. */
char **foyer_picker_dialog_dup_path (FoyerPickerDialog *self);
/* Opens a folder or chooses a file, as Enter or a double click would. */
void foyer_picker_dialog_activate_item (FoyerPickerDialog *self, FoyerDriveItem *item);
FoyerDriveItem *foyer_picker_dialog_get_chosen (FoyerPickerDialog *self);
FoyerLinkAudience foyer_picker_dialog_get_audience (FoyerPickerDialog *self);
FoyerLinkType foyer_picker_dialog_get_link_type (FoyerPickerDialog *self);
const char *const *foyer_picker_dialog_get_members_without_access (FoyerPickerDialog *self);
const char *const *foyer_picker_dialog_get_grant_emails (FoyerPickerDialog *self);
FoyerThumbnailLoader *foyer_picker_dialog_get_thumbnail_loader (FoyerPickerDialog *self);

G_END_DECLS

#include "foyer-app-enums.h"
