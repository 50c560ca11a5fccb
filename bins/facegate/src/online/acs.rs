//! The ACS half of `check --online`: log in, `GETAPINFO` per door, `GETOBJECTINFO` per mapped
//! person.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use acs_client::{AcsError, AcsPool, LinkState};
use acs_proto::{AccessPointId, ApState, DoorState, ErrorCode, ObjectId};
use tokio::time::{timeout_at, Instant};

use super::report::{OnlineReport, Row, Status};
use super::{plural, BULK_FROM, LIST_ALL_UP_TO, MAX_PERSONS};
use crate::config::{Config, DoorConfig};

/// Logged-in pools by `[[acs]]` name (`None`: the login failed; its row says why).
pub(super) type Pools = BTreeMap<String, Option<AcsPool>>;

/// Logs in to every `[[acs]]` (one link each, at most `timeout`), one row per server.
pub(super) async fn login_all(
    config: &Config,
    timeout: Duration,
    report: &mut OnlineReport,
) -> Pools {
    let mut pools = Pools::new();
    for a in &config.acs {
        let check = format!("acs {}", a.name);
        let pool = match AcsPool::try_start(crate::peers::acs_config(a, timeout)) {
            Ok(p) => p,
            Err(e) => {
                report
                    .rows
                    .push(Row::new(check, &a.address, Status::Fail, e.to_string()));
                pools.insert(a.name.clone(), None);
                continue;
            }
        };
        // Connect + login, plus a little slack for the link task to publish its state. The
        // first settled state decides: logged in, rejected, or failed (no retry is awaited).
        let deadline = Instant::now() + timeout + Duration::from_millis(200);
        if let Some(mut link) = pool.watch_links().into_iter().next() {
            let settled = |s: &LinkState| !matches!(s, LinkState::Connecting { .. });
            let _ = timeout_at(deadline, link.wait_for(settled)).await;
        }
        if pool.is_ready() {
            report.rows.push(Row::new(
                check,
                &a.address,
                Status::Ok,
                format!("logged in as {}", a.user),
            ));
            pools.insert(a.name.clone(), Some(pool));
            continue;
        }
        let state = pool.state().links.into_iter().next();
        let (status, detail) = match state {
            Some(LinkState::AuthFailed { code, .. }) => (
                Status::Fail,
                format!(
                    "login rejected: ERROR {} (check user and password)",
                    code.code()
                ),
            ),
            Some(LinkState::Backoff { reason, .. }) if reason.is_auth_failure() => {
                (Status::Fail, reason.to_string())
            }
            Some(LinkState::Backoff { reason, .. }) => (Status::Unreachable, reason.to_string()),
            _ => (
                Status::Unreachable,
                format!(
                    "not logged in within {}",
                    crate::duration::format_duration(timeout)
                ),
            ),
        };
        report
            .rows
            .push(Row::new(check, &a.address, status, detail));
        pool.shutdown().await;
        pools.insert(a.name.clone(), None);
    }
    pools
}

/// `GETAPINFO` for one door.
pub(super) async fn access_point_row(
    i: usize,
    door: &DoorConfig,
    pools: &Pools,
    timeout: Duration,
) -> Row {
    let check = format!("door[{i}] access point");
    let subject = format!("ap {} on {}", door.access_point, door.acs);
    let Some(Some(pool)) = pools.get(&door.acs) else {
        return Row::new(check, subject, Status::Skipped, "ACS login failed");
    };
    let ap = AccessPointId(door.access_point);
    match bounded(timeout, pool.ap_info(ap)).await {
        Ok(info) => {
            let status = if info.state == ApState::Offline {
                Status::Warn
            } else {
                Status::Ok
            };
            Row::new(
                check,
                subject,
                status,
                format!(
                    "{:?} {}, door {}",
                    info.name,
                    ap_state(info.state),
                    door_state(info.door)
                ),
            )
        }
        Err(AcsError::Server { code, text }) if code == ErrorCode::UnknownAccessPoint => Row::new(
            check,
            subject,
            Status::Fail,
            format!("no such access point (ERROR {} {text})", code.code()),
        ),
        Err(e) => error_row(check, subject, &e),
    }
}

/// Checks the mapped persons' objects on every logged-in ACS that has doors.
pub(super) async fn objects(
    config: &Config,
    pools: &Pools,
    timeout: Duration,
    report: &mut OnlineReport,
) {
    let rows = &config.identity.rows;
    if rows.len() > MAX_PERSONS {
        report.notes.push(format!(
            "the table maps {} persons; only the first {MAX_PERSONS} were checked",
            rows.len()
        ));
    }
    let rows = &rows[..rows.len().min(MAX_PERSONS)];
    if rows.is_empty() {
        report.rows.push(Row::new(
            "persons",
            "identity table",
            Status::Skipped,
            "the table maps nobody",
        ));
        return;
    }
    let with_doors: HashSet<&str> = config.doors.iter().map(|d| d.acs.as_str()).collect();
    for (name, pool) in pools {
        if !with_doors.contains(name.as_str()) {
            continue;
        }
        let Some(pool) = pool else {
            report.rows.push(Row::new(
                "persons",
                format!("{} objects on {name}", rows.len()),
                Status::Skipped,
                "ACS login failed",
            ));
            continue;
        };
        let mut person_rows = Vec::with_capacity(rows.len());
        if rows.len() > BULK_FROM {
            match bounded(timeout, pool.all_objects()).await {
                Ok(all) => {
                    let known: BTreeMap<u32, String> =
                        all.into_iter().map(|o| (o.id.0, o.name)).collect();
                    for r in rows {
                        let (status, detail) = match known.get(&r.acs_object_id) {
                            Some(n) => (Status::Ok, format!("{n:?}")),
                            None => (Status::Fail, "not in GETOBJECTINFO ALL".to_string()),
                        };
                        person_rows.push(person_row(r, name, status, detail));
                    }
                }
                Err(e) => {
                    report.rows.push(error_row(
                        "persons".into(),
                        format!("GETOBJECTINFO ALL on {name}"),
                        &e,
                    ));
                    continue;
                }
            }
        } else {
            for r in rows {
                let (status, detail) =
                    match bounded(timeout, pool.object_info(ObjectId(r.acs_object_id))).await {
                        Ok(o) => (Status::Ok, format!("{:?}", o.name)),
                        Err(AcsError::Server { code, text })
                            if code == ErrorCode::UnknownObject =>
                        {
                            (
                                Status::Fail,
                                format!("no such object (ERROR {} {text})", code.code()),
                            )
                        }
                        Err(e) => {
                            let row = error_row(String::new(), String::new(), &e);
                            (row.status, row.detail)
                        }
                    };
                person_rows.push(person_row(r, name, status, detail));
            }
        }
        let total = person_rows.len();
        let failed = person_rows
            .iter()
            .filter(|r| r.status != Status::Ok)
            .count();
        if total > LIST_ALL_UP_TO {
            person_rows.retain(|r| r.status != Status::Ok);
            report.notes.push(format!(
                "{name}: {} of {total} mapped object{} exist; only the failing ones are listed",
                total - failed,
                plural(total)
            ));
        }
        report.rows.extend(person_rows);
    }
}

fn person_row(
    r: &crate::config::table::MappingRow,
    acs: &str,
    status: Status,
    detail: String,
) -> Row {
    Row::new(
        format!("person {}", r.watcher_person_id),
        format!("object {} on {acs}", r.acs_object_id),
        status,
        detail,
    )
}

/// A failed request: unreachable when the link broke or timed out, else a failure.
fn error_row(check: String, subject: String, e: &AcsError) -> Row {
    let status = match e {
        AcsError::Connect { .. }
        | AcsError::ConnectTimeout { .. }
        | AcsError::Unavailable
        | AcsError::Timeout
        | AcsError::ConnectionLost(_) => Status::Unreachable,
        _ => Status::Fail,
    };
    Row::new(check, subject, status, e.to_string())
}

/// Bounds a pool request by `timeout` (the pool's own deadline also applies).
async fn bounded<T>(
    timeout: Duration,
    f: impl std::future::Future<Output = Result<T, AcsError>>,
) -> Result<T, AcsError> {
    timeout_at(Instant::now() + timeout, f)
        .await
        .unwrap_or(Err(AcsError::Timeout))
}

fn ap_state(s: ApState) -> &'static str {
    match s {
        ApState::Offline => "OFFLINE",
        ApState::OnlineNormal => "ONLINE_NORMAL",
        ApState::OnlineLocked => "ONLINE_LOCKED",
        ApState::OnlineUnlocked => "ONLINE_UNLOCKED",
    }
}

fn door_state(s: DoorState) -> &'static str {
    match s {
        DoorState::Unknown => "UNKNOWN",
        DoorState::Opened => "OPENED",
        DoorState::Closed => "CLOSED",
    }
}
