/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-token-manager.h"

#include "foyer-auth-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_ENUM_TYPE (FoyerAccountState,
                    foyer_account_state,
                    G_DEFINE_ENUM_VALUE (FOYER_ACCOUNT_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (FOYER_ACCOUNT_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (FOYER_ACCOUNT_RECONNECT_NEEDED, "reconnect-needed"))

struct _FoyerTokenManager
{
  GObject parent_instance;

  FoyerTokenClient *client;
  FoyerCredentialStore *store;

  FoyerAccountState state;
  char *account;
  char *display_name;
  char *email;
  char *reconnect_reason;

  char *refresh_token;
  char *access_token;
  gint64 expires_at;
  gint64 margin;

  /* GTasks of get_token waiting for the refresh in flight. */
  GPtrArray *waiters;
  gboolean refreshing;
  /* After a refresh failed for a passing reason, the still-valid token is
   * handed out without trying again before this monotonic time. */
  gint64 retry_refresh_at;
  /* Cancelled on sign-out and dispose: a late refresh is then dropped. */
  GCancellable *cancellable;
};

static void authorizer_iface_init (FoyerAuthorizerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerTokenManager,
                               foyer_token_manager,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_AUTHORIZER, authorizer_iface_init))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
clear_secret (char **secret)
{
  if (*secret != NULL)
    memset (*secret, 0, strlen (*secret));
  g_clear_pointer (secret, g_free);
}

static void
set_state (FoyerTokenManager *self, FoyerAccountState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
foyer_token_manager_dispose (GObject *object)
{
  FoyerTokenManager *self = FOYER_TOKEN_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_token_manager_parent_class)->dispose (object);
}

static void
foyer_token_manager_finalize (GObject *object)
{
  FoyerTokenManager *self = FOYER_TOKEN_MANAGER (object);

  g_assert (self->waiters->len == 0);
  g_ptr_array_unref (self->waiters);
  g_clear_object (&self->cancellable);
  g_free (self->account);
  g_free (self->display_name);
  g_free (self->email);
  g_free (self->reconnect_reason);
  clear_secret (&self->refresh_token);
  clear_secret (&self->access_token);
  G_OBJECT_CLASS (foyer_token_manager_parent_class)->finalize (object);
}

static void
foyer_token_manager_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerTokenManager *self = FOYER_TOKEN_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ACCOUNT:
      g_value_set_string (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_token_manager_class_init (FoyerTokenManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_token_manager_dispose;
  object_class->finalize = foyer_token_manager_finalize;
  object_class->get_property = foyer_token_manager_get_property;

  properties[PROP_STATE] = g_param_spec_enum (
      "state", NULL, NULL, FOYER_TYPE_ACCOUNT_STATE, FOYER_ACCOUNT_DISCONNECTED,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT]
      = g_param_spec_string ("account", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_token_manager_init (FoyerTokenManager *self)
{
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->margin = FOYER_TOKEN_REFRESH_MARGIN_SECONDS;
}

FoyerTokenManager *
foyer_token_manager_new (FoyerTokenClient *client, FoyerCredentialStore *store)
{
  FoyerTokenManager *self;

  g_return_val_if_fail (FOYER_IS_TOKEN_CLIENT (client), NULL);
  g_return_val_if_fail (FOYER_IS_CREDENTIAL_STORE (store), NULL);

  self = g_object_new (FOYER_TYPE_TOKEN_MANAGER, NULL);
  self->client = g_object_ref (client);
  self->store = g_object_ref (store);
  return self;
}

FoyerAccountState
foyer_token_manager_get_state (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), FOYER_ACCOUNT_DISCONNECTED);
  return self->state;
}

const char *
foyer_token_manager_get_account (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), NULL);
  return self->account;
}

const char *
foyer_token_manager_get_display_name (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), NULL);
  return self->display_name;
}

const char *
foyer_token_manager_get_email (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), NULL);
  return self->email;
}

const char *
foyer_token_manager_get_reconnect_reason (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), NULL);
  return self->reconnect_reason;
}

gint64
foyer_token_manager_get_expires_at (FoyerTokenManager *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_MANAGER (self), 0);
  return self->access_token != NULL ? self->expires_at : 0;
}

void
foyer_token_manager_set_refresh_margin (FoyerTokenManager *self, gint64 seconds)
{
  g_return_if_fail (FOYER_IS_TOKEN_MANAGER (self));
  self->margin = MAX (seconds, 0);
}

static void
set_account (FoyerTokenManager *self, const FoyerCredentials *c)
{
  g_free (self->display_name);
  self->display_name = g_strdup (c ? c->name : NULL);
  g_free (self->email);
  self->email = g_strdup (c ? c->email : NULL);
  clear_secret (&self->refresh_token);
  self->refresh_token = g_strdup (c ? c->refresh_token : NULL);
  clear_secret (&self->access_token);
  self->expires_at = 0;
  g_clear_pointer (&self->reconnect_reason, g_free);
  if (g_strcmp0 (self->account, c ? c->account : NULL) != 0)
    {
      g_free (self->account);
      self->account = g_strdup (c ? c->account : NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
    }
}

/* Refresh. */

static void
save_rotated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_credential_store_save_finish (FOYER_CREDENTIAL_STORE (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not keep the new Microsoft refresh token: %s", error->message);
}

static void
save_rotated (FoyerTokenManager *self)
{
  g_autoptr (FoyerCredentials) c
      = foyer_credentials_new (self->account, self->refresh_token, self->display_name, self->email,
                               foyer_token_client_get_tenant (self->client));

  foyer_credential_store_save_async (self->store, c, self->cancellable, save_rotated_cb, NULL);
}

/* A caller waiting for the refresh in flight. Its own cancellable ends
 * its wait at once; the refresh goes on for the others. */
typedef struct
{
  gboolean forced;
  GSource *cancelled;
} Waiter;

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancelled != NULL)
    g_source_destroy (waiter->cancelled);
  g_clear_pointer (&waiter->cancelled, g_source_unref);
  g_free (waiter);
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = G_TASK (user_data);
  FoyerTokenManager *self = g_task_get_source_object (task);
  Waiter *waiter = g_task_get_task_data (task);

  g_clear_pointer (&waiter->cancelled, g_source_unref);
  g_object_ref (task);
  if (g_ptr_array_remove (self->waiters, task))
    g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
add_waiter (FoyerTokenManager *self, GTask *task, gboolean forced)
{
  Waiter *waiter = g_new0 (Waiter, 1);
  GCancellable *cancellable = g_task_get_cancellable (task);

  waiter->forced = forced;
  g_task_set_task_data (task, waiter, (GDestroyNotify) waiter_free);
  if (cancellable != NULL)
    {
      waiter->cancelled = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, waiter->cancelled, (GSourceFunc) waiter_cancelled_cb);
    }
  g_ptr_array_add (self->waiters, task);
}

/* The cancellation source holds the task: it goes before the task
 * returns. Returns whether the waiter forced a refresh. */
static gboolean
detach_waiter (GTask *task)
{
  Waiter *waiter = g_task_get_task_data (task);

  if (waiter->cancelled != NULL)
    g_source_destroy (waiter->cancelled);
  g_clear_pointer (&waiter->cancelled, g_source_unref);
  return waiter->forced;
}

/* The token in memory works for a while yet (Graph checks exp with no
 * skew in Foyer's favour). */
#define FOYER_TOKEN_MIN_VALIDITY_SECONDS  60
#define FOYER_TOKEN_RETRY_REFRESH_SECONDS 30

static gboolean
still_usable (FoyerTokenManager *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  return self->access_token != NULL && now + FOYER_TOKEN_MIN_VALIDITY_SECONDS < self->expires_at;
}

/* A refresh ahead of expiry that failed for a passing reason (network,
 * 5xx, 429 beyond what the client waits) leaves the current token usable:
 * callers that did not see it refused keep it until it really expires. */
static gboolean
keeps_current_token (FoyerTokenManager *self, GTask *task, const GError *error)
{
  Waiter *waiter = g_task_get_task_data (task);

  return !waiter->forced && still_usable (self) && !foyer_auth_error_needs_reconnect (error)
         && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
finish_waiters (FoyerTokenManager *self, const GError *error)
{
  g_autoptr (GPtrArray) waiters = g_steal_pointer (&self->waiters);

  /* Callbacks may ask again; they find a fresh list and no refresh. */
  self->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  self->refreshing = FALSE;
  /* A forced refresh means a resource refused the token in memory. */
  for (guint i = 0; i < waiters->len; i++)
    if (detach_waiter (waiters->pdata[i]) && error != NULL)
      clear_secret (&self->access_token);
  for (guint i = 0; i < waiters->len; i++)
    {
      GTask *task = waiters->pdata[i];

      if (error != NULL && keeps_current_token (self, task, error))
        g_task_return_pointer (task, g_strdup (self->access_token), g_free);
      else if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->access_token), g_free);
    }
}

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerTokenManager) self = FOYER_TOKEN_MANAGER (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  const char *rotated;

  set = foyer_token_client_refresh_finish (FOYER_TOKEN_CLIENT (source), result, &error);
  if (set != NULL && self->state != FOYER_ACCOUNT_CONNECTED)
    {
      /* Signed out while the reply was on its way. */
      g_clear_object (&set);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Signed out");
    }
  if (set == NULL)
    {
      if (foyer_auth_error_needs_reconnect (error))
        {
          g_info ("The Microsoft account needs a new sign-in: %s", error->message);
          clear_secret (&self->access_token);
          g_free (self->reconnect_reason);
          self->reconnect_reason = g_strdup (error->message);
          set_state (self, FOYER_ACCOUNT_RECONNECT_NEEDED);
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        self->retry_refresh_at
            = g_get_monotonic_time () + FOYER_TOKEN_RETRY_REFRESH_SECONDS * G_USEC_PER_SEC;
      finish_waiters (self, error);
      return;
    }

  clear_secret (&self->access_token);
  self->access_token = g_strdup (foyer_token_set_get_access_token (set));
  self->expires_at = foyer_token_set_get_expires_at (set);
  self->retry_refresh_at = 0;
  rotated = foyer_token_set_get_refresh_token (set);
  if (rotated != NULL && g_strcmp0 (rotated, self->refresh_token) != 0)
    {
      clear_secret (&self->refresh_token);
      self->refresh_token = g_strdup (rotated);
      save_rotated (self);
    }
  finish_waiters (self, NULL);
}

static void
get_token_async (FoyerAuthorizer *authorizer,
                 gboolean force_refresh,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  FoyerTokenManager *self = FOYER_TOKEN_MANAGER (authorizer);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_task_set_source_tag (task, get_token_async);
  if (self->state == FOYER_ACCOUNT_DISCONNECTED || self->refresh_token == NULL)
    {
      g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_NOT_SIGNED_IN,
                               _ ("No Microsoft account is connected."));
      return;
    }
  if (self->state == FOYER_ACCOUNT_RECONNECT_NEEDED)
    {
      g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_RECONNECT_NEEDED, "%s",
                               self->reconnect_reason ? self->reconnect_reason
                                                      : _ ("Sign in to Microsoft again."));
      return;
    }
  /* A forced refresh joins one already in flight: its token is new. */
  if (!force_refresh && !self->refreshing && self->access_token != NULL
      && (now + self->margin < self->expires_at
          || (g_get_monotonic_time () < self->retry_refresh_at && still_usable (self))))
    {
      g_task_return_pointer (task, g_strdup (self->access_token), g_free);
      return;
    }
  add_waiter (self, g_steal_pointer (&task), force_refresh);
  if (self->refreshing)
    return;
  self->refreshing = TRUE;
  foyer_token_client_refresh_async (self->client, self->refresh_token, self->cancellable,
                                    refresh_cb, g_object_ref (self));
}

static char *
get_token_finish (FoyerAuthorizer *authorizer, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, authorizer), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
authorizer_iface_init (FoyerAuthorizerInterface *iface)
{
  iface->get_token_async = get_token_async;
  iface->get_token_finish = get_token_finish;
}

/* Sign-in. */

static void
sign_in_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  FoyerTokenManager *self = g_task_get_source_object (task);
  FoyerTokenSet *set = g_object_get_data (G_OBJECT (task), "tokens");
  FoyerCredentials *c = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!foyer_credential_store_save_finish (FOYER_CREDENTIAL_STORE (source), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_account (self, c);
  self->access_token = g_strdup (foyer_token_set_get_access_token (set));
  self->expires_at = foyer_token_set_get_expires_at (set);
  set_state (self, FOYER_ACCOUNT_CONNECTED);
  g_task_return_boolean (task, TRUE);
}

static void
sign_in_exchanged_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  FoyerTokenManager *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTokenSet) set = NULL;
  g_autofree char *account = NULL;
  const char *email;
  FoyerCredentials *c;
  GCancellable *cancellable;

  set = foyer_token_client_exchange_code_finish (FOYER_TOKEN_CLIENT (source), result, &error);
  if (set == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (foyer_token_set_get_refresh_token (set) == NULL
      || foyer_token_set_get_claim (set, "oid") == NULL)
    {
      g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_RESPONSE,
                               _ ("Microsoft sign-in sent an answer Foyer does not understand."));
      return;
    }
  account = g_strdup_printf ("%s@%s", foyer_token_set_get_claim (set, "oid"),
                             foyer_token_set_get_claim (set, "tid"));
  email = foyer_token_set_get_claim (set, "email");
  if (email == NULL)
    email = foyer_token_set_get_claim (set, "preferred_username");
  c = foyer_credentials_new (account, foyer_token_set_get_refresh_token (set),
                             foyer_token_set_get_claim (set, "name"), email,
                             foyer_token_set_get_claim (set, "tid"));
  g_task_set_task_data (task, c, (GDestroyNotify) foyer_credentials_free);
  g_object_set_data_full (G_OBJECT (task), "tokens", g_object_ref (set), g_object_unref);
  cancellable = g_task_get_cancellable (task);
  foyer_credential_store_save_async (self->store, c, cancellable, sign_in_saved_cb,
                                     g_steal_pointer (&task));
}

void
foyer_token_manager_sign_in_async (FoyerTokenManager *self,
                                   FoyerAuthRequest *request,
                                   const char *redirect_uri,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;

  g_return_if_fail (FOYER_IS_TOKEN_MANAGER (self));
  g_return_if_fail (FOYER_IS_AUTH_REQUEST (request));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_manager_sign_in_async);
  if (!foyer_auth_request_parse_redirect (request, redirect_uri, &code, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  foyer_token_client_exchange_code_async (self->client, request, code, cancellable,
                                          sign_in_exchanged_cb, g_steal_pointer (&task));
}

gboolean
foyer_token_manager_sign_in_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Restore. */

static void
restore_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  FoyerTokenManager *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCredentials) c = NULL;
  const char *tenant = foyer_token_client_get_tenant (self->client);

  c = foyer_credential_store_lookup_finish (FOYER_CREDENTIAL_STORE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* An account of another tenant (the organization moved) is not used. */
  if (c == NULL || c->tenant_id == NULL || g_ascii_strcasecmp (c->tenant_id, tenant) != 0)
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  set_account (self, c);
  set_state (self, FOYER_ACCOUNT_CONNECTED);
  g_task_return_boolean (task, TRUE);
}

void
foyer_token_manager_restore_async (FoyerTokenManager *self,
                                   const char *account,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_TOKEN_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_manager_restore_async);
  foyer_credential_store_lookup_async (self->store, account, cancellable, restore_cb, task);
}

gboolean
foyer_token_manager_restore_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Sign-out. */

static void
sign_out_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;

  if (!foyer_credential_store_clear_finish (FOYER_CREDENTIAL_STORE (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
foyer_token_manager_sign_out_async (FoyerTokenManager *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task;
  g_autofree char *account = NULL;

  g_return_if_fail (FOYER_IS_TOKEN_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_manager_sign_out_async);
  /* Drop any refresh in flight: its waiters see G_IO_ERROR_CANCELLED. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  account = g_strdup (self->account);
  set_account (self, NULL);
  set_state (self, FOYER_ACCOUNT_DISCONNECTED);
  foyer_credential_store_clear_async (self->store, account, cancellable, sign_out_cb, task);
}

gboolean
foyer_token_manager_sign_out_finish (FoyerTokenManager *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
