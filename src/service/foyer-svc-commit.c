/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Transactions of the conversation database, and group commit.
 *
 * Every acknowledged write must be on disk (synchronous = FULL), and an
 * fsync costs milliseconds: one COMMIT per post would cap the service at a
 * few hundred posts a second. While the service serves, the writes of all
 * the requests handled in one turn of the main loop share one transaction:
 * each request runs in a savepoint of its own (so a failed request rolls
 * back alone), the transaction commits once at the end of the turn, and
 * only then are the replies of that turn released and their events pushed
 * to the listeners, in that order: the poster hears back before the
 * service writes to a thousand sockets. Nothing is acknowledged before it
 * is durable; if the COMMIT fails, every request of the turn gets the
 * error instead of its reply. Under no load a turn holds one request, and
 * nothing waits longer than it did.
 *
 * Outside serve (the admin CLI), foyer_svc_begin/commit are plain
 * BEGIN IMMEDIATE/COMMIT.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <string.h>

struct _FoyerSvcGroup
{
  FoyerSvc *svc;
  GSource *source;
  gboolean open;         /* BEGIN IMMEDIATE done, COMMIT due */
  gboolean in_savepoint; /* a request's writes are under way */
  GPtrArray *events;     /* of the requests done in this transaction */
  GPtrArray *held;       /* SoupServerMessage: replies waiting for the COMMIT */
  GQueue pushes;         /* GPtrArray of events, committed, to push */
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
  g_autoptr (GPtrArray) held = g_steal_pointer (&group->held);

  group->held = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (held, i);

      if (!foyer_svc_http_is_connected (msg))
        continue;
      if (error != NULL && soup_server_message_get_status (msg) / 100 == 2)
        {
          soup_server_message_set_response (msg, NULL, SOUP_MEMORY_STATIC, NULL, 0);
          foyer_svc_respond_error (msg, error);
        }
      soup_server_message_unpause (msg);
    }
}

/* On some errors (a full disk, I/O) SQLite rolls the whole transaction
 * back by itself: what the turn's earlier requests wrote is gone, so
 * their replies say so, and the next request starts a new turn. */
static gboolean
group_lost (FoyerSvcGroup *group, int cause)
{
  g_autoptr (GError) error = NULL;

  if (!group->open || !sqlite3_get_autocommit (group->svc->db))
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
  group->open = FALSE;
  group->in_savepoint = FALSE;
  g_clear_pointer (&group->events, g_ptr_array_unref);
  release_replies (group, error);
  return TRUE;
}

/* Commits the turn's transaction, then lets its replies go, then (in a
 * later source, after libsoup has written the replies) its events. */
static void
group_commit (FoyerSvcGroup *group)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = g_steal_pointer (&group->events);

  if (!group->open || group_lost (group, sqlite3_extended_errcode (group->svc->db) & 0xff))
    return;
  group->open = FALSE;
  group->stats.commits++;
  group->stats.requests += group->held->len;
  if (!foyer_svc_store_exec (group->svc->db, "COMMIT", &error))
    {
      foyer_svc_store_exec (group->svc->db, "ROLLBACK", NULL);
      g_warning ("A group commit failed: %s", error->message);
      release_replies (group, error);
      return;
    }
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
  return group->open && !group->in_savepoint;
}

static gboolean
group_check (GSource *source)
{
  FoyerSvcGroup *group = *(FoyerSvcGroup **) (source + 1);

  return group->open && !group->in_savepoint;
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
  group->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&group->pushes);
  /* Same priority as the sockets: a busy service cannot starve it. */
  group->source = g_source_new (&group_funcs, sizeof (GSource) + sizeof (FoyerSvcGroup *));
  *(FoyerSvcGroup **) (group->source + 1) = group;
  g_source_set_priority (group->source, G_PRIORITY_DEFAULT);
  g_source_set_name (group->source, "foyer-service group commit");
  g_source_attach (group->source, NULL);
  svc->group = group;
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
  g_clear_pointer (&group->events, g_ptr_array_unref);
  g_ptr_array_unref (group->held);
  g_free (group);
}

/* A request was handled while the turn's transaction is open: it may have
 * written, or read what others wrote, so its reply waits for the COMMIT.
 * (A reply not set yet — a sign-in still hashing, a WebSocket — is not
 * held.) */
void
foyer_svc_group_hold (FoyerSvc *svc, SoupServerMessage *msg)
{
  FoyerSvcGroup *group = svc->group;

  if (group == NULL || !group->open || soup_server_message_get_status (msg) == 0)
    return;
  soup_server_message_pause (msg);
  g_ptr_array_add (group->held, g_object_ref (msg));
}

void
foyer_svc_group_get_stats (FoyerSvc *svc, FoyerSvcGroupStats *out)
{
  if (svc->group != NULL)
    *out = svc->group->stats;
  else
    memset (out, 0, sizeof *out);
}

gboolean
foyer_svc_begin (FoyerSvc *svc, GError **error)
{
  FoyerSvcGroup *group = svc->group;

  if (group == NULL)
    return foyer_svc_store_exec (svc->db, "BEGIN IMMEDIATE", error);
  g_assert (!group->in_savepoint);
  group_lost (group, sqlite3_extended_errcode (svc->db) & 0xff);
  if (!group->open)
    {
      if (!foyer_svc_store_exec (svc->db, "BEGIN IMMEDIATE", error))
        return FALSE;
      group->open = TRUE;
    }
  if (!foyer_svc_store_exec (svc->db, "SAVEPOINT request", error))
    return FALSE;
  group->in_savepoint = TRUE;
  return TRUE;
}

/* The request's writes join the turn's transaction; its events are
 * pushed once that commits. */
gboolean
foyer_svc_commit (FoyerSvc *svc, GError **error)
{
  FoyerSvcGroup *group = svc->group;
  g_autoptr (GPtrArray) events = NULL;

  if (group == NULL)
    {
      if (!foyer_svc_store_exec (svc->db, "COMMIT", error))
        {
          foyer_svc_rollback (svc);
          return FALSE;
        }
      foyer_svc_events_flush (svc);
      return TRUE;
    }
  if (!foyer_svc_store_exec (svc->db, "RELEASE request", error))
    {
      foyer_svc_rollback (svc);
      return FALSE;
    }
  group->in_savepoint = FALSE;
  events = foyer_svc_events_take (svc);
  if (events == NULL)
    return TRUE;
  if (group->events == NULL)
    group->events = g_steal_pointer (&events);
  else
    g_ptr_array_extend_and_steal (group->events, g_steal_pointer (&events));
  return TRUE;
}

void
foyer_svc_rollback (FoyerSvc *svc)
{
  FoyerSvcGroup *group = svc->group;

  int cause = sqlite3_extended_errcode (svc->db) & 0xff;

  if (group == NULL)
    foyer_svc_store_exec (svc->db, "ROLLBACK", NULL);
  else if (group->in_savepoint && !group_lost (group, cause))
    {
      foyer_svc_store_exec (svc->db, "ROLLBACK TO request", NULL);
      foyer_svc_store_exec (svc->db, "RELEASE request", NULL);
      group->in_savepoint = FALSE;
    }
  foyer_svc_events_discard (svc);
}
