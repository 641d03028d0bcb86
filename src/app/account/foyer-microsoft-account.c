/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-microsoft"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-auth-request.h"
#include "foyer-credential-store.h"
#include "foyer-json.h"
#include "foyer-loopback-redirect.h"
#include "foyer-microsoft-account.h"
#include "foyer-store-thumbnail-cache.h"
#include "foyer-token-client.h"
#include "foyer-token-manager.h"

struct _FoyerMicrosoftAccount
{
  GObject parent_instance;

  FoyerWebSession *web_session;
  FoyerOrgPolicy *policy;
  char *unavailable_reason;
  FoyerCloud *cloud;
  FoyerTokenClient *token_client;
  FoyerCredentialStore *credentials;
  FoyerTokenManager *tokens;
  FoyerGraphClient *graph;
  FoyerThumbnailLoader *thumbnails;
  /* Microsoft's last Retry-After for thumbnails, kept across a new policy
   * (every reconnection to Foyer's service brings one) for the Graph
   * address it was told for. */
  gint64 thumbnails_held_until;
  char *thumbnails_graph_url;
  FoyerStore *store;
  GSettings *settings;
  GCancellable *cancellable;

  gboolean connecting;
  char *organization_name; /* Microsoft's name for the organization, once asked */
  gboolean organization_asked;
  FoyerAuthRequest *request;
  FoyerLoopbackRedirect *loopback; /* the system browser's way back, while it signs in */
  char *browser_url;
  char *mail; /* the account's mail address, from Graph /me, once known */
};

G_DEFINE_FINAL_TYPE (FoyerMicrosoftAccount, foyer_microsoft_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_ORGANIZATION_NAME,
  N_PROPS
};

enum
{
  ERROR_SHOWN,
  OPEN_URI,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_organization_name (FoyerMicrosoftAccount *self, const char *name)
{
  if (g_strcmp0 (self->organization_name, name) == 0)
    return;
  g_free (self->organization_name);
  self->organization_name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORGANIZATION_NAME]);
}

static void
organization_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = foyer_graph_client_get_organization_name_finish (
      FOYER_GRAPH_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (name == NULL)
    g_debug ("The organization's name is not known: %s", error->message);
  else
    set_organization_name (self, name);
}

/* Once connected, the organization's name is asked of Microsoft once, so
 * that the person reads it rather than a tenant id. */
static void
notify_state (FoyerMicrosoftAccount *self)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (self);

  if (state == FOYER_MICROSOFT_CONNECTED && !self->organization_asked && self->graph != NULL)
    {
      self->organization_asked = TRUE;
      foyer_graph_client_get_organization_name_async (self->graph, self->cancellable,
                                                      organization_cb, g_object_ref (self));
    }
  else if (state == FOYER_MICROSOFT_DISCONNECTED || state == FOYER_MICROSOFT_UNAVAILABLE)
    {
      self->organization_asked = FALSE;
      set_organization_name (self, NULL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* What the organization is called, in words (NULL until Microsoft said). */
const char *
foyer_microsoft_account_get_organization_name (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->organization_name;
}

FoyerMicrosoftState
foyer_microsoft_account_get_state (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), FOYER_MICROSOFT_UNAVAILABLE);

  if (self->tokens == NULL)
    return FOYER_MICROSOFT_UNAVAILABLE;
  if (self->connecting)
    return FOYER_MICROSOFT_CONNECTING;

  switch (foyer_token_manager_get_state (self->tokens))
    {
    case FOYER_ACCOUNT_CONNECTED:
      return FOYER_MICROSOFT_CONNECTED;
    case FOYER_ACCOUNT_RECONNECT_NEEDED:
      return FOYER_MICROSOFT_RECONNECT_NEEDED;
    case FOYER_ACCOUNT_DISCONNECTED:
    default:
      return FOYER_MICROSOFT_DISCONNECTED;
    }
}

static void
foyer_microsoft_account_reset (FoyerMicrosoftAccount *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_object (&self->loopback);
  g_clear_pointer (&self->browser_url, g_free);
  if (self->thumbnails != NULL && foyer_thumbnail_loader_get_held_until (self->thumbnails) > 0)
    {
      self->thumbnails_held_until = foyer_thumbnail_loader_get_held_until (self->thumbnails);
      g_free (self->thumbnails_graph_url);
      self->thumbnails_graph_url = g_strdup (foyer_graph_client_get_base_url (self->graph));
    }
  g_clear_object (&self->thumbnails);
  g_clear_object (&self->graph);
  if (self->tokens != NULL)
    g_signal_handlers_disconnect_by_data (self->tokens, self);
  g_clear_object (&self->tokens);
  g_clear_object (&self->credentials);
  g_clear_object (&self->token_client);
  g_clear_object (&self->cloud);
  g_clear_object (&self->request);
  g_clear_object (&self->policy);
  g_clear_pointer (&self->unavailable_reason, g_free);
  g_clear_pointer (&self->mail, g_free);
  self->connecting = FALSE;
  self->organization_asked = FALSE;
  set_organization_name (self, NULL);
}

/* Thumbnails are kept sealed in the local store, within 64 MiB, and in
 * memory: both are this account's only. */
static void
new_thumbnails (FoyerMicrosoftAccount *self)
{
  g_autoptr (FoyerStoreThumbnailCache) cache
      = self->store != NULL ? foyer_store_thumbnail_cache_new (self->store, 64 * 1024 * 1024)
                            : NULL;

  /* Microsoft's Retry-After outlives the loader: the next one for the
   * same Graph keeps it. */
  if (self->thumbnails != NULL && self->graph != NULL)
    {
      self->thumbnails_held_until = foyer_thumbnail_loader_get_held_until (self->thumbnails);
      g_free (self->thumbnails_graph_url);
      self->thumbnails_graph_url = g_strdup (foyer_graph_client_get_base_url (self->graph));
    }
  g_clear_object (&self->thumbnails);
  self->thumbnails = foyer_thumbnail_loader_new (self->graph, FOYER_THUMBNAIL_CACHE (cache));
  if (g_strcmp0 (self->thumbnails_graph_url, foyer_graph_client_get_base_url (self->graph)) == 0)
    foyer_thumbnail_loader_hold_until (self->thumbnails, self->thumbnails_held_until);
}

static void
me_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) me = NULL;
  const char *mail;

  me = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (me == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not read the Microsoft account's mail address: %s", error->message);
      return;
    }
  mail = JSON_NODE_HOLDS_OBJECT (me) ? foyer_json_get_string (json_node_get_object (me), "mail")
                                     : NULL;
  if (mail != NULL && strchr (mail, '@') != NULL)
    {
      g_free (self->mail);
      self->mail = g_strdup (mail);
    }
}

/* Foyer does not ask for the email scope, so the ID token names the
 * account by its sign-in name (preferred_username), which is not always
 * its mail address: Graph /me says what that is. The sign-in name stays
 * the login hint. */
static void
fetch_mail (FoyerMicrosoftAccount *self)
{
  if (self->graph != NULL)
    foyer_graph_client_request_async (self->graph, "GET", "/me?$select=mail", NULL,
                                      self->cancellable, me_cb, g_object_ref (self));
}

static void
restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;

  if (foyer_token_manager_restore_finish (FOYER_TOKEN_MANAGER (source), result, &error))
    fetch_mail (self);
  else if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The Microsoft account was not restored: %s", error->message);
  notify_state (self);
}

/* Whether two policies reach Microsoft the same way (enabled, for the same
 * tenant, application and cloud): then only sharing rules differ. */
static gboolean
same_connection (FoyerOrgPolicy *a, FoyerOrgPolicy *b)
{
  return a != NULL && b != NULL && foyer_org_policy_get_enabled (a)
         && foyer_org_policy_get_enabled (b)
         && g_strcmp0 (foyer_org_policy_get_tenant_id (a), foyer_org_policy_get_tenant_id (b)) == 0
         && g_strcmp0 (foyer_org_policy_get_client_id (a), foyer_org_policy_get_client_id (b)) == 0
         && g_strcmp0 (foyer_org_policy_get_cloud_name (a), foyer_org_policy_get_cloud_name (b))
                == 0
         && g_strcmp0 (foyer_org_policy_get_cloud_descriptor (a),
                       foyer_org_policy_get_cloud_descriptor (b))
                == 0;
}

/* Applies the organization's policy: an invalid or disabled one makes the
 * Microsoft source unavailable, with the reason; an enabled one sets up the
 * cloud, the tokens and the Graph client, and signs in again silently with
 * the refresh token kept in the Secret Service. */
void
foyer_microsoft_account_set_policy (FoyerMicrosoftAccount *self,
                                    FoyerOrgPolicy *policy,
                                    const GError *policy_error)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *account = NULL;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));

  /* New sharing rules (an administrator's change) keep the connection. */
  if (self->tokens != NULL && same_connection (self->policy, policy))
    {
      g_set_object (&self->policy, policy);
      notify_state (self);
      return;
    }
  foyer_microsoft_account_reset (self);
  if (policy == NULL)
    {
      self->unavailable_reason
          = g_strdup (policy_error != NULL ? policy_error->message
                                           : _ ("Sign in to Foyer to use Microsoft files."));
      notify_state (self);
      return;
    }

  self->policy = g_object_ref (policy);
  if (!foyer_org_policy_get_enabled (policy))
    {
      self->unavailable_reason
          = g_strdup (_ ("Your organization has not enabled Microsoft OneDrive and SharePoint."));
      notify_state (self);
      return;
    }

  self->cloud = foyer_org_policy_create_cloud (policy, &error);
  if (self->cloud == NULL)
    {
      self->unavailable_reason = g_strdup (error->message);
      notify_state (self);
      return;
    }

  self->token_client = foyer_token_client_new (self->cloud, foyer_org_policy_get_tenant_id (policy),
                                               foyer_org_policy_get_client_id (policy), NULL);
  self->credentials = foyer_credential_store_new ();
  self->tokens = foyer_token_manager_new (self->token_client, self->credentials);
  g_signal_connect_swapped (self->tokens, "notify::state", G_CALLBACK (notify_state), self);
  self->graph = foyer_graph_client_new_for_cloud (self->cloud, FOYER_AUTHORIZER (self->tokens));
  if (self->web_session != NULL)
    foyer_web_session_trust_cloud (self->web_session, self->cloud);
  new_thumbnails (self);
  notify_state (self);

  account = g_settings_get_string (self->settings, "microsoft-account");
  if (*account != '\0')
    foyer_token_manager_restore_async (self->tokens, account, self->cancellable, restored_cb,
                                       g_object_ref (self));
}

/* Connecting. The sign-in window (FoyerMicrosoftSignInWindow) shows
 * Microsoft's pages, embedded or in the system browser, and hands over
 * where they came back to; the account exchanges it for tokens. */

static void
finish_sign_in (FoyerMicrosoftAccount *self)
{
  g_clear_object (&self->loopback);
  g_clear_pointer (&self->browser_url, g_free);
  self->connecting = FALSE;
  notify_state (self);
}

static void
signed_in_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_token_manager_sign_in_finish (FOYER_TOKEN_MANAGER (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      finish_sign_in (self);
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return;
    }

  g_settings_set_string (self->settings, "microsoft-account",
                         foyer_token_manager_get_account (FOYER_TOKEN_MANAGER (source)));
  g_clear_pointer (&self->mail, g_free);
  fetch_mail (self);
  finish_sign_in (self);
}

/* Where Microsoft's pages came back to, with the authorization code: the
 * sign-in is done once the tokens are ours. */
void
foyer_microsoft_account_complete_sign_in (FoyerMicrosoftAccount *self, const char *redirect_uri)
{
  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));
  g_return_if_fail (redirect_uri != NULL);

  if (self->request == NULL || !self->connecting)
    return;
  foyer_token_manager_sign_in_async (self->tokens, self->request, redirect_uri, self->cancellable,
                                     signed_in_cb, g_object_ref (self));
}

/* The sign-in ends without tokens: cancelled (message NULL), or failed. */
void
foyer_microsoft_account_abort_sign_in (FoyerMicrosoftAccount *self, const char *message)
{
  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));

  if (!self->connecting)
    return;
  finish_sign_in (self);
  if (message != NULL)
    g_signal_emit (self, signals[ERROR_SHOWN], 0, message);
}

/* Signing in with the system browser (the policy's "browser" mode): the
 * browser comes back to a listener on 127.0.0.1. */

static void
browser_redirect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri
      = foyer_loopback_redirect_wait_finish (FOYER_LOOPBACK_REDIRECT (source), result, &error);

  if (uri == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        foyer_microsoft_account_abort_sign_in (self, error->message);
      return;
    }
  foyer_microsoft_account_complete_sign_in (self, uri);
}

/* The authorize page, in the system browser (again), for parent's sign-in. */
void
foyer_microsoft_account_open_authorize_page (FoyerMicrosoftAccount *self, GtkWindow *parent)
{
  gboolean handled = FALSE;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  if (self->browser_url != NULL)
    g_signal_emit (self, signals[OPEN_URI], 0, self->browser_url, parent, &handled);
}

static gboolean
begin_browser_sign_in (FoyerMicrosoftAccount *self)
{
  g_autoptr (GError) error = NULL;

  self->loopback = foyer_loopback_redirect_new (&error);
  if (self->loopback == NULL
      || !foyer_auth_request_set_loopback_redirect_uri (
          self->request, foyer_loopback_redirect_get_uri (self->loopback), &error))
    {
      g_clear_object (&self->loopback);
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return FALSE;
    }
  self->browser_url = foyer_auth_request_get_authorize_url (self->request);
  foyer_loopback_redirect_wait_async (self->loopback, self->cancellable, browser_redirect_cb,
                                      g_object_ref (self));
  return TRUE;
}

/* Starts a sign-in (the state is CONNECTING until it ends); FALSE, with
 * the reason in the "error" signal, when there can be none. */
gboolean
foyer_microsoft_account_begin_sign_in (FoyerMicrosoftAccount *self)
{
  g_autoptr (GError) error = NULL;

  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), FALSE);

  if (self->tokens == NULL)
    {
      g_signal_emit (self, signals[ERROR_SHOWN], 0,
                     self->unavailable_reason != NULL ? self->unavailable_reason : "");
      return FALSE;
    }

  g_clear_object (&self->request);
  self->request
      = foyer_auth_request_new (self->cloud, foyer_org_policy_get_tenant_id (self->policy),
                                foyer_org_policy_get_client_id (self->policy),
                                foyer_token_manager_get_email (self->tokens), NULL, NULL, &error);
  if (self->request == NULL)
    {
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return FALSE;
    }
  if (foyer_org_policy_get_browser_sign_in (self->policy) && !begin_browser_sign_in (self))
    return FALSE;

  self->connecting = TRUE;
  notify_state (self);
  return TRUE;
}

/* The page Microsoft's sign-in starts at, while one is under way. */
char *
foyer_microsoft_account_dup_authorize_url (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->request != NULL ? foyer_auth_request_get_authorize_url (self->request) : NULL;
}

static void
signed_out_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_token_manager_sign_out_finish (FOYER_TOKEN_MANAGER (source), result, &error))
    g_warning ("Could not forget the Microsoft account: %s", error->message);
  notify_state (self);
}

/* Forgets tokens and the web session's cookies. */
void
foyer_microsoft_account_disconnect (FoyerMicrosoftAccount *self)
{
  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));

  g_settings_set_string (self->settings, "microsoft-account", "");
  g_clear_pointer (&self->mail, g_free);
  foyer_web_session_forget (self->web_session);
  /* Nothing fetched with this account stays on the device. */
  if (self->store != NULL)
    {
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_THUMBNAILS, NULL);
      foyer_store_delete_namespace (self->store, FOYER_STORE_NS_DRIVE, NULL);
    }
  /* Nor in memory: whoever connects next fetches their own. */
  if (self->graph != NULL)
    new_thumbnails (self);
  if (self->tokens != NULL)
    foyer_token_manager_sign_out_async (self->tokens, NULL, signed_out_cb, g_object_ref (self));
}

/* The encrypted local store for thumbnails; set before the policy. */
void
foyer_microsoft_account_set_store (FoyerMicrosoftAccount *self, FoyerStore *store)
{
  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));

  g_set_object (&self->store, store);
}

FoyerOrgPolicy *
foyer_microsoft_account_get_policy (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->policy;
}

const char *
foyer_microsoft_account_get_unavailable_reason (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->unavailable_reason;
}

const char *
foyer_microsoft_account_get_reconnect_reason (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->tokens != NULL ? foyer_token_manager_get_reconnect_reason (self->tokens) : NULL;
}

const char *
foyer_microsoft_account_get_display_name (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->tokens != NULL ? foyer_token_manager_get_display_name (self->tokens) : NULL;
}

const char *
foyer_microsoft_account_get_email (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  if (self->tokens == NULL)
    return NULL;
  return self->mail != NULL ? self->mail : foyer_token_manager_get_email (self->tokens);
}

/* The app's one web session: the sign-in's cookies, for the viewer. */
FoyerWebSession *
foyer_microsoft_account_get_web_session (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->web_session;
}

FoyerGraphClient *
foyer_microsoft_account_get_graph (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->graph;
}

/* The organization's cloud (its hosts), or NULL while unavailable. */
FoyerCloud *
foyer_microsoft_account_get_cloud (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->cloud;
}

FoyerAuthorizer *
foyer_microsoft_account_get_authorizer (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->tokens != NULL ? FOYER_AUTHORIZER (self->tokens) : NULL;
}

FoyerThumbnailLoader *
foyer_microsoft_account_get_thumbnails (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->thumbnails;
}

static void
foyer_microsoft_account_dispose (GObject *object)
{
  FoyerMicrosoftAccount *self = FOYER_MICROSOFT_ACCOUNT (object);

  foyer_microsoft_account_reset (self);
  g_clear_pointer (&self->thumbnails_graph_url, g_free);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->web_session);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (foyer_microsoft_account_parent_class)->dispose (object);
}

static void
foyer_microsoft_account_get_property (GObject *object,
                                      guint prop_id,
                                      GValue *value,
                                      GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value,
                        foyer_microsoft_account_get_state (FOYER_MICROSOFT_ACCOUNT (object)));
      break;
    case PROP_ORGANIZATION_NAME:
      g_value_set_string (value, FOYER_MICROSOFT_ACCOUNT (object)->organization_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
real_open_uri (FoyerMicrosoftAccount *self, const char *uri, GtkWindow *parent)
{
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
  return TRUE;
}

static void
foyer_microsoft_account_class_init (FoyerMicrosoftAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_microsoft_account_dispose;
  object_class->get_property = foyer_microsoft_account_get_property;

  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_MICROSOFT_STATE,
                           FOYER_MICROSOFT_UNAVAILABLE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORGANIZATION_NAME]
      = g_param_spec_string ("organization-name", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message for the person: a failed sign-in, an unavailable source. */
  signals[ERROR_SHOWN] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* (uri, parent) → handled: the browser sign-in's page, for the system
   * browser. The default handler uses gtk_show_uri (); a handler that
   * returns TRUE takes over (tests do). */
  signals[OPEN_URI]
      = g_signal_new_class_handler ("open-uri", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    G_CALLBACK (real_open_uri), g_signal_accumulator_true_handled,
                                    NULL, NULL, G_TYPE_BOOLEAN, 2, G_TYPE_STRING, GTK_TYPE_WINDOW);
}

static void
foyer_microsoft_account_init (FoyerMicrosoftAccount *self)
{
  self->settings = g_settings_new (APP_ID);
  self->cancellable = g_cancellable_new ();
}

FoyerMicrosoftAccount *
foyer_microsoft_account_new (FoyerWebSession *web_session)
{
  FoyerMicrosoftAccount *self;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (web_session), NULL);

  self = g_object_new (FOYER_TYPE_MICROSOFT_ACCOUNT, NULL);
  self->web_session = g_object_ref (web_session);
  return self;
}
