/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control API under /_sandbox on the Graph host, for tests and
 * benchmarks: fault injection by path pattern, token expiry and revocation,
 * automatic SSO, minting tokens without a browser, a virtual clock, tenant
 * policy, and the request log. Documented in docs/sandbox.md.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include <string.h>

void
sandbox_fault_free (SandboxFault *fault)
{
  g_free (fault->pattern);
  g_free (fault->method);
  g_free (fault->body);
  g_free (fault);
}

SandboxFault *
sandbox_fault_match (Sandbox *sb, SandboxHost host, const char *method, const char *path)
{
  for (guint i = 0; i < sb->faults->len; i++)
    {
      SandboxFault *f = sb->faults->pdata[i];

      if (f->host >= 0 && f->host != (int) host)
        continue;
      if (f->method != NULL && g_ascii_strcasecmp (f->method, method) != 0)
        continue;
      if (g_pattern_match_simple (f->pattern, path))
        return f;
    }
  return NULL;
}

static void
control_error (SandboxRequest *req, guint status, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  sandbox_respond_builder (req, status, b);
}

static void
respond_ok (SandboxRequest *req)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
}

static JsonObject *
fault_object (SandboxFault *f)
{
  static const char *const hosts[] = { "login", "graph", "sharepoint" };
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", f->id);
  json_object_set_string_member (o, "pattern", f->pattern);
  if (f->method != NULL)
    json_object_set_string_member (o, "method", f->method);
  json_object_set_string_member (o, "host", f->host >= 0 ? hosts[f->host] : "any");
  json_object_set_int_member (o, "status", f->status);
  json_object_set_int_member (o, "retryAfter", f->retry_after);
  json_object_set_boolean_member (o, "retryAfterDate", f->retry_after_date);
  json_object_set_int_member (o, "delayMs", f->delay_ms);
  if (f->body != NULL)
    json_object_set_string_member (o, "body", f->body);
  json_object_set_boolean_member (o, "drop", f->drop);
  json_object_set_boolean_member (o, "hold", f->hold);
  json_object_set_int_member (o, "times", f->remaining);
  return o;
}

static void
respond_object (SandboxRequest *req, guint status, JsonObject *o)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);

  sandbox_respond_json (req, status, node);
}

static void
add_fault (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  SandboxFault *f;
  const char *host;
  const char *what;
  JsonObject *o;

  if (body == NULL || sandbox_json_string (body, "pattern") == NULL)
    {
      control_error (req, 400, "A fault needs a JSON body with at least \"pattern\".");
      return;
    }
  f = g_new0 (SandboxFault, 1);
  f->id = ++req->sb->next_fault_id;
  f->pattern = g_strdup (sandbox_json_string (body, "pattern"));
  f->method = g_strdup (sandbox_json_string (body, "method"));
  host = sandbox_json_string (body, "host") != NULL ? sandbox_json_string (body, "host") : "any";
  f->host = g_str_equal (host, "login")        ? SANDBOX_HOST_LOGIN
            : g_str_equal (host, "graph")      ? SANDBOX_HOST_GRAPH
            : g_str_equal (host, "sharepoint") ? SANDBOX_HOST_SHAREPOINT
                                               : -1;
  f->status = (guint) sandbox_json_int (body, "status", 0);
  f->retry_after = (int) sandbox_json_int (body, "retryAfter", -1);
  f->retry_after_date = sandbox_json_bool (body, "retryAfterDate", FALSE);
  f->delay_ms = (guint) MAX (0, sandbox_json_int (body, "delayMs", 0));
  what = sandbox_json_string (body, "body");
  f->drop = sandbox_json_bool (body, "drop", FALSE);
  f->hold = sandbox_json_bool (body, "hold", FALSE);
  f->remaining = (int) sandbox_json_int (body, "times", -1);
  if (what != NULL && !g_str_equal (what, "malformed") && !g_str_equal (what, "truncated"))
    {
      sandbox_fault_free (f);
      control_error (req, 400, "\"body\" is \"malformed\" or \"truncated\".");
      return;
    }
  f->body = g_strdup (what);
  if (f->status != 0 && (f->status < 400 || f->status > 599))
    {
      sandbox_fault_free (f);
      control_error (req, 400, "\"status\" must be an HTTP error status.");
      return;
    }
  g_ptr_array_add (req->sb->faults, f);
  o = fault_object (f);
  respond_object (req, 201, o);
  json_object_unref (o);
}

static void
handle_faults (SandboxRequest *req, const char *id)
{
  if (id == NULL && g_str_equal (req->method, "POST"))
    add_fault (req);
  else if (id == NULL && g_str_equal (req->method, "DELETE"))
    {
      g_ptr_array_set_size (req->sb->faults, 0);
      respond_ok (req);
    }
  else if (id == NULL && g_str_equal (req->method, "GET"))
    {
      JsonObject *o = json_object_new ();
      JsonArray *a = json_array_new ();

      for (guint i = 0; i < req->sb->faults->len; i++)
        json_array_add_object_element (a, fault_object (req->sb->faults->pdata[i]));
      json_object_set_array_member (o, "value", a);
      respond_object (req, 200, o);
      json_object_unref (o);
    }
  else if (id != NULL && g_str_equal (req->method, "DELETE"))
    {
      guint64 n = g_ascii_strtoull (id, NULL, 10);

      for (guint i = 0; i < req->sb->faults->len; i++)
        if (((SandboxFault *) req->sb->faults->pdata[i])->id == n)
          {
            g_ptr_array_remove_index (req->sb->faults, i);
            respond_ok (req);
            return;
          }
      control_error (req, 404, "No such fault.");
    }
  else
    control_error (req, 405, "Method not allowed.");
}

static void
handle_requests (SandboxRequest *req)
{
  if (g_str_equal (req->method, "DELETE"))
    {
      g_ptr_array_set_size (req->sb->log, 0);
      respond_ok (req);
    }
  else
    {
      JsonObject *o = json_object_new ();
      JsonArray *a = json_array_new ();

      for (guint i = 0; i < req->sb->log->len; i++)
        json_array_add_object_element (a, json_object_ref (req->sb->log->pdata[i]));
      json_object_set_array_member (o, "value", a);
      respond_object (req, 200, o);
      json_object_unref (o);
    }
}

static SandboxUser *
body_user (SandboxRequest *req, JsonObject *body)
{
  const char *email = sandbox_json_string (body, "email");
  SandboxUser *user = sandbox_find_user (req->sb, email);

  if (user == NULL)
    control_error (req, 404, "No such user: give \"email\" of a seeded user.");
  return user;
}

static void
handle_user_action (SandboxRequest *req, const char *email, const char *action)
{
  g_autofree char *decoded = g_uri_unescape_string (email, NULL);
  SandboxUser *user = sandbox_find_user (req->sb, decoded);

  if (user == NULL)
    {
      control_error (req, 404, "No such user.");
      return;
    }
  if (g_str_equal (action, "expire-tokens"))
    user->expired_serial = ++req->sb->serial;
  else if (g_str_equal (action, "revoke-tokens"))
    sandbox_revoke_user (req->sb, user);
  else
    {
      control_error (req, 404, "Unknown user action.");
      return;
    }
  respond_ok (req);
}

static void
handle_tokens (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  SandboxUser *user = body_user (req, body);
  g_autoptr (JsonBuilder) b = NULL;

  if (user == NULL)
    return;
  b = json_builder_new ();
  sandbox_mint_tokens (req->sb, user, req->sb->client_id, sandbox_json_string (body, "scope"),
                       sandbox_json_string (body, "nonce"), TRUE, b);
  sandbox_respond_builder (req, 200, b);
}

static void
handle_sso (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = NULL;

  if (g_str_equal (req->method, "DELETE"))
    {
      req->sb->auto_sso = NULL;
      respond_ok (req);
      return;
    }
  body = sandbox_request_json (req);
  req->sb->auto_sso = body_user (req, body);
  if (req->sb->auto_sso != NULL)
    respond_ok (req);
}

static void
handle_clock (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  g_autoptr (JsonBuilder) b = json_builder_new ();

  if (body == NULL)
    {
      control_error (req, 400, "Give {\"advanceSeconds\": N}.");
      return;
    }
  req->sb->clock_offset += sandbox_json_int (body, "advanceSeconds", 0);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "offsetSeconds");
  json_builder_add_int_value (b, req->sb->clock_offset);
  {
    g_autofree char *now = sandbox_iso_time (sandbox_now (req->sb));

    json_builder_set_member_name (b, "now");
    json_builder_add_string_value (b, now);
  }
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
}

static void
handle_tenant (SandboxRequest *req, const char *id)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  SandboxTenant *tenant = sandbox_find_tenant (req->sb, id);

  if (tenant == NULL || body == NULL)
    {
      control_error (req, tenant == NULL ? 404 : 400, "No such tenant, or no JSON body.");
      return;
    }
  tenant->allow_anonymous
      = sandbox_json_bool (body, "allowAnonymousLinks", tenant->allow_anonymous);
  tenant->admin_consent_required
      = sandbox_json_bool (body, "adminConsentRequired", tenant->admin_consent_required);
  tenant->insights_disabled
      = sandbox_json_bool (body, "insightsDisabled", tenant->insights_disabled);
  if (json_object_has_member (body, "adminConsented"))
    {
      if (sandbox_json_bool (body, "adminConsented", FALSE))
        g_hash_table_add (tenant->admin_consents, g_strdup (req->sb->client_id));
      else
        g_hash_table_remove (tenant->admin_consents, req->sb->client_id);
    }
  respond_ok (req);
}

/* POST {retired: true|false} forces the deprecated endpoints' state;
 * DELETE goes back to the sandbox's clock (Microsoft's dates). */
static void
handle_deprecations (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = NULL;

  if (g_str_equal (req->method, "DELETE"))
    {
      req->sb->retire_deprecated = SANDBOX_RETIRE_BY_DATE;
      respond_ok (req);
      return;
    }
  body = sandbox_request_json (req);
  if (body == NULL || !json_object_has_member (body, "retired"))
    {
      control_error (req, 400, "Give {\"retired\": true|false}.");
      return;
    }
  req->sb->retire_deprecated
      = sandbox_json_bool (body, "retired", FALSE) ? SANDBOX_RETIRE_ALWAYS : SANDBOX_RETIRE_NEVER;
  respond_ok (req);
}

/* GET /_sandbox/held: how many requests a "hold" fault is holding;
 * POST /_sandbox/held/release: answer them all. */
static void
handle_held (SandboxRequest *req, gboolean release)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint n = release ? sandbox_release_held (req->sb) : req->sb->held->len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, release ? "released" : "held");
  json_builder_add_int_value (b, n);
  json_builder_end_object (b);
  sandbox_respond_builder (req, 200, b);
}

void
sandbox_control_handle (SandboxRequest *req)
{
  g_auto (GStrv) parts = g_strsplit (req->path + 1, "/", -1);
  guint n = g_strv_length (parts);
  const char *what = n > 1 ? parts[1] : "";

  if (n == 1 || (n == 2 && *what == '\0'))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, "foyer-ms-sandbox");
      json_builder_end_object (b);
      sandbox_respond_builder (req, 200, b);
    }
  else if (sandbox_upload_control (req, parts))
    return;
  else if (g_str_equal (what, "faults") && n <= 3)
    handle_faults (req, n == 3 ? parts[2] : NULL);
  else if (g_str_equal (what, "held") && n == 2 && g_str_equal (req->method, "GET"))
    handle_held (req, FALSE);
  else if (g_str_equal (what, "held") && n == 3 && g_str_equal (parts[2], "release")
           && g_str_equal (req->method, "POST"))
    handle_held (req, TRUE);
  else if (g_str_equal (what, "requests") && n == 2)
    handle_requests (req);
  else if (g_str_equal (what, "users") && n == 4 && g_str_equal (req->method, "POST"))
    handle_user_action (req, parts[2], parts[3]);
  else if (g_str_equal (what, "tokens") && n == 2 && g_str_equal (req->method, "POST"))
    handle_tokens (req);
  else if (g_str_equal (what, "sso") && n == 2)
    handle_sso (req);
  else if (g_str_equal (what, "clock") && n == 2 && g_str_equal (req->method, "POST"))
    handle_clock (req);
  else if (g_str_equal (what, "tenants") && n == 3 && g_str_equal (req->method, "POST"))
    handle_tenant (req, parts[2]);
  else if (g_str_equal (what, "deprecations") && n == 2
           && (g_str_equal (req->method, "POST") || g_str_equal (req->method, "DELETE")))
    handle_deprecations (req);
  else
    control_error (req, 404, "Unknown control endpoint.");
}
