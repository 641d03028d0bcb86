/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-store-error.h"

GQuark
foyer_store_error_quark (void)
{
  return g_quark_from_static_string ("foyer-store-error-quark");
}
