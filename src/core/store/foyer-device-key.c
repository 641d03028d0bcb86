/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-device-key.h"

#include "foyer-core.h"
#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

struct _FoyerDeviceKey
{
  GObject parent_instance;

  GMutex lock;
  char *profile;
  guint generation;
  gboolean persistent;
  char *fallback_reason;
  guint8 key[FOYER_DEVICE_KEY_LENGTH];
};

G_DEFINE_FINAL_TYPE (FoyerDeviceKey, foyer_device_key, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PROFILE,
  PROP_GENERATION,
  PROP_PERSISTENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const SecretSchema *
foyer_device_key_get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.foyer.Foyer.DeviceKey",
    SECRET_SCHEMA_NONE,
    {
        { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "generation", SECRET_SCHEMA_ATTRIBUTE_INTEGER },
        { NULL, 0 },
    },
  };

  return &schema;
}

static void
foyer_device_key_finalize (GObject *object)
{
  FoyerDeviceKey *self = FOYER_DEVICE_KEY (object);

  OPENSSL_cleanse (self->key, sizeof self->key);
  g_free (self->profile);
  g_free (self->fallback_reason);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (foyer_device_key_parent_class)->finalize (object);
}

static void
foyer_device_key_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerDeviceKey *self = FOYER_DEVICE_KEY (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    case PROP_GENERATION:
      g_value_set_uint (value, foyer_device_key_get_generation (self));
      break;
    case PROP_PERSISTENT:
      g_value_set_boolean (value, self->persistent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_device_key_class_init (FoyerDeviceKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = foyer_device_key_finalize;
  object_class->get_property = foyer_device_key_get_property;

  properties[PROP_PROFILE] = g_param_spec_string ("profile", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GENERATION] = g_param_spec_uint ("generation", NULL, NULL, 0, G_MAXUINT, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSISTENT] = g_param_spec_boolean ("persistent", NULL, NULL, FALSE,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
foyer_device_key_init (FoyerDeviceKey *self)
{
  g_mutex_init (&self->lock);
}

static char *
encode_key (const guint8 key[FOYER_DEVICE_KEY_LENGTH])
{
  return g_base64_encode (key, FOYER_DEVICE_KEY_LENGTH);
}

static gboolean
decode_key (const char *text, guint8 out[FOYER_DEVICE_KEY_LENGTH])
{
  gsize len = 0;
  guint8 *raw;
  gboolean ok;

  if (text == NULL)
    return FALSE;
  raw = g_base64_decode (text, &len);
  ok = raw != NULL && len == FOYER_DEVICE_KEY_LENGTH;
  if (ok)
    memcpy (out, raw, FOYER_DEVICE_KEY_LENGTH);
  if (raw != NULL)
    OPENSSL_cleanse (raw, len);
  g_free (raw);

  return ok;
}

static gboolean
store_key (const char *profile,
           guint generation,
           const guint8 key[FOYER_DEVICE_KEY_LENGTH],
           GCancellable *cancellable,
           GError **error)
{
  g_autofree char *label = NULL;
  char *text = encode_key (key);
  gboolean ok;

  /* Translators: the label of the Secret Service item shown in Passwords and Keys. */
  label = g_strdup_printf (_ ("Foyer local data key (%s)"), profile);
  ok = secret_password_store_sync (foyer_device_key_get_schema (), SECRET_COLLECTION_DEFAULT, label,
                                   text, cancellable, error, "profile", profile, "generation",
                                   (int) generation, NULL);
  OPENSSL_cleanse (text, strlen (text));
  g_free (text);

  return ok;
}

static void
clear_generation (const char *profile, guint generation)
{
  g_autoptr (GError) error = NULL;

  if (!secret_password_clear_sync (foyer_device_key_get_schema (), NULL, &error, "profile", profile,
                                   "generation", (int) generation, NULL))
    {
      if (error != NULL)
        g_debug ("Could not forget device key generation %u: %s", generation, error->message);
    }
}

static guint
item_generation (SecretRetrievable *item)
{
  g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (item);
  const char *text = g_hash_table_lookup (attributes, "generation");
  guint64 value = 0;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT, &value, NULL))
    return 0;

  return (guint) value;
}

static FoyerDeviceKey *
device_key_new_ephemeral (const char *profile, const char *reason, GError **error)
{
  g_autoptr (FoyerDeviceKey) self = g_object_new (FOYER_TYPE_DEVICE_KEY, NULL);

  self->profile = g_strdup (profile);
  self->generation = 1;
  self->persistent = FALSE;
  self->fallback_reason = g_strdup (reason);
  if (!foyer_random_bytes (self->key, sizeof self->key, error))
    return NULL;

  g_message ("No usable Secret Service (%s): local data is kept for this session only", reason);

  return g_steal_pointer (&self);
}

/* Reads the newest generation of the profile's key; creates the key when
 * there is none (or it is unreadable). Older generations are forgotten. */
static gboolean
load_or_create (FoyerDeviceKey *self, GCancellable *cancellable, GError **error)
{
  g_autolist (SecretRetrievable) items = NULL;
  SecretRetrievable *best = NULL;
  guint best_generation = 0, top_generation = 0;
  gboolean have_key = FALSE;

  items = secret_password_search_sync (foyer_device_key_get_schema (),
                                       SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK
                                           | SECRET_SEARCH_LOAD_SECRETS,
                                       cancellable, error, "profile", self->profile, NULL);
  if (items == NULL && error != NULL && *error != NULL)
    return FALSE;

  for (GList *l = items; l != NULL; l = l->next)
    {
      guint generation = item_generation (l->data);

      if (generation > best_generation)
        {
          best_generation = generation;
          best = l->data;
        }
    }
  top_generation = best_generation;

  if (best != NULL)
    {
      g_autoptr (SecretValue) value = NULL;
      g_autoptr (GError) local_error = NULL;

      value = secret_retrievable_retrieve_secret_sync (best, cancellable, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* No secret at all means the item is still locked (the unlock prompt
       * was dismissed): the key exists, so never replace it, only fall back. */
      if (value == NULL)
        {
          g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_NO_KEY,
                       _ ("The keyring that holds the key for local data is locked"));
          return FALSE;
        }
      have_key = decode_key (secret_value_get_text (value), self->key);
      if (!have_key)
        g_debug ("Device key generation %u is unreadable; making a new one", best_generation);
    }

  if (have_key)
    {
      self->generation = best_generation;
    }
  else
    {
      self->generation = top_generation + 1;
      if (!foyer_random_bytes (self->key, sizeof self->key, error)
          || !store_key (self->profile, self->generation, self->key, cancellable, error))
        return FALSE;
    }

  /* A rotation that was interrupted leaves an older generation behind. */
  for (GList *l = items; l != NULL; l = l->next)
    {
      guint generation = item_generation (l->data);

      if (generation != self->generation)
        clear_generation (self->profile, generation);
    }

  self->persistent = TRUE;
  return TRUE;
}

FoyerDeviceKey *
foyer_device_key_load_sync (const char *profile, GCancellable *cancellable, GError **error)
{
  g_autoptr (FoyerDeviceKey) self = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (profile != NULL && *profile != '\0', NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (FOYER_TYPE_DEVICE_KEY, NULL);
  self->profile = g_strdup (profile);

  if (load_or_create (self, cancellable, &local_error))
    return g_steal_pointer (&self);

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  return device_key_new_ephemeral (
      profile, local_error != NULL ? local_error->message : "unknown error", error);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  FoyerDeviceKey *key = foyer_device_key_load_sync (task_data, cancellable, &error);

  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_object_unref);
}

void
foyer_device_key_load_async (const char *profile,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (profile != NULL && *profile != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_device_key_load_async);
  g_task_set_task_data (task, g_strdup (profile), g_free);
  g_task_run_in_thread (task, load_thread);
}

FoyerDeviceKey *
foyer_device_key_load_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == foyer_device_key_load_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
foyer_device_key_rotate_sync (FoyerDeviceKey *self, GCancellable *cancellable, GError **error)
{
  guint8 fresh[FOYER_DEVICE_KEY_LENGTH];
  g_autoptr (GError) local_error = NULL;
  guint old_generation;

  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), FALSE);

  if (!foyer_random_bytes (fresh, sizeof fresh, error))
    return FALSE;

  g_mutex_lock (&self->lock);
  old_generation = self->generation;
  if (self->persistent
      && !store_key (self->profile, old_generation + 1, fresh, cancellable, &local_error))
    {
      g_mutex_unlock (&self->lock);
      OPENSSL_cleanse (fresh, sizeof fresh);
      g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_NO_KEY,
                   _ ("Could not save a new key for local data in the keyring: %s"),
                   local_error->message);
      return FALSE;
    }
  memcpy (self->key, fresh, sizeof fresh);
  self->generation = old_generation + 1;
  g_mutex_unlock (&self->lock);
  OPENSSL_cleanse (fresh, sizeof fresh);

  if (self->persistent)
    clear_generation (self->profile, old_generation);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);

  return TRUE;
}

static void
rotate_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (foyer_device_key_rotate_sync (source, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
foyer_device_key_rotate_async (FoyerDeviceKey *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (FOYER_IS_DEVICE_KEY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_device_key_rotate_async);
  g_task_run_in_thread (task, rotate_thread);
}

gboolean
foyer_device_key_rotate_finish (FoyerDeviceKey *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

const char *
foyer_device_key_get_profile (FoyerDeviceKey *self)
{
  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), NULL);

  return self->profile;
}

guint
foyer_device_key_get_generation (FoyerDeviceKey *self)
{
  guint generation;

  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), 0);

  g_mutex_lock (&self->lock);
  generation = self->generation;
  g_mutex_unlock (&self->lock);

  return generation;
}

gboolean
foyer_device_key_is_persistent (FoyerDeviceKey *self)
{
  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), FALSE);

  return self->persistent;
}

/* Why the key is not persistent (for the log and for support); NULL when it is. */
const char *
foyer_device_key_get_fallback_reason (FoyerDeviceKey *self)
{
  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), NULL);

  return self->fallback_reason;
}

/* What the app tells the user when the key is not persistent (translated);
 * NULL when it is. */
const char *
foyer_device_key_get_user_notice (FoyerDeviceKey *self)
{
  g_return_val_if_fail (FOYER_IS_DEVICE_KEY (self), NULL);

  if (self->persistent)
    return NULL;

  return _ ("The keyring is not available, so Foyer keeps your Microsoft session and cached "
            "messages only until you quit. Nothing is saved on this computer.");
}

void
foyer_device_key_copy_bytes (FoyerDeviceKey *self, guint8 out[FOYER_DEVICE_KEY_LENGTH])
{
  g_return_if_fail (FOYER_IS_DEVICE_KEY (self));

  g_mutex_lock (&self->lock);
  memcpy (out, self->key, FOYER_DEVICE_KEY_LENGTH);
  g_mutex_unlock (&self->lock);
}
