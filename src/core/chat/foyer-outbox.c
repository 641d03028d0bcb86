/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-chat"

#include "config.h"

#include "foyer-outbox.h"

#include "foyer-json-request.h"
#include "foyer-json.h"

typedef struct
{
  char *space_id;
  char *client_message_id;
  char *key_uri;
  char *body;
  GStrv attachments;
} Pending;

struct _FoyerOutbox
{
  GObject parent_instance;

  FoyerChatClient *client;
  GQueue queue; /* Pending */
  GQueue held;  /* Pending that failed, kept for foyer_outbox_retry () */
  GCancellable *cancellable;
  gboolean sending;
  guint retry_source;
  guint attempts;
  guint initial_delay_ms;
  guint max_delay_ms;
  guint max_attempts; /* 0: retry until it goes through */
  FoyerEventStream *stream;
  gulong stream_handler;
};

enum
{
  SIGNAL_SENT,
  SIGNAL_FAILED,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (FoyerOutbox, foyer_outbox, G_TYPE_OBJECT)

static void send_next (FoyerOutbox *self);

static void
pending_free (Pending *pending)
{
  g_free (pending->space_id);
  g_free (pending->client_message_id);
  g_free (pending->key_uri);
  g_free (pending->body);
  g_strfreev (pending->attachments);
  g_free (pending);
}

static void
foyer_outbox_dispose (GObject *object)
{
  FoyerOutbox *self = FOYER_OUTBOX (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  if (self->stream != NULL)
    g_clear_signal_handler (&self->stream_handler, self->stream);
  g_clear_object (&self->stream);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (foyer_outbox_parent_class)->dispose (object);
}

static void
foyer_outbox_finalize (GObject *object)
{
  FoyerOutbox *self = FOYER_OUTBOX (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) pending_free);
  g_queue_clear_full (&self->held, (GDestroyNotify) pending_free);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (foyer_outbox_parent_class)->finalize (object);
}

static void
foyer_outbox_class_init (FoyerOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_outbox_dispose;
  object_class->finalize = foyer_outbox_finalize;

  /* (client_message_id, reply {id, seq, created, authorId}) */
  signals[SIGNAL_SENT]
      = g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_NODE);
  /* (client_message_id, error): the service refused it, or could not be
   * reached within the attempts allowed. The message is held, with its
   * clientMessageId, until foyer_outbox_retry () or _discard (). */
  signals[SIGNAL_FAILED]
      = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_ERROR);
  /* The queue changed: save foyer_outbox_dump () if it is persisted. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
foyer_outbox_init (FoyerOutbox *self)
{
  g_queue_init (&self->queue);
  g_queue_init (&self->held);
  self->cancellable = g_cancellable_new ();
  self->initial_delay_ms = 1000;
  self->max_delay_ms = 60000;
}

FoyerOutbox *
foyer_outbox_new (FoyerChatClient *client)
{
  FoyerOutbox *self;

  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (client), NULL);

  self = g_object_new (FOYER_TYPE_OUTBOX, NULL);
  self->client = g_object_ref (client);
  return self;
}

guint
foyer_outbox_get_pending_count (FoyerOutbox *self)
{
  g_return_val_if_fail (FOYER_IS_OUTBOX (self), 0);
  return self->queue.length;
}

void
foyer_outbox_set_retry_delay (FoyerOutbox *self, guint initial_ms, guint max_ms)
{
  g_return_if_fail (FOYER_IS_OUTBOX (self));

  self->initial_delay_ms = MAX (initial_ms, 1);
  self->max_delay_ms = MAX (max_ms, self->initial_delay_ms);
}

static gboolean
retry_cb (gpointer user_data)
{
  FoyerOutbox *self = user_data;

  self->retry_source = 0;
  send_next (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (FoyerOutbox *self)
{
  guint64 delay = self->initial_delay_ms;

  for (guint i = 0; i < self->attempts && delay < self->max_delay_ms; i++)
    delay *= 2;
  self->attempts++;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add ((guint) MIN (delay, self->max_delay_ms), retry_cb, self);
}

void
foyer_outbox_set_max_attempts (FoyerOutbox *self, guint max_attempts)
{
  g_return_if_fail (FOYER_IS_OUTBOX (self));

  self->max_attempts = max_attempts;
}

static void
hold (FoyerOutbox *self, Pending *pending, const GError *error)
{
  g_queue_push_tail (&self->held, pending);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, pending->client_message_id, error);
}

static void
post_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FoyerOutbox *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply = NULL;
  Pending *head;

  reply = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->sending = FALSE;
  head = g_queue_peek_head (&self->queue);

  if (reply == NULL
      && (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NETWORK)
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER)
          || g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED)))
    {
      Pending *pending;

      /* Kept, and tried again later (or at once when the stream is back). */
      if (self->max_attempts == 0 || self->attempts + 1 < self->max_attempts)
        {
          schedule_retry (self);
          return;
        }
      /* Given up: what waits behind it would fail the same way, in order. */
      self->attempts = 0;
      while ((pending = g_queue_pop_head (&self->queue)) != NULL)
        hold (self, pending, error);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return;
    }

  g_queue_pop_head (&self->queue);
  self->attempts = 0;
  if (reply != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_SENT], 0, head->client_message_id, reply);
      pending_free (head);
    }
  else
    hold (self, head, error);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  send_next (self);
}

static void
send_next (FoyerOutbox *self)
{
  Pending *head = g_queue_peek_head (&self->queue);

  if (head == NULL || self->sending)
    return;
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->sending = TRUE;
  foyer_chat_client_post_message_async (
      self->client, head->space_id, head->client_message_id, head->key_uri, head->body,
      (const char *const *) head->attachments, self->cancellable, post_cb, self);
}

static void
enqueue (FoyerOutbox *self,
         const char *space_id,
         const char *client_message_id,
         const char *key_uri,
         const char *body,
         const char *const *attachments)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->space_id = g_strdup (space_id);
  pending->client_message_id = g_strdup (client_message_id);
  pending->key_uri = g_strdup (key_uri);
  pending->body = g_strdup (body);
  pending->attachments = g_strdupv ((char **) attachments);
  g_queue_push_tail (&self->queue, pending);
}

char *
foyer_outbox_post (FoyerOutbox *self,
                   const char *space_id,
                   const char *key_uri,
                   const char *body_jwe,
                   const char *const *attachment_refs)
{
  char *id;

  g_return_val_if_fail (FOYER_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (space_id != NULL && key_uri != NULL && body_jwe != NULL, NULL);

  id = foyer_chat_new_client_message_id ();
  enqueue (self, space_id, id, key_uri, body_jwe, attachment_refs);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  send_next (self);
  return id;
}

static GList *
find_held (FoyerOutbox *self, const char *client_message_id)
{
  for (GList *l = self->held.head; l != NULL; l = l->next)
    if (g_strcmp0 (((Pending *) l->data)->client_message_id, client_message_id) == 0)
      return l;
  return NULL;
}

/* Queues a held message again with the same clientMessageId, so that the
 * service answers with the message it stored if an earlier attempt did
 * reach it (the reply was lost): nothing is posted twice. */
gboolean
foyer_outbox_retry (FoyerOutbox *self, const char *client_message_id)
{
  GList *link;

  g_return_val_if_fail (FOYER_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (client_message_id != NULL, FALSE);

  link = find_held (self, client_message_id);
  if (link == NULL)
    return FALSE;
  g_queue_unlink (&self->held, link);
  g_queue_push_tail_link (&self->queue, link);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  if (!self->sending)
    self->attempts = 0;
  send_next (self);
  return TRUE;
}

/* Forgets a held or queued message (it was stored after all, or is given
 * up). One on the wire cannot be recalled: FALSE, and its reply comes. */
gboolean
foyer_outbox_discard (FoyerOutbox *self, const char *client_message_id)
{
  GList *link;

  g_return_val_if_fail (FOYER_IS_OUTBOX (self), FALSE);

  if (client_message_id == NULL)
    return FALSE;
  if ((link = find_held (self, client_message_id)) != NULL)
    {
      pending_free (link->data);
      g_queue_delete_link (&self->held, link);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return TRUE;
    }
  for (link = self->queue.head; link != NULL; link = link->next)
    if (g_strcmp0 (((Pending *) link->data)->client_message_id, client_message_id) == 0)
      break;
  if (link == NULL || (link == self->queue.head && self->sending))
    return FALSE;
  if (link == self->queue.head)
    {
      /* Its retry is due no more: the next one goes now. */
      g_clear_handle_id (&self->retry_source, g_source_remove);
      self->attempts = 0;
    }
  pending_free (link->data);
  g_queue_delete_link (&self->queue, link);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  send_next (self);
  return TRUE;
}

/* Tries now instead of waiting for the next retry. */
void
foyer_outbox_flush (FoyerOutbox *self)
{
  g_return_if_fail (FOYER_IS_OUTBOX (self));

  self->attempts = 0;
  send_next (self);
}

static void
stream_connected_cb (FoyerEventStream *stream, GParamSpec *pspec, gpointer user_data)
{
  if (foyer_event_stream_get_connected (stream))
    foyer_outbox_flush (FOYER_OUTBOX (user_data));
}

/* The stream coming back is the sign that the service can be reached. */
void
foyer_outbox_watch_stream (FoyerOutbox *self, FoyerEventStream *stream)
{
  g_return_if_fail (FOYER_IS_OUTBOX (self));
  g_return_if_fail (FOYER_IS_EVENT_STREAM (stream));

  if (self->stream != NULL)
    g_clear_signal_handler (&self->stream_handler, self->stream);
  g_set_object (&self->stream, stream);
  self->stream_handler = g_signal_connect_object (stream, "notify::connected",
                                                  G_CALLBACK (stream_connected_cb), self, 0);
}

static void
dump_pending (JsonBuilder *builder, Pending *pending)
{
  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "spaceId", pending->space_id);
  foyer_json_builder_add_string (builder, "clientMessageId", pending->client_message_id);
  foyer_json_builder_add_string (builder, "keyUri", pending->key_uri);
  foyer_json_builder_add_string (builder, "body", pending->body);
  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; pending->attachments != NULL && pending->attachments[i] != NULL; i++)
    json_builder_add_string_value (builder, pending->attachments[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/* The queue, then what failed and waits for a retry: after a restore, all
 * of it goes again. */
JsonNode *
foyer_outbox_dump (FoyerOutbox *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (FOYER_IS_OUTBOX (self), NULL);

  json_builder_begin_array (builder);
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    dump_pending (builder, l->data);
  for (GList *l = self->held.head; l != NULL; l = l->next)
    dump_pending (builder, l->data);
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

/* Queues again what a dump held, keeping each clientMessageId so that the
 * service recognizes a message it already stored. */
gboolean
foyer_outbox_restore (FoyerOutbox *self, JsonNode *dump)
{
  JsonArray *array;

  g_return_val_if_fail (FOYER_IS_OUTBOX (self), FALSE);

  if (dump == NULL || !JSON_NODE_HOLDS_ARRAY (dump))
    return FALSE;
  array = json_node_get_array (dump);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      JsonArray *refs = foyer_json_get_array (object, "attachments");
      g_autoptr (GStrvBuilder) attachments = g_strv_builder_new ();
      g_auto (GStrv) strv = NULL;
      const char *space = foyer_json_get_string (object, "spaceId");
      const char *id = foyer_json_get_string (object, "clientMessageId");
      const char *key = foyer_json_get_string (object, "keyUri");
      const char *body = foyer_json_get_string (object, "body");

      if (space == NULL || id == NULL || key == NULL || body == NULL)
        return FALSE;
      for (guint j = 0; refs != NULL && j < json_array_get_length (refs); j++)
        if (json_array_get_string_element (refs, j) != NULL)
          g_strv_builder_add (attachments, json_array_get_string_element (refs, j));
      strv = g_strv_builder_end (attachments);
      enqueue (self, space, id, key, body, (const char *const *) strv);
    }
  send_next (self);
  return TRUE;
}
