/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The spaces as a person goes through them, by keyboard, against a real
 * foyer-service on loopback (issue #15, items 8, 9, 10, 18 and 20's
 * "who is signed in"): the window says who is signed in; New Space with
 * Ctrl+N keeps Create off until the title and addresses are right; the new
 * space opens on an empty state and the sidebar highlights it; the arrow
 * keys move down the sidebar without opening, Enter opens; the rows show
 * the newest message, when, and how many are unread; at 1366 px the
 * conversation keeps a readable width.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-service-sign-in-dialog.h"
#include "foyer-session.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static FoyerApplication *app;

typedef struct
{
  FoyerTestService *service;
  FoyerSession *session;
  FoyerWindow *window;
} Fixture;

static GtkWidget *
child (Fixture *f, const char *name)
{
  return foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, name);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };

  f->service = foyer_test_service_new ();
  g_assert_nonnull (f->service);
  f->session = foyer_application_get_session (app);
  f->window = foyer_window_new (GTK_APPLICATION (app), f->session, NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  gtk_window_present (GTK_WINDOW (f->window));
  if (data != NULL) /* signed out: the test signs in */
    {
      foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
      return;
    }
  foyer_session_sign_in_async (f->session, foyer_test_service_get_base_url (f->service),
                               FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (f->session, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  foyer_session_disconnect (f->session);
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_test_service_free (f->service);
}

static void
save (Fixture *f, const char *name)
{
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->window), name));
}

static AdwMessageDialog *
find_dialog (void)
{
  return foyer_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
}

static gboolean
dialog_open (gpointer data)
{
  AdwMessageDialog *dialog = find_dialog ();

  return dialog != NULL && gtk_widget_get_mapped (GTK_WIDGET (dialog));
}

static gboolean
dialog_gone (gpointer data)
{
  return find_dialog () == NULL;
}

typedef struct
{
  GtkEditable *entry;
  const char *text;
} TextWait;

static gboolean
entry_says (gpointer data)
{
  TextWait *w = data;

  return g_strcmp0 (gtk_editable_get_text (w->entry), w->text) == 0;
}

/* Types into the focused field and waits until it holds want. */
static void
type_into (GtkEditable *entry, const char *keys, const char *want)
{
  g_autofree char *arguments = g_strdup_printf ("type --delay 5 '%s'", keys);
  TextWait w = { entry, want };

  foyer_ui_test_xdotool (arguments);
  g_assert_true (foyer_ui_test_wait_until (entry_says, &w, 10000));
}

static gboolean
create_enabled (gpointer data)
{
  return adw_message_dialog_get_response_enabled (find_dialog (), "create");
}

static FoyerSpaceItem *
space_titled (Fixture *f, const char *title)
{
  GListModel *spaces = foyer_session_get_spaces (f->session);

  for (guint i = 0; i < g_list_model_get_n_items (spaces); i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (spaces, i);

      if (g_strcmp0 (foyer_space_item_get_title (space), title) == 0)
        return space;
    }
  return NULL;
}

typedef struct
{
  Fixture *f;
  const char *title;
} SpaceWait;

static gboolean
space_open (gpointer data)
{
  SpaceWait *w = data;
  FoyerSpaceItem *space = foyer_window_get_current_space (w->f->window);

  return space != NULL && g_strcmp0 (foyer_space_item_get_title (space), w->title) == 0;
}

static FoyerSpaceItem *
highlighted (Fixture *f)
{
  GtkSelectionModel *model = gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "spaces_view")));

  return gtk_single_selection_get_selected_item (GTK_SINGLE_SELECTION (model));
}

static gboolean
shows_empty_state (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "messages_stack"))),
                    "empty")
             == 0
         && foyer_ui_test_is_drawn (
             gtk_stack_get_visible_child (GTK_STACK (child (f, "messages_stack"))));
}

/* Ctrl+N, Create off while the title is empty or an address is wrong;
 * Enter creates once both are right. */
static void
create_with_keyboard (Fixture *f, const char *title, const char *member)
{
  AdwMessageDialog *dialog;
  GtkEditable *title_entry;
  GtkEditable *members_entry;
  SpaceWait open = { f, title };
  g_autofree char *png = NULL;

  foyer_ui_test_focus_window (GTK_WINDOW (f->window));
  foyer_ui_test_xdotool ("key ctrl+n");
  g_assert_true (foyer_ui_test_wait_until (dialog_open, NULL, 10000));
  dialog = find_dialog ();
  title_entry = g_object_get_data (G_OBJECT (dialog), "title-entry");
  members_entry = g_object_get_data (G_OBJECT (dialog), "members-entry");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));

  /* Enter on an empty title does nothing: the dialog stays, nothing made. */
  foyer_ui_test_focus_window (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (GTK_WIDGET (title_entry));
  foyer_ui_test_xdotool ("key Return");
  type_into (title_entry, "   ", "   ");
  g_assert_true (dialog_open (NULL));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));

  gtk_editable_set_text (title_entry, "");
  type_into (title_entry, title, title);
  g_assert_true (foyer_ui_test_wait_until (create_enabled, NULL, 5000));

  gtk_widget_grab_focus (GTK_WIDGET (members_entry));
  type_into (members_entry, "bob", "bob");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "create"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (members_entry), "error"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (dialog), "ux-new-space-invalid");
  type_into (members_entry, member + 3, member);
  g_assert_true (create_enabled (NULL));

  foyer_ui_test_xdotool ("key Return");
  g_assert_true (foyer_ui_test_wait_until (dialog_gone, NULL, 10000));
  g_assert_true (foyer_ui_test_wait_until (space_open, &open, 20000));
}

static gboolean
has_two_spaces (gpointer data)
{
  Fixture *f = data;

  return space_titled (f, "Design") != NULL && space_titled (f, "Budget") != NULL;
}

static gboolean
preview_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (foyer_space_item_get_last_message (pair[0]), pair[1]) == 0;
}

typedef struct
{
  Fixture *f;
  FoyerSpaceItem *space;
} HighlightWait;

static gboolean
is_highlighted (gpointer data)
{
  HighlightWait *w = data;

  return highlighted (w->f) == w->space;
}

static gboolean
composer_focused (gpointer data)
{
  Fixture *f = data;

  return gtk_widget_has_focus (child (f, "composer_view"));
}

static void
test_spaces_by_keyboard (Fixture *f, gconstpointer data)
{
  FoyerSpaceItem *design;
  FoyerSpaceItem *budget;
  HighlightWait highlight = { f, NULL };
  gpointer preview[2];
  graphene_rect_t bounds;

  /* Who is signed in shows under "Spaces" and in the window's title. */
  g_assert_cmpstr (adw_window_title_get_subtitle (ADW_WINDOW_TITLE (child (f, "sidebar_title"))),
                   ==, "Alice Martin");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Foyer — Alice Martin");

  create_with_keyboard (f, "Budget", "bob@contoso.example");
  create_with_keyboard (f, "Design", "bob@contoso.example");
  g_assert_true (foyer_ui_test_wait_until (has_two_spaces, f, 10000));
  design = space_titled (f, "Design");
  budget = space_titled (f, "Budget");

  /* The new space: an empty state, and the sidebar highlights it. */
  g_assert_true (foyer_window_get_current_space (f->window) == design);
  g_assert_true (foyer_ui_test_wait_until (shows_empty_state, f, 20000));
  highlight.space = design;
  g_assert_true (foyer_ui_test_wait_until (is_highlighted, &highlight, 5000));
  save (f, "ux-new-space");

  /* A message: the empty state gives way, and the sidebar row says what
   * was written last. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "space.send-text", "s",
                              "First draft is up\nsecond line");
  preview[0] = design;
  preview[1] = "Alice Martin: First draft is up";
  g_assert_true (foyer_ui_test_wait_until (preview_is, preview, 20000));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "messages_stack"))), ==,
                   "messages");

  /* At 1366 px the conversation keeps a readable width, centred. */
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  g_assert_true (
      gtk_widget_compute_bounds (child (f, "messages_view"), GTK_WIDGET (f->window), &bounds));
  g_assert_cmpfloat (bounds.size.width, <=, 860);
  g_assert_cmpfloat (bounds.origin.x, >, gtk_widget_get_width (child (f, "sidebar")) + 40);
  save (f, "ux-spaces-1366");

  /* The space just written in comes first. */
  {
    g_autoptr (FoyerSpaceItem) first = g_list_model_get_item (
        G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "spaces_view")))), 0);
    g_assert_true (first == design);
  }

  /* The arrow keys move down the sidebar without opening; Enter opens. */
  foyer_ui_test_focus_window (GTK_WINDOW (f->window));
  gtk_widget_grab_focus (child (f, "spaces_view"));
  foyer_ui_test_xdotool ("key Down");
  highlight.space = budget;
  g_assert_true (foyer_ui_test_wait_until (is_highlighted, &highlight, 5000));
  g_assert_true (foyer_window_get_current_space (f->window) == design);
  g_assert_false (gtk_widget_has_focus (child (f, "composer_view")));
  foyer_ui_test_xdotool ("key Up");
  highlight.space = design;
  g_assert_true (foyer_ui_test_wait_until (is_highlighted, &highlight, 5000));
  foyer_ui_test_xdotool ("key Down");
  highlight.space = budget;
  g_assert_true (foyer_ui_test_wait_until (is_highlighted, &highlight, 5000));
  g_assert_true (foyer_window_get_current_space (f->window) == design);
  foyer_ui_test_xdotool ("key Return");
  g_assert_true (foyer_ui_test_wait_until (composer_focused, f, 5000));
  g_assert_true (foyer_window_get_current_space (f->window) == budget);

  /* Looking around and leaving the sidebar: the highlight returns to the
   * open space. */
  gtk_widget_grab_focus (child (f, "spaces_view"));
  foyer_ui_test_xdotool ("key Up");
  highlight.space = design;
  g_assert_true (foyer_ui_test_wait_until (is_highlighted, &highlight, 5000));
  gtk_widget_grab_focus (child (f, "composer_view"));
  g_assert_true (highlighted (f) == budget);
  g_assert_true (foyer_window_get_current_space (f->window) == budget);
}

static gboolean
signed_in (gpointer data)
{
  return foyer_session_get_state (data) == FOYER_SESSION_ONLINE;
}

static gboolean
error_shown (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_mapped (label) && *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

static gboolean
sign_in_gone (gpointer data)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG) == NULL;
}

/* A first sign-in with a wrong password says so, whole, above the form;
 * the right one then signs in. */
static void
test_wrong_password (Fixture *f, gconstpointer data)
{
  GtkWindow *dialog;
  GtkWidget *error_label;
  AdwEntryRow *password;
  graphene_rect_t bounds;
  int min_height;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sign-in", NULL);
  dialog = foyer_ui_test_find_toplevel (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG);
  g_assert_nonnull (dialog);
  gtk_editable_set_text (GTK_EDITABLE (foyer_ui_test_child (
                             GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "url_row")),
                         foyer_test_service_get_base_url (f->service));
  gtk_editable_set_text (GTK_EDITABLE (foyer_ui_test_child (
                             GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "email_row")),
                         FOYER_TEST_ALICE_EMAIL);
  password = ADW_ENTRY_ROW (
      foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "password_row"));
  foyer_ui_test_focus_window (dialog);
  gtk_widget_grab_focus (GTK_WIDGET (password));
  foyer_ui_test_xdotool ("type --delay 5 not-her-password");
  foyer_ui_test_xdotool ("key Return");

  error_label
      = foyer_ui_test_child (GTK_WIDGET (dialog), FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, "error_label");
  g_assert_true (foyer_ui_test_wait_until (error_shown, error_label, 20000));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), ==,
                   "The e-mail address or the password is not correct");
  /* Whole: its allocation is at least what it needs, inside the dialog. */
  foyer_ui_test_wait_for_draw (GTK_WIDGET (dialog));
  gtk_widget_measure (error_label, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (error_label),
                      &min_height, NULL, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_height (error_label), >=,
                   min_height - gtk_widget_get_margin_top (error_label)
                       - gtk_widget_get_margin_bottom (error_label));
  g_assert_true (gtk_widget_compute_bounds (error_label, GTK_WIDGET (dialog), &bounds));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=,
                     gtk_widget_get_height (GTK_WIDGET (dialog)));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (dialog), "ux-sign-in-wrong-password"));
  g_assert_false (foyer_session_get_state (f->session) == FOYER_SESSION_ONLINE);

  gtk_editable_set_text (GTK_EDITABLE (password), FOYER_TEST_ALICE_PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "sign-in.submit", NULL);
  g_assert_true (foyer_ui_test_wait_until (sign_in_gone, NULL, 20000));
  g_assert_true (foyer_ui_test_wait_until (signed_in, f->session, 20000));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add ("/ux/spaces/by-keyboard", Fixture, NULL, fixture_set_up, test_spaces_by_keyboard,
              fixture_tear_down);
  g_test_add ("/ux/spaces/wrong-password", Fixture, "signed out", fixture_set_up,
              test_wrong_password, fixture_tear_down);

  return g_test_run ();
}
