/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The kind of a shared file as people see it (an icon and a word), from
 * its MIME type or its name: for upload tiles, the Files view and its
 * filter.
 */
#pragma once

#include <glib.h>

#include "foyer-drive-item.h"

G_BEGIN_DECLS

FoyerDriveItemKind foyer_file_kind_guess (const char *mime_type, const char *name);
const char *foyer_file_kind_icon_name (FoyerDriveItemKind kind);
/* "Document", "Spreadsheet", …, translated. */
const char *foyer_file_kind_label (FoyerDriveItemKind kind);

G_END_DECLS
