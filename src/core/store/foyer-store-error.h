/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Errors of the encrypted local store, its device key and its cookie vault.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_STORE_ERROR (foyer_store_error_quark ())

typedef enum
{
  /* A record failed authentication (or is malformed): it was deleted.
   * Treat it as absent and fetch the data again. */
  FOYER_STORE_ERROR_TAMPERED,
  /* The database file is damaged. At open it was moved aside and an empty
   * store took its place; later it means the operation could not complete. */
  FOYER_STORE_ERROR_CORRUPT,
  /* Reading or writing the store failed (disk full, permissions, …). */
  FOYER_STORE_ERROR_IO,
  /* The device key could not be read from or written to the Secret Service. */
  FOYER_STORE_ERROR_NO_KEY,
  /* The store was closed. */
  FOYER_STORE_ERROR_CLOSED,
  /* The store was written by a newer version of Foyer. */
  FOYER_STORE_ERROR_UNSUPPORTED_VERSION,
} FoyerStoreError;

GQuark foyer_store_error_quark (void);

G_END_DECLS
