/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the security tests share: raw HTTP over a plain socket, as an
 * attacker's own client would speak it (no libsoup to tidy the request),
 * sign-in, and the checks that follow every attack — the service is
 * still up and still answers someone else.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "foyer-test-service.h"

G_BEGIN_DECLS

typedef struct
{
  guint status; /* 0 when the connection closed without an answer */
  char *headers;
  char *body;
} SecReply;

void sec_reply_free (SecReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecReply, sec_reply_free)

/* Sends raw bytes to the service's address and reads until it closes. */
SecReply *sec_send_raw (const char *base_url, const char *data, gsize length);
/* The same from a given loopback address (127.0.0.2…), as another client
 * machine would: the service tells clients apart by address. */
SecReply *
sec_send_raw_from (const char *local_address, const char *base_url, const char *data, gsize length);
/* One request with "Connection: close"; extra_headers are whole lines
 * without their CRLF; token may be NULL. */
SecReply *sec_request (const char *base_url,
                       const char *method,
                       const char *path,
                       const char *token,
                       const char *const *extra_headers,
                       const char *body);
SecReply *sec_request_from (const char *local_address,
                            const char *base_url,
                            const char *method,
                            const char *path,
                            const char *token,
                            const char *const *extra_headers,
                            const char *body);
JsonObject *sec_reply_json (SecReply *reply);
const char *sec_reply_header (SecReply *reply, const char *name, char **out_value);

/* POST /v1/sessions: the token, or NULL with the status in *out_status. */
char *
sec_sign_in (const char *base_url, const char *email, const char *password, guint *out_status);
char *sec_sign_in_from (const char *local_address,
                        const char *base_url,
                        const char *email,
                        const char *password,
                        guint *out_status,
                        guint *out_retry_after);
char *sec_sign_in_ok (FoyerTestService *service, const char *email, const char *password);
char *sec_person_id (const char *base_url, const char *token);

/* The process is running and answers GET /v1/service. */
gboolean sec_service_alive (FoyerTestService *service);
/* Fails the test unless the service is up and bob can still sign in and
 * read his profile. */
void sec_assert_serves_others (FoyerTestService *service);

char *sec_temp_dir (const char *prefix);
/* Where the service keeps the private key that signs its tokens (what an
 * attacker who stole it could forge tokens with). */
char *sec_signing_key_path (FoyerTestService *service);

/* A WebSocket on /v1/events opened with token; NULL if refused. */
GSocketConnection *sec_websocket_open (const char *base_url, const char *token, guint *out_status);
/* Reads frames until a close frame (TRUE, with its code) or until
 * timeout_ms passes or the connection ends without one (FALSE). */
gboolean
sec_websocket_wait_close (GSocketConnection *connection, guint timeout_ms, guint *out_code);

G_END_DECLS
