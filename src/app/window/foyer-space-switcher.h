/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Jump to a Space (Ctrl+K): a small dialog over the window with a search
 * entry and the spaces whose title holds what is typed, most recently
 * active first. Up and Down choose, Enter (or a click) opens the space
 * through its window's win.open-space, Escape closes.
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FOYER_TYPE_SPACE_SWITCHER (foyer_space_switcher_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSpaceSwitcher, foyer_space_switcher, FOYER, SPACE_SWITCHER, AdwWindow)

/* spaces: a GListModel of FoyerSpaceItems, in the order to offer them. */
FoyerSpaceSwitcher *foyer_space_switcher_new (GtkWindow *parent, GListModel *spaces);
/* What the switcher offers now (for tests). */
GListModel *foyer_space_switcher_get_matches (FoyerSpaceSwitcher *self);

G_END_DECLS
