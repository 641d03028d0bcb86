/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-message-row"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-a11y.h"
#include "foyer-document-tile.h"
#include "foyer-message-row.h"
#include "foyer-message-row-private.h"
#include "foyer-text.h"
#include "foyer-wrap-bin.h"

struct _FoyerMessageRow
{
  GtkWidget parent_instance;

  FoyerMessageItem *item;
  FoyerMicrosoftAccount *account; /* for the tile */
  gulong notify_id;
  GBinding *from_me_binding;
  GBinding *id_binding;

  GtkWidget *box;
  GtkLabel *day_label;
  GtkWidget *unread_marker;
  GtkWidget *avatar_slot;
  AdwAvatar *avatar;
  GtkWidget *header;
  GtkLabel *author_label;
  GtkLabel *time_label;
  GtkWidget *body_box;
  GtkLabel *body_label;
  GtkWidget *show_more_button;
  GPtrArray *more_labels; /* the parts after the first, once shown */
  const char *shown_body; /* what the parts show, and how many */
  guint shown_parts;
  GtkWidget *attachment_slot;
  FoyerDocumentTile *tile;
  GtkLabel *status_label;
  GtkWidget *retry_button;
};

G_DEFINE_FINAL_TYPE (FoyerMessageRow, foyer_message_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One part of a body: plain text from the network turned into our own
 * markup. A part with a run too long to wrap between words is wrapped at
 * any character (Pango would take seconds otherwise); Pango never inserts
 * hyphens (they are not in the text). The label can be selected with the
 * pointer but is no Tab stop: keyboard focus goes from message to message,
 * and focusing a label would select all of its text. */
static void
set_part (GtkLabel *label, const char *text, gsize len)
{
  g_autofree char *part = g_strndup (text, len);
  g_autofree char *markup = foyer_text_to_markup (part);

  gtk_label_set_wrap_mode (label, foyer_text_has_long_run (part, -1) ? PANGO_WRAP_CHAR
                                                                     : PANGO_WRAP_WORD_CHAR);
  gtk_label_set_markup (label, markup);
  gtk_widget_set_focusable (GTK_WIDGET (label), FALSE);
}

static GtkLabel *
part_label_new (void)
{
  GtkLabel *label = GTK_LABEL (gtk_label_new (NULL));
  g_autoptr (PangoAttrList) attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  gtk_label_set_xalign (label, 0);
  gtk_label_set_wrap (label, TRUE);
  gtk_label_set_natural_wrap_mode (label, GTK_NATURAL_WRAP_NONE);
  gtk_label_set_selectable (label, TRUE);
  return label;
}

/* A long body is laid out a part at a time: the first part, then one more
 * for each Show More, so that a 64 KiB message never costs a long frame. */
static void
foyer_message_row_show_parts (FoyerMessageRow *self, const char *body)
{
  guint wanted = foyer_message_item_get_shown_parts (self->item);
  const char *p = body;
  guint shown = 0;

  if (self->shown_body == body && self->shown_parts == wanted)
    return;
  self->shown_body = body;
  self->shown_parts = wanted;
  for (guint i = 0; i < self->more_labels->len; i++)
    gtk_box_remove (GTK_BOX (self->body_box), g_ptr_array_index (self->more_labels, i));
  g_ptr_array_set_size (self->more_labels, 0);

  do
    {
      gsize len = foyer_text_chunk_end (p, FOYER_MESSAGE_MAX_DISPLAY_CHARS);
      GtkLabel *label = self->body_label;

      if (shown > 0)
        {
          label = part_label_new ();
          gtk_box_insert_child_after (
              GTK_BOX (self->body_box), GTK_WIDGET (label),
              self->more_labels->len > 0
                  ? g_ptr_array_index (self->more_labels, self->more_labels->len - 1)
                  : gtk_widget_get_parent (GTK_WIDGET (self->body_label)));
          g_ptr_array_add (self->more_labels, label);
        }
      set_part (label, p, len);
      p += len;
      shown++;
    }
  while (*p != '\0' && shown < wanted);
  gtk_widget_set_visible (self->show_more_button, *p != '\0');
}

static void
show_more_clicked_cb (FoyerMessageRow *self)
{
  if (self->item != NULL)
    foyer_message_item_set_shown_parts (self->item,
                                        foyer_message_item_get_shown_parts (self->item) + 1);
}

static void
foyer_message_row_update_body (FoyerMessageRow *self)
{
  FoyerMessageState state = foyer_message_item_get_state (self->item);
  const char *body = foyer_message_item_get_body (self->item);
  const char *error = foyer_message_item_get_error (self->item);
  g_autofree char *status = NULL;

  if (state == FOYER_MESSAGE_STATE_UNDECRYPTABLE)
    {
      status = g_strdup_printf (_ ("This message could not be decrypted: %s"),
                                error != NULL ? error : _ ("unknown reason"));
      foyer_message_row_show_parts (self, "");
    }
  else
    {
      foyer_message_row_show_parts (self, body != NULL ? body : "");
      /* One truth while offline: a message waiting for the service says so,
       * and goes out by itself (the session sends it when it can). */
      if (state == FOYER_MESSAGE_STATE_PENDING)
        status = g_strdup (error != NULL ? error : _ ("Sending…"));
      else if (state == FOYER_MESSAGE_STATE_FAILED)
        status = g_strdup_printf (_ ("Not sent: %s"), error != NULL ? error : _ ("unknown reason"));
    }

  gtk_widget_set_visible (self->body_box, *gtk_label_get_text (self->body_label));
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), status != NULL);
  gtk_widget_set_visible (self->retry_button, state == FOYER_MESSAGE_STATE_FAILED);
  gtk_label_set_text (self->status_label, status != NULL ? status : "");
  if (state == FOYER_MESSAGE_STATE_FAILED || state == FOYER_MESSAGE_STATE_UNDECRYPTABLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_set_opacity (self->body_box, state == FOYER_MESSAGE_STATE_PENDING ? 0.6 : 1.0);
}

static void
retry_clicked_cb (FoyerMessageRow *self)
{
  if (self->item != NULL && foyer_message_item_get_state (self->item) == FOYER_MESSAGE_STATE_FAILED)
    gtk_widget_activate_action (GTK_WIDGET (self), "space.retry-message", "s",
                                foyer_message_item_get_id (self->item));
}

/* The Retry of a failed message (for tests: the button itself). */
GtkWidget *
_foyer_message_row_get_retry_button (FoyerMessageRow *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ROW (self), NULL);

  return self->retry_button;
}

/* The tile says who shared it and in which message, from the item. */
static void
foyer_message_row_bind_tile (FoyerMessageRow *self)
{
  if (self->tile == NULL || self->item == NULL || self->from_me_binding != NULL)
    return;
  self->from_me_binding = g_object_bind_property (self->item, "from-me", self->tile, "shared-by-me",
                                                  G_BINDING_SYNC_CREATE);
  self->id_binding
      = g_object_bind_property (self->item, "id", self->tile, "message-id", G_BINDING_SYNC_CREATE);
}

static void
foyer_message_row_update_attachment (FoyerMessageRow *self)
{
  GObject *attachment = foyer_message_item_get_attachment (self->item);
  FoyerDocumentItem *document
      = FOYER_IS_DOCUMENT_ITEM (attachment) ? FOYER_DOCUMENT_ITEM (attachment) : NULL;

  if (document != NULL && self->tile == NULL)
    {
      self->tile = foyer_document_tile_new ();
      g_object_bind_property (self, "account", self->tile, "account", G_BINDING_SYNC_CREATE);
      gtk_box_append (GTK_BOX (self->attachment_slot), GTK_WIDGET (self->tile));
      foyer_message_row_bind_tile (self);
    }
  if (self->tile != NULL && foyer_document_tile_get_document (self->tile) != document)
    foyer_document_tile_set_document (self->tile, document);
  gtk_widget_set_visible (self->attachment_slot, document != NULL);
}

/* The row a screen reader lands on says who wrote what and when, then
 * whether it was sent; a shared document is the tile's to say. */
static void
foyer_message_row_update_accessible (FoyerMessageRow *self, const char *author, const char *time)
{
  GObject *attachment = foyer_message_item_get_attachment (self->item);
  const FoyerDocumentRef *ref = FOYER_IS_DOCUMENT_ITEM (attachment)
                                    ? foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))
                                    : NULL;
  const char *body = gtk_label_get_text (self->body_label);
  g_autofree char *document = NULL;
  g_autofree char *label = NULL;

  if (*body == '\0' && ref != NULL && ref->title != NULL)
    body = document = foyer_text_make_valid (ref->title, -1);
  /* Translators: a message as a screen reader says it: author, time, text. */
  label = g_strdup_printf (_ ("%s, %s: %s"), author, time != NULL ? time : "", body);
  foyer_a11y_name_list_item (GTK_WIDGET (self), label,
                             gtk_widget_get_visible (GTK_WIDGET (self->status_label))
                                 ? gtk_label_get_text (self->status_label)
                                 : NULL);
}

static void
foyer_message_row_update (FoyerMessageRow *self)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *author = NULL;
  g_autofree char *time = NULL;
  g_autofree char *day = NULL;
  GDateTime *created;
  gboolean show_header;

  if (self->item == NULL)
    return;

  created = foyer_message_item_get_created (self->item);
  author = foyer_text_make_valid (foyer_message_item_get_author_name (self->item), -1);
  show_header = foyer_message_item_get_show_header (self->item);

  /* Plain text setters: names come from the network. */
  gtk_label_set_text (self->author_label, author);
  adw_avatar_set_text (self->avatar, author);
  if (created != NULL)
    {
      time = foyer_text_format_time (created, now);
      day = foyer_text_format_day (created, now);
    }
  gtk_label_set_text (self->time_label, time != NULL ? time : "");
  gtk_label_set_text (self->day_label, day != NULL ? day : "");

  gtk_widget_set_visible (GTK_WIDGET (self->day_label),
                          foyer_message_item_get_show_day (self->item));
  gtk_widget_set_visible (self->unread_marker,
                          foyer_message_item_get_show_unread_marker (self->item));
  gtk_widget_set_visible (self->header, show_header);
  gtk_widget_set_visible (GTK_WIDGET (self->avatar), show_header);
  gtk_widget_set_margin_top (self->box, show_header ? 8 : 0);

  foyer_message_row_update_body (self);
  foyer_message_row_update_attachment (self);
  foyer_message_row_update_accessible (self, author, time);
}

static void
item_notify_cb (FoyerMessageRow *self)
{
  foyer_message_row_update (self);
}

FoyerMessageItem *
_foyer_message_row_get_item (FoyerMessageRow *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ROW (self), NULL);

  return self->item;
}

void
foyer_message_row_set_item (FoyerMessageRow *self, FoyerMessageItem *item)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ROW (self));
  g_return_if_fail (!item || FOYER_IS_MESSAGE_ITEM (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_clear_signal_handler (&self->notify_id, self->item);
  g_clear_pointer (&self->from_me_binding, g_binding_unbind);
  g_clear_pointer (&self->id_binding, g_binding_unbind);
  g_set_object (&self->item, item);
  self->shown_body = NULL;
  foyer_message_row_bind_tile (self);
  /* An unbound row stops its thumbnail fetch at once. */
  if (item == NULL && self->tile != NULL)
    foyer_document_tile_set_document (self->tile, NULL);
  if (item != NULL)
    {
      self->notify_id = g_signal_connect_object (item, "notify", G_CALLBACK (item_notify_cb), self,
                                                 G_CONNECT_SWAPPED);
      foyer_message_row_update (self);
    }
}

/* The person's Microsoft account, for the document tiles (the window's). */
void
foyer_message_row_set_account (FoyerMessageRow *self, FoyerMicrosoftAccount *account)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ROW (self));
  g_return_if_fail (account == NULL || FOYER_IS_MICROSOFT_ACCOUNT (account));

  if (g_set_object (&self->account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT]);
}

static void
foyer_message_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerMessageRow *self = FOYER_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_message_row_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_ACCOUNT:
      foyer_message_row_set_account (FOYER_MESSAGE_ROW (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_message_row_dispose (GObject *object)
{
  FoyerMessageRow *self = FOYER_MESSAGE_ROW (object);

  foyer_message_row_set_item (self, NULL);
  g_clear_object (&self->account);
  g_clear_pointer (&self->more_labels, g_ptr_array_unref);
  self->tile = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (foyer_message_row_parent_class)->dispose (object);
}

static void
foyer_message_row_class_init (FoyerMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = foyer_message_row_dispose;
  object_class->get_property = foyer_message_row_get_property;
  object_class->set_property = foyer_message_row_set_property;

  properties[PROP_ACCOUNT]
      = g_param_spec_object ("account", NULL, NULL, FOYER_TYPE_MICROSOFT_ACCOUNT,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (FOYER_TYPE_WRAP_BIN);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
  /* Its list item carries the name (foyer_a11y_name_list_item ()). */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GENERIC);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, box);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, unread_marker);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, avatar_slot);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, header);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, body_box);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, body_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, show_more_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, attachment_slot);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, FoyerMessageRow, retry_button);
  gtk_widget_class_bind_template_callback (widget_class, retry_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_more_clicked_cb);
}

static void
foyer_message_row_init (FoyerMessageRow *self)
{
  g_autoptr (PangoAttrList) attrs = pango_attr_list_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->more_labels = g_ptr_array_new ();
  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (self->body_label, attrs);
}

static void
factory_setup_cb (GtkListItemFactory *factory, GtkListItem *list_item, gpointer account)
{
  FoyerMessageRow *row = foyer_message_row_new ();

  foyer_message_row_set_account (row, account);
  gtk_list_item_set_activatable (list_item, FALSE);
  gtk_list_item_set_child (list_item, GTK_WIDGET (row));
}

static void
factory_bind_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  foyer_message_row_set_item (FOYER_MESSAGE_ROW (gtk_list_item_get_child (list_item)),
                              gtk_list_item_get_item (list_item));
}

static void
factory_unbind_cb (GtkListItemFactory *factory, GtkListItem *list_item)
{
  foyer_message_row_set_item (FOYER_MESSAGE_ROW (gtk_list_item_get_child (list_item)), NULL);
}

/* Rows for a GtkListView of FoyerMessageItems; account (may be NULL) is
 * for their document tiles. */
GtkListItemFactory *
foyer_message_row_factory_new (FoyerMicrosoftAccount *account)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_return_val_if_fail (account == NULL || FOYER_IS_MICROSOFT_ACCOUNT (account), NULL);

  if (account != NULL)
    g_signal_connect_data (factory, "setup", G_CALLBACK (factory_setup_cb), g_object_ref (account),
                           (GClosureNotify) g_object_unref, 0);
  else
    g_signal_connect (factory, "setup", G_CALLBACK (factory_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind_cb), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind_cb), NULL);

  return factory;
}

FoyerMessageRow *
foyer_message_row_new (void)
{
  return g_object_new (FOYER_TYPE_MESSAGE_ROW, NULL);
}
