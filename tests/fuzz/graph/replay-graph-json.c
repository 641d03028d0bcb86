/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the Graph JSON fuzz target over its seed corpus and a few thousand
 * deterministic mutations of it, so every `meson test` (with gcc too)
 * exercises the parsers on broken input.
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  "{",          "}",
  "[",          "]",
  ",",          ":",
  "\"",         "null",
  "true",       "-1",
  "1e999",      "\"value\"",
  "\"id\"",     "\"remoteItem\"",
  "\"folder\"", "\"innerError\"",
  "\\u0000",    "\xff",
};

int
main (int argc, char **argv)
{
  static const FuzzReplay replay = {
    .name = "graph-json",
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 0,
    .seed = 0xF0E1,
    .n_mutations = 4000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
