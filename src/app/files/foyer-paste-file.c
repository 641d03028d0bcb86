/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "foyer-paste-file.h"

char *
foyer_paste_dir (void)
{
  const char *flatpak_id = g_getenv ("FLATPAK_ID");

  /* In a Flatpak only the app's own folder of the runtime directory is
   * kept from one run of the app to the next. */
  if (flatpak_id != NULL && *flatpak_id != '\0')
    return g_build_filename (g_get_user_runtime_dir (), "app", flatpak_id, "pasted", NULL);
  return g_build_filename (g_get_user_runtime_dir (), APP_ID, "pasted", NULL);
}

GFile *
foyer_paste_file_save (GdkTexture *texture, GError **error)
{
  g_autofree char *dir = foyer_paste_dir ();
  g_autofree char *folder = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H.%M.%S");
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GBytes) png = NULL;

  g_return_val_if_fail (GDK_IS_TEXTURE (texture), NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0 || g_chmod (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not keep the pasted image for its upload: %s"), g_strerror (saved));
      return NULL;
    }
  folder = g_build_filename (dir, "XXXXXX", NULL);
  if (g_mkdtemp_full (folder, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not keep the pasted image for its upload: %s"), g_strerror (saved));
      return NULL;
    }
  /* Translators: the name a pasted image gets in OneDrive; %s is the date
   * and time, as 2026-12-05 14.03.22. */
  name = g_strdup_printf (_ ("Pasted image %s.png"), when);
  path = g_build_filename (folder, name, NULL);
  png = gdk_texture_save_to_png_bytes (texture);
  if (!g_file_set_contents_full (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png),
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_rmdir (folder);
      return NULL;
    }
  return g_file_new_for_path (path);
}

/* dir/<folder>/<name>: a pasted image's place. */
gboolean
foyer_paste_file_is_temporary (GFile *file)
{
  g_autofree char *dir = foyer_paste_dir ();
  g_autoptr (GFile) root = g_file_new_for_path (dir);
  g_autoptr (GFile) folder = file != NULL ? g_file_get_parent (file) : NULL;
  g_autoptr (GFile) parent = folder != NULL ? g_file_get_parent (folder) : NULL;

  return parent != NULL && g_file_equal (parent, root);
}

void
foyer_paste_file_delete (GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *folder = NULL;

  if (!foyer_paste_file_is_temporary (file))
    return;
  path = g_file_get_path (file);
  folder = g_path_get_dirname (path);
  if (g_unlink (path) != 0 && errno != ENOENT)
    g_warning ("Could not delete a pasted image: %s", g_strerror (errno));
  g_rmdir (folder);
}

void
foyer_paste_file_sweep (const char *const *keep)
{
  g_autofree char *dir = foyer_paste_dir ();
  g_autoptr (GDir) folders = g_dir_open (dir, 0, NULL);
  const char *folder_name;

  while (folders != NULL && (folder_name = g_dir_read_name (folders)) != NULL)
    {
      g_autofree char *folder = g_build_filename (dir, folder_name, NULL);
      g_autoptr (GDir) files = g_dir_open (folder, 0, NULL);
      const char *name;

      while (files != NULL && (name = g_dir_read_name (files)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, name, NULL);
          g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

          if (keep == NULL || uri == NULL || !g_strv_contains (keep, uri))
            g_unlink (path);
        }
      g_rmdir (folder);
    }
}
