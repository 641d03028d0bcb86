/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "foyer-application.h"

G_BEGIN_DECLS

#define FOYER_TYPE_WINDOW (foyer_window_get_type ())
G_DECLARE_FINAL_TYPE (FoyerWindow, foyer_window, FOYER, WINDOW, AdwApplicationWindow)

FoyerWindow *foyer_window_new (FoyerApplication *application);

G_END_DECLS
