/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-document-tile"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-a11y.h"
#include "foyer-document-tile.h"
#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-graph-error.h"
#include "foyer-text.h"
#include "foyer-thumbnail.h"
#include "foyer-thumbnail-loader.h"

struct _FoyerDocumentTile
{
  GtkWidget parent_instance;

  FoyerMicrosoftAccount *account;
  gulong account_state_id;
  FoyerDocumentItem *document;
  const FoyerDocumentRef *ref; /* the document's, once its address is checked */
  char *message_id;            /* for Update File Sharing (space.update-sharing) */
  GCancellable *cancellable;
  gboolean has_thumbnail;
  gboolean shared_by_me;
  guint retry_source; /* the thumbnail again, after Microsoft was busy */
  guint retry_delay_s;

  GtkWidget *box;
  GtkPicture *thumbnail;
  GtkImage *icon;
  GtkLabel *title;
  GtkLabel *details;
  GtkLabel *status;
  GtkWidget *actions;
  GtkWidget *connect_button;
  GtkWidget *request_button;
  GtkWidget *update_button;
  GtkWidget *menu_button;
};

G_DEFINE_FINAL_TYPE (FoyerDocumentTile, foyer_document_tile, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  PROP_SHARED_BY_ME,
  PROP_MESSAGE_ID,
  N_PROPS
};

enum
{
  OPEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void account_state_cb (FoyerDocumentTile *self);

static const char *
icon_for (const char *mime_type)
{
  if (mime_type == NULL)
    return "text-x-generic-symbolic";
  if (strstr (mime_type, "spreadsheet") != NULL || strstr (mime_type, "excel") != NULL)
    return "x-office-spreadsheet-symbolic";
  if (strstr (mime_type, "presentation") != NULL || strstr (mime_type, "powerpoint") != NULL)
    return "x-office-presentation-symbolic";
  if (g_str_has_prefix (mime_type, "image/"))
    return "image-x-generic-symbolic";
  if (g_str_equal (mime_type, "application/zip"))
    return "package-x-generic-symbolic";
  return "x-office-document-symbolic";
}

/* A screen reader says the document's title, then what the tile says
 * about it (size, access, who shared it) and its status. */
static void
foyer_document_tile_update_accessible (FoyerDocumentTile *self)
{
  const char *details = gtk_label_get_text (self->details);
  const char *status
      = gtk_widget_get_visible (GTK_WIDGET (self->status)) ? gtk_label_get_text (self->status) : "";
  g_autofree char *description
      = g_strjoin (*details != '\0' && *status != '\0' ? ". " : "", details, status, NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (self->title),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

static void
set_status (FoyerDocumentTile *self, const char *text)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status), text != NULL);
}

/* Its sharer may re-share a document shared with the space's members. */
static gboolean
can_update (FoyerDocumentTile *self)
{
  return self->shared_by_me && self->ref != NULL
         && self->ref->audience == FOYER_LINK_AUDIENCE_SPACE;
}

/* What the person can do about it: connect, or ask the owner for access;
 * the sharer can also update who the file is shared with. */
static void
show_actions (FoyerDocumentTile *self, gboolean connect, gboolean request)
{
  gboolean update = can_update (self);

  /* Update File Sharing only while someone in the space cannot open it. */
  update = update && !connect && self->document != NULL
           && foyer_document_item_get_needs_update (self->document);
  gtk_widget_set_visible (self->connect_button, connect);
  gtk_widget_set_visible (self->request_button, request);
  gtk_widget_set_visible (self->update_button, update);
  gtk_widget_set_visible (self->actions, connect || request || update);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.manage-access",
                                 self->shared_by_me && self->ref != NULL);
}

/* The sharer's tile asks whether anyone in the space cannot open the
 * document (space.check-sharing), once for each set of members; the
 * answer comes back through the document's needs-update. */
static void
maybe_check_sharing (FoyerDocumentTile *self)
{
  if (!can_update (self) || self->message_id == NULL || self->account == NULL
      || foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED
      || foyer_document_item_get_checked_members (self->document) != NULL)
    return;
  gtk_widget_activate_action (GTK_WIDGET (self), "space.check-sharing", "s", self->message_id);
}

static void
access_changed_cb (FoyerDocumentTile *self)
{
  if (self->ref == NULL)
    return;
  show_actions (self, gtk_widget_get_visible (self->connect_button),
                gtk_widget_get_visible (self->request_button));
  maybe_check_sharing (self);
}

/* What Update File Sharing says, from the document (the model keeps it
 * while the tile comes and goes). */
static void
sync_sharing (FoyerDocumentTile *self)
{
  const char *status = foyer_document_item_get_sharing_status (self->document);

  gtk_widget_set_sensitive (self->update_button,
                            !foyer_document_item_get_sharing_busy (self->document));
  if (status == NULL)
    return;
  set_status (self, status);
  if (foyer_document_item_get_sharing_failed (self->document))
    gtk_widget_add_css_class (GTK_WIDGET (self->status), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
}

static void
update_clicked_cb (FoyerDocumentTile *self)
{
  if (self->ref != NULL && self->message_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "space.update-sharing", "s", self->message_id);
}

/* Whether the person looking is the one who shared it (the message's
 * author): the message row binds it. */
void
foyer_document_tile_set_shared_by_me (FoyerDocumentTile *self, gboolean shared_by_me)
{
  g_return_if_fail (FOYER_IS_DOCUMENT_TILE (self));

  shared_by_me = !!shared_by_me;
  if (self->shared_by_me == shared_by_me)
    return;
  self->shared_by_me = shared_by_me;
  access_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARED_BY_ME]);
}

/* The message the document came in, for Update File Sharing. */
void
foyer_document_tile_set_message_id (FoyerDocumentTile *self, const char *message_id)
{
  g_return_if_fail (FOYER_IS_DOCUMENT_TILE (self));

  if (g_strcmp0 (self->message_id, message_id) == 0)
    return;
  g_free (self->message_id);
  self->message_id = g_strdup (message_id);
  if (self->ref != NULL)
    maybe_check_sharing (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE_ID]);
}

/* The person's Microsoft account: its state, its cloud and its thumbnails.
 * Without one the tile says how to connect. */
void
foyer_document_tile_set_account (FoyerDocumentTile *self, FoyerMicrosoftAccount *account)
{
  g_return_if_fail (FOYER_IS_DOCUMENT_TILE (self));
  g_return_if_fail (account == NULL || FOYER_IS_MICROSOFT_ACCOUNT (account));

  if (self->account == account)
    return;
  if (self->account != NULL)
    g_clear_signal_handler (&self->account_state_id, self->account);
  g_set_object (&self->account, account);
  if (account != NULL)
    self->account_state_id = g_signal_connect_object (
        account, "notify::state", G_CALLBACK (account_state_cb), self, G_CONNECT_SWAPPED);
  account_state_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

/* The Update File Sharing button (for tests: the button itself). */
GtkWidget *
_foyer_document_tile_get_update_button (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return self->update_button;
}

static void
request_clicked_cb (FoyerDocumentTile *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* Microsoft's own page for the link offers to ask the owner for access. */
  if (self->ref != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->ref->url,
                  GDK_CURRENT_TIME);
}

/* Connect… (for tests: the button itself). */
GtkWidget *
_foyer_document_tile_get_connect_button (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return self->connect_button;
}

static void foyer_document_tile_load_thumbnail (FoyerDocumentTile *self);

static gboolean
retry_thumbnail_cb (gpointer user_data)
{
  FoyerDocumentTile *self = user_data;

  self->retry_source = 0;
  if (self->ref != NULL && !self->has_thumbnail && self->cancellable == NULL)
    foyer_document_tile_load_thumbnail (self);
  return G_SOURCE_REMOVE;
}

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerDocumentTile *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = foyer_thumbnail_texture_finish (source, result, &error);

  /* The tile may show another document by now, or be gone: then stop. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_object_unref (self->cancellable);
  self->cancellable = NULL;

  if (texture != NULL)
    {
      gtk_picture_set_paintable (self->thumbnail, GDK_PAINTABLE (texture));
      gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), TRUE);
      self->has_thumbnail = TRUE;
    }
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED))
    {
      set_status (self, _ ("You do not have access to this document. Ask the person who shared "
                           "it."));
      show_actions (self, FALSE, TRUE);
    }
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_UNAUTHENTICATED))
    set_status (self, _ ("Reconnect your Microsoft account to see a preview."));
  else if (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_THROTTLED)
           || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE)
           || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NETWORK))
    {
      /* The client has already waited as Microsoft asked and given up for
       * now: the icon stays, and the tile asks again later, less often each
       * time, rather than never showing the preview, and never before
       * Microsoft's Retry-After (the loader holds every fetch until then
       * too, so a rebound tile cannot ask early either). */
      self->retry_delay_s = CLAMP (self->retry_delay_s * 2, 5, 60);
      g_clear_handle_id (&self->retry_source, g_source_remove);
      self->retry_source = g_timeout_add_seconds (
          MAX (self->retry_delay_s, foyer_graph_error_get_retry_after (error)), retry_thumbnail_cb,
          self);
    }
}

static void
foyer_document_tile_load_thumbnail (FoyerDocumentTile *self)
{
  FoyerMicrosoftAccount *account = self->account;

  if (account == NULL || foyer_microsoft_account_get_state (account) != FOYER_MICROSOFT_CONNECTED)
    {
      set_status (self, _ ("Connect your Microsoft account to see a preview."));
      show_actions (self,
                    account != NULL
                        && foyer_microsoft_account_get_state (account)
                               != FOYER_MICROSOFT_UNAVAILABLE,
                    FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  foyer_document_tile_fetch_thumbnail (foyer_microsoft_account_get_thumbnails (account),
                                       self->ref->url, self->cancellable, thumbnail_cb, self);
}

void
foyer_document_tile_fetch_thumbnail (FoyerThumbnailLoader *loader,
                                     const char *url,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autofree char *share_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_THUMBNAIL_LOADER (loader));
  g_return_if_fail (url != NULL);

  share_id = foyer_graph_share_id_encode (url);
  key = g_strconcat (share_id, ":medium", NULL);
  path = foyer_graph_shared_thumbnail_path (share_id, "medium");
  foyer_thumbnail_loader_load_async (loader, key, path, cancellable, callback, user_data);
}

/* The cloud whose hosts a document may be on: the account's, made once
 * from the organization's policy (reading its descriptor, a file for a
 * sandbox), not once per tile. */
static FoyerCloud *
tile_cloud (FoyerMicrosoftAccount *account)
{
  FoyerOrgPolicy *policy;

  if (account == NULL)
    return NULL;
  if (foyer_microsoft_account_get_cloud (account) != NULL)
    return g_object_ref (foyer_microsoft_account_get_cloud (account));
  /* A policy the account does not work under (Microsoft disabled). */
  policy = foyer_microsoft_account_get_policy (account);
  return policy != NULL ? foyer_org_policy_create_cloud (policy, NULL) : NULL;
}

static void
stop_thumbnail (FoyerDocumentTile *self)
{
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
    }
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_delay_s = 0;
}

static void
drop_thumbnail (FoyerDocumentTile *self)
{
  stop_thumbnail (self);
  self->has_thumbnail = FALSE;
  gtk_picture_set_paintable (self->thumbnail, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->thumbnail), FALSE);
}

/* The tile follows its account live, both ways: connecting fetches the
 * preview at once; disconnecting drops it (it was fetched with the
 * account just forgotten) and asks to connect again. A sign-in that only
 * needs renewing keeps what is shown. */
static void
account_state_cb (FoyerDocumentTile *self)
{
  FoyerMicrosoftState state = self->account != NULL
                                  ? foyer_microsoft_account_get_state (self->account)
                                  : FOYER_MICROSOFT_UNAVAILABLE;

  if (self->ref == NULL)
    return;
  if (state == FOYER_MICROSOFT_CONNECTED)
    {
      if (self->has_thumbnail || self->cancellable != NULL)
        return;
      stop_thumbnail (self);
      set_status (self, NULL);
      show_actions (self, FALSE, FALSE);
      foyer_document_tile_load_thumbnail (self);
      sync_sharing (self);
      maybe_check_sharing (self);
      return;
    }
  if (state == FOYER_MICROSOFT_DISCONNECTED || state == FOYER_MICROSOFT_UNAVAILABLE)
    drop_thumbnail (self);
  else
    stop_thumbnail (self);
  foyer_document_tile_load_thumbnail (self);
}

void
foyer_document_tile_set_document (FoyerDocumentTile *self, FoyerDocumentItem *document)
{
  g_autoptr (FoyerCloud) cloud = tile_cloud (self->account);
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *size = NULL;
  g_autofree char *details = NULL;

  g_return_if_fail (FOYER_IS_DOCUMENT_TILE (self));

  /* A late thumbnail must never land on a recycled tile. */
  stop_thumbnail (self);
  gtk_widget_set_sensitive (self->update_button, TRUE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status), "error");
  if (self->document != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->document, sync_sharing, self);
      g_signal_handlers_disconnect_by_func (self->document, access_changed_cb, self);
    }
  g_set_object (&self->document, document);
  self->ref = NULL;
  drop_thumbnail (self);
  set_status (self, NULL);
  show_actions (self, FALSE, FALSE);
  if (document == NULL)
    return;

  self->ref = foyer_document_item_check (document, cloud, &error);
  if (self->ref == NULL)
    {
      gtk_image_set_from_icon_name (self->icon, "dialog-warning-symbolic");
      gtk_label_set_text (self->title, _ ("Unavailable document"));
      gtk_label_set_text (self->details, "");
      set_status (self, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self), "unavailable");
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self), "unavailable");

  title = foyer_text_make_valid (self->ref->title, -1);
  size = g_format_size (MAX (self->ref->size, 0));
  details = g_strdup_printf ("%s · %s · %s", size,
                             self->ref->link_type == FOYER_LINK_TYPE_EDIT ? _ ("Can edit")
                                                                          : _ ("Can view"),
                             self->ref->shared_by != NULL ? self->ref->shared_by : "");
  gtk_image_set_from_icon_name (self->icon, icon_for (self->ref->mime_type));
  gtk_label_set_text (self->title, title);
  gtk_label_set_text (self->details, details);
  show_actions (self, FALSE, FALSE);
  foyer_document_tile_load_thumbnail (self);
  g_signal_connect_object (document, "notify::sharing-status", G_CALLBACK (sync_sharing), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::sharing-busy", G_CALLBACK (sync_sharing), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::needs-update", G_CALLBACK (access_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (document, "notify::checked-members", G_CALLBACK (access_changed_cb),
                           self, G_CONNECT_SWAPPED);
  sync_sharing (self);
  access_changed_cb (self);
}

FoyerDocumentItem *
foyer_document_tile_get_document (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return self->document;
}

const FoyerDocumentRef *
_foyer_document_tile_get_ref (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return self->ref;
}

gboolean
_foyer_document_tile_has_thumbnail (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), FALSE);

  return self->has_thumbnail;
}

const char *
_foyer_document_tile_get_status (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->status)) ? gtk_label_get_text (self->status)
                                                            : NULL;
}

/* What the tile shows as the title (for tests and accessibility checks). */
const char *
_foyer_document_tile_get_title (FoyerDocumentTile *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_TILE (self), NULL);

  return gtk_label_get_text (self->title);
}

/* tile.copy-link: the document's address, for pasting elsewhere. */
static void
copy_link_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (widget);

  if (self->ref == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->ref->url);
  gtk_widget_activate_action (widget, "win.show-toast", "s", _ ("Link copied"));
}

/* tile.open-in-browser: Microsoft's own page for it, in the browser. */
static void
open_in_browser_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->ref != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->ref->url,
                  GDK_CURRENT_TIME);
}

/* tile.manage-access: who can open it, for whoever shared it
 * (space.manage-access). */
static void
manage_access_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (widget);

  if (self->ref != NULL && self->message_id != NULL)
    gtk_widget_activate_action (widget, "space.manage-access", "s", self->message_id);
}

static void
clicked_cb (GtkGestureClick *gesture, int n_press, double x, double y, FoyerDocumentTile *self)
{
  if (self->ref != NULL)
    g_signal_emit (self, signals[OPEN], 0, self->ref);
}

/* Enter or Space on the focused tile opens it, as a click does. */
static gboolean
activate_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (widget);

  if (self->ref == NULL)
    return FALSE;
  g_signal_emit (self, signals[OPEN], 0, self->ref);
  return TRUE;
}

/* Unless a handler stops it: the window's viewer (account.open-document). */
static void
foyer_document_tile_real_open (FoyerDocumentTile *self, const FoyerDocumentRef *ref)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.open-document", "(ss)",
                              ref->title != NULL ? ref->title : "", ref->url);
}

static void
foyer_document_tile_dispose (GObject *object)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (object);

  foyer_document_tile_set_document (self, NULL);
  g_clear_object (&self->account);
  g_clear_pointer (&self->message_id, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_DOCUMENT_TILE);
  G_OBJECT_CLASS (foyer_document_tile_parent_class)->dispose (object);
}

static void
foyer_document_tile_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    case PROP_SHARED_BY_ME:
      g_value_set_boolean (value, self->shared_by_me);
      break;
    case PROP_MESSAGE_ID:
      g_value_set_string (value, self->message_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_document_tile_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  FoyerDocumentTile *self = FOYER_DOCUMENT_TILE (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      foyer_document_tile_set_account (self, g_value_get_object (value));
      break;
    case PROP_SHARED_BY_ME:
      foyer_document_tile_set_shared_by_me (self, g_value_get_boolean (value));
      break;
    case PROP_MESSAGE_ID:
      foyer_document_tile_set_message_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_document_tile_class_init (FoyerDocumentTileClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = foyer_document_tile_dispose;
  object_class->get_property = foyer_document_tile_get_property;
  object_class->set_property = foyer_document_tile_set_property;

  properties[PROP_ACCOUNT]
      = g_param_spec_object ("account", NULL, NULL, FOYER_TYPE_MICROSOFT_ACCOUNT, flags);
  properties[PROP_SHARED_BY_ME] = g_param_spec_boolean ("shared-by-me", NULL, NULL, FALSE, flags);
  properties[PROP_MESSAGE_ID] = g_param_spec_string ("message-id", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "documenttile");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);

  /* (const FoyerDocumentRef *ref): the person wants to open it. */
  signals[OPEN] = g_signal_new_class_handler ("open", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                              G_CALLBACK (foyer_document_tile_real_open), NULL,
                                              NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-document-tile.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerDocumentTile, name)
  BIND (box);
  BIND (thumbnail);
  BIND (icon);
  BIND (title);
  BIND (details);
  BIND (status);
  BIND (actions);
  BIND (connect_button);
  BIND (request_button);
  BIND (update_button);
  BIND (menu_button);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, request_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_clicked_cb);

  gtk_widget_class_install_action (widget_class, "tile.copy-link", NULL, copy_link_action);
  gtk_widget_class_install_action (widget_class, "tile.open-in-browser", NULL,
                                   open_in_browser_action);
  gtk_widget_class_install_action (widget_class, "tile.manage-access", NULL, manage_access_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Return, 0, activate_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Enter, 0, activate_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_ISO_Enter, 0, activate_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_space, 0, activate_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Space, 0, activate_cb, NULL);
}

static void
foyer_document_tile_init (FoyerDocumentTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "tile.manage-access", FALSE);
  g_signal_connect_swapped (self->title, "notify::label",
                            G_CALLBACK (foyer_document_tile_update_accessible), self);
  g_signal_connect_swapped (self->details, "notify::label",
                            G_CALLBACK (foyer_document_tile_update_accessible), self);
  g_signal_connect_swapped (self->status, "notify::label",
                            G_CALLBACK (foyer_document_tile_update_accessible), self);
  g_signal_connect_swapped (self->status, "notify::visible",
                            G_CALLBACK (foyer_document_tile_update_accessible), self);
  /* Tiles come after their window was shown: their buttons are named here. */
  foyer_a11y_repair (GTK_WIDGET (self));
}

FoyerDocumentTile *
foyer_document_tile_new (void)
{
  return g_object_new (FOYER_TYPE_DOCUMENT_TILE, NULL);
}
