//! Drills on the ACS side: links dropped with logins refused, and slow replies.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{
    errors_text, ms, outcomes, outcomes_text, plan, session_options, start, until_ready, Drill,
    DrillOptions, DrillResult,
};
use crate::acs::{CommandKind, Faults};
use crate::load::error::LoadError;
use crate::load::report::match_arrivals;
use crate::load::Run;

/// Slack for the `ALLOWPASS` line to reach the simulator after the bridge checked its
/// deadline.
const DEADLINE_SLACK: Duration = Duration::from_millis(250);

/// Events intended at or after `from` that have no `ALLOWPASS`, and how many there were.
fn unpassed_after(run: &Run, from: SystemTime) -> (usize, usize) {
    let m = match_arrivals(&run.sends, &run.arrivals);
    let late: Vec<bool> = run
        .sends
        .iter()
        .zip(&m.per_send)
        .filter(|(s, _)| s.intended >= from)
        .map(|(_, at)| at.is_none())
        .collect();
    (late.iter().filter(|&&x| x).count(), late.len())
}

/// Objects that received more than one `ALLOWPASS` (ids are unique within these runs).
fn resent_objects(run: &Run) -> usize {
    let mut per: HashMap<u32, u32> = HashMap::new();
    for a in &run.arrivals.passes {
        *per.entry(a.object).or_default() += 1;
    }
    per.values().filter(|&&n| n > 1).count()
}

/// ACS links dropped at 2 s and logins left unanswered until 4 s, with
/// a 3 s event age (the ACS command deadline), at `rate` for 12 s.
pub(super) async fn restart(opts: &DrillOptions, rate: f64) -> Result<DrillResult, LoadError> {
    let drill = Drill::AcsRestart;
    let mut result = DrillResult::new(drill);
    let age = Duration::from_secs(3);
    let Some(session) = start(&session_options(opts, drill, age), &mut result).await else {
        return Ok(result);
    };
    let admin = session.admin();
    let script = async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        // Not `reject-login`: an authentication failure rightly makes a client back off for
        // long (it is a configuration error); a restarting server just does not answer.
        session
            .acs
            .set_faults(Faults::none().with_silent(CommandKind::Login));
        session.acs.disconnect_all();
        tokio::time::sleep(Duration::from_secs(2)).await;
        session.acs.set_faults(Faults::none());
        let up_at = SystemTime::now();
        (up_at, until_ready(admin, Duration::from_secs(10)).await)
    };
    let driven = session.drive_detailed(
        plan(drill, rate, Duration::from_secs(12)),
        Duration::from_secs(5),
    );
    let (run, (up_at, reconnect)) = tokio::join!(driven, script);
    let seen = outcomes(admin).await;
    session.stop().await;
    let run = run?;
    let m = match_arrivals(&run.sends, &run.arrivals);
    let late = run
        .sends
        .iter()
        .zip(&m.per_send)
        .filter(|(s, at)| {
            let deadline = UNIX_EPOCH + Duration::from_secs(s.event_secs) + age + DEADLINE_SLACK;
            at.is_some_and(|at| at > deadline)
        })
        .count();
    result.check(
        "no ALLOWPASS reaches the ACS after its event's deadline",
        late == 0,
        format!("{late} late of {} passed", run.report.completed),
    );
    result.check(
        "ready again within 10 s once logins are accepted",
        reconnect.is_some(),
        reconnect.map_or("not ready after 10 s".to_owned(), ms),
    );
    result.check(
        "no duplicate ALLOWPASS",
        m.duplicate == 0 && resent_objects(&run) == 0,
        format!("{} duplicates", m.duplicate),
    );
    let from = up_at + reconnect.unwrap_or_default() + Duration::from_secs(1);
    let (missing, of) = unpassed_after(&run, from);
    result.check(
        "every event sent from 1 s after reconnection passes",
        missing == 0 && of > 0,
        format!("{missing} of {of} without ALLOWPASS"),
    );
    result.note("outcomes", outcomes_text(&seen));
    result.note("load_errors", errors_text(&run.report));
    result.report = Some(run.report);
    Ok(result)
}

/// `ALLOWPASS` answered after 2.5 s (the bridge's reply timeout is 2 s) from 2 s to 4 s, at
/// `rate` for 8 s.
pub(super) async fn slow(opts: &DrillOptions, rate: f64) -> Result<DrillResult, LoadError> {
    let drill = Drill::AcsSlow;
    let mut result = DrillResult::new(drill);
    let age = Duration::from_secs(10);
    let Some(session) = start(&session_options(opts, drill, age), &mut result).await else {
        return Ok(result);
    };
    let admin = session.admin();
    let script = async {
        tokio::time::sleep(Duration::from_secs(2)).await;
        session.acs.set_faults(
            Faults::none().with_delay_on(CommandKind::AllowPass, Duration::from_millis(2_500)),
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        session.acs.set_faults(Faults::none());
        SystemTime::now()
    };
    let driven = session.drive_detailed(
        plan(drill, rate, Duration::from_secs(8)),
        Duration::from_secs(5),
    );
    let (run, cleared_at) = tokio::join!(driven, script);
    let seen = outcomes(admin).await;
    session.stop().await;
    let run = run?;
    let timeouts = seen.get("acs_timeout").copied().unwrap_or(0);
    result.check(
        "the bridge counts ACS timeouts",
        timeouts > 0,
        format!("facegate_events_total{{outcome=\"acs_timeout\"}} = {timeouts}"),
    );
    let resent = resent_objects(&run);
    result.check(
        "nothing is re-sent (one ALLOWPASS per event at most)",
        resent == 0,
        format!("{resent} events with more than one ALLOWPASS"),
    );
    let (missing, of) = unpassed_after(&run, cleared_at + Duration::from_secs(3));
    result.check(
        "every event sent from 3 s after the ACS is fast again passes",
        missing == 0 && of > 0,
        format!("{missing} of {of} without ALLOWPASS"),
    );
    result.note("outcomes", outcomes_text(&seen));
    result.note("load_errors", errors_text(&run.report));
    result.report = Some(run.report);
    Ok(result)
}
