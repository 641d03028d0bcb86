/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-jose-shape.h"
#include "foyer-json.h"

#include <openssl/crypto.h>
#include <string.h>

#define KEY_SIZE 32

/* A client may send its ephemeral EC public key (base64url of the JWK) in
 * this header; the key then travels as a JWE (ECDH-ES, A256GCM) to it. */
#define WRAP_HEADER "Foyer-Key-Wrap"

/* "kms://<authority>/<kind>/<id>" → id, only for this KMS's authority. */
static char *
local_id (FoyerSvc *svc, const char *uri, const char *kind)
{
  g_autofree char *prefix = NULL;
  const char *id;

  if (svc->kms_authority == NULL || uri == NULL)
    return NULL;
  prefix = g_strdup_printf ("kms://%s/%s/", svc->kms_authority, kind);
  if (!g_str_has_prefix (uri, prefix))
    return NULL;
  id = uri + strlen (prefix);
  return foyer_svc_check_id (id, 64) ? g_strdup (id) : NULL;
}

static char *
make_uri (FoyerSvc *svc, const char *kind, const char *id)
{
  return g_strdup_printf ("kms://%s/%s/%s", svc->kms_authority, kind, id);
}

/* 1, 0, or -1 with the error in the reply. */
static int
resource_exists (FoyerSvcRequest *req, const char *id)
{
  g_autoptr (GError) error = NULL;
  int found = foyer_svc_db_kms_resource_exists (req->kms_db, id, &error);

  if (found < 0)
    foyer_svc_respond_error (req, error);
  return found;
}

/* When the conversation role runs in the same process, a resource bound
 * to a space follows the space's membership: a person who leaves loses
 * the keys at once, and nobody outside the space can be let in. -1 when
 * no space holds it, -2 on error. */
static int
space_membership (FoyerSvcRequest *req,
                  const char *resource_uri,
                  const char *person_id,
                  GError **error)
{
  g_autofree char *space_id = NULL;
  int member;

  if (req->db == NULL || !req->svc->conversation)
    return -1;
  space_id = foyer_svc_db_space_by_resource (req->db, resource_uri, error);
  if (space_id == NULL)
    return error != NULL && *error != NULL ? -2 : -1;
  member = foyer_svc_db_is_member (req->db, space_id, person_id, error);
  return member < 0 ? -2 : member;
}

/* TRUE when allowed; FALSE with *error set when the database failed. */
gboolean
foyer_svc_kms_resource_allows (FoyerSvcRequest *req,
                               const char *resource_uri,
                               const char *person_id,
                               gboolean *out_local,
                               GError **error)
{
  FoyerSvc *svc = req->svc;
  g_autofree char *id = svc->kms ? local_id (svc, resource_uri, "resources") : NULL;
  int membership;

  if (out_local != NULL)
    *out_local = id != NULL;
  if (id == NULL)
    return FALSE;
  membership = space_membership (req, resource_uri, person_id, error);
  if (membership == -2)
    return FALSE;
  if (membership >= 0)
    return membership == 1;
  return foyer_svc_db_kms_authorized (req->kms_db, id, person_id, error) == 1;
}

/* Whether a key of this (co-located) KMS belongs to the resource, and
 * when it was made. *out_local is FALSE for a key of another KMS, about
 * which nothing can be said. */
gboolean
foyer_svc_kms_key_created_on (FoyerSvcRequest *req,
                              const char *key_uri,
                              const char *resource_uri,
                              gint64 *out_created,
                              gboolean *out_local,
                              GError **error)
{
  FoyerSvc *svc = req->svc;
  g_autofree char *key_id = svc->kms ? local_id (svc, key_uri, "keys") : NULL;
  g_autofree char *resource_id = svc->kms ? local_id (svc, resource_uri, "resources") : NULL;

  *out_local = key_id != NULL && resource_id != NULL;
  if (!*out_local)
    return FALSE;
  return foyer_svc_db_kms_key_created (req->kms_db, key_id, resource_id, out_created, error) == 1;
}

gboolean
foyer_svc_kms_authorize_local (FoyerSvcRequest *req,
                               const char *resource_uri,
                               const char *person_id,
                               gboolean add,
                               GError **error)
{
  g_autofree char *id = req->svc->kms ? local_id (req->svc, resource_uri, "resources") : NULL;
  int exists;

  if (id == NULL)
    return TRUE;
  exists = foyer_svc_db_kms_resource_exists (req->kms_db, id, error);
  if (exists <= 0)
    return exists == 0;
  return foyer_svc_db_kms_authorize (req->kms_db, id, person_id, add, error);
}

static JsonNode *
resource_json (FoyerSvcRequest *req, const char *id, GError **error)
{
  g_autoptr (GPtrArray) people = foyer_svc_db_kms_authorizations (req->kms_db, id, error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = make_uri (req->svc, "resources", id);

  if (people == NULL)
    return NULL;
  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "uri", uri);
  json_builder_set_member_name (builder, "authorizations");
  json_builder_begin_array (builder);
  for (guint i = 0; i < people->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (people, i));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
create_resource (FoyerSvcRequest *req)
{
  static const FoyerSvcField fields[] = {
    { "authorizations", FIELD_ARRAY, FALSE, 1000 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *object;
  JsonArray *people;
  FoyerSvcDb *db = req->kms_db;
  gboolean ok;

  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  people = json_object_has_member (object, "authorizations")
               ? json_object_get_array_member (object, "authorizations")
               : NULL;
  for (guint i = 0; people != NULL && i < json_array_get_length (people); i++)
    {
      JsonNode *element = json_array_get_element (people, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING
          || !foyer_svc_check_id (json_node_get_string (element), 64))
        {
          foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID,
                                           "authorizations must list person ids");
          return;
        }
    }

  if (!foyer_svc_begin (db, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  ok = foyer_svc_db_kms_resource_insert (db, id, req->person_id, g_get_real_time () / 1000, &error)
       && foyer_svc_db_kms_authorize (db, id, req->person_id, TRUE, &error);
  for (guint i = 0; ok && people != NULL && i < json_array_get_length (people); i++)
    ok = foyer_svc_db_kms_authorize (db, id, json_array_get_string_element (people, i), TRUE,
                                     &error);
  if (!ok || !(reply = resource_json (req, id, &error)) || !foyer_svc_commit (db, &error))
    {
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }
  foyer_svc_respond_json (req, 201, reply);
}

static void
change_authorization (FoyerSvcRequest *req, const char *id, gboolean add)
{
  static const FoyerSvcField fields[] = {
    { "personId", FIELD_STRING, TRUE, 64 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *person = NULL;
  JsonObject *object;
  FoyerSvcDb *db = req->kms_db;

  if (req->n_segments == 6)
    person = g_strdup (req->segments[5]);
  else if ((body = foyer_svc_request_body (req, &error))
           && (object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    person = g_strdup (json_object_get_string_member (object, "personId"));
  if (person == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (!foyer_svc_check_id (person, 64))
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INVALID, "Bad personId");
      return;
    }
  if (!foyer_svc_begin (db, &error) || !foyer_svc_db_kms_authorize (db, id, person, add, &error)
      || !(reply = resource_json (req, id, &error)) || !foyer_svc_commit (db, &error))
    {
      foyer_svc_rollback (db);
      foyer_svc_respond_error (req, error);
      return;
    }
  if (add)
    foyer_svc_respond_json (req, 201, reply);
  else
    foyer_svc_respond_status (req, 204);
}

/* Whether the caller may use this resource; if not, the reply is sent: the
 * database's error, or 403 with forbidden. */
static gboolean
allowed_or_respond (FoyerSvcRequest *req, const char *resource_uri, const char *forbidden)
{
  g_autoptr (GError) error = NULL;

  if (foyer_svc_kms_resource_allows (req, resource_uri, req->person_id, NULL, &error))
    return TRUE;
  foyer_svc_respond_error_or (req, error, FOYER_SVC_ERROR_FORBIDDEN, forbidden);
  return FALSE;
}

static void
handle_resource (FoyerSvcRequest *req, const char *id)
{
  g_autofree char *uri = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  const char *sub = req->n_segments > 4 ? req->segments[4] : NULL;
  int exists;

  if (!foyer_svc_check_id (id, 64) || (exists = resource_exists (req, id)) == 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
      return;
    }
  if (exists < 0)
    return;
  uri = make_uri (req->svc, "resources", id);
  if (!allowed_or_respond (req, uri, "You are not authorized on this resource"))
    return;
  if (sub == NULL && strcmp (req->method, "GET") == 0)
    {
      if ((reply = resource_json (req, id, &error)) == NULL)
        foyer_svc_respond_error (req, error);
      else
        foyer_svc_respond_json (req, 200, reply);
    }
  else if (g_strcmp0 (sub, "authorizations") == 0 && req->n_segments == 5
           && strcmp (req->method, "POST") == 0)
    change_authorization (req, id, TRUE);
  else if (g_strcmp0 (sub, "authorizations") == 0 && strcmp (req->method, "DELETE") == 0)
    change_authorization (req, id, FALSE);
  else
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Method not allowed");
}

static gboolean
bad_wrap_key (GError **error)
{
  g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                       WRAP_HEADER " must be the base64url of a public EC P-256 JWK");
  return FALSE;
}

/* The Foyer-Key-Wrap header's value → the client's ephemeral public key.
 * TRUE with *out NULL when there is no value. Outside input: its shape is
 * checked before cjose sees it (and fuzzed, tests/fuzz/security). */
gboolean
foyer_svc_wrap_key_parse (const char *value, cjose_jwk_t **out, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autofree guint8 *raw = NULL;
  gsize len = 0;
  JsonNode *root;
  JsonObject *object;
  JsonNode *kty, *crv;
  cjose_err err = { 0 };

  *out = NULL;
  if (value == NULL)
    return TRUE;
  if (strlen (value) > 2048 || !foyer_jose_is_base64url (value, -1)
      || (raw = foyer_base64url_decode (value, &len)) == NULL
      || !g_utf8_validate ((const char *) raw, len, NULL)
      || !foyer_jose_check_jwk_text ((const char *) raw, len, NULL)
      || !json_parser_load_from_data (parser, (const char *) raw, len, NULL))
    return bad_wrap_key (error);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return bad_wrap_key (error);
  object = json_node_get_object (root);
  kty = json_object_get_member (object, "kty");
  crv = json_object_get_member (object, "crv");
  if (kty == NULL || crv == NULL || !JSON_NODE_HOLDS_VALUE (kty) || !JSON_NODE_HOLDS_VALUE (crv)
      || g_strcmp0 (json_node_get_string (kty), "EC") != 0
      || g_strcmp0 (json_node_get_string (crv), "P-256") != 0
      || json_object_has_member (object, "d"))
    return bad_wrap_key (error);
  *out = cjose_jwk_import ((const char *) raw, len, &err);
  if (*out == NULL || cjose_jwk_get_kty (*out, &err) != CJOSE_JWK_KTY_EC)
    {
      if (*out != NULL)
        cjose_jwk_release (*out);
      *out = NULL;
      return bad_wrap_key (error);
    }
  return TRUE;
}

static gboolean
wrap_key_from_header (FoyerSvcRequest *req, cjose_jwk_t **out, GError **error)
{
  return foyer_svc_wrap_key_parse (req->key_wrap, out, error);
}

static char *
wrap_to (cjose_jwk_t *recipient, const char *plaintext)
{
  cjose_err err = { 0 };
  cjose_header_t *header = cjose_header_new (&err);
  cjose_jwe_t *jwe = NULL;
  char *compact = NULL;
  char *result = NULL;

  if (header != NULL && cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ECDH_ES, &err)
      && cjose_header_set (header, CJOSE_HDR_ENC, CJOSE_HDR_ENC_A256GCM, &err))
    jwe = cjose_jwe_encrypt (recipient, header, (const guint8 *) plaintext, strlen (plaintext),
                             &err);
  if (jwe != NULL)
    compact = cjose_jwe_export (jwe, &err);
  if (compact != NULL)
    {
      result = g_strdup (compact);
      cjose_get_dealloc () (compact);
    }
  if (jwe != NULL)
    cjose_jwe_release (jwe);
  if (header != NULL)
    cjose_header_release (header);
  return result;
}

static JsonNode *
key_json (FoyerSvc *svc,
          const char *key_id,
          const char *resource_id,
          const guint8 *key,
          cjose_jwk_t *recipient)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = make_uri (svc, "keys", key_id);
  g_autofree char *resource_uri = make_uri (svc, "resources", resource_id);
  g_autofree char *k = foyer_base64url_encode (key, KEY_SIZE);
  JsonNode *node;

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "uri", uri);
  foyer_json_builder_add_string (builder, "resourceUri", resource_uri);
  {
    g_autoptr (JsonNode) jwk = json_node_new (JSON_NODE_OBJECT);
    JsonObject *object = json_object_new ();

    json_object_set_string_member (object, "kty", "oct");
    json_object_set_string_member (object, "k", k);
    json_object_set_string_member (object, "alg", "A256GCM");
    json_object_set_string_member (object, "kid", uri);
    json_node_take_object (jwk, object);
    if (recipient != NULL)
      {
        g_autofree char *text = json_to_string (jwk, FALSE);
        g_autofree char *wrapped = wrap_to (recipient, text);

        OPENSSL_cleanse (text, strlen (text));
        if (wrapped == NULL)
          {
            OPENSSL_cleanse (k, strlen (k));
            return NULL;
          }
        foyer_json_builder_add_string (builder, "wrappedKey", wrapped);
      }
    else
      {
        json_builder_set_member_name (builder, "jwk");
        json_builder_add_value (builder, json_node_ref (jwk));
      }
  }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  OPENSSL_cleanse (k, strlen (k));
  return node;
}

/* Wrapped under the current master key in the same unit of work as the
 * insert, so that a rotation running meanwhile (foyer-svc-keys.c) either
 * sees this key or made this process wrap it with the new master key. */
static gboolean
store_new_key (FoyerSvcRequest *req,
               const char *key_id,
               const char *resource_id,
               const guint8 *key,
               GError **error)
{
  FoyerSvcDb *db = req->kms_db;
  g_autofree char *kek = NULL;
  guint8 wrapped[KEY_SIZE + 8];
  gsize wrapped_len = 0;

  if (!foyer_svc_begin (db, error))
    return FALSE;
  if (!foyer_svc_master_wrap (req->svc->master, db, key, KEY_SIZE, wrapped, &wrapped_len, &kek,
                              error)
      || !foyer_svc_db_kms_key_insert (db, key_id, resource_id, wrapped, wrapped_len,
                                       g_get_real_time () / 1000, kek, error)
      || !foyer_svc_commit (db, error))
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  return TRUE;
}

/* Replies with the key (sealed to the recipient when there is one), then
 * wipes the key_size bytes of its buffer. */
static void
respond_key (FoyerSvcRequest *req,
             guint status,
             const char *key_id,
             const char *resource_id,
             guint8 *key,
             gsize key_size,
             cjose_jwk_t *recipient)
{
  g_autoptr (JsonNode) reply = key_json (req->svc, key_id, resource_id, key, recipient);

  OPENSSL_cleanse (key, key_size);
  if (reply == NULL)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INTERNAL, "Cannot wrap the key");
  else
    foyer_svc_respond_json (req, status, reply);
}

static void
create_key (FoyerSvcRequest *req)
{
  static const FoyerSvcField fields[] = {
    { "resourceUri", FIELD_STRING, TRUE, 512 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *resource_id = NULL;
  g_autofree char *key_id = foyer_svc_new_id ();
  g_autoptr (cjose_jwk_t) recipient = NULL;
  guint8 key[KEY_SIZE];
  JsonObject *object;
  const char *resource_uri;
  int exists = 0;

  if (!wrap_key_from_header (req, &recipient, &error)
      || !(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  resource_uri = json_object_get_string_member (object, "resourceUri");
  resource_id = local_id (req->svc, resource_uri, "resources");
  if (resource_id == NULL || (exists = resource_exists (req, resource_id)) == 0)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND,
                                       "No such resource on this KMS");
      return;
    }
  if (exists < 0)
    return;
  if (!allowed_or_respond (req, resource_uri, "You are not authorized on this resource"))
    return;

  if (!foyer_random_bytes (key, sizeof key, &error)
      || !store_new_key (req, key_id, resource_id, key, &error))
    {
      OPENSSL_cleanse (key, sizeof key);
      foyer_svc_respond_error (req, error);
      return;
    }
  respond_key (req, 201, key_id, resource_id, key, sizeof key, recipient);
}

static void
get_key (FoyerSvcRequest *req, const char *key_id)
{
  g_autofree char *resource_id = NULL;
  g_autofree char *resource_uri = NULL;
  g_autofree char *kek = NULL;
  g_autoptr (GBytes) wrapped = NULL;
  g_autoptr (cjose_jwk_t) recipient = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[KEY_SIZE + 16];
  gsize key_len = 0, wrapped_len = 0;
  const guint8 *wrapped_bytes;

  if (!wrap_key_from_header (req, &recipient, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (!foyer_svc_check_id (key_id, 64)
      || !foyer_svc_db_kms_key_get (req->kms_db, key_id, &resource_id, &wrapped, &kek, &error))
    {
      foyer_svc_respond_error_or (req, error, FOYER_SVC_ERROR_NOT_FOUND, "No such key");
      return;
    }
  resource_uri = make_uri (req->svc, "resources", resource_id);
  if (!allowed_or_respond (req, resource_uri, "You are not authorized on this key's resource"))
    return;
  wrapped_bytes = g_bytes_get_data (wrapped, &wrapped_len);
  if (!foyer_svc_master_unwrap (req->svc->master, kek, wrapped_bytes, wrapped_len, key, &key_len)
      || key_len != KEY_SIZE)
    {
      OPENSSL_cleanse (key, sizeof key);
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_INTERNAL,
                                       "The key cannot be unwrapped (wrong master key?)");
      return;
    }
  respond_key (req, 200, key_id, resource_id, key, sizeof key, recipient);
}

/* /kms/v1/resources[/<id>[/authorizations[/<personId>]]], /kms/v1/keys[/<id>] */
void
foyer_svc_handle_kms (FoyerSvcRequest *req)
{
  g_autoptr (GError) error = NULL;
  const char *collection = req->n_segments > 2 ? req->segments[2] : "";
  gboolean post = strcmp (req->method, "POST") == 0;

  if (!foyer_svc_request_authenticate (req, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if (strcmp (collection, "resources") == 0 && req->n_segments == 3 && post)
    create_resource (req);
  else if (strcmp (collection, "resources") == 0 && req->n_segments >= 4 && req->n_segments <= 6)
    handle_resource (req, req->segments[3]);
  else if (strcmp (collection, "keys") == 0 && req->n_segments == 3 && post)
    create_key (req);
  else if (strcmp (collection, "keys") == 0 && req->n_segments == 4
           && strcmp (req->method, "GET") == 0)
    get_key (req, req->segments[3]);
  else if (strcmp (collection, "keys") == 0 || strcmp (collection, "resources") == 0)
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_METHOD, "Method not allowed");
  else
    foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
}
