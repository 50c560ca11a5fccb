//! `facegate journal -c F [--since 10m] [--outcome X] [--person ID] [--json] [--limit N]`.
//!
//! Reads only the `[journal]` section of the config (so it works without the bridge's secrets
//! in the environment) and opens the database read-only.

use std::io::Write;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;

use crate::cli::{EXIT_ERROR, EXIT_OK};
use crate::config::load_journal_config;
use crate::duration::parse_duration;
use crate::journal::{Journal, JournalQuery, JournalRecord, OUTCOMES};

/// Arguments of `facegate journal`.
#[derive(Clone, Debug, Args)]
pub struct JournalArgs {
    /// The configuration file (only `[journal]` is read).
    #[arg(short, long, default_value = "facegate.toml")]
    pub config: PathBuf,
    /// Only rows received within this duration before now, e.g. `10m`, `2h`, `1d`.
    #[arg(long)]
    pub since: Option<String>,
    /// Only rows with this outcome (`granted`, `cooldown`, …).
    #[arg(long)]
    pub outcome: Option<String>,
    /// Only rows about this Watcher person id.
    #[arg(long)]
    pub person: Option<u64>,
    /// One JSON object per line, with the SPEC §6 column names.
    #[arg(long)]
    pub json: bool,
    /// At most this many rows, the newest ones (0 = no limit).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

/// Runs the command, writing rows to `out` and errors (one line) to stderr.
pub fn journal_command(args: &JournalArgs, out: &mut dyn Write) -> u8 {
    match run(args, now_ms(), out) {
        Ok(()) => EXIT_OK,
        Err(line) => {
            eprintln!("{line}");
            EXIT_ERROR
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Builds the query from the arguments, relative to `now_ms`.
pub fn build_query(args: &JournalArgs, now_ms: i64) -> Result<JournalQuery, String> {
    let since = match &args.since {
        None => None,
        Some(text) => {
            let d = parse_duration(text).map_err(|e| format!("--since: {e}"))?;
            let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
            Some(now_ms.saturating_sub(ms))
        }
    };
    if let Some(outcome) = &args.outcome {
        if !OUTCOMES.contains(&outcome.as_str()) {
            return Err(format!(
                "--outcome: {outcome:?} is not an outcome; one of: {}",
                OUTCOMES.join(", ")
            ));
        }
    }
    Ok(JournalQuery {
        since,
        outcome: args.outcome.clone(),
        person: args.person,
        limit: (args.limit > 0).then_some(args.limit),
    })
}

fn run(args: &JournalArgs, now_ms: i64, out: &mut dyn Write) -> Result<(), String> {
    let query = build_query(args, now_ms)?;
    let config = load_journal_config(&args.config).map_err(|e| e.lines().join("\n"))?;
    let journal = Journal::open_read_only(&config.path).map_err(|e| format!("facegate: {e}"))?;
    let rows = journal
        .query(&query)
        .map_err(|e| format!("facegate: {e}"))?;
    let written = if args.json {
        write_json(&rows, out)
    } else {
        write_table(&rows, out)
    };
    written.map_err(|e| format!("facegate: cannot write the output: {e}"))
}

/// One JSON object per row and line, with exactly the SPEC §6 names.
pub fn write_json(rows: &[JournalRecord], out: &mut dyn Write) -> std::io::Result<()> {
    for r in rows {
        let line = serde_json::to_string(r).map_err(std::io::Error::other)?;
        writeln!(out, "{line}")?;
    }
    Ok(())
}

const HEADERS: [&str; 12] = [
    "RECEIVED (UTC)",
    "OUTCOME",
    "PERSON",
    "NAME",
    "LIST",
    "CAMERA",
    "ACS",
    "AP",
    "DIR",
    "OBJECT",
    "LATENCY",
    "DETAIL",
];

/// An aligned table, oldest row first.
pub fn write_table(rows: &[JournalRecord], out: &mut dyn Write) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "(no journal rows match)");
    }
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let cells: Vec<[String; 12]> = rows
        .iter()
        .map(|r| {
            let outcome = match r.acs_error {
                Some(n) => format!("{} (ERROR {n})", r.outcome),
                None => r.outcome.clone(),
            };
            [
                format_utc_ms(r.received_at),
                printable(&outcome),
                opt(r.person_id.map(|v| v.to_string())),
                opt(r.person_name.as_deref().map(printable)),
                opt(r.person_list.map(|v| v.to_string())),
                opt(r.camera.as_deref().map(printable)),
                opt(r.acs.as_deref().map(printable)),
                opt(r.access_point.map(|v| v.to_string())),
                opt(r.direction.as_deref().map(printable)),
                opt(r.object_id.map(|v| v.to_string())),
                opt(r.latency_us.map(format_latency)),
                r.detail.as_deref().map(printable).unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(w - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(&HEADERS.map(String::from)))?;
    for row in &cells {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

/// Escapes control characters so a name cannot move the cursor or forge table lines.
pub fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect()
}

fn format_latency(us: u64) -> String {
    if us < 1_000 {
        format!("{us}µs")
    } else if us < 1_000_000 {
        format!("{:.1}ms", us as f64 / 1_000.0)
    } else {
        format!("{:.2}s", us as f64 / 1_000_000.0)
    }
}

/// `2026-12-04 16:03:34.123` (UTC) from unix milliseconds.
pub fn format_utc_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, m, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000,
    );
    format!("{year:04}-{month:02}-{day:02} {h:02}:{m:02}:{s:02}.{milli:03}")
}

#[cfg(test)]
mod tests;
