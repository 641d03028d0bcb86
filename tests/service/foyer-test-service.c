/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-service"

#include "config.h"

#include "foyer-test-service.h"

#include "foyer-test-pg.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

struct _FoyerTestService
{
  char *data_dir;
  char *roles;
  GStrv extra_args;
  GSubprocess *process;
  char *listen;
  char *base_url;
  char *kms_url;
  char *log_path;
  char *json_path;
  char *database_url;
  gboolean owns_dir;
};

const char *
foyer_test_service_get_executable (void)
{
  const char *env = g_getenv ("FOYER_SERVICE_BIN");

  return env != NULL ? env : FOYER_BUILDDIR "/src/service/foyer-service";
}

gboolean
foyer_test_service_run_cli (FoyerTestService *self,
                            const char *const *args,
                            char **out_stdout,
                            GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *err_text = NULL;

  g_ptr_array_add (argv, (char *) foyer_test_service_get_executable ());
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, self->data_dir);
  if (self->database_url != NULL)
    {
      g_ptr_array_add (argv, (char *) "--database");
      g_ptr_array_add (argv, self->database_url);
    }
  g_ptr_array_add (argv, NULL);

  process
      = g_subprocess_newv ((const char *const *) argv->pdata,
                           G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, error);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, NULL, NULL, out_stdout, &err_text, error))
    return FALSE;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "foyer-service %s failed: %s", args[0],
                   err_text != NULL ? err_text : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
foyer_test_service_add_user (FoyerTestService *self,
                             const char *email,
                             const char *name,
                             const char *password,
                             gboolean admin,
                             GError **error)
{
  g_autofree char *file = NULL;
  const char *args[] = { "user",
                         "add",
                         "--email",
                         email,
                         "--name",
                         name,
                         "--password-file",
                         NULL,
                         admin ? "--admin" : NULL,
                         NULL };
  gboolean ok;
  int fd = g_file_open_tmp ("foyer-password-XXXXXX", &file, error);

  if (fd < 0)
    return FALSE;
  close (fd);
  args[7] = file;
  if (!g_file_set_contents (file, password, -1, error))
    return FALSE;
  ok = foyer_test_service_run_cli (self, args, NULL, error);
  g_unlink (file);
  return ok;
}

static gboolean
read_service_json (FoyerTestService *self)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *kms;

  if (!json_parser_load_from_file (parser, self->json_path, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  object = json_node_get_object (json_parser_get_root (parser));
  g_free (self->base_url);
  self->base_url = g_strdup (json_object_get_string_member (object, "baseUrl"));
  kms = json_object_get_member (object, "kmsUrl");
  g_free (self->kms_url);
  self->kms_url
      = kms != NULL && JSON_NODE_HOLDS_VALUE (kms) ? g_strdup (json_node_get_string (kms)) : NULL;
  return self->base_url != NULL;
}

/* A test that aborts must not leave its service running (and holding the
 * test's output pipes open). */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
start (FoyerTestService *self, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  gint64 deadline;

  g_unlink (self->json_path);
  g_ptr_array_add (argv, (char *) foyer_test_service_get_executable ());
  g_ptr_array_add (argv, (char *) "serve");
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, self->data_dir);
  g_ptr_array_add (argv, (char *) "--listen");
  g_ptr_array_add (argv, self->listen);
  g_ptr_array_add (argv, (char *) "--roles");
  g_ptr_array_add (argv, self->roles);
  if (self->database_url != NULL)
    {
      g_ptr_array_add (argv, (char *) "--database");
      g_ptr_array_add (argv, self->database_url);
    }
  for (guint i = 0; self->extra_args != NULL && self->extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, self->extra_args[i]);
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (self->process == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      if (g_file_test (self->json_path, G_FILE_TEST_EXISTS) && read_service_json (self))
        {
          g_autoptr (GUri) uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);

          /* A restart comes back on the same port, as a real deployment would. */
          g_free (self->listen);
          self->listen = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
          return TRUE;
        }
      if (g_subprocess_get_identifier (self->process) == NULL)
        break;
      g_usleep (20 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "foyer-service did not start");
  return FALSE;
}

static gboolean
has_arg (const char *const *args, const char *name)
{
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    if (g_str_has_prefix (args[i], name))
      return TRUE;
  return FALSE;
}

/* PostgreSQL: a database of its own (one that an earlier service on the
 * same data folder had, when restarted from it), and keys, which a node
 * of a shared database never makes by itself: made as an operator would
 * (`keys generate`), in the key folder the service looks in by default;
 * the master key only when no other source of it is given. */
static gboolean
give_database (FoyerTestService *self, GError **error)
{
  g_autofree char *url_file = g_strconcat (self->data_dir, ".database", NULL);
  g_autofree char *key_dir = g_strconcat (self->data_dir, ".keys", NULL);
  g_autofree char *signing = g_build_filename (key_dir, "token-signing-key.jwk", NULL);
  g_autofree char *made = NULL;
  const char *const *args = (const char *const *) self->extra_args;

  if (!g_file_get_contents (url_file, &self->database_url, NULL, NULL))
    {
      if (!(self->database_url = foyer_test_pg_new_database (error))
          || !g_file_set_contents (url_file, self->database_url, -1, error))
        return FALSE;
    }
  if (has_arg (args, "--key-dir") || g_file_test (signing, G_FILE_TEST_EXISTS))
    return TRUE;
  made = g_strconcat (self->data_dir, ".made-keys", NULL);
  {
    const char *argv[]
        = { foyer_test_service_get_executable (), "keys", "generate", "--key-dir", made, NULL };
    g_autoptr (GSubprocess) process = g_subprocess_newv (
        argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_MERGE, error);
    g_autofree char *made_signing = g_build_filename (made, "token-signing-key.jwk", NULL);
    g_autofree char *made_master = g_build_filename (made, "kms-master.key", NULL);
    g_autofree char *master = g_build_filename (key_dir, "kms-master.key", NULL);
    gboolean master_elsewhere = has_arg (args, "--master-key-file")
                                || g_getenv ("FOYER_SERVICE_MASTER_KEY") != NULL
                                || g_getenv ("CREDENTIALS_DIRECTORY") != NULL;

    if (process == NULL || !g_subprocess_wait_check (process, NULL, error))
      return FALSE;
    g_mkdir_with_parents (key_dir, 0700);
    if (g_rename (made_signing, signing) != 0
        || (!master_elsewhere && !g_file_test (master, G_FILE_TEST_EXISTS)
            && g_rename (made_master, master) != 0))
      {
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot place the keys");
        return FALSE;
      }
    g_unlink (made_master);
    g_rmdir (made);
  }
  return TRUE;
}

static FoyerTestService *
service_new (const char *data_dir,
             const char *roles,
             gboolean seed_people,
             const char *const *extra_args,
             const char *database_url,
             GError **error)
{
  g_autoptr (FoyerTestService) self = g_new0 (FoyerTestService, 1);

  if (data_dir != NULL)
    self->data_dir = g_strdup (data_dir);
  else
    {
      const char *work = g_getenv ("FOYER_TEST_WORKDIR");
      g_autofree char *tmpl
          = g_build_filename (work != NULL ? work : g_get_tmp_dir (), "service-XXXXXX", NULL);
      g_autofree char *parent = g_mkdtemp (g_steal_pointer (&tmpl));

      if (parent == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create a temp dir");
          return NULL;
        }
      self->data_dir = g_build_filename (parent, "data", NULL);
      self->owns_dir = TRUE;
    }
  self->roles = g_strdup (roles != NULL ? roles : "conversation,kms");
  self->extra_args = g_strdupv ((char **) extra_args);
  self->listen = g_strdup ("127.0.0.1:0");
  self->log_path = g_build_filename (self->data_dir, "service.log", NULL);
  self->json_path = g_build_filename (self->data_dir, "service.json", NULL);
  if (database_url != NULL)
    self->database_url = g_strdup (database_url);
  else if (foyer_test_pg_wanted () && !give_database (self, error))
    return NULL;

  if (seed_people
      && (!foyer_test_service_add_user (self, FOYER_TEST_ALICE_EMAIL, "Alice Martin",
                                        FOYER_TEST_ALICE_PASSWORD, TRUE, error)
          || !foyer_test_service_add_user (self, FOYER_TEST_BOB_EMAIL, "Bob Durand",
                                           FOYER_TEST_BOB_PASSWORD, FALSE, error)
          || !foyer_test_service_add_user (self, FOYER_TEST_CAROL_EMAIL, "Carol Petit",
                                           FOYER_TEST_CAROL_PASSWORD, FALSE, error)))
    return NULL;

  if (!start (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

FoyerTestService *
foyer_test_service_new_full (const char *data_dir,
                             const char *roles,
                             gboolean seed_people,
                             const char *const *extra_args,
                             GError **error)
{
  return service_new (data_dir, roles, seed_people, extra_args, NULL, error);
}

FoyerTestService *
foyer_test_service_new_node (const char *database_url,
                             const char *key_dir,
                             const char *const *extra_args,
                             GError **error)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "--key-dir");
  g_ptr_array_add (args, (char *) key_dir);
  for (guint i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (args, (char *) extra_args[i]);
  g_ptr_array_add (args, NULL);
  return service_new (NULL, NULL, FALSE, (const char *const *) args->pdata, database_url, error);
}

gboolean
foyer_test_service_kill (FoyerTestService *self)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&self->process);

  if (process == NULL)
    return FALSE;
  g_subprocess_force_exit (process);
  return g_subprocess_wait (process, NULL, NULL);
}

FoyerTestService *
foyer_test_service_new (void)
{
  g_autoptr (GError) error = NULL;
  FoyerTestService *self = foyer_test_service_new_full (NULL, NULL, TRUE, NULL, &error);

  g_assert_no_error (error);
  return self;
}

const char *
foyer_test_service_get_base_url (FoyerTestService *self)
{
  return self->base_url;
}

int
foyer_test_service_get_pid (FoyerTestService *self)
{
  const char *id = self->process != NULL ? g_subprocess_get_identifier (self->process) : NULL;

  return id != NULL ? atoi (id) : -1;
}

const char *
foyer_test_service_get_kms_url (FoyerTestService *self)
{
  return self->kms_url;
}

const char *
foyer_test_service_get_database_url (FoyerTestService *self)
{
  return self->database_url;
}

gboolean
foyer_test_service_is_postgresql (FoyerTestService *self)
{
  return self->database_url != NULL;
}

char *
foyer_test_service_query (FoyerTestService *self, const char *part, const char *sql, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (self->database_url != NULL)
    return foyer_test_pg_query (self->database_url, sql, error);
  path = g_strdup_printf ("%s/%s.db", self->data_dir, part);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_busy_timeout (db, 10000) != SQLITE_OK
      || sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path, sqlite3_errmsg (db));
      sqlite3_close (db);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int col = 0; col < sqlite3_column_count (stmt); col++)
        g_string_append_printf (out, "%s%s", col > 0 ? "|" : "",
                                sqlite3_column_type (stmt, col) == SQLITE_NULL
                                    ? ""
                                    : (const char *) sqlite3_column_text (stmt, col));
      g_string_append_c (out, '\n');
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: step failed", path);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

const char *
foyer_test_service_get_data_dir (FoyerTestService *self)
{
  return self->data_dir;
}

const char *
foyer_test_service_get_log_path (FoyerTestService *self)
{
  return self->log_path;
}

const char *
foyer_test_service_get_service_json (FoyerTestService *self)
{
  return self->json_path;
}

/* The service's own warnings (an internal error, say) end up in the
 * test's output, where a failure or a flake can be read against them. */
static void
report_warnings (FoyerTestService *self)
{
  g_autofree char *log = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (self->log_path, &log, NULL, NULL))
    return;
  lines = g_strsplit (log, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "WARNING") != NULL || strstr (lines[i], "CRITICAL") != NULL)
      g_printerr ("foyer-service: %s\n", lines[i]);
}

gboolean
foyer_test_service_stop (FoyerTestService *self)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&self->process);

  if (process == NULL)
    return TRUE;
  g_subprocess_send_signal (process, SIGTERM);
  if (!g_subprocess_wait (process, NULL, NULL))
    return FALSE;
  report_warnings (self);
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0;
}

gboolean
foyer_test_service_restart (FoyerTestService *self, GError **error)
{
  foyer_test_service_stop (self);
  return start (self, error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
foyer_test_service_free (FoyerTestService *self)
{
  if (self == NULL)
    return;
  foyer_test_service_stop (self);
  if (self->owns_dir)
    {
      g_autofree char *parent = g_path_get_dirname (self->data_dir);

      remove_tree (parent);
    }
  g_free (self->data_dir);
  g_free (self->roles);
  g_strfreev (self->extra_args);
  g_free (self->listen);
  g_free (self->base_url);
  g_free (self->kms_url);
  g_free (self->log_path);
  g_free (self->json_path);
  g_free (self->database_url);
  g_free (self);
}
