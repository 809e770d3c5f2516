#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! `disable_core_dumps` in a child process (the limit is process-wide, and a test process
//! should not change its own): afterwards the kernel reports a core size limit of 0, soft and
//! hard, and the process is not dumpable.

use std::process::Command;

const CHILD: &str = "DIPLOMATIE_CORE_DUMPS_CHILD";

#[test]
fn core_dumps_are_off_after_the_call() {
    if std::env::var_os(CHILD).is_some() {
        assert!(
            diplomatie_crypto::core_dumps_possible(),
            "possible before the call"
        );
        diplomatie_crypto::disable_core_dumps().unwrap();
        assert!(!diplomatie_crypto::core_dumps_possible());
        // What the kernel says, not what the wrapper says: /proc/self/limits.
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        let fields: Vec<&str> = core.split_whitespace().collect();
        assert_eq!(fields[4..6], ["0", "0"], "{core}");
        // A second call is harmless (the hard limit is already 0).
        diplomatie_crypto::disable_core_dumps().unwrap();
        println!("child: core dumps off");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let out = Command::new(me)
        .args([
            "--exact",
            "core_dumps_are_off_after_the_call",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("child: core dumps off"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
