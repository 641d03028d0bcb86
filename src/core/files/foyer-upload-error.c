/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-files"

#include "config.h"

#include "foyer-upload-error.h"

G_DEFINE_QUARK (foyer - upload - error - quark, foyer_upload_error)
