#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages listed in build-aux/debian-packages.txt.
# Does nothing when they are all present already. A line "package command"
# counts as present when the command is on the PATH too (node and npm may
# come from elsewhere than Debian, e.g. NodeSource, whose nodejs conflicts
# with Debian's npm).
set -eu
here=$(dirname "$0")

missing=
while read -r p command; do
  case "$p" in '' | '#'*) continue ;; esac
  if [ -n "${command:-}" ] && command -v "$command" >/dev/null 2>&1; then
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
    missing="$missing $p"
done <"$here/debian-packages.txt"
[ -z "$missing" ] && exit 0

echo "Installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  sudo=
else
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
