/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-window"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-message-row.h"
#include "foyer-space-row.h"
#include "foyer-text.h"
#include "foyer-window-private.h"

G_DEFINE_FINAL_TYPE (FoyerWindow, foyer_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* A space opens on its newest messages only; scrolling up shows older
 * ones a page at a time, then asks the service for more. (GtkListView in
 * GTK 4.8 builds some 200 rows around where it looks, so a space with
 * thousands of cached messages would otherwise cost that at every open.) */
#define MESSAGES_AT_OPEN  50
#define MESSAGES_PER_PAGE 50

/* Before the space's first frame, only about a screenful: each row is
 * made, bound, measured and laid out before that frame is drawn, and
 * those beyond the screen have no reason to delay it. The rest of the
 * MESSAGES_AT_OPEN follow in the next frame. A row is at least this
 * tall (one line, no header). */
#define MESSAGES_FIRST_FRAME_MIN 12
#define MESSAGE_ROW_MIN_HEIGHT   28

/* The composer is usable only while a space is open; it stays visible so the
 * window keeps its shape in every state. */
gboolean
_foyer_window_in_space (FoyerWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->content_stack);

  return g_strcmp0 (page, "conversation") == 0 || g_strcmp0 (page, "files") == 0;
}

static void
foyer_window_update_composer (FoyerWindow *self)
{
  gboolean in_space = _foyer_window_in_space (self);

  gtk_widget_set_sensitive (self->composer, in_space);
  gtk_widget_set_visible (self->space_menu_button, in_space);
  _foyer_window_files_page_changed (self);
  _foyer_window_update_actions (self);
}

static void
content_page_changed_cb (FoyerWindow *self)
{
  foyer_window_update_composer (self);
}

char *
_foyer_window_take_composer_text (FoyerWindow *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer_view);
  GtkTextIter start, end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  return text;
}

static void
foyer_window_save_draft (FoyerWindow *self)
{
  g_autofree char *text = NULL;

  if (self->current_space == NULL)
    return;
  text = _foyer_window_take_composer_text (self);
  foyer_space_item_set_draft (self->current_space, text);
}

/* Enter sends; Shift+Enter (or Ctrl+Enter) adds a line. */
static gboolean
composer_key_pressed_cb (FoyerWindow *self, guint keyval, guint keycode, GdkModifierType state)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return FALSE;
  if (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;

  gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
  return TRUE;
}

static gboolean
scroll_to_bottom_cb (gpointer data)
{
  FoyerWindow *self = FOYER_WINDOW (data);
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->messages_scroller);

  /* Unless a search result is about to be shown, or the window is gone
   * (the list view would complain of a position it cannot scroll to). */
  if (self->scroll_to_id == NULL && gtk_widget_get_mapped (GTK_WIDGET (self->messages_view)))
    gtk_adjustment_set_value (adj,
                              gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
foyer_window_scroll_to_bottom (FoyerWindow *self)
{
  /* After the list has measured the new rows. */
  g_idle_add_full (G_PRIORITY_LOW, scroll_to_bottom_cb, g_object_ref (self), NULL);
}

static gboolean
tail_filter_func (gpointer item, gpointer user_data)
{
  FoyerWindow *self = user_data;
  gint64 seq = foyer_message_item_get_seq (item);

  return seq <= 0 || seq >= self->tail_min_seq;
}

/* Shows the newest `tail` messages. A filter on seq rather than a slice:
 * lowering it inserts the older rows above (the view keeps its place),
 * where moving a slice would replace every row. */
static void
foyer_window_update_tail (FoyerWindow *self)
{
  GListModel *all = gtk_filter_list_model_get_model (self->message_tail);
  guint n = g_list_model_get_n_items (all);
  gint64 min_seq = G_MININT64;
  GtkFilterChange change;

  if (n > self->tail)
    {
      g_autoptr (FoyerMessageItem) first = g_list_model_get_item (all, n - self->tail);

      min_seq = foyer_message_item_get_seq (first) > 0 ? foyer_message_item_get_seq (first)
                                                       : G_MAXINT64;
    }
  if (min_seq == self->tail_min_seq)
    return;
  change = min_seq < self->tail_min_seq ? GTK_FILTER_CHANGE_LESS_STRICT
                                        : GTK_FILTER_CHANGE_MORE_STRICT;
  self->tail_min_seq = min_seq;
  gtk_filter_changed (GTK_FILTER (self->tail_filter), change);
}

/* About as many messages as the view shows. */
static guint
foyer_window_screenful (FoyerWindow *self)
{
  int width, height = gtk_widget_get_height (GTK_WIDGET (self->messages_scroller));

  if (height <= 0)
    gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (height <= 0)
    return MESSAGES_AT_OPEN;
  return CLAMP ((guint) height / MESSAGE_ROW_MIN_HEIGHT + 2, MESSAGES_FIRST_FRAME_MIN,
                MESSAGES_AT_OPEN);
}

static void
foyer_window_grow_tail_at_open (FoyerWindow *self)
{
  self->tail = MAX (self->tail, MESSAGES_AT_OPEN);
  if (self->message_tail != NULL)
    foyer_window_update_tail (self);
}

/* Once a frame has been painted with the space's first screenful. */
static gboolean
tail_tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  FoyerWindow *self = FOYER_WINDOW (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);

  if (self->tail_frame < 0)
    {
      self->tail_frame = frame;
      return G_SOURCE_CONTINUE;
    }
  if (frame == self->tail_frame)
    return G_SOURCE_CONTINUE;
  self->tail_tick = 0;
  foyer_window_grow_tail_at_open (self);
  return G_SOURCE_REMOVE;
}

static void
foyer_window_stop_tail_tick (FoyerWindow *self)
{
  if (self->tail_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tail_tick);
  self->tail_tick = 0;
}

/* Rows shorter than estimated leave part of the view empty: then the rest
 * come before the frame is drawn (the layout runs again), not after. */
static void
messages_adjustment_changed_cb (FoyerWindow *self, GtkAdjustment *adj)
{
  if (self->tail_tick == 0 || self->message_tail == NULL)
    return;
  if (gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj))
    return;
  foyer_window_stop_tail_tick (self);
  foyer_window_grow_tail_at_open (self);
}

/* The tail reaches back to the message at position of the whole list (a
 * search result's). */
void
_foyer_window_show_messages_from (FoyerWindow *self, guint position)
{
  guint n = g_list_model_get_n_items (gtk_filter_list_model_get_model (self->message_tail));

  if (position < n && n - position > self->tail)
    {
      self->tail = n - position;
      foyer_window_update_tail (self);
    }
}

/* Where the person stopped reading is in view: the tail reaches back to
 * the "New messages" marker (within reason). */
#define UNREAD_REACH 500

static void
foyer_window_reveal_unread (FoyerWindow *self)
{
  GListModel *all = gtk_filter_list_model_get_model (self->message_tail);
  guint n = g_list_model_get_n_items (all);

  for (guint back = self->tail; back < MIN (n, UNREAD_REACH); back++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (all, n - 1 - back);

      if (foyer_message_item_get_show_unread_marker (item))
        {
          self->tail = back + 1 + 2; /* and a little of what came before */
          foyer_window_update_tail (self);
          return;
        }
    }
}

/* A space with nothing in it says so, once its history is known to be
 * empty (not while it loads). */
static void
foyer_window_update_empty (FoyerWindow *self)
{
  gboolean empty = self->current_space != NULL
                   && foyer_space_item_get_history_loaded (self->current_space)
                   && g_list_model_get_n_items (
                          G_LIST_MODEL (foyer_space_item_get_messages (self->current_space)))
                          == 0;

  gtk_stack_set_visible_child_name (self->messages_stack, empty ? "empty" : "messages");
}

static void
messages_changed_cb (
    FoyerWindow *self, guint position, guint removed, guint added, GListModel *model)
{
  guint n = g_list_model_get_n_items (model);
  guint before = n - added + removed;

  /* New messages at the end join what is shown, as do messages that come
   * among the shown ones (a page of history arrives one by one, once its
   * oldest is shown); so does the history the person scrolled up for. A
   * first load (the cache) only fills the tail. */
  if (before > 0
      && ((removed == 0 && (gint64) position > (gint64) before - self->tail)
          || (self->older_requested && position == 0)))
    self->tail += added;
  if (self->message_tail != NULL)
    {
      foyer_window_update_tail (self);
      if (before == 0)
        foyer_window_reveal_unread (self);
    }

  self->older_requested = FALSE;
  if (self->stick_to_bottom && position + added == n)
    foyer_window_scroll_to_bottom (self);
  foyer_window_update_empty (self);
}

static void
messages_scrolled_cb (FoyerWindow *self, GtkAdjustment *adj)
{
  double value = gtk_adjustment_get_value (adj);
  double page = gtk_adjustment_get_page_size (adj);

  self->stick_to_bottom = value + page >= gtk_adjustment_get_upper (adj) - 8;

  /* The first screenful is near the top by nature: the rest of the
   * messages at open come first (tail_tick_cb ()). */
  if (value >= page || self->older_requested || self->current_space == NULL || self->tail_tick != 0)
    return;
  /* Near the top: older messages already here, else the page of history
   * before the oldest one. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->message_tail))
      < g_list_model_get_n_items (gtk_filter_list_model_get_model (self->message_tail)))
    {
      self->tail += MESSAGES_PER_PAGE;
      foyer_window_update_tail (self);
      return;
    }
  self->older_requested = TRUE;
  gtk_widget_activate_action (GTK_WIDGET (self), "space.load-older", NULL);
}

static void
foyer_window_update_title (FoyerWindow *self)
{
  g_autofree char *title = NULL;

  if (self->current_space == NULL)
    {
      adw_window_title_set_title (self->content_title, _ ("Foyer"));
      return;
    }

  if (foyer_space_item_get_title_unavailable (self->current_space))
    title = g_strdup (_ ("Untitled space (title unavailable)"));
  else
    title = foyer_text_make_valid (foyer_space_item_get_title (self->current_space), -1);
  adw_window_title_set_title (self->content_title, title != NULL ? title : "");
}

/* The sidebar highlights the open space, however it was opened (a new
 * space, a notification, a click). */
static void
foyer_window_sync_selection (FoyerWindow *self)
{
  GListModel *model = G_LIST_MODEL (self->sorted_spaces);
  guint position = GTK_INVALID_LIST_POSITION;

  for (guint i = 0; self->current_space != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerSpaceItem) item = g_list_model_get_item (model, i);

      if (item == self->current_space)
        {
          position = i;
          break;
        }
    }
  if (gtk_single_selection_get_selected (self->space_selection) == position)
    return;
  self->syncing_selection = TRUE;
  gtk_single_selection_set_selected (self->space_selection, position);
  self->syncing_selection = FALSE;
  /* Keyboard focus comes back to the sidebar on the open space. */
  if (position != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->spaces_view), "list.scroll-to-item", "u",
                                position);
}

void
foyer_window_open_space (FoyerWindow *self, FoyerSpaceItem *space)
{
  g_autoptr (GtkNoSelection) selection = NULL;
  FoyerMessageList *messages;
  const char *draft;

  g_return_if_fail (FOYER_IS_WINDOW (self));
  g_return_if_fail (!space || FOYER_IS_SPACE_ITEM (space));

  if (self->current_space == space)
    return;

  foyer_window_save_draft (self);
  if (self->current_space != NULL)
    {
      g_clear_signal_handler (&self->space_title_id, self->current_space);
      g_clear_signal_handler (&self->space_loaded_id, self->current_space);
      g_clear_signal_handler (&self->messages_changed_id,
                              foyer_space_item_get_messages (self->current_space));
    }
  g_set_object (&self->current_space, space);
  _foyer_window_files_space_changed (self);

  if (space == NULL)
    {
      foyer_window_stop_tail_tick (self);
      gtk_list_view_set_model (self->messages_view, NULL);
      g_clear_object (&self->message_tail);
      g_clear_object (&self->tail_filter);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view), "", 0);
      gtk_stack_set_visible_child_name (self->content_stack,
                                        self->spaces != NULL ? "no-space" : "signed-out");
      foyer_window_update_title (self);
      foyer_window_sync_selection (self);
      return;
    }

  messages = foyer_space_item_get_messages (space);
  g_clear_object (&self->message_tail);
  g_clear_object (&self->tail_filter);
  foyer_window_stop_tail_tick (self);
  self->tail = foyer_window_screenful (self);
  if (self->tail < MESSAGES_AT_OPEN)
    {
      self->tail_frame = -1;
      self->tail_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), tail_tick_cb, NULL, NULL);
    }
  /* Nothing shown until the tail is known: a long list never reaches the
   * view whole. */
  self->tail_min_seq = G_MAXINT64;
  self->tail_filter = gtk_custom_filter_new (tail_filter_func, self, NULL);
  self->message_tail = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (messages)),
                                                  g_object_ref (GTK_FILTER (self->tail_filter)));
  foyer_window_update_tail (self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->message_tail)));
  gtk_list_view_set_model (self->messages_view, GTK_SELECTION_MODEL (selection));
  self->space_title_id = g_signal_connect_object (
      space, "notify::title", G_CALLBACK (foyer_window_update_title), self, G_CONNECT_SWAPPED);
  self->messages_changed_id = g_signal_connect_object (
      messages, "items-changed", G_CALLBACK (messages_changed_cb), self, G_CONNECT_SWAPPED);
  self->space_loaded_id
      = g_signal_connect_object (space, "notify::history-loaded",
                                 G_CALLBACK (foyer_window_update_empty), self, G_CONNECT_SWAPPED);
  foyer_window_update_empty (self);
  foyer_window_sync_selection (self);

  draft = foyer_space_item_get_draft (space);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer_view),
                            draft != NULL ? draft : "", -1);
  gtk_stack_set_visible_child_name (self->content_stack, "conversation");
  foyer_window_update_title (self);
  self->stick_to_bottom = TRUE;
  self->older_requested = FALSE;
  foyer_window_scroll_to_bottom (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));

  gtk_widget_activate_action (GTK_WIDGET (self), "space.load", NULL);
  /* (The session has set where the person stopped reading by now.) */
  if (self->current_space == space)
    foyer_window_reveal_unread (self);
}

FoyerSpaceItem *
foyer_window_get_current_space (FoyerWindow *self)
{
  g_return_val_if_fail (FOYER_IS_WINDOW (self), NULL);

  return self->current_space;
}

/* Opens the space at position in the sidebar, and shows it chosen there. */
void
_foyer_window_select_space (FoyerWindow *self, guint position)
{
  g_autoptr (FoyerSpaceItem) space
      = g_list_model_get_item (G_LIST_MODEL (self->sorted_spaces), position);

  if (space == NULL)
    return;
  gtk_single_selection_set_selected (self->space_selection, position);
  foyer_window_open_space (self, space);
}

/* A click on a space opens it; the arrow keys only move the highlight
 * (Enter opens), so that the person can look down the list. */
static void
space_selected_cb (FoyerWindow *self)
{
  FoyerSpaceItem *space = gtk_single_selection_get_selected_item (self->space_selection);

  if (space != NULL && !self->syncing_selection && !self->moving_in_sidebar)
    foyer_window_open_space (self, space);
}

static gboolean
moved_in_sidebar_cb (gpointer data)
{
  FoyerWindow *self = data;

  self->moving_in_sidebar = FALSE;
  self->moving_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
sidebar_key_pressed_cb (FoyerWindow *self, guint keyval, guint keycode, GdkModifierType state)
{
  FoyerSpaceItem *space;

  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
    case GDK_KEY_Page_Up:
    case GDK_KEY_Page_Down:
    case GDK_KEY_Home:
    case GDK_KEY_End:
      /* The list moves the selection as it handles the key; that move is
       * not an opening. Reset once the key is handled. */
      self->moving_in_sidebar = TRUE;
      if (self->moving_source == 0)
        self->moving_source = g_idle_add_full (G_PRIORITY_HIGH, moved_in_sidebar_cb, self, NULL);
      return FALSE;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_ISO_Enter:
    case GDK_KEY_space:
      space = gtk_single_selection_get_selected_item (self->space_selection);
      if (space == NULL)
        return FALSE;
      if (space == self->current_space)
        adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
      foyer_window_open_space (self, space);
      gtk_widget_grab_focus (GTK_WIDGET (self->composer_view));
      return TRUE;
    default:
      return FALSE;
    }
}

/* Leaving the sidebar after looking around: the highlight goes back to
 * the space that is open. */
static void
sidebar_focus_left_cb (FoyerWindow *self)
{
  foyer_window_sync_selection (self);
}

/* A space with a new message moves up: the sort list model does not
 * watch its items, so each space says when its activity changes. */
static void
space_activity_cb (FoyerWindow *self)
{
  gtk_sorter_changed (gtk_sort_list_model_get_sorter (self->sorted_spaces),
                      GTK_SORTER_CHANGE_DIFFERENT);
}

static void
watch_activity (FoyerWindow *self, guint position, guint added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (FoyerSpaceItem) space = g_list_model_get_item (self->spaces, i);

      g_signal_handlers_disconnect_by_func (space, space_activity_cb, self);
      g_signal_connect_object (space, "notify::last-activity", G_CALLBACK (space_activity_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
spaces_changed_cb (FoyerWindow *self, guint position, guint removed, guint added)
{
  gboolean any = self->spaces != NULL && g_list_model_get_n_items (self->spaces) > 0;

  if (self->spaces != NULL)
    watch_activity (self, position, added);

  /* While searching, the sidebar shows the results. */
  if (!_foyer_window_searching (self) || !any)
    gtk_stack_set_visible_child_name (self->sidebar_stack, any ? "spaces" : "empty");
  foyer_window_sync_selection (self);
}

/* Shows the signed-in person's spaces, or, with NULL, the signed-out state. */
void
foyer_window_set_spaces (FoyerWindow *self, GListModel *spaces)
{
  g_return_if_fail (FOYER_IS_WINDOW (self));
  g_return_if_fail (!spaces || G_IS_LIST_MODEL (spaces));

  if (self->spaces != NULL)
    g_signal_handlers_disconnect_by_func (self->spaces, spaces_changed_cb, self);
  foyer_window_open_space (self, NULL);
  g_set_object (&self->spaces, spaces);
  gtk_sort_list_model_set_model (self->sorted_spaces, spaces);
  gtk_single_selection_set_selected (self->space_selection, GTK_INVALID_LIST_POSITION);

  if (spaces != NULL)
    g_signal_connect_object (spaces, "items-changed", G_CALLBACK (spaces_changed_cb), self,
                             G_CONNECT_SWAPPED);
  spaces_changed_cb (self, 0, 0, spaces != NULL ? g_list_model_get_n_items (spaces) : 0);
  gtk_stack_set_visible_child_name (self->content_stack,
                                    spaces != NULL ? "no-space" : "signed-out");
  _foyer_window_update_actions (self);
}

/* The conversation's subtitle says when the service cannot be reached;
 * what is written meanwhile waits in the outbox. */
static void
foyer_window_set_offline (FoyerWindow *self, gboolean offline)
{
  adw_window_title_set_subtitle (self->content_title,
                                 offline ? _ ("Offline — messages are sent when the connection "
                                              "returns")
                                         : NULL);
}

/* A banner over the conversation while the Microsoft account needs a new
 * sign-in; whatever the person was writing stays where it is. */
static void
foyer_window_set_reconnect_reason (FoyerWindow *self, const char *reason)
{
  gtk_label_set_text (self->reconnect_label, reason != NULL ? reason : "");
  gtk_revealer_set_reveal_child (self->reconnect_banner, reason != NULL);
}

/* Who is signed in, where the person looks for it: under "Spaces", and
 * in the window's title (what the desktop shows for the window). */
static void
foyer_window_update_person (FoyerWindow *self)
{
  const char *name
      = self->session != NULL && foyer_session_get_state (self->session) != FOYER_SESSION_SIGNED_OUT
            ? foyer_session_get_person_name (self->session)
            : NULL;
  g_autofree char *valid = name != NULL ? foyer_text_make_valid (name, -1) : NULL;
  g_autofree char *title = NULL;

  adw_window_title_set_subtitle (self->sidebar_title, valid);
  if (valid != NULL)
    /* Translators: the window's title, with who is signed in. */
    title = g_strdup_printf (_ ("Foyer — %s"), valid);
  gtk_window_set_title (GTK_WINDOW (self), title != NULL ? title : _ ("Foyer"));
}

/* Keeping in step with the session: signed in or out, offline. */
static void
session_state_cb (FoyerWindow *self)
{
  FoyerSessionState state = foyer_session_get_state (self->session);

  /* Going offline and back keeps the window as it is. */
  if (state == FOYER_SESSION_SIGNED_OUT && self->showing_spaces)
    foyer_window_set_spaces (self, NULL);
  else if (state != FOYER_SESSION_SIGNED_OUT && !self->showing_spaces)
    foyer_window_set_spaces (self, foyer_session_get_spaces (self->session));
  self->showing_spaces = state != FOYER_SESSION_SIGNED_OUT;
  foyer_window_set_offline (self, state == FOYER_SESSION_OFFLINE);
  foyer_window_update_person (self);
  _foyer_window_update_actions (self);
}

/* And with the Microsoft account: the reconnect banner, and no document
 * left open once the person disconnected (it would show what they just
 * signed out of). */
static void
account_state_cb (FoyerWindow *self)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (self->account);
  const char *reason = NULL;

  if (state == FOYER_MICROSOFT_UNAVAILABLE || state == FOYER_MICROSOFT_DISCONNECTED)
    _foyer_window_drop_viewer (self);
  if (state == FOYER_MICROSOFT_RECONNECT_NEEDED)
    {
      reason = foyer_microsoft_account_get_reconnect_reason (self->account);
      if (reason == NULL)
        reason = _ ("Your Microsoft account needs to be connected again.");
    }
  foyer_window_set_reconnect_reason (self, reason);
  _foyer_window_update_actions (self);
  _foyer_window_account_state_changed (self, state);
}

static void
account_error_cb (FoyerWindow *self, const char *message)
{
  if (message != NULL && *message != '\0')
    foyer_window_show_toast (self, message);
}

void
foyer_window_show_toast (FoyerWindow *self, const char *message)
{
  g_return_if_fail (FOYER_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static gboolean
foyer_window_close_request (GtkWindow *window)
{
  FoyerWindow *self = FOYER_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_set (self->settings, "window-size", "(ii)", width, height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));

  return GTK_WINDOW_CLASS (foyer_window_parent_class)->close_request (window);
}

static void
foyer_window_dispose (GObject *object)
{
  FoyerWindow *self = FOYER_WINDOW (object);

  foyer_window_open_space (self, NULL);
  _foyer_window_drop_viewer (self);
  _foyer_window_dispose_files (self);
  _foyer_window_forget_after_connect (self);
  g_clear_handle_id (&self->moving_source, g_source_remove);
  g_clear_weak_pointer (&self->focus_before_document);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->spaces);
  g_clear_object (&self->sorted_spaces);
  g_clear_object (&self->space_selection);
  g_clear_object (&self->space_actions);
  g_clear_object (&self->account_actions);
  g_clear_object (&self->session);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (foyer_window_parent_class)->dispose (object);
}

static void
foyer_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerWindow *self = FOYER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  FoyerWindow *self = FOYER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_window_constructed (GObject *object)
{
  FoyerWindow *self = FOYER_WINDOW (object);
  g_autoptr (GtkListItemFactory) messages = foyer_message_row_factory_new (self->account);

  G_OBJECT_CLASS (foyer_window_parent_class)->constructed (object);

  gtk_list_view_set_factory (self->messages_view, messages);
  _foyer_window_init_actions (self);
  _foyer_window_setup_files (self);
  if (self->session != NULL)
    {
      g_signal_connect_object (self->session, "notify::state", G_CALLBACK (session_state_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->session, "notify::person-name",
                               G_CALLBACK (foyer_window_update_person), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->session, "members-changed",
                               G_CALLBACK (_foyer_window_members_changed), self, G_CONNECT_SWAPPED);
      session_state_cb (self);
    }
  if (self->account != NULL)
    {
      g_signal_connect_object (self->account, "notify::state", G_CALLBACK (account_state_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (self->account, "error", G_CALLBACK (account_error_cb), self,
                               G_CONNECT_SWAPPED);
      account_state_cb (self);
    }
}

static void
foyer_window_class_init (FoyerWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = foyer_window_constructed;
  object_class->dispose = foyer_window_dispose;
  object_class->get_property = foyer_window_get_property;
  object_class->set_property = foyer_window_set_property;
  window_class->close_request = foyer_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/foyer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, document_slot);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, spaces_empty_page);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, spaces_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, messages_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, composer);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, composer_view);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, attach_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, send_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, messages_scroller);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, space_menu_button);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, reconnect_banner);
  gtk_widget_class_bind_template_child (widget_class, FoyerWindow, reconnect_label);
  gtk_widget_class_bind_template_callback (widget_class, content_page_changed_cb);

  _foyer_window_class_init_actions (widget_class);
  _foyer_window_class_init_files (widget_class);

  properties[PROP_SESSION]
      = g_param_spec_object ("session", NULL, NULL, FOYER_TYPE_SESSION,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT]
      = g_param_spec_object ("account", NULL, NULL, FOYER_TYPE_MICROSOFT_ACCOUNT,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_window_init (FoyerWindow *self)
{
  GtkEventController *key;
  GtkEventController *focus;
  int width, height;

  gtk_widget_init_template (GTK_WIDGET (self));
  _foyer_window_init_files (self);

  self->settings = g_settings_new (APP_ID);
  g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (DEVELOPMENT)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->sorted_spaces = gtk_sort_list_model_new (
      NULL, GTK_SORTER (gtk_custom_sorter_new (foyer_space_item_compare_activity, NULL, NULL)));
  self->space_selection
      = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->sorted_spaces)));
  gtk_single_selection_set_autoselect (self->space_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->space_selection, TRUE);
  g_signal_connect_object (self->space_selection, "notify::selected-item",
                           G_CALLBACK (space_selected_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_model (self->spaces_view, GTK_SELECTION_MODEL (self->space_selection));
  g_signal_connect_object (self->sorted_spaces, "items-changed",
                           G_CALLBACK (foyer_window_sync_selection), self, G_CONNECT_SWAPPED);
  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (sidebar_key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->spaces_view), key);
  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "leave", G_CALLBACK (sidebar_focus_left_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->spaces_view), focus);
  gtk_list_view_set_factory (self->spaces_view, foyer_space_row_factory_new ());
  g_object_unref (gtk_list_view_get_factory (self->spaces_view));

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_object (key, "key-pressed", G_CALLBACK (composer_key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->composer_view), key);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->messages_scroller),
                           "value-changed", G_CALLBACK (messages_scrolled_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->messages_scroller), "changed",
                           G_CALLBACK (messages_adjustment_changed_cb), self, G_CONNECT_SWAPPED);

  gtk_stack_set_visible_child_name (self->sidebar_stack, "empty");
  gtk_stack_set_visible_child_name (self->content_stack, "signed-out");
  foyer_window_update_composer (self);
}

FoyerWindow *
foyer_window_new (GtkApplication *application,
                  FoyerSession *session,
                  FoyerMicrosoftAccount *account)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (session == NULL || FOYER_IS_SESSION (session), NULL);
  g_return_val_if_fail (account == NULL || FOYER_IS_MICROSOFT_ACCOUNT (account), NULL);

  return g_object_new (FOYER_TYPE_WINDOW, "application", application, "session", session, "account",
                       account, NULL);
}

/* Shows view (a document viewer) in place of the spaces, over the whole
 * window, and gives it the focus; _foyer_window_close_document () comes
 * back to where the person was. */
void
_foyer_window_show_document (FoyerWindow *self, GtkWidget *view)
{
  GtkWidget *focus;

  if (adw_bin_get_child (self->document_slot) != view)
    adw_bin_set_child (self->document_slot, view);
  if (!foyer_window_get_document_shown (self))
    {
      focus = gtk_root_get_focus (GTK_ROOT (self));
      g_set_weak_pointer (&self->focus_before_document, focus);
      gtk_stack_set_visible_child_name (self->main_stack, "document");
    }
  gtk_widget_grab_focus (view);
}

void
_foyer_window_close_document (FoyerWindow *self)
{
  if (!foyer_window_get_document_shown (self))
    return;
  gtk_stack_set_visible_child_name (self->main_stack, "spaces");
  if (self->focus_before_document != NULL && gtk_widget_get_mapped (self->focus_before_document))
    gtk_widget_grab_focus (self->focus_before_document);
  g_clear_weak_pointer (&self->focus_before_document);
}

gboolean
foyer_window_get_document_shown (FoyerWindow *self)
{
  g_return_val_if_fail (FOYER_IS_WINDOW (self), FALSE);

  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "document") == 0;
}
