//! A minimal Tauri 2 window on a blank page: the baseline that `make bench` compares the app's
//! cold start and memory with, built from the same crates and configuration.

use std::process::ExitCode;

fn main() -> ExitCode {
    let result = tauri::Builder::default()
        .setup(|app| {
            diplomatie_app::main_window(app.handle(), "minimal.html")?;
            Ok(())
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("minimal-window: {e}");
            ExitCode::FAILURE
        }
    }
}
