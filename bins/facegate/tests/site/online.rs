use std::path::Path;
use std::time::Duration;

use acs_proto::{Command, ObjectQuery};
use facegate_bridge::config::Config;
use facegate_bridge::online::{check_online, OnlineReport, Status};

use crate::common::{self, door, TABLE_IDENTITY};

const TIMEOUT: Duration = Duration::from_secs(3);

async fn online(config: &Path) -> OnlineReport {
    let config = Config::load(config).unwrap();
    check_online(&config, TIMEOUT).await
}

fn row<'a>(r: &'a OnlineReport, check: &str) -> &'a facegate_bridge::online::Row {
    r.rows
        .iter()
        .find(|x| x.check == check)
        .unwrap_or_else(|| panic!("no row {check} in {:#?}", r.lines()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correct_site_passes_every_check() {
    let (w, a) = (common::watcher().await, common::acs().await);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{}{TABLE_IDENTITY}",
        common::watcher_section(&w.base_url(), &[1]),
        common::acs_section(a.addr()),
        door("entrance", 1),
        door("Exit", 2),
    );
    let config = common::site(dir.path(), &body, "135,6,Ivanov Ivan\n136,7\n");
    let r = online(&config).await;
    assert_eq!(r.exit(), 0, "{:#?}", r.lines());
    assert!(
        r.rows.iter().all(|x| x.status == Status::Ok),
        "{:#?}",
        r.lines()
    );
    assert_eq!(r.rows.len(), 2 + 4 + 2, "{:#?}", r.lines());
    assert!(
        row(&r, "door[1] camera").detail.contains("cam-7"),
        "{:#?}",
        r.lines()
    );
    assert!(row(&r, "door[0] access point")
        .detail
        .contains("ONLINE_NORMAL"));
    let lines = r.lines();
    assert!(lines[0].starts_with("CHECK"), "{lines:#?}");
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("online check: 8 ok, 0 failed"),
        "{lines:#?}"
    );
    assert!(!lines.concat().contains("secret"));
    assert!(a.allow_passes().is_empty(), "the check never opens a door");
    assert!(
        a.commands().iter().all(|c| matches!(
            c,
            Command::Login { .. }
                | Command::GetApInfo { .. }
                | Command::GetObjectInfo(_)
                | Command::Exit
        )),
        "{:?}",
        a.commands()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_camera_access_point_and_object_fail_with_exit_1() {
    let (w, a) = (common::watcher().await, common::acs().await);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{TABLE_IDENTITY}",
        common::watcher_section(&w.base_url(), &[1]),
        common::acs_section(a.addr()),
        door("garage", 9),
    );
    let config = common::site(dir.path(), &body, "135,6\n140,99\n");
    let r = online(&config).await;
    assert_eq!(r.exit(), 1, "{:#?}", r.lines());
    let cam = row(&r, "door[0] camera");
    assert_eq!(cam.status, Status::Fail);
    assert!(cam.detail.contains("no Watcher camera"), "{}", cam.detail);
    let ap = row(&r, "door[0] access point");
    assert_eq!(ap.status, Status::Fail);
    assert!(
        ap.detail.contains("no such access point (ERROR 10"),
        "{}",
        ap.detail
    );
    assert_eq!(row(&r, "person 135").status, Status::Ok);
    let obj = row(&r, "person 140");
    assert_eq!(obj.status, Status::Fail);
    assert!(
        obj.detail.contains("no such object (ERROR 7"),
        "{}",
        obj.detail
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_table_is_checked_with_one_getobjectinfo_all() {
    let a = common::acs().await;
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{TABLE_IDENTITY}",
        common::acs_section(a.addr()),
        door("entrance", 1),
    );
    // 60 persons: objects 6, 7, 8 exist, the other 57 do not.
    let table: String = (0..60)
        .map(|i| format!("{},{}\n", 1000 + i, 6 + i))
        .collect();
    let config = common::site(dir.path(), &body, &table);
    let r = online(&config).await;
    assert_eq!(r.exit(), 1);
    assert_eq!(row(&r, "watcher").status, Status::Skipped);
    let persons = r
        .rows
        .iter()
        .filter(|x| x.check.starts_with("person "))
        .count();
    assert_eq!(
        persons,
        57,
        "only the failing persons are listed: {:#?}",
        r.lines()
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("3 of 60 mapped objects exist")),
        "{:?}",
        r.notes
    );
    let commands = a.commands();
    let all = commands
        .iter()
        .filter(|c| matches!(c, Command::GetObjectInfo(ObjectQuery::All)))
        .count();
    let single = commands
        .iter()
        .filter(|c| matches!(c, Command::GetObjectInfo(ObjectQuery::Id(_))))
        .count();
    assert_eq!((all, single), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_acs_password_is_a_failure_and_an_unreachable_watcher_exits_2() {
    let a = common::acs().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{TABLE_IDENTITY}",
        common::watcher_section(&dead, &[1]),
        common::acs_section(a.addr()).replace("\"secret\"", "\"wrong\""),
        door("entrance", 1),
    );
    let config = common::site(dir.path(), &body, "135,6\n");
    let r = online(&config).await;
    let login = row(&r, "acs default");
    assert_eq!(login.status, Status::Fail, "{:#?}", r.lines());
    assert!(login.detail.contains("login rejected"), "{}", login.detail);
    assert_eq!(row(&r, "watcher v2").status, Status::Unreachable);
    assert_eq!(row(&r, "door[0] access point").status, Status::Skipped);
    assert_eq!(r.exit(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_command_prints_the_table_after_the_offline_summary() {
    let (w, a) = (common::watcher().await, common::acs().await);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}{}{}{TABLE_IDENTITY}",
        common::watcher_section(&w.base_url(), &[1]),
        common::acs_section(a.addr()),
        door("entrance", 1),
    );
    let config = common::site(dir.path(), &body, "135,6\n");
    let report = std::thread::spawn(move || {
        facegate_bridge::check::check(&config, Some(Duration::from_secs(3)))
    })
    .join()
    .unwrap();
    assert_eq!(report.exit, 0, "{:#?}", report.lines);
    let at = |p: &str| report.lines.iter().position(|l| l.starts_with(p));
    assert!(at("config OK") < at("CHECK"), "{:#?}", report.lines);
    assert!(report
        .lines
        .last()
        .unwrap()
        .starts_with("online check: 5 ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poll_mode_also_checks_the_v3_login() {
    let (w, a) = (common::watcher().await, common::acs().await);
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{}mode = \"poll\"\n{}{}{TABLE_IDENTITY}",
        common::watcher_section(&w.base_url(), &[]),
        common::acs_section(a.addr()),
        door("entrance", 1),
    );
    let config = common::site(dir.path(), &body, "135,6\n");
    let r = online(&config).await;
    assert_eq!(r.exit(), 0, "{:#?}", r.lines());
    let v3 = row(&r, "watcher v3");
    assert_eq!(v3.status, Status::Ok, "{:#?}", r.lines());

    let wrong = std::fs::read_to_string(&config).unwrap().replace(
        "password = \"secret\"\npublic_url",
        "password = \"nope\"\npublic_url",
    );
    std::fs::write(&config, wrong).unwrap();
    let r = online(&config).await;
    assert_eq!(r.exit(), 1, "{:#?}", r.lines());
    assert_eq!(
        row(&r, "watcher v2").status,
        Status::Fail,
        "{:#?}",
        r.lines()
    );
    assert_eq!(row(&r, "door[0] camera").status, Status::Skipped);
}
