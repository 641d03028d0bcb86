/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service's command line: serve, and the administrator's commands,
 * which work on the same database while `serve` runs (SQLite: the data
 * folder; PostgreSQL: --database URL, any node's view of it).
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>
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

/* The database the command works on: --database, else the data folder. */
typedef struct
{
  const char *data_dir;
  const char *database;
  const char *key_dir;
  const char *master_key_file;
  const char *token_key_file;
} Target;

static char *
target_url (const Target *target, GError **error)
{
  if (target->database != NULL)
    return g_strdup (target->database);
  if (target->data_dir != NULL)
    return foyer_svc_db_url_for_dir (target->data_dir);
  g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                       "--data-dir or --database is needed");
  return NULL;
}

/* One part (SQLite: its file); PostgreSQL holds both in one database. */
static FoyerSvcDb *
open_part (const Target *target, FoyerSvcPart part, gboolean create_org, GError **error)
{
  FoyerSvcDbOptions options = { TRUE, 0, TRUE, create_org };
  g_autofree char *url = target_url (target, error);

  if (url == NULL)
    return NULL;
  return foyer_svc_db_open (url, part, &options, error);
}

static FoyerSvcDb *
open_store (const Target *target, GError **error)
{
  return open_part (target, FOYER_SVC_PART_CONVERSATION, TRUE, error);
}

/* The KMS part when there is one: a SQLite data folder may hold none. */
static FoyerSvcDb *
open_kms_if_any (const Target *target, GError **error)
{
  if (target->database == NULL)
    {
      g_autofree char *kms_path = g_build_filename (target->data_dir, "kms.db", NULL);

      if (!g_file_test (kms_path, G_FILE_TEST_EXISTS))
        return NULL;
    }
  return open_part (target, FOYER_SVC_PART_KMS, FALSE, error);
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
user_add (const Target *target,
          const char *email,
          const char *name,
          const char *password_file,
          gboolean admin)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *password = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *id = foyer_svc_new_id ();
  FoyerSvcDb *db;
  gboolean ok;

  if (email == NULL || name == NULL || password_file == NULL)
    return fail ("user add needs --email, --name and --password-file");
  if (strchr (email, '@') == NULL || strlen (email) > 320 || strlen (name) > 256
      || !g_utf8_validate (email, -1, NULL) || !g_utf8_validate (name, -1, NULL))
    return fail ("--email must be an e-mail address and --name at most 256 bytes of UTF-8");
  if (!(password = read_password (password_file, &error))
      || !(hash = foyer_svc_password_hash (password, &error)))
    return fail_error (error);
  OPENSSL_cleanse (password, strlen (password));
  if (!(db = open_store (target, &error)))
    return fail_error (error);
  ok = foyer_svc_db_person_insert (db, id, email, name, hash, admin, &error);
  foyer_svc_db_close (db);
  if (!ok)
    {
      if (g_error_matches (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_CONFLICT))
        return fail ("A person with this e-mail address already exists");
      return fail_error (error);
    }
  g_print ("%s\n", id);
  return 0;
}

/* The live account with this e-mail address, or NULL. */
static char *
find_person (FoyerSvcDb *db, const char *email, GError **error)
{
  g_autoptr (GPtrArray) people = foyer_svc_db_people_by_email (db, email, error);

  for (guint i = 0; people != NULL && i < people->len; i++)
    {
      FoyerSvcPerson *person = g_ptr_array_index (people, i);

      if (!person->removed)
        return g_strdup (person->id);
    }
  return NULL;
}

/* Leaves every space (the members hear of it), loses every KMS
 * authorization of a co-located KMS, can never sign in again; the name
 * stays, for the messages already written. */
static gboolean
remove_person (FoyerSvcDb *db, FoyerSvcDb *kms_db, const char *person_id, GError **error)
{
  g_autoptr (GPtrArray) ids = NULL;

  if (!foyer_svc_begin (db, error))
    return FALSE;
  /* In the order of their ids, as the service's nodes lock spaces. */
  if ((ids = foyer_svc_db_person_space_ids (db, person_id, error)) == NULL)
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  for (guint i = 0; i < ids->len; i++)
    if (!foyer_svc_member_remove (db, g_ptr_array_index (ids, i), person_id, error))
      {
        foyer_svc_rollback (db);
        return FALSE;
      }
  if (!foyer_svc_db_person_tombstone (db, person_id, error)
      || foyer_svc_db_sessions_revoke (db, NULL, person_id, error) < 0
      || !foyer_svc_db_announce_sessions_ended (db, NULL, person_id, error)
      || !foyer_svc_commit (db, error))
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  return kms_db == NULL || foyer_svc_db_kms_deauthorize_everywhere (kms_db, person_id, error);
}

static gboolean
end_sessions (FoyerSvcDb *db, const char *person_id, gboolean disable, int *ended, GError **error)
{
  if (!foyer_svc_begin (db, error))
    return FALSE;
  if ((disable && !foyer_svc_db_person_set_disabled (db, person_id, TRUE, error))
      || (*ended = foyer_svc_db_sessions_revoke (db, NULL, person_id, error)) < 0
      || !foyer_svc_db_announce_sessions_ended (db, NULL, person_id, error)
      || !foyer_svc_commit (db, error))
    {
      foyer_svc_rollback (db);
      return FALSE;
    }
  return TRUE;
}

/* user disable|enable|remove|sign-out --email EMAIL: each ends every
 * session of the person but enable; the running service refuses their
 * tokens at once and closes their WebSockets within a second (SQLite) or
 * at once on every node (PostgreSQL's NOTIFY). */
static int
user_change (const Target *target, const char *action, const char *email)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *person = NULL;
  FoyerSvcDb *db, *kms_db = NULL;
  int ended = 0;
  gboolean ok;

  if (email == NULL)
    return fail ("user disable, enable, remove and sign-out need --email");
  if (!(db = open_store (target, &error)))
    return fail_error (error);
  person = find_person (db, email, &error);
  if (person == NULL)
    {
      foyer_svc_db_close (db);
      return error != NULL ? fail_error (error) : fail ("No account has this e-mail address");
    }
  if (strcmp (action, "remove") == 0 && (kms_db = open_kms_if_any (target, &error)) == NULL
      && error != NULL)
    {
      foyer_svc_db_close (db);
      return fail_error (error);
    }

  if (strcmp (action, "enable") == 0)
    ok = foyer_svc_db_person_set_disabled (db, person, FALSE, &error);
  else if (strcmp (action, "remove") == 0)
    ok = remove_person (db, kms_db, person, &error);
  else
    ok = end_sessions (db, person, strcmp (action, "disable") == 0, &ended, &error);

  foyer_svc_db_close (kms_db);
  foyer_svc_db_close (db);
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
user_list (const Target *target)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) people = NULL;
  FoyerSvcDb *db = open_store (target, &error);

  if (db == NULL)
    return fail_error (error);
  people = foyer_svc_db_people_list (db, &error);
  foyer_svc_db_close (db);
  if (people == NULL)
    return fail_error (error);
  for (guint i = 0; i < people->len; i++)
    {
      FoyerSvcPerson *person = g_ptr_array_index (people, i);

      g_print ("%s\t%s\t%s\t%s%s\n", person->id, person->email, person->name,
               person->is_admin ? "admin" : "member", person->disabled ? "\tdisabled" : "");
    }
  return 0;
}

static int
org_show (const Target *target)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *text = NULL;
  FoyerSvcDb *db = open_store (target, &error);

  if (db == NULL)
    return fail_error (error);
  settings = foyer_svc_org_settings_load (db, &error);
  foyer_svc_db_close (db);
  if (settings == NULL)
    return fail_error (error);
  text = json_to_string (settings, TRUE);
  g_print ("%s\n", text);
  return 0;
}

static int
org_set (const Target *target, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) parsed = NULL;
  g_autoptr (JsonNode) settings = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  FoyerSvcDb *db;
  gboolean ok;

  if (file == NULL)
    return fail ("org set needs --file settings.json");
  if (!g_file_get_contents (file, &contents, &len, &error)
      || !(parsed = foyer_svc_json_parse (contents, len, &error))
      || !(settings = foyer_svc_org_settings_validate (parsed, &error)))
    return fail_error (error);
  if (!(db = open_store (target, &error)))
    return fail_error (error);
  ok = foyer_svc_org_settings_store (db, settings, &error);
  foyer_svc_db_close (db);
  return ok ? 0 : fail_error (error);
}

/* kms rotate-master-key | kms rewrap: online, while `serve` runs. */
static int
kms_rotate (const Target *target, gboolean make_new)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSvcMasterKeys) keys = NULL;
  g_autofree char *id = NULL;
  FoyerSvcDb *kms_db;
  int done;

  if (target->data_dir == NULL && target->database == NULL)
    return fail ("--data-dir or --database is needed");
  if (!(kms_db = open_kms_if_any (target, &error)))
    return error != NULL ? fail_error (error) : fail ("This data folder has no KMS (kms.db)");
  keys = foyer_svc_master_keys_open (target->data_dir, target->key_dir, target->master_key_file,
                                     kms_db, FALSE, &error);
  done = keys != NULL ? foyer_svc_master_rotate (keys, kms_db, make_new, &id, &error) : -1;
  foyer_svc_db_close (kms_db);
  if (done < 0)
    return fail_error (error);
  g_print ("%d key%s re-wrapped under the master key %s (from %s)%s\n", done, done == 1 ? "" : "s",
           id, foyer_svc_master_keys_describe (keys),
           make_new ? "; the old master key was removed from it: back up the new one" : "");
  return 0;
}

/* migrate: brings the database's schema to this build's, under a lock
 * (also done by `serve` at start); says where it stands. */
static int
migrate (const Target *target)
{
  g_autoptr (GError) error = NULL;
  FoyerSvcDb *db, *kms_db = NULL;
  g_autofree char *url = target_url (target, &error);
  g_autofree char *described = NULL;

  if (url == NULL)
    return fail_error (error);
  described = foyer_svc_db_url_describe (url);
  if (foyer_svc_db_url_is_postgresql (url))
    {
      FoyerSvcDbOptions options = { TRUE, 0, TRUE, TRUE };

      if (!(db = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION | FOYER_SVC_PART_KMS, &options,
                                    &error)))
        return fail_error (error);
    }
  else if (!(db = open_store (target, &error))
           || !(kms_db = open_part (target, FOYER_SVC_PART_KMS, FALSE, &error)))
    {
      foyer_svc_db_close (db);
      return fail_error (error);
    }
  g_print ("%s: conversation schema %d, KMS schema %d (this foyer-service: %d, %d)\n", described,
           foyer_svc_db_schema_version (db, FOYER_SVC_PART_CONVERSATION),
           foyer_svc_db_schema_version (kms_db != NULL ? kms_db : db, FOYER_SVC_PART_KMS),
           FOYER_SVC_CONVERSATION_SCHEMA, FOYER_SVC_KMS_SCHEMA);
  foyer_svc_db_close (kms_db);
  foyer_svc_db_close (db);
  return 0;
}

/* The databases of a target: SQLite has two files (either may be absent
 * for an export), PostgreSQL one database for both parts. */
static gboolean
open_both (const Target *target,
           gboolean create,
           FoyerSvcDb **out_conversation,
           FoyerSvcDb **out_kms,
           GError **error)
{
  g_autofree char *url = target_url (target, error);
  FoyerSvcDbOptions options = { TRUE, 0, TRUE, FALSE };

  *out_conversation = *out_kms = NULL;
  if (url == NULL)
    return FALSE;
  if (foyer_svc_db_url_is_postgresql (url))
    {
      *out_conversation = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION | FOYER_SVC_PART_KMS,
                                             &options, error);
      *out_kms = *out_conversation;
      return *out_conversation != NULL;
    }
  if (!create)
    {
      g_autofree char *conversation = g_build_filename (target->data_dir, "conversation.db", NULL);
      g_autofree char *kms = g_build_filename (target->data_dir, "kms.db", NULL);

      if (!g_file_test (conversation, G_FILE_TEST_EXISTS) && !g_file_test (kms, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_NOT_FOUND,
                       "%s holds no database of foyer-service", target->data_dir);
          return FALSE;
        }
      if (g_file_test (conversation, G_FILE_TEST_EXISTS)
          && !(*out_conversation
               = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION, &options, error)))
        return FALSE;
      if (g_file_test (kms, G_FILE_TEST_EXISTS)
          && !(*out_kms = foyer_svc_db_open (url, FOYER_SVC_PART_KMS, &options, error)))
        {
          g_clear_pointer (out_conversation, foyer_svc_db_close);
          return FALSE;
        }
      return TRUE;
    }
  if (!(*out_conversation = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION, &options, error))
      || !(*out_kms = foyer_svc_db_open (url, FOYER_SVC_PART_KMS, &options, error)))
    {
      g_clear_pointer (out_conversation, foyer_svc_db_close);
      return FALSE;
    }
  return TRUE;
}

static void
close_both (FoyerSvcDb *conversation, FoyerSvcDb *kms)
{
  if (kms != conversation)
    foyer_svc_db_close (kms);
  foyer_svc_db_close (conversation);
}

/* export [--output FILE]: the organization as JSON lines, ciphertext as
 * it is stored (no key, no master key: those stay with the operator). */
static int
export_command (const Target *target, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) out = NULL;
  g_autoptr (GFile) gfile = NULL;
  FoyerSvcDb *conversation, *kms;
  gboolean ok;

  if (!open_both (target, FALSE, &conversation, &kms, &error))
    return fail_error (error);
  if (file != NULL && strcmp (file, "-") != 0)
    {
      gfile = g_file_new_for_commandline_arg (file);
      out = G_OUTPUT_STREAM (
          g_file_replace (gfile, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, &error));
    }
  else
    out = g_unix_output_stream_new (1, FALSE);
  ok = out != NULL && foyer_svc_db_export (conversation, kms, out, &error)
       && g_output_stream_close (out, NULL, &error);
  close_both (conversation, kms);
  return ok ? 0 : fail_error (error);
}

/* import --input FILE: into an empty database (made and migrated). */
static int
import_command (const Target *target, const char *file)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInputStream) in = NULL;
  g_autoptr (GFile) gfile = NULL;
  FoyerSvcDb *conversation, *kms;
  guint64 rows = 0;
  gboolean ok;

  if (file == NULL)
    return fail ("import needs --input FILE (- for the standard input)");
  if (strcmp (file, "-") != 0)
    {
      gfile = g_file_new_for_commandline_arg (file);
      if (!(in = G_INPUT_STREAM (g_file_read (gfile, NULL, &error))))
        return fail_error (error);
    }
  else
    in = g_unix_input_stream_new (0, FALSE);
  if (!open_both (target, TRUE, &conversation, &kms, &error))
    return fail_error (error);
  ok = foyer_svc_db_import (conversation, kms, in, &rows, &error);
  close_both (conversation, kms);
  if (!ok)
    return fail_error (error);
  g_print ("Imported %" G_GUINT64_FORMAT " rows\n", rows);
  return 0;
}

/* keys generate | keys rotate-token-key */
static int
keys_command (const Target *target, const char *sub)
{
  g_autoptr (GError) error = NULL;

  if (strcmp (sub, "generate") == 0)
    {
      if (target->key_dir == NULL)
        return fail ("keys generate needs --key-dir DIR");
      if (!foyer_svc_keys_generate (target->key_dir, &error))
        return fail_error (error);
      g_print ("Made the KMS master key and the token signing key in %s; give the same files to "
               "every node, and back them up apart from the database\n",
               target->key_dir);
      return 0;
    }
  else
    {
      g_autofree char *kid = foyer_svc_token_keys_rotate (target->data_dir, target->key_dir,
                                                          target->token_key_file, &error);

      if (kid == NULL)
        return fail_error (error);
      g_print ("New token signing key %s; the nodes sign with it once they see the file (within "
               "a second); the old keys verify until their tokens expire\n",
               kid);
      return 0;
    }
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
  if (data_dir == NULL)
    return fail ("serve needs --data-dir (the node's own files: service.json, its log, and by "
                 "default its key folder)");
  if (options->synchronous != NULL && strcmp (options->synchronous, "full") != 0
      && strcmp (options->synchronous, "normal") != 0)
    return fail ("--synchronous is full or normal");
  if (options->max_database_mib < 0)
    return fail ("--max-database-size wants a size in MiB");
  if (options->connections < 0 || options->connections > 64)
    return fail ("--database-connections wants 1 to 64");
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
      "  foyer-service serve --data-dir DIR --listen ADDR:PORT [--database URL]\n"
      "                [--roles conversation,kms] [--tls-cert FILE --tls-key FILE]\n"
      "                [--kms-url URL] [--kms-name NAME] [--token-public-key FILE]\n"
      "                [--token-lifetime SECONDS] [--key-dir DIR] [--master-key-file FILE]\n"
      "                [--token-key-file FILE] [--synchronous full|normal]\n"
      "                [--max-database-size MIB] [--database-connections N]\n"
      "  foyer-service user add (--data-dir DIR | --database URL) --email EMAIL --name NAME\n"
      "                --password-file FILE [--admin]\n"
      "  foyer-service user list (--data-dir DIR | --database URL)\n"
      "  foyer-service user disable|enable|remove|sign-out (--data-dir DIR | --database URL)\n"
      "                --email EMAIL\n"
      "  foyer-service kms rotate-master-key|rewrap (--data-dir DIR | --database URL)\n"
      "                [--key-dir DIR] [--master-key-file FILE]\n"
      "  foyer-service org show|set (--data-dir DIR | --database URL) [--file settings.json]\n"
      "  foyer-service migrate (--data-dir DIR | --database URL)\n"
      "  foyer-service export (--data-dir DIR | --database URL) [--output FILE]\n"
      "  foyer-service import (--data-dir DIR | --database URL) --input FILE\n"
      "  foyer-service keys generate --key-dir DIR\n"
      "  foyer-service keys rotate-token-key (--key-dir DIR | --token-key-file FILE)\n"
      "\n"
      "--database: sqlite:DIR (the default, DIR being --data-dir) or postgresql://…\n";

int
foyer_svc_cli_main (int argc, char **argv)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *email = NULL;
  g_autofree char *name = NULL;
  g_autofree char *password_file = NULL;
  g_autofree char *file = NULL;
  g_autofree char *output = NULL;
  g_autofree char *input = NULL;
  gboolean admin = FALSE;
  FoyerSvcOptions options = { 0 };
  Target target = { 0 };
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir, "Data directory", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database,
      "sqlite:DIR (default: the data directory) or postgresql://…", "URL" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &options.listen, "Address and port", "ADDR:PORT" },
    { "roles", 0, 0, G_OPTION_ARG_STRING, &options.roles, "conversation,kms", "ROLES" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_cert, "TLS certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &options.tls_key, "TLS private key", "FILE" },
    { "kms-url", 0, 0, G_OPTION_ARG_STRING, &options.kms_url, "URL of a separate KMS", "URL" },
    { "kms-name", 0, 0, G_OPTION_ARG_STRING, &options.kms_name, "Authority of key URIs", "NAME" },
    { "token-public-key", 0, 0, G_OPTION_ARG_FILENAME, &options.token_public_key,
      "JWK, key set or service.json of the conversation service (KMS alone)", "FILE" },
    { "token-lifetime", 0, 0, G_OPTION_ARG_INT64, &options.token_lifetime,
      "How long a sign-in lasts (60 to 43200 s; default 43200)", "SECONDS" },
    { "synchronous", 0, 0, G_OPTION_ARG_STRING, &options.synchronous,
      "full (default): every acknowledged write is on disk; normal: faster, a power cut may "
      "lose the last ones (SQLite)",
      "full|normal" },
    { "max-database-size", 0, 0, G_OPTION_ARG_INT64, &options.max_database_mib,
      "Refuse writes (507) once a database reaches this size (SQLite)", "MIB" },
    { "database-connections", 0, 0, G_OPTION_ARG_INT64, &options.connections,
      "Connections to PostgreSQL, each on a thread of its own (default 4)", "N" },
    { "key-dir", 0, 0, G_OPTION_ARG_FILENAME, &options.key_dir,
      "Folder of the service's keys, outside the data folder (default: DATA-DIR.keys)", "DIR" },
    { "master-key-file", 0, 0, G_OPTION_ARG_FILENAME, &options.master_key_file,
      "File with the KMS master key(s), outside the data folder", "FILE" },
    { "token-key-file", 0, 0, G_OPTION_ARG_FILENAME, &options.token_key_file,
      "File with the token signing keys, the same on every node", "FILE" },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, "E-mail address", "EMAIL" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name", "NAME" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "File with the password",
      "FILE" },
    { "admin", 0, 0, G_OPTION_ARG_NONE, &admin, "Make an administrator", NULL },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "Settings file", "FILE" },
    { "output", 0, 0, G_OPTION_ARG_FILENAME, &output, "Where an export goes (default: stdout)",
      "FILE" },
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &input, "The export to import (- for stdin)", "FILE" },
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

  options.database = database;
  target.data_dir = data_dir;
  target.database = database;
  target.key_dir = options.key_dir;
  target.master_key_file = options.master_key_file;
  target.token_key_file = options.token_key_file;
  command = argc > 1 ? argv[1] : "";
  sub = argc > 2 ? argv[2] : "";
  if (strcmp (command, "serve") == 0 && argc == 2)
    status = serve (data_dir, &options);
  else if (strcmp (command, "user") == 0 && strcmp (sub, "add") == 0 && argc == 3)
    status = user_add (&target, email, name, password_file, admin);
  else if (strcmp (command, "user") == 0 && strcmp (sub, "list") == 0 && argc == 3)
    status = user_list (&target);
  else if (strcmp (command, "user") == 0 && argc == 3
           && (strcmp (sub, "disable") == 0 || strcmp (sub, "enable") == 0
               || strcmp (sub, "remove") == 0 || strcmp (sub, "sign-out") == 0))
    status = user_change (&target, sub, email);
  else if (strcmp (command, "kms") == 0 && strcmp (sub, "rotate-master-key") == 0 && argc == 3)
    status = kms_rotate (&target, TRUE);
  else if (strcmp (command, "kms") == 0 && strcmp (sub, "rewrap") == 0 && argc == 3)
    status = kms_rotate (&target, FALSE);
  else if (strcmp (command, "org") == 0 && strcmp (sub, "show") == 0 && argc == 3)
    status = org_show (&target);
  else if (strcmp (command, "org") == 0 && strcmp (sub, "set") == 0 && argc == 3)
    status = org_set (&target, file);
  else if (strcmp (command, "migrate") == 0 && argc == 2)
    status = migrate (&target);
  else if (strcmp (command, "export") == 0 && argc == 2)
    status = export_command (&target, output);
  else if (strcmp (command, "import") == 0 && argc == 2)
    status = import_command (&target, input);
  else if (strcmp (command, "keys") == 0 && argc == 3
           && (strcmp (sub, "generate") == 0 || strcmp (sub, "rotate-token-key") == 0))
    status = keys_command (&target, sub);
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
  g_free ((char *) options.token_key_file);
  g_free ((char *) options.synchronous);
  return status;
}
