/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * PostgreSQL: requests run on a few worker threads, each with a
 * connection of its own, so that no query ever runs on the main loop (a
 * slow one holds one worker, never the event loop nor the WebSockets).
 *
 * Group commit, as with SQLite: a worker takes every request waiting (up
 * to a batch), runs them in one transaction, each request's writes in a
 * savepoint of its own, and commits once; only then do the replies go, on
 * the main loop. Nothing is acknowledged before PostgreSQL has it on disk
 * (synchronous_commit = on for every connection). When the COMMIT fails,
 * or the connection is lost on the way (the outcome unknown), each reply
 * that said "done" says 503 instead: the clients retry, idempotently for
 * posts (clientMessageId).
 *
 * Requests of a batch run in the order of the space they name, so that
 * two batches (on two workers, or two nodes) take the rows of spaces in
 * the same order and never wait for each other in a circle.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <string.h>

#define MAX_BATCH 64

typedef struct
{
  FoyerSvcRequest *req;
  FoyerSvcWork work;
  FoyerSvcDone done;
} Job;

static Job stop_job;

struct _FoyerSvcPool
{
  FoyerSvc *svc;
  char *url;
  GAsyncQueue *queue; /* Job, &stop_job to stop a worker */
  GAsyncQueue *done;  /* Job, for the main loop */
  GPtrArray *threads;
  gint drain_scheduled;
  gint in_flight;
};

static gboolean
drain_cb (gpointer user_data)
{
  FoyerSvcPool *pool = user_data;
  Job *job;

  g_atomic_int_set (&pool->drain_scheduled, 0);
  while ((job = g_async_queue_try_pop (pool->done)) != NULL)
    {
      job->done (job->req);
      g_atomic_int_dec_and_test (&pool->in_flight);
      g_free (job);
    }
  return G_SOURCE_REMOVE;
}

static int
by_order_key (gconstpointer a, gconstpointer b)
{
  const Job *x = *(Job *const *) a, *y = *(Job *const *) b;

  return strcmp (x->req->order_key, y->req->order_key);
}

static void
run_batch (FoyerSvcPool *pool, FoyerSvcDb *db, GPtrArray *batch)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) events = NULL;
  FoyerSvc *svc = pool->svc;

  g_ptr_array_sort (batch, by_order_key);
  for (guint i = 0; i < batch->len; i++)
    {
      Job *job = g_ptr_array_index (batch, i);

      job->req->db = svc->conversation ? db : NULL;
      job->req->kms_db = svc->kms ? db : NULL;
      job->work (job->req);
      job->req->db = job->req->kms_db = NULL;
    }
  if (!foyer_svc_db_pg_finish_batch (db, &error))
    {
      g_warning ("A batch of %u requests was not stored: %s", batch->len, error->message);
      for (guint i = 0; i < batch->len; i++)
        {
          Job *job = g_ptr_array_index (batch, i);

          if (job->req->status / 100 == 2)
            {
              g_clear_pointer (&job->req->ended, g_ptr_array_unref);
              foyer_svc_respond_error (job->req, error);
            }
        }
    }
  /* The fan-out reads the rows (in cursor order, with the other nodes'). */
  events = foyer_svc_db_take_committed (db);
  if (events != NULL && events->len > 0 && svc->fanout != NULL)
    foyer_svc_fanout_poke (svc->fanout);
  for (guint i = 0; i < batch->len; i++)
    g_async_queue_push (pool->done, g_ptr_array_index (batch, i));
  if (g_atomic_int_compare_and_exchange (&pool->drain_scheduled, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, drain_cb, pool, NULL);
}

static gpointer
worker (gpointer user_data)
{
  FoyerSvcPool *pool = user_data;
  FoyerSvcPart parts = (pool->svc->conversation ? FOYER_SVC_PART_CONVERSATION : 0)
                       | (pool->svc->kms ? FOYER_SVC_PART_KMS : 0);
  FoyerSvcDb *db = foyer_svc_db_pg_new_lazy (pool->url, parts);
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  gboolean stopping = FALSE;

  foyer_svc_db_pg_set_batched (db, TRUE);
  while (!stopping)
    {
      Job *job = g_async_queue_pop (pool->queue);

      if (job == &stop_job)
        break;
      g_ptr_array_add (batch, job);
      while (batch->len < MAX_BATCH && (job = g_async_queue_try_pop (pool->queue)) != NULL)
        {
          if (job == &stop_job)
            {
              stopping = TRUE;
              break;
            }
          g_ptr_array_add (batch, job);
        }
      run_batch (pool, db, batch);
      g_ptr_array_set_size (batch, 0);
    }
  foyer_svc_db_close (db);
  return NULL;
}

FoyerSvcPool *
foyer_svc_pool_new (FoyerSvc *svc, const char *url, guint connections)
{
  FoyerSvcPool *pool = g_new0 (FoyerSvcPool, 1);

  pool->svc = svc;
  pool->url = g_strdup (url);
  pool->queue = g_async_queue_new ();
  pool->done = g_async_queue_new ();
  pool->threads = g_ptr_array_new ();
  for (guint i = 0; i < MAX (connections, 1); i++)
    g_ptr_array_add (pool->threads, g_thread_new ("foyer-db", worker, pool));
  return pool;
}

void
foyer_svc_pool_run (FoyerSvcPool *pool, FoyerSvcRequest *req, FoyerSvcWork work, FoyerSvcDone done)
{
  Job *job = g_new0 (Job, 1);

  job->req = req;
  job->work = work;
  job->done = done;
  g_atomic_int_inc (&pool->in_flight);
  g_async_queue_push (pool->queue, job);
}

/* The requests in flight finish (and their replies are set) first. */
void
foyer_svc_pool_free (FoyerSvcPool *pool)
{
  if (pool == NULL)
    return;
  for (guint i = 0; i < pool->threads->len; i++)
    g_async_queue_push (pool->queue, &stop_job);
  for (guint i = 0; i < pool->threads->len; i++)
    g_thread_join (g_ptr_array_index (pool->threads, i));
  while (g_idle_remove_by_data (pool))
    ;
  drain_cb (pool);
  /* Jobs queued behind the stops never ran: they are refused. */
  {
    Job *job;

    while ((job = g_async_queue_try_pop (pool->queue)) != NULL)
      if (job != &stop_job)
        {
          foyer_svc_respond_error_literal (job->req, FOYER_SVC_ERROR_BUSY,
                                           "The service is stopping; try again");
          job->done (job->req);
          g_free (job);
        }
  }
  g_async_queue_unref (pool->queue);
  g_async_queue_unref (pool->done);
  g_ptr_array_unref (pool->threads);
  g_free (pool->url);
  g_free (pool);
}
