//! Clocks and memory gauges.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The system allocator, counting the bytes currently allocated. One relaxed atomic add per
/// allocation and free, the same for every version measured.
#[derive(Debug)]
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; we only count sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Bytes currently allocated on the heap by this process.
pub fn live_heap() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Resident set size from /proc/self/status, in bytes (0 where it cannot be read).
pub fn rss() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<usize>().ok())
            })
        })
        .map_or(0, |kb| kb * 1024)
}

pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

pub fn fmt_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.2} s")
    } else if s >= 0.001 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.0} µs", s * 1e6)
    }
}

pub fn fmt_bytes(b: usize) -> String {
    let b = b as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}

/// The 1-minute load average (/proc/loadavg), to say how quiet the machine was.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) this process has used, from /proc/self/stat (100 ticks a second).
pub fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            // Fields 14 and 15 of stat(5) are utime and stime; `after` starts at field 3.
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        });
    Duration::from_millis(ticks.unwrap_or(0) * 10)
}

/// The product's benchmark, which this one must not run beside (2 shared cores).
const NEIGHBOUR: &str = "diplomatie-bench";

/// True while a process runs whose program (argv[0], without its directory) is
/// `diplomatie-bench`. Unlike `pgrep -f`, a shell or a `pgrep` whose command line merely
/// mentions the name does not count.
pub fn neighbour_running() -> bool {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        std::fs::read(e.path().join("cmdline")).is_ok_and(|c| {
            let argv0 = c.split(|&b| b == 0).next().unwrap_or_default();
            let program = argv0.rsplit(|&b| b == b'/').next().unwrap_or_default();
            program == NEIGHBOUR.as_bytes()
        })
    })
}

/// Wait until the neighbour benchmark is not running, checking every 10 s, at most `limit`.
/// Returns false if it was still running at the limit.
pub fn wait_for_quiet(limit: Duration) -> bool {
    let start = std::time::Instant::now();
    while neighbour_running() {
        if start.elapsed() >= limit {
            return false;
        }
        eprintln!("diplomatie-bench is running: waiting");
        std::thread::sleep(Duration::from_secs(10));
    }
    true
}

/// Watches, from a thread, for the neighbour benchmark starting while we measure.
#[derive(Debug, Clone)]
pub struct Watcher(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Watcher {
    pub fn start() -> Watcher {
        let seen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = seen.clone();
        std::thread::spawn(move || {
            loop {
                if neighbour_running() {
                    flag.store(true, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        });
        Watcher(seen)
    }

    /// Whether the neighbour ran since the last call.
    pub fn take(&self) -> bool {
        self.0.swap(false, Ordering::Relaxed)
    }
}

/// Size of `bytes` after deflate (flate2, default level).
pub fn deflated(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes)
        .and_then(|()| z.finish())
        .map_or(0, |v| v.len())
}
