/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSpaceFiles: every document shared in one space, newest first, as a
 * GListModel of the FoyerMessageItems that share them. Built from the
 * references the app has already decrypted (the space's message list, kept
 * up to date live) plus the space's older history, read a page at a time
 * through the session (the same requests as scrolling up: the service
 * learns nothing new). What it found is kept sealed in the encrypted store,
 * so the list is there at once next time, and offline.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-object-list.h"
#include "foyer-session.h"

G_BEGIN_DECLS

#define FOYER_STORE_NS_SPACE_FILES "space-files"

#define FOYER_TYPE_SPACE_FILES (foyer_space_files_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSpaceFiles, foyer_space_files, FOYER, SPACE_FILES, FoyerObjectList)

FoyerSpaceFiles *foyer_space_files_new (FoyerSession *session, FoyerSpaceItem *space);

FoyerSpaceItem *foyer_space_files_get_space (FoyerSpaceFiles *self);
/* Older history is being read. */
gboolean foyer_space_files_get_loading (FoyerSpaceFiles *self);
/* The whole history has been looked through. */
gboolean foyer_space_files_get_complete (FoyerSpaceFiles *self);
/* The older history could not be read (offline): it is tried again when
 * the session is back online. */
gboolean foyer_space_files_get_offline (FoyerSpaceFiles *self);

G_END_DECLS
