//! Property tests: the loader and the value parsers never panic, whatever a person writes.

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::duration::{format_duration, parse_duration};

const KEYS: &[&str] = &[
    "[ingest]",
    "[[acs]]",
    "[[door]]",
    "[identity]",
    "[policy]",
    "[watcher]",
    "[[watcher.subscribe]]",
    "listen = ",
    "token = ",
    "address = ",
    "access_point = ",
    "direction = ",
    "mode = ",
    "camera = ",
    "min_score = ",
    "cooldown = ",
    "allow_from = ",
    "max_body = ",
    "acs = ",
    "\"10s\"",
    "\"in\"",
    "-1",
    "1.5",
    "[\"10.0.0.0/8\"]",
    "\"table\"",
    "\n",
    "=",
    "\"",
    "[",
];

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(KEYS).prop_map(str::to_string),
            "[ -~]{0,12}",
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn the_loader_never_panics_and_every_problem_is_one_line(text in fragments()) {
        let env = |_: &str| Some("0123456789abcdef0123456789abcdef".to_string());
        if let Err(e) = Config::from_toml_str_with_env(&text, Path::new("/nonexistent"), Path::new("f.toml"), &env) {
            prop_assert!(!e.errors.is_empty());
            for line in e.lines() {
                prop_assert!(!line.contains('\n'), "{}", line);
            }
        }
    }

    #[test]
    fn durations_round_trip_through_their_text(ms in 0u64..10_000_000_000) {
        let d = Duration::from_millis(ms);
        prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
    }

    #[test]
    fn value_parsers_never_panic(s in "\\PC{0,24}") {
        let _ = parse_duration(&s);
        let _ = crate::size::parse_size(&s);
        let _ = s.parse::<Cidr>();
        let _ = table::parse_table(&s);
    }
}
