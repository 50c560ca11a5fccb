//! Prometheus metrics, hand-rolled with atomics (no metrics crate).
//!
//! - `facegate_events_total{source,outcome}`: sightings by source and final outcome.
//! - `facegate_acs_command_seconds`: ALLOWPASS write → reply (only commands actually sent).
//! - `facegate_end_to_end_seconds`: webhook received → ACS reply (or final decision).
//! - `facegate_acs_link_up{acs}`: 1 while the ACS has at least one logged-in link.
//! - `facegate_queue_depth{acs}`: sightings waiting for that ACS.
//! - `facegate_intake_depth`: sightings accepted but not yet decided.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Histogram bucket upper bounds, in seconds.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A fixed-bucket latency histogram.
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_us: AtomicU64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    /// Number of observations.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn render(&self, name: &str, help: &str, out: &mut String) {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (bound, bucket) in BUCKETS.iter().zip(&self.buckets) {
            let n = bucket.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.count();
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

/// Gauges of one ACS server.
#[derive(Debug)]
pub struct AcsGauges {
    /// The `[[acs]] name`.
    pub name: String,
    /// At least one link logged in.
    pub link_up: AtomicBool,
    /// Sightings queued for this ACS.
    pub queue_depth: AtomicUsize,
}

/// Every metric of the bridge.
#[derive(Debug)]
pub struct Metrics {
    events: Mutex<BTreeMap<(String, String), u64>>,
    /// ALLOWPASS write → reply.
    pub acs_command: Histogram,
    /// Webhook received → final outcome.
    pub end_to_end: Histogram,
    /// One entry per `[[acs]]`, in configuration order.
    pub acs: Vec<AcsGauges>,
    /// Sightings accepted but not yet decided.
    pub intake_depth: AtomicUsize,
}

impl Metrics {
    /// Metrics for the named ACS servers.
    pub fn new<'a>(acs_names: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            events: Mutex::new(BTreeMap::new()),
            acs_command: Histogram::default(),
            end_to_end: Histogram::default(),
            acs: acs_names
                .into_iter()
                .map(|name| AcsGauges {
                    name: name.to_owned(),
                    link_up: AtomicBool::new(false),
                    queue_depth: AtomicUsize::new(0),
                })
                .collect(),
            intake_depth: AtomicUsize::new(0),
        }
    }

    /// Counts one sighting's final outcome.
    pub fn count_event(&self, source: &str, outcome: &str) {
        let mut map = self.events.lock().unwrap_or_else(|p| p.into_inner());
        *map.entry((source.to_owned(), outcome.to_owned()))
            .or_insert(0) += 1;
    }

    /// The gauges of one ACS.
    pub fn acs(&self, name: &str) -> Option<&AcsGauges> {
        self.acs.iter().find(|g| g.name == name)
    }

    /// Counts by outcome (summed over sources).
    pub fn outcome_counts(&self) -> BTreeMap<String, u64> {
        let map = self.events.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = BTreeMap::new();
        for ((_, outcome), n) in map.iter() {
            *out.entry(outcome.clone()).or_insert(0) += n;
        }
        out
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP facegate_events_total Sightings by source and final outcome.\n");
        out.push_str("# TYPE facegate_events_total counter\n");
        {
            let map = self.events.lock().unwrap_or_else(|p| p.into_inner());
            for ((source, outcome), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "facegate_events_total{{source=\"{}\",outcome=\"{}\"}} {n}",
                    escape_label(source),
                    escape_label(outcome)
                );
            }
        }
        self.acs_command.render(
            "facegate_acs_command_seconds",
            "ALLOWPASS written to ACS reply received.",
            &mut out,
        );
        self.end_to_end.render(
            "facegate_end_to_end_seconds",
            "Webhook received to final outcome (ACS reply for sent commands).",
            &mut out,
        );
        out.push_str("# HELP facegate_acs_link_up 1 while the ACS has a logged-in link.\n");
        out.push_str("# TYPE facegate_acs_link_up gauge\n");
        for g in &self.acs {
            let up = u8::from(g.link_up.load(Ordering::Relaxed));
            let _ = writeln!(
                out,
                "facegate_acs_link_up{{acs=\"{}\"}} {up}",
                escape_label(&g.name)
            );
        }
        out.push_str("# HELP facegate_queue_depth Sightings waiting for the ACS.\n");
        out.push_str("# TYPE facegate_queue_depth gauge\n");
        for g in &self.acs {
            let depth = g.queue_depth.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "facegate_queue_depth{{acs=\"{}\"}} {depth}",
                escape_label(&g.name)
            );
        }
        out.push_str("# HELP facegate_intake_depth Sightings accepted but not yet decided.\n");
        out.push_str("# TYPE facegate_intake_depth gauge\n");
        let intake = self.intake_depth.load(Ordering::Relaxed);
        let _ = writeln!(out, "facegate_intake_depth {intake}");
        out
    }
}

/// Escapes a Prometheus label value (`\`, `"`, newline).
fn escape_label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_every_metric_family_with_labels() {
        let m = Metrics::new(["hq"]);
        m.count_event("push", "granted");
        m.count_event("push", "granted");
        m.acs_command.observe(Duration::from_micros(700));
        m.end_to_end.observe(Duration::from_millis(3));
        if let Some(g) = m.acs("hq") {
            g.link_up.store(true, Ordering::Relaxed);
            g.queue_depth.store(4, Ordering::Relaxed);
        }
        let text = m.render();
        assert!(text.contains("facegate_events_total{source=\"push\",outcome=\"granted\"} 2"));
        assert!(text.contains("facegate_acs_command_seconds_bucket{le=\"0.001\"} 1"));
        assert!(text.contains("facegate_acs_command_seconds_bucket{le=\"0.0005\"} 0"));
        assert!(text.contains("facegate_end_to_end_seconds_count 1"));
        assert!(text.contains("facegate_acs_link_up{acs=\"hq\"} 1"));
        assert!(text.contains("facegate_queue_depth{acs=\"hq\"} 4"));
        assert!(text.contains("facegate_intake_depth 0"));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
