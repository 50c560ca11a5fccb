//! Every event of the OIF reference (`EVENT_CE`, classic `EVENT`, `HISTORY` items) parses to
//! the right value.

use acs_proto::parse::{parse_server_line, ServerLine};
use acs_proto::*;

fn ts(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Timestamp {
    Timestamp::new(y, mo, d, h, mi, s).expect("valid test timestamp")
}

fn reply(line: &str) -> Reply {
    match parse_server_line(line.as_bytes()) {
        Ok(ServerLine::Reply(r)) => r,
        other => panic!("{line:?} did not parse as a reply: {other:?}"),
    }
}

fn event(line: &str) -> Event {
    match parse_server_line(line.as_bytes()) {
        Ok(ServerLine::Event(e)) => e,
        other => panic!("{line:?} did not parse as an event: {other:?}"),
    }
}

#[test]
fn history_replies_parse_including_bare_history() {
    assert_eq!(reply("HISTORY"), Reply::History(vec![]));
    let r = reply(concat!(
        r#"HISTORY "2025-01-27 11:23:08" OBJECTPASS 1 6 IN W26 249 29323, "#,
        r#""2025-01-27 11:24:00" DENY 1 7 OUT RULEDENYTIME, "#,
        r#""2025-01-27 11:25:00" DENY 2 7 IN UNKNOWNKEY W34 0A1B2C3D, "#,
        r#""2025-01-27 11:26:00" BREAKINGPASS 1 IN, "#,
        r#""2025-01-27 11:27:00" FREEPASS 2 OUT, "#,
        r#""2025-01-27 11:28:00" MANUALPASS 1 UNKNOWN, "#,
        r#""2025-01-27 11:29:00" OPENDOOR 1 6 IN UNKNOWN"#
    ));
    let t = |m| ts(2025, 1, 27, 11, m, if m == 23 { 8 } else { 0 });
    let ap = AccessPointId;
    assert_eq!(
        r,
        Reply::History(vec![
            ClassicEvent {
                time: t(23),
                kind: ClassicKind::ObjectPass {
                    ap: ap(1),
                    object: ObjectId(6),
                    direction: Direction::In,
                    key: KeyRef::W26 {
                        facility: 249,
                        number: 29323
                    }
                }
            },
            ClassicEvent {
                time: t(24),
                kind: ClassicKind::Deny {
                    ap: ap(1),
                    object: ObjectId(7),
                    direction: Direction::Out,
                    reason: DenyReason::RuleDenyTime,
                    key: None
                }
            },
            ClassicEvent {
                time: t(25),
                kind: ClassicKind::Deny {
                    ap: ap(2),
                    object: ObjectId(7),
                    direction: Direction::In,
                    reason: DenyReason::UnknownKey,
                    key: Some(KeyRef::W34(0x0A1B_2C3D))
                }
            },
            ClassicEvent {
                time: t(26),
                kind: ClassicKind::BreakingPass {
                    ap: ap(1),
                    direction: Direction::In
                }
            },
            ClassicEvent {
                time: t(27),
                kind: ClassicKind::FreePass {
                    ap: ap(2),
                    direction: Direction::Out
                }
            },
            ClassicEvent {
                time: t(28),
                kind: ClassicKind::ManualPass {
                    ap: ap(1),
                    direction: Direction::Unknown
                }
            },
            ClassicEvent {
                time: t(29),
                kind: ClassicKind::OpenDoor {
                    ap: ap(1),
                    object: ObjectId(6),
                    direction: Direction::In,
                    key: KeyRef::Unknown
                }
            },
        ])
    );
}

#[test]
fn event_ce_with_and_without_name_parses() {
    let base = CeEvent {
        time: ts(2025, 1, 27, 11, 23, 8),
        code: 4,
        ap: AccessPointId(1),
        object: Some(ObjectId(6)),
        direction: CeDirection::In,
        key: KeyRef::W26 {
            facility: 249,
            number: 29323,
        },
        name: Some("Ivanov Ivan".into()),
    };
    assert_eq!(
        event(r#"EVENT_CE "2025-01-27 11:23:08" 4 1 6 2 W26 249 29323 "Ivanov Ivan""#),
        Event::Ce(base.clone())
    );
    assert_eq!(
        event(r#"EVENT_CE "2025-01-27 11:23:08" 4 1 6 2 W26 249 29323"#),
        Event::Ce(CeEvent {
            name: None,
            ..base.clone()
        })
    );
    assert_eq!(
        event(r#"EVENT_CE "2025-01-27 11:23:08" 67 1 0 3 UNKNOWN"#),
        Event::Ce(CeEvent {
            code: 67,
            object: None,
            direction: CeDirection::Unknown,
            key: KeyRef::Unknown,
            name: None,
            ..base
        })
    );
}

#[test]
fn classic_events_parse() {
    assert_eq!(
        event(r#"EVENT "2025-01-27 11:23:08" OBJECTPASS 1 6 IN W34 DEADBEEF"#),
        Event::Classic(ClassicEvent {
            time: ts(2025, 1, 27, 11, 23, 8),
            kind: ClassicKind::ObjectPass {
                ap: AccessPointId(1),
                object: ObjectId(6),
                direction: Direction::In,
                key: KeyRef::W34(0xDEAD_BEEF)
            }
        })
    );
    assert_eq!(
        event(r#"EVENT "2025-01-27 11:23:08" DENY 1 6 IN SYSTEM W26 1 2"#),
        Event::Classic(ClassicEvent {
            time: ts(2025, 1, 27, 11, 23, 8),
            kind: ClassicKind::Deny {
                ap: AccessPointId(1),
                object: ObjectId(6),
                direction: Direction::In,
                reason: DenyReason::System,
                key: Some(KeyRef::W26 {
                    facility: 1,
                    number: 2
                })
            }
        })
    );
}
