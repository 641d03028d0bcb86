/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-chat"

#include "config.h"

#include "foyer-event-stream.h"

#include "foyer-core.h"
#include "foyer-event.h"
#include "foyer-json-request.h"
#include "foyer-retry.h"

#include <string.h>

typedef enum
{
  STATE_IDLE,
  STATE_CONNECTING,
  STATE_CATCHING_UP,
  STATE_LIVE,
  STATE_WAITING,
} StreamState;

struct _FoyerEventStream
{
  GObject parent_instance;

  FoyerChatClient *client;
  SoupWebsocketConnection *connection;
  GCancellable *cancellable;
  StreamState state;
  gint64 cursor;
  GPtrArray *buffered; /* JsonNode, live events received while catching up */
  guint retry_source;
  guint attempts;
  guint reconnects;
  guint initial_backoff_ms;
  guint max_backoff_ms;
  SoupMessage *handshake;
  gboolean needs_sign_in;
};

enum
{
  PROP_0,
  PROP_CONNECTED,
  PROP_CURSOR,
  PROP_NEEDS_SIGN_IN,
  N_PROPS
};

enum
{
  SIGNAL_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_TYPE (FoyerEventStream, foyer_event_stream, G_TYPE_OBJECT)

static void connect_now (FoyerEventStream *self);
static void catch_up (FoyerEventStream *self);

static void
drop_connection (FoyerEventStream *self)
{
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->connection);
    }
}

static void
set_state (FoyerEventStream *self, StreamState state)
{
  gboolean was_connected = self->state == STATE_LIVE;

  self->state = state;
  if (was_connected != (state == STATE_LIVE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
foyer_event_stream_dispose (GObject *object)
{
  FoyerEventStream *self = FOYER_EVENT_STREAM (object);

  foyer_event_stream_stop (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (foyer_event_stream_parent_class)->dispose (object);
}

static void
foyer_event_stream_finalize (GObject *object)
{
  FoyerEventStream *self = FOYER_EVENT_STREAM (object);

  g_clear_object (&self->handshake);
  g_clear_pointer (&self->buffered, g_ptr_array_unref);

  G_OBJECT_CLASS (foyer_event_stream_parent_class)->finalize (object);
}

static void
foyer_event_stream_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerEventStream *self = FOYER_EVENT_STREAM (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->state == STATE_LIVE);
      break;
    case PROP_CURSOR:
      g_value_set_int64 (value, self->cursor);
      break;
    case PROP_NEEDS_SIGN_IN:
      g_value_set_boolean (value, self->needs_sign_in);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_event_stream_class_init (FoyerEventStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_event_stream_dispose;
  object_class->finalize = foyer_event_stream_finalize;
  object_class->get_property = foyer_event_stream_get_property;

  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURSOR]
      = g_param_spec_int64 ("cursor", NULL, NULL, -1, G_MAXINT64, -1,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The service refused the token: the stream stops until started again
   * with a client that signed in anew. */
  properties[PROP_NEEDS_SIGN_IN]
      = g_param_spec_boolean ("needs-sign-in", NULL, NULL, FALSE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * FoyerEventStream::event:
   * @type: "message.created", "space.created", "member.added", "member.removed"…
   * @event: the whole event object
   */
  signals[SIGNAL_EVENT]
      = g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                      G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_NODE);
}

static void
foyer_event_stream_init (FoyerEventStream *self)
{
  self->cursor = -1;
  self->initial_backoff_ms = 500;
  self->max_backoff_ms = 30000;
  self->buffered = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
}

FoyerEventStream *
foyer_event_stream_new (FoyerChatClient *client)
{
  FoyerEventStream *self;

  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (client), NULL);

  self = g_object_new (FOYER_TYPE_EVENT_STREAM, NULL);
  self->client = g_object_ref (client);
  return self;
}

gboolean
foyer_event_stream_get_connected (FoyerEventStream *self)
{
  g_return_val_if_fail (FOYER_IS_EVENT_STREAM (self), FALSE);
  return self->state == STATE_LIVE;
}

gboolean
foyer_event_stream_get_needs_sign_in (FoyerEventStream *self)
{
  g_return_val_if_fail (FOYER_IS_EVENT_STREAM (self), FALSE);
  return self->needs_sign_in;
}

static void
stop_for_sign_in (FoyerEventStream *self)
{
  foyer_event_stream_stop (self);
  self->needs_sign_in = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_SIGN_IN]);
}

gint64
foyer_event_stream_get_cursor (FoyerEventStream *self)
{
  g_return_val_if_fail (FOYER_IS_EVENT_STREAM (self), -1);
  return self->cursor;
}

guint
foyer_event_stream_get_reconnect_count (FoyerEventStream *self)
{
  g_return_val_if_fail (FOYER_IS_EVENT_STREAM (self), 0);
  return self->reconnects;
}

void
foyer_event_stream_set_backoff (FoyerEventStream *self, guint initial_ms, guint max_ms)
{
  g_return_if_fail (FOYER_IS_EVENT_STREAM (self));

  self->initial_backoff_ms = MAX (initial_ms, 1);
  self->max_backoff_ms = MAX (max_ms, self->initial_backoff_ms);
}

/* Emits an event once: anything at or below the cursor was delivered. */
static void
deliver (FoyerEventStream *self, JsonNode *event)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (event) ? json_node_get_object (event) : NULL;
  gint64 cursor = foyer_json_get_int (object, "cursor", -1);
  const char *type = foyer_json_get_string (object, "type");

  g_debug ("Event %s at cursor %" G_GINT64_FORMAT " (stream at %" G_GINT64_FORMAT ")",
           type != NULL ? type : "?", cursor, self->cursor);
  if (cursor <= self->cursor || !foyer_event_check (event, NULL))
    return;
  self->cursor = cursor;
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, type, event);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
}

static guint
backoff_delay (FoyerEventStream *self)
{
  return foyer_retry_backoff_ms (self->initial_backoff_ms, self->max_backoff_ms, self->attempts);
}

static gboolean
retry_cb (gpointer user_data)
{
  FoyerEventStream *self = user_data;

  self->retry_source = 0;
  self->reconnects++;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (FoyerEventStream *self)
{
  drop_connection (self);
  g_ptr_array_set_size (self->buffered, 0);
  if (self->state == STATE_IDLE)
    return;
  /* A catch-up of the lost connection must not mix with the next one. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_state (self, STATE_WAITING);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retry_source = g_timeout_add (backoff_delay (self), retry_cb, self);
  self->attempts++;
}

static void
message_cb (SoupWebsocketConnection *connection, int type, GBytes *message, gpointer user_data)
{
  FoyerEventStream *self = user_data;
  g_autoptr (JsonNode) root = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);

  g_debug ("Frame of %" G_GSIZE_FORMAT " bytes in state %d", len, self->state);
  if (type != SOUP_WEBSOCKET_DATA_TEXT || (root = foyer_event_parse (data, len, NULL)) == NULL)
    return;
  if (self->state == STATE_CATCHING_UP)
    g_ptr_array_add (self->buffered, json_node_ref (root));
  else if (self->state == STATE_LIVE)
    deliver (self, root);
}

static void
closed_cb (SoupWebsocketConnection *connection, gpointer user_data)
{
  schedule_reconnect (FOYER_EVENT_STREAM (user_data));
}

static void
events_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FoyerEventStream *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (object), result, &error);
  JsonObject *page;
  JsonArray *items;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (g_error_matches (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED))
    {
      stop_for_sign_in (self);
      return;
    }
  if (node == NULL || self->state != STATE_CATCHING_UP)
    {
      if (self->state == STATE_CATCHING_UP)
        schedule_reconnect (self);
      return;
    }
  page = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  items = foyer_json_get_array (page, "items");
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    deliver (self, json_array_get_element (items, i));

  if (foyer_json_get_boolean (page, "hasMore", FALSE))
    {
      catch_up (self);
      return;
    }
  /* Starting from "now": take the service's cursor as the starting point. */
  if (self->cursor < 0)
    {
      self->cursor = foyer_json_get_int (page, "cursor", 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURSOR]);
    }

  for (guint i = 0; i < self->buffered->len; i++)
    deliver (self, g_ptr_array_index (self->buffered, i));
  g_ptr_array_set_size (self->buffered, 0);
  self->attempts = 0;
  set_state (self, STATE_LIVE);
}

static void
catch_up (FoyerEventStream *self)
{
  foyer_chat_client_get_events_async (self->client, self->cursor, self->cancellable, events_cb,
                                      self);
}

static void
websocket_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  FoyerEventStream *self = user_data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *connection;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (connection == NULL)
    {
      g_debug ("Event stream connection failed: %s", error->message);
      if (self->handshake != NULL
          && soup_message_get_status (self->handshake) == SOUP_STATUS_UNAUTHORIZED)
        stop_for_sign_in (self);
      else
        schedule_reconnect (self);
      return;
    }
  self->connection = connection;
  soup_websocket_connection_set_max_incoming_payload_size (connection, 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (connection, 30);
  g_signal_connect (connection, "message", G_CALLBACK (message_cb), self);
  g_signal_connect (connection, "closed", G_CALLBACK (closed_cb), self);
  set_state (self, STATE_CATCHING_UP);
  catch_up (self);
}

static void
connect_now (FoyerEventStream *self)
{
  g_autofree char *url = foyer_chat_client_get_events_url (self->client);
  g_autoptr (SoupMessage) msg = NULL;
  const char *token = foyer_chat_client_get_token (self->client);

  if (url == NULL || !foyer_json_url_is_acceptable (url)
      || (msg = soup_message_new ("GET", url)) == NULL)
    {
      g_warning ("The events address is not a secure URL");
      set_state (self, STATE_IDLE);
      return;
    }
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  g_set_object (&self->handshake, msg);
  set_state (self, STATE_CONNECTING);
  soup_session_websocket_connect_async (foyer_chat_client_get_session (self->client), msg, NULL,
                                        NULL, G_PRIORITY_DEFAULT, self->cancellable, websocket_cb,
                                        self);
}

void
foyer_event_stream_start (FoyerEventStream *self, gint64 after)
{
  g_return_if_fail (FOYER_IS_EVENT_STREAM (self));

  foyer_event_stream_stop (self);
  if (self->needs_sign_in)
    {
      self->needs_sign_in = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_SIGN_IN]);
    }
  self->cursor = after >= 0 ? after : -1;
  self->attempts = 0;
  self->cancellable = g_cancellable_new ();
  connect_now (self);
}

void
foyer_event_stream_stop (FoyerEventStream *self)
{
  g_return_if_fail (FOYER_IS_EVENT_STREAM (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
  g_ptr_array_set_size (self->buffered, 0);
  set_state (self, STATE_IDLE);
}
