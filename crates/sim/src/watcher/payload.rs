//! The JSON bodies the simulator delivers, shaped exactly like `reference/fixtures/`.

use serde_json::{json, Value};

use super::config::{Camera, Person};

/// One recognition, resolved against the world, ready to be rendered.
#[derive(Debug, Clone)]
pub(crate) struct Sighting<'a> {
    pub person: &'a Person,
    pub camera: &'a Camera,
    /// Detection time, unix seconds.
    pub at: i64,
    /// First time the simulator saw this person, unix seconds.
    pub first_seen: i64,
    /// Sequence number of this recognition (used for activity event ids).
    pub seq: u64,
}

/// The `data` object of a push notification (`fixtures/push-person.json`).
fn push_data(s: &Sighting<'_>) -> Value {
    json!({
        "targetScreen": "camera_events",
        "event": "person",
        "person_look_took": 0,
        "event_start_at": s.at,
        "camera": s.camera.name,
        "person": {
            "id": s.person.id,
            "first_seen_at": format_datetime(s.first_seen),
            "last_seen_at": format_datetime(s.at),
            "person_list_id": s.person.person_list_id,
            "name": s.person.name,
        },
        "camera_id": s.camera.id,
        // The article has `event_start_at` as a number and `utc` as a string; so do we.
        "utc": s.at.to_string(),
    })
}

fn group(s: &Sighting<'_>) -> String {
    match s.person.person_list_id {
        Some(list) => format!("{}_group{list}", s.camera.id),
        None => format!("{}_group", s.camera.id),
    }
}

/// The article's form: `data` inside `notification`, `notification.id` empty as in the article.
pub(crate) fn push_article(s: &Sighting<'_>) -> Value {
    json!({
        "registration_ids": [],
        "priority": "high",
        "notification": {
            "id": "",
            "body": "Person detected",
            "group": group(s),
            "data": push_data(s),
        }
    })
}

/// The mobile-push convention: `data` a top-level sibling of `notification`.
pub(crate) fn push_toplevel(s: &Sighting<'_>) -> Value {
    json!({
        "registration_ids": [],
        "priority": "high",
        "notification": {
            "id": s.seq.to_string(),
            "body": "Person detected",
            "group": group(s),
        },
        "data": push_data(s),
    })
}

/// A one-element activity array (`fixtures/activity-events.json`): a face `enter`.
pub(crate) fn activity(s: &Sighting<'_>) -> Value {
    json!([activity_event(s)])
}

/// One activity event: a face `enter`.
pub(crate) fn activity_event(s: &Sighting<'_>) -> Value {
    json!({
        "id": format!("sim-{:08x}", s.seq),
        "camera_id": s.camera.id,
        "start_at": s.at.to_string(),
        "end_at": "",
        "object_class": "face",
        "object_id": s.person.id.to_string(),
        "object_action": "enter",
    })
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) as in the article's `first_seen_at`.
pub(crate) fn format_datetime(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_person() -> (Person, Camera) {
        let person = Person {
            id: 135,
            name: Some("Person 135".into()),
            person_list_id: Some(1),
            external_id: Some("6".into()),
        };
        (
            person,
            Camera {
                id: "camera1".into(),
                name: "".into(),
            },
        )
    }

    #[test]
    fn format_datetime_matches_known_dates() {
        assert_eq!(format_datetime(0), "1970-01-01 00:00:00");
        assert_eq!(format_datetime(1_592_921_911), "2020-06-23 14:18:31");
        assert_eq!(format_datetime(951_782_400), "2000-02-29 00:00:00");
    }

    #[test]
    fn push_article_has_the_fixture_shape() {
        let (person, camera) = fixture_person();
        let s = Sighting {
            person: &person,
            camera: &camera,
            at: 1_593_706_530,
            first_seen: 1_592_921_911,
            seq: 1,
        };
        let v = push_article(&s);
        let data = &v["notification"]["data"];
        assert_eq!(v["notification"]["group"], "camera1_group1");
        assert_eq!(data["event_start_at"], 1_593_706_530);
        assert_eq!(data["utc"], "1593706530");
        assert_eq!(data["person"]["id"], 135);
        assert_eq!(data["person"]["first_seen_at"], "2020-06-23 14:18:31");
        assert_eq!(data["person"]["person_list_id"], 1);
        assert!(v.get("data").is_none());
        let top = push_toplevel(&s);
        assert_eq!(top["data"], *data);
        assert!(top["notification"].get("data").is_none());
    }

    #[test]
    fn activity_is_an_array_of_one_face_enter() {
        let (person, camera) = fixture_person();
        let s = Sighting {
            person: &person,
            camera: &camera,
            at: 5,
            first_seen: 5,
            seq: 2,
        };
        let v = activity(&s);
        assert_eq!(v[0]["object_class"], "face");
        assert_eq!(v[0]["object_id"], "135");
        assert_eq!(v[0]["start_at"], "5");
        assert_eq!(v.as_array().map(Vec::len), Some(1));
    }
}
