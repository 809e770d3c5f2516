//! tauri.conf.json, capabilities/ and icons/ live at the repository root (one config file for
//! the whole project): run tauri-build from there.

use std::path::Path;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
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
