/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-link.h"

#include "foyer-graph-error.h"
#include "foyer-json.h"

G_DEFINE_BOXED_TYPE (FoyerGraphLink, foyer_graph_link, foyer_graph_link_copy, foyer_graph_link_free)

FoyerGraphLink *
foyer_graph_link_copy (const FoyerGraphLink *link)
{
  FoyerGraphLink *copy;

  g_return_val_if_fail (link != NULL, NULL);

  copy = g_memdup2 (link, sizeof *link);
  copy->web_url = g_strdup (link->web_url);
  copy->permission_id = g_strdup (link->permission_id);
  return copy;
}

void
foyer_graph_link_free (FoyerGraphLink *link)
{
  if (link == NULL)
    return;
  g_free (link->web_url);
  g_free (link->permission_id);
  g_free (link);
}

static const char *const scope_names[] = { "anonymous", "organization", "users", "existing" };

const char *
foyer_graph_link_scope_to_string (FoyerGraphLinkScope scope)
{
  g_return_val_if_fail (scope <= FOYER_GRAPH_LINK_SCOPE_EXISTING, NULL);

  return scope_names[scope];
}

gboolean
foyer_graph_link_scope_from_string (const char *text, FoyerGraphLinkScope *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (scope_names); i++)
    if (g_strcmp0 (text, scope_names[i]) == 0)
      {
        *out = (FoyerGraphLinkScope) i;
        return TRUE;
      }
  return FALSE;
}

FoyerGraphLinkScope
foyer_graph_link_scope_for_audience (FoyerLinkAudience audience)
{
  switch (audience)
    {
    case FOYER_LINK_AUDIENCE_ANYONE:
      return FOYER_GRAPH_LINK_SCOPE_ANONYMOUS;
    case FOYER_LINK_AUDIENCE_ORGANIZATION:
      return FOYER_GRAPH_LINK_SCOPE_ORGANIZATION;
    case FOYER_LINK_AUDIENCE_NONE:
    case FOYER_LINK_AUDIENCE_SPACE:
    case FOYER_LINK_AUDIENCE_EXISTING:
    default:
      return FOYER_GRAPH_LINK_SCOPE_EXISTING;
    }
}

FoyerLinkAudience
foyer_graph_link_scope_get_audience (FoyerGraphLinkScope scope)
{
  switch (scope)
    {
    case FOYER_GRAPH_LINK_SCOPE_ANONYMOUS:
      return FOYER_LINK_AUDIENCE_ANYONE;
    case FOYER_GRAPH_LINK_SCOPE_ORGANIZATION:
      return FOYER_LINK_AUDIENCE_ORGANIZATION;
    case FOYER_GRAPH_LINK_SCOPE_USERS:
    case FOYER_GRAPH_LINK_SCOPE_EXISTING:
    default:
      return FOYER_LINK_AUDIENCE_EXISTING;
    }
}

FoyerGraphLink *
foyer_graph_link_new_from_permission (JsonNode *root,
                                      FoyerGraphLinkScope requested_scope,
                                      GError **error)
{
  g_autoptr (FoyerGraphLink) link = g_new0 (FoyerGraphLink, 1);
  JsonObject *object, *link_object = NULL;
  JsonNode *link_node;
  const char *web_url, *scope, *type;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("permission"));
      return NULL;
    }
  object = json_node_get_object (root);
  link_node = json_object_get_member (object, "link");
  if (link_node != NULL && JSON_NODE_HOLDS_OBJECT (link_node))
    link_object = json_node_get_object (link_node);
  web_url = foyer_json_get_string (link_object, "webUrl");
  if (web_url == NULL)
    {
      g_propagate_error (error, foyer_graph_error_new_malformed ("link.webUrl"));
      return NULL;
    }

  link->web_url = g_strdup (web_url);
  link->permission_id = g_strdup (foyer_json_get_string (object, "id"));
  type = foyer_json_get_string (link_object, "type");
  if (!foyer_link_type_from_string (type, &link->type))
    link->type = FOYER_LINK_TYPE_VIEW;
  scope = foyer_json_get_string (link_object, "scope");
  if (!foyer_graph_link_scope_from_string (scope, &link->scope))
    link->scope = requested_scope;
  link->requested_scope = requested_scope;
  return g_steal_pointer (&link);
}
