/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: a decrypted document reference (what another member
 * wrote) and its URL, which the app opens in its viewer and the browser.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "foyer-document-ref.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const hosts[] = { ".sharepoint.com", "onedrive.live.com", "127.0.0.4", NULL };
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (FoyerDocumentRef) ref = foyer_document_ref_new_from_json (text, hosts, NULL);

  if (ref != NULL)
    g_assert_true (foyer_document_ref_check_url (ref->url, hosts, NULL));
  foyer_document_ref_check_url (text, hosts, NULL);
  return 0;
}
