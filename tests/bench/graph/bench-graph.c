/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Graph benchmarks: parse time and memory per thousand drive items, and the
 * throughput of FoyerDriveItemList paging against the in-test server.
 * Prints its figures as TAP comments.
 */
#include "config.h"

#include <malloc.h>
#include <string.h>

#include "foyer-drive-item-list.h"
#include "foyer-drive-item.h"
#include "foyer-graph-client.h"
#include "graph-mock-server.h"

#define PAGE_SIZE 200
#define N_PAGES   50

static char *
make_page (guint first, guint count, const char *next_link)
{
  GString *json = g_string_new ("{\"@odata.context\":\"x\",\"value\":[");

  for (guint i = 0; i < count; i++)
    {
      guint n = first + i;

      g_string_append_printf (
          json,
          "%s{\"id\":\"01BYE5RZ%08uQN3ZWBTUFOFD3GSPGOH\",\"name\":\"Document %u.docx\","
          "\"size\":%u,\"webUrl\":\"https://contoso-my.sharepoint.com/personal/alice/Documents/"
          "Document%%20%u.docx\",\"createdDateTime\":\"2026-10-01T08:00:00Z\","
          "\"lastModifiedDateTime\":\"2026-11-20T15:31:02Z\",\"lastModifiedBy\":{\"user\":{"
          "\"displayName\":\"Alice Martin\",\"email\":\"alice@contoso.com\"}},"
          "\"parentReference\":{\"driveId\":\"b!drive\",\"driveType\":\"business\",\"id\":\"P\","
          "\"path\":\"/drive/root:/Big%%20Folder\"},\"file\":{\"mimeType\":\"application/"
          "vnd.openxmlformats-officedocument.wordprocessingml.document\"}}",
          i == 0 ? "" : ",", n, n, 1000 + n, n);
    }
  g_string_append (json, "]");
  if (next_link != NULL)
    g_string_append_printf (json, ",\"@odata.nextLink\":\"%s\"", next_link);
  g_string_append (json, "}");
  return g_string_free (json, FALSE);
}

static void
bench_parse (void)
{
  g_autofree char *json = make_page (0, 1000, NULL);
  const guint rounds = 30;
  gint64 start, elapsed;
  struct mallinfo2 before, after;

  start = g_get_monotonic_time ();
  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr (JsonParser) parser = json_parser_new_immutable ();
      g_autoptr (GPtrArray) items = NULL;

      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      items = foyer_drive_item_parse_collection (json_parser_get_root (parser), NULL, NULL);
      g_assert_cmpuint (items->len, ==, 1000);
    }
  elapsed = g_get_monotonic_time () - start;

  /* Memory the items keep once the JSON tree is gone. */
  {
    g_autoptr (GPtrArray) kept = NULL;

    before = mallinfo2 ();
    {
      g_autoptr (JsonParser) parser = json_parser_new_immutable ();

      g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
      kept = foyer_drive_item_parse_collection (json_parser_get_root (parser), NULL, NULL);
    }
    after = mallinfo2 ();
    g_assert_cmpuint (kept->len, ==, 1000);
    g_print ("# graph-parse: %.2f ms per 1000 drive items (%zu bytes of JSON)\n",
             (double) elapsed / rounds / 1000.0, strlen (json));
    g_print ("# graph-parse: %.1f KiB kept per 1000 drive items (%.0f bytes each)\n",
             (double) (after.uordblks - before.uordblks) / 1024.0,
             (double) (after.uordblks - before.uordblks) / 1000.0);
  }
}

static guint
page_responder (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  const char *skip = strstr (path, "skiptoken=");
  guint page = skip != NULL ? (guint) atoi (skip + strlen ("skiptoken=")) : 0;
  g_autofree char *next = NULL;
  g_autofree char *json = NULL;

  if (page + 1 < N_PAGES)
    next = g_strdup_printf ("%s/me/drive/items/big/children?$skiptoken=%u", mock->base_url,
                            page + 1);
  json = make_page (page * PAGE_SIZE, PAGE_SIZE, next);
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&json), strlen (json));
  return 0;
}

static void
loading_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  FoyerDriveItemList *list = FOYER_DRIVE_ITEM_LIST (object);

  /* Acts like a view scrolled to the end: asks for more at once. */
  if (!foyer_drive_item_list_get_loading (list))
    {
      if (foyer_drive_item_list_get_has_more (list))
        foyer_drive_item_list_load_more (list);
      else
        *(gboolean *) user_data = TRUE;
    }
}

static void
bench_paging (void)
{
  g_autoptr (MockServer) mock = mock_server_new (page_responder, NULL);
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("tok");
  g_autoptr (FoyerGraphClient) client
      = mock_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));
  g_autoptr (FoyerDriveItemList) list = NULL;
  gboolean finished = FALSE;
  gint64 start, first_page = 0, elapsed;

  start = g_get_monotonic_time ();
  list = foyer_drive_item_list_new_children (client, NULL, "big");
  g_signal_connect (list, "notify::loading", G_CALLBACK (loading_cb), &finished);
  while (!finished)
    {
      g_main_context_iteration (NULL, TRUE);
      if (first_page == 0 && foyer_drive_item_list_get_pages_loaded (list) > 0)
        first_page = g_get_monotonic_time () - start;
    }
  elapsed = g_get_monotonic_time () - start;

  g_assert_null (foyer_drive_item_list_get_error (list));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, PAGE_SIZE * N_PAGES);
  g_print ("# graph-paging: first page of %u items after %.1f ms\n", PAGE_SIZE,
           first_page / 1000.0);
  g_print ("# graph-paging: %u pages, %u items in %.0f ms: %.0f items/s, %.1f ms per page\n",
           N_PAGES, PAGE_SIZE * N_PAGES, elapsed / 1000.0,
           (double) PAGE_SIZE * N_PAGES / ((double) elapsed / G_USEC_PER_SEC),
           elapsed / 1000.0 / N_PAGES);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench/graph/parse", bench_parse);
  g_test_add_func ("/bench/graph/paging", bench_paging);
  return g_test_run ();
}
