/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-store.h"
#include "foyer-store-private.h"

/* Asynchronous calls: one worker thread per store runs them in order. */

typedef enum
{
  OP_PUT,
  OP_GET,
  OP_DELETE,
  OP_LIST,
  OP_TRIM,
  OP_WIPE,
  OP_BARRIER,
} OpKind;

typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean reached;
} Barrier;

typedef struct
{
  OpKind kind;
  char *ns;
  char *key;
  GBytes *value;
  guint64 max_bytes;
  Barrier *barrier;
} Op;

static void
op_free (Op *op)
{
  g_free (op->ns);
  g_free (op->key);
  g_clear_pointer (&op->value, g_bytes_unref);
  g_free (op);
}

void
_foyer_store_worker_run (gpointer data, gpointer user_data)
{
  g_autoptr (GTask) task = data;
  FoyerStore *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;
  gpointer result;
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return;

  switch (op->kind)
    {
    case OP_GET:
      result = foyer_store_get (self, op->ns, op->key, &error);
      if (error != NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, (GDestroyNotify) g_bytes_unref);
      return;
    case OP_LIST:
      result = foyer_store_list (self, op->ns, &error);
      if (result == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
      return;
    case OP_PUT:
      ok = foyer_store_put (self, op->ns, op->key, op->value, &error);
      break;
    case OP_DELETE:
      ok = foyer_store_delete (self, op->ns, op->key, &error);
      break;
    case OP_TRIM:
      ok = foyer_store_trim (self, op->ns, op->max_bytes, &error);
      break;
    case OP_WIPE:
      ok = foyer_store_wipe (self, &error);
      break;
    case OP_BARRIER:
      g_mutex_lock (&op->barrier->mutex);
      op->barrier->reached = TRUE;
      g_cond_signal (&op->barrier->cond);
      g_mutex_unlock (&op->barrier->mutex);
      ok = TRUE;
      break;
    default:
      g_assert_not_reached ();
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Blocks until every operation queued so far has run. For the end of the
 * program: no worker may still be using OpenSSL or SQLite while the
 * process exits. Not to be called from the store's own worker. */
void
foyer_store_drain (FoyerStore *self)
{
  Barrier barrier = { 0 };
  GTask *task;
  Op *op;

  g_return_if_fail (FOYER_IS_STORE (self));

  g_mutex_init (&barrier.mutex);
  g_cond_init (&barrier.cond);
  op = g_new0 (Op, 1);
  op->kind = OP_BARRIER;
  op->barrier = &barrier;
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, foyer_store_drain);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  if (g_thread_pool_push (_foyer_store_get_worker (self), task, NULL))
    {
      g_mutex_lock (&barrier.mutex);
      while (!barrier.reached)
        g_cond_wait (&barrier.cond, &barrier.mutex);
      g_mutex_unlock (&barrier.mutex);
    }
  else
    g_object_unref (task);
  g_mutex_clear (&barrier.mutex);
  g_cond_clear (&barrier.cond);
}

static void
queue_op (FoyerStore *self,
          Op *op,
          gpointer source_tag,
          GCancellable *cancellable,
          GAsyncReadyCallback callback,
          gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  if (!g_thread_pool_push (_foyer_store_get_worker (self), task, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
    }
}

static Op *
op_new (OpKind kind, const char *ns, const char *key, GBytes *value)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->ns = g_strdup (ns);
  op->key = g_strdup (key);
  op->value = value != NULL ? g_bytes_ref (value) : NULL;

  return op;
}

/* Every _finish checks that result is the store's answer to its own
 * _async call, then takes what the worker returned. */
static gboolean
op_finish_boolean (FoyerStore *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gpointer
op_finish_pointer (FoyerStore *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
foyer_store_put_async (FoyerStore *self,
                       const char *ns,
                       const char *key,
                       GBytes *value,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (FOYER_IS_STORE (self));
  g_return_if_fail (ns != NULL && *ns != '\0' && key != NULL && value != NULL);

  queue_op (self, op_new (OP_PUT, ns, key, value), foyer_store_put_async, cancellable, callback,
            user_data);
}

gboolean
foyer_store_put_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_boolean (self, result, foyer_store_put_async, error);
}

void
foyer_store_get_async (FoyerStore *self,
                       const char *ns,
                       const char *key,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_return_if_fail (FOYER_IS_STORE (self));
  g_return_if_fail (ns != NULL && *ns != '\0' && key != NULL);

  queue_op (self, op_new (OP_GET, ns, key, NULL), foyer_store_get_async, cancellable, callback,
            user_data);
}

/* NULL without an error when there is no such record. */
GBytes *
foyer_store_get_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_pointer (self, result, foyer_store_get_async, error);
}

void
foyer_store_delete_async (FoyerStore *self,
                          const char *ns,
                          const char *key,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_return_if_fail (FOYER_IS_STORE (self));
  g_return_if_fail (ns != NULL && *ns != '\0' && key != NULL);

  queue_op (self, op_new (OP_DELETE, ns, key, NULL), foyer_store_delete_async, cancellable,
            callback, user_data);
}

gboolean
foyer_store_delete_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_boolean (self, result, foyer_store_delete_async, error);
}

void
foyer_store_list_async (FoyerStore *self,
                        const char *ns,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_return_if_fail (FOYER_IS_STORE (self));
  g_return_if_fail (ns != NULL && *ns != '\0');

  queue_op (self, op_new (OP_LIST, ns, NULL, NULL), foyer_store_list_async, cancellable, callback,
            user_data);
}

GPtrArray *
foyer_store_list_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_pointer (self, result, foyer_store_list_async, error);
}

void
foyer_store_trim_async (FoyerStore *self,
                        const char *ns,
                        guint64 max_bytes,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  Op *op;

  g_return_if_fail (FOYER_IS_STORE (self));
  g_return_if_fail (ns != NULL && *ns != '\0');

  op = op_new (OP_TRIM, ns, NULL, NULL);
  op->max_bytes = max_bytes;
  queue_op (self, op, foyer_store_trim_async, cancellable, callback, user_data);
}

gboolean
foyer_store_trim_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_boolean (self, result, foyer_store_trim_async, error);
}

void
foyer_store_wipe_async (FoyerStore *self,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  g_return_if_fail (FOYER_IS_STORE (self));

  queue_op (self, op_new (OP_WIPE, NULL, NULL, NULL), foyer_store_wipe_async, cancellable, callback,
            user_data);
}

gboolean
foyer_store_wipe_finish (FoyerStore *self, GAsyncResult *result, GError **error)
{
  return op_finish_boolean (self, result, foyer_store_wipe_async, error);
}
