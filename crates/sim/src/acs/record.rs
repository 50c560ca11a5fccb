//! What the simulator remembers about each received line, with passwords redacted.

use std::fmt;
use std::time::SystemTime;

use acs_proto::{Command, Secret};

use super::clock;

/// The text that replaces a password in records and logs.
pub const REDACTED: &str = "<redacted>";

/// A connection's number, unique for the life of one simulator (starting at 1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ConnId(pub u64);

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// One line a client sent, as the simulator saw it.
#[derive(Clone, PartialEq, Debug)]
pub struct ReceivedCommand {
    /// When the line was read.
    pub at: SystemTime,
    /// Which connection sent it.
    pub conn: ConnId,
    /// The parsed command; `None` when the line was malformed or over-long. A `LOGIN`'s
    /// password is replaced by [`REDACTED`].
    pub command: Option<Command>,
    /// The line as received (without its line end, invalid UTF-8 replaced by U+FFFD), with the
    /// password of a `LOGIN` line replaced by `"<redacted>"`. Over-long lines keep only their
    /// first 256 bytes. Use it to check exactly what a client wrote (quoting, escaping).
    pub line: String,
}

impl ReceivedCommand {
    /// One JSON object `{"ts": …, "conn": …, "line": …}` (no trailing newline).
    pub fn to_json_line(&self) -> String {
        use serde_json::Value;
        // Written by hand to keep the documented key order (ts, conn, line).
        format!(
            "{{\"ts\":{},\"conn\":{},\"line\":{}}}",
            Value::String(clock::rfc3339(self.at)),
            self.conn.0,
            Value::String(self.line.clone()),
        )
    }
}

/// The command with a `LOGIN` password replaced by [`REDACTED`].
pub fn redact_command(command: Command) -> Command {
    match command {
        Command::Login { version, user, .. } => Command::Login {
            version,
            user,
            password: Secret::new(REDACTED),
        },
        other => other,
    }
}

/// The raw line with the password of a `LOGIN` (its fourth token onward) replaced.
///
/// Works on malformed `LOGIN` lines too, so a password never reaches a log even when the rest
/// of the line did not parse. Quoted tokens end at the next `"` (a quote inside one must be
/// written `#22`, so this cannot cut a well-formed token short).
pub fn redact_line(line: &str) -> String {
    let starts = token_starts(line);
    let is_login = starts
        .first()
        .map(|&s| {
            let end = line[s..]
                .find(|c: char| c.is_whitespace())
                .map_or(line.len(), |e| s + e);
            line[s..end].eq_ignore_ascii_case("LOGIN")
        })
        .unwrap_or(false);
    match (is_login, starts.get(3)) {
        (true, Some(&pw)) => format!("{}\"{REDACTED}\"", &line[..pw]),
        _ => line.to_owned(),
    }
}

/// Byte offsets where the first four tokens start (space/tab separated, quotes respected).
fn token_starts(line: &str) -> Vec<usize> {
    let bytes = line.as_bytes();
    let mut starts = Vec::with_capacity(4);
    let mut i = 0;
    while i < bytes.len() && starts.len() < 4 {
        while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        starts.push(i);
        if bytes[i] == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += 1;
            }
            i += 1;
        } else {
            while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
                i += 1;
            }
        }
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_login_password_is_redacted_and_the_user_kept() {
        assert_eq!(
            redact_line(r#"LOGIN 1.8 "Ad min" "s3 cr#22et""#),
            r#"LOGIN 1.8 "Ad min" "<redacted>""#
        );
    }

    #[test]
    fn an_unquoted_or_malformed_login_password_is_redacted_too() {
        assert_eq!(
            redact_line("login 1.8 admin secret extra"),
            r#"login 1.8 admin "<redacted>""#
        );
        assert_eq!(redact_line("LOGIN 1.8 admin"), "LOGIN 1.8 admin");
    }

    #[test]
    fn other_lines_are_kept_as_they_are() {
        assert_eq!(redact_line("ALLOWPASS 1 6 IN"), "ALLOWPASS 1 6 IN");
    }

    #[test]
    fn a_parsed_login_loses_its_password() {
        let c = redact_command(Command::Login {
            version: acs_proto::ProtocolVersion::v1_8(),
            user: "admin".into(),
            password: Secret::new("secret"),
        });
        match c {
            Command::Login { password, .. } => assert_eq!(password.expose(), REDACTED),
            other => panic!("unexpected {other:?}"),
        }
    }
}
