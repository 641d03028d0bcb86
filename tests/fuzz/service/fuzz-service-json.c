/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer entry point: every request-body parser of foyer-service. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "foyer-svc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  return foyer_svc_fuzz_one (data, size);
}
