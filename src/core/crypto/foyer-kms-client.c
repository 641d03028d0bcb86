/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-kms-client.h"
#include "foyer-kms-client-private.h"

#include "foyer-core.h"
#include "foyer-jose-shape.h"
#include "foyer-json.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"

#include <cjose/cjose.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* The request header that asks the KMS to wrap the key it returns to an
 * ephemeral EC key of ours (ECDH-ES + A256GCM), so key material is never
 * readable in transit even to something that terminates TLS. */
#define WRAP_HEADER "Foyer-Key-Wrap"

struct _FoyerKmsClient
{
  GObject parent_instance;

  SoupSession *session;
  char *base_url;
  char *token;
  GHashTable *keys; /* uri → FoyerKmsKey */
};

G_DEFINE_TYPE (FoyerKmsClient, foyer_kms_client, G_TYPE_OBJECT)
/* clang-format off */
G_DEFINE_QUARK (foyer-kms-error-quark, foyer_kms_error)
/* clang-format on */
G_DEFINE_BOXED_TYPE (FoyerKmsKey, foyer_kms_key, foyer_kms_key_copy, foyer_kms_key_free)

FoyerKmsKey *
foyer_kms_key_new (const char *uri, GBytes *key)
{
  FoyerKmsKey *self = g_new0 (FoyerKmsKey, 1);

  self->uri = g_strdup (uri);
  self->key = g_bytes_ref (key);
  return self;
}

FoyerKmsKey *
foyer_kms_key_copy (const FoyerKmsKey *self)
{
  return foyer_kms_key_new (self->uri, self->key);
}

void
foyer_kms_key_free (FoyerKmsKey *self)
{
  if (self == NULL)
    return;
  g_free (self->uri);
  g_bytes_unref (self->key);
  g_free (self);
}

const guint8 *
foyer_kms_key_get_data (const FoyerKmsKey *self, gsize *length)
{
  return g_bytes_get_data (self->key, length);
}

static void
foyer_kms_client_finalize (GObject *object)
{
  FoyerKmsClient *self = FOYER_KMS_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->keys, g_hash_table_unref);

  G_OBJECT_CLASS (foyer_kms_client_parent_class)->finalize (object);
}

static void
foyer_kms_client_class_init (FoyerKmsClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_kms_client_finalize;
}

static void
foyer_kms_client_init (FoyerKmsClient *self)
{
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) foyer_kms_key_free);
}

/* base_url is the KMS API root, e.g. https://kms.example/kms/v1. */
FoyerKmsClient *
foyer_kms_client_new (SoupSession *session, const char *base_url)
{
  FoyerKmsClient *self;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (FOYER_TYPE_KMS_CLIENT, NULL);
  self->session = g_object_ref (session);
  self->base_url = g_strdup (base_url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  return self;
}

void
foyer_kms_client_set_token (FoyerKmsClient *self, const char *token)
{
  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));

  g_free (self->token);
  self->token = g_strdup (token);
}

void
foyer_kms_client_forget_keys (FoyerKmsClient *self)
{
  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));
  g_hash_table_remove_all (self->keys);
}

guint
foyer_kms_client_get_cached_count (FoyerKmsClient *self)
{
  g_return_val_if_fail (FOYER_IS_KMS_CLIENT (self), 0);
  return g_hash_table_size (self->keys);
}

/* "kms://host/keys/<id>" → "<id>" when kind is "keys". */
char *
foyer_kms_uri_get_id (const char *uri, const char *kind)
{
  g_autofree char *infix = g_strdup_printf ("/%s/", kind);
  const char *authority_end;
  const char *id;

  if (uri == NULL || !g_str_has_prefix (uri, "kms://"))
    return NULL;
  authority_end = strchr (uri + strlen ("kms://"), '/');
  if (authority_end == NULL || !g_str_has_prefix (authority_end, infix))
    return NULL;
  id = authority_end + strlen (infix);
  if (*id == '\0' || strlen (id) > 128)
    return NULL;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return NULL;
  return g_strdup (id);
}

static void
request (FoyerKmsClient *self,
         const char *method,
         const char *path,
         JsonNode *body,
         const char *const *headers,
         GTask *task,
         GAsyncReadyCallback callback)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);

  foyer_json_request_async (self->session, method, url, self->token, body, headers, FOYER_KMS_ERROR,
                            g_task_get_cancellable (task), callback, task);
}

typedef struct
{
  char *wanted_uri;
  cjose_jwk_t *ephemeral;
  char *header_value;
} KeyRequest;

static void
key_request_free (KeyRequest *data)
{
  g_free (data->wanted_uri);
  if (data->ephemeral != NULL)
    cjose_jwk_release (data->ephemeral);
  g_free (data->header_value);
  g_free (data);
}

static KeyRequest *
key_request_new (const char *wanted_uri)
{
  KeyRequest *data = g_new0 (KeyRequest, 1);
  cjose_err err = { 0 };
  char *public_json;

  data->wanted_uri = g_strdup (wanted_uri);
  data->ephemeral = cjose_jwk_create_EC_random (CJOSE_JWK_EC_P_256, &err);
  if (data->ephemeral == NULL)
    {
      key_request_free (data);
      return NULL;
    }
  public_json = cjose_jwk_to_json (data->ephemeral, false, &err);
  if (public_json == NULL)
    {
      key_request_free (data);
      return NULL;
    }
  data->header_value = foyer_base64url_encode ((const guint8 *) public_json, strlen (public_json));
  cjose_get_dealloc () (public_json);
  return data;
}

static FoyerKmsKey *
parse_key (const char *uri, JsonObject *jwk)
{
  g_autofree char *id = NULL;
  g_autofree guint8 *raw = NULL;
  gsize len = 0;
  g_autoptr (GBytes) bytes = NULL;
  const char *k;

  if (uri == NULL || jwk == NULL || (id = foyer_kms_uri_get_id (uri, "keys")) == NULL)
    return NULL;
  if (g_strcmp0 (foyer_json_get_string (jwk, "kty"), "oct") != 0)
    return NULL;
  k = foyer_json_get_string (jwk, "k");
  if (k == NULL || (raw = foyer_base64url_decode (k, &len)) == NULL || len != FOYER_JWE_KEY_SIZE)
    return NULL;

  bytes = g_bytes_new (raw, len);
  memset (raw, 0, len);
  return foyer_kms_key_new (uri, bytes);
}

/* Opens {"uri", "wrappedKey": JWE(ECDH-ES) of the JWK} with our ephemeral
 * key: the KMS's reply is outside input (fuzzed, tests/fuzz/security). */
FoyerKmsKey *
_foyer_kms_key_unwrap (JsonObject *object, cjose_jwk_t *ephemeral)
{
  const char *uri = foyer_json_get_string (object, "uri");
  const char *wrapped = foyer_json_get_string (object, "wrappedKey");
  static const char *const algs[] = { "ECDH-ES", NULL };
  static const FoyerJoseRules rules = { FOYER_JOSE_JWE, 8192, algs, "A256GCM" };
  g_autoptr (JsonObject) shape = NULL;
  g_autoptr (JsonNode) root = NULL;
  cjose_err err = { 0 };
  cjose_jwe_t *jwe;
  guint8 *plain;
  size_t plain_len = 0;
  JsonObject *jwk;

  if (uri == NULL || wrapped == NULL)
    return NULL;
  /* The reply is outside input: cjose aborts on some malformed JWEs. */
  shape = foyer_jose_check (wrapped, &rules, NULL);
  if (shape == NULL || strchr (wrapped, '.')[1] != '.')
    return NULL;
  jwe = cjose_jwe_import (wrapped, strlen (wrapped), &err);
  if (jwe == NULL)
    return NULL;
  plain = cjose_jwe_decrypt (jwe, ephemeral, &plain_len, &err);
  cjose_jwe_release (jwe);
  if (plain == NULL)
    return NULL;
  root = foyer_json_parse ((const char *) plain, plain_len);
  memset (plain, 0, plain_len);
  cjose_get_dealloc () (plain);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  jwk = json_node_get_object (root);
  if (g_strcmp0 (foyer_json_get_string (jwk, "kid"), uri) != 0)
    return NULL;
  return parse_key (uri, jwk);
}

static FoyerKmsKey *
key_from_json (JsonNode *root, KeyRequest *data, GError **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  FoyerKmsKey *key = object != NULL ? _foyer_kms_key_unwrap (object, data->ephemeral) : NULL;

  if (key == NULL)
    g_set_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_SERVER,
                 _ ("The key service sent a malformed key"));
  return key;
}

static void
create_resource_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = foyer_json_request_finish (result, NULL, &error);
  const char *uri = NULL;

  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    uri = foyer_json_get_string (json_node_get_object (root), "uri");
  if (uri == NULL || !g_str_has_prefix (uri, "kms://"))
    {
      g_task_return_new_error (task, FOYER_KMS_ERROR, FOYER_KMS_ERROR_SERVER,
                               _ ("The key service sent a malformed resource"));
      return;
    }
  g_task_return_pointer (task, g_strdup (uri), g_free);
}

void
foyer_kms_client_create_resource_async (FoyerKmsClient *self,
                                        const char *const *person_ids,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_kms_client_create_resource_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "authorizations");
  json_builder_begin_array (builder);
  for (gsize i = 0; person_ids != NULL && person_ids[i] != NULL; i++)
    json_builder_add_string_value (builder, person_ids[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  request (self, "POST", "/resources", body, NULL, task, create_resource_cb);
}

char *
foyer_kms_client_create_resource_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
key_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  FoyerKmsClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = foyer_json_request_finish (result, NULL, &error);
  g_autoptr (FoyerKmsKey) key = NULL;
  KeyRequest *data = g_task_get_task_data (task);
  const char *wanted = data->wanted_uri;

  if (root == NULL || (key = key_from_json (root, data, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (wanted != NULL && g_strcmp0 (wanted, key->uri) != 0)
    {
      g_task_return_new_error (task, FOYER_KMS_ERROR, FOYER_KMS_ERROR_SERVER,
                               _ ("The key service sent a different key than asked"));
      return;
    }
  g_hash_table_replace (self->keys, g_strdup (key->uri), foyer_kms_key_copy (key));
  g_task_return_pointer (task, g_steal_pointer (&key), (GDestroyNotify) foyer_kms_key_free);
}

/* Asks for a key wrapped to a fresh ephemeral key of ours (WRAP_HEADER),
 * which key_cb opens: the same for a new key and an existing one. Takes
 * task. */
static void
key_request (FoyerKmsClient *self,
             const char *method,
             const char *path,
             JsonNode *body,
             const char *wanted_uri,
             GTask *task)
{
  KeyRequest *data = key_request_new (wanted_uri);
  const char *headers[] = { WRAP_HEADER, NULL, NULL };

  if (data == NULL)
    {
      g_task_return_new_error (task, FOYER_KMS_ERROR, FOYER_KMS_ERROR_INVALID,
                               _ ("Could not make a key to receive the key"));
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) key_request_free);
  headers[1] = data->header_value;
  request (self, method, path, body, headers, task, key_cb);
}

void
foyer_kms_client_create_key_async (FoyerKmsClient *self,
                                   const char *resource_uri,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));
  g_return_if_fail (resource_uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_kms_client_create_key_async);

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "resourceUri", resource_uri);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);
  key_request (self, "POST", "/keys", body, NULL, task);
}

FoyerKmsKey *
foyer_kms_client_create_key_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
foyer_kms_client_get_key_async (FoyerKmsClient *self,
                                const char *key_uri,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *id = NULL;
  g_autofree char *path = NULL;
  FoyerKmsKey *cached;

  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_kms_client_get_key_async);

  cached = key_uri != NULL ? g_hash_table_lookup (self->keys, key_uri) : NULL;
  if (cached != NULL)
    {
      g_task_return_pointer (task, foyer_kms_key_copy (cached),
                             (GDestroyNotify) foyer_kms_key_free);
      return;
    }
  id = foyer_kms_uri_get_id (key_uri, "keys");
  if (id == NULL)
    {
      g_task_return_new_error (task, FOYER_KMS_ERROR, FOYER_KMS_ERROR_INVALID,
                               _ ("The key address is not valid"));
      return;
    }
  path = g_strdup_printf ("/keys/%s", id);
  key_request (self, "GET", path, NULL, key_uri, g_steal_pointer (&task));
}

FoyerKmsKey *
foyer_kms_client_get_key_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
authorization_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = foyer_json_request_finish (result, NULL, &error);

  if (root == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
change_authorization (FoyerKmsClient *self,
                      const char *method,
                      const char *resource_uri,
                      const char *person_id,
                      gpointer source_tag,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *id = foyer_kms_uri_get_id (resource_uri, "resources");
  g_autofree char *path = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) body = NULL;

  g_task_set_source_tag (task, source_tag);
  if (id == NULL || person_id == NULL)
    {
      g_task_return_new_error (task, FOYER_KMS_ERROR, FOYER_KMS_ERROR_INVALID,
                               _ ("The key resource address is not valid"));
      return;
    }

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "personId", person_id);
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  path = g_strdup_printf ("/resources/%s/authorizations", id);
  request (self, method, path, body, NULL, task, authorization_cb);
  g_steal_pointer (&task);
}

void
foyer_kms_client_authorize_async (FoyerKmsClient *self,
                                  const char *resource_uri,
                                  const char *person_id,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));
  change_authorization (self, "POST", resource_uri, person_id, foyer_kms_client_authorize_async,
                        cancellable, callback, user_data);
}

gboolean
foyer_kms_client_authorize_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
foyer_kms_client_deauthorize_async (FoyerKmsClient *self,
                                    const char *resource_uri,
                                    const char *person_id,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (FOYER_IS_KMS_CLIENT (self));
  change_authorization (self, "DELETE", resource_uri, person_id, foyer_kms_client_deauthorize_async,
                        cancellable, callback, user_data);
}

gboolean
foyer_kms_client_deauthorize_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
