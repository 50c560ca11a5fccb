//! What a run sends: rate phases, connection use, person ids and the event template.

use std::time::Duration;

/// How requests use connections.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ConnectionMode {
    /// This many keep-alive connections, events dealt round-robin (HTTP/1.1: one request in
    /// flight per connection; later events queue behind it and that wait counts as latency).
    KeepAlive {
        /// Number of connections (at least 1).
        connections: usize,
    },
    /// A new connection for every request (`Connection: close`), at most `max_in_flight`
    /// open at once; the wait for a slot counts as latency.
    PerRequest {
        /// Most requests open at once (at least 1).
        max_in_flight: usize,
    },
}

/// What to send.
#[derive(Clone, Debug)]
pub struct SendPlan {
    /// Events per second.
    pub rate: f64,
    /// How long to send.
    pub duration: Duration,
    /// Connection use.
    pub mode: ConnectionMode,
    /// The first person id; ids cycle through `first_person..first_person + persons`.
    pub first_person: u32,
    /// How many distinct person ids to cycle through (so cooldown never triggers).
    pub persons: u32,
    /// The camera name every event carries (a `[[door]]` of the bridge).
    pub camera: String,
    /// Prefix of the notification ids (`<run_id>-<n>`), unique per run.
    pub run_id: String,
    /// How long one request (connect included) may take before it counts as a timeout.
    pub request_timeout: Duration,
    /// Further phases sent right after the first (`rate` for `duration`), e.g. a burst and
    /// a recovery; usually empty.
    pub then: Vec<Phase>,
}

/// A stretch of the schedule at one rate.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Phase {
    /// Events per second (positive).
    pub rate: f64,
    /// How long.
    pub duration: Duration,
}

impl Phase {
    fn events(&self) -> u64 {
        if self.rate.is_finite() && self.rate > 0.0 {
            (self.rate * self.duration.as_secs_f64()).round() as u64
        } else {
            0
        }
    }
}

impl SendPlan {
    /// Every phase in order, the first being `rate` for `duration`.
    pub fn phases(&self) -> Vec<Phase> {
        let first = Phase {
            rate: self.rate,
            duration: self.duration,
        };
        std::iter::once(first)
            .chain(self.then.iter().copied())
            .collect()
    }

    /// How many events the plan sends.
    pub fn total(&self) -> u64 {
        self.phases().iter().map(Phase::events).sum()
    }

    /// The whole sending time.
    pub fn total_duration(&self) -> Duration {
        self.phases().iter().map(|p| p.duration).sum()
    }

    /// The planned send time of each event, as an offset from the start.
    pub(crate) fn offsets(&self) -> impl Iterator<Item = Duration> {
        let mut start = Duration::ZERO;
        let mut out = Vec::new();
        for p in self.phases() {
            let n = p.events();
            out.push((start, p.rate, n));
            start += p.duration;
        }
        out.into_iter().flat_map(|(start, rate, n)| {
            (0..n).map(move |j| start + Duration::from_secs_f64(j as f64 / rate))
        })
    }

    /// The person id of event `i`.
    pub fn person(&self, i: u64) -> u32 {
        let span = u64::from(self.persons.max(1));
        self.first_person
            .saturating_add(u32::try_from(i % span).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_follow_each_other_at_their_own_rates() {
        let plan = SendPlan {
            rate: 10.0,
            duration: Duration::from_secs(1),
            mode: ConnectionMode::KeepAlive { connections: 1 },
            first_person: 5,
            persons: 3,
            camera: "c".to_owned(),
            run_id: "r".to_owned(),
            request_timeout: Duration::from_secs(1),
            then: vec![Phase {
                rate: 100.0,
                duration: Duration::from_millis(100),
            }],
        };
        assert_eq!(plan.total(), 20);
        assert_eq!(plan.total_duration(), Duration::from_millis(1_100));
        let offsets: Vec<Duration> = plan.offsets().collect();
        assert_eq!(offsets[1], Duration::from_millis(100));
        assert_eq!(offsets[10], Duration::from_secs(1));
        assert_eq!(offsets[11], Duration::from_millis(1_010));
        assert_eq!((plan.person(0), plan.person(2), plan.person(3)), (5, 7, 5));
    }
}
