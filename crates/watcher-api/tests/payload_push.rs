//! Push notifications: the fixtures and the odd cases, through the one webhook entry point.

use watcher_api::payload::{
    parse_webhook, DataLocation, PayloadError, PersonId, PersonListId, PushNotification, UnixMs,
    Webhook,
};

const ARTICLE: &[u8] = include_bytes!("fixtures/push-person.json");
const TOPLEVEL: &[u8] = include_bytes!("fixtures/push-person-data-toplevel.json");

fn push(body: &[u8]) -> PushNotification {
    match parse_webhook(body) {
        Ok(Webhook::Push(push)) => *push,
        other => panic!("expected a push notification, got {other:?}"),
    }
}

fn error(body: &str) -> PayloadError {
    match parse_webhook(body.as_bytes()) {
        Err(e) => e,
        Ok(w) => panic!("expected an error, got {w:?}"),
    }
}

#[test]
fn the_article_fixture_yields_everything_the_bridge_needs() {
    let p = push(ARTICLE);
    assert_eq!(p.data_location, DataLocation::InNotification);
    assert_eq!(p.person_id(), PersonId(135));
    assert_eq!(p.person_name(), Some("Person 135"));
    assert_eq!(p.list_id(), Some(PersonListId(1)));
    assert_eq!(p.camera_name(), None, "empty camera is absent");
    assert_eq!(p.camera_id(), None, "empty camera_id is absent");
    assert_eq!(p.event_time(), Some(UnixMs(1_593_706_529_000)));
    assert_eq!(p.event_time().map(UnixMs::as_secs), Some(1_593_706_529));
    assert_eq!(
        p.data.utc,
        Some(UnixMs(1_593_706_530_000)),
        "utc given as a string"
    );
    assert_eq!(p.notification_id(), None, "empty notification id is absent");
    assert_eq!(p.notification.group.as_deref(), Some("camera1_group1"));
    assert_eq!(p.priority.as_deref(), Some("high"));
    assert_eq!(p.data.person_look_took, Some(serde_json::json!(0)));
    assert_eq!(p.data.event.as_deref(), Some("person"));
    assert_eq!(
        p.data.person.first_seen_at.as_deref(),
        Some("2020-06-23 14:18:31")
    );
}

#[test]
fn the_toplevel_data_fixture_is_accepted_with_string_ids() {
    let p = push(TOPLEVEL);
    assert_eq!(p.data_location, DataLocation::TopLevel);
    assert_eq!(p.person_id(), PersonId(135), "person id sent as a string");
    assert_eq!(p.person_name(), Some("Иванов Иван"));
    assert_eq!(p.camera_name(), Some("Entrance"));
    assert_eq!(p.camera_id(), Some("entrance"));
    assert_eq!(p.notification_id(), Some("8f0c2a"));
    assert_eq!(
        p.event_time(),
        Some(UnixMs(1_593_706_529_000)),
        "string event_start_at"
    );
}

#[test]
fn event_time_falls_back_to_utc_when_event_start_at_is_empty() {
    let p = push(br#"{"data": {"person": {"id": 1}, "event_start_at": "", "utc": 1593706530}}"#);
    assert_eq!(p.event_time(), Some(UnixMs(1_593_706_530_000)));
    let p = push(br#"{"data": {"person": {"id": 1}}}"#);
    assert_eq!(p.event_time(), None);
}

#[test]
fn fractional_seconds_are_kept_as_milliseconds() {
    let p = push(br#"{"data": {"person": {"id": 1}, "event_start_at": "1593706529.25"}}"#);
    assert_eq!(p.event_time(), Some(UnixMs(1_593_706_529_250)));
}

#[test]
fn a_missing_camera_leaves_both_camera_fields_absent() {
    let p = push(br#"{"notification": {"data": {"person": {"id": "7"}, "utc": "1"}}}"#);
    assert_eq!(p.camera_name(), None);
    assert_eq!(p.camera_id(), None);
    assert_eq!(p.person_id(), PersonId(7));
}

#[test]
fn a_numeric_camera_id_is_kept_as_text() {
    let p = push(br#"{"data": {"person": {"id": 1}, "camera_id": 42}}"#);
    assert_eq!(p.camera_id(), Some("42"));
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let body = br#"{"x": [1, {"y": null}], "notification": {"id": 9, "extra": true,
        "data": {"person": {"id": 5, "photo": {"a": 1}}, "new_field": "v", "utc": 1}}}"#;
    let p = push(body);
    assert_eq!(p.person_id(), PersonId(5));
    assert_eq!(
        p.notification_id(),
        Some("9"),
        "a numeric notification id is kept as text"
    );
}

#[test]
fn data_inside_notification_wins_over_a_toplevel_data() {
    let body =
        br#"{"notification": {"data": {"person": {"id": 1}}}, "data": {"person": {"id": 2}}}"#;
    let p = push(body);
    assert_eq!(p.person_id(), PersonId(1));
    assert_eq!(p.data_location, DataLocation::InNotification);
}

#[test]
fn a_person_id_of_the_wrong_type_names_the_exact_path() {
    let e = error(r#"{"notification": {"data": {"person": {"id": true}}}}"#);
    assert_eq!(e.path(), Some("notification.data.person.id"));
    assert_eq!(
        e.to_string(),
        "notification.data.person.id: expected an integer or numeric string, found a boolean"
    );
    let e = error(r#"{"data": {"person": {"id": "abc"}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
    assert!(e
        .to_string()
        .starts_with("data.person.id: expected an integer or numeric string"));
}

#[test]
fn a_missing_or_empty_person_id_is_an_error() {
    let e = error(r#"{"data": {"person": {"name": "x"}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
    assert!(e.to_string().ends_with("found nothing (missing)"), "{e}");
    let e = error(r#"{"data": {"person": {"id": ""}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
}

#[test]
fn negative_ids_are_rejected_as_numbers_and_as_strings() {
    let e = error(r#"{"data": {"person": {"id": -135}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
    assert!(e.to_string().ends_with("found a negative number"), "{e}");
    let e = error(r#"{"data": {"person": {"id": "-135"}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
    let e = error(r#"{"data": {"person": {"id": 1, "person_list_id": -1}}}"#);
    assert_eq!(e.path(), Some("data.person.person_list_id"));
}

#[test]
fn huge_numbers_are_exact_up_to_u64_and_rejected_beyond() {
    let p = push(br#"{"data": {"person": {"id": 18446744073709551615}}}"#);
    assert_eq!(p.person_id(), PersonId(u64::MAX));
    let p = push(br#"{"data": {"person": {"id": "7036001172460666975"}}}"#);
    assert_eq!(p.person_id(), PersonId(7_036_001_172_460_666_975));
    let e = error(r#"{"data": {"person": {"id": 18446744073709551616}}}"#);
    assert!(
        e.to_string().ends_with("found a number out of range"),
        "{e}"
    );
    let e = error(r#"{"data": {"person": {"id": "99999999999999999999999"}}}"#);
    assert_eq!(e.path(), Some("data.person.id"));
    let e = error(r#"{"data": {"person": {"id": 1}, "utc": 1e300}}"#);
    assert_eq!(e.path(), Some("data.utc"));
    let e = error(r#"{"data": {"person": {"id": 1}, "utc": "18446744073709551615"}}"#);
    assert_eq!(
        e.path(),
        Some("data.utc"),
        "seconds that overflow milliseconds"
    );
}

#[test]
fn fractional_ids_are_rejected() {
    let e = error(r#"{"data": {"person": {"id": 1.5}}}"#);
    assert!(e.to_string().ends_with("found a fractional number"), "{e}");
}

#[test]
fn wrong_container_types_name_their_path() {
    assert_eq!(
        error(r#"{"notification": "x"}"#).path(),
        Some("notification")
    );
    assert_eq!(
        error(r#"{"notification": {"data": 5}}"#).path(),
        Some("notification.data")
    );
    assert_eq!(
        error(r#"{"notification": {"id": ""}}"#).path(),
        Some("notification.data")
    );
    assert_eq!(error(r#"{"data": []}"#).path(), Some("data"));
    assert_eq!(
        error(r#"{"data": {"person": 1}}"#).path(),
        Some("data.person")
    );
    assert_eq!(error(r#"{"priority": "high"}"#).path(), Some("data"));
    let e = error(r#"{"data": {"person": {"id": 1}, "camera": {"n": 1}}}"#);
    assert_eq!(e.path(), Some("data.camera"));
    assert_eq!(
        e.to_string(),
        "data.camera: expected a string or number, found an object"
    );
}

#[test]
fn errors_never_echo_the_offending_value() {
    let e = error(r#"{"data": {"person": {"id": "secret-token-value"}}}"#);
    assert!(!e.to_string().contains("secret-token-value"));
}

#[test]
fn only_plain_decimal_digits_are_ids_whatever_else_a_string_holds() {
    for bad in [
        r#""+135""#,
        r#"" +135""#,
        r#""0x10""#,
        r#""1e3""#,
        r#""1_000""#,
        r#""135abc""#,
        r#""1 35""#,
        r#""١٣٥""#,
        r#""135\r\nALLOWPASS 1 7 IN""#,
        "1e3",
        "true",
    ] {
        let body = format!(r#"{{"data": {{"person": {{"id": {bad}}}}}}}"#);
        let e = error(&body);
        assert_eq!(e.path(), Some("data.person.id"), "{bad}");
    }
    // Surrounding blanks around the digits are tolerated: the value stays the same number.
    let p = push(br#"{"data": {"person": {"id": " 135 "}}}"#);
    assert_eq!(p.person_id(), PersonId(135));
}

#[test]
fn event_times_far_in_the_future_or_past_never_overflow_milliseconds() {
    let p = push(br#"{"data": {"person": {"id": 1}, "utc": 0}}"#);
    assert_eq!(p.event_time(), Some(UnixMs(0)));
    let p = push(br#"{"data": {"person": {"id": 1}, "utc": "99999999999.9"}}"#);
    assert_eq!(p.event_time(), Some(UnixMs(99_999_999_999_900)));
    for bad in [
        "-1",
        "1e11",
        "\"-0.5\"",
        "\"inf\"",
        "\"NaN\"",
        "18446744073709551",
    ] {
        let body = format!(r#"{{"data": {{"person": {{"id": 1}}, "utc": {bad}}}}}"#);
        assert_eq!(error(&body).path(), Some("data.utc"), "{bad}");
    }
}
