#!/usr/bin/env bash
# Starts the desktop app (what `make run` does after building it).
#   scripts/run-app.sh            your own profile (created by the app on first start)
#   DEMO=1 scripts/run-app.sh     a fresh demo profile filled with synthetic correspondence
# DEMO_ITEMS sets how many demo items (default 5000); PROFILE_DIR overrides the directory.
set -euo pipefail
target=${CARGO_TARGET_DIR:-target}
app="$target/release/diplomatie"
diplo="$target/release/diplo"
data=${XDG_DATA_HOME:-$HOME/.local/share}/diplomatie

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "error: no graphical display (DISPLAY is not set). Run this from a desktop session," >&2
  echo "       or under a virtual display: xvfb-run -a make run" >&2
  exit 1
fi

if [ "${DEMO:-}" = "1" ]; then
  dir=${PROFILE_DIR:-$data/demo}
  items=${DEMO_ITEMS:-5000}
  export DIPLOMATIE_PASSPHRASE="demo-diplomatie-2026"
  rm -rf -- "$dir"
  mkdir -p "$dir"
  "$diplo" --profile "$dir" init --name "Alice Lefèvre" --org "DIPLOMATIE/DUE" \
    --email alice.lefevre@diplomatie.gouv.example >/dev/null
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

exec "$app" --profile "$dir"
