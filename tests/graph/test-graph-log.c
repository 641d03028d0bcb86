/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Graph client's debug log names the path's template, never the ids,
 * search terms or paging tokens of a request: a log attached to a bug
 * report must not tell what someone has or looks for.
 */
#include "config.h"

#include <string.h>

#include "foyer-core.h"
#include "foyer-graph-client.h"
#include "foyer-graph-log.h"
#include "graph-mock-server.h"

static GString *logged;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0)
      g_string_append_printf (logged, "%s\n", (const char *) fields[i].value);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

static void
test_templates (void)
{
  static const struct
  {
    const char *url;
    const char *template;
  } cases[] = {
    { "https://graph.microsoft.com/v1.0/drives/b!SecretDrive/items/01SECRETITEM/children"
      "?$select=id,name&$skiptoken=SECRETTOKEN",
      "/v1.0/drives/{id}/items/{id}/children" },
    { "/me/drive/root/search(q='salaries 2026')", "/me/drive/root/search(…)" },
    { "/shares/u!aHR0cHM6Ly9jb250b3Nv/driveItem/thumbnails/0/large/content",
      "/shares/{id}/driveItem/thumbnails/0/large/content" },
    { "/me/drive/items/01SECRET/createLink", "/me/drive/items/{id}/createLink" },
    { "/sites?search=Legal%20Team", "/sites" },
    { "/me/drive/root:/Secret%20plans.docx:/content", "/me/drive/{id}/{id}/content" },
    { NULL, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *template = foyer_graph_path_template (cases[i].url);

      g_assert_cmpstr (template, ==, cases[i].template);
    }
}

static guint
throttle_once (MockServer *mock, SoupServerMessage *msg, const char *path, guint i, gpointer d)
{
  if (i == 0)
    mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "rid-1");
  else
    mock_json (msg, 200, "{\"value\":[]}");
  return 0;
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (JsonNode) node
      = foyer_graph_client_request_finish (FOYER_GRAPH_CLIENT (source), result, NULL);

  *(gboolean *) user_data = TRUE;
}

static void
test_retry_logged_without_ids (void)
{
  g_autoptr (MockServer) mock = mock_server_new (throttle_once, NULL);
  g_autoptr (FoyerStaticAuthorizer) auth = foyer_static_authorizer_new ("token-1");
  g_autoptr (FoyerGraphClient) client
      = mock_graph_client_new (mock->base_url, FOYER_AUTHORIZER (auth));
  gboolean done = FALSE;

  foyer_graph_client_set_base_delay_ms (client, 10);
  g_string_truncate (logged, 0);
  foyer_graph_client_request_async (
      client, "GET", "/drives/b!SecretDrive/items/01SECRETITEM/children?$skiptoken=SECRETTOKEN",
      NULL, NULL, done_cb, &done);
  mock_wait_for (&done, 30000);
  g_assert_cmpuint (mock->log->len, ==, 2);

  g_assert_nonnull (strstr (logged->str, "retrying GET /v1.0/drives/{id}/items/{id}/children"));
  g_assert_null (strstr (logged->str, "SecretDrive"));
  g_assert_null (strstr (logged->str, "01SECRETITEM"));
  g_assert_null (strstr (logged->str, "SECRETTOKEN"));
}

int
main (int argc, char **argv)
{
  logged = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/graph/log/templates", test_templates);
  g_test_add_func ("/graph/log/retry-logged-without-ids", test_retry_logged_without_ids);
  return g_test_run ();
}
