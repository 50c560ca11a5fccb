//! The reconnect policy: a pure function from the attempt number (and a random number) to a
//! delay. No clock, no randomness source: both come in as parameters so it is testable.

use std::time::Duration;

/// How randomness spreads the delays of many clients reconnecting at once.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Jitter {
    /// No jitter: exactly the exponential delay.
    None,
    /// "Full jitter": uniformly in `[0, d]`. Spreads best, but may retry almost at once.
    Full,
    /// "Equal jitter": uniformly in `[d/2, d]`. Never shorter than half the delay.
    #[default]
    Equal,
}

/// Capped exponential backoff with jitter.
///
/// Attempt 0 is the first reconnect after a failure; its base delay is `initial`, and each
/// further attempt multiplies it by `multiplier` until `max`. Authentication failures
/// (`ERROR 3/11/21`) skip straight to the cap: a wrong password does not get better by asking
/// fast, and hammering the ACS with bad logins may lock the account.
#[derive(Clone, Debug, PartialEq)]
pub struct ReconnectPolicy {
    /// Base delay of the first reconnect attempt.
    pub initial: Duration,
    /// The cap: no delay is ever longer.
    pub max: Duration,
    /// Growth factor per attempt (values below 1 are treated as 1).
    pub multiplier: f64,
    /// How the delay is randomised.
    pub jitter: Jitter,
    /// A session that stayed logged in at least this long resets the attempt counter, so a
    /// link that fails again much later starts from `initial` again.
    pub stable_after: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(60),
            multiplier: 2.0,
            jitter: Jitter::Equal,
            stable_after: Duration::from_secs(10),
        }
    }
}

impl ReconnectPolicy {
    /// The delay before reconnect attempt `attempt` (0-based), given `rand` uniform in `[0, 1)`
    /// (values outside are clamped). Never more than `max`.
    pub fn delay(&self, attempt: u32, rand: f64) -> Duration {
        let cap = self.max.as_secs_f64();
        let factor = self.multiplier.max(1.0);
        // powi with a large exponent overflows to +inf, which `min` then caps.
        let exponent = i32::try_from(attempt).unwrap_or(i32::MAX);
        let base = (self.initial.as_secs_f64() * factor.powi(exponent)).min(cap);
        self.jittered(base, rand)
    }

    /// The delay after an authentication failure: the cap, jittered.
    pub fn auth_failure_delay(&self, rand: f64) -> Duration {
        self.jittered(self.max.as_secs_f64(), rand)
    }

    fn jittered(&self, base: f64, rand: f64) -> Duration {
        let r = if rand.is_finite() {
            rand.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let secs = match self.jitter {
            Jitter::None => base,
            Jitter::Full => base * r,
            Jitter::Equal => base / 2.0 + base / 2.0 * r,
        };
        if secs.is_finite() && secs > 0.0 {
            Duration::from_secs_f64(secs).min(self.max)
        } else {
            Duration::ZERO
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: Jitter) -> ReconnectPolicy {
        ReconnectPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(10),
            multiplier: 2.0,
            jitter,
            stable_after: Duration::from_secs(1),
        }
    }

    #[test]
    fn without_jitter_the_delay_doubles_until_the_cap() {
        let p = policy(Jitter::None);
        let got: Vec<u64> = (0..10)
            .map(|a| p.delay(a, 0.5).as_millis() as u64)
            .collect();
        assert_eq!(
            got,
            vec![100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]
        );
    }

    #[test]
    fn huge_attempt_numbers_stay_at_the_cap() {
        let p = policy(Jitter::None);
        assert_eq!(p.delay(u32::MAX, 0.0), Duration::from_secs(10));
        assert_eq!(p.delay(5000, 0.0), Duration::from_secs(10));
    }

    #[test]
    fn equal_jitter_stays_between_half_and_the_full_delay() {
        let p = policy(Jitter::Equal);
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay(2, 1.0), Duration::from_millis(400));
        let mid = p.delay(2, 0.5);
        assert!(mid > Duration::from_millis(200) && mid < Duration::from_millis(400));
    }

    #[test]
    fn full_jitter_spans_zero_to_the_delay() {
        let p = policy(Jitter::Full);
        assert_eq!(p.delay(3, 0.0), Duration::ZERO);
        assert_eq!(p.delay(3, 1.0), Duration::from_millis(800));
    }

    #[test]
    fn out_of_range_random_numbers_are_clamped() {
        let p = policy(Jitter::Equal);
        assert_eq!(p.delay(0, -3.0), Duration::from_millis(50));
        assert_eq!(p.delay(0, 7.0), Duration::from_millis(100));
        assert_eq!(p.delay(0, f64::NAN), Duration::from_millis(50));
    }

    #[test]
    fn authentication_failures_wait_at_the_cap() {
        let p = policy(Jitter::Equal);
        assert_eq!(p.auth_failure_delay(1.0), Duration::from_secs(10));
        assert!(p.auth_failure_delay(0.0) >= Duration::from_secs(5));
        assert_eq!(
            policy(Jitter::None).auth_failure_delay(0.3),
            Duration::from_secs(10)
        );
    }

    #[test]
    fn a_multiplier_below_one_never_shrinks_the_delay() {
        let p = ReconnectPolicy {
            multiplier: 0.1,
            ..policy(Jitter::None)
        };
        assert_eq!(p.delay(4, 0.0), Duration::from_millis(100));
    }

    #[test]
    fn delays_never_exceed_the_cap_and_grow_with_the_attempt() {
        for jitter in [Jitter::None, Jitter::Full, Jitter::Equal] {
            let p = policy(jitter);
            for step in 0..=20u32 {
                let r = f64::from(step) / 20.0;
                let mut previous = Duration::ZERO;
                for attempt in 0..80 {
                    let d = p.delay(attempt, r);
                    assert!(d <= p.max, "{jitter:?} attempt {attempt} r {r}: {d:?}");
                    assert!(d >= previous, "{jitter:?} attempt {attempt} r {r}");
                    previous = d;
                }
            }
        }
    }
}
