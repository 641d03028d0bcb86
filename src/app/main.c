/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer"

#include "config.h"

#include "foyer-application.h"
#include "foyer-i18n.h"

int
main (int argc, char *argv[])
{
  g_autoptr (FoyerApplication) app = NULL;

  foyer_i18n_init ();

  app = foyer_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
