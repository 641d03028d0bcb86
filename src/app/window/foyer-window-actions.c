/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "picker/foyer-picker-dialog.h"
#include "foyer-document-item.h"
#include "foyer-microsoft-sign-in-window.h"
#include "foyer-preferences-window.h"
#include "foyer-service-sign-in-dialog.h"
#include "foyer-permission-text.h"
#include "foyer-share.h"
#include "foyer-space-switcher.h"
#include "foyer-text.h"
#include "foyer-window-private.h"

#include "foyer-access-check.h"
#include "foyer-json.h"

/* win.*: the window's own (class actions). */

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

/* A dialog asking for text: what its response needs. */
typedef struct
{
  FoyerWindow *window;
  FoyerSpaceItem *space; /* NULL for a new space */
  GtkWidget *entry;
  GtkWidget *members_entry;
} Ask;

static void
ask_free (Ask *ask)
{
  g_clear_object (&ask->window);
  g_clear_object (&ask->space);
  g_free (ask);
}

static GtkWidget *
entry_row (GtkWidget *box, const char *placeholder)
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
static AdwMessageDialog *
ask_dialog (FoyerWindow *self, const char *heading, const char *body, GtkWidget *box)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  if (box != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  return ADW_MESSAGE_DIALOG (dialog);
}

static void
add_response (AdwMessageDialog *dialog,
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
new_space_response_cb (AdwMessageDialog *dialog, const char *response, Ask *ask)
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
  Ask *ask;

  if (self->session == NULL || foyer_session_get_state (self->session) == FOYER_SESSION_SIGNED_OUT)
    {
      g_object_ref_sink (box);
      g_object_unref (box);
      return;
    }

  ask = g_new0 (Ask, 1);
  ask->window = g_object_ref (self);
  ask->entry = entry_row (box, _ ("Title"));
  ask->members_entry = entry_row (box, _ ("Members’ e-mail addresses (optional)"));
  dialog = ask_dialog (self, _ ("New Space"),
                       _ ("The title is encrypted before it leaves this device."), box);
  add_response (dialog, "create", _ ("C_reate"), ADW_RESPONSE_SUGGESTED);
  g_object_set_data (G_OBJECT (dialog), "title-entry", ask->entry);
  g_object_set_data (G_OBJECT (dialog), "members-entry", ask->members_entry);
  g_signal_connect_object (ask->entry, "changed", G_CALLBACK (new_space_validate_cb), dialog,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ask->members_entry, "changed", G_CALLBACK (new_space_validate_cb),
                           dialog, G_CONNECT_SWAPPED);
  new_space_validate_cb (dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (new_space_response_cb), ask,
                         (GClosureNotify) ask_free, 0);
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

static void
load_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->session != NULL && self->current_space != NULL)
    foyer_session_open_space (self->session, self->current_space);
}

static void
load_older_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->session != NULL && self->current_space != NULL)
    foyer_session_load_older (self->session, self->current_space);
}

static void
shared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *notice = NULL;

  g_autofree char *summary = NULL;

  if (!foyer_share_document_finish (result, &notice, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        foyer_window_show_toast (self, error->message);
      return;
    }
  /* With whom it was shared, and what the person should know besides. */
  summary = foyer_share_document_dup_summary (result);
  if (summary != NULL && notice != NULL)
    {
      g_autofree char *both = g_strconcat (summary, " ", notice, NULL);

      foyer_window_show_toast (self, both);
    }
  else if (summary != NULL || notice != NULL)
    foyer_window_show_toast (self, summary != NULL ? summary : notice);
}

/* space.send-text (s). A pasted OneDrive or SharePoint link becomes a
 * document tile. */
static void
send_text_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  const char *text = g_variant_get_string (parameter, NULL);

  if (self->session == NULL || self->current_space == NULL)
    return;
  if (self->account != NULL && foyer_share_is_document_link (self->account, text))
    foyer_share_link_async (self->account, self->session, self->current_space, text, NULL,
                            shared_cb, g_object_ref (self));
  else
    foyer_session_send_text (self->session, self->current_space, text);
}

/* space.retry-message (s): a failed message's Retry. */
static void
retry_message_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->session != NULL && self->current_space != NULL)
    foyer_session_retry_message (self->session, self->current_space,
                                 g_variant_get_string (parameter, NULL));
}

static void
picker_share_cb (FoyerPickerDialog *picker,
                 FoyerDriveItem *item,
                 FoyerLinkType link_type,
                 FoyerLinkAudience audience,
                 Ask *ask)
{
  FoyerWindow *self = ask->window;
  g_autofree char *comment = NULL;

  /* What the person had typed goes with the file, in the same message. */
  if (ask->space == self->current_space)
    {
      comment = g_strstrip (_foyer_window_take_composer_text (self));
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", 0);
      foyer_space_item_set_draft (self->current_space, NULL);
    }
  self->stick_to_bottom = TRUE;
  foyer_share_document_full_async (self->account, self->session, ask->space, item, link_type,
                                   audience, foyer_picker_dialog_get_grant_emails (picker), comment,
                                   NULL, shared_cb, g_object_ref (self));
  gtk_window_destroy (GTK_WINDOW (picker));
}

/* What the organization lets this person choose, for this space (the
 * picker's, and the upload dialog's). */
FoyerPickerPolicy *
_foyer_window_picker_policy (FoyerWindow *self, FoyerSpaceItem *space)
{
  FoyerOrgPolicy *org = foyer_microsoft_account_get_policy (self->account);
  FoyerLinkAudience audiences[FOYER_LINK_AUDIENCE_EXISTING + 1];
  g_autofree char *domain = NULL;
  FoyerPickerPolicy *policy;
  guint n = 0;

  for (FoyerLinkAudience a = FOYER_LINK_AUDIENCE_ANYONE; a <= FOYER_LINK_AUDIENCE_EXISTING; a++)
    if (foyer_org_policy_allows_audience (org, a))
      audiences[n++] = a;
  audiences[n] = FOYER_LINK_AUDIENCE_NONE;
  policy = foyer_picker_policy_new (audiences, foyer_org_policy_get_default_audience (org),
                                    foyer_org_policy_get_default_link_type (org),
                                    foyer_session_get_member_emails (self->session, space));
  foyer_picker_policy_set_member_names (policy,
                                        foyer_session_get_member_names (self->session, space));
  /* The organization is taken to be the sharer's own e-mail domain (see
   * docs/decisions.md): members elsewhere are guests to it. */
  domain = foyer_access_check_email_domain (foyer_microsoft_account_get_email (self->account));
  if (domain != NULL)
    {
      const char *const domains[] = { domain, NULL };

      foyer_picker_policy_set_organization_domains (policy, domains);
    }
  return policy;
}

/* Connects the Microsoft account first, then does what the person asked
 * for (action with parameter, in the space open now) once connected; a
 * sign-in that ends otherwise forgets it. */
static void
connect_then (FoyerWindow *self, const char *action, GVariant *parameter)
{
  _foyer_window_forget_after_connect (self);
  self->after_connect_action = g_strdup (action);
  self->after_connect_parameter = parameter != NULL ? g_variant_ref_sink (parameter) : NULL;
  g_set_object (&self->after_connect_space, self->current_space);
  gtk_widget_activate_action (GTK_WIDGET (self), "account.connect-microsoft", NULL);
  /* No sign-in could start (the reason was shown). */
  if (foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTING)
    _foyer_window_forget_after_connect (self);
}

void
_foyer_window_forget_after_connect (FoyerWindow *self)
{
  g_clear_pointer (&self->after_connect_action, g_free);
  g_clear_pointer (&self->after_connect_parameter, g_variant_unref);
  g_clear_object (&self->after_connect_space);
}

/* The account's state moved: what waited for a sign-in goes on (in the
 * space it was asked in), or is forgotten when the sign-in ended without
 * connecting. */
void
_foyer_window_account_state_changed (FoyerWindow *self, FoyerMicrosoftState state)
{
  g_autofree char *action = NULL;
  g_autoptr (GVariant) parameter = NULL;
  gboolean same_space;

  if (self->after_connect_action == NULL || state == FOYER_MICROSOFT_CONNECTING)
    return;
  action = g_steal_pointer (&self->after_connect_action);
  parameter = g_steal_pointer (&self->after_connect_parameter);
  same_space = self->after_connect_space == self->current_space;
  g_clear_object (&self->after_connect_space);
  if (state == FOYER_MICROSOFT_CONNECTED && same_space)
    gtk_widget_activate_action_variant (GTK_WIDGET (self), action, parameter);
}

/* Whether Microsoft files can be shared now; if not, says why, or asks for
 * the sign-in it needs first and then does then_action (if not NULL). */
gboolean
_foyer_window_microsoft_ready (FoyerWindow *self, const char *then_action)
{
  FoyerMicrosoftState state;

  if (self->account == NULL)
    return FALSE;
  state = foyer_microsoft_account_get_state (self->account);
  if (state == FOYER_MICROSOFT_UNAVAILABLE)
    {
      AdwMessageDialog *dialog
          = ask_dialog (self, _ ("Microsoft Files Are Not Available"),
                        foyer_microsoft_account_get_unavailable_reason (self->account), NULL);

      adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return FALSE;
    }
  if (state != FOYER_MICROSOFT_CONNECTED)
    {
      if (then_action != NULL)
        connect_then (self, then_action, NULL);
      else
        gtk_widget_activate_action (GTK_WIDGET (self), "account.connect-microsoft", NULL);
      return FALSE;
    }
  return TRUE;
}

/* space.attach-file: the Microsoft file picker, or why not, or the
 * sign-in it needs first. */
static void
attach_file_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  FoyerPickerDialog *picker;
  Ask *ask;

  if (self->session == NULL || self->current_space == NULL
      || !_foyer_window_microsoft_ready (self, "space.attach-file"))
    return;

  policy = _foyer_window_picker_policy (self, self->current_space);
  picker = foyer_picker_dialog_new (GTK_WINDOW (self),
                                    foyer_microsoft_account_get_graph (self->account), policy);
  ask = g_new0 (Ask, 1);
  ask->window = g_object_ref (self);
  ask->space = g_object_ref (self->current_space);
  g_signal_connect_data (picker, "share", G_CALLBACK (picker_share_cb), ask,
                         (GClosureNotify) ask_free, 0);
  gtk_window_present (GTK_WINDOW (picker));
}

static void
member_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean added = g_task_get_source_tag (G_TASK (result)) == foyer_session_add_member_async;
  gboolean ok = added ? foyer_session_add_member_finish (FOYER_SESSION (source), result, &error)
                      : foyer_session_remove_member_finish (FOYER_SESSION (source), result, &error);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (self, error->message);
  else if (ok)
    foyer_window_show_toast (self, added ? _ ("Member added") : _ ("Member removed"));
}

static void
member_response_cb (AdwMessageDialog *dialog, const char *response, Ask *ask)
{
  g_autofree char *email = NULL;

  if (g_strcmp0 (response, "add") != 0 && g_strcmp0 (response, "remove") != 0)
    return;
  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (ask->entry))));
  if (*email == '\0')
    return;
  if (g_str_equal (response, "add"))
    foyer_session_add_member_async (ask->window->session, ask->space, email, NULL, member_done_cb,
                                    g_object_ref (ask->window));
  else
    foyer_session_remove_member_by_email_async (ask->window->session, ask->space, email, NULL,
                                                member_done_cb, g_object_ref (ask->window));
}

static void
member_dialog (FoyerWindow *self, gboolean add)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  AdwMessageDialog *dialog;
  Ask *ask = g_new0 (Ask, 1);

  ask->window = g_object_ref (self);
  ask->space = g_object_ref (self->current_space);
  ask->entry = entry_row (box, _ ("E-mail address"));
  dialog = ask_dialog (self, add ? _ ("Add Member") : _ ("Remove Member"),
                       add ? _ ("They will see the space’s whole history.")
                           : _ ("They will no longer see new messages."),
                       box);
  add_response (dialog, add ? "add" : "remove", add ? _ ("_Add") : _ ("_Remove"),
                add ? ADW_RESPONSE_SUGGESTED : ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_data (dialog, "response", G_CALLBACK (member_response_cb), ask,
                         (GClosureNotify) ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_member_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->session != NULL && self->current_space != NULL)
    member_dialog (self, TRUE);
}

static void
remove_member_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->session != NULL && self->current_space != NULL)
    member_dialog (self, FALSE);
}

static void
leave_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_session_remove_member_finish (FOYER_SESSION (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (self, error->message);
}

static void
leave_response_cb (AdwMessageDialog *dialog, const char *response, Ask *ask)
{
  FoyerSession *session = ask->window->session;

  if (g_strcmp0 (response, "leave") != 0)
    return;
  foyer_window_open_space (ask->window, NULL);
  foyer_session_remove_member_async (session, ask->space, foyer_session_get_person_id (session),
                                     NULL, leave_done_cb, g_object_ref (ask->window));
}

static void
leave_space_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  AdwMessageDialog *dialog;
  Ask *ask;

  if (self->session == NULL || self->current_space == NULL)
    return;
  ask = g_new0 (Ask, 1);
  ask->window = g_object_ref (self);
  ask->space = g_object_ref (self->current_space);
  dialog
      = ask_dialog (self, _ ("Leave Space?"),
                    _ ("You will no longer see its messages unless someone adds you again."), NULL);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "leave", _ ("_Leave"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "leave", ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_data (dialog, "response", G_CALLBACK (leave_response_cb), ask,
                         (GClosureNotify) ask_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
update_sharing_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerDocumentItem) document = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = foyer_share_update_finish (result, &error);
  g_autofree char *joined = NULL;
  g_autofree char *text = NULL;
  guint n;

  if (names == NULL)
    {
      text = g_strdup_printf (_ ("Could not update file sharing: %s"), error->message);
      foyer_document_item_set_sharing (document, FALSE, text, TRUE);
      return;
    }
  n = g_strv_length (names);
  joined = g_strjoinv (", ", names);
  foyer_document_item_set_access (document, FALSE,
                                  foyer_document_item_get_checked_members (document));
  if (n == 0)
    text = g_strdup (_ ("Everyone in this space can already open it."));
  else
    /* Translators: %s is a list of names. */
    text = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%s can now open it.", "%s can now open it.", n), joined);
  foyer_document_item_set_sharing (document, FALSE, text, FALSE);
}

/* space.update-sharing (s): Update File Sharing on the document of a
 * message (by id) in the open space; the document says how it went. */
static void
update_sharing_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerMessageItem *message;
  FoyerDocumentItem *document;

  if (self->session == NULL || self->current_space == NULL || self->account == NULL)
    return;
  message = foyer_message_list_find (foyer_space_item_get_messages (self->current_space),
                                     g_variant_get_string (parameter, NULL));
  document = message != NULL && FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (message))
                 ? FOYER_DOCUMENT_ITEM (foyer_message_item_get_attachment (message))
                 : NULL;
  if (document == NULL || foyer_document_item_get_ref (document) == NULL
      || foyer_document_item_get_sharing_busy (document))
    return;

  foyer_document_item_set_sharing (document, TRUE, _ ("Updating file sharing…"), FALSE);
  foyer_share_update_async (self->account, self->session, self->current_space,
                            foyer_document_item_get_ref (document), NULL, update_sharing_done_cb,
                            g_object_ref (document));
}

/* The space's members, as one string that changes when they do. */
static char *
members_key (FoyerWindow *self, FoyerSpaceItem *space)
{
  const char *const *emails = foyer_session_get_member_emails (self->session, space);

  return emails != NULL ? g_strjoinv (",", (char **) emails) : g_strdup ("");
}

static FoyerDocumentItem *
document_of (FoyerWindow *self, const char *message_id)
{
  FoyerMessageItem *message
      = foyer_message_list_find (foyer_space_item_get_messages (self->current_space), message_id);
  GObject *attachment = message != NULL ? foyer_message_item_get_attachment (message) : NULL;

  return FOYER_IS_DOCUMENT_ITEM (attachment) ? FOYER_DOCUMENT_ITEM (attachment) : NULL;
}

typedef struct
{
  FoyerDocumentItem *document;
  char *members;
} CheckOp;

static void
checked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CheckOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = foyer_share_update_finish (result, &error);

  /* When Microsoft would not say (not the owner, offline), the sharer is
   * still offered the update, which says what went wrong. */
  if (g_strcmp0 (foyer_document_item_get_checked_members (op->document), op->members) == 0)
    foyer_document_item_set_access (op->document, names == NULL || names[0] != NULL, op->members);
  g_object_unref (op->document);
  g_free (op->members);
  g_free (op);
}

/* space.check-sharing (s): whether anyone in the space cannot open the
 * document of a message (by id), once for each set of members. */
static void
check_sharing_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerDocumentItem *document;
  g_autofree char *members = NULL;
  CheckOp *op;

  if (self->session == NULL || self->current_space == NULL || self->account == NULL
      || foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    return;
  document = document_of (self, g_variant_get_string (parameter, NULL));
  if (document == NULL || foyer_document_item_get_ref (document) == NULL)
    return;
  members = members_key (self, self->current_space);
  if (g_strcmp0 (foyer_document_item_get_checked_members (document), members) == 0)
    return;
  foyer_document_item_set_access (document, foyer_document_item_get_needs_update (document),
                                  members);
  op = g_new0 (CheckOp, 1);
  op->document = g_object_ref (document);
  op->members = g_steal_pointer (&members);
  foyer_share_check_async (self->account, self->session, self->current_space,
                           foyer_document_item_get_ref (document), NULL, checked_cb, op);
}

/* Someone joined or left the open space: its documents are checked again
 * as their tiles show them. */
void
_foyer_window_members_changed (FoyerWindow *self, const char *space_id)
{
  GListModel *list;

  if (self->current_space == NULL
      || g_strcmp0 (foyer_space_item_get_id (self->current_space), space_id) != 0)
    return;
  list = G_LIST_MODEL (foyer_space_item_get_messages (self->current_space));
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) message = g_list_model_get_item (list, i);
      GObject *attachment = foyer_message_item_get_attachment (message);

      if (FOYER_IS_DOCUMENT_ITEM (attachment)
          && foyer_document_item_get_checked_members (FOYER_DOCUMENT_ITEM (attachment)) != NULL)
        foyer_document_item_set_access (
            FOYER_DOCUMENT_ITEM (attachment),
            foyer_document_item_get_needs_update (FOYER_DOCUMENT_ITEM (attachment)), NULL);
    }
}

typedef struct
{
  FoyerWindow *window;
  FoyerSpaceItem *space;
  char *message_id;
  char *title;
  FoyerLinkAudience audience;
} AccessOp;

static void
access_op_free (AccessOp *op)
{
  g_clear_object (&op->window);
  g_clear_object (&op->space);
  g_free (op->message_id);
  g_free (op->title);
  g_free (op);
}

static GtkWidget *
access_row (const char *title, const char *subtitle, const char *icon)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon != NULL)
    adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name (icon));
  return row;
}

static void
access_response_cb (AdwMessageDialog *dialog, const char *response, AccessOp *op)
{
  if (g_strcmp0 (response, "give") == 0 && op->space == op->window->current_space)
    gtk_widget_activate_action (GTK_WIDGET (op->window), "space.update-sharing", "s",
                                op->message_id);
}

/* Who has access, and who in the space has not. */
static GtkWidget *
access_list (AccessOp *op, JsonArray *permissions, guint *missing)
{
  FoyerWindow *self = op->window;
  GtkWidget *list = gtk_list_box_new ();
  const char *const *members = foyer_session_get_member_emails (self->session, op->space);
  g_autofree char *domain
      = foyer_access_check_email_domain (foyer_microsoft_account_get_email (self->account));
  const char *const domains[] = { domain, NULL };
  g_auto (GStrv) without = NULL;

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  for (guint i = 0; i < json_array_get_length (permissions); i++)
    {
      JsonNode *node = json_array_get_element (permissions, i);
      const char *who;

      if (!JSON_NODE_HOLDS_OBJECT (node)
          || (who = foyer_permission_who (json_node_get_object (node))) == NULL)
        continue;
      gtk_list_box_append (
          GTK_LIST_BOX (list),
          access_row (who, foyer_permission_role (json_node_get_object (node)), NULL));
    }
  /* Through the link it was shared with; people invited for "people in
   * this space" hold a permission of their own, as the update gives. */
  without = foyer_access_check_members_without_access (
      permissions,
      op->audience == FOYER_LINK_AUDIENCE_SPACE ? FOYER_LINK_AUDIENCE_EXISTING : op->audience,
      members, domain != NULL ? domains : NULL, NULL);
  *missing = g_strv_length (without);
  if (*missing > 0)
    {
      g_autofree char *names = g_strjoinv (", ", without);
      g_autofree char *title
          = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member of this space can’t open it",
                                          "%u members of this space can’t open it", *missing),
                             *missing);

      gtk_list_box_append (GTK_LIST_BOX (list),
                           access_row (title, names, "dialog-warning-symbolic"));
    }
  return list;
}

static void
access_listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AccessOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) permissions
      = foyer_graph_client_list_permissions_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  g_autofree char *heading = NULL;
  GtkWidget *scroller;
  GtkWidget *list;
  AdwMessageDialog *dialog;
  guint missing = 0;

  if (permissions == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        foyer_window_show_toast (op->window, error->message);
      access_op_free (op);
      return;
    }
  list = access_list (op, permissions, &missing);
  /* A long list scrolls; a short one shows whole. */
  if (json_array_get_length (permissions) > 5)
    {
      scroller = gtk_scrolled_window_new ();
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                      GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
      list = scroller;
    }
  /* Translators: %s is a document's name. */
  heading = g_strdup_printf (_ ("Who Can Open “%s”"), op->title);
  dialog = ask_dialog (op->window, heading, NULL, list);
  if (missing > 0)
    {
      adw_message_dialog_add_responses (dialog, "close", _ ("_Close"), "give",
                                        _ ("_Give Them Access"), NULL);
      adw_message_dialog_set_response_appearance (dialog, "give", ADW_RESPONSE_SUGGESTED);
    }
  else
    adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
  g_signal_connect_data (dialog, "response", G_CALLBACK (access_response_cb), op,
                         (GClosureNotify) access_op_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* space.manage-access (s): for the sharer, who can open the document of a
 * message (its permissions, which only the owner sees whole), and the
 * members who cannot, with the offer to give them access. */
static void
manage_access_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerDocumentItem *document;
  const FoyerDocumentRef *ref;
  AccessOp *op;

  if (self->session == NULL || self->current_space == NULL || self->account == NULL)
    return;
  document = document_of (self, g_variant_get_string (parameter, NULL));
  ref = document != NULL ? foyer_document_item_get_ref (document) : NULL;
  if (ref == NULL)
    return;
  if (foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    {
      connect_then (self, "space.manage-access", parameter);
      return;
    }
  op = g_new0 (AccessOp, 1);
  op->window = g_object_ref (self);
  op->space = g_object_ref (self->current_space);
  op->message_id = g_variant_dup_string (parameter, NULL);
  op->title = foyer_text_make_valid (ref->title, -1);
  op->audience = ref->audience;
  foyer_graph_client_list_permissions_async (foyer_microsoft_account_get_graph (self->account),
                                             ref->drive_id, ref->item_id, NULL, access_listed_cb,
                                             op);
}

/* win.show-toast (s): what a widget inside the window has to say. */
static void
show_toast_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  foyer_window_show_toast (FOYER_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* account.*: the Microsoft account's, and signing out. */

static void
connect_microsoft_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->account != NULL)
    foyer_microsoft_sign_in_window_open (GTK_WINDOW (self), self->account);
}

static void
disconnect_microsoft_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->account == NULL)
    return;
  /* Uploads to the OneDrive being let go of stop, their sessions deleted. */
  if (self->uploads != NULL)
    foyer_file_uploads_cancel_all (self->uploads);
  foyer_microsoft_account_disconnect (self->account);
  foyer_window_show_toast (self, _ ("Microsoft account disconnected"));
}

static void
sign_out_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;

  if (self->uploads != NULL)
    foyer_file_uploads_cancel_all (self->uploads);
  if (self->account != NULL)
    foyer_microsoft_account_disconnect (self->account);
  if (self->session != NULL)
    foyer_session_sign_out (self->session);
}

static void
preferences_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerPreferencesWindow *preferences;

  if (self->session == NULL || self->account == NULL)
    return;
  preferences = foyer_preferences_window_new (GTK_WINDOW (self), self->session, self->account);
  gtk_window_present (GTK_WINDOW (preferences));
}

void
_foyer_window_drop_viewer (FoyerWindow *self)
{
  if (self->viewer != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->viewer, self);
      _foyer_window_close_document (self);
    }
  g_clear_object (&self->viewer);
  g_clear_object (&self->viewer_cloud);
}

static void
preview_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) preview
      = foyer_graph_client_preview_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  const char *get_url;

  if (preview == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  get_url = foyer_json_get_string (preview, "getUrl");
  if (get_url == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                             _ ("Microsoft has no preview of this document."));
  else
    g_task_return_pointer (task, g_strdup (get_url), g_free);
}

/* The viewer's fallback when the document page cannot be shown: Graph's
 * preview of the shared item, asked for with the person's own token. */
static void
preview_cb (FoyerViewer *viewer, const char *url, GTask *task, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (self->account);

  if (graph == NULL
      || foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s",
                               _ ("Connect your Microsoft account to see a preview."));
      return;
    }
  foyer_graph_client_preview_shared_async (graph, url, NULL, 0, g_task_get_cancellable (task),
                                           preview_ready_cb, g_object_ref (task));
}

static FoyerViewer *
ensure_viewer (FoyerWindow *self, FoyerCloud *cloud)
{
  if (self->viewer != NULL && self->viewer_cloud == cloud)
    return self->viewer;

  _foyer_window_drop_viewer (self);
  self->viewer = g_object_ref_sink (
      foyer_viewer_new (foyer_microsoft_account_get_web_session (self->account), cloud));
  self->viewer_cloud = g_object_ref (cloud);
  foyer_viewer_set_preview_provider (self->viewer, preview_cb, self, NULL);
  g_signal_connect_swapped (self->viewer, "close", G_CALLBACK (_foyer_window_close_document), self);
  return self->viewer;
}

/* account.open-document ((title, url)): from a document tile, over the
 * whole window. */
static void
open_document_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  FoyerCloud *cloud
      = self->account != NULL ? foyer_microsoft_account_get_cloud (self->account) : NULL;
  const char *title = NULL;
  const char *url = NULL;
  FoyerViewer *viewer;

  g_variant_get (parameter, "(&s&s)", &title, &url);
  if (cloud == NULL)
    {
      const char *reason = self->account != NULL
                               ? foyer_microsoft_account_get_unavailable_reason (self->account)
                               : NULL;

      foyer_window_show_toast (self, reason != NULL ? reason
                                                    : _ ("Microsoft documents are not available."));
      return;
    }
  /* Without a connected account the document's page would only ask for
   * a sign-in: connect first, then open it. */
  if (foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    {
      connect_then (self, "account.open-document", parameter);
      return;
    }
  viewer = ensure_viewer (self, cloud);
  _foyer_window_show_document (self, GTK_WIDGET (viewer));
  foyer_viewer_open (viewer, title, url);
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
  static const GActionEntry space_entries[] = {
    { .name = "load", .activate = load_cb },
    { .name = "load-older", .activate = load_older_cb },
    { .name = "send-text", .activate = send_text_cb, .parameter_type = "s" },
    { .name = "retry-message", .activate = retry_message_cb, .parameter_type = "s" },
    { .name = "attach-file", .activate = attach_file_cb },
    { .name = "add-member", .activate = add_member_cb },
    { .name = "remove-member", .activate = remove_member_cb },
    { .name = "leave-space", .activate = leave_space_cb },
    { .name = "update-sharing", .activate = update_sharing_cb, .parameter_type = "s" },
    { .name = "check-sharing", .activate = check_sharing_cb, .parameter_type = "s" },
    { .name = "manage-access", .activate = manage_access_cb, .parameter_type = "s" },
  };
  static const GActionEntry account_entries[] = {
    { .name = "connect-microsoft", .activate = connect_microsoft_cb },
    { .name = "disconnect-microsoft", .activate = disconnect_microsoft_cb },
    { .name = "sign-out", .activate = sign_out_cb },
    { .name = "preferences", .activate = preferences_cb },
    { .name = "open-document", .activate = open_document_cb, .parameter_type = "(ss)" },
  };

  self->space_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->space_actions), space_entries,
                                   G_N_ELEMENTS (space_entries), self);
  _foyer_window_files_add_actions (self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "space", G_ACTION_GROUP (self->space_actions));
  self->account_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->account_actions), account_entries,
                                   G_N_ELEMENTS (account_entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "account",
                                  G_ACTION_GROUP (self->account_actions));
  _foyer_window_update_actions (self);
}
