/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The replies every handler makes: JSON bodies and the service's error
 * shape. A handler only fills its request's reply (it may run on a worker
 * thread); foyer_svc_request_finish () puts it on the message.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-json.h"

#include <string.h>

void
foyer_svc_respond_json (FoyerSvcRequest *req, guint status, JsonNode *node)
{
  g_free (req->reply);
  req->reply = json_to_string (node, FALSE);
  req->status = status;
}

void
foyer_svc_respond_status (FoyerSvcRequest *req, guint status)
{
  g_clear_pointer (&req->reply, g_free);
  req->status = status;
}

static JsonNode *
error_node (const GError *error)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint status = foyer_svc_error_status (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "code", foyer_svc_error_code_name (error));
  foyer_json_builder_add_string (builder, "message",
                                 status == 500   ? "Internal error"
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
foyer_svc_respond_error (FoyerSvcRequest *req, const GError *error)
{
  g_autoptr (JsonNode) root = error_node (error);
  guint status = foyer_svc_error_status (error);

  if (status == 500)
    g_warning ("Internal error: %s", error != NULL ? error->message : "unknown");
  /* The database cannot be reached: the client may try again soon. */
  if (status == 503 && req->retry_after == NULL)
    req->retry_after = g_strdup ("1");
  foyer_svc_respond_json (req, status, root);
}

void
foyer_svc_respond_error_literal (FoyerSvcRequest *req, FoyerSvcError code, const char *text)
{
  g_autoptr (GError) error = g_error_new_literal (FOYER_SVC_ERROR, code, text);

  foyer_svc_respond_error (req, error);
}

void
foyer_svc_respond_error_or (FoyerSvcRequest *req,
                            const GError *error,
                            FoyerSvcError code,
                            const char *text)
{
  if (error != NULL)
    foyer_svc_respond_error (req, error);
  else
    foyer_svc_respond_error_literal (req, code, text);
}

void
foyer_svc_respond_list (FoyerSvcRequest *req,
                        GPtrArray *rows,
                        FoyerSvcNodeFunc to_node,
                        const GError *error)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *items;

  if (rows == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  items = json_array_sized_new (rows->len);
  for (guint i = 0; i < rows->len; i++)
    json_array_add_element (items, to_node (g_ptr_array_index (rows, i)));
  json_node_take_object (root, object);
  json_object_set_array_member (object, "items", items);
  foyer_svc_respond_json (req, 200, root);
}
