/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the store tests. */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

/* A fresh directory under the test's private work directory. */
G_GNUC_UNUSED static char *
store_test_make_dir (const char *name)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *base = NULL;
  char *dir;

  base = work != NULL ? g_strdup (work) : g_dir_make_tmp ("foyer-store-XXXXXX", NULL);
  g_assert_nonnull (base);
  dir = g_build_filename (base, name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  return dir;
}

G_GNUC_UNUSED static gboolean
store_test_memmem (const guint8 *hay, gsize hay_len, const char *needle)
{
  gsize n = strlen (needle);

  if (n == 0 || hay_len < n)
    return FALSE;
  for (gsize i = 0; i + n <= hay_len; i++)
    if (hay[i] == (guint8) needle[0] && memcmp (hay + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

/* Counts the files under dir (recursively) whose bytes contain needle, and
 * how many files were looked at. */
G_GNUC_UNUSED static guint
store_test_scan_dir (const char *dir, const char *needle, guint *out_files)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint hits = 0;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          hits += store_test_scan_dir (path, needle, out_files);
          continue;
        }
      if (out_files != NULL)
        (*out_files)++;
      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      if (store_test_memmem ((const guint8 *) contents, length, needle))
        hits++;
    }

  return hits;
}
