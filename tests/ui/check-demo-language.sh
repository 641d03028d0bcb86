#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The demo starts in the desktop's language: Foyer from the build tree,
# with the environment build-aux/demo.sh gives it (desktop-language.sh),
# answers in French on a French desktop, however the desktop says so and
# whether or not this machine has the French locale; in English on an
# English one.
set -eu
top="$1"
foyer="$2"

# The help as Foyer says it on a desktop with these variables.
help_on() {
  # shellcheck disable=SC2016 # expanded by the inner shell
  env -i PATH="$PATH" HOME="${HOME:-/}" "$@" \
    sh -c '. "$1"; exec "$2" --help' sh "$top/build-aux/desktop-language.sh" "$foyer"
}

french='--version *Afficher la version et quitter'
english='--version *Show the version and quit'
for desktop in "LANG=fr_FR.UTF-8" "LC_ALL=fr_FR.UTF-8" "LANG=en_US.UTF-8 LC_MESSAGES=fr_FR.UTF-8" \
  "LANG=fr_CA.UTF-8" "LANG=fr_FR.UTF-8 LANGUAGE=fr"; do
  # shellcheck disable=SC2086
  help=$(help_on $desktop)
  printf '%s\n' "$help" | grep -q -- "$french" ||
    { echo "not French on a French desktop ($desktop):"; printf '%s\n' "$help"; exit 1; }
  echo "French on a French desktop: $desktop"
done
for desktop in "LANG=en_US.UTF-8" "LANG=C.UTF-8" ""; do
  # shellcheck disable=SC2086
  help=$(help_on $desktop)
  printf '%s\n' "$help" | grep -q -- "$english" ||
    { echo "not English on this desktop ($desktop):"; printf '%s\n' "$help"; exit 1; }
  echo "English on an English desktop: ${desktop:-(no language)}"
done
