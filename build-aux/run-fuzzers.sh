#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds every libFuzzer target with clang (-Dfuzzing=true, its own build
# directory) and runs each for a bounded time, starting from its seed
# corpus. A crash, a sanitizer report or a leak fails the run; the input
# that did it is kept in the build directory (crash-*, leak-*) and named
# in the log. Usage: run-fuzzers.sh [SECONDS_PER_TARGET] (default 6).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="${FOYER_FUZZ_BUILDDIR:-$top/_build-fuzz}"
seconds="${1:-6}"

if ! command -v clang >/dev/null 2>&1; then
  echo "run-fuzzers: clang is not installed (build-aux/debian-packages.txt lists it)" >&2
  exit 1
fi
cc="clang"
command -v ccache >/dev/null 2>&1 && cc="ccache clang"

if [ ! -f "$builddir/build.ninja" ]; then
  CC="$cc" meson setup "$builddir" "$top" -Dfuzzing=true -Ddevelopment=true >/dev/null
else
  meson setup --reconfigure "$builddir" "$top" >/dev/null
fi

# Every libFuzzer target meson knows of: executables named fuzz-* that
# link libFuzzer (fuzz-sandbox-http is an ordinary test, not one of them).
targets=$(meson introspect --targets "$builddir" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].startswith("fuzz-") \
            and "-fsanitize=fuzzer" in " ".join(
                " ".join(s.get("parameters", [])) for s in t.get("target_sources", [])):
        print(t["name"], t["filename"][0], t["target_sources"][0]["sources"][0])
')
[ -n "$targets" ] || { echo "run-fuzzers: no libFuzzer target found" >&2; exit 1; }

names=$(printf '%s\n' "$targets" | awk '{print $1}')
# shellcheck disable=SC2086
meson compile -C "$builddir" $names >/dev/null

status=0
workdir="$builddir/fuzz-runs"
rm -rf "$workdir"
mkdir -p "$workdir"
printf '%s\n' "$targets" | while read -r name exe source; do
  srcdir=$(dirname "$source")
  # Each target reads its seeds from its own corpus folder(s) and writes
  # what it finds into a scratch copy, never into the source tree.
  corpus="$workdir/$name"
  mkdir -p "$corpus"
  for dir in "$srcdir"/corpus "$srcdir"/corpus-"${name#fuzz-security-}"; do
    [ -d "$dir" ] || continue
    find "$dir" -type f -exec cp {} "$corpus"/ \; 2>/dev/null || true
  done
  printf 'fuzz %-28s %ss … ' "$name" "$seconds"
  if (cd "$workdir" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
        LSAN_OPTIONS="suppressions=$top/build-aux/lsan-suppressions.txt" \
        "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 "$corpus" >"$workdir/$name.log" 2>&1); then
    grep -E '^stat::number_of_executed_units' "$workdir/$name.log" | awk '{printf "%s runs\n", $2}'
  else
    echo "FAILED"
    tail -n 40 "$workdir/$name.log"
    echo "run-fuzzers: $name failed; see $workdir/$name.log" >&2
    touch "$workdir/FAILED"
  fi
done
[ -e "$workdir/FAILED" ] && status=1
exit "$status"
