/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Issue #10's acceptance test, end to end: two people, each in a Foyer of
 * their own (e2e-member, one process apiece with its own window, web
 * session, store, keyring items and XDG folders; they share only the
 * display, the bus and the servers), against foyer-ms-sandbox and
 * foyer-service on loopback.
 *
 * Alice and Bob sign in and connect Microsoft through the sandbox's sign-in
 * form; Alice shares a document into a space through Attach file and the
 * picker; Bob's window shows the tile and its thumbnail, fetched with his
 * own token; Bob opens it and sees the document as himself without a second
 * sign-in; foyer-service keeps none of it in plaintext. Every step leaves a
 * PNG in <build>/test-screenshots/e2e-*.png.
 *
 * This program only coordinates: it sends each member one command a line
 * and waits for its answer (see e2e-member.c).
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "foyer-test-org.h"
#include "foyer-test-pg.h"
#include "foyer-test-sandbox.h"
#include "foyer-test-util.h"
#include "foyer-test-service.h"

/* A member gives up on a step after 30 s and says why; this is for a
 * member that hangs or dies. */
#define ANSWER_TIMEOUT_MS 90000
#define EXIT_TIMEOUT_MS   20000

#define SPACE_TITLE    "Planning"
#define FOLDER         "Documents"
#define DOCUMENT_TITLE "Quarterly report.docx"

typedef struct
{
  char *role;
  GSubprocess *process;
  GOutputStream *commands;
  GDataInputStream *answers;
} Member;

static GPtrArray *members;

static void
member_free (Member *member)
{
  if (member->process != NULL && g_subprocess_get_identifier (member->process) != NULL)
    {
      g_subprocess_force_exit (member->process);
      g_subprocess_wait (member->process, NULL, NULL);
    }
  g_clear_object (&member->answers);
  g_clear_object (&member->process);
  g_free (member->role);
  g_free (member);
}

/* Stops every member at once, so a failure leaves no app running. */
static void G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) fail (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_clear_pointer (&members, g_ptr_array_unref);
  g_error ("%s", message);
}

/* Were this test to die, its members die with it (they would otherwise
 * hold the test's stderr open). */
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static char *
exit_text (GSubprocess *process)
{
  g_subprocess_wait (process, NULL, NULL);
  if (g_subprocess_get_if_signaled (process))
    return g_strdup_printf ("killed by signal %d", g_subprocess_get_term_sig (process));
  return g_strdup_printf ("exit status %d", g_subprocess_get_exit_status (process));
}

/* Waits for the member's answer to `what`; returns the words after "ok". */
static GStrv
member_expect (Member *member, const char *what)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *words = NULL;
  FoyerTestLine read = { NULL };
  guint timeout = g_timeout_add (ANSWER_TIMEOUT_MS, cancel_cb, cancellable);
  char **argv = NULL;

  g_data_input_stream_read_line_async (member->answers, G_PRIORITY_DEFAULT, cancellable,
                                       foyer_test_line_cb, &read);
  while (!read.done)
    g_main_context_iteration (NULL, TRUE);
  if (!g_cancellable_is_cancelled (cancellable))
    g_source_remove (timeout);

  if (read.line == NULL && g_cancellable_is_cancelled (cancellable))
    fail ("%s did not answer \"%s\" within %d s", member->role, what, ANSWER_TIMEOUT_MS / 1000);
  if (read.line == NULL)
    {
      g_autofree char *status = exit_text (member->process);

      fail ("%s stopped during \"%s\" (%s; its log is above)", member->role, what, status);
    }
  g_test_message ("%s: %s", member->role, read.line);
  if (!g_str_equal (read.line, "ok") && !g_str_has_prefix (read.line, "ok "))
    fail ("%s could not %s: %s", member->role, what, read.line);

  words = g_strdup (read.line + 2);
  g_free (read.line);
  g_strstrip (words);
  if (*words == '\0')
    return g_new0 (char *, 1);
  if (!g_shell_parse_argv (words, NULL, &argv, NULL))
    fail ("%s answered \"%s\" with words that cannot be read: %s", member->role, what, words);
  return argv;
}

/* Sends a command: shell-quoted words on one line. */
static void
member_send (Member *member, const char *const *words)
{
  g_autoptr (GString) line = g_string_new (NULL);
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; words[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (words[i]);

      g_string_append_printf (line, "%s%s", i > 0 ? " " : "", quoted);
    }
  g_string_append_c (line, '\n');
  g_test_message ("%s <- %s", member->role, words[0]);
  if (!g_output_stream_write_all (member->commands, line->str, line->len, NULL, NULL, &error))
    fail ("%s does not listen: %s", member->role, error->message);
}

#define SEND(member, ...) member_send (member, (const char *const[]){ __VA_ARGS__, NULL })

static Member *
member_start (const char *role, const char *service_url, const char *cloud_path)
{
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *home = NULL;
  g_autoptr (GError) error = NULL;
  const char *const dirs[][2] = { { "XDG_DATA_HOME", "data" },
                                  { "XDG_CONFIG_HOME", "config" },
                                  { "XDG_CACHE_HOME", "cache" } };
  Member *member = g_new0 (Member, 1);

  member->role = g_strdup (role);
  g_ptr_array_add (members, member);

  /* Folders of its own: nothing on disk is shared between the two. */
  home = g_build_filename (work, "e2e", role, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (home, dirs[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, dirs[i][0], dir, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "HOME", home, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);

  member->process
      = g_subprocess_launcher_spawn (launcher, &error, E2E_MEMBER_PATH, "--role", role, "--service",
                                     service_url, "--cloud", cloud_path, NULL);
  g_assert_no_error (error);
  member->commands = g_subprocess_get_stdin_pipe (member->process);
  member->answers = g_data_input_stream_new (g_subprocess_get_stdout_pipe (member->process));
  return member;
}

static void
wait_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Asks the member to quit and checks that it closes cleanly. */
static void
member_quit (Member *member)
{
  g_auto (GStrv) bye = NULL;
  gboolean exited = FALSE, late = FALSE;
  guint timeout;

  SEND (member, "quit");
  g_strfreev (member_expect (member, "quit"));
  bye = member_expect (member, "close");
  g_assert_cmpstr (bye[0], ==, "bye");
  g_output_stream_close (member->commands, NULL, NULL);

  timeout = g_timeout_add (EXIT_TIMEOUT_MS, flag_cb, &late);
  g_subprocess_wait_async (member->process, NULL, wait_cb, &exited);
  while (!exited && !late)
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (timeout);
  if (!exited)
    fail ("%s did not exit within %d s of quitting", member->role, EXIT_TIMEOUT_MS / 1000);
  if (!g_subprocess_get_successful (member->process))
    {
      g_autofree char *status = exit_text (member->process);

      fail ("%s did not exit cleanly (%s)", member->role, status);
    }
}

/* The sandbox's request log entries whose method matches and whose path
 * contains every part. */
static GPtrArray *
sandbox_requests (FoyerTestSandbox *sandbox, const char *method, const char *const *parts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      const char *path = json_object_get_string_member_with_default (entry, "path", "");
      gboolean match = g_strcmp0 (json_object_get_string_member (entry, "method"), method) == 0;

      for (gsize p = 0; match && parts[p] != NULL; p++)
        match = strstr (path, parts[p]) != NULL;
      if (match)
        g_ptr_array_add (found, json_object_ref (entry));
    }
  return found;
}

static const char *
entry_user (JsonObject *entry)
{
  JsonNode *user = json_object_get_member (entry, "user");

  return user != NULL && JSON_NODE_HOLDS_VALUE (user) ? json_node_get_string (user) : NULL;
}

/* Two nodes of one deployment on a real PostgreSQL (issue #17): the same
 * database and keys (made as an operator makes them), alice and bob seeded
 * through the first. */
static void
start_two_nodes (FoyerTestService **out_a, FoyerTestService **out_b, char **out_key_parent)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *database = foyer_test_pg_new_database (&error);
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *tmpl = g_build_filename (work, "e2e-keys-XXXXXX", NULL);
  char *parent = g_mkdtemp (g_steal_pointer (&tmpl));
  g_autofree char *key_dir = g_build_filename (parent, "keys", NULL);
  const char *generate[]
      = { foyer_test_service_get_executable (), "keys", "generate", "--key-dir", key_dir, NULL };
  g_autoptr (GSubprocess) process = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (parent);
  process = g_subprocess_newv (generate, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  *out_a = foyer_test_service_new_node (database, key_dir, NULL, &error);
  g_assert_no_error (error);
  *out_b = foyer_test_service_new_node (database, key_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (foyer_test_service_add_user (*out_a, FOYER_TEST_ALICE_EMAIL, "Alice Martin",
                                              FOYER_TEST_ALICE_PASSWORD, TRUE, &error));
  g_assert_true (foyer_test_service_add_user (*out_a, FOYER_TEST_BOB_EMAIL, "Bob Durand",
                                              FOYER_TEST_BOB_PASSWORD, FALSE, &error));
  g_assert_no_error (error);
  *out_key_parent = parent;
}

static void
share_between_two_apps (gboolean two_nodes)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = NULL;
  g_autoptr (FoyerTestService) service = NULL;
  g_autoptr (FoyerTestService) other_node = NULL;
  g_autofree char *key_parent = NULL;
  g_autoptr (GPtrArray) thumbnails = NULL;
  g_autoptr (GPtrArray) links = NULL;
  g_autoptr (GPtrArray) logins = NULL;
  g_auto (GStrv) space = NULL;
  g_auto (GStrv) title = NULL;
  g_auto (GStrv) tile = NULL;
  const char *service_url;
  const char *cloud_path;
  Member *alice, *bob;
  gboolean bob_fetched = FALSE;
  gint64 start = g_get_monotonic_time ();

  /* Two apps need a display, a bus and an unlocked keyring to share, and
   * a fresh folder to keep their own folders in. */
  if (g_getenv ("FOYER_TEST_WORKDIR") == NULL)
    {
      g_test_skip ("runs only under tests/headless-run (meson test --setup headless e2e)");
      return;
    }

  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  if (two_nodes)
    start_two_nodes (&service, &other_node, &key_parent);
  else
    service = foyer_test_service_new ();
  g_assert_nonnull (service);
  foyer_test_enable_microsoft (service, sandbox, "embedded");
  service_url = foyer_test_service_get_base_url (service);
  cloud_path = foyer_test_sandbox_get_cloud_path (sandbox);

  /* On two nodes, Bob's app talks to the other one: his token, the space,
   * the KMS key and the live events all cross through the database. */
  members = g_ptr_array_new_with_free_func ((GDestroyNotify) member_free);
  alice = member_start ("alice", service_url, cloud_path);
  bob = member_start ("bob", two_nodes ? foyer_test_service_get_base_url (other_node) : service_url,
                      cloud_path);
  g_strfreev (member_expect (alice, "start"));
  g_strfreev (member_expect (bob, "start"));

  /* 1. Each signs in to Foyer, then connects Microsoft in the embedded
   * sign-in with the sandbox's form. */
  SEND (alice, "sign-in", FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  SEND (bob, "sign-in", FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_strfreev (member_expect (alice, "sign in to Foyer"));
  g_strfreev (member_expect (bob, "sign in to Foyer"));
  SEND (alice, "connect", "alice@contoso.example",
        foyer_test_sandbox_get_user_password (sandbox, "alice@contoso.example"));
  SEND (bob, "connect", "bob@contoso.example",
        foyer_test_sandbox_get_user_password (sandbox, "bob@contoso.example"));
  g_strfreev (member_expect (alice, "connect Microsoft"));
  g_strfreev (member_expect (bob, "connect Microsoft"));
  /* From here on, no one may be asked for a password again. */
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  /* 2. Alice makes a space with Bob, and Bob sees it in his window. */
  SEND (alice, "create-space", SPACE_TITLE, FOYER_TEST_BOB_EMAIL);
  space = member_expect (alice, "create a space");
  g_assert_cmpuint (g_strv_length (space), ==, 1);
  SEND (bob, "open-space", space[0]);
  title = member_expect (bob, "open the space");
  g_assert_cmpstr (title[0], ==, SPACE_TITLE);

  /* Attach file, into the folder, the document, View for the organization,
   * Share: the picker's widgets, the window's share handler. */
  SEND (alice, "share", FOLDER, DOCUMENT_TITLE);
  g_strfreev (member_expect (alice, "share the document"));
  links = sandbox_requests (sandbox, "POST", (const char *const[]){ "/createLink", NULL });
  g_assert_cmpuint (links->len, ==, 1);
  g_assert_cmpstr (entry_user (g_ptr_array_index (links, 0)), ==, "alice@contoso.example");

  /* 3. Bob's window shows the tile and its thumbnail, which his app asked
   * Graph's shares API for with his own token. */
  SEND (bob, "wait-tile", DOCUMENT_TITLE);
  tile = member_expect (bob, "show the document's tile");
  g_assert_cmpuint (g_strv_length (tile), ==, 6);
  g_assert_cmpstr (tile[1], ==,
                   foyer_test_sandbox_get_user_drive_id (sandbox, "alice@contoso.example"));
  g_assert_cmpstr (tile[3], ==, "view");
  g_assert_cmpstr (tile[4], ==, "organization");
  g_assert_cmpstr (tile[5], ==, "Alice Martin");
  thumbnails
      = sandbox_requests (sandbox, "GET", (const char *const[]){ "/shares/", "thumbnails", NULL });
  for (guint i = 0; i < thumbnails->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (thumbnails, i);
      const char *user = entry_user (entry);

      g_test_message ("thumbnail %s for %s: %d", json_object_get_string_member (entry, "path"),
                      user, (int) json_object_get_int_member (entry, "status"));
      g_assert_nonnull (user);
      if (g_str_equal (user, "bob@contoso.example")
          && json_object_get_int_member (entry, "status") < 400)
        bob_fetched = TRUE;
      else
        g_assert_cmpstr (user, ==, "alice@contoso.example");
    }
  g_assert_true (bob_fetched);

  /* 4. Bob opens it: the viewer shows the document as Bob, with the
   * session of his own embedded sign-in, and no form asked for a password. */
  SEND (bob, "open", DOCUMENT_TITLE);
  g_strfreev (member_expect (bob, "open the document"));
  logins = sandbox_requests (sandbox, "POST", (const char *const[]){ "/login", NULL });
  g_assert_cmpuint (logins->len, ==, 0);

  /* 5. Foyer's service holds none of it in plaintext, in its database or
   * its log (on two nodes: both nodes' folders, the keys, and every file
   * of the PostgreSQL server). */
  {
    const char *dirs[] = { foyer_test_service_get_data_dir (service),
                           two_nodes ? foyer_test_service_get_data_dir (other_node) : NULL,
                           key_parent, two_nodes ? foyer_test_pg_socket_dir (NULL) : NULL };
    const char *const secrets[]
        = { DOCUMENT_TITLE, "Quarterly", SPACE_TITLE, tile[0], tile[1], tile[2] };

    for (gsize d = 0; d < G_N_ELEMENTS (dirs); d++)
      for (gsize i = 0; dirs[d] != NULL && i < G_N_ELEMENTS (secrets); i++)
        if (foyer_test_tree_contains (dirs[d], secrets[i]))
          fail ("foyer-service keeps \"%s\" in plaintext in %s", secrets[i], dirs[d]);
  }

  member_quit (alice);
  member_quit (bob);
  g_clear_pointer (&members, g_ptr_array_unref);
  g_assert_true (foyer_test_service_stop (service));
  if (other_node != NULL)
    g_assert_true (foyer_test_service_stop (other_node));
  g_assert_true (foyer_test_sandbox_stop (sandbox));
  g_test_message ("the whole story took %.1f s",
                  (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

static void
test_share_between_two_apps (void)
{
  share_between_two_apps (FALSE);
}

/* The same story with Alice and Bob on different nodes of one PostgreSQL. */
static void
test_share_across_nodes (void)
{
  if (g_getenv ("FOYER_TEST_WORKDIR") != NULL && !foyer_test_pg_available ())
    {
      g_test_skip ("PostgreSQL is not installed (Debian: postgresql)");
      return;
    }
  share_between_two_apps (TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/e2e/share-between-two-apps", test_share_between_two_apps);
  g_test_add_func ("/e2e/share-across-nodes", test_share_across_nodes);
  return g_test_run ();
}
