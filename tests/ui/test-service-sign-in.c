/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "foyer-service-sign-in-dialog.h"
#include "foyer-ui-test.h"

static void
test_url_normalize (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } good[] = {
    { "foyer.contoso.example", "https://foyer.contoso.example" },
    { "  https://foyer.contoso.example/ ", "https://foyer.contoso.example" },
    { "https://foyer.contoso.example:8443/base/", "https://foyer.contoso.example:8443/base" },
    { "http://127.0.0.1:8080", "http://127.0.0.1:8080" },
    { "http://localhost:8080/", "http://localhost:8080" },
  };
  static const char *bad[] = {
    "",
    "   ",
    "http://foyer.contoso.example",
    "ftp://foyer.contoso.example",
    "https://user:pw@foyer.contoso.example",
    "https://foyer.contoso.example/?x=1",
    "javascript:alert(1)",
    "https://",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = foyer_service_url_normalize (good[i].in, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, good[i].out);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *url = foyer_service_url_normalize (bad[i], &error);

      g_assert_null (url);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_cmpstr (error->message, !=, "");
    }
}

typedef struct
{
  char *url;
  char *email;
  char *password;
  guint count;
} Submitted;

static void
submit_cb (FoyerServiceSignInDialog *dialog,
           const char *url,
           const char *email,
           const char *password,
           Submitted *s)
{
  s->count++;
  g_free (s->url);
  g_free (s->email);
  g_free (s->password);
  s->url = g_strdup (url);
  s->email = g_strdup (email);
  s->password = g_strdup (password);
}

static void
set_row (FoyerServiceSignInDialog *dialog, const char *name, const char *text)
{
  GtkWidget *row
      = foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, name);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
test_dialog (void)
{
  FoyerServiceSignInDialog *dialog = foyer_service_sign_in_dialog_new (NULL, NULL, NULL);
  GtkWidget *error_label
      = foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "error_label");
  GtkWidget *button = foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG,
                                           "sign_in_button");
  Submitted s = { 0 };
  g_autofree char *png = NULL;

  g_signal_connect (dialog, "submit", G_CALLBACK (submit_cb), &s);
  gtk_window_present (GTK_WINDOW (dialog));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));

  /* Nothing to submit until every field is filled in. */
  g_assert_false (gtk_widget_is_sensitive (button));
  set_row (dialog, "url_row", "http://foyer.contoso.example");
  set_row (dialog, "email_row", "alice@contoso.example");
  g_assert_false (gtk_widget_is_sensitive (button));
  set_row (dialog, "password_row", "s3cret & <b>");
  g_assert_true (gtk_widget_is_sensitive (button));

  /* An insecure address is refused with a message, and nothing is sent. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (s.count, ==, 0);
  g_assert_true (gtk_widget_get_visible (error_label));

  set_row (dialog, "url_row", "foyer.contoso.example/");
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (s.count, ==, 1);
  g_assert_cmpstr (s.url, ==, "https://foyer.contoso.example");
  g_assert_cmpstr (s.email, ==, "alice@contoso.example");
  g_assert_cmpstr (s.password, ==, "s3cret & <b>");
  g_assert_false (gtk_widget_get_visible (error_label));

  /* While busy, a second submit cannot happen; an error re-enables it. */
  foyer_service_sign_in_dialog_set_busy (dialog, TRUE);
  g_assert_false (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_cmpuint (s.count, ==, 1);
  foyer_service_sign_in_dialog_set_error (dialog, "The e-mail address or password is wrong.");
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "The e-mail address or password is wrong.");

  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (dialog), "service-sign-in");

  gtk_window_destroy (GTK_WINDOW (dialog));
  g_free (s.url);
  g_free (s.email);
  g_free (s.password);
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);

  g_test_add_func ("/spaces/service-sign-in/url", test_url_normalize);
  g_test_add_func ("/spaces/service-sign-in/dialog", test_dialog);

  return g_test_run ();
}
