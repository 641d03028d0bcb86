/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-authorizer.h"

G_DEFINE_INTERFACE (FoyerAuthorizer, foyer_authorizer, G_TYPE_OBJECT)

static void
foyer_authorizer_default_init (FoyerAuthorizerInterface *iface)
{
}

void
foyer_authorizer_get_token_async (FoyerAuthorizer *self,
                                  gboolean force_refresh,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (FOYER_IS_AUTHORIZER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  FOYER_AUTHORIZER_GET_IFACE (self)->get_token_async (self, force_refresh, cancellable, callback,
                                                      user_data);
}

char *
foyer_authorizer_get_token_finish (FoyerAuthorizer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (FOYER_IS_AUTHORIZER (self), NULL);

  return FOYER_AUTHORIZER_GET_IFACE (self)->get_token_finish (self, result, error);
}

/* A fixed token, for tests and tools. A forced refresh only counts: the
 * caller sees the same token again, as a revoked session would. */
struct _FoyerStaticAuthorizer
{
  GObject parent_instance;
  char *token;
  guint refresh_count;
};

static void static_authorizer_iface_init (FoyerAuthorizerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerStaticAuthorizer,
                               foyer_static_authorizer,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_AUTHORIZER,
                                                      static_authorizer_iface_init))

static void
static_get_token_async (FoyerAuthorizer *authorizer,
                        gboolean force_refresh,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  FoyerStaticAuthorizer *self = FOYER_STATIC_AUTHORIZER (authorizer);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, static_get_token_async);
  if (force_refresh)
    self->refresh_count++;
  g_task_return_pointer (task, g_strdup (self->token), g_free);
}

static char *
static_get_token_finish (FoyerAuthorizer *authorizer, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, authorizer), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
static_authorizer_iface_init (FoyerAuthorizerInterface *iface)
{
  iface->get_token_async = static_get_token_async;
  iface->get_token_finish = static_get_token_finish;
}

static void
foyer_static_authorizer_finalize (GObject *object)
{
  FoyerStaticAuthorizer *self = FOYER_STATIC_AUTHORIZER (object);

  g_clear_pointer (&self->token, g_free);
  G_OBJECT_CLASS (foyer_static_authorizer_parent_class)->finalize (object);
}

static void
foyer_static_authorizer_class_init (FoyerStaticAuthorizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_static_authorizer_finalize;
}

static void
foyer_static_authorizer_init (FoyerStaticAuthorizer *self)
{
}

FoyerStaticAuthorizer *
foyer_static_authorizer_new (const char *token)
{
  FoyerStaticAuthorizer *self = g_object_new (FOYER_TYPE_STATIC_AUTHORIZER, NULL);

  self->token = g_strdup (token);
  return self;
}

void
foyer_static_authorizer_set_token (FoyerStaticAuthorizer *self, const char *token)
{
  g_return_if_fail (FOYER_IS_STATIC_AUTHORIZER (self));

  g_free (self->token);
  self->token = g_strdup (token);
}

guint
foyer_static_authorizer_get_refresh_count (FoyerStaticAuthorizer *self)
{
  g_return_val_if_fail (FOYER_IS_STATIC_AUTHORIZER (self), 0);

  return self->refresh_count;
}
