/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer"

#include "config.h"

#include "foyer-i18n.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

/* The running program lives in the build tree when its path starts with
 * the build root; /proc/self/exe names it whatever the current folder. */
static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *root = g_canonicalize_filename (FOYER_BUILD_ROOT, NULL);

  return exe != NULL && g_str_has_prefix (exe, root) && exe[strlen (root)] == G_DIR_SEPARATOR;
}

/**
 * foyer_i18n_locale_dir:
 *
 * Returns: the folder holding `<lang>/LC_MESSAGES/foyer.mo`:
 * `$FOYER_LOCALEDIR` when set, the build tree's `po/` when Foyer runs from
 * its build tree, else the install prefix's.
 */
const char *
foyer_i18n_locale_dir (void)
{
  static gsize dir;

  if (g_once_init_enter (&dir))
    {
      const char *chosen = g_getenv ("FOYER_LOCALEDIR");

      if (chosen == NULL || chosen[0] == '\0')
        chosen = running_from_build_tree () ? FOYER_BUILD_LOCALEDIR : LOCALEDIR;
      g_once_init_leave (&dir, (gsize) g_intern_string (chosen));
    }
  return (const char *) dir;
}

/**
 * foyer_i18n_init:
 *
 * Sets the locale from the environment and binds Foyer's text domain.
 */
void
foyer_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, foyer_i18n_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
