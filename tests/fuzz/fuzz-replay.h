/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The whole replay (the seeds, then deterministic mutations of them) for
 * fuzz targets whose input is JSON-like text, so every `meson test` (with gcc too) puts the
 * fuzz entry point through broken input.
 */
#pragma once

#include <stdint.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  const char *name;       /* the tests are /fuzz/<name>/seeds and /fuzz/<name>/mutations */
  const char *corpus_dir; /* at least 8 seeds */
  const char *const *tokens;
  guint n_tokens;   /* tokens inserted by the mutations */
  guint keep_first; /* leading bytes never mutated (a selector byte, say) */
  guint32 seed;
  guint n_mutations;
} FuzzReplay;

int fuzz_replay_main (int argc, char **argv, const FuzzReplay *replay);
