/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's identity endpoints, driven over HTTP like a browser and an app would. */
#include "config.h"

#include "test-sandbox-common.h"

#include <cjose/cjose.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

static FoyerTestSandbox *sandbox;

#define ALICE   "alice@contoso.example"
#define MALLORY "mallory@fabrikam.example"

static char *
token_url (void)
{
  return g_strdup_printf ("%s/organizations/oauth2/v2.0/token",
                          foyer_test_sandbox_get_authority_url (sandbox));
}

static void
assert_token_error (JsonObject *o, const char *error, const char *aadsts)
{
  g_assert_cmpstr (json_object_get_string_member (o, "error"), ==, error);
  g_assert_nonnull (strstr (json_object_get_string_member (o, "error_description"), aadsts));
  g_assert_true (json_object_has_member (o, "error_codes"));
  g_assert_true (json_object_has_member (o, "timestamp"));
  g_assert_true (json_object_has_member (o, "trace_id"));
  g_assert_true (json_object_has_member (o, "correlation_id"));
}

static JsonObject *
jwt_claims (const char *jwt)
{
  g_auto (GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  GString *std;
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  std = g_string_new (parts[1]);
  for (char *p = std->str; *p; p++)
    *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');
  raw = g_base64_decode (std->str, &len);
  g_string_free (std, TRUE);
  g_assert_true (json_parser_load_from_data (parser, (char *) raw, len, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_discovery (void)
{
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  const char *tenant = foyer_test_sandbox_get_tenant_id (sandbox);
  g_autofree char *url = g_strdup_printf ("%s/%s/v2.0/.well-known/openid-configuration",
                                          foyer_test_sandbox_get_authority_url (sandbox), tenant);
  g_autoptr (TcReply) r = tc_get (s, url, NULL);
  g_autoptr (JsonObject) o = tc_json (r);
  g_autofree char *issuer
      = g_strdup_printf ("%s/%s/v2.0", foyer_test_sandbox_get_authority_url (sandbox), tenant);
  g_autoptr (TcReply) keys = NULL;
  g_autoptr (JsonObject) k = NULL;
  JsonObject *key;

  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (o, "issuer"), ==, issuer);
  keys = tc_get (s, json_object_get_string_member (o, "jwks_uri"), NULL);
  g_assert_cmpuint (keys->status, ==, 200);
  k = tc_json (keys);
  key = json_array_get_object_element (json_object_get_array_member (k, "keys"), 0);
  g_assert_cmpstr (json_object_get_string_member (key, "kty"), ==, "RSA");
  g_assert_nonnull (json_object_get_string_member (key, "kid"));
  g_assert_false (json_object_has_member (key, "d"));

  /* Microsoft's members (issue #16). */
  {
    const char *const members[] = { "authorization_endpoint",
                                    "token_endpoint",
                                    "device_authorization_endpoint",
                                    "userinfo_endpoint",
                                    "end_session_endpoint",
                                    "jwks_uri",
                                    "frontchannel_logout_supported",
                                    "http_logout_supported",
                                    "cloud_instance_name",
                                    "cloud_graph_host_name",
                                    "msgraph_host",
                                    "kerberos_endpoint",
                                    "tenant_region_scope",
                                    "claims_supported",
                                    "request_uri_parameter_supported",
                                    "rbac_url" };

    for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
      g_assert_true (json_object_has_member (o, members[i]));
    g_assert_true (
        g_str_has_prefix (json_object_get_string_member (o, "userinfo_endpoint"), "https://"));
  }
  /* The key's certificate: x5c, its SHA-1 thumbprint x5t (= kid), and the
   * same public key as n and e. */
  {
    const char *x5c = json_array_get_string_element (json_object_get_array_member (key, "x5c"), 0);
    gsize der_len = 0;
    g_autofree guchar *der = g_base64_decode (x5c, &der_len);
    const guchar *p = der;
    X509 *cert = d2i_X509 (NULL, &p, (long) der_len);
    BIGNUM *n = NULL;
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA1);
    guint8 sha1[20];
    gsize sha1_len = sizeof sha1;
    g_autofree char *x5t = NULL;
    g_autofree guchar *n_bytes = NULL;
    g_autofree char *n_b64 = NULL;
    GString *url_safe;

    g_assert_nonnull (cert);
    g_checksum_update (sum, der, der_len);
    g_checksum_get_digest (sum, sha1, &sha1_len);
    x5t = g_base64_encode (sha1, sha1_len);
    url_safe = g_string_new (NULL);
    for (const char *c = x5t; *c != '\0' && *c != '='; c++)
      g_string_append_c (url_safe, *c == '+' ? '-' : *c == '/' ? '_' : *c);
    g_assert_cmpstr (json_object_get_string_member (key, "x5t"), ==, url_safe->str);
    g_assert_cmpstr (json_object_get_string_member (key, "kid"), ==, url_safe->str);
    g_string_free (url_safe, TRUE);
    g_assert_true (EVP_PKEY_get_bn_param (X509_get0_pubkey (cert), OSSL_PKEY_PARAM_RSA_N, &n));
    n_bytes = g_malloc (BN_num_bytes (n));
    BN_bn2bin (n, n_bytes);
    n_b64 = g_base64_encode (n_bytes, BN_num_bytes (n));
    url_safe = g_string_new (NULL);
    for (const char *c = n_b64; *c != '\0' && *c != '='; c++)
      g_string_append_c (url_safe, *c == '+' ? '-' : *c == '/' ? '_' : *c);
    g_assert_cmpstr (json_object_get_string_member (key, "n"), ==, url_safe->str);
    g_string_free (url_safe, TRUE);
    g_assert_true (g_str_has_suffix (json_object_get_string_member (key, "issuer"), "/v2.0"));
    BN_free (n);
    X509_free (cert);
  }
}

static gboolean
verify_with_jwks (const char *jwt)
{
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = g_strdup_printf ("%s/common/discovery/v2.0/keys",
                                          foyer_test_sandbox_get_authority_url (sandbox));
  g_autoptr (TcReply) r = tc_get (s, url, NULL);
  g_autoptr (JsonObject) o = tc_json (r);
  JsonNode *key = json_array_get_element (json_object_get_array_member (o, "keys"), 0);
  g_autofree char *key_json = json_to_string (key, FALSE);
  cjose_err err;
  cjose_jwk_t *jwk = cjose_jwk_import (key_json, strlen (key_json), &err);
  cjose_jws_t *jws = cjose_jws_import (jwt, strlen (jwt), &err);
  gboolean ok = jwk != NULL && jws != NULL && cjose_jws_verify (jws, jwk, &err);

  cjose_jws_release (jws);
  cjose_jwk_release (jwk);
  return ok;
}

static void
test_code_flow (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr (JsonObject) tokens = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (SoupSession) api = tc_session_new (sandbox);
  g_autofree char *me = tc_graph (sandbox, "/me");
  g_autoptr (TcReply) r = NULL;
  guint status = 0;
  const char *id_token;

  tc_pkce (&verifier, &challenge);
  code
      = tc_sign_in (browser, sandbox, foyer_test_sandbox_get_tenant_id (sandbox), ALICE, challenge);
  g_assert_nonnull (code);
  tokens = tc_redeem (sandbox, code, verifier, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (tokens, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (tokens, "expires_in"), >, 0);
  g_assert_nonnull (json_object_get_string_member (tokens, "refresh_token"));
  id_token = json_object_get_string_member (tokens, "id_token");
  claims = jwt_claims (id_token);
  g_assert_cmpstr (json_object_get_string_member (claims, "tid"), ==,
                   foyer_test_sandbox_get_tenant_id (sandbox));
  g_assert_cmpstr (json_object_get_string_member (claims, "oid"), ==,
                   foyer_test_sandbox_get_user_oid (sandbox, ALICE));
  g_assert_cmpstr (json_object_get_string_member (claims, "preferred_username"), ==, ALICE);
  g_assert_cmpstr (json_object_get_string_member (claims, "name"), ==, "Alice Martin");
  g_assert_cmpstr (json_object_get_string_member (claims, "nonce"), ==, "n-0S6_WzA2Mj");
  /* No email scope, no email claim (Microsoft's v2 rule). */
  g_assert_false (json_object_has_member (claims, "email"));
  g_assert_cmpstr (json_object_get_string_member (claims, "aud"), ==,
                   foyer_test_sandbox_get_client_id (sandbox));
  g_assert_true (verify_with_jwks (id_token));

  /* The access token works on Graph. */
  r = tc_get (api, me, json_object_get_string_member (tokens, "access_token"));
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_nonnull (strstr (r->body, ALICE));

  /* Replaying the code fails. */
  again = tc_redeem (sandbox, code, verifier, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_token_error (again, "invalid_grant", "AADSTS54005");
}

static void
test_pkce_mismatch (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL, *other = NULL, *other_challenge = NULL;
  g_autofree char *code = NULL;
  g_autoptr (JsonObject) o = NULL;
  guint status = 0;

  tc_pkce (&verifier, &challenge);
  tc_pkce (&other, &other_challenge);
  code = tc_sign_in (browser, sandbox, NULL, ALICE, challenge);
  o = tc_redeem (sandbox, code, other, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_token_error (o, "invalid_grant", "AADSTS501481");
}

static JsonObject *
refresh (const char *refresh_token, guint *status)
{
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = token_url ();
  g_autoptr (TcReply) r
      = tc_post_form (s, url, "client_id", foyer_test_sandbox_get_client_id (sandbox), "grant_type",
                      "refresh_token", "refresh_token", refresh_token, NULL);

  *status = r->status;
  return tc_json (r);
}

static void
test_refresh_rotation (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rt = NULL;
  g_autofree char *at = foyer_test_sandbox_mint_token (sandbox, "bob@contoso.example", &rt, &error);
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) replay = NULL;
  g_autoptr (JsonObject) second = NULL;
  g_autoptr (JsonObject) revoked = NULL;
  guint status = 0;

  g_assert_no_error (error);
  g_assert_nonnull (rt);
  first = refresh (rt, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (first, "refresh_token"), !=, rt);
  /* Microsoft does not revoke a refresh token when it is redeemed. */
  replay = refresh (rt, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (replay, "refresh_token"), !=, rt);
  second = refresh (json_object_get_string_member (first, "refresh_token"), &status);
  g_assert_cmpuint (status, ==, 200);

  g_assert_true (foyer_test_sandbox_revoke_tokens (sandbox, "bob@contoso.example", &error));
  revoked = refresh (json_object_get_string_member (second, "refresh_token"), &status);
  g_assert_cmpuint (status, ==, 400);
  assert_token_error (revoked, "invalid_grant", "AADSTS50173");
  /* What MSAL reads as "interaction required". */
  g_assert_cmpstr (json_object_get_string_member (revoked, "suberror"), ==, "bad_token");
  /* All of them: the first one too. */
  g_clear_pointer (&revoked, json_object_unref);
  revoked = refresh (rt, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_token_error (revoked, "invalid_grant", "AADSTS50173");
}

static void
test_wrong_tenant (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *url = NULL;
  g_autoptr (TcReply) form = NULL;
  g_autoptr (TcReply) r = NULL;
  g_autofree char *ctx = NULL;
  g_autofree char *login = NULL;

  tc_pkce (&verifier, &challenge);
  url = tc_authorize_url (sandbox, foyer_test_sandbox_get_tenant_id (sandbox), challenge, "s1",
                          NULL);
  form = tc_get (browser, url, NULL);
  ctx = tc_between (form->body, "name=\"ctx\" value=\"", "\"");
  login = g_strdup_printf ("%s/%s/login", foyer_test_sandbox_get_authority_url (sandbox),
                           foyer_test_sandbox_get_tenant_id (sandbox));
  r = tc_post_form (browser, login, "ctx", ctx, "login", MALLORY, "passwd",
                    foyer_test_sandbox_get_user_password (sandbox, MALLORY), NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_nonnull (strstr (r->body, "AADSTS50020"));
  g_assert_null (r->location);
}

static void
test_bad_credentials (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *url = NULL;
  g_autoptr (TcReply) form = NULL;
  g_autoptr (TcReply) wrong = NULL;
  g_autoptr (TcReply) unknown = NULL;
  g_autofree char *ctx = NULL;
  g_autofree char *login = NULL;

  tc_pkce (&verifier, &challenge);
  url = tc_authorize_url (sandbox, NULL, challenge, "s2", "&login_hint=alice%40contoso.example");
  form = tc_get (browser, url, NULL);
  g_assert_nonnull (strstr (form->body, "value=\"alice@contoso.example\""));
  ctx = tc_between (form->body, "name=\"ctx\" value=\"", "\"");
  login
      = g_strdup_printf ("%s/organizations/login", foyer_test_sandbox_get_authority_url (sandbox));
  wrong = tc_post_form (browser, login, "ctx", ctx, "login", ALICE, "passwd", "not-the-password",
                        NULL);
  g_assert_cmpuint (wrong->status, ==, 200);
  g_assert_nonnull (strstr (wrong->body, "AADSTS50126"));
  unknown = tc_post_form (browser, login, "ctx", ctx, "login", "zed@contoso.example", "passwd", "x",
                          NULL);
  g_assert_nonnull (strstr (unknown->body, "AADSTS50034"));
}

static void
test_sso_and_prompt (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *code = NULL;
  g_autofree char *url = NULL;
  g_autofree char *url_login = NULL;
  g_autofree char *url_none = NULL;
  g_autofree char *url_consent = NULL;
  g_autoptr (TcReply) sso = NULL;
  g_autoptr (TcReply) forced = NULL;
  g_autoptr (TcReply) consent = NULL;
  g_autoptr (TcReply) none = NULL;
  g_autoptr (SoupSession) fresh = tc_browser_new (sandbox);
  g_autofree char *error = NULL;
  g_autofree char *sso_code = NULL;

  tc_pkce (&verifier, &challenge);
  code = tc_sign_in (browser, sandbox, NULL, "carol@contoso.example", challenge);
  g_assert_nonnull (code);

  /* Same browser: answered at once from the session cookie. */
  url = tc_authorize_url (sandbox, NULL, challenge, "s3", NULL);
  sso = tc_get (browser, url, NULL);
  g_assert_cmpuint (sso->status, ==, 302);
  sso_code = tc_query_param (sso->location, "code");
  g_assert_nonnull (sso_code);
  g_assert_cmpstr (sso_code, !=, code);

  url_login = tc_authorize_url (sandbox, NULL, challenge, "s4", "&prompt=login");
  forced = tc_get (browser, url_login, NULL);
  g_assert_cmpuint (forced->status, ==, 200);
  g_assert_nonnull (strstr (forced->body, "id=\"i0118\""));

  url_consent = tc_authorize_url (sandbox, NULL, challenge, "s5", "&prompt=consent");
  consent = tc_get (browser, url_consent, NULL);
  g_assert_cmpuint (consent->status, ==, 200);
  g_assert_nonnull (strstr (consent->body, "Files.ReadWrite.All"));

  /* select_account offers the signed-in account, which then needs no form. */
  {
    g_autofree char *url_select
        = tc_authorize_url (sandbox, NULL, challenge, "s7", "&prompt=select_account");
    g_autoptr (TcReply) picker = tc_get (browser, url_select, NULL);
    g_autofree char *href = tc_between (
        picker->body, "class=\"account\" data-email=\"carol@contoso.example\" href=\"", "\"");
    g_autofree char *unescaped = NULL;
    g_autofree char *pick_url = NULL;
    g_autoptr (TcReply) picked = NULL;
    g_autofree char *picked_state = NULL;

    g_assert_cmpuint (picker->status, ==, 200);
    g_assert_nonnull (strstr (picker->body, "id=\"otherTile\""));
    g_assert_nonnull (href);
    {
      g_auto (GStrv) parts = g_strsplit (href, "&amp;", -1);

      unescaped = g_strjoinv ("&", parts);
    }
    pick_url = tc_absolute (url_select, unescaped);
    picked = tc_get (browser, pick_url, NULL);
    g_assert_cmpuint (picked->status, ==, 302);
    picked_state = tc_query_param (picked->location, "state");
    g_assert_cmpstr (picked_state, ==, "s7");
  }

  /* Another browser has no session: prompt=none fails with login_required. */
  url_none = tc_authorize_url (sandbox, NULL, challenge, "s6", "&prompt=none");
  none = tc_get (fresh, url_none, NULL);
  g_assert_cmpuint (none->status, ==, 302);
  error = tc_query_param (none->location, "error");
  g_assert_cmpstr (error, ==, "login_required");
}

static void
test_authorize_validation (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  const char *base = foyer_test_sandbox_get_authority_url (sandbox);
  const char *client = foyer_test_sandbox_get_client_id (sandbox);
  g_autofree char *bad_redirect = g_strdup_printf (
      "%s/common/oauth2/v2.0/"
      "authorize?client_id=%s&response_type=code&redirect_uri=https%%3A%%2F%%2Fevil.example%%2F"
      "&scope=openid&state=a&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_"
      "challenge_method=S256",
      base, client);
  g_autofree char *redirect
      = g_uri_escape_string (foyer_test_sandbox_get_redirect_uri (sandbox), NULL, FALSE);
  g_autofree char *plain = g_strdup_printf (
      "%s/common/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
      "&scope=openid&state=a&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_"
      "challenge_method=plain",
      base, client, redirect);
  g_autofree char *no_pkce = g_strdup_printf (
      "%s/common/oauth2/v2.0/"
      "authorize?client_id=%s&response_type=code&redirect_uri=%s&scope=openid&state=a",
      base, client, redirect);
  g_autofree char *bad_client = g_strdup_printf (
      "%s/common/oauth2/v2.0/"
      "authorize?client_id=00000000-1111-2222-3333-444444444444&response_type=code"
      "&redirect_uri=%s&scope=openid&state=a",
      base, redirect);
  g_autofree char *bad_tenant
      = g_strdup_printf ("%s/nowhere.example/oauth2/v2.0/authorize?client_id=%s", base, client);
  g_autoptr (TcReply) r1 = tc_get (browser, bad_redirect, NULL);
  g_autoptr (TcReply) r2 = tc_get (browser, plain, NULL);
  g_autoptr (TcReply) r3 = tc_get (browser, no_pkce, NULL);
  g_autoptr (TcReply) r4 = tc_get (browser, bad_client, NULL);
  g_autoptr (TcReply) r5 = tc_get (browser, bad_tenant, NULL);
  g_autofree char *e2 = NULL;
  g_autofree char *e3 = NULL;

  g_assert_cmpuint (r1->status, ==, 400);
  g_assert_nonnull (strstr (r1->body, "AADSTS50011"));
  g_assert_cmpuint (r2->status, ==, 302);
  e2 = tc_query_param (r2->location, "error");
  g_assert_cmpstr (e2, ==, "invalid_request");
  e3 = tc_query_param (r3->location, "error");
  g_assert_cmpstr (e3, ==, "invalid_request");
  g_assert_nonnull (strstr (r4->body, "AADSTS700016"));
  g_assert_nonnull (strstr (r5->body, "AADSTS90002"));
}

static void
test_code_expiry_and_redirect_mismatch (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autoptr (SoupSession) browser2 = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *code = NULL;
  g_autofree char *code2 = NULL;
  g_autoptr (JsonObject) o = NULL;
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = token_url ();
  g_autoptr (TcReply) r = NULL;
  g_autoptr (JsonObject) mismatch = NULL;
  g_autoptr (TcReply) secret = NULL;
  g_autoptr (GError) error = NULL;
  guint status = 0;

  tc_pkce (&verifier, &challenge);
  code = tc_sign_in (browser, sandbox, NULL, ALICE, challenge);
  r = tc_post_form (s, url, "client_id", foyer_test_sandbox_get_client_id (sandbox), "grant_type",
                    "authorization_code", "code", code, "redirect_uri", "http://localhost:1234/",
                    "code_verifier", verifier, NULL);
  mismatch = tc_json (r);
  g_assert_cmpuint (r->status, ==, 400);
  assert_token_error (mismatch, "invalid_grant", "AADSTS50011");

  secret
      = tc_post_form (s, url, "client_id", foyer_test_sandbox_get_client_id (sandbox), "grant_type",
                      "authorization_code", "code", code, "client_secret", "s3cret", NULL);
  g_assert_cmpuint (secret->status, ==, 401);
  g_assert_nonnull (strstr (secret->body, "AADSTS700025"));

  code2 = tc_sign_in (browser2, sandbox, NULL, ALICE, challenge);
  g_assert_true (foyer_test_sandbox_advance_clock (sandbox, 601, &error));
  o = tc_redeem (sandbox, code2, verifier, &status);
  g_assert_cmpuint (status, ==, 400);
  assert_token_error (o, "invalid_grant", "AADSTS70008");
}

/* The email claim comes with the email scope; Dana's sign-in name (UPN) is
 * not her mail address. */
static void
test_email_claim (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) with = foyer_test_sandbox_control (
      sandbox, "POST", "/tokens",
      "{\"email\": \"dana.durand@contoso.example\", \"scope\": \"openid profile email\"}", &error);
  g_autoptr (JsonNode) without = foyer_test_sandbox_control (
      sandbox, "POST", "/tokens",
      "{\"email\": \"dana@contoso.onmicrosoft.example\", \"scope\": \"openid profile\"}", &error);
  g_autoptr (JsonObject) c1 = NULL;
  g_autoptr (JsonObject) c2 = NULL;

  g_assert_no_error (error);
  c1 = jwt_claims (json_object_get_string_member (json_node_get_object (with), "id_token"));
  c2 = jwt_claims (json_object_get_string_member (json_node_get_object (without), "id_token"));
  g_assert_cmpstr (json_object_get_string_member (c1, "email"), ==, "dana.durand@contoso.example");
  g_assert_cmpstr (json_object_get_string_member (c1, "preferred_username"), ==,
                   "dana@contoso.onmicrosoft.example");
  g_assert_false (json_object_has_member (c2, "email"));
  g_assert_cmpstr (json_object_get_string_member (c2, "preferred_username"), ==,
                   "dana@contoso.onmicrosoft.example");
}

/* The browser steps up to the last redirect: its Location. */
static char *
sign_in_location (SoupSession *browser, const char *url, const char *login, const char *password)
{
  g_autoptr (TcReply) form = tc_get (browser, url, NULL);
  g_autofree char *ctx = tc_between (form->body, "name=\"ctx\" value=\"", "\"");
  g_autofree char *action = tc_between (form->body, "action=\"", "\"");
  g_autofree char *login_url = NULL;
  g_autoptr (TcReply) next = NULL;

  g_assert_cmpuint (form->status, ==, 200);
  login_url = tc_absolute (url, action);
  next = tc_post_form (browser, login_url, "ctx", ctx, "login", login, "passwd", password, NULL);
  if (next->status == 200 && strstr (next->body, "id=\"consent\"") != NULL)
    {
      g_autofree char *ctx2 = tc_between (next->body, "name=\"ctx\" value=\"", "\"");
      g_autofree char *action2 = tc_between (next->body, "action=\"", "\"");
      g_autofree char *consent_url = tc_absolute (url, action2);
      TcReply *done = tc_post_form (browser, consent_url, "ctx", ctx2, "accept", "yes", NULL);

      tc_reply_free (next);
      next = done;
    }
  g_assert_cmpuint (next->status, ==, 302);
  return g_strdup (next->location);
}

static char *
base64url_decode_text (const char *text)
{
  GString *std = g_string_new (text);
  gsize len = 0;
  g_autofree guchar *raw = NULL;

  for (char *p = std->str; *p; p++)
    *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');
  raw = g_base64_decode (std->str, &len);
  g_string_free (std, TRUE);
  return g_strndup ((const char *) raw, len);
}

/* client_info=1: base64url {"uid","utid"} on the redirect and in the reply. */
static void
test_client_info (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *url = NULL;
  g_autofree char *location = NULL;
  g_autofree char *info = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *code = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *token = token_url ();
  g_autoptr (TcReply) r = NULL;
  g_autoptr (JsonObject) tokens = NULL;
  g_autofree char *reply_info = NULL;

  tc_pkce (&verifier, &challenge);
  url = tc_authorize_url (sandbox, NULL, challenge, "ci", "&client_info=1");
  location = sign_in_location (browser, url, "bob@contoso.example", "bob-password");
  info = tc_query_param (location, "client_info");
  g_assert_nonnull (info);
  decoded = base64url_decode_text (info);
  expected = g_strdup_printf ("{\"uid\":\"%s\",\"utid\":\"%s\"}",
                              foyer_test_sandbox_get_user_oid (sandbox, "bob@contoso.example"),
                              foyer_test_sandbox_get_tenant_id (sandbox));
  g_assert_cmpstr (decoded, ==, expected);

  code = tc_query_param (location, "code");
  r = tc_post_form (s, token, "client_id", foyer_test_sandbox_get_client_id (sandbox), "grant_type",
                    "authorization_code", "code", code, "redirect_uri",
                    foyer_test_sandbox_get_redirect_uri (sandbox), "code_verifier", verifier,
                    "client_info", "1", NULL);
  g_assert_cmpuint (r->status, ==, 200);
  tokens = tc_json (r);
  reply_info = base64url_decode_text (json_object_get_string_member (tokens, "client_info"));
  g_assert_cmpstr (reply_info, ==, expected);
}

/* Reply URLs are matched against the registration as Entra ID does. */
static void
test_redirect_matching (void)
{
  const char *const good[] = { "http://127.0.0.1:5555/", "http://127.0.0.1:41/",
                               "http://localhost:1234", "http://localhost/" };
  const char *const bad[]
      = { "http://127.0.0.1:5555/callback", "http://127.0.0.2:5555/", "https://127.0.0.1:5555/",
          "http://localhost.evil.example/", "http://127.0.0.1:5555/#x" };
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;

  tc_pkce (&verifier, &challenge);
  for (gsize i = 0; i < G_N_ELEMENTS (good) + G_N_ELEMENTS (bad); i++)
    {
      gboolean ok = i < G_N_ELEMENTS (good);
      const char *uri = ok ? good[i] : bad[i - G_N_ELEMENTS (good)];
      g_autofree char *escaped = g_uri_escape_string (uri, NULL, FALSE);
      g_autofree char *url = g_strdup_printf (
          "%s/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
          "&scope=openid&state=s&code_challenge=%s&code_challenge_method=S256",
          foyer_test_sandbox_get_authority_url (sandbox),
          foyer_test_sandbox_get_client_id (sandbox), escaped, challenge);
      g_autoptr (TcReply) r = tc_get (s, url, NULL);

      g_test_message ("%s → %u", uri, r->status);
      if (ok)
        g_assert_cmpuint (r->status, ==, 200);
      else
        {
          g_assert_cmpuint (r->status, ==, 400);
          g_assert_nonnull (strstr (r->body, "AADSTS50011"));
        }
    }
  /* The native-client URI, exactly. */
  {
    g_autofree char *other
        = g_strconcat (foyer_test_sandbox_get_redirect_uri (sandbox), "/more", NULL);
    g_autofree char *escaped = g_uri_escape_string (other, NULL, FALSE);
    g_autofree char *url = g_strdup_printf (
        "%s/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code&redirect_uri=%s"
        "&scope=openid&state=s&code_challenge=%s&code_challenge_method=S256",
        foyer_test_sandbox_get_authority_url (sandbox), foyer_test_sandbox_get_client_id (sandbox),
        escaped, challenge);
    g_autoptr (TcReply) r = tc_get (s, url, NULL);

    g_assert_cmpuint (r->status, ==, 400);
  }
}

/* error_description ends as Microsoft's: trace id, correlation id and time
 * on lines of their own; and the device code endpoint refuses this public
 * client as Entra ID does when public client flows are off. */
static void
test_error_shape (void)
{
  g_autoptr (SoupSession) s = tc_session_new (sandbox);
  g_autofree char *url = token_url ();
  g_autoptr (TcReply) r
      = tc_post_form (s, url, "client_id", foyer_test_sandbox_get_client_id (sandbox), "grant_type",
                      "refresh_token", "refresh_token", "not-a-token", NULL);
  g_autoptr (JsonObject) o = tc_json (r);
  g_autofree char *device_url = g_strdup_printf ("%s/organizations/oauth2/v2.0/devicecode",
                                                 foyer_test_sandbox_get_authority_url (sandbox));
  g_autoptr (TcReply) device = NULL;

  g_assert_cmpuint (r->status, ==, 400);
  g_assert_true (g_regex_match_simple (
      "^AADSTS9002313: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\n"
      "Timestamp: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
      json_object_get_string_member (o, "error_description"), G_REGEX_DOTALL, 0));
  g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
                                       json_object_get_string_member (o, "timestamp"), 0, 0));

  device = tc_post_form (s, device_url, "client_id", foyer_test_sandbox_get_client_id (sandbox),
                         "scope", "openid", NULL);
  g_assert_cmpuint (device->status, ==, 401);
  g_assert_nonnull (strstr (device->body, "AADSTS7000218"));
}

static void
tenant_set (const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) reply
      = foyer_test_sandbox_control (sandbox, "POST", "/tenants/contoso.example", json, &error);

  g_assert_no_error (error);
}

/* A tenant where users may not consent: "Need admin approval", and no way
 * back to the app; an administrator grants it for everyone at /adminconsent. */
static void
test_admin_consent (void)
{
  g_autoptr (SoupSession) browser = tc_browser_new (sandbox);
  g_autoptr (SoupSession) admin = tc_browser_new (sandbox);
  g_autoptr (SoupSession) later = tc_browser_new (sandbox);
  g_autofree char *verifier = NULL, *challenge = NULL;
  g_autofree char *url = NULL;
  g_autoptr (TcReply) form = NULL;
  g_autoptr (TcReply) page = NULL;
  g_autofree char *ctx = NULL;
  g_autofree char *login_url = NULL;
  g_autofree char *consent_url = NULL;
  g_autoptr (TcReply) admin_form = NULL;
  g_autoptr (TcReply) admin_page = NULL;
  g_autoptr (TcReply) granted = NULL;
  g_autofree char *admin_ctx = NULL;
  g_autofree char *admin_action = NULL;
  g_autofree char *location = NULL;

  tenant_set ("{\"adminConsentRequired\": true}");
  tc_pkce (&verifier, &challenge);
  url = tc_authorize_url (sandbox, foyer_test_sandbox_get_tenant_id (sandbox), challenge, "ac",
                          NULL);
  form = tc_get (browser, url, NULL);
  ctx = tc_between (form->body, "name=\"ctx\" value=\"", "\"");
  login_url = g_strdup_printf ("%s/%s/login", foyer_test_sandbox_get_authority_url (sandbox),
                               foyer_test_sandbox_get_tenant_id (sandbox));
  page = tc_post_form (browser, login_url, "ctx", ctx, "login", "dana@contoso.onmicrosoft.example",
                       "passwd", "dana-password", NULL);
  g_assert_cmpuint (page->status, ==, 200);
  g_assert_null (page->location);
  g_assert_nonnull (strstr (page->body, "Need admin approval"));
  g_assert_nonnull (strstr (page->body, "AADSTS90094"));
  g_assert_null (strstr (page->body, "id=\"consent\""));

  /* Carol, Contoso's administrator, grants it for the organization. */
  consent_url = g_strdup_printf (
      "%s/%s/adminconsent?client_id=%s", foyer_test_sandbox_get_authority_url (sandbox),
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox));
  admin_form = tc_get (admin, consent_url, NULL);
  g_clear_pointer (&ctx, g_free);
  ctx = tc_between (admin_form->body, "name=\"ctx\" value=\"", "\"");
  admin_page = tc_post_form (admin, login_url, "ctx", ctx, "login", "carol@contoso.example",
                             "passwd", "carol-password", NULL);
  g_assert_cmpuint (admin_page->status, ==, 200);
  g_assert_nonnull (strstr (admin_page->body, "Accept for your organization"));
  admin_ctx = tc_between (admin_page->body, "name=\"ctx\" value=\"", "\"");
  admin_action = tc_between (admin_page->body, "action=\"", "\"");
  {
    g_autofree char *grant_url = tc_absolute (consent_url, admin_action);

    granted = tc_post_form (admin, grant_url, "ctx", admin_ctx, "accept", "yes", NULL);
  }
  g_assert_cmpuint (granted->status, ==, 200);
  g_assert_nonnull (strstr (granted->body, "id=\"granted\""));

  /* Dana now signs in without being asked anything. */
  location = sign_in_location (later, url, "dana@contoso.onmicrosoft.example", "dana-password");
  g_assert_true (g_str_has_prefix (location, foyer_test_sandbox_get_redirect_uri (sandbox)));
  tenant_set ("{\"adminConsentRequired\": false, \"adminConsented\": false}");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/sandbox/identity/discovery", test_discovery);
  g_test_add_func ("/sandbox/identity/code-flow", test_code_flow);
  g_test_add_func ("/sandbox/identity/pkce-mismatch", test_pkce_mismatch);
  g_test_add_func ("/sandbox/identity/refresh-rotation", test_refresh_rotation);
  g_test_add_func ("/sandbox/identity/wrong-tenant", test_wrong_tenant);
  g_test_add_func ("/sandbox/identity/bad-credentials", test_bad_credentials);
  g_test_add_func ("/sandbox/identity/sso-and-prompt", test_sso_and_prompt);
  g_test_add_func ("/sandbox/identity/authorize-validation", test_authorize_validation);
  g_test_add_func ("/sandbox/identity/email-claim", test_email_claim);
  g_test_add_func ("/sandbox/identity/client-info", test_client_info);
  g_test_add_func ("/sandbox/identity/redirect-matching", test_redirect_matching);
  g_test_add_func ("/sandbox/identity/error-shape", test_error_shape);
  g_test_add_func ("/sandbox/identity/admin-consent", test_admin_consent);
  g_test_add_func ("/sandbox/identity/code-expiry", test_code_expiry_and_redirect_mismatch);
  ret = g_test_run ();
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
