/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "test-object-list"

#include "config.h"

#include "foyer-object-list.h"

/* A list of GCancellable, as a type in Foyer derives one. */
#define TEST_TYPE_LIST (test_list_get_type ())
G_DECLARE_FINAL_TYPE (TestList, test_list, TEST, LIST, FoyerObjectList)

struct _TestList
{
  FoyerObjectList parent_instance;
};

G_DEFINE_FINAL_TYPE (TestList, test_list, FOYER_TYPE_OBJECT_LIST)

static void
test_list_class_init (TestListClass *klass)
{
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = G_TYPE_CANCELLABLE;
}

static void
test_list_init (TestList *self)
{
}

/* What the list announced, in order: "c:position,removed,added" or "n:count". */
static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, GString *log)
{
  g_string_append_printf (log, "c:%u,%u,%u ", position, removed, added);
}

static void
n_items_cb (GObject *object, GParamSpec *pspec, GString *log)
{
  g_string_append_printf (log, "n:%u ", g_list_model_get_n_items (G_LIST_MODEL (object)));
}

static void
test_changes (void)
{
  g_autoptr (TestList) list = g_object_new (TEST_TYPE_LIST, NULL);
  FoyerObjectList *base = FOYER_OBJECT_LIST (list);
  g_autoptr (GString) log = g_string_new (NULL);
  g_autoptr (GCancellable) a = g_cancellable_new ();
  g_autoptr (GCancellable) b = g_cancellable_new ();
  g_autoptr (GCancellable) c = g_cancellable_new ();
  g_autoptr (GCancellable) got = NULL;
  gpointer pair[] = { b, c };
  GType item_type = G_TYPE_INVALID;
  guint position = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), log);
  g_signal_connect (list, "notify::n-items", G_CALLBACK (n_items_cb), log);

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == G_TYPE_CANCELLABLE);
  g_object_get (list, "item-type", &item_type, NULL);
  g_assert_true (item_type == G_TYPE_CANCELLABLE);

  foyer_object_list_append (base, a);
  foyer_object_list_splice (base, 0, 0, pair, 2);
  g_assert_cmpstr (log->str, ==, "c:0,0,1 n:1 c:0,0,2 n:3 ");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  g_assert_true (foyer_object_list_peek (base, 0) == b);
  g_assert_true (foyer_object_list_peek (base, 2) == a);
  g_assert_null (foyer_object_list_peek (base, 3));
  got = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_true (got == c);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 3));

  /* Replacing as many as it takes out leaves the count, and says so by not
   * notifying it. */
  g_string_truncate (log, 0);
  foyer_object_list_splice (base, 1, 1, (gpointer *) &a, 1);
  g_assert_cmpstr (log->str, ==, "c:1,1,1 ");
  g_assert_true (foyer_object_list_find (base, a, &position));
  g_assert_cmpuint (position, ==, 1);

  g_string_truncate (log, 0);
  foyer_object_list_remove (base, 0);
  foyer_object_list_insert (base, 2, b);
  foyer_object_list_splice (base, 0, 0, NULL, 0); /* no change, nothing said */
  g_assert_cmpstr (log->str, ==, "c:0,1,0 n:2 c:2,0,1 n:3 ");
  g_assert_false (foyer_object_list_find (base, c, NULL));

  g_string_truncate (log, 0);
  foyer_object_list_splice (base, 0, foyer_object_list_get_length (base), NULL, 0);
  g_assert_cmpstr (log->str, ==, "c:0,3,0 n:0 ");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
}

/* The list holds its own references. */
static void
test_references (void)
{
  g_autoptr (TestList) list = g_object_new (TEST_TYPE_LIST, NULL);
  GCancellable *item = g_cancellable_new ();

  g_object_add_weak_pointer (G_OBJECT (item), (gpointer *) &item);
  foyer_object_list_append (FOYER_OBJECT_LIST (list), item);
  g_object_unref (item);
  g_assert_nonnull (item);
  foyer_object_list_remove (FOYER_OBJECT_LIST (list), 0);
  g_assert_null (item);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/object-list/changes", test_changes);
  g_test_add_func ("/object-list/references", test_references);
  return g_test_run ();
}
