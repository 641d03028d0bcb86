/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-space-item"

#include "config.h"

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
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_space_item_init (FoyerSpaceItem *self)
{
  self->messages = foyer_message_list_new ();
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
