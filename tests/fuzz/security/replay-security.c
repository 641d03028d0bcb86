/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The short run of one security fuzz target for every build (gcc too):
 * its seed corpus, then deterministic mutations of it (FUZZ_NAME and
 * CORPUS_DIR come from meson.build).
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  ".",
  "..",
  "=",
  "==",
  "A",
  "AA",
  "AAAA",
  "-",
  "_",
  "{",
  "}",
  "[",
  "]",
  "\"",
  ":",
  ",",
  "\\u0000",
  "\xff",
  "\xe2\x80\xae",
  "\\\\",
  "eyJ",
  "e30",
  "\"alg\"",
  "\"enc\"",
  "\"epk\"",
  "\"apu\"",
  "\"kid\"",
  "\"x\"",
  "\"dir\"",
  "null",
  "1e999",
  "https://",
  "http://",
  "@",
  "%2e",
  "\"url\"",
  "\"type\"",
  "\"cursor\"",
  "\"body\"",
  "\"ref\"",
  "\"space\"",
  "#",
};

int
main (int argc, char **argv)
{
  static const FuzzReplay replay = {
    .name = FUZZ_NAME,
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 0,
    .seed = 0x5EC0,
    .n_mutations = 5000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
