/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * One JSON request to foyer-service (conversation or KMS role), with the
 * bearer token, and the HTTP status turned into an actionable GError in
 * the caller's error domain. Shared by FoyerKmsClient and FoyerChatClient.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "foyer-json.h"

G_BEGIN_DECLS

/* The codes FOYER_CHAT_ERROR and FOYER_KMS_ERROR share. */
typedef enum
{
  FOYER_REMOTE_ERROR_UNAUTHORIZED,
  FOYER_REMOTE_ERROR_FORBIDDEN,
  FOYER_REMOTE_ERROR_NOT_FOUND,
  FOYER_REMOTE_ERROR_INVALID,
  FOYER_REMOTE_ERROR_NETWORK,
  FOYER_REMOTE_ERROR_SERVER,
} FoyerRemoteError;

/* extra_headers: NULL, or NULL-terminated name, value, name, value… */
void foyer_json_request_async (SoupSession *session,
                               const char *method,
                               const char *url,
                               const char *token,
                               JsonNode *body,
                               const char *const *extra_headers,
                               GQuark error_domain,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
JsonNode *foyer_json_request_finish (GAsyncResult *result, guint *out_status, GError **error);
const char *foyer_json_request_get_refusal (GAsyncResult *result);
const char *foyer_json_request_get_service_message (GAsyncResult *result);

gboolean foyer_json_url_is_acceptable (const char *url);

G_END_DECLS
