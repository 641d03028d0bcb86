/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "picker-fake-graph.h"

#include <gtk/gtk.h>

typedef struct
{
  const char *parent;
  const char *id;
  const char *name;
  const char *mime; /* NULL: a folder */
  gint64 size;
  const char *modified;
} FakeItem;

static const FakeItem fake_items[] = {
  { "root", "docs", "Documents", NULL, 0, "2026-10-01T09:00:00Z" },
  { "root", "photos", "Photos", NULL, 0, "2026-09-01T09:00:00Z" },
  { "root", "big", "Many files", NULL, 0, "2026-09-02T09:00:00Z" },
  { "root", "denied", "Locked", NULL, 0, "2026-09-03T09:00:00Z" },
  { "root", "budget", "Budget.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 30000,
    "2026-11-02T09:00:00Z" },
  { "root", "plan", "Plan <b>2027</b>.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 2048,
    "2026-11-20T09:00:00Z" },
  { "root", "deck", "Deck.pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", 900000,
    "2026-08-01T09:00:00Z" },
  { "root", "report", "Report.pdf", "application/pdf", 120000, "2026-07-01T09:00:00Z" },
  { "root", "zebra", "Zebra.png", "image/png", 10, "2026-06-01T09:00:00Z" },
  { "docs", "letter", "Letter.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 4000,
    "2026-05-01T09:00:00Z" },
  { "docs", "notes", "Notes.txt", "text/plain", 12, "2026-05-02T09:00:00Z" },
  { "docs", "sub", "Archive", NULL, 0, "2026-05-03T09:00:00Z" },
  { "lib-root", "site-doc", "Team charter.docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 5000,
    "2026-04-01T09:00:00Z" },
};

static void
append_item (GString *json, const char *drive, const FakeItem *item, gboolean remote)
{
  guint children = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (fake_items); i++)
    children += g_strcmp0 (fake_items[i].parent, item->id) == 0;

  g_string_append_printf (json,
                          "{\"id\":\"%s\",\"name\":\"%s\",\"size\":%" G_GINT64_FORMAT ","
                          "\"webUrl\":\"https://contoso-my.sharepoint.com/%s\","
                          "\"lastModifiedDateTime\":\"%s\","
                          "\"lastModifiedBy\":{\"user\":{\"displayName\":\"Bob Example\","
                          "\"email\":\"bob@contoso.example\"}},"
                          "\"parentReference\":{\"driveId\":\"%s\",\"driveType\":\"business\","
                          "\"id\":\"%s\",\"path\":\"/drive/root:\"},",
                          item->id, item->name, item->size, item->id, item->modified, drive,
                          item->parent);
  if (remote)
    g_string_append_printf (json,
                            "\"remoteItem\":{\"id\":\"%s\",\"parentReference\":{\"driveId\":"
                            "\"bob-drive\"}},",
                            item->id);
  if (item->mime == NULL)
    g_string_append_printf (json, "\"folder\":{\"childCount\":%u}}", children);
  else
    g_string_append_printf (json, "\"file\":{\"mimeType\":\"%s\"}}", item->mime);
}

static char *
children_json (const char *parent, const char *drive)
{
  GString *json = g_string_new ("{\"value\":[");
  gboolean first = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (fake_items); i++)
    {
      if (g_strcmp0 (fake_items[i].parent, parent) != 0)
        continue;
      if (!first)
        g_string_append_c (json, ',');
      first = FALSE;
      append_item (json, drive, &fake_items[i], FALSE);
    }
  g_string_append (json, "]}");
  return g_string_free (json, FALSE);
}

/* 120 files, 50 a page. */
static char *
big_page_json (MockServer *mock, const char *path)
{
  const char *token = strstr (path, "skiptoken=");
  guint start = token != NULL ? (guint) g_ascii_strtoull (token + 10, NULL, 10) : 0;
  guint end = MIN (start + 50, 120);
  GString *json = g_string_new ("{\"value\":[");

  for (guint i = start; i < end; i++)
    {
      g_autofree char *id = g_strdup_printf ("gen%03u", i);
      g_autofree char *name = g_strdup_printf ("File %03u.txt", i);
      FakeItem item = { "big", id, name, "text/plain", i, "2026-01-01T00:00:00Z" };

      if (i > start)
        g_string_append_c (json, ',');
      append_item (json, "me-drive", &item, FALSE);
    }
  g_string_append (json, "]");
  if (end < 120)
    g_string_append_printf (json,
                            ",\"@odata.nextLink\":\"%s/me/drive/items/big/children?$skiptoken=%u\"",
                            mock->base_url, end);
  g_string_append (json, "}");
  return g_string_free (json, FALSE);
}

static const char recent_json[]
    = "{\"value\":[{\"id\":\"i1\",\"lastUsed\":{\"lastAccessedDateTime\":\"2026-11-27T09:00:00Z\","
      "\"lastModifiedDateTime\":\"2026-11-27T09:00:00Z\"},"
      "\"resourceVisualization\":{\"title\":\"Quarterly review.pptx\",\"type\":\"PowerPoint\","
      "\"mediaType\":\"application/"
      "vnd.openxmlformats-officedocument.presentationml.presentation\"},"
      "\"resourceReference\":{\"webUrl\":\"https://contoso-my.sharepoint.com/q\","
      "\"id\":\"drives/me-drive/items/qr\",\"type\":\"microsoft.graph.driveItem\"}},"
      "{\"id\":\"i2\",\"lastUsed\":{\"lastAccessedDateTime\":\"2026-11-26T09:00:00Z\","
      "\"lastModifiedDateTime\":\"2026-11-26T09:00:00Z\"},"
      "\"resourceVisualization\":{\"title\":\"Roadmap.xlsx\",\"type\":\"Excel\","
      "\"mediaType\":\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\"},"
      "\"resourceReference\":{\"webUrl\":\"https://contoso-my.sharepoint.com/r\","
      "\"id\":\"drives/me-drive/items/rm\",\"type\":\"microsoft.graph.driveItem\"}}]}";

static const char sites_json[]
    = "{\"value\":[{\"id\":\"contoso.example,site1,web1\",\"name\":\"team\",\"displayName\":"
      "\"Contoso Team\",\"webUrl\":\"https://contoso.sharepoint.com/sites/team\"}]}";

static const char drives_json[]
    = "{\"value\":[{\"id\":\"lib\",\"name\":\"Team Documents\",\"driveType\":\"documentLibrary\","
      "\"webUrl\":\"https://contoso.sharepoint.com/sites/team/Shared%20Documents\","
      "\"lastModifiedDateTime\":\"2026-10-01T09:00:00Z\"}]}";

static const char permissions_json[]
    = "{\"value\":[{\"id\":\"p1\",\"roles\":[\"owner\"],\"grantedToV2\":{\"user\":{"
      "\"displayName\":\"Alice <i>Example</i>\",\"email\":\"alice@contoso.example\"}}},"
      "{\"id\":\"p2\",\"roles\":[\"read\"],\"link\":{\"scope\":\"organization\",\"type\":"
      "\"view\",\"webUrl\":\"https://contoso-my.sharepoint.com/:w:/p2\"}},"
      "{\"id\":\"p3\",\"roles\":[\"write\"],\"grantedToV2\":{\"user\":{\"displayName\":"
      "\"Carol Example\",\"email\":\"carol@contoso.example\"}}}]}";

static GBytes *
png_bytes (void)
{
  static const guchar pixels[16] = { 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 9, 9, 9, 255 };
  g_autoptr (GBytes) data = g_bytes_new_static (pixels, sizeof pixels);
  g_autoptr (GdkTexture) texture = gdk_memory_texture_new (2, 2, GDK_MEMORY_R8G8B8A8, data, 8);

  return gdk_texture_save_to_png_bytes (texture);
}

static gboolean
apply_fault (FakeGraph *fake, SoupServerMessage *msg, const char *path)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, fake->faults);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_auto (GStrv) parts = NULL;

      if (!g_str_has_prefix (path, key))
        continue;
      parts = g_strsplit (value, ":", 3);
      if (g_str_equal (parts[0], "malformed"))
        {
          mock_json (msg, 200, "{\"value\": [{\"id\": \"01\", \"name\": ,,, }");
          return TRUE;
        }
      if (g_str_equal (parts[0], "403"))
        {
          mock_graph_error (msg, 403, "accessDenied", NULL, "req-403");
          return TRUE;
        }
      if (g_str_equal (parts[0], "429"))
        {
          int remaining = parts[2] != NULL ? atoi (parts[2]) : -1;

          if (remaining == 0)
            continue;
          mock_graph_error (msg, 429, "activityLimitReached", "throttledRequest", "req-429");
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", parts[1]);
          if (remaining > 0)
            g_hash_table_insert (fake->faults, g_strdup (key),
                                 g_strdup_printf ("429:%s:%d", parts[1], remaining - 1));
          return TRUE;
        }
    }
  return FALSE;
}

static guint
fake_responder (
    MockServer *mock, SoupServerMessage *msg, const char *full_path, guint i, gpointer data)
{
  FakeGraph *fake = data;
  g_autofree char *path = g_strdup (full_path);
  g_autofree char *json = NULL;
  char *query = strchr (path, '?');

  if (query != NULL)
    *query = '\0';
  /* Items name their drive, so the client asks for them by it. */
  if (g_str_has_prefix (path, "/v1.0/drives/me-drive/"))
    {
      char *rest = g_strconcat ("/v1.0/me/drive/", path + strlen ("/v1.0/drives/me-drive/"), NULL);

      g_free (path);
      path = rest;
    }
  if (apply_fault (fake, msg, full_path))
    return 0;

  if (g_str_equal (path, "/v1.0/me/drive/root/children"))
    json = children_json ("root", "me-drive");
  else if (g_str_equal (path, "/v1.0/me/drive/items/docs/children"))
    json = children_json ("docs", "me-drive");
  else if (g_str_equal (path, "/v1.0/me/drive/items/sub/children")
           || g_str_equal (path, "/v1.0/me/drive/items/photos/children"))
    json = children_json ("nothing", "me-drive");
  else if (g_str_equal (path, "/v1.0/me/drive/items/big/children"))
    json = big_page_json (mock, full_path);
  else if (g_str_equal (path, "/v1.0/me/drive/items/denied/children"))
    {
      mock_graph_error (msg, 403, "accessDenied", NULL, "req-denied");
      return 0;
    }
  else if (g_str_has_prefix (path, "/v1.0/me/drive/root/search("))
    {
      GString *s = g_string_new ("{\"value\":[");

      /* Only "plan" matches, anywhere in the drive. */
      if (strstr (path, "plan") != NULL)
        append_item (s, "me-drive", &fake_items[5], FALSE);
      g_string_append (s, "]}");
      json = g_string_free (s, FALSE);
    }
  else if (g_str_equal (path, "/v1.0/me/insights/used"))
    json = g_strdup (recent_json);
  else if (g_str_equal (path, "/v1.0/me/insights/shared"))
    {
      mock_graph_error (msg, 400, "invalidRequest", NULL, "req-insights");
      return 0;
    }
  else if (g_str_equal (path, "/v1.0/me/drive/sharedWithMe"))
    {
      GString *s = g_string_new ("{\"value\":[");

      append_item (s, "me-drive", &fake_items[9], TRUE);
      g_string_append (s, "]}");
      json = g_string_free (s, FALSE);
    }
  else if (g_str_equal (path, "/v1.0/me/followedSites"))
    json = g_strdup (sites_json);
  else if (g_str_has_prefix (path, "/v1.0/sites/") && g_str_has_suffix (path, "/drives"))
    json = g_strdup (drives_json);
  else if (g_str_equal (path, "/v1.0/drives/lib/root/children"))
    json = children_json ("lib-root", "lib");
  else if (g_str_has_suffix (path, "/permissions"))
    json = g_strdup (permissions_json);
  else if (g_str_has_suffix (path, "/thumbnails/0/small/content")
           || g_str_has_suffix (path, "/thumbnails/0/medium/content"))
    {
      if (strstr (path, "zebra") != NULL || strstr (path, "deck") != NULL)
        {
          g_autoptr (GBytes) png = png_bytes ();

          soup_server_message_set_status (msg, 200, NULL);
          soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_COPY,
                                            g_bytes_get_data (png, NULL), g_bytes_get_size (png));
          return fake->thumbnail_delay_ms;
        }
      mock_graph_error (msg, 404, "itemNotFound", NULL, "req-thumb");
      return 0;
    }
  else
    {
      mock_graph_error (msg, 404, "itemNotFound", NULL, "req-404");
      return 0;
    }

  mock_json (msg, 200, json);
  return 0;
}

FakeGraph *
fake_graph_new (void)
{
  FakeGraph *fake = g_new0 (FakeGraph, 1);

  fake->faults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fake->mock = mock_server_new (fake_responder, fake);
  return fake;
}

void
fake_graph_free (FakeGraph *fake)
{
  mock_server_free (fake->mock);
  g_hash_table_unref (fake->faults);
  g_free (fake);
}

void
fake_graph_set_fault (FakeGraph *fake, const char *path_prefix, const char *fault)
{
  if (fault == NULL)
    g_hash_table_remove (fake->faults, path_prefix);
  else
    g_hash_table_insert (fake->faults, g_strdup (path_prefix), g_strdup (fault));
}

guint
fake_graph_count (FakeGraph *fake, const char *path_prefix)
{
  return mock_server_count (fake->mock, path_prefix);
}

gint64
fake_graph_time (FakeGraph *fake, const char *path_prefix, guint nth)
{
  for (guint i = 0; i < fake->mock->log->len; i++)
    {
      MockRequest *request = g_ptr_array_index (fake->mock->log, i);

      if (g_str_has_prefix (request->path, path_prefix) && nth-- == 0)
        return request->time_us;
    }
  return -1;
}
