/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-space-item"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-document-item.h"
#include "foyer-space-item.h"

struct _FoyerSpaceItem
{
  GObject parent_instance;

  char *id;
  char *title;
  gboolean title_unavailable;
  GDateTime *last_activity;
  guint unread_count;
  char *draft;
  char *last_message;
  gboolean history_loaded;
  FoyerMessageList *messages;
};

G_DEFINE_FINAL_TYPE (FoyerSpaceItem, foyer_space_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_TITLE_UNAVAILABLE,
  PROP_LAST_ACTIVITY,
  PROP_UNREAD_COUNT,
  PROP_LAST_MESSAGE,
  PROP_HISTORY_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
foyer_space_item_finalize (GObject *object)
{
  FoyerSpaceItem *self = FOYER_SPACE_ITEM (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->draft);
  g_free (self->last_message);
  g_clear_pointer (&self->last_activity, g_date_time_unref);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (foyer_space_item_parent_class)->finalize (object);
}

static void
foyer_space_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSpaceItem *self = FOYER_SPACE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_TITLE_UNAVAILABLE:
      g_value_set_boolean (value, self->title_unavailable);
      break;
    case PROP_LAST_ACTIVITY:
      g_value_set_boxed (value, self->last_activity);
      break;
    case PROP_UNREAD_COUNT:
      g_value_set_uint (value, self->unread_count);
      break;
    case PROP_LAST_MESSAGE:
      g_value_set_string (value, self->last_message);
      break;
    case PROP_HISTORY_LOADED:
      g_value_set_boolean (value, self->history_loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_space_item_set_property (GObject *object,
                               guint prop_id,
                               const GValue *value,
                               GParamSpec *pspec)
{
  FoyerSpaceItem *self = FOYER_SPACE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_TITLE:
      foyer_space_item_set_title (self, g_value_get_string (value));
      break;
    case PROP_TITLE_UNAVAILABLE:
      foyer_space_item_set_title_unavailable (self, g_value_get_boolean (value));
      break;
    case PROP_LAST_ACTIVITY:
      foyer_space_item_set_last_activity (self, g_value_get_boxed (value));
      break;
    case PROP_UNREAD_COUNT:
      foyer_space_item_set_unread_count (self, g_value_get_uint (value));
      break;
    case PROP_LAST_MESSAGE:
      foyer_space_item_set_last_message (self, g_value_get_string (value));
      break;
    case PROP_HISTORY_LOADED:
      foyer_space_item_set_history_loaded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_space_item_class_init (FoyerSpaceItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_space_item_finalize;
  object_class->get_property = foyer_space_item_get_property;
  object_class->set_property = foyer_space_item_set_property;

  properties[PROP_ID] = g_param_spec_string (
      "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, rw);
  properties[PROP_TITLE_UNAVAILABLE]
      = g_param_spec_boolean ("title-unavailable", NULL, NULL, FALSE, rw);
  properties[PROP_LAST_ACTIVITY]
      = g_param_spec_boxed ("last-activity", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_UNREAD_COUNT]
      = g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_LAST_MESSAGE] = g_param_spec_string ("last-message", NULL, NULL, NULL, rw);
  properties[PROP_HISTORY_LOADED] = g_param_spec_boolean ("history-loaded", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* What the sidebar says of the newest message: who, and what (its first
 * line, or the document shared). */
static char *
preview_of (FoyerMessageItem *message)
{
  GObject *attachment = foyer_message_item_get_attachment (message);
  const char *body = foyer_message_item_get_body (message);
  const FoyerDocumentRef *ref = FOYER_IS_DOCUMENT_ITEM (attachment)
                                    ? foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))
                                    : NULL;
  g_autofree char *line = NULL;
  const char *author = foyer_message_item_get_author_name (message);

  if (foyer_message_item_get_state (message) == FOYER_MESSAGE_STATE_UNDECRYPTABLE)
    line = g_strdup (_ ("Message could not be decrypted"));
  else if (body != NULL && *body != '\0')
    line = g_strndup (body, strcspn (body, "\n"));
  else if (ref != NULL && ref->title != NULL)
    /* Translators: the sidebar's preview of a shared document. */
    line = g_strdup_printf (_ ("Shared “%s”"), ref->title);
  else if (attachment != NULL)
    line = g_strdup (_ ("Shared a document"));
  else
    return NULL;

  /* Translators: the sidebar's preview of a message: author, then text. */
  return g_strdup_printf (_ ("%s: %s"), author != NULL ? author : "", line);
}

static void
messages_changed_cb (FoyerSpaceItem *self)
{
  GListModel *list = G_LIST_MODEL (self->messages);
  guint n = g_list_model_get_n_items (list);
  g_autoptr (FoyerMessageItem) last = n > 0 ? g_list_model_get_item (list, n - 1) : NULL;
  g_autofree char *preview = last != NULL ? preview_of (last) : NULL;

  if (preview != NULL)
    foyer_space_item_set_last_message (self, preview);
}

static void
foyer_space_item_init (FoyerSpaceItem *self)
{
  self->messages = foyer_message_list_new ();
  g_signal_connect_object (self->messages, "items-changed", G_CALLBACK (messages_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

FoyerSpaceItem *
foyer_space_item_new (const char *id)
{
  g_return_val_if_fail (id != NULL, NULL);

  return g_object_new (FOYER_TYPE_SPACE_ITEM, "id", id, NULL);
}

const char *
foyer_space_item_get_id (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->id;
}

const char *
foyer_space_item_get_title (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->title;
}

void
foyer_space_item_set_title (FoyerSpaceItem *self, const char *title)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
foyer_space_item_get_title_unavailable (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), FALSE);

  return self->title_unavailable;
}

void
foyer_space_item_set_title_unavailable (FoyerSpaceItem *self, gboolean unavailable)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  unavailable = !!unavailable;
  if (self->title_unavailable == unavailable)
    return;
  self->title_unavailable = unavailable;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE_UNAVAILABLE]);
}

GDateTime *
foyer_space_item_get_last_activity (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->last_activity;
}

void
foyer_space_item_set_last_activity (FoyerSpaceItem *self, GDateTime *when)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  if (self->last_activity == when
      || (self->last_activity != NULL && when != NULL
          && g_date_time_equal (self->last_activity, when)))
    return;
  g_clear_pointer (&self->last_activity, g_date_time_unref);
  self->last_activity = when != NULL ? g_date_time_ref (when) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ACTIVITY]);
}

guint
foyer_space_item_get_unread_count (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), 0);

  return self->unread_count;
}

void
foyer_space_item_set_unread_count (FoyerSpaceItem *self, guint count)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  if (self->unread_count == count)
    return;
  self->unread_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

const char *
foyer_space_item_get_draft (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->draft;
}

void
foyer_space_item_set_draft (FoyerSpaceItem *self, const char *draft)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  g_free (self->draft);
  self->draft = draft != NULL && *draft != '\0' ? g_strdup (draft) : NULL;
}

/* The sidebar's preview of the newest message (plain text, from the
 * network): kept from the messages as they come, or from the cache. */
const char *
foyer_space_item_get_last_message (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->last_message;
}

void
foyer_space_item_set_last_message (FoyerSpaceItem *self, const char *preview)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  if (g_strcmp0 (self->last_message, preview) == 0)
    return;
  g_free (self->last_message);
  self->last_message = g_strdup (preview);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_MESSAGE]);
}

/* Whether the service's newest messages have been read into the list at
 * least once: an empty list is then an empty space, not one loading. */
gboolean
foyer_space_item_get_history_loaded (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), FALSE);

  return self->history_loaded;
}

void
foyer_space_item_set_history_loaded (FoyerSpaceItem *self, gboolean loaded)
{
  g_return_if_fail (FOYER_IS_SPACE_ITEM (self));

  loaded = !!loaded;
  if (self->history_loaded == loaded)
    return;
  self->history_loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY_LOADED]);
}

FoyerMessageList *
foyer_space_item_get_messages (FoyerSpaceItem *self)
{
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (self), NULL);

  return self->messages;
}

/* Most recently active first; spaces never active last, by id for a stable
 * order. */
int
foyer_space_item_compare_activity (gconstpointer a, gconstpointer b, gpointer user_data)
{
  FoyerSpaceItem *sa = FOYER_SPACE_ITEM ((gpointer) a);
  FoyerSpaceItem *sb = FOYER_SPACE_ITEM ((gpointer) b);

  if (sa->last_activity != NULL && sb->last_activity != NULL)
    {
      int c = g_date_time_compare (sb->last_activity, sa->last_activity);

      if (c != 0)
        return c;
    }
  else if (sa->last_activity != NULL || sb->last_activity != NULL)
    return sa->last_activity != NULL ? -1 : 1;

  return g_strcmp0 (sa->id, sb->id);
}
