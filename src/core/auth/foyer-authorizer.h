/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerAuthorizer: what the Graph client asks for an access token. The
 * token manager implements it for a real account; tests use the static one.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_AUTHORIZER (foyer_authorizer_get_type ())
G_DECLARE_INTERFACE (FoyerAuthorizer, foyer_authorizer, FOYER, AUTHORIZER, GObject)

struct _FoyerAuthorizerInterface
{
  GTypeInterface parent_iface;

  /* force_refresh is TRUE after the resource answered 401 with the token
   * last returned: the implementation must not hand the same one back. */
  void (*get_token_async) (FoyerAuthorizer *self,
                           gboolean force_refresh,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
  char *(*get_token_finish) (FoyerAuthorizer *self, GAsyncResult *result, GError **error);
};

void foyer_authorizer_get_token_async (FoyerAuthorizer *self,
                                       gboolean force_refresh,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
char *
foyer_authorizer_get_token_finish (FoyerAuthorizer *self, GAsyncResult *result, GError **error);

#define FOYER_TYPE_STATIC_AUTHORIZER (foyer_static_authorizer_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerStaticAuthorizer, foyer_static_authorizer, FOYER, STATIC_AUTHORIZER, GObject)

FoyerStaticAuthorizer *foyer_static_authorizer_new (const char *token);
void foyer_static_authorizer_set_token (FoyerStaticAuthorizer *self, const char *token);
guint foyer_static_authorizer_get_refresh_count (FoyerStaticAuthorizer *self);

G_END_DECLS
