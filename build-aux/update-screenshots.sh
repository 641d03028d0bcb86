#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Refreshes the metainfo's screenshots (data/screenshots/) from the
# end-to-end test, which drives two real app instances against the sandbox
# and saves a PNG at each step:
#
#   build-aux/update-screenshots.sh [BUILDDIR]     (default: build)
#
# BUILDDIR must be a configured build of this source tree. Commit the
# changed PNGs; the metainfo refers to them by their path on main.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="${1:-build}"
shots="$builddir/test-screenshots"

[ -f "$builddir/build.ninja" ] || { echo "$builddir is not a configured build directory" >&2; exit 1; }

# Only pictures of this run: a failed step must not leave an old one behind.
rm -f "$shots"/e2e-*.png
meson compile -C "$builddir" >/dev/null
meson test -C "$builddir" --setup headless --print-errorlogs e2e

mkdir -p "$top/data/screenshots"
# picture taken by the test        name in data/screenshots (see the metainfo)
while read -r from to; do
  [ -f "$shots/$from.png" ] || { echo "the test saved no $from.png" >&2; exit 1; }
  cp "$shots/$from.png" "$top/data/screenshots/$to.png"
  echo "data/screenshots/$to.png <- $from.png"
done <<'LIST'
e2e-5-bob-tile window
e2e-3-alice-share-options picker
e2e-6-bob-viewer viewer
LIST
