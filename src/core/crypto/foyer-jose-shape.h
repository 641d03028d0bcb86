/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The shape of JOSE input, checked before cjose ever sees it. cjose 0.6
 * (Debian 12's) asserts — aborts the whole process — on some malformed
 * base64url ("1=" in a token, a header's "apu": "A="), so every compact
 * JWS or JWE and every JWK that comes from outside goes through here first:
 * exactly 3 or 5 parts, base64url characters only, no '=', no part whose
 * length is 1 mod 4, a bounded length, a protected header that is a small
 * JSON object naming an accepted algorithm, and in it only JWKs and
 * base64url members that cjose can decode without tripping.
 *
 * The functions return a short English reason (for logs and the service's
 * error messages) rather than a GError, so that each caller keeps its own
 * error domain.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Larger than any JWE or JWS Foyer makes or accepts. */
#define FOYER_JOSE_MAX_LENGTH (1024 * 1024)

typedef enum
{
  FOYER_JOSE_JWS = 3,
  FOYER_JOSE_JWE = 5,
} FoyerJoseKind;

typedef struct
{
  FoyerJoseKind kind;
  gsize max_length;        /* 0: FOYER_JOSE_MAX_LENGTH */
  const char *const *algs; /* accepted "alg" values, NULL-terminated; NULL: any */
  const char *enc;         /* JWE: the accepted "enc"; NULL: any */
} FoyerJoseRules;

gboolean foyer_jose_is_base64url (const char *text, gssize length);
gboolean foyer_jose_check_compact (const char *text, const FoyerJoseRules *rules, const char **why);
JsonObject *foyer_jose_check (const char *text, const FoyerJoseRules *rules, const char **why);
gboolean foyer_jose_check_jwk (JsonObject *jwk, const char **why);
gboolean foyer_jose_check_jwk_text (const char *text, gsize length, const char **why);

G_END_DECLS
