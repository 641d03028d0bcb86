/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerWindow is a few files: foyer-window.c is the view (spaces, messages,
 * composer, the document over them) kept in step with the session and the
 * Microsoft account; every request the window can get is one action, a
 * file per group as GNOME Text Editor's editor-window-actions.c family:
 * foyer-window-actions.c (win.*, and what the groups share),
 * foyer-window-space-actions.c (space.*) and
 * foyer-window-account-actions.c (account.*, the viewer);
 * foyer-window-files.c is the window's side of files from the computer,
 * the Files view and search.
 */
#pragma once

#include "files/foyer-files-view.h"
#include "files/foyer-search-view.h"
#include "files/foyer-upload-strip.h"
#include "foyer-picker-policy.h"
#include "foyer-window.h"
#include "viewer/foyer-viewer.h"

G_BEGIN_DECLS

struct _FoyerWindow
{
  AdwApplicationWindow parent_instance;

  FoyerSession *session;          /* NULL: the view alone (tests) */
  FoyerMicrosoftAccount *account; /* NULL: no Microsoft documents */
  GSettings *settings;
  GSimpleActionGroup *space_actions;
  GSimpleActionGroup *account_actions;
  FoyerViewer *viewer; /* made on the first open, for the cloud it was made with */
  FoyerCloud *viewer_cloud;
  gboolean showing_spaces;

  /* What the person asked for that needed a Microsoft sign-in first
   * (space.attach-file, account.open-document): done once connected. */
  char *after_connect_action;
  GVariant *after_connect_parameter;
  FoyerSpaceItem *after_connect_space;
  FoyerMicrosoftState last_account_state;

  AdwToastOverlay *toast_overlay;
  GtkStack *main_stack;
  AdwBin *document_slot;
  GtkWidget *focus_before_document; /* weak */
  AdwLeaflet *leaflet;
  GtkWidget *sidebar;
  AdwWindowTitle *sidebar_title;
  GtkStack *sidebar_stack;
  GtkWidget *spaces_empty_page;
  GtkListView *spaces_view;
  GtkWidget *content;
  AdwWindowTitle *content_title;
  GtkStack *content_stack;
  GtkStack *messages_stack;
  GtkListView *messages_view;
  GtkWidget *sign_in_button;
  GtkWidget *composer;
  GtkTextView *composer_view;
  GtkWidget *attach_button;
  GtkWidget *send_button;
  GtkScrolledWindow *messages_scroller;
  GtkWidget *space_menu_button;
  GtkRevealer *reconnect_banner;
  GtkLabel *reconnect_label;

  GListModel *spaces;
  GtkSortListModel *sorted_spaces;
  GtkSingleSelection *space_selection;
  FoyerSpaceItem *current_space;
  GtkFilterListModel *message_tail; /* the newest `tail` messages of the open space */
  GtkCustomFilter *tail_filter;
  guint tail;
  gint64 tail_min_seq; /* sent messages from this seq on are shown (pending ones always) */
  guint tail_tick;     /* grows the tail once the space's first frame is painted */
  gint64 tail_frame;   /* the frame the space opened in */
  gulong space_title_id;
  gulong space_loaded_id;
  gboolean moving_in_sidebar; /* arrow keys move the highlight, Enter opens */
  guint moving_source;
  gboolean syncing_selection;
  gulong messages_changed_id;
  gboolean stick_to_bottom;
  gboolean older_requested;

  /* foyer-window-files.c */
  FoyerFileUploads *uploads;
  FoyerUploadStrip *upload_strip;
  FoyerFilesView *files_view;
  FoyerSearchView *search_view;
  GtkToggleButton *files_button;
  GtkToggleButton *search_button;
  GtkWidget *composer_separator;
  GtkNativeDialog *chooser;
  FoyerSpaceItem *reveal_space; /* a search result's space, while its message is looked for */
  char *reveal_id;
  guint reveal_pages;   /* pages of older history asked for it */
  gint64 reveal_before; /* the oldest seq when older messages were last asked for */
  char *scroll_to_id;
};

/* foyer-window-actions.c: win.*, the groups put in place. */
void _foyer_window_class_init_actions (GtkWidgetClass *widget_class);
void _foyer_window_init_actions (FoyerWindow *self);
void _foyer_window_update_actions (FoyerWindow *self);

/* A dialog asking for text or a yes: what its response needs. */
typedef struct
{
  FoyerWindow *window;
  FoyerSpaceItem *space; /* NULL for a new space */
  GtkWidget *entry;
  GtkWidget *members_entry;
} FoyerWindowAsk;

FoyerWindowAsk *_foyer_window_ask_new (FoyerWindow *self, FoyerSpaceItem *space);
void _foyer_window_ask_free (FoyerWindowAsk *ask);
GtkWidget *_foyer_window_entry_row (GtkWidget *box, const char *placeholder);
AdwMessageDialog *
_foyer_window_ask_dialog (FoyerWindow *self, const char *heading, const char *body, GtkWidget *box);
void _foyer_window_add_response (AdwMessageDialog *dialog,
                                 const char *response,
                                 const char *label,
                                 AdwResponseAppearance appearance);

/* foyer-window-space-actions.c: space.* */
void _foyer_window_add_space_actions (FoyerWindow *self);
FoyerPickerPolicy *_foyer_window_picker_policy (FoyerWindow *self, FoyerSpaceItem *space);
void _foyer_window_members_changed (FoyerWindow *self, const char *space_id);

/* foyer-window-account-actions.c: account.*, and what waits for a
 * Microsoft sign-in. */
void _foyer_window_add_account_actions (FoyerWindow *self);
void _foyer_window_drop_viewer (FoyerWindow *self);
gboolean _foyer_window_microsoft_ready (FoyerWindow *self, const char *then_action);
void _foyer_window_connect_then (FoyerWindow *self, const char *action, GVariant *parameter);
void _foyer_window_account_state_changed (FoyerWindow *self, FoyerMicrosoftState state);
void _foyer_window_forget_after_connect (FoyerWindow *self);

/* foyer-window.c */
char *_foyer_window_take_composer_text (FoyerWindow *self);
void _foyer_window_show_document (FoyerWindow *self, GtkWidget *view);
void _foyer_window_close_document (FoyerWindow *self);
void _foyer_window_select_space (FoyerWindow *self, guint position);
gboolean _foyer_window_in_space (FoyerWindow *self);
void _foyer_window_show_messages_from (FoyerWindow *self, guint position);

/* foyer-window-files.c: files from the computer, the Files view, search. */
void _foyer_window_class_init_files (GtkWidgetClass *widget_class);
void _foyer_window_init_files (FoyerWindow *self);
void _foyer_window_setup_files (FoyerWindow *self);
void _foyer_window_dispose_files (FoyerWindow *self);
void _foyer_window_files_add_actions (FoyerWindow *self);
void _foyer_window_files_update_actions (FoyerWindow *self, gboolean in_space);
void _foyer_window_files_page_changed (FoyerWindow *self);
void _foyer_window_files_space_changed (FoyerWindow *self);
gboolean _foyer_window_searching (FoyerWindow *self);

G_END_DECLS
