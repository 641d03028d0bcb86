/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-cloud.h"

#include "foyer-auth-error.h"
#include "foyer-json.h"
#include "foyer-core.h"
#include "foyer-tls-database.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

struct _FoyerCloud
{
  GObject parent_instance;

  char *name;
  char *authority;
  char *graph_url;
  char *redirect_uri;
  char *tenant_id;
  char *client_id;
  /* "host" (https, port 443), "*.suffix", or "host:port" for a file. */
  GStrv allowed_hosts;
  GStrv sharepoint_hosts;
  GTlsDatabase *tls_database; /* NULL: the system's anchors alone */
};

G_DEFINE_FINAL_TYPE (FoyerCloud, foyer_cloud, G_TYPE_OBJECT)

static const char *const worldwide_hosts[] = {
  "login.microsoftonline.com",
  "login.live.com",
  "graph.microsoft.com",
  "*.sharepoint.com",
  "onedrive.live.com",
  "*.onedrive.live.com",
  "1drv.ms",
  "*.officeapps.live.com",
  "office.com",
  "*.office.com",
  "*.office.net",
  "*.svc.ms",
  NULL,
};

static const char *const worldwide_sharepoint_hosts[] = {
  "*.sharepoint.com",
  "onedrive.live.com",
  "*.onedrive.live.com",
  NULL,
};

static void
foyer_cloud_finalize (GObject *object)
{
  FoyerCloud *self = FOYER_CLOUD (object);

  g_free (self->name);
  g_free (self->authority);
  g_free (self->graph_url);
  g_free (self->redirect_uri);
  g_free (self->tenant_id);
  g_free (self->client_id);
  g_strfreev (self->allowed_hosts);
  g_strfreev (self->sharepoint_hosts);
  g_clear_object (&self->tls_database);
  G_OBJECT_CLASS (foyer_cloud_parent_class)->finalize (object);
}

static void
foyer_cloud_class_init (FoyerCloudClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_cloud_finalize;
}

static void
foyer_cloud_init (FoyerCloud *self)
{
}

FoyerCloud *
foyer_cloud_new_builtin (const char *name, GError **error)
{
  static const char *const refused[] = { "usgov-high", "usgov-dod", "china", "germany", NULL };
  FoyerCloud *self;

  g_return_val_if_fail (name != NULL, NULL);

  if (g_strv_contains (refused, name))
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD,
                   _ ("The Microsoft cloud “%s” is not supported by Foyer. Only the worldwide "
                      "cloud and GCC Moderate are supported."),
                   name);
      return NULL;
    }
  if (!g_str_equal (name, "worldwide") && !g_str_equal (name, "gcc-moderate"))
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_UNSUPPORTED_CLOUD,
                   _ ("“%s” is not a known Microsoft cloud."), name);
      return NULL;
    }

  self = g_object_new (FOYER_TYPE_CLOUD, NULL);
  self->name = g_strdup (name);
  self->authority = g_strdup ("https://login.microsoftonline.com");
  self->graph_url = g_strdup ("https://graph.microsoft.com/v1.0");
  self->redirect_uri = g_strdup ("https://login.microsoftonline.com/common/oauth2/nativeclient");
  self->allowed_hosts = g_strdupv ((char **) worldwide_hosts);
  self->sharepoint_hosts = g_strdupv ((char **) worldwide_sharepoint_hosts);
  return self;
}

/* https only; no user info, query or fragment in a base URL. */
static gboolean
check_base_url (const char *url, const char *field, GError **error)
{
  g_autoptr (GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_userinfo (uri) != NULL || g_uri_get_query (uri) != NULL
      || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                   _ ("The cloud descriptor's “%s” is not a valid address."), field);
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
               _ ("The cloud descriptor's “%s” must use https."), field);
  return FALSE;
}

static char *
dup_url_member (JsonObject *obj, const char *member, gboolean required, GError **error)
{
  const char *value = foyer_json_get_string (obj, member);
  g_autofree char *copy = NULL;

  if (value == NULL && !required)
    return NULL;
  if (!check_base_url (value, member, error))
    return NULL;
  copy = g_strdup (value);
  /* Endpoints are built by appending "/{tenant}/…". */
  while (g_str_has_suffix (copy, "/"))
    copy[strlen (copy) - 1] = '\0';
  return g_steal_pointer (&copy);
}

/* "caFile": a PEM file of the CA that issued the descriptor's hosts'
 * certificates, relative to the descriptor's folder. */
static gboolean
load_ca_file (FoyerCloud *self, JsonObject *obj, const char *base_dir, GError **error)
{
  const char *ca_file = foyer_json_get_string (obj, "caFile");
  g_autofree char *path = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!json_object_has_member (obj, "caFile"))
    return TRUE;
  if (ca_file == NULL || *ca_file == '\0' || (base_dir == NULL && !g_path_is_absolute (ca_file)))
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                   _ ("The cloud descriptor's “%s” is not valid."), "caFile");
      return FALSE;
    }
  path = g_path_is_absolute (ca_file) ? g_strdup (ca_file)
                                      : g_build_filename (base_dir, ca_file, NULL);
  self->tls_database = foyer_tls_database_new (path, &local_error);
  if (self->tls_database == NULL)
    {
      g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                           local_error->message);
      return FALSE;
    }
  return TRUE;
}

static FoyerCloud *
cloud_new_from_data (const char *json, gssize length, const char *base_dir, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (FoyerCloud) self = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonObject *obj;
  JsonNode *root;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, length, &local_error)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                   _ ("The cloud descriptor is not valid JSON."));
      return NULL;
    }
  obj = json_node_get_object (root);

  self = g_object_new (FOYER_TYPE_CLOUD, NULL);
  self->name = g_strdup (foyer_json_get_string_with_default (obj, "name", "custom"));
  if (self->name == NULL)
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                   _ ("The cloud descriptor's “%s” is not valid."), "name");
      return NULL;
    }
  if ((self->authority = dup_url_member (obj, "authority", TRUE, error)) == NULL
      || (self->graph_url = dup_url_member (obj, "graph", TRUE, error)) == NULL)
    return NULL;
  if (json_object_has_member (obj, "redirectUri"))
    {
      const char *redirect = foyer_json_get_string (obj, "redirectUri");

      if (!check_base_url (redirect, "redirectUri", error))
        return NULL;
      self->redirect_uri = g_strdup (redirect);
    }
  else
    self->redirect_uri = g_strconcat (self->authority, "/common/oauth2/nativeclient", NULL);
  self->tenant_id = g_strdup (foyer_json_get_string (obj, "tenantId"));
  self->client_id = g_strdup (foyer_json_get_string (obj, "clientId"));
  self->allowed_hosts = foyer_json_dup_strv (obj, "allowedHosts");
  self->sharepoint_hosts = foyer_json_dup_strv (obj, "sharepointHosts");
  if (!load_ca_file (self, obj, base_dir, error))
    return NULL;
  return g_steal_pointer (&self);
}

FoyerCloud *
foyer_cloud_new_from_data (const char *json, gssize length, GError **error)
{
  g_return_val_if_fail (json != NULL, NULL);

  return cloud_new_from_data (json, length, NULL, error);
}

FoyerCloud *
foyer_cloud_new_from_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *base_dir = NULL;
  gsize length = 0;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_POLICY,
                   _ ("Could not read the cloud descriptor: %s"), local_error->message);
      return NULL;
    }
  base_dir = g_path_get_dirname (path);
  return cloud_new_from_data (contents, (gssize) length, base_dir, error);
}

const char *
foyer_cloud_get_name (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->name;
}

const char *
foyer_cloud_get_authority (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->authority;
}

const char *
foyer_cloud_get_graph_url (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->graph_url;
}

const char *
foyer_cloud_get_redirect_uri (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->redirect_uri;
}

const char *
foyer_cloud_get_tenant_id (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->tenant_id;
}

const char *
foyer_cloud_get_client_id (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->client_id;
}

GTlsDatabase *
foyer_cloud_get_tls_database (FoyerCloud *self)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  return self->tls_database;
}

static char *
endpoint (FoyerCloud *self, const char *tenant, const char *suffix)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (FOYER_IS_CLOUD (self), NULL);
  g_return_val_if_fail (tenant != NULL && *tenant != '\0', NULL);

  escaped = g_uri_escape_string (tenant, NULL, FALSE);
  return g_strconcat (self->authority, "/", escaped, suffix, NULL);
}

char *
foyer_cloud_authorize_url (FoyerCloud *self, const char *tenant)
{
  return endpoint (self, tenant, "/oauth2/v2.0/authorize");
}

char *
foyer_cloud_token_url (FoyerCloud *self, const char *tenant)
{
  return endpoint (self, tenant, "/oauth2/v2.0/token");
}

char *
foyer_cloud_jwks_url (FoyerCloud *self, const char *tenant)
{
  return endpoint (self, tenant, "/discovery/v2.0/keys");
}

char *
foyer_cloud_issuer (FoyerCloud *self, const char *tenant)
{
  return endpoint (self, tenant, "/v2.0");
}

char *
foyer_cloud_admin_consent_url (FoyerCloud *self, const char *tenant, const char *client_id)
{
  g_autofree char *base = endpoint (self, tenant, "/adminconsent");
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (client_id != NULL && *client_id != '\0', NULL);

  escaped = g_uri_escape_string (client_id, NULL, FALSE);
  return g_strconcat (base, "?client_id=", escaped, NULL);
}

static gboolean
host_matches (const char *pattern, const char *host, int port, gboolean https)
{
  const char *colon = strrchr (pattern, ':');
  g_autofree char *pattern_host = NULL;
  int pattern_port = 443;

  if (colon != NULL)
    {
      pattern_host = g_ascii_strdown (pattern, colon - pattern);
      pattern_port = (int) g_ascii_strtoll (colon + 1, NULL, 10);
    }
  else
    {
      pattern_host = g_ascii_strdown (pattern, -1);
      if (!https)
        pattern_port = 80;
    }
  if (port != pattern_port)
    return FALSE;
  if (g_str_has_prefix (pattern_host, "*."))
    return g_str_has_suffix (host, pattern_host + 1) && strlen (host) > strlen (pattern_host + 1);
  return g_str_equal (pattern_host, host);
}

static gboolean
url_in_hosts (FoyerCloud *self, const char *uri, const char *const *hosts)
{
  g_autoptr (GUri) parsed = NULL;
  g_autofree char *host = NULL;
  const char *scheme;
  gboolean https;
  int port;

  if (uri == NULL || hosts == NULL)
    return FALSE;
  /* The host compared is the one the web view will reach. */
  parsed = foyer_web_url_parse (uri);
  if (parsed == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (parsed);
  https = g_ascii_strcasecmp (scheme, "https") == 0;
  if (!https)
    return FALSE;
  port = g_uri_get_port (parsed);
  if (port == -1)
    port = https ? 443 : 80;
  host = g_ascii_strdown (g_uri_get_host (parsed), -1);
  for (gsize i = 0; hosts[i] != NULL; i++)
    if (host_matches (hosts[i], host, port, https))
      return TRUE;
  return FALSE;
}

gboolean
foyer_cloud_is_allowed_url (FoyerCloud *self, const char *uri)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), FALSE);
  return url_in_hosts (self, uri, (const char *const *) self->allowed_hosts);
}

gboolean
foyer_cloud_is_sharepoint_url (FoyerCloud *self, const char *uri)
{
  g_return_val_if_fail (FOYER_IS_CLOUD (self), FALSE);
  return url_in_hosts (self, uri, (const char *const *) self->sharepoint_hosts);
}
