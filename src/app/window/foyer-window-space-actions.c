/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>

#include "picker/foyer-picker-dialog.h"
#include "foyer-document-item.h"
#include "foyer-permission-text.h"
#include "foyer-share.h"
#include "foyer-text.h"
#include "foyer-window-private.h"

#include "foyer-access-check.h"

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
                 FoyerWindowAsk *ask)
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
  foyer_share_document_async (self->account, self->session, ask->space, item, link_type, audience,
                              foyer_picker_dialog_get_grant_emails (picker), comment, NULL,
                              shared_cb, g_object_ref (self));
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

/* space.attach-file: the Microsoft file picker, or why not, or the
 * sign-in it needs first. */
static void
attach_file_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  FoyerWindow *self = user_data;
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  FoyerPickerDialog *picker;
  FoyerWindowAsk *ask;

  if (self->session == NULL || self->current_space == NULL
      || !_foyer_window_microsoft_ready (self, "space.attach-file"))
    return;

  policy = _foyer_window_picker_policy (self, self->current_space);
  picker = foyer_picker_dialog_new (GTK_WINDOW (self),
                                    foyer_microsoft_account_get_graph (self->account), policy);
  ask = _foyer_window_ask_new (self, self->current_space);
  g_signal_connect_data (picker, "share", G_CALLBACK (picker_share_cb), ask,
                         (GClosureNotify) _foyer_window_ask_free, 0);
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
member_response_cb (AdwMessageDialog *dialog, const char *response, FoyerWindowAsk *ask)
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
  FoyerWindowAsk *ask = _foyer_window_ask_new (self, self->current_space);

  ask->entry = _foyer_window_entry_row (box, _ ("E-mail address"));
  dialog = _foyer_window_ask_dialog (self, add ? _ ("Add Member") : _ ("Remove Member"),
                                     add ? _ ("They will see the space’s whole history.")
                                         : _ ("They will no longer see new messages."),
                                     box);
  _foyer_window_add_response (dialog, add ? "add" : "remove", add ? _ ("_Add") : _ ("_Remove"),
                              add ? ADW_RESPONSE_SUGGESTED : ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_data (dialog, "response", G_CALLBACK (member_response_cb), ask,
                         (GClosureNotify) _foyer_window_ask_free, 0);
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
leave_response_cb (AdwMessageDialog *dialog, const char *response, FoyerWindowAsk *ask)
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
  FoyerWindowAsk *ask;

  if (self->session == NULL || self->current_space == NULL)
    return;
  ask = _foyer_window_ask_new (self, self->current_space);
  dialog = _foyer_window_ask_dialog (
      self, _ ("Leave Space?"),
      _ ("You will no longer see its messages unless someone adds you again."), NULL);
  adw_message_dialog_add_responses (dialog, "cancel", _ ("_Cancel"), "leave", _ ("_Leave"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "leave", ADW_RESPONSE_DESTRUCTIVE);
  g_signal_connect_data (dialog, "response", G_CALLBACK (leave_response_cb), ask,
                         (GClosureNotify) _foyer_window_ask_free, 0);
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
  dialog = _foyer_window_ask_dialog (op->window, heading, NULL, list);
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
      _foyer_window_connect_then (self, "space.manage-access", parameter);
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

void
_foyer_window_add_space_actions (FoyerWindow *self)
{
  static const GActionEntry entries[] = {
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

  self->space_actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (self->space_actions), entries,
                                   G_N_ELEMENTS (entries), self);
  _foyer_window_files_add_actions (self);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "space", G_ACTION_GROUP (self->space_actions));
}
