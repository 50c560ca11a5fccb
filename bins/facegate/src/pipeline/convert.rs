//! Webhook bodies → [`Sighting`]s.
//!
//! Every element of a body becomes exactly one [`Arrival`], so every element ends in one
//! journal record. Elements that cannot be a pass request are still carried: an activity
//! `leave` or a vehicle gets action `Leave`/`Other` (the engine answers `ignored`); an element
//! that claims to be a face entering but carries no usable person id or time is marked
//! `malformed` and journaled as `ignored` with the reason in `detail`, never shown to the engine.

use std::time::SystemTime;

use identity_core::{Action, CameraRef, PersonId, PersonRef, Sighting, Source, UnixMillis};
use watcher_api::client::FaceMatch;
use watcher_api::payload::{ActivityEvent, ObjectAction, ObjectClass, PushNotification, Webhook};

/// One sighting as it arrived, with what the pipeline needs to journal it.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The sighting (for a malformed element: what could be read of it).
    pub sighting: Sighting,
    /// Why the element cannot be a pass request, if it cannot.
    pub malformed: Option<String>,
    /// Wall-clock time the body was received.
    pub received_at: SystemTime,
    /// Monotonic time the body was received (latency base).
    pub received: tokio::time::Instant,
}

/// Unix milliseconds of a wall-clock time (0 before the epoch).
pub fn unix_ms(t: SystemTime) -> i64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Turns a parsed webhook into arrivals, in body order.
pub fn arrivals(
    webhook: Webhook,
    received_at: SystemTime,
    received: tokio::time::Instant,
) -> Vec<Arrival> {
    let wrap = |(sighting, malformed)| Arrival {
        sighting,
        malformed,
        received_at,
        received,
    };
    match webhook {
        Webhook::Push(p) => vec![wrap(from_push(&p))],
        Webhook::Activity(events) => events.iter().map(from_activity).map(wrap).collect(),
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}

fn from_push(p: &PushNotification) -> (Sighting, Option<String>) {
    let time = p.event_time();
    let sighting = Sighting {
        source: Source::Push,
        event_key: non_empty(p.notification_id()),
        person: PersonRef {
            id: PersonId(p.person_id().get()),
            external_id: None,
            list_id: p.list_id().map(|l| l.get()),
            name: non_empty(p.person_name()),
        },
        camera: CameraRef {
            id: non_empty(p.camera_id()),
            name: non_empty(p.camera_name()),
        },
        event_time: UnixMillis(time.map_or(0, |t| clamp_ms(t.as_millis()))),
        score: None,
        action: Action::Enter,
    };
    let malformed = time
        .is_none()
        .then(|| "push notification without event_start_at or utc".to_owned());
    (sighting, malformed)
}

fn from_activity(e: &ActivityEvent) -> (Sighting, Option<String>) {
    let action = match (&e.object_class, &e.object_action) {
        (ObjectClass::Face, ObjectAction::Enter) => Action::Enter,
        (ObjectClass::Face, ObjectAction::Leave) => Action::Leave,
        _ => Action::Other,
    };
    let person = e.person_id();
    let sighting = Sighting {
        source: Source::Activity,
        event_key: non_empty(Some(e.id.as_str())),
        person: PersonRef {
            id: PersonId(person.map_or(0, |p| p.get())),
            external_id: None,
            list_id: None,
            name: None,
        },
        camera: CameraRef {
            id: non_empty(e.camera_id.as_deref()),
            name: None,
        },
        event_time: UnixMillis(clamp_ms(e.start_at.as_millis())),
        score: None,
        action,
    };
    let malformed = (e.is_pass_request() && person.is_none())
        .then(|| "face activity whose object_id is not a numeric person id".to_owned());
    (sighting, malformed)
}

/// A v3 face-episode match (poll mode) as an arrival. The event key is
/// `episode_id:person_id`, so an episode re-sent with more data is a duplicate, and the event
/// time is when the episode started (else opened, else last updated).
pub fn from_face_match(
    m: &FaceMatch,
    received_at: SystemTime,
    received: tokio::time::Instant,
) -> Arrival {
    let time = m.started_at.or(m.opened_at).unwrap_or(m.updated_at);
    let sighting = Sighting {
        source: Source::Episodes,
        event_key: Some(format!(
            "{}:{}",
            m.episode_id.get(),
            m.person.person_id.get()
        )),
        person: PersonRef {
            id: PersonId(m.person.person_id.get()),
            external_id: non_empty(m.person.external_id.as_deref()),
            list_id: m.person.person_list.as_ref().map(|l| l.id.get()),
            name: non_empty(m.person.name.as_deref()),
        },
        camera: CameraRef {
            id: None,
            name: non_empty(m.media.as_deref()),
        },
        event_time: UnixMillis(clamp_ms(time.as_millis())),
        // f64 → f32 loses only precision no policy threshold can see.
        score: m.match_score.map(|s| s as f32),
        action: Action::Enter,
    };
    Arrival {
        sighting,
        malformed: None,
        received_at,
        received,
    }
}

fn clamp_ms(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrivals_of(body: &str) -> Vec<Arrival> {
        let webhook = watcher_api::payload::parse_webhook(body.as_bytes()).expect("parses");
        arrivals(webhook, SystemTime::now(), tokio::time::Instant::now())
    }

    #[test]
    fn a_push_with_an_empty_notification_id_has_no_event_key_and_seconds_become_millis() {
        let a = arrivals_of(
            r#"{"notification": {"id": "", "data": {"event_start_at": 1593706529,
                "camera": "", "camera_id": "entrance",
                "person": {"id": 135, "person_list_id": 1, "name": "Ivanov Ivan"}}}}"#,
        );
        assert_eq!(a.len(), 1);
        let s = &a[0].sighting;
        assert_eq!(s.source, Source::Push);
        assert_eq!(s.event_key, None);
        assert_eq!(s.person.id, PersonId(135));
        assert_eq!(s.person.list_id, Some(1));
        assert_eq!(s.camera.id.as_deref(), Some("entrance"));
        assert_eq!(s.camera.name, None, "an empty camera name is absent");
        assert_eq!(s.event_time, UnixMillis(1_593_706_529_000));
        assert_eq!(s.action, Action::Enter);
        assert!(a[0].malformed.is_none());
    }

    #[test]
    fn a_push_without_any_time_is_malformed_not_fresh() {
        let a = arrivals_of(r#"{"notification": {"id": "n1", "data": {"person": {"id": 135}}}}"#);
        assert_eq!(a[0].sighting.event_key.as_deref(), Some("n1"));
        assert!(a[0].malformed.is_some());
    }

    #[test]
    fn activity_elements_map_to_actions_and_a_non_numeric_face_is_malformed() {
        let a = arrivals_of(
            r#"[{"id": "1", "camera_id": "c", "start_at": "10", "object_class": "face",
                 "object_id": "135", "object_action": "enter"},
                {"id": "2", "camera_id": "c", "start_at": "10", "object_class": "face",
                 "object_id": "135", "object_action": "leave"},
                {"id": "3", "camera_id": "c", "start_at": "10", "object_class": "vehicle",
                 "object_id": "A1", "object_action": "enter"},
                {"id": "4", "camera_id": "c", "start_at": "10", "object_class": "face",
                 "object_id": "1 OR 1", "object_action": "enter"}]"#,
        );
        let actions: Vec<Action> = a.iter().map(|x| x.sighting.action).collect();
        assert_eq!(
            actions,
            [Action::Enter, Action::Leave, Action::Other, Action::Enter]
        );
        assert!(a[..3].iter().all(|x| x.malformed.is_none()));
        assert!(a[3].malformed.is_some());
        assert!(a.iter().all(|x| x.sighting.source == Source::Activity));
        assert_eq!(a[0].sighting.event_key.as_deref(), Some("1"));
        assert_eq!(a[0].sighting.event_time, UnixMillis(10_000));
    }
}
