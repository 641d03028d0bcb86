/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-service-sign-in-dialog.h"
#include "foyer-space-switcher.h"
#include "foyer-window-private.h"

/* win.*: the window's own (class actions), and what the three groups
 * share: the dialogs that ask, and which requests make sense now. The
 * space's requests are in foyer-window-space-actions.c, the account's in
 * foyer-window-account-actions.c. */

static void
show_spaces_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* What is in the composer goes to the open space (space.send-text); the
 * composer is free for the next message at once. */
static void
send_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  g_autofree char *text = _foyer_window_take_composer_text (self);

  if (self->current_space == NULL || *g_strstrip (text) == '\0')
    return;

  self->stick_to_bottom = TRUE;
  gtk_widget_activate_action (widget, "space.send-text", "s", text);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", 0);
  foyer_space_item_set_draft (self->current_space, NULL);
}

static void
sign_in_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerServiceSignInDialog) dialog = user_data;
  g_autoptr (GError) error = NULL;

  if (foyer_session_sign_in_finish (FOYER_SESSION (source), result, &error))
    gtk_window_destroy (GTK_WINDOW (dialog));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_service_sign_in_dialog_set_error (dialog, error->message);
}

static void
sign_in_submit_cb (FoyerServiceSignInDialog *dialog,
                   const char *url,
                   const char *email,
                   const char *password,
                   FoyerWindow *self)
{
  g_settings_set_string (self->settings, "service-url", url);
  foyer_service_sign_in_dialog_set_busy (dialog, TRUE);
  foyer_session_sign_in_async (self->session, url, email, password, NULL, sign_in_done_cb,
                               g_object_ref (dialog));
}

static void
sign_in_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  g_autofree char *url = g_settings_get_string (self->settings, "service-url");
  const char *preset = g_getenv ("FOYER_SERVICE_URL");
  FoyerServiceSignInDialog *dialog;

  if (self->session == NULL)
    return;
  /* The demo presets its local service. */
  if (*url == '\0' && preset != NULL)
    {
      g_free (url);
      url = g_strdup (preset);
    }

  dialog = foyer_service_sign_in_dialog_new (GTK_WINDOW (self), url, NULL);
  g_signal_connect_object (dialog, "submit", G_CALLBACK (sign_in_submit_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Dialogs asking for text or a yes, for the three groups. */
/* What a dialog's response needs: the window, and the space it was asked
 * in (NULL: none). */
FoyerWindowAsk *
_foyer_window_ask_new (FoyerWindow *self, FoyerSpaceItem *space)
{
  FoyerWindowAsk *ask = g_new0 (FoyerWindowAsk, 1);

  ask->window = g_object_ref (self);
  ask->space = space != NULL ? g_object_ref (space) : NULL;
  return ask;
}

void
_foyer_window_ask_free (FoyerWindowAsk *ask)
{
  g_clear_object (&ask->window);
  g_clear_object (&ask->space);
  g_free (ask);
}

GtkWidget *
_foyer_window_entry_row (GtkWidget *box, const char *placeholder)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  placeholder, -1);
  gtk_box_append (GTK_BOX (box), entry);
  return entry;
}

/* A question with a default response and, if box is given, entries. */
AdwMessageDialog *
_foyer_window_ask_dialog (FoyerWindow *self, const char *heading, const char *body, GtkWidget *box)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  if (box != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  return ADW_MESSAGE_DIALOG (dialog);
}

void
_foyer_window_add_response (AdwMessageDialog *dialog,
                            const char *response,
                            const char *label,
                            AdwResponseAppearance appearance)
{
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, appearance);
  adw_message_dialog_set_default_response (dialog, response);
}

static char **
split_emails (const char *text)
{
  g_auto (GStrv) parts = g_strsplit_set (text != NULL ? text : "", ",; \n", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);

  return g_strv_builder_end (builder);
}

static void
create_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) space = NULL;

  space = foyer_session_create_space_finish (FOYER_SESSION (source), result, &error);
  if (space != NULL)
    foyer_window_open_space (self, space);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (self, error->message);
}

static void
new_space_response_cb (AdwMessageDialog *dialog, const char *response, FoyerWindowAsk *ask)
{
  g_autofree char *title = NULL;
  g_auto (GStrv) emails = NULL;

  if (g_strcmp0 (response, "create") != 0)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (ask->entry))));
  if (*title == '\0')
    return;
  emails = split_emails (gtk_editable_get_text (GTK_EDITABLE (ask->members_entry)));
  foyer_session_create_space_async (ask->window->session, title, (const char *const *) emails, NULL,
                                    create_done_cb, g_object_ref (ask->window));
}

/* Each part looks like an address: something, one @, a domain. */
static gboolean
emails_look_valid (const char *text)
{
  g_auto (GStrv) emails = split_emails (text);

  for (guint i = 0; emails[i] != NULL; i++)
    {
      const char *at = strchr (emails[i], '@');

      if (at == NULL || at == emails[i] || at[1] == '\0' || strchr (at + 1, '@') != NULL)
        return FALSE;
    }
  return TRUE;
}

/* Create stays off until there is a title and the addresses look right;
 * a wrong address is marked where it was typed. */
static void
new_space_validate_cb (AdwMessageDialog *dialog)
{
  GtkWidget *title = g_object_get_data (G_OBJECT (dialog), "title-entry");
  GtkWidget *members = g_object_get_data (G_OBJECT (dialog), "members-entry");
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (title))));
  gboolean emails_ok = emails_look_valid (gtk_editable_get_text (GTK_EDITABLE (members)));

  if (emails_ok)
    gtk_widget_remove_css_class (members, "error");
  else
    gtk_widget_add_css_class (members, "error");
  adw_message_dialog_set_response_enabled (dialog, "create", *text != '\0' && emails_ok);
}

static void
new_space_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  AdwMessageDialog *dialog;
  FoyerWindowAsk *ask;

  if (self->session == NULL || foyer_session_get_state (self->session) == FOYER_SESSION_SIGNED_OUT)
    {
      g_object_ref_sink (box);
      g_object_unref (box);
      return;
    }

  ask = _foyer_window_ask_new (self, NULL);
  ask->entry = _foyer_window_entry_row (box, _ ("Title"));
  ask->members_entry = _foyer_window_entry_row (box, _ ("Members’ e-mail addresses (optional)"));
  dialog = _foyer_window_ask_dialog (
      self, _ ("New Space"), _ ("The title is encrypted before it leaves this device."), box);
  _foyer_window_add_response (dialog, "create", _ ("C_reate"), ADW_RESPONSE_SUGGESTED);
  g_object_set_data (G_OBJECT (dialog), "title-entry", ask->entry);
  g_object_set_data (G_OBJECT (dialog), "members-entry", ask->members_entry);
  g_signal_connect_object (ask->entry, "changed", G_CALLBACK (new_space_validate_cb), dialog,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ask->members_entry, "changed", G_CALLBACK (new_space_validate_cb),
                           dialog, G_CONNECT_SWAPPED);
  new_space_validate_cb (dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (new_space_response_cb), ask,
                         (GClosureNotify) _foyer_window_ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* win.jump-to-space (Ctrl+K): Jump to a Space, over the window. */
static void
jump_to_space_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  FoyerSpaceSwitcher *switcher;

  if (self->spaces == NULL)
    return;
  switcher = foyer_space_switcher_new (GTK_WINDOW (self), G_LIST_MODEL (self->sorted_spaces));
  gtk_window_present (GTK_WINDOW (switcher));
}

/* win.open-space (s): the space with this id, as a click in the sidebar. */
static void
open_space_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  GListModel *spaces = G_LIST_MODEL (self->sorted_spaces);
  const char *id = g_variant_get_string (parameter, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (spaces); i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (spaces, i);

      if (g_strcmp0 (foyer_space_item_get_id (space), id) == 0)
        {
          _foyer_window_select_space (self, i);
          return;
        }
    }
}

/* The space step places below (or above) the open one in the sidebar;
 * from none, the first (or the last). */
static void
step_space (FoyerWindow *self, int step)
{
  GListModel *spaces = G_LIST_MODEL (self->sorted_spaces);
  guint n = g_list_model_get_n_items (spaces);
  guint current = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; self->current_space != NULL && i < n; i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (spaces, i);

      if (space == self->current_space)
        current = i;
    }
  if (n == 0)
    return;
  if (current == GTK_INVALID_LIST_POSITION)
    _foyer_window_select_space (self, step > 0 ? 0 : n - 1);
  else if (step > 0 && current + 1 < n)
    _foyer_window_select_space (self, current + 1);
  else if (step < 0 && current > 0)
    _foyer_window_select_space (self, current - 1);
}

/* win.previous-space (Alt+Up) and win.next-space (Alt+Down). */
static void
previous_space_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  step_space (FOYER_WINDOW (widget), -1);
}

static void
next_space_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  step_space (FOYER_WINDOW (widget), 1);
}

/* space.*: the open space's, backed by the session. */

/* win.show-toast (s): what a widget inside the window has to say. */
static void
show_toast_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  foyer_window_show_toast (FOYER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
enable (GSimpleActionGroup *group, const char *name, gboolean enabled)
{
  GAction *action = group != NULL ? g_action_map_lookup_action (G_ACTION_MAP (group), name) : NULL;

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

/* Which requests make sense now: the space's while one is open, the
 * account's by its state. */
void
_foyer_window_update_actions (FoyerWindow *self)
{
  gboolean in_space = _foyer_window_in_space (self);
  gboolean signed_in = self->session != NULL
                       && foyer_session_get_state (self->session) != FOYER_SESSION_SIGNED_OUT;
  FoyerMicrosoftState state = self->account != NULL
                                  ? foyer_microsoft_account_get_state (self->account)
                                  : FOYER_MICROSOFT_UNAVAILABLE;
  const char *const space_actions[]
      = { "attach-file", "add-member", "remove-member", "leave-space" };

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send", in_space);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.jump-to-space", self->spaces != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.previous-space", self->spaces != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.next-space", self->spaces != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (space_actions); i++)
    enable (self->space_actions, space_actions[i], in_space);
  enable (self->account_actions, "connect-microsoft",
          state == FOYER_MICROSOFT_DISCONNECTED || state == FOYER_MICROSOFT_RECONNECT_NEEDED);
  enable (self->account_actions, "disconnect-microsoft",
          state == FOYER_MICROSOFT_CONNECTED || state == FOYER_MICROSOFT_RECONNECT_NEEDED);
  enable (self->account_actions, "sign-out", signed_in);
  enable (self->account_actions, "open-document", state != FOYER_MICROSOFT_UNAVAILABLE);
  if (self->space_actions != NULL)
    _foyer_window_files_update_actions (self, in_space);
}

void
_foyer_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-spaces", NULL, show_spaces_cb);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_cb);
  gtk_widget_class_install_action (widget_class, "win.sign-in", NULL, sign_in_cb);
  gtk_widget_class_install_action (widget_class, "win.new-space", NULL, new_space_cb);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_cb);
  gtk_widget_class_install_action (widget_class, "win.jump-to-space", NULL, jump_to_space_cb);
  gtk_widget_class_install_action (widget_class, "win.open-space", "s", open_space_cb);
  gtk_widget_class_install_action (widget_class, "win.previous-space", NULL, previous_space_cb);
  gtk_widget_class_install_action (widget_class, "win.next-space", NULL, next_space_cb);
}

/* Without a session or an account (tests), their requests go nowhere, or
 * to the groups a test puts in place of these. */
void
_foyer_window_init_actions (FoyerWindow *self)
{
  _foyer_window_add_space_actions (self);
  _foyer_window_add_account_actions (self);
  _foyer_window_update_actions (self);
}
