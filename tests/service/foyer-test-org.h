/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The test organization's Microsoft policy, set at the service by its
 * administrator (Alice). */
#pragma once

#include "foyer-test-sandbox.h"
#include "foyer-test-service.h"

/* Microsoft for the sandbox's tenant and descriptor; links for the
 * organization (or the space's people, or existing access), view by
 * default; sign_in is "embedded" or "browser". */
void foyer_test_enable_microsoft (FoyerTestService *service,
                                  FoyerTestSandbox *sandbox,
                                  const char *sign_in);
