/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Start a foyer-ms-sandbox for a test, read its cloud.json, and drive its
 * control API. GLib, GIO, libsoup and json-glib only (no GTK).
 *
 *   g_autoptr (FoyerTestSandbox) sb = foyer_test_sandbox_start (NULL, &error);
 *   g_autofree char *token = foyer_test_sandbox_mint_token (sb, "alice@contoso.example", NULL, &error);
 *   foyer_test_sandbox_add_fault (sb, "/v1.0/me/drive/root/children", 429, 2, &error);
 *   g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sb, &error);
 *   (the sandbox stops with SIGTERM when the last reference goes)
 *
 * The control calls are blocking HTTP calls to the local sandbox: call them
 * from test code, not from inside a callback that must not block.
 * Seeded users: alice@, bob@, carol@contoso.example (the organization) and
 * mallory@fabrikam.example (a foreign tenant); see docs/sandbox.md.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _FoyerTestSandbox FoyerTestSandbox;

/* extra_args: more command-line options (e.g. "--latency-ms", "20"), or NULL.
 * Waits until cloud.json exists (at most 30 s). */
FoyerTestSandbox *foyer_test_sandbox_start (const char *const *extra_args, GError **error);
/* Sends SIGTERM, waits for the process and removes its state directory.
 * TRUE if the sandbox exited cleanly (status 0). The last unref stops it too. */
gboolean foyer_test_sandbox_stop (FoyerTestSandbox *sb);
FoyerTestSandbox *foyer_test_sandbox_ref (FoyerTestSandbox *sb);
void foyer_test_sandbox_unref (FoyerTestSandbox *sb);

/* cloud.json and its fields. */
const char *foyer_test_sandbox_get_state_dir (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_cloud_path (FoyerTestSandbox *sb);
/* The sandbox serves https only, with certificates from a CA it makes at
 * start: its ca.pem, a database trusting it alone, and a way to make a
 * test's own SoupSession trust it (returns session). */
const char *foyer_test_sandbox_get_ca_file (FoyerTestSandbox *sb);
GTlsDatabase *foyer_test_sandbox_get_tls_database (FoyerTestSandbox *sb);
SoupSession *foyer_test_sandbox_trust_session (FoyerTestSandbox *sb, SoupSession *session);
JsonObject *foyer_test_sandbox_get_cloud (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_authority_url (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_graph_url (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_sharepoint_url (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_control_url (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_redirect_uri (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_tenant_id (FoyerTestSandbox *sb);
const char *foyer_test_sandbox_get_client_id (FoyerTestSandbox *sb);
/* NULL for an unknown e-mail address. */
const char *foyer_test_sandbox_get_user_password (FoyerTestSandbox *sb, const char *email);
const char *foyer_test_sandbox_get_user_oid (FoyerTestSandbox *sb, const char *email);
const char *foyer_test_sandbox_get_user_tenant_id (FoyerTestSandbox *sb, const char *email);
const char *foyer_test_sandbox_get_user_drive_id (FoyerTestSandbox *sb, const char *email);

/* Any control call: method, a path under /_sandbox (e.g. "/faults"), an
 * optional JSON body. Returns the reply's JSON, or NULL with an error for
 * a status >= 400. */
JsonNode *foyer_test_sandbox_control (FoyerTestSandbox *sb,
                                      const char *method,
                                      const char *path,
                                      const char *json_body,
                                      GError **error);

/* Fault injection. A full rule is JSON: {"pattern" (a glob with * and ?, matched on the path),
 * "method", "host" (login|graph|sharepoint|any), "status", "retryAfter",
 * "retryAfterDate", "delayMs", "body" (malformed|truncated), "drop",
 * "hold" (answered only once released), "times"}. Returns the fault id,
 * 0 on error. */
guint
foyer_test_sandbox_add_fault_json (FoyerTestSandbox *sb, const char *rule_json, GError **error);
/* How many requests "hold" faults are holding, or -1 with an error; and
 * answering them all (how many there were, or -1). */
int foyer_test_sandbox_get_held (FoyerTestSandbox *sb, GError **error);
int foyer_test_sandbox_release_held (FoyerTestSandbox *sb, GError **error);
/* A status fault on the Graph host; retry_after < 0 sends no Retry-After. */
guint foyer_test_sandbox_add_fault (
    FoyerTestSandbox *sb, const char *pattern, guint status, int retry_after, GError **error);
gboolean foyer_test_sandbox_clear_faults (FoyerTestSandbox *sb, GError **error);

/* Tokens and sessions. */
gboolean foyer_test_sandbox_expire_tokens (FoyerTestSandbox *sb, const char *email, GError **error);
gboolean foyer_test_sandbox_revoke_tokens (FoyerTestSandbox *sb, const char *email, GError **error);
gboolean foyer_test_sandbox_enable_sso (FoyerTestSandbox *sb, const char *email, GError **error);
gboolean foyer_test_sandbox_disable_sso (FoyerTestSandbox *sb, GError **error);
/* A valid access token (and refresh token if out_refresh) without a browser. */
char *foyer_test_sandbox_mint_token (FoyerTestSandbox *sb,
                                     const char *email,
                                     char **out_refresh_token,
                                     GError **error);
/* Moves the sandbox's clock (token, code and preview expiry) forward. */
gboolean foyer_test_sandbox_advance_clock (FoyerTestSandbox *sb, int seconds, GError **error);
gboolean foyer_test_sandbox_set_anonymous_links (FoyerTestSandbox *sb,
                                                 const char *tenant,
                                                 gboolean allowed,
                                                 GError **error);

/* The request log: objects {id, time, timestampMs, durationMs, host,
 * method, path, query, status, user}. */
JsonArray *foyer_test_sandbox_get_request_log (FoyerTestSandbox *sb, GError **error);
gboolean foyer_test_sandbox_clear_request_log (FoyerTestSandbox *sb, GError **error);

/* u!base64url(url) without padding, as Graph's shares API wants. */
char *foyer_test_sandbox_share_id (const char *sharing_url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerTestSandbox, foyer_test_sandbox_unref)

G_END_DECLS
