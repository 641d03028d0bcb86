/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Events in the storage interface (foyer-svc-db.h): emitted inside a unit
 * of work, given their JSON once stored, and read back for a person's
 * catch-up and for the fan-out.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

/* ---- Emitting ---- */

void
foyer_svc_event_free (FoyerSvcEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->type);
  g_free (event->space_id);
  g_free (event->subject_id);
  g_clear_pointer (&event->extra, json_node_unref);
  g_free (event->text);
  g_strfreev (event->recipients);
  g_free (event);
}

char *
foyer_svc_event_build_text (FoyerSvcEvent *event)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *created = foyer_svc_timestamp (event->created);
  JsonObject *object = json_object_new ();

  json_node_take_object (node, object);
  json_object_set_string_member (object, "type", event->type);
  json_object_set_int_member (object, "cursor", event->cursor);
  json_object_set_string_member (object, "spaceId", event->space_id);
  json_object_set_string_member (object, "created", created);
  if (event->extra != NULL && JSON_NODE_HOLDS_OBJECT (event->extra))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *value;

      json_object_iter_init (&iter, json_node_get_object (event->extra));
      while (json_object_iter_next (&iter, &name, &value))
        json_object_set_member (object, name, json_node_copy (value));
    }
  return json_to_string (node, FALSE);
}

void
foyer_svc_db_emit (
    FoyerSvcDb *db, const char *type, const char *space_id, const char *subject_id, JsonNode *extra)
{
  FoyerSvcEvent *event = g_new0 (FoyerSvcEvent, 1);

  event->type = g_strdup (type);
  event->space_id = g_strdup (space_id);
  event->subject_id = g_strdup (subject_id);
  event->extra = extra;
  event->created = g_get_real_time () / 1000;
  if (db->pending == NULL)
    db->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_event_free);
  g_ptr_array_add (db->pending, event);
}

GPtrArray *
foyer_svc_db_take_committed (FoyerSvcDb *db)
{
  return g_steal_pointer (&db->committed);
}

/* ---- Reading ---- */

gint64
foyer_svc_db_events_latest (FoyerSvcDb *db, GError **error)
{
  return _foyer_svc_db_get_number (db, Q_EVENTS_LATEST, error);
}

typedef struct
{
  GPtrArray *items;
  GArray *cursors;
  gint64 latest;
  gboolean has_latest;
} CatchUp;

/* latest, cursor, payload (the last two NULL on a row that only says the
 * latest cursor) */
static gboolean
catch_up_cb (FoyerSvcRow *row, gpointer user_data)
{
  CatchUp *catch_up = user_data;

  catch_up->latest = MAX (catch_up->latest, foyer_svc_row_int (row, 0));
  catch_up->has_latest = TRUE;
  if (!foyer_svc_row_is_null (row, 1))
    {
      gint64 cursor = foyer_svc_row_int (row, 1);

      g_array_append_val (catch_up->cursors, cursor);
      g_ptr_array_add (catch_up->items, g_strdup (foyer_svc_row_text (row, 2)));
    }
  return TRUE;
}

GPtrArray *
foyer_svc_db_events_catch_up (FoyerSvcDb *db,
                              const char *person_id,
                              gint64 after,
                              gint64 limit,
                              GArray *out_cursors,
                              gint64 *out_latest,
                              GError **error)
{
  CatchUp catch_up = { g_ptr_array_new_with_free_func (g_free), out_cursors, 0, FALSE };

  if (LOOKUP_FAILED (DB_RUN (db, Q_EVENTS_CATCH_UP, catch_up_cb, &catch_up, error, V_INT (after),
                             V_TEXT (person_id), V_INT (limit))))
    {
      g_ptr_array_unref (catch_up.items);
      return NULL;
    }
  if (!catch_up.has_latest && (catch_up.latest = foyer_svc_db_events_latest (db, error)) < 0)
    {
      g_ptr_array_unref (catch_up.items);
      return NULL;
    }
  *out_latest = catch_up.latest;
  return catch_up.items;
}

/* cursor, type, space_id, subject_id, payload */
static gpointer
event_from_row (FoyerSvcRow *row)
{
  FoyerSvcEvent *event = g_new0 (FoyerSvcEvent, 1);

  event->cursor = foyer_svc_row_int (row, 0);
  event->type = g_strdup (foyer_svc_row_text (row, 1));
  event->space_id = g_strdup (foyer_svc_row_text (row, 2));
  event->subject_id = g_strdup (foyer_svc_row_text (row, 3));
  event->text = g_strdup (foyer_svc_row_text (row, 4));
  return event;
}

GPtrArray *
foyer_svc_db_events_after (FoyerSvcDb *db, gint64 after, gint64 limit, GError **error)
{
  return DB_GET_ALL (db, Q_EVENTS_AFTER, event_from_row, (GDestroyNotify) foyer_svc_event_free,
                     error, V_INT (after), V_INT (limit));
}
