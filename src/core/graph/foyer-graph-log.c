/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-log.h"

#include <string.h>

/* The words of the Graph paths Foyer calls (docs/graph.md); any other
 * segment is an id, a name or a token. */
static const char *const words[] = {
  "v1.0",         "beta",          "me",
  "drive",        "drives",        "items",
  "root",         "children",      "thumbnails",
  "content",      "createLink",    "preview",
  "permissions",  "invite",        "shares",
  "driveItem",    "sites",         "recent",
  "sharedWithMe", "followedSites", "createUploadSession",
  "small",        "medium",        "large",
  "users",        "organization",  "delta",
  "list",         "listItem",      NULL,
};

static void
append_segment (GString *out, const char *segment)
{
  const char *paren = strchr (segment, '(');

  g_string_append_c (out, '/');
  if (g_strv_contains (words, segment)
      || (strlen (segment) <= 3 && strspn (segment, "0123456789") == strlen (segment)))
    g_string_append (out, segment);
  /* search(q='…'): the function, not what was searched. */
  else if (paren != NULL && paren > segment
           && strspn (segment, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                  == (gsize) (paren - segment))
    g_string_append_printf (out, "%.*s(…)", (int) (paren - segment), segment);
  else
    g_string_append (out, "{id}");
}

char *
foyer_graph_path_template (const char *url)
{
  g_autoptr (GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;
  const char *path = uri != NULL ? g_uri_get_path (uri) : url;
  g_auto (GStrv) segments = NULL;
  GString *out = g_string_new (NULL);

  if (path == NULL)
    return g_string_free (out, FALSE);
  /* Relative paths carry their query too; it is never logged. */
  segments = g_strsplit (path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      char *query = strchr (segments[i], '?');

      if (query != NULL)
        *query = '\0';
      if (*segments[i] != '\0')
        append_segment (out, segments[i]);
      if (query != NULL)
        break;
    }
  if (out->len == 0)
    g_string_append_c (out, '/');
  return g_string_free (out, FALSE);
}
