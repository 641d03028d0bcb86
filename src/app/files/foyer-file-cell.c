/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-a11y.h"
#include "foyer-document-item.h"
#include "foyer-document-tile.h"
#include "foyer-file-cell.h"
#include "foyer-file-kind.h"
#include "foyer-text.h"
#include "foyer-thumbnail.h"
#include "foyer-thumbnail-loader.h"

struct _FoyerFileCell
{
  GtkWidget parent_instance;

  gboolean grid;
  FoyerMicrosoftAccount *account;
  FoyerMessageItem *item;
  const FoyerDocumentRef *ref; /* checked against the cloud, or NULL */
  GCancellable *cancellable;
  gboolean has_thumbnail;

  GtkWidget *box;
  GtkStack *preview;
  GtkImage *icon;
  GtkPicture *picture;
  GtkLabel *name;
  GtkLabel *details;
};

G_DEFINE_FINAL_TYPE (FoyerFileCell, foyer_file_cell, GTK_TYPE_WIDGET)

static char *
format_date (GDateTime *when)
{
  g_autoptr (GDateTime) local = when != NULL ? g_date_time_to_local (when) : NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  if (local == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (local) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    /* Translators: a file shared today, at this time (strftime). */
    return g_date_time_format (local, _ ("Today %H:%M"));
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a file shared this year (strftime), e.g. "3 Dec". */
    return g_date_time_format (local, _ ("%-d %b"));
  /* Translators: a file shared in another year (strftime), e.g. "3 Dec 2025". */
  return g_date_time_format (local, _ ("%-d %b %Y"));
}

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerFileCell *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = foyer_thumbnail_texture_finish (source, result, &error);

  /* The cell shows another document by now, or is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = FOYER_FILE_CELL (user_data);
  g_clear_object (&self->cancellable);
  if (texture == NULL)
    return;
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child (self->preview, GTK_WIDGET (self->picture));
  self->has_thumbnail = TRUE;
}

/* The tiles' thumbnail, asked for with the person's own account (and the
 * same cache key, so a thumbnail a tile fetched is there at once). */
static void
load_thumbnail (FoyerFileCell *self)
{
  FoyerThumbnailLoader *loader;

  if (self->account == NULL || self->ref == NULL
      || foyer_microsoft_account_get_state (self->account) != FOYER_MICROSOFT_CONNECTED)
    return;
  loader = foyer_microsoft_account_get_thumbnails (self->account);
  if (loader == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  foyer_document_tile_fetch_thumbnail (loader, self->ref->url, self->cancellable, thumbnail_cb,
                                       self);
}

static FoyerCloud *
account_cloud (FoyerFileCell *self)
{
  FoyerOrgPolicy *policy
      = self->account != NULL ? foyer_microsoft_account_get_policy (self->account) : NULL;

  return policy != NULL ? foyer_org_policy_create_cloud (policy, NULL) : NULL;
}

void
foyer_file_cell_set_item (FoyerFileCell *self, FoyerMessageItem *item)
{
  GObject *attachment;
  FoyerDocumentItem *document;
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autofree char *title = NULL;
  g_autofree char *date = NULL;
  g_autofree char *author = NULL;
  g_autofree char *details = NULL;
  FoyerDriveItemKind kind;

  g_return_if_fail (FOYER_IS_FILE_CELL (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_set_object (&self->item, item);
  self->ref = NULL;
  self->has_thumbnail = FALSE;
  gtk_picture_set_paintable (self->picture, NULL);
  gtk_stack_set_visible_child (self->preview, GTK_WIDGET (self->icon));
  if (item == NULL)
    return;

  attachment = foyer_message_item_get_attachment (item);
  document = FOYER_IS_DOCUMENT_ITEM (attachment) ? FOYER_DOCUMENT_ITEM (attachment) : NULL;
  cloud = account_cloud (self);
  if (document != NULL)
    self->ref = foyer_document_item_check (document, cloud, NULL);
  if (self->ref == NULL)
    {
      gtk_image_set_from_icon_name (self->icon, "dialog-warning-symbolic");
      gtk_label_set_text (self->name, _ ("Unavailable document"));
      gtk_label_set_text (self->details, "");
      foyer_a11y_name_list_item (GTK_WIDGET (self), _ ("Unavailable document"), NULL);
      return;
    }
  kind = foyer_file_kind_guess (self->ref->mime_type, self->ref->title);
  title = foyer_text_make_valid (self->ref->title, -1);
  author = foyer_text_make_valid (foyer_message_item_get_author_name (item), -1);
  date = format_date (foyer_message_item_get_created (item));
  /* Translators: who shared a file, when, and its kind: "Alice · 3 Dec · Spreadsheet". */
  details = g_strdup_printf (_ ("%s · %s · %s"), author, date, foyer_file_kind_label (kind));
  gtk_image_set_from_icon_name (self->icon, foyer_file_kind_icon_name (kind));
  gtk_label_set_text (self->name, title);
  gtk_label_set_text (self->details, details);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name), title);
  /* The row or cell that takes the focus says it. */
  foyer_a11y_name_list_item (GTK_WIDGET (self), title, details);
  load_thumbnail (self);
}

FoyerMessageItem *
foyer_file_cell_get_item (FoyerFileCell *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_CELL (self), NULL);
  return self->item;
}

void
foyer_file_cell_set_account (FoyerFileCell *self, FoyerMicrosoftAccount *account)
{
  g_return_if_fail (FOYER_IS_FILE_CELL (self));
  g_set_object (&self->account, account);
}

gboolean
foyer_file_cell_open (FoyerFileCell *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_CELL (self), FALSE);

  return self->item != NULL && foyer_file_open_item (GTK_WIDGET (self), self->account, self->item);
}

/* The viewer, for a reference whose address is in the person's cloud. */
gboolean
foyer_file_open_item (GtkWidget *widget, FoyerMicrosoftAccount *account, FoyerMessageItem *item)
{
  GObject *attachment = foyer_message_item_get_attachment (item);
  FoyerOrgPolicy *policy = account != NULL ? foyer_microsoft_account_get_policy (account) : NULL;
  g_autoptr (FoyerCloud) cloud
      = policy != NULL ? foyer_org_policy_create_cloud (policy, NULL) : NULL;
  const FoyerDocumentRef *ref
      = FOYER_IS_DOCUMENT_ITEM (attachment)
            ? foyer_document_item_check (FOYER_DOCUMENT_ITEM (attachment), cloud, NULL)
            : NULL;

  if (ref == NULL)
    return FALSE;
  return gtk_widget_activate_action (widget, "account.open-document", "(ss)",
                                     ref->title != NULL ? ref->title : "", ref->url);
}

gboolean
_foyer_file_cell_has_thumbnail (FoyerFileCell *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_CELL (self), FALSE);
  return self->has_thumbnail;
}

const char *
_foyer_file_cell_get_name (FoyerFileCell *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_CELL (self), NULL);
  return gtk_label_get_text (self->name);
}

const char *
_foyer_file_cell_get_details (FoyerFileCell *self)
{
  g_return_val_if_fail (FOYER_IS_FILE_CELL (self), NULL);
  return gtk_label_get_text (self->details);
}

static void
foyer_file_cell_dispose (GObject *object)
{
  FoyerFileCell *self = FOYER_FILE_CELL (object);

  foyer_file_cell_set_item (self, NULL);
  g_clear_object (&self->account);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  G_OBJECT_CLASS (foyer_file_cell_parent_class)->dispose (object);
}

static void
foyer_file_cell_class_init (FoyerFileCellClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_file_cell_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "filecell");
}

static void
foyer_file_cell_init (FoyerFileCell *self)
{
}

static GtkWidget *
label_new (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, css_class);
  return label;
}

FoyerFileCell *
foyer_file_cell_new (gboolean grid)
{
  FoyerFileCell *self = g_object_new (FOYER_TYPE_FILE_CELL, NULL);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *clamp;
  int size = grid ? 96 : 40;

  self->grid = grid;
  self->box
      = gtk_box_new (grid ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL, grid ? 6 : 12);
  self->preview = GTK_STACK (gtk_stack_new ());
  self->icon = GTK_IMAGE (gtk_image_new_from_icon_name ("text-x-generic-symbolic"));
  gtk_image_set_pixel_size (self->icon, grid ? 48 : 32);
  self->picture = GTK_PICTURE (gtk_picture_new ());
  gtk_picture_set_can_shrink (self->picture, TRUE);
  gtk_picture_set_content_fit (self->picture, GTK_CONTENT_FIT_COVER);
  gtk_widget_add_css_class (GTK_WIDGET (self->picture), "file-thumbnail");
  gtk_stack_add_child (self->preview, GTK_WIDGET (self->icon));
  gtk_stack_add_child (self->preview, GTK_WIDGET (self->picture));
  gtk_widget_set_size_request (GTK_WIDGET (self->preview), grid ? 160 : size, size);
  gtk_widget_set_overflow (GTK_WIDGET (self->preview), GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview), "file-preview");
  self->name = GTK_LABEL (label_new ("heading"));
  self->details = GTK_LABEL (label_new ("caption"));
  gtk_widget_add_css_class (GTK_WIDGET (self->details), "dim-label");
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->name));
  gtk_box_append (GTK_BOX (texts), GTK_WIDGET (self->details));
  gtk_widget_set_valign (texts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, !grid);
  if (grid)
    gtk_widget_set_size_request (texts, 160, -1);
  /* A thumbnail wider than the place asks no more room: names stay
   * aligned whatever the pictures' shapes. */
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), grid ? 160 : size);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), grid ? 160 : size);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->preview));
  gtk_widget_set_valign (clamp, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self->box), clamp);
  gtk_box_append (GTK_BOX (self->box), texts);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));
  if (grid)
    gtk_widget_add_css_class (GTK_WIDGET (self), "grid");
  return self;
}
