//! The onboarding workflow against a running bridge: a face is seen unmapped, `mapping pending`
//! lists it, `mapping set` writes the table, and the running bridge grants the next sighting
//! without a restart or a signal.

use std::path::Path;
use std::time::Duration;

use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef};
use facegate_bridge::app::{Bridge, RunOptions};
use facegate_bridge::config::Config;
use facegate_bridge::journal::{Journal, JournalQuery};
use facegate_bridge::mapping::{mapping_command, MappingCommand, SetArgs};
use sim::watcher::Recognition;

use crate::common::{self, door, TABLE_IDENTITY, TOKEN};

/// The outcomes journaled for person 135 so far (the journal is written in ~50 ms batches).
fn outcomes(db: &Path) -> Vec<String> {
    let Ok(j) = Journal::open_read_only(db) else {
        return Vec::new();
    };
    j.query(&JournalQuery {
        person: Some(135),
        ..JournalQuery::default()
    })
    .map(|rows| rows.into_iter().map(|r| r.outcome).collect())
    .unwrap_or_default()
}

/// Waits (in short steps, at most ~5 s) until `done` holds.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..50 {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    done()
}

fn run(cmd: &MappingCommand) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = mapping_command(cmd, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_face_mapped_with_mapping_set_is_granted_by_the_running_bridge() {
    let (w, a) = (common::watcher().await, common::acs().await);
    // The webhook port must be known before the config is written (it is in public_url).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{TABLE_IDENTITY}[journal]\npath = \"j.db\"\n",
        common::watcher_section(&w.base_url(), &[1])
            .replace(common::PUBLIC, &format!("http://127.0.0.1:{port}")),
        common::acs_section(a.addr()),
        door("entrance", 1),
    );
    let config_path = common::site(dir.path(), &body, "# staff\n136,7\n");
    let text = std::fs::read_to_string(&config_path)
        .unwrap()
        .replace("127.0.0.1:0", &format!("127.0.0.1:{port}"));
    std::fs::write(&config_path, text).unwrap();
    let db = dir.path().join("j.db");

    let config = Config::load(&config_path).unwrap();
    let bridge = Bridge::start(config, RunOptions::default()).await.unwrap();
    assert!(
        eventually(|| w.subscriptions().len() == 1 && bridge.ready()).await,
        "subscribed and logged in"
    );
    assert!(w.subscriptions()[0].notify_url.ends_with(TOKEN));

    w.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    assert!(eventually(|| outcomes(&db) == ["unmapped_person"]).await);

    let (code, out, err) = run(&MappingCommand::Pending {
        config: config_path.clone(),
        since: None,
        json: false,
    });
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("135 ") && l.contains("Ivanov Ivan")),
        "{out}"
    );

    let (code, _, err) = run(&MappingCommand::Set(SetArgs {
        config: config_path.clone(),
        person: "135".into(),
        object: "6".into(),
        name: Some("Ivanov Ivan".into()),
        replace: false,
    }));
    assert_eq!(code, 0, "{err}");

    // The bridge checks the table file every second: keep showing the face until it passes.
    let mut granted = false;
    for _ in 0..10 {
        w.recognize(Recognition::new(135, "entrance"))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        if outcomes(&db).iter().any(|o| o == "granted") {
            granted = true;
            break;
        }
    }
    assert!(granted, "outcomes: {:?}", outcomes(&db));
    assert_eq!(
        a.allow_passes(),
        vec![(
            AccessPointId(1),
            ObjectRef::Id(ObjectId(6)),
            Direction::Unknown
        )]
    );
    let (code, out, _) = run(&MappingCommand::Pending {
        config: config_path,
        since: None,
        json: false,
    });
    assert_eq!(code, 0);
    assert_eq!(out.trim(), "(no unmapped persons seen)");
    bridge.shutdown().await.unwrap();
}
