#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every language in po/LINGUAS must translate every current string: extract
# the template afresh from the sources and compare each catalogue with it.
set -eu
src="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src"

grep -qx fr po/LINGUAS || { echo "po/LINGUAS does not list fr"; exit 1; }

files=$(grep -v '^#' po/POTFILES.in | sed '/^$/d')
# Same keywords as i18n.gettext(preset: 'glib').
xgettext --from-code=UTF-8 --add-comments --package-name=foyer \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  -o "$work/foyer.pot" $files

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  po="po/$lang.po"
  [ -f "$po" ] || { echo "$po is missing"; status=1; continue; }
  msgfmt --check -o /dev/null "$po" || { echo "$po does not compile"; status=1; }
  msgmerge --quiet --no-fuzzy-matching -o "$work/$lang.po" "$po" "$work/foyer.pot"
  stats=$(msgfmt --statistics -o /dev/null "$work/$lang.po" 2>&1)
  echo "$lang: $stats"
  case "$stats" in
    *untranslated*|*fuzzy*)
      msgattrib --untranslated --only-fuzzy --no-obsolete "$work/$lang.po" 2>/dev/null | head -40
      msgattrib --untranslated --no-obsolete "$work/$lang.po" | grep '^msgid' | head -40
      status=1 ;;
  esac
done
exit "$status"
