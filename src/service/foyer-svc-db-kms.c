/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The KMS part of the storage interface (foyer-svc-db.h): resources, who
 * is authorized on them, and wrapped keys.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

int
foyer_svc_db_kms_resource_exists (FoyerSvcDb *db, const char *id, GError **error)
{
  return DB_EXISTS (db, Q_KMS_RESOURCE_EXISTS, error, V_TEXT (id));
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
  return DB_EXISTS (db, Q_KMS_AUTH_CHECK, error, V_TEXT (resource_id), V_TEXT (person_id));
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
  return DB_GET_ALL (db, Q_KMS_AUTH_LIST, _foyer_svc_db_text_from_row, g_free, error,
                     V_TEXT (resource_id));
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
static gpointer
wrapped_key_from_row (FoyerSvcRow *row)
{
  FoyerSvcWrappedKey *key = g_new0 (FoyerSvcWrappedKey, 1);
  gsize len = 0;
  const guint8 *bytes = foyer_svc_row_blob (row, 1, &len);

  key->id = g_strdup (foyer_svc_row_text (row, 0));
  key->wrapped = g_bytes_new (bytes, len);
  key->kek = g_strdup (foyer_svc_row_text (row, 2));
  return key;
}

gboolean
foyer_svc_db_kms_key_get (FoyerSvcDb *db,
                          const char *id,
                          char **out_resource_id,
                          GBytes **out_wrapped,
                          char **out_kek,
                          GError **error)
{
  /* resource_id, wrapped, kek: a wrapped key's row, with its resource
   * where the key's id would be. */
  FoyerSvcWrappedKey *key
      = DB_GET_ONE (db, Q_KMS_KEY_GET, wrapped_key_from_row, error, V_TEXT (id));

  *out_resource_id = key != NULL ? g_steal_pointer (&key->id) : NULL;
  *out_wrapped = key != NULL ? g_steal_pointer (&key->wrapped) : NULL;
  *out_kek = key != NULL ? g_steal_pointer (&key->kek) : NULL;
  foyer_svc_wrapped_key_free (key);
  return *out_wrapped != NULL;
}

int
foyer_svc_db_kms_key_created (FoyerSvcDb *db,
                              const char *key_id,
                              const char *resource_id,
                              gint64 *out_created,
                              GError **error)
{
  gint64 n = DB_RUN (db, Q_KMS_KEY_CREATED, _foyer_svc_db_first_int_cb, out_created, error,
                     V_TEXT (key_id), V_TEXT (resource_id));

  return n < 0 ? -1 : n > 0;
}

gint64
foyer_svc_db_kms_key_count (FoyerSvcDb *db, GError **error)
{
  return _foyer_svc_db_get_number (db, Q_KMS_KEY_COUNT, error);
}

GPtrArray *
foyer_svc_db_kms_keys_to_rewrap (FoyerSvcDb *db, const char *current, guint limit, GError **error)
{
  return DB_GET_ALL (db, Q_KMS_KEYS_TO_REWRAP, wrapped_key_from_row,
                     (GDestroyNotify) foyer_svc_wrapped_key_free, error, V_TEXT (current),
                     V_INT (limit));
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
