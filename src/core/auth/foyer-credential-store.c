/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-credential-store.h"
#include "foyer-keyring-queue.h"

#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <string.h>

static const SecretSchema credential_schema = {
  "io.github.foyer.Foyer.MicrosoftAccount",
  SECRET_SCHEMA_NONE,
  {
      { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "generation", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
      { NULL, 0 },
  },
};

G_DEFINE_BOXED_TYPE (FoyerCredentials,
                     foyer_credentials,
                     foyer_credentials_copy,
                     foyer_credentials_free)

FoyerCredentials *
foyer_credentials_new (const char *account,
                       const char *refresh_token,
                       const char *name,
                       const char *email,
                       const char *tenant_id)
{
  FoyerCredentials *c = g_new0 (FoyerCredentials, 1);

  c->account = g_strdup (account);
  c->refresh_token = g_strdup (refresh_token);
  c->name = g_strdup (name);
  c->email = g_strdup (email);
  c->tenant_id = g_strdup (tenant_id);
  return c;
}

FoyerCredentials *
foyer_credentials_copy (const FoyerCredentials *c)
{
  return foyer_credentials_new (c->account, c->refresh_token, c->name, c->email, c->tenant_id);
}

void
foyer_credentials_free (FoyerCredentials *c)
{
  if (c == NULL)
    return;
  g_free (c->account);
  if (c->refresh_token != NULL)
    memset (c->refresh_token, 0, strlen (c->refresh_token));
  g_free (c->refresh_token);
  g_free (c->name);
  g_free (c->email);
  g_free (c->tenant_id);
  g_free (c);
}

struct _FoyerCredentialStore
{
  GObject parent_instance;

  gboolean persistent;
  /* account → FoyerCredentials, used once the Secret Service failed. */
  GHashTable *memory;
};

G_DEFINE_FINAL_TYPE (FoyerCredentialStore, foyer_credential_store, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
foyer_credential_store_finalize (GObject *object)
{
  FoyerCredentialStore *self = FOYER_CREDENTIAL_STORE (object);

  g_clear_pointer (&self->memory, g_hash_table_unref);
  G_OBJECT_CLASS (foyer_credential_store_parent_class)->finalize (object);
}

static void
foyer_credential_store_get_property (GObject *object,
                                     guint prop_id,
                                     GValue *value,
                                     GParamSpec *pspec)
{
  FoyerCredentialStore *self = FOYER_CREDENTIAL_STORE (object);

  switch (prop_id)
    {
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_credential_store_class_init (FoyerCredentialStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = foyer_credential_store_finalize;
  object_class->get_property = foyer_credential_store_get_property;

  properties[PROP_PERSISTENT]
      = g_param_spec_boolean ("persistent", NULL, NULL, TRUE,
                              G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_credential_store_init (FoyerCredentialStore *self)
{
  self->persistent = TRUE;
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) foyer_credentials_free);
}

FoyerCredentialStore *
foyer_credential_store_new (void)
{
  return g_object_new (FOYER_TYPE_CREDENTIAL_STORE, NULL);
}

FoyerCredentialStore *
foyer_credential_store_new_in_memory (void)
{
  FoyerCredentialStore *self = foyer_credential_store_new ();

  self->persistent = FALSE;
  return self;
}

gboolean
foyer_credential_store_is_persistent (FoyerCredentialStore *self)
{
  g_return_val_if_fail (FOYER_IS_CREDENTIAL_STORE (self), FALSE);
  return self->persistent;
}

static void
fall_back_to_memory (FoyerCredentialStore *self, const GError *error)
{
  if (!self->persistent)
    return;
  g_message ("The Secret Service is unavailable (%s): the Microsoft account is kept for this "
             "session only",
             error->message);
  self->persistent = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERSISTENT]);
}

static GHashTable *
attributes_for (const char *account)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, "generation",
                       g_strdup_printf ("%d", FOYER_CREDENTIAL_GENERATION));
  if (account != NULL)
    g_hash_table_insert (attributes, "account", g_strdup (account));
  return attributes;
}

static char *
credentials_to_json (const FoyerCredentials *c)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  foyer_json_builder_add_string (b, "account", c->account);
  foyer_json_builder_add_string (b, "refreshToken", c->refresh_token);
  foyer_json_builder_add_string (b, "name", c->name);
  foyer_json_builder_add_string (b, "email", c->email);
  foyer_json_builder_add_string (b, "tenantId", c->tenant_id);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

static FoyerCredentials *
credentials_from_json (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (foyer_json_get_string (o, "refreshToken") == NULL)
    return NULL;
  return foyer_credentials_new (
      foyer_json_get_string (o, "account"), foyer_json_get_string (o, "refreshToken"),
      foyer_json_get_string (o, "name"), foyer_json_get_string (o, "email"),
      foyer_json_get_string (o, "tenantId"));
}

static FoyerCredentials *
memory_lookup (FoyerCredentialStore *self, const char *account)
{
  GHashTableIter iter;
  FoyerCredentials *c;

  if (account != NULL)
    {
      c = g_hash_table_lookup (self->memory, account);
      return c ? foyer_credentials_copy (c) : NULL;
    }
  g_hash_table_iter_init (&iter, self->memory);
  if (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    return foyer_credentials_copy (c);
  return NULL;
}

/* Every operation runs the same way: at once from the in-memory table
 * when the Secret Service is not in use, else queued for the keyring
 * (foyer-keyring-queue.h), where it may still find the Secret Service
 * given up meanwhile; a keyring call that fails for any reason but
 * cancellation gives the Secret Service up for the session and answers
 * from memory. Each operation says only how memory answers it. */

typedef void (*MemoryAnswer) (GTask *task);

/* Runs @task (owned) from memory, or queues it for the keyring. */
static void
run (GTask *task, MemoryAnswer answer, FoyerKeyringStart start)
{
  FoyerCredentialStore *self = g_task_get_source_object (task);

  if (self->persistent)
    {
      foyer_keyring_queue_push (task, start);
      return;
    }
  answer (task);
  g_object_unref (task);
}

/* At the start of a queued operation: TRUE when the Secret Service was
 * given up while it waited, and memory answered @task (owned). */
static gboolean
answered_from_memory (GTask *task, MemoryAnswer answer)
{
  FoyerCredentialStore *self = g_task_get_source_object (task);

  if (self->persistent)
    return FALSE;
  answer (task);
  g_object_unref (task);
  foyer_keyring_queue_done ();
  return TRUE;
}

/* At the end of a keyring call: TRUE when it failed and @task is
 * answered (cancelled, or from memory). */
static gboolean
keyring_call_failed (GTask *task, GError **error, MemoryAnswer answer)
{
  if (*error == NULL)
    return FALSE;
  if (g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_error (task, g_steal_pointer (error));
  else
    {
      fall_back_to_memory (g_task_get_source_object (task), *error);
      answer (task);
    }
  return TRUE;
}

/* Save. */

static void
save_in_memory (GTask *task)
{
  FoyerCredentialStore *self = g_task_get_source_object (task);
  FoyerCredentials *c = g_task_get_task_data (task);

  g_hash_table_replace (self->memory, g_strdup (c->account), foyer_credentials_copy (c));
  g_task_return_boolean (task, TRUE);
}

static void
store_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;

  secret_password_store_finish (result, &error);
  if (!keyring_call_failed (task, &error, save_in_memory))
    g_task_return_boolean (task, TRUE);
  foyer_keyring_queue_done ();
}

static void
start_save (GTask *task)
{
  FoyerCredentials *c = g_task_get_task_data (task);
  g_autoptr (GHashTable) attributes = NULL;
  g_autofree char *json = NULL;
  g_autofree char *label = NULL;

  if (answered_from_memory (task, save_in_memory))
    return;
  attributes = attributes_for (c->account);
  json = credentials_to_json (c);
  /* Translators: the label of the keyring item; %s is an e-mail address. */
  label = g_strdup_printf (_ ("Foyer Microsoft account (%s)"), c->email ? c->email : c->account);
  secret_password_storev (&credential_schema, attributes, SECRET_COLLECTION_DEFAULT, label, json,
                          g_task_get_cancellable (task), store_cb, task);
  memset (json, 0, strlen (json));
}

void
foyer_credential_store_save_async (FoyerCredentialStore *self,
                                   const FoyerCredentials *credentials,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_CREDENTIAL_STORE (self));
  g_return_if_fail (credentials != NULL && credentials->account != NULL);
  g_return_if_fail (credentials->refresh_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_credential_store_save_async);
  g_task_set_task_data (task, foyer_credentials_copy (credentials),
                        (GDestroyNotify) foyer_credentials_free);
  run (task, save_in_memory, start_save);
}

gboolean
foyer_credential_store_save_finish (FoyerCredentialStore *self,
                                    GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup. */

static void
lookup_in_memory (GTask *task)
{
  FoyerCredentialStore *self = g_task_get_source_object (task);
  const char *account = g_task_get_task_data (task);

  g_task_return_pointer (task, memory_lookup (self, account),
                         (GDestroyNotify) foyer_credentials_free);
}

static void
lookup_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;
  char *json = secret_password_lookup_finish (result, &error);

  if (!keyring_call_failed (task, &error, lookup_in_memory))
    {
      FoyerCredentials *c = credentials_from_json (json);

      secret_password_free (json);
      g_task_return_pointer (task, c, (GDestroyNotify) foyer_credentials_free);
    }
  foyer_keyring_queue_done ();
}

static void
start_lookup (GTask *task)
{
  g_autoptr (GHashTable) attributes = NULL;

  if (answered_from_memory (task, lookup_in_memory))
    return;
  attributes = attributes_for (g_task_get_task_data (task));
  secret_password_lookupv (&credential_schema, attributes, g_task_get_cancellable (task), lookup_cb,
                           task);
}

void
foyer_credential_store_lookup_async (FoyerCredentialStore *self,
                                     const char *account,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_CREDENTIAL_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_credential_store_lookup_async);
  g_task_set_task_data (task, g_strdup (account), g_free);
  run (task, lookup_in_memory, start_lookup);
}

FoyerCredentials *
foyer_credential_store_lookup_finish (FoyerCredentialStore *self,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clear. */

/* The in-memory entries go when the operation is asked for, whatever
 * keeps them; memory has nothing more to do. */
static void
clear_in_memory (GTask *task)
{
  g_task_return_boolean (task, TRUE);
}

static void
clear_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = G_TASK (user_data);
  g_autoptr (GError) error = NULL;

  secret_password_clear_finish (result, &error);
  if (!keyring_call_failed (task, &error, clear_in_memory))
    g_task_return_boolean (task, TRUE);
  foyer_keyring_queue_done ();
}

static void
start_clear (GTask *task)
{
  g_autoptr (GHashTable) attributes = NULL;

  if (answered_from_memory (task, clear_in_memory))
    return;
  attributes = attributes_for (g_task_get_task_data (task));
  secret_password_clearv (&credential_schema, attributes, g_task_get_cancellable (task), clear_cb,
                          task);
}

void
foyer_credential_store_clear_async (FoyerCredentialStore *self,
                                    const char *account,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_CREDENTIAL_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_credential_store_clear_async);
  g_task_set_task_data (task, g_strdup (account), g_free);
  if (account != NULL)
    g_hash_table_remove (self->memory, account);
  else
    g_hash_table_remove_all (self->memory);
  run (task, clear_in_memory, start_clear);
}

gboolean
foyer_credential_store_clear_finish (FoyerCredentialStore *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
