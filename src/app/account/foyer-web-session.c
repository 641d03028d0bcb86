/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-web-session"

#include "config.h"

#include "foyer-cookie-vault.h"
#include "foyer-tls-database.h"
#include "foyer-web-session.h"

/* Cookie changes come in bursts during a sign-in: save once they settle. */
#define SAVE_DELAY_MS 300
/* Loads again of one address after allowing its certificate. */
#define MAX_CERTIFICATE_RETRIES 3

struct _FoyerWebSession
{
  GObject parent_instance;

  /* Made on first use: making it starts WebKit's network process, which
   * start-up has no use for. */
  WebKitNetworkSession *network_session;
  GSList *pending_cookies; /* SoupCookie*, from the store, for when it is made */
  FoyerStore *store;
  guint save_source;
  gboolean watching; /* cookie changes, to keep them in the store */
  GCancellable *cancellable;
  GPtrArray *clouds;       /* FoyerCloud* whose descriptor names a CA */
  GHashTable *allowed;     /* "host sha256" of certificates allowed → times asked */
  GHashTable *preflighted; /* "host:port" whose certificate was fetched first */
};

G_DEFINE_FINAL_TYPE (FoyerWebSession, foyer_web_session, G_TYPE_OBJECT)

static void
foyer_web_session_finalize (GObject *object)
{
  FoyerWebSession *self = FOYER_WEB_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_object (&self->store);
  g_slist_free_full (g_steal_pointer (&self->pending_cookies), (GDestroyNotify) soup_cookie_free);
  g_clear_object (&self->network_session);
  g_clear_pointer (&self->clouds, g_ptr_array_unref);
  g_clear_pointer (&self->allowed, g_hash_table_unref);
  g_clear_pointer (&self->preflighted, g_hash_table_unref);
  G_OBJECT_CLASS (foyer_web_session_parent_class)->finalize (object);
}

static void
foyer_web_session_class_init (FoyerWebSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_web_session_finalize;
}

static void
foyer_web_session_init (FoyerWebSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->clouds = g_ptr_array_new_with_free_func (g_object_unref);
  self->allowed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->preflighted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

FoyerWebSession *
foyer_web_session_new (void)
{
  return g_object_new (FOYER_TYPE_WEB_SESSION, NULL);
}

static void add_cookies (FoyerWebSession *self, GSList *cookies, GTask *task);

/* The network session, made now if it was not yet. The cookies restored
 * from the store go to WebKit before anything can use it: WebKit handles
 * its messages to the network process in order, so they are set before
 * any page it loads asks for them. */
static WebKitNetworkSession *
network_session (FoyerWebSession *self)
{
  GSList *cookies;

  if (self->network_session != NULL)
    return self->network_session;

  self->network_session = webkit_network_session_new_ephemeral ();
  /* A certificate error ends the load; there is no way to override it. */
  webkit_network_session_set_tls_errors_policy (self->network_session,
                                                WEBKIT_TLS_ERRORS_POLICY_FAIL);
  if (self->store != NULL)
    {
      cookies = g_steal_pointer (&self->pending_cookies);
      add_cookies (self, cookies, NULL);
      g_slist_free_full (cookies, (GDestroyNotify) soup_cookie_free);
    }
  return self->network_session;
}

WebKitNetworkSession *
foyer_web_session_get_network_session (FoyerWebSession *self)
{
  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), NULL);

  return network_session (self);
}

/* Views for Microsoft pages: no developer tools, no plugins, and nothing
 * that lets a page talk to the app (no script message handlers). */
WebKitWebView *
foyer_web_session_create_view (FoyerWebSession *self)
{
  g_autoptr (WebKitSettings) settings = NULL;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), NULL);

  settings = webkit_settings_new_with_settings (
      "enable-developer-extras", FALSE, "javascript-can-open-windows-automatically", FALSE,
      "enable-back-forward-navigation-gestures", TRUE, NULL);

  return g_object_new (WEBKIT_TYPE_WEB_VIEW, "network-session", network_session (self), "settings",
                       settings, NULL);
}

static WebKitCookieManager *
cookie_manager (FoyerWebSession *self)
{
  return webkit_network_session_get_cookie_manager (network_session (self));
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (foyer_cookie_vault_save_finish (FOYER_STORE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
got_cookies_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerWebSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  GList *cookies;
  GSList *list = NULL;

  cookies = webkit_cookie_manager_get_all_cookies_finish (WEBKIT_COOKIE_MANAGER (source), result,
                                                          &error);
  if (error != NULL || self->store == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, "No store attached");
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  for (GList *l = cookies; l != NULL; l = l->next)
    list = g_slist_prepend (list, l->data);
  list = g_slist_reverse (list);
  foyer_cookie_vault_save_async (self->store, list, g_task_get_cancellable (task), saved_cb, task);
  g_slist_free (list);
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);
}

void
foyer_web_session_save_cookies_async (FoyerWebSession *self,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_WEB_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_web_session_save_cookies_async);
  /* Not made yet: the cookies are those the store holds. */
  if (self->network_session == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  webkit_cookie_manager_get_all_cookies (cookie_manager (self), cancellable, got_cookies_cb, task);
}

gboolean
foyer_web_session_save_cookies_finish (FoyerWebSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
background_save_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (foyer_web_session_save_cookies_finish (FOYER_WEB_SESSION (source), result, &error)
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* The app is going away: the store closed before the last change. */
  if (g_error_matches (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CLOSED))
    g_debug ("Cookies not kept, the store is closed");
  else
    g_warning ("Could not keep the web session's cookies: %s", error->message);
}

static gboolean
save_timeout_cb (gpointer data)
{
  FoyerWebSession *self = data;

  self->save_source = 0;
  foyer_web_session_save_cookies_async (self, self->cancellable, background_save_cb, NULL);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  gboolean done;
  gboolean abandoned; /* the flush gave up waiting: the callback frees */
} Flush;

static void
flushed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Flush *flush = user_data;

  background_save_cb (source, result, NULL);
  if (flush->abandoned)
    g_free (flush);
  else
    flush->done = TRUE;
}

/* Saves a change not yet saved (they wait SAVE_DELAY_MS to come in
 * batches), for when the app is about to close its store. Runs the main
 * context until saved, at most timeout_ms. */
void
foyer_web_session_flush (FoyerWebSession *self, guint timeout_ms)
{
  Flush *flush;
  gint64 deadline;

  g_return_if_fail (FOYER_IS_WEB_SESSION (self));

  if (self->save_source == 0)
    return;
  g_clear_handle_id (&self->save_source, g_source_remove);
  flush = g_new0 (Flush, 1);
  foyer_web_session_save_cookies_async (self, self->cancellable, flushed_cb, flush);
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  while (!flush->done && g_get_monotonic_time () < deadline)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  if (flush->done)
    g_free (flush);
  else
    flush->abandoned = TRUE;
}

static void
cookies_changed_cb (FoyerWebSession *self)
{
  if (self->store == NULL)
    return;
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

typedef struct
{
  guint pending;
  GError *error;
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_clear_error (&data->error);
  g_free (data);
}

/* Once the restored cookies are in, changes are what the store keeps. */
static void
restore_step_done (FoyerWebSession *self, RestoreData *data, GTask *task)
{
  if (--data->pending > 0)
    return;

  if (!self->watching)
    g_signal_connect_object (cookie_manager (self), "changed", G_CALLBACK (cookies_changed_cb),
                             self, G_CONNECT_SWAPPED);
  self->watching = TRUE;
  if (task == NULL)
    {
      if (data->error != NULL)
        g_message ("The web session was not restored: %s", data->error->message);
      restore_data_free (data);
      return;
    }
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_boolean (task, TRUE);
  restore_data_free (data);
  g_object_unref (task);
}

typedef struct
{
  FoyerWebSession *self; /* a reference */
  RestoreData *data;
  GTask *task; /* or NULL */
} CookieAdd;

static void
cookie_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CookieAdd *add = user_data;
  GError *error = NULL;

  if (!webkit_cookie_manager_add_cookie_finish (WEBKIT_COOKIE_MANAGER (source), result, &error))
    {
      if (add->data->error == NULL)
        add->data->error = error;
      else
        g_error_free (error);
    }
  restore_step_done (add->self, add->data, add->task);
  g_object_unref (add->self);
  g_free (add);
}

/* Gives WebKit the cookies, then completes task (if any). */
static void
add_cookies (FoyerWebSession *self, GSList *cookies, GTask *task)
{
  RestoreData *data = g_new0 (RestoreData, 1);
  GCancellable *cancellable = task != NULL ? g_task_get_cancellable (task) : self->cancellable;

  data->pending = 1;
  for (GSList *l = cookies; l != NULL; l = l->next)
    {
      CookieAdd *add = g_new0 (CookieAdd, 1);

      add->self = g_object_ref (self);
      add->data = data;
      add->task = task;
      data->pending++;
      webkit_cookie_manager_add_cookie (cookie_manager (self), l->data, cancellable,
                                        cookie_added_cb, add);
    }
  restore_step_done (self, data, task);
}

static void
vault_loaded_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerWebSession *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  GSList *cookies;

  cookies = foyer_cookie_vault_load_finish (FOYER_STORE (source), result, &error);
  /* A damaged or missing vault means signing in again, not failing. */
  if (error != NULL)
    g_debug ("No saved web session: %s", error->message);

  if (self->network_session == NULL)
    {
      /* Kept for when the network session is made (network_session ()). */
      g_slist_free_full (self->pending_cookies, (GDestroyNotify) soup_cookie_free);
      self->pending_cookies = cookies;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  add_cookies (self, cookies, task);
  g_slist_free_full (cookies, (GDestroyNotify) soup_cookie_free);
}

void
foyer_web_session_attach_store_async (FoyerWebSession *self,
                                      FoyerStore *store,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_WEB_SESSION (self));
  g_return_if_fail (FOYER_IS_STORE (store));

  g_set_object (&self->store, store);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_web_session_attach_store_async);
  foyer_cookie_vault_load_async (store, cancellable, vault_loaded_cb, task);
}

gboolean
foyer_web_session_attach_store_finish (FoyerWebSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
foyer_web_session_forget (FoyerWebSession *self)
{
  g_autoptr (GError) error = NULL;
  WebKitWebsiteDataManager *data_manager;

  g_return_if_fail (FOYER_IS_WEB_SESSION (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_slist_free_full (g_steal_pointer (&self->pending_cookies), (GDestroyNotify) soup_cookie_free);
  if (self->network_session != NULL)
    {
      data_manager = webkit_network_session_get_website_data_manager (self->network_session);
      webkit_website_data_manager_clear (data_manager, WEBKIT_WEBSITE_DATA_ALL, 0, NULL, NULL,
                                         NULL);
    }
  if (self->store != NULL && !foyer_cookie_vault_clear (self->store, &error))
    g_warning ("Could not forget the saved web session: %s", error->message);
}

void
foyer_web_session_trust_cloud (FoyerWebSession *self, FoyerCloud *cloud)
{
  g_return_if_fail (FOYER_IS_WEB_SESSION (self));
  g_return_if_fail (FOYER_IS_CLOUD (cloud));

  if (foyer_cloud_get_tls_database (cloud) != NULL && !g_ptr_array_find (self->clouds, cloud, NULL))
    g_ptr_array_add (self->clouds, g_object_ref (cloud));
}

/* The trusted cloud whose CA issued certificate for uri's host, if any. */
static FoyerCloud *
cloud_vouching_for (FoyerWebSession *self, const char *uri, GTlsCertificate *certificate)
{
  for (guint i = 0; certificate != NULL && i < self->clouds->len; i++)
    {
      FoyerCloud *cloud = self->clouds->pdata[i];

      if (foyer_cloud_is_allowed_url (cloud, uri)
          && foyer_tls_database_trusts (foyer_cloud_get_tls_database (cloud), certificate, uri))
        return cloud;
    }
  return NULL;
}

static char *
allowed_key (const char *host, GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  g_autofree char *digest = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  digest = der != NULL ? g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len)
                       : g_strdup ("");
  return g_strconcat (host, " ", digest, NULL);
}

gboolean
foyer_web_session_allow_certificate (FoyerWebSession *self,
                                     const char *uri,
                                     GTlsCertificate *certificate)
{
  g_autoptr (GUri) parsed = NULL;
  g_autofree char *key = NULL;
  guint asked;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), FALSE);

  if (cloud_vouching_for (self, uri, certificate) == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  key = allowed_key (g_uri_get_host (parsed), certificate);
  /* foyer_web_session_retry_with_certificate() orders the allowance before
   * the load that follows; beyond a few times, loading again would only
   * loop. */
  asked = GPOINTER_TO_UINT (g_hash_table_lookup (self->allowed, key));
  if (asked >= MAX_CERTIFICATE_RETRIES)
    return FALSE;
  g_hash_table_insert (self->allowed, g_steal_pointer (&key), GUINT_TO_POINTER (asked + 1));
  webkit_network_session_allow_tls_certificate_for_host (network_session (self), certificate,
                                                         g_uri_get_host (parsed));
  return TRUE;
}

typedef struct
{
  GWeakRef web_view;
  char *uri;
} Retry;

static void
retry_free (Retry *retry)
{
  g_weak_ref_clear (&retry->web_view);
  g_free (retry->uri);
  g_free (retry);
}

static void
allowance_delivered_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Retry *retry = data;
  g_autoptr (WebKitWebView) web_view = g_weak_ref_get (&retry->web_view);
  GList *fetched = webkit_website_data_manager_fetch_finish (WEBKIT_WEBSITE_DATA_MANAGER (source),
                                                             result, NULL);

  g_list_free_full (fetched, (GDestroyNotify) webkit_website_data_unref);
  if (web_view != NULL)
    webkit_web_view_load_uri (web_view, retry->uri);
  retry_free (retry);
}

gboolean
foyer_web_session_retry_with_certificate (FoyerWebSession *self,
                                          WebKitWebView *web_view,
                                          const char *uri,
                                          GTlsCertificate *certificate)
{
  Retry *retry;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), FALSE);
  g_return_val_if_fail (WEBKIT_IS_WEB_VIEW (web_view), FALSE);

  if (!foyer_web_session_allow_certificate (self, uri, certificate))
    return FALSE;
  retry = g_new0 (Retry, 1);
  g_weak_ref_init (&retry->web_view, web_view);
  retry->uri = g_strdup (uri);
  /* The allowance goes to WebKit's network process straight from here, the
   * load goes through the web process: nothing orders the two, and under load
   * the network process saw the load first and failed it again, until the
   * retries ran out (the sign-in-view test, about once in three runs). A
   * request and its reply on the allowance's own channel is a barrier: when
   * the reply is back, the allowance has been applied. */
  webkit_website_data_manager_fetch (
      webkit_network_session_get_website_data_manager (network_session (self)),
      WEBKIT_WEBSITE_DATA_COOKIES, NULL, allowance_delivered_cb, retry);
  return TRUE;
}

typedef struct
{
  FoyerWebSession *self;
  GWeakRef web_view;
  char *uri;
  GTlsCertificate *certificate;
} Preflight;

static void
preflight_free (Preflight *preflight)
{
  g_object_unref (preflight->self);
  g_weak_ref_clear (&preflight->web_view);
  g_free (preflight->uri);
  g_clear_object (&preflight->certificate);
  g_free (preflight);
}

static void
preflight_load (Preflight *preflight)
{
  g_autoptr (WebKitWebView) web_view = g_weak_ref_get (&preflight->web_view);

  if (web_view != NULL)
    {
      /* Allowed and delivered, or left to the view's TLS error handler. */
      if (preflight->certificate == NULL
          || !foyer_web_session_retry_with_certificate (preflight->self, web_view, preflight->uri,
                                                        preflight->certificate))
        webkit_web_view_load_uri (web_view, preflight->uri);
    }
  preflight_free (preflight);
}

static gboolean
preflight_accept_cb (GTlsConnection *connection,
                     GTlsCertificate *certificate,
                     GTlsCertificateFlags errors,
                     Preflight *preflight)
{
  /* Only looked at: nothing is ever sent on this connection. */
  g_set_object (&preflight->certificate, certificate);
  return TRUE;
}

static void
preflight_event_cb (GSocketClient *client,
                    GSocketClientEvent event,
                    GSocketConnectable *connectable,
                    GIOStream *connection,
                    Preflight *preflight)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (preflight_accept_cb),
                      preflight);
}

static void
preflight_connected_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Preflight *preflight = data;
  g_autoptr (GSocketConnection) connection
      = g_socket_client_connect_to_uri_finish (G_SOCKET_CLIENT (source), result, NULL);

  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  else
    g_clear_object (&preflight->certificate);
  preflight_load (preflight);
}

void
foyer_web_session_load_uri (FoyerWebSession *self, WebKitWebView *web_view, const char *uri)
{
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GSocketClient) client = NULL;
  g_autofree char *origin = NULL;
  Preflight *preflight;

  g_return_if_fail (FOYER_IS_WEB_SESSION (self));
  g_return_if_fail (WEBKIT_IS_WEB_VIEW (web_view));
  g_return_if_fail (uri != NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed != NULL)
    origin = g_strdup_printf ("%s:%d", g_uri_get_host (parsed), g_uri_get_port (parsed));
  if (self->clouds->len == 0 || parsed == NULL
      || g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") != 0
      || !g_hash_table_add (self->preflighted, g_steal_pointer (&origin)))
    {
      webkit_web_view_load_uri (web_view, uri);
      return;
    }

  /* A cloud with its own CA (the sandbox): WebKit would fail the first load
   * on the certificate, and the view would allow it and load again. But
   * WebKitGTK 2.4x sometimes reports that first failure as a cancelled load
   * instead (seen in one start in ten on a busy machine, repeatedly within
   * one run), which no handler can tell from a real cancel. So the
   * certificate is fetched first, on a connection of our own that sends
   * nothing, and allowed before WebKit's first request; the TLS error
   * handlers remain for a certificate that changes later. */
  preflight = g_new0 (Preflight, 1);
  preflight->self = g_object_ref (self);
  g_weak_ref_init (&preflight->web_view, web_view);
  preflight->uri = g_strdup (uri);
  client = g_socket_client_new ();
  g_socket_client_set_tls (client, TRUE);
  g_socket_client_set_timeout (client, 30);
  g_signal_connect (client, "event", G_CALLBACK (preflight_event_cb), preflight);
  g_socket_client_connect_to_uri_async (client, uri, 443, NULL, preflight_connected_cb, preflight);
}

gboolean
foyer_web_session_is_secure (FoyerWebSession *self,
                             const char *uri,
                             GTlsCertificate *certificate,
                             GTlsCertificateFlags errors)
{
  g_autoptr (GUri) parsed = NULL;

  g_return_val_if_fail (FOYER_IS_WEB_SESSION (self), FALSE);

  parsed = uri != NULL ? g_uri_parse (uri, G_URI_FLAGS_NONE, NULL) : NULL;
  if (parsed == NULL || g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") != 0
      || certificate == NULL)
    return FALSE;
  return errors == 0 || cloud_vouching_for (self, uri, certificate) != NULL;
}
