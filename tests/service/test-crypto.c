/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "foyer-core.h"
#include "foyer-document-ref.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"

#define KID "kms://kms-test.foyer/keys/abc123"

static const char *const hosts[] = { "sharepoint.com", "1drv.ms", "127.0.0.4", NULL };

static void
make_key (guint8 key[FOYER_JWE_KEY_SIZE])
{
  g_assert_true (foyer_random_bytes (key, FOYER_JWE_KEY_SIZE, NULL));
}

static void
test_jwe_roundtrip (void)
{
  guint8 key[FOYER_JWE_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  g_autofree char *jwe = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *kid = NULL;
  g_auto (GStrv) parts = NULL;

  make_key (key);
  jwe = foyer_jwe_encrypt_string (key, sizeof key, KID, "Quarterly plan — café", &error);
  g_assert_no_error (error);
  g_assert_null (strstr (jwe, "Quarterly"));

  parts = g_strsplit (jwe, ".", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 5);
  g_assert_cmpstr (parts[1], ==, "");

  g_assert_true (foyer_jwe_check (jwe, FOYER_JWE_MAX_LENGTH, &kid, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kid, ==, KID);

  plain = foyer_jwe_decrypt_string (key, sizeof key, jwe, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "Quarterly plan — café");
}

static void
test_jwe_empty_plaintext (void)
{
  guint8 key[FOYER_JWE_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  g_autofree char *jwe = NULL;
  g_autofree char *plain = NULL;

  make_key (key);
  jwe = foyer_jwe_encrypt_string (key, sizeof key, KID, "", &error);
  g_assert_no_error (error);
  plain = foyer_jwe_decrypt_string (key, sizeof key, jwe, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (plain, ==, "");
}

static void
test_jwe_wrong_key_and_tamper (void)
{
  guint8 key[FOYER_JWE_KEY_SIZE], other[FOYER_JWE_KEY_SIZE];
  g_autoptr (GError) error = NULL;
  g_autofree char *jwe = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *plain = NULL;
  char *last_dot;

  make_key (key);
  make_key (other);
  jwe = foyer_jwe_encrypt_string (key, sizeof key, KID, "secret text", NULL);

  plain = foyer_jwe_decrypt_string (other, sizeof other, jwe, &error);
  g_assert_null (plain);
  g_assert_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_DECRYPT);
  g_clear_error (&error);

  /* Flip one character of the ciphertext. */
  tampered = g_strdup (jwe);
  last_dot = strrchr (tampered, '.');
  last_dot[-2] = last_dot[-2] == 'A' ? 'B' : 'A';
  plain = foyer_jwe_decrypt_string (key, sizeof key, tampered, &error);
  g_assert_null (plain);
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_null (foyer_jwe_encrypt_string (key, 16, KID, "x", &error));
  g_assert_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_KEY);
}

static char *
b64 (const char *text)
{
  return foyer_base64url_encode ((const guint8 *) text, strlen (text));
}

static void
test_jwe_check_rejects (void)
{
  g_autofree char *alg_rsa = b64 ("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"k\"}");
  g_autofree char *no_kid = b64 ("{\"alg\":\"dir\",\"enc\":\"A256GCM\"}");
  g_autofree char *good = b64 ("{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"k\"}");
  g_autofree char *not_json = b64 ("hello");
  g_autofree char *iv = foyer_base64url_encode ((const guint8 *) "123456789012", 12);
  g_autofree char *tag = foyer_base64url_encode ((const guint8 *) "1234567890123456", 16);
  const char *bad[] = { "", "a.b.c", "a.b.c.d.e.f", "plain text message", "a..b.c.d", NULL };
  g_autofree char *ok = g_strdup_printf ("%s..%s.YWJj.%s", good, iv, tag);
  g_autofree char *with_rsa = g_strdup_printf ("%s..%s.YWJj.%s", alg_rsa, iv, tag);
  g_autofree char *without_kid = g_strdup_printf ("%s..%s.YWJj.%s", no_kid, iv, tag);
  g_autofree char *bad_header = g_strdup_printf ("%s..%s.YWJj.%s", not_json, iv, tag);
  g_autofree char *with_key = g_strdup_printf ("%s.YWJj.%s.YWJj.%s", good, iv, tag);
  g_autofree char *short_iv = g_strdup_printf ("%s..YWJj.YWJj.%s", good, tag);
  g_autofree char *short_tag = g_strdup_printf ("%s..%s.YWJj.YWJj", good, iv);

  g_assert_true (foyer_jwe_check (ok, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (ok, 10, NULL, NULL));
  for (gsize i = 0; bad[i] != NULL; i++)
    g_assert_false (foyer_jwe_check (bad[i], 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (with_rsa, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (without_kid, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (bad_header, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (with_key, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (short_iv, 1000, NULL, NULL));
  g_assert_false (foyer_jwe_check (short_tag, 1000, NULL, NULL));
}

static FoyerDocumentRef *
sample_ref (void)
{
  FoyerDocumentRef *ref = foyer_document_ref_new ();

  ref->cloud = g_strdup ("worldwide");
  ref->drive_id = g_strdup ("b!drive-123");
  ref->item_id = g_strdup ("01ITEM456");
  ref->title = g_strdup ("Budget 2027.xlsx");
  ref->url = g_strdup ("https://contoso.sharepoint.com/:x:/s/fin/EabC?e=1");
  ref->link_type = FOYER_LINK_TYPE_VIEW;
  ref->audience = FOYER_LINK_AUDIENCE_ORGANIZATION;
  ref->mime_type = g_strdup ("application/vnd.ms-excel");
  ref->size = 4096;
  ref->shared_by = g_strdup ("Alice Martin");
  return ref;
}

static void
test_docref_roundtrip (void)
{
  g_autoptr (FoyerDocumentRef) ref = sample_ref ();
  g_autoptr (FoyerDocumentRef) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *json = foyer_document_ref_to_json (ref);

  back = foyer_document_ref_new_from_json (json, hosts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->v, ==, 1);
  g_assert_cmpstr (back->provider, ==, "microsoft");
  g_assert_cmpstr (back->drive_id, ==, ref->drive_id);
  g_assert_cmpstr (back->item_id, ==, ref->item_id);
  g_assert_cmpstr (back->title, ==, ref->title);
  g_assert_cmpstr (back->url, ==, ref->url);
  g_assert_cmpint (back->link_type, ==, FOYER_LINK_TYPE_VIEW);
  g_assert_cmpint (back->audience, ==, FOYER_LINK_AUDIENCE_ORGANIZATION);
  g_assert_cmpint (back->size, ==, 4096);
  g_assert_cmpstr (back->shared_by, ==, "Alice Martin");
}

static void
expect_json_refused (const char *json, int code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDocumentRef) back = foyer_document_ref_new_from_json (json, hosts, &error);

  g_assert_null (back);
  g_assert_error (error, FOYER_CRYPTO_ERROR, code);
}

static void
expect_refused (FoyerDocumentRef *ref, int code)
{
  g_autofree char *json = foyer_document_ref_to_json (ref);

  expect_json_refused (json, code);
}

/* The sample's JSON with one member's value changed (for values the typed
 * reference cannot hold). */
static char *
sample_json_with (const char *member, const char *value, const char *other)
{
  g_autoptr (FoyerDocumentRef) ref = sample_ref ();
  g_autoptr (GString) json = g_string_new (NULL);
  g_autofree char *from = g_strdup_printf ("\"%s\":\"%s\"", member, value);
  g_autofree char *to = g_strdup_printf ("\"%s\":\"%s\"", member, other);
  g_autofree char *text = foyer_document_ref_to_json (ref);

  g_string_assign (json, text);
  g_assert_cmpuint (g_string_replace (json, from, to, 1), ==, 1);
  return g_string_free (g_steal_pointer (&json), FALSE);
}

static void
test_docref_urls (void)
{
  static const struct
  {
    const char *url;
    int code;
  } cases[] = {
    { "javascript:alert(1)", FOYER_CRYPTO_ERROR_FORBIDDEN_URL },
    { "file:///etc/passwd", FOYER_CRYPTO_ERROR_INVALID_REFERENCE },
    { "http://contoso.sharepoint.com/doc", FOYER_CRYPTO_ERROR_FORBIDDEN_URL },
    { "https://evil.example/doc", FOYER_CRYPTO_ERROR_FORBIDDEN_URL },
    { "https://sharepoint.com.evil.example/doc", FOYER_CRYPTO_ERROR_FORBIDDEN_URL },
    { "https://evilsharepoint.com/doc", FOYER_CRYPTO_ERROR_FORBIDDEN_URL },
    { "https://user:pw@contoso.sharepoint.com/doc", FOYER_CRYPTO_ERROR_INVALID_REFERENCE },
    { "not a url", FOYER_CRYPTO_ERROR_INVALID_REFERENCE },
  };
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (FoyerDocumentRef) ref = sample_ref ();
      g_autoptr (GError) local = NULL;

      g_free (ref->url);
      ref->url = g_strdup (cases[i].url);
      if (!foyer_document_ref_check_url (ref->url, hosts, &local))
        g_assert_nonnull (local);
      else
        g_error ("%s was accepted", cases[i].url);
    }

  /* https only, loopback or not (the sandbox is https too); a listed host. */
  g_assert_false (foyer_document_ref_check_url ("http://127.0.0.4:8080/doc", hosts, NULL));
  g_assert_true (foyer_document_ref_check_url ("https://127.0.0.4:8080/doc", hosts, &error));
  g_assert_no_error (error);
  g_assert_false (foyer_document_ref_check_url ("https://127.0.0.5:8080/doc", hosts, NULL));
  g_assert_true (foyer_document_ref_check_url ("https://contoso-my.sharepoint.com/x", hosts, NULL));
  g_assert_true (foyer_document_ref_check_url ("https://1drv.ms/x/s!abc", hosts, NULL));
  g_assert_false (foyer_document_ref_check_url ("https://contoso.sharepoint.com/x", NULL, NULL));
}

static void
test_docref_fields (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerDocumentRef) back = NULL;
  const char *bad_json[] = {
    "[]", "not json", "{\"v\":1}", "{\"v\":\"1\",\"provider\":\"microsoft\"}", NULL,
  };

  {
    g_autoptr (FoyerDocumentRef) ref = sample_ref ();

    ref->v = 2;
    expect_refused (ref, FOYER_CRYPTO_ERROR_UNSUPPORTED_VERSION);
  }
  {
    g_autoptr (FoyerDocumentRef) ref = sample_ref ();

    g_free (ref->provider);
    ref->provider = g_strdup ("dropbox");
    expect_refused (ref, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }
  {
    g_autoptr (FoyerDocumentRef) ref = sample_ref ();

    g_clear_pointer (&ref->item_id, g_free);
    expect_refused (ref, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }
  {
    g_autofree char *json = sample_json_with ("linkType", "view", "owner");

    expect_json_refused (json, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }
  {
    g_autofree char *json = sample_json_with ("audience", "organization", "everyone");

    expect_json_refused (json, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }
  {
    g_autoptr (FoyerDocumentRef) ref = sample_ref ();

    g_free (ref->title);
    ref->title = g_strnfill (2000, 'a');
    expect_refused (ref, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }
  {
    g_autoptr (FoyerDocumentRef) ref = sample_ref ();

    g_free (ref->title);
    ref->title = g_strdup ("line\nbreak");
    expect_refused (ref, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
  }

  for (gsize i = 0; bad_json[i] != NULL; i++)
    {
      back = foyer_document_ref_new_from_json (bad_json[i], hosts, &error);
      g_assert_null (back);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }

  back = foyer_document_ref_new_from_json (
      "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\",\"driveId\":\"d\","
      "\"itemId\":\"i\",\"title\":\"t\",\"url\":\"https://a.sharepoint.com/x\","
      "\"linkType\":\"edit\",\"audience\":\"space\",\"size\":-5}",
      hosts, &error);
  g_assert_null (back);
  g_assert_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_REFERENCE);
}

static void
test_kms_uri (void)
{
  g_autofree char *id = foyer_kms_uri_get_id ("kms://kms-1.foyer/keys/AbC_-9", "keys");
  g_autofree char *none1 = foyer_kms_uri_get_id ("kms://kms-1.foyer/resources/abc", "keys");
  g_autofree char *none2 = foyer_kms_uri_get_id ("https://kms-1.foyer/keys/abc", "keys");
  g_autofree char *none3 = foyer_kms_uri_get_id ("kms://kms-1.foyer/keys/../x", "keys");
  g_autofree char *none4 = foyer_kms_uri_get_id ("kms://kms-1.foyer/keys/", "keys");

  g_assert_cmpstr (id, ==, "AbC_-9");
  g_assert_null (none1);
  g_assert_null (none2);
  g_assert_null (none3);
  g_assert_null (none4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/crypto/jwe/roundtrip", test_jwe_roundtrip);
  g_test_add_func ("/crypto/jwe/empty", test_jwe_empty_plaintext);
  g_test_add_func ("/crypto/jwe/wrong-key-and-tamper", test_jwe_wrong_key_and_tamper);
  g_test_add_func ("/crypto/jwe/check-rejects", test_jwe_check_rejects);
  g_test_add_func ("/crypto/document-ref/roundtrip", test_docref_roundtrip);
  g_test_add_func ("/crypto/document-ref/urls", test_docref_urls);
  g_test_add_func ("/crypto/document-ref/fields", test_docref_fields);
  g_test_add_func ("/crypto/kms/uri", test_kms_uri);

  return g_test_run ();
}
