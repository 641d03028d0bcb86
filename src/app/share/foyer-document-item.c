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

  /* Update File Sharing, while it runs and after. */
  gboolean sharing_busy;
  gboolean sharing_failed;
  char *sharing_status;

  /* Whether some member of the space cannot open it, as last checked for
   * these members (NULL: not checked). */
  gboolean needs_update;
  char *checked_members;
};

G_DEFINE_FINAL_TYPE (FoyerDocumentItem, foyer_document_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SHARING_BUSY,
  PROP_SHARING_FAILED,
  PROP_SHARING_STATUS,
  PROP_NEEDS_UPDATE,
  PROP_CHECKED_MEMBERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* What Update File Sharing is doing for this document, or did: the tile
 * shows it (and keeps its button insensitive while busy). */
void
foyer_document_item_set_sharing (FoyerDocumentItem *self,
                                 gboolean busy,
                                 const char *status,
                                 gboolean failed)
{
  g_return_if_fail (FOYER_IS_DOCUMENT_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->sharing_busy != !!busy)
    {
      self->sharing_busy = !!busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARING_BUSY]);
    }
  if (self->sharing_failed != !!failed)
    {
      self->sharing_failed = !!failed;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARING_FAILED]);
    }
  if (g_strcmp0 (self->sharing_status, status) != 0)
    {
      g_free (self->sharing_status);
      self->sharing_status = g_strdup (status);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHARING_STATUS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
foyer_document_item_get_sharing_busy (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), FALSE);

  return self->sharing_busy;
}

gboolean
foyer_document_item_get_sharing_failed (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), FALSE);

  return self->sharing_failed;
}

const char *
foyer_document_item_get_sharing_status (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  return self->sharing_status;
}

/* Who could not open it when the sharer's app last looked (the access
 * check against the item's permissions), for which members: the sharer's
 * tile offers Update File Sharing only while someone cannot. */
void
foyer_document_item_set_access (FoyerDocumentItem *self,
                                gboolean needs_update,
                                const char *checked_members)
{
  g_return_if_fail (FOYER_IS_DOCUMENT_ITEM (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (self->needs_update != !!needs_update)
    {
      self->needs_update = !!needs_update;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEEDS_UPDATE]);
    }
  if (g_strcmp0 (self->checked_members, checked_members) != 0)
    {
      g_free (self->checked_members);
      self->checked_members = g_strdup (checked_members);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKED_MEMBERS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
foyer_document_item_get_needs_update (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), FALSE);

  return self->needs_update;
}

const char *
foyer_document_item_get_checked_members (FoyerDocumentItem *self)
{
  g_return_val_if_fail (FOYER_IS_DOCUMENT_ITEM (self), NULL);

  return self->checked_members;
}

static void
foyer_document_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerDocumentItem *self = FOYER_DOCUMENT_ITEM (object);

  switch (prop_id)
    {
    case PROP_SHARING_BUSY:
      g_value_set_boolean (value, self->sharing_busy);
      break;
    case PROP_SHARING_FAILED:
      g_value_set_boolean (value, self->sharing_failed);
      break;
    case PROP_SHARING_STATUS:
      g_value_set_string (value, self->sharing_status);
      break;
    case PROP_NEEDS_UPDATE:
      g_value_set_boolean (value, self->needs_update);
      break;
    case PROP_CHECKED_MEMBERS:
      g_value_set_string (value, self->checked_members);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_document_item_finalize (GObject *object)
{
  FoyerDocumentItem *self = FOYER_DOCUMENT_ITEM (object);

  g_free (self->json);
  g_clear_pointer (&self->ref, foyer_document_ref_free);
  g_clear_error (&self->error);
  g_free (self->sharing_status);
  g_free (self->checked_members);
  G_OBJECT_CLASS (foyer_document_item_parent_class)->finalize (object);
}

static void
foyer_document_item_class_init (FoyerDocumentItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_document_item_finalize;
  object_class->get_property = foyer_document_item_get_property;

  properties[PROP_SHARING_BUSY] = g_param_spec_boolean ("sharing-busy", NULL, NULL, FALSE, flags);
  properties[PROP_SHARING_FAILED]
      = g_param_spec_boolean ("sharing-failed", NULL, NULL, FALSE, flags);
  properties[PROP_SHARING_STATUS] = g_param_spec_string ("sharing-status", NULL, NULL, NULL, flags);
  properties[PROP_NEEDS_UPDATE] = g_param_spec_boolean ("needs-update", NULL, NULL, FALSE, flags);
  properties[PROP_CHECKED_MEMBERS]
      = g_param_spec_string ("checked-members", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
