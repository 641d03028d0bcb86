/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerCloud: the endpoints of one Microsoft cloud. Built in: worldwide
 * (also serving gcc-moderate). usgov-high, usgov-dod, china and germany are
 * known and refused with FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD. A descriptor
 * can also come from a cloud.json file (the sandbox). Every endpoint is
 * https; a descriptor may name a certificate authority ("caFile", relative
 * to the file) that Foyer then trusts for that cloud only.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_TYPE_CLOUD (foyer_cloud_get_type ())
G_DECLARE_FINAL_TYPE (FoyerCloud, foyer_cloud, FOYER, CLOUD, GObject)

FoyerCloud *foyer_cloud_new_builtin (const char *name, GError **error);
FoyerCloud *foyer_cloud_new_from_file (const char *path, GError **error);
FoyerCloud *foyer_cloud_new_from_data (const char *json, gssize length, GError **error);

const char *foyer_cloud_get_name (FoyerCloud *self);
const char *foyer_cloud_get_authority (FoyerCloud *self);
const char *foyer_cloud_get_graph_url (FoyerCloud *self);
const char *foyer_cloud_get_redirect_uri (FoyerCloud *self);
/* Given by a file descriptor only, else NULL. */
const char *foyer_cloud_get_tenant_id (FoyerCloud *self);
const char *foyer_cloud_get_client_id (FoyerCloud *self);
/* The system's anchors plus the descriptor's CA, for every connection to
 * this cloud (SoupSession "tls-database"); NULL for a built-in cloud or a
 * descriptor without "caFile": the system's anchors alone. */
GTlsDatabase *foyer_cloud_get_tls_database (FoyerCloud *self);

char *foyer_cloud_authorize_url (FoyerCloud *self, const char *tenant);
char *foyer_cloud_token_url (FoyerCloud *self, const char *tenant);
char *foyer_cloud_jwks_url (FoyerCloud *self, const char *tenant);
char *foyer_cloud_issuer (FoyerCloud *self, const char *tenant);
/* Where an administrator grants consent for the whole organization
 * ({authority}/{tenant}/adminconsent?client_id=…), as Microsoft documents. */
char *foyer_cloud_admin_consent_url (FoyerCloud *self, const char *tenant, const char *client_id);

/* An identity, Graph, SharePoint/OneDrive or Office URL of this cloud, over https. */
gboolean foyer_cloud_is_allowed_url (FoyerCloud *self, const char *uri);
gboolean foyer_cloud_is_sharepoint_url (FoyerCloud *self, const char *uri);

G_END_DECLS
