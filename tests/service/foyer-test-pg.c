/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-pg"

#include "config.h"

#include "foyer-test-pg.h"

#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

static char *bin_dir;
static char *folder; /* holds data/ and the socket */
static GSubprocess *postmaster;
static guint databases;
static gboolean cleanup_registered;
static pid_t owner; /* a forked child must not stop its parent's server */
static gboolean durable;

void
foyer_test_pg_set_durable (gboolean on)
{
  durable = on;
}

gboolean
foyer_test_pg_wanted (void)
{
  return g_strcmp0 (g_getenv ("FOYER_TEST_DATABASE"), "postgresql") == 0;
}

static const char *find_bin_dir (GError **error);

gboolean
foyer_test_pg_available (void)
{
  return find_bin_dir (NULL) != NULL;
}

static const char *
find_bin_dir (GError **error)
{
  g_autofree char *out = NULL;

  if (bin_dir != NULL)
    return bin_dir;
  if (g_spawn_command_line_sync ("pg_config --bindir", &out, NULL, NULL, NULL) && out != NULL)
    {
      g_autofree char *initdb = NULL;

      g_strstrip (out);
      initdb = g_build_filename (out, "initdb", NULL);
      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        return bin_dir = g_steal_pointer (&out);
    }
  for (int version = 20; version >= 13; version--)
    {
      g_autofree char *dir = g_strdup_printf ("/usr/lib/postgresql/%d/bin", version);
      g_autofree char *initdb = g_build_filename (dir, "initdb", NULL);

      if (g_file_test (initdb, G_FILE_TEST_IS_EXECUTABLE))
        return bin_dir = g_steal_pointer (&dir);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "PostgreSQL's programs are not installed (Debian: postgresql)");
  return NULL;
}

/* initdb and postgres refuse to run as root: they run as nobody then. */
static void
add_user_switch (GPtrArray *argv)
{
  if (geteuid () != 0)
    return;
  g_ptr_array_add (argv, (char *) "setpriv");
  g_ptr_array_add (argv, (char *) "--reuid=nobody");
  g_ptr_array_add (argv, (char *) "--regid=nogroup");
  g_ptr_array_add (argv, (char *) "--clear-groups");
  /* postgres dies (immediate shutdown) with the test program. */
  g_ptr_array_add (argv, (char *) "--pdeathsig=QUIT");
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

static void
cleanup (void)
{
  if (getpid () != owner)
    return;
  foyer_test_pg_stop (TRUE, NULL);
  if (folder != NULL)
    remove_tree (folder);
  g_clear_pointer (&folder, g_free);
}

static gboolean
run_as_owner (const char *const *args, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) process = NULL;
  g_autofree char *err_text = NULL;

  add_user_switch (argv);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               error);
  if (process == NULL
      || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed: %s", args[0],
                   err_text != NULL ? err_text : "");
      return FALSE;
    }
  return TRUE;
}

static char *
admin_url (void)
{
  return g_strdup_printf ("postgresql:///postgres?host=%s&user=foyer", folder);
}

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGQUIT);
}

gboolean
foyer_test_pg_start (GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (NULL);
  g_autofree char *postgres = g_build_filename (bin_dir, "postgres", NULL);
  g_autofree char *data = g_build_filename (folder, "data", NULL);
  g_autofree char *sockets = g_strdup_printf ("unix_socket_directories=%s", folder);
  g_autofree char *url = admin_url ();
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  /* Durability comes from the OS here (no machine crash in a test), so
   * fsync is off and the suite fast; the benchmarks keep it on, as a
   * deployment does (foyer_test_pg_set_durable ()). */
  const char *settings[] = { "listen_addresses=",
                             durable ? "fsync=on" : "fsync=off",
                             durable ? "full_page_writes=on" : "full_page_writes=off",
                             "max_connections=200",
                             durable ? "shared_buffers=256MB" : "shared_buffers=32MB",
                             "log_min_messages=warning",
                             "deadlock_timeout=200ms",
                             NULL };

  add_user_switch (argv);
  g_ptr_array_add (argv, postgres);
  g_ptr_array_add (argv, (char *) "-D");
  g_ptr_array_add (argv, data);
  g_ptr_array_add (argv, (char *) "-c");
  g_ptr_array_add (argv, sockets);
  for (guint i = 0; settings[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, (char *) settings[i]);
    }
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  postmaster = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (postmaster == NULL)
    return FALSE;
  while (g_get_monotonic_time () < deadline)
    {
      if (PQping (url) == PQPING_OK)
        return TRUE;
      if (g_subprocess_get_identifier (postmaster) == NULL)
        break;
      g_usleep (20 * 1000);
    }
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "PostgreSQL did not start");
  return FALSE;
}

gboolean
foyer_test_pg_stop (gboolean immediate, GError **error)
{
  g_autoptr (GSubprocess) process = g_steal_pointer (&postmaster);

  if (process == NULL)
    return TRUE;
  /* SIGINT: fast shutdown (clients cut off, clean); SIGQUIT: immediate
   * (as a crash: recovery at the next start). */
  g_subprocess_send_signal (process, immediate ? SIGQUIT : SIGINT);
  return g_subprocess_wait (process, NULL, error);
}

const char *
foyer_test_pg_socket_dir (GError **error)
{
  g_autofree char *tmpl = NULL;
  g_autofree char *data = NULL;
  g_autofree char *initdb = NULL;
  struct passwd *nobody;

  if (folder != NULL && postmaster != NULL)
    return folder;
  if (find_bin_dir (error) == NULL)
    return NULL;
  if (folder != NULL)
    return foyer_test_pg_start (error) ? folder : NULL;

  /* Under /tmp, which nobody can traverse (a test's work folder is
   * root's alone). */
  tmpl = g_strdup ("/tmp/foyer-pg-XXXXXX");
  if (g_mkdtemp (tmpl) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot make a folder in /tmp");
      return NULL;
    }
  folder = g_steal_pointer (&tmpl);
  if (!cleanup_registered)
    {
      owner = getpid ();
      atexit (cleanup);
      cleanup_registered = TRUE;
    }
  if (geteuid () == 0 && (nobody = getpwnam ("nobody")) != NULL
      && chown (folder, nobody->pw_uid, nobody->pw_gid) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot give the folder away");
      return NULL;
    }
  data = g_build_filename (folder, "data", NULL);
  initdb = g_build_filename (bin_dir, "initdb", NULL);
  {
    const char *args[] = { initdb,      "-D",
                           data,        "-U",
                           "foyer",     "--auth=trust",
                           "--no-sync", "-E",
                           "UTF8",      "--locale=C.UTF-8",
                           NULL };

    if (!run_as_owner (args, error))
      return NULL;
  }
  return foyer_test_pg_start (error) ? folder : NULL;
}

static gboolean
exec_sql (const char *url, const char *sql, GString *out, GError **error)
{
  PGconn *conn = PQconnectdb (url);
  PGresult *result;
  gboolean ok;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQerrorMessage (conn));
      PQfinish (conn);
      return FALSE;
    }
  result = PQexec (conn, sql);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;
  if (!ok)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", PQresultErrorMessage (result));
  else if (out != NULL && PQresultStatus (result) == PGRES_TUPLES_OK)
    for (int row = 0; row < PQntuples (result); row++)
      {
        for (int col = 0; col < PQnfields (result); col++)
          g_string_append_printf (out, "%s%s", col > 0 ? "|" : "",
                                  PQgetisnull (result, row, col) ? ""
                                                                 : PQgetvalue (result, row, col));
        g_string_append_c (out, '\n');
      }
  PQclear (result);
  PQfinish (conn);
  return ok;
}

char *
foyer_test_pg_query (const char *url, const char *sql, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  if (!exec_sql (url, sql, out, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
foyer_test_pg_new_database (GError **error)
{
  g_autofree char *url = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *name = NULL;

  if (foyer_test_pg_socket_dir (error) == NULL)
    return NULL;
  url = admin_url ();
  name = g_strdup_printf ("test%u_%d", ++databases, (int) getpid ());
  sql = g_strdup_printf ("CREATE DATABASE %s", name);
  if (!exec_sql (url, sql, NULL, error))
    return NULL;
  return g_strdup_printf ("postgresql:///%s?host=%s&user=foyer", name, folder);
}

char *
foyer_test_pg_dump (const char *url, GError **error)
{
  g_autofree char *pg_dump = g_build_filename (bin_dir, "pg_dump", NULL);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) out = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              error, pg_dump, "--data-only", url, NULL);
  if (process == NULL || !g_subprocess_communicate (process, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "pg_dump failed");
      return NULL;
    }
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}
