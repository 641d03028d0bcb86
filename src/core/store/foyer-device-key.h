/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerDeviceKey: the 256-bit key that seals the local store, kept in the
 * Secret Service (schema io.github.foyer.Foyer.DeviceKey, attributes
 * profile and generation). Rotating bumps the generation and forgets the
 * old key, so everything sealed under it becomes unreadable.
 *
 * When there is no usable Secret Service the key is random and lives in
 * memory for this run only: is_persistent is FALSE and the store then
 * writes nothing to disk.
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define FOYER_DEVICE_KEY_LENGTH 32

#define FOYER_TYPE_DEVICE_KEY (foyer_device_key_get_type ())
G_DECLARE_FINAL_TYPE (FoyerDeviceKey, foyer_device_key, FOYER, DEVICE_KEY, GObject)

void foyer_device_key_load_async (const char *profile,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
FoyerDeviceKey *foyer_device_key_load_finish (GAsyncResult *result, GError **error);
FoyerDeviceKey *
foyer_device_key_load_sync (const char *profile, GCancellable *cancellable, GError **error);

void foyer_device_key_rotate_async (FoyerDeviceKey *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean
foyer_device_key_rotate_finish (FoyerDeviceKey *self, GAsyncResult *result, GError **error);
gboolean
foyer_device_key_rotate_sync (FoyerDeviceKey *self, GCancellable *cancellable, GError **error);

const char *foyer_device_key_get_profile (FoyerDeviceKey *self);
guint foyer_device_key_get_generation (FoyerDeviceKey *self);
gboolean foyer_device_key_is_persistent (FoyerDeviceKey *self);
const char *foyer_device_key_get_fallback_reason (FoyerDeviceKey *self);
const char *foyer_device_key_get_user_notice (FoyerDeviceKey *self);
void foyer_device_key_copy_bytes (FoyerDeviceKey *self, guint8 out[FOYER_DEVICE_KEY_LENGTH]);

const SecretSchema *foyer_device_key_get_schema (void);

G_END_DECLS
