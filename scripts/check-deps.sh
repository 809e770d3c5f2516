#!/usr/bin/env bash
# Keeps the pure crates pure: diplomatie-domain, diplomatie-draft, diplomatie-protocol and
# diplomatie-sync must not depend, even indirectly, on tokio, rusqlite or reqwest.
set -euo pipefail
status=0
for crate in diplomatie-domain diplomatie-draft diplomatie-protocol diplomatie-sync; do
  cargo metadata --format-version 1 --no-deps | grep -q "\"name\":\"$crate\"" || continue
  tree=$(cargo tree -p "$crate" -e normal --prefix none --format '{p}')
  for banned in tokio rusqlite reqwest libsqlite3-sys; do
    if grep -qE "^$banned v" <<<"$tree"; then
      echo "error: $crate depends on $banned; keep it free of I/O runtimes (see docs/ARCHITECTURE.md)" >&2
      status=1
    fi
  done
done
[ $status -eq 0 ] && echo "dependency check: domain, draft, protocol and sync are free of tokio, rusqlite and reqwest"
exit $status
