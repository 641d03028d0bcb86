/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The demo's second window (build-aux/demo.sh --bob), against a real
 * foyer-service on loopback (issue #15, item 20): foyer-demo-sign-in keeps
 * Bob's service session in his keyring, and the app, started as the demo
 * starts it, opens signed in as Bob and says so in its title and sidebar;
 * the token lies nowhere on disk.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-service-secret.h"
#include "foyer-session.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static gboolean
window_says_bob (gpointer data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (data));

  return FOYER_IS_WINDOW (window)
         && g_strcmp0 (gtk_window_get_title (window), "Foyer — Bob Durand") == 0;
}

static void
test_bob_signed_in (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autoptr (GSubprocess) helper = NULL;
  g_autoptr (GSettings) settings = g_settings_new (APP_ID);
  g_autoptr (FoyerApplication) app = NULL;
  g_autofree char *token = NULL;
  g_autofree char *email = NULL;
  GtkWindow *window;
  GtkWidget *sidebar_title;
  FoyerTestWait wait = { NULL };
  const char *dirs[]
      = { g_get_user_data_dir (), g_get_user_config_dir (), g_get_user_cache_dir () };

  g_assert_nonnull (service);

  /* What demo.sh does in Bob's session, before his app starts. */
  helper = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                             FOYER_BUILDDIR "/tests/demo/foyer-demo-sign-in", "--service",
                             foyer_test_service_get_base_url (service), "--email",
                             FOYER_TEST_BOB_EMAIL, NULL);
  g_assert_no_error (error);
  g_assert_true (
      g_subprocess_communicate_utf8 (helper, FOYER_TEST_BOB_PASSWORD, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (helper));
  g_assert_cmpint (g_subprocess_get_exit_status (helper), ==, 0);

  /* The session is in the keyring, under the service's address. */
  foyer_service_secret_lookup_async (foyer_test_service_get_base_url (service), NULL,
                                     foyer_test_wait_cb, &wait);
  token = foyer_service_secret_lookup_finish (foyer_test_wait (&wait), &email, &error);
  g_clear_object (&wait.result);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpstr (email, ==, FOYER_TEST_BOB_EMAIL);

  /* His app, with the service's address in his settings: signed in. */
  g_settings_set_string (settings, "service-url", foyer_test_service_get_base_url (service));
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_application_activate (G_APPLICATION (app));
  g_assert_true (foyer_ui_test_wait_until (window_says_bob, app, 30000));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  sidebar_title = foyer_ui_test_child (GTK_WIDGET (window), FOYER_TYPE_WINDOW, "sidebar_title");
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (sidebar_title)), ==,
                   "Bob Durand");
  g_assert_cmpint (foyer_session_get_state (foyer_application_get_session (app)), !=,
                   FOYER_SESSION_SIGNED_OUT);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "ux-demo-bob"));

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    g_assert_false (foyer_test_tree_contains (dirs[i], token));

  gtk_window_destroy (window);
  foyer_session_disconnect (foyer_application_get_session (app));
  g_assert_true (foyer_test_service_stop (service));
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  g_test_add_func ("/ux/demo/bob-signed-in", test_bob_signed_in);
  return g_test_run ();
}
