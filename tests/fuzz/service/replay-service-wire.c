/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the raw-bytes fuzz target over its seeds and a few thousand
 * deterministic mutations of them in every `meson test`.
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  "\r\n", "\n", "\r", "\r\n\r\n", "\x81\x85", "\x01\xfe", "\x80\xff", "\x7f", "\x89\x80",
};

int
main (int argc, char **argv)
{
  static const FuzzReplay replay = {
    .name = "service-wire",
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 1,
    .seed = 0x5E57,
    .n_mutations = 20000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
