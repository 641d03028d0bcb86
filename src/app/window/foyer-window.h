/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-space-item.h"

G_BEGIN_DECLS

#define FOYER_TYPE_WINDOW (foyer_window_get_type ())
G_DECLARE_FINAL_TYPE (FoyerWindow, foyer_window, FOYER, WINDOW, AdwApplicationWindow)

FoyerWindow *foyer_window_new (FoyerApplication *application);
void foyer_window_set_spaces (FoyerWindow *self, GListModel *spaces);
void foyer_window_open_space (FoyerWindow *self, FoyerSpaceItem *space);
FoyerSpaceItem *foyer_window_get_current_space (FoyerWindow *self);
void foyer_window_show_toast (FoyerWindow *self, const char *message);
void foyer_window_set_reconnect_reason (FoyerWindow *self, const char *reason);
void foyer_window_set_offline (FoyerWindow *self, gboolean offline);
void foyer_window_show_document (FoyerWindow *self, GtkWidget *view);
void foyer_window_close_document (FoyerWindow *self);
gboolean foyer_window_get_document_shown (FoyerWindow *self);

G_END_DECLS
