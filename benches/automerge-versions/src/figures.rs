//! What one run of the workloads measures, per version.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone)]
pub struct RunFigures {
    pub apply_each: Duration,
    pub apply_batched: Duration,
    pub apply_manual_batched: Duration,
    pub heap_after_apply: usize,
    pub save_time: Duration,
    pub save_size: usize,
    pub load_time: Duration,
    pub sync_empty_time: Duration,
    pub sync_empty_bytes: usize,
    pub merge_short: MergeFigures,
    pub merge_long: MergeFigures,
    pub draft_time: Duration,
    pub draft_save_time: Duration,
    pub draft_save_size: usize,
    pub draft_load_time: Duration,
}

/// Two replicas that diverged, merged two ways.
#[derive(Debug, Default, Clone)]
pub struct MergeFigures {
    /// `load_incremental` of the other side's `save_after` bytes, both ways.
    pub time: Duration,
    /// `save_after(base heads)` bytes, A's then B's.
    pub change_bytes: [usize; 2],
    /// The same bytes deflated (what a compressing envelope would carry).
    pub change_bytes_deflated: [usize; 2],
    pub sync_time: Duration,
    /// Sync message bytes A -> B, B -> A.
    pub sync_bytes: [usize; 2],
    pub sync_msgs: usize,
}

/// Memory taken by loading the trace doc, measured in a fresh process.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
pub struct LoadMemory {
    /// VmRSS after minus before (/proc/self/status).
    pub rss_growth: usize,
    /// Heap bytes live after minus before (counting global allocator): what the doc holds.
    pub heap_growth: usize,
}
