/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The picker dialog against a small fake Graph (picker-fake-graph.c):
 * browsing, sources, search, filter, sort, keyboard, details and share
 * options, states, paging and thumbnails.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-authorizer.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-tile.h"
#include "picker/foyer-picker-tile-private.h"
#include "picker/foyer-share-options.h"
#include "foyer-ui-test.h"
#include "picker-fake-graph.h"

typedef struct
{
  FakeGraph *fake;
  FoyerGraphClient *graph;
  FoyerPickerDialog *dialog;
  guint shares;
  FoyerDriveItem *shared_item;
  FoyerLinkType shared_link_type;
  FoyerLinkAudience shared_audience;
  gboolean closed;
} Fixture;

static const char *const space_members[]
    = { "alice@contoso.example", "bob@contoso.example", "carol@contoso.example", NULL };

static void
share_cb (FoyerPickerDialog *dialog,
          FoyerDriveItem *item,
          FoyerLinkType link_type,
          FoyerLinkAudience audience,
          Fixture *f)
{
  f->shares++;
  g_set_object (&f->shared_item, item);
  f->shared_link_type = link_type;
  f->shared_audience = audience;
}

static gboolean
close_request_cb (GtkWindow *window, Fixture *f)
{
  f->closed = TRUE;
  return FALSE;
}

static void
open_dialog (Fixture *f, FoyerPickerPolicy *policy)
{
  f->dialog = foyer_picker_dialog_new (NULL, f->graph, policy);
  g_object_ref_sink (f->dialog);
  g_signal_connect (f->dialog, "share", G_CALLBACK (share_cb), f);
  g_signal_connect (f->dialog, "close-request", G_CALLBACK (close_request_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerStaticAuthorizer) authorizer = foyer_static_authorizer_new ("test-token");
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  const FoyerLinkAudience audiences[]
      = { FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_AUDIENCE_SPACE, FOYER_LINK_AUDIENCE_EXISTING,
          FOYER_LINK_AUDIENCE_NONE };

  f->fake = fake_graph_new ();
  f->graph = mock_graph_client_new (f->fake->mock->base_url, FOYER_AUTHORIZER (authorizer));
  foyer_graph_client_set_base_delay_ms (f->graph, 50);
  if (data == NULL)
    {
      policy = foyer_picker_policy_new (audiences, FOYER_LINK_AUDIENCE_ORGANIZATION,
                                        FOYER_LINK_TYPE_VIEW, space_members);
      open_dialog (f, policy);
    }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->dialog != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (f->dialog));
      g_object_unref (f->dialog);
    }
  g_clear_object (&f->graph);
  g_clear_object (&f->shared_item);
  /* Let cancelled requests finish before the server goes. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  fake_graph_free (f->fake);
}

static GtkWidget *
child (Fixture *f, const char *name)
{
  GtkWidget *options;

  /* The share options have a template of their own. */
  if (gtk_widget_get_template_child (GTK_WIDGET (f->dialog), FOYER_TYPE_PICKER_DIALOG, name)
      != NULL)
    return foyer_ui_test_child (GTK_WIDGET (f->dialog), FOYER_TYPE_PICKER_DIALOG, name);
  options = foyer_ui_test_find (GTK_WIDGET (f->dialog), FOYER_TYPE_SHARE_OPTIONS);
  return foyer_ui_test_child (options, FOYER_TYPE_SHARE_OPTIONS, name);
}

static gboolean
shows_items (gpointer data)
{
  Fixture *f = data;
  const char *state = _foyer_picker_dialog_get_state (f->dialog);

  return g_str_equal (state, "list") || g_str_equal (state, "grid");
}

static gboolean
shows_status (gpointer data)
{
  Fixture *f = data;

  return g_str_equal (_foyer_picker_dialog_get_state (f->dialog), "status");
}

static void
wait_for_items (Fixture *f)
{
  g_assert_true (foyer_ui_test_wait_until (shows_items, f, 10000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
}

static char *
item_names (Fixture *f)
{
  GListModel *model = _foyer_picker_dialog_get_model (f->dialog);
  g_autoptr (GString) names = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (i > 0)
        g_string_append (names, "|");
      g_string_append (names, foyer_drive_item_get_name (item));
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static char *
path_text (Fixture *f)
{
  g_auto (GStrv) path = _foyer_picker_dialog_dup_path (f->dialog);

  return g_strjoinv (" > ", path);
}

static FoyerDriveItem *
find_item (Fixture *f, const char *name)
{
  GListModel *model = _foyer_picker_dialog_get_model (f->dialog);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (foyer_drive_item_get_name (item), name))
        return item;
    }
  g_assert_not_reached ();
}

static guint
find_position (Fixture *f, const char *name)
{
  GListModel *model = _foyer_picker_dialog_get_model (f->dialog);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (foyer_drive_item_get_name (item), name))
        return i;
    }
  g_assert_not_reached ();
}

/* The local filter of Recent has been applied (a busy machine may take
 * longer than any fixed wait). */
static gboolean
shows_only_roadmap (gpointer data)
{
  g_autofree char *names = NULL;

  if (!shows_items (data))
    return FALSE;
  names = item_names (data);
  return g_str_equal (names, "Roadmap.xlsx");
}

static void
wait_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (2000);
}

#define ROOT_NAMES                                                                                 \
  "Documents|Locked|Many files|Photos|Budget.xlsx|Deck.pptx|Plan <b>2027</b>.docx|Report.pdf|"     \
  "Zebra.png"

static void
test_opens_my_files (Fixture *f, gconstpointer data)
{
  g_autofree char *names = NULL;
  g_autofree char *path = NULL;
  g_autofree char *png = NULL;

  g_assert_true (gtk_window_get_modal (GTK_WINDOW (f->dialog)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->dialog)), ==, "Attach File");
  wait_for_items (f);
  g_assert_cmpint (_foyer_picker_dialog_get_source (f->dialog), ==, FOYER_PICKER_SOURCE_MY_FILES);
  /* Folders first, then by name; the name with markup in it is shown as is. */
  g_assert_cmpstr ((names = item_names (f)), ==, ROOT_NAMES);
  g_assert_cmpstr ((path = path_text (f)), ==, "My Files");
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 1);
  g_assert_true (foyer_ui_test_is_drawn (child (f, "list_view")));
  g_assert_true (foyer_ui_test_is_drawn (child (f, "search_entry")));
  g_assert_true (foyer_ui_test_is_drawn (child (f, "sources_list")));
  g_assert_false (gtk_widget_is_sensitive (child (f, "share_button")));
  g_assert_false (gtk_widget_is_sensitive (child (f, "up_button")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "details_stack"))), ==,
                   "none");

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-my-files");
  g_assert_true (g_file_test (png, G_FILE_TEST_EXISTS));
}

static gboolean
path_is_documents (gpointer data)
{
  g_autofree char *path = path_text (data);

  return g_str_equal (path, "My Files > Documents") && shows_items (data);
}

static gboolean
path_is_root (gpointer data)
{
  g_autofree char *path = path_text (data);

  return g_str_equal (path, "My Files") && shows_items (data);
}

static gboolean
path_is_archive (gpointer data)
{
  g_autofree char *path = path_text (data);

  return g_str_equal (path, "My Files > Documents > Archive");
}

static void
test_keyboard_browse (Fixture *f, gconstpointer data)
{
  g_autofree char *names = NULL;
  GtkWidget *breadcrumbs = child (f, "breadcrumbs");
  GtkWidget *crumb;

  wait_for_items (f);
  gtk_widget_grab_focus (child (f, "list_view"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));

  /* Type-ahead selects "Documents"; Enter opens it. */
  foyer_ui_test_xdotool ("type --delay 20 doc");
  g_assert_true (foyer_ui_test_wait_until (
      (gboolean (*) (gpointer)) gtk_single_selection_get_selected_item,
      gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "list_view"))), 5000));
  g_assert_cmpstr (
      foyer_drive_item_get_name (gtk_single_selection_get_selected_item (
          GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "list_view")))))),
      ==, "Documents");
  foyer_ui_test_xdotool ("key Return");
  g_assert_true (foyer_ui_test_wait_until (path_is_documents, f, 10000));
  g_assert_cmpstr ((names = item_names (f)), ==, "Archive|Letter.docx|Notes.txt");
  g_clear_pointer (&names, g_free);
  g_assert_true (gtk_widget_is_sensitive (child (f, "up_button")));

  /* The breadcrumbs: a button for My Files, then the current folder. */
  crumb = gtk_widget_get_first_child (breadcrumbs);
  g_assert_true (GTK_IS_BUTTON (crumb));
  crumb = gtk_widget_get_last_child (breadcrumbs);
  g_assert_true (GTK_IS_LABEL (crumb));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (crumb)), ==, "Documents");

  /* Backspace goes up. */
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  foyer_ui_test_xdotool ("key BackSpace");
  g_assert_true (foyer_ui_test_wait_until (path_is_root, f, 10000));
  /* The parent was kept: going up asked Graph nothing. */
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 1);

  /* Into Documents and Archive, then Alt+Up goes up one level at a time. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Documents"));
  g_assert_true (foyer_ui_test_wait_until (path_is_documents, f, 10000));
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Archive"));
  g_assert_true (foyer_ui_test_wait_until (path_is_archive, f, 10000));
  g_assert_true (foyer_ui_test_wait_until (shows_status, f, 10000));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page"))), ==,
                   "Empty Folder");
  g_assert_false (gtk_widget_get_visible (child (f, "retry_button")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  foyer_ui_test_xdotool ("key alt+Up");
  g_assert_true (foyer_ui_test_wait_until (path_is_documents, f, 10000));

  /* Back returns to where we were before, Archive. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.back", NULL);
  g_assert_true (foyer_ui_test_wait_until (path_is_archive, f, 10000));

  /* A breadcrumb jumps to its folder. */
  g_signal_emit_by_name (gtk_widget_get_first_child (breadcrumbs), "clicked");
  g_assert_true (foyer_ui_test_wait_until (path_is_root, f, 10000));
  g_assert_false (gtk_widget_is_sensitive (child (f, "up_button")));
}

static gboolean
is_closed (gpointer data)
{
  return ((Fixture *) data)->closed;
}

static void
test_escape_closes (Fixture *f, gconstpointer data)
{
  wait_for_items (f);
  gtk_widget_grab_focus (child (f, "list_view"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  foyer_ui_test_xdotool ("key Escape");
  g_assert_true (foyer_ui_test_wait_until (is_closed, f, 10000));
  g_assert_cmpuint (f->shares, ==, 0);
}

static void
test_destroy_while_busy (Fixture *f, gconstpointer data)
{
  FoyerDriveItem *plan;

  /* Closed right after opening a folder and choosing a file: pending
   * listings, permissions, thumbnails and idle work end quietly. */
  wait_for_items (f);
  f->fake->thumbnail_delay_ms = 300;
  plan = find_item (f, "Plan <b>2027</b>.docx");
  foyer_picker_dialog_activate_item (f->dialog, plan);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Many files"));
  gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_clear_object (&f->dialog);
  wait_ms (600);
  g_assert_cmpuint (f->shares, ==, 0);
}

static gboolean
source_is_loaded (gpointer data)
{
  return shows_items (data) || shows_status (data);
}

static void
select_source (Fixture *f, const char *row)
{
  gtk_list_box_select_row (GTK_LIST_BOX (child (f, "sources_list")),
                           GTK_LIST_BOX_ROW (child (f, row)));
  g_assert_true (foyer_ui_test_wait_until (source_is_loaded, f, 10000));
}

static gboolean
path_is_library (gpointer data)
{
  g_autofree char *path = path_text (data);

  return g_str_equal (path, "SharePoint > Contoso Team > Team Documents") && shows_items (data);
}

static void
test_sources (Fixture *f, gconstpointer data)
{
  g_autofree char *names = NULL;
  g_autofree char *path = NULL;

  wait_for_items (f);

  /* Recent comes from the insights API. */
  select_source (f, "recent_row");
  g_assert_cmpint (_foyer_picker_dialog_get_source (f->dialog), ==, FOYER_PICKER_SOURCE_RECENT);
  g_assert_cmpstr ((names = item_names (f)), ==, "Quarterly review.pptx|Roadmap.xlsx");
  g_clear_pointer (&names, g_free);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/insights/used"), ==, 1);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/recent"), ==, 0);

  /* Shared: the insights API refuses, the deprecated endpoint answers. */
  select_source (f, "shared_row");
  g_assert_cmpstr ((names = item_names (f)), ==, "Letter.docx");
  g_clear_pointer (&names, g_free);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/insights/shared"), ==, 1);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/sharedWithMe"), ==, 1);
  g_assert_true (foyer_drive_item_get_is_remote (find_item (f, "Letter.docx")));

  /* SharePoint: followed sites → a site's libraries → a library's files. */
  select_source (f, "sharepoint_row");
  g_assert_cmpstr ((names = item_names (f)), ==, "Contoso Team");
  g_clear_pointer (&names, g_free);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Contoso Team"));
  g_assert_true (foyer_ui_test_wait_until (shows_items, f, 10000));
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Team Documents"));
  g_assert_true (foyer_ui_test_wait_until (path_is_library, f, 10000));
  g_assert_cmpstr ((names = item_names (f)), ==, "Team charter.docx");
  g_clear_pointer (&names, g_free);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "search_entry"))), ==, "");

  /* Back to My Files: a fresh listing of its root. */
  select_source (f, "my_files_row");
  g_assert_cmpstr ((path = path_text (f)), ==, "My Files");
  g_assert_cmpstr ((names = item_names (f)), ==, ROOT_NAMES);
}

static gboolean
search_done (gpointer data)
{
  Fixture *f = data;

  return fake_graph_count (f->fake, "/v1.0/me/drive/root/search(") > 0 && shows_items (f);
}

static void
test_search (Fixture *f, gconstpointer data)
{
  GtkEditable *entry;
  g_autofree char *names = NULL;

  wait_for_items (f);
  entry = GTK_EDITABLE (child (f, "search_entry"));
  g_assert_cmpuint (gtk_search_entry_get_search_delay (GTK_SEARCH_ENTRY (entry)), >=, 150);

  /* Typing quickly sends one search, after the typing stops. */
  gtk_editable_set_text (entry, "p");
  gtk_editable_set_text (entry, "pl");
  gtk_editable_set_text (entry, "pla");
  gtk_editable_set_text (entry, "plan");
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/search("), ==, 0);
  g_assert_true (foyer_ui_test_wait_until (search_done, f, 10000));
  wait_ms (400);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/search("), ==, 1);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/search(q='plan')"), ==, 1);
  g_assert_cmpstr ((names = item_names (f)), ==, "Plan <b>2027</b>.docx");
  g_clear_pointer (&names, g_free);

  /* No match: an empty state that says so, without Retry. */
  gtk_editable_set_text (entry, "nothing-like-this");
  g_assert_true (foyer_ui_test_wait_until (shows_status, f, 10000));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page"))), ==,
                   "No Results");
  g_assert_false (gtk_widget_get_visible (child (f, "retry_button")));

  /* Clearing the search shows the folder again, without asking Graph. */
  gtk_editable_set_text (entry, "");
  g_assert_true (foyer_ui_test_wait_until (shows_items, f, 10000));
  g_assert_cmpstr ((names = item_names (f)), ==, ROOT_NAMES);
  g_clear_pointer (&names, g_free);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 1);

  /* In Recent the search filters the names locally. */
  select_source (f, "recent_row");
  gtk_editable_set_text (entry, "ROAD");
  g_assert_true (foyer_ui_test_wait_until (shows_only_roadmap, f, 10000));
  wait_ms (400);
  g_assert_cmpstr ((names = item_names (f)), ==, "Roadmap.xlsx");
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/search("), ==, 2);
}

static void
test_filter_and_sort (Fixture *f, gconstpointer data)
{
  GtkDropDown *kind = GTK_DROP_DOWN (child (f, "kind_dropdown"));
  g_autofree char *names = NULL;

  wait_for_items (f);

  /* A kind keeps the folders (to browse on) and the files of that kind. */
  gtk_drop_down_set_selected (kind, 2);
  g_assert_cmpstr ((names = item_names (f)), ==, "Documents|Locked|Many files|Photos|Budget.xlsx");
  g_clear_pointer (&names, g_free);
  gtk_drop_down_set_selected (kind, 4);
  g_assert_cmpstr ((names = item_names (f)), ==, "Documents|Locked|Many files|Photos|Report.pdf");
  g_clear_pointer (&names, g_free);
  gtk_drop_down_set_selected (kind, 5);
  g_assert_cmpstr ((names = item_names (f)), ==, "Documents|Locked|Many files|Photos|Zebra.png");
  g_clear_pointer (&names, g_free);
  gtk_drop_down_set_selected (kind, 1);
  g_assert_cmpstr ((names = item_names (f)), ==,
                   "Documents|Locked|Many files|Photos|Plan <b>2027</b>.docx");
  g_clear_pointer (&names, g_free);
  gtk_drop_down_set_selected (kind, 0);
  g_assert_cmpstr ((names = item_names (f)), ==, ROOT_NAMES);
  g_clear_pointer (&names, g_free);

  /* Sort by size, largest first; folders stay on top. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-by", "s", "size");
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-descending", NULL);
  g_assert_cmpstr ((names = item_names (f)), ==,
                   "Documents|Locked|Many files|Photos|Deck.pptx|Report.pdf|Budget.xlsx|"
                   "Plan <b>2027</b>.docx|Zebra.png");
  g_clear_pointer (&names, g_free);

  /* Modified, oldest first. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-by", "s", "modified");
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-descending", NULL);
  g_assert_cmpstr ((names = item_names (f)), ==,
                   "Photos|Many files|Locked|Documents|Zebra.png|Report.pdf|Deck.pptx|"
                   "Budget.xlsx|Plan <b>2027</b>.docx");
  g_clear_pointer (&names, g_free);

  /* Name, descending. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-by", "s", "name");
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.sort-descending", NULL);
  g_assert_cmpstr ((names = item_names (f)), ==,
                   "Photos|Many files|Locked|Documents|Zebra.png|Report.pdf|"
                   "Plan <b>2027</b>.docx|Deck.pptx|Budget.xlsx");
  g_clear_pointer (&names, g_free);

  /* The grid shows the same model. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.grid-view", NULL);
  g_assert_cmpstr (_foyer_picker_dialog_get_state (f->dialog), ==, "grid");
  g_assert_true (foyer_ui_test_wait_until ((gboolean (*) (gpointer)) foyer_ui_test_is_drawn,
                                           child (f, "grid_view"), 5000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-grid"));
}

static gboolean
owner_known (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "owner_row"))),
                    "Alice <i>Example</i>")
         == 0;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static void
test_details_and_share (Fixture *f, gconstpointer data)
{
  FoyerDriveItem *plan;
  g_autofree char *png = NULL;

  wait_for_items (f);
  plan = find_item (f, "Plan <b>2027</b>.docx");
  foyer_picker_dialog_activate_item (f->dialog, plan);

  g_assert_true (_foyer_picker_dialog_get_chosen (f->dialog) == plan);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "details_stack"))), ==,
                   "item");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "details_name"))), ==,
                   "Plan <b>2027</b>.docx");
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (child (f, "details_name"))));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "size_row"))), ==,
                   "2.0\u00a0kB");
  g_assert_nonnull (strstr (
      adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "modified_row"))), "Bob Example"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "location_row"))), ==,
                   "My Files");

  /* Who has access, from the item's permissions; the owner from them too. */
  g_assert_true (foyer_ui_test_wait_until (owner_known, f, 10000));
  g_assert_cmpuint (count_children (child (f, "access_list")), ==, 3);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/drives/me-drive/items/plan/permissions"), ==,
                    1);

  /* Only the policy's audiences, its default chosen, view by default. */
  g_assert_false (gtk_widget_get_visible (child (f, "anyone_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "organization_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "space_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "existing_row")));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (child (f, "organization_check"))));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (f, "edit_switch"))));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "space_row"))),
                            "carol@contoso.example"));
  g_assert_true (gtk_widget_is_sensitive (child (f, "share_button")));

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-details");

  /* Share with the defaults. */
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpuint (f->shares, ==, 1);
  g_assert_true (f->shared_item == plan);
  g_assert_cmpint (f->shared_link_type, ==, FOYER_LINK_TYPE_VIEW);
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_ORGANIZATION);

  /* Allow editing, for the people in the space. */
  gtk_switch_set_active (GTK_SWITCH (child (f, "edit_switch")), TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "space_check")), TRUE);
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpuint (f->shares, ==, 2);
  g_assert_cmpint (f->shared_link_type, ==, FOYER_LINK_TYPE_EDIT);
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_SPACE);

  /* Existing access makes no link: editing does not apply. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "existing_check")), TRUE);
  g_assert_false (gtk_widget_get_sensitive (child (f, "edit_row")));
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_EXISTING);

  /* Choosing a folder's selection clears the choice: nothing to share. */
  gtk_single_selection_set_selected (
      GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "list_view")))),
      find_position (f, "Documents"));
  g_assert_null (_foyer_picker_dialog_get_chosen (f->dialog));
  g_assert_false (gtk_widget_is_sensitive (child (f, "share_button")));
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.share", NULL);
  g_assert_cmpuint (f->shares, ==, 3);
}

static const char *
row_title (Fixture *f, const char *name)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child (f, name)));
}

static char *
joined (const char *const *strv)
{
  return strv != NULL ? g_strjoinv (",", (char **) strv) : NULL;
}

/* Before sharing: who in the space will not be able to open the file with
 * the chosen audience (from the permissions the details pane fetched), and
 * the offer to give them access with the share. */
static void
test_access_check (Fixture *f, gconstpointer data)
{
  const FoyerLinkAudience audiences[]
      = { FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_AUDIENCE_SPACE, FOYER_LINK_AUDIENCE_EXISTING,
          FOYER_LINK_AUDIENCE_NONE };
  const char *const members[]
      = { "bob@contoso.example", "carol@contoso.example", "mallory@fabrikam.example", NULL };
  const char *const names[] = { "Bob Dupont", "Carol Lee", "Mallory Smith", NULL };
  const char *const domains[] = { "contoso.example", NULL };
  g_autoptr (FoyerPickerPolicy) policy = foyer_picker_policy_new (
      audiences, FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_TYPE_VIEW, members);
  g_autofree char *missing = NULL;
  g_autofree char *grants = NULL;

  foyer_picker_policy_set_member_names (policy, names);
  foyer_picker_policy_set_organization_domains (policy, domains);
  open_dialog (f, policy);
  wait_for_items (f);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Plan <b>2027</b>.docx"));
  /* Nothing is said before the permissions are known. */
  g_assert_false (gtk_widget_get_visible (child (f, "access_check_group")));
  g_assert_true (foyer_ui_test_wait_until (owner_known, f, 10000));

  /* People in the organization: the guest from another domain cannot. */
  g_assert_true (gtk_widget_get_visible (child (f, "access_check_group")));
  g_assert_cmpstr (row_title (f, "access_warning_row"), ==, "1 member can’t open this file");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "access_warning_row"))),
                   ==, "Mallory Smith");
  g_assert_true (gtk_widget_get_visible (child (f, "grant_row")));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (f, "grant_switch"))));
  missing = joined (_foyer_picker_dialog_get_members_without_access (f->dialog));
  g_assert_cmpstr (missing, ==, "mallory@fabrikam.example");
  g_assert_null (foyer_picker_dialog_get_grant_emails (f->dialog));

  /* Existing access: Carol was given access; Bob and Mallory were not. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "existing_check")), TRUE);
  g_assert_cmpstr (row_title (f, "access_warning_row"), ==, "2 members can’t open this file");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "access_warning_row"))),
                   ==, "Bob Dupont, Mallory Smith");
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-access-check"));

  /* Give them access: the share carries who to invite. */
  gtk_switch_set_active (GTK_SWITCH (child (f, "grant_switch")), TRUE);
  grants = joined (foyer_picker_dialog_get_grant_emails (f->dialog));
  g_assert_cmpstr (grants, ==, "bob@contoso.example,mallory@fabrikam.example");
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpuint (f->shares, ==, 1);
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_EXISTING);

  /* The space's people are invited anyway: nothing to say. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "space_check")), TRUE);
  g_assert_false (gtk_widget_get_visible (child (f, "access_check_group")));
  g_assert_cmpuint (
      g_strv_length ((char **) _foyer_picker_dialog_get_members_without_access (f->dialog)), ==, 0);
  g_assert_null (foyer_picker_dialog_get_grant_emails (f->dialog));

  /* Another file starts again from "not known", the offer off. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Budget.xlsx"));
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (child (f, "grant_switch"))));
}

/* Without the space audience in the policy, nobody is offered access. */
static void
test_access_check_no_grant (Fixture *f, gconstpointer data)
{
  const FoyerLinkAudience audiences[] = { FOYER_LINK_AUDIENCE_ORGANIZATION,
                                          FOYER_LINK_AUDIENCE_EXISTING, FOYER_LINK_AUDIENCE_NONE };
  const char *const members[] = { "mallory@fabrikam.example", NULL };
  const char *const domains[] = { "contoso.example", NULL };
  g_autoptr (FoyerPickerPolicy) policy = foyer_picker_policy_new (
      audiences, FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_TYPE_VIEW, members);

  foyer_picker_policy_set_organization_domains (policy, domains);
  open_dialog (f, policy);
  wait_for_items (f);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Plan <b>2027</b>.docx"));
  g_assert_true (foyer_ui_test_wait_until (owner_known, f, 10000));
  g_assert_true (gtk_widget_get_visible (child (f, "access_check_group")));
  /* No names given: the address stands for the person. */
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "access_warning_row"))),
                   ==, "mallory@fabrikam.example");
  g_assert_false (gtk_widget_get_visible (child (f, "grant_row")));
  gtk_switch_set_active (GTK_SWITCH (child (f, "grant_switch")), TRUE);
  g_assert_null (foyer_picker_dialog_get_grant_emails (f->dialog));
}

static void
test_policy_anyone_edit (Fixture *f, gconstpointer data)
{
  const FoyerLinkAudience audiences[]
      = { FOYER_LINK_AUDIENCE_ANYONE, FOYER_LINK_AUDIENCE_EXISTING, FOYER_LINK_AUDIENCE_NONE };
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (audiences, FOYER_LINK_AUDIENCE_ANYONE, FOYER_LINK_TYPE_EDIT, NULL);

  open_dialog (f, policy);
  wait_for_items (f);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Budget.xlsx"));
  g_assert_true (gtk_widget_get_visible (child (f, "anyone_row")));
  g_assert_false (gtk_widget_get_visible (child (f, "organization_row")));
  g_assert_false (gtk_widget_get_visible (child (f, "space_row")));
  g_assert_true (gtk_widget_get_visible (child (f, "existing_row")));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (child (f, "anyone_check"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (f, "edit_switch"))));
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpuint (f->shares, ==, 1);
  g_assert_cmpint (f->shared_link_type, ==, FOYER_LINK_TYPE_EDIT);
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_ANYONE);
}

/* The policy's audiences as their JSON names, in its order. */
static char *
audience_names (FoyerPickerPolicy *policy)
{
  const FoyerLinkAudience *audiences = foyer_picker_policy_get_audiences (policy);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) names = NULL;

  for (guint i = 0; audiences[i] != FOYER_LINK_AUDIENCE_NONE; i++)
    g_strv_builder_add (builder, foyer_link_audience_to_string (audiences[i]));
  names = g_strv_builder_end (builder);
  return g_strjoinv (",", names);
}

static void
test_policy_from_json (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (FoyerPickerPolicy) policy = NULL;
  g_autoptr (FoyerPickerPolicy) none = NULL;
  const char *const members[] = { "a@x.example", NULL };
  g_autofree char *names = NULL;
  JsonObject *microsoft;

  g_assert_true (json_parser_load_from_data (
      parser,
      "{\"enabled\":true,\"audiences\":[\"existing\",\"organization\",\"space\",7],"
      "\"defaultAudience\":\"anyone\",\"defaultLinkType\":\"edit\"}",
      -1, NULL));
  microsoft = json_node_get_object (json_parser_get_root (parser));
  policy = foyer_picker_policy_new_from_json (microsoft, members);
  /* Canonical order; a default the policy does not allow falls back to the first allowed. */
  g_assert_cmpstr ((names = audience_names (policy)), ==, "organization,space,existing");
  g_assert_false (foyer_picker_policy_allows (policy, FOYER_LINK_AUDIENCE_ANYONE));
  g_assert_cmpint (foyer_picker_policy_get_default_audience (policy), ==,
                   FOYER_LINK_AUDIENCE_ORGANIZATION);
  g_assert_cmpint (foyer_picker_policy_get_default_link_type (policy), ==, FOYER_LINK_TYPE_EDIT);
  g_assert_cmpstr (foyer_picker_policy_get_space_members (policy)[0], ==, "a@x.example");

  /* Nothing allowed, and a link type this version does not know. */
  g_assert_true (json_parser_load_from_data (
      parser, "{\"defaultAudience\":\"anyone\",\"defaultLinkType\":\"sideways\"}", -1, NULL));
  none = foyer_picker_policy_new_from_json (json_node_get_object (json_parser_get_root (parser)),
                                            NULL);
  g_assert_cmpint (foyer_picker_policy_get_default_audience (none), ==, FOYER_LINK_AUDIENCE_NONE);
  g_assert_cmpint (foyer_picker_policy_get_default_link_type (none), ==, FOYER_LINK_TYPE_VIEW);
}

static gboolean
status_title_is (Fixture *f, const char *title)
{
  return shows_status (f)
         && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page"))),
                       title)
                == 0;
}

static gboolean
shows_busy (gpointer data)
{
  return status_title_is (data, "Microsoft Is Busy");
}

static gboolean
shows_unreadable (gpointer data)
{
  return status_title_is (data, "Could Not Load Files");
}

static gboolean
shows_no_access (gpointer data)
{
  return status_title_is (data, "No Access");
}

static gboolean
spinner_shown (gpointer data)
{
  Fixture *f = data;

  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "view_stack"))),
                    "loading")
         == 0;
}

static void
test_throttled_waits (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (NULL, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);
  gint64 first, second, third;

  /* Two 429s asking for 1 s each, then the listing. */
  fake_graph_set_fault (f->fake, "/v1.0/me/drive/root/children", "429:1:2");
  open_dialog (f, policy);
  g_assert_cmpstr (_foyer_picker_dialog_get_state (f->dialog), ==, "loading");
  /* A quick page shows no spinner; this wait is long enough for one. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f, "view_stack"))), ==,
                   "list");
  g_assert_true (foyer_ui_test_wait_until (spinner_shown, f, 5000));
  g_assert_true (gtk_spinner_get_spinning (GTK_SPINNER (child (f, "loading_spinner"))));
  wait_for_items (f);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 3);
  first = fake_graph_time (f->fake, "/v1.0/me/drive/root/children", 0);
  second = fake_graph_time (f->fake, "/v1.0/me/drive/root/children", 1);
  third = fake_graph_time (f->fake, "/v1.0/me/drive/root/children", 2);
  /* The log proves no request came before Retry-After had passed. */
  g_assert_cmpint (second - first, >=, G_USEC_PER_SEC);
  g_assert_cmpint (third - second, >=, G_USEC_PER_SEC);
}

static void
test_throttled_state (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (NULL, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);

  /* Told to wait longer than the client will: the throttled state, at once,
   * and no early retry, not even when asked to try again. */
  gint64 busy_since;

  foyer_graph_client_set_max_wait_ms (f->graph, 1000);
  fake_graph_set_fault (f->fake, "/v1.0/me/drive/root/children", "429:2:-1");
  open_dialog (f, policy);
  g_assert_true (foyer_ui_test_wait_until (shows_busy, f, 10000));
  busy_since = g_get_monotonic_time ();
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-throttled"));
  fake_graph_set_fault (f->fake, "/v1.0/me/drive/root/children", NULL);
  g_signal_emit_by_name (child (f, "retry_button"), "clicked");
  g_assert_true (foyer_ui_test_wait_until (shows_busy, f, 10000));
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 1);

  /* Retry once the Retry-After has passed (it was counted from the
   * reply, which came before the busy page). */
  wait_ms ((guint) MAX (0, 2000 - (g_get_monotonic_time () - busy_since) / 1000));
  g_signal_emit_by_name (child (f, "retry_button"), "clicked");
  wait_for_items (f);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/root/children"), ==, 2);
}

static void
test_malformed_and_denied (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (NULL, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);
  g_autofree char *names = NULL;

  fake_graph_set_fault (f->fake, "/v1.0/me/drive/root/children", "malformed");
  open_dialog (f, policy);
  g_assert_true (foyer_ui_test_wait_until (shows_unreadable, f, 10000));
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-error"));

  fake_graph_set_fault (f->fake, "/v1.0/me/drive/root/children", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.retry", NULL);
  wait_for_items (f);
  g_assert_cmpstr ((names = item_names (f)), ==, ROOT_NAMES);

  /* A folder one may not open says so. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Locked"));
  g_assert_true (foyer_ui_test_wait_until (shows_no_access, f, 10000));
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));
}

static gboolean
shows_offline (gpointer data)
{
  return status_title_is (data, "You Are Offline");
}

static void
test_offline (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerPickerPolicy) policy
      = foyer_picker_policy_new (NULL, FOYER_LINK_AUDIENCE_NONE, FOYER_LINK_TYPE_VIEW, NULL);
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (FoyerStaticAuthorizer) authorizer = foyer_static_authorizer_new ("test-token");
  g_autofree char *url = NULL;

  /* A port that was just free and is closed again: connections are refused. */
  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, NULL));
  url = g_strdup_printf ("https://127.0.0.1:%u/v1.0",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_listener_close (listener);

  g_clear_object (&f->graph);
  f->graph = mock_graph_client_new (url, FOYER_AUTHORIZER (authorizer));
  foyer_graph_client_set_base_delay_ms (f->graph, 20);
  open_dialog (f, policy);
  g_assert_true (foyer_ui_test_wait_until (shows_offline, f, 20000));
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-offline"));
}

static gboolean
has_two_pages (gpointer data)
{
  Fixture *f = data;

  return g_list_model_get_n_items (_foyer_picker_dialog_get_model (f->dialog)) == 100;
}

static void
test_paging (Fixture *f, gconstpointer data)
{
  GtkAdjustment *adjustment;

  wait_for_items (f);
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Many files"));
  wait_for_items (f);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  wait_ms (200);
  /* One page is all that was asked for while its top is shown. */
  g_assert_cmpuint (g_list_model_get_n_items (_foyer_picker_dialog_get_model (f->dialog)), ==, 50);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/drives/me-drive/items/big/children"), ==, 1);

  /* Near the end, the next page. */
  adjustment
      = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (child (f, "list_scroller")));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
  g_assert_true (foyer_ui_test_wait_until (has_two_pages, f, 10000));
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/drives/me-drive/items/big/children"), ==, 1);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/me/drive/items/big/children?$skiptoken=50"),
                    ==, 1);
}

static gboolean
tile_has_thumbnail (gpointer data)
{
  return _foyer_picker_tile_get_has_thumbnail (data);
}

typedef struct
{
  FakeGraph *fake;
  guint count;
} DeckWait;

static gboolean
deck_requested (gpointer data)
{
  DeckWait *w = data;

  return fake_graph_count (w->fake, "/v1.0/drives/me-drive/items/deck/thumbnails") >= w->count;
}

static gboolean
fake_idle (gpointer data)
{
  return ((FakeGraph *) data)->mock->in_flight == 0;
}

static void
test_tile_thumbnails (Fixture *f, gconstpointer data)
{
  DeckWait deck_wait = { NULL, 0 };
  g_autoptr (FoyerThumbnailLoader) loader = foyer_thumbnail_loader_new (f->graph, NULL);
  g_autoptr (FoyerDriveItem) zebra = NULL;
  g_autoptr (FoyerDriveItem) deck = NULL;
  g_autoptr (FoyerDriveItem) budget = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *tile = foyer_picker_tile_new (loader, FALSE);
  GtkWidget *image;
  guint requests;

  wait_for_items (f);
  /* Let the dialog's own tiles fetch theirs first. */
  wait_ms (400);
  zebra = g_object_ref (find_item (f, "Zebra.png"));
  deck = g_object_ref (find_item (f, "Deck.pptx"));
  budget = g_object_ref (find_item (f, "Budget.xlsx"));
  gtk_window_set_child (GTK_WINDOW (window), tile);
  gtk_window_present (GTK_WINDOW (window));
  image = foyer_ui_test_child (tile, FOYER_TYPE_PICKER_TILE, "image");

  /* The placeholder at once, the thumbnail when it comes. */
  f->fake->thumbnail_delay_ms = 300;
  foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), zebra);
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==, "image-x-generic-symbolic");
  g_assert_true (foyer_ui_test_wait_until (tile_has_thumbnail, tile, 10000));
  g_assert_cmpint (gtk_image_get_storage_type (GTK_IMAGE (image)), ==, GTK_IMAGE_PAINTABLE);

  /* Recycled before its thumbnail came: the late image does not land. The
   * waits are on the fake Graph: the request reached it, then its (slow)
   * answer left it, then the loop has nothing more to do. */
  requests = fake_graph_count (f->fake, "/v1.0/drives/me-drive/items/deck/thumbnails");
  foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), deck);
  deck_wait.fake = f->fake;
  deck_wait.count = requests + 1;
  g_assert_true (foyer_ui_test_wait_until (deck_requested, &deck_wait, 10000));
  foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), budget);
  g_assert_true (foyer_ui_test_wait_until (fake_idle, f->fake, 10000));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (fake_graph_count (f->fake, "/v1.0/drives/me-drive/items/deck/thumbnails"), ==,
                    requests + 1);
  g_assert_false (_foyer_picker_tile_get_has_thumbnail (FOYER_PICKER_TILE (tile)));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (image)), ==,
                   "x-office-spreadsheet-symbolic");
  g_assert_true (_foyer_picker_tile_get_item (FOYER_PICKER_TILE (tile)) == budget);

  foyer_picker_tile_set_item (FOYER_PICKER_TILE (tile), NULL);
  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
is_narrow (gpointer data)
{
  Fixture *f = data;

  return adw_leaflet_get_folded (ADW_LEAFLET (child (f, "leaflet")))
         && adw_flap_get_folded (ADW_FLAP (child (f, "flap")))
         && !gtk_widget_get_visible (child (f, "grid_button"));
}

static gboolean
transition_done (gpointer leaflet)
{
  return !adw_leaflet_get_child_transition_running (leaflet);
}

static guint
position_of (Fixture *f, const char *name)
{
  GListModel *model = _foyer_picker_dialog_get_model (f->dialog);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (foyer_drive_item_get_name (item), name))
        return i;
    }
  g_assert_not_reached ();
}

static gboolean
shows_details (gpointer data)
{
  Fixture *f = data;

  return adw_leaflet_get_visible_child (ADW_LEAFLET (child (f, "leaflet"))) == child (f, "details");
}

/* The share options, whole, inside the part of the details on screen. */
static gboolean
options_in_view (gpointer data)
{
  Fixture *f = data;
  GtkWidget *options = child (f, "share_options");
  GtkWidget *scroller = gtk_widget_get_ancestor (options, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  return gtk_widget_compute_bounds (options, scroller, &bounds) && bounds.origin.y >= 0
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scroller);
}

static void
test_narrow (Fixture *f, gconstpointer data)
{
  GtkWidget *details = child (f, "details");

  wait_for_items (f);
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), 360, 600);
  g_assert_true (foyer_ui_test_wait_until (is_narrow, f, 5000));
  g_assert_true (foyer_ui_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_visible,
                                           child (f, "sources_button"), 5000));
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (child (f, "leaflet")))
                 == child (f, "browser"));

  /* The title keeps its room. */
  {
    g_autoptr (GPtrArray) labels = g_ptr_array_new ();
    guint titles = 0;

    foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
    foyer_ui_test_collect (child (f, "window_title"), GTK_TYPE_LABEL, labels);
    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), "Attach File") == 0)
        {
          titles++;
          g_assert_false (
              pango_layout_is_ellipsized (gtk_label_get_layout (g_ptr_array_index (labels, i))));
        }
    g_assert_cmpuint (titles, ==, 1);
  }

  /* A file selected in the list: the header says Next, not Share — the
   * share options are on the next page, which the person passes through. */
  gtk_single_selection_set_selected (
      GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (child (f, "list_view")))),
      position_of (f, "Report.pdf"));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f, "share_button"))), ==, "_Next");
  g_assert_true (gtk_widget_is_sensitive (child (f, "share_button")));
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.share", NULL);
  g_assert_cmpuint (f->shares, ==, 0);
  foyer_ui_test_click (child (f, "share_button"));
  g_assert_true (foyer_ui_test_wait_until (shows_details, f, 5000));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f, "share_button"))), ==, "_Share");
  g_assert_true (gtk_widget_is_sensitive (child (f, "share_button")));
  /* What Share will do is in view, from its heading to the last choice. */
  g_assert_true (foyer_ui_test_wait_until (transition_done, child (f, "leaflet"), 5000));
  g_assert_true (foyer_ui_test_wait_until (options_in_view, f, 5000));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-narrow-next"));
  g_signal_emit_by_name (child (f, "details_back_button"), "clicked");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (child (f, "share_button"))), ==, "_Next");

  /* Choosing a file shows its details; the back button returns. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Report.pdf"));
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (child (f, "leaflet"))) == details);
  g_assert_true (foyer_ui_test_wait_until ((gboolean (*) (gpointer)) gtk_widget_get_visible,
                                           child (f, "details_back_button"), 5000));
  g_assert_true (foyer_ui_test_wait_until (transition_done, child (f, "leaflet"), 5000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-narrow-details"));
  g_signal_emit_by_name (child (f, "details_back_button"), "clicked");
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (child (f, "leaflet")))
                 == child (f, "browser"));
}

int
main (int argc, char **argv)
{
  foyer_ui_test_init (&argc, &argv);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/picker/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("opens-my-files", test_opens_my_files, NULL);
  ADD ("keyboard-browse", test_keyboard_browse, NULL);
  ADD ("escape-closes", test_escape_closes, NULL);
  ADD ("destroy-while-busy", test_destroy_while_busy, NULL);
  ADD ("sources", test_sources, NULL);
  ADD ("search", test_search, NULL);
  ADD ("filter-and-sort", test_filter_and_sort, NULL);
  ADD ("details-and-share", test_details_and_share, NULL);
  ADD ("access-check", test_access_check, "no-dialog");
  ADD ("access-check-no-grant", test_access_check_no_grant, "no-dialog");
  ADD ("policy-anyone-edit", test_policy_anyone_edit, "no-dialog");
  ADD ("throttled-waits", test_throttled_waits, "no-dialog");
  ADD ("throttled-state", test_throttled_state, "no-dialog");
  ADD ("malformed-and-denied", test_malformed_and_denied, "no-dialog");
  ADD ("offline", test_offline, "no-dialog");
  ADD ("paging", test_paging, NULL);
  ADD ("tile-thumbnails", test_tile_thumbnails, NULL);
  ADD ("narrow", test_narrow, NULL);
#undef ADD
  g_test_add_func ("/picker/policy-from-json", test_policy_from_json);

  return g_test_run ();
}
