/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-thumbnail"

#include "config.h"

#include "foyer-thumbnail.h"
#include "foyer-thumbnail-loader.h"

/* Finishes foyer_thumbnail_loader_load_async (): the image, or NULL and
 * error when it could not be fetched (G_IO_ERROR_CANCELLED: nobody waits
 * for it any more) or is not an image. */
GdkTexture *
foyer_thumbnail_texture_finish (GObject *loader, GAsyncResult *result, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (FOYER_IS_THUMBNAIL_LOADER (loader), NULL);

  bytes = foyer_thumbnail_loader_load_finish (FOYER_THUMBNAIL_LOADER (loader), result, error);
  if (bytes == NULL)
    return NULL;
  return gdk_texture_new_from_bytes (bytes, error);
}
