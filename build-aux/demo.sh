#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is needed, builds Foyer in _build-demo and runs it from the
# build tree. Ctrl+C stops everything the script started.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="${FOYER_DEMO_BUILDDIR:-$top/_build-demo}"

"$top/build-aux/install-deps.sh"

if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top" -Ddevelopment=true
fi
meson compile -C "$builddir"

export GSETTINGS_SCHEMA_DIR="$builddir/data"

pids=
cleanup() {
  for pid in $pids; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$builddir/src/app/foyer" "$@" &
pids="$pids $!"
wait
