//! `facegate check -c F --online`: log in to Watcher and every ACS and check that what the
//! config names exists — per door the camera (Watcher v2 cameras, by id, name or title) and
//! the access point (`GETAPINFO`, with its state); per mapped person the ACS object
//! (`GETOBJECTINFO OBJECTID`, or one `GETOBJECTINFO ALL` when the table is large).
//!
//! Layout: `report` holds the rows, the table and the exit code; `acs` the ACS checks; this
//! file the Watcher checks and the order of things.

mod acs;
pub mod report;

use std::time::Duration;

use watcher_api::client::{Camera, ClientError, WatcherClient};

use crate::config::{Config, IdentityMode, WatcherCredentials, WatcherMode};
pub use report::{OnlineReport, Row, Status};

/// Most mapped persons checked; the rest are counted in a note.
pub const MAX_PERSONS: usize = 10_000;
/// Above this many mapped persons one `GETOBJECTINFO ALL` replaces per-object requests.
pub const BULK_FROM: usize = 20;
/// Above this many mapped persons only the failing ones get a row of their own.
pub const LIST_ALL_UP_TO: usize = 50;

/// Runs every online check of `config`, each peer request bounded by `timeout`.
pub async fn check_online(config: &Config, timeout: Duration) -> OnlineReport {
    let mut report = OnlineReport::default();
    let cameras = watcher(config, timeout, &mut report).await;
    let pools = acs::login_all(config, timeout, &mut report).await;
    for (i, door) in config.doors.iter().enumerate() {
        report.rows.push(camera_row(i, &door.camera, &cameras));
        report
            .rows
            .push(acs::access_point_row(i, door, &pools, timeout).await);
    }
    match config.identity.mode {
        IdentityMode::Table => acs::objects(config, &pools, timeout, &mut report).await,
        IdentityMode::Same => report.rows.push(Row::new(
            "persons",
            "identity.mode = same",
            Status::Skipped,
            "object ids are the Watcher person ids; there is no table to check",
        )),
        IdentityMode::ExternalId => report.rows.push(Row::new(
            "persons",
            "identity.mode = external_id",
            Status::Skipped,
            "object ids come from Watcher's external_id per person; not checked",
        )),
    }
    for pool in pools.into_values().flatten() {
        pool.shutdown().await;
    }
    report
}

/// What the Watcher check learned about cameras.
enum Cameras {
    /// No `[watcher]`.
    NotConfigured,
    /// Watcher failed; doors cannot be checked.
    Failed,
    /// The cameras Watcher listed.
    Listed(Vec<Camera>),
}

async fn watcher(config: &Config, timeout: Duration, report: &mut OnlineReport) -> Cameras {
    let Some(w) = &config.watcher else {
        report.rows.push(Row::new(
            "watcher",
            "-",
            Status::Skipped,
            "no [watcher] section; cameras are not checked",
        ));
        return Cameras::NotConfigured;
    };
    let client = match crate::peers::watcher_client(w, timeout) {
        Ok(c) => c,
        Err(e) => {
            report
                .rows
                .push(Row::new("watcher", &w.url, Status::Fail, e.to_string()));
            return Cameras::Failed;
        }
    };
    let cameras = match client.cameras().await {
        Ok(c) => c,
        Err(e) => {
            report.rows.push(watcher_error("watcher v2", &w.url, &e));
            return Cameras::Failed;
        }
    };
    report.rows.push(Row::new(
        "watcher v2",
        &w.url,
        Status::Ok,
        format!(
            "logged in; {} camera{}",
            cameras.len(),
            plural(cameras.len())
        ),
    ));
    if w.mode == WatcherMode::Poll {
        report
            .rows
            .push(v3_login(&client, &w.url, &w.credentials).await);
    }
    Cameras::Listed(cameras)
}

/// Poll mode reads v3 episodes: check that the v3 login works too.
async fn v3_login(client: &WatcherClient, url: &str, credentials: &WatcherCredentials) -> Row {
    if matches!(credentials, WatcherCredentials::ApiKey(_)) {
        return Row::new(
            "watcher v3",
            url,
            Status::Fail,
            "poll mode needs login + password (v3 has no API key)",
        );
    }
    match client.persons_page(Some(1), None).await {
        Ok(_) => Row::new("watcher v3", url, Status::Ok, "logged in (episodes API)"),
        Err(e) => watcher_error("watcher v3", url, &e),
    }
}

fn watcher_error(check: &str, url: &str, e: &ClientError) -> Row {
    let status = match e {
        ClientError::Transport { .. } | ClientError::Timeout { .. } => Status::Unreachable,
        _ => Status::Fail,
    };
    Row::new(check, url, status, e.to_string())
}

fn camera_row(i: usize, camera: &str, cameras: &Cameras) -> Row {
    let check = format!("door[{i}] camera");
    let subject = format!("{camera:?}");
    match cameras {
        Cameras::NotConfigured => Row::new(check, subject, Status::Skipped, "no [watcher]"),
        Cameras::Failed => Row::new(check, subject, Status::Skipped, "Watcher check failed"),
        Cameras::Listed(list) => {
            let found = list.iter().find(|c| {
                [&c.id, &c.name, &c.title]
                    .into_iter()
                    .any(|v| v.as_deref() == Some(camera))
            });
            match found {
                Some(c) => Row::new(
                    check,
                    subject,
                    Status::Ok,
                    format!(
                        "Watcher camera id {} ({})",
                        c.id.as_deref().unwrap_or("-"),
                        c.title.as_deref().or(c.name.as_deref()).unwrap_or("-")
                    ),
                ),
                None => Row::new(
                    check,
                    subject,
                    Status::Fail,
                    format!(
                        "no Watcher camera has this id, name or title ({} camera{} listed)",
                        list.len(),
                        plural(list.len())
                    ),
                ),
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
