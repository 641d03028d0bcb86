# shellcheck shell=sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by demo.sh (and tests/ui/check-demo-language.sh): Foyer speaks the
# desktop's language (its catalogs come from the build tree), even where
# that language's locale is not generated on this machine: gettext then
# follows LANGUAGE over the always-present C.UTF-8 locale.
desktop_lang="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
case "$desktop_lang" in
  "" | C | C.* | POSIX) ;;
  *)
    if LC_ALL="$desktop_lang" locale 2>&1 >/dev/null | grep -q .; then
      export LANGUAGE="${LANGUAGE:-${desktop_lang%%.*}}"
      export LANG=C.UTF-8
      unset LC_ALL LC_MESSAGES
    fi
    ;;
esac
