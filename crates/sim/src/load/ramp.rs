//! Finding the highest sustainable rate: run steps of rising rate and judge each.

use std::time::Duration;

use serde::Serialize;

use super::report::Report;

/// What "sustained" means for one step.
#[derive(Clone, Copy, Debug)]
pub struct Criteria {
    /// Least share of scheduled events that must complete (e.g. 0.999).
    pub min_completion: f64,
    /// Largest p99 latency from the intended send time.
    pub max_p99: Duration,
    /// Least achieved send rate as a share of the offered rate (the driver kept up).
    pub min_send_share: f64,
}

impl Default for Criteria {
    fn default() -> Self {
        Self {
            min_completion: 0.999,
            max_p99: Duration::from_millis(100),
            min_send_share: 0.95,
        }
    }
}

/// One step and its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// Whether the step met the criteria.
    pub sustained: bool,
    /// Why not, when it did not.
    pub reasons: Vec<String>,
    /// The step's report.
    pub report: Report,
}

/// Judges a step against `c`.
pub fn judge(report: Report, c: &Criteria) -> Step {
    let mut reasons = Vec::new();
    let scheduled = report.scheduled.max(1) as f64;
    let completion = report.completed as f64 / scheduled;
    if completion < c.min_completion {
        reasons.push(format!(
            "completed {:.2}% of events (< {:.2}%)",
            completion * 100.0,
            c.min_completion * 100.0
        ));
    }
    let p99_ms = report.latency_from_intended.p99_us / 1_000.0;
    if p99_ms > c.max_p99.as_secs_f64() * 1_000.0 {
        reasons.push(format!(
            "p99 from intended {p99_ms:.1} ms (> {} ms)",
            c.max_p99.as_millis()
        ));
    }
    if report.achieved_send_rate < report.offered_rate * c.min_send_share {
        reasons.push(format!(
            "sent {:.0}/s of {:.0}/s offered",
            report.achieved_send_rate, report.offered_rate
        ));
    }
    if !report.errors.is_empty() {
        let kinds: Vec<String> = report
            .errors
            .iter()
            .map(|(k, n)| format!("{k}={n}"))
            .collect();
        reasons.push(format!("errors: {}", kinds.join(", ")));
    }
    Step {
        sustained: reasons.is_empty(),
        reasons,
        report,
    }
}

/// The highest offered rate among sustained steps.
pub fn max_sustained(steps: &[Step]) -> Option<f64> {
    steps
        .iter()
        .filter(|s| s.sustained)
        .map(|s| s.report.offered_rate)
        .fold(None, |m, r| Some(m.map_or(r, |m: f64| m.max(r))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::report::Quantiles;

    fn report(rate: f64, completed: u64, p99_us: f64) -> Report {
        Report {
            offered_rate: rate,
            scheduled: 1_000,
            sent: 1_000,
            accepted: 1_000,
            completed,
            achieved_send_rate: rate,
            latency_from_intended: Quantiles {
                p99_us,
                ..Quantiles::default()
            },
            ..Report::default()
        }
    }

    #[test]
    fn a_clean_fast_step_is_sustained_and_a_slow_or_lossy_one_is_not() {
        let c = Criteria::default();
        assert!(judge(report(1_000.0, 1_000, 900.0), &c).sustained);
        let slow = judge(report(2_000.0, 1_000, 250_000.0), &c);
        assert!(!slow.sustained);
        assert!(slow.reasons[0].contains("p99"), "{:?}", slow.reasons);
        let lossy = judge(report(3_000.0, 900, 900.0), &c);
        assert!(lossy.reasons[0].contains("90.00%"), "{:?}", lossy.reasons);
    }

    #[test]
    fn the_maximum_is_the_highest_sustained_rate() {
        let c = Criteria::default();
        let steps = vec![
            judge(report(1_000.0, 1_000, 500.0), &c),
            judge(report(2_000.0, 1_000, 800.0), &c),
            judge(report(4_000.0, 700, 800.0), &c),
        ];
        assert_eq!(max_sustained(&steps), Some(2_000.0));
        assert_eq!(max_sustained(&steps[2..]), None);
    }
}
