//! Every command and reply of the OIF reference parses to the right value (events and
//! `HISTORY` are in `reference_events.rs`).

use acs_proto::parse::{parse_command, parse_server_line, ServerLine};
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

fn cmd(line: &str) -> Command {
    parse_command(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

#[test]
fn login_with_quoted_credentials_parses() {
    assert_eq!(
        cmd(r#"LOGIN 1.8 "Administrator" "secret""#),
        Command::Login {
            version: ProtocolVersion::v1_8(),
            user: "Administrator".into(),
            password: Secret::new("secret"),
        }
    );
}

#[test]
fn login_with_unquoted_credentials_and_lower_case_keyword_parses() {
    assert_eq!(
        cmd("login 1.8 admin s3cr\"et\r"),
        Command::Login {
            version: ProtocolVersion::v1_8(),
            user: "admin".into(),
            password: Secret::new("s3cr\"et"),
        }
    );
}

#[test]
fn allowpass_variants_parse() {
    assert_eq!(
        cmd("ALLOWPASS 1 6 IN"),
        Command::AllowPass {
            ap: AccessPointId(1),
            object: ObjectRef::Id(ObjectId(6)),
            direction: Direction::In
        }
    );
    assert_eq!(
        cmd("ALLOWPASS 1 ANONYMOUS IN"),
        Command::AllowPass {
            ap: AccessPointId(1),
            object: ObjectRef::Anonymous,
            direction: Direction::In
        }
    );
    assert_eq!(
        cmd("allowpass 2 999 out"),
        Command::AllowPass {
            ap: AccessPointId(2),
            object: ObjectRef::Id(ObjectId(999)),
            direction: Direction::Out
        }
    );
    assert_eq!(
        cmd("ALLOWPASS 3 7 UNKNOWN"),
        Command::AllowPass {
            ap: AccessPointId(3),
            object: ObjectRef::Id(ObjectId(7)),
            direction: Direction::Unknown
        }
    );
}

#[test]
fn read_commands_parse() {
    assert_eq!(cmd("GETAPLIST"), Command::GetApList);
    assert_eq!(
        cmd("GETAPINFO 1"),
        Command::GetApInfo {
            ap: AccessPointId(1)
        }
    );
    assert_eq!(cmd("GETZONEINFO"), Command::GetZoneInfo);
    assert_eq!(
        cmd("GETOBJECTINFO OBJECTID 6"),
        Command::GetObjectInfo(ObjectQuery::Id(ObjectId(6)))
    );
    assert_eq!(
        cmd("GETOBJECTINFO ALL"),
        Command::GetObjectInfo(ObjectQuery::All)
    );
    assert_eq!(
        cmd("GETLOCATION2 6"),
        Command::GetLocation2 {
            object: ObjectId(6)
        }
    );
    assert_eq!(
        cmd(r#"GETHISTORY FROM "2025-01-27 00:00:00" TILL "2025-01-27 23:59:59""#),
        Command::GetHistory {
            from: ts(2025, 1, 27, 0, 0, 0),
            till: ts(2025, 1, 27, 23, 59, 59)
        }
    );
}

#[test]
fn setapmode_subscribe_and_session_commands_parse() {
    assert_eq!(
        cmd("SETAPMODE LOCKED 1 2 3"),
        Command::SetApMode {
            mode: ApMode::Locked,
            targets: ApTargets::List(vec![AccessPointId(1), AccessPointId(2), AccessPointId(3)])
        }
    );
    assert_eq!(
        cmd("SETAPMODE UNLOCKED ALL"),
        Command::SetApMode {
            mode: ApMode::Unlocked,
            targets: ApTargets::All
        }
    );
    assert_eq!(
        cmd("SETAPMODE NORMAL 4"),
        Command::SetApMode {
            mode: ApMode::Normal,
            targets: ApTargets::List(vec![AccessPointId(4)])
        }
    );
    assert_eq!(cmd("SUBSCRIBE"), Command::Subscribe(SubscribeKind::Classic));
    assert_eq!(cmd("SUBSCRIBE CE"), Command::Subscribe(SubscribeKind::Ce));
    assert_eq!(
        cmd("SUBSCRIBE CE_WITH_NAMES"),
        Command::Subscribe(SubscribeKind::CeWithNames)
    );
    assert_eq!(cmd("UNSUBSCRIBE"), Command::Unsubscribe);
    assert_eq!(cmd("QUIT"), Command::Quit);
    assert_eq!(cmd("EXIT"), Command::Exit);
}

#[test]
fn ok_and_error_replies_parse() {
    assert_eq!(reply("OK"), Reply::Ok);
    assert_eq!(
        reply("ERROR 7 UNKNOWN OBJECT"),
        Reply::error(ErrorCode::UnknownObject)
    );
    assert_eq!(
        reply("ERROR 4 NOT LOGGED IN\r"),
        Reply::error(ErrorCode::NotLoggedIn)
    );
    assert_eq!(
        reply("ERROR 99 SOMETHING NEW"),
        Reply::Error {
            code: ErrorCode::Other(99),
            text: "SOMETHING NEW".into()
        }
    );
    assert_eq!(
        reply("ERROR 6"),
        Reply::Error {
            code: ErrorCode::SyntaxError,
            text: String::new()
        }
    );
}

#[test]
fn aplist_and_apinfo_replies_parse() {
    assert_eq!(
        reply("APLIST 1 2 3"),
        Reply::ApList(vec![AccessPointId(1), AccessPointId(2), AccessPointId(3)])
    );
    assert_eq!(reply("APLIST EMPTY"), Reply::ApList(vec![]));
    assert_eq!(
        reply(r#"APINFO ID 1 NAME "Main entrance" ZONEA 1 ZONEB 2 STATE ONLINE_NORMAL CLOSED"#),
        Reply::ApInfo(ApInfo {
            id: AccessPointId(1),
            name: "Main entrance".into(),
            zone_a: ZoneId(1),
            zone_b: ZoneId(2),
            state: ApState::OnlineNormal,
            door: DoorState::Closed
        })
    );
}

#[test]
fn zoneinfo_and_location_replies_parse() {
    assert_eq!(
        reply(r#"ZONEINFO ID 1 NAME "A", ID 2 NAME "B, with comma""#),
        Reply::ZoneInfo(vec![
            Zone {
                id: ZoneId(1),
                name: "A".into()
            },
            Zone {
                id: ZoneId(2),
                name: "B, with comma".into()
            }
        ])
    );
    assert_eq!(
        reply(r#"LOCATION OBJECT 6 ZONE 2 ACTTIME "2025-01-27 11:23:08""#),
        Reply::Location(Location {
            object: ObjectId(6),
            zone: ZoneId(2),
            act_time: ts(2025, 1, 27, 11, 23, 8)
        })
    );
}

#[test]
fn objectinfo_single_and_multi_item_replies_parse() {
    let ivanov = ObjectInfo {
        kind: ObjectKind::Employee,
        id: ObjectId(6),
        name: "Ivanov Ivan".into(),
        position: Some("Lawyer".into()),
        tab_number: Some("006".into()),
        number: None,
        model: None,
    };
    assert_eq!(
        reply(r#"OBJECTINFO EMP ID 6 NAME "Ivanov Ivan" POSITION "Lawyer" TABNUMBER "006""#),
        Reply::ObjectInfo(vec![ivanov.clone()])
    );
    let car = ObjectInfo {
        kind: ObjectKind::Car,
        id: ObjectId(9),
        name: "Fleet, car 1".into(),
        position: None,
        tab_number: None,
        number: Some("A123BC".into()),
        model: Some("Lada".into()),
    };
    let guest = ObjectInfo {
        kind: ObjectKind::Guest,
        id: ObjectId(10),
        name: "#guest".into(),
        position: None,
        tab_number: None,
        number: None,
        model: None,
    };
    assert_eq!(
        reply(concat!(
            r#"OBJECTINFO EMP ID 6 NAME "Ivanov Ivan" POSITION "Lawyer" TABNUMBER "006", "#,
            r#"CAR ID 9 NAME "Fleet, car 1" NUMBER "A123BC" MODEL "Lada","#,
            r##"GUEST ID 10 NAME "#23guest""##
        )),
        Reply::ObjectInfo(vec![ivanov, car, guest])
    );
    assert_eq!(reply("OBJECTINFO"), Reply::ObjectInfo(vec![]));
}

#[test]
fn cyrillic_escapes_decode() {
    assert_eq!(
        reply(r##"ZONEINFO ID 1 NAME "#D1#8E#D1#80""##),
        Reply::ZoneInfo(vec![Zone {
            id: ZoneId(1),
            name: "юр".into()
        }])
    );
}
