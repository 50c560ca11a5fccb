//! Properties of the lenient parser: numbers and numeric strings are the same id, exactly, for
//! every u64; no input panics; every error of a well-formed document names a path.

use proptest::prelude::*;
use serde_json::json;
use watcher_api::payload::{parse_webhook, PayloadError, PersonId, UnixMs, Webhook};

fn push_with(person_id: serde_json::Value, utc: serde_json::Value) -> Vec<u8> {
    json!({"notification": {"id": "", "data": {"person": {"id": person_id}, "utc": utc}}})
        .to_string()
        .into_bytes()
}

proptest! {
    #[test]
    fn a_person_id_reads_the_same_as_a_number_or_a_string(id in any::<u64>(), secs in 0u64..10_000_000_000) {
        for (pid, utc) in [(json!(id), json!(secs)), (json!(id.to_string()), json!(secs.to_string()))] {
            match parse_webhook(&push_with(pid, utc)) {
                Ok(Webhook::Push(p)) => {
                    prop_assert_eq!(p.person_id(), PersonId(id));
                    prop_assert_eq!(p.event_time(), Some(UnixMs(secs * 1000)));
                }
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
    }

    #[test]
    fn negative_person_ids_are_always_rejected_at_their_path(id in i64::MIN..0) {
        for pid in [json!(id), json!(id.to_string())] {
            let err = parse_webhook(&push_with(pid, json!(1))).expect_err("negative");
            prop_assert_eq!(err.path(), Some("notification.data.person.id"));
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_webhook(&body);
    }

    #[test]
    fn arbitrary_json_values_in_any_field_give_a_path_or_a_payload(
        field in prop::sample::select(vec!["id", "person_list_id", "name"]),
        value in prop_oneof![
            Just(json!(null)), Just(json!(true)), Just(json!([])), Just(json!({})),
            any::<i64>().prop_map(|n| json!(n)), any::<f64>().prop_map(|f| json!(f)),
            ".{0,12}".prop_map(|s| json!(s)),
        ],
    ) {
        let mut person = json!({"id": 1});
        person[field] = value;
        let body = json!({"data": {"person": person}}).to_string();
        match parse_webhook(body.as_bytes()) {
            Ok(Webhook::Push(_)) => {}
            Ok(other) => prop_assert!(false, "not a push: {:?}", other),
            Err(PayloadError::Invalid { path, .. }) => {
                prop_assert_eq!(path, format!("data.person.{field}"));
            }
            Err(e) => prop_assert!(false, "unexpected {:?}", e),
        }
    }
}
