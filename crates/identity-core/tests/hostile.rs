//! Hostile values a peer can put in a sighting: extreme event times and odd scores.

mod common;

use common::*;
use identity_core::*;

#[test]
fn event_times_at_the_ends_of_i64_are_future_or_stale_and_never_panic() {
    let mut e = engine();
    let s = sighting(135, "entrance", "max", i64::MAX);
    assert_eq!(
        e.decide(&s, UnixMillis(T0)).rejected(),
        Some(Outcome::Future)
    );
    let s = sighting(135, "entrance", "min", i64::MIN);
    assert_eq!(
        e.decide(&s, UnixMillis(T0)).rejected(),
        Some(Outcome::Stale)
    );
}

#[test]
fn extreme_clocks_do_not_panic_and_never_allow_an_extreme_event() {
    for now in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
        for t in [i64::MIN, i64::MIN + 1, 0, i64::MAX - 1, i64::MAX] {
            let mut e = engine();
            let d = e.decide(&sighting(135, "entrance", "", t), UnixMillis(now));
            if let Decision::Allow(a) = &d {
                let age = now.saturating_sub(t);
                assert!((-2_000..=10_000).contains(&age), "now {now} t {t}: {a:?}");
                assert!(a.deadline.0 >= t);
            }
            let mut e = engine();
            let _ = e.decide_all(&sighting(136, "lobby", "k", t), UnixMillis(now));
            let _ = e.snapshot();
        }
    }
}

#[test]
fn nan_infinite_and_negative_scores_never_pass_min_score() {
    for score in [
        f32::NAN,
        -f32::NAN,
        f32::NEG_INFINITY,
        -1.0,
        -0.0,
        0.0,
        0.79,
    ] {
        let mut e = engine();
        let mut s = sighting(135, "entrance", "", T0);
        s.score = Some(score);
        assert_eq!(
            e.decide(&s, UnixMillis(T0)).rejected(),
            Some(Outcome::LowScore),
            "{score}"
        );
    }
}

#[test]
fn a_nan_or_out_of_range_min_score_is_refused_by_validate() {
    for min in [f32::NAN, f32::INFINITY, -0.1, 1.1] {
        let mut c = config();
        c.policy.min_score = Some(min);
        assert!(Engine::new(c).is_err(), "{min}");
    }
}
