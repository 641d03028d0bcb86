/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An image pasted into the composer becomes a PNG file so that it can be
 * uploaded like any other: written in a private folder of the user's
 * runtime directory (a tmpfs, so the plaintext never reaches a disk; it
 * survives a restart of Foyer but not a reboot), one folder of its own per
 * image, and deleted once its upload is in OneDrive, cancelled or given up.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The folder pasted images wait in (not made). */
char *foyer_paste_dir (void);
/* Writes texture as "Pasted image <date>.png" (0600, in a 0700 folder). */
GFile *foyer_paste_file_save (GdkTexture *texture, GError **error);
/* Whether file is one of those, to be deleted once uploaded. */
gboolean foyer_paste_file_is_temporary (GFile *file);
/* Deletes a pasted image's file and its folder. */
void foyer_paste_file_delete (GFile *file);
/* Deletes every pasted image but those of keep (URIs): what a crash or a
 * forgotten upload left behind. */
void foyer_paste_file_sweep (const char *const *keep);

G_END_DECLS
