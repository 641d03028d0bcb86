/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer entry point for everything the auth area reads from outside:
 * cloud descriptors (cloud.json), the organization's policy, token endpoint
 * replies and error bodies, the redirect the sign-in view catches, URLs
 * checked against a cloud's allowlist, and ID tokens (both raw compact
 * JWS text, and arbitrary claims signed with a key the harness trusts so
 * that the claim checks themselves are reached).
 *
 * The first byte of an input picks the reader (c, p, t, r, u, i or s, as
 * the seed files in corpus/ start; any other byte modulo the number of
 * readers), the rest is its text.
 * Built as a libFuzzer target with clang and -Dfuzzing=true;
 * replay-auth-input.c runs the same function in every `meson test`.
 */
#include "config.h"

#include <cjose/cjose.h>
#include <stdint.h>
#include <string.h>

#include "foyer-auth-error.h"
#include "foyer-auth-request.h"
#include "foyer-cloud.h"
#include "foyer-id-token.h"
#include "foyer-org-policy.h"
#include "foyer-token-set.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_TENANT "11111111-2222-3333-4444-555555555555"
#define FUZZ_CLIENT "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
#define FUZZ_ISSUER "https://login.microsoftonline.com/" FUZZ_TENANT "/v2.0"
#define FUZZ_NOW    G_GINT64_CONSTANT (1800000000)

enum
{
  READ_CLOUD,
  READ_POLICY,
  READ_TOKEN_REPLY,
  READ_REDIRECT,
  READ_URL,
  READ_ID_TOKEN,
  READ_SIGNED_CLAIMS,
  N_READERS,
};

static const char reader_letters[N_READERS] = { 'c', 'p', 't', 'r', 'u', 'i', 's' };

static const char *const probe_urls[] = {
  "https://login.microsoftonline.com/common/oauth2/nativeclient",
  "https://contoso.sharepoint.com/sites/a",
  "http://127.0.0.2:41001/x",
  "http://127.0.0.4:41003/:w:/g/personal/a",
  "https://evil.example/",
  "javascript:alert(1)",
  NULL,
};

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL)
    return NULL;
  return json_node_copy (root);
}

static void
touch_cloud (FoyerCloud *cloud)
{
  g_autofree char *authorize = foyer_cloud_authorize_url (cloud, FUZZ_TENANT);
  g_autofree char *token = foyer_cloud_token_url (cloud, FUZZ_TENANT);
  g_autofree char *jwks = foyer_cloud_jwks_url (cloud, FUZZ_TENANT);
  g_autofree char *issuer = foyer_cloud_issuer (cloud, FUZZ_TENANT);

  g_assert_nonnull (foyer_cloud_get_name (cloud));
  g_assert_nonnull (foyer_cloud_get_authority (cloud));
  g_assert_nonnull (foyer_cloud_get_graph_url (cloud));
  g_assert_nonnull (foyer_cloud_get_redirect_uri (cloud));
  g_assert_true (g_str_has_prefix (authorize, foyer_cloud_get_authority (cloud)));
  g_assert_true (g_str_has_prefix (token, foyer_cloud_get_authority (cloud)));
  g_assert_nonnull (jwks);
  g_assert_nonnull (issuer);
  for (guint i = 0; probe_urls[i] != NULL; i++)
    {
      gboolean allowed = foyer_cloud_is_allowed_url (cloud, probe_urls[i]);

      /* Whatever the descriptor says, these never pass. */
      if (g_str_has_prefix (probe_urls[i], "javascript:"))
        g_assert_false (allowed);
      (void) foyer_cloud_is_sharepoint_url (cloud, probe_urls[i]);
    }
}

static void
read_cloud (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_from_data (text, -1, &error);

  g_assert_true ((cloud == NULL) != (error == NULL));
  if (cloud != NULL)
    touch_cloud (cloud);
}

static void
read_policy (const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerOrgPolicy) policy = foyer_org_policy_new_from_data (text, -1, &error);

  g_assert_true ((policy == NULL) != (error == NULL));
  if (policy == NULL)
    return;
  (void) foyer_org_policy_get_tenant_id (policy);
  (void) foyer_org_policy_get_client_id (policy);
  (void) foyer_org_policy_get_cloud_name (policy);
  (void) foyer_org_policy_allows_audience (policy, foyer_org_policy_get_default_audience (policy));
  (void) foyer_org_policy_get_default_link_type (policy);
  (void) foyer_org_policy_check_tenant (policy, FUZZ_TENANT, NULL);
  /* A descriptor names a file: the harness must not open arbitrary paths. */
  if (foyer_org_policy_get_cloud_descriptor (policy) == NULL)
    {
      g_autoptr (GError) cloud_error = NULL;
      g_autoptr (FoyerCloud) cloud = foyer_org_policy_create_cloud (policy, &cloud_error);

      g_assert_true ((cloud == NULL) != (cloud_error == NULL));
      if (cloud != NULL)
        touch_cloud (cloud);
    }
}

static void
read_token_reply (const char *text)
{
  g_autoptr (JsonNode) root = parse_json (text);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) oauth_error = NULL;
  g_autoptr (FoyerTokenSet) tokens = foyer_token_set_new_from_json (root, FUZZ_NOW, &error);

  g_assert_true ((tokens == NULL) != (error == NULL));
  if (tokens != NULL)
    {
      g_assert_nonnull (foyer_token_set_get_access_token (tokens));
      g_assert_cmpint (foyer_token_set_get_expires_at (tokens), >, FUZZ_NOW);
      (void) foyer_token_set_needs_refresh (tokens, FUZZ_NOW, 300);
    }
  oauth_error = foyer_auth_error_new_from_json (root);
  if (oauth_error != NULL)
    {
      g_assert_true (oauth_error->domain == FOYER_AUTH_ERROR);
      g_assert_nonnull (oauth_error->message);
      (void) foyer_auth_error_needs_reconnect (oauth_error);
    }
  (void) foyer_auth_error_parse_aadsts (text);
}

static void
read_redirect (const char *text)
{
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
  g_autoptr (FoyerAuthRequest) request = foyer_auth_request_new_full (
      cloud, FUZZ_TENANT, FUZZ_CLIENT, NULL, NULL, NULL,
      "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "fuzz-state", "fuzz-nonce");
  g_autoptr (GError) error = NULL;
  g_autofree char *code = NULL;
  gboolean ok = foyer_auth_request_parse_redirect (request, text, &code, &error);

  g_assert_true (ok == (code != NULL));
  g_assert_true (ok == (error == NULL));
  /* A code only ever comes from the redirect URI with the right state. */
  if (ok)
    {
      g_assert_true (foyer_auth_request_is_redirect (request, text));
      g_assert_nonnull (strstr (text, "fuzz-state"));
    }
}

static void
read_url (const char *text)
{
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
  gboolean allowed = foyer_cloud_is_allowed_url (cloud, text);
  gboolean sharepoint = foyer_cloud_is_sharepoint_url (cloud, text);

  /* A built-in cloud is https only; SharePoint hosts are allowed hosts. */
  if (allowed)
    g_assert_true (g_ascii_strncasecmp (text, "https:", 6) == 0);
  if (sharepoint)
    g_assert_true (allowed);
}

/* The harness's own signing key, published as the JWKS the checks use. */
static cjose_jwk_t *
harness_key (JsonNode **out_jwks)
{
  static cjose_jwk_t *key;
  static JsonNode *jwks;

  if (g_once_init_enter (&key))
    {
      static const uint8_t e[] = { 0x01, 0x00, 0x01 };
      cjose_err err;
      cjose_jwk_t *k = cjose_jwk_create_RSA_random (2048, e, sizeof e, &err);
      g_autofree char *public_json = NULL;
      g_autofree char *text = NULL;

      g_assert_nonnull (k);
      g_assert_true (cjose_jwk_set_kid (k, "fuzz", 4, &err));
      public_json = cjose_jwk_to_json (k, FALSE, &err);
      text = g_strdup_printf ("{\"keys\":[%.*s,\"use\":\"sig\"}]}", (int) strlen (public_json) - 1,
                              public_json);
      jwks = parse_json (text);
      g_assert_nonnull (jwks);
      g_once_init_leave (&key, k);
    }
  *out_jwks = jwks;
  return key;
}

static void
verify (const char *token, JsonNode *jwks)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = foyer_id_token_verify (
      token, jwks, FUZZ_ISSUER, FUZZ_CLIENT, "fuzz-nonce", FUZZ_TENANT, FUZZ_NOW, &error);

  g_assert_true ((claims == NULL) != (error == NULL));
  if (claims != NULL)
    {
      /* Accepted claims are exactly the expected ones. */
      g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==, FUZZ_TENANT);
      g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, FUZZ_ISSUER);
      g_assert_cmpstr (json_object_get_string_member (claims, "nonce"), ==, "fuzz-nonce");
    }
  else
    {
      g_assert_true (error->domain == FOYER_AUTH_ERROR);
      g_assert_true (error->code == FOYER_AUTH_ERROR_INVALID_ID_TOKEN
                     || error->code == FOYER_AUTH_ERROR_WRONG_TENANT);
    }
}

static void
read_id_token (const char *text)
{
  JsonNode *jwks = NULL;
  g_autofree char *kid = foyer_id_token_get_kid (text);

  harness_key (&jwks);
  (void) foyer_id_token_jwks_has_kid (jwks, kid);
  verify (text, jwks);
}

static void
read_signed_claims (const char *text)
{
  JsonNode *jwks = NULL;
  cjose_jwk_t *key = harness_key (&jwks);
  cjose_header_t *header;
  cjose_jws_t *jws;
  const char *compact = NULL;
  cjose_err err;

  header = cjose_header_new (&err);
  cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err);
  cjose_header_set (header, CJOSE_HDR_KID, "fuzz", &err);
  jws = cjose_jws_sign (key, header, (const uint8_t *) text, strlen (text), &err);
  g_assert_nonnull (jws);
  g_assert_true (cjose_jws_export (jws, &compact, &err));
  verify (compact, jwks);
  cjose_jws_release (jws);
  cjose_header_release (header);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  const char *letter;
  int reader;

  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);
  if (size == 0)
    return 0;
  /* Readers take NUL-terminated text, as they get it from libsoup or GLib. */
  text = g_strndup ((const char *) data + 1, size - 1);
  letter = memchr (reader_letters, data[0], N_READERS);
  reader = letter != NULL ? (int) (letter - reader_letters) : data[0] % N_READERS;
  switch (reader)
    {
    case READ_CLOUD:
      read_cloud (text);
      break;
    case READ_POLICY:
      read_policy (text);
      break;
    case READ_TOKEN_REPLY:
      read_token_reply (text);
      break;
    case READ_REDIRECT:
      read_redirect (text);
      break;
    case READ_URL:
      read_url (text);
      break;
    case READ_ID_TOKEN:
      read_id_token (text);
      break;
    default:
      read_signed_claims (text);
      break;
    }
  return 0;
}
