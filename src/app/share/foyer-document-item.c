/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-document-item"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-document-item.h"
#include "foyer-jwe.h"

struct _FoyerDocumentItem
{
  GObject parent_instance;

  char *json;
  FoyerDocumentRef *ref; /* NULL when unavailable */
  GError *error;         /* why it is */
};

G_DEFINE_FINAL_TYPE (FoyerDocumentItem, foyer_document_item, G_TYPE_OBJECT)

/* Microsoft's document hosts in the worldwide cloud; a sandbox or another
 * descriptor adds its own through foyer_cloud_is_allowed_url (). */
static const char *const worldwide_hosts[] = {
  "sharepoint.com", "onedrive.live.com", "1drv.ms", "sharepoint-df.com", NULL,
};

/* The reference when its address is one of Microsoft's document hosts,
 * else NULL and why. Nothing is parsed again: the tile asks at each bind. */
const FoyerDocumentRef *
foyer_document_item_check (FoyerDocumentItem *self, FoyerCloud *cloud, GError **error)
{
  g_autoptr (GPtrArray) hosts = g_ptr_array_new ();
  g_autoptr (GUri) uri = NULL;
  const char *url;

  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);
  g_return_val_if_fail (cloud == NULL || FOYER_IS_CLOUD (cloud), NULL);

  if (self->ref == NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return NULL;
    }

  for (guint i = 0; worldwide_hosts[i] != NULL; i++)
    g_ptr_array_add (hosts, (gpointer) worldwide_hosts[i]);

  /* The cloud's own hosts (a sandbox's loopback addresses, say). */
  url = self->ref->url;
  if (cloud != NULL && foyer_cloud_is_allowed_url (cloud, url))
    uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    g_ptr_array_add (hosts, (gpointer) g_uri_get_host (uri));
  g_ptr_array_add (hosts, NULL);

  if (!foyer_document_ref_check_url (url, (const char *const *) hosts->pdata, error))
    return NULL;
  return self->ref;
}

/* The reference as it was read, its address not checked; NULL when the
 * document is unavailable. */
const FoyerDocumentRef *
foyer_document_item_get_ref (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  return self->ref;
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

  return self->error != NULL ? self->error->message : NULL;
}

static void
foyer_document_item_finalize (GObject *object)
{
  FoyerDocumentItem *self = FOYER_DOCUMENT_ITEM (object);

  g_free (self->json);
  g_clear_pointer (&self->ref, foyer_document_ref_free);
  g_clear_error (&self->error);
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
  FoyerDocumentItem *self;

  if (json == NULL)
    return foyer_document_item_new_unavailable (NULL);
  self = g_object_new (FOYER_TYPE_DOCUMENT_ITEM, NULL);
  self->json = g_strdup (json);
  self->ref = foyer_document_ref_parse (json, &self->error);
  return self;
}

FoyerDocumentItem *
foyer_document_item_new_unavailable (const char *reason)
{
  FoyerDocumentItem *self = g_object_new (FOYER_TYPE_DOCUMENT_ITEM, NULL);

  self->error = g_error_new_literal (FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_DECRYPT,
                                     reason != NULL ? reason : _ ("Unavailable"));
  return self;
}
