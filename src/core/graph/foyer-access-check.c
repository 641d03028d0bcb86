/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-access-check.h"

#include "foyer-json.h"

#include <string.h>

static gboolean
same_address (const char *a, const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* A SharePoint login name ends with the address: "i:0#.f|membership|bob@…". */
static gboolean
login_names (const char *login, const char *email)
{
  const char *bar = login != NULL ? strrchr (login, '|') : NULL;

  return same_address (bar != NULL ? bar + 1 : login, email);
}

/* An identity set ({user, siteUser, group, siteGroup, application}). */
static gboolean
identity_set_names (JsonObject *set, const char *email)
{
  JsonObject *user = foyer_json_get_object (set, "user");
  JsonObject *site_user = foyer_json_get_object (set, "siteUser");

  return same_address (foyer_json_get_string (user, "email"), email)
         || same_address (foyer_json_get_string (user, "userPrincipalName"), email)
         || same_address (foyer_json_get_string (site_user, "email"), email)
         || login_names (foyer_json_get_string (site_user, "loginName"), email);
}

static gboolean
identity_set_is_group (JsonObject *set)
{
  return foyer_json_get_object (set, "group") != NULL
         || foyer_json_get_object (set, "siteGroup") != NULL;
}

static gboolean
identities_name (JsonObject *permission, const char *member, const char *email)
{
  JsonNode *node = json_object_get_member (permission, member);
  JsonArray *array
      = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element)
          && identity_set_names (json_node_get_object (element), email))
        return TRUE;
    }
  return FALSE;
}

static gboolean
permission_names (JsonObject *permission, const char *email)
{
  return identity_set_names (foyer_json_get_object (permission, "grantedToV2"), email)
         || identity_set_names (foyer_json_get_object (permission, "grantedTo"), email)
         || identities_name (permission, "grantedToIdentitiesV2", email)
         || identities_name (permission, "grantedToIdentities", email)
         || same_address (
             foyer_json_get_string (foyer_json_get_object (permission, "invitation"), "email"),
             email);
}

static gboolean
permission_has_role (JsonObject *permission, const char *role)
{
  g_auto (GStrv) roles = foyer_json_dup_strv (permission, "roles");

  return g_strv_contains ((const char *const *) roles, role);
}

gboolean
foyer_access_check_has_permission (JsonArray *permissions, const char *email)
{
  g_return_val_if_fail (email != NULL, FALSE);

  for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
    {
      JsonNode *node = json_array_get_element (permissions, i);

      if (JSON_NODE_HOLDS_OBJECT (node) && permission_names (json_node_get_object (node), email))
        return TRUE;
    }
  return FALSE;
}

char *
foyer_access_check_email_domain (const char *email)
{
  const char *at = email != NULL ? strrchr (email, '@') : NULL;

  if (at == NULL || at[1] == '\0')
    return NULL;
  return g_ascii_strdown (at + 1, -1);
}

static gboolean
in_organization (const char *email, const char *const *domains)
{
  g_autofree char *domain = foyer_access_check_email_domain (email);

  for (guint i = 0; domain != NULL && domains != NULL && domains[i] != NULL; i++)
    if (g_ascii_strcasecmp (domain, domains[i]) == 0)
      return TRUE;
  return FALSE;
}

GStrv
foyer_access_check_members_without_access (JsonArray *permissions,
                                           FoyerLinkAudience audience,
                                           const char *const *members,
                                           const char *const *organization_domains,
                                           gboolean *out_certain)
{
  g_autoptr (GStrvBuilder) missing = g_strv_builder_new ();
  gboolean existing = audience == FOYER_LINK_AUDIENCE_EXISTING;
  gboolean organization = audience == FOYER_LINK_AUDIENCE_ORGANIZATION;
  gboolean has_owner = FALSE;
  gboolean has_group = FALSE;

  for (guint i = 0; permissions != NULL && i < json_array_get_length (permissions); i++)
    {
      JsonNode *node = json_array_get_element (permissions, i);
      JsonObject *permission = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (permission == NULL)
        continue;
      has_owner |= permission_has_role (permission, "owner");
      has_group |= identity_set_is_group (foyer_json_get_object (permission, "grantedToV2"))
                   || identity_set_is_group (foyer_json_get_object (permission, "grantedTo"));
    }

  if (out_certain != NULL)
    *out_certain = !(existing || organization) || (has_owner && !(existing && has_group));
  if (!existing && !organization)
    return g_strv_builder_end (missing);
  /* Without the organization's domains, nobody can be called a guest. */
  if (organization && (organization_domains == NULL || organization_domains[0] == NULL))
    {
      if (out_certain != NULL)
        *out_certain = FALSE;
      return g_strv_builder_end (missing);
    }

  for (guint i = 0; members != NULL && members[i] != NULL; i++)
    {
      const char *email = members[i];
      gboolean inside = in_organization (email, organization_domains);

      if (foyer_access_check_has_permission (permissions, email))
        continue;
      if (organization && inside)
        continue;
      if (existing && has_group && inside)
        continue;
      g_strv_builder_add (missing, email);
    }
  return g_strv_builder_end (missing);
}
