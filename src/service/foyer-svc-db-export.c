/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Export and import of an organization as JSON lines (foyer-svc-db.h):
 * the tables in the order an import needs them, a line a row, between a
 * header and an end line that counts the rows.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-json.h"

#include <string.h>

#define T(n, t)                                                                                    \
  {                                                                                                \
    n, EXPORT_##t, FALSE                                                                           \
  }
#define TN(n, t)                                                                                   \
  {                                                                                                \
    n, EXPORT_##t, TRUE                                                                            \
  }

/* In the order an import needs them (references first). */
const FoyerSvcExportTable foyer_svc_export_tables[] = {
  { "meta", FOYER_SVC_PART_CONVERSATION, "key", 2, { T ("key", TEXT), T ("value", TEXT) } },
  { "persons",
    FOYER_SVC_PART_CONVERSATION,
    "id",
    8,
    { T ("id", TEXT), T ("email", TEXT), T ("name", TEXT), T ("password_hash", TEXT),
      T ("is_admin", BOOL), T ("created", INT), T ("disabled", BOOL), T ("removed", BOOL) } },
  { "sessions",
    FOYER_SVC_PART_CONVERSATION,
    "id",
    5,
    { T ("id", TEXT), T ("person_id", TEXT), T ("created", INT), T ("expires", INT),
      TN ("revoked", INT) } },
  { "spaces",
    FOYER_SVC_PART_CONVERSATION,
    "id",
    8,
    { T ("id", TEXT), T ("title", TEXT), T ("kms_resource_uri", TEXT), T ("creator_id", TEXT),
      T ("created", INT), T ("last_seq", INT), TN ("key_uri", TEXT), TN ("rekey_since", INT) } },
  { "members",
    FOYER_SVC_PART_CONVERSATION,
    "space_id, person_id",
    4,
    { T ("space_id", TEXT), T ("person_id", TEXT), T ("added_by", TEXT), T ("created", INT) } },
  { "messages",
    FOYER_SVC_PART_CONVERSATION,
    "space_id, seq",
    9,
    { T ("id", TEXT), T ("space_id", TEXT), T ("seq", INT), T ("author_id", TEXT),
      T ("client_message_id", TEXT), T ("key_uri", TEXT), T ("body", TEXT), T ("attachments", TEXT),
      T ("created", INT) } },
  { "events",
    FOYER_SVC_PART_CONVERSATION,
    "cursor",
    6,
    { T ("cursor", INT), T ("type", TEXT), T ("space_id", TEXT), TN ("subject_id", TEXT),
      T ("payload", TEXT), T ("created", INT) } },
  { "kms_meta", FOYER_SVC_PART_KMS, "key", 2, { T ("key", TEXT), T ("value", TEXT) } },
  { "kms_resources",
    FOYER_SVC_PART_KMS,
    "id",
    3,
    { T ("id", TEXT), T ("creator_id", TEXT), T ("created", INT) } },
  { "kms_authorizations",
    FOYER_SVC_PART_KMS,
    "resource_id, person_id",
    3,
    { T ("resource_id", TEXT), T ("person_id", TEXT), T ("created", INT) } },
  { "kms_keys",
    FOYER_SVC_PART_KMS,
    "id",
    5,
    { T ("id", TEXT), T ("resource_id", TEXT), T ("wrapped", BLOB), T ("created", INT),
      TN ("kek", TEXT) } },
};

#undef T
#undef TN

const guint foyer_svc_n_export_tables = G_N_ELEMENTS (foyer_svc_export_tables);

static char *
column_list (const FoyerSvcExportTable *table)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < table->n_columns; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? ", " : "", table->columns[i].name);
  return g_string_free (text, FALSE);
}

char *
_foyer_svc_export_select_sql (guint table, const char *table_name)
{
  const FoyerSvcExportTable *t = &foyer_svc_export_tables[table];
  g_autofree char *columns = column_list (t);

  return g_strdup_printf ("SELECT %s FROM %s ORDER BY %s", columns, table_name, t->order_by);
}

char *
_foyer_svc_export_insert_sql (guint table, const char *table_name, char placeholder)
{
  const FoyerSvcExportTable *t = &foyer_svc_export_tables[table];
  g_autofree char *columns = column_list (t);
  GString *sql = g_string_new (NULL);

  g_string_append_printf (sql, "INSERT INTO %s (%s) VALUES (", table_name, columns);
  for (guint i = 0; i < t->n_columns; i++)
    g_string_append_printf (sql, "%s%c%u", i > 0 ? ", " : "", placeholder, i + 1);
  g_string_append (sql, ")");
  return g_string_free (sql, FALSE);
}

#define EXPORT_FORMAT "foyer-service-export"

typedef struct
{
  const FoyerSvcExportTable *table;
  GOutputStream *out;
  GError *error;
  guint64 rows;
} Exporter;

static gboolean
write_line (GOutputStream *out, JsonNode *node, GError **error)
{
  g_autofree char *text = json_to_string (node, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);

  return g_output_stream_write_all (out, line, strlen (line), NULL, NULL, error);
}

static gboolean
export_row_cb (FoyerSvcRow *row, gpointer user_data)
{
  Exporter *exporter = user_data;
  const FoyerSvcExportTable *table = exporter->table;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *line = json_object_new ();
  JsonObject *values = json_object_new ();

  json_node_take_object (node, line);
  json_object_set_string_member (line, "table", table->name);
  for (guint i = 0; i < table->n_columns; i++)
    {
      const FoyerSvcExportColumn *column = &table->columns[i];

      if (foyer_svc_row_is_null (row, i))
        json_object_set_null_member (values, column->name);
      else if (column->type == EXPORT_TEXT)
        json_object_set_string_member (values, column->name, foyer_svc_row_text (row, i));
      else if (column->type == EXPORT_INT)
        json_object_set_int_member (values, column->name, foyer_svc_row_int (row, i));
      else if (column->type == EXPORT_BOOL)
        json_object_set_boolean_member (values, column->name, foyer_svc_row_int (row, i) != 0);
      else
        {
          gsize len = 0;
          const guint8 *bytes = foyer_svc_row_blob (row, i, &len);
          g_autofree char *text = foyer_base64url_encode (bytes, len);

          json_object_set_string_member (values, column->name, text);
        }
    }
  json_object_set_object_member (line, "row", values);
  exporter->rows++;
  return write_line (exporter->out, node, &exporter->error);
}

/* The database holding a part: one of the two (SQLite), or both the same
 * (PostgreSQL). */
static FoyerSvcDb *
db_for (FoyerSvcDb *conversation, FoyerSvcDb *kms, FoyerSvcPart part)
{
  if (conversation != NULL && (conversation->parts & part))
    return conversation;
  if (kms != NULL && (kms->parts & part))
    return kms;
  return NULL;
}

static gboolean
export_tables (
    FoyerSvcDb *conversation, FoyerSvcDb *kms, GOutputStream *out, guint64 *rows, GError **error)
{
  FoyerSvcDb *db;

  for (guint t = 0; t < foyer_svc_n_export_tables; t++)
    {
      Exporter exporter = { &foyer_svc_export_tables[t], out, NULL, 0 };

      if ((db = db_for (conversation, kms, exporter.table->part)) == NULL)
        continue;
      if (!db->engine->export_table (db, t, export_row_cb, &exporter, error))
        {
          g_clear_error (&exporter.error);
          return FALSE;
        }
      if (exporter.error != NULL)
        {
          g_propagate_error (error, exporter.error);
          return FALSE;
        }
      *rows += exporter.rows;
    }
  return TRUE;
}

gboolean
foyer_svc_db_export (FoyerSvcDb *conversation, FoyerSvcDb *kms, GOutputStream *out, GError **error)
{
  FoyerSvcDb *db;
  gboolean ok;
  g_autoptr (JsonNode) head = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonNode) tail = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *parts = json_array_new ();
  guint64 rows = 0;

  json_node_take_object (head, object);
  json_object_set_string_member (object, "format", EXPORT_FORMAT);
  json_object_set_int_member (object, "version", 1);
  if ((db = db_for (conversation, kms, FOYER_SVC_PART_CONVERSATION)) != NULL)
    {
      json_array_add_string_element (parts, "conversation");
      json_object_set_int_member (object, "conversationSchema",
                                  foyer_svc_db_schema_version (db, FOYER_SVC_PART_CONVERSATION));
    }
  if ((db = db_for (conversation, kms, FOYER_SVC_PART_KMS)) != NULL)
    {
      json_array_add_string_element (parts, "kms");
      json_object_set_int_member (object, "kmsSchema",
                                  foyer_svc_db_schema_version (db, FOYER_SVC_PART_KMS));
    }
  json_object_set_array_member (object, "parts", parts);
  if (!write_line (out, head, error))
    return FALSE;
  if (conversation != NULL && !conversation->engine->snapshot_begin (conversation, error))
    return FALSE;
  if (kms != NULL && kms != conversation && !kms->engine->snapshot_begin (kms, error))
    {
      if (conversation != NULL)
        conversation->engine->snapshot_end (conversation);
      return FALSE;
    }
  ok = export_tables (conversation, kms, out, &rows, error);
  if (conversation != NULL)
    conversation->engine->snapshot_end (conversation);
  if (kms != NULL && kms != conversation)
    kms->engine->snapshot_end (kms);
  if (!ok)
    return FALSE;
  json_node_take_object (tail, json_object_new ());
  json_object_set_boolean_member (json_node_get_object (tail), "end", TRUE);
  json_object_set_int_member (json_node_get_object (tail), "rows", (gint64) rows);
  return write_line (out, tail, error) && g_output_stream_flush (out, NULL, error);
}

static gboolean
bad_import (GError **error, guint64 line, const char *why)
{
  g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Line %" G_GUINT64_FORMAT ": %s",
               line, why);
  return FALSE;
}

static gboolean
import_line (
    FoyerSvcDb *conversation, FoyerSvcDb *kms, JsonObject *line, guint64 number, GError **error)
{
  FoyerSvcDb *db;
  const char *name = foyer_json_get_string (line, "table");
  JsonObject *values = foyer_json_get_object (line, "row");
  FoyerSvcValue params[12];
  g_autoptr (GPtrArray) blobs = g_ptr_array_new_with_free_func (g_free);

  for (guint t = 0; t < foyer_svc_n_export_tables; t++)
    {
      const FoyerSvcExportTable *table = &foyer_svc_export_tables[t];

      if (g_strcmp0 (name, table->name) != 0)
        continue;
      if ((db = db_for (conversation, kms, table->part)) == NULL)
        return bad_import (error, number, "a table of a part this import does not hold");
      if (values == NULL)
        return bad_import (error, number, "no row");
      for (guint i = 0; i < table->n_columns; i++)
        {
          const FoyerSvcExportColumn *column = &table->columns[i];
          JsonNode *value = json_object_get_member (values, column->name);

          if (value == NULL || JSON_NODE_HOLDS_NULL (value))
            {
              if (!column->nullable)
                return bad_import (error, number, "a required column is missing");
              params[i] = V_NULL;
            }
          else if (!JSON_NODE_HOLDS_VALUE (value))
            return bad_import (error, number, "a column is not a value");
          else if (column->type == EXPORT_TEXT && json_node_get_value_type (value) == G_TYPE_STRING)
            params[i] = V_TEXT (json_node_get_string (value));
          else if (column->type == EXPORT_INT && json_node_get_value_type (value) == G_TYPE_INT64)
            params[i] = V_INT (json_node_get_int (value));
          else if (column->type == EXPORT_BOOL
                   && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
            params[i] = V_BOOL (json_node_get_boolean (value));
          else if (column->type == EXPORT_BLOB && json_node_get_value_type (value) == G_TYPE_STRING)
            {
              gsize len = 0;
              guint8 *bytes = foyer_base64url_decode (json_node_get_string (value), &len);

              if (bytes == NULL)
                return bad_import (error, number, "a binary column is not base64url");
              g_ptr_array_add (blobs, bytes);
              params[i] = V_BLOB (bytes, len);
            }
          else
            return bad_import (error, number, "a column has the wrong type");
        }
      if (!db->engine->import_row (db, t, params, error))
        {
          g_prefix_error (error, "Line %" G_GUINT64_FORMAT " (%s): ", number, name);
          return FALSE;
        }
      return TRUE;
    }
  return bad_import (error, number, "an unknown table");
}

/* Refuses a database that already holds an organization or keys: an
 * import never merges. */
static gboolean
check_empty (FoyerSvcDb *db, GError **error)
{
  g_autofree char *org = NULL;
  g_autoptr (GPtrArray) people = NULL;
  gint64 keys;

  if (db->parts & FOYER_SVC_PART_CONVERSATION)
    {
      g_autoptr (GError) local = NULL;

      org = foyer_svc_db_meta_get (db, "org_id", &local);
      people = local == NULL ? foyer_svc_db_people_list (db, &local) : NULL;
      if (local != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (org != NULL || people->len > 0)
        {
          g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT,
                               "The target database already holds an organization: import into "
                               "an empty one");
          return FALSE;
        }
    }
  if (db->parts & FOYER_SVC_PART_KMS)
    {
      if ((keys = foyer_svc_db_kms_key_count (db, error)) < 0)
        return FALSE;
      if (keys > 0)
        {
          g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT,
                               "The target database already holds KMS keys: import into an "
                               "empty one");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
check_header (FoyerSvcDb *conversation, FoyerSvcDb *kms, JsonObject *head, GError **error)
{
  if (g_strcmp0 (foyer_json_get_string (head, "format"), EXPORT_FORMAT) != 0
      || foyer_json_get_int (head, "version", 0) != 1)
    return bad_import (error, 1, "not an export of foyer-service (format version 1)");
  if (db_for (conversation, kms, FOYER_SVC_PART_CONVERSATION) != NULL
      && foyer_json_get_int (head, "conversationSchema", 0) != FOYER_SVC_CONVERSATION_SCHEMA)
    return bad_import (error, 1,
                       "the export's conversation schema is not this foyer-service's: run the "
                       "same version to export and import");
  if (db_for (conversation, kms, FOYER_SVC_PART_KMS) != NULL
      && json_object_has_member (head, "kmsSchema")
      && foyer_json_get_int (head, "kmsSchema", 0) != FOYER_SVC_KMS_SCHEMA)
    return bad_import (error, 1,
                       "the export's KMS schema is not this foyer-service's: run the same version "
                       "to export and import");
  return TRUE;
}

/* Both databases (or the one) in a transaction each, committed at the end:
 * a failed import leaves them as they were. */
static gboolean
import_begin (FoyerSvcDb *conversation, FoyerSvcDb *kms, GError **error)
{
  if (conversation != NULL && !foyer_svc_db_begin (conversation, error))
    return FALSE;
  if (kms != NULL && kms != conversation && !foyer_svc_db_begin (kms, error))
    {
      if (conversation != NULL)
        foyer_svc_db_rollback (conversation);
      return FALSE;
    }
  return TRUE;
}

static void
import_rollback (FoyerSvcDb *conversation, FoyerSvcDb *kms)
{
  if (conversation != NULL)
    foyer_svc_db_rollback (conversation);
  if (kms != NULL && kms != conversation)
    foyer_svc_db_rollback (kms);
}

static gboolean
import_commit (FoyerSvcDb *conversation, FoyerSvcDb *kms, GError **error)
{
  if (conversation != NULL
      && (!conversation->engine->import_finish (conversation, error)
          || !foyer_svc_db_commit (conversation, error)))
    return FALSE;
  if (kms != NULL && kms != conversation
      && (!kms->engine->import_finish (kms, error) || !foyer_svc_db_commit (kms, error)))
    return FALSE;
  return TRUE;
}

gboolean
foyer_svc_db_import (
    FoyerSvcDb *conversation, FoyerSvcDb *kms, GInputStream *in, guint64 *out_rows, GError **error)
{
  g_autoptr (GDataInputStream) data = g_data_input_stream_new (in);
  guint64 number = 0, rows = 0;
  gboolean ended = FALSE;

  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_LF);
  if ((conversation != NULL && !check_empty (conversation, error))
      || (kms != NULL && kms != conversation && !check_empty (kms, error))
      || !import_begin (conversation, kms, error))
    return FALSE;
  for (;;)
    {
      g_autoptr (GError) local = NULL;
      gsize len = 0;
      g_autofree char *text = g_data_input_stream_read_line (data, &len, NULL, &local);
      g_autoptr (JsonNode) node = NULL;
      JsonObject *object;

      if (text == NULL)
        {
          if (local != NULL)
            {
              import_rollback (conversation, kms);
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          break;
        }
      number++;
      if (ended)
        {
          import_rollback (conversation, kms);
          return bad_import (error, number, "lines after the end");
        }
      node = foyer_svc_json_parse (text, len, &local);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          import_rollback (conversation, kms);
          return bad_import (error, number, "not a JSON object");
        }
      object = json_node_get_object (node);
      if (number == 1)
        {
          if (!check_header (conversation, kms, object, error))
            {
              import_rollback (conversation, kms);
              return FALSE;
            }
          continue;
        }
      if (foyer_json_get_boolean (object, "end", FALSE))
        {
          if ((guint64) foyer_json_get_int (object, "rows", -1) != rows)
            {
              import_rollback (conversation, kms);
              return bad_import (error, number, "the row count does not match: a cut file?");
            }
          ended = TRUE;
          continue;
        }
      if (!import_line (conversation, kms, object, number, error))
        {
          import_rollback (conversation, kms);
          return FALSE;
        }
      rows++;
    }
  if (!ended)
    {
      import_rollback (conversation, kms);
      return bad_import (error, number, "the export ends early (no end line): a cut file?");
    }
  if (!import_commit (conversation, kms, error))
    {
      import_rollback (conversation, kms);
      return FALSE;
    }
  *out_rows = rows;
  return TRUE;
}
