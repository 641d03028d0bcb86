/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-jose-shape.h"

#include "foyer-core.h"

#include <string.h>

#define MAX_HEADER_LENGTH 8192
#define MAX_HEADER_DEPTH  8
#define MAX_JWK_MEMBER    4096

/* The JWK members cjose base64url-decodes. */
static const char *const jwk_binary_members[]
    = { "k", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", NULL };

static gboolean
fail (const char **why, const char *reason)
{
  if (why != NULL)
    *why = reason;
  return FALSE;
}

static gboolean
is_b64url_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

/* Unpadded base64url that any decoder reads the same way: no '=', and no
 * length of 4n + 1, which no encoding yields and which cjose asserts on. */
gboolean
foyer_jose_is_base64url (const char *text, gssize length)
{
  gsize len;

  if (text == NULL)
    return FALSE;
  len = length < 0 ? strlen (text) : (gsize) length;
  if (len % 4 == 1)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_b64url_char (text[i]))
      return FALSE;
  return TRUE;
}

static gsize
decoded_length (gsize len)
{
  return len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
}

/* Splits on '.' without allocating: starts[i] and lens[i] for each part. */
static guint
split_parts (const char *text, const char **starts, gsize *lens, guint max_parts)
{
  guint n = 0;
  const char *start = text;

  for (const char *p = text;; p++)
    if (*p == '.' || *p == '\0')
      {
        if (n == max_parts)
          return max_parts + 1;
        starts[n] = start;
        lens[n] = (gsize) (p - start);
        n++;
        if (*p == '\0')
          return n;
        start = p + 1;
      }
}

gboolean
foyer_jose_check_compact (const char *text, const FoyerJoseRules *rules, const char **why)
{
  gsize max = rules->max_length != 0 ? rules->max_length : FOYER_JOSE_MAX_LENGTH;
  const char *starts[5];
  gsize lens[5];
  gsize len;
  guint n;

  if (text == NULL || *text == '\0')
    return fail (why, "empty");
  len = strnlen (text, max + 1);
  if (len > max)
    return fail (why, "too long");
  for (gsize i = 0; i < len; i++)
    if (!is_b64url_char (text[i]) && text[i] != '.')
      return fail (why, "a character outside base64url");
  n = split_parts (text, starts, lens, 5);
  if (n != (guint) rules->kind)
    return fail (why, rules->kind == FOYER_JOSE_JWS ? "not three parts" : "not five parts");
  for (guint i = 0; i < n; i++)
    if (lens[i] % 4 == 1)
      return fail (why, "a part of impossible length");
  if (lens[0] == 0)
    return fail (why, "no protected header");
  if (rules->kind == FOYER_JOSE_JWS && lens[2] == 0)
    return fail (why, "no signature");
  return TRUE;
}

/* json-glib recurses once per level: a header is small and flat. */
static gboolean
shallow_json (const char *data, gsize length)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (in_string)
        {
          if (data[i] == '\\')
            i++;
          else if (data[i] == '"')
            in_string = FALSE;
        }
      else if (data[i] == '"')
        in_string = TRUE;
      else if ((data[i] == '[' || data[i] == '{') && ++depth > MAX_HEADER_DEPTH)
        return FALSE;
      else if ((data[i] == ']' || data[i] == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static JsonObject *
parse_object (const char *data, gsize length, const char **why)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!g_utf8_validate (data, (gssize) length, NULL) || memchr (data, '\0', length) != NULL
      || !shallow_json (data, length)
      || !json_parser_load_from_data (parser, data, (gssize) length, NULL))
    {
      fail (why, "not JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (why, "not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static const char *
string_member (JsonObject *object, const char *name, gboolean *wrong_type)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *wrong_type = TRUE;
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
foyer_jose_check_jwk (JsonObject *jwk, const char **why)
{
  static const char *const kinds[] = { "EC", "RSA", "oct", NULL };
  gboolean wrong = FALSE;
  const char *kty;

  if (jwk == NULL)
    return fail (why, "no key");
  kty = string_member (jwk, "kty", &wrong);
  if (kty == NULL || !g_strv_contains (kinds, kty))
    return fail (why, "a key of unknown type");
  for (guint i = 0; jwk_binary_members[i] != NULL; i++)
    {
      const char *value = string_member (jwk, jwk_binary_members[i], &wrong);

      if (wrong)
        return fail (why, "a key member that is not a string");
      if (value != NULL
          && (strlen (value) > MAX_JWK_MEMBER || !foyer_jose_is_base64url (value, -1)))
        return fail (why, "a key member that is not base64url");
    }
  if (string_member (jwk, "kid", &wrong), wrong)
    return fail (why, "a key id that is not a string");
  if (strcmp (kty, "EC") == 0)
    {
      static const char *const curves[] = { "P-256", "P-384", "P-521", NULL };
      const char *crv = string_member (jwk, "crv", &wrong);

      if (crv == NULL || !g_strv_contains (curves, crv) || !json_object_has_member (jwk, "x")
          || !json_object_has_member (jwk, "y"))
        return fail (why, "an EC key without its curve or point");
    }
  else if (strcmp (kty, "RSA") == 0
           && (!json_object_has_member (jwk, "n") || !json_object_has_member (jwk, "e")))
    return fail (why, "an RSA key without its modulus or exponent");
  else if (strcmp (kty, "oct") == 0 && !json_object_has_member (jwk, "k"))
    return fail (why, "a symmetric key without its value");
  return TRUE;
}

gboolean
foyer_jose_check_jwk_text (const char *text, gsize length, const char **why)
{
  g_autoptr (JsonObject) object = NULL;

  if (text == NULL || length == 0 || length > 16 * 1024)
    return fail (why, "a key of impossible size");
  object = parse_object (text, length, why);
  return object != NULL && foyer_jose_check_jwk (object, why);
}

/* IV and tag sizes of each content encryption cjose knows: a wrong size
 * would have it read past the end of the IV. */
static gboolean
check_enc (const char *enc, gsize iv_len, gsize tag_len, const char **why)
{
  static const struct
  {
    const char *name;
    gsize iv, tag;
  } encs[] = {
    { "A128GCM", 12, 16 },       { "A192GCM", 12, 16 },       { "A256GCM", 12, 16 },
    { "A128CBC-HS256", 16, 16 }, { "A192CBC-HS384", 16, 24 }, { "A256CBC-HS512", 16, 32 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (encs); i++)
    if (g_strcmp0 (enc, encs[i].name) == 0)
      return iv_len == encs[i].iv && tag_len == encs[i].tag ? TRUE
                                                            : fail (why, "wrong IV or tag size");
  return fail (why, "an unknown content encryption");
}

static gboolean
check_header (JsonObject *header, const FoyerJoseRules *rules, const char **why)
{
  gboolean wrong = FALSE;
  const char *alg = string_member (header, "alg", &wrong);
  JsonNode *epk = json_object_get_member (header, "epk");

  if (alg == NULL || (rules->algs != NULL && !g_strv_contains (rules->algs, alg)))
    return fail (why, "an algorithm that is not accepted");
  if (json_object_has_member (header, "crit") || json_object_has_member (header, "zip"))
    return fail (why, "an unsupported header parameter");
  if (string_member (header, "kid", &wrong), wrong)
    return fail (why, "a key id that is not a string");
  for (guint i = 0; i < 2; i++)
    {
      const char *value = string_member (header, i == 0 ? "apu" : "apv", &wrong);

      if (wrong || (value != NULL && !foyer_jose_is_base64url (value, -1)))
        return fail (why, "party info that is not base64url");
    }
  if (epk != NULL
      && (!JSON_NODE_HOLDS_OBJECT (epk) || !foyer_jose_check_jwk (json_node_get_object (epk), why)))
    return fail (why, "an ephemeral key that is not a JWK");
  if (rules->kind == FOYER_JOSE_JWE)
    {
      const char *enc = string_member (header, "enc", &wrong);

      if (enc == NULL || (rules->enc != NULL && strcmp (enc, rules->enc) != 0))
        return fail (why, "a content encryption that is not accepted");
    }
  return TRUE;
}

/* The compact serialization and its protected header, which is returned. */
JsonObject *
foyer_jose_check (const char *text, const FoyerJoseRules *rules, const char **why)
{
  g_autoptr (JsonObject) header = NULL;
  g_autofree guint8 *raw = NULL;
  const char *starts[5];
  gsize lens[5];
  gsize raw_len = 0;

  g_return_val_if_fail (rules != NULL, NULL);

  if (!foyer_jose_check_compact (text, rules, why))
    return NULL;
  split_parts (text, starts, lens, 5);
  if (lens[0] > MAX_HEADER_LENGTH)
    {
      fail (why, "a protected header too large");
      return NULL;
    }
  {
    g_autofree char *encoded = g_strndup (starts[0], lens[0]);

    raw = foyer_base64url_decode (encoded, &raw_len);
  }
  if (raw == NULL || raw_len == 0)
    {
      fail (why, "a protected header that is not base64url");
      return NULL;
    }
  header = parse_object ((const char *) raw, raw_len, why);
  if (header == NULL || !check_header (header, rules, why))
    return NULL;
  if (rules->kind == FOYER_JOSE_JWE
      && !check_enc (json_object_get_string_member (header, "enc"), decoded_length (lens[2]),
                     decoded_length (lens[4]), why))
    return NULL;
  return g_steal_pointer (&header);
}
