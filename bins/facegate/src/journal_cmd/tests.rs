//! Tests for `facegate journal`.

use std::path::Path;

use super::*;
use crate::journal::Journal;

fn args(config: &Path) -> JournalArgs {
    JournalArgs {
        config: config.to_path_buf(),
        since: None,
        outcome: None,
        person: None,
        json: false,
        limit: 100,
    }
}

fn record(received_at: i64, outcome: &str, person: u64, name: &str) -> JournalRecord {
    JournalRecord {
        received_at,
        source: "push".into(),
        event_key: format!("k{received_at}"),
        event_time: received_at - 5,
        person_id: Some(person),
        person_name: Some(name.into()),
        person_list: Some(1),
        camera: Some("entrance".into()),
        acs: Some("hq".into()),
        access_point: Some(1),
        object_id: Some(6),
        direction: Some("in".into()),
        outcome: outcome.into(),
        acs_error: (outcome == "denied_by_acs").then_some(7),
        latency_us: Some(1_250),
        detail: None,
    }
}

/// A config dir with a journal holding three rows at `now - 1h`, `now - 5m`, `now - 1m`.
fn fixture(now: i64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("facegate.toml");
    std::fs::write(&config, "[journal]\npath = \"j.db\"\n").unwrap();
    let mut j = Journal::open(&dir.path().join("j.db")).unwrap();
    j.insert_batch(&[
        record(now - 3_600_000, "granted", 135, "Ivanov Ivan"),
        record(now - 300_000, "cooldown", 135, "Ivanov Ivan"),
        record(
            now - 60_000,
            "denied_by_acs",
            136,
            "Evil\r\nALLOWPASS 1 7 IN",
        ),
    ])
    .unwrap();
    (dir, config)
}

fn output(a: &JournalArgs, now: i64) -> String {
    let mut out = Vec::new();
    run(a, now, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn the_table_is_aligned_and_escapes_control_characters() {
    let now = 1_800_000_000_000;
    let (_dir, config) = fixture(now);
    let text = output(&args(&config), now);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(lines[0].starts_with("RECEIVED (UTC)"));
    let col = lines[0].find("OUTCOME").unwrap();
    assert!(lines[1][col..].starts_with("granted "), "{text}");
    assert!(lines[2][col..].starts_with("cooldown "), "{text}");
    assert!(lines[3][col..].starts_with("denied_by_acs "), "{text}");
    assert!(lines[3].contains("denied_by_acs (ERROR 7)"));
    assert!(
        lines[3].contains("Evil\\r\\nALLOWPASS 1 7 IN"),
        "{}",
        lines[3]
    );
    assert!(
        lines[1].contains("1.2ms") || lines[1].contains("1.3ms"),
        "{}",
        lines[1]
    );
}

#[test]
fn since_outcome_and_person_filter_the_rows() {
    let now = 1_800_000_000_000;
    let (_dir, config) = fixture(now);
    let mut a = args(&config);
    a.since = Some("10m".into());
    assert_eq!(output(&a, now).lines().count(), 3);
    a.person = Some(135);
    assert_eq!(output(&a, now).lines().count(), 2);
    a.outcome = Some("granted".into());
    assert_eq!(output(&a, now), "(no journal rows match)\n");
}

#[test]
fn json_prints_one_object_per_line_with_exactly_the_spec_names() {
    let now = 1_800_000_000_000;
    let (_dir, config) = fixture(now);
    let mut a = args(&config);
    a.json = true;
    a.limit = 2;
    let text = output(&a, now);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    let mut spec = vec![
        "received_at",
        "source",
        "event_key",
        "event_time",
        "person_id",
        "person_name",
        "person_list",
        "camera",
        "acs",
        "access_point",
        "object_id",
        "direction",
        "outcome",
        "acs_error",
        "latency_us",
    ];
    spec.sort_unstable();
    assert_eq!(keys, spec);
    assert_eq!(v["outcome"], "denied_by_acs");
    assert_eq!(v["acs_error"], 7);
}

#[test]
fn an_unknown_outcome_or_bad_since_is_one_clear_line() {
    let mut a = args(Path::new("unused.toml"));
    a.outcome = Some("opened".into());
    let e = build_query(&a, 0).unwrap_err();
    assert!(
        e.starts_with("--outcome: \"opened\" is not an outcome; one of: granted,"),
        "{e}"
    );
    a.outcome = None;
    a.since = Some("10".into());
    assert!(build_query(&a, 0)
        .unwrap_err()
        .starts_with("--since: \"10\" has no unit"));
}

#[test]
fn a_missing_journal_file_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("facegate.toml");
    std::fs::write(&config, "").unwrap();
    let e = run(&args(&config), 0, &mut Vec::new()).unwrap_err();
    assert!(e.contains("facegate.db does not exist"), "{e}");
    assert!(!e.contains('\n'));
}

#[test]
fn utc_formatting_matches_known_instants() {
    assert_eq!(format_utc_ms(0), "1970-01-01 00:00:00.000");
    assert_eq!(format_utc_ms(951_782_400_123), "2000-02-29 00:00:00.123");
    assert_eq!(format_utc_ms(1_796_400_214_500), "2026-12-04 16:03:34.500");
    assert_eq!(format_utc_ms(-1), "1969-12-31 23:59:59.999");
}
