/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define FOYER_TYPE_APPLICATION (foyer_application_get_type ())
G_DECLARE_FINAL_TYPE (FoyerApplication, foyer_application, FOYER, APPLICATION, AdwApplication)

FoyerApplication *foyer_application_new (void);

typedef struct _FoyerSession FoyerSession;
typedef struct _FoyerWebSession FoyerWebSession;
typedef struct _FoyerMicrosoftAccount FoyerMicrosoftAccount;
typedef struct _FoyerFileUploads FoyerFileUploads;
FoyerSession *foyer_application_get_session (FoyerApplication *self);
FoyerWebSession *foyer_application_get_web_session (FoyerApplication *self);
FoyerMicrosoftAccount *foyer_application_get_microsoft_account (FoyerApplication *self);
FoyerFileUploads *foyer_application_get_uploads (FoyerApplication *self);

G_END_DECLS
