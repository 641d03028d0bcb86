/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-token-client.h"

#include "foyer-auth-error.h"
#include "foyer-core.h"
#include "foyer-id-token.h"
#include "foyer-retry.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _FoyerTokenClient
{
  GObject parent_instance;

  FoyerCloud *cloud;
  char *tenant;
  char *client_id;
  SoupSession *session;
  JsonNode *jwks;

  guint max_retries;
  guint base_delay_ms;
  guint max_delay_ms;
  guint max_retry_after_s;
};

G_DEFINE_FINAL_TYPE (FoyerTokenClient, foyer_token_client, G_TYPE_OBJECT)

/* One POST (or GET when form is NULL) with its retries. */
typedef struct
{
  char *url;
  GBytes *form;
  guint attempt;
  GSource *wait;
  GSource *cancel_wait;
} Call;

static void
call_free (Call *call)
{
  g_free (call->url);
  g_clear_pointer (&call->form, g_bytes_unref);
  g_clear_pointer (&call->wait, g_source_unref);
  g_clear_pointer (&call->cancel_wait, g_source_unref);
  g_free (call);
}

static void
foyer_token_client_finalize (GObject *object)
{
  FoyerTokenClient *self = FOYER_TOKEN_CLIENT (object);

  g_clear_object (&self->cloud);
  g_free (self->tenant);
  g_free (self->client_id);
  g_clear_object (&self->session);
  g_clear_pointer (&self->jwks, json_node_unref);
  G_OBJECT_CLASS (foyer_token_client_parent_class)->finalize (object);
}

static void
foyer_token_client_class_init (FoyerTokenClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_token_client_finalize;
}

static void
foyer_token_client_init (FoyerTokenClient *self)
{
  self->max_retries = 3;
  self->base_delay_ms = 1000;
  self->max_delay_ms = 30000;
  self->max_retry_after_s = 120;
}

FoyerTokenClient *
foyer_token_client_new (FoyerCloud *cloud,
                        const char *tenant,
                        const char *client_id,
                        SoupSession *session)
{
  FoyerTokenClient *self;

  g_return_val_if_fail (FOYER_IS_CLOUD (cloud), NULL);
  g_return_val_if_fail (tenant != NULL && client_id != NULL, NULL);
  g_return_val_if_fail (session == NULL || SOUP_IS_SESSION (session), NULL);

  self = g_object_new (FOYER_TYPE_TOKEN_CLIENT, NULL);
  self->cloud = g_object_ref (cloud);
  self->tenant = g_strdup (tenant);
  self->client_id = g_strdup (client_id);
  if (session != NULL)
    self->session = g_object_ref (session);
  else
    {
      self->session = soup_session_new_with_options ("user-agent", foyer_core_user_agent (),
                                                     "timeout", 60, NULL);
      /* The descriptor's CA, if it names one, is trusted for this cloud only. */
      if (foyer_cloud_get_tls_database (cloud) != NULL)
        soup_session_set_tls_database (self->session, foyer_cloud_get_tls_database (cloud));
    }
  return self;
}

const char *
foyer_token_client_get_tenant (FoyerTokenClient *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_CLIENT (self), NULL);
  return self->tenant;
}

void
foyer_token_client_set_retry_policy (FoyerTokenClient *self,
                                     guint max_retries,
                                     guint base_delay_ms,
                                     guint max_delay_ms,
                                     guint max_retry_after_s)
{
  g_return_if_fail (FOYER_IS_TOKEN_CLIENT (self));

  self->max_retries = max_retries;
  self->base_delay_ms = base_delay_ms;
  self->max_delay_ms = MAX (max_delay_ms, base_delay_ms);
  self->max_retry_after_s = max_retry_after_s;
}

guint
foyer_token_client_backoff_ms (FoyerTokenClient *self, guint attempt)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_CLIENT (self), 0);

  return foyer_retry_backoff_ms (self->base_delay_ms, self->max_delay_ms, attempt);
}

static void send_call (GTask *task);

/* A retry's wait ends when its timeout or the cancellable fires first:
 * both of its sources go, whichever fired. */
static void
end_wait (Call *call)
{
  if (call->wait != NULL)
    g_source_destroy (call->wait);
  if (call->cancel_wait != NULL)
    g_source_destroy (call->cancel_wait);
  g_clear_pointer (&call->wait, g_source_unref);
  g_clear_pointer (&call->cancel_wait, g_source_unref);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  GTask *task = G_TASK (user_data);

  end_wait (g_task_get_task_data (task));
  send_call (task);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = G_TASK (user_data);

  end_wait (g_task_get_task_data (task));
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
retry_later (GTask *task, guint delay_ms)
{
  Call *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  call->attempt++;
  call->wait = g_timeout_source_new (delay_ms);
  g_task_attach_source (task, call->wait, wait_done_cb);
  if (cancellable != NULL)
    {
      call->cancel_wait = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, call->cancel_wait, (GSourceFunc) wait_cancelled_cb);
    }
}

static gboolean
is_retryable (guint status)
{
  return status == 429 || (status >= 500 && status <= 599);
}

/* TRUE when the reply will be retried; the task is then still pending. */
static gboolean
maybe_retry (GTask *task, SoupMessage *msg)
{
  FoyerTokenClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  guint status = soup_message_get_status (msg);
  const char *header;
  guint seconds = 0;

  if (!is_retryable (status) || call->attempt >= self->max_retries)
    return FALSE;
  header = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  if (foyer_retry_parse_after (header, NULL, &seconds))
    {
      if (seconds > self->max_retry_after_s)
        return FALSE;
      g_debug ("Token endpoint answered %u; retrying after %u s", status, seconds);
      retry_later (task, seconds * 1000);
    }
  else
    retry_later (task, foyer_token_client_backoff_ms (self, call->attempt));
  return TRUE;
}

static GError *
error_from_reply (guint status, GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  gsize size = 0;
  const char *data = body ? g_bytes_get_data (body, &size) : NULL;

  if (data != NULL && size > 0 && foyer_json_depth_within (data, size, FOYER_JSON_MAX_DEPTH)
      && json_parser_load_from_data (parser, data, (gssize) size, NULL)
      && (error = foyer_auth_error_new_from_json (json_parser_get_root (parser))) != NULL)
    return error;
  if (is_retryable (status))
    return g_error_new (FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE, "%s (HTTP %u)",
                        _ ("Microsoft sign-in is temporarily unavailable. Try again later."),
                        status);
  return g_error_new (FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_RESPONSE, "%s (HTTP %u)",
                      _ ("Microsoft sign-in sent an answer Foyer does not understand."), status);
}

static void
call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  gsize size = 0;
  const char *data;
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_NETWORK,
                                 _ ("Could not reach Microsoft sign-in: %s"), error->message);
      return;
    }
  status = soup_message_get_status (msg);
  if (maybe_retry (task, msg))
    return;
  if (status != SOUP_STATUS_OK)
    {
      g_task_return_error (task, error_from_reply (status, body));
      return;
    }
  data = g_bytes_get_data (body, &size);
  if (data == NULL || !foyer_json_depth_within (data, size, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, data, (gssize) size, NULL))
    {
      g_task_return_error (task, error_from_reply (status, NULL));
      return;
    }
  g_task_return_pointer (task, json_node_ref (json_parser_get_root (parser)),
                         (GDestroyNotify) json_node_unref);
}

static void
send_call (GTask *task)
{
  FoyerTokenClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr (SoupMessage) msg = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  msg = soup_message_new (call->form ? SOUP_METHOD_POST : SOUP_METHOD_GET, call->url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_CONFIGURATION,
                               _ ("The Microsoft sign-in address is not valid."));
      return;
    }
  /* Microsoft's endpoints answer in place: a redirect (which would carry a
   * code or a refresh token elsewhere) is an error, not followed. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (call->form != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", call->form);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), call_done_cb,
                                    g_object_ref (task));
}

/* Runs a JSON call and hands the reply's root (a JsonNode) to callback. */
static void
start_call (FoyerTokenClient *self,
            char *url,
            GHashTable *form,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Call *call = g_new0 (Call, 1);

  g_task_set_source_tag (task, start_call);
  call->url = url;
  if (form != NULL)
    {
      char *encoded = soup_form_encode_hash (form);
      call->form = g_bytes_new_take (encoded, strlen (encoded));
    }
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  send_call (task);
}

static JsonNode *
finish_call (FoyerTokenClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Token replies. */

static FoyerTokenSet *
token_set_from (FoyerTokenClient *self, GAsyncResult *result, GError **error)
{
  g_autoptr (JsonNode) root = finish_call (self, result, error);

  if (root == NULL)
    return NULL;
  return foyer_token_set_new_from_json (root, g_get_real_time () / G_USEC_PER_SEC, error);
}

static GHashTable *
new_form (FoyerTokenClient *self, const char *grant_type)
{
  GHashTable *form = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (form, "client_id", self->client_id);
  g_hash_table_insert (form, "grant_type", (gpointer) grant_type);
  g_hash_table_insert (form, "scope", FOYER_AUTH_SCOPES);
  return form;
}

static void
refresh_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;
  FoyerTokenSet *set = token_set_from (FOYER_TOKEN_CLIENT (source), result, &error);

  if (set == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, set, g_object_unref);
}

void
foyer_token_client_refresh_async (FoyerTokenClient *self,
                                  const char *refresh_token,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) form = NULL;

  g_return_if_fail (FOYER_IS_TOKEN_CLIENT (self));
  g_return_if_fail (refresh_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_client_refresh_async);
  form = new_form (self, "refresh_token");
  g_hash_table_insert (form, "refresh_token", (gpointer) refresh_token);
  start_call (self, foyer_cloud_token_url (self->cloud, self->tenant), form, cancellable,
              refresh_cb, g_steal_pointer (&task));
}

FoyerTokenSet *
foyer_token_client_refresh_finish (FoyerTokenClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
exchange_validated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  FoyerTokenSet *set = g_task_get_task_data (task);

  claims
      = foyer_token_client_validate_id_token_finish (FOYER_TOKEN_CLIENT (source), result, &error);
  if (claims == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  foyer_token_set_set_claims (set, claims);
  g_task_return_pointer (task, g_object_ref (set), g_object_unref);
}

static void
exchange_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;
  FoyerTokenClient *self = FOYER_TOKEN_CLIENT (source);
  FoyerAuthRequest *req = g_object_get_data (G_OBJECT (task), "request");
  g_autoptr (FoyerTokenSet) set = token_set_from (self, result, &error);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (set == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (foyer_token_set_get_id_token (set) == NULL)
    {
      g_task_return_new_error (task, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_ID_TOKEN,
                               _ ("Microsoft's answer could not be verified. Try signing in "
                                  "again."));
      return;
    }
  g_task_set_task_data (task, g_object_ref (set), g_object_unref);
  foyer_token_client_validate_id_token_async (self, foyer_token_set_get_id_token (set),
                                              foyer_auth_request_get_nonce (req), cancellable,
                                              exchange_validated_cb, g_steal_pointer (&task));
}

void
foyer_token_client_exchange_code_async (FoyerTokenClient *self,
                                        FoyerAuthRequest *req,
                                        const char *code,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) form = NULL;

  g_return_if_fail (FOYER_IS_TOKEN_CLIENT (self));
  g_return_if_fail (FOYER_IS_AUTH_REQUEST (req));
  g_return_if_fail (code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_client_exchange_code_async);
  g_object_set_data_full (G_OBJECT (task), "request", g_object_ref (req), g_object_unref);
  form = new_form (self, "authorization_code");
  g_hash_table_insert (form, "code", (gpointer) code);
  g_hash_table_insert (form, "redirect_uri", (gpointer) foyer_auth_request_get_redirect_uri (req));
  g_hash_table_insert (form, "code_verifier", (gpointer) foyer_auth_request_get_verifier (req));
  start_call (self, foyer_cloud_token_url (self->cloud, self->tenant), form, cancellable,
              exchange_cb, g_steal_pointer (&task));
}

FoyerTokenSet *
foyer_token_client_exchange_code_finish (FoyerTokenClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ID tokens and keys. */

typedef struct
{
  char *id_token;
  char *nonce;
  gboolean fetched;
} Validation;

static void
validation_free (Validation *v)
{
  g_free (v->id_token);
  g_free (v->nonce);
  g_free (v);
}

static void
verify_with_cache (GTask *task)
{
  FoyerTokenClient *self = g_task_get_source_object (task);
  Validation *v = g_task_get_task_data (task);
  g_autofree char *issuer = foyer_cloud_issuer (self->cloud, self->tenant);
  g_autoptr (GError) error = NULL;
  JsonObject *claims;

  claims = foyer_id_token_verify (v->id_token, self->jwks, issuer, self->client_id, v->nonce,
                                  self->tenant, g_get_real_time () / G_USEC_PER_SEC, &error);
  if (claims == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, claims, (GDestroyNotify) json_object_unref);
}

static void
jwks_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  FoyerTokenClient *self = FOYER_TOKEN_CLIENT (source);
  g_autoptr (GError) error = NULL;
  JsonNode *root = finish_call (self, result, &error);

  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->jwks, json_node_unref);
  self->jwks = root;
  verify_with_cache (task);
}

void
foyer_token_client_validate_id_token_async (FoyerTokenClient *self,
                                            const char *id_token,
                                            const char *nonce,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *kid = NULL;
  Validation *v;

  g_return_if_fail (FOYER_IS_TOKEN_CLIENT (self));
  g_return_if_fail (id_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_token_client_validate_id_token_async);
  v = g_new0 (Validation, 1);
  v->id_token = g_strdup (id_token);
  v->nonce = g_strdup (nonce);
  g_task_set_task_data (task, v, (GDestroyNotify) validation_free);

  /* Keys rotate: a token naming a key the cache lacks refetches them. */
  kid = foyer_id_token_get_kid (id_token);
  if (self->jwks != NULL && (kid == NULL || foyer_id_token_jwks_has_kid (self->jwks, kid)))
    {
      verify_with_cache (task);
      return;
    }
  start_call (self, foyer_cloud_jwks_url (self->cloud, self->tenant), NULL, cancellable, jwks_cb,
              g_steal_pointer (&task));
}

JsonObject *
foyer_token_client_validate_id_token_finish (FoyerTokenClient *self,
                                             GAsyncResult *result,
                                             GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
