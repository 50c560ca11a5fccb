//! Resolving `[identity]`, `[policy]`, `[journal]` and `[admin]`.

use std::time::Duration;

use super::ctx::Ctx;
use super::raw::{RawAdmin, RawIdentity, RawJournal, RawPolicy, V};
use super::table::load_table;
use super::types::{AdminConfig, IdentityConfig, IdentityMode, JournalConfig, PolicyConfig};

/// Default journal file name, beside the config file.
pub const DEFAULT_JOURNAL_FILE: &str = "facegate.db";
/// Default journal retention.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 86_400);

pub(crate) fn identity(cx: &mut Ctx<'_>, r: RawIdentity) -> Option<IdentityConfig> {
    let mode = match cx.required("identity.mode", r.mode).as_deref() {
        Some("same") => Some(IdentityMode::Same),
        Some("table") => Some(IdentityMode::Table),
        Some("external_id") => Some(IdentityMode::ExternalId),
        Some(other) => {
            cx.problems.error(
                "identity.mode",
                format!("{other:?} is not \"same\", \"table\" or \"external_id\""),
            );
            None
        }
        None => None,
    };
    let table = cx.path("identity.table", r.table);
    let mut rows = Vec::new();
    match (mode, &table) {
        (Some(IdentityMode::Table), None)
            if !cx.problems.errors.iter().any(|p| p.key == "identity.table") =>
        {
            cx.problems.error(
                "identity.table",
                "missing: mode = \"table\" needs a CSV file",
            );
        }
        (Some(IdentityMode::Table), Some(path)) => match load_table(path) {
            Ok(r) if r.is_empty() => cx.problems.warn(
                "identity.table",
                format!(
                    "{} has no mappings: every sighting will be unmapped_person",
                    path.display()
                ),
            ),
            Ok(r) => rows = r,
            Err(problems) => {
                for p in problems {
                    let place = if p.line == 0 {
                        format!("{}", path.display())
                    } else {
                        format!("{} line {}", path.display(), p.line)
                    };
                    cx.problems
                        .error("identity.table", format!("{place}: {}", p.message));
                }
            }
        },
        (Some(_), Some(_)) => cx
            .problems
            .warn("identity.table", "ignored unless mode = \"table\""),
        _ => {}
    }
    Some(IdentityConfig {
        mode: mode?,
        table,
        rows,
    })
}

fn lists(cx: &mut Ctx<'_>, key: &str, v: Option<V<Vec<i64>>>) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, n) in cx.take(key, v).unwrap_or_default().into_iter().enumerate() {
        match u64::try_from(n) {
            Ok(id) => out.push(id),
            Err(_) => cx
                .problems
                .error(format!("{key}[{i}]"), format!("{n} is not a list id")),
        }
    }
    out
}

pub(crate) fn policy(cx: &mut Ctx<'_>, r: RawPolicy) -> PolicyConfig {
    let d = PolicyConfig::default();
    let max_event_age = cx.duration(
        "policy.max_event_age",
        r.max_event_age,
        d.max_event_age,
        true,
    );
    let clock_skew = cx.duration("policy.clock_skew", r.clock_skew, d.clock_skew, false);
    let cooldown = cx.duration("policy.cooldown", r.cooldown, d.cooldown, false);
    let allow_lists = lists(cx, "policy.allow_lists", r.allow_lists);
    let deny_lists = lists(cx, "policy.deny_lists", r.deny_lists);
    for id in allow_lists.iter().filter(|id| deny_lists.contains(id)) {
        cx.problems.warn(
            "policy.allow_lists",
            format!("list {id} is also in deny_lists; deny wins"),
        );
    }
    let min_score = match cx.take("policy.min_score", r.min_score) {
        Some(s) if (0.0..=1.0).contains(&s) => Some(s as f32),
        Some(s) => {
            cx.problems
                .error("policy.min_score", format!("{s} is outside 0..=1"));
            None
        }
        None => None,
    };
    PolicyConfig {
        max_event_age,
        clock_skew,
        cooldown,
        allow_lists,
        deny_lists,
        min_score,
    }
}

pub(crate) fn journal(cx: &mut Ctx<'_>, r: RawJournal) -> JournalConfig {
    let path = cx
        .path("journal.path", r.path)
        .unwrap_or_else(|| cx.base.join(DEFAULT_JOURNAL_FILE));
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        cx.problems.warn(
            "journal.path",
            format!(
                "the directory {} does not exist (yet); the bridge cannot start without it",
                dir.display()
            ),
        );
    }
    let retention = cx.duration("journal.retention", r.retention, DEFAULT_RETENTION, true);
    JournalConfig { path, retention }
}

pub(crate) fn admin(cx: &mut Ctx<'_>, r: RawAdmin) -> AdminConfig {
    AdminConfig {
        listen: cx.socket_addr("admin.listen", r.listen, "127.0.0.1:9090"),
    }
}
