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

void foyer_picker_dialog_set_source (FoyerPickerDialog *self, FoyerPickerSource source);

/* Opens a folder or chooses a file, as Enter or a double click would. */
void foyer_picker_dialog_activate_item (FoyerPickerDialog *self, FoyerDriveItem *item);
const char *const *foyer_picker_dialog_get_grant_emails (FoyerPickerDialog *self);

G_END_DECLS

#include "foyer-app-enums.h"
