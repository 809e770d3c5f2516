#!/usr/bin/env bash
# The command-line demo that `make run` starts until the desktop app exists.
# Usage: scripts/run-demo.sh PROFILE_DIR ITEMS [DEMO]
set -euo pipefail
dir=$1
items=$2
fresh=${3:-}
target=${CARGO_TARGET_DIR:-target}
diplo="$target/release/diplo"
export DIPLOMATIE_PASSPHRASE="demo-diplomatie-2026"

if [ "$fresh" = "1" ] && [ -d "$dir" ]; then
  rm -rf -- "$dir"
fi
if [ ! -f "$dir/profile.key" ]; then
  mkdir -p "$dir"
  "$diplo" --profile "$dir" init --name "Alice Lefèvre" --org "DIPLOMATIE/DUE" \
    --email alice.lefevre@diplomatie.gouv.example
  echo "Filling the demo profile with $items synthetic items…"
  "$diplo" --profile "$dir" demo --items "$items"
fi

cat <<MSG

Diplomatie — command-line demo (the desktop app comes with its own issue).
  profile:    $dir
  passphrase: $DIPLOMATIE_PASSPHRASE   (demo only: a real profile asks for yours)

The triage view, items for action first:
MSG
"$diplo" --profile "$dir" inbox --limit 15
echo
echo "A full-text search (accent- and case-insensitive): diplo search 'energie'"
"$diplo" --profile "$dir" search energie --limit 5
cat <<MSG

Try it yourself:
  export DIPLOMATIE_PASSPHRASE=$DIPLOMATIE_PASSPHRASE
  $diplo --profile $dir inbox
  $diplo --profile $dir search '"sommet du G20"'
  $diplo --profile $dir show ID
  $diplo --help
MSG
