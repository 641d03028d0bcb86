/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerStore: the encrypted local store (one SQLite file per profile under
 * $XDG_DATA_HOME/<app id>/). Records are filed by namespace ("cookies",
 * "spaces", "messages", "drive", "thumbnails", …) and key; both are hashed
 * and every value is sealed (see foyer-record-cipher.h) under the device
 * key. A record that fails authentication is deleted and reported as
 * FOYER_STORE_ERROR_TAMPERED: treat it as absent and fetch it again.
 *
 * The synchronous calls are safe from any thread and fine for small values;
 * the _async calls run, in call order, on the store's own worker thread so
 * the main loop never waits on the disk.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-device-key.h"
#include "foyer-store-error.h"

G_BEGIN_DECLS

#define FOYER_STORE_NS_COOKIES    "cookies"
#define FOYER_STORE_NS_SPACES     "spaces"
#define FOYER_STORE_NS_MESSAGES   "messages"
#define FOYER_STORE_NS_DRIVE      "drive"
#define FOYER_STORE_NS_THUMBNAILS "thumbnails"

typedef struct
{
  char *key;
  GBytes *value;
} FoyerStoreEntry;

void foyer_store_entry_free (FoyerStoreEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerStoreEntry, foyer_store_entry_free)

#define FOYER_TYPE_STORE (foyer_store_get_type ())
G_DECLARE_FINAL_TYPE (FoyerStore, foyer_store, FOYER, STORE, GObject)

char *foyer_store_get_default_path (void);

void foyer_store_open_async (const char *path,
                             const char *profile,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
FoyerStore *foyer_store_open_finish (GAsyncResult *result, GError **error);
FoyerStore *foyer_store_open_sync (const char *path,
                                   const char *profile,
                                   GCancellable *cancellable,
                                   GError **error);
FoyerStore *foyer_store_open_with_key (const char *path, FoyerDeviceKey *key, GError **error);

void foyer_store_close (FoyerStore *self);
void foyer_store_drain (FoyerStore *self);

const char *foyer_store_get_path (FoyerStore *self);
const char *foyer_store_get_profile (FoyerStore *self);
gboolean foyer_store_is_persistent (FoyerStore *self);
FoyerDeviceKey *foyer_store_get_device_key (FoyerStore *self);

gboolean
foyer_store_put (FoyerStore *self, const char *ns, const char *key, GBytes *value, GError **error);
gboolean foyer_store_put_with_expiry (FoyerStore *self,
                                      const char *ns,
                                      const char *key,
                                      GBytes *value,
                                      gint64 expires,
                                      GError **error);
GBytes *foyer_store_get (FoyerStore *self, const char *ns, const char *key, GError **error);
gboolean foyer_store_delete (FoyerStore *self, const char *ns, const char *key, GError **error);
GPtrArray *foyer_store_list (FoyerStore *self, const char *ns, GError **error);
gboolean foyer_store_delete_namespace (FoyerStore *self, const char *ns, GError **error);
gboolean foyer_store_trim (FoyerStore *self, const char *ns, guint64 max_bytes, GError **error);
gboolean foyer_store_get_namespace_size (FoyerStore *self,
                                         const char *ns,
                                         guint64 *out_bytes,
                                         GError **error);
gboolean foyer_store_wipe (FoyerStore *self, GError **error);

void foyer_store_put_async (FoyerStore *self,
                            const char *ns,
                            const char *key,
                            GBytes *value,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
gboolean foyer_store_put_finish (FoyerStore *self, GAsyncResult *result, GError **error);

void foyer_store_get_async (FoyerStore *self,
                            const char *ns,
                            const char *key,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data);
GBytes *foyer_store_get_finish (FoyerStore *self, GAsyncResult *result, GError **error);

void foyer_store_delete_async (FoyerStore *self,
                               const char *ns,
                               const char *key,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean foyer_store_delete_finish (FoyerStore *self, GAsyncResult *result, GError **error);

void foyer_store_list_async (FoyerStore *self,
                             const char *ns,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
GPtrArray *foyer_store_list_finish (FoyerStore *self, GAsyncResult *result, GError **error);

void foyer_store_trim_async (FoyerStore *self,
                             const char *ns,
                             guint64 max_bytes,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean foyer_store_trim_finish (FoyerStore *self, GAsyncResult *result, GError **error);

void foyer_store_wipe_async (FoyerStore *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
gboolean foyer_store_wipe_finish (FoyerStore *self, GAsyncResult *result, GError **error);

G_END_DECLS
