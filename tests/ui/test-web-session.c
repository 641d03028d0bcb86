/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The web session's cookies survive a restart through the encrypted store,
 * and never lie on disk in plaintext. WebKit's network process starts
 * only when the session is first used, not when it is made.
 */
#include "config.h"

#include <adwaita.h>
#include <libsoup/soup.h>
#include <unistd.h>

#include "foyer-store.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-web-session.h"

#define SECRET_VALUE "FedAuth-secret-4f7a9c"

typedef struct
{
  SoupServer *server;
  char *base;
  char *seen_cookie;
} Server;

static void
server_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  Server *s = user_data;
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  const char *page = "<html><head><title>page</title></head><body>ok</body></html>";

  if (g_str_equal (path, "/login"))
    {
      /* A persistent cookie and a session cookie, as a sign-in sets. */
      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                                   "FedAuth=" SECRET_VALUE "; Path=/; HttpOnly; Max-Age=3600");
      soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie",
                                   "rtFa=session-only-7b1; Path=/; HttpOnly");
    }
  else if (g_str_equal (path, "/whoami"))
    {
      g_free (s->seen_cookie);
      s->seen_cookie = g_strdup (soup_message_headers_get_one (request, "Cookie"));
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY, page, strlen (page));
}

static gboolean
view_idle (gpointer data)
{
  return !webkit_web_view_is_loading (WEBKIT_WEB_VIEW (data))
         && g_strcmp0 (webkit_web_view_get_title (WEBKIT_WEB_VIEW (data)), "page") == 0;
}

static void
load (FoyerWebSession *session, const char *uri)
{
  GtkWidget *window = gtk_window_new ();
  WebKitWebView *view = foyer_web_session_create_view (session);

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_present (GTK_WINDOW (window));
  webkit_web_view_load_uri (view, uri);
  g_assert_true (foyer_ui_test_wait_until (view_idle, view, 20000));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  WebKitCookieManager *manager;
  gboolean asking;
  gboolean empty;
} NoCookies;

static void
cookies_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  NoCookies *w = user_data;
  GList *cookies
      = webkit_cookie_manager_get_all_cookies_finish (WEBKIT_COOKIE_MANAGER (source), result, NULL);

  w->empty = cookies == NULL;
  g_list_free_full (cookies, (GDestroyNotify) soup_cookie_free);
  w->asking = FALSE;
}

/* WebKit clears its data asynchronously: ask until it has no cookie left. */
static gboolean
no_cookies (gpointer data)
{
  NoCookies *w = data;

  if (!w->asking && !w->empty)
    {
      w->asking = TRUE;
      webkit_cookie_manager_get_all_cookies (w->manager, NULL, cookies_cb, w);
    }
  return w->empty;
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return g_strstr_len (contents, len, needle) != NULL;
}

/* Whether a WebKit network process runs as a child of this process. */
static gboolean
network_process_running (gpointer data)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  g_autofree char *me = g_strdup_printf ("%d", (int) getpid ());
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      g_auto (GStrv) fields = NULL;
      const char *end;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* pid (comm) state ppid …; comm may hold spaces, so split after it. */
      end = strrchr (stat, ')');
      if (end == NULL)
        continue;
      fields = g_strsplit (end + 2, " ", 3);
      if (g_strv_length (fields) >= 2 && g_str_equal (fields[1], me)
          && strstr (stat, "(WebKitNetwork") != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_made_on_first_use (void)
{
  g_autofree char *db = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR"), "first-use.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = foyer_store_open_sync (db, "test", NULL, &error);
  g_autoptr (FoyerWebSession) session = foyer_web_session_new ();
  g_autoptr (WebKitWebView) view = NULL;
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  foyer_web_session_attach_store_async (session, store, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
  g_assert_true (foyer_web_session_attach_store_finish (session, wait.result, &error));
  g_clear_object (&wait.result);
  /* Nothing asked of WebKit yet: no network process, even after the
   * store's cookies are read back. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (network_process_running (NULL));

  view = g_object_ref_sink (foyer_web_session_create_view (session));
  g_assert_true (foyer_ui_test_wait_until (network_process_running, NULL, 20000));
  foyer_store_close (store);
}

static void
test_cookies_survive_restart (void)
{
  g_autofree char *dir = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR"), "store", NULL);
  g_autofree char *db = g_build_filename (dir, "store.db", NULL);
  g_autofree char *login = NULL;
  g_autofree char *whoami = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;
  Server s = { NULL };
  const char *suffixes[] = { "", "-wal", "-shm" };

  s.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (s.server, NULL, server_cb, &s, NULL);
  g_assert_true (soup_server_listen_local (s.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (s.server);
  s.base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  login = g_strconcat (s.base, "/login", NULL);
  whoami = g_strconcat (s.base, "/whoami", NULL);

  /* First run: sign in, which sets the cookies; they are saved sealed. */
  {
    g_autoptr (FoyerStore) store = foyer_store_open_sync (db, "test", NULL, &error);
    g_autoptr (FoyerWebSession) session = foyer_web_session_new ();
    FoyerTestWait wait = { NULL };

    g_assert_no_error (error);
    foyer_web_session_attach_store_async (session, store, NULL, foyer_test_wait_cb, &wait);
    g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
    g_assert_true (foyer_web_session_attach_store_finish (session, wait.result, &error));
    g_clear_object (&wait.result);

    load (session, login);
    foyer_web_session_save_cookies_async (session, NULL, foyer_test_wait_cb, &wait);
    g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
    g_assert_true (foyer_web_session_save_cookies_finish (session, wait.result, &error));
    g_assert_no_error (error);
    g_clear_object (&wait.result);
    foyer_store_close (store);
  }

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      g_assert_false (file_contains (path, SECRET_VALUE));
      g_assert_false (file_contains (path, "FedAuth"));
    }

  /* Second run: a fresh, empty WebKit session gets them back from the store. */
  {
    g_autoptr (FoyerStore) store = foyer_store_open_sync (db, "test", NULL, &error);
    g_autoptr (FoyerWebSession) session = foyer_web_session_new ();
    FoyerTestWait wait = { NULL };

    g_assert_no_error (error);
    foyer_web_session_attach_store_async (session, store, NULL, foyer_test_wait_cb, &wait);
    g_assert_true (foyer_test_wait_result (&wait, 10000) != NULL);
    g_assert_true (foyer_web_session_attach_store_finish (session, wait.result, &error));
    g_clear_object (&wait.result);

    load (session, whoami);
    g_assert_nonnull (s.seen_cookie);
    g_assert_nonnull (strstr (s.seen_cookie, "FedAuth=" SECRET_VALUE));
    g_assert_nonnull (strstr (s.seen_cookie, "rtFa=session-only-7b1"));

    /* Disconnecting forgets them, in WebKit and in the store. */
    foyer_web_session_forget (session);
    {
      NoCookies w = { webkit_network_session_get_cookie_manager (
                          foyer_web_session_get_network_session (session)),
                      FALSE, FALSE };

      g_assert_true (foyer_ui_test_wait_until (no_cookies, &w, 10000));
    }
    g_clear_pointer (&s.seen_cookie, g_free);
    load (session, whoami);
    g_assert_null (s.seen_cookie);
    foyer_store_close (store);
  }

  soup_server_disconnect (s.server);
  g_object_unref (s.server);
  g_free (s.base);
  g_free (s.seen_cookie);
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);
  /* First: once a network session exists, its process stays. */
  g_test_add_func ("/viewer/web-session/made-on-first-use", test_made_on_first_use);
  g_test_add_func ("/viewer/web-session/cookies-survive-restart", test_cookies_survive_restart);
  return g_test_run ();
}
