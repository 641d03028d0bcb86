/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-document-item"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "foyer-document-item.h"
#include "foyer-json.h"
#include "foyer-jwe.h"

struct _FoyerDocumentItem
{
  GObject parent_instance;

  char *json;
  char *reason;
};

G_DEFINE_FINAL_TYPE (FoyerDocumentItem, foyer_document_item, G_TYPE_OBJECT)

/* Microsoft's document hosts in the worldwide cloud; a sandbox or another
 * descriptor adds its own through foyer_cloud_is_allowed_url (). */
static const char *const worldwide_hosts[] = {
  "sharepoint.com", "onedrive.live.com", "1drv.ms", "sharepoint-df.com", NULL,
};

FoyerDocumentRef *
foyer_document_item_dup_ref (FoyerDocumentItem *self, FoyerCloud *cloud, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) hosts = g_ptr_array_new ();
  g_autoptr (GUri) uri = NULL;
  const char *url = NULL;
  JsonNode *root;

  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  if (self->json == NULL)
    {
      g_set_error_literal (error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_DECRYPT,
                           self->reason != NULL ? self->reason : _ ("Unavailable"));
      return NULL;
    }

  for (guint i = 0; worldwide_hosts[i] != NULL; i++)
    g_ptr_array_add (hosts, (gpointer) worldwide_hosts[i]);

  /* The cloud's own hosts (a sandbox's loopback addresses, say). */
  if (cloud != NULL && json_parser_load_from_data (parser, self->json, -1, NULL))
    {
      root = json_parser_get_root (parser);
      if (JSON_NODE_HOLDS_OBJECT (root))
        url = foyer_json_get_string (json_node_get_object (root), "url");
      if (url != NULL && foyer_cloud_is_allowed_url (cloud, url))
        uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
      if (uri != NULL && g_uri_get_host (uri) != NULL)
        g_ptr_array_add (hosts, (gpointer) g_uri_get_host (uri));
    }
  g_ptr_array_add (hosts, NULL);

  return foyer_document_ref_new_from_json (self->json, (const char *const *) hosts->pdata, error);
}

const char *
foyer_document_item_get_json (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  return self->json;
}

const char *
foyer_document_item_get_reason (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  return self->reason;
}

static void
foyer_document_item_finalize (GObject *object)
{
  FoyerDocumentItem *self = FOYER_DOCUMENT_ITEM (object);

  g_free (self->json);
  g_free (self->reason);
  G_OBJECT_CLASS (foyer_document_item_parent_class)->finalize (object);
}

static void
foyer_document_item_class_init (FoyerDocumentItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_document_item_finalize;
}

static void
foyer_document_item_init (FoyerDocumentItem *self)
{
}

FoyerDocumentItem *
foyer_document_item_new (const char *json)
{
  FoyerDocumentItem *self = g_object_new (FOYER_TYPE_DOCUMENT_ITEM, NULL);

  self->json = g_strdup (json);
  return self;
}

FoyerDocumentItem *
foyer_document_item_new_unavailable (const char *reason)
{
  FoyerDocumentItem *self = g_object_new (FOYER_TYPE_DOCUMENT_ITEM, NULL);

  self->reason = g_strdup (reason);
  return self;
}
