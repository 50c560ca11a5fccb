//! Activity arrays, v3 episodes and persons, and bodies that are no payload at all.

use watcher_api::payload::{
    parse_episodes_page, parse_person, parse_persons_page, parse_webhook, ActivityEvent, EpisodeId,
    ObjectAction, ObjectClass, PayloadError, PersonId, PersonListId, UnixMs, Webhook,
};

const ACTIVITY: &[u8] = include_bytes!("fixtures/activity-events.json");
const EPISODES: &[u8] = include_bytes!("fixtures/episode-face.json");

fn activity(body: &[u8]) -> Vec<ActivityEvent> {
    match parse_webhook(body) {
        Ok(Webhook::Activity(events)) => events,
        other => panic!("expected activity events, got {other:?}"),
    }
}

fn error(body: &[u8]) -> PayloadError {
    match parse_webhook(body) {
        Err(e) => e,
        Ok(w) => panic!("expected an error, got {w:?}"),
    }
}

#[test]
fn the_activity_fixture_yields_three_events_with_one_pass_request() {
    let events = activity(ACTIVITY);
    assert_eq!(events.len(), 3);
    let first = &events[0];
    assert_eq!(first.id, "5f1d3a9e-0001");
    assert_eq!(first.camera_id.as_deref(), Some("entrance"));
    assert_eq!(first.start_at, UnixMs(1_593_706_529_000));
    assert_eq!(first.end_at, None, "empty end_at is absent");
    assert_eq!(first.object_class, ObjectClass::Face);
    assert_eq!(first.object_action, ObjectAction::Enter);
    assert_eq!(first.person_id(), Some(PersonId(135)));
    assert!(first.is_pass_request());

    assert_eq!(events[1].object_action, ObjectAction::Leave);
    assert_eq!(events[1].end_at, Some(UnixMs(1_593_706_541_000)));
    assert!(!events[1].is_pass_request());

    assert_eq!(events[2].object_class, ObjectClass::Vehicle);
    assert_eq!(events[2].person_id(), None, "a plate is not a person id");
    assert!(!events[2].is_pass_request());
}

#[test]
fn an_empty_activity_array_is_valid_and_empty() {
    assert_eq!(activity(b"[]"), Vec::new());
    assert_eq!(activity(b"  [ ]\n"), Vec::new());
}

#[test]
fn unknown_classes_and_actions_are_kept_and_never_a_pass_request() {
    let body = br#"[{"id": 7, "camera_id": 3, "start_at": 1593706529, "object_class": "cat",
        "object_id": "1", "object_action": "sit", "extra": {"x": 1}}]"#;
    let events = activity(body);
    assert_eq!(events[0].id, "7");
    assert_eq!(events[0].camera_id.as_deref(), Some("3"));
    assert_eq!(events[0].object_class, ObjectClass::Other("cat".into()));
    assert_eq!(events[0].object_action, ObjectAction::Other("sit".into()));
    assert_eq!(events[0].person_id(), None);
    assert!(!events[0].is_pass_request());
}

#[test]
fn a_face_with_a_non_numeric_object_id_has_no_person_id() {
    let body = br#"[{"id": "a", "start_at": 1, "object_class": "face", "object_id": "-5",
        "object_action": "enter"}]"#;
    assert_eq!(activity(body)[0].person_id(), None);
}

#[test]
fn activity_errors_name_the_element_and_field() {
    let e = error(
        br#"[{"id": "a", "start_at": 1, "object_class": "face", "object_action": "enter"}, 5]"#,
    );
    assert_eq!(e.path(), Some("[1]"));
    let e = error(
        br#"[{"id": "a", "start_at": "soon", "object_class": "face", "object_action": "enter"}]"#,
    );
    assert_eq!(e.path(), Some("[0].start_at"));
    let e = error(br#"[{"id": "a", "start_at": 1, "object_action": "enter"}]"#);
    assert_eq!(e.path(), Some("[0].object_class"));
    let e = error(br#"[{"start_at": 1, "object_class": "face", "object_action": "enter"}]"#);
    assert_eq!(e.path(), Some("[0].id"));
}

#[test]
fn garbage_and_scalars_are_rejected_with_a_reason() {
    assert!(matches!(error(b""), PayloadError::Json { .. }));
    assert!(matches!(error(b"\xff\xfe"), PayloadError::Json { .. }));
    assert!(matches!(error(b"{\"data\":"), PayloadError::Json { .. }));
    assert!(matches!(error(b"{} trailing"), PayloadError::Json { .. }));
    let e = error(b"42");
    assert_eq!(e.path(), Some("$"));
    assert_eq!(
        e.to_string(),
        "$: expected an object (push notification) or an array (activity events), found an integer"
    );
    assert_eq!(error(b"null").path(), Some("$"));
    assert_eq!(error(b"\"text\"").path(), Some("$"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut body = "[".repeat(100_000);
    body.push_str(&"]".repeat(100_000));
    assert!(matches!(error(body.as_bytes()), PayloadError::Json { .. }));
    let mut body = String::from(r#"{"data": {"person": {"id": 1}, "x": "#);
    body.push_str(&"{\"a\":".repeat(200));
    body.push('1');
    body.push_str(&"}".repeat(202));
    assert!(matches!(error(body.as_bytes()), PayloadError::Json { .. }));
}

#[test]
fn the_episode_fixture_reads_big_ids_exactly() {
    let page = parse_episodes_page(EPISODES).expect("fixture parses");
    assert_eq!(page.next.as_deref(), Some("JTI0cG9zaXRpb25fZ3Q9MQ=="));
    let ep = &page.episodes[0];
    assert_eq!(ep.episode_id, EpisodeId(7_036_001_172_460_670_001));
    assert_eq!(ep.episode_type.as_deref(), Some("face"));
    assert_eq!(ep.media.as_deref(), Some("entrance"));
    assert_eq!(ep.updated_at, UnixMs(1_593_706_529_900));
    assert_eq!(ep.started_at, Some(UnixMs(1_593_706_529_200)));
    assert_eq!(ep.matched_persons.len(), 2);
    let known = &ep.matched_persons[0];
    assert_eq!(known.person.person_id, PersonId(7_036_001_172_460_666_975));
    assert_eq!(known.person.external_id.as_deref(), Some("6"));
    assert_eq!(known.person.name.as_deref(), Some("Ivanov Ivan"));
    let list = known.person.person_list.as_ref().expect("list");
    assert_eq!(
        (list.id, list.name.as_deref()),
        (PersonListId(1), Some("Employees"))
    );
    assert_eq!(known.match_score, Some(0.93));
    let unknown = &ep.matched_persons[1];
    assert_eq!(unknown.person.external_id, None, "null external id");
    assert_eq!(
        unknown.person.originator.as_deref(),
        Some("identification_service")
    );
}

#[test]
fn an_empty_episodes_page_has_no_next() {
    let page = parse_episodes_page(br#"{"episodes": [], "next": null}"#).expect("parses");
    assert!(page.episodes.is_empty());
    assert_eq!(page.next, None);
}

#[test]
fn episode_errors_name_the_nested_path() {
    let body = br#"{"episodes": [{"episode_id": 1, "updated_at": 2, "matched_persons":
        [{"person": {"person_id": -3}, "match_score": 0.5}]}]}"#;
    let e = parse_episodes_page(body).expect_err("negative person id");
    assert_eq!(
        e.path(),
        Some("episodes[0].matched_persons[0].person.person_id")
    );
    let e = parse_episodes_page(br#"{"episodes": [{"episode_id": 1}]}"#).expect_err("no time");
    assert_eq!(e.path(), Some("episodes[0].updated_at"));
    let e = parse_episodes_page(br#"{"episodes": {}}"#).expect_err("not an array");
    assert_eq!(e.path(), Some("episodes"));
}

#[test]
fn persons_and_person_pages_parse() {
    let person = parse_person(br#"{"person_id": "12", "external_id": "", "name": "A"}"#)
        .expect("person parses");
    assert_eq!(person.person_id, PersonId(12));
    assert_eq!(person.external_id, None);
    let page =
        parse_persons_page(br#"{"persons": [{"person_id": 1}, {"person_id": 2}], "next": "c"}"#)
            .expect("page parses");
    assert_eq!(page.persons.len(), 2);
    assert_eq!(page.next.as_deref(), Some("c"));
    let e = parse_persons_page(br#"{"persons": [{"person_id": 1}, {"id": 2}]}"#).expect_err("id");
    assert_eq!(e.path(), Some("persons[1].person_id"));
}
