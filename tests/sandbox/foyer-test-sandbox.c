/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-sandbox"

#include "config.h"

#include "foyer-test-sandbox.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _FoyerTestSandbox
{
  gatomicrefcount ref_count;
  GSubprocess *process;
  char *state_dir;
  char *cloud_path;
  char *ca_path;
  GTlsDatabase *tls_database;
  JsonParser *parser;
  JsonObject *cloud;
  SoupSession *session;
};

static void
child_setup (gpointer data)
{
  /* The sandbox must not outlive a test that crashed. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
wait_for_cloud (FoyerTestSandbox *sb, GError **error)
{
  for (int i = 0; i < 3000; i++)
    {
      if (g_file_test (sb->cloud_path, G_FILE_TEST_EXISTS))
        return TRUE;
      if (g_subprocess_get_identifier (sb->process) == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "foyer-ms-sandbox exited before it was ready");
          return FALSE;
        }
      g_usleep (10 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "foyer-ms-sandbox did not write cloud.json in 30 s");
  return FALSE;
}

FoyerTestSandbox *
foyer_test_sandbox_start (const char *const *extra_args, GError **error)
{
  g_autoptr (FoyerTestSandbox) sb = g_new0 (FoyerTestSandbox, 1);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *binary = g_getenv ("FOYER_MS_SANDBOX");
  const char *workdir = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *template = NULL;

  g_atomic_ref_count_init (&sb->ref_count);
  template = g_build_filename (workdir != NULL ? workdir : g_get_tmp_dir (), "foyer-sandbox-XXXXXX",
                               NULL);
  sb->state_dir = g_mkdtemp (g_steal_pointer (&template));
  if (sb->state_dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create a state directory");
      return NULL;
    }
  sb->cloud_path = g_build_filename (sb->state_dir, "cloud.json", NULL);

  g_ptr_array_add (argv, (gpointer) (binary != NULL ? binary : FOYER_MS_SANDBOX_PATH));
  g_ptr_array_add (argv, (gpointer) "--state-dir");
  g_ptr_array_add (argv, sb->state_dir);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  /* Keep the test's stdout for TAP: the sandbox's output goes to stderr. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (STDERR_FILENO));
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* A critical warning in the sandbox is a bug: make it crash, so that tests notice. */
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  sb->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (sb->process == NULL)
    return NULL;
  if (!wait_for_cloud (sb, error))
    return NULL;

  sb->parser = json_parser_new ();
  if (!json_parser_load_from_file (sb->parser, sb->cloud_path, error))
    return NULL;
  sb->cloud = json_node_get_object (json_parser_get_root (sb->parser));
  sb->ca_path
      = g_build_filename (sb->state_dir, json_object_get_string_member (sb->cloud, "caFile"), NULL);
  sb->tls_database = g_tls_file_database_new (sb->ca_path, error);
  if (sb->tls_database == NULL)
    return NULL;
  sb->session = soup_session_new_with_options ("timeout", 30, NULL);
  foyer_test_sandbox_trust_session (sb, sb->session);
  return g_steal_pointer (&sb);
}

gboolean
foyer_test_sandbox_stop (FoyerTestSandbox *sb)
{
  gboolean clean = FALSE;

  g_return_val_if_fail (sb != NULL, FALSE);

  if (sb->process != NULL && g_subprocess_get_identifier (sb->process) != NULL)
    {
      g_subprocess_send_signal (sb->process, SIGTERM);
      if (g_subprocess_wait (sb->process, NULL, NULL))
        clean = g_subprocess_get_if_exited (sb->process)
                && g_subprocess_get_exit_status (sb->process) == 0;
    }
  if (sb->cloud_path != NULL)
    g_unlink (sb->cloud_path);
  if (sb->ca_path != NULL)
    g_unlink (sb->ca_path);
  if (sb->state_dir != NULL)
    g_rmdir (sb->state_dir);
  return clean;
}

FoyerTestSandbox *
foyer_test_sandbox_ref (FoyerTestSandbox *sb)
{
  g_atomic_ref_count_inc (&sb->ref_count);
  return sb;
}

void
foyer_test_sandbox_unref (FoyerTestSandbox *sb)
{
  if (sb == NULL || !g_atomic_ref_count_dec (&sb->ref_count))
    return;
  foyer_test_sandbox_stop (sb);
  g_clear_object (&sb->process);
  g_clear_object (&sb->parser);
  g_clear_object (&sb->session);
  g_clear_object (&sb->tls_database);
  g_free (sb->ca_path);
  g_free (sb->state_dir);
  g_free (sb->cloud_path);
  g_free (sb);
}

const char *
foyer_test_sandbox_get_state_dir (FoyerTestSandbox *sb)
{
  return sb->state_dir;
}

const char *
foyer_test_sandbox_get_cloud_path (FoyerTestSandbox *sb)
{
  return sb->cloud_path;
}

const char *
foyer_test_sandbox_get_ca_file (FoyerTestSandbox *sb)
{
  return sb->ca_path;
}

GTlsDatabase *
foyer_test_sandbox_get_tls_database (FoyerTestSandbox *sb)
{
  return sb->tls_database;
}

SoupSession *
foyer_test_sandbox_trust_session (FoyerTestSandbox *sb, SoupSession *session)
{
  soup_session_set_tls_database (session, sb->tls_database);
  return session;
}

JsonObject *
foyer_test_sandbox_get_cloud (FoyerTestSandbox *sb)
{
  return sb->cloud;
}

static const char *
cloud_string (FoyerTestSandbox *sb, const char *name)
{
  return json_object_get_string_member_with_default (sb->cloud, name, NULL);
}

const char *
foyer_test_sandbox_get_authority_url (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "authority");
}

const char *
foyer_test_sandbox_get_graph_url (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "graph");
}

const char *
foyer_test_sandbox_get_sharepoint_url (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "sharepoint");
}

const char *
foyer_test_sandbox_get_control_url (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "control");
}

const char *
foyer_test_sandbox_get_redirect_uri (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "redirectUri");
}

const char *
foyer_test_sandbox_get_tenant_id (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "tenantId");
}

const char *
foyer_test_sandbox_get_client_id (FoyerTestSandbox *sb)
{
  return cloud_string (sb, "clientId");
}

static const char *
user_field (FoyerTestSandbox *sb, const char *email, const char *field)
{
  JsonArray *users = json_object_get_array_member (sb->cloud, "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *u = json_array_get_object_element (users, i);

      if (g_ascii_strcasecmp (json_object_get_string_member (u, "email"), email) == 0)
        return json_object_get_string_member_with_default (u, field, NULL);
    }
  return NULL;
}

const char *
foyer_test_sandbox_get_user_password (FoyerTestSandbox *sb, const char *email)
{
  return user_field (sb, email, "password");
}

const char *
foyer_test_sandbox_get_user_oid (FoyerTestSandbox *sb, const char *email)
{
  return user_field (sb, email, "oid");
}

const char *
foyer_test_sandbox_get_user_tenant_id (FoyerTestSandbox *sb, const char *email)
{
  return user_field (sb, email, "tenantId");
}

const char *
foyer_test_sandbox_get_user_drive_id (FoyerTestSandbox *sb, const char *email)
{
  return user_field (sb, email, "driveId");
}

JsonNode *
foyer_test_sandbox_control (FoyerTestSandbox *sb,
                            const char *method,
                            const char *path,
                            const char *json_body,
                            GError **error)
{
  g_autofree char *url = g_strconcat (foyer_test_sandbox_get_control_url (sb), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad control URL %s", url);
      return NULL;
    }
  if (json_body != NULL)
    {
      g_autoptr (GBytes) body = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", body);
    }
  reply = soup_session_send_and_read (sb->session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  status = soup_message_get_status (msg);
  if (status >= 400)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %.*s", method, path,
                   status, (int) g_bytes_get_size (reply),
                   (const char *) g_bytes_get_data (reply, NULL));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                   error))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
control_ok (
    FoyerTestSandbox *sb, const char *method, const char *path, const char *body, GError **error)
{
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sb, method, path, body, error);

  return node != NULL;
}

guint
foyer_test_sandbox_add_fault_json (FoyerTestSandbox *sb, const char *rule_json, GError **error)
{
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sb, "POST", "/faults", rule_json, error);

  if (node == NULL)
    return 0;
  return (guint) json_object_get_int_member (json_node_get_object (node), "id");
}

guint
foyer_test_sandbox_add_fault (
    FoyerTestSandbox *sb, const char *pattern, guint status, int retry_after, GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pattern");
  json_builder_add_string_value (b, pattern);
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, "graph");
  json_builder_set_member_name (b, "status");
  json_builder_add_int_value (b, status);
  json_builder_set_member_name (b, "retryAfter");
  json_builder_add_int_value (b, retry_after);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, FALSE);
  return foyer_test_sandbox_add_fault_json (sb, text, error);
}

gboolean
foyer_test_sandbox_clear_faults (FoyerTestSandbox *sb, GError **error)
{
  return control_ok (sb, "DELETE", "/faults", NULL, error);
}

static int
held_count (
    FoyerTestSandbox *sb, const char *method, const char *path, const char *member, GError **error)
{
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sb, method, path, NULL, error);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  return (int) json_object_get_int_member_with_default (json_node_get_object (node), member, -1);
}

int
foyer_test_sandbox_get_held (FoyerTestSandbox *sb, GError **error)
{
  return held_count (sb, "GET", "/held", "held", error);
}

int
foyer_test_sandbox_release_held (FoyerTestSandbox *sb, GError **error)
{
  return held_count (sb, "POST", "/held/release", "released", error);
}

static gboolean
user_action (FoyerTestSandbox *sb, const char *email, const char *action, GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (email, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/users/%s/%s", escaped, action);

  return control_ok (sb, "POST", path, NULL, error);
}

gboolean
foyer_test_sandbox_expire_tokens (FoyerTestSandbox *sb, const char *email, GError **error)
{
  return user_action (sb, email, "expire-tokens", error);
}

gboolean
foyer_test_sandbox_revoke_tokens (FoyerTestSandbox *sb, const char *email, GError **error)
{
  return user_action (sb, email, "revoke-tokens", error);
}

static char *
email_body (const char *email)
{
  g_autoptr (JsonObject) o = json_object_new ();
  g_autoptr (JsonNode) node = NULL;

  json_object_set_string_member (o, "email", email);
  node = json_node_init_object (json_node_alloc (), o);
  return json_to_string (node, FALSE);
}

gboolean
foyer_test_sandbox_enable_sso (FoyerTestSandbox *sb, const char *email, GError **error)
{
  g_autofree char *body = email_body (email);

  return control_ok (sb, "POST", "/sso", body, error);
}

gboolean
foyer_test_sandbox_disable_sso (FoyerTestSandbox *sb, GError **error)
{
  return control_ok (sb, "DELETE", "/sso", NULL, error);
}

char *
foyer_test_sandbox_mint_token (FoyerTestSandbox *sb,
                               const char *email,
                               char **out_refresh_token,
                               GError **error)
{
  g_autofree char *body = email_body (email);
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sb, "POST", "/tokens", body, error);
  JsonObject *o;

  if (node == NULL)
    return NULL;
  o = json_node_get_object (node);
  if (out_refresh_token != NULL)
    *out_refresh_token
        = g_strdup (json_object_get_string_member_with_default (o, "refresh_token", NULL));
  return g_strdup (json_object_get_string_member (o, "access_token"));
}

gboolean
foyer_test_sandbox_advance_clock (FoyerTestSandbox *sb, int seconds, GError **error)
{
  g_autofree char *body = g_strdup_printf ("{\"advanceSeconds\": %d}", seconds);

  return control_ok (sb, "POST", "/clock", body, error);
}

gboolean
foyer_test_sandbox_set_anonymous_links (FoyerTestSandbox *sb,
                                        const char *tenant,
                                        gboolean allowed,
                                        GError **error)
{
  g_autofree char *escaped = g_uri_escape_string (tenant, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/tenants/%s", escaped);
  g_autofree char *body
      = g_strdup_printf ("{\"allowAnonymousLinks\": %s}", allowed ? "true" : "false");

  return control_ok (sb, "POST", path, body, error);
}

JsonArray *
foyer_test_sandbox_get_request_log (FoyerTestSandbox *sb, GError **error)
{
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sb, "GET", "/requests", NULL, error);

  if (node == NULL)
    return NULL;
  return json_array_ref (json_object_get_array_member (json_node_get_object (node), "value"));
}

gboolean
foyer_test_sandbox_clear_request_log (FoyerTestSandbox *sb, GError **error)
{
  return control_ok (sb, "DELETE", "/requests", NULL, error);
}

char *
foyer_test_sandbox_share_id (const char *sharing_url)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) sharing_url, strlen (sharing_url));
  GString *out = g_string_new ("u!");

  for (const char *p = b64; *p != '\0' && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  return g_string_free (out, FALSE);
}
