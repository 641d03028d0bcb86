/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * People and their sessions, in the storage interface (foyer-svc-db.h).
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

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
static gpointer
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

FoyerSvcPerson *
foyer_svc_db_person_get (FoyerSvcDb *db, const char *id, GError **error)
{
  return DB_GET_ONE (db, Q_PERSON_GET, person_from_row, error, V_TEXT (id));
}

GPtrArray *
foyer_svc_db_people_by_email (FoyerSvcDb *db, const char *email, GError **error)
{
  return DB_GET_ALL (db, Q_PERSON_BY_EMAIL, person_from_row, (GDestroyNotify) foyer_svc_person_free,
                     error, V_TEXT (email));
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
  return _foyer_svc_db_get_all (db, Q_PERSON_LIST, NULL, 0, person_from_row,
                                (GDestroyNotify) foyer_svc_person_free, error);
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
  return DB_GET_ALL (db, Q_PERSON_SPACE_IDS, _foyer_svc_db_text_from_row, g_free, error,
                     V_TEXT (person_id));
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
