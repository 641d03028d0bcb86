/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-jwe.h"

#include <string.h>

/* clang-format off */
G_DEFINE_QUARK (foyer-svc-error-quark, foyer_svc_error)
/* clang-format on */

static const struct
{
  guint status;
  const char *name;
} error_table[] = {
  [FOYER_SVC_ERROR_INVALID] = { 400, "invalid" },
  [FOYER_SVC_ERROR_UNAUTHORIZED] = { 401, "unauthorized" },
  [FOYER_SVC_ERROR_FORBIDDEN] = { 403, "forbidden" },
  [FOYER_SVC_ERROR_NOT_FOUND] = { 404, "not-found" },
  [FOYER_SVC_ERROR_METHOD] = { 405, "method-not-allowed" },
  [FOYER_SVC_ERROR_CONFLICT] = { 409, "conflict" },
  [FOYER_SVC_ERROR_LENGTH] = { 411, "length-required" },
  [FOYER_SVC_ERROR_TOO_LARGE] = { 413, "too-large" },
  [FOYER_SVC_ERROR_MEDIA_TYPE] = { 415, "unsupported-media-type" },
  [FOYER_SVC_ERROR_TOO_MANY] = { 429, "too-many-requests" },
  [FOYER_SVC_ERROR_INTERNAL] = { 500, "internal" },
  [FOYER_SVC_ERROR_BUSY] = { 503, "busy" },
  [FOYER_SVC_ERROR_STORAGE_FULL] = { 507, "insufficient-storage" },
  [FOYER_SVC_ERROR_STALE_KEY] = { 409, "stale-key" },
};

guint
foyer_svc_error_status (const GError *error)
{
  if (error == NULL || error->domain != FOYER_SVC_ERROR || error->code < 0
      || (gsize) error->code >= G_N_ELEMENTS (error_table))
    return 500;
  return error_table[error->code].status;
}

const char *
foyer_svc_error_code_name (const GError *error)
{
  if (error == NULL || error->domain != FOYER_SVC_ERROR || error->code < 0
      || (gsize) error->code >= G_N_ELEMENTS (error_table))
    return "internal";
  return error_table[error->code].name;
}

/* json-glib's parser recurses once per nesting level, so the depth is
 * measured before it sees the text: 1 MiB of '[' must not exhaust the stack. */
static gboolean
check_depth (const char *data, gsize length, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

JsonNode *
foyer_svc_json_parse (const char *data, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "The request needs a JSON body");
      return NULL;
    }
  if (length > FOYER_SVC_MAX_BODY)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_TOO_LARGE,
                   "The request body is larger than %d bytes", FOYER_SVC_MAX_BODY);
      return NULL;
    }
  if (!g_utf8_validate (data, length, NULL) || memchr (data, '\0', length) != NULL)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "The request body is not valid UTF-8");
      return NULL;
    }
  if (!check_depth (data, length, FOYER_SVC_MAX_JSON_DEPTH))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "The JSON is nested deeper than %d levels", FOYER_SVC_MAX_JSON_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Malformed JSON: %s",
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Empty JSON");
      return NULL;
    }
  return json_node_copy (root);
}

static gboolean
field_type_matches (JsonNode *node, FoyerSvcFieldType type)
{
  switch (type)
    {
    case FIELD_STRING:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
    case FIELD_BOOLEAN:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN;
    case FIELD_INTEGER:
      return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
    case FIELD_ARRAY:
      return JSON_NODE_HOLDS_ARRAY (node);
    case FIELD_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);
    default:
      return FALSE;
    }
}

static const char *
field_type_name (FoyerSvcFieldType type)
{
  static const char *const names[]
      = { "a string", "a boolean", "an integer", "an array", "an object" };
  return names[type];
}

/* Checks that node is an object with only the known fields, each of the
 * right type and size, and the required ones present. */
JsonObject *
foyer_svc_json_check_object (JsonNode *node,
                             const FoyerSvcField *fields,
                             gsize n_fields,
                             GError **error)
{
  JsonObject *object;
  g_autoptr (GList) members = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "The JSON body must be an object");
      return NULL;
    }
  object = json_node_get_object (node);

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;

      for (gsize i = 0; i < n_fields && !known; i++)
        known = strcmp (l->data, fields[i].name) == 0;
      if (!known)
        {
          g_autofree char *shown = g_utf8_make_valid (l->data, MIN (strlen (l->data), 64));

          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Unknown field “%s”",
                       shown);
          return NULL;
        }
    }

  for (gsize i = 0; i < n_fields; i++)
    {
      JsonNode *member = json_object_get_member (object, fields[i].name);
      gsize max = fields[i].max_length;

      if (member == NULL)
        {
          if (fields[i].required)
            {
              g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Missing field “%s”",
                           fields[i].name);
              return NULL;
            }
          continue;
        }
      if (!field_type_matches (member, fields[i].type))
        {
          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, "Field “%s” must be %s",
                       fields[i].name, field_type_name (fields[i].type));
          return NULL;
        }
      if (fields[i].type == FIELD_STRING)
        {
          gsize len = strlen (json_node_get_string (member));

          if (len > (max != 0 ? max : 1024) || (fields[i].required && len == 0))
            {
              g_set_error (error, FOYER_SVC_ERROR,
                           len > 0 ? FOYER_SVC_ERROR_TOO_LARGE : FOYER_SVC_ERROR_INVALID,
                           "Field “%s” is empty or too long", fields[i].name);
              return NULL;
            }
        }
      if (fields[i].type == FIELD_ARRAY
          && json_array_get_length (json_node_get_array (member)) > (max != 0 ? max : 1000))
        {
          g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_TOO_LARGE,
                       "Field “%s” has too many elements", fields[i].name);
          return NULL;
        }
    }
  return object;
}

/* Ids are what foyer_svc_new_id () makes, or what a client chose for
 * clientMessageId: URL-safe characters only. */
gboolean
foyer_svc_check_id (const char *id, gsize max_length)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > max_length)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (id[i]) && id[i] != '-' && id[i] != '_' && id[i] != '.')
      return FALSE;
  return TRUE;
}

static gboolean
check_kms_uri (const char *uri, const char *kind)
{
  g_autofree char *infix = g_strdup_printf ("/%s/", kind);
  const char *slash;

  if (uri == NULL || !g_str_has_prefix (uri, "kms://") || strlen (uri) > 512)
    return FALSE;
  slash = strchr (uri + 6, '/');
  return slash != NULL && slash > uri + 6 && g_str_has_prefix (slash, infix)
         && foyer_svc_check_id (slash + strlen (infix), 128);
}

static gboolean
check_jwe (const char *field, const char *jwe, gsize max, const char *key_uri, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *kid = NULL;

  if (!foyer_jwe_check (jwe, max, &kid, &local_error))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "Field “%s” must be a compact dir/A256GCM JWE: %s", field, local_error->message);
      return FALSE;
    }
  if (key_uri != NULL && strcmp (kid, key_uri) != 0)
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "Field “%s” is encrypted with another key than keyUri", field);
      return FALSE;
    }
  if (key_uri == NULL && !check_kms_uri (kid, "keys"))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "Field “%s” does not name a KMS key", field);
      return FALSE;
    }
  return TRUE;
}

void
foyer_svc_message_input_clear (FoyerSvcMessageInput *input)
{
  g_clear_pointer (&input->client_message_id, g_free);
  g_clear_pointer (&input->key_uri, g_free);
  g_clear_pointer (&input->body, g_free);
  g_clear_pointer (&input->attachments, g_ptr_array_unref);
}

static gboolean
parse_attachment (JsonNode *node, const char *key_uri, GPtrArray *out, GError **error)
{
  static const FoyerSvcField fields[] = {
    { "kind", FIELD_STRING, TRUE, 32 },
    { "ref", FIELD_STRING, TRUE, FOYER_SVC_MAX_MESSAGE },
  };
  JsonObject *object = foyer_svc_json_check_object (node, fields, G_N_ELEMENTS (fields), error);
  const char *ref;

  if (object == NULL)
    return FALSE;
  if (strcmp (json_object_get_string_member (object, "kind"), "document") != 0)
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "Attachment kind must be “document”");
      return FALSE;
    }
  ref = json_object_get_string_member (object, "ref");
  if (!check_jwe ("ref", ref, FOYER_SVC_MAX_MESSAGE, key_uri, error))
    return FALSE;
  g_ptr_array_add (out, g_strdup (ref));
  return TRUE;
}

gboolean
foyer_svc_parse_message_input (JsonNode *node, FoyerSvcMessageInput *out, GError **error)
{
  static const FoyerSvcField fields[] = {
    { "clientMessageId", FIELD_STRING, TRUE, 128 },
    { "keyUri", FIELD_STRING, TRUE, 512 },
    { "body", FIELD_STRING, TRUE, FOYER_SVC_MAX_MESSAGE },
    { "attachments", FIELD_ARRAY, FALSE, FOYER_SVC_MAX_ATTACH },
  };
  JsonObject *object = foyer_svc_json_check_object (node, fields, G_N_ELEMENTS (fields), error);
  const char *client_id, *key_uri, *body;
  JsonArray *attachments;

  memset (out, 0, sizeof *out);
  if (object == NULL)
    return FALSE;

  client_id = json_object_get_string_member (object, "clientMessageId");
  key_uri = json_object_get_string_member (object, "keyUri");
  body = json_object_get_string_member (object, "body");
  if (!foyer_svc_check_id (client_id, 128))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "clientMessageId may only hold letters, digits, '-', '_' and '.'");
      return FALSE;
    }
  if (!check_kms_uri (key_uri, "keys"))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "keyUri must be a kms://…/keys/<id> URI");
      return FALSE;
    }
  if (!check_jwe ("body", body, FOYER_SVC_MAX_MESSAGE, key_uri, error))
    return FALSE;

  out->attachments = g_ptr_array_new_with_free_func (g_free);
  attachments = json_object_has_member (object, "attachments")
                    ? json_object_get_array_member (object, "attachments")
                    : NULL;
  for (guint i = 0; attachments != NULL && i < json_array_get_length (attachments); i++)
    if (!parse_attachment (json_array_get_element (attachments, i), key_uri, out->attachments,
                           error))
      {
        foyer_svc_message_input_clear (out);
        return FALSE;
      }

  out->client_message_id = g_strdup (client_id);
  out->key_uri = g_strdup (key_uri);
  out->body = g_strdup (body);
  return TRUE;
}

gboolean
foyer_svc_parse_space_input (JsonNode *node,
                             char **out_title,
                             char **out_resource_uri,
                             GError **error)
{
  static const FoyerSvcField fields[] = {
    { "title", FIELD_STRING, TRUE, FOYER_SVC_MAX_TITLE },
    { "kmsResourceUri", FIELD_STRING, TRUE, 512 },
  };
  JsonObject *object = foyer_svc_json_check_object (node, fields, G_N_ELEMENTS (fields), error);
  const char *title, *resource;

  if (object == NULL)
    return FALSE;
  title = json_object_get_string_member (object, "title");
  resource = json_object_get_string_member (object, "kmsResourceUri");
  if (!check_kms_uri (resource, "resources"))
    {
      g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                           "kmsResourceUri must be a kms://…/resources/<id> URI");
      return FALSE;
    }
  if (!check_jwe ("title", title, FOYER_SVC_MAX_TITLE, NULL, error))
    return FALSE;
  *out_title = g_strdup (title);
  *out_resource_uri = g_strdup (resource);
  return TRUE;
}

JsonNode *
foyer_svc_org_settings_default (void)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  static const char text[]
      = "{\"microsoft\":{\"enabled\":false,\"tenantId\":\"\",\"clientId\":\"\","
        "\"cloud\":\"worldwide\",\"audiences\":[\"organization\",\"space\",\"existing\"],"
        "\"defaultAudience\":\"organization\",\"defaultLinkType\":\"view\"}}";

  json_parser_load_from_data (parser, text, -1, NULL);
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
settings_error (GError **error, const char *message)
{
  g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
check_ms_identifier (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
check_cloud (const char *cloud, GError **error)
{
  static const char *const supported[] = { "worldwide", "gcc-moderate", NULL };
  static const char *const refused[] = { "usgov-high", "usgov-dod", "china", "germany", NULL };

  if (g_strv_contains (supported, cloud))
    return TRUE;
  if (g_strv_contains (refused, cloud))
    {
      g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_INVALID,
                   "The Microsoft cloud “%s” is not supported by Foyer", cloud);
      return FALSE;
    }
  return settings_error (error, "microsoft.cloud must be worldwide or gcc-moderate");
}

static gboolean
check_audiences (JsonObject *ms, GError **error)
{
  static const char *const known[] = { "anyone", "organization", "space", "existing", NULL };
  JsonArray *audiences = json_object_get_array_member (ms, "audiences");
  const char *def = json_object_get_string_member (ms, "defaultAudience");
  const char *link = json_object_get_string_member (ms, "defaultLinkType");
  gboolean default_listed = FALSE;
  guint n = json_array_get_length (audiences);

  if (n == 0)
    return settings_error (error, "microsoft.audiences must not be empty");
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (audiences, i);
      const char *value;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING
          || !g_strv_contains (known, (value = json_node_get_string (element))))
        return settings_error (
            error, "microsoft.audiences may hold anyone, organization, space, existing");
      for (guint j = 0; j < i; j++)
        if (g_strcmp0 (json_array_get_string_element (audiences, j), value) == 0)
          return settings_error (error, "microsoft.audiences lists an audience twice");
      default_listed |= g_strcmp0 (value, def) == 0;
    }
  if (!default_listed)
    return settings_error (error, "microsoft.defaultAudience must be one of microsoft.audiences");
  if (g_strcmp0 (link, "view") != 0 && g_strcmp0 (link, "edit") != 0)
    return settings_error (error, "microsoft.defaultLinkType must be view or edit");
  return TRUE;
}

/* Validates an organization settings document and returns its normalized
 * copy, ready to be stored and served. */
JsonNode *
foyer_svc_org_settings_validate (JsonNode *node, GError **error)
{
  static const FoyerSvcField top[] = {
    { "microsoft", FIELD_OBJECT, TRUE, 0 },
  };
  static const FoyerSvcField fields[] = {
    { "enabled", FIELD_BOOLEAN, TRUE, 0 },         { "tenantId", FIELD_STRING, FALSE, 128 },
    { "clientId", FIELD_STRING, FALSE, 128 },      { "cloud", FIELD_STRING, TRUE, 32 },
    { "audiences", FIELD_ARRAY, TRUE, 4 },         { "defaultAudience", FIELD_STRING, TRUE, 32 },
    { "defaultLinkType", FIELD_STRING, TRUE, 16 }, { "cloudDescriptor", FIELD_STRING, FALSE, 4096 },
    { "signIn", FIELD_STRING, FALSE, 16 },
  };
  JsonObject *object, *ms;
  const char *tenant, *client;

  if (!(object = foyer_svc_json_check_object (node, top, G_N_ELEMENTS (top), error)))
    return NULL;
  ms = json_object_get_object_member (object, "microsoft");
  if (!foyer_svc_json_check_object (json_object_get_member (object, "microsoft"), fields,
                                    G_N_ELEMENTS (fields), error))
    return NULL;

  tenant = json_object_get_string_member_with_default (ms, "tenantId", "");
  client = json_object_get_string_member_with_default (ms, "clientId", "");
  if (!check_ms_identifier (tenant) || !check_ms_identifier (client))
    {
      settings_error (error, "microsoft.tenantId and clientId may hold letters, digits, '-', '.'");
      return NULL;
    }
  if (json_object_get_boolean_member (ms, "enabled") && (*tenant == '\0' || *client == '\0'))
    {
      settings_error (error, "An enabled Microsoft integration needs tenantId and clientId");
      return NULL;
    }
  if (!check_cloud (json_object_get_string_member (ms, "cloud"), error)
      || !check_audiences (ms, error))
    return NULL;
  if (json_object_has_member (ms, "signIn")
      && g_strcmp0 (json_object_get_string_member (ms, "signIn"), "embedded") != 0
      && g_strcmp0 (json_object_get_string_member (ms, "signIn"), "browser") != 0)
    {
      settings_error (error, "microsoft.signIn must be embedded or browser");
      return NULL;
    }
  if (json_object_has_member (ms, "cloudDescriptor"))
    {
      const char *descriptor = json_object_get_string_member (ms, "cloudDescriptor");

      for (const char *p = descriptor; *p != '\0'; p++)
        if ((guchar) *p < 0x20)
          {
            settings_error (error, "microsoft.cloudDescriptor holds control characters");
            return NULL;
          }
    }

  return json_node_copy (node);
}

/* The fuzz entry point: every request body parser of the service. */
int
foyer_svc_fuzz_one (const guint8 *data, gsize size)
{
  g_autoptr (JsonNode) node = foyer_svc_json_parse ((const char *) data, size, NULL);
  FoyerSvcMessageInput message;
  g_autofree char *title = NULL;
  g_autofree char *resource = NULL;
  g_autoptr (JsonNode) settings = NULL;
  static const FoyerSvcField session[] = {
    { "email", FIELD_STRING, TRUE, 320 },
    { "password", FIELD_STRING, TRUE, 1024 },
  };

  if (node == NULL)
    return 0;
  if (foyer_svc_parse_message_input (node, &message, NULL))
    foyer_svc_message_input_clear (&message);
  foyer_svc_parse_space_input (node, &title, &resource, NULL);
  settings = foyer_svc_org_settings_validate (node, NULL);
  foyer_svc_json_check_object (node, session, G_N_ELEMENTS (session), NULL);
  return 0;
}
