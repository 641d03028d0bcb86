/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-jose-shape.h"

#include <openssl/crypto.h>
#include <string.h>

#define KEY_SIZE 32

/* A client may send its ephemeral EC public key (base64url of the JWK) in
 * this header; the key then travels as a JWE (ECDH-ES, A256GCM) to it. */
#define WRAP_HEADER "Foyer-Key-Wrap"

static void
jwk_release (cjose_jwk_t *jwk)
{
  cjose_jwk_release (jwk);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jwk_t, jwk_release)

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

static gboolean
resource_exists (FoyerSvc *svc, const char *id)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (svc->kms_db, "SELECT 1 FROM resources WHERE id = ?", NULL);

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

/* When the conversation role runs in the same process, a resource bound
 * to a space follows the space's membership: a person who leaves loses
 * the keys at once, and nobody outside the space can be let in. */
static int
space_membership (FoyerSvc *svc, const char *resource_uri, const char *person_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;

  if (svc->db == NULL)
    return -1;
  stmt
      = foyer_svc_store_prepare (svc->db, "SELECT id FROM spaces WHERE kms_resource_uri = ?", NULL);
  sqlite3_bind_text (stmt, 1, resource_uri, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return -1;
  return foyer_svc_is_member (svc, (const char *) sqlite3_column_text (stmt, 0), person_id) ? 1 : 0;
}

gboolean
foyer_svc_kms_resource_allows (FoyerSvc *svc,
                               const char *resource_uri,
                               const char *person_id,
                               gboolean *out_local)
{
  g_autofree char *id = svc->kms ? local_id (svc, resource_uri, "resources") : NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int membership;

  if (out_local != NULL)
    *out_local = id != NULL;
  if (id == NULL)
    return FALSE;
  membership = space_membership (svc, resource_uri, person_id);
  if (membership >= 0)
    return membership == 1;

  stmt = foyer_svc_store_prepare (
      svc->kms_db, "SELECT 1 FROM authorizations WHERE resource_id = ? AND person_id = ?", NULL);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static gboolean
set_authorization (
    FoyerSvc *svc, const char *id, const char *person_id, gboolean add, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->kms_db,
      add ? "INSERT OR IGNORE INTO authorizations (resource_id, person_id, created) VALUES (?, ?, "
            "?)"
          : "DELETE FROM authorizations WHERE resource_id = ? AND person_id = ?",
      error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  if (add)
    sqlite3_bind_int64 (stmt, 3, g_get_real_time () / 1000);
  return foyer_svc_store_step_done (svc->kms_db, stmt, error);
}

/* Whether a key of this (co-located) KMS belongs to the resource, and
 * when it was made. *out_local is FALSE for a key of another KMS, about
 * which nothing can be said. */
gboolean
foyer_svc_kms_key_created_on (FoyerSvc *svc,
                              const char *key_uri,
                              const char *resource_uri,
                              gint64 *out_created,
                              gboolean *out_local)
{
  g_autofree char *key_id = svc->kms ? local_id (svc, key_uri, "keys") : NULL;
  g_autofree char *resource_id = svc->kms ? local_id (svc, resource_uri, "resources") : NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;

  *out_local = key_id != NULL && resource_id != NULL;
  if (!*out_local)
    return FALSE;
  stmt = foyer_svc_store_prepare (
      svc->kms_db, "SELECT created FROM keys WHERE id = ? AND resource_id = ?", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, resource_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  *out_created = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

gboolean
foyer_svc_kms_authorize_local (
    FoyerSvc *svc, const char *resource_uri, const char *person_id, gboolean add, GError **error)
{
  g_autofree char *id = svc->kms ? local_id (svc, resource_uri, "resources") : NULL;

  if (id == NULL || !resource_exists (svc, id))
    return TRUE;
  return set_authorization (svc, id, person_id, add, error);
}

static JsonNode *
resource_json (FoyerSvc *svc, const char *id)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      svc->kms_db,
      "SELECT person_id FROM authorizations WHERE resource_id = ? ORDER BY created, person_id",
      NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *uri = make_uri (svc, "resources", id);

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, uri);
  json_builder_set_member_name (builder, "authorizations");
  json_builder_begin_array (builder);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
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
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  g_autoptr (JsonNode) reply = NULL;
  JsonObject *object;
  JsonArray *people;
  FoyerSvc *svc = req->svc;

  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req->msg, error);
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
          foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID,
                                           "authorizations must list person ids");
          return;
        }
    }

  if (!foyer_svc_store_exec (svc->kms_db, "BEGIN IMMEDIATE", &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  stmt = foyer_svc_store_prepare (
      svc->kms_db, "INSERT INTO resources (id, creator_id, created) VALUES (?, ?, ?)", &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, req->person_id, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, g_get_real_time () / 1000);
    }
  if (stmt == NULL || !foyer_svc_store_step_done (svc->kms_db, stmt, &error)
      || !set_authorization (svc, id, req->person_id, TRUE, &error))
    {
      foyer_svc_store_exec (svc->kms_db, "ROLLBACK", NULL);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  for (guint i = 0; people != NULL && i < json_array_get_length (people); i++)
    if (!set_authorization (svc, id, json_array_get_string_element (people, i), TRUE, &error))
      {
        foyer_svc_store_exec (svc->kms_db, "ROLLBACK", NULL);
        foyer_svc_respond_error (req->msg, error);
        return;
      }
  if (!foyer_svc_store_exec (svc->kms_db, "COMMIT", &error))
    {
      foyer_svc_store_exec (svc->kms_db, "ROLLBACK", NULL);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  reply = resource_json (svc, id);
  foyer_svc_respond_json (req->msg, 201, reply);
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

  if (req->n_segments == 6)
    person = g_strdup (req->segments[5]);
  else if ((body = foyer_svc_request_body (req, &error))
           && (object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    person = g_strdup (json_object_get_string_member (object, "personId"));
  if (person == NULL)
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  if (!foyer_svc_check_id (person, 64))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INVALID, "Bad personId");
      return;
    }
  if (!set_authorization (req->svc, id, person, add, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  reply = resource_json (req->svc, id);
  if (add)
    foyer_svc_respond_json (req->msg, 201, reply);
  else
    soup_server_message_set_status (req->msg, 204, NULL);
}

static void
handle_resource (FoyerSvcRequest *req, const char *id)
{
  g_autofree char *uri = NULL;
  g_autoptr (JsonNode) reply = NULL;
  const char *sub = req->n_segments > 4 ? req->segments[4] : NULL;

  if (!foyer_svc_check_id (id, 64) || !resource_exists (req->svc, id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
      return;
    }
  uri = make_uri (req->svc, "resources", id);
  if (!foyer_svc_kms_resource_allows (req->svc, uri, req->person_id, NULL))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not authorized on this resource");
      return;
    }
  if (sub == NULL && strcmp (req->method, "GET") == 0)
    {
      reply = resource_json (req->svc, id);
      foyer_svc_respond_json (req->msg, 200, reply);
    }
  else if (g_strcmp0 (sub, "authorizations") == 0 && req->n_segments == 5
           && strcmp (req->method, "POST") == 0)
    change_authorization (req, id, TRUE);
  else if (g_strcmp0 (sub, "authorizations") == 0 && strcmp (req->method, "DELETE") == 0)
    change_authorization (req, id, FALSE);
  else
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Method not allowed");
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
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);

  return foyer_svc_wrap_key_parse (soup_message_headers_get_one (headers, WRAP_HEADER), out, error);
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
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, uri);
  json_builder_set_member_name (builder, "resourceUri");
  json_builder_add_string_value (builder, resource_uri);
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
        json_builder_set_member_name (builder, "wrappedKey");
        json_builder_add_string_value (builder, wrapped);
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

/* Wrapped under the current master key in the same transaction as the
 * insert, so that a rotation running meanwhile (foyer-svc-keys.c) either
 * sees this key or made this process wrap it with the new master key. */
static gboolean
store_new_key (
    FoyerSvc *svc, const char *key_id, const char *resource_id, const guint8 *key, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autofree char *kek = NULL;
  guint8 wrapped[KEY_SIZE + 8];
  gsize wrapped_len = 0;

  if (!foyer_svc_store_exec (svc->kms_db, "BEGIN IMMEDIATE", error))
    return FALSE;
  if (!foyer_svc_master_wrap (svc->master, svc->kms_db, key, KEY_SIZE, wrapped, &wrapped_len, &kek,
                              error)
      || !(stmt = foyer_svc_store_prepare (svc->kms_db,
                                           "INSERT INTO keys (id, resource_id, wrapped, created,"
                                           " kek) VALUES (?, ?, ?, ?, ?)",
                                           error)))
    {
      foyer_svc_store_exec (svc->kms_db, "ROLLBACK", NULL);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, key_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, resource_id, -1, SQLITE_STATIC);
  sqlite3_bind_blob (stmt, 3, wrapped, (int) wrapped_len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / 1000);
  sqlite3_bind_text (stmt, 5, kek, -1, SQLITE_STATIC);
  if (!foyer_svc_store_step_done (svc->kms_db, stmt, error)
      || !foyer_svc_store_exec (svc->kms_db, "COMMIT", error))
    {
      foyer_svc_store_exec (svc->kms_db, "ROLLBACK", NULL);
      return FALSE;
    }
  return TRUE;
}

static void
create_key (FoyerSvcRequest *req)
{
  static const FoyerSvcField fields[] = {
    { "resourceUri", FIELD_STRING, TRUE, 512 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *resource_id = NULL;
  g_autofree char *key_id = foyer_svc_new_id ();
  g_autoptr (cjose_jwk_t) recipient = NULL;
  guint8 key[KEY_SIZE];
  JsonObject *object;
  const char *resource_uri;

  if (!wrap_key_from_header (req, &recipient, &error)
      || !(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  resource_uri = json_object_get_string_member (object, "resourceUri");
  resource_id = local_id (req->svc, resource_uri, "resources");
  if (resource_id == NULL || !resource_exists (req->svc, resource_id))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND,
                                       "No such resource on this KMS");
      return;
    }
  if (!foyer_svc_kms_resource_allows (req->svc, resource_uri, req->person_id, NULL))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not authorized on this resource");
      return;
    }

  if (!foyer_random_bytes (key, sizeof key, &error)
      || !store_new_key (req->svc, key_id, resource_id, key, &error))
    {
      OPENSSL_cleanse (key, sizeof key);
      foyer_svc_respond_error (req->msg, error);
      return;
    }
  reply = key_json (req->svc, key_id, resource_id, key, recipient);
  OPENSSL_cleanse (key, sizeof key);
  if (reply == NULL)
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INTERNAL, "Cannot wrap the key");
  else
    foyer_svc_respond_json (req->msg, 201, reply);
}

static void
get_key (FoyerSvcRequest *req, const char *key_id)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autofree char *resource_id = NULL;
  g_autofree char *resource_uri = NULL;
  g_autoptr (cjose_jwk_t) recipient = NULL;
  g_autoptr (GError) error = NULL;
  guint8 key[KEY_SIZE + 16];
  gsize key_len = 0;

  if (!wrap_key_from_header (req, &recipient, &error))
    {
      foyer_svc_respond_error (req->msg, error);
      return;
    }

  stmt = foyer_svc_store_prepare (req->svc->kms_db,
                                  "SELECT resource_id, wrapped, kek FROM keys WHERE id = ?", NULL);
  sqlite3_bind_text (stmt, 1, key_id, -1, SQLITE_STATIC);
  if (!foyer_svc_check_id (key_id, 64) || sqlite3_step (stmt) != SQLITE_ROW)
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such key");
      return;
    }
  resource_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  resource_uri = make_uri (req->svc, "resources", resource_id);
  if (!foyer_svc_kms_resource_allows (req->svc, resource_uri, req->person_id, NULL))
    {
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_FORBIDDEN,
                                       "You are not authorized on this key's resource");
      return;
    }
  if (!foyer_svc_master_unwrap (req->svc->master, (const char *) sqlite3_column_text (stmt, 2),
                                sqlite3_column_blob (stmt, 1),
                                (gsize) sqlite3_column_bytes (stmt, 1), key, &key_len)
      || key_len != KEY_SIZE)
    {
      OPENSSL_cleanse (key, sizeof key);
      foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INTERNAL,
                                       "The key cannot be unwrapped (wrong master key?)");
      return;
    }
  reply = key_json (req->svc, key_id, resource_id, key, recipient);
  OPENSSL_cleanse (key, sizeof key);
  if (reply == NULL)
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_INTERNAL, "Cannot wrap the key");
  else
    foyer_svc_respond_json (req->msg, 200, reply);
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
      foyer_svc_respond_error (req->msg, error);
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
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_METHOD, "Method not allowed");
  else
    foyer_svc_respond_error_literal (req->msg, FOYER_SVC_ERROR_NOT_FOUND, "No such resource");
}
