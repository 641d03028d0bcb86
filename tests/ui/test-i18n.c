/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Foyer run from its build tree speaks the desktop's language: the
 * catalogs come from the build, not from an install prefix that may hold
 * none (or an older Foyer's).
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "foyer-application.h"
#include "foyer-i18n.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static void
test_locale_dir_is_the_build_tree (void)
{
  g_autofree char *expected = g_build_filename (FOYER_BUILDDIR, "po", NULL);
  g_autofree char *catalog = g_build_filename (foyer_i18n_locale_dir (), "fr", "LC_MESSAGES",
                                               GETTEXT_PACKAGE ".mo", NULL);

  g_assert_cmpstr (foyer_i18n_locale_dir (), ==, expected);
  g_assert_true (g_file_test (catalog, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpstr (_ ("Sign _Out"), ==, "Se _déconnecter");
}

/* The window's own template is translated, not only strings in C. */
static void
test_window_in_french (void)
{
  g_autoptr (FoyerApplication) app = foyer_application_new ();
  FoyerWindow *window;
  GtkWidget *empty;

  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));

  empty = foyer_ui_test_child (GTK_WIDGET (window), FOYER_TYPE_WINDOW, "spaces_empty_page");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (empty)), ==,
                   "Aucun espace pour l’instant");
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "i18n-window-fr"));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char *argv[])
{
  /* A French desktop whose locale may not be generated on this machine:
   * gettext follows LANGUAGE as long as the locale is not plain "C". */
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  g_unsetenv ("FOYER_LOCALEDIR");
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "fr", TRUE);
  foyer_i18n_init ();
  foyer_ui_test_init (&argc, &argv);

  g_test_add_func ("/i18n/locale-dir", test_locale_dir_is_the_build_tree);
  g_test_add_func ("/i18n/window", test_window_in_french);
  return g_test_run ();
}
