/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-message-list.h"

/* Replays items-changed on a shadow copy, so the test proves the signals
 * describe exactly what the model did. */
typedef struct
{
  GPtrArray *shadow;
  GListModel *model;
} Mirror;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Mirror *m)
{
  g_ptr_array_remove_range (m->shadow, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (m->shadow, position + i, g_list_model_get_item (model, position + i));
}

static void
assert_mirror (Mirror *m)
{
  g_assert_cmpuint (m->shadow->len, ==, g_list_model_get_n_items (m->model));
  for (guint i = 0; i < m->shadow->len; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (m->model, i);

      g_assert_true (item == g_ptr_array_index (m->shadow, i));
    }
}

static FoyerMessageItem *
message (const char *id, gint64 seq, const char *author, GDateTime *created)
{
  return foyer_message_item_new (id, seq, author, author, created, id,
                                 seq > 0 ? FOYER_MESSAGE_STATE_SENT : FOYER_MESSAGE_STATE_PENDING);
}

static FoyerMessageItem *
nth (FoyerMessageList *list, guint i)
{
  FoyerMessageItem *item = g_list_model_get_item (G_LIST_MODEL (list), i);

  g_object_unref (item);
  return item;
}

static void
test_order_and_dedupe (void)
{
  g_autoptr (FoyerMessageList) list = foyer_message_list_new ();
  g_autoptr (GDateTime) t = g_date_time_new_local (2026, 11, 28, 10, 0, 0);
  Mirror m = { g_ptr_array_new_with_free_func (g_object_unref), G_LIST_MODEL (list) };
  static const gint64 seqs[] = { 5, 2, 9, 1, 7 };

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &m);

  for (gsize i = 0; i < G_N_ELEMENTS (seqs); i++)
    {
      g_autofree char *id = g_strdup_printf ("m%" G_GINT64_FORMAT, seqs[i]);
      g_autoptr (FoyerMessageItem) item = message (id, seqs[i], "alice", t);

      g_assert_true (foyer_message_list_add (list, item));
    }

  /* The same message from a live event and from catch-up is shown once. */
  {
    g_autoptr (FoyerMessageItem) again = message ("m5", 5, "alice", t);
    g_assert_false (foyer_message_list_add (list, again));
  }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 5);
  g_assert_cmpint (foyer_message_item_get_seq (nth (list, 0)), ==, 1);
  g_assert_cmpint (foyer_message_item_get_seq (nth (list, 4)), ==, 9);
  g_assert_cmpint (foyer_message_list_get_oldest_seq (list), ==, 1);
  g_assert_cmpint (foyer_message_list_get_newest_seq (list), ==, 9);
  assert_mirror (&m);
  g_ptr_array_unref (m.shadow);
}

static void
test_pending_then_confirmed (void)
{
  g_autoptr (FoyerMessageList) list = foyer_message_list_new ();
  g_autoptr (GDateTime) t = g_date_time_new_local (2026, 11, 28, 10, 0, 0);
  Mirror m = { g_ptr_array_new_with_free_func (g_object_unref), G_LIST_MODEL (list) };
  g_autoptr (FoyerMessageItem) sent = message ("s1", 1, "bob", t);
  g_autoptr (FoyerMessageItem) pending = message ("client-1", 0, "alice", t);
  g_autoptr (FoyerMessageItem) pending2 = message ("client-2", 0, "alice", t);
  g_autoptr (FoyerMessageItem) later = message ("s3", 3, "bob", t);
  g_autoptr (FoyerMessageItem) echo = message ("s4", 4, "alice", t);

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &m);
  foyer_message_list_add (list, sent);
  foyer_message_list_add (list, pending);
  foyer_message_list_add (list, pending2);
  /* A message from someone else arrives while ours are pending: ours stay last. */
  foyer_message_list_add (list, later);
  g_assert_true (nth (list, 2) == pending);
  g_assert_true (nth (list, 3) == pending2);

  g_assert_true (foyer_message_list_confirm (list, "client-1", "s2", 2));
  g_assert_true (nth (list, 1) == pending);
  g_assert_cmpstr (foyer_message_item_get_id (pending), ==, "s2");
  g_assert_cmpint (foyer_message_item_get_state (pending), ==, FOYER_MESSAGE_STATE_SENT);
  g_assert_null (foyer_message_list_find (list, "client-1"));

  /* The live event for the second one came before the post's reply. */
  foyer_message_list_add (list, echo);
  g_assert_true (foyer_message_list_confirm (list, "client-2", "s4", 4));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 4);
  g_assert_true (nth (list, 3) == echo);
  g_assert_false (foyer_message_list_confirm (list, "unknown", "s9", 9));
  assert_mirror (&m);
  g_ptr_array_unref (m.shadow);
}

static void
test_grouping_flags (void)
{
  g_autoptr (FoyerMessageList) list = foyer_message_list_new ();
  g_autoptr (GDateTime) d1 = g_date_time_new_local (2026, 11, 27, 18, 0, 0);
  g_autoptr (GDateTime) d1b = g_date_time_add_minutes (d1, 1);
  g_autoptr (GDateTime) d2 = g_date_time_new_local (2026, 11, 28, 9, 0, 0);
  g_autoptr (GDateTime) d2b = g_date_time_add_minutes (d2, 1);
  g_autoptr (FoyerMessageItem) a1 = message ("a1", 1, "alice", d1);
  g_autoptr (FoyerMessageItem) a2 = message ("a2", 2, "alice", d1b);
  g_autoptr (FoyerMessageItem) a3 = message ("a3", 3, "alice", d2);
  g_autoptr (FoyerMessageItem) b4 = message ("b4", 4, "bob", d2b);

  /* Newest first, as live events then history pages would bring them. */
  foyer_message_list_add (list, b4);
  foyer_message_list_add (list, a3);
  foyer_message_list_add (list, a2);
  g_assert_true (foyer_message_item_get_show_header (a2));
  foyer_message_list_add (list, a1);

  g_assert_true (foyer_message_item_get_show_day (a1));
  g_assert_true (foyer_message_item_get_show_header (a1));
  g_assert_false (foyer_message_item_get_show_day (a2));
  g_assert_false (foyer_message_item_get_show_header (a2));
  g_assert_true (foyer_message_item_get_show_day (a3));
  g_assert_true (foyer_message_item_get_show_header (a3));
  g_assert_false (foyer_message_item_get_show_day (b4));
  g_assert_true (foyer_message_item_get_show_header (b4));

  /* "New messages" goes before the first unread message from someone else. */
  foyer_message_list_set_last_read_seq (list, 2, "carol");
  g_assert_false (foyer_message_item_get_show_unread_marker (a2));
  g_assert_true (foyer_message_item_get_show_unread_marker (a3));
  g_assert_false (foyer_message_item_get_show_unread_marker (b4));
  foyer_message_list_set_last_read_seq (list, 2, "alice");
  g_assert_false (foyer_message_item_get_show_unread_marker (a3));
}

static void
count_cb (GListModel *model, guint position, guint removed, guint added, guint *count)
{
  (*count)++;
}

/* A page lands as one change (so a view measures its rows once), and a
 * scattered one as a change that still describes exactly what happened. */
static void
test_add_many (void)
{
  g_autoptr (FoyerMessageList) list = foyer_message_list_new ();
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 28, 9, 0, 0);
  g_autoptr (GPtrArray) page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) older = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) scattered = g_ptr_array_new_with_free_func (g_object_unref);
  Mirror m = { g_ptr_array_new_with_free_func (g_object_unref), G_LIST_MODEL (list) };
  guint changes = 0;

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &m);
  g_signal_connect (list, "items-changed", G_CALLBACK (count_cb), &changes);

  /* The cache, out of order, with a duplicate. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", 20 - i);

      g_ptr_array_add (page, message (id, 20 - i, "alice", now));
    }
  g_ptr_array_add (page, message ("m20", 20, "alice", now));
  g_assert_cmpuint (foyer_message_list_add_many (list, page), ==, 10);
  g_assert_cmpuint (changes, ==, 1);
  assert_mirror (&m);
  g_assert_cmpint (foyer_message_item_get_seq (nth (list, 0)), ==, 11);
  g_assert_true (foyer_message_item_get_show_header (nth (list, 0)));
  g_assert_false (foyer_message_item_get_show_header (nth (list, 1)));

  /* A history page before them: one change, and the first of the old
   * page no longer starts a group. */
  for (guint i = 1; i <= 10; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);

      g_ptr_array_add (older, message (id, i, "alice", now));
    }
  g_assert_cmpuint (foyer_message_list_add_many (list, older), ==, 10);
  g_assert_cmpuint (changes, ==, 2);
  assert_mirror (&m);
  g_assert_false (foyer_message_item_get_show_header (nth (list, 10)));

  /* Gaps filled here and there: still exact. */
  g_ptr_array_add (scattered, message ("m30", 30, "bob", now));
  g_ptr_array_add (scattered, message ("m0", 0, "bob", now));
  g_assert_cmpuint (foyer_message_list_add_many (list, scattered), ==, 2);
  assert_mirror (&m);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 22);
  g_ptr_array_unref (m.shadow);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/spaces/message-list/order-and-dedupe", test_order_and_dedupe);
  g_test_add_func ("/spaces/message-list/pending", test_pending_then_confirmed);
  g_test_add_func ("/spaces/message-list/grouping", test_grouping_flags);
  g_test_add_func ("/spaces/message-list/add-many", test_add_many);

  return g_test_run ();
}
