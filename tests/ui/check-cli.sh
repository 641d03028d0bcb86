#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The app answers --version and --help without a display, and is single
# instance: a second launch hands over to the first and returns.
set -eu
foyer="$1"
app_id="$2"

out=$("$foyer" --version)
case "$out" in
  "Foyer "[0-9]*) echo "version: $out" ;;
  *) echo "unexpected --version output: $out"; exit 1 ;;
esac

help=$("$foyer" --help)
printf '%s\n' "$help" | grep -q -- '--version' || { echo "--help does not list --version"; exit 1; }

# Run from the build tree on a French desktop, Foyer speaks French: its
# catalogs come from the build, and its own options are translated too.
help_fr=$(env -u LC_ALL -u LC_MESSAGES -u FOYER_LOCALEDIR LANG=C.UTF-8 LANGUAGE=fr "$foyer" --help)
printf '%s\n' "$help_fr" | grep -q -- '--version *Afficher la version et quitter' ||
  { echo "--help is not in French on a French desktop:"; printf '%s\n' "$help_fr"; exit 1; }
echo "French from the build tree: --help is translated"

"$foyer" >"$FOYER_TEST_WORKDIR/first.log" 2>&1 &
first=$!
i=0
until gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
        --method org.freedesktop.DBus.NameHasOwner "$app_id" 2>/dev/null | grep -q true; do
  i=$((i + 1))
  if [ "$i" -gt 300 ] || ! kill -0 "$first" 2>/dev/null; then
    echo "the first instance did not take its bus name"; cat "$FOYER_TEST_WORKDIR/first.log"
    exit 1
  fi
  sleep 0.1
done

# The second launch activates the first instance and exits by itself.
timeout 20 "$foyer"
kill -0 "$first" || { echo "the first instance died"; exit 1; }

gdbus call --session --dest "$app_id" --object-path "/$(echo "$app_id" | tr . /)" \
  --method org.gtk.Actions.Activate quit '[]' '{}' >/dev/null
wait "$first"
echo "single instance: the second launch handed over to the first"
