/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window-session"

#include "config.h"

#include <glib/gi18n.h>

#include "picker/foyer-picker-dialog.h"
#include "viewer/foyer-viewer.h"
#include "foyer-preferences-window.h"
#include "foyer-service-sign-in-dialog.h"
#include "foyer-share.h"
#include "foyer-text.h"
#include "foyer-window-session.h"

#include "foyer-access-check.h"

typedef struct
{
  FoyerWindow *window; /* unowned: the binding dies with the window */
  FoyerSession *session;
  GSettings *settings;
  gboolean showing_spaces;
} Binding;

static void
binding_free (Binding *binding)
{
  g_signal_handlers_disconnect_by_data (binding->session, binding);
  g_clear_object (&binding->session);
  g_clear_object (&binding->settings);
  g_free (binding);
}

static void
session_state_cb (Binding *binding)
{
  FoyerSessionState state = foyer_session_get_state (binding->session);
  FoyerWindow *window = binding->window;

  /* Going offline and back keeps the window as it is. */
  if (state == FOYER_SESSION_SIGNED_OUT && binding->showing_spaces)
    foyer_window_set_spaces (window, NULL);
  else if (state != FOYER_SESSION_SIGNED_OUT && !binding->showing_spaces)
    foyer_window_set_spaces (window, foyer_session_get_spaces (binding->session));
  binding->showing_spaces = state != FOYER_SESSION_SIGNED_OUT;
  foyer_window_set_offline (window, state == FOYER_SESSION_OFFLINE);
}

/* Signing in */

static void
sign_in_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerServiceSignInDialog *dialog = user_data;
  g_autoptr (GError) error = NULL;

  if (foyer_session_sign_in_finish (FOYER_SESSION (source), result, &error))
    gtk_window_destroy (GTK_WINDOW (dialog));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_service_sign_in_dialog_set_error (dialog, error->message);
  g_object_unref (dialog);
}

static void
sign_in_submit_cb (FoyerServiceSignInDialog *dialog,
                   const char *url,
                   const char *email,
                   const char *password,
                   Binding *binding)
{
  g_settings_set_string (binding->settings, "service-url", url);
  foyer_service_sign_in_dialog_set_busy (dialog, TRUE);
  foyer_session_sign_in_async (binding->session, url, email, password, NULL, sign_in_done_cb,
                               g_object_ref (dialog));
}

static void
sign_in_requested_cb (FoyerWindow *window, Binding *binding)
{
  g_autofree char *url = g_settings_get_string (binding->settings, "service-url");
  const char *preset = g_getenv ("FOYER_SERVICE_URL");
  FoyerServiceSignInDialog *dialog;

  /* The demo presets its local service. */
  if (*url == '\0' && preset != NULL)
    {
      g_free (url);
      url = g_strdup (preset);
    }

  dialog = foyer_service_sign_in_dialog_new (GTK_WINDOW (window), url, NULL);
  g_signal_connect (dialog, "submit", G_CALLBACK (sign_in_submit_cb), binding);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Spaces and messages */

static void shared_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
composed_cb (FoyerWindow *window, FoyerSpaceItem *space, const char *text, Binding *binding)
{
  FoyerMicrosoftAccount *account = g_object_get_data (G_OBJECT (window), "foyer-microsoft-account");

  /* A pasted OneDrive or SharePoint link becomes a document tile. */
  if (account != NULL && foyer_share_is_document_link (account, text))
    foyer_share_link_async (account, binding->session, space, text, NULL, shared_cb,
                            g_object_ref (window));
  else
    foyer_session_send_text (binding->session, space, text);
}

static void
space_opened_cb (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding)
{
  foyer_session_open_space (binding->session, space);
}

static void
load_older_cb (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding)
{
  foyer_session_load_older (binding->session, space);
}

static void
message_received_cb (FoyerSession *session,
                     FoyerSpaceItem *space,
                     FoyerMessageItem *message,
                     Binding *binding)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (binding->window)));
  g_autoptr (GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  g_autofree char *author = NULL;
  g_autofree char *space_title = NULL;

  if (app == NULL || !g_settings_get_boolean (binding->settings, "notify-messages"))
    return;
  if (gtk_window_is_active (GTK_WINDOW (binding->window))
      && foyer_window_get_current_space (binding->window) == space)
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
  g_application_send_notification (app, id, notification);
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
  FoyerWindow *window = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) space = NULL;

  space = foyer_session_create_space_finish (FOYER_SESSION (source), result, &error);
  if (space != NULL)
    foyer_window_open_space (window, space);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (window, error->message);
  g_object_unref (window);
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

static void
new_space_response_cb (AdwMessageDialog *dialog, const char *response, Binding *binding)
{
  GtkWidget *title_entry = g_object_get_data (G_OBJECT (dialog), "title");
  GtkWidget *members_entry = g_object_get_data (G_OBJECT (dialog), "members");
  g_autofree char *title = NULL;
  g_auto (GStrv) emails = NULL;

  if (g_strcmp0 (response, "create") != 0)
    return;

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (title_entry))));
  if (*title == '\0')
    return;
  emails = split_emails (gtk_editable_get_text (GTK_EDITABLE (members_entry)));
  foyer_session_create_space_async (binding->session, title, (const char *const *) emails, NULL,
                                    create_done_cb, g_object_ref (binding->window));
}

static void
new_space_requested_cb (FoyerWindow *window, Binding *binding)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  if (foyer_session_get_state (binding->session) == FOYER_SESSION_SIGNED_OUT)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("New Space"),
                                   _ ("The title is encrypted before it leaves this device."));
  g_object_set_data (G_OBJECT (dialog), "title", entry_row (box, _ ("Title")));
  g_object_set_data (G_OBJECT (dialog), "members",
                     entry_row (box, _ ("Members’ e-mail addresses (optional)")));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "create",
                                    _ ("C_reate"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  g_signal_connect (dialog, "response", G_CALLBACK (new_space_response_cb), binding);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
member_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerWindow *window = user_data;
  g_autoptr (GError) error = NULL;
  gboolean added = g_task_get_source_tag (G_TASK (result)) == foyer_session_add_member_async;
  gboolean ok = added ? foyer_session_add_member_finish (FOYER_SESSION (source), result, &error)
                      : foyer_session_remove_member_finish (FOYER_SESSION (source), result, &error);

  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (window, error->message);
  else if (ok)
    foyer_window_show_toast (window, added ? _ ("Member added") : _ ("Member removed"));
  g_object_unref (window);
}

static void
member_response_cb (AdwMessageDialog *dialog, const char *response, Binding *binding)
{
  GtkWidget *entry = g_object_get_data (G_OBJECT (dialog), "email");
  FoyerSpaceItem *space = g_object_get_data (G_OBJECT (dialog), "space");
  g_autofree char *email = NULL;

  if (g_strcmp0 (response, "add") != 0 && g_strcmp0 (response, "remove") != 0)
    return;
  email = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  if (*email == '\0')
    return;
  if (g_str_equal (response, "add"))
    foyer_session_add_member_async (binding->session, space, email, NULL, member_done_cb,
                                    g_object_ref (binding->window));
  else
    foyer_session_remove_member_by_email_async (binding->session, space, email, NULL,
                                                member_done_cb, g_object_ref (binding->window));
}

static void
member_dialog (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding, gboolean add)
{
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  const char *response = add ? "add" : "remove";

  dialog
      = adw_message_dialog_new (GTK_WINDOW (window), add ? _ ("Add Member") : _ ("Remove Member"),
                                add ? _ ("They will see the space’s whole history.")
                                    : _ ("They will no longer see new messages."));
  g_object_set_data (G_OBJECT (dialog), "email", entry_row (box, _ ("E-mail address")));
  g_object_set_data_full (G_OBJECT (dialog), "space", g_object_ref (space), g_object_unref);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), response,
                                    add ? _ ("_Add") : _ ("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response,
                                              add ? ADW_RESPONSE_SUGGESTED
                                                  : ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), response);
  g_signal_connect (dialog, "response", G_CALLBACK (member_response_cb), binding);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_member_requested_cb (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding)
{
  member_dialog (window, space, binding, TRUE);
}

static void
remove_member_requested_cb (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding)
{
  member_dialog (window, space, binding, FALSE);
}

static void
leave_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerWindow *window = user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_session_remove_member_finish (FOYER_SESSION (source), result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    foyer_window_show_toast (window, error->message);
  g_object_unref (window);
}

static void
leave_response_cb (AdwMessageDialog *dialog, const char *response, Binding *binding)
{
  FoyerSpaceItem *space = g_object_get_data (G_OBJECT (dialog), "space");

  if (g_strcmp0 (response, "leave") != 0)
    return;
  foyer_window_open_space (binding->window, NULL);
  foyer_session_remove_member_async (binding->session, space,
                                     foyer_session_get_person_id (binding->session), NULL,
                                     leave_done_cb, g_object_ref (binding->window));
}

static void
leave_requested_cb (FoyerWindow *window, FoyerSpaceItem *space, Binding *binding)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (window), _ ("Leave Space?"),
                                              _ ("You will no longer see its messages unless "
                                                 "someone adds you again."));

  g_object_set_data_full (G_OBJECT (dialog), "space", g_object_ref (space), g_object_unref);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"), "leave",
                                    _ ("_Leave"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "leave",
                                              ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect (dialog, "response", G_CALLBACK (leave_response_cb), binding);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* session.retry-message (s): a failed message's Retry, in the open space. */
static void
retry_message_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Binding *binding = user_data;
  FoyerSpaceItem *space = foyer_window_get_current_space (binding->window);

  if (space != NULL)
    foyer_session_retry_message (binding->session, space, g_variant_get_string (parameter, NULL));
}

void
foyer_window_attach_session (FoyerWindow *window, FoyerSession *session)
{
  static const GActionEntry entries[] = {
    { .name = "retry-message", .activate = retry_message_action_cb, .parameter_type = "s" },
  };
  g_autoptr (GSimpleActionGroup) actions = g_simple_action_group_new ();
  Binding *binding;

  g_return_if_fail (FOYER_IS_WINDOW (window));
  g_return_if_fail (FOYER_IS_SESSION (session));

  binding = g_new0 (Binding, 1);
  binding->window = window;
  binding->session = g_object_ref (session);
  binding->settings = g_settings_new (APP_ID);
  g_object_set_data_full (G_OBJECT (window), "foyer-session-binding", binding,
                          (GDestroyNotify) binding_free);
  g_action_map_add_action_entries (G_ACTION_MAP (actions), entries, G_N_ELEMENTS (entries),
                                   binding);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "session", G_ACTION_GROUP (actions));

  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (session_state_cb), binding);
  g_signal_connect (session, "message-received", G_CALLBACK (message_received_cb), binding);
  g_signal_connect (window, "sign-in-requested", G_CALLBACK (sign_in_requested_cb), binding);
  g_signal_connect (window, "composed", G_CALLBACK (composed_cb), binding);
  g_signal_connect (window, "space-opened", G_CALLBACK (space_opened_cb), binding);
  g_signal_connect (window, "load-older", G_CALLBACK (load_older_cb), binding);
  g_signal_connect (window, "new-space-requested", G_CALLBACK (new_space_requested_cb), binding);
  g_signal_connect (window, "add-member-requested", G_CALLBACK (add_member_requested_cb), binding);
  g_signal_connect (window, "remove-member-requested", G_CALLBACK (remove_member_requested_cb),
                    binding);
  g_signal_connect (window, "leave-requested", G_CALLBACK (leave_requested_cb), binding);

  session_state_cb (binding);
}

/* The Microsoft account: connect, disconnect, reconnect banner, and the
 * file picker behind Attach file. */

typedef struct
{
  FoyerWindow *window; /* unowned */
  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  GSimpleActionGroup *actions;
  FoyerViewer *viewer; /* made on the first open, for the cloud it was made with */
  FoyerCloud *viewer_cloud;
} MicrosoftBinding;

static void drop_viewer (MicrosoftBinding *binding);

static void
microsoft_binding_free (MicrosoftBinding *binding)
{
  g_signal_handlers_disconnect_by_data (binding->session, binding);
  g_signal_handlers_disconnect_by_data (binding->account, binding);
  g_clear_object (&binding->session);
  g_clear_object (&binding->account);
  g_clear_object (&binding->actions);
  binding->window = NULL; /* going away: nothing to close */
  drop_viewer (binding);
  g_free (binding);
}

static void
enable (MicrosoftBinding *binding, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (binding->actions), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
microsoft_state_cb (MicrosoftBinding *binding)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (binding->account);
  gboolean signed_in = foyer_session_get_state (binding->session) != FOYER_SESSION_SIGNED_OUT;
  const char *reason = NULL;

  enable (binding, "connect-microsoft",
          state == FOYER_MICROSOFT_DISCONNECTED || state == FOYER_MICROSOFT_RECONNECT_NEEDED);
  enable (binding, "disconnect-microsoft",
          state == FOYER_MICROSOFT_CONNECTED || state == FOYER_MICROSOFT_RECONNECT_NEEDED);
  enable (binding, "sign-out", signed_in);
  enable (binding, "open-document", state != FOYER_MICROSOFT_UNAVAILABLE);
  /* Disconnecting wipes the web session: a document left open would show
   * what the person just signed out of. */
  if (state == FOYER_MICROSOFT_UNAVAILABLE || state == FOYER_MICROSOFT_DISCONNECTED)
    drop_viewer (binding);

  if (state == FOYER_MICROSOFT_RECONNECT_NEEDED)
    {
      reason = foyer_microsoft_account_get_reconnect_reason (binding->account);
      if (reason == NULL)
        reason = _ ("Your Microsoft account needs to be connected again.");
    }
  foyer_window_set_reconnect_reason (binding->window, reason);
}

static void
policy_changed_cb (MicrosoftBinding *binding)
{
  const GError *error = NULL;
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (binding->session, &error);

  if (policy != foyer_microsoft_account_get_policy (binding->account) || policy == NULL)
    foyer_microsoft_account_set_policy (binding->account, policy, error);
}

static void
microsoft_error_cb (FoyerMicrosoftAccount *account, const char *message, MicrosoftBinding *binding)
{
  if (message != NULL && *message != '\0')
    foyer_window_show_toast (binding->window, message);
}

static void
connect_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  MicrosoftBinding *binding = user_data;

  foyer_microsoft_account_connect (binding->account, GTK_WINDOW (binding->window));
}

static void
disconnect_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  MicrosoftBinding *binding = user_data;

  foyer_microsoft_account_disconnect (binding->account);
  foyer_window_show_toast (binding->window, _ ("Microsoft account disconnected"));
}

static void
sign_out_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  MicrosoftBinding *binding = user_data;

  foyer_microsoft_account_disconnect (binding->account);
  foyer_session_sign_out (binding->session);
}

/* The document viewer, over the whole window. */

static void
drop_viewer (MicrosoftBinding *binding)
{
  if (binding->viewer != NULL)
    {
      g_signal_handlers_disconnect_by_data (binding->viewer, binding);
      if (binding->window != NULL)
        foyer_window_close_document (binding->window);
    }
  g_clear_object (&binding->viewer);
  g_clear_object (&binding->viewer_cloud);
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
  get_url = json_object_get_string_member_with_default (preview, "getUrl", NULL);
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
  MicrosoftBinding *binding = user_data;
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (binding->account);

  if (graph == NULL
      || foyer_microsoft_account_get_state (binding->account) != FOYER_MICROSOFT_CONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s",
                               _ ("Connect your Microsoft account to see a preview."));
      return;
    }
  foyer_graph_client_preview_shared_async (graph, url, NULL, 0, g_task_get_cancellable (task),
                                           preview_ready_cb, g_object_ref (task));
}

static void
viewer_close_cb (FoyerViewer *viewer, MicrosoftBinding *binding)
{
  foyer_window_close_document (binding->window);
}

static FoyerViewer *
ensure_viewer (MicrosoftBinding *binding, FoyerCloud *cloud)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (binding->window));

  if (binding->viewer != NULL && binding->viewer_cloud == cloud)
    return binding->viewer;
  if (!FOYER_IS_APPLICATION (app))
    return NULL;

  drop_viewer (binding);
  binding->viewer = g_object_ref_sink (
      foyer_viewer_new (foyer_application_get_web_session (FOYER_APPLICATION (app)), cloud));
  binding->viewer_cloud = g_object_ref (cloud);
  foyer_viewer_set_preview_provider (binding->viewer, preview_cb, binding, NULL);
  g_signal_connect (binding->viewer, "close", G_CALLBACK (viewer_close_cb), binding);
  return binding->viewer;
}

/* account.open-document ((title, url)): from a document tile. */
static void
open_document_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  MicrosoftBinding *binding = user_data;
  FoyerCloud *cloud = foyer_microsoft_account_get_cloud (binding->account);
  const char *title = NULL;
  const char *url = NULL;
  FoyerViewer *viewer;

  g_variant_get (parameter, "(&s&s)", &title, &url);
  if (cloud == NULL || (viewer = ensure_viewer (binding, cloud)) == NULL)
    {
      const char *reason = foyer_microsoft_account_get_unavailable_reason (binding->account);

      foyer_window_show_toast (
          binding->window, reason != NULL ? reason : _ ("Microsoft documents are not available."));
      return;
    }
  foyer_window_show_document (binding->window, GTK_WIDGET (viewer));
  foyer_viewer_open (viewer, title, url);
}

static void
shared_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerWindow *window = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *notice = NULL;

  if (!foyer_share_document_finish (result, &notice, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        foyer_window_show_toast (window, error->message);
    }
  else if (notice != NULL)
    foyer_window_show_toast (window, notice);
  g_object_unref (window);
}

static void
preferences_action_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  MicrosoftBinding *binding = user_data;
  FoyerPreferencesWindow *preferences = foyer_preferences_window_new (
      GTK_WINDOW (binding->window), binding->session, binding->account);

  gtk_window_present (GTK_WINDOW (preferences));
}

static void
picker_share_cb (FoyerPickerDialog *picker,
                 FoyerDriveItem *item,
                 const char *link_type,
                 const char *audience,
                 MicrosoftBinding *binding)
{
  FoyerSpaceItem *space = g_object_get_data (G_OBJECT (picker), "space");

  foyer_share_document_async (binding->account, binding->session, space, item, link_type, audience,
                              foyer_picker_dialog_get_grant_emails (picker), NULL, shared_cb,
                              g_object_ref (binding->window));
  gtk_window_destroy (GTK_WINDOW (picker));
}

static void
attach_requested_cb (FoyerWindow *window, FoyerSpaceItem *space, MicrosoftBinding *binding)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (binding->account);
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  g_autofree char *domain = NULL;
  FoyerOrgPolicy *org;
  FoyerPickerDialog *picker;
  GPtrArray *audiences;

  if (state == FOYER_MICROSOFT_UNAVAILABLE)
    {
      GtkWidget *dialog = adw_message_dialog_new (
          GTK_WINDOW (window), _ ("Microsoft Files Are Not Available"),
          foyer_microsoft_account_get_unavailable_reason (binding->account));

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (state != FOYER_MICROSOFT_CONNECTED)
    {
      foyer_microsoft_account_connect (binding->account, GTK_WINDOW (window));
      return;
    }

  org = foyer_microsoft_account_get_policy (binding->account);
  audiences = g_ptr_array_new ();
  for (guint bit = FOYER_LINK_AUDIENCE_ANYONE; bit <= FOYER_LINK_AUDIENCE_EXISTING; bit <<= 1)
    if (foyer_org_policy_allows_audience (org, bit))
      g_ptr_array_add (audiences, (gpointer) foyer_link_audience_to_string (bit));
  g_ptr_array_add (audiences, NULL);
  policy = foyer_picker_policy_new (
      (const char *const *) audiences->pdata,
      foyer_link_audience_to_string (foyer_org_policy_get_default_audience (org)),
      foyer_org_policy_get_default_link_type (org) == FOYER_LINK_TYPE_EDIT ? "edit" : "view",
      foyer_session_get_member_emails (binding->session, space));
  g_ptr_array_unref (audiences);
  foyer_picker_policy_set_member_names (policy,
                                        foyer_session_get_member_names (binding->session, space));
  /* The organization is taken to be the sharer's own e-mail domain (see
   * docs/decisions.md): members elsewhere are guests to it. */
  domain = foyer_access_check_email_domain (foyer_microsoft_account_get_email (binding->account));
  if (domain != NULL)
    {
      const char *const domains[] = { domain, NULL };

      foyer_picker_policy_set_organization_domains (policy, domains);
    }

  picker = foyer_picker_dialog_new (GTK_WINDOW (window),
                                    foyer_microsoft_account_get_graph (binding->account), policy);
  g_object_set_data_full (G_OBJECT (picker), "space", g_object_ref (space), g_object_unref);
  g_signal_connect (picker, "share", G_CALLBACK (picker_share_cb), binding);
  gtk_window_present (GTK_WINDOW (picker));
}

void
foyer_window_attach_microsoft (FoyerWindow *window,
                               FoyerSession *session,
                               FoyerMicrosoftAccount *account)
{
  static const GActionEntry entries[] = {
    { .name = "connect-microsoft", .activate = connect_action_cb },
    { .name = "disconnect-microsoft", .activate = disconnect_action_cb },
    { .name = "sign-out", .activate = sign_out_action_cb },
    { .name = "preferences", .activate = preferences_action_cb },
    { .name = "open-document", .activate = open_document_action_cb, .parameter_type = "(ss)" },
  };
  MicrosoftBinding *binding;

  g_return_if_fail (FOYER_IS_WINDOW (window));
  g_return_if_fail (FOYER_IS_SESSION (session));
  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account));

  binding = g_new0 (MicrosoftBinding, 1);
  binding->window = window;
  binding->session = g_object_ref (session);
  binding->account = g_object_ref (account);
  binding->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (binding->actions), entries, G_N_ELEMENTS (entries),
                                   binding);
  gtk_widget_insert_action_group (GTK_WIDGET (window), "account",
                                  G_ACTION_GROUP (binding->actions));
  g_object_set_data_full (G_OBJECT (window), "foyer-microsoft-binding", binding,
                          (GDestroyNotify) microsoft_binding_free);
  g_object_set_data_full (G_OBJECT (window), "foyer-microsoft-account", g_object_ref (account),
                          g_object_unref);

  g_signal_connect_swapped (session, "notify::org-policy", G_CALLBACK (policy_changed_cb), binding);
  g_signal_connect_swapped (session, "notify::state", G_CALLBACK (microsoft_state_cb), binding);
  g_signal_connect_swapped (account, "notify::state", G_CALLBACK (microsoft_state_cb), binding);
  g_signal_connect (account, "error", G_CALLBACK (microsoft_error_cb), binding);
  g_signal_connect (window, "attach-requested", G_CALLBACK (attach_requested_cb), binding);

  microsoft_state_cb (binding);
}
