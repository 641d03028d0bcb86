/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "foyer-loopback-redirect.h"

struct _FoyerLoopbackRedirect
{
  GObject parent_instance;

  SoupServer *server;
  char *uri;
  char *received; /* the redirect's full address, once it came */
  GTask *waiting;
  gulong cancelled_id;
};

G_DEFINE_FINAL_TYPE (FoyerLoopbackRedirect, foyer_loopback_redirect, G_TYPE_OBJECT)

static void
stop_listening (FoyerLoopbackRedirect *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

static void
foyer_loopback_redirect_dispose (GObject *object)
{
  FoyerLoopbackRedirect *self = FOYER_LOOPBACK_REDIRECT (object);

  stop_listening (self);
  if (self->waiting != NULL)
    {
      g_cancellable_disconnect (g_task_get_cancellable (self->waiting), self->cancelled_id);
      g_task_return_new_error (self->waiting, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Closed");
      g_clear_object (&self->waiting);
    }
  G_OBJECT_CLASS (foyer_loopback_redirect_parent_class)->dispose (object);
}

static void
foyer_loopback_redirect_finalize (GObject *object)
{
  FoyerLoopbackRedirect *self = FOYER_LOOPBACK_REDIRECT (object);

  g_free (self->uri);
  g_free (self->received);
  G_OBJECT_CLASS (foyer_loopback_redirect_parent_class)->finalize (object);
}

static void
foyer_loopback_redirect_class_init (FoyerLoopbackRedirectClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = foyer_loopback_redirect_dispose;
  G_OBJECT_CLASS (klass)->finalize = foyer_loopback_redirect_finalize;
}

static void
foyer_loopback_redirect_init (FoyerLoopbackRedirect *self)
{
}

static void
deliver (FoyerLoopbackRedirect *self)
{
  GTask *task;

  if (self->waiting == NULL || self->received == NULL)
    return;
  task = g_steal_pointer (&self->waiting);
  g_cancellable_disconnect (g_task_get_cancellable (task), self->cancelled_id);
  self->cancelled_id = 0;
  g_task_return_pointer (task, g_strdup (self->received), g_free);
  g_object_unref (task);
}

static void
respond (SoupServerMessage *msg, guint status, const char *heading, const char *text)
{
  g_autofree char *h = g_markup_escape_text (heading, -1);
  g_autofree char *t = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf (
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title>"
      "<style>body{font-family:sans-serif;margin:4em auto;max-width:32em;text-align:center}"
      "</style></head><body><h1>%s</h1><p>%s</p></body></html>",
      h, h, t);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* The page holds nothing secret, but the address did: keep neither. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY, page,
                                    strlen (page));
}

static void
handle_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  FoyerLoopbackRedirect *self = user_data;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0 || g_strcmp0 (path, "/") != 0
      || query == NULL
      || (!g_hash_table_contains (query, "code") && !g_hash_table_contains (query, "error")))
    {
      respond (msg, SOUP_STATUS_NOT_FOUND, _ ("Foyer"), _ ("Nothing here."));
      return;
    }
  if (self->received != NULL)
    {
      respond (msg, SOUP_STATUS_OK, _ ("Foyer"),
               _ ("This sign-in is already done. You can close this page."));
      return;
    }

  self->received = g_uri_to_string (soup_server_message_get_uri (msg));
  if (g_hash_table_contains (query, "error"))
    respond (msg, SOUP_STATUS_OK, _ ("Sign-In Not Completed"),
             _ ("Microsoft did not sign you in. Go back to Foyer to see why."));
  else
    respond (msg, SOUP_STATUS_OK, _ ("You Are Signed In"),
             _ ("You can close this page and go back to Foyer."));
  /* One sign-in, one redirect: later ones only get the page above. The
   * listener stays until its owner drops it, so that this reply is sent. */
  deliver (self);
}

FoyerLoopbackRedirect *
foyer_loopback_redirect_new (GError **error)
{
  g_autoptr (FoyerLoopbackRedirect) self = g_object_new (FOYER_TYPE_LOOPBACK_REDIRECT, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  GSList *uris;

  self->server = soup_server_new ("server-header", "Foyer", NULL);
  soup_server_add_handler (self->server, NULL, handle_cb, self, NULL);
  if (!soup_server_listen (self->server, address, 0, error))
    return NULL;
  uris = soup_server_get_uris (self->server);
  if (uris == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _ ("Could not listen for the browser's answer."));
      return NULL;
    }
  self->uri = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return g_steal_pointer (&self);
}

const char *
foyer_loopback_redirect_get_uri (FoyerLoopbackRedirect *self)
{
  g_return_val_if_fail (FOYER_IS_LOOPBACK_REDIRECT (self), NULL);

  return self->uri;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  FoyerLoopbackRedirect *self = user_data;
  GTask *task;

  /* Runs in the cancelling thread's context; the app only cancels from
   * the main thread. */
  task = g_steal_pointer (&self->waiting);
  if (task == NULL)
    return;
  stop_listening (self);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
}

void
foyer_loopback_redirect_wait_async (FoyerLoopbackRedirect *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_LOOPBACK_REDIRECT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_loopback_redirect_wait_async);
  if (self->waiting != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "%s",
                               _ ("Foyer is already waiting for this sign-in."));
      g_object_unref (task);
      return;
    }
  if (self->server == NULL && self->received == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "%s",
                               _ ("The browser sign-in was stopped. Start it again."));
      g_object_unref (task);
      return;
    }
  self->waiting = task;
  if (cancellable != NULL)
    self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self, NULL);
  deliver (self);
}

char *
foyer_loopback_redirect_wait_finish (FoyerLoopbackRedirect *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
