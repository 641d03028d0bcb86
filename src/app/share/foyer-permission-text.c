/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-permission-text"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-permission-text.h"

#include "foyer-graph-link.h"
#include "foyer-json.h"

gboolean
foyer_permission_is_owner (JsonObject *permission)
{
  g_auto (GStrv) roles = foyer_json_dup_strv (permission, "roles");

  return roles != NULL && g_strv_contains ((const char *const *) roles, "owner");
}

const char *
foyer_permission_role (JsonObject *permission)
{
  g_auto (GStrv) roles = foyer_json_dup_strv (permission, "roles");

  g_return_val_if_fail (permission != NULL, NULL);

  if (foyer_permission_is_owner (permission))
    return _ ("Owner");
  return roles != NULL && g_strv_contains ((const char *const *) roles, "write") ? _ ("Can edit")
                                                                                 : _ ("Can view");
}

static const char *
identity_name (JsonObject *identity_set)
{
  static const char *const kinds[] = { "user", "siteUser", "group", "siteGroup", "application" };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      JsonObject *identity = foyer_json_get_object (identity_set, kinds[i]);
      const char *name = foyer_json_get_string (identity, "displayName");

      if (name == NULL)
        name = foyer_json_get_string (identity, "email");
      if (name != NULL)
        return name;
    }
  return NULL;
}

const char *
foyer_permission_who (JsonObject *permission)
{
  JsonObject *link;
  FoyerGraphLinkScope scope;
  const char *name;

  g_return_val_if_fail (permission != NULL, NULL);

  link = foyer_json_get_object (permission, "link");
  name = identity_name (foyer_json_get_object (permission, "grantedToV2"));
  if (name == NULL)
    name = identity_name (foyer_json_get_object (permission, "grantedTo"));
  if (name == NULL)
    name = foyer_json_get_string (foyer_json_get_object (permission, "invitation"), "email");
  if (name != NULL)
    return name;

  if (link == NULL)
    return NULL;
  if (!foyer_graph_link_scope_from_string (foyer_json_get_string (link, "scope"), &scope))
    scope = FOYER_GRAPH_LINK_SCOPE_USERS;
  if (scope == FOYER_GRAPH_LINK_SCOPE_ANONYMOUS)
    return _ ("Anyone with the link");
  if (scope == FOYER_GRAPH_LINK_SCOPE_ORGANIZATION)
    return _ ("People in the organization with the link");
  return _ ("Specific people with the link");
}
