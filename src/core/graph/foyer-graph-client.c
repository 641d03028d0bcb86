/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-client.h"
#include "foyer-graph-client-private.h"

#include "foyer-cloud.h"
#include "foyer-core.h"
#include "foyer-graph-error.h"
#include "foyer-graph-error-private.h"
#include "foyer-graph-log.h"
#include "foyer-json.h"
#include "foyer-retry.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#define MAX_REDIRECTS        5
#define SESSION_MAX_PER_HOST 32

struct _FoyerGraphClient
{
  GObject parent_instance;

  char *base_url;
  char *base_origin;
  FoyerAuthorizer *authorizer;
  FoyerCloud *cloud;          /* NULL: any https host */
  GTlsDatabase *tls_database; /* NULL: the system's anchors */
  SoupSession *session;
  GHashTable *hosts; /* origin → HostSlots */

  guint max_concurrent_per_host;
  guint max_retries;
  guint base_delay_ms;
  guint max_wait_ms;
};

G_DEFINE_FINAL_TYPE (FoyerGraphClient, foyer_graph_client, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_AUTHORIZER,
  PROP_CLOUD,
  PROP_TLS_DATABASE,
  PROP_MAX_CONCURRENT_PER_HOST,
  PROP_MAX_RETRIES,
  PROP_BASE_DELAY_MS,
  PROP_MAX_WAIT_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  guint in_flight;
  GQueue waiting;    /* GTask*, each holding a reference */
  gint64 not_before; /* monotonic µs: the host's last Retry-After */
} HostSlots;

typedef struct
{
  char *method;
  char *url;
  char *origin;
  GBytes *body;
  char *prefer;
  char *token;
  char *client_request_id;
  SoupMessage *msg;
  GSource *timeout_source;
  GSource *cancel_source;
  guint status;
  guint attempt;
  guint redirects;
  gboolean want_bytes;
  gboolean refreshed;
  gboolean holds_slot;
  gboolean queued;
  /* A body sent as it is (send_bytes): its type, range and progress. */
  char *content_type;
  char *content_range;
  FoyerGraphProgressFunc progress;
  gpointer progress_data;
  guint64 sent;
} Request;

static void request_acquire_slot (GTask *task);
static void request_get_token (GTask *task, gboolean force_refresh);

static void
host_slots_free (HostSlots *slots)
{
  g_assert (g_queue_is_empty (&slots->waiting));
  g_free (slots);
}

static void
request_free (Request *req)
{
  g_assert (req->timeout_source == NULL && req->cancel_source == NULL);
  g_free (req->method);
  g_free (req->url);
  g_free (req->origin);
  g_clear_pointer (&req->body, g_bytes_unref);
  g_free (req->prefer);
  g_free (req->client_request_id);
  g_free (req->content_type);
  g_free (req->content_range);
  if (req->token != NULL)
    memset (req->token, 0, strlen (req->token));
  g_free (req->token);
  g_clear_object (&req->msg);
  g_free (req);
}

/* "https://host:443" for any absolute URL, NULL if it is not one. */
static char *
origin_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  return g_strdup_printf ("%s://%s:%d", scheme, g_uri_get_host (uri),
                          g_uri_get_port (uri) > 0                   ? g_uri_get_port (uri)
                          : g_ascii_strcasecmp (scheme, "http") == 0 ? 80
                                                                     : 443);
}

/* https only, and with a cloud, only to that cloud's hosts: a redirect or
 * a nextLink elsewhere is refused, not followed. */
static gboolean
url_is_allowed (FoyerGraphClient *self, const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *origin = NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || g_uri_get_userinfo (uri) != NULL
      || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    return FALSE;
  if (self->cloud == NULL)
    return TRUE;
  /* The cloud's list is of hosts: ask about this one's origin alone (the
   * path of a Graph request may hold what a web address may not, spaces). */
  origin = g_uri_join (G_URI_FLAGS_ENCODED, "https", NULL, g_uri_get_host (uri),
                       g_uri_get_port (uri), "/", NULL, NULL);
  return foyer_cloud_is_allowed_url (self->cloud, origin);
}

static void
foyer_graph_client_finalize (GObject *object)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (object);

  g_free (self->base_url);
  g_free (self->base_origin);
  g_clear_object (&self->authorizer);
  g_clear_object (&self->cloud);
  g_clear_object (&self->tls_database);
  g_clear_object (&self->session);
  g_clear_pointer (&self->hosts, g_hash_table_unref);

  G_OBJECT_CLASS (foyer_graph_client_parent_class)->finalize (object);
}

static void
foyer_graph_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_AUTHORIZER:
      g_value_set_object (value, self->authorizer);
      break;
    case PROP_CLOUD:
      g_value_set_object (value, self->cloud);
      break;
    case PROP_TLS_DATABASE:
      g_value_set_object (value, self->tls_database);
      break;
    case PROP_MAX_CONCURRENT_PER_HOST:
      g_value_set_uint (value, self->max_concurrent_per_host);
      break;
    case PROP_MAX_RETRIES:
      g_value_set_uint (value, self->max_retries);
      break;
    case PROP_BASE_DELAY_MS:
      g_value_set_uint (value, self->base_delay_ms);
      break;
    case PROP_MAX_WAIT_MS:
      g_value_set_uint (value, self->max_wait_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_graph_client_set_property (GObject *object,
                                 guint prop_id,
                                 const GValue *value,
                                 GParamSpec *pspec)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url != NULL ? strlen (url) : 0;

        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url != NULL ? url : "", len);
        self->base_origin = origin_of (self->base_url);
      }
      break;
    case PROP_AUTHORIZER:
      self->authorizer = g_value_dup_object (value);
      break;
    case PROP_CLOUD:
      self->cloud = g_value_dup_object (value);
      break;
    case PROP_TLS_DATABASE:
      self->tls_database = g_value_dup_object (value);
      break;
    case PROP_MAX_CONCURRENT_PER_HOST:
      foyer_graph_client_set_max_concurrent_per_host (self, g_value_get_uint (value));
      break;
    case PROP_MAX_RETRIES:
      foyer_graph_client_set_max_retries (self, g_value_get_uint (value));
      break;
    case PROP_BASE_DELAY_MS:
      foyer_graph_client_set_base_delay_ms (self, g_value_get_uint (value));
      break;
    case PROP_MAX_WAIT_MS:
      foyer_graph_client_set_max_wait_ms (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_graph_client_constructed (GObject *object)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (object);

  G_OBJECT_CLASS (foyer_graph_client_parent_class)->constructed (object);

  /* A cloud descriptor's CA is trusted for that cloud only. */
  if (self->tls_database == NULL && self->cloud != NULL
      && foyer_cloud_get_tls_database (self->cloud) != NULL)
    self->tls_database = g_object_ref (foyer_cloud_get_tls_database (self->cloud));
  if (self->tls_database != NULL)
    soup_session_set_tls_database (self->session, self->tls_database);
}

static void
foyer_graph_client_class_init (FoyerGraphClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = foyer_graph_client_constructed;
  object_class->finalize = foyer_graph_client_finalize;
  object_class->get_property = foyer_graph_client_get_property;
  object_class->set_property = foyer_graph_client_set_property;

  properties[PROP_BASE_URL]
      = g_param_spec_string ("base-url", NULL, NULL, NULL,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTHORIZER]
      = g_param_spec_object ("authorizer", NULL, NULL, FOYER_TYPE_AUTHORIZER,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOUD]
      = g_param_spec_object ("cloud", NULL, NULL, FOYER_TYPE_CLOUD,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TLS_DATABASE]
      = g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MAX_CONCURRENT_PER_HOST]
      = g_param_spec_uint ("max-concurrent-per-host", NULL, NULL, 1, SESSION_MAX_PER_HOST, 4, rw);
  properties[PROP_MAX_RETRIES] = g_param_spec_uint ("max-retries", NULL, NULL, 0, 10, 3, rw);
  properties[PROP_BASE_DELAY_MS]
      = g_param_spec_uint ("base-delay-ms", NULL, NULL, 1, 60000, 1000, rw);
  properties[PROP_MAX_WAIT_MS]
      = g_param_spec_uint ("max-wait-ms", NULL, NULL, 1, 3600000, 180000, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_graph_client_init (FoyerGraphClient *self)
{
  self->max_concurrent_per_host = 4;
  self->max_retries = 3;
  self->base_delay_ms = 1000;
  self->max_wait_ms = 180000;
  self->hosts
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) host_slots_free);
  /* Our own limit decides; libsoup's (2 by default) must not be lower. */
  self->session = soup_session_new_with_options (
      "user-agent", foyer_core_user_agent (), "max-conns-per-host", SESSION_MAX_PER_HOST,
      "max-conns", SESSION_MAX_PER_HOST * 4, "timeout", 60, NULL);
}

FoyerGraphClient *
foyer_graph_client_new (const char *base_url, FoyerAuthorizer *authorizer)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  g_return_val_if_fail (FOYER_IS_AUTHORIZER (authorizer), NULL);

  return g_object_new (FOYER_TYPE_GRAPH_CLIENT, "base-url", base_url, "authorizer", authorizer,
                       NULL);
}

FoyerGraphClient *
foyer_graph_client_new_for_cloud (FoyerCloud *cloud, FoyerAuthorizer *authorizer)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (FOYER_IS_AUTHORIZER (authorizer), NULL);

  return g_object_new (FOYER_TYPE_GRAPH_CLIENT, "base-url", foyer_cloud_get_graph_url (cloud),
                       "authorizer", authorizer, "cloud", cloud, NULL);
}

FoyerGraphClient *
foyer_graph_client_new_sibling (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);

  return g_object_new (FOYER_TYPE_GRAPH_CLIENT, "base-url", self->base_url, "authorizer",
                       self->authorizer, "cloud", self->cloud, "tls-database", self->tls_database,
                       "max-concurrent-per-host", self->max_concurrent_per_host, "max-retries",
                       self->max_retries, "base-delay-ms", self->base_delay_ms, "max-wait-ms",
                       self->max_wait_ms, NULL);
}

const char *
foyer_graph_client_get_base_url (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);
  return self->base_url;
}

FoyerAuthorizer *
foyer_graph_client_get_authorizer (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);
  return self->authorizer;
}

static guint
clamp_uint (guint value, guint min, guint max)
{
  return value < min ? min : value > max ? max : value;
}

#define UINT_SETTER(field, prop, min, max)                                                         \
  void foyer_graph_client_set_##field (FoyerGraphClient *self, guint value)                        \
  {                                                                                                \
    g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));                                               \
    value = clamp_uint (value, min, max);                                                          \
    if (self->field == value)                                                                      \
      return;                                                                                      \
    self->field = value;                                                                           \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);                                  \
  }

UINT_SETTER (max_concurrent_per_host, PROP_MAX_CONCURRENT_PER_HOST, 1, SESSION_MAX_PER_HOST)
UINT_SETTER (max_retries, PROP_MAX_RETRIES, 0, 10)
UINT_SETTER (base_delay_ms, PROP_BASE_DELAY_MS, 1, 60000)
UINT_SETTER (max_wait_ms, PROP_MAX_WAIT_MS, 1, 3600000)

guint
foyer_graph_client_get_max_concurrent_per_host (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), 0);
  return self->max_concurrent_per_host;
}

/* The request engine. */

static FoyerGraphClient *
task_client (GTask *task)
{
  return FOYER_GRAPH_CLIENT (g_task_get_source_object (task));
}

static void
request_clear_waits (Request *req)
{
  if (req->timeout_source != NULL)
    {
      g_source_destroy (req->timeout_source);
      g_clear_pointer (&req->timeout_source, g_source_unref);
    }
  if (req->cancel_source != NULL)
    {
      g_source_destroy (req->cancel_source);
      g_clear_pointer (&req->cancel_source, g_source_unref);
    }
}

static HostSlots *
host_slots_for (FoyerGraphClient *self, const char *origin)
{
  HostSlots *slots = g_hash_table_lookup (self->hosts, origin);

  if (slots == NULL)
    {
      slots = g_new0 (HostSlots, 1);
      g_queue_init (&slots->waiting);
      g_hash_table_insert (self->hosts, g_strdup (origin), slots);
    }
  return slots;
}

static void request_send (GTask *task);
static void request_wait (GTask *task, guint delay_ms);

static gboolean
host_is_held (HostSlots *slots)
{
  return slots->not_before > g_get_monotonic_time ();
}

static void
release_slot (FoyerGraphClient *self, const char *origin)
{
  HostSlots *slots = host_slots_for (self, origin);

  g_assert (slots->in_flight > 0);
  slots->in_flight--;

  /* While the host asked to be left alone, those waiting for a slot wait
   * for that time instead (request_acquire_slot ()). */
  while (!g_queue_is_empty (&slots->waiting)
         && (host_is_held (slots) || slots->in_flight < self->max_concurrent_per_host))
    {
      g_autoptr (GTask) next = g_queue_pop_head (&slots->waiting);
      Request *req = g_task_get_task_data (next);

      request_clear_waits (req);
      req->queued = FALSE;
      if (host_is_held (slots))
        {
          request_acquire_slot (next);
          continue;
        }
      req->holds_slot = TRUE;
      slots->in_flight++;
      request_send (next);
    }
}

static void
request_return_error (GTask *task, GError *error)
{
  Request *req = g_task_get_task_data (task);

  /* What Microsoft support asks for: both ids, with every failure. Not the
   * URL: a shareId or a pre-authenticated address is as good as a link. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("Graph %s failed: %s (client-request-id %s)", req->method, error->message,
               req->client_request_id);
  request_clear_waits (req);
  g_task_return_error (task, error);
}

/* Called from the main loop when the task's cancellable fires while the
 * request waits in a queue or for a retry. */
static gboolean
request_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr (GTask) queued_ref = NULL;

  if (req->queued)
    {
      HostSlots *slots = host_slots_for (task_client (task), req->origin);

      g_queue_remove (&slots->waiting, task);
      queued_ref = task; /* the queue's reference */
      req->queued = FALSE;
    }

  g_object_ref (task);
  request_clear_waits (req);
  g_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _ ("The operation was cancelled")));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
request_watch_cancellable (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable == NULL || req->cancel_source != NULL)
    return;
  req->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (req->cancel_source, G_SOURCE_FUNC (request_cancelled_cb),
                         g_object_ref (task), g_object_unref);
  g_source_attach (req->cancel_source, g_task_get_context (task));
}

static void
request_acquire_slot (GTask *task)
{
  FoyerGraphClient *self = task_client (task);
  Request *req = g_task_get_task_data (task);
  HostSlots *slots;

  if (g_task_return_error_if_cancelled (task))
    return;

  slots = host_slots_for (self, req->origin);
  if (host_is_held (slots))
    {
      gint64 wait_us = slots->not_before - g_get_monotonic_time ();

      /* No request before the host's Retry-After: wait for it, or, when it
       * is longer than we wait, say so at once. */
      if (wait_us > (gint64) self->max_wait_ms * 1000)
        {
          GError *error = foyer_graph_error_new (FOYER_GRAPH_ERROR_THROTTLED, 429,
                                                 "throttledRequest", NULL, NULL);

          _foyer_graph_error_set_retry_after (error, (guint) ((wait_us + 999999) / 1000000));
          request_return_error (task, error);
          return;
        }
      request_wait (task, (guint) ((wait_us + 999) / 1000));
      return;
    }
  if (slots->in_flight < self->max_concurrent_per_host)
    {
      slots->in_flight++;
      req->holds_slot = TRUE;
      request_send (task);
      return;
    }

  req->queued = TRUE;
  g_queue_push_tail (&slots->waiting, g_object_ref (task));
  request_watch_cancellable (task);
}

static gboolean
retry_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  Request *req = g_task_get_task_data (task);

  g_object_ref (task);
  request_clear_waits (req);
  request_acquire_slot (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Asks for a slot again after delay_ms. */
static void
request_wait (GTask *task, guint delay_ms)
{
  Request *req = g_task_get_task_data (task);

  req->timeout_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (req->timeout_source, retry_timeout_cb, g_object_ref (task),
                         g_object_unref);
  g_source_attach (req->timeout_source, g_task_get_context (task));
  request_watch_cancellable (task);
}

static void
request_retry_after (GTask *task, guint delay_ms)
{
  Request *req = g_task_get_task_data (task);

  g_autofree char *logged = foyer_graph_path_template (req->url);

  g_debug ("retrying %s %s in %u ms (attempt %u)", req->method, logged, delay_ms, req->attempt);
  req->timeout_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (req->timeout_source, retry_timeout_cb, g_object_ref (task),
                         g_object_unref);
  g_source_attach (req->timeout_source, g_task_get_context (task));
  request_watch_cancellable (task);
}

static guint
backoff_ms (FoyerGraphClient *self, guint attempt)
{
  return foyer_retry_backoff_ms (self->base_delay_ms, self->max_wait_ms, attempt);
}

static void
token_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  char *token;

  token = foyer_authorizer_get_token_finish (FOYER_AUTHORIZER (source), result, &error);
  if (token == NULL)
    {
      /* Passed through as is: a FOYER_AUTH_ERROR such as "reconnect
       * needed" tells the app more than any Graph code could. */
      if (error == NULL)
        error = foyer_graph_error_new (FOYER_GRAPH_ERROR_UNAUTHENTICATED, 0, NULL, NULL, NULL);
      request_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (req->token != NULL)
    memset (req->token, 0, strlen (req->token));
  g_free (req->token);
  req->token = token;
  request_acquire_slot (task);
}

static void
request_get_token (GTask *task, gboolean force_refresh)
{
  foyer_authorizer_get_token_async (task_client (task)->authorizer, force_refresh,
                                    g_task_get_cancellable (task), token_cb, g_object_ref (task));
}

static void read_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
wrote_body_data_cb (SoupMessage *msg, guint chunk_size, gpointer user_data)
{
  Request *req = user_data;

  req->sent += chunk_size;
  if (req->progress != NULL)
    req->progress (req->sent, req->progress_data);
}

/* A body of its own (a file, an upload fragment) goes on a new connection:
 * libsoup 3.2 sends a PUT again by itself when a kept-alive connection
 * closes under it, and then without the part it had already sent. A new
 * connection is never "reused", so the caller sees the error instead. */
static void
request_prepare_raw_body (Request *req)
{
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NEW_CONNECTION);
  soup_message_set_request_body_from_bytes (req->msg, req->content_type, req->body);
  req->sent = 0;
  g_signal_connect (req->msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), req);
}

static void
request_send (GTask *task)
{
  FoyerGraphClient *self = task_client (task);
  Request *req = g_task_get_task_data (task);
  SoupMessageHeaders *headers;

  g_clear_object (&req->msg);
  req->msg = soup_message_new (req->method, req->url);
  if (req->msg == NULL)
    {
      req->holds_slot = FALSE;
      release_slot (self, req->origin);
      request_return_error (task, foyer_graph_error_new (FOYER_GRAPH_ERROR_INVALID_REQUEST, 0, NULL,
                                                         NULL, _ ("Invalid Microsoft Graph URL")));
      return;
    }
  soup_message_add_flags (req->msg, SOUP_MESSAGE_NO_REDIRECT);
  headers = soup_message_get_request_headers (req->msg);
  if (g_strcmp0 (req->origin, self->base_origin) == 0 && req->token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", req->token, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (value, 0, strlen (value));
    }
  soup_message_headers_replace (headers, "Accept", req->want_bytes ? "*/*" : "application/json");
  /* One id per call, kept across its retries and redirects; Graph echoes it. */
  soup_message_headers_replace (headers, "client-request-id", req->client_request_id);
  if (req->prefer != NULL)
    soup_message_headers_replace (headers, "Prefer", req->prefer);
  if (req->content_range != NULL)
    soup_message_headers_replace (headers, "Content-Range", req->content_range);
  if (req->body != NULL && req->content_type != NULL)
    request_prepare_raw_body (req);
  else if (req->body != NULL)
    soup_message_set_request_body_from_bytes (req->msg, "application/json", req->body);

  soup_session_send_and_read_async (self->session, req->msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), read_cb, g_object_ref (task));
}

static gboolean
is_idempotent (const char *method)
{
  return g_strcmp0 (method, "GET") == 0 || g_strcmp0 (method, "HEAD") == 0;
}

/* 429 and 503 mean "not processed": safe to retry any method. Other server
 * errors are retried for reads only, so that a write is not repeated. */
static gboolean
is_retryable (guint status, const char *method)
{
  if (status == 429 || status == 503)
    return TRUE;
  return (status == 500 || status == 502 || status == 504) && is_idempotent (method);
}

static void
handle_redirect (GTask *task, const char *location)
{
  Request *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *target = NULL;

  target = g_uri_resolve_relative (req->url, location, G_URI_FLAGS_ENCODED, &error);
  if (target == NULL || !url_is_allowed (task_client (task), target)
      || ++req->redirects > MAX_REDIRECTS)
    {
      request_return_error (task, foyer_graph_error_new (FOYER_GRAPH_ERROR_FAILED, req->status,
                                                         NULL, NULL,
                                                         _ ("Microsoft redirected to a place Foyer "
                                                            "does not follow")));
      return;
    }

  g_free (req->url);
  req->url = g_steal_pointer (&target);
  g_free (req->origin);
  req->origin = origin_of (req->url);
  if (req->status == 303 || !is_idempotent (req->method))
    {
      g_free (req->method);
      req->method = g_strdup ("GET");
      g_clear_pointer (&req->body, g_bytes_unref);
    }
  request_acquire_slot (task);
}

static void
handle_success (GTask *task, GBytes *bytes, const char *request_id)
{
  Request *req = g_task_get_task_data (task);
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  JsonNode *root;

  if (req->want_bytes)
    {
      request_clear_waits (req);
      g_task_return_pointer (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
      return;
    }

  if (size == 0)
    {
      request_clear_waits (req);
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
      return;
    }

  if ((root = foyer_json_parse (data, size)) == NULL)
    {
      request_return_error (task, foyer_graph_error_new (FOYER_GRAPH_ERROR_MALFORMED_RESPONSE,
                                                         req->status, NULL, request_id, NULL));
      return;
    }
  request_clear_waits (req);
  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

static void
handle_retryable (GTask *task, SoupMessageHeaders *headers, GBytes *bytes, const char *request_id)
{
  FoyerGraphClient *self = task_client (task);
  Request *req = g_task_get_task_data (task);
  const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
  guint seconds = 0;
  guint64 delay_ms;
  gboolean has_retry_after = foyer_retry_parse_after (retry_after, NULL, &seconds);

  if (has_retry_after)
    delay_ms = (guint64) seconds * 1000;
  else
    delay_ms = backoff_ms (self, req->attempt);

  /* Out of retries, or told to wait longer than we are willing to: give
   * up and say so rather than retry early (which only prolongs it). */
  if (req->attempt >= self->max_retries || delay_ms > self->max_wait_ms)
    {
      GError *error = foyer_graph_error_new_from_response (req->status, request_id, bytes);

      if (req->status == 429 || error->code == FOYER_GRAPH_ERROR_THROTTLED)
        {
          g_clear_error (&error);
          error = foyer_graph_error_new (FOYER_GRAPH_ERROR_THROTTLED, req->status,
                                         "throttledRequest", request_id, NULL);
        }
      /* So that a caller who tries again later does not come back early. */
      if (has_retry_after)
        _foyer_graph_error_set_retry_after (error, seconds);
      request_return_error (task, error);
      return;
    }

  req->attempt++;
  request_retry_after (task, (guint) MAX (delay_ms, 1));
}

/* A 429 or 503 with Retry-After speaks for the host (Microsoft throttles
 * an app, not one request): nothing more goes to it before that time,
 * from any request of this client. Noted before the slot is given back,
 * so that no queued request slips out first. */
static void
hold_host (FoyerGraphClient *self, Request *req)
{
  guint status = soup_message_get_status (req->msg);
  const char *value;
  guint seconds = 0;
  HostSlots *slots;
  gint64 until;

  if (status != 429 && status != 503)
    return;
  value
      = soup_message_headers_get_one (soup_message_get_response_headers (req->msg), "Retry-After");
  if (!foyer_retry_parse_after (value, NULL, &seconds) || seconds == 0)
    return;
  slots = host_slots_for (self, req->origin);
  until = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  slots->not_before = MAX (slots->not_before, until);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerGraphClient *self = task_client (task);
  Request *req = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  const char *request_id;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes != NULL)
    hold_host (self, req);
  req->holds_slot = FALSE;
  release_slot (self, req->origin);

  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          request_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (is_idempotent (req->method) && req->attempt < self->max_retries)
        {
          request_retry_after (task, backoff_ms (self, req->attempt));
          req->attempt++;
          return;
        }
      request_return_error (
          task, foyer_graph_error_new (FOYER_GRAPH_ERROR_NETWORK, 0, NULL, NULL, error->message));
      return;
    }

  req->status = soup_message_get_status (req->msg);
  headers = soup_message_get_response_headers (req->msg);
  request_id = soup_message_headers_get_one (headers, "request-id");
  if (request_id == NULL)
    request_id = soup_message_headers_get_one (headers, "client-request-id");

  if (req->status >= 200 && req->status < 300)
    handle_success (task, bytes, request_id);
  else if (req->status >= 300 && req->status < 400 && req->status != 304
           && soup_message_headers_get_one (headers, "Location") != NULL)
    handle_redirect (task, soup_message_headers_get_one (headers, "Location"));
  else if (req->status == 401 && g_strcmp0 (req->origin, self->base_origin) == 0 && !req->refreshed)
    {
      /* The token was refused: ask for a new one, once. */
      req->refreshed = TRUE;
      request_get_token (task, TRUE);
    }
  else if (req->status == 401)
    {
      GError *parsed = foyer_graph_error_new_from_response (req->status, request_id, bytes);
      GError *final = foyer_graph_error_new (FOYER_GRAPH_ERROR_UNAUTHENTICATED, req->status,
                                             foyer_graph_error_get_code (parsed), request_id, NULL);

      g_error_free (parsed);
      request_return_error (task, final);
    }
  else if (is_retryable (req->status, req->method))
    handle_retryable (task, headers, bytes, request_id);
  else
    request_return_error (task,
                          foyer_graph_error_new_from_response (req->status, request_id, bytes));
}

static void
request_begin (FoyerGraphClient *self, GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if (req->origin == NULL || !url_is_allowed (self, req->url))
    {
      g_task_return_error (task,
                           foyer_graph_error_new (FOYER_GRAPH_ERROR_INVALID_REQUEST, 0, NULL, NULL,
                                                  _ ("Foyer only talks to Microsoft over HTTPS")));
      return;
    }

  /* The token is only for the Graph host itself. */
  if (g_strcmp0 (req->origin, self->base_origin) == 0)
    request_get_token (task, FALSE);
  else
    request_acquire_slot (task);
}

/* A request to path_or_url (a Graph path or a whole URL); each entry
 * then says what it sends and how it wants the reply. */
static GTask *
request_new (FoyerGraphClient *self,
             const char *method,
             const char *path_or_url,
             GCancellable *cancellable,
             GAsyncReadyCallback callback,
             gpointer user_data,
             gpointer source_tag)
{
  g_autoptr (GTask) task = NULL;
  Request *req;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  req = g_new0 (Request, 1);
  req->method = g_ascii_strup (method, -1);
  if (g_str_has_prefix (path_or_url, "https://") || g_str_has_prefix (path_or_url, "http://"))
    req->url = g_strdup (path_or_url);
  else
    req->url = g_strconcat (self->base_url, path_or_url[0] == '/' ? "" : "/", path_or_url, NULL);
  req->origin = origin_of (req->url);
  req->client_request_id = g_uuid_string_random ();
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);
  return g_steal_pointer (&task);
}

void
_foyer_graph_client_request (FoyerGraphClient *self,
                             const char *method,
                             const char *path_or_url,
                             JsonNode *body,
                             gboolean want_bytes,
                             const char *prefer,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data,
                             gpointer source_tag)
{
  g_autoptr (GTask) task = NULL;
  Request *req;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL && path_or_url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, method, path_or_url, cancellable, callback, user_data, source_tag);
  req = g_task_get_task_data (task);
  req->want_bytes = want_bytes;
  req->prefer = g_strdup (prefer);
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);

      req->body = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
    }
  request_begin (self, task);
}

void
foyer_graph_client_send_bytes_async (FoyerGraphClient *self,
                                     const char *method,
                                     const char *path_or_url,
                                     GBytes *body,
                                     const char *content_type,
                                     const char *content_range,
                                     FoyerGraphProgressFunc progress,
                                     gpointer progress_data,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  Request *req;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL && path_or_url != NULL && body != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = request_new (self, method, path_or_url, cancellable, callback, user_data,
                      foyer_graph_client_send_bytes_async);
  req = g_task_get_task_data (task);
  req->body = g_bytes_ref (body);
  req->content_type = g_strdup (content_type != NULL ? content_type : "application/octet-stream");
  req->content_range = g_strdup (content_range);
  req->progress = progress;
  req->progress_data = progress_data;
  request_begin (self, task);
}

void
foyer_graph_client_request_async (FoyerGraphClient *self,
                                  const char *method,
                                  const char *path_or_url,
                                  JsonNode *body,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  _foyer_graph_client_request (self, method, path_or_url, body, FALSE, NULL, cancellable, callback,
                               user_data, foyer_graph_client_request_async);
}

JsonNode *
foyer_graph_client_request_finish_full (FoyerGraphClient *self,
                                        GAsyncResult *result,
                                        guint *out_status,
                                        GError **error)
{
  Request *req;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  req = g_task_get_task_data (G_TASK (result));
  if (out_status != NULL)
    *out_status = req->status;
  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonNode *
foyer_graph_client_request_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return foyer_graph_client_request_finish_full (self, result, NULL, error);
}

void
foyer_graph_client_request_bytes_async (FoyerGraphClient *self,
                                        const char *method,
                                        const char *path_or_url,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  _foyer_graph_client_request (self, method, path_or_url, NULL, TRUE, NULL, cancellable, callback,
                               user_data, foyer_graph_client_request_bytes_async);
}

GBytes *
foyer_graph_client_request_bytes_finish (FoyerGraphClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
_foyer_graph_client_is_graph_url (FoyerGraphClient *self, const char *url)
{
  g_autofree char *origin = url != NULL ? origin_of (url) : NULL;

  return origin != NULL && g_strcmp0 (origin, self->base_origin) == 0;
}
