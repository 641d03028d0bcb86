/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Errors of the Graph client. Each GError in FOYER_GRAPH_ERROR keeps the
 * HTTP status, the deepest known Graph error code and the request id (read
 * them with foyer_graph_error_get_*); the message ends with the same facts in
 * a fixed suffix: " (HTTP 403, accessDenied, request-id 1234)".
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define FOYER_GRAPH_ERROR (foyer_graph_error_quark ())

typedef enum
{
  FOYER_GRAPH_ERROR_FAILED,
  FOYER_GRAPH_ERROR_ACCESS_DENIED,
  FOYER_GRAPH_ERROR_NOT_FOUND,
  FOYER_GRAPH_ERROR_THROTTLED,
  FOYER_GRAPH_ERROR_UNAUTHENTICATED,
  FOYER_GRAPH_ERROR_INVALID_REQUEST,
  FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS,
  FOYER_GRAPH_ERROR_NOT_SUPPORTED,
  FOYER_GRAPH_ERROR_QUOTA,
  FOYER_GRAPH_ERROR_MALFORMED_RESPONSE,
  FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE,
  FOYER_GRAPH_ERROR_NETWORK,
} FoyerGraphError;

GQuark foyer_graph_error_quark (void);

GError *foyer_graph_error_new (FoyerGraphError code,
                               guint http_status,
                               const char *graph_code,
                               const char *request_id,
                               const char *message);
GError *foyer_graph_error_new_from_response (guint http_status,
                                             const char *request_id_header,
                                             GBytes *body);
GError *
foyer_graph_error_new_from_json (guint http_status, const char *request_id_header, JsonNode *root);

guint foyer_graph_error_get_status (const GError *error);
const char *foyer_graph_error_get_code (const GError *error);
const char *foyer_graph_error_get_request_id (const GError *error);
/* The seconds the last reply's Retry-After asked for, 0 when it had none:
 * a throttled request given up on must not be tried again before that. */
guint foyer_graph_error_get_retry_after (const GError *error);

GError *foyer_graph_error_new_malformed (const char *what);

FoyerGraphError foyer_graph_error_code_from_graph (const char *graph_code, guint http_status);

G_END_DECLS
