#!/usr/bin/env bash
# Installs what building and testing Diplomatie needs on Debian/Ubuntu, and only what is missing.
# Usage: scripts/install-deps.sh [build|test]
set -euo pipefail

want=(build-essential pkg-config libssl-dev)

missing=()
for p in "${want[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "error: cargo is missing. Install Rust with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
