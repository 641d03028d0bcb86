/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerOrgPolicy: the organization's Microsoft settings, as provisioned by
 * its administrator: { "microsoft": { "enabled", "tenantId", "clientId",
 * "cloud", "audiences", "defaultAudience", "defaultLinkType",
 * "cloudDescriptor"? } }. Parsing validates everything; an invalid policy
 * is refused as a whole.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "foyer-cloud.h"
#include "foyer-sharing.h"

G_BEGIN_DECLS

#define FOYER_TYPE_ORG_POLICY (foyer_org_policy_get_type ())
G_DECLARE_FINAL_TYPE (FoyerOrgPolicy, foyer_org_policy, FOYER, ORG_POLICY, GObject)

/* root: the whole policy object (with its "microsoft" member). */
FoyerOrgPolicy *foyer_org_policy_new_from_json (JsonNode *root, GError **error);
FoyerOrgPolicy *foyer_org_policy_new_from_data (const char *json, gssize length, GError **error);

gboolean foyer_org_policy_get_enabled (FoyerOrgPolicy *self);
gboolean foyer_org_policy_equal (FoyerOrgPolicy *a, FoyerOrgPolicy *b);
const char *foyer_org_policy_get_tenant_id (FoyerOrgPolicy *self);
const char *foyer_org_policy_get_client_id (FoyerOrgPolicy *self);
const char *foyer_org_policy_get_cloud_name (FoyerOrgPolicy *self);
const char *foyer_org_policy_get_cloud_descriptor (FoyerOrgPolicy *self);
FoyerLinkAudience foyer_org_policy_get_default_audience (FoyerOrgPolicy *self);
FoyerLinkType foyer_org_policy_get_default_link_type (FoyerOrgPolicy *self);
gboolean foyer_org_policy_get_browser_sign_in (FoyerOrgPolicy *self);
gboolean foyer_org_policy_allows_audience (FoyerOrgPolicy *self, FoyerLinkAudience audience);

/* The cloud the policy names: the file descriptor when given, else the
 * built-in cloud. FOYER_AUTH_ERROR_DISABLED when the integration is off. */
FoyerCloud *foyer_org_policy_create_cloud (FoyerOrgPolicy *self, GError **error);

/* FOYER_AUTH_ERROR_WRONG_TENANT unless tid is the organization's tenant. */
gboolean foyer_org_policy_check_tenant (FoyerOrgPolicy *self, const char *tid, GError **error);

gboolean foyer_auth_is_guid (const char *text);

G_END_DECLS
