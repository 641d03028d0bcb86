/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-error.h"

/* clang-format off */
G_DEFINE_QUARK (foyer-upload-error-quark, foyer_upload_error)
/* clang-format on */
