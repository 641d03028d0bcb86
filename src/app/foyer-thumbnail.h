/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A thumbnail FoyerThumbnailLoader fetched, as the texture a widget shows:
 * one place that reads the loader's answer and decodes it, for the
 * picker's tiles and details, the message's document tile and the Files
 * view.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GdkTexture *foyer_thumbnail_texture_finish (GObject *loader, GAsyncResult *result, GError **error);

G_END_DECLS
