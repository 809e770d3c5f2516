//! Counters for `GET /metrics`, in Prometheus' text format. Gauges of stored things
//! (devices, spaces, sessions, bytes) are read from the database when scraped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::Figures;

#[derive(Debug, Default)]
pub struct Metrics {
    pub envelopes_accepted: AtomicU64,
    pub envelopes_duplicate: AtomicU64,
    pub envelopes_refused: AtomicU64,
    pub commits_accepted: AtomicU64,
    /// Commits too late for their epoch (409).
    pub commits_refused: AtomicU64,
    /// Commits that do not hold (400, 403, 413).
    pub commits_invalid: AtomicU64,
    pub websockets: AtomicU64,
    /// Responses by status class: 1xx to 5xx.
    responses: [AtomicU64; 5],
}

impl Metrics {
    pub fn count_response(&self, status: u16) {
        let class = usize::from(status / 100).saturating_sub(1);
        if let Some(counter) = self.responses.get(class) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn render(&self, figures: Figures) -> String {
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(&str, u64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {value}");
            }
        };
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        metric(
            "relay_envelopes_accepted_total",
            "counter",
            "Envelopes stored in a space's log.",
            &[("", get(&self.envelopes_accepted))],
        );
        metric(
            "relay_envelopes_duplicate_total",
            "counter",
            "Envelopes pushed again, answered with the seq already given.",
            &[("", get(&self.envelopes_duplicate))],
        );
        metric(
            "relay_envelopes_refused_total",
            "counter",
            "Envelopes refused (malformed, bad signature, wrong epoch, ...).",
            &[("", get(&self.envelopes_refused))],
        );
        metric(
            "relay_commits_total",
            "counter",
            "Commits offered, by outcome.",
            &[
                ("{outcome=\"accepted\"}", get(&self.commits_accepted)),
                ("{outcome=\"conflict\"}", get(&self.commits_refused)),
                ("{outcome=\"refused\"}", get(&self.commits_invalid)),
            ],
        );
        metric(
            "relay_envelopes_stored",
            "gauge",
            "Envelopes in every log.",
            &[("", figures.envelopes)],
        );
        metric(
            "relay_bytes_stored",
            "gauge",
            "Bytes of envelopes and commits stored.",
            &[("", figures.bytes_stored)],
        );
        metric(
            "relay_devices",
            "gauge",
            "Enrolled devices.",
            &[("", figures.devices)],
        );
        metric("relay_spaces", "gauge", "Spaces.", &[("", figures.spaces)]);
        metric(
            "relay_sessions",
            "gauge",
            "Sessions not yet expired.",
            &[("", figures.sessions)],
        );
        metric(
            "relay_websocket_connections",
            "gauge",
            "Open news sockets.",
            &[("", get(&self.websockets))],
        );
        let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"];
        let labels: Vec<String> = classes
            .iter()
            .map(|c| format!("{{class=\"{c}\"}}"))
            .collect();
        let samples: Vec<(&str, u64)> = labels
            .iter()
            .zip(&self.responses)
            .map(|(l, c)| (l.as_str(), get(c)))
            .collect();
        metric(
            "relay_http_responses_total",
            "counter",
            "HTTP responses by status class.",
            &samples,
        );
        out
    }
}
