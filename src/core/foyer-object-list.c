/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-core"

#include "config.h"

#include "foyer-object-list.h"

typedef struct
{
  GPtrArray *items;
} FoyerObjectListPrivate;

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_ABSTRACT_TYPE_WITH_CODE (FoyerObjectList,
                                  foyer_object_list,
                                  G_TYPE_OBJECT,
                                  G_ADD_PRIVATE (FoyerObjectList)
                                      G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                             list_model_iface_init))

enum
{
  PROP_0,
  PROP_ITEM_TYPE,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GPtrArray *
items_of (FoyerObjectList *self)
{
  FoyerObjectListPrivate *priv = foyer_object_list_get_instance_private (self);

  return priv->items;
}

static GType
list_get_item_type (GListModel *model)
{
  return FOYER_OBJECT_LIST_GET_CLASS (model)->item_type;
}

static guint
list_get_n_items (GListModel *model)
{
  return items_of (FOYER_OBJECT_LIST (model))->len;
}

static gpointer
list_get_item (GListModel *model, guint position)
{
  gpointer item = foyer_object_list_peek (FOYER_OBJECT_LIST (model), position);

  return item != NULL ? g_object_ref (item) : NULL;
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = list_get_item_type;
  iface->get_n_items = list_get_n_items;
  iface->get_item = list_get_item;
}

static void
foyer_object_list_finalize (GObject *object)
{
  FoyerObjectListPrivate *priv
      = foyer_object_list_get_instance_private (FOYER_OBJECT_LIST (object));

  g_ptr_array_unref (priv->items);
  G_OBJECT_CLASS (foyer_object_list_parent_class)->finalize (object);
}

static void
foyer_object_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerObjectList *self = FOYER_OBJECT_LIST (object);

  switch (prop_id)
    {
    case PROP_ITEM_TYPE:
      g_value_set_gtype (value, FOYER_OBJECT_LIST_GET_CLASS (self)->item_type);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, items_of (self)->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_object_list_class_init (FoyerObjectListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_object_list_finalize;
  object_class->get_property = foyer_object_list_get_property;

  klass->item_type = G_TYPE_OBJECT;
  properties[PROP_ITEM_TYPE] = g_param_spec_gtype ("item-type", NULL, NULL, G_TYPE_OBJECT, ro);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_object_list_init (FoyerObjectList *self)
{
  FoyerObjectListPrivate *priv = foyer_object_list_get_instance_private (self);

  priv->items = g_ptr_array_new_with_free_func (g_object_unref);
}

gpointer
foyer_object_list_peek (FoyerObjectList *self, guint position)
{
  GPtrArray *items;

  g_return_val_if_fail (FOYER_IS_OBJECT_LIST (self), NULL);

  items = items_of (self);
  return position < items->len ? g_ptr_array_index (items, position) : NULL;
}

guint
foyer_object_list_get_length (FoyerObjectList *self)
{
  g_return_val_if_fail (FOYER_IS_OBJECT_LIST (self), 0);
  return items_of (self)->len;
}

gboolean
foyer_object_list_find (FoyerObjectList *self, gpointer item, guint *position)
{
  g_return_val_if_fail (FOYER_IS_OBJECT_LIST (self), FALSE);
  return g_ptr_array_find (items_of (self), item, position);
}

void
foyer_object_list_splice (
    FoyerObjectList *self, guint position, guint n_removals, gpointer *items, guint n_additions)
{
  GPtrArray *array;

  g_return_if_fail (FOYER_IS_OBJECT_LIST (self));
  array = items_of (self);
  g_return_if_fail (position <= array->len && n_removals <= array->len - position);
  g_return_if_fail (n_additions == 0 || items != NULL);
  for (guint i = 0; i < n_additions; i++)
    g_return_if_fail (
        G_TYPE_CHECK_INSTANCE_TYPE (items[i], FOYER_OBJECT_LIST_GET_CLASS (self)->item_type));

  if (n_removals > 0)
    g_ptr_array_remove_range (array, position, n_removals);
  for (guint i = 0; i < n_additions; i++)
    g_ptr_array_insert (array, position + i, g_object_ref (items[i]));
  if (n_removals == 0 && n_additions == 0)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), position, n_removals, n_additions);
  if (n_removals != n_additions)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

void
foyer_object_list_append (FoyerObjectList *self, gpointer item)
{
  g_return_if_fail (FOYER_IS_OBJECT_LIST (self));
  foyer_object_list_splice (self, items_of (self)->len, 0, &item, 1);
}

void
foyer_object_list_insert (FoyerObjectList *self, guint position, gpointer item)
{
  foyer_object_list_splice (self, position, 0, &item, 1);
}

void
foyer_object_list_remove (FoyerObjectList *self, guint position)
{
  foyer_object_list_splice (self, position, 1, NULL, 0);
}
