/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service-sign-in"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-core.h"
#include "foyer-service-sign-in-dialog.h"

struct _FoyerServiceSignInDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *url_row;
  AdwEntryRow *email_row;
  AdwEntryRow *password_row;
  GtkWidget *sign_in_button;
  GtkSpinner *spinner;
  GtkLabel *error_label;
  gboolean busy;
};

G_DEFINE_FINAL_TYPE (FoyerServiceSignInDialog, foyer_service_sign_in_dialog, ADW_TYPE_WINDOW)

enum
{
  SUBMIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Accepts "foyer.example.com" or a full URL; only https, except plain http
 * on loopback (the demo and the tests). Returns the URL without a trailing
 * slash. */
char *
foyer_service_url_normalize (const char *text, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *with_scheme = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  const char *host;
  g_autofree char *result = NULL;

  if (*trimmed == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Enter the address of your organization’s Foyer service."));
      return NULL;
    }

  with_scheme = strstr (trimmed, "://") != NULL ? g_strdup (trimmed)
                                                : g_strconcat ("https://", trimmed, NULL);
  uri = g_uri_parse (with_scheme, G_URI_FLAGS_NONE, NULL);
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (host == NULL || *host == '\0' || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("This is not a valid service address."));
      return NULL;
    }

  scheme = g_uri_get_scheme (uri);
  if (!(g_ascii_strcasecmp (scheme, "https") == 0
        || (g_ascii_strcasecmp (scheme, "http") == 0 && foyer_host_is_loopback (host))))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("The service address must use a secure (https) connection."));
      return NULL;
    }

  result = g_uri_to_string (uri);
  while (g_str_has_suffix (result, "/"))
    result[strlen (result) - 1] = '\0';

  return g_steal_pointer (&result);
}

static gboolean
foyer_service_sign_in_dialog_is_complete (FoyerServiceSignInDialog *self)
{
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));

  return *gtk_editable_get_text (GTK_EDITABLE (self->url_row)) != '\0'
         && strchr (email, '@') != NULL
         && *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';
}

static void
foyer_service_sign_in_dialog_update (FoyerServiceSignInDialog *self)
{
  gboolean editable = !self->busy;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit",
                                 editable && foyer_service_sign_in_dialog_is_complete (self));
  /* Not insensitive: the focused row keeps its focus while we wait. */
  gtk_editable_set_editable (GTK_EDITABLE (self->url_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->email_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), editable);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
changed_cb (FoyerServiceSignInDialog *self)
{
  foyer_service_sign_in_dialog_update (self);
}

static void
submit_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerServiceSignInDialog *self = FOYER_SERVICE_SIGN_IN_DIALOG (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *email = NULL;

  if (self->busy || !foyer_service_sign_in_dialog_is_complete (self))
    return;

  url = foyer_service_url_normalize (gtk_editable_get_text (GTK_EDITABLE (self->url_row)), &error);
  if (url == NULL)
    {
      foyer_service_sign_in_dialog_set_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
      return;
    }

  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));
  foyer_service_sign_in_dialog_set_error (self, NULL);
  g_signal_emit (self, signals[SUBMIT], 0, url, email,
                 gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
}

/* Enter moves on to the next field still empty, and signs in from the
 * last one. */
static void
activate_cb (FoyerServiceSignInDialog *self)
{
  AdwEntryRow *rows[] = { self->url_row, self->email_row, self->password_row };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    if (*gtk_editable_get_text (GTK_EDITABLE (rows[i])) == '\0')
      {
        gtk_widget_grab_focus (GTK_WIDGET (rows[i]));
        return;
      }
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

void
foyer_service_sign_in_dialog_set_busy (FoyerServiceSignInDialog *self, gboolean busy)
{
  g_return_if_fail (FOYER_IS_SERVICE_SIGN_IN_DIALOG (self));

  self->busy = busy;
  foyer_service_sign_in_dialog_update (self);
}

void
foyer_service_sign_in_dialog_set_error (FoyerServiceSignInDialog *self, const char *message)
{
  g_return_if_fail (FOYER_IS_SERVICE_SIGN_IN_DIALOG (self));

  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
  if (message != NULL)
    {
      self->busy = FALSE;
      foyer_service_sign_in_dialog_update (self);
    }
}

static void
foyer_service_sign_in_dialog_class_init (FoyerServiceSignInDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  signals[SUBMIT]
      = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-service-sign-in-dialog.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, url_row);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, email_row);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, FoyerServiceSignInDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, activate_cb);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
foyer_service_sign_in_dialog_init (FoyerServiceSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  foyer_service_sign_in_dialog_update (self);
}

FoyerServiceSignInDialog *
foyer_service_sign_in_dialog_new (GtkWindow *parent, const char *service_url, const char *email)
{
  FoyerServiceSignInDialog *self
      = g_object_new (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "transient-for", parent, NULL);

  if (service_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), service_url);
  if (email != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->email_row), email);

  /* Focus the first field still to fill in. */
  if (service_url == NULL || *service_url == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
  else if (email == NULL || *email == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));

  return self;
}
