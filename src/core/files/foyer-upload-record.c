/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-record.h"

#include "foyer-upload-error.h"
#include "foyer-upload-session.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define RECORD_VERSION 1
#define MAX_RECORD     (64 * 1024)

FoyerUploadRecord *
foyer_upload_record_new (void)
{
  return g_new0 (FoyerUploadRecord, 1);
}

FoyerUploadRecord *
foyer_upload_record_copy (const FoyerUploadRecord *record)
{
  FoyerUploadRecord *copy = g_memdup2 (record, sizeof *record);

  copy->id = g_strdup (record->id);
  copy->file_uri = g_strdup (record->file_uri);
  copy->name = g_strdup (record->name);
  copy->context = g_strdup (record->context);
  copy->upload_url = g_strdup (record->upload_url);
  return copy;
}

void
foyer_upload_record_free (FoyerUploadRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->id);
  g_free (record->file_uri);
  g_free (record->name);
  g_free (record->context);
  if (record->upload_url != NULL)
    memset (record->upload_url, 0, strlen (record->upload_url));
  g_free (record->upload_url);
  g_free (record);
}

GBytes *
foyer_upload_record_to_bytes (const FoyerUploadRecord *record)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  char *text;

  json_builder_begin_object (b);
  foyer_json_builder_add_int (b, "v", RECORD_VERSION);
  foyer_json_builder_add_string (b, "id", record->id);
  foyer_json_builder_add_string (b, "file", record->file_uri);
  foyer_json_builder_add_string (b, "name", record->name);
  foyer_json_builder_add_int (b, "size", (gint64) record->size);
  foyer_json_builder_add_int (b, "mtime", record->mtime_us);
  foyer_json_builder_add_int (b, "created", record->created);
  if (record->context != NULL)
    foyer_json_builder_add_string (b, "context", record->context);
  if (record->upload_url != NULL)
    {
      foyer_json_builder_add_string (b, "uploadUrl", record->upload_url);
      foyer_json_builder_add_int (b, "expires", record->expires);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

static GError *
malformed (void)
{
  return g_error_new_literal (FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED,
                              _ ("A saved upload could not be read."));
}

static const char *
get_string (JsonObject *o, const char *name, gboolean required, gboolean *ok)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *ok = *ok && !required;
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING
      || !g_utf8_validate (json_node_get_string (n), -1, NULL))
    {
      *ok = FALSE;
      return NULL;
    }
  return json_node_get_string (n);
}

static gint64
get_int (JsonObject *o, const char *name, gboolean required, gboolean *ok)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || JSON_NODE_HOLDS_NULL (n))
    {
      *ok = *ok && !required;
      return 0;
    }
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    {
      *ok = FALSE;
      return 0;
    }
  return json_node_get_int (n);
}

FoyerUploadRecord *
foyer_upload_record_from_bytes (GBytes *bytes, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (FoyerUploadRecord) record = NULL;
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;
  JsonNode *root;
  JsonObject *o;
  gboolean ok = TRUE;
  gint64 size;
  const char *url;

  if (data == NULL || len == 0 || len > MAX_RECORD
      || !json_parser_load_from_data (parser, data, (gssize) len, NULL))
    {
      g_propagate_error (error, malformed ());
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, malformed ());
      return NULL;
    }
  o = json_node_get_object (root);
  record = foyer_upload_record_new ();
  if (get_int (o, "v", TRUE, &ok) != RECORD_VERSION)
    ok = FALSE;
  record->id = g_strdup (get_string (o, "id", TRUE, &ok));
  record->file_uri = g_strdup (get_string (o, "file", TRUE, &ok));
  record->name = g_strdup (get_string (o, "name", TRUE, &ok));
  size = get_int (o, "size", TRUE, &ok);
  record->mtime_us = get_int (o, "mtime", TRUE, &ok);
  record->created = get_int (o, "created", FALSE, &ok);
  record->context = g_strdup (get_string (o, "context", FALSE, &ok));
  url = get_string (o, "uploadUrl", FALSE, &ok);
  record->expires = get_int (o, "expires", FALSE, &ok);
  if (!ok || size < 0 || *record->id == '\0' || *record->name == '\0' || *record->file_uri == '\0'
      || (url != NULL && !foyer_upload_url_is_acceptable (url)))
    {
      g_propagate_error (error, malformed ());
      return NULL;
    }
  record->size = (guint64) size;
  record->upload_url = g_strdup (url);
  return g_steal_pointer (&record);
}
