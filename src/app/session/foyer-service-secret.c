/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service-secret"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "foyer-keyring-queue.h"
#include "foyer-service-secret.h"

static const SecretSchema *
service_schema (void)
{
  static const SecretSchema schema = {
    "io.github.foyer.Foyer.ServiceSession",
    SECRET_SCHEMA_NONE,
    {
        { "service-url", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };

  return &schema;
}

/* A remembered session: the service it is for, the person's address and
 * the token (stored, or found in the keyring). */
typedef struct
{
  char *service_url;
  char *email;
  char *token;
} Secret;

static Secret *
secret_new (const char *service_url, const char *email, const char *token)
{
  Secret *secret = g_new0 (Secret, 1);

  secret->service_url = g_strdup (service_url);
  secret->email = g_strdup (email);
  secret->token = g_strdup (token);
  return secret;
}

static void
secret_free (Secret *secret)
{
  g_free (secret->service_url);
  g_free (secret->email);
  if (secret->token != NULL)
    secret_password_free (secret->token);
  g_free (secret);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  foyer_keyring_queue_done ();
}

static void
cleared_before_store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Secret *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autofree char *label = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      foyer_keyring_queue_done ();
      return;
    }

  label = g_strdup_printf (_ ("Foyer session for %s"), data->email);
  secret_password_store (service_schema (), SECRET_COLLECTION_DEFAULT, label, data->token,
                         g_task_get_cancellable (task), store_cb, task, "service-url",
                         data->service_url, "email", data->email, NULL);
}

/* Only one session per service is kept: forget the previous person's. */
static void
start_store (GTask *task)
{
  Secret *data = g_task_get_task_data (task);

  secret_password_clear (service_schema (), g_task_get_cancellable (task), cleared_before_store_cb,
                         task, "service-url", data->service_url, NULL);
}

void
foyer_service_secret_store_async (const char *service_url,
                                  const char *email,
                                  const char *token,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_service_secret_store_async);
  g_task_set_task_data (task, secret_new (service_url, email, token), (GDestroyNotify) secret_free);

  foyer_keyring_queue_push (task, start_store);
}

gboolean
foyer_service_secret_store_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
retrieved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SecretValue) value = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source), result, &error);
  foyer_keyring_queue_done ();
  if (value == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  attributes = secret_retrievable_get_attributes (SECRET_RETRIEVABLE (source));
  g_task_return_pointer (
      task,
      secret_new (NULL, g_hash_table_lookup (attributes, "email"), secret_value_get_text (value)),
      (GDestroyNotify) secret_free);
}

static void
search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  g_autoptr (GError) error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  if (error != NULL || items == NULL)
    foyer_keyring_queue_done ();
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (items == NULL)
    g_task_return_pointer (task, g_new0 (Secret, 1), (GDestroyNotify) secret_free);
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);

      secret_retrievable_retrieve_secret (items->data, cancellable, retrieved_cb,
                                          g_steal_pointer (&task));
    }

  g_list_free_full (items, g_object_unref);
  g_clear_object (&task);
}

static void
start_lookup (GTask *task)
{
  secret_password_search (service_schema (), SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                          g_task_get_cancellable (task), search_cb, task, "service-url",
                          (const char *) g_task_get_task_data (task), NULL);
}

void
foyer_service_secret_lookup_async (const char *service_url,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_service_secret_lookup_async);
  g_task_set_task_data (task, g_strdup (service_url), g_free);
  foyer_keyring_queue_push (task, start_lookup);
}

char *
foyer_service_secret_lookup_finish (GAsyncResult *result, char **out_email, GError **error)
{
  Secret *found;
  char *token;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return NULL;

  token = g_strdup (found->token);
  if (out_email != NULL)
    *out_email = g_strdup (found->email);
  secret_free (found);

  return token;
}

static void
clear_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  foyer_keyring_queue_done ();
}

static void
start_clear (GTask *task)
{
  secret_password_clear (service_schema (), g_task_get_cancellable (task), clear_cb, task,
                         "service-url", (const char *) g_task_get_task_data (task), NULL);
}

void
foyer_service_secret_clear_async (const char *service_url,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, foyer_service_secret_clear_async);
  g_task_set_task_data (task, g_strdup (service_url), g_free);
  foyer_keyring_queue_push (task, start_clear);
}

gboolean
foyer_service_secret_clear_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
