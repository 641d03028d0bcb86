/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The replies every handler sends: JSON bodies and the service's error
 * shape. Kept apart from the dispatcher so that the handlers, which the
 * dispatcher calls, do not call back into it.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <string.h>

void
foyer_svc_respond_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize len = strlen (text);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
}

static JsonNode *
error_node (const GError *error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint status = foyer_svc_error_status (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, foyer_svc_error_code_name (error));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, status == 500   ? "Internal error"
                                          : error != NULL ? error->message
                                                          : "Error");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The body of the service's error reply, for replies written by hand. */
char *
foyer_svc_error_json (const GError *error)
{
  g_autoptr (JsonNode) root = error_node (error);

  return json_to_string (root, FALSE);
}

void
foyer_svc_respond_error (SoupServerMessage *msg, const GError *error)
{
  g_autoptr (JsonNode) root = error_node (error);
  guint status = foyer_svc_error_status (error);

  if (status == 500)
    g_warning ("Internal error: %s", error != NULL ? error->message : "unknown");
  foyer_svc_respond_json (msg, status, root);
}

void
foyer_svc_respond_error_literal (SoupServerMessage *msg, FoyerSvcError code, const char *text)
{
  g_autoptr (GError) error = g_error_new_literal (FOYER_SVC_ERROR, code, text);

  foyer_svc_respond_error (msg, error);
}
