/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The login host: Microsoft identity platform v2 endpoints. Authorize shows
 * a sign-in form and a consent page, keeps an ESTSAUTH session cookie for
 * SSO, and redirects with a code; token redeems codes (single use,
 * short-lived, PKCE S256) and rotates refresh tokens; ID tokens are RS256
 * JWTs whose key is published as JWKS next to an OpenID configuration.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"

#include <openssl/sha.h>
#include <string.h>

#define CODE_LIFETIME         600
#define AUTH_REQUEST_LIFETIME 1800
#define REFRESH_LIFETIME      (90 * 86400)
#define DEFAULT_SCOPE         "openid profile offline_access User.Read Files.ReadWrite.All Sites.Read.All"

typedef struct
{
  char *ctx;
  char *tenant_segment;
  SandboxTenant *tenant; /* NULL: common or organizations */
  char *client_id;
  char *redirect_uri;
  char *scope;
  char *state;
  char *challenge;
  char *nonce;
  char *prompt;
  char *login_hint;
  gboolean fragment;
  SandboxUser *user; /* once signed in */
  gint64 expires;
} AuthRequest;

static void
auth_request_free (AuthRequest *ar)
{
  g_free (ar->ctx);
  g_free (ar->tenant_segment);
  g_free (ar->client_id);
  g_free (ar->redirect_uri);
  g_free (ar->scope);
  g_free (ar->state);
  g_free (ar->challenge);
  g_free (ar->nonce);
  g_free (ar->prompt);
  g_free (ar->login_hint);
  g_free (ar);
}

static void
token_free (SandboxToken *t)
{
  g_free (t->client_id);
  g_free (t->scope);
  g_free (t);
}

static void
code_free (SandboxCode *c)
{
  g_free (c->client_id);
  g_free (c->redirect_uri);
  g_free (c->challenge);
  g_free (c->scope);
  g_free (c->nonce);
  g_free (c);
}

void
sandbox_identity_init (Sandbox *sb)
{
  cjose_err err;
  g_autofree char *kid = NULL;

  sb->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_free);
  sb->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) code_free);
  sb->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sb->sp_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sb->auth_requests
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) auth_request_free);
  sb->consents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  sb->jwk = cjose_jwk_create_RSA_random (2048, NULL, 0, &err);
  if (sb->jwk == NULL)
    g_error ("Cannot create the signing key: %s", err.message);
  kid = foyer_random_token (16);
  sb->kid = g_strdup (kid);
  if (!cjose_jwk_set_kid (sb->jwk, sb->kid, strlen (sb->kid), &err))
    g_error ("Cannot set the key id: %s", err.message);
}

/* ---- errors ------------------------------------------------------------- */

static void
token_error (
    SandboxRequest *req, guint status, const char *error, int code, const char *description)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *trace = sandbox_request_id ();
  g_autofree char *correlation = sandbox_request_id ();
  g_autofree char *now = sandbox_iso_time (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *text
      = g_strdup_printf ("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", code,
                         description, trace, correlation, now);
  g_autofree char *uri
      = g_strdup_printf ("%s/error?code=%d", req->sb->base_url[SANDBOX_HOST_LOGIN], code);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, error);
  json_builder_set_member_name (b, "error_description");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "error_codes");
  json_builder_begin_array (b);
  json_builder_add_int_value (b, code);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "trace_id");
  json_builder_add_string_value (b, trace);
  json_builder_set_member_name (b, "correlation_id");
  json_builder_add_string_value (b, correlation);
  json_builder_set_member_name (b, "error_uri");
  json_builder_add_string_value (b, uri);
  if (code == 65001)
    {
      json_builder_set_member_name (b, "suberror");
      json_builder_add_string_value (b, "consent_required");
    }
  json_builder_end_object (b);
  sandbox_respond_builder (req, status, b);
}

/* Microsoft's error page: shown when the request cannot go back to the app. */
static void
error_page (SandboxRequest *req, int code, const char *description)
{
  g_autofree char *trace = sandbox_request_id ();
  g_autofree char *escaped = g_markup_escape_text (description, -1);
  g_autofree char *body
      = g_strdup_printf ("<h1>Sign in</h1><h2>Sorry, but we're having trouble signing you in.</h2>"
                         "<p id=\"error\" class=\"error\" data-code=\"AADSTS%d\">AADSTS%d: %s</p>"
                         "<p class=\"muted\">Request Id: %s</p>",
                         code, code, escaped, trace);

  sandbox_respond_html (req, SOUP_STATUS_BAD_REQUEST, "Sign in to your account", body);
}

static char *
append_params (const char *uri, gboolean fragment, ...)
{
  GString *out = g_string_new (uri);
  gboolean first = strchr (uri, fragment ? '#' : '?') == NULL;
  va_list ap;
  const char *name;

  va_start (ap, fragment);
  while ((name = va_arg (ap, const char *)) != NULL)
    {
      const char *value = va_arg (ap, const char *);
      g_autofree char *escaped = NULL;

      if (value == NULL)
        continue;
      escaped = g_uri_escape_string (value, NULL, FALSE);
      g_string_append_printf (out, "%c%s=%s", first ? (fragment ? '#' : '?') : '&', name, escaped);
      first = FALSE;
    }
  va_end (ap);
  return g_string_free (out, FALSE);
}

static void
redirect_error (
    SandboxRequest *req, AuthRequest *ar, const char *error, int code, const char *description)
{
  g_autofree char *text = g_strdup_printf ("AADSTS%d: %s", code, description);
  g_autofree char *url = append_params (ar->redirect_uri, ar->fragment, "error", error,
                                        "error_description", text, "state", ar->state, NULL);

  sandbox_respond_redirect (req, url);
}

/* ---- sessions, consents and codes --------------------------------------- */

gboolean
sandbox_session_valid (Sandbox *sb, SandboxSession *session)
{
  return session != NULL && session->serial > session->user->revoked_serial;
}

SandboxSession *
sandbox_login_session (SandboxRequest *req)
{
  g_autofree char *value = sandbox_request_cookie (req, "ESTSAUTH");
  SandboxSession *session;

  if (value == NULL)
    return NULL;
  session = g_hash_table_lookup (req->sb->sessions, value);
  return sandbox_session_valid (req->sb, session) ? session : NULL;
}

static void
start_session (SandboxRequest *req, SandboxUser *user)
{
  SandboxSession *session = g_new0 (SandboxSession, 1);
  char *value = foyer_random_token (32);
  g_autofree char *cookie = g_strdup_printf ("ESTSAUTH=%s; Path=/; HttpOnly", value);

  session->user = user;
  session->serial = ++req->sb->serial;
  g_hash_table_insert (req->sb->sessions, value, session);
  soup_message_headers_append (soup_server_message_get_response_headers (req->msg), "Set-Cookie",
                               cookie);
}

static char *
consent_key (SandboxUser *user, const char *client_id)
{
  return g_strdup_printf ("%s %s", user->oid, client_id);
}

static gboolean
has_consent (Sandbox *sb, SandboxUser *user, const char *client_id, const char *scope)
{
  g_autofree char *key = consent_key (user, client_id);
  const char *granted = g_hash_table_lookup (sb->consents, key);
  g_auto (GStrv) wanted = NULL;
  g_auto (GStrv) have = NULL;

  if (g_strcmp0 (client_id, sb->sharepoint_client_id) == 0)
    return TRUE;
  if (granted == NULL)
    return FALSE;
  wanted = g_strsplit (scope, " ", -1);
  have = g_strsplit (granted, " ", -1);
  for (guint i = 0; wanted[i] != NULL; i++)
    if (*wanted[i] != '\0' && !g_strv_contains ((const char *const *) have, wanted[i]))
      return FALSE;
  return TRUE;
}

static void
add_consent (Sandbox *sb, SandboxUser *user, const char *client_id, const char *scope)
{
  char *key = consent_key (user, client_id);
  const char *old = g_hash_table_lookup (sb->consents, key);

  g_hash_table_insert (sb->consents, key, g_strjoin (" ", old != NULL ? old : "", scope, NULL));
}

static void
issue_code (SandboxRequest *req, AuthRequest *ar, SandboxUser *user)
{
  SandboxCode *code = g_new0 (SandboxCode, 1);
  char *value = foyer_random_token (48);
  g_autofree char *url = NULL;

  code->user = user;
  code->client_id = g_strdup (ar->client_id);
  code->redirect_uri = g_strdup (ar->redirect_uri);
  code->challenge = g_strdup (ar->challenge);
  code->scope = g_strdup (ar->scope);
  code->nonce = g_strdup (ar->nonce);
  code->expires = sandbox_now (req->sb) + CODE_LIFETIME;
  g_hash_table_insert (req->sb->codes, value, code);

  url = append_params (ar->redirect_uri, ar->fragment, "code", value, "state", ar->state,
                       "session_state", ar->ctx, NULL);
  g_hash_table_remove (req->sb->auth_requests, ar->ctx);
  sandbox_respond_redirect (req, url);
}

SandboxUser *
sandbox_redeem_sharepoint_code (Sandbox *sb, const char *value)
{
  SandboxCode *code = value != NULL ? g_hash_table_lookup (sb->codes, value) : NULL;

  if (code == NULL || code->redeemed || code->expires < sandbox_now (sb)
      || g_strcmp0 (code->client_id, sb->sharepoint_client_id) != 0)
    return NULL;
  code->redeemed = TRUE;
  return code->user;
}

/* ---- pages -------------------------------------------------------------- */

static void
sign_in_page (SandboxRequest *req, AuthRequest *ar, const char *email, const char *problem)
{
  g_autofree char *esc_email = g_markup_escape_text (email != NULL ? email : "", -1);
  g_autofree char *esc_problem = problem != NULL ? g_markup_escape_text (problem, -1) : NULL;
  g_autofree char *esc_tenant = g_markup_escape_text (ar->tenant_segment, -1);
  g_autofree char *body = g_strdup_printf (
      "<h1 id=\"loginHeader\">Sign in</h1>%s%s%s"
      "<form id=\"signin\" method=\"post\" action=\"/%s/login\">"
      "<input type=\"hidden\" name=\"ctx\" value=\"%s\">"
      "<label for=\"i0116\">Email</label>"
      "<input type=\"email\" id=\"i0116\" name=\"login\" value=\"%s\" autocomplete=\"username\">"
      "<label for=\"i0118\">Password</label>"
      "<input type=\"password\" id=\"i0118\" name=\"passwd\" autocomplete=\"current-password\">"
      "<button type=\"submit\" id=\"idSIButton9\">Sign in</button></form>"
      "<p class=\"muted\">foyer-ms-sandbox: a local stand-in for Microsoft sign-in.</p>",
      problem != NULL ? "<p id=\"passwordError\" class=\"error\">" : "",
      problem != NULL ? esc_problem : "", problem != NULL ? "</p>" : "", esc_tenant, ar->ctx,
      esc_email);

  sandbox_respond_html (req, SOUP_STATUS_OK, "Sign in to your account", body);
}

static const char *
scope_description (const char *scope)
{
  static const struct
  {
    const char *scope;
    const char *text;
  } map[] = {
    { "openid", "Sign you in" },
    { "profile", "View your basic profile" },
    { "email", "View your email address" },
    { "offline_access", "Maintain access to data you have given it access to" },
    { "User.Read", "Sign you in and read your profile" },
    { "Files.Read", "Read your files" },
    { "Files.Read.All", "Read all files that you have access to" },
    { "Files.ReadWrite", "Have full access to your files" },
    { "Files.ReadWrite.All", "Have full access to all files you have access to" },
    { "Sites.Read.All", "Read items in all site collections" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_ascii_strcasecmp (map[i].scope, scope) == 0)
      return map[i].text;
  return scope;
}

static void
consent_page (SandboxRequest *req, AuthRequest *ar)
{
  g_auto (GStrv) scopes = g_strsplit (ar->scope, " ", -1);
  GString *list = g_string_new ("<ul id=\"scopes\">");
  g_autofree char *esc_user = g_markup_escape_text (ar->user->email, -1);
  g_autofree char *esc_tenant = g_markup_escape_text (ar->tenant_segment, -1);
  g_autofree char *items = NULL;
  g_autofree char *body = NULL;

  for (guint i = 0; scopes[i] != NULL; i++)
    {
      g_autofree char *esc = NULL;
      g_autofree char *desc = NULL;

      if (*scopes[i] == '\0')
        continue;
      esc = g_markup_escape_text (scopes[i], -1);
      desc = g_markup_escape_text (scope_description (scopes[i]), -1);
      g_string_append_printf (list, "<li data-scope=\"%s\">%s</li>", esc, desc);
    }
  g_string_append (list, "</ul>");
  items = g_string_free (list, FALSE);
  body = g_strdup_printf (
      "<h1>Permissions requested</h1><p class=\"muted\">%s</p>"
      "<p>Foyer (sandbox) would like to:</p>%s"
      "<form id=\"consent\" method=\"post\" action=\"/%s/consent\">"
      "<input type=\"hidden\" name=\"ctx\" value=\"%s\">"
      "<button type=\"submit\" name=\"accept\" value=\"no\" id=\"idBtn_Back\">Cancel</button> "
      "<button type=\"submit\" name=\"accept\" value=\"yes\" id=\"idSIButton9\">Accept</button>"
      "</form>",
      esc_user, items, esc_tenant, ar->ctx);
  sandbox_respond_html (req, SOUP_STATUS_OK, "Permissions requested", body);
}

static void
account_picker_page (SandboxRequest *req, AuthRequest *ar, SandboxUser *current)
{
  g_autofree char *esc_tenant = g_markup_escape_text (ar->tenant_segment, -1);
  g_autofree char *account = NULL;
  g_autofree char *body = NULL;

  if (current != NULL)
    {
      g_autofree char *esc_email = g_markup_escape_text (current->email, -1);
      g_autofree char *esc_name = g_markup_escape_text (current->name, -1);
      g_autofree char *q = g_uri_escape_string (current->email, NULL, FALSE);

      account = g_strdup_printf (
          "<li><a class=\"account\" data-email=\"%s\" href=\"/%s/select?ctx=%s&amp;account=%s\">"
          "%s<br>%s</a></li>",
          esc_email, esc_tenant, ar->ctx, q, esc_name, esc_email);
    }
  body = g_strdup_printf ("<h1>Pick an account</h1><ul id=\"accounts\">%s"
                          "<li><a id=\"otherTile\" href=\"/%s/select?ctx=%s&amp;account=other\">"
                          "Use another account</a></li></ul>",
                          account != NULL ? account : "", esc_tenant, ar->ctx);
  sandbox_respond_html (req, SOUP_STATUS_OK, "Pick an account", body);
}

/* After the user is known: consent if needed, then back to the app. */
static void
continue_signed_in (SandboxRequest *req, AuthRequest *ar, gboolean force_consent)
{
  sandbox_set_user (req, ar->user);
  if (force_consent || !has_consent (req->sb, ar->user, ar->client_id, ar->scope))
    consent_page (req, ar);
  else
    issue_code (req, ar, ar->user);
}

/* ---- authorize ---------------------------------------------------------- */

static gboolean
is_loopback_redirect (const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  return parsed != NULL && g_strcmp0 (g_uri_get_scheme (parsed), "http") == 0
         && (g_strcmp0 (g_uri_get_host (parsed), "localhost") == 0
             || g_strcmp0 (g_uri_get_host (parsed), "127.0.0.1") == 0);
}

static gboolean
redirect_allowed (Sandbox *sb, const char *client_id, const char *redirect_uri)
{
  if (redirect_uri == NULL)
    return FALSE;
  if (g_strcmp0 (client_id, sb->sharepoint_client_id) == 0)
    {
      g_autofree char *sp
          = g_strdup_printf ("%s/_forms/default.aspx", sb->base_url[SANDBOX_HOST_SHAREPOINT]);

      return g_str_equal (redirect_uri, sp);
    }
  /* The port of a loopback redirect is ignored when matching, as documented. */
  return g_strcmp0 (redirect_uri, sb->redirect_uri) == 0 || is_loopback_redirect (redirect_uri);
}

static const char *
param (GHashTable *query, const char *name)
{
  const char *value = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
resolve_tenant (Sandbox *sb, const char *segment, SandboxTenant **tenant)
{
  *tenant = NULL;
  if (g_str_equal (segment, "common") || g_str_equal (segment, "organizations"))
    return TRUE;
  *tenant = sandbox_find_tenant (sb, segment);
  return *tenant != NULL;
}

static gboolean
valid_challenge (const char *challenge)
{
  gsize len = challenge != NULL ? strlen (challenge) : 0;

  if (len < 43 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (challenge[i]) && challenge[i] != '-' && challenge[i] != '_')
      return FALSE;
  return TRUE;
}

static void
handle_authorize (SandboxRequest *req, const char *segment)
{
  Sandbox *sb = req->sb;
  SandboxTenant *tenant;
  const char *client_id = param (req->query, "client_id");
  const char *redirect_uri = param (req->query, "redirect_uri");
  const char *prompt = param (req->query, "prompt");
  gboolean first_party;
  AuthRequest *ar;
  SandboxSession *session;
  SandboxUser *sso_user = NULL;

  if (!resolve_tenant (sb, segment, &tenant))
    {
      g_autofree char *text
          = g_strdup_printf ("Tenant '%s' not found. Check to make sure you have the "
                             "correct tenant ID and are signing into the correct cloud.",
                             segment);
      error_page (req, 90002, text);
      return;
    }
  if (client_id == NULL)
    {
      error_page (req, 900144,
                  "The request body must contain the following parameter: 'client_id'.");
      return;
    }
  first_party = g_str_equal (client_id, sb->sharepoint_client_id);
  if (!first_party && !g_str_equal (client_id, sb->client_id))
    {
      g_autofree char *text
          = g_strdup_printf ("Application with identifier '%s' was not found in the "
                             "directory '%s'.",
                             client_id, tenant != NULL ? tenant->name : segment);
      error_page (req, 700016, text);
      return;
    }
  if (!redirect_allowed (sb, client_id, redirect_uri))
    {
      g_autofree char *text
          = g_strdup_printf ("The redirect URI '%s' specified in the request does not "
                             "match the redirect URIs configured for the application "
                             "'%s'.",
                             redirect_uri != NULL ? redirect_uri : "", client_id);
      error_page (req, 50011, text);
      return;
    }

  ar = g_new0 (AuthRequest, 1);
  ar->ctx = foyer_random_token (24);
  ar->tenant_segment = g_strdup (segment);
  ar->tenant = tenant;
  ar->client_id = g_strdup (client_id);
  ar->redirect_uri = g_strdup (redirect_uri);
  ar->scope = g_strdup (param (req->query, "scope"));
  ar->state = g_strdup (param (req->query, "state"));
  ar->challenge = g_strdup (param (req->query, "code_challenge"));
  ar->nonce = g_strdup (param (req->query, "nonce"));
  ar->prompt = g_strdup (prompt);
  ar->login_hint = g_strdup (param (req->query, "login_hint"));
  ar->fragment = g_strcmp0 (param (req->query, "response_mode"), "fragment") == 0;
  ar->expires = sandbox_now (sb) + AUTH_REQUEST_LIFETIME;
  g_hash_table_insert (sb->auth_requests, ar->ctx, ar);

  if (g_strcmp0 (param (req->query, "response_type"), "code") != 0)
    {
      redirect_error (req, ar, "unsupported_response_type", 700054,
                      "response_type must be 'code' for this application.");
      return;
    }
  if (ar->scope == NULL)
    {
      redirect_error (req, ar, "invalid_request", 900144,
                      "The request body must contain the following parameter: 'scope'.");
      return;
    }
  if (ar->state == NULL)
    {
      redirect_error (req, ar, "invalid_request", 900144,
                      "The request must contain the following parameter: 'state'.");
      return;
    }
  if (!first_party)
    {
      const char *method = param (req->query, "code_challenge_method");

      if (ar->challenge == NULL)
        {
          redirect_error (req, ar, "invalid_request", 9002325,
                          "Proof Key for Code Exchange is required for this application.");
          return;
        }
      if (g_strcmp0 (method, "S256") != 0 || !valid_challenge (ar->challenge))
        {
          redirect_error (
              req, ar, "invalid_request", 5000,
              "Only code_challenge_method 'S256' with a 43 to 128 character challenge is "
              "supported.");
          return;
        }
    }

  session = sandbox_login_session (req);
  if (session != NULL)
    sso_user = session->user;
  else if (sb->auto_sso != NULL && g_strcmp0 (prompt, "login") != 0)
    {
      /* As if the user had signed in and consented in this browser before. */
      sso_user = sb->auto_sso;
      start_session (req, sso_user);
      if (!first_party)
        add_consent (sb, sso_user, client_id, ar->scope);
    }
  if (sso_user != NULL && tenant != NULL && sso_user->tenant != tenant)
    sso_user = NULL;
  if (sso_user != NULL && ar->login_hint != NULL
      && g_ascii_strcasecmp (ar->login_hint, sso_user->email) != 0)
    sso_user = NULL;

  if (g_strcmp0 (prompt, "none") == 0)
    {
      if (sso_user == NULL)
        redirect_error (req, ar, "login_required", 50058,
                        "A silent sign-in request was sent but no user is signed in.");
      else if (!has_consent (sb, sso_user, client_id, ar->scope))
        redirect_error (req, ar, "consent_required", 65001,
                        "The user or administrator has not consented to use the application.");
      else
        issue_code (req, ar, sso_user);
      return;
    }
  if (g_strcmp0 (prompt, "select_account") == 0)
    {
      account_picker_page (req, ar, sso_user);
      return;
    }
  if (sso_user != NULL && g_strcmp0 (prompt, "login") != 0)
    {
      ar->user = sso_user;
      continue_signed_in (req, ar, g_strcmp0 (prompt, "consent") == 0);
      return;
    }
  sign_in_page (req, ar, ar->login_hint, NULL);
}

static AuthRequest *
lookup_auth_request (SandboxRequest *req, const char *ctx)
{
  AuthRequest *ar = ctx != NULL ? g_hash_table_lookup (req->sb->auth_requests, ctx) : NULL;

  if (ar == NULL || ar->expires < sandbox_now (req->sb))
    {
      error_page (req, 90014,
                  "Your sign-in session has expired or is not valid. Go back to the "
                  "application and sign in again.");
      return NULL;
    }
  return ar;
}

static void
handle_login (SandboxRequest *req)
{
  g_autoptr (GHashTable) form = sandbox_request_form (req);
  AuthRequest *ar
      = lookup_auth_request (req, form != NULL ? g_hash_table_lookup (form, "ctx") : NULL);
  const char *login;
  const char *password;
  SandboxUser *user;

  if (ar == NULL)
    return;
  login = g_hash_table_lookup (form, "login");
  password = g_hash_table_lookup (form, "passwd");
  user = sandbox_find_user (req->sb, login);
  if (user == NULL || login == NULL || strchr (login, '@') == NULL)
    {
      sign_in_page (req, ar, login,
                    "AADSTS50034: We couldn't find an account with that username. Try another, or "
                    "get a new account.");
      return;
    }
  if (g_strcmp0 (password, user->password) != 0)
    {
      sign_in_page (
          req, ar, login,
          "AADSTS50126: Your account or password is incorrect. If you don't remember your "
          "password, reset it now.");
      return;
    }
  if (ar->tenant != NULL && user->tenant != ar->tenant)
    {
      g_autofree char *text
          = g_strdup_printf ("User account '%s' from identity provider "
                             "'https://sts.windows.net/%s/' does not exist in "
                             "tenant '%s' and cannot access the application '%s' in that tenant. "
                             "The account needs to be "
                             "added as an external user in the tenant first.",
                             user->email, user->tenant->id, ar->tenant->name, ar->client_id);
      sandbox_set_user (req, user);
      error_page (req, 50020, text);
      return;
    }

  start_session (req, user);
  ar->user = user;
  continue_signed_in (req, ar, g_strcmp0 (ar->prompt, "consent") == 0);
}

static void
handle_consent (SandboxRequest *req)
{
  g_autoptr (GHashTable) form = sandbox_request_form (req);
  AuthRequest *ar
      = lookup_auth_request (req, form != NULL ? g_hash_table_lookup (form, "ctx") : NULL);

  if (ar == NULL)
    return;
  if (ar->user == NULL)
    {
      error_page (req, 50058, "The user is not signed in.");
      return;
    }
  sandbox_set_user (req, ar->user);
  if (g_strcmp0 (g_hash_table_lookup (form, "accept"), "yes") != 0)
    {
      redirect_error (req, ar, "access_denied", 65004,
                      "User declined to consent to access the app.");
      g_hash_table_remove (req->sb->auth_requests, ar->ctx);
      return;
    }
  add_consent (req->sb, ar->user, ar->client_id, ar->scope);
  issue_code (req, ar, ar->user);
}

static void
handle_select (SandboxRequest *req)
{
  AuthRequest *ar = lookup_auth_request (req, param (req->query, "ctx"));
  const char *account = param (req->query, "account");
  SandboxSession *session;

  if (ar == NULL)
    return;
  session = sandbox_login_session (req);
  if (session != NULL && account != NULL && g_ascii_strcasecmp (account, session->user->email) == 0
      && (ar->tenant == NULL || ar->tenant == session->user->tenant))
    {
      ar->user = session->user;
      continue_signed_in (req, ar, g_strcmp0 (ar->prompt, "consent") == 0);
      return;
    }
  sign_in_page (req, ar, NULL, NULL);
}

/* ---- tokens ------------------------------------------------------------- */

static char *
sign_jwt (Sandbox *sb, JsonObject *claims)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), claims);
  g_autofree char *payload = json_to_string (node, FALSE);
  cjose_header_t *header = cjose_header_new (NULL);
  cjose_jws_t *jws;
  const char *compact = NULL;
  char *out;
  cjose_err err;

  cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err);
  cjose_header_set (header, CJOSE_HDR_KID, sb->kid, &err);
  cjose_header_set (header, "typ", "JWT", &err);
  jws = cjose_jws_sign (sb->jwk, header, (const uint8_t *) payload, strlen (payload), &err);
  if (jws == NULL || !cjose_jws_export (jws, &compact, &err))
    g_error ("Cannot sign an ID token: %s", err.message);
  out = g_strdup (compact);
  cjose_jws_release (jws);
  cjose_header_release (header);
  return out;
}

static char *
make_id_token (Sandbox *sb, SandboxUser *user, const char *client_id, const char *nonce)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *iss
      = g_strdup_printf ("%s/%s/v2.0", sb->base_url[SANDBOX_HOST_LOGIN], user->tenant->id);
  g_autofree char *sub_label = g_strdup_printf ("sub %s %s", user->oid, client_id);
  g_autofree char *sub = sandbox_hash_hex (sb, sub_label, 20);

  json_object_set_string_member (claims, "aud", client_id);
  json_object_set_string_member (claims, "iss", iss);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "nbf", now);
  json_object_set_int_member (claims, "exp", now + 3600);
  json_object_set_string_member (claims, "name", user->name);
  if (nonce != NULL)
    json_object_set_string_member (claims, "nonce", nonce);
  json_object_set_string_member (claims, "oid", user->oid);
  json_object_set_string_member (claims, "preferred_username", user->email);
  json_object_set_string_member (claims, "email", user->email);
  json_object_set_string_member (claims, "sub", sub);
  json_object_set_string_member (claims, "tid", user->tenant->id);
  json_object_set_string_member (claims, "ver", "2.0");
  return sign_jwt (sb, claims);
}

static gboolean
scope_has (const char *scope, const char *name)
{
  g_auto (GStrv) parts = g_strsplit (scope != NULL ? scope : "", " ", -1);

  return g_strv_contains ((const char *const *) parts, name);
}

static char *
new_token (
    Sandbox *sb, SandboxUser *user, const char *client_id, const char *scope, gboolean refresh)
{
  SandboxToken *t = g_new0 (SandboxToken, 1);
  char *value = foyer_random_token (refresh ? 48 : 32);

  t->user = user;
  t->client_id = g_strdup (client_id);
  t->scope = g_strdup (scope);
  t->refresh = refresh;
  t->serial = ++sb->serial;
  t->expires = sandbox_now (sb) + (refresh ? REFRESH_LIFETIME : (gint64) sb->token_lifetime);
  g_hash_table_insert (sb->tokens, value, t);
  return g_strdup (value);
}

void
sandbox_mint_tokens (Sandbox *sb,
                     SandboxUser *user,
                     const char *client_id,
                     const char *scope,
                     const char *nonce,
                     JsonBuilder *b)
{
  g_autofree char *access = NULL;

  if (scope == NULL)
    scope = DEFAULT_SCOPE;
  access = new_token (sb, user, client_id, scope, FALSE);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "token_type");
  json_builder_add_string_value (b, "Bearer");
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, scope);
  json_builder_set_member_name (b, "expires_in");
  json_builder_add_int_value (b, sb->token_lifetime);
  json_builder_set_member_name (b, "ext_expires_in");
  json_builder_add_int_value (b, sb->token_lifetime);
  json_builder_set_member_name (b, "access_token");
  json_builder_add_string_value (b, access);
  if (scope_has (scope, "offline_access"))
    {
      g_autofree char *refresh = new_token (sb, user, client_id, scope, TRUE);

      json_builder_set_member_name (b, "refresh_token");
      json_builder_add_string_value (b, refresh);
    }
  if (scope_has (scope, "openid"))
    {
      g_autofree char *id_token = make_id_token (sb, user, client_id, nonce);

      json_builder_set_member_name (b, "id_token");
      json_builder_add_string_value (b, id_token);
    }
  json_builder_end_object (b);
}

SandboxToken *
sandbox_token_lookup (Sandbox *sb, const char *value, const char **problem)
{
  SandboxToken *t = value != NULL ? g_hash_table_lookup (sb->tokens, value) : NULL;

  *problem = NULL;
  if (t == NULL || t->refresh)
    *problem = "invalid";
  else if (t->serial <= t->user->revoked_serial)
    *problem = "revoked";
  else if (t->serial <= t->user->expired_serial || t->expires < sandbox_now (sb))
    *problem = "expired";
  return *problem == NULL ? t : NULL;
}

void
sandbox_revoke_user (Sandbox *sb, SandboxUser *user)
{
  user->revoked_serial = ++sb->serial;
}

static gboolean
verifier_matches (const char *verifier, const char *challenge)
{
  guint8 digest[SHA256_DIGEST_LENGTH];
  g_autofree char *encoded = NULL;

  SHA256 ((const unsigned char *) verifier, strlen (verifier), digest);
  encoded = foyer_base64url_encode (digest, sizeof digest);
  return g_strcmp0 (encoded, challenge) == 0;
}

static void
grant_code (SandboxRequest *req, GHashTable *form, SandboxTenant *tenant, const char *client_id)
{
  Sandbox *sb = req->sb;
  const char *value = g_hash_table_lookup (form, "code");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  SandboxCode *code;
  g_autoptr (JsonBuilder) b = NULL;

  if (value == NULL || *value == '\0')
    {
      token_error (req, 400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'code'.");
      return;
    }
  code = g_hash_table_lookup (sb->codes, value);
  if (code == NULL)
    {
      token_error (req, 400, "invalid_grant", 9002313,
                   "Invalid request. Request is malformed or invalid: the code is not valid.");
      return;
    }
  sandbox_set_user (req, code->user);
  if (code->redeemed)
    {
      token_error (req, 400, "invalid_grant", 54005,
                   "OAuth2 Authorization code was already redeemed, please retry with a new valid "
                   "code or use an existing refresh token.");
      return;
    }
  if (code->expires < sandbox_now (sb))
    {
      token_error (
          req, 400, "invalid_grant", 70008,
          "The provided authorization code or refresh token has expired due to inactivity. "
          "Send a new interactive authorization request for this user and resource.");
      return;
    }
  if (g_strcmp0 (code->client_id, client_id) != 0)
    {
      token_error (req, 400, "invalid_grant", 70000,
                   "The provided authorization code was issued to another client.");
      return;
    }
  if (tenant != NULL && tenant != code->user->tenant)
    {
      token_error (req, 400, "invalid_grant", 50020,
                   "The user account does not exist in the tenant of this token request.");
      return;
    }
  if (g_strcmp0 (redirect_uri, code->redirect_uri) != 0)
    {
      token_error (req, 400, "invalid_grant", 50011,
                   "The redirect URI specified in the request does not match the redirect URI used "
                   "to obtain the authorization code.");
      return;
    }
  if (code->challenge != NULL && (verifier == NULL || *verifier == '\0'))
    {
      token_error (req, 400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'code_verifier'.");
      return;
    }
  if (code->challenge != NULL && !verifier_matches (verifier, code->challenge))
    {
      token_error (req, 400, "invalid_grant", 501481,
                   "The Code_Verifier does not match the code_challenge supplied in the "
                   "authorization request.");
      return;
    }

  code->redeemed = TRUE;
  b = json_builder_new ();
  sandbox_mint_tokens (sb, code->user, client_id, code->scope, code->nonce, b);
  sandbox_respond_builder (req, 200, b);
}

static gboolean
scope_subset (const char *wanted, const char *granted)
{
  g_auto (GStrv) w = g_strsplit (wanted, " ", -1);

  for (guint i = 0; w[i] != NULL; i++)
    if (*w[i] != '\0' && !scope_has (granted, w[i]))
      return FALSE;
  return TRUE;
}

static void
grant_refresh (SandboxRequest *req, GHashTable *form, SandboxTenant *tenant, const char *client_id)
{
  Sandbox *sb = req->sb;
  const char *value = g_hash_table_lookup (form, "refresh_token");
  const char *scope = g_hash_table_lookup (form, "scope");
  SandboxToken *t;
  g_autoptr (JsonBuilder) b = NULL;

  if (value == NULL || *value == '\0')
    {
      token_error (req, 400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'refresh_token'.");
      return;
    }
  t = g_hash_table_lookup (sb->tokens, value);
  if (t == NULL || !t->refresh)
    {
      token_error (
          req, 400, "invalid_grant", 9002313,
          "Invalid request. Request is malformed or invalid: the refresh token is not valid.");
      return;
    }
  sandbox_set_user (req, t->user);
  if (t->serial <= t->user->revoked_serial)
    {
      token_error (req, 400, "invalid_grant", 50173,
                   "The provided grant has expired due to it being revoked, a fresh auth token is "
                   "needed. The user might have changed or reset their password.");
      return;
    }
  if (t->used)
    {
      token_error (req, 400, "invalid_grant", 70000,
                   "The provided value for the 'refresh_token' is not valid: it was already used "
                   "and has been replaced by a newer refresh token.");
      return;
    }
  if (t->expires < sandbox_now (sb))
    {
      token_error (req, 400, "invalid_grant", 700082,
                   "The refresh token has expired due to inactivity.");
      return;
    }
  if (g_strcmp0 (t->client_id, client_id) != 0)
    {
      token_error (req, 400, "invalid_grant", 70000,
                   "The refresh token was issued to another client.");
      return;
    }
  if (tenant != NULL && tenant != t->user->tenant)
    {
      token_error (req, 400, "invalid_grant", 50020,
                   "The user account does not exist in the tenant of this token request.");
      return;
    }
  if (scope != NULL && *scope != '\0' && !scope_subset (scope, t->scope))
    {
      token_error (req, 400, "invalid_grant", 65001,
                   "The user or administrator has not consented to use the application with the "
                   "requested scopes.");
      return;
    }

  t->used = TRUE;
  b = json_builder_new ();
  sandbox_mint_tokens (sb, t->user, client_id, scope != NULL && *scope != '\0' ? scope : t->scope,
                       NULL, b);
  sandbox_respond_builder (req, 200, b);
}

static void
handle_token (SandboxRequest *req, const char *segment)
{
  g_autoptr (GHashTable) form = NULL;
  SandboxTenant *tenant;
  const char *client_id;
  const char *grant_type;

  if (!g_str_equal (req->method, "POST"))
    {
      token_error (req, 405, "invalid_request", 900561,
                   "The endpoint only accepts POST requests. Received a GET request.");
      return;
    }
  if (!resolve_tenant (req->sb, segment, &tenant))
    {
      token_error (req, 400, "invalid_request", 90002, "Tenant not found.");
      return;
    }
  form = sandbox_request_form (req);
  if (form == NULL)
    form = g_hash_table_new (g_str_hash, g_str_equal);
  client_id = g_hash_table_lookup (form, "client_id");
  grant_type = g_hash_table_lookup (form, "grant_type");
  if (client_id == NULL || *client_id == '\0')
    {
      token_error (req, 400, "invalid_request", 900144,
                   "The request body must contain the following parameter: 'client_id'.");
      return;
    }
  if (!g_str_equal (client_id, req->sb->client_id))
    {
      token_error (req, 400, "unauthorized_client", 700016,
                   "Application was not found in the directory.");
      return;
    }
  if (g_hash_table_contains (form, "client_secret")
      || g_hash_table_contains (form, "client_assertion"))
    {
      token_error (req, 401, "invalid_client", 700025,
                   "Client is public so neither 'client_assertion' nor 'client_secret' should be "
                   "presented.");
      return;
    }
  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    grant_code (req, form, tenant, client_id);
  else if (g_strcmp0 (grant_type, "refresh_token") == 0)
    grant_refresh (req, form, tenant, client_id);
  else
    token_error (req, 400, "unsupported_grant_type", 70003,
                 "The app requested an unsupported grant type.");
}

/* ---- discovery ---------------------------------------------------------- */

static void
add_str (JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static void
add_strv (JsonBuilder *b, const char *name, const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static void
handle_openid_configuration (SandboxRequest *req, const char *segment, SandboxTenant *tenant)
{
  const char *base = req->sb->base_url[SANDBOX_HOST_LOGIN];
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *issuer
      = g_strdup_printf ("%s/%s/v2.0", base, tenant != NULL ? tenant->id : "{tenantid}");
  g_autofree char *authorize = g_strdup_printf ("%s/%s/oauth2/v2.0/authorize", base, segment);
  g_autofree char *token = g_strdup_printf ("%s/%s/oauth2/v2.0/token", base, segment);
  g_autofree char *keys = g_strdup_printf ("%s/%s/discovery/v2.0/keys", base, segment);
  g_autofree char *logout = g_strdup_printf ("%s/%s/oauth2/v2.0/logout", base, segment);
  static const char *const response_types[]
      = { "code", "id_token", "code id_token", "id_token token", NULL };
  static const char *const modes[] = { "query", "fragment", "form_post", NULL };
  static const char *const subjects[] = { "pairwise", NULL };
  static const char *const algs[] = { "RS256", NULL };
  static const char *const scopes[] = { "openid", "profile", "email", "offline_access", NULL };
  static const char *const auth_methods[]
      = { "client_secret_post", "private_key_jwt", "client_secret_basic", NULL };
  static const char *const claims[]
      = { "sub", "iss", "aud", "exp",   "iat", "nonce", "name", "preferred_username",
          "oid", "tid", "ver", "email", NULL };

  json_builder_begin_object (b);
  add_str (b, "token_endpoint", token);
  add_strv (b, "token_endpoint_auth_methods_supported", auth_methods);
  add_str (b, "jwks_uri", keys);
  add_strv (b, "response_modes_supported", modes);
  add_strv (b, "subject_types_supported", subjects);
  add_strv (b, "id_token_signing_alg_values_supported", algs);
  add_strv (b, "response_types_supported", response_types);
  add_strv (b, "scopes_supported", scopes);
  add_str (b, "issuer", issuer);
  json_builder_set_member_name (b, "request_uri_parameter_supported");
  json_builder_add_boolean_value (b, FALSE);
  add_str (b, "authorization_endpoint", authorize);
  add_str (b, "end_session_endpoint", logout);
  add_strv (b, "claims_supported", claims);
  add_str (b, "cloud_instance_name", "sandbox");
  add_str (b, "msgraph_host", req->sb->host_port[SANDBOX_HOST_GRAPH]);
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
}

static void
handle_keys (SandboxRequest *req)
{
  cjose_err err;
  g_autofree char *json = cjose_jwk_to_json (req->sb->jwk, false, &err);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *key;
  g_autoptr (JsonObject) keys = json_object_new ();
  JsonArray *array = json_array_new ();
  g_autoptr (JsonNode) root = NULL;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    g_error ("Cannot export the signing key");
  key = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (key, "use", "sig");
  json_object_set_string_member (key, "alg", "RS256");
  json_object_set_string_member (key, "kid", req->sb->kid);
  json_array_add_object_element (array, json_object_ref (key));
  json_object_set_array_member (keys, "keys", array);
  root = json_node_init_object (json_node_alloc (), keys);
  sandbox_respond_json (req, 200, root);
}

static void
handle_logout (SandboxRequest *req)
{
  g_autofree char *value = sandbox_request_cookie (req, "ESTSAUTH");
  const char *after = param (req->query, "post_logout_redirect_uri");

  if (value != NULL)
    g_hash_table_remove (req->sb->sessions, value);
  soup_message_headers_append (soup_server_message_get_response_headers (req->msg), "Set-Cookie",
                               "ESTSAUTH=; Path=/; Max-Age=0; HttpOnly");
  if (after != NULL)
    sandbox_respond_redirect (req, after);
  else
    sandbox_respond_html (req, 200, "Signed out", "<h1>You signed out of your account</h1>");
}

gboolean
sandbox_identity_handle (SandboxRequest *req)
{
  g_auto (GStrv) parts = g_strsplit (req->path + 1, "/", -1);
  guint n = g_strv_length (parts);
  SandboxTenant *tenant = NULL;

  if (n < 2)
    return FALSE;

  if (n == 3 && g_str_equal (parts[1], "oauth2") && g_str_equal (parts[2], "nativeclient"))
    {
      sandbox_respond_html (req, 200, "Native client",
                            "<p>This page is the native client redirect "
                            "target; applications intercept it.</p>");
      return TRUE;
    }
  if (n == 4 && g_str_equal (parts[1], "oauth2") && g_str_equal (parts[2], "v2.0"))
    {
      if (g_str_equal (parts[3], "authorize"))
        handle_authorize (req, parts[0]);
      else if (g_str_equal (parts[3], "token"))
        handle_token (req, parts[0]);
      else if (g_str_equal (parts[3], "logout"))
        handle_logout (req);
      else
        return FALSE;
      return TRUE;
    }
  if (n == 2 && g_str_equal (parts[1], "login") && g_str_equal (req->method, "POST"))
    {
      handle_login (req);
      return TRUE;
    }
  if (n == 2 && g_str_equal (parts[1], "consent") && g_str_equal (req->method, "POST"))
    {
      handle_consent (req);
      return TRUE;
    }
  if (n == 2 && g_str_equal (parts[1], "select"))
    {
      handle_select (req);
      return TRUE;
    }
  if (!resolve_tenant (req->sb, parts[0], &tenant))
    return FALSE;
  if (n == 4 && g_str_equal (parts[1], "v2.0") && g_str_equal (parts[2], ".well-known")
      && g_str_equal (parts[3], "openid-configuration"))
    {
      handle_openid_configuration (req, parts[0], tenant);
      return TRUE;
    }
  if (n == 4 && g_str_equal (parts[1], "discovery") && g_str_equal (parts[2], "v2.0")
      && g_str_equal (parts[3], "keys"))
    {
      handle_keys (req);
      return TRUE;
    }
  return FALSE;
}
