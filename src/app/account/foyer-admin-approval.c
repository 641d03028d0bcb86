/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-microsoft"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-admin-approval.h"

struct _FoyerAdminApproval
{
  AdwBin parent_instance;

  char *consent_url;
  GtkButton *copy_button;
};

G_DEFINE_FINAL_TYPE (FoyerAdminApproval, foyer_admin_approval, ADW_TYPE_BIN)

enum
{
  TRY_AGAIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
copy_cb (FoyerAdminApproval *self)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->consent_url);
  gtk_button_set_label (self->copy_button, _ ("Copied"));
}

static void
try_again_cb (FoyerAdminApproval *self)
{
  g_signal_emit (self, signals[TRY_AGAIN], 0);
}

static void
foyer_admin_approval_finalize (GObject *object)
{
  FoyerAdminApproval *self = FOYER_ADMIN_APPROVAL (object);

  g_free (self->consent_url);
  G_OBJECT_CLASS (foyer_admin_approval_parent_class)->finalize (object);
}

static void
foyer_admin_approval_class_init (FoyerAdminApprovalClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_admin_approval_finalize;

  /* The administrator says it is done: sign in again. */
  signals[TRY_AGAIN] = g_signal_new ("try-again", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
foyer_admin_approval_init (FoyerAdminApproval *self)
{
}

static GtkWidget *
link_label (const char *url)
{
  GtkWidget *label = gtk_label_new (url);

  /* Plain text, selectable: an address to hand over, not to follow here. */
  gtk_widget_set_name (label, "admin-consent-link");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_CHAR);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "caption");
  return label;
}

GtkWidget *
foyer_admin_approval_new (const char *consent_url)
{
  FoyerAdminApproval *self;
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *again = gtk_button_new_with_mnemonic (_ ("_Try Again"));

  g_return_val_if_fail (consent_url != NULL, NULL);

  self = g_object_new (FOYER_TYPE_ADMIN_APPROVAL, NULL);
  self->consent_url = g_strdup (consent_url);
  self->copy_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_ ("_Copy Address")));

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "dialog-password-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _ ("Your Administrator Must Approve Foyer"));
  adw_status_page_set_description (
      ADW_STATUS_PAGE (status),
      _ ("Your organization lets only its administrators allow apps to use Microsoft 365. Ask "
         "your IT administrator to grant Foyer access for everyone in the organization: they "
         "open the address below, sign in with their administrator account and accept the "
         "permissions Foyer asks for. Then try again."));

  gtk_box_append (GTK_BOX (box), link_label (consent_url));
  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->copy_button), "pill");
  gtk_widget_add_css_class (again, "pill");
  gtk_widget_add_css_class (again, "suggested-action");
  gtk_widget_set_name (again, "admin-approval-try-again");
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_cb), self);
  g_signal_connect_swapped (again, "clicked", G_CALLBACK (try_again_cb), self);
  gtk_box_append (GTK_BOX (buttons), GTK_WIDGET (self->copy_button));
  gtk_box_append (GTK_BOX (buttons), again);
  gtk_box_append (GTK_BOX (box), buttons);
  adw_status_page_set_child (ADW_STATUS_PAGE (status), box);
  adw_bin_set_child (ADW_BIN (self), status);
  return GTK_WIDGET (self);
}

const char *
foyer_admin_approval_get_consent_url (FoyerAdminApproval *self)
{
  g_return_val_if_fail (FOYER_IS_ADMIN_APPROVAL (self), NULL);

  return self->consent_url;
}
