/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HTTP plumbing shared by the sandbox's own tests: a libsoup client that
 * follows no redirect by itself, so each hop can be checked. */
#pragma once

#include "foyer-test-sandbox.h"

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  guint status;
  char *body;
  gsize length;
  char *location;
  char *content_type;
  SoupMessageHeaders *headers;
} TcReply;

void tc_reply_free (TcReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TcReply, tc_reply_free)

/* A session that trusts the sandbox's CA; one with its own cookie jar too (a browser). */
SoupSession *tc_session_new (FoyerTestSandbox *sb);
SoupSession *tc_browser_new (FoyerTestSandbox *sb);
TcReply *tc_request (SoupSession *session,
                     const char *method,
                     const char *url,
                     const char *content_type,
                     const char *body,
                     const char *bearer);
TcReply *tc_get (SoupSession *session, const char *url, const char *bearer);
TcReply *tc_post_json (SoupSession *session, const char *url, const char *json, const char *bearer);
TcReply *tc_post_form (SoupSession *session, const char *url, ...) G_GNUC_NULL_TERMINATED;
JsonObject *tc_json (TcReply *reply);
char *tc_between (const char *text, const char *before, const char *after);
char *tc_query_param (const char *url, const char *name);
char *tc_absolute (const char *base, const char *location);

void tc_pkce (char **verifier, char **challenge);
char *tc_authorize_url (FoyerTestSandbox *sb,
                        const char *tenant,
                        const char *challenge,
                        const char *state,
                        const char *extra);
/* Drives the whole sign-in (form, consent) and returns the code. */
char *tc_sign_in (SoupSession *browser,
                  FoyerTestSandbox *sb,
                  const char *tenant,
                  const char *email,
                  const char *challenge);
JsonObject *tc_redeem (FoyerTestSandbox *sb, const char *code, const char *verifier, guint *status);
char *tc_graph (FoyerTestSandbox *sb, const char *path);

G_END_DECLS
