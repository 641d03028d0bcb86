/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Files of a space, in the app's window, against foyer-service and
 * foyer-ms-sandbox on loopback: the space's header button shows every
 * document shared there, newest first, with who shared it; a kind and a
 * few typed letters narrow them; a grid shows their thumbnails; Enter
 * opens one in the viewer; with Foyer's service gone the Files are still
 * there (the sealed copy), and the view says older ones come back later.
 */
#include "config.h"

#include <string.h>

#include "files-ui-test.h"
#include "files/foyer-files-view.h"
#include "foyer-document-item.h"
#include "foyer-i18n.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "viewer/foyer-viewer.h"

#define STEP_MS 30000

/* The kinds' places in the view's drop-down. */
#define KIND_ALL          0
#define KIND_SPREADSHEETS 2
#define KIND_PDFS         4

static FoyerApplication *app;

static const char *
title_at (GListModel *model, guint position)
{
  g_autoptr (FoyerMessageItem) item = g_list_model_get_item (model, position);
  GObject *attachment = item != NULL ? foyer_message_item_get_attachment (item) : NULL;

  g_assert_true (FOYER_IS_DOCUMENT_ITEM (attachment));
  return foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))->title;
}

typedef struct
{
  FoyerFilesView *view;
  guint n;
} CountWait;

static gboolean
files_shown (gpointer data)
{
  CountWait *w = data;

  return g_list_model_get_n_items (_foyer_files_view_get_model (w->view)) == w->n;
}

static void
wait_shown (FoyerFilesView *view, guint n)
{
  CountWait wait = { view, n };

  if (!foyer_ui_test_wait_until (files_shown, &wait, STEP_MS))
    g_error ("The Files view shows %u files, not %u",
             g_list_model_get_n_items (_foyer_files_view_get_model (view)), n);
}

static gboolean
document_shown (gpointer data)
{
  return foyer_window_get_document_shown (data);
}

static gboolean
settled (gpointer data)
{
  return !gtk_stack_get_transition_running (data);
}

static gboolean
document_hidden (gpointer data)
{
  return !foyer_window_get_document_shown (data);
}

static gboolean
offline (gpointer data)
{
  return foyer_session_get_state (data) == FOYER_SESSION_OFFLINE;
}

static void
test_files_view (void)
{
  FilesUi f = { NULL };
  const char *const shared[] = { "Documents/Quarterly report.docx", "Documents/Budget 2027.xlsx",
                                 "Documents/Roadmap.pptx", "Documents/Contract.pdf" };
  FoyerFilesView *view;
  GListModel *model;
  GtkStack *content;
  FoyerSpaceItem *other;
  int min_width = 0;
  g_autoptr (GError) error = NULL;

  files_ui_start (&f, app, "Design");
  for (gsize i = 0; i < G_N_ELEMENTS (shared); i++)
    {
      files_ui_share_item (&f, f.space, shared[i]);
      files_ui_wait_message (f.space, NULL, strrchr (shared[i], '/') + 1);
    }
  foyer_session_send_text (f.session, f.space, "Not a file");
  files_ui_wait_message (f.space, "Not a file", NULL);

  /* The header's Files button: every document, newest first. */
  content = GTK_STACK (files_ui_child (&f, "content_stack"));
  gtk_widget_activate_action (GTK_WIDGET (f.window), "space.show-files", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "files");
  view = FOYER_FILES_VIEW (files_ui_child (&f, "files_view"));
  model = _foyer_files_view_get_model (view);
  wait_shown (view, 4);
  g_assert_cmpstr (title_at (model, 0), ==, "Contract.pdf");
  g_assert_cmpstr (title_at (model, 3), ==, "Quarterly report.docx");
  g_assert_cmpstr (_foyer_files_view_get_page (view), ==, "list");
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-list");

  /* A kind; then a few letters, whatever their case. */
  _foyer_files_view_set_kind (view, KIND_SPREADSHEETS);
  wait_shown (view, 1);
  g_assert_cmpstr (title_at (model, 0), ==, "Budget 2027.xlsx");
  _foyer_files_view_set_kind (view, KIND_PDFS);
  wait_shown (view, 1);
  g_assert_cmpstr (title_at (model, 0), ==, "Contract.pdf");
  _foyer_files_view_set_kind (view, KIND_ALL);
  wait_shown (view, 4);
  _foyer_files_view_set_query (view, "ROAD");
  wait_shown (view, 1);
  g_assert_cmpstr (title_at (model, 0), ==, "Roadmap.pptx");
  _foyer_files_view_set_query (view, "nothing like it");
  wait_shown (view, 0);
  g_assert_cmpstr (_foyer_files_view_get_page (view), ==, "empty");
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-no-match");
  _foyer_files_view_set_query (view, "");
  wait_shown (view, 4);

  /* As a grid of thumbnails. */
  _foyer_files_view_set_grid (view, TRUE);
  g_assert_cmpstr (_foyer_files_view_get_page (view), ==, "grid");
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-grid");
  _foyer_files_view_set_grid (view, FALSE);

  /* Enter on one: the viewer, as from its tile. */
  _foyer_files_view_activate (view, 3);
  g_assert_true (foyer_ui_test_wait_until (document_shown, f.window, STEP_MS));
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-opened");
  g_signal_emit_by_name (foyer_ui_test_find (GTK_WIDGET (f.window), FOYER_TYPE_VIEWER), "close");
  g_assert_true (foyer_ui_test_wait_until (document_hidden, f.window, STEP_MS));

  /* Foyer's service gone: the Files of the space are still there, from
   * the sealed copy, and the view says older ones come later. */
  g_assert_true (foyer_test_service_stop (f.service));
  g_assert_true (foyer_ui_test_wait_until (offline, f.session, STEP_MS));
  other = files_ui_wait_space (f.session, foyer_space_item_get_id (f.space));
  foyer_window_open_space (f.window, NULL);
  foyer_window_open_space (f.window, other);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "space.show-files", NULL);
  wait_shown (view, 4);
  g_assert_cmpstr (title_at (model, 0), ==, "Contract.pdf");
  g_assert_true (foyer_ui_test_wait_until (settled, files_ui_child (&f, "main_stack"), STEP_MS));
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-offline");

  /* On a phone-sized window: the spaces fold away, the Files stay usable
   * and ask for no more than 360 px (the window as a whole may ask for more,
   * see docs/files.md). */
  gtk_window_set_default_size (GTK_WINDOW (f.window), 360, 720);
  g_assert_true (foyer_ui_test_wait_until ((gboolean (*) (gpointer)) adw_leaflet_get_folded,
                                           files_ui_child (&f, "leaflet"), STEP_MS));
  gtk_widget_measure (GTK_WIDGET (view), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL,
                      NULL);
  g_assert_cmpint (min_width, <=, 360);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (content), ==, "files");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  files_ui_screenshot (GTK_WIDGET (f.window), "files-view-narrow");

  g_assert_true (foyer_test_service_restart (f.service, &error));
  g_assert_no_error (error);
  files_ui_stop (&f);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  /* FOYER_TEST_FRENCH=1: the same, in French (screenshots to look at). */
  if (g_getenv ("FOYER_TEST_FRENCH") != NULL)
    {
      g_setenv ("LANG", "C.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "fr", TRUE);
      g_unsetenv ("LC_ALL");
      g_unsetenv ("LC_MESSAGES");
      foyer_i18n_init ();
    }
  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/files/view", test_files_view);

  return g_test_run ();
}
