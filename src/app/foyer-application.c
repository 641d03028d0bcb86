/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-application"

#include "config.h"

#include <glib/gi18n.h>

#include "files/foyer-file-uploads.h"
#include "foyer-application.h"
#include "foyer-a11y.h"
#include "foyer-microsoft-account.h"
#include "foyer-session.h"
#include "foyer-store.h"
#include "foyer-text.h"
#include "foyer-web-session.h"
#include "foyer-window.h"

struct _FoyerApplication
{
  AdwApplication parent_instance;

  FoyerSession *session;
  FoyerWebSession *web_session;
  FoyerMicrosoftAccount *microsoft;
  FoyerFileUploads *uploads;
  FoyerStore *store;
  gboolean store_requested;
  gboolean store_done;
};

G_DEFINE_FINAL_TYPE (FoyerApplication, foyer_application, ADW_TYPE_APPLICATION)

FoyerApplication *
foyer_application_new (void)
{
  return g_object_new (FOYER_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path", RESOURCE_PREFIX, NULL);
}

static int
foyer_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", "Foyer", PACKAGE_VERSION);
      return 0;
    }

  return -1;
}

static void
restore_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_session_restore_finish (FOYER_SESSION (source), result, &error) && error != NULL)
    g_message ("Could not sign in again: %s", error->message);
}

static void
foyer_application_restore (FoyerApplication *self)
{
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *url = g_settings_get_string (settings, "service-url");

  if (*url != '\0' && foyer_session_get_state (self->session) == FOYER_SESSION_SIGNED_OUT)
    foyer_session_restore_async (self->session, url, NULL, restore_cb, NULL);
}

static void
cookies_restored_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_web_session_attach_store_finish (FOYER_WEB_SESSION (source), result, &error))
    g_message ("The web session was not restored: %s", error->message);
}

/* The local store opens first: the session's cache and the web session's
 * cookies live in it. Without a keyring it is memory-only, and we say so. */
static void
store_opened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerApplication) self = user_data;
  g_autoptr (GError) error = NULL;
  GtkWindow *window;

  self->store = foyer_store_open_finish (result, &error);
  self->store_done = TRUE;
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (self->store == NULL)
    {
      g_warning ("Could not open the local store: %s", error->message);
      if (FOYER_IS_WINDOW (window))
        foyer_window_show_toast (FOYER_WINDOW (window), error->message);
    }
  else
    {
      FoyerDeviceKey *key = foyer_store_get_device_key (self->store);

      if (!foyer_store_is_persistent (self->store) && FOYER_IS_WINDOW (window) && key != NULL)
        foyer_window_show_toast (FOYER_WINDOW (window), foyer_device_key_get_user_notice (key));
      foyer_session_set_store (self->session, self->store);
      foyer_microsoft_account_set_store (self->microsoft, self->store);
      foyer_file_uploads_set_store (self->uploads, self->store);
      foyer_web_session_attach_store_async (self->web_session, self->store, NULL,
                                            cookies_restored_cb, NULL);
    }

  foyer_application_restore (self);
}

static void
foyer_application_activate (GApplication *app)
{
  FoyerApplication *self = FOYER_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    {
      window
          = GTK_WINDOW (foyer_window_new (GTK_APPLICATION (self), self->session, self->microsoft));
      foyer_window_set_uploads (FOYER_WINDOW (window), self->uploads);
    }
  gtk_window_present (window);

  if (!self->store_requested)
    {
      self->store_requested = TRUE;
      foyer_store_open_async (NULL, "default", NULL, store_opened_cb, g_object_ref (self));
    }
}

FoyerMicrosoftAccount *
foyer_application_get_microsoft_account (FoyerApplication *self)
{
  g_return_val_if_fail (FOYER_IS_APPLICATION (self), NULL);

  return self->microsoft;
}

FoyerWebSession *
foyer_application_get_web_session (FoyerApplication *self)
{
  g_return_val_if_fail (FOYER_IS_APPLICATION (self), NULL);

  return self->web_session;
}

/* Files from the computer on their way into spaces. */
FoyerFileUploads *
foyer_application_get_uploads (FoyerApplication *self)
{
  g_return_val_if_fail (FOYER_IS_APPLICATION (self), NULL);

  return self->uploads;
}

FoyerSession *
foyer_application_get_session (FoyerApplication *self)
{
  g_return_val_if_fail (FOYER_IS_APPLICATION (self), NULL);

  return self->session;
}

static void
index_flushed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!foyer_search_index_flush_finish (FOYER_SEARCH_INDEX (source), result, &error))
    g_debug ("Could not write the search index: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
foyer_application_shutdown (GApplication *app)
{
  FoyerApplication *self = FOYER_APPLICATION (app);

  /* Unfinished uploads stay sealed in the store for the next start. */
  if (self->uploads != NULL)
    foyer_file_uploads_shutdown (self->uploads);
  foyer_session_disconnect (self->session);
  if (self->web_session != NULL)
    foyer_web_session_flush (self->web_session, 2000);
  /* What the search index has not written yet (it writes a little after
   * each change), before the store closes under it. */
  if (self->store != NULL)
    {
      gboolean flushed = FALSE;

      foyer_search_index_flush_async (foyer_session_get_search_index (self->session), NULL,
                                      index_flushed_cb, &flushed);
      while (!flushed)
        g_main_context_iteration (NULL, TRUE);
    }

  /* No thread may still be using OpenSSL or SQLite while the process
   * exits (seen as a crash in a store worker at exit): let the store's
   * open and its queued work finish first. */
  while (self->store_requested && !self->store_done)
    g_main_context_iteration (NULL, TRUE);
  if (self->store != NULL)
    {
      foyer_store_drain (self->store);
      foyer_store_close (self->store);
    }

  G_APPLICATION_CLASS (foyer_application_parent_class)->shutdown (app);
}

static void
about_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "The Foyer developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW, "transient-for",
                        gtk_application_get_active_window (app), "application-name", _ ("Foyer"),
                        "application-icon", APP_ID, "version", PACKAGE_VERSION, "developers",
                        developers, "license-type", GTK_LICENSE_GPL_3_0, "comments",
                        _ ("Talk in spaces and share documents from OneDrive and SharePoint"),
                        "translator-credits", _ ("translator-credits"), NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* The organization's Microsoft policy, as the service gives it, is what
 * the Microsoft account works under. */
static void
org_policy_cb (FoyerApplication *self)
{
  const GError *error = NULL;
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (self->session, &error);

  /* The same policy read again at a connection leaves the account (and
   * the uploads it carries) as they are. */
  if (!foyer_org_policy_equal (policy, foyer_microsoft_account_get_policy (self->microsoft))
      || policy == NULL)
    foyer_microsoft_account_set_policy (self->microsoft, policy, error);
}

/* A message in a space the person is not looking at: a notification that
 * says who wrote where, and opens Foyer. */
static void
message_received_cb (FoyerApplication *self, FoyerSpaceItem *space, FoyerMessageItem *message)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *author = NULL;
  g_autofree char *space_title = NULL;

  if (!g_settings_get_boolean (settings, "notify-messages"))
    return;
  if (FOYER_IS_WINDOW (window) && gtk_window_is_active (window)
      && foyer_window_get_current_space (FOYER_WINDOW (window)) == space)
    return;

  /* Other people's names and titles, isolated (foyer_text_make_valid ()),
   * cannot rearrange the words around them. */
  author = foyer_text_make_valid (foyer_message_item_get_author_name (message), -1);
  space_title = foyer_space_item_get_title (space) != NULL
                    ? foyer_text_make_valid (foyer_space_item_get_title (space), -1)
                    : g_strdup (_ ("a space"));
  title = g_strdup_printf (_ ("%s in %s"), author, space_title);
  body = foyer_text_make_valid (foyer_message_item_get_body (message), -1);
  if (g_utf8_strlen (body, -1) > 200)
    {
      g_autofree char *shortened = g_utf8_substring (body, 0, 200);

      g_free (body);
      body = g_strconcat (shortened, "…", NULL);
    }
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate");
  id = g_strconcat ("space-", foyer_space_item_get_id (space), NULL);
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
foyer_application_startup (GApplication *app)
{
  FoyerApplication *self = FOYER_APPLICATION (app);
  static const GActionEntry entries[] = {
    { .name = "about", .activate = about_action_cb },
    { .name = "quit", .activate = quit_action_cb },
  };
  /* Every accelerator is here, as the shortcuts window lists them
   * (gtk/help-overlay.ui); test-shortcuts checks that they agree. They
   * act before the focused widget's own keys. */
  static const struct
  {
    const char *action;
    const char *accel;
  } accels[] = {
    { "app.quit", "<Control>q" },
    { "account.preferences", "<Control>comma" },
    { "win.new-space", "<Control>n" },
    { "win.jump-to-space", "<Control>k" },
    /* The search of every space (FoyerWindow's win.search). */
    { "win.search", "<Control>f" },
    { "win.previous-space", "<Alt>Up" },
    { "win.next-space", "<Alt>Down" },
    { "space.attach-file", "<Control><Shift>a" },
    { "space.upload-from-computer", "<Control>u" },
  };

  G_APPLICATION_CLASS (foyer_application_parent_class)->startup (app);
  foyer_a11y_watch_toplevels ();

  /* WebKit objects need GTK initialized, which startup does. */
  self->web_session = foyer_web_session_new ();
  self->microsoft = foyer_microsoft_account_new (self->web_session);
  self->uploads = foyer_file_uploads_new (self->session, self->microsoft);
  g_signal_connect_object (self->session, "notify::org-policy", G_CALLBACK (org_policy_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "message-received", G_CALLBACK (message_received_cb),
                           self, G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           (const char *const[]){ accels[i].accel, NULL });
}

static void
foyer_application_dispose (GObject *object)
{
  FoyerApplication *self = FOYER_APPLICATION (object);

  g_clear_object (&self->uploads);
  g_clear_object (&self->session);
  g_clear_object (&self->microsoft);
  g_clear_object (&self->web_session);
  if (self->store != NULL)
    foyer_store_close (self->store);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (foyer_application_parent_class)->dispose (object);
}

static void
foyer_application_class_init (FoyerApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = foyer_application_activate;
  app_class->startup = foyer_application_startup;
  app_class->handle_local_options = foyer_application_handle_local_options;
  app_class->shutdown = foyer_application_shutdown;
  G_OBJECT_CLASS (klass)->dispose = foyer_application_dispose;
}

static void
foyer_application_init (FoyerApplication *self)
{
  self->session = foyer_session_new ();
  /* GApplication does not translate its main options: give them translated. */
  g_application_add_main_option (G_APPLICATION (self), "version", 0, 0, G_OPTION_ARG_NONE,
                                 _ ("Show the version and quit"), NULL);
  g_application_set_option_context_summary (
      G_APPLICATION (self),
      _ ("Talk in spaces and share documents from Microsoft OneDrive and SharePoint."));
}
