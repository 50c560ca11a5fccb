//! Tests for the journal store and writer.

use std::time::Duration;

use super::*;

fn row(received_at: i64, outcome: &str, person: Option<u64>) -> JournalRecord {
    JournalRecord {
        received_at,
        source: "push".into(),
        event_key: format!("ev-{received_at}"),
        event_time: received_at - 100,
        person_id: person,
        person_name: person.map(|p| format!("Person {p}")),
        person_list: Some(1),
        camera: Some("entrance".into()),
        acs: Some("hq".into()),
        access_point: Some(1),
        object_id: Some(6),
        direction: Some("in".into()),
        outcome: outcome.into(),
        acs_error: None,
        latency_us: Some(850),
        detail: None,
    }
}

fn temp_journal() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    (dir, path)
}

#[test]
fn a_batch_round_trips_every_column() {
    let (_dir, path) = temp_journal();
    let mut j = Journal::open(&path).unwrap();
    let mut r = row(1_000, "denied_by_acs", Some(u64::MAX));
    r.acs_error = Some(7);
    r.detail = Some("ALLOWPASS 1 6 IN".into());
    r.latency_us = Some(u64::MAX - 1);
    j.insert_batch(&[r.clone(), row(2_000, "granted", None)])
        .unwrap();
    let rows = j.query(&JournalQuery::default()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], r);
    assert_eq!(rows[1].person_id, None);
}

#[test]
fn the_database_is_in_wal_mode() {
    let (_dir, path) = temp_journal();
    let j = Journal::open(&path).unwrap();
    drop(j);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn filters_combine_and_limit_keeps_the_newest_rows_oldest_first() {
    let (_dir, path) = temp_journal();
    let mut j = Journal::open(&path).unwrap();
    let rows: Vec<_> = (1..=10)
        .map(|i| {
            let outcome = if i % 2 == 0 { "granted" } else { "cooldown" };
            row(i * 1_000, outcome, Some(100 + (i as u64 % 3)))
        })
        .collect();
    j.insert_batch(&rows).unwrap();
    let since = j
        .query(&JournalQuery {
            since: Some(5_000),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(since.len(), 6);
    let granted = j
        .query(&JournalQuery {
            outcome: Some("granted".into()),
            person: Some(101),
            ..Default::default()
        })
        .unwrap();
    // i in 1..=10 with i even and i % 3 == 1: 4 and 10.
    let times: Vec<i64> = granted.iter().map(|r| r.received_at).collect();
    assert_eq!(times, vec![4_000, 10_000]);
    let last3 = j
        .query(&JournalQuery {
            limit: Some(3),
            ..Default::default()
        })
        .unwrap();
    let times: Vec<i64> = last3.iter().map(|r| r.received_at).collect();
    assert_eq!(times, vec![8_000, 9_000, 10_000]);
    assert_eq!(j.recent(9_000).unwrap().len(), 2);
}

#[test]
fn prune_deletes_only_older_rows() {
    let (_dir, path) = temp_journal();
    let mut j = Journal::open(&path).unwrap();
    j.insert_batch(&[
        row(1, "granted", None),
        row(2, "granted", None),
        row(3, "stale", None),
    ])
    .unwrap();
    assert_eq!(j.prune(3).unwrap(), 2);
    assert_eq!(j.count().unwrap(), 1);
}

#[test]
fn rows_survive_closing_and_reopening() {
    let (_dir, path) = temp_journal();
    {
        let mut j = Journal::open(&path).unwrap();
        j.insert_batch(&[row(5, "granted", Some(1))]).unwrap();
    }
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.count().unwrap(), 1);
    let ro = Journal::open_read_only(&path).unwrap();
    assert_eq!(
        ro.query(&JournalQuery::default()).unwrap()[0].received_at,
        5
    );
}

#[test]
fn a_missing_file_is_not_created_by_a_read_only_open() {
    let (_dir, path) = temp_journal();
    assert!(matches!(
        Journal::open_read_only(&path),
        Err(JournalError::NotFound(_))
    ));
    assert!(!path.exists());
}

#[tokio::test]
async fn the_writer_commits_on_flush_and_on_shutdown() {
    let (_dir, path) = temp_journal();
    let handle = spawn_writer(
        Journal::open(&path).unwrap(),
        JournalWriterConfig::default(),
    )
    .unwrap();
    let reader = Journal::open_read_only(&path).unwrap();
    for i in 0..1_000 {
        handle.record(row(i, "granted", Some(1)));
    }
    handle.flush().await;
    assert_eq!(reader.count().unwrap(), 1_000);
    let clone = handle.clone();
    for i in 1_000..1_700 {
        clone.record_async(row(i, "cooldown", Some(2))).await;
    }
    handle.shutdown().await;
    assert_eq!(reader.count().unwrap(), 1_700);
    assert_eq!(
        clone
            .stats()
            .written
            .load(std::sync::atomic::Ordering::Relaxed),
        1_700
    );
    // After shutdown a row is refused and counted, not silently lost.
    clone.record(row(9_999, "granted", None));
    assert_eq!(
        clone
            .stats()
            .dropped
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

#[tokio::test]
async fn a_full_queue_counts_what_it_refuses() {
    let (_dir, path) = temp_journal();
    let config = JournalWriterConfig {
        capacity: 1,
        ..Default::default()
    };
    let handle = spawn_writer(Journal::open(&path).unwrap(), config).unwrap();
    for i in 0..10_000 {
        handle.record(row(i, "granted", None));
    }
    let stats = handle.clone();
    handle.shutdown().await;
    let written = stats
        .stats()
        .written
        .load(std::sync::atomic::Ordering::Relaxed);
    let dropped = stats
        .stats()
        .dropped
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(written + dropped, 10_000);
    assert_eq!(
        Journal::open_read_only(&path).unwrap().count().unwrap(),
        written
    );
}

#[tokio::test]
async fn a_reader_can_query_while_the_writer_writes() {
    let (_dir, path) = temp_journal();
    let handle = spawn_writer(
        Journal::open(&path).unwrap(),
        JournalWriterConfig::default(),
    )
    .unwrap();
    let reader_path = path.clone();
    let reader = std::thread::spawn(move || {
        let ro = Journal::open_read_only(&reader_path).unwrap();
        let mut last = 0;
        for _ in 0..200 {
            let n = ro.count().unwrap();
            assert!(n >= last, "row count went backwards");
            last = n;
            std::thread::sleep(Duration::from_millis(1));
        }
        last
    });
    for i in 0..5_000 {
        handle.record_async(row(i, "granted", Some(i as u64))).await;
        if i % 500 == 0 {
            tokio::task::yield_now().await;
        }
    }
    handle.shutdown().await;
    let seen = tokio::task::spawn_blocking(move || reader.join().unwrap())
        .await
        .unwrap();
    assert!(seen <= 5_000);
    assert_eq!(
        Journal::open_read_only(&path).unwrap().count().unwrap(),
        5_000
    );
}

#[tokio::test]
async fn retention_prunes_old_rows_when_the_writer_starts() {
    let (_dir, path) = temp_journal();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    {
        let mut j = Journal::open(&path).unwrap();
        j.insert_batch(&[
            row(now - 3 * 86_400_000, "granted", None),
            row(now, "granted", None),
        ])
        .unwrap();
    }
    let config = JournalWriterConfig {
        retention: Some(Duration::from_secs(86_400)),
        ..Default::default()
    };
    let handle = spawn_writer(Journal::open(&path).unwrap(), config).unwrap();
    handle.flush().await;
    let stats = handle.clone();
    handle.shutdown().await;
    assert_eq!(
        stats
            .stats()
            .pruned
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert_eq!(Journal::open_read_only(&path).unwrap().count().unwrap(), 1);
}

#[test]
fn the_outcome_names_are_identity_cores() {
    let core: Vec<&str> = identity_core::Outcome::ALL
        .iter()
        .map(|o| o.as_str())
        .collect();
    assert_eq!(OUTCOMES, core.as_slice());
}

/// Throughput of the writer (run by hand: `cargo test -p facegate-bridge --lib
/// journal::tests::writer_throughput -- --ignored --nocapture`).
#[tokio::test]
#[ignore = "measurement, not a check"]
async fn writer_throughput() {
    let (_dir, path) = temp_journal();
    let handle = spawn_writer(
        Journal::open(&path).unwrap(),
        JournalWriterConfig::default(),
    )
    .unwrap();
    let n = 100_000;
    let start = std::time::Instant::now();
    for i in 0..n {
        handle.record_async(row(i, "granted", Some(i as u64))).await;
    }
    handle.shutdown().await;
    let secs = start.elapsed().as_secs_f64();
    println!("{n} rows in {secs:.2} s = {:.0} rows/s", n as f64 / secs);
    assert_eq!(
        Journal::open_read_only(&path).unwrap().count().unwrap(),
        n as u64
    );
}
