//! tauri.conf.json, capabilities/ and icons/ live at the repository root (one config file for
//! the whole project): run tauri-build from there.

use std::path::PathBuf;

fn main() {
    // Read when the script runs, not when it is compiled: a build script compiled for a
    // checkout at another path (two clones sharing one target directory) must not enter that
    // other checkout.
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    if let Some(root) = manifest.parent()
        && std::env::set_current_dir(root).is_ok()
    {
        println!("cargo:rerun-if-changed=../tauri.conf.json");
        println!("cargo:rerun-if-changed=../capabilities");
        println!("cargo:rerun-if-changed=../ui/dist");
        tauri_build::build();
    } else {
        println!("cargo::error=cannot enter the repository root from src-tauri");
    }
}
