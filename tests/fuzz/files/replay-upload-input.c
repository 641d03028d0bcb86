/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the upload fuzz target over its seed corpus and a few thousand
 * deterministic mutations in every `meson test`.
 */
#include "config.h"

#include "fuzz-replay.h"

static const char *const tokens[] = {
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "\"",
  "null",
  "true",
  "-1",
  "0-",
  "-",
  "18446744073709551615",
  "\"0-\"",
  "\"26-\"",
  "\"5-1\"",
  "\"uploadUrl\"",
  "\"nextExpectedRanges\"",
  "\"expirationDateTime\"",
  "\"https://x/up\"",
  "\"http://127.0.0.4:1/up\"",
  "\"http://example.com/up\"",
  "\"v\":1",
  "\"size\":",
  "\"mtime\":",
  "\"file\":",
  "\\u0000",
  "\xff",
};

int
main (int argc, char **argv)
{
  static const FuzzReplay replay = {
    .name = "upload-input",
    .corpus_dir = CORPUS_DIR,
    .tokens = tokens,
    .n_tokens = G_N_ELEMENTS (tokens),
    .keep_first = 1,
    .seed = 0x0F1E,
    .n_mutations = 4000,
  };

  return fuzz_replay_main (argc, argv, &replay);
}
