/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-microsoft"

#include "config.h"

#include "foyer-microsoft-sign-in-window.h"
#include "foyer-admin-approval.h"
#include "foyer-sign-in-view.h"

struct _FoyerMicrosoftSignInWindow
{
  AdwWindow parent_instance;

  FoyerMicrosoftAccount *account;
  FoyerSignInView *view; /* NULL in the browser mode */

  GtkStack *stack;
  AdwBin *view_slot;
  AdwBin *admin_slot;
};

G_DEFINE_FINAL_TYPE (FoyerMicrosoftSignInWindow, foyer_microsoft_sign_in_window, ADW_TYPE_WINDOW)

/* Done, failed or given up: the window goes. */
static void
account_state_cb (FoyerMicrosoftSignInWindow *self)
{
  if (foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTING)
    gtk_window_destroy (GTK_WINDOW (self));
}

/* The view is done; the window stays until the tokens are ours. */
static void
redirect_cb (FoyerMicrosoftSignInWindow *self, const char *uri)
{
  foyer_microsoft_account_complete_sign_in (self->account, uri);
}

static void
failed_cb (FoyerMicrosoftSignInWindow *self, const char *message)
{
  foyer_microsoft_account_abort_sign_in (self->account, message);
}

/* The administrator said it is done: a new sign-in, in a new window. */
static void
try_again_cb (FoyerMicrosoftSignInWindow *self)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  /* This window's sign-in ended already: it must not end the next one
   * when it goes, which may be after that one began. */
  g_autoptr (FoyerMicrosoftAccount) account = g_steal_pointer (&self->account);

  gtk_window_destroy (GTK_WINDOW (self));
  foyer_microsoft_sign_in_window_open (parent, account);
}

/* Entra ID's "Need admin approval" never comes back to the app: this
 * sign-in is over, and the window says, in words, what to ask the
 * administrator, with the address where they consent for everyone. */
static void
admin_approval_cb (FoyerMicrosoftSignInWindow *self)
{
  FoyerOrgPolicy *policy = foyer_microsoft_account_get_policy (self->account);
  g_autofree char *url = foyer_cloud_admin_consent_url (
      foyer_microsoft_account_get_cloud (self->account), foyer_org_policy_get_tenant_id (policy),
      foyer_org_policy_get_client_id (policy));
  GtkWidget *page = foyer_admin_approval_new (url);

  g_message ("Microsoft sign-in: the organization requires an administrator's consent");
  g_signal_handlers_disconnect_by_data (self->account, self);
  foyer_microsoft_account_abort_sign_in (self->account, NULL);
  g_signal_connect_object (page, "try-again", G_CALLBACK (try_again_cb), self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->admin_slot, page);
  gtk_stack_set_visible_child_name (self->stack, "admin");
}

static void
open_browser_cb (FoyerMicrosoftSignInWindow *self)
{
  foyer_microsoft_account_open_authorize_page (self->account, GTK_WINDOW (self));
}

static void
foyer_microsoft_sign_in_window_start (FoyerMicrosoftSignInWindow *self)
{
  FoyerOrgPolicy *policy = foyer_microsoft_account_get_policy (self->account);
  FoyerCloud *cloud = foyer_microsoft_account_get_cloud (self->account);
  g_autofree char *url = foyer_microsoft_account_dup_authorize_url (self->account);

  g_signal_connect_object (self->account, "notify::state", G_CALLBACK (account_state_cb), self,
                           G_CONNECT_SWAPPED);
  if (foyer_org_policy_get_browser_sign_in (policy))
    {
      gtk_window_set_default_size (GTK_WINDOW (self), 440, 460);
      gtk_stack_set_visible_child_name (self->stack, "browser");
      return;
    }

  gtk_window_set_default_size (GTK_WINDOW (self), 520, 680);
  self->view = foyer_sign_in_view_new (foyer_microsoft_account_get_web_session (self->account));
  g_signal_connect_object (self->view, "redirect", G_CALLBACK (redirect_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "failed", G_CALLBACK (failed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view, "admin-approval-needed", G_CALLBACK (admin_approval_cb),
                           self, G_CONNECT_SWAPPED);
  adw_bin_set_child (self->view_slot, GTK_WIDGET (self->view));
  gtk_stack_set_visible_child_name (self->stack, "view");
  foyer_sign_in_view_start (self->view, url, foyer_cloud_get_redirect_uri (cloud));
}

static FoyerMicrosoftSignInWindow *
find_open (FoyerMicrosoftAccount *account)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (FOYER_IS_MICROSOFT_SIGN_IN_WINDOW (window)
          && FOYER_MICROSOFT_SIGN_IN_WINDOW (window)->account == account)
        return FOYER_MICROSOFT_SIGN_IN_WINDOW (window);
    }
  return NULL;
}

gboolean
foyer_microsoft_sign_in_window_open (GtkWindow *parent, FoyerMicrosoftAccount *account)
{
  FoyerMicrosoftSignInWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), FALSE);
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account), FALSE);

  self = find_open (account);
  if (self == NULL)
    {
      if (!foyer_microsoft_account_begin_sign_in (account))
        return FALSE;
      self = g_object_new (FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW, "transient-for", parent, NULL);
      self->account = g_object_ref (account);
      foyer_microsoft_sign_in_window_start (self);
    }
  gtk_window_present (GTK_WINDOW (self));
  /* The browser mode opens the page at once. */
  if (self->view == NULL)
    open_browser_cb (self);
  return TRUE;
}

static void
foyer_microsoft_sign_in_window_dispose (GObject *object)
{
  FoyerMicrosoftSignInWindow *self = FOYER_MICROSOFT_SIGN_IN_WINDOW (object);

  /* Cancel, or closed: the sign-in ends with the window. */
  if (self->account != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->account, self);
      foyer_microsoft_account_abort_sign_in (self->account, NULL);
    }
  g_clear_object (&self->account);
  self->view = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_MICROSOFT_SIGN_IN_WINDOW);

  G_OBJECT_CLASS (foyer_microsoft_sign_in_window_parent_class)->dispose (object);
}

static void
foyer_microsoft_sign_in_window_class_init (FoyerMicrosoftSignInWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_microsoft_sign_in_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX
                                               "/foyer-microsoft-sign-in-window.ui");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);
  gtk_widget_class_bind_template_child (widget_class, FoyerMicrosoftSignInWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerMicrosoftSignInWindow, view_slot);
  gtk_widget_class_bind_template_child (widget_class, FoyerMicrosoftSignInWindow, admin_slot);
  gtk_widget_class_bind_template_callback (widget_class, open_browser_cb);
}

static void
foyer_microsoft_sign_in_window_init (FoyerMicrosoftSignInWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
