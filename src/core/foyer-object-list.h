/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerObjectList: the GListModel that Foyer's lists share, an array of
 * objects of one type. A subclass names that type in its class_init
 * (klass->item_type) and changes its items only through the calls below,
 * which emit items-changed with the positions and counts of the change,
 * then notify n-items when the count moved.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_OBJECT_LIST (foyer_object_list_get_type ())
G_DECLARE_DERIVABLE_TYPE (FoyerObjectList, foyer_object_list, FOYER, OBJECT_LIST, GObject)

struct _FoyerObjectListClass
{
  GObjectClass parent_class;

  GType item_type; /* set by the subclass in its class_init */
};

/* The item at position, not referenced; NULL past the end. */
gpointer foyer_object_list_peek (FoyerObjectList *self, guint position);
guint foyer_object_list_get_length (FoyerObjectList *self);
gboolean foyer_object_list_find (FoyerObjectList *self, gpointer item, guint *position);

/* Each referenced, not stolen. */
void foyer_object_list_append (FoyerObjectList *self, gpointer item);
void foyer_object_list_insert (FoyerObjectList *self, guint position, gpointer item);
void foyer_object_list_remove (FoyerObjectList *self, guint position);
/* n_removals from position out, then items (may be NULL when n_additions
 * is 0) put in their place: one items-changed for the whole change. */
void foyer_object_list_splice (
    FoyerObjectList *self, guint position, guint n_removals, gpointer *items, guint n_additions);

G_END_DECLS
