/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-file-kind.h"

FoyerDriveItemKind
foyer_file_kind_guess (const char *mime_type, const char *name)
{
  return foyer_drive_item_kind_guess (mime_type, name);
}

const char *
foyer_file_kind_icon_name (FoyerDriveItemKind kind)
{
  switch (kind)
    {
    case FOYER_DRIVE_ITEM_KIND_DOCUMENT:
      return "x-office-document-symbolic";
    case FOYER_DRIVE_ITEM_KIND_SPREADSHEET:
      return "x-office-spreadsheet-symbolic";
    case FOYER_DRIVE_ITEM_KIND_PRESENTATION:
      return "x-office-presentation-symbolic";
    case FOYER_DRIVE_ITEM_KIND_PDF:
      return "x-office-document-symbolic";
    case FOYER_DRIVE_ITEM_KIND_IMAGE:
      return "image-x-generic-symbolic";
    case FOYER_DRIVE_ITEM_KIND_TEXT:
      return "text-x-generic-symbolic";
    case FOYER_DRIVE_ITEM_KIND_ARCHIVE:
      return "package-x-generic-symbolic";
    case FOYER_DRIVE_ITEM_KIND_FOLDER:
      return "folder-symbolic";
    case FOYER_DRIVE_ITEM_KIND_OTHER:
    default:
      return "text-x-generic-symbolic";
    }
}

const char *
foyer_file_kind_label (FoyerDriveItemKind kind)
{
  switch (kind)
    {
    case FOYER_DRIVE_ITEM_KIND_DOCUMENT:
      return _ ("Document");
    case FOYER_DRIVE_ITEM_KIND_SPREADSHEET:
      return _ ("Spreadsheet");
    case FOYER_DRIVE_ITEM_KIND_PRESENTATION:
      return _ ("Presentation");
    case FOYER_DRIVE_ITEM_KIND_PDF:
      return _ ("PDF");
    case FOYER_DRIVE_ITEM_KIND_IMAGE:
      return _ ("Image");
    case FOYER_DRIVE_ITEM_KIND_TEXT:
      return _ ("Text");
    case FOYER_DRIVE_ITEM_KIND_ARCHIVE:
      return _ ("Archive");
    case FOYER_DRIVE_ITEM_KIND_FOLDER:
      return _ ("Folder");
    case FOYER_DRIVE_ITEM_KIND_OTHER:
    default:
      return _ ("File");
    }
}
