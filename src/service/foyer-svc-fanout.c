/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * PostgreSQL: cross-node fan-out. A thread of its own holds a connection
 * that LISTENs on foyer_events and foyer_sessions. Whenever any node
 * commits events (each batch NOTIFYs the spaces it touched and their
 * newest cursor), or this node's workers commit some (they poke the
 * reader, which saves the notification's trip), the reader reads the
 * rows after the last cursor it handed on, in cursor order, with the
 * members of their spaces, and gives them to the main loop to push. The
 * cursors have no gap and are given in commit order (foyer-svc-db-pg.c),
 * so reading "after N" never skips one: a node pushes every event once,
 * in order, whichever node wrote it.
 *
 * The members of a space are kept between reads and read again after any
 * event that changes them (member.added, member.removed, space.created),
 * in cursor order with the events themselves.
 *
 * foyer_sessions says that sessions ended on some node (or the CLI): the
 * node closes its WebSockets of them. While the connection is down,
 * notifications are lost: once it is back, the reader reads what it
 * missed and the node checks every WebSocket's session again.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define PAGE          500
#define MEMBERS_CACHE 20000

typedef enum
{
  NOTE_EVENTS,
  NOTE_SESSIONS,
  NOTE_RECHECK,
} NoteKind;

typedef struct
{
  NoteKind kind;
  GPtrArray *events;
  char *payload;
} Note;

struct _FoyerSvcFanout
{
  FoyerSvc *svc;
  char *url;
  GThread *thread;
  int wake_fd;
  gint stop;
  GAsyncQueue *notes; /* Note, for the main loop, in order */
  gint scheduled;
  /* reader thread only */
  FoyerSvcDb *db;
  gint64 position;
  GHashTable *members; /* space id → GStrv */
};

static void
note_free (Note *note)
{
  g_clear_pointer (&note->events, g_ptr_array_unref);
  g_free (note->payload);
  g_free (note);
}

/* ---- main loop ---- */

static gboolean
deliver_cb (gpointer user_data)
{
  FoyerSvcFanout *fanout = user_data;
  Note *note;

  g_atomic_int_set (&fanout->scheduled, 0);
  while ((note = g_async_queue_try_pop (fanout->notes)) != NULL)
    {
      FoyerSvc *svc = fanout->svc;

      switch (note->kind)
        {
        case NOTE_EVENTS:
          foyer_svc_events_push (svc, g_steal_pointer (&note->events));
          break;
        case NOTE_SESSIONS:
          /* "s <session id>" or "p <person id>" */
          if (note->payload[0] == 's' && note->payload[1] == ' ')
            {
              foyer_svc_tokens_forget (svc, note->payload + 2, NULL);
              foyer_svc_events_close_sessions (svc, note->payload + 2, NULL, "Signed out");
            }
          else if (note->payload[0] == 'p' && note->payload[1] == ' ')
            {
              foyer_svc_tokens_forget (svc, NULL, note->payload + 2);
              foyer_svc_events_close_sessions (svc, NULL, note->payload + 2,
                                               "Signed out by an administrator");
            }
          break;
        case NOTE_RECHECK:
          foyer_svc_events_recheck_sessions (svc);
          break;
        }
      note_free (note);
    }
  return G_SOURCE_REMOVE;
}

static void
send_note (FoyerSvcFanout *fanout, NoteKind kind, GPtrArray *events, const char *payload)
{
  Note *note = g_new0 (Note, 1);

  note->kind = kind;
  note->events = events;
  note->payload = g_strdup (payload);
  g_async_queue_push (fanout->notes, note);
  if (g_atomic_int_compare_and_exchange (&fanout->scheduled, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, deliver_cb, fanout, NULL);
}

/* ---- reader thread ---- */

static GStrv
members_of (FoyerSvcFanout *fanout, const char *space_id, GError **error)
{
  GStrv members = g_hash_table_lookup (fanout->members, space_id);
  g_autoptr (GPtrArray) ids = NULL;

  if (members != NULL)
    return members;
  if ((ids = foyer_svc_db_member_ids (fanout->db, space_id, error)) == NULL)
    return NULL;
  g_ptr_array_add (ids, NULL);
  members = (GStrv) g_ptr_array_steal (ids, NULL);
  if (g_hash_table_size (fanout->members) >= MEMBERS_CACHE)
    g_hash_table_remove_all (fanout->members);
  g_hash_table_insert (fanout->members, g_strdup (space_id), members);
  return members;
}

/* Reads every event after the position, a page at a time. FALSE when the
 * database failed (the position stays; the next read starts there). */
static gboolean
read_events (FoyerSvcFanout *fanout)
{
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GPtrArray) events
          = foyer_svc_db_events_after (fanout->db, fanout->position, PAGE, &error);
      guint n;
      gboolean complete = TRUE;

      if (events == NULL)
        {
          g_debug ("Reading events failed: %s", error->message);
          return FALSE;
        }
      n = events->len;
      for (guint i = 0; i < n; i++)
        {
          FoyerSvcEvent *event = g_ptr_array_index (events, i);
          GStrv members;

          if (g_str_has_prefix (event->type, "member.")
              || strcmp (event->type, "space.created") == 0)
            g_hash_table_remove (fanout->members, event->space_id);
          if ((members = members_of (fanout, event->space_id, &error)) == NULL)
            {
              g_debug ("Reading members failed: %s", error->message);
              /* Hand on what is complete; the rest comes next time. */
              g_ptr_array_set_size (events, i);
              complete = FALSE;
              break;
            }
          event->recipients = g_strdupv (members);
        }
      if (events->len > 0)
        {
          fanout->position
              = ((FoyerSvcEvent *) g_ptr_array_index (events, events->len - 1))->cursor;
          send_note (fanout, NOTE_EVENTS, g_steal_pointer (&events), NULL);
        }
      if (!complete)
        return FALSE;
      if (n < PAGE)
        return TRUE;
    }
}

static gboolean
take_notifications (FoyerSvcFanout *fanout, PGconn *conn)
{
  PGnotify *notify;
  gboolean events = FALSE;

  while ((notify = PQnotifies (conn)) != NULL)
    {
      if (strcmp (notify->relname, "foyer_events") == 0)
        events = events || g_ascii_strtoll (notify->extra, NULL, 10) > fanout->position;
      else if (strcmp (notify->relname, "foyer_sessions") == 0)
        send_note (fanout, NOTE_SESSIONS, NULL, notify->extra);
      PQfreemem (notify);
    }
  return events;
}

static gpointer
reader (gpointer user_data)
{
  FoyerSvcFanout *fanout = user_data;
  gboolean listening = FALSE, due = FALSE, was_connected = TRUE;

  while (!g_atomic_int_get (&fanout->stop))
    {
      g_autoptr (GError) error = NULL;
      PGconn *conn = foyer_svc_db_pg_get_conn (fanout->db, &error);
      struct pollfd fds[2] = { { fanout->wake_fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
      guint64 count;

      if (conn == NULL)
        {
          if (was_connected)
            g_warning ("The fan-out lost the database: %s", error->message);
          was_connected = FALSE;
          listening = FALSE;
          poll (fds, 1, 250);
          if (fds[0].revents & POLLIN)
            (void) !read (fanout->wake_fd, &count, sizeof count);
          continue;
        }
      if (!listening)
        {
          PGresult *result = PQexec (conn, "LISTEN foyer_events; LISTEN foyer_sessions");

          listening = PQresultStatus (result) == PGRES_COMMAND_OK;
          PQclear (result);
          if (!listening)
            continue;
          if (fanout->position < 0)
            {
              gint64 latest = foyer_svc_db_events_latest (fanout->db, NULL);

              if (latest < 0)
                {
                  listening = FALSE;
                  continue;
                }
              fanout->position = latest;
            }
          else
            {
              /* Back after an outage: what was missed, and the sessions
               * that may have ended meanwhile. */
              due = TRUE;
              send_note (fanout, NOTE_RECHECK, NULL, NULL);
            }
          if (!was_connected)
            g_message ("The fan-out is connected to the database again");
          was_connected = TRUE;
        }
      due = take_notifications (fanout, conn) || due;
      if (due)
        {
          due = !read_events (fanout);
          due = take_notifications (fanout, conn) || due;
        }
      fds[1].fd = PQsocket (conn);
      if (poll (fds, 2, due ? 100 : 1000) < 0 && errno != EINTR)
        continue;
      if (fds[0].revents & POLLIN)
        {
          (void) !read (fanout->wake_fd, &count, sizeof count);
          due = TRUE;
        }
      if ((fds[1].revents & (POLLIN | POLLERR | POLLHUP)) && !PQconsumeInput (conn))
        {
          listening = FALSE;
          continue;
        }
    }
  return NULL;
}

FoyerSvcFanout *
foyer_svc_fanout_new (FoyerSvc *svc, const char *url, GError **error)
{
  FoyerSvcFanout *fanout = g_new0 (FoyerSvcFanout, 1);

  fanout->svc = svc;
  fanout->url = g_strdup (url);
  fanout->position = -1;
  fanout->notes = g_async_queue_new_full ((GDestroyNotify) note_free);
  fanout->members
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_strfreev);
  fanout->db = foyer_svc_db_pg_new_lazy (url, FOYER_SVC_PART_CONVERSATION);
  fanout->wake_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fanout->wake_fd < 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "eventfd: %s",
                   g_strerror (errno));
      foyer_svc_fanout_free (fanout);
      return NULL;
    }
  fanout->thread = g_thread_new ("foyer-fanout", reader, fanout);
  return fanout;
}

void
foyer_svc_fanout_poke (FoyerSvcFanout *fanout)
{
  guint64 one = 1;

  (void) !write (fanout->wake_fd, &one, sizeof one);
}

void
foyer_svc_fanout_free (FoyerSvcFanout *fanout)
{
  if (fanout == NULL)
    return;
  if (fanout->thread != NULL)
    {
      g_atomic_int_set (&fanout->stop, TRUE);
      foyer_svc_fanout_poke (fanout);
      g_thread_join (fanout->thread);
    }
  while (g_idle_remove_by_data (fanout))
    ;
  g_async_queue_unref (fanout->notes);
  g_hash_table_unref (fanout->members);
  foyer_svc_db_close (fanout->db);
  if (fanout->wake_fd >= 0)
    close (fanout->wake_fd);
  g_free (fanout->url);
  g_free (fanout);
}
