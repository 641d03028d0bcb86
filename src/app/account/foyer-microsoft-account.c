/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-microsoft"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-admin-approval.h"
#include "foyer-auth-request.h"
#include "foyer-credential-store.h"
#include "foyer-loopback-redirect.h"
#include "foyer-microsoft-account.h"
#include "foyer-sign-in-view.h"
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
  FoyerStore *store;
  GSettings *settings;
  GCancellable *cancellable;

  gboolean connecting;
  FoyerAuthRequest *request;
  GtkWindow *sign_in_window;
  FoyerSignInView *sign_in_view;
  FoyerLoopbackRedirect *loopback; /* the system browser's way back, while it signs in */
  char *browser_url;
  char *mail; /* the account's mail address, from Graph /me, once known */
};

G_DEFINE_FINAL_TYPE (FoyerMicrosoftAccount, foyer_microsoft_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
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
notify_state (FoyerMicrosoftAccount *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
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
  if (self->sign_in_window != NULL)
    gtk_window_destroy (self->sign_in_window);
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
}

static void
me_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerMicrosoftAccount) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) me = NULL;
  JsonNode *mail;

  me = foyer_graph_client_get_me_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (me == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not read the Microsoft account's mail address: %s", error->message);
      return;
    }
  mail = json_object_get_member (me, "mail");
  if (mail != NULL && JSON_NODE_HOLDS_VALUE (mail)
      && json_node_get_value_type (mail) == G_TYPE_STRING
      && strchr (json_node_get_string (mail), '@') != NULL)
    {
      g_free (self->mail);
      self->mail = g_strdup (json_node_get_string (mail));
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
    foyer_graph_client_get_me_async (self->graph, self->cancellable, me_cb, g_object_ref (self));
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
  {
    /* Thumbnails are kept sealed in the local store, within 64 MiB. */
    g_autoptr (FoyerStoreThumbnailCache) cache
        = self->store != NULL ? foyer_store_thumbnail_cache_new (self->store, 64 * 1024 * 1024)
                              : NULL;

    self->thumbnails = foyer_thumbnail_loader_new (self->graph, FOYER_THUMBNAIL_CACHE (cache));
  }
  notify_state (self);

  account = g_settings_get_string (self->settings, "microsoft-account");
  if (*account != '\0')
    foyer_token_manager_restore_async (self->tokens, account, self->cancellable, restored_cb,
                                       g_object_ref (self));
}

/* Connecting: the embedded sign-in on the app's one web session. */

static void
foyer_microsoft_account_close_sign_in (FoyerMicrosoftAccount *self)
{
  if (self->sign_in_window != NULL)
    gtk_window_destroy (self->sign_in_window);
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
      foyer_microsoft_account_close_sign_in (self);
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return;
    }

  g_settings_set_string (self->settings, "microsoft-account",
                         foyer_token_manager_get_account (FOYER_TOKEN_MANAGER (source)));
  g_clear_pointer (&self->mail, g_free);
  fetch_mail (self);
  foyer_microsoft_account_close_sign_in (self);
}

static void
redirect_cb (FoyerSignInView *view, const char *uri, FoyerMicrosoftAccount *self)
{
  /* The sign-in view is done; the window stays until the tokens are ours. */
  foyer_token_manager_sign_in_async (self->tokens, self->request, uri, self->cancellable,
                                     signed_in_cb, g_object_ref (self));
}

static void
failed_cb (FoyerSignInView *view, const char *message, FoyerMicrosoftAccount *self)
{
  foyer_microsoft_account_close_sign_in (self);
  g_signal_emit (self, signals[ERROR_SHOWN], 0, message);
}

static void
sign_in_window_destroyed_cb (FoyerMicrosoftAccount *self)
{
  self->sign_in_window = NULL;
  self->sign_in_view = NULL;
  /* Cancel, or done: the browser's way back closes. */
  g_clear_object (&self->loopback);
  g_clear_pointer (&self->browser_url, g_free);
  if (self->connecting)
    {
      self->connecting = FALSE;
      notify_state (self);
    }
}

/* The modal window of a sign-in: a header with Cancel, then content. */
static GtkWindow *
sign_in_window_new (
    FoyerMicrosoftAccount *self, GtkWindow *parent, int width, int height, GtkWidget *content)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_ ("_Cancel"));

  gtk_window_set_title (GTK_WINDOW (window), _ ("Connect Microsoft Account"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), parent);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);

  adw_window_set_content (ADW_WINDOW (window), box);
  g_signal_connect_object (window, "destroy", G_CALLBACK (sign_in_window_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
  return GTK_WINDOW (window);
}

static void
try_again_cb (FoyerAdminApproval *page, FoyerMicrosoftAccount *self)
{
  GtkWindow *parent
      = self->sign_in_window != NULL ? gtk_window_get_transient_for (self->sign_in_window) : NULL;

  if (self->sign_in_window != NULL)
    gtk_window_destroy (self->sign_in_window);
  foyer_microsoft_account_connect (self, parent);
}

/* Entra ID will not come back: the sign-in window becomes one that says,
 * in words, what to ask the administrator, with the address to give them. */
static void
admin_approval_cb (FoyerSignInView *view, FoyerMicrosoftAccount *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (self->sign_in_window);
  g_autofree char *url
      = foyer_cloud_admin_consent_url (self->cloud, foyer_org_policy_get_tenant_id (self->policy),
                                       foyer_org_policy_get_client_id (self->policy));
  GtkWidget *page = foyer_admin_approval_new (url);

  g_message ("Microsoft sign-in: the organization requires an administrator's consent");
  g_signal_connect_object (page, "try-again", G_CALLBACK (try_again_cb), self, 0);
  gtk_window_destroy (self->sign_in_window);
  self->sign_in_window = sign_in_window_new (self, parent, 520, 560, page);
  gtk_window_present (self->sign_in_window);
}

static GtkWindow *
build_sign_in_window (FoyerMicrosoftAccount *self, GtkWindow *parent)
{
  self->sign_in_view = foyer_sign_in_view_new (self->web_session);
  g_signal_connect_object (self->sign_in_view, "redirect", G_CALLBACK (redirect_cb), self, 0);
  g_signal_connect_object (self->sign_in_view, "failed", G_CALLBACK (failed_cb), self, 0);
  g_signal_connect_object (self->sign_in_view, "admin-approval-needed",
                           G_CALLBACK (admin_approval_cb), self, 0);
  return sign_in_window_new (self, parent, 520, 680, GTK_WIDGET (self->sign_in_view));
}

/* Signing in with the system browser (the policy's "browser" mode): the
 * browser comes back to a listener on 127.0.0.1; meanwhile a small window
 * says where to look, can open the page again, and cancels. */

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
        {
          foyer_microsoft_account_close_sign_in (self);
          g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
        }
      return;
    }
  if (self->request == NULL || self->sign_in_window == NULL)
    return;
  foyer_token_manager_sign_in_async (self->tokens, self->request, uri, self->cancellable,
                                     signed_in_cb, g_object_ref (self));
}

static void
open_browser (FoyerMicrosoftAccount *self)
{
  gboolean handled = FALSE;

  if (self->browser_url != NULL)
    g_signal_emit (self, signals[OPEN_URI], 0, self->browser_url, self->sign_in_window, &handled);
}

static GtkWindow *
build_browser_window (FoyerMicrosoftAccount *self, GtkWindow *parent)
{
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *again = gtk_button_new_with_mnemonic (_ ("_Open the Browser Again"));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "web-browser-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _ ("Continue in Your Browser"));
  adw_status_page_set_description (
      ADW_STATUS_PAGE (status),
      _ ("Sign in to Microsoft in the browser page that opened. Foyer continues once you are "
         "done."));
  gtk_widget_set_halign (again, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (again, "pill");
  g_signal_connect_object (again, "clicked", G_CALLBACK (open_browser), self, G_CONNECT_SWAPPED);
  adw_status_page_set_child (ADW_STATUS_PAGE (status), again);
  return sign_in_window_new (self, parent, 440, 460, status);
}

static void
foyer_microsoft_account_connect_with_browser (FoyerMicrosoftAccount *self, GtkWindow *parent)
{
  g_autoptr (GError) error = NULL;

  self->loopback = foyer_loopback_redirect_new (&error);
  if (self->loopback == NULL
      || !foyer_auth_request_set_loopback_redirect_uri (
          self->request, foyer_loopback_redirect_get_uri (self->loopback), &error))
    {
      g_clear_object (&self->loopback);
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return;
    }

  self->connecting = TRUE;
  self->browser_url = foyer_auth_request_get_authorize_url (self->request);
  self->sign_in_window = build_browser_window (self, parent);
  foyer_loopback_redirect_wait_async (self->loopback, self->cancellable, browser_redirect_cb,
                                      g_object_ref (self));
  gtk_window_present (self->sign_in_window);
  open_browser (self);
  notify_state (self);
}

void
foyer_microsoft_account_connect (FoyerMicrosoftAccount *self, GtkWindow *parent)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self));

  if (self->tokens == NULL)
    {
      g_signal_emit (self, signals[ERROR_SHOWN], 0,
                     self->unavailable_reason != NULL ? self->unavailable_reason : "");
      return;
    }
  if (self->sign_in_window != NULL)
    {
      gtk_window_present (self->sign_in_window);
      return;
    }

  g_clear_object (&self->request);
  self->request
      = foyer_auth_request_new (self->cloud, foyer_org_policy_get_tenant_id (self->policy),
                                foyer_org_policy_get_client_id (self->policy),
                                foyer_token_manager_get_email (self->tokens), NULL, NULL, &error);
  if (self->request == NULL)
    {
      g_signal_emit (self, signals[ERROR_SHOWN], 0, error->message);
      return;
    }

  if (foyer_org_policy_get_browser_sign_in (self->policy))
    {
      foyer_microsoft_account_connect_with_browser (self, parent);
      return;
    }

  self->connecting = TRUE;
  self->sign_in_window = build_sign_in_window (self, parent);
  url = foyer_auth_request_get_authorize_url (self->request);
  foyer_sign_in_view_start (self->sign_in_view, url, foyer_cloud_get_redirect_uri (self->cloud));
  gtk_window_present (self->sign_in_window);
  notify_state (self);
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

GtkWindow *
foyer_microsoft_account_get_sign_in_window (FoyerMicrosoftAccount *self)
{
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (self), NULL);

  return self->sign_in_window;
}

static void
foyer_microsoft_account_dispose (GObject *object)
{
  FoyerMicrosoftAccount *self = FOYER_MICROSOFT_ACCOUNT (object);

  foyer_microsoft_account_reset (self);
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
      g_value_set_int (value, foyer_microsoft_account_get_state (FOYER_MICROSOFT_ACCOUNT (object)));
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

  properties[PROP_STATE] = g_param_spec_int (
      "state", NULL, NULL, FOYER_MICROSOFT_UNAVAILABLE, FOYER_MICROSOFT_RECONNECT_NEEDED,
      FOYER_MICROSOFT_UNAVAILABLE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
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
