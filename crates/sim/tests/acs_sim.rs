//! The ACS simulator over real sockets: a raw TCP client writes bytes and reads lines.

#[path = "acs_support/mod.rs"]
mod support;

use std::time::Duration;

use acs_proto::{
    parse_server_line, AccessPointId, ApState, ClassicKind, Command, Direction, ErrorCode,
    ObjectId, ObjectKind, ObjectRef, Reply, ServerLine, ZoneId,
};
use sim::acs::{AcsSimConfig, REDACTED};
use support::{start, Client, WAIT};

fn reply(line: &str) -> Reply {
    match parse_server_line(line.as_bytes()) {
        Ok(ServerLine::Reply(r)) => r,
        other => panic!("not a reply: {line:?} -> {other:?}"),
    }
}

fn error_code(line: &str) -> ErrorCode {
    match reply(line) {
        Reply::Error { code, .. } => code,
        other => panic!("not an error: {other:?}"),
    }
}

#[tokio::test]
async fn every_command_before_login_is_answered_error_4() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    for cmd in [
        "ALLOWPASS 1 6 IN",
        "GETAPLIST",
        "GETAPINFO 1",
        "SUBSCRIBE",
        "UNSUBSCRIBE",
    ] {
        assert_eq!(c.cmd(cmd).await, "ERROR 4 NOT LOGGED IN", "{cmd}");
    }
    assert_eq!(c.cmd(r#"LOGIN 1.8 "admin" "secret""#).await, "OK");
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    sim.shutdown().await;
}

#[tokio::test]
async fn login_and_allowpass_in_one_write_answer_ok_twice() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    c.send(b"LOGIN 1.8 \"admin\" \"secret\"\r\nALLOWPASS 1 6 IN\r\n")
        .await;
    assert_eq!(c.line().await, "OK");
    assert_eq!(c.line().await, "OK");
    assert_eq!(
        sim.allow_passes(),
        vec![(AccessPointId(1), ObjectRef::Id(ObjectId(6)), Direction::In)]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn lf_only_lines_and_unquoted_login_credentials_work() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    c.send(b"LOGIN 1.8 admin secret\nALLOWPASS 1 ANONYMOUS IN\nEXIT\n")
        .await;
    assert_eq!(c.line().await, "OK");
    assert_eq!(c.line().await, "OK");
    c.closed().await;
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_give_error_11_and_a_bad_version_error_3() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    assert_eq!(
        c.cmd(r#"LOGIN 1.8 "admin" "wrong""#).await,
        "ERROR 11 AUTHENTICATION FAILED"
    );
    assert_eq!(
        c.cmd(r#"LOGIN 1.8 "root" "secret""#).await,
        "ERROR 11 AUTHENTICATION FAILED"
    );
    assert_eq!(c.cmd("GETAPLIST").await, "ERROR 4 NOT LOGGED IN");
    assert_eq!(
        c.cmd(r#"LOGIN 1.7 "admin" "secret""#).await,
        "ERROR 3 UNSUPPORTED INTERFACE VERSION"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn allowpass_checks_the_access_point_and_the_object() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(
        c.cmd("ALLOWPASS 9 6 IN").await,
        "ERROR 10 UNKNOWN ACCESS POINT"
    );
    assert_eq!(c.cmd("ALLOWPASS 1 999 IN").await, "ERROR 7 UNKNOWN OBJECT");
    assert_eq!(c.cmd("ALLOWPASS 2 ANONYMOUS OUT").await, "OK");
    assert_eq!(c.cmd("allowpass 1 7 unknown").await, "OK");
    assert_eq!(sim.allow_passes().len(), 4, "every ALLOWPASS is recorded");
    assert_eq!(
        sim.history().len(),
        2,
        "only granted passes enter the history"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn read_commands_answer_from_the_configured_site() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    match reply(&c.cmd("GETAPINFO 1").await) {
        Reply::ApInfo(info) => {
            assert_eq!(info.id, AccessPointId(1));
            assert_eq!(info.name, "Access point 1");
            assert_eq!((info.zone_a, info.zone_b), (ZoneId(1), ZoneId(2)));
            assert_eq!(info.state, ApState::OnlineNormal);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_code(&c.cmd("GETAPINFO 3").await),
        ErrorCode::UnknownAccessPoint
    );
    match reply(&c.cmd("GETZONEINFO").await) {
        Reply::ZoneInfo(zones) => assert_eq!(zones.len(), 2),
        other => panic!("{other:?}"),
    }
    match reply(&c.cmd("GETOBJECTINFO OBJECTID 6").await) {
        Reply::ObjectInfo(items) => {
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].kind, ObjectKind::Employee);
            assert_eq!(items[0].id, ObjectId(6));
            assert_eq!(items[0].tab_number.as_deref(), Some("006"));
        }
        other => panic!("{other:?}"),
    }
    match reply(&c.cmd("GETOBJECTINFO ALL").await) {
        Reply::ObjectInfo(items) => {
            let ids: Vec<_> = items.iter().map(|o| o.id.0).collect();
            assert_eq!(ids, [6, 7, 8]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_code(&c.cmd("GETOBJECTINFO OBJECTID 5").await),
        ErrorCode::UnknownObject
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_pass_moves_the_object_and_enters_the_history() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    match reply(&c.cmd("GETLOCATION2 6").await) {
        Reply::Location(l) => assert_eq!(l.zone, ZoneId(1)),
        other => panic!("{other:?}"),
    }
    assert_eq!(c.cmd("ALLOWPASS 1 6 IN").await, "OK");
    match reply(&c.cmd("GETLOCATION2 6").await) {
        Reply::Location(l) => assert_eq!((l.object, l.zone), (ObjectId(6), ZoneId(2))),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        error_code(&c.cmd("GETLOCATION2 99").await),
        ErrorCode::UnknownObject
    );
    let all = c
        .cmd(r#"GETHISTORY FROM "2000-01-01 00:00:00" TILL "9999-12-31 23:59:59""#)
        .await;
    match reply(&all) {
        Reply::History(events) => {
            assert_eq!(events.len(), 1);
            assert!(matches!(
                events[0].kind,
                ClassicKind::ObjectPass {
                    ap: AccessPointId(1),
                    object: ObjectId(6),
                    direction: Direction::In,
                    ..
                }
            ));
        }
        other => panic!("{other:?}"),
    }
    let past = c
        .cmd(r#"GETHISTORY FROM "2000-01-01 00:00:00" TILL "2000-01-02 00:00:00""#)
        .await;
    assert_eq!(past, "HISTORY");
    sim.shutdown().await;
}

#[tokio::test]
async fn setapmode_changes_the_access_point_state() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("SETAPMODE LOCKED 1").await, "OK");
    assert_eq!(sim.ap_state(AccessPointId(1)), Some(ApState::OnlineLocked));
    assert_eq!(sim.ap_state(AccessPointId(2)), Some(ApState::OnlineNormal));
    assert!(c.cmd("GETAPINFO 1").await.contains("ONLINE_LOCKED"));
    assert_eq!(c.cmd("SETAPMODE UNLOCKED ALL").await, "OK");
    assert_eq!(
        sim.ap_state(AccessPointId(2)),
        Some(ApState::OnlineUnlocked)
    );
    assert_eq!(c.cmd("SETAPMODE OPEN 1").await, "ERROR 6 SYNTAX ERROR");
    assert_eq!(
        c.cmd("SETAPMODE NORMAL 1 9").await,
        "ERROR 10 UNKNOWN ACCESS POINT"
    );
    assert_eq!(
        sim.ap_state(AccessPointId(1)),
        Some(ApState::OnlineUnlocked)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_unknown_and_overlong_lines_get_errors_and_the_link_survives() {
    let config = AcsSimConfig {
        max_line: 64,
        ..AcsSimConfig::default()
    };
    let sim = start(config).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("ALLOWPASS one 6 IN").await, "ERROR 6 SYNTAX ERROR");
    assert_eq!(c.cmd("OPENSESAME 1").await, "ERROR 2 UNKNOWN COMMAND");
    let long = format!("GETAPINFO {}", "1".repeat(500));
    assert_eq!(c.cmd(&long).await, "ERROR 6 SYNTAX ERROR");
    assert_eq!(c.cmd("GETAPLIST").await, "APLIST 1 2");
    let received = sim.received();
    assert!(received[1].command.is_none() && received[1].line == "ALLOWPASS one 6 IN");
    assert!(
        received[3].line.len() < 300,
        "an over-long line is kept short"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn quit_and_exit_close_the_connection() {
    let sim = start(AcsSimConfig::default()).await;
    for word in ["QUIT", "EXIT"] {
        let mut c = Client::logged_in(sim.addr()).await;
        c.send(format!("{word}\r\n").as_bytes()).await;
        c.closed().await;
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn received_lines_keep_the_raw_text_but_never_the_password() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    c.send(b"LOGIN 1.8 \"admin\" \"secret\"\r\nGETAPINFO   2\r\n")
        .await;
    c.line().await;
    c.line().await;
    let got = sim
        .wait_for_commands(2, WAIT)
        .await
        .expect("two lines received");
    assert_eq!(got[0].line, format!(r#"LOGIN 1.8 "admin" "{REDACTED}""#));
    match &got[0].command {
        Some(Command::Login { password, user, .. }) => {
            assert_eq!(user, "admin");
            assert_eq!(password.expose(), REDACTED);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(got[1].line, "GETAPINFO   2", "the raw spacing is kept");
    assert_eq!(got[0].conn, got[1].conn);
    let json: serde_json::Value =
        serde_json::from_str(&got[0].to_json_line()).expect("a JSON line");
    assert_eq!(json["conn"], got[0].conn.0);
    assert!(json["ts"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(!got[0].to_json_line().contains("secret"));
    let err = sim
        .wait_for_commands(3, Duration::from_millis(50))
        .await
        .expect_err("only two lines were sent");
    assert_eq!((err.wanted, err.got), (3, 2));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_name_with_crlf_in_the_state_file_cannot_break_lines() {
    let config = AcsSimConfig::from_toml_str(
        r#"
        [[access_points]]
        id = 1
        name = "Evil\r\nOK\r\nERROR 7 \"quoted\" #23"
        [[objects]]
        id = 6
        name = "Ivanov\nEXIT"
        "#,
    )
    .expect("valid state file");
    let sim = start(config).await;
    let mut c = Client::logged_in(sim.addr()).await;
    let info = c.cmd("GETAPINFO 1").await;
    assert!(!info.contains('\r') && !info.contains('\n'));
    match reply(&info) {
        Reply::ApInfo(ap) => assert_eq!(ap.name, "Evil\r\nOK\r\nERROR 7 \"quoted\" #23"),
        other => panic!("{other:?}"),
    }
    match reply(&c.cmd("GETOBJECTINFO OBJECTID 6").await) {
        Reply::ObjectInfo(o) => assert_eq!(o[0].name, "Ivanov\nEXIT"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        c.cmd("GETAPLIST").await,
        "APLIST 1",
        "the stream is still in step"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn many_concurrent_connections_are_served() {
    let sim = start(AcsSimConfig::default()).await;
    let addr = sim.addr();
    let clients: Vec<_> = (0..40)
        .map(|i| {
            tokio::spawn(async move {
                let mut c = Client::logged_in(addr).await;
                let obj = 6 + i % 3;
                assert_eq!(c.cmd(&format!("ALLOWPASS 1 {obj} IN")).await, "OK");
                c
            })
        })
        .collect();
    let mut open = Vec::new();
    for task in clients {
        open.push(task.await.expect("client task"));
    }
    assert_eq!(sim.connections(), 40);
    assert_eq!(sim.allow_passes().len(), 40);
    drop(open);
    sim.disconnect_all();
    sim.shutdown().await;
}

#[tokio::test]
async fn a_state_file_is_loaded_from_disk_by_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let toml_path = dir.path().join("site.toml");
    std::fs::write(
        &toml_path,
        "[[objects]]\nid = 42\nkind = \"GUEST\"\nname = \"Visitor\"\n",
    )
    .expect("write");
    let json_path = dir.path().join("site.json");
    std::fs::write(
        &json_path,
        r#"{"objects":[{"id":43,"kind":"CAR","name":"Van"}]}"#,
    )
    .expect("write");
    let from_toml = AcsSimConfig::from_file(&toml_path).expect("TOML state file");
    let from_json = AcsSimConfig::from_file(&json_path).expect("JSON state file");
    assert_eq!(from_toml.objects[0].kind, ObjectKind::Guest);
    assert_eq!(from_json.objects[0].kind, ObjectKind::Car);
    let sim = start(from_json).await;
    let mut c = Client::logged_in(sim.addr()).await;
    assert_eq!(c.cmd("ALLOWPASS 1 6 IN").await, "ERROR 7 UNKNOWN OBJECT");
    assert_eq!(c.cmd("ALLOWPASS 1 43 IN").await, "OK");
    let err = AcsSimConfig::from_file(dir.path().join("missing.toml")).expect_err("missing");
    assert!(err.to_string().contains("missing.toml"));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_malformed_login_line_is_recorded_without_anything_after_the_keyword() {
    let sim = start(AcsSimConfig::default()).await;
    let mut c = Client::connect(sim.addr()).await;
    assert_eq!(
        c.cmd(r#"LOGIN 1.8 "admin secret"#).await,
        "ERROR 6 SYNTAX ERROR"
    );
    let got = sim.wait_for_commands(1, WAIT).await.expect("one line");
    assert_eq!(got[0].line, format!("LOGIN {REDACTED}"));
    assert!(got[0].command.is_none());
    sim.shutdown().await;
}
