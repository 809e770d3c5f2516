#!/usr/bin/env bash
# Builds the Debian package of the desktop app and the `diplo` CLI with the Tauri bundler.
#
# The one tauri.conf.json sits at the repository root. What depends on this machine is added
# here: the path of the built `diplo` (it follows CARGO_TARGET_DIR) and of the Debian copyright
# file, written here from LICENSE.
#
# Usage: scripts/package.sh   (make package runs it after building the interface)
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR=$target

version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' tauri.conf.json)
[ -n "$version" ] || { echo "error: no version in tauri.conf.json" >&2; exit 1; }
[ -f ui/dist/index.html ] || { echo "error: ui/dist is missing: run make ui first" >&2; exit 1; }
[ -x ui/node_modules/.bin/tauri ] || {
  echo "error: the Tauri CLI is missing: run scripts/install-deps.sh run (npm ci in ui/)" >&2
  exit 1
}

cargo build --release -p diplomatie-cli

# /usr/share/doc/diplomatie/copyright in Debian's machine-readable format, the licence in full.
stage=$target/package
mkdir -p "$stage"
{
  echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
  echo "Upstream-Name: Diplomatie"
  echo "Source: https://example.invalid/diplomatie"
  echo
  echo "Files: *"
  echo "Copyright: 2026 Diplomatie contributors"
  echo "License: EUPL-1.2"
  sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' LICENSE
  echo
  echo "Files: crates/client/data/fr-common-words.txt"
  echo "Copyright: 2021 @zxcvbn-ts; OpenSubtitles contributors and rights holders (via OPUS)"
  echo "License: MIT and ODC-BY-1.0"
  echo "Comment: built into diplo, for the passphrase strength estimate."
  sed -e 's/^[[:space:]]*$/./' -e 's/^/ /' crates/client/data/NOTICE.md
} >"$stage/copyright"

# The Tauri CLI wants the config beside the app's Cargo.toml and reads the paths in it from
# there, while tauri-build and the app read the one at the root (src-tauri/build.rs). So the
# CLI gets a copy made here, src-tauri/tauri.conf.json, with the root's relative paths made
# relative to src-tauri and the files only the package carries, and removed on exit: the root
# file stays the only one in the tree.
generated=src-tauri/tauri.conf.json
trap 'rm -f "$root/$generated"' EXIT
DIPLO="$target/release/diplo" COPYRIGHT="$stage/copyright" node -e '
  const fs = require("fs");
  const c = JSON.parse(fs.readFileSync("tauri.conf.json", "utf8"));
  const up = (p) => "../" + p;
  c.build.frontendDist = up(c.build.frontendDist);
  c.bundle.icon = c.bundle.icon.map(up);
  c.bundle.licenseFile = up(c.bundle.licenseFile);
  c.bundle.linux.deb.files = {
    "/usr/bin/diplo": process.env.DIPLO,
    "/usr/share/doc/diplomatie/copyright": process.env.COPYRIGHT,
  };
  fs.writeFileSync(process.argv[1], JSON.stringify(c, null, 2));
' "$generated"

# The bundler runs `cargo build --release` for the app itself (with its custom-protocol
# feature: the interface is embedded from ui/dist), then writes the .deb.
(cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles deb)

deb=$target/release/bundle/deb/Diplomatie_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { echo "error: the bundler did not write $deb" >&2; exit 1; }
echo "$deb"
