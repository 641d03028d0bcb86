/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-session.h"

#include "foyer-core.h"
#include "foyer-upload-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

void
foyer_upload_session_reply_free (FoyerUploadSessionReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->upload_url);
  g_clear_pointer (&reply->ranges, g_array_unref);
  g_free (reply);
}

static gboolean
parse_number (const char *text, const char **end, guint64 *out)
{
  guint64 value = 0;
  const char *p = text;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (value > (G_MAXUINT64 - 9) / 10)
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  *end = p;
  *out = value;
  return TRUE;
}

gboolean
foyer_upload_range_parse (const char *text, FoyerUploadRange *out)
{
  const char *p;
  guint64 start, end;

  if (text == NULL || !parse_number (text, &p, &start) || *p != '-')
    return FALSE;
  p++;
  if (*p == '\0')
    {
      out->start = start;
      out->end = G_MAXUINT64;
      return TRUE;
    }
  if (!parse_number (p, &p, &end) || *p != '\0' || end < start)
    return FALSE;
  out->start = start;
  out->end = end;
  return TRUE;
}

gboolean
foyer_upload_url_is_acceptable (const char *url)
{
  g_autoptr (GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL) : NULL;

  /* https only, the sandbox too (issue #16); the Graph client then checks
   * the host against the cloud's. */
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return FALSE;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0;
}

static GError *
malformed (const char *what)
{
  g_debug ("Unusable upload session: %s", what);
  return g_error_new_literal (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED,
                              _ ("Microsoft Graph sent an upload session Foyer cannot use."));
}

/* A member of the expected type, or absent (JSON null counts as absent). */
static gboolean
member (JsonObject *o, const char *name, JsonNodeType type, GType value_type, JsonNode **out)
{
  JsonNode *node = json_object_get_member (o, name);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_node_type (node) != type)
    return FALSE;
  if (type == JSON_NODE_VALUE && json_node_get_value_type (node) != value_type)
    return FALSE;
  *out = node;
  return TRUE;
}

FoyerUploadSessionReply *
foyer_upload_session_reply_parse (JsonNode *root, gboolean need_url, GError **error)
{
  g_autoptr (FoyerUploadSessionReply) reply = g_new0 (FoyerUploadSessionReply, 1);
  JsonObject *o;
  JsonNode *url, *expires, *ranges;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, malformed ("not an object"));
      return NULL;
    }
  o = json_node_get_object (root);
  if (!member (o, "uploadUrl", JSON_NODE_VALUE, G_TYPE_STRING, &url)
      || !member (o, "expirationDateTime", JSON_NODE_VALUE, G_TYPE_STRING, &expires)
      || !member (o, "nextExpectedRanges", JSON_NODE_ARRAY, G_TYPE_INVALID, &ranges))
    {
      g_propagate_error (error, malformed ("a member of the wrong type"));
      return NULL;
    }

  if (url != NULL)
    {
      const char *text = json_node_get_string (url);

      if (!foyer_upload_url_is_acceptable (text))
        {
          g_propagate_error (error, malformed ("an upload URL that is not https"));
          return NULL;
        }
      reply->upload_url = g_strdup (text);
    }
  else if (need_url)
    {
      g_propagate_error (error, malformed ("no upload URL"));
      return NULL;
    }

  if (expires != NULL)
    {
      g_autoptr (GDateTime) dt
          = g_date_time_new_from_iso8601 (json_node_get_string (expires), NULL);

      if (dt == NULL)
        {
          g_propagate_error (error, malformed ("an expiry that is not a date"));
          return NULL;
        }
      reply->expires = g_date_time_to_unix (dt);
    }

  reply->ranges = g_array_new (FALSE, FALSE, sizeof (FoyerUploadRange));
  if (ranges != NULL)
    {
      JsonArray *a = json_node_get_array (ranges);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *n = json_array_get_element (a, i);
          FoyerUploadRange range;

          if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING
              || !foyer_upload_range_parse (json_node_get_string (n), &range))
            {
              g_propagate_error (error, malformed ("a range that is not “start-end”"));
              return NULL;
            }
          g_array_append_val (reply->ranges, range);
        }
    }
  return g_steal_pointer (&reply);
}

guint64
foyer_upload_session_reply_next_offset (const FoyerUploadSessionReply *reply, guint64 size)
{
  guint64 next = size;

  for (guint i = 0; reply->ranges != NULL && i < reply->ranges->len; i++)
    next = MIN (next, g_array_index (reply->ranges, FoyerUploadRange, i).start);
  return next;
}
