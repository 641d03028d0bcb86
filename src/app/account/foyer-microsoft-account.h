/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The person's Microsoft account in the app: available or not under the
 * organization's policy, connected through the embedded sign-in, its
 * tokens managed by FoyerTokenManager, and the Graph client that uses them.
 */
#pragma once

#include <adwaita.h>

#include "foyer-graph-client.h"
#include "foyer-thumbnail-loader.h"
#include "foyer-org-policy.h"
#include "foyer-store.h"
#include "foyer-web-session.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_MICROSOFT_UNAVAILABLE,
  FOYER_MICROSOFT_DISCONNECTED,
  FOYER_MICROSOFT_CONNECTING,
  FOYER_MICROSOFT_CONNECTED,
  FOYER_MICROSOFT_RECONNECT_NEEDED,
} FoyerMicrosoftState;

#define FOYER_TYPE_MICROSOFT_ACCOUNT (foyer_microsoft_account_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerMicrosoftAccount, foyer_microsoft_account, FOYER, MICROSOFT_ACCOUNT, GObject)

FoyerMicrosoftAccount *foyer_microsoft_account_new (FoyerWebSession *web_session);

void foyer_microsoft_account_set_policy (FoyerMicrosoftAccount *self,
                                         FoyerOrgPolicy *policy,
                                         const GError *policy_error);
void foyer_microsoft_account_set_store (FoyerMicrosoftAccount *self, FoyerStore *store);
FoyerOrgPolicy *foyer_microsoft_account_get_policy (FoyerMicrosoftAccount *self);
FoyerMicrosoftState foyer_microsoft_account_get_state (FoyerMicrosoftAccount *self);
const char *foyer_microsoft_account_get_unavailable_reason (FoyerMicrosoftAccount *self);
const char *foyer_microsoft_account_get_reconnect_reason (FoyerMicrosoftAccount *self);
const char *foyer_microsoft_account_get_display_name (FoyerMicrosoftAccount *self);
const char *foyer_microsoft_account_get_email (FoyerMicrosoftAccount *self);
const char *foyer_microsoft_account_get_organization_name (FoyerMicrosoftAccount *self);
FoyerWebSession *foyer_microsoft_account_get_web_session (FoyerMicrosoftAccount *self);
FoyerGraphClient *foyer_microsoft_account_get_graph (FoyerMicrosoftAccount *self);
FoyerCloud *foyer_microsoft_account_get_cloud (FoyerMicrosoftAccount *self);
FoyerAuthorizer *foyer_microsoft_account_get_authorizer (FoyerMicrosoftAccount *self);
FoyerThumbnailLoader *foyer_microsoft_account_get_thumbnails (FoyerMicrosoftAccount *self);

/* Connecting, for FoyerMicrosoftSignInWindow. */
gboolean foyer_microsoft_account_begin_sign_in (FoyerMicrosoftAccount *self);
char *foyer_microsoft_account_dup_authorize_url (FoyerMicrosoftAccount *self);
void foyer_microsoft_account_open_authorize_page (FoyerMicrosoftAccount *self, GtkWindow *parent);
void foyer_microsoft_account_complete_sign_in (FoyerMicrosoftAccount *self,
                                               const char *redirect_uri);
void foyer_microsoft_account_abort_sign_in (FoyerMicrosoftAccount *self, const char *message);
void foyer_microsoft_account_disconnect (FoyerMicrosoftAccount *self);

G_END_DECLS

#include "foyer-app-enums.h"
