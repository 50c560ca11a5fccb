//! Property tests of the reconnect policy's invariants.

use std::time::Duration;

use acs_client::{Jitter, ReconnectPolicy};
use proptest::prelude::*;

fn jitter() -> impl Strategy<Value = Jitter> {
    prop_oneof![Just(Jitter::None), Just(Jitter::Full), Just(Jitter::Equal)]
}

fn policy() -> impl Strategy<Value = ReconnectPolicy> {
    (1u64..5_000, 1u64..600_000, 1.0f64..10.0, jitter()).prop_map(
        |(initial_ms, max_ms, multiplier, jitter)| ReconnectPolicy {
            initial: Duration::from_millis(initial_ms),
            max: Duration::from_millis(max_ms),
            multiplier,
            jitter,
            stable_after: Duration::from_secs(10),
        },
    )
}

proptest! {
    #[test]
    fn no_delay_ever_exceeds_the_cap(p in policy(), attempt in any::<u32>(), r in any::<f64>()) {
        prop_assert!(p.delay(attempt, r) <= p.max);
        prop_assert!(p.auth_failure_delay(r) <= p.max);
    }

    #[test]
    fn for_the_same_random_number_a_later_attempt_never_waits_less(
        p in policy(), attempt in 0u32..200, r in 0.0f64..1.0,
    ) {
        prop_assert!(p.delay(attempt + 1, r) >= p.delay(attempt, r));
    }

    #[test]
    fn equal_jitter_never_waits_less_than_half_the_base_delay(
        p in policy(), attempt in 0u32..64, r in 0.0f64..1.0,
    ) {
        let p = ReconnectPolicy { jitter: Jitter::Equal, ..p };
        let base = ReconnectPolicy { jitter: Jitter::None, ..p.clone() }.delay(attempt, 0.0);
        let d = p.delay(attempt, r);
        // One microsecond of slack for float rounding.
        prop_assert!(d + Duration::from_micros(1) >= base / 2, "{d:?} < {base:?}/2");
        prop_assert!(d <= base);
    }

    #[test]
    fn an_authentication_failure_waits_at_least_as_long_as_any_attempt(
        p in policy(), attempt in any::<u32>(), r in 0.0f64..1.0,
    ) {
        prop_assert!(p.auth_failure_delay(r) >= p.delay(attempt, r));
    }
}
