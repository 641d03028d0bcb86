/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <openssl/crypto.h>
#include <string.h>
#include <sys/resource.h>

static int
fail (const char *message)
{
  g_printerr ("foyer-service: %s\n", message);
  return 1;
}

static int
fail_error (GError *error)
{
  return fail (error != NULL ? error->message : "failed");
}

static sqlite3 *
open_store (const char *data_dir, GError **error)
{
  if (data_dir == NULL)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "--data-dir is needed");
      return NULL;
    }
  return foyer_svc_store_open_conversation (data_dir, error);
}

static char *
read_password (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  char *password;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
    contents[--len] = '\0';
  if (len < 8 || !g_utf8_validate (contents, len, NULL) || strlen (contents) != len)
    {
      OPENSSL_cleanse (contents, len);
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "The password must be at least 8 characters of UTF-8 text");
      return NULL;
    }
  password = g_strdup (contents);
  OPENSSL_cleanse (contents, len);
  return password;
}

static int
user_add (const char *data_dir,
          const char *email,
          const char *name,
          const char *password_file,
          gboolean admin)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  g_autoptr (sqlite3_stmt) stmt = NULL;
  sqlite3 *db;

  if (email == NULL || name == NULL || password_file == NULL)
    return fail ("user add needs --email, --name and --password-file");
  if (strchr (email, '@') == NULL || strlen (email) > 320 || strlen (name) > 256
      || !g_utf8_validate (email, -1, NULL) || !g_utf8_validate (name, -1, NULL))
    return fail ("--email must be an e-mail address and --name at most 256 bytes of UTF-8");
  if (!(password = read_password (password_file, &error))
      || !(hash = foyer_svc_password_hash (password, &error)))
    return fail_error (error);
  OPENSSL_cleanse (password, strlen (password));
  if (!(db = open_store (data_dir, &error)))
    return fail_error (error);

  stmt = foyer_svc_store_prepare (db,
                                  "INSERT INTO persons (id, email, name, password_hash, is_admin,"
                                  " created) VALUES (?, ?, ?, ?, ?, ?)",
                                  &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, email, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, hash, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 5, admin ? 1 : 0);
      sqlite3_bind_int64 (stmt, 6, g_get_real_time () / 1000);
    }
  if (stmt == NULL || !foyer_svc_store_step_done (db, stmt, &error))
    {
      g_clear_pointer (&stmt, sqlite3_finalize);
      sqlite3_close (db);
      if (g_error_matches (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT))
        return fail ("A person with this e-mail address already exists");
      return fail_error (error);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_close (db);
  g_print ("%s\n", id);
  return 0;
}

/* The live account with this e-mail address, or NULL. */
static char *
find_person (sqlite3 *db, const char *email)
{
  g_autoptr (sqlite3_stmt) stmt = foyer_svc_store_prepare (
      db, "SELECT id FROM persons WHERE email = ? AND removed = 0", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static gboolean
set_disabled (sqlite3 *db, const char *person_id, gboolean disabled, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt
      = foyer_svc_store_prepare (db, "UPDATE persons SET disabled = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, disabled ? 1 : 0);
  sqlite3_bind_text (stmt, 2, person_id, -1, SQLITE_STATIC);
  return foyer_svc_store_step_done (db, stmt, error);
}

/* Leaves every space (the members hear of it), loses every KMS
 * authorization of a co-located KMS, can never sign in again; the name
 * stays, for the messages already written. */
static gboolean
remove_person (FoyerSvc *svc, const char *person_id, GError **error)
{
  g_autoptr (sqlite3_stmt) spaces = NULL;
  g_autoptr (sqlite3_stmt) tomb = NULL;
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *email = g_strdup_printf ("%s@removed.invalid", person_id);

  spaces = foyer_svc_store_prepare (svc->db, "SELECT space_id FROM members WHERE person_id = ?",
                                    error);
  if (spaces == NULL)
    return FALSE;
  sqlite3_bind_text (spaces, 1, person_id, -1, SQLITE_STATIC);
  while (sqlite3_step (spaces) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (spaces, 0)));

  tomb = foyer_svc_store_prepare (svc->db,
                                  "UPDATE persons SET removed = 1, disabled = 1, email = ?,"
                                  " password_hash = '' WHERE id = ?",
                                  error);
  if (tomb == NULL || !foyer_svc_begin (svc, error))
    return FALSE;
  sqlite3_bind_text (tomb, 1, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (tomb, 2, person_id, -1, SQLITE_STATIC);
  for (guint i = 0; i < ids->len; i++)
    if (!foyer_svc_member_remove (svc, g_ptr_array_index (ids, i), person_id, error))
      {
        foyer_svc_rollback (svc);
        return FALSE;
      }
  if (!foyer_svc_store_step_done (svc->db, tomb, error)
      || foyer_svc_sessions_revoke (svc->db, NULL, person_id, error) < 0
      || !foyer_svc_commit (svc, error))
    {
      foyer_svc_rollback (svc);
      return FALSE;
    }
  if (svc->kms_db != NULL)
    {
      g_autoptr (sqlite3_stmt) kms = foyer_svc_store_prepare (
          svc->kms_db, "DELETE FROM authorizations WHERE person_id = ?", error);

      if (kms == NULL)
        return FALSE;
      sqlite3_bind_text (kms, 1, person_id, -1, SQLITE_STATIC);
      return foyer_svc_store_step_done (svc->kms_db, kms, error);
    }
  return TRUE;
}

/* user disable|enable|remove|sign-out --email EMAIL: each ends every
 * session of the person but enable; a running service refuses their
 * tokens at once and closes their WebSockets within a second. */
static int
user_change (const char *data_dir, const char *action, const char *email)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *person = NULL;
  g_autofree char *kms_path = NULL;
  FoyerSvc svc = { 0 };
  int ended = 0;
  gboolean ok;

  if (email == NULL)
    return fail ("user disable, enable, remove and sign-out need --email");
  if (!(svc.db = open_store (data_dir, &error)))
    return fail_error (error);
  person = find_person (svc.db, email);
  if (person == NULL)
    {
      sqlite3_close (svc.db);
      return fail ("No account has this e-mail address");
    }
  kms_path = g_build_filename (data_dir, "kms.db", NULL);
  if (strcmp (action, "remove") == 0 && g_file_test (kms_path, G_FILE_TEST_EXISTS)
      && !(svc.kms_db = foyer_svc_store_open_kms (data_dir, &error)))
    {
      sqlite3_close (svc.db);
      return fail_error (error);
    }
  svc.sockets = g_ptr_array_new ();

  if (strcmp (action, "enable") == 0)
    ok = set_disabled (svc.db, person, FALSE, &error);
  else if (strcmp (action, "remove") == 0)
    ok = remove_person (&svc, person, &error);
  else
    ok = (strcmp (action, "sign-out") == 0 || set_disabled (svc.db, person, TRUE, &error))
         && (ended = foyer_svc_sessions_revoke (svc.db, NULL, person, &error)) >= 0;

  g_ptr_array_unref (svc.sockets);
  if (svc.kms_db != NULL)
    sqlite3_close (svc.kms_db);
  sqlite3_close (svc.db);
  if (!ok)
    return fail_error (error);
  if (strcmp (action, "enable") == 0)
    g_print ("%s can sign in again\n", email);
  else if (strcmp (action, "remove") == 0)
    g_print ("%s was removed: out of every space, signed out, and cannot sign in\n", email);
  else
    g_print ("%s%s; %d session%s ended\n", email,
             strcmp (action, "disable") == 0 ? " is disabled" : " is signed out everywhere", ended,
             ended == 1 ? "" : "s");
  return 0;
}

static int
user_list (const char *data_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  sqlite3 *db = open_store (data_dir, &error);

  if (db == NULL)
    return fail_error (error);
  stmt = foyer_svc_store_prepare (db,
                                  "SELECT id, email, name, is_admin, disabled FROM persons"
                                  " WHERE removed = 0 ORDER BY email",
                                  &error);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    g_print ("%s\t%s\t%s\t%s%s\n", sqlite3_column_text (stmt, 0), sqlite3_column_text (stmt, 1),
             sqlite3_column_text (stmt, 2), sqlite3_column_int (stmt, 3) ? "admin" : "member",
             sqlite3_column_int (stmt, 4) ? "\tdisabled" : "");
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_close (db);
  return 0;
}

static int
org_show (const char *data_dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *text = NULL;
  sqlite3 *db = open_store (data_dir, &error);

  if (db == NULL)
    return fail_error (error);
  settings = foyer_svc_org_settings_load (db);
  text = json_to_string (settings, TRUE);
  g_print ("%s\n", text);
  sqlite3_close (db);
  return 0;
}

static int
org_set (const char *data_dir, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  sqlite3 *db;
  gboolean ok;

  if (file == NULL)
    return fail ("org set needs --file settings.json");
  if (!g_file_get_contents (file, &contents, &len, &error)
      || !(parsed = foyer_svc_json_parse (contents, len, &error))
      || !(settings = foyer_svc_org_settings_validate (parsed, &error)))
    return fail_error (error);
  if (!(db = open_store (data_dir, &error)))
    return fail_error (error);
  ok = foyer_svc_org_settings_store (db, settings, &error);
  sqlite3_close (db);
  return ok ? 0 : fail_error (error);
}

/* kms rotate-master-key | kms rewrap: online, while `serve` runs. */
static int
kms_rotate (const char *data_dir, const FoyerSvcOptions *options, gboolean make_new)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSvcMasterKeys) keys = NULL;
  g_autofree char *kms_path = NULL;
  g_autofree char *id = NULL;
  sqlite3 *kms_db;
  int done;

  if (data_dir == NULL)
    return fail ("--data-dir is needed");
  kms_path = g_build_filename (data_dir, "kms.db", NULL);
  if (!g_file_test (kms_path, G_FILE_TEST_EXISTS))
    return fail ("This data folder has no KMS (kms.db)");
  if (!(kms_db = foyer_svc_store_open_kms (data_dir, &error)))
    return fail_error (error);
  keys = foyer_svc_master_keys_open (data_dir, options->key_dir, options->master_key_file, kms_db,
                                     &error);
  done = keys != NULL ? foyer_svc_master_rotate (keys, kms_db, make_new, &id, &error) : -1;
  sqlite3_close (kms_db);
  if (done < 0)
    return fail_error (error);
  g_print ("%d key%s re-wrapped under the master key %s (from %s)%s\n", done, done == 1 ? "" : "s",
           id, foyer_svc_master_keys_describe (keys),
           make_new ? "; the old master key was removed from it: back up the new one" : "");
  return 0;
}

/* Every WebSocket client holds a descriptor: allow as many as the system
 * lets this process have. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static int
serve (const char *data_dir, FoyerSvcOptions *options)
{
  g_autoptr (GError) error = NULL;
  FoyerSvc *svc;
  int status;

  raise_fd_limit ();
  if (options->synchronous != NULL && strcmp (options->synchronous, "full") != 0
      && strcmp (options->synchronous, "normal") != 0)
    return fail ("--synchronous is full or normal");
  if (options->max_database_mib < 0)
    return fail ("--max-database-size wants a size in MiB");
  foyer_svc_store_configure (g_strcmp0 (options->synchronous, "normal") != 0,
                             options->max_database_mib * 1024 * 1024);
  if (options->token_lifetime != 0
      && (options->token_lifetime < FOYER_SVC_TOKEN_MIN_LIFETIME
          || options->token_lifetime > FOYER_SVC_TOKEN_MAX_LIFETIME))
    return fail ("--token-lifetime must be between 60 and 43200 seconds");
  options->data_dir = data_dir;
  if (options->listen == NULL)
    options->listen = "127.0.0.1:8080";
  svc = foyer_svc_new (options, &error);
  if (svc == NULL)
    return fail_error (error);
  status = foyer_svc_run (svc);
  foyer_svc_free (svc);
  return status;
}

static const char usage[]
    = "Usage:\n"
      "  foyer-service serve --data-dir DIR --listen ADDR:PORT [--roles conversation,kms]\n"
      "                [--tls-cert FILE --tls-key FILE] [--kms-url URL] [--kms-name NAME]\n"
      "                [--token-public-key FILE] [--token-lifetime SECONDS]\n"
      "                [--key-dir DIR] [--master-key-file FILE]\n"
      "                [--synchronous full|normal] [--max-database-size MIB]\n"
      "  foyer-service user add --data-dir DIR --email EMAIL --name NAME --password-file FILE "
      "[--admin]\n"
      "  foyer-service user list --data-dir DIR\n"
      "  foyer-service user disable|enable|remove|sign-out --data-dir DIR --email EMAIL\n"
      "  foyer-service kms rotate-master-key|rewrap --data-dir DIR [--key-dir DIR]\n"
      "                [--master-key-file FILE]\n"
      "  foyer-service org show --data-dir DIR\n"
      "  foyer-service org set --data-dir DIR --file settings.json\n";

int
foyer_svc_cli_main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *email = NULL;
  g_autofree char *name = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *file = NULL;
  gboolean admin = FALSE;
  FoyerSvcOptions options = { 0 };
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Data directory", "DIR" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &options.listen, "Address and port", "ADDR:PORT" },
    { "roles", 0, 0, G_OPTION_ARG_STRING, &options.roles, "conversation,kms", "ROLES" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_cert, "TLS certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key, "TLS private key", "FILE" },
    { "kms-url", 0, 0, G_OPTION_ARG_STRING, &options.kms_url, "URL of a separate KMS", "URL" },
    { "kms-name", 0, 0, G_OPTION_ARG_STRING, &options.kms_name, "Authority of key URIs", "NAME" },
    { "token-public-key", 0, 0, G_OPTION_ARG_FILENAME, &options.token_public_key,
      "JWK or service.json of the conversation service (KMS alone)", "FILE" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT64, &options.token_lifetime,
      "How long a sign-in lasts (60 to 43200 s; default 43200)", "SECONDS" },
    { "synchronous", 0, 0, G_OPTION_ARG_STRING, &options.synchronous,
      "full (default): every acknowledged write is on disk; normal: faster, a power cut may "
      "lose the last ones",
      "full|normal" },
    { "max-database-size", 0, 0, G_OPTION_ARG_INT64, &options.max_database_mib,
      "Refuse writes (507) once a database reaches this size", "MIB" },
    { "key-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.key_dir,
      "Folder of the service's keys, outside the data folder (default: DATA-DIR.keys)", "DIR" },
    { "master-key-file", 0, 0, G_OPTION_ARG_FILENAME, &options.master_key_file,
      "File with the KMS master key(s), outside the data folder", "FILE" },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, "E-mail address", "EMAIL" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "File with the password",
      "FILE" },
    { "admin", 0, 0, G_OPTION_ARG_NONE, &admin, "Make an administrator", NULL },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "Settings file", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("COMMAND");
  g_autoptr (GError) error = NULL;
  const char *command, *sub;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, usage);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return fail_error (error);

  command = argc > 1 ? argv[1] : "";
  sub = argc > 2 ? argv[2] : "";
  if (strcmp (command, "serve") == 0 && argc == 2)
    status = serve (data_dir, &options);
  else if (strcmp (command, "user") == 0 && strcmp (sub, "add") == 0 && argc == 3)
    status = user_add (data_dir, email, name, password_file, admin);
  else if (strcmp (command, "user") == 0 && strcmp (sub, "list") == 0 && argc == 3)
    status = user_list (data_dir);
  else if (strcmp (command, "user") == 0 && argc == 3
           && (strcmp (sub, "disable") == 0 || strcmp (sub, "enable") == 0
               || strcmp (sub, "remove") == 0 || strcmp (sub, "sign-out") == 0))
    status = user_change (data_dir, sub, email);
  else if (strcmp (command, "kms") == 0 && strcmp (sub, "rotate-master-key") == 0 && argc == 3)
    status = kms_rotate (data_dir, &options, TRUE);
  else if (strcmp (command, "kms") == 0 && strcmp (sub, "rewrap") == 0 && argc == 3)
    status = kms_rotate (data_dir, &options, FALSE);
  else if (strcmp (command, "org") == 0 && strcmp (sub, "show") == 0 && argc == 3)
    status = org_show (data_dir);
  else if (strcmp (command, "org") == 0 && strcmp (sub, "set") == 0 && argc == 3)
    status = org_set (data_dir, file);
  else
    {
      g_printerr ("%s", usage);
      status = 2;
    }

  g_free ((char *) options.listen);
  g_free ((char *) options.roles);
  g_free ((char *) options.tls_cert);
  g_free ((char *) options.tls_key);
  g_free ((char *) options.kms_url);
  g_free ((char *) options.kms_name);
  g_free ((char *) options.token_public_key);
  g_free ((char *) options.key_dir);
  g_free ((char *) options.master_key_file);
  g_free ((char *) options.synchronous);
  return status;
}
