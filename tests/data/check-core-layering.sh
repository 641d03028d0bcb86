#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Core must not even find GTK headers: its compile commands carry no GTK,
# libadwaita or WebKit include path.
set -eu
builddir="$1"
db="$builddir/compile_commands.json"
[ -f "$db" ] || { echo "no $db"; exit 1; }
core=$(grep -E '"command".*libfoyer-core\.a\.p' "$db" || true)
[ -n "$core" ] || { echo "no core compile command found"; exit 1; }
if printf '%s\n' "$core" | grep -E 'gtk-4\.0|libadwaita|webkitgtk'; then
  echo "core is compiled with GTK/libadwaita/WebKit include paths"
  exit 1
fi
echo "core compiles without GTK, libadwaita or WebKit on its include path"
