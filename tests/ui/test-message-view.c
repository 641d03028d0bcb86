/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "foyer-message-list.h"
#include "foyer-message-row.h"
#include "foyer-message-row-private.h"
#include "foyer-ui-test.h"

typedef struct
{
  GtkWindow *window;
  GtkListView *view;
  FoyerMessageList *list;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  GtkWidget *scroller = gtk_scrolled_window_new ();

  f->list = foyer_message_list_new ();
  f->view = GTK_LIST_VIEW (gtk_list_view_new (
      GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (f->list)))),
      foyer_message_row_factory_new (NULL)));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (f->view));
  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 640, 720);
  gtk_window_set_child (f->window, scroller);
  gtk_window_present (f->window);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (f->window);
  g_clear_object (&f->list);
}

typedef struct
{
  GPtrArray *rows;
} Collect;

static void
collect_rows (GtkWidget *widget, GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (FOYER_IS_MESSAGE_ROW (child))
        g_ptr_array_add (rows, child);
      else
        collect_rows (child, rows);
    }
}

static FoyerMessageRow *
row_for (Fixture *f, const char *id)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  collect_rows (GTK_WIDGET (f->view), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      FoyerMessageRow *row = g_ptr_array_index (rows, i);
      FoyerMessageItem *item = _foyer_message_row_get_item (row);

      if (item != NULL && g_strcmp0 (foyer_message_item_get_id (item), id) == 0)
        return row;
    }

  return NULL;
}

static const char *
row_label (FoyerMessageRow *row, const char *name)
{
  GtkWidget *label = foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, name);

  return gtk_label_get_text (GTK_LABEL (label));
}

/* The body is given the height its text takes at the width it is given:
 * nothing of it is drawn over the rows around. */
static void
assert_body_fits (FoyerMessageRow *row)
{
  GtkWidget *label = foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "body_label");
  int width = 0, height = 0;

  pango_layout_get_pixel_size (gtk_label_get_layout (GTK_LABEL (label)), &width, &height);
  g_assert_cmpint (gtk_widget_get_width (label), >=, width);
  g_assert_cmpint (gtk_widget_get_height (label), >=, height);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (row)), >=, height);
}

static void
add (Fixture *f,
     const char *id,
     gint64 seq,
     const char *author,
     const char *body,
     FoyerMessageState state,
     const char *error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) created = g_date_time_add_seconds (now, seq - 100);
  g_autoptr (FoyerMessageItem) item
      = foyer_message_item_new (id, seq, author, author, created, body, state);

  foyer_message_item_set_error (item, error);
  g_assert_true (foyer_message_list_add (f->list, item));
}

static void
test_hostile_messages_render_literally (Fixture *f, gconstpointer data)
{
  const char invalid_utf8[] = "broken \xff\xfe bytes";
  g_autofree char *very_long = g_strnfill (50000, 'w');
  g_autofree char *png = NULL;
  FoyerMessageRow *row;

  add (f, "m1", 1, "Mallory <b>Evil</b>", "<b>not bold</b> & <i>not italic</i>",
       FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "m2", 2, "Mallory <b>Evil</b>", "<a href=\"file:///etc/passwd\">click</a>",
       FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "m3", 3, "Bob", "مرحبا \u202Eevil.exe\u202C https://contoso.sharepoint.com/x",
       FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "m4", 4, "Bob", invalid_utf8, FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "m5", 5, "Bob", very_long, FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "m6", 6, "Carol", NULL, FOYER_MESSAGE_STATE_UNDECRYPTABLE, "the key is not available");
  add (f, "m7", 0, "Alice", "on its way", FOYER_MESSAGE_STATE_PENDING, NULL);

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));

  row = row_for (f, "m1");
  g_assert_nonnull (row);
  g_assert_cmpstr (row_label (row, "body_label"), ==, "<b>not bold</b> & <i>not italic</i>");
  g_assert_cmpstr (row_label (row, "author_label"), ==, "Mallory <b>Evil</b>");

  row = row_for (f, "m2");
  g_assert_cmpstr (row_label (row, "body_label"), ==, "<a href=\"file:///etc/passwd\">click</a>");
  /* Same author a second later: one header for both. */
  g_assert_false (gtk_widget_get_visible (
      foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "header")));

  row = row_for (f, "m3");
  g_assert_nonnull (strstr (row_label (row, "body_label"), "https://contoso.sharepoint.com/x"));

  row = row_for (f, "m4");
  g_assert_true (g_utf8_validate (row_label (row, "body_label"), -1, NULL));
  g_assert_nonnull (strstr (row_label (row, "body_label"), "bytes"));

  /* A long message is as tall as its lines. */
  row = row_for (f, "m5");
  assert_body_fits (row);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (row)), >, 300);
  assert_body_fits (row_for (f, "m3"));

  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), "messages-hostile");
}

static void
test_states (Fixture *f, gconstpointer data)
{
  FoyerMessageRow *row;
  FoyerMessageItem *item;

  add (f, "u1", 1, "Carol", NULL, FOYER_MESSAGE_STATE_UNDECRYPTABLE, "the key is not available");
  add (f, "p1", 0, "Alice", "on its way", FOYER_MESSAGE_STATE_PENDING, NULL);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));

  row = row_for (f, "u1");
  g_assert_nonnull (strstr (row_label (row, "status_label"), "could not be decrypted"));
  g_assert_nonnull (strstr (row_label (row, "status_label"), "the key is not available"));

  row = row_for (f, "p1");
  g_assert_true (gtk_widget_get_visible (
      foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "status_label")));

  /* The row follows its item: a failure shows, then the confirmation clears it. */
  item = foyer_message_list_find (f->list, "p1");
  foyer_message_item_set_error (item, "no connection");
  foyer_message_item_set_state (item, FOYER_MESSAGE_STATE_FAILED);
  g_assert_nonnull (strstr (row_label (row, "status_label"), "no connection"));
  g_assert_true (foyer_message_list_confirm (f->list, "p1", "s2", 2));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  row = row_for (f, "s2");
  g_assert_nonnull (row);
  g_assert_false (gtk_widget_get_visible (
      foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "status_label")));
}

/* The text of every part a row shows, in order. */
static char *
shown_text (FoyerMessageRow *row)
{
  GtkWidget *box = foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "body_box");
  GString *text = g_string_new (NULL);

  for (GtkWidget *part = gtk_widget_get_first_child (box); part != NULL;
       part = gtk_widget_get_next_sibling (part))
    {
      /* The first part sits in its FoyerWrapBin. */
      GtkWidget *label = GTK_IS_LABEL (part)    ? part
                         : GTK_IS_BUTTON (part) ? NULL
                                                : gtk_widget_get_first_child (part);

      if (label != NULL && GTK_IS_LABEL (label))
        g_string_append (text, gtk_label_get_text (GTK_LABEL (label)));
    }
  return g_string_free (text, FALSE);
}

static GtkWidget *
show_more (FoyerMessageRow *row)
{
  return foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "show_more_button");
}

static gboolean
has_hyphen_attribute_off (GtkLabel *label)
{
  PangoAttrList *attrs = gtk_label_get_attributes (label);
  g_autoptr (GSList) list = attrs != NULL ? pango_attr_list_get_attributes (attrs) : NULL;
  gboolean off = FALSE;

  for (GSList *l = list; l != NULL; l = l->next)
    {
      PangoAttribute *attr = l->data;

      if (attr->klass->type == PANGO_ATTR_INSERT_HYPHENS && !((PangoAttrInt *) attr)->value)
        off = TRUE;
      pango_attribute_destroy (attr);
    }
  return off;
}

/* A message longer than a part is shown whole, a part at a time with Show
 * More, with nothing added to it; a 20,000-character word is wrapped at
 * any character, without hyphens. At 360 px. */
static void
test_long_messages (Fixture *f, gconstpointer data)
{
  g_autofree char *word = g_strnfill (20000, 'w');
  GString *prose = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *shown = NULL;
  FoyerMessageRow *row;
  GtkLabel *body;

  while (prose->len < 9000)
    g_string_append_printf (prose, "word%u ", (guint) prose->len);
  text = g_string_free (prose, FALSE);
  gtk_window_set_default_size (f->window, 360, 720);
  add (f, "long", 1, "Bob", text, FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "word", 2, "Mallory", word, FOYER_MESSAGE_STATE_SENT, NULL);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));

  row = row_for (f, "long");
  shown = shown_text (row);
  g_assert_cmpuint (g_utf8_strlen (shown, -1), <=, 4000);
  g_assert_true (g_str_has_prefix (text, shown));
  g_assert_true (gtk_widget_get_visible (show_more (row)));
  g_signal_emit_by_name (show_more (row), "clicked");
  g_clear_pointer (&shown, g_free);
  shown = shown_text (row);
  g_assert_cmpuint (strlen (shown), >, 4000);
  g_assert_true (gtk_widget_get_visible (show_more (row)));
  g_signal_emit_by_name (show_more (row), "clicked");
  g_clear_pointer (&shown, g_free);
  shown = shown_text (row);
  /* All of it, exactly as written. */
  g_assert_cmpstr (shown, ==, text);
  g_assert_false (gtk_widget_get_visible (show_more (row)));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->window), "messages-long-360"));

  row = row_for (f, "word");
  body = GTK_LABEL (foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "body_label"));
  g_clear_pointer (&shown, g_free);
  shown = shown_text (row);
  g_assert_cmpuint (strlen (shown), ==, 4000);
  g_assert_true (g_str_has_prefix (word, shown));
  g_assert_cmpint (gtk_label_get_wrap_mode (body), ==, PANGO_WRAP_CHAR);
  g_assert_true (has_hyphen_attribute_off (body));
  row = row_for (f, "long");
  body = GTK_LABEL (foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "body_label"));
  g_assert_cmpint (gtk_label_get_wrap_mode (body), ==, PANGO_WRAP_WORD_CHAR);
  g_assert_true (has_hyphen_attribute_off (body));
}

static gboolean
focus_moved (gpointer data)
{
  gpointer *pair = data;

  return gtk_root_get_focus (GTK_ROOT (pair[0])) != pair[1];
}

/* Tab goes from message to message: no body is a Tab stop, and none has
 * its text selected by the keyboard. */
static void
test_bodies_not_tab_stops (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  add (f, "t1", 1, "Bob", "first, with a link https://contoso.sharepoint.com/x",
       FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "t2", 2, "Carol", "second", FOYER_MESSAGE_STATE_SENT, NULL);
  add (f, "t3", 3, "Bob", "third", FOYER_MESSAGE_STATE_SENT, NULL);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  foyer_ui_test_focus_window (f->window);
  gtk_widget_grab_focus (GTK_WIDGET (f->view));

  for (guint i = 0; i < 6; i++)
    {
      GtkWidget *before = gtk_root_get_focus (GTK_ROOT (f->window));
      gpointer pair[2] = { f->window, before };
      GtkWidget *focus;

      foyer_ui_test_xdotool ("key Tab");
      if (!foyer_ui_test_wait_until (focus_moved, pair, 2000))
        break;
      focus = gtk_root_get_focus (GTK_ROOT (f->window));
      g_assert_false (GTK_IS_LABEL (focus));
    }
  foyer_ui_test_collect (GTK_WIDGET (f->view), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);

      g_assert_false (gtk_widget_get_focusable (GTK_WIDGET (label)));
      g_assert_false (gtk_label_get_selection_bounds (label, NULL, NULL));
    }
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);

  g_test_add ("/spaces/message-view/hostile", Fixture, NULL, fixture_set_up,
              test_hostile_messages_render_literally, fixture_tear_down);
  g_test_add ("/spaces/message-view/states", Fixture, NULL, fixture_set_up, test_states,
              fixture_tear_down);
  g_test_add ("/spaces/message-view/long", Fixture, NULL, fixture_set_up, test_long_messages,
              fixture_tear_down);
  g_test_add ("/spaces/message-view/not-tab-stops", Fixture, NULL, fixture_set_up,
              test_bodies_not_tab_stops, fixture_tear_down);

  return g_test_run ();
}
