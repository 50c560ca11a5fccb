//! The encoder writes the reference's exact lines and escapes every unsafe byte.

use acs_proto::encode::{encode_command, encode_event, encode_reply};
use acs_proto::parse::{parse_command, parse_server_line, ServerLine};
use acs_proto::*;
use bytes::BytesMut;

fn cmd_line(c: &Command) -> String {
    let mut b = BytesMut::new();
    encode_command(c, &mut b);
    String::from_utf8(b.to_vec()).expect("encoder writes UTF-8")
}

fn reply_line(r: &Reply) -> String {
    let mut b = BytesMut::new();
    encode_reply(r, &mut b);
    String::from_utf8(b.to_vec()).expect("encoder writes UTF-8")
}

fn ts() -> Timestamp {
    Timestamp::new(2025, 1, 27, 11, 23, 8).expect("valid")
}

#[test]
fn commands_encode_to_the_reference_lines() {
    let login = Command::Login {
        version: ProtocolVersion::v1_8(),
        user: "Administrator".into(),
        password: Secret::new("secret"),
    };
    assert_eq!(
        cmd_line(&login),
        "LOGIN 1.8 \"Administrator\" \"secret\"\r\n"
    );
    let anon = Command::AllowPass {
        ap: AccessPointId(1),
        object: ObjectRef::Anonymous,
        direction: Direction::In,
    };
    assert_eq!(cmd_line(&anon), "ALLOWPASS 1 ANONYMOUS IN\r\n");
    assert_eq!(
        cmd_line(&Command::GetObjectInfo(ObjectQuery::All)),
        "GETOBJECTINFO ALL\r\n"
    );
    assert_eq!(
        cmd_line(&Command::GetHistory {
            from: ts(),
            till: ts()
        }),
        "GETHISTORY FROM \"2025-01-27 11:23:08\" TILL \"2025-01-27 11:23:08\"\r\n"
    );
    let mode = Command::set_ap_mode(ApMode::Locked, [AccessPointId(1), AccessPointId(2)])
        .expect("non-empty");
    assert_eq!(cmd_line(&mode), "SETAPMODE LOCKED 1 2\r\n");
    assert_eq!(
        cmd_line(&Command::Subscribe(SubscribeKind::CeWithNames)),
        "SUBSCRIBE CE_WITH_NAMES\r\n"
    );
}

#[test]
fn an_empty_setapmode_list_is_rejected_by_the_constructor_and_never_widens_to_all() {
    assert_eq!(
        Command::set_ap_mode(ApMode::Unlocked, []),
        Err(EmptyTargets)
    );
    let raw = Command::SetApMode {
        mode: ApMode::Unlocked,
        targets: ApTargets::List(vec![]),
    };
    let line = cmd_line(&raw);
    assert_eq!(line, "SETAPMODE UNLOCKED\r\n");
    assert!(!line.contains("ALL"));
    // Our own server side rejects it too.
    assert!(parse_command(line.trim_end().as_bytes()).is_err());
}

#[test]
fn replies_encode_to_the_reference_lines() {
    assert_eq!(reply_line(&Reply::Ok), "OK\r\n");
    assert_eq!(
        reply_line(&Reply::error(ErrorCode::UnknownObject)),
        "ERROR 7 UNKNOWN OBJECT\r\n"
    );
    assert_eq!(reply_line(&Reply::ApList(vec![])), "APLIST EMPTY\r\n");
    assert_eq!(
        reply_line(&Reply::ApInfo(ApInfo {
            id: AccessPointId(1),
            name: "Main entrance".into(),
            zone_a: ZoneId(1),
            zone_b: ZoneId(2),
            state: ApState::OnlineNormal,
            door: DoorState::Closed,
        })),
        "APINFO ID 1 NAME \"Main entrance\" ZONEA 1 ZONEB 2 STATE ONLINE_NORMAL CLOSED\r\n"
    );
    assert_eq!(
        reply_line(&Reply::ZoneInfo(vec![
            Zone {
                id: ZoneId(1),
                name: "A".into()
            },
            Zone {
                id: ZoneId(2),
                name: "B".into()
            }
        ])),
        "ZONEINFO ID 1 NAME \"A\", ID 2 NAME \"B\"\r\n"
    );
    assert_eq!(reply_line(&Reply::History(vec![])), "HISTORY\r\n");
}

#[test]
fn event_ce_encodes_to_the_reference_line() {
    let ev = Event::Ce(CeEvent {
        time: ts(),
        code: 4,
        ap: AccessPointId(1),
        object: Some(ObjectId(6)),
        direction: CeDirection::In,
        key: KeyRef::W26 {
            facility: 249,
            number: 29323,
        },
        name: Some("Ivanov Ivan".into()),
    });
    let mut b = BytesMut::new();
    encode_event(&ev, &mut b);
    assert_eq!(
        &b[..],
        b"EVENT_CE \"2025-01-27 11:23:08\" 4 1 6 2 W26 249 29323 \"Ivanov Ivan\"\r\n"
    );
}

#[test]
fn a_name_with_crlf_and_a_command_encodes_to_one_line() {
    let evil = "x\r\nALLOWPASS 1 7 IN";
    let zone = Reply::ZoneInfo(vec![Zone {
        id: ZoneId(1),
        name: evil.into(),
    }]);
    let line = reply_line(&zone);
    assert_eq!(line, "ZONEINFO ID 1 NAME \"x#0D#0AALLOWPASS 1 7 IN\"\r\n");
    assert_eq!(line.matches('\n').count(), 1);
    assert_eq!(
        parse_server_line(line.trim_end().as_bytes()),
        Ok(ServerLine::Reply(zone))
    );
    let login = Command::Login {
        version: ProtocolVersion::v1_8(),
        user: evil.into(),
        password: Secret::new("p\"w\nALLOWPASS 1 7 IN"),
    };
    let line = cmd_line(&login);
    assert_eq!(line.matches('\n').count(), 1);
    assert_eq!(line.matches('\r').count(), 1);
    assert_eq!(parse_command(line.trim_end().as_bytes()), Ok(login));
}

#[test]
fn error_text_with_line_breaks_is_quoted_and_escaped() {
    let r = Reply::Error {
        code: ErrorCode::InternalError,
        text: "boom\r\nOK".into(),
    };
    let line = reply_line(&r);
    assert_eq!(line, "ERROR 8 \"boom#0D#0AOK\"\r\n");
    assert_eq!(
        parse_server_line(line.trim_end().as_bytes()),
        Ok(ServerLine::Reply(r))
    );
}

#[test]
fn quote_hash_nul_del_and_controls_are_escaped_and_utf8_is_kept_raw() {
    let z = Reply::ZoneInfo(vec![Zone {
        id: ZoneId(3),
        name: "\"#\0\x7f\t юр".into(),
    }]);
    let line = reply_line(&z);
    assert_eq!(line, "ZONEINFO ID 3 NAME \"#22#23#00#7F#09 юр\"\r\n");
}

#[test]
fn command_display_redacts_the_login_password() {
    let login = Command::Login {
        version: ProtocolVersion::v1_8(),
        user: "admin".into(),
        password: Secret::new("hunter2"),
    };
    let shown = login.to_string();
    assert_eq!(shown, "LOGIN 1.8 \"admin\" \"<redacted>\"");
    assert!(!format!("{login:?}").contains("hunter2"));
    assert_eq!(
        Command::GetApInfo {
            ap: AccessPointId(3)
        }
        .to_string(),
        "GETAPINFO 3"
    );
}
