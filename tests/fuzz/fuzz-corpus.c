/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-corpus.h"

GPtrArray *
fuzz_load_corpus (const char *dir_path)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_ptr_array_add (corpus, g_bytes_new_take (g_steal_pointer (&contents), length));
    }
  return corpus;
}
