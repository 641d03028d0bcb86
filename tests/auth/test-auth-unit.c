/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pure unit tests of the auth area: clouds, policy, PKCE, redirects and
 * Microsoft's error mapping. No network. */
#include "config.h"

#include "foyer-auth-error.h"
#include "foyer-auth-request.h"
#include "foyer-cloud.h"
#include "foyer-loopback-redirect.h"
#include "foyer-org-policy.h"
#include "foyer-test-tls.h"
#include "foyer-tls-database.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#define TENANT "11111111-2222-3333-4444-555555555555"
#define CLIENT "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"

static void
test_pkce_rfc7636 (void)
{
  /* RFC 7636, appendix B. */
  g_autofree char *challenge
      = foyer_auth_pkce_challenge ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_cloud_builtin (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", &error);
  g_autoptr (FoyerCloud) gcc = NULL;
  g_autofree char *token = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *jwks = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (foyer_cloud_get_authority (cloud), ==, "https://login.microsoftonline.com");
  g_assert_cmpstr (foyer_cloud_get_graph_url (cloud), ==, "https://graph.microsoft.com/v1.0");
  g_assert_cmpstr (foyer_cloud_get_redirect_uri (cloud), ==,
                   "https://login.microsoftonline.com/common/oauth2/nativeclient");
  /* The system's anchors alone. */
  g_assert_null (foyer_cloud_get_tls_database (cloud));
  g_assert_null (foyer_cloud_get_tenant_id (cloud));

  token = foyer_cloud_token_url (cloud, TENANT);
  g_assert_cmpstr (token, ==, "https://login.microsoftonline.com/" TENANT "/oauth2/v2.0/token");
  issuer = foyer_cloud_issuer (cloud, TENANT);
  g_assert_cmpstr (issuer, ==, "https://login.microsoftonline.com/" TENANT "/v2.0");
  jwks = foyer_cloud_jwks_url (cloud, TENANT);
  g_assert_cmpstr (jwks, ==, "https://login.microsoftonline.com/" TENANT "/discovery/v2.0/keys");

  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://graph.microsoft.com/v1.0/me"));
  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://contoso.sharepoint.com/x.docx"));
  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://contoso-my.sharepoint.com/"));
  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://onedrive.live.com/?id=1"));
  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://word-edit.officeapps.live.com/we"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "http://contoso.sharepoint.com/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://sharepoint.com.evil.example/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://evilsharepoint.com/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://.sharepoint.com/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://contoso.sharepoint.com:8443/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://user@contoso.sharepoint.com/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "http://127.0.0.1/"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "javascript:alert(1)"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, NULL));
  g_assert_true (foyer_cloud_is_sharepoint_url (cloud, "https://contoso.sharepoint.com/a"));
  g_assert_false (foyer_cloud_is_sharepoint_url (cloud, "https://graph.microsoft.com/a"));

  gcc = foyer_cloud_new_builtin ("gcc-moderate", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_cloud_get_authority (gcc), ==, "https://login.microsoftonline.com");
}

static void
test_cloud_refused (void)
{
  const char *refused[] = { "usgov-high", "usgov-dod", "china", "germany", "mars", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin (refused[i], &error);

      g_assert_null (cloud);
      g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD);
      if (*refused[i])
        g_assert_nonnull (strstr (error->message, refused[i]));
    }
}

static const char sandbox_json[]
    = "{ \"name\": \"sandbox\", \"caFile\": \"auth-unit-ca.pem\","
      " \"authority\": \"https://127.0.0.2:41001\","
      " \"graph\": \"https://127.0.0.3:41002/v1.0\", \"sharepoint\": \"https://127.0.0.4:41003\","
      " \"allowedHosts\": [\"127.0.0.2:41001\", \"127.0.0.3:41002\", \"127.0.0.4:41003\"],"
      " \"sharepointHosts\": [\"127.0.0.4:41003\"],"
      " \"redirectUri\": \"https://127.0.0.2:41001/common/oauth2/nativeclient\","
      " \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT "\" }";

static char *
workdir_file (const char *name)
{
  const char *workdir = g_getenv ("FOYER_TEST_WORKDIR");

  return g_build_filename (workdir != NULL ? workdir : g_get_tmp_dir (), name, NULL);
}

static void
test_cloud_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = workdir_file ("auth-unit-cloud.json");
  g_autofree char *ca_path = workdir_file ("auth-unit-ca.pem");
  g_autoptr (FoyerCloud) cloud = NULL;
  g_autofree char *authorize = NULL;
  g_autofree char *absolute = NULL;

  g_assert_true (g_file_set_contents (path, sandbox_json, -1, &error));
  g_assert_true (g_file_set_contents (
      ca_path, foyer_test_tls_get_ca_pem (foyer_test_tls_get_default ()), -1, &error));
  cloud = foyer_cloud_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_cloud_get_name (cloud), ==, "sandbox");
  g_assert_cmpstr (foyer_cloud_get_tenant_id (cloud), ==, TENANT);
  g_assert_cmpstr (foyer_cloud_get_client_id (cloud), ==, CLIENT);
  /* caFile is relative to the descriptor: the system's anchors and that CA. */
  g_assert_true (FOYER_IS_TLS_DATABASE (foyer_cloud_get_tls_database (cloud)));
  g_assert_cmpstr (
      foyer_tls_database_get_ca_file (FOYER_TLS_DATABASE (foyer_cloud_get_tls_database (cloud))),
      ==, ca_path);
  authorize = foyer_cloud_authorize_url (cloud, TENANT);
  g_assert_cmpstr (authorize, ==, "https://127.0.0.2:41001/" TENANT "/oauth2/v2.0/authorize");
  g_assert_true (foyer_cloud_is_allowed_url (cloud, "https://127.0.0.4:41003/sites/x"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://127.0.0.4:41004/sites/x"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "http://127.0.0.4:41003/sites/x"));
  g_assert_false (foyer_cloud_is_allowed_url (cloud, "https://graph.microsoft.com/v1.0/me"));
  g_assert_true (foyer_cloud_is_sharepoint_url (cloud, "https://127.0.0.4:41003/a"));
  g_assert_false (foyer_cloud_is_sharepoint_url (cloud, "https://127.0.0.3:41002/a"));
  g_unlink (path);

  /* A CA file that is missing or holds no certificate refuses the descriptor. */
  g_clear_object (&cloud);
  g_assert_true (g_file_set_contents (ca_path, "not a certificate", -1, &error));
  cloud = foyer_cloud_new_from_data (
      "{\"caFile\": \"/nonexistent/ca.pem\", \"authority\": \"https://login.example.com\","
      " \"graph\": \"https://graph.example.com/v1.0\"}",
      -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_assert_null (cloud);
  g_clear_error (&error);
  absolute = g_strdup_printf ("{\"caFile\": \"%s\", \"authority\": \"https://login.example.com\","
                              " \"graph\": \"https://graph.example.com/v1.0\"}",
                              ca_path);
  cloud = foyer_cloud_new_from_data (absolute, -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_assert_null (cloud);
  g_clear_error (&error);
  /* Data has no folder: a relative caFile means nothing. */
  cloud
      = foyer_cloud_new_from_data ("{\"caFile\": \"ca.pem\", \"authority\": \"https://a.example\","
                                   " \"graph\": \"https://graph.example.com/v1.0\"}",
                                   -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_clear_error (&error);
  g_unlink (ca_path);

  /* Plain http never, not even to this computer. */
  cloud = foyer_cloud_new_from_data ("{\"authority\": \"http://login.example.com\","
                                     " \"graph\": \"https://graph.example.com/v1.0\"}",
                                     -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_assert_null (cloud);
  g_clear_error (&error);
  cloud = foyer_cloud_new_from_data ("{\"authority\": \"http://127.0.0.2:41001\","
                                     " \"graph\": \"https://127.0.0.3:41002/v1.0\"}",
                                     -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_assert_null (cloud);
  g_clear_error (&error);
  cloud = foyer_cloud_new_from_data ("{\"authority\": \"https://login.example.com\"}", -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_clear_error (&error);
  cloud = foyer_cloud_new_from_data ("not json", -1, &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
  g_clear_error (&error);
  cloud = foyer_cloud_new_from_file ("/nonexistent/cloud.json", &error);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY);
}

/* A descriptor's CA is trusted for the hosts it issued certificates for,
 * on top of the system's anchors, which know nothing of it. */
static void
test_tls_database (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) database
      = foyer_tls_database_new (foyer_test_tls_get_default_ca_file (), &error);
  GTlsCertificate *ours = foyer_test_tls_get_default_certificate ();
  g_autoptr (FoyerTestTls) stranger = foyer_test_tls_new ("stranger", &error);
  const char *const hosts[] = { "127.0.0.1", NULL };
  g_autoptr (GTlsCertificate) theirs = foyer_test_tls_issue (stranger, hosts, &error);
  g_autoptr (GTlsDatabase) system
      = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("127.0.0.1", 443);

  g_assert_no_error (error);
  g_assert_true (foyer_tls_database_trusts (database, ours, "https://127.0.0.1:4443/x"));
  g_assert_true (foyer_tls_database_trusts (database, ours, "https://localhost/x"));
  g_assert_false (foyer_tls_database_trusts (database, ours, "https://127.0.0.2:4443/x"));
  g_assert_false (foyer_tls_database_trusts (database, ours, "http://127.0.0.1:4443/x"));
  g_assert_false (foyer_tls_database_trusts (database, ours, "not a uri"));
  g_assert_false (foyer_tls_database_trusts (database, theirs, "https://127.0.0.1/x"));
  g_assert_cmpuint (g_tls_database_verify_chain (database, ours,
                                                 G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                                 identity, NULL, 0, NULL, NULL),
                    ==, 0);
  g_assert_cmpuint (g_tls_database_verify_chain (system, ours,
                                                 G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                                 identity, NULL, 0, NULL, NULL)
                        & G_TLS_CERTIFICATE_UNKNOWN_CA,
                    !=, 0);

  g_clear_object (&database);
  database = foyer_tls_database_new ("/nonexistent/ca.pem", &error);
  g_assert_null (database);
  g_assert_nonnull (error);
}

static FoyerOrgPolicy *
policy_from (const char *microsoft, GError **error)
{
  g_autofree char *json = g_strdup_printf ("{\"microsoft\": %s}", microsoft);

  return foyer_org_policy_new_from_data (json, -1, error);
}

/* The same policy read twice is equal; any difference is not. */
static void
test_policy_equal (void)
{
  const char *base = "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
                     "\", \"cloud\": \"gcc-moderate\", \"audiences\": [\"organization\","
                     " \"space\"], \"defaultAudience\": \"space\", \"defaultLinkType\": \"edit\"}";
  g_autoptr (FoyerOrgPolicy) a = policy_from (base, NULL);
  g_autoptr (FoyerOrgPolicy) b = policy_from (base, NULL);
  g_autoptr (FoyerOrgPolicy) other_audiences = policy_from (
      "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"cloud\": \"gcc-moderate\", \"audiences\": [\"organization\", \"space\","
      " \"existing\"], \"defaultAudience\": \"space\", \"defaultLinkType\": \"edit\"}",
      NULL);
  g_autoptr (FoyerOrgPolicy) disabled = policy_from ("{\"enabled\": false}", NULL);

  g_assert_nonnull (a);
  g_assert_nonnull (other_audiences);
  g_assert_nonnull (disabled);
  g_assert_true (a != b);
  g_assert_true (foyer_org_policy_equal (a, b));
  g_assert_true (foyer_org_policy_equal (a, a));
  g_assert_true (foyer_org_policy_equal (NULL, NULL));
  g_assert_false (foyer_org_policy_equal (a, NULL));
  g_assert_false (foyer_org_policy_equal (NULL, a));
  g_assert_false (foyer_org_policy_equal (a, other_audiences));
  g_assert_false (foyer_org_policy_equal (a, disabled));
}

static void
test_policy_valid (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerOrgPolicy) policy
      = policy_from ("{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
                     "\", \"cloud\": \"gcc-moderate\", \"audiences\": [\"organization\","
                     " \"space\", \"existing\"], \"defaultAudience\": \"space\","
                     " \"defaultLinkType\": \"edit\"}",
                     &error);
  g_autoptr (FoyerCloud) cloud = NULL;

  g_assert_no_error (error);
  g_assert_true (foyer_org_policy_get_enabled (policy));
  g_assert_cmpstr (foyer_org_policy_get_tenant_id (policy), ==, TENANT);
  g_assert_cmpint (foyer_org_policy_get_default_audience (policy), ==, FOYER_LINK_AUDIENCE_SPACE);
  g_assert_cmpint (foyer_org_policy_get_default_link_type (policy), ==, FOYER_LINK_TYPE_EDIT);
  g_assert_false (foyer_org_policy_get_browser_sign_in (policy));
  g_assert_true (foyer_org_policy_allows_audience (policy, FOYER_LINK_AUDIENCE_ORGANIZATION));
  g_assert_false (foyer_org_policy_allows_audience (policy, FOYER_LINK_AUDIENCE_ANYONE));
  cloud = foyer_org_policy_create_cloud (policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_cloud_get_name (cloud), ==, "gcc-moderate");

  /* Tenant check: case-insensitive GUID match, anything else refused. */
  g_assert_true (foyer_org_policy_check_tenant (policy, TENANT, &error));
  g_assert_true (
      foyer_org_policy_check_tenant (policy, "11111111-2222-3333-4444-555555555555", &error));
  g_assert_false (
      foyer_org_policy_check_tenant (policy, "99999999-2222-3333-4444-555555555555", &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT);
  g_clear_error (&error);
  g_assert_false (foyer_org_policy_check_tenant (policy, NULL, &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT);
}

static void
test_policy_invalid (void)
{
  static const struct
  {
    const char *json;
    int code;
  } cases[] = {
    { "{\"enabled\": true, \"tenantId\": \"common\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [\"organization\"], \"defaultAudience\": \"organization\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT
      "\", \"audiences\": [\"organization\"], \"defaultAudience\": \"organization\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"cloud\": \"china\", \"audiences\": [\"organization\"], \"defaultAudience\":"
      " \"organization\"}",
      FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"cloud\": \"usgov-high\", \"audiences\": [\"organization\"], \"defaultAudience\":"
      " \"organization\"}",
      FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [\"organization\", \"everyone\"], \"defaultAudience\":"
      " \"organization\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [\"organization\"], \"defaultAudience\": \"anyone\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [], \"defaultAudience\": \"anyone\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [\"organization\"], \"defaultAudience\": \"organization\","
      " \"signIn\": \"popup\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
      "\", \"audiences\": [\"organization\"], \"defaultAudience\": \"organization\","
      " \"defaultLinkType\": \"owner\"}",
      FOYER_AUTH_ERROR_INVALID_POLICY },
    { "[]", FOYER_AUTH_ERROR_INVALID_POLICY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerOrgPolicy) policy = policy_from (cases[i].json, &error);

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (policy);
      g_assert_error (error, FOYER_AUTH_ERROR, cases[i].code);
    }
}

static void
test_policy_disabled (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerOrgPolicy) policy = policy_from ("{\"enabled\": false}", &error);
  g_autoptr (FoyerCloud) cloud = NULL;

  g_assert_no_error (error);
  g_assert_false (foyer_org_policy_get_enabled (policy));
  g_assert_false (foyer_org_policy_allows_audience (policy, FOYER_LINK_AUDIENCE_ORGANIZATION));
  cloud = foyer_org_policy_create_cloud (policy, &error);
  g_assert_null (cloud);
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_DISABLED);
}

static void
test_policy_descriptor (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = workdir_file ("auth-unit-policy-cloud.json");
  g_autofree char *ca_path = workdir_file ("auth-unit-ca.pem");
  g_autofree char *json = NULL;
  g_autoptr (FoyerOrgPolicy) policy = NULL;
  g_autoptr (FoyerCloud) cloud = NULL;

  g_assert_true (g_file_set_contents (path, sandbox_json, -1, &error));
  g_assert_true (g_file_set_contents (
      ca_path, foyer_test_tls_get_ca_pem (foyer_test_tls_get_default ()), -1, &error));
  json
      = g_strdup_printf ("{\"enabled\": true, \"tenantId\": \"" TENANT "\", \"clientId\": \"" CLIENT
                         "\", \"cloud\": \"worldwide\", \"cloudDescriptor\": \"%s\","
                         " \"audiences\": [\"anyone\"], \"defaultAudience\": \"anyone\","
                         " \"signIn\": \"browser\"}",
                         path);
  policy = policy_from (json, &error);
  g_assert_no_error (error);
  g_assert_cmpint (foyer_org_policy_get_default_link_type (policy), ==, FOYER_LINK_TYPE_VIEW);
  g_assert_true (foyer_org_policy_get_browser_sign_in (policy));
  cloud = foyer_org_policy_create_cloud (policy, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_cloud_get_authority (cloud), ==, "https://127.0.0.2:41001");
  g_assert_nonnull (foyer_cloud_get_tls_database (cloud));
  g_unlink (path);
  g_unlink (ca_path);
}

static FoyerAuthRequest *
make_request (FoyerCloud *cloud)
{
  return foyer_auth_request_new_full (
      cloud, TENANT, CLIENT, "alice@contoso.example", "contoso.example", NULL,
      "verifier-verifier-verifier-verifier-0123", "the-state", "the-nonce");
}

static void
test_request_url (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
  g_autoptr (FoyerAuthRequest) req = make_request (cloud);
  g_autoptr (FoyerAuthRequest) random1 = NULL;
  g_autoptr (FoyerAuthRequest) random2 = NULL;
  g_autofree char *url = foyer_auth_request_get_authorize_url (req);
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GHashTable) params = NULL;
  g_autofree char *challenge = NULL;

  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/" TENANT "/oauth2/v2.0/authorize");
  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  challenge = foyer_auth_pkce_challenge ("verifier-verifier-verifier-verifier-0123");
  g_assert_cmpstr (g_hash_table_lookup (params, "client_id"), ==, CLIENT);
  g_assert_cmpstr (g_hash_table_lookup (params, "response_type"), ==, "code");
  g_assert_cmpstr (g_hash_table_lookup (params, "redirect_uri"), ==,
                   "https://login.microsoftonline.com/common/oauth2/nativeclient");
  g_assert_cmpstr (g_hash_table_lookup (params, "scope"), ==,
                   "openid profile offline_access User.Read Files.ReadWrite.All Sites.Read.All");
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "the-state");
  g_assert_cmpstr (g_hash_table_lookup (params, "nonce"), ==, "the-nonce");
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge"), ==, challenge);
  g_assert_cmpstr (g_hash_table_lookup (params, "code_challenge_method"), ==, "S256");
  g_assert_cmpstr (g_hash_table_lookup (params, "login_hint"), ==, "alice@contoso.example");
  g_assert_cmpstr (g_hash_table_lookup (params, "domain_hint"), ==, "contoso.example");
  g_assert_false (g_hash_table_contains (params, "prompt"));
  g_assert_false (g_hash_table_contains (params, "code_verifier"));

  /* Random values: long enough and different each time. */
  random1 = foyer_auth_request_new (cloud, TENANT, CLIENT, NULL, NULL, "select_account", &error);
  g_assert_no_error (error);
  random2 = foyer_auth_request_new (cloud, TENANT, CLIENT, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (foyer_auth_request_get_verifier (random1)), >=, 43);
  g_assert_cmpuint (strlen (foyer_auth_request_get_verifier (random1)), <=, 128);
  g_assert_cmpstr (foyer_auth_request_get_verifier (random1), !=,
                   foyer_auth_request_get_verifier (random2));
  g_assert_cmpstr (foyer_auth_request_get_state (random1), !=,
                   foyer_auth_request_get_state (random2));
  g_assert_cmpstr (foyer_auth_request_get_nonce (random1), !=,
                   foyer_auth_request_get_nonce (random2));
}

static void
test_redirect_ok (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
  g_autoptr (FoyerAuthRequest) req = make_request (cloud);
  g_autofree char *code = NULL;
  g_autofree char *code2 = NULL;
  const char *uri = "https://login.microsoftonline.com/common/oauth2/nativeclient"
                    "?code=0.AbC%2Bdef&state=the-state&session_state=x";

  g_assert_true (foyer_auth_request_is_redirect (req, uri));
  g_assert_false (foyer_auth_request_is_redirect (req, "https://login.microsoftonline.com/other"));
  g_assert_true (foyer_auth_request_parse_redirect (req, uri, &code, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "0.AbC+def");

  /* A request accepts one redirect: the same one again is refused. */
  g_assert_false (foyer_auth_request_parse_redirect (req, uri, &code2, &error));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_STATE_MISMATCH);
  g_assert_null (code2);
}

/* The system browser's way back: only 127.0.0.1 over http, and the
 * request's URL and redirect check use it. */
static void
test_loopback_request (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
  g_autoptr (FoyerAuthRequest) req = make_request (cloud);
  g_autofree char *url = NULL;
  g_autofree char *code = NULL;
  const char *refused[] = { "https://127.0.0.1:8400/", "http://localhost:8400/",
                            "http://192.168.1.2:8400/", "http://127.0.0.1/", "not a uri" };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (foyer_auth_request_set_loopback_redirect_uri (req, refused[i], &error));
      g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_REDIRECT);
      g_clear_error (&error);
    }
  g_assert_true (
      foyer_auth_request_set_loopback_redirect_uri (req, "http://127.0.0.1:8400/", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (foyer_auth_request_get_redirect_uri (req), ==, "http://127.0.0.1:8400/");
  url = foyer_auth_request_get_authorize_url (req);
  g_assert_nonnull (strstr (url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A8400%2F&"));

  /* The native-client address is no longer this request's redirect. */
  g_assert_false (foyer_auth_request_is_redirect (
      req, "https://login.microsoftonline.com/common/oauth2/nativeclient?code=a&state=the-state"));
  g_assert_false (
      foyer_auth_request_is_redirect (req, "http://127.0.0.1:8401/?code=a&state=the-state"));
  g_assert_true (foyer_auth_request_parse_redirect (
      req, "http://127.0.0.1:8400/?code=abc&state=the-state", &code, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "abc");
}

typedef struct
{
  GAsyncResult *result;
  guint status;
  char *body;
} LoopbackWait;

static void
loopback_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((LoopbackWait *) user_data)->result = g_object_ref (result);
}

static void
fetched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoopbackWait *wait = user_data;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  wait->status = soup_message_get_status (
      soup_session_get_async_result_message (SOUP_SESSION (source), result));
  wait->body = body != NULL ? g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body))
                            : g_strdup ("");
}

/* What a browser gets from the listener (fetched asynchronously: the
 * listener runs on this thread's main context). */
static guint
browser_get (SoupSession *browser, const char *base, const char *path_query, char **out_body)
{
  g_autofree char *url = g_strconcat (base, path_query, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  LoopbackWait wait = { NULL, 0, NULL };

  soup_session_send_and_read_async (browser, msg, G_PRIORITY_DEFAULT, NULL, fetched_cb, &wait);
  while (wait.body == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (out_body != NULL)
    *out_body = wait.body;
  else
    g_free (wait.body);
  return wait.status;
}

static void
test_loopback_listener (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerLoopbackRedirect) loopback = foyer_loopback_redirect_new (&error);
  g_autoptr (SoupSession) browser = soup_session_new ();
  g_autoptr (GUri) uri = NULL;
  g_autofree char *received = NULL;
  g_autofree char *page = NULL;
  LoopbackWait wait = { NULL, 0, NULL };

  g_assert_no_error (error);
  uri = g_uri_parse (foyer_loopback_redirect_get_uri (loopback), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  g_assert_cmpstr (g_uri_get_path (uri), ==, "/");

  foyer_loopback_redirect_wait_async (loopback, NULL, loopback_done_cb, &wait);

  /* Anything but the redirect is not it. */
  g_assert_cmpuint (
      browser_get (browser, foyer_loopback_redirect_get_uri (loopback), "favicon.ico", NULL), ==,
      404);
  g_assert_cmpuint (browser_get (browser, foyer_loopback_redirect_get_uri (loopback), "", NULL), ==,
                    404);
  g_assert_null (wait.result);

  /* The redirect: a page that holds nothing of it, and the address for the caller. */
  g_assert_cmpuint (browser_get (browser, foyer_loopback_redirect_get_uri (loopback),
                                 "?code=secret-code&state=s1", &page),
                    ==, 200);
  g_assert_null (strstr (page, "secret-code"));
  g_assert_nonnull (strstr (page, "Foyer"));
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  received = foyer_loopback_redirect_wait_finish (loopback, wait.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (received, "code=secret-code"));
  g_assert_nonnull (strstr (received, "state=s1"));
  g_clear_object (&wait.result);

  /* One sign-in, one redirect. */
  g_clear_pointer (&page, g_free);
  g_assert_cmpuint (browser_get (browser, foyer_loopback_redirect_get_uri (loopback),
                                 "?code=other&state=s2", &page),
                    ==, 200);
  g_assert_null (strstr (page, "other"));
}

static void
test_loopback_cancel (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerLoopbackRedirect) loopback = foyer_loopback_redirect_new (&error);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  LoopbackWait wait = { NULL, 0, NULL };
  char *received;

  g_assert_no_error (error);
  foyer_loopback_redirect_wait_async (loopback, cancellable, loopback_done_cb, &wait);
  g_cancellable_cancel (cancellable);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  received = foyer_loopback_redirect_wait_finish (loopback, wait.result, &error);
  g_assert_null (received);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&wait.result);
}

static void
test_redirect_errors (void)
{
  static const struct
  {
    const char *uri;
    int code;
  } cases[] = {
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?code=abc&state=other",
      FOYER_AUTH_ERROR_STATE_MISMATCH },
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?code=abc",
      FOYER_AUTH_ERROR_STATE_MISMATCH },
    { "https://evil.example/common/oauth2/nativeclient?code=abc&state=the-state",
      FOYER_AUTH_ERROR_INVALID_REDIRECT },
    { "http://login.microsoftonline.com/common/oauth2/nativeclient?code=abc&state=the-state",
      FOYER_AUTH_ERROR_INVALID_REDIRECT },
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?state=the-state",
      FOYER_AUTH_ERROR_INVALID_REDIRECT },
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?state=the-state"
      "&error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent",
      FOYER_AUTH_ERROR_ACCESS_DENIED },
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?state=the-state"
      "&error=interaction_required&error_description=AADSTS50076",
      FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "https://login.microsoftonline.com/common/oauth2/nativeclient?state=the-state"
      "&error=consent_required",
      FOYER_AUTH_ERROR_CONSENT_REQUIRED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (FoyerCloud) cloud = foyer_cloud_new_builtin ("worldwide", NULL);
      g_autoptr (FoyerAuthRequest) req = make_request (cloud);
      g_autofree char *code = NULL;

      g_test_message ("case %s", cases[i].uri);
      g_assert_false (foyer_auth_request_parse_redirect (req, cases[i].uri, &code, &error));
      g_assert_error (error, FOYER_AUTH_ERROR, cases[i].code);
      g_assert_null (code);
    }
}

static void
test_error_mapping (void)
{
  static const struct
  {
    const char *error;
    gint64 aadsts;
    int code;
  } cases[] = {
    { "invalid_grant", 700082, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "invalid_grant", 70008, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "invalid_grant", 50173, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "invalid_grant", 54005, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "invalid_grant", 501481, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "invalid_grant", 50076, FOYER_AUTH_ERROR_INVALID_GRANT },
    { "interaction_required", 50079, FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "interaction_required", 53003, FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "interaction_required", 70043, FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "login_required", 50058, FOYER_AUTH_ERROR_INTERACTION_REQUIRED },
    { "consent_required", 65001, FOYER_AUTH_ERROR_CONSENT_REQUIRED },
    { "access_denied", 65004, FOYER_AUTH_ERROR_ACCESS_DENIED },
    { "temporarily_unavailable", 0, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE },
    { "invalid_request", 50011, FOYER_AUTH_ERROR_CONFIGURATION },
    { "invalid_client", 700025, FOYER_AUTH_ERROR_CONFIGURATION },
    { "something_new", 0, FOYER_AUTH_ERROR_FAILED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = foyer_auth_error_new_from_oauth (
          cases[i].error, NULL, cases[i].aadsts ? &cases[i].aadsts : NULL, cases[i].aadsts ? 1 : 0);
      const char *known = foyer_auth_error_aadsts_message (cases[i].aadsts);

      g_assert_error (error, FOYER_AUTH_ERROR, cases[i].code);
      if (known != NULL)
        g_assert_true (g_str_has_prefix (error->message, known));
      if (cases[i].aadsts != 0)
        {
          g_autofree char *tag = g_strdup_printf ("AADSTS%" G_GINT64_FORMAT, cases[i].aadsts);
          g_assert_nonnull (strstr (error->message, tag));
        }
    }

  /* Each listed AADSTS number has a message of its own. */
  {
    const gint64 listed[]
        = { 50076, 65001, 65004, 700082, 70008, 50173, 70043, 53003, 50058, 54005, 501481, 50011 };
    g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

    for (gsize i = 0; i < G_N_ELEMENTS (listed); i++)
      {
        const char *message = foyer_auth_error_aadsts_message (listed[i]);

        g_assert_nonnull (message);
        g_assert_false (g_hash_table_contains (seen, message));
        g_hash_table_add (seen, (gpointer) message);
      }
    g_assert_cmpstr (foyer_auth_error_aadsts_message (50076), ==,
                     foyer_auth_error_aadsts_message (50079));
    g_assert_null (foyer_auth_error_aadsts_message (12345));
  }

  g_assert_cmpint (foyer_auth_error_parse_aadsts ("AADSTS700082: The refresh token has expired"),
                   ==, 700082);
  g_assert_cmpint (foyer_auth_error_parse_aadsts ("no code here"), ==, 0);
  g_assert_cmpint (foyer_auth_error_parse_aadsts ("AADSTS: nothing"), ==, 0);
}

static void
test_error_json (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) not_oauth = NULL;

  g_assert_true (json_parser_load_from_data (
      parser,
      "{\"error\": \"invalid_grant\", \"error_description\": \"AADSTS70008: expired\","
      " \"error_codes\": [70008], \"trace_id\": \"t\", \"correlation_id\": \"c\"}",
      -1, NULL));
  error = foyer_auth_error_new_from_json (json_parser_get_root (parser));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_GRANT);
  g_assert_true (g_str_has_prefix (error->message, foyer_auth_error_aadsts_message (70008)));
  g_assert_true (foyer_auth_error_needs_reconnect (error));

  /* Branch on `error`, not on the number: an unknown number keeps the
   * code of its `error`. */
  g_clear_error (&error);
  g_assert_true (json_parser_load_from_data (
      parser, "{\"error\": \"temporarily_unavailable\", \"error_codes\": [50076]}", -1, NULL));
  error = foyer_auth_error_new_from_json (json_parser_get_root (parser));
  g_assert_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_TEMPORARILY_UNAVAILABLE);
  g_assert_false (foyer_auth_error_needs_reconnect (error));

  g_assert_true (json_parser_load_from_data (parser, "{\"message\": \"hi\"}", -1, NULL));
  not_oauth = foyer_auth_error_new_from_json (json_parser_get_root (parser));
  g_assert_null (not_oauth);
  g_assert_null (foyer_auth_error_new_from_json (NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/pkce/rfc7636", test_pkce_rfc7636);
  g_test_add_func ("/auth/cloud/builtin", test_cloud_builtin);
  g_test_add_func ("/auth/cloud/refused", test_cloud_refused);
  g_test_add_func ("/auth/cloud/file", test_cloud_file);
  g_test_add_func ("/auth/cloud/tls-database", test_tls_database);
  g_test_add_func ("/auth/policy/valid", test_policy_valid);
  g_test_add_func ("/auth/policy/equal", test_policy_equal);
  g_test_add_func ("/auth/policy/invalid", test_policy_invalid);
  g_test_add_func ("/auth/policy/disabled", test_policy_disabled);
  g_test_add_func ("/auth/policy/descriptor", test_policy_descriptor);
  g_test_add_func ("/auth/request/url", test_request_url);
  g_test_add_func ("/auth/request/redirect-ok", test_redirect_ok);
  g_test_add_func ("/auth/request/redirect-errors", test_redirect_errors);
  g_test_add_func ("/auth/request/loopback", test_loopback_request);
  g_test_add_func ("/auth/loopback/listener", test_loopback_listener);
  g_test_add_func ("/auth/loopback/cancel", test_loopback_cancel);
  g_test_add_func ("/auth/error/mapping", test_error_mapping);
  g_test_add_func ("/auth/error/json", test_error_json);

  return g_test_run ();
}
