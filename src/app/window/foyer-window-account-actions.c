/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-microsoft-sign-in-window.h"
#include "foyer-preferences-window.h"
#include "foyer-window-private.h"

#include "foyer-json.h"

/* account.*: the Microsoft account's, and signing out; the requests that
 * wait for a Microsoft sign-in; the document viewer over the window. */

/* Connects the Microsoft account first, then does what the person asked
 * for (action with parameter, in the space open now) once connected; a
 * sign-in that ends otherwise forgets it. */
void
_foyer_window_connect_then (FoyerWindow *self, const char *action, GVariant *parameter)
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
      AdwMessageDialog *dialog = _foyer_window_ask_dialog (
          self, _ ("Microsoft Files Are Not Available"),
          foyer_microsoft_account_get_unavailable_reason (self->account), NULL);

      adw_message_dialog_add_response (dialog, "close", _ ("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return FALSE;
    }
  if (state != FOYER_MICROSOFT_CONNECTED)
    {
      if (then_action != NULL)
        _foyer_window_connect_then (self, then_action, NULL);
      else
        gtk_widget_activate_action (GTK_WIDGET (self), "account.connect-microsoft", NULL);
      return FALSE;
    }
  return TRUE;
}

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
      _foyer_window_connect_then (self, "account.open-document", parameter);
      return;
    }
  viewer = ensure_viewer (self, cloud);
  _foyer_window_show_document (self, GTK_WIDGET (viewer));
  foyer_viewer_open (viewer, title, url);
}

void
_foyer_window_add_account_actions (FoyerWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "connect-microsoft", .activate = connect_microsoft_cb },
    { .name = "disconnect-microsoft", .activate = disconnect_microsoft_cb },
    { .name = "sign-out", .activate = sign_out_cb },
    { .name = "preferences", .activate = preferences_cb },
    { .name = "open-document", .activate = open_document_cb, .parameter_type = "(ss)" },
  };

  self->account_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->account_actions), entries,
                                   G_N_ELEMENTS (entries), self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "account",
                                  G_ACTION_GROUP (self->account_actions));
}
