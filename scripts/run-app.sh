#!/usr/bin/env bash
# Starts a local relay and the desktop app (what `make run` does after building them); the relay
# stops when the app does. Its data: $XDG_DATA_HOME/diplomatie/relay (RELAY_DIR overrides).
#   scripts/run-app.sh            your own profile (created by the app on first start)
#   DEMO=1 scripts/run-app.sh     a fresh demo profile filled with synthetic correspondence
# DEMO_ITEMS sets how many demo items (default 5000); PROFILE_DIR overrides the directory.
# A demo starts afresh: its directory is removed first, but only the default demo location or a
# demo profile this script made (marked by a .diplomatie-demo file, holding nothing else than a
# profile's files); anything else, a real profile first, is refused, never erased.
set -euo pipefail
target=${CARGO_TARGET_DIR:-target}
app="$target/release/diplomatie"
diplo="$target/release/diplo"
relay="$target/release/diplomatie-relay"
data=${XDG_DATA_HOME:-$HOME/.local/share}/diplomatie

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no graphical display (DISPLAY is not set). Run this from a desktop session," >&2
  echo "       or under a virtual display: xvfb-run -a make run" >&2
  exit 1
fi

# Whether $1 is a demo profile made here: its mark, a profile's files and nothing else.
is_demo_dir() {
  local entry
  [ -f "$1/.diplomatie-demo" ] || return 1
  while IFS= read -r -d '' entry; do
    case ${entry##*/} in
      .diplomatie-demo | profile.key | profile.key.tmp | store.db | store.db-wal | store.db-shm | store.db-journal) ;;
      *) return 1 ;;
    esac
    [ -f "$entry" ] && [ ! -L "$entry" ] || return 1
  done < <(find "$1" -mindepth 1 -maxdepth 1 -print0)
}

if [ "${DEMO:-}" = "1" ]; then
  dir=${PROFILE_DIR:-$data/demo}
  while [ "${#dir}" -gt 1 ] && [ "${dir%/}" != "$dir" ]; do dir=${dir%/}; done
  items=${DEMO_ITEMS:-5000}
  if [ "$dir" = "$data/demo" ] || is_demo_dir "$dir"; then
    rm -rf -- "$dir"
  elif [ -e "$dir" ] && [ ! -d "$dir" ]; then
    echo "error: PROFILE_DIR $dir is a file, not a profile folder: give a new or empty folder for the demo" >&2
    exit 1
  elif [ -d "$dir" ] && [ -n "$(find "$dir" -mindepth 1 -maxdepth 1 -print -quit)" ]; then
    echo "error: PROFILE_DIR $dir is not empty and is not a demo profile made by make run DEMO=1 (the demo starts by emptying its folder): give a new or empty folder" >&2
    exit 1
  fi
  export DIPLOMATIE_PASSPHRASE="demo-diplomatie-2026"
  mkdir -p "$dir"
  "$diplo" --profile "$dir" init --name "Alice Lefèvre" --org "DIPLOMATIE/DUE" \
    --email alice.lefevre@diplomatie.gouv.example >/dev/null
  : >"$dir/.diplomatie-demo"
  echo "Filling the demo profile with $items synthetic items…"
  "$diplo" --profile "$dir" demo --items "$items"
  unset DIPLOMATIE_PASSPHRASE
  cat <<MSG

Diplomatie — demo profile
  profile:    $dir
  passphrase: demo-diplomatie-2026   (demo only: a real profile asks for yours)

MSG
else
  dir=${PROFILE_DIR:-$data/profile}
  echo "Diplomatie — profile: $dir (the app creates it on first start)"
fi

# The local relay, on its embedded SQLite, on a port the system chooses.
relay_dir=${RELAY_DIR:-$data/relay}
mkdir -p "$relay_dir"
relay_log=$(mktemp)
"$relay" serve --listen 127.0.0.1:0 --data "$relay_dir" >"$relay_log" 2>&1 &
relay_pid=$!
# On exit the relay stops with the app, and the app's status is the script's.
stop_relay() {
  local status=$?
  kill "$relay_pid" 2>/dev/null || true
  wait "$relay_pid" 2>/dev/null || true
  rm -f "$relay_log"
  exit "$status"
}
trap stop_relay EXIT
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$relay_log" && break
  kill -0 "$relay_pid" 2>/dev/null || { cat "$relay_log" >&2; echo "error: the relay did not start" >&2; exit 1; }
  sleep 0.1
done
url=$(sed -n 's/^listening on //p' "$relay_log" | head -n 1)
[ -n "$url" ] || { echo "error: the relay did not say where it listens" >&2; exit 1; }
echo "Relay: $url (data: $relay_dir; an enrolment token: $relay invite --data $relay_dir)"

"$app" --profile "$dir"
