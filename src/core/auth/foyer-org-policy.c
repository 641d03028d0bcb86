/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-org-policy.h"

#include "foyer-auth-error.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _FoyerOrgPolicy
{
  GObject parent_instance;

  gboolean enabled;
  char *tenant_id;
  char *client_id;
  char *cloud_name;
  char *cloud_descriptor;
  guint audiences; /* 1 << FoyerLinkAudience for each one allowed */
  FoyerLinkAudience default_audience;
  FoyerLinkType default_link_type;
  gboolean browser_sign_in;
};

G_DEFINE_FINAL_TYPE (FoyerOrgPolicy, foyer_org_policy, G_TYPE_OBJECT)

static void
foyer_org_policy_finalize (GObject *object)
{
  FoyerOrgPolicy *self = FOYER_ORG_POLICY (object);

  g_free (self->tenant_id);
  g_free (self->client_id);
  g_free (self->cloud_name);
  g_free (self->cloud_descriptor);
  G_OBJECT_CLASS (foyer_org_policy_parent_class)->finalize (object);
}

static void
foyer_org_policy_class_init (FoyerOrgPolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_org_policy_finalize;
}

static void
foyer_org_policy_init (FoyerOrgPolicy *self)
{
}

gboolean
foyer_auth_is_guid (const char *text)
{
  static const int dashes[] = { 8, 13, 18, 23 };

  if (text == NULL || strlen (text) != 36)
    return FALSE;
  for (int i = 0; i < 36; i++)
    {
      gboolean dash = i == dashes[0] || i == dashes[1] || i == dashes[2] || i == dashes[3];

      if (dash ? text[i] != '-' : !g_ascii_isxdigit (text[i]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
invalid (GError **error, const char *message)
{
  g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY, message);
  return FALSE;
}

static gboolean
parse_audiences (FoyerOrgPolicy *self, JsonObject *ms, GError **error)
{
  JsonNode *node = json_object_get_member (ms, "audiences");
  const char *def;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return invalid (error, _ ("The organization's Microsoft policy lists no link audiences."));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *e = json_array_get_element (json_node_get_array (node), i);
      FoyerLinkAudience a;

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING
          || !foyer_link_audience_from_string (json_node_get_string (e), &a))
        return invalid (error,
                        _ ("The organization's Microsoft policy names an unknown link audience."));
      self->audiences |= 1u << a;
    }
  if (self->audiences == 0)
    return invalid (error, _ ("The organization's Microsoft policy lists no link audiences."));

  def = foyer_json_get_string (ms, "defaultAudience");
  if (!foyer_link_audience_from_string (def, &self->default_audience)
      || !(self->audiences & (1u << self->default_audience)))
    return invalid (error, _ ("The organization's default link audience is not one it allows."));
  return TRUE;
}

static gboolean
parse_microsoft (FoyerOrgPolicy *self, JsonObject *ms, GError **error)
{
  const char *link_type;
  const char *descriptor;
  const char *sign_in;
  g_autoptr (FoyerCloud) cloud = NULL;

  self->enabled = foyer_json_get_boolean (ms, "enabled", FALSE);
  self->tenant_id = g_strdup (foyer_json_get_string (ms, "tenantId"));
  self->client_id = g_strdup (foyer_json_get_string (ms, "clientId"));
  self->cloud_name = g_strdup (foyer_json_get_string_with_default (ms, "cloud", "worldwide"));
  descriptor = foyer_json_get_string (ms, "cloudDescriptor");
  self->cloud_descriptor = g_strdup (descriptor);

  /* A disabled integration needs nothing else: Attach file says why. */
  if (!self->enabled)
    return TRUE;

  if (!foyer_auth_is_guid (self->tenant_id))
    return invalid (error, _ ("The organization's Microsoft tenant is not a valid tenant ID."));
  if (!foyer_auth_is_guid (self->client_id))
    return invalid (error, _ ("The organization's Microsoft application ID is not valid."));
  if (self->cloud_name == NULL)
    return invalid (error, _ ("The organization's Microsoft cloud is not valid."));
  if (self->cloud_descriptor == NULL
      && (cloud = foyer_cloud_new_builtin (self->cloud_name, error)) == NULL)
    return FALSE;
  if (!parse_audiences (self, ms, error))
    return FALSE;

  link_type = foyer_json_get_string_with_default (ms, "defaultLinkType", "view");
  if (!foyer_link_type_from_string (link_type, &self->default_link_type))
    return invalid (error, _ ("The organization's default link type must be view or edit."));

  /* "embedded" (the default: the viewer gets the session's cookies) or
   * "browser" (RFC 8252: the system browser, back through 127.0.0.1). */
  sign_in = foyer_json_get_string_with_default (ms, "signIn", "embedded");
  if (g_strcmp0 (sign_in, "browser") == 0)
    self->browser_sign_in = TRUE;
  else if (g_strcmp0 (sign_in, "embedded") != 0)
    return invalid (error, _ ("The organization's sign-in mode must be embedded or browser."));
  return TRUE;
}

/* Whether people sign in to Microsoft in their web browser rather than in
 * Foyer's own sign-in window. */
gboolean
foyer_org_policy_get_browser_sign_in (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FALSE);

  return self->browser_sign_in;
}

FoyerOrgPolicy *
foyer_org_policy_new_from_json (JsonNode *root, GError **error)
{
  g_autoptr (FoyerOrgPolicy) self = g_object_new (FOYER_TYPE_ORG_POLICY, NULL);
  JsonNode *ms;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || (ms = json_object_get_member (json_node_get_object (root), "microsoft")) == NULL
      || !JSON_NODE_HOLDS_OBJECT (ms))
    {
      invalid (error, _ ("The organization has no Microsoft policy."));
      return NULL;
    }
  if (!parse_microsoft (self, json_node_get_object (ms), error))
    return NULL;
  return g_steal_pointer (&self);
}

FoyerOrgPolicy *
foyer_org_policy_new_from_data (const char *json, gssize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, NULL))
    {
      invalid (error, _ ("The organization's Microsoft policy is not valid JSON."));
      return NULL;
    }
  return foyer_org_policy_new_from_json (json_parser_get_root (parser), error);
}

gboolean
foyer_org_policy_get_enabled (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FALSE);
  return self->enabled;
}

const char *
foyer_org_policy_get_tenant_id (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), NULL);
  return self->tenant_id;
}

const char *
foyer_org_policy_get_client_id (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), NULL);
  return self->client_id;
}

const char *
foyer_org_policy_get_cloud_name (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), NULL);
  return self->cloud_name;
}

const char *
foyer_org_policy_get_cloud_descriptor (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), NULL);
  return self->cloud_descriptor;
}

FoyerLinkAudience
foyer_org_policy_get_default_audience (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FOYER_LINK_AUDIENCE_NONE);
  return self->default_audience;
}

FoyerLinkType
foyer_org_policy_get_default_link_type (FoyerOrgPolicy *self)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FOYER_LINK_TYPE_VIEW);
  return self->default_link_type;
}

gboolean
foyer_org_policy_allows_audience (FoyerOrgPolicy *self, FoyerLinkAudience audience)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FALSE);
  return self->enabled && audience != FOYER_LINK_AUDIENCE_NONE
         && (self->audiences & (1u << audience)) != 0;
}

FoyerCloud *
foyer_org_policy_create_cloud (FoyerOrgPolicy *self, GError **error)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), NULL);

  if (!self->enabled)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_DISABLED,
                           _ ("Your organization has not enabled Microsoft OneDrive and "
                              "SharePoint."));
      return NULL;
    }
  if (self->cloud_descriptor != NULL)
    return foyer_cloud_new_from_file (self->cloud_descriptor, error);
  return foyer_cloud_new_builtin (self->cloud_name, error);
}

gboolean
foyer_org_policy_check_tenant (FoyerOrgPolicy *self, const char *tid, GError **error)
{
  g_return_val_if_fail (FOYER_IS_ORG_POLICY (self), FALSE);

  if (tid != NULL && self->tenant_id != NULL && g_ascii_strcasecmp (tid, self->tenant_id) == 0)
    return TRUE;
  g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_WRONG_TENANT,
                       _ ("This Microsoft account belongs to another organization. Sign in with "
                          "your organization's account."));
  return FALSE;
}

/* Whether two policies say the same (the session reads the policy again at
 * each connection: the same one need not reset the Microsoft account). */
gboolean
foyer_org_policy_equal (FoyerOrgPolicy *a, FoyerOrgPolicy *b)
{
  if (a == b)
    return TRUE;
  if (a == NULL || b == NULL)
    return FALSE;
  return a->enabled == b->enabled && g_strcmp0 (a->tenant_id, b->tenant_id) == 0
         && g_strcmp0 (a->client_id, b->client_id) == 0
         && g_strcmp0 (a->cloud_name, b->cloud_name) == 0
         && g_strcmp0 (a->cloud_descriptor, b->cloud_descriptor) == 0
         && a->audiences == b->audiences && a->default_audience == b->default_audience
         && a->default_link_type == b->default_link_type
         && a->browser_sign_in == b->browser_sign_in;
}
