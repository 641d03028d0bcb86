/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Many document tiles asking for their thumbnails at once while
 * foyer-ms-sandbox answers slowly and throttles them (429 with
 * Retry-After): every tile gets its image, and the sandbox's request log
 * shows that no throttled request was sent again before its Retry-After.
 * A Retry-After longer than the Graph client waits holds every thumbnail
 * request until it has passed, through tiles bound again and a new
 * policy (which every reconnection to Foyer's service brings).
 */
#include "config.h"

#include "foyer-document-tile-private.h"
#include "foyer-graph-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-thumbnail-loader.h"
#include "foyer-test-tiles.h"
#include "foyer-ui-test.h"

#define N_TILES     40
#define N_THROTTLED 20

static FoyerApplication *app;

static gboolean
all_thumbnails (gpointer data)
{
  return foyer_test_tiles_count_thumbnails (data) == N_TILES;
}

static gboolean
all_thumbnails_of (gpointer data)
{
  GPtrArray *tiles = data;

  return foyer_test_tiles_count_thumbnails (tiles) == tiles->len;
}

static gint
by_time (gconstpointer a, gconstpointer b)
{
  gint64 ta = json_object_get_int_member (*(JsonObject **) a, "timestampMs");
  gint64 tb = json_object_get_int_member (*(JsonObject **) b, "timestampMs");

  return ta < tb ? -1 : ta > tb;
}

static void
test_throttled_burst (void)
{
  const char *const args[] = { "--latency-ms", "100", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_tiles_connect (app, args, NULL);
  g_autoptr (GPtrArray) refs = foyer_test_tiles_make_refs (app, N_TILES);
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  g_autoptr (JsonArray) log = NULL;
  g_autoptr (GHashTable) by_path
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer value;
  GtkWindow *window;
  guint throttled = 0;
  guint retried = 0;

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  g_assert_true (foyer_test_sandbox_add_fault_json (
      sandbox,
      "{\"pattern\":\"/v1.0/shares/*\",\"status\":429,\"retryAfter\":1,\"times\":" G_STRINGIFY (
          N_THROTTLED) "}",
      &error));
  g_assert_no_error (error);

  window = foyer_test_tiles_show (app, refs, tiles);
  if (!foyer_ui_test_wait_until (all_thumbnails, tiles, 60000))
    {
      for (guint i = 0; i < tiles->len; i++)
        if (!_foyer_document_tile_has_thumbnail (g_ptr_array_index (tiles, i)))
          g_test_message ("No thumbnail: %s (%s)",
                          _foyer_document_tile_get_title (g_ptr_array_index (tiles, i)),
                          _foyer_document_tile_get_status (g_ptr_array_index (tiles, i)));
      log = foyer_test_sandbox_get_request_log (sandbox, &error);
      for (guint i = 0; log != NULL && i < json_array_get_length (log) && i < 30; i++)
        {
          JsonObject *entry = json_array_get_object_element (log, i);

          g_test_message ("%s %s %s %" G_GINT64_FORMAT,
                          json_object_get_string_member_with_default (entry, "host", ""),
                          json_object_get_string_member_with_default (entry, "method", ""),
                          json_object_get_string_member_with_default (entry, "path", ""),
                          json_object_get_int_member (entry, "status"));
        }
      g_assert_not_reached ();
    }
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "share-tiles-throttled"));
  for (guint i = 0; i < tiles->len; i++)
    g_assert_null (_foyer_document_tile_get_status (g_ptr_array_index (tiles, i)));

  /* Each thumbnail's requests, in the order they arrived. */
  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member_with_default (entry, "path", "");
      GPtrArray *list;

      if (!g_str_has_prefix (path, "/v1.0/shares/"))
        continue;
      list = g_hash_table_lookup (by_path, path);
      if (list == NULL)
        g_hash_table_insert (by_path, (gpointer) path, list = g_ptr_array_new ());
      g_ptr_array_add (list, entry);
    }
  g_assert_cmpuint (g_hash_table_size (by_path), ==, N_TILES);

  g_hash_table_iter_init (&iter, by_path);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;

      g_ptr_array_sort (list, by_time);
      for (guint i = 0; i < list->len; i++)
        {
          JsonObject *entry = g_ptr_array_index (list, i);
          gint64 status = json_object_get_int_member (entry, "status");
          gint64 arrived = json_object_get_int_member (entry, "timestampMs");
          gint64 answered = arrived + json_object_get_int_member (entry, "durationMs");
          JsonObject *next;

          if (status != 429)
            {
              /* The image came: nothing after it for this thumbnail. */
              g_assert_cmpint (status, ==, 302);
              g_assert_cmpuint (i, ==, list->len - 1);
              continue;
            }
          throttled++;
          g_assert_cmpuint (i + 1, <, list->len);
          next = g_ptr_array_index (list, i + 1);
          retried++;
          /* Retry-After: 1 counts from the reply (1 ms of rounding allowed). */
          g_assert_cmpint (json_object_get_int_member (next, "timestampMs"), >=,
                           answered + 1000 - 1);
        }
    }
  g_assert_cmpuint (throttled, ==, N_THROTTLED);
  g_assert_cmpuint (retried, ==, N_THROTTLED);

  gtk_window_destroy (window);
  foyer_microsoft_account_disconnect (foyer_application_get_microsoft_account (app));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

static gboolean
throttled_seen (gpointer data)
{
  return foyer_thumbnail_loader_get_held_until (foyer_microsoft_account_get_thumbnails (data)) > 0;
}

static gboolean
is_connected (gpointer data)
{
  return foyer_microsoft_account_get_state (data) == FOYER_MICROSOFT_CONNECTED;
}

static void
rebind (GPtrArray *tiles)
{
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerDocumentTile *tile = g_ptr_array_index (tiles, i);
      g_autoptr (FoyerDocumentItem) document
          = g_object_ref (foyer_document_tile_get_document (tile));

      foyer_document_tile_set_document (tile, NULL);
      foyer_document_tile_set_document (tile, document);
    }
}

static void
test_rebind_after_retry_after (void)
{
  const char *const args[] = { "--latency-ms", "20", NULL };
  FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = foyer_test_tiles_connect (app, args, NULL);
  g_autoptr (GPtrArray) refs = foyer_test_tiles_make_refs (app, 6);
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();
  g_autoptr (JsonArray) log = NULL;
  g_autoptr (FoyerOrgPolicy) policy = g_object_ref (foyer_microsoft_account_get_policy (account));
  gint64 throttled_answered = 0;
  guint throttled = 0, after = 0;
  GtkWindow *window;

  /* Longer than the client waits: it gives up at once and says so. One
   * fetch at a time, so that every later request is sent after the 429
   * came back (the others would be on their way, not early). */
  foyer_graph_client_set_max_wait_ms (foyer_microsoft_account_get_graph (account), 1000);
  foyer_thumbnail_loader_set_max_concurrent (foyer_microsoft_account_get_thumbnails (account), 1);
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  g_assert_true (foyer_test_sandbox_add_fault_json (
      sandbox, "{\"pattern\":\"/v1.0/shares/*\",\"status\":429,\"retryAfter\":3,\"times\":1}",
      &error));
  g_assert_no_error (error);

  window = foyer_test_tiles_show (app, refs, tiles);
  g_assert_true (foyer_ui_test_wait_until (throttled_seen, account, 20000));
  /* Bound again, as scrolling does: nothing goes out early. */
  rebind (tiles);
  /* Reconnected: a new policy, a new Graph client and loader, which keep
   * Microsoft's time; the tiles ask again once the account is back. */
  foyer_microsoft_account_set_policy (account, policy, NULL);
  g_assert_true (foyer_ui_test_wait_until (is_connected, account, 20000));
  g_assert_cmpint (
      foyer_thumbnail_loader_get_held_until (foyer_microsoft_account_get_thumbnails (account)), >,
      0);
  rebind (tiles);
  g_assert_true (foyer_ui_test_wait_until (all_thumbnails_of, tiles, 30000));

  log = foyer_test_sandbox_get_request_log (sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      if (json_object_get_int_member (entry, "status") == 429)
        {
          throttled++;
          throttled_answered = json_object_get_int_member (entry, "timestampMs")
                               + json_object_get_int_member (entry, "durationMs");
        }
    }
  g_assert_cmpuint (throttled, ==, 1);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member_with_default (entry, "path", "");
      gint64 arrived = json_object_get_int_member (entry, "timestampMs");

      if (!g_str_has_prefix (path, "/v1.0/shares/")
          || json_object_get_int_member (entry, "status") == 429)
        continue;
      /* Not before its Retry-After (1 ms of rounding allowed). */
      g_assert_cmpint (arrived, >=, throttled_answered + 3000 - 1);
      after++;
    }
  g_assert_cmpuint (after, >, 0);

  gtk_window_destroy (window);
  foyer_microsoft_account_disconnect (account);
  g_assert_true (foyer_test_sandbox_stop (sandbox));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/share/tiles/throttled-burst", test_throttled_burst);
  g_test_add_func ("/share/tiles/rebind-after-retry-after", test_rebind_after_retry_after);

  return g_test_run ();
}
