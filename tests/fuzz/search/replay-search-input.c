/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the search fuzz target over its seed corpus and a few thousand
 * deterministic mutations in every `meson test`.
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  "\"",       "\"\"",
  "*",        "^",
  ":",        "(",
  ")",        "NEAR",
  "OR",       "AND",
  "NOT",      "-",
  "+",        " ",
  "\t",       "é",
  "\xcc\x81", "\xe2\x80\x8b",
  "\x01",     "\x02",
  "\x03",     "\xff",
  "text:",    "{",
  "}",        "\x00\x00",
  "FSB1",     "\x01\x00\x00\x00",
};

int
main (int argc, char **argv)
{
  static const FuzzReplay replay = {
    .name = "search-input",
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 1,
    .seed = 0x5EA5,
    .n_mutations = 4000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
