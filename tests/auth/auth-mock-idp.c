/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "auth-mock-idp.h"

#include "foyer-auth-request.h"
#include "foyer-core.h"
#include "foyer-test-tls.h"

#include <cjose/cjose.h>
#include <string.h>

typedef struct
{
  guint status;
  char *retry_after;
  char *error;
  gint64 aadsts;
} Fault;

struct _MockIdp
{
  SoupServer *server;
  FoyerTestTlsListener *tls;
  char *authority;
  cjose_jwk_t *key;
  cjose_jwk_t *foreign_key;
  char *kid;
  GPtrArray *published; /* JSON of published public keys */
  GHashTable *codes;    /* code → "challenge\nnonce" */
  GHashTable *used_codes;
  GHashTable *refresh_tokens;
  GQueue faults;
  char *tid;
  char *aud;
  char *iss;
  gint64 exp_offset;
  gboolean alg_none;
  gboolean foreign;
  gint64 expires_in;
  guint delay_ms;
  guint token_requests;
  guint jwks_requests;
  guint serial;
  GHashTable *last_form;
  char *last_user_agent;
  char *last_refresh;
  char *last_access;
  GArray *times;
};

static void
fault_free (Fault *f)
{
  g_free (f->retry_after);
  g_free (f->error);
  g_free (f);
}

static cjose_jwk_t *
new_key (const char *kid)
{
  cjose_err err;
  cjose_jwk_t *key = cjose_jwk_create_RSA_random (2048, NULL, 0, &err);

  g_assert_nonnull (key);
  g_assert_true (cjose_jwk_set_kid (key, kid, strlen (kid), &err));
  return key;
}

static void
publish (MockIdp *idp)
{
  cjose_err err;
  char *json = cjose_jwk_to_json (idp->key, false, &err);
  g_autoptr (JsonNode) node = json_from_string (json, NULL);

  json_object_set_string_member (json_node_get_object (node), "use", "sig");
  json_object_set_string_member (json_node_get_object (node), "alg", "RS256");
  g_ptr_array_add (idp->published, json_to_string (node, FALSE));
  free (json);
}

char *
mock_idp_get_jwks (MockIdp *idp)
{
  g_autoptr (GString) s = g_string_new ("{\"keys\":[");

  for (guint i = 0; i < idp->published->len; i++)
    g_string_append_printf (s, "%s%s", i ? "," : "", (char *) idp->published->pdata[i]);
  g_string_append (s, "]}");
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
sign_with (cjose_jwk_t *key, const char *kid, const char *alg, JsonObject *claims)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), claims);
  g_autofree char *payload = json_to_string (node, FALSE);
  cjose_header_t *header = cjose_header_new (NULL);
  cjose_jws_t *jws;
  const char *compact = NULL;
  cjose_err err;
  char *out;

  cjose_header_set (header, CJOSE_HDR_ALG, alg, &err);
  cjose_header_set (header, CJOSE_HDR_KID, kid, &err);
  jws = cjose_jws_sign (key, header, (const uint8_t *) payload, strlen (payload), &err);
  g_assert_nonnull (jws);
  g_assert_true (cjose_jws_export (jws, &compact, &err));
  out = g_strdup (compact);
  cjose_jws_release (jws);
  cjose_header_release (header);
  return out;
}

char *
mock_idp_sign (MockIdp *idp, JsonObject *claims)
{
  if (idp->alg_none)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), claims);
      g_autofree char *payload = json_to_string (node, FALSE);
      const char *header = "{\"alg\":\"none\",\"kid\":\"k1\"}";
      g_autofree char *h = foyer_base64url_encode ((const guint8 *) header, strlen (header));
      g_autofree char *p = foyer_base64url_encode ((const guint8 *) payload, strlen (payload));

      return g_strdup_printf ("%s.%s.", h, p);
    }
  return sign_with (idp->foreign ? idp->foreign_key : idp->key, idp->kid, "RS256", claims);
}

static char *
make_id_token (MockIdp *idp, const char *nonce)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *tid = idp->tid ? idp->tid : MOCK_TENANT;
  g_autofree char *iss = g_strdup_printf ("%s/%s/v2.0", idp->authority, tid);

  json_object_set_string_member (claims, "aud", idp->aud ? idp->aud : MOCK_CLIENT);
  json_object_set_string_member (claims, "iss", idp->iss ? idp->iss : iss);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "nbf", now);
  json_object_set_int_member (claims, "exp", now + 3600 + idp->exp_offset);
  if (nonce != NULL)
    json_object_set_string_member (claims, "nonce", nonce);
  json_object_set_string_member (claims, "tid", tid);
  json_object_set_string_member (claims, "oid", MOCK_OID);
  json_object_set_string_member (claims, "name", "Alice Martin");
  json_object_set_string_member (claims, "preferred_username", "alice@contoso.example");
  return mock_idp_sign (idp, claims);
}

static void
reply_json (SoupServerMessage *msg, guint status, const char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static void
reply_error (SoupServerMessage *msg, guint status, const char *error, gint64 aadsts)
{
  g_autofree char *json
      = g_strdup_printf ("{\"error\":\"%s\",\"error_description\":\"AADSTS%" G_GINT64_FORMAT
                         ": mock\",\"error_codes\":[%" G_GINT64_FORMAT
                         "],\"trace_id\":\"t\",\"correlation_id\":\"c\"}",
                         error, aadsts, aadsts);

  reply_json (msg, status, json);
}

static void
reply_tokens (MockIdp *idp, SoupServerMessage *msg, const char *nonce, gboolean id_token)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL;

  g_free (idp->last_access);
  idp->last_access = g_strdup_printf ("access-%u", ++idp->serial);
  g_free (idp->last_refresh);
  idp->last_refresh = g_strdup_printf ("refresh-%u", idp->serial);
  g_hash_table_add (idp->refresh_tokens, g_strdup (idp->last_refresh));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "Bearer");
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, "openid profile offline_access User.Read");
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, idp->expires_in);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_string_value (b, idp->last_access);
  json_builder_set_member_name (b, "refresh_token");
  json_builder_add_string_value (b, idp->last_refresh);
  if (id_token)
    {
      g_autofree char *token = make_id_token (idp, nonce);

      json_builder_set_member_name (b, "id_token");
      json_builder_add_string_value (b, token);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = json_to_string (root, FALSE);
  reply_json (msg, 200, json);
}

static void
handle_code (MockIdp *idp, SoupServerMessage *msg, GHashTable *form)
{
  const char *code = g_hash_table_lookup (form, "code");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  const char *entry = code ? g_hash_table_lookup (idp->codes, code) : NULL;
  g_auto (GStrv) parts = NULL;
  g_autofree char *challenge = NULL;

  if (code != NULL && g_hash_table_contains (idp->used_codes, code))
    return reply_error (msg, 400, "invalid_grant", 54005);
  if (entry == NULL)
    return reply_error (msg, 400, "invalid_grant", 70008);
  parts = g_strsplit (entry, "\n", 2);
  g_hash_table_add (idp->used_codes, g_strdup (code));
  g_hash_table_remove (idp->codes, code);
  challenge = verifier ? foyer_auth_pkce_challenge (verifier) : NULL;
  if (g_strcmp0 (challenge, parts[0]) != 0)
    return reply_error (msg, 400, "invalid_grant", 501481);
  reply_tokens (idp, msg, *parts[1] ? parts[1] : NULL, TRUE);
}

static void
handle_refresh (MockIdp *idp, SoupServerMessage *msg, GHashTable *form)
{
  const char *token = g_hash_table_lookup (form, "refresh_token");

  if (token == NULL || !g_hash_table_remove (idp->refresh_tokens, token))
    return reply_error (msg, 400, "invalid_grant", 70008);
  reply_tokens (idp, msg, NULL, FALSE);
}

static void
answer_token (MockIdp *idp, SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  GHashTable *form = soup_form_decode (text);
  Fault *fault = g_queue_pop_head (&idp->faults);
  const char *grant = g_hash_table_lookup (form, "grant_type");

  g_clear_pointer (&idp->last_form, g_hash_table_unref);
  idp->last_form = form;
  if (fault != NULL)
    {
      if (fault->retry_after != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                      fault->retry_after);
      if (fault->error != NULL)
        reply_error (msg, fault->status, fault->error, fault->aadsts);
      else
        reply_json (msg, fault->status, "oops");
      fault_free (fault);
      return;
    }
  if (g_strcmp0 (g_hash_table_lookup (form, "client_id"), MOCK_CLIENT) != 0)
    return reply_error (msg, 400, "unauthorized_client", 700016);
  if (g_strcmp0 (grant, "authorization_code") == 0)
    handle_code (idp, msg, form);
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    handle_refresh (idp, msg, form);
  else
    reply_error (msg, 400, "unsupported_grant_type", 70003);
}

typedef struct
{
  MockIdp *idp;
  SoupServerMessage *msg;
} Delayed;

static gboolean
delayed_cb (gpointer user_data)
{
  Delayed *d = user_data;

  answer_token (d->idp, d->msg);
  soup_server_message_unpause (d->msg);
  g_object_unref (d->msg);
  g_free (d);
  return G_SOURCE_REMOVE;
}

static void
token_cb (SoupServer *server,
          SoupServerMessage *msg,
          const char *path,
          GHashTable *query,
          gpointer user_data)
{
  MockIdp *idp = user_data;
  gint64 now = g_get_monotonic_time ();

  idp->token_requests++;
  g_array_append_val (idp->times, now);
  g_free (idp->last_user_agent);
  idp->last_user_agent = g_strdup (
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "User-Agent"));
  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    return reply_error (msg, 405, "invalid_request", 900561);
  if (idp->delay_ms > 0)
    {
      Delayed *d = g_new0 (Delayed, 1);

      d->idp = idp;
      d->msg = g_object_ref (msg);
      soup_server_message_pause (msg);
      g_timeout_add (idp->delay_ms, delayed_cb, d);
      return;
    }
  answer_token (idp, msg);
}

static void
jwks_cb (SoupServer *server,
         SoupServerMessage *msg,
         const char *path,
         GHashTable *query,
         gpointer user_data)
{
  MockIdp *idp = user_data;
  g_autofree char *json = mock_idp_get_jwks (idp);

  idp->jwks_requests++;
  reply_json (msg, 200, json);
}

MockIdp *
mock_idp_new (void)
{
  MockIdp *idp = g_new0 (MockIdp, 1);
  g_autofree char *token_path = NULL;
  g_autofree char *jwks_path = NULL;

  /* https, with the client in this process (see foyer_test_tls_listen ()). */
  idp->server = soup_server_new (NULL, NULL);
  idp->tls = foyer_test_tls_listen (idp->server, foyer_test_tls_get_default_certificate ());
  idp->authority
      = g_strdup_printf ("https://127.0.0.1:%u", foyer_test_tls_listener_get_port (idp->tls));

  idp->kid = g_strdup ("k1");
  idp->key = new_key (idp->kid);
  idp->foreign_key = new_key (idp->kid);
  idp->published = g_ptr_array_new_with_free_func (g_free);
  publish (idp);
  idp->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  idp->used_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  idp->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  idp->expires_in = 3599;
  idp->times = g_array_new (FALSE, FALSE, sizeof (gint64));

  token_path = g_strdup_printf ("/%s/oauth2/v2.0/token", MOCK_TENANT);
  jwks_path = g_strdup_printf ("/%s/discovery/v2.0/keys", MOCK_TENANT);
  soup_server_add_handler (idp->server, token_path, token_cb, idp, NULL);
  soup_server_add_handler (idp->server, jwks_path, jwks_cb, idp, NULL);
  return idp;
}

void
mock_idp_free (MockIdp *idp)
{
  foyer_test_tls_listener_stop (idp->tls);
  soup_server_disconnect (idp->server);
  g_object_unref (idp->server);
  g_free (idp->authority);
  cjose_jwk_release (idp->key);
  cjose_jwk_release (idp->foreign_key);
  g_free (idp->kid);
  g_ptr_array_unref (idp->published);
  g_hash_table_unref (idp->codes);
  g_hash_table_unref (idp->used_codes);
  g_hash_table_unref (idp->refresh_tokens);
  g_queue_clear_full (&idp->faults, (GDestroyNotify) fault_free);
  g_free (idp->tid);
  g_free (idp->aud);
  g_free (idp->iss);
  g_clear_pointer (&idp->last_form, g_hash_table_unref);
  g_free (idp->last_user_agent);
  g_free (idp->last_refresh);
  g_free (idp->last_access);
  g_array_unref (idp->times);
  g_free (idp);
}

const char *
mock_idp_get_authority (MockIdp *idp)
{
  return idp->authority;
}

FoyerCloud *
mock_idp_new_cloud (MockIdp *idp)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_strdup_printf (
      "{\"name\": \"mock\", \"caFile\": \"%s\", \"authority\": \"%s\","
      " \"graph\": \"%s/v1.0\", \"allowedHosts\": [\"%s\"], \"tenantId\": \"" MOCK_TENANT
      "\", \"clientId\": \"" MOCK_CLIENT "\"}",
      foyer_test_tls_get_default_ca_file (), idp->authority, idp->authority,
      idp->authority + strlen ("https://"));
  FoyerCloud *cloud = foyer_cloud_new_from_data (json, -1, &error);

  g_assert_no_error (error);
  return cloud;
}

void
mock_idp_add_code (MockIdp *idp, const char *code, const char *challenge, const char *nonce)
{
  g_hash_table_insert (idp->codes, g_strdup (code),
                       g_strdup_printf ("%s\n%s", challenge, nonce ? nonce : ""));
}

void
mock_idp_add_refresh_token (MockIdp *idp, const char *refresh_token)
{
  g_hash_table_add (idp->refresh_tokens, g_strdup (refresh_token));
}

void
mock_idp_revoke_all (MockIdp *idp)
{
  g_hash_table_remove_all (idp->refresh_tokens);
}

void
mock_idp_add_fault (
    MockIdp *idp, guint n, guint status, const char *retry_after, const char *error, gint64 aadsts)
{
  for (guint i = 0; i < n; i++)
    {
      Fault *f = g_new0 (Fault, 1);

      f->status = status;
      f->retry_after = g_strdup (retry_after);
      f->error = g_strdup (error);
      f->aadsts = aadsts;
      g_queue_push_tail (&idp->faults, f);
    }
}

void
mock_idp_set_id_token_tid (MockIdp *idp, const char *tid)
{
  g_free (idp->tid);
  idp->tid = g_strdup (tid);
}

void
mock_idp_set_id_token_aud (MockIdp *idp, const char *aud)
{
  g_free (idp->aud);
  idp->aud = g_strdup (aud);
}

void
mock_idp_set_id_token_iss (MockIdp *idp, const char *iss)
{
  g_free (idp->iss);
  idp->iss = g_strdup (iss);
}

void
mock_idp_set_id_token_exp_offset (MockIdp *idp, gint64 seconds)
{
  idp->exp_offset = seconds;
}

void
mock_idp_set_id_token_alg_none (MockIdp *idp, gboolean none)
{
  idp->alg_none = none;
}

void
mock_idp_set_id_token_foreign_key (MockIdp *idp, gboolean foreign)
{
  idp->foreign = foreign;
}

void
mock_idp_rotate_key (MockIdp *idp)
{
  g_autofree char *kid = g_strdup_printf ("k%u", idp->published->len + 1);

  cjose_jwk_release (idp->key);
  g_free (idp->kid);
  idp->kid = g_steal_pointer (&kid);
  idp->key = new_key (idp->kid);
  publish (idp);
}

void
mock_idp_set_expires_in (MockIdp *idp, gint64 seconds)
{
  idp->expires_in = seconds;
}

void
mock_idp_set_token_delay_ms (MockIdp *idp, guint ms)
{
  idp->delay_ms = ms;
}

guint
mock_idp_get_token_requests (MockIdp *idp)
{
  return idp->token_requests;
}

guint
mock_idp_get_jwks_requests (MockIdp *idp)
{
  return idp->jwks_requests;
}

GHashTable *
mock_idp_get_last_form (MockIdp *idp)
{
  return idp->last_form;
}

const char *
mock_idp_get_last_user_agent (MockIdp *idp)
{
  return idp->last_user_agent;
}

const char *
mock_idp_get_last_refresh_token (MockIdp *idp)
{
  return idp->last_refresh;
}

const char *
mock_idp_get_last_access_token (MockIdp *idp)
{
  return idp->last_access;
}

GArray *
mock_idp_get_request_times (MockIdp *idp)
{
  return idp->times;
}
