/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-client.h"

#include "foyer-cloud.h"
#include "foyer-core.h"
#include "foyer-drive-item-list.h"
#include "foyer-graph-error.h"
#include "foyer-graph-log.h"
#include "foyer-graph-private.h"

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
  GQueue waiting; /* GTask*, each holding a reference */
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

#define UINT_ACCESSORS(field, prop, min, max)                                                      \
  guint foyer_graph_client_get_##field (FoyerGraphClient *self)                                    \
  {                                                                                                \
    g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), 0);                                        \
    return self->field;                                                                            \
  }                                                                                                \
  void foyer_graph_client_set_##field (FoyerGraphClient *self, guint value)                        \
  {                                                                                                \
    g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));                                               \
    value = clamp_uint (value, min, max);                                                          \
    if (self->field == value)                                                                      \
      return;                                                                                      \
    self->field = value;                                                                           \
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);                                  \
  }

UINT_ACCESSORS (max_concurrent_per_host, PROP_MAX_CONCURRENT_PER_HOST, 1, SESSION_MAX_PER_HOST)
UINT_ACCESSORS (max_retries, PROP_MAX_RETRIES, 0, 10)
UINT_ACCESSORS (base_delay_ms, PROP_BASE_DELAY_MS, 1, 60000)
UINT_ACCESSORS (max_wait_ms, PROP_MAX_WAIT_MS, 1, 3600000)

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

static void
release_slot (FoyerGraphClient *self, const char *origin)
{
  HostSlots *slots = host_slots_for (self, origin);

  g_assert (slots->in_flight > 0);
  slots->in_flight--;

  while (slots->in_flight < self->max_concurrent_per_host && !g_queue_is_empty (&slots->waiting))
    {
      g_autoptr (GTask) next = g_queue_pop_head (&slots->waiting);
      Request *req = g_task_get_task_data (next);

      request_clear_waits (req);
      req->queued = FALSE;
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

/* Exponential backoff with "equal jitter": half fixed, half random. */
static guint
backoff_ms (FoyerGraphClient *self, guint attempt)
{
  guint64 delay = self->base_delay_ms;

  for (guint i = 0; i < attempt && delay < self->max_wait_ms; i++)
    delay *= 2;
  delay = MIN (delay, self->max_wait_ms);
  return (guint) (delay / 2 + (guint64) g_random_int_range (0, (gint32) MAX (delay / 2, 1)));
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
  if (req->body != NULL)
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
  g_autoptr (JsonParser) parser = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);

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

  parser = json_parser_new_immutable ();
  if (size > G_MAXSSIZE || !foyer_json_depth_within (data, size, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, data, (gssize) size, NULL))
    {
      request_return_error (task, foyer_graph_error_new (FOYER_GRAPH_ERROR_MALFORMED_RESPONSE,
                                                         req->status, NULL, request_id, NULL));
      return;
    }
  request_clear_waits (req);
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)),
                         (GDestroyNotify) json_node_unref);
}

static void
handle_retryable (GTask *task, SoupMessageHeaders *headers, GBytes *bytes, const char *request_id)
{
  FoyerGraphClient *self = task_client (task);
  Request *req = g_task_get_task_data (task);
  const char *retry_after = soup_message_headers_get_one (headers, "Retry-After");
  guint seconds = 0;
  guint64 delay_ms;

  if (foyer_graph_parse_retry_after (retry_after, NULL, &seconds))
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
      request_return_error (task, error);
      return;
    }

  req->attempt++;
  request_retry_after (task, (guint) MAX (delay_ms, 1));
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
request_start (FoyerGraphClient *self,
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
  req->want_bytes = want_bytes;
  req->prefer = g_strdup (prefer);
  if (body != NULL)
    {
      g_autofree char *text = json_to_string (body, FALSE);

      req->body = g_bytes_new_take (g_steal_pointer (&text), strlen (text));
    }
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

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

void
foyer_graph_client_request_async (FoyerGraphClient *self,
                                  const char *method,
                                  const char *path_or_url,
                                  JsonNode *body,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL && path_or_url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request_start (self, method, path_or_url, body, FALSE, NULL, cancellable, callback, user_data,
                 foyer_graph_client_request_async);
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
  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (method != NULL && path_or_url != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  request_start (self, method, path_or_url, NULL, TRUE, NULL, cancellable, callback, user_data,
                 foyer_graph_client_request_bytes_async);
}

GBytes *
foyer_graph_client_request_bytes_finish (FoyerGraphClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Paths. */

char *
foyer_graph_share_id_encode (const char *sharing_url)
{
  g_autofree char *encoded = NULL;

  g_return_val_if_fail (sharing_url != NULL, NULL);

  encoded = foyer_base64url_encode ((const guint8 *) sharing_url, strlen (sharing_url));
  return g_strconcat ("u!", encoded, NULL);
}

static char *
escape_segment (const char *segment)
{
  return g_uri_escape_string (segment, "!$&'()*+,;=:@", FALSE);
}

char *
foyer_graph_item_path (const char *drive_id, const char *item_id, const char *suffix)
{
  g_autofree char *drive = drive_id != NULL ? escape_segment (drive_id) : NULL;
  g_autofree char *item = NULL;
  g_autofree char *prefix = NULL;

  prefix = drive != NULL ? g_strdup_printf ("/drives/%s", drive) : g_strdup ("/me/drive");
  if (item_id == NULL || g_strcmp0 (item_id, "root") == 0)
    return g_strconcat (prefix, "/root", suffix, NULL);
  item = escape_segment (item_id);
  return g_strconcat (prefix, "/items/", item, suffix, NULL);
}

char *
foyer_graph_thumbnail_path (const char *drive_id, const char *item_id, const char *size)
{
  g_autofree char *escaped = escape_segment (size != NULL ? size : "medium");
  g_autofree char *suffix = g_strdup_printf ("/thumbnails/0/%s/content", escaped);

  return foyer_graph_item_path (drive_id, item_id, suffix);
}

char *
foyer_graph_shared_thumbnail_path (const char *share_id, const char *size)
{
  g_autofree char *share = escape_segment (share_id);
  g_autofree char *escaped = escape_segment (size != NULL ? size : "medium");

  return g_strdup_printf ("/shares/%s/driveItem/thumbnails/0/%s/content", share, escaped);
}

/* Listings. */

static char *
with_select (const char *path, const char *select)
{
  return g_strdup_printf ("%s%s$select=%s", path, strchr (path, '?') != NULL ? "&" : "?", select);
}

FoyerDriveItemList *
foyer_graph_client_list_children (FoyerGraphClient *self, const char *drive_id, const char *item_id)
{
  g_autofree char *path = NULL;
  g_autofree char *selected = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);

  path = foyer_graph_item_path (drive_id, item_id, "/children");
  selected = with_select (path, FOYER_DRIVE_ITEM_SELECT);
  return foyer_drive_item_list_new (self, selected);
}

/* Each insight type has its own properties: usedInsight has no lastShared
 * and sharedInsight no lastUsed, and Graph answers 400 to a $select that
 * names a property its type lacks. */
#define USED_INSIGHT_SELECT   "id,resourceVisualization,resourceReference,lastUsed"
#define SHARED_INSIGHT_SELECT "id,resourceVisualization,resourceReference,lastShared"

/* Recent and Shared use the insights API; the drive endpoints are deprecated
 * and only a fallback (MSGRAPH.md). */
FoyerDriveItemList *
foyer_graph_client_list_recent (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);

  return _foyer_drive_item_list_new_full (self, "/me/insights/used?$select=" USED_INSIGHT_SELECT,
                                          foyer_drive_item_new_from_insight,
                                          "/me/drive/recent?$select=" FOYER_DRIVE_ITEM_SELECT);
}

FoyerDriveItemList *
foyer_graph_client_list_shared_with_me (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);

  return _foyer_drive_item_list_new_full (
      self, "/me/insights/shared?$select=" SHARED_INSIGHT_SELECT, foyer_drive_item_new_from_insight,
      "/me/drive/sharedWithMe?$select=" FOYER_DRIVE_ITEM_SELECT);
}

FoyerDriveItemList *
foyer_graph_client_search (FoyerGraphClient *self, const char *query)
{
  g_autoptr (GString) quoted = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* OData string literal: a quote is doubled. */
  for (const char *p = query; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (quoted, '\'');
      g_string_append_c (quoted, *p);
    }
  escaped = g_uri_escape_string (quoted->str, "'", FALSE);
  path = g_strdup_printf ("/me/drive/root/search(q='%s')?$select=%s", escaped,
                          FOYER_DRIVE_ITEM_SELECT);
  return foyer_drive_item_list_new (self, path);
}

FoyerDriveItemList *
foyer_graph_client_list_followed_sites (FoyerGraphClient *self)
{
  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);

  return _foyer_drive_item_list_new_full (self,
                                          "/me/followedSites?$select=id,name,displayName,webUrl",
                                          foyer_drive_item_new_from_site, NULL);
}

FoyerDriveItemList *
foyer_graph_client_search_sites (FoyerGraphClient *self, const char *query)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  escaped = g_uri_escape_string (query, NULL, FALSE);
  path = g_strdup_printf ("/sites?search=%s&$select=id,name,displayName,webUrl", escaped);
  return _foyer_drive_item_list_new_full (self, path, foyer_drive_item_new_from_site, NULL);
}

FoyerDriveItemList *
foyer_graph_client_list_site_drives (FoyerGraphClient *self, const char *site_id)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (FOYER_IS_GRAPH_CLIENT (self), NULL);
  g_return_val_if_fail (site_id != NULL, NULL);

  escaped = escape_segment (site_id);
  path = g_strdup_printf ("/sites/%s/drives?$select=id,name,driveType,webUrl,lastModifiedDateTime",
                          escaped);
  return _foyer_drive_item_list_new_full (self, path, foyer_drive_item_new_from_drive, NULL);
}

/* Typed single calls: a request whose JSON is converted by a function. */

typedef gpointer (*ConvertFunc) (JsonNode *root, guint status, gpointer data, GError **error);

typedef struct
{
  ConvertFunc convert;
  gpointer data;
  GDestroyNotify destroy_result;
} Typed;

static void
typed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Typed *typed = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = NULL;
  gpointer value;
  guint status = 0;

  root = foyer_graph_client_request_finish_full (FOYER_GRAPH_CLIENT (source), result, &status,
                                                 &error);
  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  value = typed->convert (root, status, typed->data, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, typed->destroy_result);
}

static void
typed_request (FoyerGraphClient *self,
               const char *method,
               const char *path,
               JsonNode *body,
               const char *prefer,
               ConvertFunc convert,
               gpointer data,
               GDestroyNotify destroy_result,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data,
               gpointer source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Typed *typed = g_new0 (Typed, 1);

  g_task_set_source_tag (task, source_tag);
  typed->convert = convert;
  typed->data = data;
  typed->destroy_result = destroy_result;
  g_task_set_task_data (task, typed, g_free);
  request_start (self, method, path, body, FALSE, prefer, cancellable, typed_cb, task,
                 foyer_graph_client_request_async);
}

static gpointer
typed_finish (FoyerGraphClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gpointer
convert_item (JsonNode *root, guint status, gpointer data, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, _foyer_graph_malformed ("driveItem"));
      return NULL;
    }
  return foyer_drive_item_new_from_json (json_node_get_object (root), error);
}

static gpointer
convert_object (JsonNode *root, guint status, gpointer data, GError **error)
{
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, _foyer_graph_malformed ("object"));
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static gpointer
convert_value_array (JsonNode *root, guint status, gpointer data, GError **error)
{
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (root)
      || (value = json_object_get_member (json_node_get_object (root), "value")) == NULL
      || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_propagate_error (error, _foyer_graph_malformed ("value"));
      return NULL;
    }
  return json_array_ref (json_node_get_array (value));
}

void
foyer_graph_client_get_item_async (FoyerGraphClient *self,
                                   const char *drive_id,
                                   const char *item_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autofree char *path = NULL;
  g_autofree char *selected = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));

  path = foyer_graph_item_path (drive_id, item_id, "");
  selected = with_select (path, FOYER_DRIVE_ITEM_SELECT);
  typed_request (self, "GET", selected, NULL, NULL, convert_item, NULL, g_object_unref, cancellable,
                 callback, user_data, foyer_graph_client_get_item_async);
}

FoyerDriveItem *
foyer_graph_client_get_item_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_item_async, error);
}

void
foyer_graph_client_get_shared_item_async (FoyerGraphClient *self,
                                          const char *sharing_url_or_share_id,
                                          gboolean redeem,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autofree char *share_id = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  if (g_str_has_prefix (sharing_url_or_share_id, "u!"))
    share_id = g_strdup (sharing_url_or_share_id);
  else
    share_id = foyer_graph_share_id_encode (sharing_url_or_share_id);
  escaped = escape_segment (share_id);
  path = g_strdup_printf ("/shares/%s/driveItem?$select=%s", escaped, FOYER_DRIVE_ITEM_SELECT);
  typed_request (self, "GET", path, NULL, redeem ? "redeemSharingLinkIfNecessary" : NULL,
                 convert_item, NULL, g_object_unref, cancellable, callback, user_data,
                 foyer_graph_client_get_shared_item_async);
}

FoyerDriveItem *
foyer_graph_client_get_shared_item_finish (FoyerGraphClient *self,
                                           GAsyncResult *result,
                                           GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_shared_item_async, error);
}

void
foyer_graph_client_get_me_async (FoyerGraphClient *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));

  typed_request (self, "GET", "/me?$select=id,displayName,mail,userPrincipalName", NULL, NULL,
                 convert_object, NULL, (GDestroyNotify) json_object_unref, cancellable, callback,
                 user_data, foyer_graph_client_get_me_async);
}

JsonObject *
foyer_graph_client_get_me_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_me_async, error);
}

static void
thumbnail_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  GBytes *bytes;

  bytes = foyer_graph_client_request_bytes_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (bytes == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, bytes, (GDestroyNotify) g_bytes_unref);
}

void
foyer_graph_client_get_thumbnail_async (FoyerGraphClient *self,
                                        const char *drive_id,
                                        const char *item_id,
                                        const char *size,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_client_get_thumbnail_async);
  path = foyer_graph_thumbnail_path (drive_id, item_id, size);
  foyer_graph_client_request_bytes_async (self, "GET", path, cancellable, thumbnail_cb, task);
}

GBytes *
foyer_graph_client_get_thumbnail_finish (FoyerGraphClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_thumbnail_async, error);
}

void
foyer_graph_client_get_shared_thumbnail_async (FoyerGraphClient *self,
                                               const char *sharing_url_or_share_id,
                                               const char *size,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data)
{
  g_autofree char *share_id = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_client_get_shared_thumbnail_async);
  if (g_str_has_prefix (sharing_url_or_share_id, "u!"))
    share_id = g_strdup (sharing_url_or_share_id);
  else
    share_id = foyer_graph_share_id_encode (sharing_url_or_share_id);
  path = foyer_graph_shared_thumbnail_path (share_id, size);
  foyer_graph_client_request_bytes_async (self, "GET", path, cancellable, thumbnail_cb, task);
}

GBytes *
foyer_graph_client_get_shared_thumbnail_finish (FoyerGraphClient *self,
                                                GAsyncResult *result,
                                                GError **error)
{
  return typed_finish (self, result, foyer_graph_client_get_shared_thumbnail_async, error);
}

static JsonNode *
preview_body (const char *page, double zoom)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (page != NULL)
    {
      json_builder_set_member_name (builder, "page");
      json_builder_add_string_value (builder, page);
    }
  if (zoom > 0)
    {
      json_builder_set_member_name (builder, "zoom");
      json_builder_add_double_value (builder, zoom);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static char *
share_id_from (const char *sharing_url_or_share_id)
{
  g_autofree char *share_id = NULL;

  if (g_str_has_prefix (sharing_url_or_share_id, "u!"))
    share_id = g_strdup (sharing_url_or_share_id);
  else
    share_id = foyer_graph_share_id_encode (sharing_url_or_share_id);
  return escape_segment (share_id);
}

void
foyer_graph_client_preview_async (FoyerGraphClient *self,
                                  const char *drive_id,
                                  const char *item_id,
                                  const char *page,
                                  double zoom,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);

  body = preview_body (page, zoom);
  path = foyer_graph_item_path (drive_id, item_id, "/preview");
  typed_request (self, "POST", path, body, NULL, convert_object, NULL,
                 (GDestroyNotify) json_object_unref, cancellable, callback, user_data,
                 foyer_graph_client_preview_async);
}

void
foyer_graph_client_preview_shared_async (FoyerGraphClient *self,
                                         const char *sharing_url_or_share_id,
                                         const char *page,
                                         double zoom,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *share = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (sharing_url_or_share_id != NULL);

  body = preview_body (page, zoom);
  share = share_id_from (sharing_url_or_share_id);
  path = g_strdup_printf ("/shares/%s/driveItem/preview", share);
  typed_request (self, "POST", path, body, NULL, convert_object, NULL,
                 (GDestroyNotify) json_object_unref, cancellable, callback, user_data,
                 foyer_graph_client_preview_async);
}

JsonObject *
foyer_graph_client_preview_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_preview_async, error);
}

/* createLink */

static gpointer
convert_link (JsonNode *root, guint status, gpointer data, GError **error)
{
  FoyerGraphLinkScope requested = GPOINTER_TO_UINT (data);
  FoyerGraphLink *link = foyer_graph_link_new_from_permission (root, requested, error);

  if (link != NULL)
    link->created = status == 201;
  return link;
}

static gpointer
convert_existing (JsonNode *root, guint status, gpointer data, GError **error)
{
  g_autoptr (FoyerDriveItem) item = convert_item (root, status, data, error);
  FoyerGraphLink *link;

  if (item == NULL)
    return NULL;
  if (foyer_drive_item_get_web_url (item) == NULL)
    {
      g_propagate_error (error, _foyer_graph_malformed ("webUrl"));
      return NULL;
    }
  link = g_new0 (FoyerGraphLink, 1);
  link->scope = FOYER_GRAPH_LINK_SCOPE_EXISTING;
  link->requested_scope = FOYER_GRAPH_LINK_SCOPE_EXISTING;
  link->web_url = g_strdup (foyer_drive_item_get_web_url (item));
  return link;
}

void
foyer_graph_client_create_link_async (FoyerGraphClient *self,
                                      const char *drive_id,
                                      const char *item_id,
                                      FoyerGraphLinkType type,
                                      FoyerGraphLinkScope scope,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (scope <= FOYER_GRAPH_LINK_SCOPE_EXISTING);

  if (scope == FOYER_GRAPH_LINK_SCOPE_EXISTING)
    {
      path = foyer_graph_item_path (drive_id, item_id, "?$select=id,webUrl");
      typed_request (self, "GET", path, NULL, NULL, convert_existing, NULL,
                     (GDestroyNotify) foyer_graph_link_free, cancellable, callback, user_data,
                     foyer_graph_client_create_link_async);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, foyer_graph_link_type_to_string (type));
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, foyer_graph_link_scope_to_string (scope));
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = foyer_graph_item_path (drive_id, item_id, "/createLink");
  typed_request (self, "POST", path, body, NULL, convert_link, GUINT_TO_POINTER (scope),
                 (GDestroyNotify) foyer_graph_link_free, cancellable, callback, user_data,
                 foyer_graph_client_create_link_async);
}

FoyerGraphLink *
foyer_graph_client_create_link_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_create_link_async, error);
}

typedef struct
{
  char *drive_id;
  char *item_id;
  FoyerGraphLinkType type;
  FoyerGraphLinkScope requested;
  FoyerGraphLinkScope current;
} Fallback;

static void
fallback_free (Fallback *fallback)
{
  g_free (fallback->drive_id);
  g_free (fallback->item_id);
  g_free (fallback);
}

static void fallback_try (GTask *task);

static void
fallback_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Fallback *fallback = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  FoyerGraphLink *link;

  link = foyer_graph_client_create_link_finish (FOYER_GRAPH_CLIENT (source), result, &error);
  if (link != NULL)
    {
      link->requested_scope = fallback->requested;
      g_task_return_pointer (task, link, (GDestroyNotify) foyer_graph_link_free);
      return;
    }

  /* The tenant refused this scope: try the next narrower one. */
  if (fallback->current != FOYER_GRAPH_LINK_SCOPE_EXISTING
      && (g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_ACCESS_DENIED)
          || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_NOT_SUPPORTED)
          || g_error_matches (error, FOYER_GRAPH_ERROR, FOYER_GRAPH_ERROR_INVALID_REQUEST)))
    {
      g_debug ("createLink with scope %s refused: %s",
               foyer_graph_link_scope_to_string (fallback->current), error->message);
      fallback->current = fallback->current == FOYER_GRAPH_LINK_SCOPE_ANONYMOUS
                              ? FOYER_GRAPH_LINK_SCOPE_ORGANIZATION
                              : FOYER_GRAPH_LINK_SCOPE_EXISTING;
      fallback_try (g_steal_pointer (&task));
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
fallback_try (GTask *task)
{
  Fallback *fallback = g_task_get_task_data (task);

  foyer_graph_client_create_link_async (
      FOYER_GRAPH_CLIENT (g_task_get_source_object (task)), fallback->drive_id, fallback->item_id,
      fallback->type, fallback->current, g_task_get_cancellable (task), fallback_cb, task);
}

void
foyer_graph_create_link_with_fallback_async (FoyerGraphClient *self,
                                             const char *drive_id,
                                             const char *item_id,
                                             FoyerGraphLinkType type,
                                             FoyerGraphLinkScope first_scope,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data)
{
  GTask *task;
  Fallback *fallback;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (first_scope <= FOYER_GRAPH_LINK_SCOPE_EXISTING);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_create_link_with_fallback_async);
  fallback = g_new0 (Fallback, 1);
  fallback->drive_id = g_strdup (drive_id);
  fallback->item_id = g_strdup (item_id);
  fallback->type = type;
  fallback->requested = first_scope;
  /* "users" is granted per person elsewhere; as a fallback chain it is
   * treated like organization. */
  fallback->current = first_scope == FOYER_GRAPH_LINK_SCOPE_USERS
                          ? FOYER_GRAPH_LINK_SCOPE_ORGANIZATION
                          : first_scope;
  g_task_set_task_data (task, fallback, (GDestroyNotify) fallback_free);
  fallback_try (task);
}

FoyerGraphLink *
foyer_graph_create_link_with_fallback_finish (FoyerGraphClient *self,
                                              GAsyncResult *result,
                                              GError **error)
{
  return typed_finish (self, result, foyer_graph_create_link_with_fallback_async, error);
}

/* At most this many pages of permissions (Graph pages them rarely; a
 * loop of nextLinks must still end). */
#define MAX_PERMISSION_PAGES 20

static void
permissions_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerGraphClient *self = FOYER_GRAPH_CLIENT (source);
  GTask *task = user_data;
  JsonArray *all = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr (JsonNode) root = foyer_graph_client_request_finish (self, result, &error);
  g_autofree char *next_origin = NULL;
  JsonObject *object;
  JsonNode *value;
  const char *next;

  if (root == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  value = object != NULL ? json_object_get_member (object, "value") : NULL;
  if (value == NULL || !JSON_NODE_HOLDS_ARRAY (value))
    {
      g_task_return_error (task, _foyer_graph_malformed ("value"));
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (value)); i++)
    json_array_add_element (
        all, json_node_copy (json_array_get_element (json_node_get_array (value), i)));

  /* The next page, from Graph itself only. */
  next = json_object_get_string_member_with_default (object, "@odata.nextLink", NULL);
  next_origin = next != NULL ? origin_of (next) : NULL;
  if (next != NULL && g_strcmp0 (next_origin, self->base_origin) == 0
      && GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "pages")) < MAX_PERMISSION_PAGES)
    {
      g_object_set_data (
          G_OBJECT (task), "pages",
          GUINT_TO_POINTER (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (task), "pages")) + 1));
      foyer_graph_client_request_async (self, "GET", next, NULL, g_task_get_cancellable (task),
                                        permissions_page_cb, task);
      return;
    }
  g_task_return_pointer (task, json_array_ref (all), (GDestroyNotify) json_array_unref);
  g_object_unref (task);
}

/* Every page of the item's permissions (the owner sees all of them). */
void
foyer_graph_client_list_permissions_async (FoyerGraphClient *self,
                                           const char *drive_id,
                                           const char *item_id,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_graph_client_list_permissions_async);
  g_task_set_task_data (task, json_array_new (), (GDestroyNotify) json_array_unref);
  g_object_set_data (G_OBJECT (task), "pages", GUINT_TO_POINTER (1));
  path = foyer_graph_item_path (drive_id, item_id, "/permissions");
  foyer_graph_client_request_async (self, "GET", path, NULL, cancellable, permissions_page_cb,
                                    task);
}

JsonArray *
foyer_graph_client_list_permissions_finish (FoyerGraphClient *self,
                                            GAsyncResult *result,
                                            GError **error)
{
  return typed_finish (self, result, foyer_graph_client_list_permissions_async, error);
}

void
foyer_graph_client_invite_async (FoyerGraphClient *self,
                                 const char *drive_id,
                                 const char *item_id,
                                 const char *const *emails,
                                 gboolean write,
                                 gboolean require_sign_in,
                                 gboolean send_invitation,
                                 const char *message,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_GRAPH_CLIENT (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (emails != NULL && emails[0] != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; emails[i] != NULL; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "email");
      json_builder_add_string_value (builder, emails[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "roles");
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, write ? "write" : "read");
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "requireSignIn");
  json_builder_add_boolean_value (builder, require_sign_in);
  json_builder_set_member_name (builder, "sendInvitation");
  json_builder_add_boolean_value (builder, send_invitation);
  if (message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = foyer_graph_item_path (drive_id, item_id, "/invite");
  typed_request (self, "POST", path, body, NULL, convert_value_array, NULL,
                 (GDestroyNotify) json_array_unref, cancellable, callback, user_data,
                 foyer_graph_client_invite_async);
}

JsonArray *
foyer_graph_client_invite_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error)
{
  return typed_finish (self, result, foyer_graph_client_invite_async, error);
}
