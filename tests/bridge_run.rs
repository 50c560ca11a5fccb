//! End-to-end of the `facegate run` binary: it serves a config file, and SIGTERM drains and
//! flushes the journal before a clean exit.

mod common;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{acs_sim, journal_rows, people_csv, push_now, Setup, TOKEN};

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

fn spawn_bridge(dir: &tempfile::TempDir, setup: &Setup, extra_args: &[&str]) -> Child {
    let config = dir.path().join("facegate.toml");
    std::fs::write(&config, setup.toml(dir.path())).expect("write config");
    std::fs::write(dir.path().join("people.csv"), people_csv()).expect("write table");
    Command::new(env!("CARGO_BIN_EXE_facegate"))
        .arg("run")
        .arg("-c")
        .arg(&config)
        .args(extra_args)
        .env("FACEGATE_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("facegate starts")
}

async fn post_until_accepted(url: &str, body: String) {
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = http.post(url).body(body.clone()).send().await {
            assert_eq!(r.status().as_u16(), 202);
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the bridge never accepted a webhook");
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    for _ in 0..400 {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    panic!("facegate did not exit within 10 s of SIGTERM");
}

#[tokio::test]
async fn sigterm_drains_flushes_the_journal_and_exits_zero() {
    let acs = acs_sim().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ingest = free_port();
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_listen = ingest.to_string();
    let mut child = spawn_bridge(&dir, &setup, &[]);
    let url = format!("http://{ingest}/watcher/events/{TOKEN}");
    post_until_accepted(&url, push_now(135, "entrance")).await;
    post_until_accepted(&url, push_now(999, "entrance")).await;
    post_until_accepted(&url, push_now(136, "gate")).await;
    // Wait until both allowed commands reached the ACS.
    for _ in 0..200 {
        if acs.allow_passes().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let status = terminate(&mut child);
    assert!(status.success(), "exit status {status:?}");
    let rows = journal_rows(&dir);
    let mut outcomes: Vec<_> = rows.iter().map(|r| r.outcome.as_str()).collect();
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["granted", "granted", "unmapped_person"]);
}

#[tokio::test]
async fn the_dry_run_flag_sends_nothing_and_journals_dry_run() {
    let acs = acs_sim().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ingest = free_port();
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_listen = ingest.to_string();
    let mut child = spawn_bridge(&dir, &setup, &["--dry-run"]);
    let url = format!("http://{ingest}/watcher/events/{TOKEN}");
    post_until_accepted(&url, push_now(135, "entrance")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(terminate(&mut child).success());
    let rows = journal_rows(&dir);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "dry_run");
    assert_eq!(acs.allow_passes().len(), 0);
}

#[tokio::test]
async fn sighup_reloads_doors_from_the_config_file() {
    let acs = acs_sim().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let ingest = free_port();
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_listen = ingest.to_string();
    let mut child = spawn_bridge(&dir, &setup, &[]);
    let url = format!("http://{ingest}/watcher/events/{TOKEN}");
    post_until_accepted(&url, push_now(135, "entrance")).await;
    // Rename the `gate` camera to `garage` in the file, then SIGHUP.
    let path = dir.path().join("facegate.toml");
    let text = std::fs::read_to_string(&path).expect("read config");
    std::fs::write(
        &path,
        text.replace("camera = \"gate\"", "camera = \"garage\""),
    )
    .expect("write");
    let status = Command::new("kill")
        .arg("-HUP")
        .arg(child.id().to_string())
        .status()
        .expect("kill runs");
    assert!(status.success());
    let mut opened = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        post_until_accepted(&url, push_now(136, "garage")).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        if acs.allow_passes().len() == 2 {
            opened = true;
            break;
        }
    }
    assert!(opened, "the door renamed by the reload opened");
    assert!(
        child.try_wait().expect("wait").is_none(),
        "still running after SIGHUP"
    );
    assert!(terminate(&mut child).success());
    let rows = journal_rows(&dir);
    assert!(rows
        .iter()
        .any(|r| r.outcome == "granted" && r.camera.as_deref() == Some("garage")));
}
