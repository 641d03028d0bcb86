/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The typed operations of the storage interface (foyer-svc-db.h), the same
 * for both engines: each runs named statements whose SQL the engine gives,
 * and reads their columns in the order the statement's comment in
 * foyer-svc-db-sqlite.c and foyer-svc-db-pg.c promises. Also the events'
 * JSON, and export and import.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-json.h"

#include <string.h>

char *
foyer_svc_new_id (void)
{
  return foyer_random_token (16);
}

void
foyer_svc_db_set_error (GError **error, int code, const char *format, ...)
{
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  *error = g_error_new_valist (FOYER_SVC_ERROR, code, format, args);
  va_end (args);
}

const char *
foyer_svc_row_text (FoyerSvcRow *row, guint column)
{
  return (*(const FoyerSvcDbEngine **) row)->row_text (row, column);
}

gint64
foyer_svc_row_int (FoyerSvcRow *row, guint column)
{
  return (*(const FoyerSvcDbEngine **) row)->row_int (row, column);
}

gboolean
foyer_svc_row_is_null (FoyerSvcRow *row, guint column)
{
  return (*(const FoyerSvcDbEngine **) row)->row_is_null (row, column);
}

const guint8 *
foyer_svc_row_blob (FoyerSvcRow *row, guint column, gsize *length)
{
  return (*(const FoyerSvcDbEngine **) row)->row_blob (row, column, length);
}

gint64
foyer_svc_db_run (FoyerSvcDb *db,
                  FoyerSvcQuery query,
                  const FoyerSvcValue *params,
                  guint n_params,
                  FoyerSvcRowFunc func,
                  gpointer user_data,
                  GError **error)
{
  return db->engine->run (db, query, params, n_params, func, user_data, error);
}

/* ---- Opening ---- */

gboolean
foyer_svc_db_url_is_postgresql (const char *url)
{
  return url != NULL
         && (g_str_has_prefix (url, "postgresql://") || g_str_has_prefix (url, "postgres://"));
}

char *
foyer_svc_db_url_for_dir (const char *data_dir)
{
  return g_strconcat ("sqlite:", data_dir, NULL);
}

/* A URL without its password (postgresql://user:secret@host/db). */
char *
foyer_svc_db_url_describe (const char *url)
{
  g_autoptr (GUri) uri = NULL;

  if (!foyer_svc_db_url_is_postgresql (url))
    return g_strdup (url);
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return g_strdup ("postgresql://…");
  return g_uri_to_string_partial (uri, G_URI_HIDE_PASSWORD | G_URI_HIDE_AUTH_PARAMS);
}

FoyerSvcDb *
foyer_svc_db_open (const char *url,
                   FoyerSvcPart parts,
                   const FoyerSvcDbOptions *options,
                   GError **error)
{
  if (foyer_svc_db_url_is_postgresql (url))
    return foyer_svc_db_pg_open (url, parts, options, error);
  if (url != NULL && g_str_has_prefix (url, "sqlite:") && url[7] != '\0')
    {
      /* One file per part; a caller asking for both opens them apart. */
      g_return_val_if_fail (parts == FOYER_SVC_PART_CONVERSATION || parts == FOYER_SVC_PART_KMS,
                            NULL);
      return foyer_svc_db_sqlite_open (url + 7, parts, options, error);
    }
  g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
               "--database wants sqlite:DIR or postgresql://…, not “%s”", url != NULL ? url : "");
  return NULL;
}

void
foyer_svc_db_close (FoyerSvcDb *db)
{
  if (db == NULL)
    return;
  g_clear_pointer (&db->pending, g_ptr_array_unref);
  g_clear_pointer (&db->committed, g_ptr_array_unref);
  db->engine->close (db);
}

const char *
foyer_svc_db_engine_name (FoyerSvcDb *db)
{
  return db->engine->name;
}

gboolean
foyer_svc_db_is_postgresql (FoyerSvcDb *db)
{
  return db != NULL && strcmp (db->engine->name, "postgresql") == 0;
}

gboolean
foyer_svc_db_begin (FoyerSvcDb *db, GError **error)
{
  return db->engine->begin (db, error);
}

gboolean
foyer_svc_db_commit (FoyerSvcDb *db, GError **error)
{
  return db->engine->commit (db, error);
}

void
foyer_svc_db_rollback (FoyerSvcDb *db)
{
  db->engine->rollback (db);
  g_clear_pointer (&db->pending, g_ptr_array_unref);
}

gboolean
foyer_svc_db_check_ready (FoyerSvcDb *db, GError **error)
{
  return db->engine->check_ready (db, error);
}

int
foyer_svc_db_schema_version (FoyerSvcDb *db, FoyerSvcPart part)
{
  return db->engine->schema_version (db, part);
}

gboolean
foyer_svc_db_announce_sessions_ended (FoyerSvcDb *db,
                                      const char *session_id,
                                      const char *person_id,
                                      GError **error)
{
  g_autofree char *payload = session_id != NULL ? g_strdup_printf ("s %s", session_id)
                                                : g_strdup_printf ("p %s", person_id);

  return db->engine->announce == NULL || db->engine->announce (db, payload, error);
}

/* ---- Events ---- */

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

/* ---- Row readers ---- */

static gboolean
first_text_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(char **) user_data = g_strdup (foyer_svc_row_text (row, 0));
  return FALSE;
}

static gboolean
first_int_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(gint64 *) user_data = foyer_svc_row_int (row, 0);
  return FALSE;
}

static gboolean
texts_cb (FoyerSvcRow *row, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (foyer_svc_row_text (row, 0)));
  return TRUE;
}

/* The result of a lookup: NULL with no error means "none". */
#define LOOKUP_FAILED(n) ((n) < 0)

char *
foyer_svc_db_meta_get (FoyerSvcDb *db, const char *key, GError **error)
{
  char *value = NULL;

  DB_RUN (db, Q_META_GET, first_text_cb, &value, error, V_TEXT (key));
  return value;
}

gboolean
foyer_svc_db_meta_set (FoyerSvcDb *db, const char *key, const char *value, GError **error)
{
  return DB_RUN (db, Q_META_SET, NULL, NULL, error, V_TEXT (key), V_TEXT (value)) >= 0;
}

char *
foyer_svc_db_meta_init (FoyerSvcDb *db, const char *key, const char *value, GError **error)
{
  if (DB_RUN (db, Q_META_INIT, NULL, NULL, error, V_TEXT (key), V_TEXT (value)) < 0)
    return NULL;
  return foyer_svc_db_meta_get (db, key, error);
}

char *
foyer_svc_db_kms_meta_init (FoyerSvcDb *db, const char *key, const char *value, GError **error)
{
  if (DB_RUN (db, Q_KMS_META_INIT, NULL, NULL, error, V_TEXT (key), V_TEXT (value)) < 0)
    return NULL;
  return foyer_svc_db_kms_meta_get (db, key, error);
}

char *
foyer_svc_db_kms_meta_get (FoyerSvcDb *db, const char *key, GError **error)
{
  char *value = NULL;

  DB_RUN (db, Q_KMS_META_GET, first_text_cb, &value, error, V_TEXT (key));
  return value;
}

gboolean
foyer_svc_db_kms_meta_set (FoyerSvcDb *db, const char *key, const char *value, GError **error)
{
  return DB_RUN (db, Q_KMS_META_SET, NULL, NULL, error, V_TEXT (key), V_TEXT (value)) >= 0;
}

/* ---- People ---- */

void
foyer_svc_person_free (FoyerSvcPerson *person)
{
  if (person == NULL)
    return;
  g_free (person->id);
  g_free (person->email);
  g_free (person->name);
  g_free (person);
}

/* id, email, name, is_admin, disabled, removed */
static FoyerSvcPerson *
person_from_row (FoyerSvcRow *row)
{
  FoyerSvcPerson *person = g_new0 (FoyerSvcPerson, 1);

  person->id = g_strdup (foyer_svc_row_text (row, 0));
  person->email = g_strdup (foyer_svc_row_text (row, 1));
  person->name = g_strdup (foyer_svc_row_text (row, 2));
  person->is_admin = foyer_svc_row_int (row, 3) != 0;
  person->disabled = foyer_svc_row_int (row, 4) != 0;
  person->removed = foyer_svc_row_int (row, 5) != 0;
  return person;
}

static gboolean
person_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(FoyerSvcPerson **) user_data = person_from_row (row);
  return FALSE;
}

static gboolean
people_cb (FoyerSvcRow *row, gpointer user_data)
{
  g_ptr_array_add (user_data, person_from_row (row));
  return TRUE;
}

FoyerSvcPerson *
foyer_svc_db_person_get (FoyerSvcDb *db, const char *id, GError **error)
{
  FoyerSvcPerson *person = NULL;

  DB_RUN (db, Q_PERSON_GET, person_cb, &person, error, V_TEXT (id));
  return person;
}

GPtrArray *
foyer_svc_db_people_by_email (FoyerSvcDb *db, const char *email, GError **error)
{
  g_autoptr (GPtrArray) people
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_person_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_PERSON_BY_EMAIL, people_cb, people, error, V_TEXT (email))))
    return NULL;
  return g_steal_pointer (&people);
}

typedef struct
{
  char **id;
  char **hash;
  gboolean *disabled;
} LoginRow;

static gboolean
login_cb (FoyerSvcRow *row, gpointer user_data)
{
  LoginRow *out = user_data;

  *out->id = g_strdup (foyer_svc_row_text (row, 0));
  *out->hash = g_strdup (foyer_svc_row_text (row, 1));
  *out->disabled = foyer_svc_row_int (row, 2) != 0;
  return FALSE;
}

gboolean
foyer_svc_db_person_login (FoyerSvcDb *db,
                           const char *email,
                           char **out_id,
                           char **out_hash,
                           gboolean *out_disabled,
                           GError **error)
{
  LoginRow out = { out_id, out_hash, out_disabled };

  *out_id = *out_hash = NULL;
  *out_disabled = FALSE;
  return DB_RUN (db, Q_PERSON_LOGIN, login_cb, &out, error, V_TEXT (email)) >= 0;
}

gboolean
foyer_svc_db_person_insert (FoyerSvcDb *db,
                            const char *id,
                            const char *email,
                            const char *name,
                            const char *password_hash,
                            gboolean is_admin,
                            GError **error)
{
  return DB_RUN (db, Q_PERSON_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (email), V_TEXT (name),
                 V_TEXT (password_hash), V_BOOL (is_admin), V_INT (g_get_real_time () / 1000))
         >= 0;
}

GPtrArray *
foyer_svc_db_people_list (FoyerSvcDb *db, GError **error)
{
  g_autoptr (GPtrArray) people
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_person_free);

  if (LOOKUP_FAILED (foyer_svc_db_run (db, Q_PERSON_LIST, NULL, 0, people_cb, people, error)))
    return NULL;
  return g_steal_pointer (&people);
}

gboolean
foyer_svc_db_person_set_disabled (FoyerSvcDb *db, const char *id, gboolean disabled, GError **error)
{
  return DB_RUN (db, Q_PERSON_SET_DISABLED, NULL, NULL, error, V_BOOL (disabled), V_TEXT (id)) >= 0;
}

/* The account can never sign in again, and its address is free; its name
 * stays, for the messages it wrote. */
gboolean
foyer_svc_db_person_tombstone (FoyerSvcDb *db, const char *id, GError **error)
{
  g_autofree char *email = g_strdup_printf ("%s@removed.invalid", id);

  return DB_RUN (db, Q_PERSON_TOMBSTONE, NULL, NULL, error, V_TEXT (email), V_TEXT (id)) >= 0;
}

GPtrArray *
foyer_svc_db_person_space_ids (FoyerSvcDb *db, const char *person_id, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_PERSON_SPACE_IDS, texts_cb, ids, error, V_TEXT (person_id))))
    return NULL;
  return g_steal_pointer (&ids);
}

/* ---- Sessions ---- */

gboolean
foyer_svc_db_session_insert (FoyerSvcDb *db,
                             const char *id,
                             const char *person_id,
                             gint64 created_ms,
                             gint64 expires_ms,
                             GError **error)
{
  return DB_RUN (db, Q_SESSION_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (person_id),
                 V_INT (created_ms), V_INT (expires_ms))
         >= 0;
}

gboolean
foyer_svc_db_sessions_prune (FoyerSvcDb *db, gint64 before_ms, GError **error)
{
  return DB_RUN (db, Q_SESSION_PRUNE, NULL, NULL, error, V_INT (before_ms)) >= 0;
}

typedef struct
{
  gint64 now_ms;
  int state;
} SessionCheck;

/* revoked, expires, disabled, removed */
static gboolean
session_cb (FoyerSvcRow *row, gpointer user_data)
{
  SessionCheck *check = user_data;

  if (foyer_svc_row_int (row, 3) != 0)
    check->state = FOYER_SVC_SESSION_PERSON_REMOVED;
  else if (foyer_svc_row_int (row, 2) != 0)
    check->state = FOYER_SVC_SESSION_PERSON_DISABLED;
  else if (!foyer_svc_row_is_null (row, 0))
    check->state = FOYER_SVC_SESSION_REVOKED;
  else if (foyer_svc_row_int (row, 1) <= check->now_ms)
    check->state = FOYER_SVC_SESSION_EXPIRED;
  else
    check->state = FOYER_SVC_SESSION_LIVE;
  return FALSE;
}

int
foyer_svc_db_session_state (
    FoyerSvcDb *db, const char *session_id, const char *person_id, gint64 now_ms, GError **error)
{
  SessionCheck check = { now_ms, FOYER_SVC_SESSION_UNKNOWN };

  if (LOOKUP_FAILED (DB_RUN (db, Q_SESSION_CHECK, session_cb, &check, error, V_TEXT (session_id),
                             V_TEXT (person_id))))
    return -1;
  return check.state;
}

int
foyer_svc_db_sessions_revoke (FoyerSvcDb *db,
                              const char *session_id,
                              const char *person_id,
                              GError **error)
{
  gint64 now = g_get_real_time () / 1000;

  if (session_id != NULL)
    return (int) DB_RUN (db, Q_SESSION_REVOKE_ONE, NULL, NULL, error, V_INT (now),
                         V_TEXT (session_id));
  return (int) DB_RUN (db, Q_SESSION_REVOKE_PERSON, NULL, NULL, error, V_INT (now),
                       V_TEXT (person_id));
}

/* ---- Spaces and members ---- */

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
static FoyerSvcSpace *
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

static gboolean
space_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(FoyerSvcSpace **) user_data = space_from_row (row);
  return FALSE;
}

static gboolean
spaces_cb (FoyerSvcRow *row, gpointer user_data)
{
  g_ptr_array_add (user_data, space_from_row (row));
  return TRUE;
}

FoyerSvcSpace *
foyer_svc_db_space_get (FoyerSvcDb *db, const char *id, GError **error)
{
  FoyerSvcSpace *space = NULL;

  DB_RUN (db, Q_SPACE_GET, space_cb, &space, error, V_TEXT (id));
  return space;
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
  g_autoptr (GPtrArray) spaces
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_space_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_SPACES_OF_PERSON, spaces_cb, spaces, error, V_TEXT (person_id))))
    return NULL;
  return g_steal_pointer (&spaces);
}

char *
foyer_svc_db_space_by_resource (FoyerSvcDb *db, const char *resource_uri, GError **error)
{
  char *id = NULL;

  DB_RUN (db, Q_SPACE_BY_RESOURCE, first_text_cb, &id, error, V_TEXT (resource_uri));
  return id;
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
  gint64 n = DB_RUN (db, Q_MEMBER_IS, NULL, NULL, error, V_TEXT (space_id), V_TEXT (person_id));

  return n < 0 ? -1 : n > 0;
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
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_MEMBER_IDS, texts_cb, ids, error, V_TEXT (space_id))))
    return NULL;
  return g_steal_pointer (&ids);
}

/* ---- Messages ---- */

void
foyer_svc_message_free (FoyerSvcMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->id);
  g_free (message->space_id);
  g_free (message->author_id);
  g_free (message->client_message_id);
  g_free (message->key_uri);
  g_free (message->body);
  g_free (message->attachments);
  g_free (message);
}

/* id, space_id, seq, author_id, client_message_id, key_uri, body,
 * attachments, created */
static FoyerSvcMessage *
message_from_row (FoyerSvcRow *row)
{
  FoyerSvcMessage *message = g_new0 (FoyerSvcMessage, 1);

  message->id = g_strdup (foyer_svc_row_text (row, 0));
  message->space_id = g_strdup (foyer_svc_row_text (row, 1));
  message->seq = foyer_svc_row_int (row, 2);
  message->author_id = g_strdup (foyer_svc_row_text (row, 3));
  message->client_message_id = g_strdup (foyer_svc_row_text (row, 4));
  message->key_uri = g_strdup (foyer_svc_row_text (row, 5));
  message->body = g_strdup (foyer_svc_row_text (row, 6));
  message->attachments = g_strdup (foyer_svc_row_text (row, 7));
  message->created = foyer_svc_row_int (row, 8);
  return message;
}

static gboolean
message_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(FoyerSvcMessage **) user_data = message_from_row (row);
  return FALSE;
}

static gboolean
messages_cb (FoyerSvcRow *row, gpointer user_data)
{
  g_ptr_array_add (user_data, message_from_row (row));
  return TRUE;
}

FoyerSvcMessage *
foyer_svc_db_message_by_id (FoyerSvcDb *db, const char *id, GError **error)
{
  FoyerSvcMessage *message = NULL;

  DB_RUN (db, Q_MESSAGE_BY_ID, message_cb, &message, error, V_TEXT (id));
  return message;
}

FoyerSvcMessage *
foyer_svc_db_message_by_client_id (FoyerSvcDb *db,
                                   const char *space_id,
                                   const char *author_id,
                                   const char *client_message_id,
                                   GError **error)
{
  FoyerSvcMessage *message = NULL;

  DB_RUN (db, Q_MESSAGE_BY_CLIENT_ID, message_cb, &message, error, V_TEXT (space_id),
          V_TEXT (author_id), V_TEXT (client_message_id));
  return message;
}

FoyerSvcMessage *
foyer_svc_db_message_post (FoyerSvcDb *db,
                           const char *id,
                           const char *space_id,
                           const char *author_id,
                           const char *client_message_id,
                           const char *key_uri,
                           const char *body,
                           const char *attachments,
                           gint64 created_ms,
                           GError **error)
{
  FoyerSvcMessage *message;
  gint64 seq = -1;
  gint64 n;

  /* The space's row is updated (and so locked) only while its key is the
   * one the message was sealed with and no member left since. */
  n = DB_RUN (db, Q_SPACE_BUMP_SEQ, first_int_cb, &seq, error, V_TEXT (space_id), V_TEXT (key_uri));
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      g_autoptr (FoyerSvcSpace) space = foyer_svc_db_space_get (db, space_id, error);

      if (space == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_NOT_FOUND,
                                 "No such space");
        }
      else if (space->rekey_since >= 0)
        g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                             "A member left this space: seal messages with a new key of the space "
                             "(PUT /v1/spaces/<id>/key)");
      else
        g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                     "This space's messages are now sealed with %s", space->key_uri);
      return NULL;
    }
  if (DB_RUN (db, Q_MESSAGE_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (space_id), V_INT (seq),
              V_TEXT (author_id), V_TEXT (client_message_id), V_TEXT (key_uri), V_TEXT (body),
              V_TEXT (attachments), V_INT (created_ms))
      < 0)
    return NULL;
  message = g_new0 (FoyerSvcMessage, 1);
  message->id = g_strdup (id);
  message->space_id = g_strdup (space_id);
  message->seq = seq;
  message->author_id = g_strdup (author_id);
  message->client_message_id = g_strdup (client_message_id);
  message->key_uri = g_strdup (key_uri);
  message->body = g_strdup (body);
  message->attachments = g_strdup (attachments);
  message->created = created_ms;
  return message;
}

GPtrArray *
foyer_svc_db_messages_before (
    FoyerSvcDb *db, const char *space_id, gint64 before, gint64 limit, GError **error)
{
  g_autoptr (GPtrArray) messages
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_message_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_MESSAGES_BEFORE, messages_cb, messages, error, V_TEXT (space_id),
                             V_INT (before), V_INT (limit))))
    return NULL;
  return g_steal_pointer (&messages);
}

/* ---- Events ---- */

gint64
foyer_svc_db_events_latest (FoyerSvcDb *db, GError **error)
{
  gint64 latest = 0;

  if (LOOKUP_FAILED (foyer_svc_db_run (db, Q_EVENTS_LATEST, NULL, 0, first_int_cb, &latest, error)))
    return -1;
  return latest;
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
static gboolean
event_row_cb (FoyerSvcRow *row, gpointer user_data)
{
  FoyerSvcEvent *event = g_new0 (FoyerSvcEvent, 1);

  event->cursor = foyer_svc_row_int (row, 0);
  event->type = g_strdup (foyer_svc_row_text (row, 1));
  event->space_id = g_strdup (foyer_svc_row_text (row, 2));
  event->subject_id = g_strdup (foyer_svc_row_text (row, 3));
  event->text = g_strdup (foyer_svc_row_text (row, 4));
  g_ptr_array_add (user_data, event);
  return TRUE;
}

GPtrArray *
foyer_svc_db_events_after (FoyerSvcDb *db, gint64 after, gint64 limit, GError **error)
{
  g_autoptr (GPtrArray) events
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_event_free);

  if (LOOKUP_FAILED (
          DB_RUN (db, Q_EVENTS_AFTER, event_row_cb, events, error, V_INT (after), V_INT (limit))))
    return NULL;
  return g_steal_pointer (&events);
}

/* ---- KMS ---- */

int
foyer_svc_db_kms_resource_exists (FoyerSvcDb *db, const char *id, GError **error)
{
  gint64 n = DB_RUN (db, Q_KMS_RESOURCE_EXISTS, NULL, NULL, error, V_TEXT (id));

  return n < 0 ? -1 : n > 0;
}

gboolean
foyer_svc_db_kms_resource_insert (
    FoyerSvcDb *db, const char *id, const char *creator_id, gint64 created_ms, GError **error)
{
  return DB_RUN (db, Q_KMS_RESOURCE_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (creator_id),
                 V_INT (created_ms))
         >= 0;
}

int
foyer_svc_db_kms_authorized (FoyerSvcDb *db,
                             const char *resource_id,
                             const char *person_id,
                             GError **error)
{
  gint64 n
      = DB_RUN (db, Q_KMS_AUTH_CHECK, NULL, NULL, error, V_TEXT (resource_id), V_TEXT (person_id));

  return n < 0 ? -1 : n > 0;
}

gboolean
foyer_svc_db_kms_authorize (
    FoyerSvcDb *db, const char *resource_id, const char *person_id, gboolean add, GError **error)
{
  if (add)
    return DB_RUN (db, Q_KMS_AUTH_ADD, NULL, NULL, error, V_TEXT (resource_id), V_TEXT (person_id),
                   V_INT (g_get_real_time () / 1000))
           >= 0;
  return DB_RUN (db, Q_KMS_AUTH_DELETE, NULL, NULL, error, V_TEXT (resource_id), V_TEXT (person_id))
         >= 0;
}

GPtrArray *
foyer_svc_db_kms_authorizations (FoyerSvcDb *db, const char *resource_id, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_KMS_AUTH_LIST, texts_cb, ids, error, V_TEXT (resource_id))))
    return NULL;
  return g_steal_pointer (&ids);
}

gboolean
foyer_svc_db_kms_deauthorize_everywhere (FoyerSvcDb *db, const char *person_id, GError **error)
{
  return DB_RUN (db, Q_KMS_AUTH_DELETE_PERSON, NULL, NULL, error, V_TEXT (person_id)) >= 0;
}

gboolean
foyer_svc_db_kms_key_insert (FoyerSvcDb *db,
                             const char *id,
                             const char *resource_id,
                             const guint8 *wrapped,
                             gsize wrapped_len,
                             gint64 created_ms,
                             const char *kek,
                             GError **error)
{
  return DB_RUN (db, Q_KMS_KEY_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (resource_id),
                 V_BLOB (wrapped, wrapped_len), V_INT (created_ms), V_TEXT (kek))
         >= 0;
}

typedef struct
{
  char **resource_id;
  GBytes **wrapped;
  char **kek;
} KeyRow;

/* resource_id, wrapped, kek */
static gboolean
key_cb (FoyerSvcRow *row, gpointer user_data)
{
  KeyRow *out = user_data;
  gsize len = 0;
  const guint8 *bytes = foyer_svc_row_blob (row, 1, &len);

  *out->resource_id = g_strdup (foyer_svc_row_text (row, 0));
  *out->wrapped = g_bytes_new (bytes, len);
  *out->kek = g_strdup (foyer_svc_row_text (row, 2));
  return FALSE;
}

gboolean
foyer_svc_db_kms_key_get (FoyerSvcDb *db,
                          const char *id,
                          char **out_resource_id,
                          GBytes **out_wrapped,
                          char **out_kek,
                          GError **error)
{
  KeyRow out = { out_resource_id, out_wrapped, out_kek };

  *out_resource_id = *out_kek = NULL;
  *out_wrapped = NULL;
  return DB_RUN (db, Q_KMS_KEY_GET, key_cb, &out, error, V_TEXT (id)) > 0;
}

int
foyer_svc_db_kms_key_created (FoyerSvcDb *db,
                              const char *key_id,
                              const char *resource_id,
                              gint64 *out_created,
                              GError **error)
{
  gint64 n = DB_RUN (db, Q_KMS_KEY_CREATED, first_int_cb, out_created, error, V_TEXT (key_id),
                     V_TEXT (resource_id));

  return n < 0 ? -1 : n > 0;
}

gint64
foyer_svc_db_kms_key_count (FoyerSvcDb *db, GError **error)
{
  gint64 count = 0;

  if (LOOKUP_FAILED (foyer_svc_db_run (db, Q_KMS_KEY_COUNT, NULL, 0, first_int_cb, &count, error)))
    return -1;
  return count;
}

void
foyer_svc_wrapped_key_free (FoyerSvcWrappedKey *key)
{
  if (key == NULL)
    return;
  g_free (key->id);
  g_clear_pointer (&key->wrapped, g_bytes_unref);
  g_free (key->kek);
  g_free (key);
}

/* id, wrapped, kek */
static gboolean
wrapped_key_cb (FoyerSvcRow *row, gpointer user_data)
{
  FoyerSvcWrappedKey *key = g_new0 (FoyerSvcWrappedKey, 1);
  gsize len = 0;
  const guint8 *bytes = foyer_svc_row_blob (row, 1, &len);

  key->id = g_strdup (foyer_svc_row_text (row, 0));
  key->wrapped = g_bytes_new (bytes, len);
  key->kek = g_strdup (foyer_svc_row_text (row, 2));
  g_ptr_array_add (user_data, key);
  return TRUE;
}

GPtrArray *
foyer_svc_db_kms_keys_to_rewrap (FoyerSvcDb *db, const char *current, guint limit, GError **error)
{
  g_autoptr (GPtrArray) keys
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_svc_wrapped_key_free);

  if (LOOKUP_FAILED (DB_RUN (db, Q_KMS_KEYS_TO_REWRAP, wrapped_key_cb, keys, error,
                             V_TEXT (current), V_INT (limit))))
    return NULL;
  return g_steal_pointer (&keys);
}

gboolean
foyer_svc_db_kms_key_rewrap (FoyerSvcDb *db,
                             const char *id,
                             const guint8 *wrapped,
                             gsize wrapped_len,
                             const char *kek,
                             GError **error)
{
  return DB_RUN (db, Q_KMS_KEY_REWRAP, NULL, NULL, error, V_BLOB (wrapped, wrapped_len),
                 V_TEXT (kek), V_TEXT (id))
         >= 0;
}

/* ---- Export and import ---- */

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
