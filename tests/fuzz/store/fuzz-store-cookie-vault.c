/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the cookie vault's deserializer. Whatever it accepts
 * must survive a serialize/deserialize round trip unchanged in number.
 */
#include "config.h"

#include "foyer-cookie-vault.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (1700000000);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) again = NULL;
  GSList *cookies, *reread;

  cookies = foyer_cookie_vault_deserialize (data, size, now, &error);
  if (cookies == NULL)
    {
      /* Empty jars are fine; anything else refused must say it is corrupt. */
      if (error != NULL)
        g_assert_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CORRUPT);
      return 0;
    }
  g_assert_no_error (error);

  again = foyer_cookie_vault_serialize (cookies, now);
  reread = foyer_cookie_vault_deserialize (g_bytes_get_data (again, NULL), g_bytes_get_size (again),
                                           now, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_slist_length (reread), ==, g_slist_length (cookies));

  g_slist_free_full (reread, (GDestroyNotify) soup_cookie_free);
  g_slist_free_full (cookies, (GDestroyNotify) soup_cookie_free);

  return 0;
}
