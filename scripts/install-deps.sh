#!/usr/bin/env bash
# Installs what building, running and testing Diplomatie needs on Debian/Ubuntu, and only what
# is missing (a warm machine skips every step).
# Usage: scripts/install-deps.sh [run|test]   (test also installs the end-to-end test tools)
set -euo pipefail
mode=${1:-test}

# Build: compilers, OpenSSL headers (SQLCipher links libcrypto), the desktop app's libraries.
want=(build-essential pkg-config libssl-dev curl wget file
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev)
if [ "$mode" = "test" ]; then
  # The real app under a virtual display, driven through WebDriver, with a private D-Bus
  # session and a notification server (python3-dbus, python3-gi).
  want+=(xvfb xauth imagemagick webkit2gtk-driver dbus dbus-x11 python3-dbus python3-gi
    x11-utils xdotool)
  # taskset pins the relay's load benchmark (make bench) to its cores.
  want+=(util-linux)
fi

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

# The interface is built with Vite 8, which needs Node 20.19 or later.
node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  local v
  v=$(node -p 'process.versions.node.split(".").map(Number).slice(0,2).join(" ")')
  read -r major minor <<<"$v"
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; }
}
if ! node_ok; then
  echo "error: Node.js 20.19 or later (with npm) is needed to build the interface." >&2
  echo "       Install it (for example from https://nodejs.org or your distribution's nodejs 20+)," >&2
  echo "       then run this again." >&2
  exit 1
fi

# The interface's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "Installing the interface's npm packages (npm ci)…"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi

# The official JavaScript automerge, for the test that a saved draft loads in it.
interop=crates/client/tests/interop
if [ "$mode" = "test" ] && [ -f "$interop/package-lock.json" ] \
  && { [ ! -d "$interop/node_modules" ] || [ "$interop/package-lock.json" -nt "$interop/node_modules/.package-lock.json" ]; }; then
  echo "Installing the automerge interop test's npm packages (npm ci)…"
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
fi

# tauri-driver bridges WebDriver to WebKitWebDriver for the end-to-end tests. Never a 3.x.
if [ "$mode" = "test" ] && ! command -v tauri-driver >/dev/null 2>&1 \
  && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "Installing tauri-driver 2 (cargo install, about 2 minutes)…"
  cargo install tauri-driver --version '^2' --locked --quiet
fi

# cargo-deny checks the licences, bans and sources of the dependency tree (deny.toml) in
# `make test`. 0.20.2 builds with the pinned Rust 1.95 (it needs 1.88).
if [ "$mode" = "test" ] && ! command -v cargo-deny >/dev/null 2>&1 \
  && [ ! -x "$HOME/.cargo/bin/cargo-deny" ]; then
  echo "Installing cargo-deny 0.20.2 (cargo install, about 4 minutes)…"
  cargo install cargo-deny --version 0.20.2 --locked --quiet
fi
