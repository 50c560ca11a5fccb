//! Matching sends to `ALLOWPASS` arrivals, and the report (table or JSON).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::arrivals::Arrivals;
use super::histogram::Histogram;
use super::rss::RssStats;
use super::sender::{SendOutcome, SendRecord};
pub use super::table::render_table;

/// Latency quantiles in microseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Quantiles {
    /// Values measured.
    pub count: u64,
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest.
    pub max_us: f64,
    /// Mean.
    pub mean_us: f64,
}

impl Quantiles {
    fn of(h: &Histogram) -> Self {
        let us = |d: Duration| (d.as_nanos() as f64 / 1_000.0 * 10.0).round() / 10.0;
        Self {
            count: h.count(),
            p50_us: us(h.quantile(0.5)),
            p90_us: us(h.quantile(0.9)),
            p99_us: us(h.quantile(0.99)),
            p999_us: us(h.quantile(0.999)),
            max_us: us(h.max()),
            mean_us: us(h.mean()),
        }
    }
}

/// The result of one load run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// What was driven (the URL with the token path hidden).
    pub target: String,
    /// `keep-alive` or `new-connection`.
    pub mode: String,
    /// Keep-alive connections, or most requests in flight for `new-connection`.
    pub connections: usize,
    /// Offered rate, events per second.
    pub offered_rate: f64,
    /// Planned sending time, seconds.
    pub duration_s: f64,
    /// Events scheduled.
    pub scheduled: u64,
    /// Requests whose first byte was sent.
    pub sent: u64,
    /// Requests answered 2xx.
    pub accepted: u64,
    /// Events matched to their `ALLOWPASS`.
    pub completed: u64,
    /// Sent requests per second, from the first intended send to the last actual send.
    pub achieved_send_rate: f64,
    /// Completed events per second, from the first intended send to the last matched
    /// `ALLOWPASS`.
    pub completion_rate: f64,
    /// Largest delay between an event's intended and actual send time, microseconds (the
    /// driver or the connections falling behind).
    pub max_send_lag_us: f64,
    /// First byte sent → `ALLOWPASS` read by the simulated ACS.
    pub latency_from_send: Quantiles,
    /// Intended send time → `ALLOWPASS` read (includes any queueing in the driver or on a
    /// busy connection: free of coordinated omission).
    pub latency_from_intended: Quantiles,
    /// Errors by kind: `http_<status>`, `connect`, `io`, `timeout`, `missing_allowpass` (a 2xx
    /// without its `ALLOWPASS` after the grace period), `allowpass_after_error` (a failed
    /// request whose event was let through anyway), `duplicate_allowpass` (a second
    /// `ALLOWPASS` for one event), `unexpected_allowpass` (one for no event of this run),
    /// `arrival_feed_lost` (lines the collector could not see: an upper bound).
    pub errors: BTreeMap<String, u64>,
    /// The bridge's memory, when its pid was known.
    pub bridge_rss: Option<RssStats>,
}

fn since(later: SystemTime, earlier: SystemTime) -> Duration {
    later.duration_since(earlier).unwrap_or_default()
}

/// How a run was set up, for the report header.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// The target, token hidden.
    pub target: String,
    /// `keep-alive` or `new-connection`.
    pub mode: String,
    /// Connections or in-flight limit.
    pub connections: usize,
    /// Offered rate.
    pub offered_rate: f64,
    /// Planned sending time.
    pub duration: Duration,
}

/// Which `ALLOWPASS` went with which event.
#[derive(Clone, Debug, Default)]
pub struct Matching {
    /// For each send (same order), when its `ALLOWPASS` arrived.
    pub per_send: Vec<Option<SystemTime>>,
    /// `ALLOWPASS`es for an event that already had one.
    pub duplicate: u64,
    /// `ALLOWPASS`es for no event of the run (unknown object, or before any send of it).
    pub unexpected: u64,
}

/// Matches each `ALLOWPASS` to the latest event for its object sent before it arrived (ids
/// recur only every `persons / rate` seconds, far longer than any sane latency).
pub fn match_arrivals(sends: &[SendRecord], arrivals: &Arrivals) -> Matching {
    // person → indices into `sends` of sent events, by send time.
    let mut by_person: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, s) in sends.iter().enumerate() {
        if s.sent.is_some() {
            by_person.entry(s.person).or_default().push(i);
        }
    }
    for list in by_person.values_mut() {
        list.sort_by_key(|&i| sends[i].sent);
    }
    let mut passes = arrivals.passes.clone();
    passes.sort_by_key(|a| a.at);
    let mut m = Matching {
        per_send: vec![None; sends.len()],
        ..Matching::default()
    };
    for a in &passes {
        let Some(list) = by_person.get(&a.object) else {
            m.unexpected += 1;
            continue;
        };
        let before = list.partition_point(|&i| sends[i].sent.is_some_and(|t| t <= a.at));
        match before.checked_sub(1).map(|k| list[k]) {
            None => m.unexpected += 1,
            Some(i) if m.per_send[i].is_some() => m.duplicate += 1,
            Some(i) => m.per_send[i] = Some(a.at),
        }
    }
    m
}

/// Matches sends to arrivals ([`match_arrivals`]) and builds the report.
pub fn build(
    info: &RunInfo,
    sends: &[SendRecord],
    arrivals: &Arrivals,
    bridge_rss: Option<RssStats>,
) -> Report {
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut bump = |k: &str, n: u64| {
        if n > 0 {
            *errors.entry(k.to_owned()).or_default() += n;
        }
    };
    let Matching {
        per_send: matched,
        duplicate,
        unexpected,
    } = match_arrivals(sends, arrivals);
    let mut from_send = Histogram::new();
    let mut from_intended = Histogram::new();
    let (mut sent, mut accepted, mut completed) = (0u64, 0u64, 0u64);
    let (mut missing, mut after_error) = (0, 0);
    let mut max_lag = Duration::ZERO;
    let first_intended = sends.iter().map(|s| s.intended).min();
    let mut last_sent = None;
    let mut last_arrival = None;
    for (s, m) in sends.iter().zip(&matched) {
        if let Some(t) = s.sent {
            sent += 1;
            max_lag = max_lag.max(since(t, s.intended));
            last_sent = last_sent.max(Some(t));
        }
        let kind = s.outcome.error_kind();
        if let Some(k) = &kind {
            bump(k, 1);
        } else {
            accepted += 1;
        }
        match (m, s.sent) {
            (Some(at), Some(t)) => {
                if kind.is_some() {
                    after_error += 1;
                }
                completed += 1;
                from_send.record(since(*at, t));
                from_intended.record(since(*at, s.intended));
                last_arrival = last_arrival.max(Some(*at));
            }
            _ if matches!(s.outcome, SendOutcome::Status(200..=299)) => missing += 1,
            _ => {}
        }
    }
    bump("missing_allowpass", missing);
    bump("allowpass_after_error", after_error);
    bump("duplicate_allowpass", duplicate);
    bump("unexpected_allowpass", unexpected);
    bump("arrival_feed_lost", arrivals.lost_lines);
    let per_sec = |n: u64, end: Option<SystemTime>| match (first_intended, end) {
        (Some(a), Some(b)) if b > a => n as f64 / since(b, a).as_secs_f64(),
        _ => 0.0,
    };
    Report {
        target: info.target.clone(),
        mode: info.mode.clone(),
        connections: info.connections,
        offered_rate: info.offered_rate,
        duration_s: info.duration.as_secs_f64(),
        scheduled: sends.len() as u64,
        sent,
        accepted,
        completed,
        achieved_send_rate: (per_sec(sent, last_sent) * 10.0).round() / 10.0,
        completion_rate: (per_sec(completed, last_arrival) * 10.0).round() / 10.0,
        max_send_lag_us: (max_lag.as_nanos() as f64 / 100.0).round() / 10.0,
        latency_from_send: Quantiles::of(&from_send),
        latency_from_intended: Quantiles::of(&from_intended),
        errors,
        bridge_rss,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::arrivals::Arrival;

    fn t(ms: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000) + Duration::from_millis(ms)
    }

    fn send(idx: u64, person: u32, at_ms: u64, outcome: SendOutcome) -> SendRecord {
        SendRecord {
            idx,
            person,
            intended: t(at_ms),
            sent: Some(t(at_ms + 1)),
            event_secs: 1_700_000_000,
            outcome,
        }
    }

    fn pass(object: u32, at_ms: u64) -> Arrival {
        Arrival {
            object,
            at: t(at_ms),
            conn: 1,
        }
    }

    fn info() -> RunInfo {
        RunInfo {
            target: "http://x/…".to_owned(),
            mode: "keep-alive".to_owned(),
            connections: 1,
            offered_rate: 1000.0,
            duration: Duration::from_secs(1),
        }
    }

    #[test]
    fn each_pass_is_matched_to_the_latest_earlier_send_of_its_object() {
        let ok = SendOutcome::Status(202);
        // Person 5 recurs: the second pass belongs to the second send.
        let sends = [send(0, 5, 0, ok), send(1, 6, 10, ok), send(2, 5, 20, ok)];
        let arrivals = Arrivals {
            passes: vec![pass(5, 24), pass(6, 13), pass(5, 3)],
            lost_lines: 0,
        };
        let r = build(&info(), &sends, &arrivals, None);
        assert_eq!((r.sent, r.accepted, r.completed), (3, 3, 3));
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        // From send: 2, 2 and 3 ms; from intended: 3, 3 and 4 ms.
        assert_eq!(r.latency_from_send.max_us, 3_000.0);
        assert_eq!(r.latency_from_intended.max_us, 4_000.0);
        assert_eq!(r.latency_from_send.count, 3);
    }

    #[test]
    fn missing_duplicate_unexpected_and_failed_events_are_counted_by_kind() {
        let sends = [
            send(0, 1, 0, SendOutcome::Status(202)),
            send(1, 2, 1, SendOutcome::Status(202)),
            send(2, 3, 2, SendOutcome::Status(503)),
            send(3, 4, 3, SendOutcome::Timeout),
            SendRecord {
                sent: None,
                ..send(4, 5, 4, SendOutcome::Connect)
            },
        ];
        let arrivals = Arrivals {
            // 1 twice (a duplicate), 2 never (missing), 4 despite the timeout, 99 unknown,
            // and 3 before its send (unexpected).
            passes: vec![pass(1, 5), pass(1, 6), pass(4, 9), pass(99, 9), pass(3, 0)],
            lost_lines: 2,
        };
        let r = build(&info(), &sends, &arrivals, None);
        let want: BTreeMap<String, u64> = [
            ("allowpass_after_error", 1),
            ("arrival_feed_lost", 2),
            ("connect", 1),
            ("duplicate_allowpass", 1),
            ("http_503", 1),
            ("missing_allowpass", 1),
            ("timeout", 1),
            ("unexpected_allowpass", 2),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(r.errors, want);
        assert_eq!((r.scheduled, r.sent, r.accepted, r.completed), (5, 4, 2, 2));
    }

    #[test]
    fn the_table_names_every_quantile_and_error() {
        let sends = [send(0, 1, 0, SendOutcome::Status(503))];
        let r = build(&info(), &sends, &Arrivals::default(), None);
        let table = render_table(&r);
        for word in ["p50", "p99.9", "from intended", "http_503", "not measured"] {
            assert!(table.contains(word), "{word} missing from\n{table}");
        }
    }
}
