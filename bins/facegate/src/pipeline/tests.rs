//! The decider's shutdown path: nothing accepted is left without a journal record.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use acs_proto::{AccessPointId, Direction};
use identity_core::{Door, Engine, EngineConfig, IdentityMode, Policy};

use super::dispatch::{Lane, Target};
use super::{Pipeline, PipelineLimits, Recorder};
use crate::ingest::EventSink;
use crate::journal::JournalRecord;
use crate::metrics::Metrics;

#[derive(Default)]
struct Rows(Mutex<Vec<JournalRecord>>);

impl Recorder for Rows {
    fn record(&self, record: JournalRecord) {
        self.0.lock().expect("rows").push(record);
    }
}

fn push(person: u64, id: &str) -> String {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    format!(
        r#"{{"notification": {{"id": "{id}", "data": {{"event_start_at": {now},
            "camera_id": "entrance", "person": {{"id": {person}, "person_list_id": 1}}}}}}}}"#
    )
}

#[tokio::test]
async fn sightings_stuck_behind_a_full_lane_at_shutdown_are_journaled_as_expired_and_not_sent() {
    let engine = Engine::new(EngineConfig {
        doors: vec![Door {
            camera: "entrance".to_owned(),
            acs: "hq".to_owned(),
            access_point: AccessPointId(1),
            direction: Direction::In,
        }],
        identity: IdentityMode::Same,
        policy: Policy::default(),
    })
    .expect("engine");
    let rows = Arc::new(Rows::default());
    let pipeline = Pipeline::start(
        engine,
        vec![Lane::new("hq", Target::DryRun, 1)],
        Arc::new(Metrics::new(["hq"])),
        rows.clone(),
        None,
        PipelineLimits { intake: 16 },
    );
    // The lane's one place is taken, as by a command whose ACS never answers.
    let lane = pipeline.lanes()["hq"].clone();
    let held = lane.permits.clone().acquire_owned().await.expect("permit");
    let sink = pipeline.sink();
    for (person, id) in [(6, "a"), (7, "b"), (8, "c")] {
        assert_eq!(
            sink.submit(push(person, id).as_bytes(), SystemTime::now()),
            Ok(1)
        );
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        rows.0.lock().expect("rows").is_empty(),
        "all three wait for the lane"
    );

    let drained = pipeline.drain(Duration::from_millis(200)).await;
    assert!(
        !drained,
        "the held command kept the lane busy past the bound"
    );
    drop(held);
    let rows = rows.0.lock().expect("rows");
    assert_eq!(rows.len(), 3, "one record per accepted sighting: {rows:?}");
    for r in rows.iter() {
        assert_eq!(r.outcome, "expired", "{r:?}");
        assert!(
            r.detail.as_deref().unwrap_or("").contains("stopped"),
            "{r:?}"
        );
    }
}
