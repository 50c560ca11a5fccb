//! The end of every sighting: one journal record, one metrics count, one structured log line.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use identity_core::{Allow, Engine, Outcome};

use super::convert::{unix_ms, Arrival};
use crate::journal::JournalRecord;
use crate::metrics::Metrics;

/// Receives the one journal record of each finished sighting; must not block.
pub trait Recorder: Send + Sync + 'static {
    /// Stores (or queues for storing) one record.
    fn record(&self, record: JournalRecord);
}

/// How a sighting ended, before it becomes a journal record.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The outcome.
    pub outcome: Outcome,
    /// ACS name, when a door was found.
    pub acs: Option<String>,
    /// Access point, when a door was found.
    pub access_point: Option<u32>,
    /// ACS object id, when the person was mapped.
    pub object_id: Option<u32>,
    /// `in` / `out` / `unknown`, when a door was found.
    pub direction: Option<String>,
    /// `n` of `ERROR n`.
    pub acs_error: Option<u32>,
    /// The ACS reply as text (`OK`, `ERROR 6 …`), for logs and the demo.
    pub acs_reply: Option<String>,
    /// Ingest → ACS reply, for commands that were written.
    pub latency: Option<Duration>,
    /// Extra words: why it was rejected, or the dry-run line.
    pub detail: Option<String>,
}

impl Finished {
    pub(super) fn empty(outcome: Outcome) -> Self {
        Self {
            outcome,
            acs: None,
            access_point: None,
            object_id: None,
            direction: None,
            acs_error: None,
            acs_reply: None,
            latency: None,
            detail: None,
        }
    }

    /// The door and object of an allowed command (outcome still to be set).
    pub fn for_allow(allow: &Allow) -> Self {
        let mut f = Self::empty(Outcome::AcsUnavailable);
        f.acs = Some(allow.acs.clone());
        f.access_point = Some(allow.access_point.0);
        f.object_id = object_number(allow.object);
        f.direction = Some(direction_name(allow.direction).to_owned());
        f
    }
}

fn object_number(o: acs_proto::ObjectRef) -> Option<u32> {
    match o {
        acs_proto::ObjectRef::Id(id) => Some(id.0),
        acs_proto::ObjectRef::Anonymous => None,
    }
}

pub(super) fn direction_name(d: acs_proto::Direction) -> &'static str {
    match d {
        acs_proto::Direction::In => "in",
        acs_proto::Direction::Out => "out",
        acs_proto::Direction::Unknown => "unknown",
    }
}

/// Observes finished sightings (the demo uses this to print its table).
pub type FinishObserver = Arc<dyn Fn(&Arrival, &Finished) + Send + Sync>;

/// State shared by the decider and the command tasks.
pub struct Shared {
    /// The one engine; locked only for `decide_all` and `settle`.
    pub engine: Mutex<Engine>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// Journal writer.
    pub recorder: Arc<dyn Recorder>,
    /// Optional observer of every finished sighting.
    pub observer: Option<FinishObserver>,
}

impl Shared {
    /// Journals, counts and logs one finished sighting.
    pub fn finish(&self, arrival: &Arrival, f: Finished) {
        let s = &arrival.sighting;
        let outcome = f.outcome.as_str();
        self.metrics.count_event(s.source.as_str(), outcome);
        self.metrics.end_to_end.observe(arrival.received.elapsed());
        let latency_us = f
            .latency
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        tracing::info!(
            outcome,
            source = s.source.as_str(),
            person = s.person.id.0,
            camera = s.camera.label(),
            acs = f.acs.as_deref().unwrap_or(""),
            access_point = f.access_point.unwrap_or(0),
            direction = f.direction.as_deref().unwrap_or(""),
            acs_error = f.acs_error.unwrap_or(0),
            latency_us = latency_us.unwrap_or(0),
            detail = f.detail.as_deref().unwrap_or(""),
            "sighting"
        );
        if let Some(observer) = &self.observer {
            observer(arrival, &f);
        }
        let camera = s.camera.label();
        self.recorder.record(JournalRecord {
            received_at: unix_ms(arrival.received_at),
            source: s.source.as_str().to_owned(),
            event_key: s.dedup_key(),
            event_time: s.event_time.0,
            person_id: (s.person.id.0 != 0 || f.outcome != Outcome::Ignored)
                .then_some(s.person.id.0),
            person_name: s.person.name.clone(),
            person_list: s.person.list_id,
            camera: (!camera.is_empty()).then(|| camera.to_owned()),
            acs: f.acs,
            access_point: f.access_point,
            object_id: f.object_id,
            direction: f.direction,
            outcome: outcome.to_owned(),
            acs_error: f.acs_error,
            latency_us,
            detail: f.detail,
        });
    }
}
