/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "foyer-core.h"
#include "foyer-jwe.h"
#include "foyer-svc.h"

#define KEY_URI "kms://kms-test.foyer/keys/key1"

/* Inside the harness's work directory (removed after the test) if any. */
static char *
make_temp_dir (const char *prefix)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *tmpl = NULL;

  if (work == NULL)
    return g_dir_make_tmp (prefix, NULL);
  tmpl = g_build_filename (work, prefix, NULL);
  return g_strdup (g_mkdtemp (tmpl));
}

static JsonNode *
parse_ok (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode *node = foyer_svc_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
test_parse_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *deep = g_strnfill (100000, '[');
  g_autofree char *ok_depth = NULL;
  g_autofree char *big = g_strnfill (FOYER_SVC_MAX_BODY + 1, ' ');
  g_autoptr (JsonNode) node = NULL;
  const char bad_utf8[] = "{\"a\":\"\xff\xfe\"}";

  g_assert_null (foyer_svc_json_parse (deep, strlen (deep), &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
  g_assert_cmpuint (foyer_svc_error_status (error), ==, 400);
  g_clear_error (&error);

  /* Brackets inside strings do not count as depth. */
  ok_depth = g_strdup_printf ("{\"a\":\"%s\"}", deep + 99000);
  node = foyer_svc_json_parse (ok_depth, strlen (ok_depth), &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);

  g_assert_null (foyer_svc_json_parse (big, strlen (big), &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_TOO_LARGE);
  g_assert_cmpuint (foyer_svc_error_status (error), ==, 413);
  g_clear_error (&error);

  g_assert_null (foyer_svc_json_parse (bad_utf8, strlen (bad_utf8), &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (foyer_svc_json_parse ("{\"a\":", 5, &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_null (foyer_svc_json_parse ("", 0, &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
}

static void
test_check_object (void)
{
  static const FoyerSvcField fields[] = {
    { "name", FIELD_STRING, TRUE, 8 },
    { "flag", FIELD_BOOLEAN, FALSE, 0 },
    { "list", FIELD_ARRAY, FALSE, 2 },
  };
  const char *bad[] = {
    "[]",
    "{}",
    "{\"name\":\"ok\",\"extra\":1}",
    "{\"name\":5}",
    "{\"name\":\"\"}",
    "{\"name\":\"much too long\"}",
    "{\"name\":\"ok\",\"flag\":\"yes\"}",
    "{\"name\":\"ok\",\"list\":[1,2,3]}",
    NULL,
  };
  g_autoptr (JsonNode) good = parse_ok ("{\"name\":\"ok\",\"flag\":true,\"list\":[1]}");

  g_assert_nonnull (foyer_svc_json_check_object (good, fields, G_N_ELEMENTS (fields), NULL));
  for (gsize i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = parse_ok (bad[i]);
      g_autoptr (GError) error = NULL;

      g_assert_null (foyer_svc_json_check_object (node, fields, G_N_ELEMENTS (fields), &error));
      g_assert_nonnull (error);
      g_assert_cmpuint (foyer_svc_error_status (error) / 100, ==, 4);
    }
}

static char *
make_jwe (const char *kid)
{
  guint8 key[32];

  foyer_random_bytes (key, sizeof key, NULL);
  return foyer_jwe_encrypt_string (key, sizeof key, kid, "hello", NULL);
}

static void
test_message_input (void)
{
  g_autofree char *body = make_jwe (KEY_URI);
  g_autofree char *other = make_jwe ("kms://kms-test.foyer/keys/key2");
  g_autofree char *good_text
      = g_strdup_printf ("{\"clientMessageId\":\"c-1\",\"keyUri\":\"%s\",\"body\":\"%s\","
                         "\"attachments\":[{\"kind\":\"document\",\"ref\":\"%s\"}]}",
                         KEY_URI, body, body);
  g_autoptr (JsonNode) good = parse_ok (good_text);
  FoyerSvcMessageInput input;
  const char *templates[] = {
    "{\"clientMessageId\":\"c 1\",\"keyUri\":\"" KEY_URI "\",\"body\":\"@BODY@\"}",
    "{\"clientMessageId\":\"c1\",\"keyUri\":\"https://x/keys/a\",\"body\":\"@BODY@\"}",
    "{\"clientMessageId\":\"c1\",\"keyUri\":\"" KEY_URI "\",\"body\":\"plain @BODY@\"}",
    "{\"clientMessageId\":\"c1\",\"keyUri\":\"" KEY_URI "\",\"body\":\"@BODY@\",\"text\":\"x\"}",
    "{\"clientMessageId\":\"c1\",\"keyUri\":\"" KEY_URI "\",\"body\":\"@BODY@\","
    "\"attachments\":[{\"kind\":\"image\",\"ref\":\"x\"}]}",
    "{\"clientMessageId\":\"c1\",\"keyUri\":\"" KEY_URI
    "\",\"body\":\"@BODY@\",\"attachments\":[5]}",
    NULL,
  };

  g_assert_true (foyer_svc_parse_message_input (good, &input, NULL));
  g_assert_cmpstr (input.client_message_id, ==, "c-1");
  g_assert_cmpuint (input.attachments->len, ==, 1);
  foyer_svc_message_input_clear (&input);

  for (gsize i = 0; templates[i] != NULL; i++)
    {
      g_auto (GStrv) pieces = g_strsplit (templates[i], "@BODY@", -1);
      g_autofree char *text = g_strjoinv (body, pieces);
      g_autoptr (JsonNode) node = parse_ok (text);
      g_autoptr (GError) error = NULL;

      g_assert_false (foyer_svc_parse_message_input (node, &input, &error));
      g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
    }

  /* A body encrypted with another key than keyUri is refused. */
  {
    g_autofree char *text = g_strdup_printf (
        "{\"clientMessageId\":\"c1\",\"keyUri\":\"%s\",\"body\":\"%s\"}", KEY_URI, other);
    g_autoptr (JsonNode) node = parse_ok (text);

    g_assert_false (foyer_svc_parse_message_input (node, &input, NULL));
  }
}

static void
test_org_settings (void)
{
  const char *good[] = {
    "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"contoso.onmicrosoft.com\","
    "\"clientId\":\"11111111-2222-3333-4444-555555555555\",\"cloud\":\"worldwide\","
    "\"audiences\":[\"organization\",\"space\",\"existing\"],\"defaultAudience\":\"organization\","
    "\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"gcc-moderate\",\"audiences\":[\"anyone\"],"
    "\"defaultAudience\":\"anyone\",\"defaultLinkType\":\"edit\","
    "\"cloudDescriptor\":\"/usr/share/foyer/sandbox.json\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\",\"signIn\":\"browser\"}}",
    NULL,
  };
  const char *bad[] = {
    "{}",
    "{\"microsoft\":{},\"other\":1}",
    "{\"microsoft\":{\"enabled\":true,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"usgov-high\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"mars\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"anyone\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"everyone\"],"
    "\"defaultAudience\":\"everyone\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\",\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"owner\"}}",
    "{\"microsoft\":{\"enabled\":\"yes\",\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"tenantId\":\"a/b\",\"cloud\":\"worldwide\","
    "\"audiences\":[\"space\"],\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\",\"signIn\":\"popup\"}}",
    "{\"microsoft\":{\"enabled\":false,\"cloud\":\"worldwide\",\"audiences\":[\"space\"],"
    "\"defaultAudience\":\"space\",\"defaultLinkType\":\"view\",\"signIn\":true}}",
    NULL,
  };
  g_autoptr (JsonNode) defaults = foyer_svc_org_settings_default ();
  g_autoptr (JsonNode) validated = foyer_svc_org_settings_validate (defaults, NULL);

  g_assert_nonnull (validated);
  for (gsize i = 0; good[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = parse_ok (good[i]);
      g_autoptr (JsonNode) out = foyer_svc_org_settings_validate (node, NULL);

      g_assert_nonnull (out);
    }
  for (gsize i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (JsonNode) node = parse_ok (bad[i]);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonNode) out = foyer_svc_org_settings_validate (node, &error);

      if (out != NULL)
        g_error ("accepted: %s", bad[i]);
      g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID);
    }
}

static void
test_passwords (void)
{
  g_autofree char *hash = NULL;
  g_autofree char *hash2 = NULL;

  g_setenv ("FOYER_SERVICE_PBKDF2_ITERATIONS", "10000", TRUE);
  hash = foyer_svc_password_hash ("correct horse", NULL);
  hash2 = foyer_svc_password_hash ("correct horse", NULL);
  g_assert_true (g_str_has_prefix (hash, "pbkdf2-sha256$10000$"));
  g_assert_cmpstr (hash, !=, hash2); /* salted */
  g_assert_null (strstr (hash, "correct"));
  g_assert_true (foyer_svc_password_verify ("correct horse", hash));
  g_assert_false (foyer_svc_password_verify ("correct horsE", hash));
  g_assert_false (foyer_svc_password_verify ("correct horse", NULL));
  g_assert_false (foyer_svc_password_verify ("x", "md5$1$a$b"));
  g_unsetenv ("FOYER_SERVICE_PBKDF2_ITERATIONS");
}

static void
test_tokens (void)
{
  g_autofree char *dir = make_temp_dir ("foyer-token-XXXXXX");
  g_autofree char *other_dir = make_temp_dir ("foyer-token-XXXXXX");
  FoyerSvcTokenKeys *ring = foyer_svc_token_keys_load (NULL, dir, NULL, TRUE, NULL);
  FoyerSvcTokenKeys *again = foyer_svc_token_keys_load (NULL, dir, NULL, FALSE, NULL);
  FoyerSvcTokenKeys *other = foyer_svc_token_keys_load (NULL, other_dir, NULL, TRUE, NULL);
  g_autoptr (cjose_jwk_t) key = foyer_svc_token_keys_signing (ring);
  g_autoptr (cjose_jwk_t) other_key = foyer_svc_token_keys_signing (other);
  g_autofree char *token = foyer_svc_token_issue (key, "person1", "s1", "org1", 60, NULL);
  g_autofree char *expired = foyer_svc_token_issue (key, "person1", "s1", "org1", -10, NULL);
  g_autofree char *foreign = foyer_svc_token_issue (other_key, "person1", "s1", "org1", 60, NULL);
  g_autofree char *too_long = foyer_svc_token_issue (key, "person1", "s1", "org1",
                                                     FOYER_SVC_TOKEN_MAX_LIFETIME + 1, NULL);
  g_autofree char *tampered = NULL;
  g_autoptr (GError) error = NULL;
  FoyerSvcClaims claims = { 0 };

  g_assert_nonnull (ring);
  g_assert_nonnull (token);
  g_assert_true (foyer_svc_token_verify (again, token, &claims, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (claims.person_id, ==, "person1");
  g_assert_cmpstr (claims.session_id, ==, "s1");
  g_assert_cmpstr (claims.org, ==, "org1");
  foyer_svc_claims_clear (&claims);

  g_assert_false (foyer_svc_token_verify (ring, expired, &claims, &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (foyer_svc_token_verify (ring, foreign, &claims, &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (foyer_svc_token_verify (ring, too_long, &claims, &error));
  g_assert_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  g_assert_false (foyer_svc_token_verify (ring, "abc.def.ghi", &claims, NULL));
  g_assert_false (foyer_svc_token_verify (ring, "", &claims, NULL));

  tampered = g_strdup (token);
  tampered[strlen (tampered) - 3] ^= 1;
  g_assert_false (foyer_svc_token_verify (ring, tampered, &claims, NULL));

  foyer_svc_token_keys_free (ring);
  foyer_svc_token_keys_free (again);
  foyer_svc_token_keys_free (other);
}

/* Rotation: a new key signs; a ring that read the file before still
 * verifies both once it has read it again (it does so for a kid it does
 * not know); the old key goes only once its tokens have all expired. */
static void
test_token_key_rotation (void)
{
  g_autofree char *dir = make_temp_dir ("foyer-token-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "token-signing-key.jwk", NULL);
  g_autoptr (GError) error = NULL;
  FoyerSvcTokenKeys *node_a = foyer_svc_token_keys_load (NULL, dir, NULL, TRUE, &error);
  FoyerSvcTokenKeys *node_b = NULL;
  g_autoptr (cjose_jwk_t) old_key = NULL;
  g_autoptr (cjose_jwk_t) new_key = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *new_token = NULL;
  g_autofree char *kid = NULL;
  g_autofree char *contents = NULL;
  FoyerSvcClaims claims = { 0 };
  cjose_err err = { 0 };

  g_assert_no_error (error);
  node_b = foyer_svc_token_keys_load (NULL, NULL, path, FALSE, &error);
  g_assert_no_error (error);
  old_key = foyer_svc_token_keys_signing (node_a);
  old_token = foyer_svc_token_issue (old_key, "p", "s", "o", 60, NULL);

  kid = foyer_svc_token_keys_rotate (NULL, dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kid);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"retired\""));

  /* Node A signs with the new key once it looks at the file again (it
   * does at most once a second). */
  for (gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
       g_get_monotonic_time () < until;)
    {
      g_clear_pointer (&new_key, cjose_jwk_release);
      new_key = foyer_svc_token_keys_signing (node_a);
      if (g_strcmp0 (cjose_jwk_get_kid (new_key, &err), kid) == 0)
        break;
      g_usleep (100 * 1000);
    }
  g_assert_cmpstr (cjose_jwk_get_kid (new_key, &err), ==, kid);
  new_token = foyer_svc_token_issue (new_key, "p", "s", "o", 60, NULL);

  /* Node B has not read the file again: the unknown kid makes it do so. */
  g_assert_true (foyer_svc_token_verify (node_b, new_token, &claims, &error));
  g_assert_no_error (error);
  foyer_svc_claims_clear (&claims);
  g_assert_true (foyer_svc_token_verify (node_b, old_token, &claims, &error));
  g_assert_no_error (error);
  foyer_svc_claims_clear (&claims);

  foyer_svc_token_keys_free (node_a);
  foyer_svc_token_keys_free (node_b);
}

static void
test_key_wrap (void)
{
  guint8 master[32], other[32], key[32], wrapped[40], out[48];
  gsize wrapped_len = 0, out_len = 0;

  foyer_random_bytes (master, sizeof master, NULL);
  foyer_random_bytes (other, sizeof other, NULL);
  foyer_random_bytes (key, sizeof key, NULL);
  g_assert_true (foyer_svc_wrap_key (master, key, sizeof key, wrapped, &wrapped_len));
  g_assert_cmpuint (wrapped_len, ==, 40);
  g_assert_true (memcmp (wrapped, key, 32) != 0);
  g_assert_true (foyer_svc_unwrap_key (master, wrapped, wrapped_len, out, &out_len));
  g_assert_cmpmem (out, out_len, key, sizeof key);
  g_assert_false (foyer_svc_unwrap_key (other, wrapped, wrapped_len, out, &out_len));
  wrapped[5] ^= 1;
  g_assert_false (foyer_svc_unwrap_key (master, wrapped, wrapped_len, out, &out_len));
}

static int
raw_pragma (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_type (stmt, 0) == SQLITE_TEXT
                ? (strcmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0 ? 1 : 0)
                : sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
test_store_migrations (void)
{
  g_autofree char *dir = make_temp_dir ("foyer-store-XXXXXX");
  g_autofree char *url = g_strconcat ("sqlite:", dir, NULL);
  g_autofree char *path = g_build_filename (dir, "conversation.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *org = NULL;
  g_autofree char *org_again = NULL;
  FoyerSvcDbOptions options = { TRUE, 0, TRUE, TRUE };
  FoyerSvcDb *db = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION, &options, &error);
  FoyerSvcDb *kms = foyer_svc_db_open (url, FOYER_SVC_PART_KMS, &options, &error);

  g_assert_no_error (error);
  g_assert_cmpint (foyer_svc_db_schema_version (db, FOYER_SVC_PART_CONVERSATION), ==, 3);
  g_assert_cmpint (foyer_svc_db_schema_version (kms, FOYER_SVC_PART_KMS), ==, 2);
  g_assert_true (foyer_svc_db_check_ready (db, NULL));
  g_assert_cmpint (raw_pragma (path, "PRAGMA journal_mode"), ==, 1);
  org = foyer_svc_db_meta_get (db, "org_id", NULL);
  g_assert_nonnull (org);
  foyer_svc_db_close (kms);

  /* Opening again keeps the data and applies nothing twice. */
  foyer_svc_db_close (db);
  db = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION, &options, &error);
  g_assert_no_error (error);
  org_again = foyer_svc_db_meta_get (db, "org_id", NULL);
  g_assert_cmpstr (org, ==, org_again);
  foyer_svc_db_close (db);

  /* A database from a newer foyer-service is refused, not damaged. */
  {
    sqlite3 *raw = NULL;

    g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (raw, "PRAGMA user_version = 42", NULL, NULL, NULL), ==,
                     SQLITE_OK);
    sqlite3_close (raw);
  }
  db = foyer_svc_db_open (url, FOYER_SVC_PART_CONVERSATION, &options, &error);
  g_assert_null (db);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "newer"));
  g_assert_cmpint (raw_pragma (path, "PRAGMA user_version"), ==, 42);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/service/json/limits", test_parse_limits);
  g_test_add_func ("/service/json/check-object", test_check_object);
  g_test_add_func ("/service/json/message-input", test_message_input);
  g_test_add_func ("/service/json/org-settings", test_org_settings);
  g_test_add_func ("/service/auth/passwords", test_passwords);
  g_test_add_func ("/service/auth/tokens", test_tokens);
  g_test_add_func ("/service/auth/token-key-rotation", test_token_key_rotation);
  g_test_add_func ("/service/auth/key-wrap", test_key_wrap);
  g_test_add_func ("/service/store/migrations", test_store_migrations);

  return g_test_run ();
}
