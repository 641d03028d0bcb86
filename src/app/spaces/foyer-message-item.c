/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-message-item"

#include "config.h"

#include "foyer-message-item.h"

struct _FoyerMessageItem
{
  GObject parent_instance;
  char *id;
  gint64 seq;
  char *author_id;
  char *author_name;
  GDateTime *created;
  char *body;
  FoyerMessageState state;
  char *error;
  gboolean show_header;
  gboolean show_day;
  gboolean show_unread_marker;
  gboolean from_me;
  GObject *attachment;
  guint shown_parts;
};

G_DEFINE_FINAL_TYPE (FoyerMessageItem, foyer_message_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_SEQ,
  PROP_AUTHOR_ID,
  PROP_AUTHOR_NAME,
  PROP_CREATED,
  PROP_BODY,
  PROP_STATE,
  PROP_ERROR,
  PROP_SHOW_HEADER,
  PROP_SHOW_DAY,
  PROP_SHOW_UNREAD_MARKER,
  PROP_FROM_ME,
  PROP_ATTACHMENT,
  PROP_SHOWN_PARTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The layout flags, kept by FoyerMessageList. */
static void
set_flag (FoyerMessageItem *self, gboolean *field, gboolean value, guint prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Names and bodies are filled in as keys and member lists arrive. */
static void
set_string (FoyerMessageItem *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
foyer_message_item_finalize (GObject *object)
{
  FoyerMessageItem *self = FOYER_MESSAGE_ITEM (object);

  g_free (self->id);
  g_free (self->author_id);
  g_free (self->author_name);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_free (self->body);
  g_free (self->error);
  g_clear_object (&self->attachment);

  G_OBJECT_CLASS (foyer_message_item_parent_class)->finalize (object);
}

static void
foyer_message_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerMessageItem *self = FOYER_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SEQ:
      g_value_set_int64 (value, self->seq);
      break;
    case PROP_AUTHOR_ID:
      g_value_set_string (value, self->author_id);
      break;
    case PROP_AUTHOR_NAME:
      g_value_set_string (value, self->author_name);
      break;
    case PROP_CREATED:
      g_value_set_boxed (value, self->created);
      break;
    case PROP_BODY:
      g_value_set_string (value, self->body);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case PROP_SHOW_HEADER:
      g_value_set_boolean (value, self->show_header);
      break;
    case PROP_SHOW_DAY:
      g_value_set_boolean (value, self->show_day);
      break;
    case PROP_SHOW_UNREAD_MARKER:
      g_value_set_boolean (value, self->show_unread_marker);
      break;
    case PROP_FROM_ME:
      g_value_set_boolean (value, self->from_me);
      break;
    case PROP_ATTACHMENT:
      g_value_set_object (value, self->attachment);
      break;
    case PROP_SHOWN_PARTS:
      g_value_set_uint (value, self->shown_parts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_message_item_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FoyerMessageItem *self = FOYER_MESSAGE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      foyer_message_item_set_id (self, g_value_get_string (value));
      break;
    case PROP_SEQ:
      foyer_message_item_set_seq (self, g_value_get_int64 (value));
      break;
    case PROP_AUTHOR_ID:
      self->author_id = g_value_dup_string (value);
      break;
    case PROP_AUTHOR_NAME:
      set_string (self, &self->author_name, g_value_get_string (value), PROP_AUTHOR_NAME);
      break;
    case PROP_CREATED:
      self->created = g_value_dup_boxed (value);
      break;
    case PROP_BODY:
      set_string (self, &self->body, g_value_get_string (value), PROP_BODY);
      break;
    case PROP_STATE:
      foyer_message_item_set_state (self, g_value_get_enum (value));
      break;
    case PROP_ERROR:
      foyer_message_item_set_error (self, g_value_get_string (value));
      break;
    case PROP_SHOW_HEADER:
      foyer_message_item_set_show_header (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_DAY:
      foyer_message_item_set_show_day (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_UNREAD_MARKER:
      foyer_message_item_set_show_unread_marker (self, g_value_get_boolean (value));
      break;
    case PROP_ATTACHMENT:
      foyer_message_item_set_attachment (self, g_value_get_object (value));
      break;
    case PROP_SHOWN_PARTS:
      foyer_message_item_set_shown_parts (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_message_item_class_init (FoyerMessageItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = foyer_message_item_finalize;
  object_class->get_property = foyer_message_item_get_property;
  object_class->set_property = foyer_message_item_set_property;

  properties[PROP_ID] = g_param_spec_string (
      "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SEQ]
      = g_param_spec_int64 ("seq", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_AUTHOR_ID]
      = g_param_spec_string ("author-id", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_AUTHOR_NAME]
      = g_param_spec_string ("author-name", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CREATED]
      = g_param_spec_boxed ("created", NULL, NULL, G_TYPE_DATE_TIME,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_BODY]
      = g_param_spec_string ("body", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_MESSAGE_STATE, FOYER_MESSAGE_STATE_SENT,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR]
      = g_param_spec_string ("error", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_HEADER]
      = g_param_spec_boolean ("show-header", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_DAY]
      = g_param_spec_boolean ("show-day", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOW_UNREAD_MARKER]
      = g_param_spec_boolean ("show-unread-marker", NULL, NULL, FALSE,
                              G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FROM_ME]
      = g_param_spec_boolean ("from-me", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATTACHMENT]
      = g_param_spec_object ("attachment", NULL, NULL, G_TYPE_OBJECT,
                             G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SHOWN_PARTS]
      = g_param_spec_uint ("shown-parts", NULL, NULL, 1, G_MAXUINT, 1,
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_message_item_init (FoyerMessageItem *self)
{
  self->show_header = TRUE;
  self->shown_parts = 1;
}

FoyerMessageItem *
foyer_message_item_new (const char *id,
                        gint64 seq,
                        const char *author_id,
                        const char *author_name,
                        GDateTime *created,
                        const char *body,
                        FoyerMessageState state)
{
  return g_object_new (FOYER_TYPE_MESSAGE_ITEM, "id", id, "seq", seq, "author-id", author_id,
                       "author-name", author_name, "created", created, "body", body, "state", state,
                       NULL);
}

const char *
foyer_message_item_get_id (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->id;
}

void
foyer_message_item_set_id (FoyerMessageItem *self, const char *value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  if (g_strcmp0 (self->id, value) == 0)
    return;
  g_free (self->id);
  self->id = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

gint64
foyer_message_item_get_seq (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 0);

  return self->seq;
}

void
foyer_message_item_set_seq (FoyerMessageItem *self, gint64 value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  if (self->seq == value)
    return;
  self->seq = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEQ]);
}

const char *
foyer_message_item_get_author_id (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->author_id;
}

const char *
foyer_message_item_get_author_name (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->author_name;
}

GDateTime *
foyer_message_item_get_created (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->created;
}

const char *
foyer_message_item_get_body (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->body;
}

FoyerMessageState
foyer_message_item_get_state (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 0);

  return self->state;
}

void
foyer_message_item_set_state (FoyerMessageItem *self, FoyerMessageState value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  if (self->state == value)
    return;
  self->state = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
foyer_message_item_get_error (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->error;
}

void
foyer_message_item_set_error (FoyerMessageItem *self, const char *value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  if (g_strcmp0 (self->error, value) == 0)
    return;
  g_free (self->error);
  self->error = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

gboolean
foyer_message_item_get_show_header (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 0);

  return self->show_header;
}

void
foyer_message_item_set_show_header (FoyerMessageItem *self, gboolean value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  set_flag (self, &self->show_header, value, PROP_SHOW_HEADER);
}

gboolean
foyer_message_item_get_show_day (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 0);

  return self->show_day;
}

void
foyer_message_item_set_show_day (FoyerMessageItem *self, gboolean value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  set_flag (self, &self->show_day, value, PROP_SHOW_DAY);
}

gboolean
foyer_message_item_get_show_unread_marker (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 0);

  return self->show_unread_marker;
}

void
foyer_message_item_set_show_unread_marker (FoyerMessageItem *self, gboolean value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  set_flag (self, &self->show_unread_marker, value, PROP_SHOW_UNREAD_MARKER);
}

void
foyer_message_item_set_from_me (FoyerMessageItem *self, gboolean from_me)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  set_flag (self, &self->from_me, from_me, PROP_FROM_ME);
}

GObject *
foyer_message_item_get_attachment (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), NULL);

  return self->attachment;
}

void
foyer_message_item_set_attachment (FoyerMessageItem *self, GObject *value)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  if (!g_set_object (&self->attachment, value))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTACHMENT]);
}

/* How many parts of a long body are shown (Show More adds one); kept here
 * so that a row scrolled away and back shows as much as before. */
guint
foyer_message_item_get_shown_parts (FoyerMessageItem *self)
{
  g_return_val_if_fail (FOYER_IS_MESSAGE_ITEM (self), 1);

  return self->shown_parts;
}

void
foyer_message_item_set_shown_parts (FoyerMessageItem *self, guint parts)
{
  g_return_if_fail (FOYER_IS_MESSAGE_ITEM (self));

  parts = MAX (parts, 1);
  if (self->shown_parts == parts)
    return;
  self->shown_parts = parts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN_PARTS]);
}
