//! Process hardening: no core dumps.
//!
//! A core dump is a copy of the process's memory on disk, unlocked data keys and
//! decrypted correspondence included. The desktop app and `diplo` call
//! `disable_core_dumps` first thing in `main`: the core file size limit goes to 0 (soft and
//! hard, so it cannot be raised again) and, on Linux, the process is marked not dumpable
//! (`PR_SET_DUMPABLE` 0), which also covers a system core handler (`core_pattern` piping to
//! systemd-coredump) and keeps other processes of the same user from attaching to it
//! (ptrace) or reading its memory through `/proc`.

use crate::CryptoError;

/// Turns core dumps off for this process (and the children it starts, which inherit the
/// limit). On systems other than Unix, does nothing.
pub fn disable_core_dumps() -> Result<(), CryptoError> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, setrlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )
        .map_err(|e| CryptoError::Hardening(format!("setting the core size limit to 0: {e}")))?;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, set_dumpable_behavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable).map_err(|e| {
            CryptoError::Hardening(format!("marking the process not dumpable: {e}"))
        })?;
    }
    Ok(())
}

/// Whether this process may leave a core dump: the soft core size limit is not 0 or, on
/// Linux, the process is still dumpable.
pub fn core_dumps_possible() -> bool {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        if limit.current != Some(0) {
            return true;
        }
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{DumpableBehavior, dumpable_behavior};
        if !matches!(dumpable_behavior(), Ok(DumpableBehavior::NotDumpable)) {
            return true;
        }
    }
    !cfg!(unix)
}
