/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Client of the KMS role of foyer-service: resources whose authorizations
 * list the people allowed to fetch its keys, and 256-bit content keys,
 * kept in memory once fetched.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define FOYER_KMS_ERROR (foyer_kms_error_quark ())

/* Same codes as FoyerRemoteError and FoyerChatError. */
typedef enum
{
  FOYER_KMS_ERROR_UNAUTHORIZED,
  FOYER_KMS_ERROR_FORBIDDEN,
  FOYER_KMS_ERROR_NOT_FOUND,
  FOYER_KMS_ERROR_INVALID,
  FOYER_KMS_ERROR_NETWORK,
  FOYER_KMS_ERROR_SERVER,
} FoyerKmsError;

GQuark foyer_kms_error_quark (void);

#define FOYER_TYPE_KMS_KEY (foyer_kms_key_get_type ())

typedef struct
{
  char *uri;
  GBytes *key;
} FoyerKmsKey;

GType foyer_kms_key_get_type (void) G_GNUC_CONST;
FoyerKmsKey *foyer_kms_key_new (const char *uri, GBytes *key);
FoyerKmsKey *foyer_kms_key_copy (const FoyerKmsKey *self);
void foyer_kms_key_free (FoyerKmsKey *self);
const guint8 *foyer_kms_key_get_data (const FoyerKmsKey *self, gsize *length);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerKmsKey, foyer_kms_key_free)

#define FOYER_TYPE_KMS_CLIENT (foyer_kms_client_get_type ())
G_DECLARE_FINAL_TYPE (FoyerKmsClient, foyer_kms_client, FOYER, KMS_CLIENT, GObject)

FoyerKmsClient *foyer_kms_client_new (SoupSession *session, const char *base_url);
void foyer_kms_client_set_token (FoyerKmsClient *self, const char *token);
void foyer_kms_client_forget_keys (FoyerKmsClient *self);
guint foyer_kms_client_get_cached_count (FoyerKmsClient *self);

void foyer_kms_client_create_resource_async (FoyerKmsClient *self,
                                             const char *const *person_ids,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
char *foyer_kms_client_create_resource_finish (FoyerKmsClient *self,
                                               GAsyncResult *result,
                                               GError **error);

void foyer_kms_client_create_key_async (FoyerKmsClient *self,
                                        const char *resource_uri,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
FoyerKmsKey *
foyer_kms_client_create_key_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error);

void foyer_kms_client_get_key_async (FoyerKmsClient *self,
                                     const char *key_uri,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
FoyerKmsKey *
foyer_kms_client_get_key_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error);

void foyer_kms_client_authorize_async (FoyerKmsClient *self,
                                       const char *resource_uri,
                                       const char *person_id,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean
foyer_kms_client_authorize_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error);

void foyer_kms_client_deauthorize_async (FoyerKmsClient *self,
                                         const char *resource_uri,
                                         const char *person_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean
foyer_kms_client_deauthorize_finish (FoyerKmsClient *self, GAsyncResult *result, GError **error);

char *foyer_kms_uri_get_id (const char *uri, const char *kind);

G_END_DECLS
