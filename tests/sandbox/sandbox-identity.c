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
  gboolean client_info;
  gboolean admin_consent; /* /adminconsent: an administrator consents for everyone */
  SandboxUser *user;      /* once signed in */
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
  sb->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) token_free);
  sb->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) code_free);
  sb->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sb->sp_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sb->auth_requests
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) auth_request_free);
  sb->consents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sandbox_keys_init (sb);
}

/* ---- errors ------------------------------------------------------------- */

/* Microsoft's timestamps in errors: "2026-12-01 09:30:00Z". */
static char *
error_timestamp (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%d %H:%M:%SZ");
}

/* An error_description as Microsoft writes it: the AADSTS code and text,
 * then trace id, correlation id and time, each on a line of its own. */
static char *
error_description (int code, const char *text, const char *trace, const char *correlation)
{
  g_autofree char *timestamp = error_timestamp ();

  return g_strdup_printf ("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
                          code, text, trace, correlation, timestamp);
}

static void
token_error (
    SandboxRequest *req, guint status, const char *error, int code, const char *description)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *trace = sandbox_request_id ();
  g_autofree char *correlation = sandbox_correlation_id (req);
  g_autofree char *now = error_timestamp ();
  g_autofree char *text = error_description (code, description, trace, correlation);
  g_autofree char *uri
      = g_strdup_printf ("%s/error?code=%d", req->sb->base_url[SANDBOX_HOST_LOGIN], code);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

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
  else if (code == 50173 || code == 700082)
    {
      /* A revoked or worn-out refresh token: MSAL reads this as "interaction
       * required", as it does Microsoft's. */
      json_builder_set_member_name (b, "suberror");
      json_builder_add_string_value (b, "bad_token");
    }
  json_builder_end_object (b);
  /* As Microsoft's token endpoint does: the ids in headers too. */
  soup_message_headers_replace (headers, "x-ms-request-id", trace);
  soup_message_headers_replace (headers, "client-request-id", correlation);
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
  g_autofree char *trace = sandbox_request_id ();
  g_autofree char *correlation = sandbox_request_id ();
  g_autofree char *text = error_description (code, description, trace, correlation);
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
  /* An administrator consented for the whole organization. */
  if (g_hash_table_contains (user->tenant->admin_consents, client_id))
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
  code->client_info = ar->client_info;
  g_hash_table_insert (req->sb->codes, value, code);

  if (ar->client_info)
    {
      g_autofree char *info = sandbox_client_info (user);

      url = append_params (ar->redirect_uri, ar->fragment, "code", value, "client_info", info,
                           "state", ar->state, "session_state", ar->ctx, NULL);
    }
  else
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

/* What Entra ID shows when the tenant lets no user consent to apps: no
 * way back to the app, only a request to ask an administrator. The
 * troubleshooting details carry the AADSTS code, as Microsoft's do. */
static void
admin_approval_page (SandboxRequest *req, AuthRequest *ar)
{
  g_autofree char *trace = sandbox_request_id ();
  g_autofree char *correlation = sandbox_request_id ();
  g_autofree char *timestamp = error_timestamp ();
  g_autofree char *esc_user = g_markup_escape_text (ar->user->email, -1);
  g_autofree char *body = g_strdup_printf (
      "<h1 id=\"adminConsentTitle\">Need admin approval</h1><p class=\"muted\">%s</p>"
      "<p id=\"adminConsentMessage\">Foyer (sandbox) needs permission to access resources in "
      "your organization that only an admin can grant. Please ask an admin to grant permission "
      "to this app before you can use it.</p>"
      "<p><a id=\"adminAccount\" href=\"#\">Have an admin account? Sign in with that "
      "account</a></p>"
      "<details id=\"debugDetails\"><summary>Troubleshooting details</summary>"
      "<p>Error code: <span id=\"errorCode\" data-code=\"AADSTS90094\">AADSTS90094</span></p>"
      "<p>Request Id: %s<br>Correlation Id: %s<br>Timestamp: %s</p></details>",
      esc_user, trace, correlation, timestamp);

  sandbox_respond_html (req, SOUP_STATUS_OK, "Need admin approval", body);
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

/* /adminconsent once the user is known: an administrator of the app's
 * tenant sees the permissions to grant for everyone; anyone else is told
 * that only an administrator can. */
static void
admin_consent_page (SandboxRequest *req, AuthRequest *ar)
{
  g_auto (GStrv) scopes = g_strsplit (DEFAULT_SCOPE, " ", -1);
  GString *list = g_string_new ("<ul id=\"scopes\">");
  g_autofree char *esc_user = g_markup_escape_text (ar->user->email, -1);
  g_autofree char *esc_tenant = g_markup_escape_text (ar->tenant_segment, -1);
  g_autofree char *items = NULL;
  g_autofree char *body = NULL;

  if (!ar->user->is_admin || (ar->tenant != NULL && ar->tenant != ar->user->tenant))
    {
      error_page (req, 90094,
                  "Admin consent is required for the permissions requested by this "
                  "application, and only an administrator of the organization can give it.");
      return;
    }
  for (guint i = 0; scopes[i] != NULL; i++)
    {
      g_autofree char *esc = g_markup_escape_text (scopes[i], -1);
      g_autofree char *desc = g_markup_escape_text (scope_description (scopes[i]), -1);

      g_string_append_printf (list, "<li data-scope=\"%s\">%s</li>", esc, desc);
    }
  g_string_append (list, "</ul>");
  items = g_string_free (list, FALSE);
  body = g_strdup_printf (
      "<h1>Permissions requested</h1><p class=\"muted\">%s</p>"
      "<p>Accept for your organization: Foyer (sandbox) would like to:</p>%s"
      "<p>If you accept, this app will get access to the specified resources for all users in "
      "your organization. No one else will be prompted to review these permissions.</p>"
      "<form id=\"consent\" method=\"post\" action=\"/%s/adminconsent-grant\">"
      "<input type=\"hidden\" name=\"ctx\" value=\"%s\">"
      "<button type=\"submit\" name=\"accept\" value=\"no\" id=\"idBtn_Back\">Cancel</button> "
      "<button type=\"submit\" name=\"accept\" value=\"yes\" id=\"idSIButton9\">Accept</button>"
      "</form>",
      esc_user, items, esc_tenant, ar->ctx);
  sandbox_respond_html (req, SOUP_STATUS_OK, "Permissions requested", body);
}

/* After the user is known: consent if needed, then back to the app. */
static void
continue_signed_in (SandboxRequest *req, AuthRequest *ar, gboolean force_consent)
{
  sandbox_set_user (req, ar->user);
  if (ar->admin_consent)
    admin_consent_page (req, ar);
  else if (!has_consent (req->sb, ar->user, ar->client_id, ar->scope)
           && ar->user->tenant->admin_consent_required && !ar->user->is_admin)
    admin_approval_page (req, ar);
  else if (force_consent || !has_consent (req->sb, ar->user, ar->client_id, ar->scope))
    consent_page (req, ar);
  else
    issue_code (req, ar, ar->user);
}

/* ---- authorize ---------------------------------------------------------- */

static const char *
uri_path (GUri *uri)
{
  const char *path = g_uri_get_path (uri);

  return path != NULL && *path != '\0' ? path : "/";
}

/* One reply URL against one registered: scheme, host (case-insensitive),
 * port and path exactly, except that the port of an http loopback address
 * is ignored, as Entra ID documents. Never a fragment. */
static gboolean
redirect_matches (const char *registered, const char *requested)
{
  g_autoptr (GUri) a = g_uri_parse (registered, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GUri) b = g_uri_parse (requested, G_URI_FLAGS_NONE, NULL);
  gboolean loopback;

  if (a == NULL || b == NULL || g_uri_get_fragment (b) != NULL || g_uri_get_host (b) == NULL
      || g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) != 0
      || g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) != 0
      || g_strcmp0 (uri_path (a), uri_path (b)) != 0
      || g_strcmp0 (g_uri_get_query (a), g_uri_get_query (b)) != 0)
    return FALSE;
  loopback = g_ascii_strcasecmp (g_uri_get_scheme (a), "http") == 0
             && (g_str_equal (g_uri_get_host (a), "127.0.0.1")
                 || g_ascii_strcasecmp (g_uri_get_host (a), "localhost") == 0);
  return loopback || g_uri_get_port (a) == g_uri_get_port (b);
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
  for (guint i = 0; i < sb->redirect_uris->len; i++)
    if (redirect_matches (sb->redirect_uris->pdata[i], redirect_uri))
      return TRUE;
  return FALSE;
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
  ar->client_info = g_strcmp0 (param (req->query, "client_info"), "1") == 0;
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
      && g_ascii_strcasecmp (ar->login_hint, sso_user->upn) != 0
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

/* GET /{tenant}/adminconsent?client_id=…[&redirect_uri=…][&state=…] (and
 * the v2.0 form with scope): sign-in if needed, then the administrator's
 * consent for the whole organization. */
static void
handle_admin_consent (SandboxRequest *req, const char *segment)
{
  Sandbox *sb = req->sb;
  SandboxTenant *tenant;
  const char *client_id = param (req->query, "client_id");
  const char *redirect_uri = param (req->query, "redirect_uri");
  AuthRequest *ar;
  SandboxSession *session;

  if (!resolve_tenant (sb, segment, &tenant))
    {
      error_page (req, 90002, "Tenant not found.");
      return;
    }
  if (g_strcmp0 (client_id, sb->client_id) != 0)
    {
      error_page (req, 700016, "Application was not found in the directory.");
      return;
    }
  if (redirect_uri != NULL && !redirect_allowed (sb, client_id, redirect_uri))
    {
      error_page (req, 50011,
                  "The redirect URI specified in the request does not match the redirect URIs "
                  "configured for the application.");
      return;
    }
  ar = g_new0 (AuthRequest, 1);
  ar->ctx = foyer_random_token (24);
  ar->tenant_segment = g_strdup (segment);
  ar->tenant = tenant;
  ar->client_id = g_strdup (client_id);
  ar->redirect_uri = g_strdup (redirect_uri);
  ar->scope = g_strdup (DEFAULT_SCOPE);
  ar->state = g_strdup (param (req->query, "state"));
  ar->admin_consent = TRUE;
  ar->expires = sandbox_now (sb) + AUTH_REQUEST_LIFETIME;
  g_hash_table_insert (sb->auth_requests, ar->ctx, ar);

  session = sandbox_login_session (req);
  if (session != NULL && g_strcmp0 (param (req->query, "prompt"), "login") != 0)
    {
      ar->user = session->user;
      continue_signed_in (req, ar, FALSE);
    }
  else
    sign_in_page (req, ar, NULL, NULL);
}

static AuthRequest *lookup_auth_request (SandboxRequest *req, const char *ctx);

static void
handle_admin_consent_grant (SandboxRequest *req)
{
  g_autoptr (GHashTable) form = sandbox_request_form (req);
  AuthRequest *ar
      = lookup_auth_request (req, form != NULL ? g_hash_table_lookup (form, "ctx") : NULL);
  gboolean accepted;
  g_autofree char *url = NULL;

  if (ar == NULL)
    return;
  if (!ar->admin_consent || ar->user == NULL || !ar->user->is_admin)
    {
      error_page (req, 90094, "Only an administrator of the organization can grant this.");
      return;
    }
  sandbox_set_user (req, ar->user);
  accepted = g_strcmp0 (g_hash_table_lookup (form, "accept"), "yes") == 0;
  if (accepted)
    g_hash_table_add (ar->user->tenant->admin_consents, g_strdup (ar->client_id));
  if (ar->redirect_uri == NULL)
    {
      if (accepted)
        sandbox_respond_html (req, 200, "Permissions granted",
                              "<h1 id=\"granted\">Permissions granted</h1><p>Everyone in your "
                              "organization can now use Foyer (sandbox). You can close this "
                              "window.</p>");
      else
        sandbox_respond_html (req, 200, "Permissions not granted",
                              "<h1 id=\"declined\">Permissions not granted</h1>");
    }
  else if (accepted)
    {
      url = append_params (ar->redirect_uri, FALSE, "admin_consent", "True", "tenant",
                           ar->user->tenant->id, "state", ar->state, NULL);
      sandbox_respond_redirect (req, url);
    }
  else
    redirect_error (req, ar, "access_denied", 65004,
                    "The administrator declined to consent to access the app.");
  g_hash_table_remove (req->sb->auth_requests, ar->ctx);
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

static gboolean scope_has (const char *scope, const char *name);

static char *
make_id_token (
    Sandbox *sb, SandboxUser *user, const char *client_id, const char *scope, const char *nonce)
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
  json_object_set_string_member (claims, "preferred_username", user->upn);
  /* Microsoft's v2 rule: the email claim only when the email scope was asked. */
  if (scope_has (scope, "email"))
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

char *
sandbox_client_info (SandboxUser *user)
{
  g_autofree char *json
      = g_strdup_printf ("{\"uid\":\"%s\",\"utid\":\"%s\"}", user->oid, user->tenant->id);

  return foyer_base64url_encode ((const guint8 *) json, strlen (json));
}

void
sandbox_mint_tokens (Sandbox *sb,
                     SandboxUser *user,
                     const char *client_id,
                     const char *scope,
                     const char *nonce,
                     gboolean client_info,
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
      g_autofree char *id_token = make_id_token (sb, user, client_id, scope, nonce);

      json_builder_set_member_name (b, "id_token");
      json_builder_add_string_value (b, id_token);
    }
  if (client_info)
    {
      g_autofree char *info = sandbox_client_info (user);

      json_builder_set_member_name (b, "client_info");
      json_builder_add_string_value (b, info);
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
  sandbox_mint_tokens (sb, code->user, client_id, code->scope, code->nonce,
                       g_strcmp0 (g_hash_table_lookup (form, "client_info"), "1") == 0, b);
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
  /* Microsoft does not revoke a refresh token when it is redeemed: the
   * new one is better (a fresh lifetime), the old one still works. */
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

  b = json_builder_new ();
  sandbox_mint_tokens (sb, t->user, client_id, scope != NULL && *scope != '\0' ? scope : t->scope,
                       NULL, g_strcmp0 (g_hash_table_lookup (form, "client_info"), "1") == 0, b);
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

/* The tenant's OpenID configuration, member for member as Microsoft's v2.0
 * one (endpoints on the sandbox's hosts; "{tenantid}" for common and
 * organizations, as Microsoft writes it). */
static void
handle_openid_configuration (SandboxRequest *req, const char *segment, SandboxTenant *tenant)
{
  Sandbox *sb = req->sb;
  const char *base = sb->base_url[SANDBOX_HOST_LOGIN];
  const char *path_tenant = tenant != NULL ? tenant->id : segment;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *issuer
      = g_strdup_printf ("%s/%s/v2.0", base, tenant != NULL ? tenant->id : "{tenantid}");
  g_autofree char *authorize = g_strdup_printf ("%s/%s/oauth2/v2.0/authorize", base, path_tenant);
  g_autofree char *token = g_strdup_printf ("%s/%s/oauth2/v2.0/token", base, path_tenant);
  g_autofree char *device = g_strdup_printf ("%s/%s/oauth2/v2.0/devicecode", base, path_tenant);
  g_autofree char *keys = g_strdup_printf ("%s/%s/discovery/v2.0/keys", base, path_tenant);
  g_autofree char *logout = g_strdup_printf ("%s/%s/oauth2/v2.0/logout", base, path_tenant);
  g_autofree char *kerberos = g_strdup_printf ("%s/%s/kerberos", base, path_tenant);
  g_autofree char *userinfo
      = g_strdup_printf ("%s/oidc/userinfo", sb->base_url[SANDBOX_HOST_GRAPH]);
  static const char *const response_types[]
      = { "code", "id_token", "code id_token", "id_token token", NULL };
  static const char *const modes[] = { "query", "fragment", "form_post", NULL };
  static const char *const subjects[] = { "pairwise", NULL };
  static const char *const algs[] = { "RS256", NULL };
  static const char *const scopes[] = { "openid", "profile", "email", "offline_access", NULL };
  static const char *const auth_methods[]
      = { "client_secret_post", "private_key_jwt", "client_secret_basic", NULL };
  static const char *const claims[] = { "sub",
                                        "iss",
                                        "cloud_instance_name",
                                        "cloud_instance_host_name",
                                        "cloud_graph_host_name",
                                        "msgraph_host",
                                        "aud",
                                        "exp",
                                        "iat",
                                        "auth_time",
                                        "acr",
                                        "nonce",
                                        "preferred_username",
                                        "name",
                                        "tid",
                                        "ver",
                                        "at_hash",
                                        "c_hash",
                                        "email",
                                        NULL };

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
  add_str (b, "userinfo_endpoint", userinfo);
  add_str (b, "authorization_endpoint", authorize);
  add_str (b, "device_authorization_endpoint", device);
  json_builder_set_member_name (b, "http_logout_supported");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "frontchannel_logout_supported");
  json_builder_add_boolean_value (b, TRUE);
  add_str (b, "end_session_endpoint", logout);
  add_strv (b, "claims_supported", claims);
  add_str (b, "kerberos_endpoint", kerberos);
  add_str (b, "tenant_region_scope", "EU");
  add_str (b, "cloud_instance_name", sb->host_port[SANDBOX_HOST_LOGIN]);
  add_str (b, "cloud_graph_host_name", sb->host_port[SANDBOX_HOST_GRAPH]);
  add_str (b, "msgraph_host", sb->host_port[SANDBOX_HOST_GRAPH]);
  add_str (b, "rbac_url", sb->base_url[SANDBOX_HOST_GRAPH]);
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
}

/* Microsoft's signing keys: kid, x5t (the certificate's SHA-1 thumbprint),
 * n, e, x5c (the certificate) and issuer. */
static void
handle_keys (SandboxRequest *req, SandboxTenant *tenant)
{
  cjose_err err;
  g_autofree char *json = cjose_jwk_to_json (req->sb->jwk, false, &err);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *key;
  g_autoptr (JsonObject) keys = json_object_new ();
  JsonArray *array = json_array_new ();
  JsonArray *x5c = json_array_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *issuer = g_strdup_printf ("%s/%s/v2.0", req->sb->base_url[SANDBOX_HOST_LOGIN],
                                             tenant != NULL ? tenant->id : "{tenantid}");

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    g_error ("Cannot export the signing key");
  key = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (key, "use", "sig");
  json_object_set_string_member (key, "kid", req->sb->kid);
  json_object_set_string_member (key, "x5t", req->sb->kid);
  json_array_add_string_element (x5c, req->sb->x5c);
  json_object_set_array_member (key, "x5c", x5c);
  json_object_set_string_member (key, "issuer", issuer);
  json_array_add_object_element (array, json_object_ref (key));
  json_object_set_array_member (keys, "keys", array);
  root = json_node_init_object (json_node_alloc (), keys);
  sandbox_respond_json (req, 200, root);
}

/* Foyer's registration does not allow public client flows (it needs none),
 * so the device code endpoint answers as Entra ID does then. */
static void
handle_devicecode (SandboxRequest *req)
{
  if (!g_str_equal (req->method, "POST"))
    token_error (req, 405, "invalid_request", 900561,
                 "The endpoint only accepts POST requests. Received a GET request.");
  else
    token_error (req, 401, "invalid_client", 7000218,
                 "The request body must contain the following parameter: 'client_assertion' or "
                 "'client_secret'.");
}

/* Instance discovery, as login.microsoftonline.com/common/discovery/instance
 * answers it for a host it knows. */
static void
handle_instance_discovery (SandboxRequest *req)
{
  Sandbox *sb = req->sb;
  const char *host = sb->host_port[SANDBOX_HOST_LOGIN];
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *discovery = g_strdup_printf ("%s/common/v2.0/.well-known/openid-configuration",
                                                sb->base_url[SANDBOX_HOST_LOGIN]);
  const char *const aliases[] = { host, NULL };

  json_builder_begin_object (b);
  add_str (b, "tenant_discovery_endpoint", discovery);
  add_str (b, "api-version", "1.1");
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  add_str (b, "preferred_network", host);
  add_str (b, "preferred_cache", host);
  add_strv (b, "aliases", aliases);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
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
      else if (g_str_equal (parts[3], "devicecode"))
        handle_devicecode (req);
      else
        return FALSE;
      return TRUE;
    }
  if (n == 3 && g_str_equal (parts[0], "common") && g_str_equal (parts[1], "discovery")
      && g_str_equal (parts[2], "instance"))
    {
      handle_instance_discovery (req);
      return TRUE;
    }
  if ((n == 2 && g_str_equal (parts[1], "adminconsent"))
      || (n == 3 && g_str_equal (parts[1], "v2.0") && g_str_equal (parts[2], "adminconsent")))
    {
      handle_admin_consent (req, parts[0]);
      return TRUE;
    }
  if (n == 2 && g_str_equal (parts[1], "adminconsent-grant") && g_str_equal (req->method, "POST"))
    {
      handle_admin_consent_grant (req);
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
      handle_keys (req, tenant);
      return TRUE;
    }
  return FALSE;
}
