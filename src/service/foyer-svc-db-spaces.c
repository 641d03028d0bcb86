/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Spaces and their members, in the storage interface (foyer-svc-db.h).
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

void
foyer_svc_space_free (FoyerSvcSpace *space)
{
  if (space == NULL)
    return;
  g_free (space->id);
  g_free (space->title);
  g_free (space->kms_resource_uri);
  g_free (space->creator_id);
  g_free (space->key_uri);
  g_free (space);
}

/* id, title, kms_resource_uri, creator_id, created, last_seq, key_uri,
 * rekey_since */
static gpointer
space_from_row (FoyerSvcRow *row)
{
  FoyerSvcSpace *space = g_new0 (FoyerSvcSpace, 1);

  space->id = g_strdup (foyer_svc_row_text (row, 0));
  space->title = g_strdup (foyer_svc_row_text (row, 1));
  space->kms_resource_uri = g_strdup (foyer_svc_row_text (row, 2));
  space->creator_id = g_strdup (foyer_svc_row_text (row, 3));
  space->created = foyer_svc_row_int (row, 4);
  space->last_seq = foyer_svc_row_int (row, 5);
  space->key_uri = g_strdup (foyer_svc_row_text (row, 6));
  space->rekey_since = foyer_svc_row_is_null (row, 7) ? -1 : foyer_svc_row_int (row, 7);
  return space;
}

FoyerSvcSpace *
foyer_svc_db_space_get (FoyerSvcDb *db, const char *id, GError **error)
{
  return DB_GET_ONE (db, Q_SPACE_GET, space_from_row, error, V_TEXT (id));
}

gboolean
foyer_svc_db_space_insert (FoyerSvcDb *db,
                           const char *id,
                           const char *title,
                           const char *resource_uri,
                           const char *creator_id,
                           gint64 created_ms,
                           GError **error)
{
  return DB_RUN (db, Q_SPACE_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (title),
                 V_TEXT (resource_uri), V_TEXT (creator_id), V_INT (created_ms))
         >= 0;
}

GPtrArray *
foyer_svc_db_spaces_of_person (FoyerSvcDb *db, const char *person_id, GError **error)
{
  return DB_GET_ALL (db, Q_SPACES_OF_PERSON, space_from_row, (GDestroyNotify) foyer_svc_space_free,
                     error, V_TEXT (person_id));
}

char *
foyer_svc_db_space_by_resource (FoyerSvcDb *db, const char *resource_uri, GError **error)
{
  return DB_GET_ONE (db, Q_SPACE_BY_RESOURCE, _foyer_svc_db_text_from_row, error,
                     V_TEXT (resource_uri));
}

gboolean
foyer_svc_db_space_mark_rekey (FoyerSvcDb *db, const char *space_id, gint64 now_ms, GError **error)
{
  return DB_RUN (db, Q_SPACE_MARK_REKEY, NULL, NULL, error, V_INT (now_ms), V_TEXT (space_id)) >= 0;
}

gboolean
foyer_svc_db_space_set_key (FoyerSvcDb *db,
                            const char *space_id,
                            const char *key_uri,
                            GError **error)
{
  return DB_RUN (db, Q_SPACE_SET_KEY, NULL, NULL, error, V_TEXT (key_uri), V_TEXT (space_id)) >= 0;
}

int
foyer_svc_db_is_member (FoyerSvcDb *db, const char *space_id, const char *person_id, GError **error)
{
  return DB_EXISTS (db, Q_MEMBER_IS, error, V_TEXT (space_id), V_TEXT (person_id));
}

gboolean
foyer_svc_db_member_insert (FoyerSvcDb *db,
                            const char *space_id,
                            const char *person_id,
                            const char *added_by,
                            gint64 created_ms,
                            GError **error)
{
  return DB_RUN (db, Q_MEMBER_INSERT, NULL, NULL, error, V_TEXT (space_id), V_TEXT (person_id),
                 V_TEXT (added_by), V_INT (created_ms))
         >= 0;
}

gboolean
foyer_svc_db_member_delete (FoyerSvcDb *db,
                            const char *space_id,
                            const char *person_id,
                            GError **error)
{
  return DB_RUN (db, Q_MEMBER_DELETE, NULL, NULL, error, V_TEXT (space_id), V_TEXT (person_id))
         >= 0;
}

/* person id, email, name, added_by, created */
static gboolean
member_json_cb (FoyerSvcRow *row, gpointer user_data)
{
  JsonObject *object = json_object_new ();
  g_autofree char *created = foyer_svc_timestamp (foyer_svc_row_int (row, 4));

  json_object_set_string_member (object, "personId", foyer_svc_row_text (row, 0));
  json_object_set_string_member (object, "email", foyer_svc_row_text (row, 1));
  json_object_set_string_member (object, "name", foyer_svc_row_text (row, 2));
  json_object_set_string_member (object, "addedBy", foyer_svc_row_text (row, 3));
  json_object_set_string_member (object, "created", created);
  json_array_add_object_element (user_data, object);
  return TRUE;
}

JsonArray *
foyer_svc_db_members_list (FoyerSvcDb *db, const char *space_id, GError **error)
{
  g_autoptr (JsonArray) items = json_array_new ();

  if (LOOKUP_FAILED (DB_RUN (db, Q_MEMBERS_LIST, member_json_cb, items, error, V_TEXT (space_id))))
    return NULL;
  return g_steal_pointer (&items);
}

GPtrArray *
foyer_svc_db_member_ids (FoyerSvcDb *db, const char *space_id, GError **error)
{
  return DB_GET_ALL (db, Q_MEMBER_IDS, _foyer_svc_db_text_from_row, g_free, error,
                     V_TEXT (space_id));
}
