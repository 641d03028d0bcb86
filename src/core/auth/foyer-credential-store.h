/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerCredentialStore: the Microsoft account's refresh token (with the
 * account's name, e-mail and tenant) in the Secret Service, under the
 * schema io.github.foyer.Foyer.MicrosoftAccount { account: oid@tid,
 * generation: int }. Items of another generation are ignored, so raising
 * FOYER_CREDENTIAL_GENERATION invalidates every stored credential. When no
 * Secret Service answers, credentials live in memory for this run only
 * and :persistent turns FALSE (the app says so).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FOYER_CREDENTIAL_GENERATION 1

typedef struct
{
  char *account; /* oid@tid */
  char *refresh_token;
  char *name;
  char *email;
  char *tenant_id;
} FoyerCredentials;

#define FOYER_TYPE_CREDENTIALS (foyer_credentials_get_type ())
GType foyer_credentials_get_type (void);
FoyerCredentials *foyer_credentials_new (const char *account,
                                         const char *refresh_token,
                                         const char *name,
                                         const char *email,
                                         const char *tenant_id);
FoyerCredentials *foyer_credentials_copy (const FoyerCredentials *credentials);
void foyer_credentials_free (FoyerCredentials *credentials);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerCredentials, foyer_credentials_free)

#define FOYER_TYPE_CREDENTIAL_STORE (foyer_credential_store_get_type ())
G_DECLARE_FINAL_TYPE (
    FoyerCredentialStore, foyer_credential_store, FOYER, CREDENTIAL_STORE, GObject)

FoyerCredentialStore *foyer_credential_store_new (void);
/* Never touches the Secret Service (for tests and tools). */
FoyerCredentialStore *foyer_credential_store_new_in_memory (void);

/* FALSE once the Secret Service failed: secrets last for this run only. */
gboolean foyer_credential_store_is_persistent (FoyerCredentialStore *self);

void foyer_credential_store_save_async (FoyerCredentialStore *self,
                                        const FoyerCredentials *credentials,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean foyer_credential_store_save_finish (FoyerCredentialStore *self,
                                             GAsyncResult *result,
                                             GError **error);

/* account NULL: any account of this generation. Finishes with NULL and no
 * error when there is none. */
void foyer_credential_store_lookup_async (FoyerCredentialStore *self,
                                          const char *account,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
FoyerCredentials *foyer_credential_store_lookup_finish (FoyerCredentialStore *self,
                                                        GAsyncResult *result,
                                                        GError **error);

void foyer_credential_store_clear_async (FoyerCredentialStore *self,
                                         const char *account,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean foyer_credential_store_clear_finish (FoyerCredentialStore *self,
                                              GAsyncResult *result,
                                              GError **error);

G_END_DECLS
