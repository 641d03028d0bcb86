/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-crypto"

#include "config.h"

#include "foyer-document-ref.h"

#include "foyer-core.h"
#include "foyer-json.h"
#include "foyer-jwe.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define MAX_ID_LENGTH    512
#define MAX_TITLE_LENGTH 1024
#define MAX_URL_LENGTH   4096
#define MAX_JSON_LENGTH  (16 * 1024)

G_DEFINE_BOXED_TYPE (FoyerDocumentRef,
                     foyer_document_ref,
                     foyer_document_ref_copy,
                     foyer_document_ref_free)

FoyerDocumentRef *
foyer_document_ref_new (void)
{
  FoyerDocumentRef *self = g_new0 (FoyerDocumentRef, 1);

  self->v = 1;
  self->provider = g_strdup ("microsoft");
  self->size = -1;
  return self;
}

FoyerDocumentRef *
foyer_document_ref_copy (const FoyerDocumentRef *self)
{
  FoyerDocumentRef *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (FoyerDocumentRef, 1);
  copy->v = self->v;
  copy->provider = g_strdup (self->provider);
  copy->cloud = g_strdup (self->cloud);
  copy->drive_id = g_strdup (self->drive_id);
  copy->item_id = g_strdup (self->item_id);
  copy->title = g_strdup (self->title);
  copy->url = g_strdup (self->url);
  copy->link_type = self->link_type;
  copy->audience = self->audience;
  copy->mime_type = g_strdup (self->mime_type);
  copy->size = self->size;
  copy->shared_by = g_strdup (self->shared_by);
  return copy;
}

void
foyer_document_ref_free (FoyerDocumentRef *self)
{
  if (self == NULL)
    return;
  g_free (self->provider);
  g_free (self->cloud);
  g_free (self->drive_id);
  g_free (self->item_id);
  g_free (self->title);
  g_free (self->url);
  g_free (self->mime_type);
  g_free (self->shared_by);
  g_free (self);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  if (value == NULL)
    return;
  foyer_json_builder_add_string (builder, name, value);
}

char *
foyer_document_ref_to_json (const FoyerDocumentRef *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  foyer_json_builder_add_int (builder, "v", self->v);
  add_string (builder, "provider", self->provider);
  add_string (builder, "cloud", self->cloud);
  add_string (builder, "driveId", self->drive_id);
  add_string (builder, "itemId", self->item_id);
  add_string (builder, "title", self->title);
  add_string (builder, "url", self->url);
  add_string (builder, "linkType", foyer_link_type_to_string (self->link_type));
  add_string (builder, "audience", foyer_link_audience_to_string (self->audience));
  add_string (builder, "mimeType", self->mime_type);
  if (self->size >= 0)
    foyer_json_builder_add_int (builder, "size", self->size);
  add_string (builder, "sharedBy", self->shared_by);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static gboolean
invalid (GError **error, const char *field)
{
  g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_INVALID_REFERENCE,
               _ ("The shared document reference is invalid (%s)"), field);
  return FALSE;
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return TRUE;
  return FALSE;
}

/* Reads an optional or required string member, checking type and length. */
static gboolean
get_string (JsonObject *object,
            const char *name,
            gboolean required,
            gsize max_length,
            char **out,
            GError **error)
{
  const char *value;

  if (!foyer_json_lookup_string (object, name, &value))
    return invalid (error, name);
  if (value == NULL)
    return required ? invalid (error, name) : TRUE;
  if ((required && *value == '\0') || strlen (value) > max_length || has_control_chars (value))
    return invalid (error, name);
  *out = g_strdup (value);
  return TRUE;
}

static gboolean
host_matches (const char *host, const char *suffix)
{
  gsize host_len = strlen (host);
  gsize suffix_len;

  if (*suffix == '.')
    suffix++;
  suffix_len = strlen (suffix);
  if (suffix_len == 0 || host_len < suffix_len)
    return FALSE;
  if (g_ascii_strcasecmp (host + host_len - suffix_len, suffix) != 0)
    return FALSE;
  return host_len == suffix_len || host[host_len - suffix_len - 1] == '.';
}

gboolean
foyer_document_ref_check_url (const char *url,
                              const char *const *allowed_host_suffixes,
                              GError **error)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme, *host;
  gboolean allowed = FALSE;

  /* Parsed strictly, so that the host checked here is the host a browser
   * will go to ("Open in Browser", the viewer): no '\\', no bidirectional
   * or other control characters, no user info (foyer_web_url_parse ()). */
  if (url == NULL || strlen (url) > MAX_URL_LENGTH || (uri = foyer_web_url_parse (url)) == NULL)
    return invalid (error, "url");

  scheme = g_uri_get_scheme (uri);
  host = g_uri_get_host (uri);
  /* https only: the sandbox serves https too, so nothing needs plain http. */
  if (g_ascii_strcasecmp (scheme, "https") != 0)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_FORBIDDEN_URL,
                   _ ("The shared link does not use a secure address (%s)"), scheme);
      return FALSE;
    }

  for (gsize i = 0; allowed_host_suffixes != NULL && allowed_host_suffixes[i] != NULL; i++)
    if (host_matches (host, allowed_host_suffixes[i]))
      allowed = TRUE;
  if (!allowed)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_FORBIDDEN_URL,
                   _ ("The shared link points outside Microsoft’s document hosts (%s)"), host);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_fields (JsonObject *object, FoyerDocumentRef *ref, GError **error)
{
  g_autofree char *link_type = NULL;
  g_autofree char *audience = NULL;
  JsonNode *size;

  if (!get_string (object, "provider", TRUE, 32, &ref->provider, error)
      || !get_string (object, "cloud", TRUE, 64, &ref->cloud, error)
      || !get_string (object, "driveId", TRUE, MAX_ID_LENGTH, &ref->drive_id, error)
      || !get_string (object, "itemId", TRUE, MAX_ID_LENGTH, &ref->item_id, error)
      || !get_string (object, "title", TRUE, MAX_TITLE_LENGTH, &ref->title, error)
      || !get_string (object, "url", TRUE, MAX_URL_LENGTH, &ref->url, error)
      || !get_string (object, "linkType", TRUE, 16, &link_type, error)
      || !get_string (object, "audience", TRUE, 32, &audience, error)
      || !get_string (object, "mimeType", FALSE, 255, &ref->mime_type, error)
      || !get_string (object, "sharedBy", FALSE, MAX_TITLE_LENGTH, &ref->shared_by, error))
    return FALSE;

  if (g_strcmp0 (ref->provider, "microsoft") != 0)
    return invalid (error, "provider");
  if (!foyer_link_type_from_string (link_type, &ref->link_type))
    return invalid (error, "linkType");
  if (!foyer_link_audience_from_string (audience, &ref->audience))
    return invalid (error, "audience");

  size = json_object_get_member (object, "size");
  ref->size = -1;
  if (size != NULL && !JSON_NODE_HOLDS_NULL (size))
    {
      if (!JSON_NODE_HOLDS_VALUE (size) || json_node_get_value_type (size) != G_TYPE_INT64
          || json_node_get_int (size) < 0)
        return invalid (error, "size");
      ref->size = json_node_get_int (size);
    }
  return TRUE;
}

/* Everything but the hosts: what a reference says is checked once, when it
 * is decrypted; whether its address is one of the cloud's, when it is
 * shown (foyer_document_ref_check_url ()). */
FoyerDocumentRef *
foyer_document_ref_parse (const char *json, GError **error)
{
  g_autoptr (FoyerDocumentRef) ref = g_new0 (FoyerDocumentRef, 1);
  g_autoptr (JsonNode) root = NULL;
  JsonNode *version;
  JsonObject *object;
  gsize len;

  g_return_val_if_fail (json != NULL, NULL);

  len = strlen (json);
  if (len > MAX_JSON_LENGTH || !g_utf8_validate (json, len, NULL)
      || (root = foyer_json_parse (json, len)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      invalid (error, "JSON");
      return NULL;
    }
  object = json_node_get_object (root);

  version = json_object_get_member (object, "v");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    {
      g_set_error (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_UNSUPPORTED_VERSION,
                   _ ("The shared document was sent by a newer or unknown version of Foyer"));
      return NULL;
    }
  ref->v = 1;

  if (!parse_fields (object, ref, error))
    return NULL;

  return g_steal_pointer (&ref);
}

FoyerDocumentRef *
foyer_document_ref_new_from_json (const char *json,
                                  const char *const *allowed_host_suffixes,
                                  GError **error)
{
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_parse (json, error);

  if (ref == NULL || !foyer_document_ref_check_url (ref->url, allowed_host_suffixes, error))
    return NULL;
  return g_steal_pointer (&ref);
}
