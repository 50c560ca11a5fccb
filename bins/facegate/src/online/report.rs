//! The rows of `check --online` and how they are printed and turned into an exit code.

use crate::cli::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::journal_cmd::printable;
use crate::mapping::pending::write_aligned;

/// The result of one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// As it should be.
    Ok,
    /// Works, but deserves attention (an offline controller).
    Warn,
    /// Wrong: missing camera, access point or object; rejected credentials.
    Fail,
    /// The peer could not be reached (or did not answer in time).
    Unreachable,
    /// Not checked (the reason is in the detail).
    Skipped,
}

impl Status {
    /// `ok`, `WARN`, `FAIL`, `UNREACHABLE`, `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
            Status::Unreachable => "UNREACHABLE",
            Status::Skipped => "skipped",
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// What was checked: `watcher`, `acs hq`, `door[0] camera`, `person 135`, …
    pub check: String,
    /// The thing checked: a URL, an address, a camera, `ap 1 on hq`, `object 6 on hq`.
    pub subject: String,
    /// The result.
    pub status: Status,
    /// Details: the name and state found, or what is wrong.
    pub detail: String,
}

impl Row {
    /// A row.
    pub fn new(
        check: impl Into<String>,
        subject: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
    ) -> Row {
        Row {
            check: check.into(),
            subject: subject.into(),
            status,
            detail: detail.into(),
        }
    }
}

/// The whole online report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OnlineReport {
    /// The rows, in check order.
    pub rows: Vec<Row>,
    /// Notes printed under the table (caps, rows not shown).
    pub notes: Vec<String>,
}

impl OnlineReport {
    /// 2 when a peer was unreachable, else 1 when anything failed, else 0.
    pub fn exit(&self) -> u8 {
        if self.rows.iter().any(|r| r.status == Status::Unreachable) {
            EXIT_ERROR
        } else if self.rows.iter().any(|r| r.status == Status::Fail) {
            EXIT_PROBLEMS
        } else {
            EXIT_OK
        }
    }

    /// The aligned table, the notes and a summary line.
    pub fn lines(&self) -> Vec<String> {
        let headers = ["CHECK", "SUBJECT", "RESULT", "DETAIL"].map(String::from);
        let cells: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    printable(&r.check),
                    printable(&r.subject),
                    r.status.as_str().to_string(),
                    printable(&r.detail),
                ]
            })
            .collect();
        let mut buf = Vec::new();
        let _ = write_aligned(&headers, &cells, &mut buf);
        let mut lines: Vec<String> = String::from_utf8_lossy(&buf)
            .lines()
            .map(str::to_owned)
            .collect();
        lines.extend(self.notes.iter().map(|n| format!("note: {n}")));
        let count = |s: Status| self.rows.iter().filter(|r| r.status == s).count();
        lines.push(format!(
            "online check: {} ok, {} failed, {} unreachable, {} warnings, {} skipped",
            count(Status::Ok),
            count(Status::Fail),
            count(Status::Unreachable),
            count(Status::Warn),
            count(Status::Skipped)
        ));
        lines
    }
}
