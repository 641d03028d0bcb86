/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where Foyer's translations come from. An installed Foyer reads them from
 * the install prefix; a Foyer run from its build tree (the demo, the
 * tests, `meson devenv`) reads the catalogs that build made, so a change to
 * po/ shows without installing anything.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *foyer_i18n_locale_dir (void);
void foyer_i18n_init (void);

G_END_DECLS
