/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-chat"

#include "config.h"

#include "foyer-chat-client.h"

#include "foyer-core.h"
#include "foyer-json-request.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _FoyerChatClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *token;
  char *person_id;
};

G_DEFINE_TYPE (FoyerChatClient, foyer_chat_client, G_TYPE_OBJECT)

/* A refusal's code and the service's own words, kept with the error. */
typedef struct
{
  char *refusal;
  char *service_message;
} FoyerChatErrorPrivate;

static void
foyer_chat_error_private_init (FoyerChatErrorPrivate *priv)
{
  priv->refusal = NULL;
  priv->service_message = NULL;
}

static void
foyer_chat_error_private_copy (const FoyerChatErrorPrivate *src, FoyerChatErrorPrivate *dest)
{
  dest->refusal = g_strdup (src->refusal);
  dest->service_message = g_strdup (src->service_message);
}

static void
foyer_chat_error_private_clear (FoyerChatErrorPrivate *priv)
{
  g_clear_pointer (&priv->refusal, g_free);
  g_clear_pointer (&priv->service_message, g_free);
}

G_DEFINE_EXTENDED_ERROR (FoyerChatError, foyer_chat_error)

/**
 * foyer_chat_error_get_refusal:
 * @error: a #GError
 *
 * Returns: (nullable): the service's error code for a refused call
 * ("forbidden", "stale-key", … as docs/service-api.md lists them).
 */
const char *
foyer_chat_error_get_refusal (const GError *error)
{
  FoyerChatErrorPrivate *priv = error != NULL && error->domain == FOYER_CHAT_ERROR
                                    ? foyer_chat_error_get_private (error)
                                    : NULL;

  return priv != NULL ? priv->refusal : NULL;
}

/**
 * foyer_chat_error_get_service_message:
 * @error: a #GError
 *
 * Returns: (nullable): the service's own message with its refusal, in
 * English, for administrators, logs and tests; error->message is what
 * people read.
 */
const char *
foyer_chat_error_get_service_message (const GError *error)
{
  FoyerChatErrorPrivate *priv = error != NULL && error->domain == FOYER_CHAT_ERROR
                                    ? foyer_chat_error_get_private (error)
                                    : NULL;

  return priv != NULL ? priv->service_message : NULL;
}

static void
foyer_chat_client_finalize (GObject *object)
{
  FoyerChatClient *self = FOYER_CHAT_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->person_id, g_free);

  G_OBJECT_CLASS (foyer_chat_client_parent_class)->finalize (object);
}

static void
foyer_chat_client_class_init (FoyerChatClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_chat_client_finalize;
}

static void
foyer_chat_client_init (FoyerChatClient *self)
{
  self->session
      = soup_session_new_with_options ("user-agent", foyer_core_user_agent (), "timeout", 60, NULL);
}

/* base_url is the service root, e.g. https://foyer.example (without /v1). */
FoyerChatClient *
foyer_chat_client_new (const char *base_url)
{
  FoyerChatClient *self;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (FOYER_TYPE_CHAT_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  return self;
}

SoupSession *
foyer_chat_client_get_session (FoyerChatClient *self)
{
  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (self), NULL);
  return self->session;
}

char *
foyer_chat_client_get_events_url (FoyerChatClient *self)
{
  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (self), NULL);

  if (g_str_has_prefix (self->base_url, "https://"))
    return g_strconcat ("wss://", self->base_url + strlen ("https://"), "/v1/events", NULL);
  if (g_str_has_prefix (self->base_url, "http://"))
    return g_strconcat ("ws://", self->base_url + strlen ("http://"), "/v1/events", NULL);
  return NULL;
}

const char *
foyer_chat_client_get_token (FoyerChatClient *self)
{
  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (self), NULL);
  return self->token;
}

const char *
foyer_chat_client_get_person_id (FoyerChatClient *self)
{
  g_return_val_if_fail (FOYER_IS_CHAT_CLIENT (self), NULL);
  return self->person_id;
}

void
foyer_chat_client_set_token (FoyerChatClient *self, const char *token, const char *person_id)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));

  g_free (self->token);
  self->token = g_strdup (token);
  g_free (self->person_id);
  self->person_id = g_strdup (person_id);
}

char *
foyer_chat_new_client_message_id (void)
{
  return foyer_random_token (16);
}

/* What a refusal means where it happens, where that says more than the
 * service's code alone (foyer-json-request.c says that much). */
typedef struct
{
  gpointer call; /* the source tag of the call */
  const char *refusal;
  const char *message;
} Refusal;

static const Refusal refusals[] = {
  { foyer_chat_client_login_async, "unauthorized",
    N_ ("The e-mail address or the password is not correct") },
  { foyer_chat_client_login_async, "forbidden",
    N_ ("This account is disabled; ask your organization’s administrator") },
  { foyer_chat_client_add_member_async, "conflict",
    N_ ("This person is already a member of the space") },
  { foyer_chat_client_add_member_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_remove_member_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_get_space_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_list_members_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_list_messages_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_post_message_async, "forbidden", N_ ("You are not a member of this space") },
  { foyer_chat_client_get_space_async, "not-found", N_ ("This space no longer exists") },
  { foyer_chat_client_put_org_settings_async, "forbidden",
    N_ ("Only your organization’s administrators can change these settings") },
  { foyer_chat_client_put_org_settings_async, "invalid",
    N_ ("The Foyer service did not accept these settings") },
};

/* The error of a refused call, said for that call, with the service's
 * code and words kept (foyer_chat_error_get_refusal ()). */
static GError *
explain_refusal (gpointer call, GAsyncResult *result, GError *error)
{
  const char *refusal = foyer_json_request_get_refusal (result);
  FoyerChatErrorPrivate *priv;

  for (gsize i = 0; refusal != NULL && i < G_N_ELEMENTS (refusals); i++)
    if (refusals[i].call == call && g_str_equal (refusals[i].refusal, refusal))
      {
        GError *explained = g_error_new_literal (error->domain, error->code,
                                                 g_dgettext (GETTEXT_PACKAGE, refusals[i].message));

        g_error_free (error);
        error = explained;
        break;
      }
  if (error->domain != FOYER_CHAT_ERROR)
    return error;
  priv = foyer_chat_error_get_private (error);
  priv->refusal = g_strdup (refusal);
  priv->service_message = g_strdup (foyer_json_request_get_service_message (result));
  return error;
}

/* Sends one call of the task (which it takes) to the service; done
 * finishes it, through reply_of (). */
static void
send_call (FoyerChatClient *self,
           const char *method,
           const char *path,
           const char *token,
           JsonNode *body,
           GTask *task,
           GAsyncReadyCallback done)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);

  foyer_json_request_async (self->session, method, url, token, body, NULL, FOYER_CHAT_ERROR,
                            g_task_get_cancellable (task), done, task);
}

/* The service's reply to the task's call, or NULL once the task has
 * returned the refusal, said for that call. */
static JsonNode *
reply_of (GTask *task, GAsyncResult *result)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = foyer_json_request_finish (result, NULL, &error);

  if (node == NULL)
    g_task_return_error (
        task, explain_refusal (g_task_get_source_tag (task), result, g_steal_pointer (&error)));
  return node;
}

static void
request_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  JsonNode *node = reply_of (task, result);

  if (node != NULL)
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
call (FoyerChatClient *self,
      const char *method,
      const char *path,
      JsonNode *body,
      gpointer source_tag,
      GCancellable *cancellable,
      GAsyncReadyCallback callback,
      gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  send_call (self, method, path, self->token, body, task, request_cb);
}

void
foyer_chat_client_request_async (FoyerChatClient *self,
                                 const char *method,
                                 const char *path,
                                 JsonNode *body,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (path != NULL && path[0] == '/');

  call (self, method, path, body, foyer_chat_client_request_async, cancellable, callback,
        user_data);
}

JsonNode *
foyer_chat_client_call_finish (FoyerChatClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
check_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > 128)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
reject_bad_id (FoyerChatClient *self,
               const char *id,
               gpointer source_tag,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  if (check_id (id))
    return FALSE;
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_INVALID,
                           _ ("The identifier is not valid"));
  return TRUE;
}

static JsonNode *
object_node (const char *first_name, ...)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  va_list args;

  va_start (args, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    json_object_set_string_member (object, name, va_arg (args, const char *));
  va_end (args);
  json_node_take_object (node, object);
  return node;
}

static void
login_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerChatClient *self = g_task_get_source_object (task);
  g_autoptr (JsonNode) node = reply_of (task, result);
  JsonObject *reply, *person;
  const char *token, *id;

  if (node == NULL)
    return;
  reply = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  token = foyer_json_get_string (reply, "accessToken");
  person = foyer_json_get_object (reply, "person");
  id = foyer_json_get_string (person, "id");
  if (token == NULL || id == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                               _ ("The Foyer service sent an unexpected sign-in reply"));
      return;
    }
  foyer_chat_client_set_token (self, token, id);
  g_task_return_pointer (task, json_node_ref (json_object_get_member (reply, "person")),
                         (GDestroyNotify) json_node_unref);
}

void
foyer_chat_client_login_async (FoyerChatClient *self,
                               const char *email,
                               const char *password,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_chat_client_login_async);
  body = object_node ("email", email, "password", password, NULL);
  /* No token: signing in is what gets one. */
  send_call (self, "POST", "/v1/sessions", NULL, body, task, login_cb);
}

/* DELETE /v1/sessions/current: the service refuses the token from now on
 * and closes its live stream. The client forgets the token at once. */
void
foyer_chat_client_sign_out_async (FoyerChatClient *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  call (self, "DELETE", "/v1/sessions/current", NULL, foyer_chat_client_sign_out_async, cancellable,
        callback, user_data);
  foyer_chat_client_set_token (self, NULL, NULL);
}

void
foyer_chat_client_get_me_async (FoyerChatClient *self,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  call (self, "GET", "/v1/people/me", NULL, foyer_chat_client_get_me_async, cancellable, callback,
        user_data);
}

void
foyer_chat_client_find_people_async (FoyerChatClient *self,
                                     const char *email,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (email != NULL);

  escaped = g_uri_escape_string (email, NULL, FALSE);
  path = g_strdup_printf ("/v1/people?email=%s", escaped);
  call (self, "GET", path, NULL, foyer_chat_client_find_people_async, cancellable, callback,
        user_data);
}

void
foyer_chat_client_get_org_settings_async (FoyerChatClient *self,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  call (self, "GET", "/v1/org/settings", NULL, foyer_chat_client_get_org_settings_async,
        cancellable, callback, user_data);
}

void
foyer_chat_client_put_org_settings_async (FoyerChatClient *self,
                                          JsonNode *settings,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (settings != NULL);
  call (self, "PUT", "/v1/org/settings", settings, foyer_chat_client_put_org_settings_async,
        cancellable, callback, user_data);
}

void
foyer_chat_client_list_spaces_async (FoyerChatClient *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  call (self, "GET", "/v1/spaces", NULL, foyer_chat_client_list_spaces_async, cancellable, callback,
        user_data);
}

void
foyer_chat_client_create_space_async (FoyerChatClient *self,
                                      const char *title_jwe,
                                      const char *kms_resource_uri,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (title_jwe != NULL && kms_resource_uri != NULL);

  body = object_node ("title", title_jwe, "kmsResourceUri", kms_resource_uri, NULL);
  call (self, "POST", "/v1/spaces", body, foyer_chat_client_create_space_async, cancellable,
        callback, user_data);
}

static void
space_call (FoyerChatClient *self,
            const char *method,
            const char *space_id,
            const char *suffix,
            JsonNode *body,
            gpointer source_tag,
            GCancellable *cancellable,
            GAsyncReadyCallback callback,
            gpointer user_data)
{
  g_autofree char *path = NULL;

  if (reject_bad_id (self, space_id, source_tag, callback, user_data))
    return;
  path = g_strdup_printf ("/v1/spaces/%s%s", space_id, suffix);
  call (self, method, path, body, source_tag, cancellable, callback, user_data);
}

void
foyer_chat_client_get_space_async (FoyerChatClient *self,
                                   const char *space_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  space_call (self, "GET", space_id, "", NULL, foyer_chat_client_get_space_async, cancellable,
              callback, user_data);
}

void
foyer_chat_client_list_members_async (FoyerChatClient *self,
                                      const char *space_id,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  space_call (self, "GET", space_id, "/members", NULL, foyer_chat_client_list_members_async,
              cancellable, callback, user_data);
}

void
foyer_chat_client_add_member_async (FoyerChatClient *self,
                                    const char *space_id,
                                    const char *person_id,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (person_id != NULL);

  body = object_node ("personId", person_id, NULL);
  space_call (self, "POST", space_id, "/members", body, foyer_chat_client_add_member_async,
              cancellable, callback, user_data);
}

void
foyer_chat_client_remove_member_async (FoyerChatClient *self,
                                       const char *space_id,
                                       const char *person_id,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autofree char *suffix = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));

  if (reject_bad_id (self, person_id, foyer_chat_client_remove_member_async, callback, user_data))
    return;
  suffix = g_strdup_printf ("/members/%s", person_id);
  space_call (self, "DELETE", space_id, suffix, NULL, foyer_chat_client_remove_member_async,
              cancellable, callback, user_data);
}

void
foyer_chat_client_list_messages_async (FoyerChatClient *self,
                                       const char *space_id,
                                       gint64 before,
                                       guint limit,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autofree char *suffix = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));

  if (before > 0)
    suffix = g_strdup_printf ("/messages?before=%" G_GINT64_FORMAT "&limit=%u", before,
                              CLAMP (limit, 1, 200));
  else
    suffix = g_strdup_printf ("/messages?limit=%u", CLAMP (limit, 1, 200));
  space_call (self, "GET", space_id, suffix, NULL, foyer_chat_client_list_messages_async,
              cancellable, callback, user_data);
}

void
foyer_chat_client_post_message_async (FoyerChatClient *self,
                                      const char *space_id,
                                      const char *client_message_id,
                                      const char *key_uri,
                                      const char *body_jwe,
                                      const char *const *attachment_refs,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  g_autoptr (JsonNode) body = NULL;
  JsonArray *attachments = json_array_new ();

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));
  g_return_if_fail (client_message_id != NULL && key_uri != NULL && body_jwe != NULL);

  body = object_node ("clientMessageId", client_message_id, "keyUri", key_uri, "body", body_jwe,
                      NULL);
  for (gsize i = 0; attachment_refs != NULL && attachment_refs[i] != NULL; i++)
    {
      JsonObject *attachment = json_object_new ();

      json_object_set_string_member (attachment, "kind", "document");
      json_object_set_string_member (attachment, "ref", attachment_refs[i]);
      json_array_add_object_element (attachments, attachment);
    }
  json_object_set_array_member (json_node_get_object (body), "attachments", attachments);
  space_call (self, "POST", space_id, "/messages", body, foyer_chat_client_post_message_async,
              cancellable, callback, user_data);
}

void
foyer_chat_client_get_events_async (FoyerChatClient *self,
                                    gint64 after,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (FOYER_IS_CHAT_CLIENT (self));

  if (after >= 0)
    path = g_strdup_printf ("/v1/events?after=%" G_GINT64_FORMAT, after);
  else
    path = g_strdup ("/v1/events");
  call (self, "GET", path, NULL, foyer_chat_client_get_events_async, cancellable, callback,
        user_data);
}
