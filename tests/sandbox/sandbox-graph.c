/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Graph host: /v1.0 endpoints over the seeded drives and sites, in
 * Microsoft's documented shapes. Every call needs a bearer token that the
 * identity part issued and that is neither expired nor revoked.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"

#include <string.h>

#define DEFAULT_PAGE     200
#define MAX_PAGE         1000
#define PREVIEW_LIFETIME 600
#define THUMB_LIFETIME   3600

/* ---- errors and small helpers -------------------------------------------- */

/* request-id (ours) and client-request-id (the caller's, echoed, or ours)
 * on every Graph response, as Microsoft sends them; set once per request. */
static void
graph_ids (SandboxRequest *req, const char **request_id, const char **client_request_id)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (req->msg);

  if (soup_message_headers_get_one (headers, "request-id") == NULL)
    {
      g_autofree char *id = sandbox_request_id ();
      g_autofree char *client = sandbox_correlation_id (req);

      soup_message_headers_replace (headers, "request-id", id);
      soup_message_headers_replace (headers, "client-request-id", client);
    }
  *request_id = soup_message_headers_get_one (headers, "request-id");
  *client_request_id = soup_message_headers_get_one (headers, "client-request-id");
}

void
sandbox_graph_error (SandboxRequest *req, guint status, const char *code, const char *message)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *now = sandbox_iso_time (g_get_real_time () / G_USEC_PER_SEC);
  const char *id;
  const char *client_id;

  graph_ids (req, &id, &client_id);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "code");
  json_builder_add_string_value (b, code);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "innerError");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, now);
  json_builder_set_member_name (b, "request-id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "client-request-id");
  json_builder_add_string_value (b, client_id);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  sandbox_respond_builder (req, status, b);
}

static void
respond_object (SandboxRequest *req, guint status, JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  sandbox_respond_json (req, status, node);
}

char *
sandbox_share_id_for_url (const char *url)
{
  g_autofree char *encoded = foyer_base64url_encode ((const guint8 *) url, strlen (url));

  return g_strconcat ("u!", encoded, NULL);
}

char *
sandbox_url_for_share_id (const char *share_id)
{
  gsize len = 0;
  guint8 *data;
  char *text;

  if (!g_str_has_prefix (share_id, "u!"))
    return NULL;
  data = foyer_base64url_decode (share_id + 2, &len);
  if (data == NULL)
    return NULL;
  text = g_strndup ((const char *) data, len);
  g_free (data);
  if (!g_utf8_validate (text, -1, NULL))
    g_clear_pointer (&text, g_free);
  return text;
}

static const char *
qparam (SandboxRequest *req, const char *name)
{
  return req->query != NULL ? g_hash_table_lookup (req->query, name) : NULL;
}

static JsonObject *
identity_object (SandboxUser *user)
{
  JsonObject *set = json_object_new ();
  JsonObject *u = json_object_new ();

  json_object_set_string_member (u, "email", user->email);
  json_object_set_string_member (u, "id", user->oid);
  json_object_set_string_member (u, "displayName", user->name);
  json_object_set_object_member (set, "user", u);
  return set;
}

static void
set_time (JsonObject *o, const char *name, gint64 t)
{
  g_autofree char *text = sandbox_iso_time (t);

  json_object_set_string_member (o, name, text);
}

/* ---- drive items ------------------------------------------------------ */

static char *
item_guid (Sandbox *sb, SandboxItem *item)
{
  g_autofree char *label = g_strconcat ("etag ", item->id, NULL);
  char *uuid = sandbox_uuid (sb, label);

  for (char *p = uuid; *p; p++)
    *p = g_ascii_toupper (*p);
  return uuid;
}

static const char *
widest_scope (SandboxItem *item)
{
  const char *scope = item->grants->len > 0 ? "users" : NULL;

  for (guint i = 0; i < item->links->len; i++)
    {
      SandboxLink *l = item->links->pdata[i];

      if (g_str_equal (l->scope, "anonymous"))
        return "anonymous";
      if (g_str_equal (l->scope, "organization"))
        scope = "organization";
      else if (scope == NULL)
        scope = "users";
    }
  return scope;
}

static JsonObject *
parent_reference (Sandbox *sb, SandboxItem *item)
{
  JsonObject *p = json_object_new ();

  json_object_set_string_member (p, "driveType", item->drive->drive_type);
  json_object_set_string_member (p, "driveId", item->drive->id);
  if (item->drive->site != NULL)
    json_object_set_string_member (p, "siteId", item->drive->site->id);
  if (item->parent != NULL)
    {
      g_autofree char *path = sandbox_item_path (item->parent);
      g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
      g_autofree char *full = g_strconcat ("/drive/root:", escaped, NULL);

      json_object_set_string_member (p, "id", item->parent->id);
      json_object_set_string_member (p, "name",
                                     item->parent->parent != NULL ? item->parent->name : "root");
      json_object_set_string_member (p, "path", full);
    }
  return p;
}

static JsonObject *
item_object (Sandbox *sb, SandboxItem *item)
{
  JsonObject *o = json_object_new ();
  g_autofree char *guid = item_guid (sb, item);
  g_autofree char *etag = g_strdup_printf ("\"{%s},1\"", guid);
  g_autofree char *ctag = g_strdup_printf ("\"c:{%s},1\"", guid);
  g_autofree char *web_url = sandbox_item_web_url (sb, item);
  SandboxUser *creator = item->created_by != NULL ? item->created_by : item->drive->owner;
  JsonObject *fsi = json_object_new ();
  const char *scope = widest_scope (item);

  json_object_set_string_member (o, "id", item->id);
  json_object_set_string_member (o, "name", item->parent != NULL ? item->name : "root");
  json_object_set_string_member (o, "eTag", etag);
  if (item->kind != SANDBOX_KIND_FOLDER)
    json_object_set_string_member (o, "cTag", ctag);
  json_object_set_int_member (o, "size", item->kind == SANDBOX_KIND_FOLDER ? 0 : item->size);
  json_object_set_string_member (o, "webUrl", web_url);
  set_time (o, "createdDateTime", item->created);
  set_time (o, "lastModifiedDateTime", item->modified);
  if (creator != NULL)
    {
      json_object_set_object_member (o, "createdBy", identity_object (creator));
      json_object_set_object_member (o, "lastModifiedBy", identity_object (creator));
    }
  set_time (fsi, "createdDateTime", item->created);
  set_time (fsi, "lastModifiedDateTime", item->modified);
  json_object_set_object_member (o, "fileSystemInfo", fsi);
  json_object_set_object_member (o, "parentReference", parent_reference (sb, item));
  if (item->kind == SANDBOX_KIND_FOLDER)
    {
      JsonObject *folder = json_object_new ();

      json_object_set_int_member (folder, "childCount", sandbox_child_count (item));
      json_object_set_object_member (o, "folder", folder);
    }
  else
    {
      JsonObject *file = json_object_new ();
      JsonObject *hashes = json_object_new ();
      guint8 raw[20];
      g_autofree char *hex = g_strdup (guid);
      g_autofree char *b64 = NULL;

      for (int i = 0; i < 20; i++)
        raw[i] = (guint8) (hex[i % 36] * 31 + i);
      b64 = g_base64_encode (raw, sizeof raw);
      /* Uploaded items carry the real hash of their bytes. */
      json_object_set_string_member (
          hashes, "quickXorHash",
          sandbox_upload_hash (sb, item) != NULL ? sandbox_upload_hash (sb, item) : b64);
      json_object_set_string_member (file, "mimeType", sandbox_kind_mime (item->kind));
      json_object_set_object_member (file, "hashes", hashes);
      json_object_set_object_member (o, "file", file);
    }
  if (item->width > 0)
    {
      JsonObject *image = json_object_new ();

      json_object_set_int_member (image, "width", item->width);
      json_object_set_int_member (image, "height", item->height);
      json_object_set_object_member (o, "image", image);
    }
  if (item->parent == NULL)
    json_object_set_object_member (o, "root", json_object_new ());
  if (scope != NULL && item->drive->owner != NULL)
    {
      JsonObject *shared = json_object_new ();

      json_object_set_string_member (shared, "scope", scope);
      json_object_set_object_member (shared, "owner", identity_object (item->drive->owner));
      json_object_set_object_member (o, "shared", shared);
    }
  return o;
}

JsonObject *
sandbox_item_json (Sandbox *sb, SandboxItem *item)
{
  return item_object (sb, item);
}

/* An item of another drive as it appears in shared, recent or search lists. */
static JsonObject *
remote_object (Sandbox *sb, SandboxItem *item)
{
  JsonObject *inner = item_object (sb, item);
  JsonObject *o = json_object_new ();
  const char *copy[]
      = { "id",   "name",   "size",  "webUrl",    "createdDateTime", "lastModifiedDateTime",
          "file", "folder", "image", "createdBy", "lastModifiedBy" };

  for (gsize i = 0; i < G_N_ELEMENTS (copy); i++)
    if (json_object_has_member (inner, copy[i]))
      json_object_set_member (o, copy[i], json_object_dup_member (inner, copy[i]));
  json_object_set_object_member (o, "remoteItem", inner);
  return o;
}

static JsonObject *
listed_object (Sandbox *sb, SandboxItem *item, SandboxUser *viewer)
{
  if (viewer != NULL && item->drive != viewer->drive)
    return remote_object (sb, item);
  return item_object (sb, item);
}

/* The properties $select may name, per type (Graph v1.0's, structural and
 * navigation; instance annotations Graph lets one select too). */
static const char *const drive_item_props[] = { "id",
                                                "name",
                                                "description",
                                                "eTag",
                                                "cTag",
                                                "size",
                                                "webUrl",
                                                "webDavUrl",
                                                "createdBy",
                                                "createdDateTime",
                                                "lastModifiedBy",
                                                "lastModifiedDateTime",
                                                "parentReference",
                                                "fileSystemInfo",
                                                "file",
                                                "folder",
                                                "image",
                                                "photo",
                                                "video",
                                                "audio",
                                                "bundle",
                                                "package",
                                                "remoteItem",
                                                "root",
                                                "searchResult",
                                                "shared",
                                                "sharepointIds",
                                                "specialFolder",
                                                "deleted",
                                                "malware",
                                                "location",
                                                "pendingOperations",
                                                "publication",
                                                "content",
                                                "children",
                                                "thumbnails",
                                                "permissions",
                                                "versions",
                                                "listItem",
                                                "analytics",
                                                "activities",
                                                "subscriptions",
                                                "workbook",
                                                "retentionLabel",
                                                "createdByUser",
                                                "lastModifiedByUser",
                                                "@microsoft.graph.downloadUrl",
                                                NULL };
static const char *const drive_props[] = { "id",
                                           "name",
                                           "description",
                                           "driveType",
                                           "webUrl",
                                           "createdBy",
                                           "createdDateTime",
                                           "lastModifiedBy",
                                           "lastModifiedDateTime",
                                           "owner",
                                           "quota",
                                           "sharepointIds",
                                           "system",
                                           "eTag",
                                           "parentReference",
                                           "items",
                                           "root",
                                           "special",
                                           "list",
                                           "following",
                                           "bundles",
                                           "createdByUser",
                                           "lastModifiedByUser",
                                           NULL };
static const char *const user_props[] = { "id",
                                          "displayName",
                                          "givenName",
                                          "surname",
                                          "mail",
                                          "userPrincipalName",
                                          "jobTitle",
                                          "mobilePhone",
                                          "businessPhones",
                                          "officeLocation",
                                          "preferredLanguage",
                                          "accountEnabled",
                                          "city",
                                          "companyName",
                                          "country",
                                          "department",
                                          "employeeId",
                                          "mailNickname",
                                          "otherMails",
                                          "proxyAddresses",
                                          "usageLocation",
                                          "userType",
                                          "onPremisesSamAccountName",
                                          "createdDateTime",
                                          "aboutMe",
                                          "birthday",
                                          "drive",
                                          "drives",
                                          "insights",
                                          "followedSites",
                                          "manager",
                                          "memberOf",
                                          "photo",
                                          NULL };
static const char *const site_props[] = { "id",
                                          "name",
                                          "displayName",
                                          "description",
                                          "webUrl",
                                          "createdDateTime",
                                          "lastModifiedDateTime",
                                          "createdBy",
                                          "lastModifiedBy",
                                          "eTag",
                                          "isPersonalSite",
                                          "parentReference",
                                          "root",
                                          "sharepointIds",
                                          "siteCollection",
                                          "drive",
                                          "drives",
                                          "items",
                                          "lists",
                                          "sites",
                                          "columns",
                                          "contentTypes",
                                          "onenote",
                                          "permissions",
                                          "termStore",
                                          "analytics",
                                          "operations",
                                          "pages",
                                          NULL };
static const char *const permission_props[] = { "id",
                                                "roles",
                                                "link",
                                                "grantedTo",
                                                "grantedToIdentities",
                                                "grantedToV2",
                                                "grantedToIdentitiesV2",
                                                "hasPassword",
                                                "inheritedFrom",
                                                "invitation",
                                                "shareId",
                                                "expirationDateTime",
                                                NULL };
static const char *const thumbnail_set_props[]
    = { "id", "small", "medium", "large", "source", NULL };
static const char *const used_insight_props[]
    = { "id", "lastUsed", "resourceReference", "resourceVisualization", "resource", NULL };
static const char *const shared_insight_props[] = { "id",
                                                    "lastShared",
                                                    "sharingHistory",
                                                    "resourceReference",
                                                    "resourceVisualization",
                                                    "lastSharedMethod",
                                                    "resource",
                                                    NULL };
static const char *const trending_props[]
    = { "id",       "weight", "lastModifiedDateTime", "resourceReference", "resourceVisualization",
        "resource", NULL };
static const char *const organization_props[] = { "id",
                                                  "deletedDateTime",
                                                  "assignedPlans",
                                                  "businessPhones",
                                                  "city",
                                                  "country",
                                                  "countryLetterCode",
                                                  "createdDateTime",
                                                  "defaultUsageLocation",
                                                  "displayName",
                                                  "marketingNotificationEmails",
                                                  "onPremisesLastSyncDateTime",
                                                  "onPremisesSyncEnabled",
                                                  "postalCode",
                                                  "preferredLanguage",
                                                  "privacyProfile",
                                                  "provisionedPlans",
                                                  "securityComplianceNotificationMails",
                                                  "securityComplianceNotificationPhones",
                                                  "state",
                                                  "street",
                                                  "technicalNotificationMails",
                                                  "tenantType",
                                                  "verifiedDomains",
                                                  "mobileDeviceManagementAuthority",
                                                  "partnerTenantType",
                                                  "branding",
                                                  "certificateBasedAuthConfiguration",
                                                  "extensions",
                                                  NULL };

static const struct
{
  const char *type;
  const char *const *props;
} entity_types[] = {
  { "driveItem", drive_item_props },
  { "drive", drive_props },
  { "user", user_props },
  { "site", site_props },
  { "permission", permission_props },
  { "thumbnailSet", thumbnail_set_props },
  { "usedInsight", used_insight_props },
  { "sharedInsight", shared_insight_props },
  { "trending", trending_props },
  { "organization", organization_props },
};

/* As Graph's OData layer: a $select naming a property the type does not
 * have is a 400, not silently ignored. Answers it and returns FALSE. */
static gboolean
select_valid (SandboxRequest *req, const char *type)
{
  const char *select = qparam (req, "$select");
  const char *const *props = NULL;
  g_auto (GStrv) fields = NULL;

  if (select == NULL || *select == '\0')
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS (entity_types); i++)
    if (g_str_equal (entity_types[i].type, type))
      props = entity_types[i].props;
  g_assert (props != NULL);
  fields = g_strsplit (select, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      gboolean known = FALSE;

      g_strstrip (fields[i]);
      for (guint j = 0; props[j] != NULL && !known; j++)
        known = g_ascii_strcasecmp (props[j], fields[i]) == 0;
      if (!known)
        {
          g_autofree char *message = g_strdup_printf (
              "Could not find a property named '%s' on type 'microsoft.graph.%s'.", fields[i],
              type);

          sandbox_graph_error (req, 400, "BadRequest", message);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
selected (SandboxRequest *req, const char *name)
{
  const char *select = qparam (req, "$select");
  g_auto (GStrv) fields = NULL;

  if (select == NULL || *select == '\0')
    return TRUE;
  fields = g_strsplit (select, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    if (g_ascii_strcasecmp (g_strstrip (fields[i]), name) == 0)
      return TRUE;
  return FALSE;
}

static void
apply_select (SandboxRequest *req, JsonObject *o)
{
  const char *select = qparam (req, "$select");
  g_auto (GStrv) fields = NULL;
  GList *members;

  if (select == NULL || *select == '\0')
    return;
  fields = g_strsplit (select, ",", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    g_strstrip (fields[i]);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean keep = g_str_has_prefix (l->data, "@odata.");

      for (guint i = 0; fields[i] != NULL && !keep; i++)
        keep = g_ascii_strcasecmp (fields[i], l->data) == 0;
      if (!keep)
        json_object_remove_member (o, l->data);
    }
  g_list_free (members);
}

/* ---- paging --------------------------------------------------------------- */

typedef JsonObject *(*PageGetter) (SandboxRequest *req, guint index, gpointer data);

static gboolean
page_bounds (SandboxRequest *req, guint *offset, guint *top)
{
  const char *top_text = qparam (req, "$top");
  const char *skip = qparam (req, "$skiptoken");

  *offset = 0;
  *top = DEFAULT_PAGE;
  if (top_text != NULL)
    {
      guint64 v;

      if (!g_ascii_string_to_unsigned (top_text, 10, 1, G_MAXINT, &v, NULL))
        {
          sandbox_graph_error (req, 400, "invalidRequest", "Invalid $top value.");
          return FALSE;
        }
      *top = MIN ((guint) v, MAX_PAGE);
    }
  if (skip != NULL)
    {
      gsize len = 0;
      g_autofree guint8 *raw = foyer_base64url_decode (skip, &len);
      g_autofree char *text = raw != NULL ? g_strndup ((char *) raw, len) : NULL;
      guint64 v;

      if (text == NULL || !g_str_has_prefix (text, "Paged=TRUE&p_Index=")
          || !g_ascii_string_to_unsigned (text + 19, 10, 0, G_MAXINT, &v, NULL))
        {
          sandbox_graph_error (req, 400, "invalidRequest", "Invalid $skiptoken value.");
          return FALSE;
        }
      *offset = (guint) v;
    }
  return TRUE;
}

/* Graph's nextLinks keep the query's own names as they are ($select, $top,
 * $skiptoken; not %24skiptoken), values percent-encoded. */
static char *
next_link (SandboxRequest *req, guint next)
{
  g_autofree char *token_text = g_strdup_printf ("Paged=TRUE&p_Index=%u", next);
  g_autofree char *token = foyer_base64url_encode ((guint8 *) token_text, strlen (token_text));
  GUri *uri = soup_server_message_get_uri (req->msg);
  GString *query = g_string_new (NULL);
  g_autoptr (GList) names = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;

  if (req->query != NULL)
    names = g_list_sort (g_hash_table_get_keys (req->query), (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (g_str_equal (l->data, "$skiptoken"))
        continue;
      name = g_uri_escape_string (l->data, "$", FALSE);
      value = g_uri_escape_string (g_hash_table_lookup (req->query, l->data), ",'()", FALSE);
      g_string_append_printf (query, "%s=%s&", name, value);
    }
  g_string_append_printf (query, "$skiptoken=%s", token);
  /* libsoup hands the path decoded: encode it again for the link. */
  path = g_uri_escape_string (g_uri_get_path (uri), "/:!$'()*,;=@", FALSE);
  text = g_string_free (query, FALSE);
  return g_strdup_printf ("%s%s?%s", req->sb->base_url[SANDBOX_HOST_GRAPH], path, text);
}

static void
respond_page (SandboxRequest *req, const char *type, guint total, PageGetter getter, gpointer data)
{
  guint offset, top;
  JsonObject *o;
  JsonArray *value;
  g_autofree char *context = NULL;

  if (!select_valid (req, type) || !page_bounds (req, &offset, &top))
    return;
  o = json_object_new ();
  value = json_array_new ();
  context = g_strdup_printf ("%s/$metadata#Collection(%s)", req->sb->graph_url, type);
  json_object_set_string_member (o, "@odata.context", context);
  for (guint i = offset; i < total && i < offset + top; i++)
    {
      JsonObject *entry = getter (req, i, data);

      if (entry != NULL)
        {
          apply_select (req, entry);
          json_array_add_object_element (value, entry);
        }
    }
  json_object_set_array_member (o, "value", value);
  if (offset + top < total)
    {
      g_autofree char *link = next_link (req, offset + top);

      json_object_set_string_member (o, "@odata.nextLink", link);
    }
  respond_object (req, 200, o);
  json_object_unref (o);
}

/* Files carry a short-lived pre-authenticated download URL (unless a
 * $select leaves it out), acting as the caller. */
static void
add_download_url (SandboxRequest *req, JsonObject *o, SandboxItem *item)
{
  g_autofree char *url = NULL;

  if (item->kind == SANDBOX_KIND_FOLDER || !selected (req, "@microsoft.graph.downloadUrl"))
    return;
  url = sandbox_download_url (req->sb, item, req->user);
  json_object_set_string_member (o, "@microsoft.graph.downloadUrl", url);
}

static JsonObject *
child_getter (SandboxRequest *req, guint index, gpointer data)
{
  SandboxItem *child = sandbox_child_at (req->sb, data, index);
  JsonObject *o;

  if (child == NULL)
    return NULL;
  o = item_object (req->sb, child);
  add_download_url (req, o, child);
  return o;
}

static JsonObject *
array_getter (SandboxRequest *req, guint index, gpointer data)
{
  GPtrArray *items = data;

  return listed_object (req->sb, items->pdata[index], req->user);
}

/* ---- search ----------------------------------------------------------- */

typedef struct
{
  Sandbox *sb;
  char *needle;
  GPtrArray *hits; /* SandboxItem*; generated hits are kept as index + 1 in gen_hits */
} Search;

static gboolean
name_matches (const char *name, const char *needle)
{
  g_autofree char *lower = g_utf8_strdown (name, -1);

  return strstr (lower, needle) != NULL;
}

static void
search_walk (Search *s, SandboxItem *item)
{
  guint n = sandbox_child_count (item);

  if (item->kind != SANDBOX_KIND_FOLDER)
    return;
  for (guint i = 0; i < n; i++)
    {
      SandboxItem *child;

      if (item->n_generated > 0)
        {
          char name[64];

          sandbox_generated_name (i, name, sizeof name);
          if (!name_matches (name, s->needle))
            continue;
          /* Keep the index only; the item is generated when its page is served. */
          g_ptr_array_add (s->hits, GUINT_TO_POINTER ((i << 1) | 1));
          continue;
        }
      child = item->children->pdata[i];
      if (name_matches (child->name, s->needle))
        g_ptr_array_add (s->hits, child);
      search_walk (s, child);
    }
}

static void
drop_parent_path (JsonObject *o)
{
  JsonNode *node = json_object_get_member (o, "parentReference");

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    json_object_remove_member (json_node_get_object (node), "path");
}

static JsonObject *
search_getter (SandboxRequest *req, guint index, gpointer data)
{
  GPtrArray *hits = data;
  gpointer hit = hits->pdata[index];
  SandboxItem *item;
  JsonObject *o;

  if (GPOINTER_TO_UINT (hit) & 1)
    item = sandbox_child_at (req->sb, req->sb->big_folder, GPOINTER_TO_UINT (hit) >> 1);
  else
    item = hit;
  o = listed_object (req->sb, item, req->user);
  /* OneDrive for Business and SharePoint leave the path out of search
   * hits' parentReference: only driveId, driveType and id. */
  drop_parent_path (o);
  if (json_object_has_member (o, "remoteItem"))
    drop_parent_path (json_object_get_object_member (o, "remoteItem"));
  json_object_set_object_member (o, "searchResult", json_object_new ());
  return o;
}

static char *
search_term (const char *segment)
{
  g_autofree char *decoded = g_uri_unescape_string (segment, NULL);
  const char *start;
  gsize len;
  GString *out;

  if (decoded == NULL || !g_str_has_prefix (decoded, "search(q='")
      || !g_str_has_suffix (decoded, "')"))
    return NULL;
  start = decoded + strlen ("search(q='");
  len = strlen (start) - 2;
  out = g_string_new (NULL);
  for (gsize i = 0; i < len; i++)
    {
      g_string_append_c (out, start[i]);
      if (start[i] == '\'' && i + 1 < len && start[i + 1] == '\'')
        i++;
    }
  return g_utf8_strdown (g_string_free (out, FALSE), -1);
}

static void shared_with (Sandbox *sb, SandboxUser *user, GPtrArray *out);

static void
handle_search (SandboxRequest *req, SandboxItem *root, const char *segment, gboolean include_shared)
{
  g_autofree char *needle = search_term (segment);
  Search s = { req->sb, needle, NULL };
  g_autoptr (GPtrArray) hits = g_ptr_array_new ();

  if (needle == NULL)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "Expected search(q='…').");
      return;
    }
  s.hits = hits;
  search_walk (&s, root);
  if (include_shared)
    {
      g_autoptr (GPtrArray) shared = g_ptr_array_new ();

      shared_with (req->sb, req->user, shared);
      for (guint i = 0; i < shared->len; i++)
        if (name_matches (((SandboxItem *) shared->pdata[i])->name, needle))
          g_ptr_array_add (hits, shared->pdata[i]);
    }
  respond_page (req, "driveItem", hits->len, search_getter, hits);
}

/* ---- shared with me, recent, insights ----------------------------------- */

typedef struct
{
  SandboxUser *user;
  GPtrArray *out;
} SharedWalk;

static void
shared_walk_cb (gpointer data, gpointer user_data)
{
  SandboxItem *item = data;
  SharedWalk *w = user_data;

  if (item->drive->owner == w->user || item->drive->site != NULL)
    return;
  for (guint i = 0; i < item->grants->len; i++)
    if (((SandboxGrant *) item->grants->pdata[i])->user == w->user)
      {
        g_ptr_array_add (w->out, item);
        return;
      }
  for (guint i = 0; i < item->links->len; i++)
    {
      SandboxLink *l = item->links->pdata[i];

      if ((g_str_equal (l->scope, "users") && g_ptr_array_find (l->recipients, w->user, NULL))
          || (g_hash_table_contains (w->user->redeemed, l) && sandbox_link_allows (l, w->user)))
        {
          g_ptr_array_add (w->out, item);
          return;
        }
    }
}

static void
shared_with (Sandbox *sb, SandboxUser *user, GPtrArray *out)
{
  SharedWalk w = { user, out };

  sandbox_foreach_item (sb, shared_walk_cb, &w);
}

static void
deprecation_headers (SandboxRequest *req, const char *sunset)
{
  SoupMessageHeaders *h = soup_server_message_get_response_headers (req->msg);

  soup_message_headers_replace (h, "Deprecation", "true");
  soup_message_headers_replace (h, "Sunset", sunset);
}

/* Microsoft's dates: /me/drive/recent returns no data from November 2026,
 * sharedWithMe from November 2027. The sandbox's clock decides (--now,
 * POST /_sandbox/clock), unless the control API forces one way. */
#define RECENT_SUNSET         G_GINT64_CONSTANT (1793491200) /* 2026-11-01T00:00:00Z */
#define SHARED_WITH_ME_SUNSET G_GINT64_CONSTANT (1825027200) /* 2027-11-01T00:00:00Z */

static gboolean
retired (SandboxRequest *req, gint64 sunset)
{
  switch (req->sb->retire_deprecated)
    {
    case SANDBOX_RETIRE_ALWAYS:
      return TRUE;
    case SANDBOX_RETIRE_NEVER:
      return FALSE;
    case SANDBOX_RETIRE_BY_DATE:
    default:
      return sandbox_now (req->sb) >= sunset;
    }
}

static void
handle_shared_with_me (SandboxRequest *req)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();

  deprecation_headers (req, "Mon, 01 Nov 2027 00:00:00 GMT");
  if (!retired (req, SHARED_WITH_ME_SUNSET))
    shared_with (req->sb, req->user, items);
  respond_page (req, "driveItem", items->len, array_getter, items);
}

static void
handle_recent (SandboxRequest *req)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  gboolean gone = retired (req, RECENT_SUNSET);

  deprecation_headers (req, "Sun, 01 Nov 2026 00:00:00 GMT");
  for (guint i = 0; !gone && i < req->user->recent->len; i++)
    if (sandbox_item_access (req->sb, req->user->recent->pdata[i], req->user)
        != SANDBOX_ACCESS_NONE)
      g_ptr_array_add (items, req->user->recent->pdata[i]);
  respond_page (req, "driveItem", items->len, array_getter, items);
}

static const char *
kind_type (SandboxKind kind)
{
  switch (kind)
    {
    case SANDBOX_KIND_WORD:
      return "Word";
    case SANDBOX_KIND_EXCEL:
      return "Excel";
    case SANDBOX_KIND_POWERPOINT:
      return "PowerPoint";
    case SANDBOX_KIND_PDF:
      return "Pdf";
    case SANDBOX_KIND_JPEG:
    case SANDBOX_KIND_PNG:
      return "Image";
    case SANDBOX_KIND_TEXT:
      return "Text";
    case SANDBOX_KIND_ARCHIVE:
      return "Archive";
    default:
      return "Folder";
    }
}

typedef enum
{
  INSIGHT_USED,
  INSIGHT_SHARED,
  INSIGHT_TRENDING,
} InsightKind;

static JsonObject *
insight_object (SandboxRequest *req, SandboxItem *item, InsightKind kind)
{
  gboolean shared = kind == INSIGHT_SHARED;
  Sandbox *sb = req->sb;
  JsonObject *o = json_object_new ();
  JsonObject *vis = json_object_new ();
  JsonObject *ref = json_object_new ();
  g_autofree char *web_url = sandbox_item_web_url (sb, item);
  g_autofree char *container
      = item->parent != NULL ? sandbox_item_web_url (sb, item->parent) : NULL;
  g_autofree char *label = g_strdup_printf ("insight %s %s %d", req->user->oid, item->id, kind);
  g_autofree char *id = sandbox_hash_hex (sb, label, 24);
  g_autofree char *ref_id = g_strdup_printf ("drives/%s/items/%s", item->drive->id, item->id);

  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (vis, "title", item->name);
  json_object_set_string_member (vis, "type", kind_type (item->kind));
  json_object_set_string_member (vis, "mediaType", sandbox_kind_mime (item->kind));
  json_object_set_string_member (vis, "previewImageUrl", "");
  json_object_set_string_member (vis, "previewText", "");
  json_object_set_string_member (vis, "containerWebUrl", container != NULL ? container : web_url);
  json_object_set_string_member (vis, "containerDisplayName",
                                 item->parent != NULL && item->parent->parent != NULL
                                     ? item->parent->name
                                     : item->drive->name);
  json_object_set_string_member (vis, "containerType",
                                 item->drive->site != NULL ? "Site" : "OneDriveBusiness");
  json_object_set_object_member (o, "resourceVisualization", vis);
  json_object_set_string_member (ref, "webUrl", web_url);
  json_object_set_string_member (ref, "id", ref_id);
  json_object_set_string_member (ref, "type", "microsoft.graph.driveItem");
  json_object_set_object_member (o, "resourceReference", ref);
  if (shared)
    {
      JsonObject *last = json_object_new ();
      JsonObject *by = json_object_new ();
      JsonObject *sref = json_object_new ();
      SandboxUser *owner = item->drive->owner;

      json_object_set_string_member (by, "displayName", owner->name);
      json_object_set_string_member (by, "address", owner->email);
      json_object_set_string_member (by, "id", owner->oid);
      json_object_set_object_member (last, "sharedBy", by);
      set_time (last, "sharedDateTime", item->modified);
      json_object_set_string_member (last, "sharingSubject", item->name);
      json_object_set_string_member (last, "sharingType", "Direct");
      json_object_set_string_member (sref, "webUrl", web_url);
      json_object_set_string_member (sref, "id", ref_id);
      json_object_set_string_member (sref, "type", "microsoft.graph.driveItem");
      json_object_set_object_member (last, "sharingReference", sref);
      json_object_set_object_member (o, "lastShared", last);
    }
  else if (kind == INSIGHT_TRENDING)
    {
      json_object_set_double_member (o, "weight", 1.0 / (1 + (sandbox_hash32 (sb, label) % 7)));
      set_time (o, "lastModifiedDateTime", item->modified);
    }
  else
    {
      JsonObject *last = json_object_new ();

      set_time (last, "lastAccessedDateTime", MAX (item->modified, sandbox_now (sb) - 3600));
      set_time (last, "lastModifiedDateTime", item->modified);
      json_object_set_object_member (o, "lastUsed", last);
    }
  return o;
}

static JsonObject *
insight_getter (SandboxRequest *req, guint index, gpointer data)
{
  GPtrArray *items = data;
  InsightKind kind
      = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (req->msg), "sandbox-insight-kind"));

  return insight_object (req, items->pdata[index], kind);
}

static void
handle_insights (SandboxRequest *req, const char *which)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  gboolean shared = g_str_equal (which, "shared");
  const char *insight_type = shared                            ? "sharedInsight"
                             : g_str_equal (which, "trending") ? "trending"
                                                               : "usedInsight";

  /* Documented: 403 with this code when item insights are disabled. */
  if (req->user->tenant->insights_disabled
      && (shared || g_str_equal (which, "used") || g_str_equal (which, "trending")))
    {
      sandbox_graph_error (
          req, 403, "ItemInsightsDisabled",
          "The access to the requested resource is denied because item insights are disabled.");
      return;
    }

  if (shared)
    shared_with (req->sb, req->user, items);
  else if (g_str_equal (which, "used"))
    {
      for (guint i = 0; i < req->user->recent->len; i++)
        if (sandbox_item_access (req->sb, req->user->recent->pdata[i], req->user)
            != SANDBOX_ACCESS_NONE)
          g_ptr_array_add (items, req->user->recent->pdata[i]);
    }
  else if (!g_str_equal (which, "trending"))
    {
      sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
      return;
    }
  g_object_set_data (G_OBJECT (req->msg), "sandbox-insight-kind",
                     GINT_TO_POINTER (shared                            ? INSIGHT_SHARED
                                      : g_str_equal (which, "trending") ? INSIGHT_TRENDING
                                                                        : INSIGHT_USED));
  respond_page (req, insight_type, items->len, insight_getter, items);
}

/* ---- sites and drives ----------------------------------------------------- */

static JsonObject *
drive_object (Sandbox *sb, SandboxDrive *drive)
{
  JsonObject *o = json_object_new ();
  JsonObject *quota = json_object_new ();
  g_autofree char *web_url
      = g_strconcat (sb->base_url[SANDBOX_HOST_SHAREPOINT], drive->web_path, NULL);

  json_object_set_string_member (o, "id", drive->id);
  json_object_set_string_member (o, "name", drive->name);
  json_object_set_string_member (o, "driveType", drive->drive_type);
  json_object_set_string_member (o, "webUrl", web_url);
  json_object_set_string_member (o, "description", "");
  set_time (o, "createdDateTime", drive->root->created);
  set_time (o, "lastModifiedDateTime", drive->root->modified);
  if (drive->owner != NULL)
    json_object_set_object_member (o, "owner", identity_object (drive->owner));
  else
    {
      JsonObject *owner = json_object_new ();
      JsonObject *group = json_object_new ();

      json_object_set_string_member (group, "displayName", drive->site->display_name);
      json_object_set_object_member (owner, "group", group);
      json_object_set_object_member (o, "owner", owner);
    }
  json_object_set_int_member (quota, "total", G_GINT64_CONSTANT (1099511627776));
  json_object_set_int_member (quota, "used", 123456789);
  json_object_set_int_member (quota, "remaining", G_GINT64_CONSTANT (1099511627776) - 123456789);
  json_object_set_string_member (quota, "state", "normal");
  json_object_set_object_member (o, "quota", quota);
  return o;
}

static JsonObject *
site_object (Sandbox *sb, SandboxSite *site)
{
  JsonObject *o = json_object_new ();
  JsonObject *coll = json_object_new ();
  g_autofree char *web_url
      = g_strconcat (sb->base_url[SANDBOX_HOST_SHAREPOINT], site->web_path, NULL);

  json_object_set_string_member (o, "id", site->id);
  json_object_set_string_member (o, "name", site->name);
  json_object_set_string_member (o, "displayName", site->display_name);
  json_object_set_string_member (o, "description", site->description);
  json_object_set_string_member (o, "webUrl", web_url);
  set_time (o, "createdDateTime", site->drive->root->created);
  set_time (o, "lastModifiedDateTime", site->drive->root->modified);
  json_object_set_string_member (coll, "hostname", sb->host_port[SANDBOX_HOST_SHAREPOINT]);
  json_object_set_object_member (o, "siteCollection", coll);
  return o;
}

static void
respond_value (SandboxRequest *req, JsonArray *value)
{
  JsonObject *o = json_object_new ();

  json_object_set_array_member (o, "value", value);
  respond_object (req, 200, o);
  json_object_unref (o);
}

/* A collection of one type, with its $select checked and applied. */
static void
respond_typed_value (SandboxRequest *req, const char *type, JsonArray *value)
{
  if (!select_valid (req, type))
    {
      json_array_unref (value);
      return;
    }
  for (guint i = 0; i < json_array_get_length (value); i++)
    apply_select (req, json_array_get_object_element (value, i));
  respond_value (req, value);
}

static void
handle_sites_search (SandboxRequest *req)
{
  const char *q = qparam (req, "search");
  g_autofree char *needle = g_utf8_strdown (q != NULL ? q : "*", -1);
  JsonArray *value = json_array_new ();

  for (guint i = 0; i < req->sb->sites->len; i++)
    {
      SandboxSite *site = req->sb->sites->pdata[i];

      if (site->tenant != req->user->tenant)
        continue;
      if (g_str_equal (needle, "*") || *needle == '\0' || name_matches (site->display_name, needle)
          || name_matches (site->name, needle) || name_matches (site->description, needle))
        json_array_add_object_element (value, site_object (req->sb, site));
    }
  respond_typed_value (req, "site", value);
}

static void
handle_followed_sites (SandboxRequest *req)
{
  JsonArray *value = json_array_new ();

  for (guint i = 0; i < req->user->followed_sites->len; i++)
    json_array_add_object_element (value,
                                   site_object (req->sb, req->user->followed_sites->pdata[i]));
  respond_typed_value (req, "site", value);
}

/* ---- permissions ------------------------------------------------------------ */

static JsonObject *
link_permission (Sandbox *sb, SandboxLink *link)
{
  JsonObject *o = json_object_new ();
  JsonArray *roles = json_array_new ();
  JsonObject *l = json_object_new ();
  JsonObject *app = json_object_new ();
  g_autofree char *share_id = sandbox_share_id_for_url (link->url);

  json_object_set_string_member (o, "id", link->id);
  json_array_add_string_element (roles, g_str_equal (link->type, "edit") ? "write" : "read");
  json_object_set_array_member (o, "roles", roles);
  json_object_set_string_member (o, "shareId", share_id);
  json_object_set_boolean_member (o, "hasPassword", FALSE);
  json_object_set_string_member (l, "scope", link->scope);
  json_object_set_string_member (l, "type", link->type);
  json_object_set_string_member (l, "webUrl", link->url);
  json_object_set_boolean_member (l, "preventsDownload", FALSE);
  json_object_set_string_member (app, "id", sb->client_id);
  json_object_set_string_member (app, "displayName", "Foyer");
  json_object_set_object_member (l, "application", app);
  json_object_set_object_member (o, "link", l);
  if (g_str_equal (link->scope, "users"))
    {
      JsonArray *ids = json_array_new ();

      for (guint i = 0; i < link->recipients->len; i++)
        json_array_add_object_element (ids, identity_object (link->recipients->pdata[i]));
      json_object_set_array_member (o, "grantedToIdentitiesV2", ids);
    }
  return o;
}

static JsonObject *
grant_permission (SandboxGrant *grant)
{
  JsonObject *o = json_object_new ();
  JsonArray *roles = json_array_new ();
  JsonObject *inv = json_object_new ();

  json_object_set_string_member (o, "id", grant->id);
  json_array_add_string_element (roles, grant->write ? "write" : "read");
  json_object_set_array_member (o, "roles", roles);
  json_object_set_object_member (o, "grantedToV2", identity_object (grant->user));
  json_object_set_object_member (o, "grantedTo", identity_object (grant->user));
  json_object_set_string_member (inv, "email", grant->user->email);
  json_object_set_boolean_member (inv, "signInRequired", TRUE);
  json_object_set_object_member (o, "invitation", inv);
  return o;
}

static void
set_inherited (Sandbox *sb, JsonObject *perm, SandboxItem *from, SandboxItem *item)
{
  JsonObject *inh;
  g_autofree char *path = NULL;
  g_autofree char *full = NULL;

  if (from == item)
    return;
  inh = json_object_new ();
  path = sandbox_item_path (from);
  full = g_strconcat ("/drive/root:", path, NULL);
  json_object_set_string_member (inh, "driveId", from->drive->id);
  json_object_set_string_member (inh, "id", from->id);
  json_object_set_string_member (inh, "path", full);
  json_object_set_object_member (perm, "inheritedFrom", inh);
}

static void
handle_permissions (SandboxRequest *req, SandboxItem *item, SandboxAccess access)
{
  Sandbox *sb = req->sb;
  JsonArray *value = json_array_new ();
  gboolean sees_all = access >= SANDBOX_ACCESS_OWNER
                      || (item->drive->site != NULL && access >= SANDBOX_ACCESS_WRITE);

  if (sees_all)
    {
      JsonObject *owner = json_object_new ();
      JsonArray *roles = json_array_new ();
      g_autofree char *label = g_strconcat ("owner ", item->drive->id, NULL);
      g_autofree char *id = sandbox_hash_hex (sb, label, 12);

      json_object_set_string_member (owner, "id", id);
      json_array_add_string_element (roles, "owner");
      json_object_set_array_member (owner, "roles", roles);
      if (item->drive->owner != NULL)
        {
          json_object_set_object_member (owner, "grantedToV2",
                                         identity_object (item->drive->owner));
          json_object_set_object_member (owner, "grantedTo", identity_object (item->drive->owner));
        }
      else
        {
          JsonObject *set = json_object_new ();
          JsonObject *group = json_object_new ();
          g_autofree char *name = g_strconcat (item->drive->site->display_name, " Owners", NULL);

          json_object_set_string_member (group, "displayName", name);
          json_object_set_string_member (group, "id", "3");
          json_object_set_string_member (group, "loginName", name);
          json_object_set_object_member (set, "siteGroup", group);
          json_object_set_object_member (owner, "grantedToV2", set);
        }
      json_array_add_object_element (value, owner);
    }
  for (SandboxItem *it = item; it != NULL; it = it->parent)
    {
      for (guint i = 0; i < it->links->len; i++)
        {
          SandboxLink *l = it->links->pdata[i];

          if (sees_all || sandbox_link_allows (l, req->user))
            {
              JsonObject *p = link_permission (sb, l);

              set_inherited (sb, p, it, item);
              json_array_add_object_element (value, p);
            }
        }
      for (guint i = 0; i < it->grants->len; i++)
        {
          SandboxGrant *g = it->grants->pdata[i];

          if (sees_all || g->user == req->user)
            {
              JsonObject *p = grant_permission (g);

              set_inherited (sb, p, it, item);
              json_array_add_object_element (value, p);
            }
        }
    }
  respond_typed_value (req, "permission", value);
}

static GPtrArray *
parse_recipients (SandboxRequest *req, JsonObject *body)
{
  JsonArray *array = sandbox_json_array (body, "recipients");
  GPtrArray *users = g_ptr_array_new ();

  if (array == NULL && json_object_has_member (body, "recipients"))
    {
      g_ptr_array_unref (users);
      sandbox_graph_error (req, 400, "invalidRequest", "'recipients' must be an array.");
      return NULL;
    }
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *r = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      SandboxUser *u = sandbox_find_user (req->sb, sandbox_json_string (r, "email"));

      if (u == NULL)
        {
          g_ptr_array_unref (users);
          sandbox_graph_error (req, 400, "invalidRequest",
                               "One or more users could not be resolved.");
          return NULL;
        }
      g_ptr_array_add (users, u);
    }
  return users;
}

static void
handle_create_link (SandboxRequest *req, SandboxItem *item, SandboxAccess access)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  const char *type;
  const char *scope;
  g_autoptr (GPtrArray) recipients = NULL;
  SandboxLink *link;
  gboolean created;
  JsonObject *perm;

  if (body == NULL)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "The request body is not valid JSON.");
      return;
    }
  if (access < SANDBOX_ACCESS_WRITE)
    {
      sandbox_graph_error (req, 403, "accessDenied",
                           "You do not have permission to share this item.");
      return;
    }
  type = sandbox_json_string (body, "type");
  scope = sandbox_json_string (body, "scope");
  if (g_strcmp0 (type, "embed") == 0)
    {
      sandbox_graph_error (req, 400, "notSupported",
                           "Embed links are supported on OneDrive personal only.");
      return;
    }
  if (g_strcmp0 (type, "view") != 0 && g_strcmp0 (type, "edit") != 0)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "Invalid value for 'type'.");
      return;
    }
  if (scope == NULL)
    scope = item->drive->tenant->allow_anonymous ? "anonymous" : "organization";
  if (!g_str_equal (scope, "anonymous") && !g_str_equal (scope, "organization")
      && !g_str_equal (scope, "users"))
    {
      sandbox_graph_error (req, 400, "invalidRequest", "Invalid value for 'scope'.");
      return;
    }
  if (json_object_has_member (body, "password"))
    {
      sandbox_graph_error (req, 400, "invalidRequest",
                           "Passwords are supported on OneDrive personal only.");
      return;
    }
  if (g_str_equal (scope, "anonymous") && !item->drive->tenant->allow_anonymous)
    {
      sandbox_graph_error (
          req, 403, "accessDenied",
          "The sharing policy of this organization does not allow anonymous links.");
      return;
    }
  recipients = parse_recipients (req, body);
  if (recipients == NULL)
    return;
  link = sandbox_link_find_or_create (req->sb, item, req->user, type, scope, recipients, &created);
  perm = link_permission (req->sb, link);
  respond_object (req, created ? 201 : 200, perm);
  json_object_unref (perm);
}

static void
handle_invite (SandboxRequest *req, SandboxItem *item, SandboxAccess access)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  g_autoptr (GPtrArray) users = NULL;
  JsonArray *roles;
  gboolean write = FALSE;
  JsonArray *value;

  if (body == NULL)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "The request body is not valid JSON.");
      return;
    }
  if (access < SANDBOX_ACCESS_WRITE)
    {
      sandbox_graph_error (req, 403, "accessDenied",
                           "You do not have permission to share this item.");
      return;
    }
  users = parse_recipients (req, body);
  if (users == NULL)
    return;
  if (users->len == 0)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "At least one recipient is needed.");
      return;
    }
  roles = sandbox_json_array (body, "roles");
  for (guint i = 0; roles != NULL && i < json_array_get_length (roles); i++)
    {
      JsonNode *role = json_array_get_element (roles, i);

      if (JSON_NODE_HOLDS_VALUE (role) && json_node_get_value_type (role) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (role), "write") == 0)
        write = TRUE;
    }
  value = json_array_new ();
  for (guint i = 0; i < users->len; i++)
    {
      SandboxGrant *g = sandbox_grant_add (req->sb, item, users->pdata[i], write, req->user);

      json_array_add_object_element (value, grant_permission (g));
    }
  respond_value (req, value);
}

/* ---- thumbnails, content and preview --------------------------------------- */

static gboolean
valid_size (SandboxItem *item, const char *size)
{
  int w, h;

  return sandbox_thumb_size (item, size, &w, &h);
}

static JsonObject *
thumbnail_object (SandboxRequest *req, SandboxItem *item, const char *size)
{
  JsonObject *o = json_object_new ();
  int w = 0, h = 0;
  g_autofree char *url = sandbox_ticket_url (req->sb, item, req->user, size, THUMB_LIFETIME);

  sandbox_thumb_size (item, size, &w, &h);
  json_object_set_int_member (o, "height", h);
  json_object_set_int_member (o, "width", w);
  json_object_set_string_member (o, "url", url);
  return o;
}

static void
handle_thumbnails (SandboxRequest *req, SandboxItem *item, char **rest)
{
  guint n = g_strv_length (rest);
  const char *size = n >= 2 ? rest[1] : NULL;

  if (n == 0)
    {
      JsonArray *value;

      if (!select_valid (req, "thumbnailSet"))
        return;
      value = json_array_new ();
      if (sandbox_kind_has_thumbnail (item->kind))
        {
          JsonObject *set = json_object_new ();

          json_object_set_string_member (set, "id", "0");
          json_object_set_object_member (set, "small", thumbnail_object (req, item, "small"));
          json_object_set_object_member (set, "medium", thumbnail_object (req, item, "medium"));
          json_object_set_object_member (set, "large", thumbnail_object (req, item, "large"));
          json_array_add_object_element (value, set);
        }
      respond_value (req, value);
      return;
    }
  if (!sandbox_kind_has_thumbnail (item->kind) || !g_str_equal (rest[0], "0"))
    {
      sandbox_graph_error (req, 404, "itemNotFound", "The thumbnail does not exist.");
      return;
    }
  if (size == NULL || !valid_size (item, size) || n > 3
      || (n == 3 && !g_str_equal (rest[2], "content")))
    {
      sandbox_graph_error (req, 400, "invalidRequest", "Invalid thumbnail size.");
      return;
    }
  if (n == 2)
    {
      JsonObject *o = thumbnail_object (req, item, size);

      respond_object (req, 200, o);
      json_object_unref (o);
      return;
    }
  if (g_strcmp0 (qparam (req, "preferNoRedirect"), "true") == 0)
    {
      const char *type = NULL;
      g_autoptr (GBytes) bytes = sandbox_thumb_render (req->sb, item, size, &type);

      soup_server_message_set_status (req->msg, 200, NULL);
      soup_server_message_set_response (req->msg, type, SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      return;
    }
  {
    g_autofree char *url = sandbox_ticket_url (req->sb, item, req->user, size, THUMB_LIFETIME);

    sandbox_respond_redirect (req, url);
  }
}

static void
handle_preview (SandboxRequest *req, SandboxItem *item)
{
  JsonObject *o = json_object_new ();
  g_autofree char *url = sandbox_ticket_url (req->sb, item, req->user, "preview", PREVIEW_LIFETIME);

  json_object_set_string_member (o, "getUrl", url);
  json_object_set_null_member (o, "postUrl");
  json_object_set_null_member (o, "postParameters");
  respond_object (req, 200, o);
  json_object_unref (o);
}

/* ---- item dispatch ---------------------------------------------------------- */

static gboolean
method_is (SandboxRequest *req, const char *method)
{
  if (g_str_equal (req->method, method))
    return TRUE;
  sandbox_graph_error (req, 405, "invalidRequest", "The method is not allowed on this resource.");
  return FALSE;
}

static void
item_op (SandboxRequest *req, SandboxItem *item, SandboxAccess access, char **rest)
{
  const char *op = rest[0];

  if (access == SANDBOX_ACCESS_NONE)
    {
      sandbox_graph_error (req, 403, "accessDenied",
                           "Access denied. You do not have permission to "
                           "perform this action or access this resource.");
      return;
    }
  if (op == NULL)
    {
      JsonObject *o;

      if (!method_is (req, "GET") || !select_valid (req, "driveItem"))
        return;
      o = item_object (req->sb, item);
      add_download_url (req, o, item);
      apply_select (req, o);
      respond_object (req, 200, o);
      json_object_unref (o);
    }
  else if (g_str_equal (op, "children") && rest[1] == NULL)
    {
      if (item->kind != SANDBOX_KIND_FOLDER)
        sandbox_graph_error (req, 400, "invalidRequest", "The item is not a folder.");
      else if (method_is (req, "GET"))
        respond_page (req, "driveItem", sandbox_child_count (item), child_getter, item);
    }
  else if (g_str_has_prefix (op, "search(") && rest[1] == NULL)
    {
      if (method_is (req, "GET"))
        handle_search (req, item, op, FALSE);
    }
  else if (g_str_equal (op, "thumbnails"))
    {
      if (method_is (req, "GET"))
        handle_thumbnails (req, item, rest + 1);
    }
  else if (g_str_equal (op, "content") && rest[1] == NULL)
    {
      g_autofree char *url = NULL;

      if (!method_is (req, "GET"))
        return;
      if (item->kind == SANDBOX_KIND_FOLDER)
        {
          sandbox_graph_error (req, 400, "invalidRequest", "A folder has no content.");
          return;
        }
      url = sandbox_ticket_url (req->sb, item, req->user, "content", THUMB_LIFETIME);
      sandbox_respond_redirect (req, url);
    }
  else if (g_str_equal (op, "createLink") && rest[1] == NULL)
    {
      if (method_is (req, "POST"))
        handle_create_link (req, item, access);
    }
  else if (g_str_equal (op, "invite") && rest[1] == NULL)
    {
      if (method_is (req, "POST"))
        handle_invite (req, item, access);
    }
  else if (g_str_equal (op, "permissions") && rest[1] == NULL)
    {
      if (method_is (req, "GET"))
        handle_permissions (req, item, access);
    }
  else if (g_str_equal (op, "preview") && rest[1] == NULL)
    {
      if (method_is (req, "POST"))
        handle_preview (req, item);
    }
  else
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
}

/* rest starts after /me/drive, /drives/{id} or /sites/{id}/drive. */
static void
drive_op (SandboxRequest *req, SandboxDrive *drive, char **rest, gboolean is_me)
{
  SandboxItem *item;

  if (sandbox_upload_drive_op (req, drive, rest))
    return;
  if (rest[0] == NULL)
    {
      JsonObject *o;

      if (drive->owner != req->user && !(drive->site != NULL && drive->tenant == req->user->tenant))
        {
          sandbox_graph_error (req, 403, "accessDenied", "Access denied.");
          return;
        }
      if (!select_valid (req, "drive"))
        return;
      o = drive_object (req->sb, drive);
      apply_select (req, o);
      respond_object (req, 200, o);
      json_object_unref (o);
      return;
    }
  if (is_me && g_str_equal (rest[0], "recent") && rest[1] == NULL)
    {
      handle_recent (req);
      return;
    }
  if (is_me && g_str_equal (rest[0], "sharedWithMe") && rest[1] == NULL)
    {
      handle_shared_with_me (req);
      return;
    }
  if (g_str_has_prefix (rest[0], "search(") && rest[1] == NULL)
    {
      handle_search (req, drive->root, rest[0], is_me);
      return;
    }
  if (g_str_equal (rest[0], "root"))
    item = drive->root;
  else if (g_str_has_prefix (rest[0], "root:"))
    {
      /* Path addressing: root:/Documents/notes.txt: then an optional operation. */
      GString *path = g_string_new (rest[0] + 5);
      guint i = 1;
      g_autofree char *raw = NULL;
      g_autofree char *decoded = NULL;

      while (!g_str_has_suffix (path->str, ":") && rest[i] != NULL)
        {
          g_string_append_c (path, '/');
          g_string_append (path, rest[i++]);
        }
      if (g_str_has_suffix (path->str, ":"))
        g_string_truncate (path, path->len - 1);
      raw = g_string_free (path, FALSE);
      decoded = g_uri_unescape_string (raw, NULL);
      item = decoded != NULL ? sandbox_find_path (req->sb, drive->root, decoded) : NULL;
      if (item == NULL)
        {
          sandbox_graph_error (req, 404, "itemNotFound", "The resource could not be found.");
          return;
        }
      item_op (req, item, sandbox_item_access (req->sb, item, req->user), rest + i);
      return;
    }
  else if (g_str_equal (rest[0], "items") && rest[1] != NULL)
    {
      item = sandbox_find_item (req->sb, rest[1]);
      if (item == NULL || item->drive != drive)
        {
          sandbox_graph_error (req, 404, "itemNotFound", "The resource could not be found.");
          return;
        }
      item_op (req, item, sandbox_item_access (req->sb, item, req->user), rest + 2);
      return;
    }
  else
    {
      sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
      return;
    }
  item_op (req, item, sandbox_item_access (req->sb, item, req->user), rest + 1);
}

SandboxItem *
sandbox_item_for_web_url (Sandbox *sb, const char *url)
{
  GHashTableIter iter;
  gpointer k, v;
  g_autofree char *wanted = g_uri_unescape_string (url, NULL);

  if (wanted == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, sb->items);
  while (g_hash_table_iter_next (&iter, &k, &v))
    {
      g_autofree char *web_url = sandbox_item_web_url (sb, v);
      g_autofree char *plain = g_uri_unescape_string (web_url, NULL);

      if (g_strcmp0 (plain, wanted) == 0)
        return v;
    }
  return NULL;
}

static void
handle_shares (SandboxRequest *req, char **rest)
{
  Sandbox *sb = req->sb;
  g_autofree char *url = rest[0] != NULL ? sandbox_url_for_share_id (rest[0]) : NULL;
  SandboxLink *link = url != NULL ? sandbox_link_for_url (sb, url) : NULL;
  SandboxItem *item = NULL;
  SandboxAccess access;
  const char *prefer;

  if (url == NULL)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "The share id is not valid.");
      return;
    }
  if (link != NULL)
    item = link->item;
  else
    item = sandbox_item_for_web_url (sb, url);
  if (item == NULL)
    {
      sandbox_graph_error (req, 404, "itemNotFound",
                           "The sharing link no longer exists, or you do not "
                           "have permission to access it.");
      return;
    }
  access = sandbox_item_access (sb, item, req->user);
  if (link != NULL && sandbox_link_allows (link, req->user))
    access = MAX (access,
                  g_str_equal (link->type, "edit") ? SANDBOX_ACCESS_WRITE : SANDBOX_ACCESS_READ);
  if (access == SANDBOX_ACCESS_NONE)
    {
      sandbox_graph_error (req, 403, "accessDenied",
                           "The sharing link no longer exists, or you do not "
                           "have permission to access it.");
      return;
    }
  prefer
      = soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg), "Prefer");
  if (link != NULL && prefer != NULL && strstr (prefer, "redeemSharingLink") != NULL
      && strstr (prefer, "IfNecessary") == NULL)
    g_hash_table_add (req->user->redeemed, link);

  if (rest[1] == NULL)
    {
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "id", rest[0]);
      json_object_set_string_member (o, "name", item->name);
      if (item->drive->owner != NULL)
        json_object_set_object_member (o, "owner", identity_object (item->drive->owner));
      respond_object (req, 200, o);
      json_object_unref (o);
    }
  else if (g_str_equal (rest[1], "driveItem") || g_str_equal (rest[1], "root"))
    item_op (req, item, access, rest + 2);
  else if (g_str_equal (rest[1], "permission") && link != NULL)
    {
      if (rest[2] == NULL && method_is (req, "GET"))
        {
          JsonObject *p = link_permission (sb, link);

          respond_object (req, 200, p);
          json_object_unref (p);
        }
      else if (g_strcmp0 (rest[2], "grant") == 0 && method_is (req, "POST"))
        {
          g_autoptr (JsonObject) body = sandbox_request_json (req);
          g_autoptr (GPtrArray) users = NULL;
          gboolean created;

          if (access < SANDBOX_ACCESS_WRITE)
            {
              sandbox_graph_error (req, 403, "accessDenied",
                                   "Only people who can edit may grant access.");
              return;
            }
          users = body != NULL ? parse_recipients (req, body) : NULL;
          if (users == NULL)
            {
              if (body == NULL)
                sandbox_graph_error (req, 400, "invalidRequest",
                                     "The request body is not valid JSON.");
              return;
            }
          if (g_str_equal (link->scope, "users"))
            sandbox_link_find_or_create (sb, item, req->user, link->type, link->scope, users,
                                         &created);
          {
            JsonArray *value = json_array_new ();

            json_array_add_object_element (value, link_permission (sb, link));
            respond_value (req, value);
          }
        }
    }
  else
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
}

static void
handle_sites (SandboxRequest *req, char **rest)
{
  SandboxSite *site;

  if (rest[0] == NULL)
    {
      handle_sites_search (req);
      return;
    }
  site = sandbox_find_site (req->sb, rest[0]);
  if (site == NULL)
    {
      sandbox_graph_error (req, 404, "itemNotFound", "Requested site could not be found");
      return;
    }
  if (site->tenant != req->user->tenant)
    {
      sandbox_graph_error (req, 403, "accessDenied", "Access denied.");
      return;
    }
  if (rest[1] == NULL)
    {
      JsonObject *o = site_object (req->sb, site);

      respond_object (req, 200, o);
      json_object_unref (o);
    }
  else if (g_str_equal (rest[1], "drives") && rest[2] == NULL)
    {
      JsonArray *value = json_array_new ();

      json_array_add_object_element (value, drive_object (req->sb, site->drive));
      respond_typed_value (req, "drive", value);
    }
  else if (g_str_equal (rest[1], "drive"))
    drive_op (req, site->drive, rest + 2, FALSE);
  else
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
}

/* /me as Graph answers it without $select: its default properties. */
static JsonObject *
user_object (SandboxRequest *req)
{
  SandboxUser *u = req->user;
  JsonObject *o = json_object_new ();
  g_autofree char *context = g_strdup_printf ("%s/$metadata#users/$entity", req->sb->graph_url);
  const char *space = strchr (u->name, ' ');
  g_autofree char *given
      = space != NULL ? g_strndup (u->name, space - u->name) : g_strdup (u->name);

  json_object_set_string_member (o, "@odata.context", context);
  json_object_set_array_member (o, "businessPhones", json_array_new ());
  json_object_set_string_member (o, "displayName", u->name);
  json_object_set_string_member (o, "givenName", given);
  json_object_set_null_member (o, "jobTitle");
  json_object_set_string_member (o, "mail", u->email);
  json_object_set_null_member (o, "mobilePhone");
  json_object_set_null_member (o, "officeLocation");
  json_object_set_string_member (o, "preferredLanguage", "en-US");
  if (space != NULL)
    json_object_set_string_member (o, "surname", space + 1);
  else
    json_object_set_null_member (o, "surname");
  json_object_set_string_member (o, "userPrincipalName", u->upn);
  json_object_set_string_member (o, "id", u->oid);
  return o;
}

/* GET /oidc/userinfo (the OpenID configuration's userinfo_endpoint, on the
 * Graph host as Microsoft's is): the signed-in user's claims. */
static void
handle_userinfo (SandboxRequest *req)
{
  SandboxUser *u = req->user;
  JsonObject *o = json_object_new ();
  const char *space = strchr (u->name, ' ');
  g_autofree char *given
      = space != NULL ? g_strndup (u->name, space - u->name) : g_strdup (u->name);
  g_autofree char *picture = g_strdup_printf ("%s/me/photo/$value", req->sb->graph_url);
  g_autofree char *label = g_strdup_printf ("sub %s userinfo", u->oid);
  g_autofree char *sub = sandbox_hash_hex (req->sb, label, 20);

  json_object_set_string_member (o, "sub", sub);
  json_object_set_string_member (o, "name", u->name);
  json_object_set_string_member (o, "family_name", space != NULL ? space + 1 : "");
  json_object_set_string_member (o, "given_name", given);
  json_object_set_string_member (o, "picture", picture);
  json_object_set_string_member (o, "email", u->email);
  respond_object (req, 200, o);
  json_object_unref (o);
}

static void
handle_me (SandboxRequest *req, char **rest)
{
  if (rest[0] == NULL)
    {
      JsonObject *o;

      if (!g_str_equal (req->method, "GET"))
        {
          sandbox_graph_error (req, 405, "Request_BadRequest",
                               "Specified HTTP method is not allowed for the request target.");
          return;
        }
      if (!select_valid (req, "user"))
        return;
      o = user_object (req);
      apply_select (req, o);
      respond_object (req, 200, o);
      json_object_unref (o);
    }
  else if (g_str_equal (rest[0], "drive"))
    drive_op (req, req->user->drive, rest + 1, TRUE);
  else if (g_str_equal (rest[0], "insights") && rest[1] != NULL && rest[2] == NULL)
    handle_insights (req, rest[1]);
  else if (g_str_equal (rest[0], "followedSites") && rest[1] == NULL)
    handle_followed_sites (req);
  else
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
}

/* GET /organization: the signed-in person's tenant, as the one entry. */
static void
handle_organization (SandboxRequest *req)
{
  SandboxTenant *tenant = req->user->tenant;
  JsonObject *o;
  JsonArray *value;
  JsonObject *org;
  JsonArray *domains;
  JsonObject *domain;
  g_autofree char *context = NULL;

  if (!select_valid (req, "organization"))
    return;
  o = json_object_new ();
  value = json_array_new ();
  org = json_object_new ();
  domains = json_array_new ();
  domain = json_object_new ();
  context = g_strdup_printf ("%s/$metadata#organization", req->sb->graph_url);
  json_object_set_string_member (domain, "name", tenant->domain);
  json_object_set_boolean_member (domain, "isDefault", TRUE);
  json_array_add_object_element (domains, domain);
  json_object_set_string_member (org, "id", tenant->id);
  json_object_set_string_member (org, "displayName", tenant->name);
  json_object_set_array_member (org, "verifiedDomains", domains);
  apply_select (req, org);
  json_array_add_object_element (value, org);
  json_object_set_string_member (o, "@odata.context", context);
  json_object_set_array_member (o, "value", value);
  respond_object (req, 200, o);
  json_object_unref (o);
}

static gboolean
authenticate (SandboxRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  const char *problem = NULL;
  SandboxToken *token = NULL;
  g_autofree char *www
      = g_strdup_printf ("Bearer realm=\"\", authorization_uri=\"%s/common/oauth2/authorize\", "
                         "client_id=\"00000003-0000-0000-c000-000000000000\"",
                         req->sb->base_url[SANDBOX_HOST_LOGIN]);

  if (auth != NULL && g_ascii_strncasecmp (auth, "Bearer ", 7) == 0)
    token = sandbox_token_lookup (req->sb, auth + 7, &problem);
  if (token != NULL)
    {
      sandbox_set_user (req, token->user);
      return TRUE;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "WWW-Authenticate", www);
  if (auth == NULL)
    sandbox_graph_error (req, 401, "InvalidAuthenticationToken", "Access token is empty.");
  else if (g_strcmp0 (problem, "expired") == 0)
    sandbox_graph_error (req, 401, "InvalidAuthenticationToken",
                         "Lifetime validation failed, the token is expired.");
  else if (g_strcmp0 (problem, "revoked") == 0)
    sandbox_graph_error (
        req, 401, "InvalidAuthenticationToken",
        "Continuous access evaluation resulted in challenge with result: InteractionRequired "
        "and code: TokensRevoked");
  else
    sandbox_graph_error (req, 401, "InvalidAuthenticationToken",
                         "Access token validation failure.");
  return FALSE;
}

void
sandbox_graph_handle (SandboxRequest *req)
{
  g_auto (GStrv) parts = NULL;
  char **rest;
  const char *request_id;
  const char *client_request_id;

  graph_ids (req, &request_id, &client_request_id);
  if (g_str_equal (req->path, "/oidc/userinfo"))
    {
      if (authenticate (req))
        handle_userinfo (req);
      return;
    }
  if (!g_str_has_prefix (req->path, "/v1.0/"))
    {
      sandbox_graph_error (req, 400, "BadRequest",
                           "Invalid version: the sandbox serves v1.0 only.");
      return;
    }
  if (!authenticate (req))
    return;
  parts = g_strsplit (req->path + strlen ("/v1.0/"), "/", -1);
  /* A trailing slash leaves an empty last segment: drop it. */
  {
    guint n = g_strv_length (parts);

    if (n > 0 && *parts[n - 1] == '\0')
      {
        g_free (parts[n - 1]);
        parts[n - 1] = NULL;
      }
  }
  rest = parts + 1;
  if (parts[0] == NULL)
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
  else if (g_str_equal (parts[0], "me"))
    handle_me (req, rest);
  else if (g_str_equal (parts[0], "drives") && rest[0] != NULL)
    {
      SandboxDrive *drive = sandbox_find_drive (req->sb, rest[0]);

      if (drive == NULL)
        sandbox_graph_error (req, 404, "itemNotFound", "The drive could not be found.");
      else
        drive_op (req, drive, rest + 1, FALSE);
    }
  else if (g_str_equal (parts[0], "organization") && rest[0] == NULL)
    handle_organization (req);
  else if (g_str_equal (parts[0], "shares"))
    handle_shares (req, rest);
  else if (g_str_equal (parts[0], "sites"))
    handle_sites (req, rest);
  else
    sandbox_graph_error (req, 400, "BadRequest", "Resource not found for the segment.");
}
