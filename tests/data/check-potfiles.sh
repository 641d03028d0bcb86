#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a file with strings marked for translation is missing from
# po/POTFILES.in (and not deliberately listed in po/POTFILES.skip), or when
# POTFILES.in names a file that does not exist.
set -eu
cd "$1"
status=0

listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort -u)
skipped=$(grep -v '^#' po/POTFILES.skip 2>/dev/null | sed '/^$/d' | sort -u)

for f in $listed; do
  if [ ! -f "$f" ]; then
    echo "po/POTFILES.in names $f, which does not exist"
    status=1
  fi
done

marked=$(git ls-files -co --exclude-standard src data 2>/dev/null ||
         find src data -type f)
for f in $marked; do
  case "$f" in
    *.c|*.h)
      grep -qE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|g_dngettext|ngettext)[ ]?\(' "$f" || continue ;;
    *.ui)
      grep -q 'translatable="yes"' "$f" || continue ;;
    *.desktop.in.in|*.metainfo.xml.in.in|*.gschema.xml.in)
      ;;
    *)
      continue ;;
  esac
  if ! printf '%s\n' $listed | grep -qxF "$f" && ! printf '%s\n' $skipped | grep -qxF "$f"; then
    echo "$f has translatable strings but is not in po/POTFILES.in"
    status=1
  fi
done

if [ "$status" -eq 0 ]; then
  echo "po/POTFILES.in lists every file with translatable strings"
fi
exit "$status"
