/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SQLite: running requests on the main loop, and group commit.
 *
 * Every acknowledged write must be on disk (synchronous = FULL), and an
 * fsync costs milliseconds: one COMMIT per post would cap the service at a
 * few hundred posts a second. While the service serves, the writes of all
 * the requests handled in one turn of the main loop share one transaction:
 * each request's unit of work is a savepoint of its own (so a failed one
 * rolls back alone), the transaction commits once at the end of the turn,
 * and only then are the replies of that turn released and their events
 * pushed to the listeners, in that order: the poster hears back before the
 * service writes to a thousand sockets. Nothing is acknowledged before it
 * is durable; if the COMMIT fails, every request of the turn gets the
 * error instead of its reply. Under no load a turn holds one request, and
 * nothing waits longer than it did.
 *
 * PostgreSQL runs requests on worker threads instead (foyer-svc-pool.c),
 * with the same promise.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <sqlite3.h>
#include <string.h>

typedef struct
{
  FoyerSvcRequest *req;
  FoyerSvcDone done;
} Held;

struct _FoyerSvcGroup
{
  FoyerSvc *svc;
  GSource *source;
  GArray *held;  /* Held: replies waiting for the COMMIT */
  GQueue pushes; /* GPtrArray of events, committed, to push */
  guint push_id;
  FoyerSvcGroupStats stats;
};

static gboolean
push_cb (gpointer user_data)
{
  FoyerSvcGroup *group = user_data;
  GPtrArray *events;

  group->push_id = 0;
  while ((events = g_queue_pop_head (&group->pushes)) != NULL)
    foyer_svc_events_push (group->svc, events);
  return G_SOURCE_REMOVE;
}

/* Lets the held replies go; with an error, those that said the request
 * succeeded say the error instead (a refusal stays as it was). */
static void
release_replies (FoyerSvcGroup *group, const GError *error)
{
  g_autoptr (GArray) held = g_steal_pointer (&group->held);

  group->held = g_array_new (FALSE, FALSE, sizeof (Held));
  for (guint i = 0; i < held->len; i++)
    {
      Held *h = &g_array_index (held, Held, i);

      if (error != NULL && h->req->status / 100 == 2)
        {
          g_clear_pointer (&h->req->ended, g_ptr_array_unref);
          foyer_svc_respond_error (h->req, error);
        }
      h->done (h->req);
    }
}

/* On some errors (a full disk, I/O) SQLite rolls the whole transaction
 * back by itself: what the turn's earlier requests wrote is gone, so
 * their replies say so, and the next request starts a new turn. */
static gboolean
group_lost (FoyerSvcGroup *group)
{
  g_autoptr (GError) error = NULL;
  int cause = foyer_svc_db_sqlite_group_lost (group->svc->db);

  if (cause == SQLITE_OK)
    return FALSE;
  if (cause == SQLITE_FULL)
    error = g_error_new_literal (FOYER_SVC_ERROR, FOYER_SVC_ERROR_STORAGE_FULL,
                                 "The service's storage is full, so nothing was saved; try again "
                                 "later");
  else
    error = g_error_new_literal (FOYER_SVC_ERROR, FOYER_SVC_ERROR_BUSY,
                                 "The service could not save this; try again");
  g_warning ("A transaction was rolled back by SQLite (%s); %u replies say so",
             sqlite3_errstr (cause), group->held->len);
  release_replies (group, error);
  return TRUE;
}

/* Commits the turn's transaction, then lets its replies go, then (in a
 * later source, after libsoup has written the replies) its events. */
static void
group_commit (FoyerSvcGroup *group)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  FoyerSvcDb *db = group->svc->db;

  if (!foyer_svc_db_sqlite_group_pending (db) || group_lost (group))
    return;
  group->stats.commits++;
  group->stats.requests += group->held->len;
  if (!foyer_svc_db_sqlite_group_commit (db, &error))
    {
      g_warning ("A group commit failed: %s", error->message);
      release_replies (group, error);
      return;
    }
  events = foyer_svc_db_take_committed (db);
  release_replies (group, NULL);
  if (events != NULL && events->len > 0)
    {
      g_queue_push_tail (&group->pushes, g_steal_pointer (&events));
      if (group->push_id == 0)
        group->push_id = g_idle_add_full (G_PRIORITY_DEFAULT, push_cb, group, NULL);
    }
}

static gboolean
group_prepare (GSource *source, int *timeout)
{
  FoyerSvcGroup *group = *(FoyerSvcGroup **) (source + 1);

  *timeout = -1;
  return foyer_svc_db_sqlite_group_pending (group->svc->db);
}

static gboolean
group_check (GSource *source)
{
  FoyerSvcGroup *group = *(FoyerSvcGroup **) (source + 1);

  return foyer_svc_db_sqlite_group_pending (group->svc->db);
}

static gboolean
group_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  group_commit (*(FoyerSvcGroup **) (source + 1));
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs group_funcs = { group_prepare, group_check, group_dispatch, NULL, NULL, NULL };

void
foyer_svc_group_start (FoyerSvc *svc)
{
  FoyerSvcGroup *group = g_new0 (FoyerSvcGroup, 1);

  group->svc = svc;
  group->held = g_array_new (FALSE, FALSE, sizeof (Held));
  g_queue_init (&group->pushes);
  /* Same priority as the sockets: a busy service cannot starve it. */
  group->source = g_source_new (&group_funcs, sizeof (GSource) + sizeof (FoyerSvcGroup *));
  *(FoyerSvcGroup **) (group->source + 1) = group;
  g_source_set_priority (group->source, G_PRIORITY_DEFAULT);
  g_source_set_name (group->source, "foyer-service group commit");
  g_source_attach (group->source, NULL);
  foyer_svc_db_sqlite_set_grouped (svc->db, TRUE);
  svc->group = group;
}

/* Runs a request now. Its reply waits for the turn's COMMIT when the
 * turn's transaction is open: it may have written, or read what others
 * wrote. */
void
foyer_svc_group_run (FoyerSvc *svc, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done)
{
  FoyerSvcGroup *group = svc->group;
  Held held = { req, done };

  req->db = svc->db;
  req->kms_db = svc->kms_db;
  if (group != NULL && svc->db != NULL)
    group_lost (group);
  work (req);
  if (svc->db != NULL && foyer_svc_db_sqlite_in_unit (svc->db))
    {
      g_critical ("A handler left its unit of work open");
      foyer_svc_rollback (svc->db);
    }
  if (group == NULL || svc->db == NULL || !foyer_svc_db_sqlite_group_pending (svc->db))
    {
      /* Outside serve (or nothing open): what it wrote is committed. */
      GPtrArray *events = svc->db != NULL ? foyer_svc_db_take_committed (svc->db) : NULL;

      done (req);
      foyer_svc_events_push (svc, events);
      return;
    }
  g_array_append_val (group->held, held);
}

/* Commits what is pending and pushes its events now: for a stop. */
void
foyer_svc_group_finish (FoyerSvc *svc)
{
  FoyerSvcGroup *group = svc->group;

  if (group == NULL)
    return;
  group_commit (group);
  g_clear_handle_id (&group->push_id, g_source_remove);
  push_cb (group);
}

void
foyer_svc_group_free (FoyerSvcGroup *group)
{
  if (group == NULL)
    return;
  g_source_destroy (group->source);
  g_source_unref (group->source);
  g_clear_handle_id (&group->push_id, g_source_remove);
  g_queue_clear_full (&group->pushes, (GDestroyNotify) g_ptr_array_unref);
  g_array_unref (group->held);
  g_free (group);
}

void
foyer_svc_group_get_stats (FoyerSvc *svc, FoyerSvcGroupStats *out)
{
  if (svc->group != NULL)
    *out = svc->group->stats;
  else
    memset (out, 0, sizeof *out);
}

/* ---- Where requests run ---- */

void
foyer_svc_execute (FoyerSvc *svc, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done)
{
  if (svc->pool != NULL)
    foyer_svc_pool_run (svc->pool, req, work, done);
  else
    foyer_svc_group_run (svc, req, work, done);
}

gboolean
foyer_svc_begin (FoyerSvcDb *db, GError **error)
{
  return foyer_svc_db_begin (db, error);
}

gboolean
foyer_svc_commit (FoyerSvcDb *db, GError **error)
{
  return foyer_svc_db_commit (db, error);
}

void
foyer_svc_rollback (FoyerSvcDb *db)
{
  foyer_svc_db_rollback (db);
}
