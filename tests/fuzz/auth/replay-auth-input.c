/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the auth fuzz target over its seed corpus and a few thousand
 * deterministic mutations of it, so every `meson test` (with gcc too)
 * exercises the auth readers on broken input.
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  "{",     "}",         "[",      "]",     ",",      ":",       "\"",      "null",
  "true",  "-1",        "1e999",  "{}",    "[]",     "\"tid\"", "\"exp\"", "\"aud\"",
  "&",     "=",         "?",      "#",     "%00",    "%",       "//",      "@",
  "http:", "127.0.0.1", "state=", "code=", "error=", "\\u0000", "\xff",    ".",
};

int
main (int argc, char **argv)
{
  /* Byte 0 picks the reader: only the text after it is mutated. */
  static const FuzzReplay replay = {
    .name = "auth-input",
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 1,
    .seed = 0xA17E,
    .n_mutations = 4000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
