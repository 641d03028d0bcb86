/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Keyboard shortcuts: every accelerator the app sets is in the shortcuts
 * window, showing its keys, and the shortcuts do what the window says,
 * pressed for real through the X server while the composer has the focus.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-space-switcher.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

#define STEP_TIMEOUT_MS 10000

static FoyerApplication *app;

typedef struct
{
  FoyerWindow *window;
  GListStore *spaces;
  FoyerSpaceItem *budget;
  FoyerSpaceItem *design;
  FoyerSpaceItem *holidays;
  guint attached;
  guint preferences;
} Fixture;

static FoyerSpaceItem *
space (const char *id, const char *title, int minutes_ago)
{
  FoyerSpaceItem *item = foyer_space_item_new (id);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) when = g_date_time_add_minutes (now, -minutes_ago);

  foyer_space_item_set_title (item, title);
  foyer_space_item_set_last_activity (item, when);
  return item;
}

static void
count_cb (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  (*(guint *) user_data)++;
}

/* In place of the session's and the account's: actions that count. */
static void
insert_counting_group (Fixture *f, const char *prefix, const char *name, guint *count)
{
  g_autoptr (GSimpleActionGroup) group = g_simple_action_group_new ();
  const GActionEntry entry = { .name = name, .activate = count_cb };

  g_action_map_add_action_entries (G_ACTION_MAP (group), &entry, 1, count);
  gtk_widget_insert_action_group (GTK_WIDGET (f->window), prefix, G_ACTION_GROUP (group));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->window = foyer_window_new (GTK_APPLICATION (app), NULL, NULL);
  f->spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  /* The sidebar's order, most recently active first. */
  f->design = space ("s-design", "Design review", 1);
  f->budget = space ("s-budget", "Budget 2027", 5);
  f->holidays = space ("s-holidays", "Holidays", 60);
  g_list_store_append (f->spaces, f->holidays);
  g_list_store_append (f->spaces, f->budget);
  g_list_store_append (f->spaces, f->design);
  foyer_window_set_spaces (f->window, G_LIST_MODEL (f->spaces));
  insert_counting_group (f, "space", "attach-file", &f->attached);
  insert_counting_group (f, "account", "preferences", &f->preferences);
  gtk_window_present (GTK_WINDOW (f->window));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  g_object_unref (f->spaces);
  g_object_unref (f->design);
  g_object_unref (f->budget);
  g_object_unref (f->holidays);
}

static GtkShortcutsShortcut *
listed_shortcut (GPtrArray *listed, const char *action)
{
  for (guint i = 0; i < listed->len; i++)
    {
      g_autofree char *name = NULL;

      g_object_get (listed->pdata[i], "action-name", &name, NULL);
      if (g_strcmp0 (name, action) == 0)
        return listed->pdata[i];
    }
  return NULL;
}

/* The keys a shortcut of the window shows (its shortcut label's). */
static const char *
shown_keys (GtkShortcutsShortcut *shortcut)
{
  GtkShortcutLabel *label = foyer_ui_test_find (GTK_WIDGET (shortcut), GTK_TYPE_SHORTCUT_LABEL);

  return label != NULL ? gtk_shortcut_label_get_accelerator (label) : NULL;
}

static void
test_listed (Fixture *f, gconstpointer data)
{
  GtkShortcutsWindow *overlay
      = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (f->window));
  g_autoptr (GPtrArray) listed = g_ptr_array_new ();
  g_auto (GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->window));
  guint with_accels = 0;
  static const char *const usual[] = { "app.quit",
                                       "account.preferences",
                                       "win.show-help-overlay",
                                       "win.new-space",
                                       "win.jump-to-space",
                                       "win.search",
                                       "win.previous-space",
                                       "win.next-space",
                                       "space.attach-file",
                                       NULL };

  g_assert_nonnull (overlay);
  foyer_ui_test_collect (GTK_WIDGET (overlay), GTK_TYPE_SHORTCUTS_SHORTCUT, listed);

  /* Every action with an accelerator is listed, showing those keys. */
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto (GStrv) accels
          = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);
      GtkShortcutsShortcut *shortcut;

      if (accels[0] == NULL)
        continue;
      with_accels++;
      shortcut = listed_shortcut (listed, actions[i]);
      if (shortcut == NULL)
        g_error ("%s (%s) is missing from the shortcuts window", actions[i], accels[0]);
      g_assert_cmpstr (shown_keys (shortcut), !=, NULL);
      for (guint k = 0; accels[k] != NULL; k++)
        g_assert_nonnull (strstr (shown_keys (shortcut), accels[k]));
    }
  /* Among them the usual ones. */
  g_assert_cmpuint (with_accels, >=, 9);
  for (guint i = 0; usual[i] != NULL; i++)
    {
      g_auto (GStrv) accels
          = gtk_application_get_accels_for_action (GTK_APPLICATION (app), usual[i]);

      g_assert_nonnull (accels[0]);
    }

  /* A key bound on the window's class is not in the application's
   * table: it must be listed all the same. */
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr (GtkEventController) controller = g_list_model_get_item (controllers, i);

      for (guint j = 0; GTK_IS_SHORTCUT_CONTROLLER (controller)
                        && j < g_list_model_get_n_items (G_LIST_MODEL (controller));
           j++)
        {
          g_autoptr (GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          const char *name = GTK_IS_NAMED_ACTION (action)
                                 ? gtk_named_action_get_action_name (GTK_NAMED_ACTION (action))
                                 : NULL;

          if (name != NULL
              && (g_str_has_prefix (name, "win.") || g_str_has_prefix (name, "space.")
                  || g_str_has_prefix (name, "account.") || g_str_has_prefix (name, "app.")))
            g_assert_nonnull (listed_shortcut (listed, name));
        }
    }

  /* And nothing listed that does not exist: an action listed has its
   * keys; keys listed without an action are the composer's own. */
  for (guint i = 0; i < listed->len; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *accelerator = NULL;

      g_object_get (listed->pdata[i], "action-name", &name, "accelerator", &accelerator, NULL);
      if (name != NULL)
        {
          g_auto (GStrv) accels
              = gtk_application_get_accels_for_action (GTK_APPLICATION (app), name);

          g_assert_nonnull (accels[0]);
        }
      else
        g_assert_true (g_strcmp0 (accelerator, "Return") == 0
                       || g_strcmp0 (accelerator, "<Shift>Return") == 0);
    }
  gtk_window_present (GTK_WINDOW (overlay));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (overlay));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (overlay), "shortcuts"));
  gtk_window_close (GTK_WINDOW (overlay));
}

typedef struct
{
  Fixture *f;
  FoyerSpaceItem *space;
} SpaceWait;

static gboolean
space_open (gpointer data)
{
  SpaceWait *w = data;

  return foyer_window_get_current_space (w->f->window) == w->space;
}

static void
press (Fixture *f, const char *keys, FoyerSpaceItem *expected)
{
  SpaceWait wait = { f, expected };

  foyer_ui_test_xdotool (keys);
  g_assert_true (foyer_ui_test_wait_until (space_open, &wait, STEP_TIMEOUT_MS));
}

static void
focus_composer (Fixture *f)
{
  GtkWidget *composer
      = foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, "composer_view");

  gtk_widget_grab_focus (composer);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
}

/* Alt+Down and Alt+Up: the next and the previous space in the sidebar. */
static void
test_previous_next (Fixture *f, gconstpointer data)
{
  press (f, "key alt+Down", f->design);
  focus_composer (f);
  press (f, "key alt+Down", f->budget);
  press (f, "key alt+Down", f->holidays);
  /* The last stays the last. */
  foyer_ui_test_xdotool ("key alt+Down");
  press (f, "key alt+Up", f->budget);
  press (f, "key alt+Up", f->design);
}

static gboolean
switcher_shown (gpointer data)
{
  GtkWidget *switcher = foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER);

  return switcher != NULL && gtk_widget_get_mapped (switcher);
}

static gboolean
switcher_gone (gpointer data)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER) == NULL;
}

typedef struct
{
  guint n;
} MatchWait;

static gboolean
matches_are (gpointer data)
{
  FoyerSpaceSwitcher *switcher = foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER);

  return switcher != NULL
         && g_list_model_get_n_items (foyer_space_switcher_get_matches (switcher))
                == ((MatchWait *) data)->n;
}

static void
open_switcher (Fixture *f)
{
  focus_composer (f);
  foyer_ui_test_xdotool ("key ctrl+k");
  g_assert_true (foyer_ui_test_wait_until (switcher_shown, NULL, STEP_TIMEOUT_MS));
  foyer_ui_test_wait_for_draw (foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER));
}

/* Ctrl+K: type a part of a title, Enter opens the match; Down chooses
 * the next one; Escape leaves the open space as it was. */
static void
test_jump_to_space (Fixture *f, gconstpointer data)
{
  MatchWait all = { 3 };
  MatchWait one = { 1 };
  MatchWait two = { 2 };
  MatchWait none = { 0 };

  open_switcher (f);
  g_assert_true (foyer_ui_test_wait_until (matches_are, &all, STEP_TIMEOUT_MS));
  foyer_ui_test_xdotool ("type --delay 20 bud");
  g_assert_true (foyer_ui_test_wait_until (matches_are, &one, STEP_TIMEOUT_MS));
  foyer_ui_test_wait_for_draw (foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER));
  g_free (foyer_ui_test_save_png (foyer_ui_test_find_toplevel (FOYER_TYPE_SPACE_SWITCHER),
                                  "space-switcher"));
  press (f, "key Return", f->budget);
  g_assert_true (foyer_ui_test_wait_until (switcher_gone, NULL, STEP_TIMEOUT_MS));

  /* "i" is in Design review and Holidays, in that order. */
  open_switcher (f);
  foyer_ui_test_xdotool ("type --delay 20 i");
  g_assert_true (foyer_ui_test_wait_until (matches_are, &two, STEP_TIMEOUT_MS));
  foyer_ui_test_xdotool ("key Down");
  press (f, "key Return", f->holidays);

  open_switcher (f);
  foyer_ui_test_xdotool ("type --delay 20 nothing-like-it");
  g_assert_true (foyer_ui_test_wait_until (matches_are, &none, STEP_TIMEOUT_MS));
  foyer_ui_test_xdotool ("key Escape");
  g_assert_true (foyer_ui_test_wait_until (switcher_gone, NULL, STEP_TIMEOUT_MS));
  g_assert_true (foyer_window_get_current_space (f->window) == f->holidays);
}

static gboolean
counted (gpointer data)
{
  return *(guint *) data > 0;
}

/* Ctrl+Shift+A attaches a file, even with the composer focused (whose
 * own Ctrl+Shift+A would unselect); Ctrl+, opens the preferences. */
static void
test_attach_and_preferences (Fixture *f, gconstpointer data)
{
  press (f, "key alt+Down", f->design);
  focus_composer (f);
  foyer_ui_test_xdotool ("key ctrl+shift+a");
  g_assert_true (foyer_ui_test_wait_until (counted, &f->attached, STEP_TIMEOUT_MS));
  g_assert_cmpuint (f->attached, ==, 1);
  foyer_ui_test_xdotool ("key ctrl+comma");
  g_assert_true (foyer_ui_test_wait_until (counted, &f->preferences, STEP_TIMEOUT_MS));
  g_assert_cmpuint (f->preferences, ==, 1);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add ("/shortcuts/listed", Fixture, NULL, fixture_set_up, test_listed, fixture_tear_down);
  g_test_add ("/shortcuts/previous-next", Fixture, NULL, fixture_set_up, test_previous_next,
              fixture_tear_down);
  g_test_add ("/shortcuts/jump-to-space", Fixture, NULL, fixture_set_up, test_jump_to_space,
              fixture_tear_down);
  g_test_add ("/shortcuts/attach-and-preferences", Fixture, NULL, fixture_set_up,
              test_attach_and_preferences, fixture_tear_down);
  return g_test_run ();
}
