/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The storage interface (foyer-svc-db.h) where it is the same for both
 * engines: opening a database by its URL, units of work, the row readers
 * the typed operations share, and the settings (meta) of either part.
 *
 * The typed operations live by resource, over foyer-svc-db-private.h:
 * foyer-svc-db-people.c (people, sessions), foyer-svc-db-spaces.c (spaces,
 * members), foyer-svc-db-messages.c, foyer-svc-db-events.c (the events'
 * JSON, emitting and reading them), foyer-svc-db-kms.c (resources,
 * authorizations, keys) and foyer-svc-db-export.c (export and import).
 * Each runs named statements whose SQL the engine gives, and reads their
 * columns in the order the statement's comment in foyer-svc-db-sqlite.c and
 * foyer-svc-db-pg.c promises.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

#include "foyer-core.h"

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

gboolean
_foyer_svc_db_init_org (FoyerSvcDb *db, const FoyerSvcDbOptions *options, GError **error)
{
  g_autofree char *id = NULL;
  g_autofree char *org = NULL;

  if (!(db->parts & FOYER_SVC_PART_CONVERSATION) || !options->create_org)
    return TRUE;
  id = foyer_svc_new_id ();
  org = foyer_svc_db_meta_init (db, "org_id", id, error);
  return org != NULL;
}

/* ---- Row readers (foyer-svc-db-private.h) ---- */

typedef struct
{
  FoyerSvcRowConverter convert;
  gpointer first;
} GetOne;

static gboolean
get_one_cb (FoyerSvcRow *row, gpointer user_data)
{
  GetOne *one = user_data;

  one->first = one->convert (row);
  return FALSE;
}

gpointer
_foyer_svc_db_get_one (FoyerSvcDb *db,
                       FoyerSvcQuery query,
                       const FoyerSvcValue *params,
                       guint n_params,
                       FoyerSvcRowConverter convert,
                       GError **error)
{
  GetOne one = { convert, NULL };

  foyer_svc_db_run (db, query, params, n_params, get_one_cb, &one, error);
  return one.first;
}

typedef struct
{
  FoyerSvcRowConverter convert;
  GPtrArray *items;
} GetAll;

static gboolean
get_all_cb (FoyerSvcRow *row, gpointer user_data)
{
  GetAll *all = user_data;

  g_ptr_array_add (all->items, all->convert (row));
  return TRUE;
}

GPtrArray *
_foyer_svc_db_get_all (FoyerSvcDb *db,
                       FoyerSvcQuery query,
                       const FoyerSvcValue *params,
                       guint n_params,
                       FoyerSvcRowConverter convert,
                       GDestroyNotify free_func,
                       GError **error)
{
  GetAll all = { convert, g_ptr_array_new_with_free_func (free_func) };

  if (LOOKUP_FAILED (foyer_svc_db_run (db, query, params, n_params, get_all_cb, &all, error)))
    {
      g_ptr_array_unref (all.items);
      return NULL;
    }
  return all.items;
}

int
_foyer_svc_db_exists (FoyerSvcDb *db,
                      FoyerSvcQuery query,
                      const FoyerSvcValue *params,
                      guint n_params,
                      GError **error)
{
  gint64 n = foyer_svc_db_run (db, query, params, n_params, NULL, NULL, error);

  return n < 0 ? -1 : n > 0;
}

gint64
_foyer_svc_db_get_number (FoyerSvcDb *db, FoyerSvcQuery query, GError **error)
{
  gint64 number = 0;

  if (LOOKUP_FAILED (
          foyer_svc_db_run (db, query, NULL, 0, _foyer_svc_db_first_int_cb, &number, error)))
    return -1;
  return number;
}

gpointer
_foyer_svc_db_text_from_row (FoyerSvcRow *row)
{
  return g_strdup (foyer_svc_row_text (row, 0));
}

gboolean
_foyer_svc_db_first_int_cb (FoyerSvcRow *row, gpointer user_data)
{
  *(gint64 *) user_data = foyer_svc_row_int (row, 0);
  return FALSE;
}

/* ---- Settings ---- */

char *
foyer_svc_db_meta_get (FoyerSvcDb *db, const char *key, GError **error)
{
  return DB_GET_ONE (db, Q_META_GET, _foyer_svc_db_text_from_row, error, V_TEXT (key));
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
  return DB_GET_ONE (db, Q_KMS_META_GET, _foyer_svc_db_text_from_row, error, V_TEXT (key));
}

gboolean
foyer_svc_db_kms_meta_set (FoyerSvcDb *db, const char *key, const char *value, GError **error)
{
  return DB_RUN (db, Q_KMS_META_SET, NULL, NULL, error, V_TEXT (key), V_TEXT (value)) >= 0;
}
