/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-keyring"

#include "config.h"

#include "foyer-keyring-queue.h"

static GQueue operations = G_QUEUE_INIT;
static gboolean operation_running;

static void
run_next (void)
{
  GTask *task;
  FoyerKeyringStart start;

  if (operation_running || (task = g_queue_pop_head (&operations)) == NULL)
    return;
  operation_running = TRUE;
  start = (FoyerKeyringStart) g_object_get_data (G_OBJECT (task), "foyer-keyring-start");
  start (task);
}

void
foyer_keyring_queue_push (GTask *task, FoyerKeyringStart start)
{
  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (start != NULL);

  g_object_set_data (G_OBJECT (task), "foyer-keyring-start", start);
  g_queue_push_tail (&operations, task);
  run_next ();
}

void
foyer_keyring_queue_done (void)
{
  g_return_if_fail (operation_running);

  operation_running = FALSE;
  run_next ();
}
