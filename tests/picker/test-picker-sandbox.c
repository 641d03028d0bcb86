/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The picker dialog against foyer-ms-sandbox, signed in as alice with a
 * minted token: browsing, sources, choosing with share options, and the
 * sandbox's faults (a 429 burst, malformed JSON) proven by its request log.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-authorizer.h"
#include "foyer-test-sandbox.h"
#include "foyer-ui-test.h"
#include "picker/foyer-picker-dialog.h"
#include "picker/foyer-picker-dialog-private.h"
#include "picker/foyer-picker-tile.h"
#include "picker/foyer-picker-tile-private.h"
#include "picker/foyer-share-options.h"

#include <locale.h>

static FoyerTestSandbox *sandbox;
static FoyerCloud *cloud;
static char *alice_token;

typedef struct
{
  FoyerGraphClient *graph;
  FoyerPickerDialog *dialog;
  guint shares;
  FoyerDriveItem *shared_item;
  FoyerLinkType shared_link_type;
  FoyerLinkAudience shared_audience;
} Fixture;

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

static void
open_dialog (Fixture *f)
{
  const FoyerLinkAudience audiences[]
      = { FOYER_LINK_AUDIENCE_ANYONE, FOYER_LINK_AUDIENCE_ORGANIZATION, FOYER_LINK_AUDIENCE_SPACE,
          FOYER_LINK_AUDIENCE_EXISTING, FOYER_LINK_AUDIENCE_NONE };
  const char *const members[] = { "alice@contoso.example", "bob@contoso.example", NULL };
  g_autoptr (FoyerPickerPolicy) policy = foyer_picker_policy_new (
      audiences, FOYER_LINK_AUDIENCE_SPACE, FOYER_LINK_TYPE_EDIT, members);

  f->dialog = foyer_picker_dialog_new (NULL, f->graph, policy);
  g_object_ref_sink (f->dialog);
  g_signal_connect (f->dialog, "share", G_CALLBACK (share_cb), f);
  gtk_window_present (GTK_WINDOW (f->dialog));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (FoyerStaticAuthorizer) authorizer = foyer_static_authorizer_new (alice_token);
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
  g_assert_no_error (error);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  g_assert_no_error (error);
  f->graph = foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (authorizer));
  if (data == NULL)
    open_dialog (f);
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
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
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
  g_assert_true (foyer_ui_test_wait_until (shows_items, f, 20000));
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
  return NULL;
}

static gboolean
has_item (Fixture *f, const char *name)
{
  return find_item (f, name) != NULL;
}

static char *
path_text (Fixture *f)
{
  g_auto (GStrv) path = _foyer_picker_dialog_dup_path (f->dialog);

  return g_strjoinv (" > ", path);
}

/* The log entries for a path, oldest first. */
static GPtrArray *
log_entries (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "path"), path) == 0)
        g_ptr_array_add (entries, json_object_ref (entry));
    }
  return entries;
}

static gboolean
owner_known (gpointer data)
{
  Fixture *f = data;
  const char *owner = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "owner_row")));

  return owner != NULL && g_strcmp0 (owner, "Looking…") != 0;
}

static void
test_browse_and_share (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  FoyerDriveItem *report;
  g_autofree char *png = NULL;

  wait_for_items (f);
  g_assert_true (has_item (f, "Documents"));
  g_assert_true (has_item (f, "Big folder"));
  g_assert_true (has_item (f, "Getting started.pdf"));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-sandbox-my-files"));

  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Documents"));
  wait_for_items (f);
  g_assert_cmpstr ((path = path_text (f)), ==, "My Files > Documents");
  report = find_item (f, "Quarterly report.docx");
  g_assert_nonnull (report);
  g_assert_true (has_item (f, "Budget 2027.xlsx"));

  /* Choose a file: its details, who has access, the policy's defaults. */
  foyer_picker_dialog_activate_item (f->dialog, report);
  g_assert_true (_foyer_picker_dialog_get_chosen (f->dialog) == report);
  g_assert_true (foyer_ui_test_wait_until (owner_known, f, 20000));
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (child (f, "space_check"))));
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (child (f, "edit_switch"))));
  g_assert_true (gtk_widget_get_visible (child (f, "anyone_row")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-sandbox-details");

  /* View only, for the organization. */
  gtk_switch_set_active (GTK_SWITCH (child (f, "edit_switch")), FALSE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (f, "organization_check")), TRUE);
  g_signal_emit_by_name (child (f, "share_button"), "clicked");
  g_assert_cmpuint (f->shares, ==, 1);
  g_assert_cmpstr (foyer_drive_item_get_id (f->shared_item), ==, foyer_drive_item_get_id (report));
  g_assert_cmpstr (foyer_drive_item_get_target_drive_id (f->shared_item), ==,
                   foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));
  g_assert_cmpint (f->shared_link_type, ==, FOYER_LINK_TYPE_VIEW);
  g_assert_cmpint (f->shared_audience, ==, FOYER_LINK_AUDIENCE_ORGANIZATION);

  /* The picker only reads: no createLink, no invite. */
  for (const char *const *suffix = (const char *const[]){ "/createLink", "/invite", NULL };
       *suffix != NULL; suffix++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

      for (guint i = 0; i < json_array_get_length (log); i++)
        {
          JsonObject *entry = json_array_get_object_element (log, i);

          g_assert_false (
              g_str_has_suffix (json_object_get_string_member (entry, "path"), *suffix));
          g_assert_cmpstr (json_object_get_string_member (entry, "method"), ==, "GET");
        }
    }

  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.up", NULL);
  wait_for_items (f);
  g_clear_pointer (&path, g_free);
  g_assert_cmpstr ((path = path_text (f)), ==, "My Files");
}

static gboolean
source_loaded (gpointer data)
{
  return shows_items (data) || shows_status (data);
}

static void
select_source (Fixture *f, const char *row)
{
  gtk_list_box_select_row (GTK_LIST_BOX (child (f, "sources_list")),
                           GTK_LIST_BOX_ROW (child (f, row)));
  g_assert_true (foyer_ui_test_wait_until (source_loaded, f, 20000));
}

static gboolean
log_has_prefix (const char *prefix)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member (entry, "path");

      if (g_str_has_prefix (path, prefix) && strstr (path, "/search(") != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
launch_found (gpointer data)
{
  return shows_items (data) && has_item (data, "Launch.pptx");
}

static gboolean
sites_searched (gpointer data)
{
  Fixture *f = data;
  g_autoptr (GPtrArray) searches = log_entries ("/v1.0/sites");
  g_autoptr (FoyerDriveItem) first = NULL;

  if (searches->len == 0 || !shows_items (f))
    return FALSE;
  first = g_list_model_get_item (_foyer_picker_dialog_get_model (f->dialog), 0);
  return foyer_drive_item_get_is_site (first);
}

static void
test_sources (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) used = NULL;
  g_autoptr (GPtrArray) deprecated = NULL;
  g_autoptr (GPtrArray) shared = NULL;

  wait_for_items (f);

  /* Recent and Shared come from the insights API (whose $select the
   * sandbox checks as Graph does), never from the deprecated lists. */
  select_source (f, "recent_row");
  wait_for_items (f);
  g_assert_true (has_item (f, "Quarterly report.docx"));
  used = log_entries ("/v1.0/me/insights/used");
  g_assert_cmpuint (used->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (used, 0), "status"), ==, 200);

  select_source (f, "shared_row");
  wait_for_items (f);
  g_assert_true (has_item (f, "Team plan.docx"));
  shared = log_entries ("/v1.0/me/insights/shared");
  g_assert_cmpuint (shared->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (shared, 0), "status"), ==, 200);
  deprecated = log_entries ("/v1.0/me/drive/sharedWithMe");
  g_assert_cmpuint (deprecated->len, ==, 0);
  g_assert_cmpuint (log_entries ("/v1.0/me/drive/recent")->len, ==, 0);

  /* SharePoint: a followed site, its libraries, a library's files. */
  select_source (f, "sharepoint_row");
  wait_for_items (f);
  g_assert_cmpuint (g_list_model_get_n_items (_foyer_picker_dialog_get_model (f->dialog)), >, 0);
  {
    g_autoptr (FoyerDriveItem) site
        = g_list_model_get_item (_foyer_picker_dialog_get_model (f->dialog), 0);

    g_assert_true (foyer_drive_item_get_is_site (site));
    foyer_picker_dialog_activate_item (f->dialog, site);
  }
  wait_for_items (f);
  {
    g_autoptr (FoyerDriveItem) library
        = g_list_model_get_item (_foyer_picker_dialog_get_model (f->dialog), 0);

    g_assert_true (foyer_drive_item_get_is_folder (library));
    foyer_picker_dialog_activate_item (f->dialog, library);
  }
  wait_for_items (f);
  g_assert_true (has_item (f, "Team handbook.docx"));
  g_assert_true (has_item (f, "Marketing"));
  g_assert_cmpint (_foyer_picker_dialog_get_source (f->dialog), ==, FOYER_PICKER_SOURCE_SHAREPOINT);

  /* Searching a library searches that drive, including its folders. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "launch");
  g_assert_true (foyer_ui_test_wait_until (launch_found, f, 20000));
  g_assert_false (has_item (f, "Team handbook.docx"));
  g_assert_true (log_has_prefix ("/v1.0/drives/"));

  /* At the top of SharePoint, the search finds sites. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "");
  g_signal_emit_by_name (gtk_widget_get_first_child (child (f, "breadcrumbs")), "clicked");
  g_assert_true (foyer_ui_test_wait_until (shows_items, f, 20000));
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "team");
  g_assert_true (foyer_ui_test_wait_until (sites_searched, f, 20000));
}

static void
control (const char *method, const char *path, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = foyer_test_sandbox_control (sandbox, method, path, json, &error);

  g_assert_no_error (error);
}

static const char *
status_title (Fixture *f)
{
  return adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page")));
}

/* Issue #16: an organization that turned item insights off (403
 * ItemInsightsDisabled). Recent falls back to the deprecated list, retired
 * by now: a clear empty state, not an error. Shared still lists what the
 * deprecated list has until it too is retired, then says so as well. */
static void
test_insights_turned_off (Fixture *f, gconstpointer data)
{
  g_autofree char *png = NULL;

  control ("POST", "/tenants/contoso.example", "{\"insightsDisabled\": true}");
  wait_for_items (f);
  select_source (f, "recent_row");
  g_assert_true (shows_status (f));
  g_assert_cmpstr (status_title (f), ==, "Recent Files Are Turned Off");
  g_assert_false (gtk_widget_get_visible (child (f, "retry_button")));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-sandbox-recent-off");

  select_source (f, "shared_row");
  wait_for_items (f);
  g_assert_true (has_item (f, "Team plan.docx"));

  control ("POST", "/deprecations", "{\"retired\": true}");
  select_source (f, "recent_row");
  select_source (f, "shared_row");
  g_assert_true (shows_status (f));
  g_assert_cmpstr (status_title (f), ==, "Shared Files Are Turned Off");

  control ("DELETE", "/deprecations", NULL);
  control ("POST", "/tenants/contoso.example", "{\"insightsDisabled\": false}");
}

static gboolean
location_known (gpointer data)
{
  Fixture *f = data;
  const char *where = adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "location_row")));

  return where != NULL && g_strcmp0 (where, "Looking…") != 0;
}

static gboolean
hit_found (gpointer data)
{
  gpointer *pair = data;

  /* The results, not the root's listing from before the search. */
  return shows_items (pair[0]) && has_item (pair[0], pair[1]) && !has_item (pair[0], "Big folder");
}

/* OneDrive for Business sends search hits without parentReference.path:
 * the details say where each lives all the same (its parent, looked up),
 * not the folder the search started from. */
static void
test_search_hit_location (Fixture *f, gconstpointer data)
{
  const char *const cases[][2] = { { "roadmap", "Roadmap.pptx" },
                                   { "beach", "Beach.jpg" },
                                   { "getting", "Getting started.pdf" } };
  /* Written as everywhere else in the picker (paths one way). */
  const char *const expected[]
      = { "My Files › Documents", "My Files › Documents › photos", "My Files" };

  wait_for_items (f);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gpointer pair[2] = { f, (gpointer) cases[i][1] };

      gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), cases[i][0]);
      g_assert_true (foyer_ui_test_wait_until (hit_found, pair, 20000));
      g_assert_null (foyer_drive_item_get_parent_path (find_item (f, cases[i][1])));
      foyer_picker_dialog_activate_item (f->dialog, find_item (f, cases[i][1]));
      g_assert_true (foyer_ui_test_wait_until (location_known, f, 20000));
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "location_row"))), ==,
                       expected[i]);
      if (i == 1)
        {
          foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
          g_free (
              foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-sandbox-search-location"));
        }
    }
}

static gboolean
search_found (gpointer data)
{
  Fixture *f = data;

  return shows_items (f) && has_item (f, "Project plan.docx");
}

static void
test_search_and_filter (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) searches = NULL;

  wait_for_items (f);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "plan");
  g_assert_true (foyer_ui_test_wait_until (search_found, f, 20000));
  g_assert_false (has_item (f, "Getting started.pdf"));

  /* Only spreadsheets (and folders): the plan is hidden. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "kind_dropdown")), 2);
  g_assert_false (has_item (f, "Project plan.docx"));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "kind_dropdown")), 1);
  g_assert_true (has_item (f, "Project plan.docx"));
}

static void
test_throttled_burst (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 previous = 0;

  /* Two 429s with Retry-After: 1, then the listing. */
  g_assert_cmpuint (foyer_test_sandbox_add_fault_json (
                        sandbox,
                        "{\"pattern\":\"/v1.0/me/drive/root/children\",\"status\":429,"
                        "\"retryAfter\":1,\"times\":2}",
                        &error),
                    >, 0);
  g_assert_no_error (error);
  open_dialog (f);
  g_assert_cmpstr (_foyer_picker_dialog_get_state (f->dialog), ==, "loading");
  wait_for_items (f);
  g_assert_true (has_item (f, "Documents"));

  /* The request log: 429, 429, 200, each retry at least Retry-After later. */
  entries = log_entries ("/v1.0/me/drive/root/children");
  g_assert_cmpuint (entries->len, ==, 3);
  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);
      gint64 timestamp = json_object_get_int_member (entry, "timestampMs");

      g_assert_cmpint (json_object_get_int_member (entry, "status"), ==, i < 2 ? 429 : 200);
      if (i > 0)
        g_assert_cmpint (timestamp - previous, >=, 1000);
      previous = timestamp;
    }
}

static gboolean
shows_busy (gpointer data)
{
  Fixture *f = data;

  return shows_status (f)
         && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page"))),
                       "Microsoft Is Busy")
                == 0;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Whether the wall clock (the sandbox's log's) has reached a time. */
static gboolean
real_time_reached (gpointer data)
{
  return g_get_real_time () / 1000 >= *(gint64 *) data;
}

static void
test_throttled_state (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  JsonObject *throttled;
  gint64 answered, retry_at;
  guint wake;

  /* Longer than the client waits: the throttled state, and no request
   * before the time Microsoft asked for, even when asked to try again. */
  foyer_graph_client_set_max_wait_ms (f->graph, 1000);
  g_assert_cmpuint (
      foyer_test_sandbox_add_fault (sandbox, "/v1.0/me/drive/root/children", 429, 3, &error), >, 0);
  g_assert_no_error (error);
  open_dialog (f);
  g_assert_true (foyer_ui_test_wait_until (shows_busy, f, 20000));
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));
  entries = log_entries ("/v1.0/me/drive/root/children");
  g_assert_cmpuint (entries->len, ==, 1);
  throttled = g_ptr_array_index (entries, 0);
  answered = json_object_get_int_member (throttled, "timestampMs")
             + json_object_get_int_member (throttled, "durationMs");
  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));

  /* Trying again at once: still busy, and nothing sent. */
  g_signal_emit_by_name (child (f, "retry_button"), "clicked");
  g_assert_true (foyer_ui_test_wait_until (shows_busy, f, 20000));
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = log_entries ("/v1.0/me/drive/root/children");
  g_assert_cmpuint (entries->len, ==, 1);

  /* Once the Retry-After has run out (by the sandbox's clock; the client
   * waits what is left of its own count), trying again loads the files. */
  retry_at = answered + 3000;
  wake = g_timeout_add (50, wake_cb, NULL);
  g_assert_true (foyer_ui_test_wait_until (real_time_reached, &retry_at, 20000));
  g_source_remove (wake);
  g_signal_emit_by_name (child (f, "retry_button"), "clicked");
  wait_for_items (f);
  g_assert_true (has_item (f, "Documents"));
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = log_entries ("/v1.0/me/drive/root/children");
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_cmpint (json_object_get_int_member (g_ptr_array_index (entries, 1), "timestampMs"), >=,
                   answered + 3000 - 1);
}

static gboolean
shows_unreadable (gpointer data)
{
  Fixture *f = data;

  return shows_status (f)
         && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (child (f, "status_page"))),
                       "Could Not Load Files")
                == 0;
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (foyer_test_sandbox_add_fault_json (
                        sandbox,
                        "{\"pattern\":\"/v1.0/me/drive/root/children\",\"body\":\"malformed\","
                        "\"times\":1}",
                        &error),
                    >, 0);
  g_assert_no_error (error);
  open_dialog (f);
  g_assert_true (foyer_ui_test_wait_until (shows_unreadable, f, 20000));
  g_assert_true (gtk_widget_get_visible (child (f, "retry_button")));

  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.retry", NULL);
  wait_for_items (f);
  g_assert_true (has_item (f, "Documents"));
}

/* A French number format for this process, compiled from the system's
 * locale sources into the test's folder (CI has none generated). */
static gboolean
use_french_numbers (void)
{
  g_autofree char *dir = g_build_filename (
      g_getenv ("FOYER_TEST_WORKDIR") != NULL ? g_getenv ("FOYER_TEST_WORKDIR") : g_get_tmp_dir (),
      "locale", NULL);
  g_autofree char *target = g_build_filename (dir, "fr_FR.UTF-8", NULL);
  const char *argv[] = { "localedef", "-i", "fr_FR", "-f", "UTF-8", target, NULL };
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;

  g_mkdir_with_parents (dir, 0700);
  process = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  /* localedef warns (and exits 1) about some categories, yet writes them. */
  if (process == NULL || !g_subprocess_wait (process, NULL, &error)
      || !g_file_test (target, G_FILE_TEST_IS_DIR))
    return FALSE;
  g_setenv ("LOCPATH", dir, TRUE);
  return setlocale (LC_NUMERIC, "fr_FR.UTF-8") != NULL;
}

static gboolean
is_narrow (gpointer data)
{
  Fixture *f = data;

  return adw_leaflet_get_folded (ADW_LEAFLET (child (f, "leaflet")))
         && !adw_leaflet_get_child_transition_running (ADW_LEAFLET (child (f, "leaflet")))
         && !gtk_widget_get_visible (child (f, "grid_button"));
}

static const char *
detail_of (Fixture *f, const char *name)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (GTK_WIDGET (f->dialog), FOYER_TYPE_PICKER_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerPickerTile *tile = g_ptr_array_index (tiles, i);
      FoyerDriveItem *item = _foyer_picker_tile_get_item (tile);

      if (item != NULL && g_str_equal (foyer_drive_item_get_name (item), name))
        return gtk_label_get_text (GTK_LABEL (
            foyer_ui_test_child (GTK_WIDGET (tile), FOYER_TYPE_PICKER_TILE, "detail_label")));
    }
  return NULL;
}

static char *
crumbs_text (Fixture *f)
{
  GString *text = g_string_new (NULL);
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  foyer_ui_test_collect (child (f, "breadcrumbs"), GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            gtk_label_get_text (g_ptr_array_index (labels, i)));
  return g_string_free (text, FALSE);
}

typedef struct
{
  Fixture *f;
  const char *text;
} CrumbWait;

static gboolean
crumbs_are (gpointer data)
{
  CrumbWait *w = data;
  g_autofree char *text = crumbs_text (w->f);

  return g_strcmp0 (text, w->text) == 0;
}

/* The hit is listed, and its line never puts it in the folder searched
 * from. Graph sends OneDrive for Business hits without their parent's
 * path, as the sandbox does: the line then says no place at all, and the
 * details look it up; a hit with a path says it first. */
static gboolean
results_have_locations (gpointer data)
{
  Fixture *f = data;
  const char *detail = detail_of (f, "Quarterly report.docx");
  FoyerDriveItem *item;

  if (!shows_items (f) || detail == NULL || !has_item (f, "Quarterly report.docx"))
    return FALSE;
  g_assert_false (g_str_has_prefix (detail, "My Files › Projects"));
  item = find_item (f, "Quarterly report.docx");
  return foyer_drive_item_get_parent_path (item) == NULL
         || g_str_has_prefix (detail, "My Files › Documents · ");
}

static gboolean
details_thumbnail_shown (gpointer data)
{
  Fixture *f = data;

  return gtk_image_get_storage_type (GTK_IMAGE (child (f, "details_icon"))) == GTK_IMAGE_PAINTABLE;
}

static gint64
modified_of (FoyerDriveItem *item)
{
  GDateTime *when = foyer_drive_item_get_modified (item);

  return when != NULL ? g_date_time_to_unix (when) : 0;
}

/* Where things are (issue #15, item 13): folder sizes with the locale's
 * thousands separator; search results under "Results for", each saying
 * where it lives, in the same words as the details and the breadcrumbs;
 * breadcrumbs shortened, never cut mid-word, at 360 px; Recent newest
 * first. */
static void
test_where_things_are (Fixture *f, gconstpointer data)
{
  struct lconv *conv;
  g_autofree char *big = NULL;
  CrumbWait crumbs = { f, NULL };
  GtkWidget *scroller;

  wait_for_items (f);
  g_assert_true (use_french_numbers ());
  conv = localeconv ();
  g_assert_cmpstr (conv->thousands_sep, !=, "");
  /* Shown again, with the French digits. */
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.grid-view", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->dialog), "picker.grid-view", NULL);
  select_source (f, "recent_row");
  select_source (f, "my_files_row");
  big = g_strdup_printf ("100%s000 items", conv->thousands_sep);
  g_assert_true (g_str_has_suffix (detail_of (f, "Big folder"), big));
  setlocale (LC_NUMERIC, "C");

  /* A search covers the whole drive: its results are not "in" the folder
   * shown, and each says where it is. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Projects"));
  wait_for_items (f);
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "report");
  g_assert_true (foyer_ui_test_wait_until (results_have_locations, f, 20000));
  crumbs.text = "My Files › Results for “report”";
  g_assert_true (foyer_ui_test_wait_until (crumbs_are, &crumbs, 10000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-search-locations"));
  /* The details say it the same way. */
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Quarterly report.docx"));
  g_assert_true (foyer_ui_test_wait_until (location_known, f, 20000));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (f, "location_row"))), ==,
                   "My Files › Documents");
  /* …and show the file's own thumbnail, not its kind's icon. */
  g_assert_true (foyer_ui_test_wait_until (details_thumbnail_shown, f, 20000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-details-thumbnail"));
  /* The search's own crumb leads back to the drive. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "search_entry")), "");
  wait_for_items (f);
  crumbs.text = "My Files › Projects";
  g_assert_true (foyer_ui_test_wait_until (crumbs_are, &crumbs, 10000));

  /* Narrow, deep in SharePoint: names are shortened with an ellipsis,
   * nothing scrolls out of sight in the middle of a word. */
  select_source (f, "sharepoint_row");
  wait_for_items (f);
  for (guint depth = 0; depth < 2; depth++)
    {
      g_autoptr (FoyerDriveItem) first
          = g_list_model_get_item (_foyer_picker_dialog_get_model (f->dialog), 0);

      foyer_picker_dialog_activate_item (f->dialog, first);
      wait_for_items (f);
    }
  foyer_picker_dialog_activate_item (f->dialog, find_item (f, "Marketing"));
  wait_for_items (f);
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), 360, 600);
  g_assert_true (foyer_ui_test_wait_until (is_narrow, f, 10000));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->dialog));
  scroller = child (f, "breadcrumbs_scroller");
  g_assert_cmpfloat (gtk_adjustment_get_value (
                         gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller))),
                     ==, 0);
  g_assert_cmpint (gtk_widget_get_width (child (f, "breadcrumbs")), <=,
                   gtk_widget_get_width (scroller));
  /* Where the person is, whole. */
  crumbs.text = "Marketing";
  g_assert_true (foyer_ui_test_wait_until (crumbs_are, &crumbs, 10000));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (f->dialog), "picker-narrow-breadcrumbs"));
  gtk_window_set_default_size (GTK_WINDOW (f->dialog), 900, 640);

  /* Recent: newest first. */
  select_source (f, "recent_row");
  wait_for_items (f);
  {
    GListModel *model = _foyer_picker_dialog_get_model (f->dialog);
    gint64 previous = G_MAXINT64;

    g_assert_cmpuint (g_list_model_get_n_items (model), >, 1);
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr (FoyerDriveItem) item = g_list_model_get_item (model, i);

        if (foyer_drive_item_get_is_folder (item))
          continue;
        g_assert_cmpint (modified_of (item), <=, previous);
        previous = modified_of (item);
      }
  }
}

int
main (int argc, char **argv)
{
  const char *now_args[] = { "--now", "2026-12-01", NULL };
  g_autoptr (GError) error = NULL;
  int status;

  foyer_ui_test_init (&argc, &argv);

  /* After Recent's deprecated list retired, before Shared's. */
  sandbox = foyer_test_sandbox_start (now_args, &error);
  g_assert_no_error (error);
  cloud = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);
  g_assert_no_error (error);
  alice_token = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/picker-sandbox/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("browse-and-share", test_browse_and_share, NULL);
  ADD ("sources", test_sources, NULL);
  ADD ("search-and-filter", test_search_and_filter, NULL);
  ADD ("where-things-are", test_where_things_are, NULL);
  ADD ("insights-turned-off", test_insights_turned_off, NULL);
  ADD ("search-hit-location", test_search_hit_location, NULL);
  ADD ("throttled-burst", test_throttled_burst, "later");
  ADD ("throttled-state", test_throttled_state, "later");
  ADD ("malformed", test_malformed, "later");
#undef ADD

  status = g_test_run ();
  g_free (alice_token);
  g_clear_object (&cloud);
  foyer_test_sandbox_unref (sandbox);
  return status;
}
