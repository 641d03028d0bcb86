#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is needed, builds Foyer in _build-test and runs the whole
# test suite (everything but the benchmarks) headless. Extra arguments go to
# `meson test` (for instance --suite auth). The whole run (no arguments)
# then builds the libFuzzer targets with clang and runs each for a few
# seconds (build-aux/run-fuzzers.sh; FOYER_FUZZ_SECONDS, 0 to skip).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="${FOYER_TEST_BUILDDIR:-$top/_build-test}"

"$top/build-aux/install-deps.sh"

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top" -Ddevelopment=true
else
  meson setup --reconfigure "$builddir" "$top" >/dev/null
fi
meson compile -C "$builddir"

status=0
meson test -C "$builddir" --print-errorlogs --num-processes 2 "$@" || status=$?

if [ "$#" -eq 0 ] && [ "${FOYER_FUZZ_SECONDS:-6}" != 0 ]; then
  "$top/build-aux/run-fuzzers.sh" "${FOYER_FUZZ_SECONDS:-6}" || status=1
fi

# One plain summary line that any CI can read.
python3 - "$builddir/meson-logs/testlog.json" <<'PY' || true
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
