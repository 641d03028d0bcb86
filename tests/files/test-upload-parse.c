/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The pure parts of uploads: QuickXorHash against published vectors, the
 * upload session replies Graph sends (ranges, URLs, expiry), the sealed
 * record's JSON, and names OneDrive accepts.
 */
#include "config.h"

#include "foyer-quickxor.h"
#include "foyer-upload-error.h"
#include "foyer-upload-record.h"
#include "foyer-upload-session.h"
#include "foyer-upload.h"

#include <string.h>

/* Vectors published with rclone's QuickXorHash, checked against OneDrive. */
static const struct
{
  const char *in;
  const char *out;
} vectors[] = {
  { "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
  { "Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA=" },
  { "tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA=" },
  { "0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA=" },
  { "2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg=" },
  { "jyibxJSzO6ZiZ0O1qe3tG/bvIAYssvukh9suIT5wEy1JBINVgPiqdsTW0cOpP0aUfP7mgqLfADkzI/m/GgCuVhr8oFLr"
    "OCoTx1/psBOWwhltCbhUx51Icm9aH8tY4Z3ccU+6BKpYQkLCy0B/A9Zc",
    "hZfLIilSITC6N3e3tQ/iSgEzkto=" },
  { "ikwCorI7PKWz17EI50jZCGbV9JU2E8bXVfxNMg5zdmqSZ2NlsQPp0kqYIPjzwTg1MBtfWPg53k0h0P2naJNEVgrqpoHT"
    "fV2b3pJ4m0zYPTJmUX4Bg/lOxcnCxAYKU29Y5F0U8Quz7ZXFBEweftXxJ7RS4r6N7BzJrPsLhY7hgck=",
    "imAoFvCWlDn4yVw3/oq1PDbbm6U=" },
  { "w0LGhqU1WXFbdavqDE4kAjEzWLGGzmTNikzqnsiXHx2KRReKVTxkv27u3UcEz9+lbMvYl4xFf2Z4aE1xRBBNd1Ke5C0z"
    "ToSaYw5o4B/7X99nKK2/XaUX1byLow2aju2XJl2OpKpJg+tSJ2fmjIJTkfuYUz574dFX6/VXxSxwGH/xQEAKS5TCsBK3"
    "CwnuG1p5SAsQq3gGVozDWyjEBcWDMdy8/AIFrj/y03Lfc/RNRCQTAfZbnf2QwV7sluw4fH3XJr07UoD0YqN+7XZzidtr"
    "wqMY26fpLZnyZjnBEt1FAZWO7RnKG5asg8xRk9YaDdedXdQSJAOy6bWEWlABj+tVAigBxavaluUH8LOj+yfCFldJjNLd"
    "i90fVHkUD/m4Mr5OtmupNMXPwuG3EQlqWUVpQoYpUYKLsk7a5Mvg6UFkiH596y5IbJEVCI1Kb3D1",
    "e3+wo77iKcILiZegnzyUNcjCdoQ=" },
};

static void
test_quickxor (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      gsize len = 0;
      g_autofree guint8 *data = g_base64_decode (vectors[i].in, &len);

      /* Whole, and in pieces of every size that crosses the 160-byte lanes. */
      for (gsize piece = 1; piece <= MAX (len, 1); piece += (piece < 8 ? 1 : 37))
        {
          FoyerQuickXor q;
          g_autofree char *hash = NULL;

          foyer_quickxor_init (&q);
          for (gsize offset = 0; offset < len; offset += piece)
            foyer_quickxor_update (&q, data + offset, MIN (piece, len - offset));
          hash = foyer_quickxor_finish_base64 (&q);
          g_assert_cmpstr (hash, ==, vectors[i].out);
        }
    }
}

static void
test_ranges (void)
{
  FoyerUploadRange r;
  const char *bad[] = { "",      "-",     "1",    "a-b",  "12-3",
                        " 1-2",  "1-2 ",  "1--2", "+1-2", "18446744073709551616-",
                        "1-2-3", "0x10-", "1-\n", NULL };

  g_assert_true (foyer_upload_range_parse ("26-", &r));
  g_assert_cmpuint (r.start, ==, 26);
  g_assert_cmpuint (r.end, ==, G_MAXUINT64);
  g_assert_true (foyer_upload_range_parse ("12345-55232", &r));
  g_assert_cmpuint (r.start, ==, 12345);
  g_assert_cmpuint (r.end, ==, 55232);
  g_assert_true (foyer_upload_range_parse ("0-0", &r));
  for (guint i = 0; bad[i] != NULL; i++)
    g_assert_false (foyer_upload_range_parse (bad[i], &r));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  return json_node_ref (json_parser_get_root (parser));
}

static FoyerUploadSessionReply *
reply (const char *text, gboolean need_url, GError **error)
{
  g_autoptr (JsonNode) node = parse_json (text);

  return foyer_upload_session_reply_parse (node, need_url, error);
}

static void
test_session_reply (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerUploadSessionReply) created = reply (
      "{\"uploadUrl\":\"https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337\","
      "\"expirationDateTime\":\"2015-01-29T09:21:55.523Z\",\"nextExpectedRanges\":[\"0-\"]}",
      TRUE, &error);
  g_autoptr (FoyerUploadSessionReply) gaps
      = reply ("{\"expirationDateTime\":\"2015-01-29T09:21:55.523Z\","
               "\"nextExpectedRanges\":[\"77829-99375\",\"12345-55232\"]}",
               FALSE, &error);
  g_autoptr (FoyerUploadSessionReply) none = reply ("{\"nextExpectedRanges\":[]}", FALSE, &error);
  const char *broken[] = {
    "[]",
    "{\"uploadUrl\":\"http://example.com/up\"}",
    "{\"uploadUrl\":\"file:///etc/passwd\"}",
    "{\"uploadUrl\":\"https://\"}",
    "{\"uploadUrl\":42}",
    "{\"expirationDateTime\":\"yesterday\"}",
    "{\"nextExpectedRanges\":\"0-\"}",
    "{\"nextExpectedRanges\":[0]}",
    "{\"nextExpectedRanges\":[\"5-1\"]}",
    NULL,
  };

  g_assert_no_error (error);
  g_assert_cmpstr (created->upload_url, ==,
                   "https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337");
  g_assert_cmpint (created->expires, ==, 1422523315);
  g_assert_cmpuint (foyer_upload_session_reply_next_offset (created, 128), ==, 0);
  /* The lowest missing byte, whatever the order. */
  g_assert_cmpuint (foyer_upload_session_reply_next_offset (gaps, 100000), ==, 12345);
  g_assert_null (gaps->upload_url);
  /* Nothing missing: the next offset is the end. */
  g_assert_cmpuint (foyer_upload_session_reply_next_offset (none, 500), ==, 500);
  /* A range past the end is clamped. */
  {
    g_autoptr (FoyerUploadSessionReply) far
        = reply ("{\"nextExpectedRanges\":[\"900-\"]}", FALSE, &error);

    g_assert_cmpuint (foyer_upload_session_reply_next_offset (far, 500), ==, 500);
  }
  /* https only: loopback http is refused too, as for every Graph URL. */
  {
    g_autoptr (FoyerUploadSessionReply) loopback = reply (
        "{\"uploadUrl\":\"http://127.0.0.4:4000/_api/v2.0/uploadSession?guid='x'\"}", TRUE, &error);

    g_assert_null (loopback);
    g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED);
    g_clear_error (&error);
  }
  g_assert_null (reply ("{}", TRUE, &error));
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED);
  g_clear_error (&error);
  for (guint i = 0; broken[i] != NULL; i++)
    {
      g_autoptr (FoyerUploadSessionReply) r = reply (broken[i], FALSE, &error);

      g_assert_null (r);
      g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED);
      g_clear_error (&error);
    }
  g_assert_null (foyer_upload_session_reply_parse (NULL, FALSE, &error));
  g_clear_error (&error);
}

static void
test_record (void)
{
  g_autoptr (FoyerUploadRecord) record = foyer_upload_record_new ();
  g_autoptr (FoyerUploadRecord) back = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  const char *bad[] = {
    "",
    "{}",
    "[]",
    "{\"v\":2,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":1,\"mtime\":1}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":-1,\"mtime\":1}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"\",\"size\":1,\"mtime\":1}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":\"1\",\"mtime\":1}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":1}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":1,\"mtime\":1,"
    "\"uploadUrl\":\"http://example.com/up\"}",
    "{\"v\":1,\"id\":\"a\",\"file\":\"file:///a\",\"name\":\"a\",\"size\":1,\"mtime\":1,"
    "\"context\":7}",
    NULL,
  };

  record->id = g_strdup ("k1");
  record->file_uri = g_strdup ("file:///home/alice/R%C3%A9sum%C3%A9.pdf");
  record->name = g_strdup ("Résumé.pdf");
  record->size = G_GUINT64_CONSTANT (5000000000);
  record->mtime_us = G_GINT64_CONSTANT (1767603600123456);
  record->created = 1767603600;
  record->context = g_strdup ("{\"space\":\"s1\"}");
  record->upload_url = g_strdup ("https://contoso-my.sharepoint.com/_api/v2.0/uploadSession?x");
  record->expires = 1767690000;
  bytes = foyer_upload_record_to_bytes (record);
  back = foyer_upload_record_from_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->id, ==, "k1");
  g_assert_cmpstr (back->file_uri, ==, record->file_uri);
  g_assert_cmpstr (back->name, ==, "Résumé.pdf");
  g_assert_cmpuint (back->size, ==, record->size);
  g_assert_cmpint (back->mtime_us, ==, record->mtime_us);
  g_assert_cmpstr (back->context, ==, record->context);
  g_assert_cmpstr (back->upload_url, ==, record->upload_url);
  g_assert_cmpint (back->expires, ==, record->expires);

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GBytes) b = g_bytes_new (bad[i], strlen (bad[i]));
      g_autoptr (FoyerUploadRecord) r = foyer_upload_record_from_bytes (b, &error);

      g_assert_null (r);
      g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED);
      g_clear_error (&error);
    }
}

static void
test_sanitize (void)
{
  const char *cases[][2] = {
    { "Report.docx", "Report.docx" },
    { "a:b*c?.txt", "a_b_c_.txt" },
    { "  spaced  ", "spaced" },
    { "dots...", "dots" },
    { "", "file" },
    { "...", "file" },
    { "tab\there", "tab_here" },
    { "Été 2027 — plan.pdf", "Été 2027 — plan.pdf" },
    { "pipe|slash/back\\", "pipe_slash_back_" },
  };
  g_autofree char *invalid = foyer_upload_sanitize_name ("caf\xe9.txt");
  g_autofree char *long_name = NULL;
  g_autofree char *cut = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = foyer_upload_sanitize_name (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }
  g_assert_true (g_utf8_validate (invalid, -1, NULL));
  long_name = g_strnfill (300, 'x');
  cut = foyer_upload_sanitize_name (long_name);
  g_assert_cmpuint (strlen (cut), ==, 255);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/files/quickxor", test_quickxor);
  g_test_add_func ("/files/session-ranges", test_ranges);
  g_test_add_func ("/files/session-reply", test_session_reply);
  g_test_add_func ("/files/record", test_record);
  g_test_add_func ("/files/sanitize-name", test_sanitize);
  return g_test_run ();
}
