/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: one frame of the service's live event stream, as the
 * app reads it (foyer-event.c). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "foyer-event.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonNode) event = foyer_event_parse ((const char *) data, size, NULL);

  if (event != NULL)
    g_assert_true (foyer_event_check (event, NULL));
  return 0;
}
