/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Helpers for tests that drive the real app window under Xvfb.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void foyer_ui_test_init (int *argc, char ***argv);
gboolean
foyer_ui_test_wait_until (gboolean (*predicate) (gpointer data), gpointer data, guint timeout_ms);
void foyer_ui_test_wait_for_draw (GtkWidget *widget);
GdkTexture *foyer_ui_test_snapshot (GtkWidget *widget);
char *foyer_ui_test_save_png (GtkWidget *widget, const char *name);
char *foyer_ui_test_save_web_png (gpointer web_view, const char *name);
GtkWidget *foyer_ui_test_child (GtkWidget *widget, GType template_type, const char *name);
/* Every descendant of widget of that type (not looking inside them), in
 * tree order; the first one (widget itself if it is one), or NULL. */
void foyer_ui_test_collect (GtkWidget *widget, GType type, GPtrArray *found);
gpointer foyer_ui_test_find (GtkWidget *widget, GType type);
/* The first toplevel window of that type, or NULL. */
gpointer foyer_ui_test_find_toplevel (GType type);
/* Whether the WebKitWebView's page, done loading, has an element matching
 * the CSS selector (no single quotes in it). */
gboolean foyer_ui_test_web_has_element (gpointer web_view, const char *selector);
/* Whether the FoyerMicrosoftAccount reached state (a FoyerMicrosoftState)
 * within timeout_ms. */
gboolean foyer_ui_test_wait_account_state (gpointer account, int state, guint timeout_ms);
gboolean foyer_ui_test_is_drawn (GtkWidget *widget);
void foyer_ui_test_xdotool (const char *arguments);
/* Gives window the X server's input focus (there is no window manager to
 * do it when a dialog closes) and waits until GTK knows it is active. */
void foyer_ui_test_focus_window (GtkWindow *window);
/* Clicks the middle of widget (in a GtkWindow) through the X server. */
void foyer_ui_test_click (GtkWidget *widget);
/* Makes a script the web browser; returns the file it writes each address
 * it opens to (one a line), or NULL outside tests/headless-run. */
char *foyer_ui_test_fake_browser (void);

/* The item of that name in a FoyerPickerDialog's current list (the
 * dialog's model keeps it), or NULL. */
gpointer foyer_ui_test_picker_item (gpointer picker, const char *name);
/* Whether the picker showed its list or grid with an item of that name
 * within timeout_ms. */
gboolean foyer_ui_test_wait_picker_item (gpointer picker, const char *name, guint timeout_ms);
/* Whether the picker's details named the chosen item's owner within
 * timeout_ms. */
gboolean foyer_ui_test_wait_picker_owner (gpointer picker, guint timeout_ms);

/* A stand-in desktop notification server on the test's session bus; it
 * records the summary and body of every notification it is sent. */
GPtrArray *foyer_ui_test_notifications (void);

G_END_DECLS
