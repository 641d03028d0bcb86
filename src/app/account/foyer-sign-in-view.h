/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * An embedded web view for Microsoft's sign-in pages. It shows the host and
 * the connection security of the page the user types a password into,
 * catches the redirect to the native-client URI before it is requested and
 * hands it over (the "redirect" signal), and refuses anything but https.
 * A certificate error ends the sign-in, unless the web session allows the
 * certificate (a cloud descriptor's own CA, for that cloud's hosts). Entra
 * ID's "Need admin approval" page, which never redirects, is recognised and
 * reported ("admin-approval-needed").
 */
#pragma once

#include <adwaita.h>

#include "foyer-web-session.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_SIGN_IN_SECURITY_NONE,
  FOYER_SIGN_IN_SECURITY_SECURE,
} FoyerSignInSecurity;

#define FOYER_TYPE_SIGN_IN_VIEW (foyer_sign_in_view_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSignInView, foyer_sign_in_view, FOYER, SIGN_IN_VIEW, AdwBin)

FoyerSignInView *foyer_sign_in_view_new (FoyerWebSession *session);
void foyer_sign_in_view_start (FoyerSignInView *self,
                               const char *authorize_url,
                               const char *redirect_uri);
const char *foyer_sign_in_view_get_host (FoyerSignInView *self);
FoyerSignInSecurity foyer_sign_in_view_get_security (FoyerSignInView *self);
WebKitWebView *foyer_sign_in_view_get_web_view (FoyerSignInView *self);

gboolean foyer_sign_in_uri_is_allowed (const char *uri);
gboolean foyer_sign_in_uri_matches_redirect (const char *uri, const char *redirect_uri);

G_END_DECLS

#include "foyer-app-enums.h"
