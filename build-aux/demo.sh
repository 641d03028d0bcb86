#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The demo: installs what is needed, builds Foyer in _build-demo, starts the
# Microsoft sandbox and foyer-service on loopback with a seeded organization
# (people below, integration enabled), and opens Foyer as Alice.
#
#   ./build-aux/demo.sh          Foyer as Alice
#   ./build-aux/demo.sh --bob    also a second Foyer, as Bob, to watch messages
#                                arrive live (its own keyring and data)
#
# Ctrl+C stops everything it started. Nothing is written outside
# _build-demo/ and a temporary folder, which is removed at the end.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
builddir="${FOYER_DEMO_BUILDDIR:-$top/_build-demo}"
with_bob=false
for arg in "$@"; do
  case "$arg" in
    --bob) with_bob=true ;;
    *) echo "usage: $0 [--bob]" >&2; exit 2 ;;
  esac
done

"$top/build-aux/install-deps.sh"
if [ ! -f "$builddir/build.ninja" ]; then
  meson setup "$builddir" "$top" -Ddevelopment=true
fi
meson compile -C "$builddir"

work=$(mktemp -d "${TMPDIR:-/tmp}/foyer-demo.XXXXXX")
pids=
# The processes whose parent is $1 (read from /proc: no procps needed).
children_of() {
  for stat in /proc/[0-9]*/stat; do
    fields=$(sed 's/^.*) //' "$stat" 2>/dev/null) || continue
    # shellcheck disable=SC2086
    set -- "$1" $fields
    [ "${3:-}" = "$1" ] && echo "${stat#/proc/}" | cut -d/ -f1
  done
}
# A process and all below it. The apps run under dbus-run-session, which
# does not pass a TERM on to them: without this, a `kill` of the demo left
# the windows, their bus and their keyring running.
stop_tree() {
  for child in $(children_of "$1"); do
    stop_tree "$child"
  done
  kill "$1" 2>/dev/null || true
}
cleanup() {
  trap - EXIT INT TERM
  for pid in $pids; do
    stop_tree "$pid"
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

wait_for_file() {
  i=0
  while [ ! -s "$1" ]; do
    i=$((i + 1))
    [ "$i" -lt 200 ] || { echo "demo: $2 did not start" >&2; exit 1; }
    sleep 0.1
  done
}

service="$builddir/src/service/foyer-service"
sandbox="$builddir/tests/sandbox/foyer-ms-sandbox"

# The Microsoft sandbox: a local identity platform, Graph and SharePoint.
cloud_args=
if [ -x "$sandbox" ]; then
  "$sandbox" --state-dir "$work/sandbox" >"$work/sandbox.log" 2>&1 &
  pids="$pids $!"
  wait_for_file "$work/sandbox/cloud.json" "the Microsoft sandbox"
  cloud_args="$work/sandbox/cloud.json"
fi

# foyer-service with the demo organization.
mkdir -p "$work/service"
add_user() {
  printf '%s' "$3" >"$work/password"
  "$service" user add --data-dir "$work/service" --email "$1" --name "$2" \
    --password-file "$work/password" $4 >/dev/null
  rm -f "$work/password"
}
add_user alice@contoso.example "Alice Martin" alice-password --admin
add_user bob@contoso.example "Bob Dupont" bob-password ""
add_user carol@contoso.example "Carol Lee" carol-password ""

if [ -n "$cloud_args" ]; then
  python3 - "$cloud_args" "$work/org.json" <<'PY'
import json, sys
cloud = json.load(open(sys.argv[1]))
json.dump({"microsoft": {"enabled": True, "tenantId": cloud["tenantId"],
           "clientId": cloud["clientId"], "cloud": "worldwide",
           "audiences": ["organization", "space", "existing"],
           "defaultAudience": "organization", "defaultLinkType": "view",
           "cloudDescriptor": sys.argv[1]}}, open(sys.argv[2], "w"))
PY
  "$service" org set --data-dir "$work/service" --file "$work/org.json" >/dev/null
fi

"$service" serve --data-dir "$work/service" --listen 127.0.0.1:0 >"$work/service.log" 2>&1 &
pids="$pids $!"
wait_for_file "$work/service/service.json" "foyer-service"
service_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseUrl"])' \
  "$work/service/service.json")

# A few spaces with history and shared documents, made the way the apps
# make them (encrypted with the spaces' keys; links made in the sandbox).
if [ -n "$cloud_args" ]; then
  "$builddir/tests/demo/foyer-demo-seed" --service-json "$work/service/service.json" \
    --cloud "$cloud_args" --password=alice@contoso.example=alice-password \
    --password=bob@contoso.example=bob-password --password=carol@contoso.example=carol-password
fi

cat <<EOT

  Foyer demo
  ----------
  Service address:  $service_url   (already filled in when you sign in)
  People:           alice@contoso.example / alice-password  (administrator)
                    bob@contoso.example   / bob-password
                    carol@contoso.example / carol-password
EOT
if [ -n "$cloud_args" ]; then
  python3 - "$cloud_args" <<'PY'
import json, sys
cloud = json.load(open(sys.argv[1]))
print("  Microsoft sandbox (Connect Microsoft account):")
for u in cloud.get("users", []):
    # The sign-in name (UPN); Dana's differs from her mail address.
    print("                    %s / %s" % (u.get("upn", u["email"]), u["password"]))
PY
fi
cat <<'EOT'

  Try: sign in as Alice. "Welcome to Foyer", "Budget 2027" and "Design review"
  already have a history with shared documents. Connect the Microsoft account
  (main menu) with Alice's sandbox password above: the tiles get their
  thumbnails, and a click opens the document in the window. Attach file shares
  another one from her OneDrive. With --bob, a second window signs in as Bob
  and sees messages and documents arrive live.
  Ctrl+C here stops everything.

EOT

export GSETTINGS_SCHEMA_DIR="$builddir/data"

# Foyer speaks the desktop's language, whether or not its locale is
# generated on this machine.
. "$top/build-aux/desktop-language.sh"
export FOYER_SERVICE_URL="$service_url"
app_id=$(basename "$(ls "$builddir"/data/*.gschema.xml | head -n 1)" .gschema.xml)

# Each person gets their own data folders, settings, session bus and
# keyring, as two separate desktops would. Settings live in a keyfile in
# the person's folder, with the service's address already there. With a
# password, the person is signed in before their app starts:
# foyer-demo-sign-in keeps the session in their own keyring (the token
# never touches the disk), and the app finds it there, as after any
# sign-in.
run_person() {
  person="$1"
  email="$2"
  password="$3"
  home="$work/$person"
  mkdir -p "$home/data" "$home/config/glib-2.0/settings" "$home/cache"
  printf '[%s]\nservice-url=%s\n' "$(echo "$app_id" | tr . /)" "'$service_url'" \
    >"$home/config/glib-2.0/settings/keyfile"
  XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" XDG_CACHE_HOME="$home/cache" \
    GSETTINGS_BACKEND=keyfile DEMO_EMAIL="$email" DEMO_PASSWORD="$password" \
    DEMO_SIGN_IN="$builddir/tests/demo/foyer-demo-sign-in" \
    dbus-run-session -- sh -c '
      eval "$(printf %s demo | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)"
      export GNOME_KEYRING_CONTROL
      if [ -n "$DEMO_PASSWORD" ]; then
        printf %s "$DEMO_PASSWORD" |
          "$DEMO_SIGN_IN" --service "$FOYER_SERVICE_URL" --email "$DEMO_EMAIL" ||
          echo "demo: $DEMO_EMAIL is not signed in; sign in from the window" >&2
      fi
      unset DEMO_PASSWORD
      exec "$@"' run "$builddir/src/app/foyer" &
  pids="$pids $!"
  app_pids="$app_pids $!"
}

app_pids=

run_person alice "" ""
if [ "$with_bob" = true ]; then
  run_person bob bob@contoso.example bob-password
fi
# Closing the app windows ends the demo (and the cleanup stops the servers).
# shellcheck disable=SC2086
wait $app_pids
