#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs conformance.cjs (Microsoft's own client libraries, unmodified) against
# a fresh foyer-ms-sandbox; prints TAP.
#
#   run-conformance.sh SANDBOX_BINARY SOURCE_DIR CACHE_DIR
#
# node_modules is installed with `npm ci` from the committed package-lock.json
# into CACHE_DIR (in the build directory), and again only when the lock file
# changes. The libraries get nothing but NODE_EXTRA_CA_CERTS (the sandbox's
# CA) and the sandbox's cloud.json.
set -eu
sandbox="$1"
src="$2"
cache="$3"

bail() {
  echo "Bail out! $*"
  exit 1
}

command -v node >/dev/null 2>&1 || bail "node is not installed (Debian: apt install nodejs npm)"
command -v npm >/dev/null 2>&1 || bail "npm is not installed (Debian: apt install npm)"

mkdir -p "$cache"
want=$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)
stamp="$cache/node_modules/.foyer-package-lock.sha256"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  cp "$src/package.json" "$src/package-lock.json" "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
    bail "npm ci failed (is registry.npmjs.org reachable?)"
  echo "$want" >"$stamp"
fi

state=$(mktemp -d "${FOYER_TEST_WORKDIR:-${TMPDIR:-/tmp}}/conformance.XXXXXX")
"$sandbox" --state-dir "$state" >&2 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$state"' EXIT

# The sandbox writes cloud.json once every host listens.
tries=0
while [ ! -s "$state/cloud.json" ]; do
  kill -0 "$pid" 2>/dev/null || bail "foyer-ms-sandbox exited before it was ready"
  tries=$((tries + 1))
  [ "$tries" -lt 300 ] || bail "foyer-ms-sandbox wrote no cloud.json in 30 s"
  sleep 0.1
done

FOYER_SANDBOX_CLOUD="$state/cloud.json" NODE_EXTRA_CA_CERTS="$state/ca.pem" \
  NODE_PATH="$cache/node_modules" node --no-warnings "$src/conformance.cjs"
