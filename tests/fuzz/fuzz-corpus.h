/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fuzz replays' seed corpora. */
#pragma once

#include <glib.h>

/* Every file of dir, as GBytes, in the order the directory lists them. */
GPtrArray *fuzz_load_corpus (const char *dir);
