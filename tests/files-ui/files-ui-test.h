/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the UI tests of files and search share: foyer-ms-sandbox and
 * foyer-service on loopback, the organization's policy enabling Microsoft,
 * and Alice in the app's real window (with the application's session,
 * Microsoft account and uploads, on a store of her own), signed in to Foyer
 * and to Microsoft (single sign-on), in a space with Bob.
 */
#pragma once

#include <adwaita.h>

#include "files/foyer-file-uploads.h"
#include "foyer-application.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-store.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"
#include "foyer-window.h"

G_BEGIN_DECLS

typedef struct
{
  FoyerTestSandbox *sandbox;
  FoyerTestService *service;
  FoyerApplication *app;
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  FoyerFileUploads *uploads;
  FoyerStore *store;
  FoyerWindow *window;
  FoyerSpaceItem *space;
} FilesUi;

void files_ui_start (FilesUi *f, FoyerApplication *app, const char *space_title);
void files_ui_stop (FilesUi *f);
/* A quit of the app mid-way, and its start again on the same folders. */
void files_ui_quit (FilesUi *f);
void files_ui_restart (FilesUi *f);
void files_ui_connect_microsoft (FilesUi *f);

GtkWidget *files_ui_child (FilesUi *f, const char *name);
/* Signs session in as email (Foyer's service), waits until it is online. */
void files_ui_sign_in (FilesUi *f, FoyerSession *session, const char *email, const char *password);
FoyerSpaceItem *
files_ui_create_space (FilesUi *f, FoyerSession *session, const char *title, const char *member);
/* Waits until session knows space_id with its title and members. */
FoyerSpaceItem *files_ui_wait_space (FoyerSession *session, const char *space_id);
/* The space's sent message whose body is body, or whose document is titled
 * title (either may be NULL). */
FoyerMessageItem *
files_ui_find_message (FoyerSpaceItem *space, const char *body, const char *title);
void files_ui_wait_message (FoyerSpaceItem *space, const char *body, const char *title);
/* Shares the sandbox item at path (under Alice's drive root) into space. */
void files_ui_share_item (FilesUi *f, FoyerSpaceItem *space, const char *path);
/* A PNG of width × height, of noise from seed, written under dir. */
char *files_ui_make_png (const char *dir, const char *name, int width, int height, guint seed);
/* Whether a toplevel of that type is shown (and which). */
gpointer files_ui_wait_toplevel (GType type);
gboolean files_ui_wait_no_toplevel (GType type);
void files_ui_screenshot (GtkWidget *widget, const char *name);

G_END_DECLS
