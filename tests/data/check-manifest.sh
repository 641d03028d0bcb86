#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Flatpak manifest parses, with unknown keys fatal, and names the app id.
set -eu
manifest="$1/flatpak/io.github.foyer.Foyer.json"
out=$(G_DEBUG=fatal-warnings flatpak-builder --show-manifest "$manifest")
printf '%s\n' "$out" | grep -q '"id" *: *"io.github.foyer.Foyer"' ||
  { echo "the manifest does not name io.github.foyer.Foyer"; exit 1; }
printf '%s\n' "$out" | grep -q '"runtime" *: *"org.gnome.Platform"' ||
  { echo "the manifest does not use org.gnome.Platform"; exit 1; }
echo "flatpak manifest is valid"
