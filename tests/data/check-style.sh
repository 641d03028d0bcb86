#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The C sources follow .clang-format, start with an SPDX line, and core
# never reaches for GTK, libadwaita or WebKit.
set -eu
cd "$1"
status=0
files=$(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^build')

for f in $files; do
  head -n 2 "$f" | grep -q 'SPDX-License-Identifier' ||
    { echo "$f: no SPDX line at the top"; status=1; }
done

# One clang-format for every file: one process per file took a minute on
# a busy machine and timed out.
if command -v clang-format >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  if ! report=$(clang-format --dry-run --Werror $files 2>&1); then
    printf '%s\n' "$report" | sed -n 's/^\([^: ]*\.[ch]\):[0-9]*:[0-9]*: error:.*/\1/p' | sort -u |
      while read -r f; do echo "$f: not formatted (run clang-format -i $f)"; done
    status=1
  fi
else
  echo "clang-format is not installed"
  status=1
fi

if grep -rlE '#include *[<"](gtk/|adwaita|webkit/|gdk/)' src/core; then
  echo "core includes GTK, libadwaita or WebKit headers (above)"
  status=1
fi

# clang-format reads an error domain's name as a subtraction and spaces it
# out ("foyer - kms - error - quark"): the definitions sit between
# clang-format off and on.
if grep -rnE 'G_DEFINE_QUARK \([^,]* - ' src; then
  echo "an error domain's name has spaces in it (above): wrap it in /* clang-format off */"
  status=1
fi

[ "$status" -eq 0 ] && echo "style and layering checks passed"
exit "$status"
