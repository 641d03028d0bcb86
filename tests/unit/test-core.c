/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "foyer-core.h"
#include "foyer-json.h"

static void
test_base64url_roundtrip (void)
{
  /* RFC 4648 test vectors, in the URL-safe alphabet without padding. */
  static const struct
  {
    const char *plain;
    const char *encoded;
  } vectors[] = {
    { "", "" },           { "f", "Zg" },          { "fo", "Zm8" },          { "foo", "Zm9v" },
    { "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *enc
          = foyer_base64url_encode ((const guint8 *) vectors[i].plain, strlen (vectors[i].plain));
      g_autofree guint8 *dec = NULL;
      gsize len = 0;

      g_assert_cmpstr (enc, ==, vectors[i].encoded);
      dec = foyer_base64url_decode (enc, &len);
      g_assert_nonnull (dec);
      g_assert_cmpmem (dec, len, vectors[i].plain, strlen (vectors[i].plain));
    }
}

static void
test_base64url_alphabet (void)
{
  const guint8 bytes[] = { 0xfb, 0xff, 0xfe };
  g_autofree char *enc = foyer_base64url_encode (bytes, sizeof bytes);
  gsize len = 0;
  g_autofree guint8 *dec = NULL;

  /* Standard base64 would be "+//+"; URL-safe replaces both characters. */
  g_assert_cmpstr (enc, ==, "-__-");
  dec = foyer_base64url_decode (enc, &len);
  g_assert_cmpmem (dec, len, bytes, sizeof bytes);

  g_assert_null (foyer_base64url_decode ("+//+", &len));
  g_assert_null (foyer_base64url_decode ("ab c", &len));
  g_assert_null (foyer_base64url_decode ("a", &len));
}

static void
test_random (void)
{
  guint8 a[32] = { 0 }, b[32] = { 0 };
  g_autofree char *t1 = foyer_random_token (32);
  g_autofree char *t2 = foyer_random_token (32);

  g_assert_true (foyer_random_bytes (a, sizeof a, NULL));
  g_assert_true (foyer_random_bytes (b, sizeof b, NULL));
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  g_assert_cmpuint (strlen (t1), ==, 43);
  g_assert_cmpstr (t1, !=, t2);
}

static void
test_loopback (void)
{
  g_assert_true (foyer_host_is_loopback ("127.0.0.1"));
  g_assert_true (foyer_host_is_loopback ("127.0.0.4"));
  g_assert_true (foyer_host_is_loopback ("localhost"));
  g_assert_true (foyer_host_is_loopback ("::1"));
  g_assert_true (foyer_host_is_loopback ("[::1]"));
  g_assert_false (foyer_host_is_loopback ("10.0.0.1"));
  g_assert_false (foyer_host_is_loopback ("graph.microsoft.com"));
  g_assert_false (foyer_host_is_loopback ("127.0.0.1.evil.example"));
  g_assert_false (foyer_host_is_loopback (""));
  g_assert_false (foyer_host_is_loopback (NULL));
}

static void
test_user_agent (void)
{
  g_assert_true (g_str_has_prefix (foyer_core_user_agent (), "ISV|Foyer|Foyer/"));
  g_assert_true (g_str_has_suffix (foyer_core_user_agent (), foyer_core_version ()));
}

/* Outside JSON: parsed only within the depth limit, never past its
 * length, and NULL for anything that holds no value. */
static void
test_json_parse (void)
{
  static const char padded[] = "{\"a\":[1,2]}garbage";
  g_autoptr (JsonNode) object = foyer_json_parse (padded, strlen ("{\"a\":[1,2]}"));
  g_autoptr (JsonNode) scalar = foyer_json_parse ("42", 2);
  g_autoptr (GString) deep = g_string_new (NULL);
  g_autoptr (GString) shallow = g_string_new (NULL);
  g_autoptr (JsonNode) within = NULL;

  g_assert_nonnull (object);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (object));
  g_assert_true (json_node_is_immutable (object));
  g_assert_cmpuint (
      json_array_get_length (foyer_json_get_array (json_node_get_object (object), "a")), ==, 2);
  g_assert_nonnull (scalar);
  g_assert_cmpint (json_node_get_int (scalar), ==, 42);

  g_assert_null (foyer_json_parse (NULL, 0));
  g_assert_null (foyer_json_parse ("", 0));
  g_assert_null (foyer_json_parse ("   ", 3));
  g_assert_null (foyer_json_parse ("{\"a\":", 5));
  g_assert_null (foyer_json_parse ("not json", 8));

  for (guint i = 0; i < FOYER_JSON_MAX_DEPTH; i++)
    g_string_append_c (shallow, '[');
  for (guint i = 0; i < FOYER_JSON_MAX_DEPTH; i++)
    g_string_append_c (shallow, ']');
  within = foyer_json_parse (shallow->str, shallow->len);
  g_assert_nonnull (within);
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_null (foyer_json_parse (deep->str, deep->len));
}

/* The writers give the same JSON as naming the member and adding the
 * value by hand, in the same order, with null (not a missing member) for a
 * NULL string. */
static void
test_json_builder_add (void)
{
  g_autoptr (JsonBuilder) helpers = json_builder_new ();
  g_autoptr (JsonBuilder) by_hand = json_builder_new ();
  g_autoptr (JsonNode) helpers_root = NULL;
  g_autoptr (JsonNode) by_hand_root = NULL;
  g_autofree char *helpers_text = NULL;
  g_autofree char *by_hand_text = NULL;

  json_builder_begin_object (helpers);
  foyer_json_builder_add_string (helpers, "id", "s-1 \"quoted\"");
  foyer_json_builder_add_string (helpers, "title", NULL);
  foyer_json_builder_add_int (helpers, "seq", G_GINT64_CONSTANT (9007199254740993));
  foyer_json_builder_add_int (helpers, "unread", -3);
  foyer_json_builder_add_boolean (helpers, "isAdmin", TRUE);
  foyer_json_builder_add_boolean (helpers, "unsent", FALSE);
  json_builder_end_object (helpers);
  helpers_root = json_builder_get_root (helpers);
  helpers_text = json_to_string (helpers_root, FALSE);

  json_builder_begin_object (by_hand);
  json_builder_set_member_name (by_hand, "id");
  json_builder_add_string_value (by_hand, "s-1 \"quoted\"");
  json_builder_set_member_name (by_hand, "title");
  json_builder_add_string_value (by_hand, NULL);
  json_builder_set_member_name (by_hand, "seq");
  json_builder_add_int_value (by_hand, G_GINT64_CONSTANT (9007199254740993));
  json_builder_set_member_name (by_hand, "unread");
  json_builder_add_int_value (by_hand, -3);
  json_builder_set_member_name (by_hand, "isAdmin");
  json_builder_add_boolean_value (by_hand, TRUE);
  json_builder_set_member_name (by_hand, "unsent");
  json_builder_add_boolean_value (by_hand, FALSE);
  json_builder_end_object (by_hand);
  by_hand_root = json_builder_get_root (by_hand);
  by_hand_text = json_to_string (by_hand_root, FALSE);

  g_assert_cmpstr (helpers_text, ==,
                   "{\"id\":\"s-1 \\\"quoted\\\"\",\"title\":null,"
                   "\"seq\":9007199254740993,\"unread\":-3,"
                   "\"isAdmin\":true,\"unsent\":false}");
  g_assert_cmpstr (helpers_text, ==, by_hand_text);
  g_assert_true (json_object_has_member (json_node_get_object (helpers_root), "title"));
  g_assert_true (
      JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (helpers_root), "title")));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/base64url/roundtrip", test_base64url_roundtrip);
  g_test_add_func ("/core/base64url/alphabet", test_base64url_alphabet);
  g_test_add_func ("/core/random", test_random);
  g_test_add_func ("/core/loopback", test_loopback);
  g_test_add_func ("/core/user-agent", test_user_agent);
  g_test_add_func ("/core/json-parse", test_json_parse);
  g_test_add_func ("/core/json-builder-add", test_json_builder_add);
  return g_test_run ();
}
