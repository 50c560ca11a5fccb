//! The webhook body the driver posts: a Watcher push notification (the shape of
//! `shared/reference/fixtures/push-person.json`) for one person at one camera.

use std::fmt::Write as _;

/// Renders a push notification for `person` seen by `camera` at `unix_secs`, with the unique
/// notification id `notification_id` (the bridge de-duplicates on it, so each event counts).
/// `camera` is escaped as a JSON string.
pub fn push_body(person: u32, camera: &str, unix_secs: u64, notification_id: &str) -> Vec<u8> {
    let camera = serde_json::Value::String(camera.to_owned()).to_string();
    let id = serde_json::Value::String(notification_id.to_owned()).to_string();
    let mut s = String::with_capacity(384);
    // Writing into a String cannot fail.
    let _ = write!(
        s,
        concat!(
            r#"{{"registration_ids":[],"priority":"high","notification":{{"id":{id},"#,
            r#""body":"Person detected","group":"load","data":{{"targetScreen":"camera_events","#,
            r#""event":"person","person_look_took":0,"event_start_at":{t},"camera":{camera},"#,
            r#""person":{{"id":{person},"person_list_id":1,"name":"Person {person}"}},"#,
            r#""camera_id":"","utc":"{t}"}}}}}}"#
        ),
        id = id,
        t = unix_secs,
        camera = camera,
        person = person,
    );
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_a_push_notification_for_the_person_and_camera() {
        let body = push_body(4242, "gate \"A\"", 1_700_000_000, "load-1-7");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("valid JSON");
        let data = &v["notification"]["data"];
        assert_eq!(v["notification"]["id"], "load-1-7");
        assert_eq!(data["person"]["id"], 4242);
        assert_eq!(data["person"]["person_list_id"], 1);
        assert_eq!(data["camera"], "gate \"A\"");
        assert_eq!(data["event_start_at"], 1_700_000_000u64);
        assert_eq!(data["utc"], "1700000000");
    }
}
