/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-share"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-access-check.h"
#include "foyer-document-ref.h"
#include "foyer-graph-link.h"
#include "foyer-share.h"

typedef struct
{
  FoyerMicrosoftAccount *account;
  FoyerSession *session;
  FoyerSpaceItem *space;
  FoyerDriveItem *item;
  FoyerLinkType link_type;
  FoyerLinkAudience audience;
  char *url; /* a pasted link */
  char *comment;
  char *notice;
  FoyerLinkAudience shared_audience; /* what the link ended up working for */
  guint members;
  GStrv grant_emails; /* members to invite before the link is made */
  GCancellable *cancellable;
} ShareData;

static void
share_data_free (ShareData *data)
{
  g_clear_object (&data->account);
  g_clear_object (&data->session);
  g_clear_object (&data->space);
  g_clear_object (&data->item);
  g_free (data->url);
  g_free (data->comment);
  g_free (data->notice);
  g_strfreev (data->grant_emails);
  g_clear_object (&data->cancellable);
  g_free (data);
}

/* The reference every member's app receives, encrypted: what it needs to
 * show a tile and open the document, and nothing else. */
static void post_reference (GTask *task, const char *url, FoyerLinkAudience audience);

static void
shared_item_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ShareData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->item
      = foyer_graph_client_get_shared_item_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (data->item == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The pasted link is kept as it is: whoever can open it still can. */
  post_reference (task, data->url, FOYER_LINK_AUDIENCE_EXISTING);
}

/* A OneDrive or SharePoint link pasted into the composer becomes the same
 * encrypted tile as a document shared from the picker. */
gboolean
foyer_share_is_document_link (FoyerMicrosoftAccount *account, const char *text)
{
  FoyerOrgPolicy *policy;
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account), FALSE);

  policy = foyer_microsoft_account_get_policy (account);
  trimmed = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (foyer_microsoft_account_get_state (account) != FOYER_MICROSOFT_CONNECTED || policy == NULL
      || strpbrk (trimmed, " \t\n") != NULL)
    return FALSE;
  cloud = foyer_org_policy_create_cloud (policy, NULL);
  return cloud != NULL && foyer_cloud_is_sharepoint_url (cloud, trimmed);
}

void
foyer_share_link_async (FoyerMicrosoftAccount *account,
                        FoyerSession *session,
                        FoyerSpaceItem *space,
                        const char *url,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task;
  ShareData *data;
  g_autofree char *trimmed = NULL;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account));
  g_return_if_fail (FOYER_IS_SESSION (session));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  data = g_new0 (ShareData, 1);
  trimmed = g_strstrip (g_strdup (url));
  g_task_set_source_tag (task, foyer_share_document_async);
  data->account = g_object_ref (account);
  data->session = g_object_ref (session);
  data->space = g_object_ref (space);
  data->link_type = FOYER_LINK_TYPE_VIEW;
  data->audience = FOYER_LINK_AUDIENCE_EXISTING;
  data->url = g_strdup (trimmed);
  g_task_set_task_data (task, data, (GDestroyNotify) share_data_free);
  foyer_graph_client_get_shared_item_async (foyer_microsoft_account_get_graph (account), trimmed,
                                            FALSE, cancellable, shared_item_cb, task);
}

static void
post_reference (GTask *task, const char *url, FoyerLinkAudience audience)
{
  ShareData *data = g_task_get_task_data (task);
  FoyerOrgPolicy *policy = foyer_microsoft_account_get_policy (data->account);
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new ();
  g_autofree char *json = NULL;

  ref->v = 1;
  ref->provider = g_strdup ("microsoft");
  ref->cloud = g_strdup (policy != NULL ? foyer_org_policy_get_cloud_name (policy) : "worldwide");
  ref->drive_id = g_strdup (foyer_drive_item_get_target_drive_id (data->item));
  ref->item_id = g_strdup (foyer_drive_item_get_target_id (data->item));
  ref->title = g_strdup (foyer_drive_item_get_name (data->item));
  ref->url = g_strdup (url);
  ref->link_type = data->link_type;
  ref->audience = audience;
  ref->mime_type = g_strdup (foyer_drive_item_get_mime_type (data->item));
  ref->size = foyer_drive_item_get_size (data->item);
  ref->shared_by = g_strdup (foyer_session_get_person_name (data->session));
  json = foyer_document_ref_to_json (ref);
  data->shared_audience = audience;

  foyer_session_share_document (data->session, data->space, json, data->comment);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
link_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ShareData *data = g_task_get_task_data (task);
  g_autoptr (FoyerGraphLink) link = NULL;
  GError *error = NULL;

  link = foyer_graph_create_link_with_fallback_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (link == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (link->scope != link->requested_scope)
    {
      const char *fallback
          = link->scope == FOYER_GRAPH_LINK_SCOPE_ORGANIZATION
                ? _ ("Your organization does not allow links that work for anyone, so the link "
                     "works for people in your organization.")
                : _ ("Microsoft did not make a new link, so only people who already have access "
                     "can open the document.");
      char *notice = data->notice != NULL ? g_strconcat (data->notice, " ", fallback, NULL)
                                          : g_strdup (fallback);

      g_free (data->notice);
      data->notice = notice;
    }
  post_reference (task,
                  link->web_url != NULL ? link->web_url : foyer_drive_item_get_web_url (data->item),
                  foyer_graph_link_scope_get_audience (link->scope));
}

static void
invite_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ShareData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!foyer_graph_client_invite_finish (FOYER_GRAPH_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  post_reference (task, foyer_drive_item_get_web_url (data->item), FOYER_LINK_AUDIENCE_SPACE);
}

static void share_for_audience (GTask *task);

static void
grant_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  ShareData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  guint n = g_strv_length (data->grant_emails);

  if (!foyer_graph_client_invite_finish (FOYER_GRAPH_CLIENT (source), result, &error))
    {
      g_task_return_new_error (task, error->domain, error->code,
                               _ ("Could not give access to the file: %s"), error->message);
      g_object_unref (task);
      return;
    }
  data->notice
      = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u person was given access to the file.",
                                      "%u people were given access to the file.", n),
                         n);
  share_for_audience (task);
}

/* With grant_emails: those members are invited to the item first (read, or
 * write for an edit link; sign-in required, no e-mail), because the link
 * for the audience would not let them in (see foyer-access-check.h). With a
 * comment (what the person typed with the file), it is posted in the same
 * message as the document. */
void
foyer_share_document_async (FoyerMicrosoftAccount *account,
                            FoyerSession *session,
                            FoyerSpaceItem *space,
                            FoyerDriveItem *item,
                            FoyerLinkType link_type,
                            FoyerLinkAudience audience,
                            const char *const *grant_emails,
                            const char *comment,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  gboolean edit = link_type == FOYER_LINK_TYPE_EDIT;
  FoyerGraphClient *graph;
  ShareData *data;
  GTask *task;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account));
  g_return_if_fail (FOYER_IS_SESSION (session));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (FOYER_IS_DRIVE_ITEM (item));
  g_return_if_fail (audience != FOYER_LINK_AUDIENCE_NONE);

  graph = foyer_microsoft_account_get_graph (account);
  task = g_task_new (NULL, cancellable, callback, user_data);
  data = g_new0 (ShareData, 1);
  g_task_set_source_tag (task, foyer_share_document_async);
  data->account = g_object_ref (account);
  data->session = g_object_ref (session);
  data->space = g_object_ref (space);
  data->item = g_object_ref (item);
  data->link_type = link_type;
  data->audience = audience;
  data->comment = comment != NULL && *comment != '\0' ? g_strdup (comment) : NULL;
  if (foyer_session_get_member_emails (session, space) != NULL)
    data->members = g_strv_length ((char **) foyer_session_get_member_emails (session, space));
  data->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  if (grant_emails != NULL && grant_emails[0] != NULL && audience != FOYER_LINK_AUDIENCE_SPACE)
    data->grant_emails = g_strdupv ((char **) grant_emails);
  g_task_set_task_data (task, data, (GDestroyNotify) share_data_free);

  if (graph == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("Connect your Microsoft account to share documents."));
      g_object_unref (task);
      return;
    }
  if (data->grant_emails != NULL)
    foyer_graph_client_invite_async (graph, foyer_drive_item_get_target_drive_id (item),
                                     foyer_drive_item_get_target_id (item),
                                     (const char *const *) data->grant_emails, edit, TRUE, FALSE,
                                     NULL, cancellable, grant_cb, task);
  else
    share_for_audience (task);
}

static void
share_for_audience (GTask *task)
{
  ShareData *data = g_task_get_task_data (task);
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (data->account);
  FoyerSession *session = data->session;
  FoyerSpaceItem *space = data->space;
  FoyerDriveItem *item = data->item;
  FoyerLinkAudience audience = data->audience;
  GCancellable *cancellable = data->cancellable;
  gboolean edit = data->link_type == FOYER_LINK_TYPE_EDIT;

  if (audience == FOYER_LINK_AUDIENCE_EXISTING)
    post_reference (task, foyer_drive_item_get_web_url (item), FOYER_LINK_AUDIENCE_EXISTING);
  else if (audience == FOYER_LINK_AUDIENCE_SPACE)
    {
      const char *const *emails = foyer_session_get_member_emails (session, space);

      /* Only the space's current members get access; people who join later
       * are not granted automatically. */
      if (emails == NULL || emails[0] == NULL)
        post_reference (task, foyer_drive_item_get_web_url (item), FOYER_LINK_AUDIENCE_SPACE);
      else
        foyer_graph_client_invite_async (graph, foyer_drive_item_get_target_drive_id (item),
                                         foyer_drive_item_get_target_id (item), emails, edit, TRUE,
                                         FALSE, NULL, cancellable, invite_cb, task);
    }
  else
    foyer_graph_create_link_with_fallback_async (
        graph, foyer_drive_item_get_target_drive_id (item), foyer_drive_item_get_target_id (item),
        data->link_type, foyer_graph_link_scope_for_audience (audience), cancellable, link_cb,
        task);
}

gboolean
foyer_share_document_finish (GAsyncResult *result, char **out_notice, GError **error)
{
  ShareData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_notice != NULL)
    *out_notice = g_strdup (data->notice);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* After a share: with whom, in the person's words (for a toast). */
char *
foyer_share_document_dup_summary (GAsyncResult *result)
{
  ShareData *data;
  const char *title;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (data->item == NULL)
    return NULL;
  title = foyer_drive_item_get_name (data->item);
  switch (data->shared_audience)
    {
    case FOYER_LINK_AUDIENCE_ANYONE:
      return g_strdup_printf (_ ("Shared “%s”: anyone with the link can open it."), title);
    case FOYER_LINK_AUDIENCE_ORGANIZATION:
      return g_strdup_printf (_ ("Shared “%s” with people in your organization."), title);
    case FOYER_LINK_AUDIENCE_SPACE:
      return g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "Shared “%s” with the %u member of this space.",
                       "Shared “%s” with the %u members of this space.", data->members),
          title, data->members);
    case FOYER_LINK_AUDIENCE_EXISTING:
      return g_strdup_printf (_ ("Shared “%s” with the people who already have access."), title);
    case FOYER_LINK_AUDIENCE_NONE:
    default:
      return NULL;
    }
}

/* Update file sharing: the members of the space who have joined since a
 * document was shared with "people currently in this space" are not
 * granted by Microsoft; its sharer invites them now. */

typedef struct
{
  FoyerGraphClient *graph;
  char *drive_id;
  char *item_id;
  gboolean edit;
  GStrv members;
  GStrv names;
  GStrv domains;
  GStrv invited;
  gboolean check_only;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_clear_object (&data->graph);
  g_free (data->drive_id);
  g_free (data->item_id);
  g_strfreev (data->members);
  g_strfreev (data->names);
  g_strfreev (data->domains);
  g_strfreev (data->invited);
  g_free (data);
}

static const char *
member_name (UpdateData *data, const char *email)
{
  for (guint i = 0; data->names != NULL && data->members[i] != NULL; i++)
    if (g_ascii_strcasecmp (data->members[i], email) == 0)
      return data->names[i];
  return email;
}

static void
update_invite_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) granted = NULL;
  g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

  granted = foyer_graph_client_invite_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (granted == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; data->invited[i] != NULL; i++)
    g_strv_builder_add (names, member_name (data, data->invited[i]));
  g_task_return_pointer (task, g_strv_builder_end (names), (GDestroyNotify) g_strfreev);
}

static void
update_permissions_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) permissions = NULL;

  permissions
      = foyer_graph_client_list_permissions_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (permissions == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->invited = foyer_access_check_members_without_access (
      permissions, FOYER_LINK_AUDIENCE_EXISTING, (const char *const *) data->members,
      (const char *const *) data->domains, NULL);
  if (data->invited[0] == NULL || data->check_only)
    {
      g_autoptr (GStrvBuilder) names = g_strv_builder_new ();

      for (guint i = 0; data->invited[i] != NULL; i++)
        g_strv_builder_add (names, member_name (data, data->invited[i]));
      g_task_return_pointer (task, g_strv_builder_end (names), (GDestroyNotify) g_strfreev);
      return;
    }
  foyer_graph_client_invite_async (
      data->graph, data->drive_id, data->item_id, (const char *const *) data->invited, data->edit,
      TRUE, FALSE, NULL, g_task_get_cancellable (task), update_invite_cb, g_object_ref (task));
}

static void update_or_check (FoyerMicrosoftAccount *account,
                             FoyerSession *session,
                             FoyerSpaceItem *space,
                             const FoyerDocumentRef *ref,
                             gboolean check_only,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);

void
foyer_share_update_async (FoyerMicrosoftAccount *account,
                          FoyerSession *session,
                          FoyerSpaceItem *space,
                          const FoyerDocumentRef *ref,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  update_or_check (account, session, space, ref, FALSE, cancellable, callback, user_data);
}

/* Who in the space cannot open the document now (names; empty when all
 * can), from its permissions, inviting nobody: whether the sharer's tile
 * should offer Update File Sharing. _finish is foyer_share_update_finish (). */
void
foyer_share_check_async (FoyerMicrosoftAccount *account,
                         FoyerSession *session,
                         FoyerSpaceItem *space,
                         const FoyerDocumentRef *ref,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  update_or_check (account, session, space, ref, TRUE, cancellable, callback, user_data);
}

static void
update_or_check (FoyerMicrosoftAccount *account,
                 FoyerSession *session,
                 FoyerSpaceItem *space,
                 const FoyerDocumentRef *ref,
                 gboolean check_only,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  FoyerGraphClient *graph;
  g_autoptr (GTask) task = NULL;
  UpdateData *data;
  g_autofree char *domain = NULL;
  const char *const *members;

  g_return_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account));
  g_return_if_fail (FOYER_IS_SESSION (session));
  g_return_if_fail (FOYER_IS_SPACE_ITEM (space));
  g_return_if_fail (ref != NULL);

  graph = foyer_microsoft_account_get_graph (account);
  task = g_task_new (NULL, cancellable, callback, user_data);
  data = g_new0 (UpdateData, 1);
  domain = foyer_access_check_email_domain (foyer_microsoft_account_get_email (account));
  members = foyer_session_get_member_emails (session, space);
  g_task_set_source_tag (task, foyer_share_update_async);
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);
  data->drive_id = g_strdup (ref->drive_id);
  data->item_id = g_strdup (ref->item_id);
  data->edit = ref->link_type == FOYER_LINK_TYPE_EDIT;
  data->check_only = check_only;
  data->members = g_strdupv ((char **) members);
  data->names = g_strdupv ((char **) foyer_session_get_member_names (session, space));
  data->domains = g_new0 (char *, 2);
  data->domains[0] = g_steal_pointer (&domain);

  if (graph == NULL || foyer_microsoft_account_get_state (account) != FOYER_MICROSOFT_CONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "%s",
                               _ ("Connect your Microsoft account to update file sharing."));
      return;
    }
  if (data->members == NULL || data->members[0] == NULL)
    {
      g_task_return_pointer (task, g_new0 (char *, 1), (GDestroyNotify) g_strfreev);
      return;
    }
  data->graph = g_object_ref (graph);
  foyer_graph_client_list_permissions_async (graph, data->drive_id, data->item_id, cancellable,
                                             update_permissions_cb, g_steal_pointer (&task));
}

/* Returns the names of the people who were given access (empty when
 * everyone in the space already had it). */
GStrv
foyer_share_update_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
