/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-core.h"
#include "foyer-jose-shape.h"
#include "foyer-json-request.h"
#include "foyer-json.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_ITERATIONS 600000
#define MIN_ITERATIONS     10000
#define SALT_SIZE          16
#define HASH_SIZE          32

G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_jws_t, cjose_jws_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (cjose_header_t, cjose_header_release)

/* OWASP's figure for PBKDF2-HMAC-SHA256. The count is stored in each hash,
 * so raising it later only affects new passwords. */
static guint
iterations (void)
{
  const char *env = g_getenv ("FOYER_SERVICE_PBKDF2_ITERATIONS");
  guint64 n;

  if (env == NULL)
    return DEFAULT_ITERATIONS;
  n = g_ascii_strtoull (env, NULL, 10);
  return (guint) CLAMP (n, MIN_ITERATIONS, 10000000);
}

static gboolean
pbkdf2 (const char *password, const guint8 *salt, gsize salt_len, guint iter, guint8 *out)
{
  return PKCS5_PBKDF2_HMAC (password, (int) strlen (password), salt, (int) salt_len, (int) iter,
                            EVP_sha256 (), HASH_SIZE, out)
         == 1;
}

char *
foyer_svc_password_hash (const char *password, GError **error)
{
  guint8 salt[SALT_SIZE];
  guint8 hash[HASH_SIZE];
  g_autofree char *salt_text = NULL;
  g_autofree char *hash_text = NULL;
  guint iter = iterations ();

  if (!foyer_random_bytes (salt, sizeof salt, error))
    return NULL;
  if (!pbkdf2 (password, salt, sizeof salt, iter, hash))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL,
                           "Could not hash the password");
      return NULL;
    }
  salt_text = foyer_base64url_encode (salt, sizeof salt);
  hash_text = foyer_base64url_encode (hash, sizeof hash);
  OPENSSL_cleanse (hash, sizeof hash);
  return g_strdup_printf ("pbkdf2-sha256$%u$%s$%s", iter, salt_text, hash_text);
}

/* Runs the whole hash even for an unknown account (stored == NULL), so the
 * time taken does not tell which e-mail addresses exist. */
gboolean
foyer_svc_password_verify (const char *password, const char *stored)
{
  g_auto (GStrv) parts = NULL;
  g_autofree guint8 *salt = NULL;
  g_autofree guint8 *expected = NULL;
  gsize salt_len = 0, expected_len = 0;
  guint8 hash[HASH_SIZE];
  guint64 iter;
  gboolean ok;

  if (stored == NULL)
    {
      guint8 dummy_salt[SALT_SIZE] = { 0 };

      pbkdf2 (password, dummy_salt, sizeof dummy_salt, iterations (), hash);
      return FALSE;
    }
  parts = g_strsplit (stored, "$", -1);
  if (g_strv_length (parts) != 4 || strcmp (parts[0], "pbkdf2-sha256") != 0)
    return FALSE;
  iter = g_ascii_strtoull (parts[1], NULL, 10);
  salt = foyer_base64url_decode (parts[2], &salt_len);
  expected = foyer_base64url_decode (parts[3], &expected_len);
  if (iter < 1000 || iter > 10000000 || salt == NULL || expected == NULL
      || expected_len != HASH_SIZE)
    return FALSE;
  if (!pbkdf2 (password, salt, salt_len, (guint) iter, hash))
    return FALSE;
  ok = CRYPTO_memcmp (hash, expected, HASH_SIZE) == 0;
  OPENSSL_cleanse (hash, sizeof hash);
  return ok;
}

/* Writes a file only its owner can read, atomically. */
gboolean
foyer_svc_write_private_file (const char *path, const char *contents, gsize length, GError **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", path);
  int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  gsize done = 0;

  if (fd < 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot write %s: %s", path,
                   g_strerror (errno));
      return FALSE;
    }
  while (done < length)
    {
      ssize_t n = write (fd, contents + done, length - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot write %s: %s",
                       path, g_strerror (errno));
          close (fd);
          g_unlink (tmp);
          return FALSE;
        }
      done += (gsize) n;
    }
  if (fsync (fd) != 0 || close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot write %s: %s", path,
                   g_strerror (errno));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

char *
foyer_svc_token_issue (cjose_jwk_t *key,
                       const char *person_id,
                       const char *session_id,
                       const char *org,
                       gint64 lifetime,
                       GError **error)
{
  g_autoptr (cjose_header_t) header = NULL;
  g_autoptr (cjose_jws_t) jws = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  cjose_err err = { 0 };
  const char *kid;
  const char *compact = NULL;

  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "iss", FOYER_SVC_TOKEN_ISSUER);
  foyer_json_builder_add_string (builder, "sub", person_id);
  foyer_json_builder_add_string (builder, "sid", session_id);
  foyer_json_builder_add_string (builder, "org", org);
  foyer_json_builder_add_int (builder, "iat", now);
  foyer_json_builder_add_int (builder, "exp", now + lifetime);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

  header = cjose_header_new (&err);
  kid = cjose_jwk_get_kid (key, &err);
  if (header == NULL || !cjose_header_set (header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_ES256, &err)
      || !cjose_header_set (header, "typ", "JWT", &err)
      || (kid != NULL && !cjose_header_set (header, CJOSE_HDR_KID, kid, &err))
      || !(jws = cjose_jws_sign (key, header, (const guint8 *) payload, strlen (payload), &err))
      || !cjose_jws_export (jws, &compact, &err))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INTERNAL, "Cannot sign a token: %s",
                   err.message);
      return NULL;
    }
  return g_strdup (compact);
}

void
foyer_svc_claims_clear (FoyerSvcClaims *claims)
{
  g_clear_pointer (&claims->person_id, g_free);
  g_clear_pointer (&claims->session_id, g_free);
  g_clear_pointer (&claims->org, g_free);
}

static gboolean
unauthorized (GError **error, const char *why)
{
  g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED, why);
  return FALSE;
}

/* The claims Foyer's tokens carry, each required and checked: who issued
 * it, for whom and which session, when, and for how long — at most
 * FOYER_SVC_TOKEN_MAX_LIFETIME, never issued in the future. */
static gboolean
check_claims (JsonObject *claims, FoyerSvcClaims *out, GError **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *sub = foyer_json_get_string (claims, "sub");
  const char *sid = foyer_json_get_string (claims, "sid");
  gint64 iat = foyer_json_get_int (claims, "iat", G_MININT64);
  gint64 exp = foyer_json_get_int (claims, "exp", G_MININT64);

  if (g_strcmp0 (foyer_json_get_string (claims, "iss"), FOYER_SVC_TOKEN_ISSUER) != 0 || sub == NULL
      || !foyer_svc_check_id (sub, 64) || sid == NULL || !foyer_svc_check_id (sid, 64)
      || iat == G_MININT64 || exp == G_MININT64)
    return unauthorized (error, "The token is not valid");
  if (iat > now + FOYER_SVC_TOKEN_SKEW || exp <= iat || exp - iat > FOYER_SVC_TOKEN_MAX_LIFETIME)
    return unauthorized (error, "The token is not valid");
  if (exp <= now)
    return unauthorized (error, "The token has expired; sign in again");

  out->person_id = g_strdup (sub);
  out->session_id = g_strdup (sid);
  out->org = g_strdup (foyer_json_get_string (claims, "org"));
  out->issued = iat;
  out->expires = exp;
  return TRUE;
}

/* Checks the signature and the claims of a token; fills out (which the
 * caller clears) and returns TRUE for a valid, unexpired one. */
gboolean
foyer_svc_token_verify (FoyerSvcTokenKeys *keys,
                        const char *token,
                        FoyerSvcClaims *out,
                        GError **error)
{
  g_autoptr (cjose_jwk_t) key = NULL;
  static const char *const algs[] = { "ES256", NULL };
  static const FoyerJoseRules rules = { FOYER_JOSE_JWS, 4096, algs, NULL };
  g_autoptr (JsonObject) shape = NULL;
  g_autoptr (cjose_jws_t) jws = NULL;
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  cjose_header_t *header;
  cjose_err err = { 0 };
  guint8 *plain = NULL;
  size_t plain_len = 0;

  memset (out, 0, sizeof *out);
  if (token == NULL || *token == '\0')
    return unauthorized (error, "A bearer token is needed");
  /* cjose aborts on some malformed base64url: only a well-formed ES256
   * compact JWS reaches it. */
  if (!(shape = foyer_jose_check (token, &rules, NULL)))
    return unauthorized (error, "The token is not valid");
  jws = cjose_jws_import (token, strlen (token), &err);
  if (jws == NULL || (header = cjose_jws_get_protected (jws)) == NULL
      || g_strcmp0 (cjose_header_get (header, CJOSE_HDR_ALG, &err), CJOSE_HDR_ALG_ES256) != 0
      || (key = foyer_svc_token_keys_find (keys, cjose_header_get (header, CJOSE_HDR_KID, &err)))
             == NULL
      || !cjose_jws_verify (jws, key, &err)
      || !cjose_jws_get_plaintext (jws, &plain, &plain_len, &err))
    return unauthorized (error, "The token is not valid");

  if (!foyer_json_depth_within ((const char *) plain, plain_len, FOYER_JSON_MAX_DEPTH)
      || !json_parser_load_from_data (parser, (const char *) plain, plain_len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return unauthorized (error, "The token is not valid");
  return check_claims (json_node_get_object (json_parser_get_root (parser)), out, error);
}

/* ---- Verified tokens, remembered ----
 *
 * Checking an ES256 signature is the most expensive step of a request
 * (an EC point multiplication), so a token verified once is remembered by
 * its SHA-256 until it expires. The cache only ever says "this signature
 * and these claims were valid": whether the session is still alive is
 * asked of the database on every request (foyer_svc_session_check ()),
 * so a sign-out or an administrator's revocation wins at once. */

#define TOKEN_CACHE_MAX 20000

typedef struct
{
  FoyerSvcClaims claims;
} CachedToken;

static void
cached_token_free (CachedToken *cached)
{
  foyer_svc_claims_clear (&cached->claims);
  g_free (cached);
}

static char *
token_digest (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

static void
claims_copy (const FoyerSvcClaims *from, FoyerSvcClaims *to)
{
  to->person_id = g_strdup (from->person_id);
  to->session_id = g_strdup (from->session_id);
  to->org = g_strdup (from->org);
  to->issued = from->issued;
  to->expires = from->expires;
}

static gboolean
expired_cb (gpointer key, gpointer value, gpointer user_data)
{
  CachedToken *cached = value;

  return cached->claims.expires <= *(gint64 *) user_data;
}

static void
cache_token (FoyerSvc *svc, char *digest, const FoyerSvcClaims *claims)
{
  CachedToken *cached = g_new0 (CachedToken, 1);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (svc->tokens == NULL)
    svc->tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) cached_token_free);
  if (g_hash_table_size (svc->tokens) >= TOKEN_CACHE_MAX)
    g_hash_table_foreach_remove (svc->tokens, expired_cb, &now);
  /* Bounded memory: forget everything rather than grow without end. */
  if (g_hash_table_size (svc->tokens) >= TOKEN_CACHE_MAX)
    g_hash_table_remove_all (svc->tokens);
  claims_copy (claims, &cached->claims);
  g_hash_table_replace (svc->tokens, digest, cached);
}

static gboolean
same_session_cb (gpointer key, gpointer value, gpointer user_data)
{
  CachedToken *cached = value;
  const char *const *match = user_data;

  return (match[0] == NULL || g_strcmp0 (cached->claims.session_id, match[0]) == 0)
         && (match[1] == NULL || g_strcmp0 (cached->claims.person_id, match[1]) == 0);
}

void
foyer_svc_tokens_forget (FoyerSvc *svc, const char *session_id, const char *person_id)
{
  const char *match[] = { session_id, person_id };

  g_mutex_lock (&svc->tokens_lock);
  if (svc->tokens != NULL)
    g_hash_table_foreach_remove (svc->tokens, same_session_cb, (gpointer) match);
  g_mutex_unlock (&svc->tokens_lock);
}

/* ---- Sessions ---- */

/* Whether the session of a token is still alive: not signed out or
 * revoked, not past its end, its person neither disabled nor removed.
 * Without a conversation database (a KMS alone) there is nothing to ask,
 * and the token's own expiry is all there is. A database that cannot be
 * asked is an error of its own (503), never a refusal. */
gboolean
foyer_svc_session_check (FoyerSvc *svc,
                         FoyerSvcDb *db,
                         const FoyerSvcClaims *claims,
                         GError **error)
{
  int state;

  if (db == NULL || !svc->conversation)
    return TRUE;
  state = foyer_svc_db_session_state (db, claims->session_id, claims->person_id,
                                      g_get_real_time () / 1000, error);
  switch (state)
    {
    case FOYER_SVC_SESSION_LIVE:
      return TRUE;
    case FOYER_SVC_SESSION_UNKNOWN:
      return unauthorized (error, "This session has ended; sign in again");
    case FOYER_SVC_SESSION_PERSON_REMOVED:
      return unauthorized (error, "The account of this token no longer exists");
    case FOYER_SVC_SESSION_PERSON_DISABLED:
      return unauthorized (error, "This account is disabled; ask an administrator");
    case FOYER_SVC_SESSION_REVOKED:
      return unauthorized (error, "You signed out of this session; sign in again");
    case FOYER_SVC_SESSION_EXPIRED:
      return unauthorized (error, "The token has expired; sign in again");
    default:
      return FALSE;
    }
}

/* A token from an Authorization header → who and which session. Runs on
 * any thread: the cache of verified tokens has a lock. */
gboolean
foyer_svc_authenticate_token (
    FoyerSvc *svc, FoyerSvcDb *db, const char *token, FoyerSvcClaims *out, GError **error)
{
  g_autofree char *digest = NULL;
  CachedToken *cached;
  gboolean known = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  memset (out, 0, sizeof *out);
  if (token == NULL || *token == '\0')
    return unauthorized (error, "A bearer token is needed");
  if (strlen (token) > 4096)
    return unauthorized (error, "The token is not valid");
  digest = token_digest (token);
  g_mutex_lock (&svc->tokens_lock);
  cached = svc->tokens != NULL ? g_hash_table_lookup (svc->tokens, digest) : NULL;
  if (cached != NULL && cached->claims.expires > now)
    {
      claims_copy (&cached->claims, out);
      known = TRUE;
    }
  g_mutex_unlock (&svc->tokens_lock);
  if (!known)
    {
      if (!foyer_svc_token_verify (svc->token_keys, token, out, error))
        return FALSE;
      g_mutex_lock (&svc->tokens_lock);
      cache_token (svc, g_steal_pointer (&digest), out);
      g_mutex_unlock (&svc->tokens_lock);
    }

  if (svc->org_id != NULL && g_strcmp0 (out->org, svc->org_id) != 0)
    {
      foyer_svc_claims_clear (out);
      return unauthorized (error, "The token belongs to another organization");
    }
  if (!foyer_svc_session_check (svc, db, out, error))
    {
      foyer_svc_claims_clear (out);
      return FALSE;
    }
  return TRUE;
}

/* A new session for a person who just signed in; its id goes in the token. */
char *
foyer_svc_session_create (
    FoyerSvc *svc, FoyerSvcDb *db, const char *person_id, gint64 lifetime, GError **error)
{
  g_autofree char *id = foyer_svc_new_id ();
  gint64 now_ms = g_get_real_time () / 1000;
  gboolean prune;

  /* Ended sessions are kept a day (what a support question needs), then
   * dropped, once an hour at most. */
  g_mutex_lock (&svc->tokens_lock);
  prune = now_ms - svc->sessions_pruned > 3600 * 1000;
  if (prune)
    svc->sessions_pruned = now_ms;
  g_mutex_unlock (&svc->tokens_lock);
  if (prune)
    foyer_svc_db_sessions_prune (db, now_ms - 24 * 3600 * 1000, NULL);
  if (!foyer_svc_db_session_insert (db, id, person_id, now_ms, now_ms + lifetime * 1000, error))
    return NULL;
  return g_steal_pointer (&id);
}

static gboolean
aes_wrap (gboolean encrypt,
          const guint8 master[32],
          const guint8 *in,
          gsize in_len,
          guint8 *out,
          gsize *out_len)
{
  EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new ();
  int len = 0, final_len = 0;
  gboolean ok;

  if (ctx == NULL)
    return FALSE;
  EVP_CIPHER_CTX_set_flags (ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (encrypt)
    ok = EVP_EncryptInit_ex (ctx, EVP_aes_256_wrap (), NULL, master, NULL) == 1
         && EVP_EncryptUpdate (ctx, out, &len, in, (int) in_len) == 1
         && EVP_EncryptFinal_ex (ctx, out + len, &final_len) == 1;
  else
    ok = EVP_DecryptInit_ex (ctx, EVP_aes_256_wrap (), NULL, master, NULL) == 1
         && EVP_DecryptUpdate (ctx, out, &len, in, (int) in_len) == 1
         && EVP_DecryptFinal_ex (ctx, out + len, &final_len) == 1;
  EVP_CIPHER_CTX_free (ctx);
  *out_len = ok ? (gsize) (len + final_len) : 0;
  return ok;
}

/* RFC 3394 AES key wrap: out needs key_len + 8 bytes. */
gboolean
foyer_svc_wrap_key (
    const guint8 master[32], const guint8 *key, gsize key_len, guint8 *out, gsize *out_len)
{
  return aes_wrap (TRUE, master, key, key_len, out, out_len);
}

gboolean
foyer_svc_unwrap_key (
    const guint8 master[32], const guint8 *wrapped, gsize wrapped_len, guint8 *out, gsize *out_len)
{
  if (wrapped_len < 24 || wrapped_len > 72)
    return FALSE;
  return aes_wrap (FALSE, master, wrapped, wrapped_len, out, out_len);
}
