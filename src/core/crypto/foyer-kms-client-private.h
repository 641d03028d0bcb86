/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the KMS client's fuzz target reaches inside it. */
#pragma once

#include <cjose/cjose.h>
#include <json-glib/json-glib.h>

#include "foyer-kms-client.h"

G_BEGIN_DECLS

FoyerKmsKey *_foyer_kms_key_unwrap (JsonObject *object, cjose_jwk_t *ephemeral);

G_END_DECLS
