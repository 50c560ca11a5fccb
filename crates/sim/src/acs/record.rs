//! What the simulator remembers about each received line, with passwords redacted.

use std::fmt;
use std::time::SystemTime;

use acs_proto::{Command, Secret};

use super::clock;

/// The text that replaces a password in records and logs.
pub const REDACTED: &str = "<redacted>";

/// Longest line text kept in a record, in bytes; longer text is cut and ends in `…`.
pub const RECORDED_LINE_MAX: usize = 4096;

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
    /// password of a `LOGIN` line replaced by `"<redacted>"` (a `LOGIN` line that did not
    /// parse is kept as `LOGIN <redacted>`). Over-long lines keep only their first 256 bytes
    /// and end in `…`; other lines are cut at [`RECORDED_LINE_MAX`] bytes. Use it to check
    /// exactly what a client wrote (quoting, escaping).
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

/// `text` cut to at most [`RECORDED_LINE_MAX`] bytes (on a character boundary), marked `…`.
pub fn clip(mut text: String) -> String {
    if text.len() > RECORDED_LINE_MAX {
        let mut cut = RECORDED_LINE_MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
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

/// A parsed line with the password of a `LOGIN` (its fourth token onward) replaced.
///
/// For a line that parsed, tokens are well formed: a quoted token ends at the next `"` (a
/// quote inside one is written `#22`), so the fourth token is the password.
pub fn redact_line(line: &str) -> String {
    let starts = token_starts(line);
    match (first_word_is_login(line), starts.get(3)) {
        (false, _) => line.to_owned(),
        (true, Some(&pw)) => format!("{}\"{REDACTED}\"", &line[..pw]),
        // Tokens not where expected: keep nothing that could be the password.
        (true, None) => format!("LOGIN {REDACTED}"),
    }
}

/// A line that did not parse: a `LOGIN` line keeps only its keyword, because where its
/// password starts cannot be trusted (an unclosed quote would swallow it into the user).
pub fn redact_unparsed(line: &str) -> String {
    if first_word_is_login(line) {
        format!("LOGIN {REDACTED}")
    } else {
        line.to_owned()
    }
}

fn first_word_is_login(line: &str) -> bool {
    let word = line
        .split([' ', '\t', '"'])
        .find(|w| !w.is_empty())
        .unwrap_or("");
    word.eq_ignore_ascii_case("LOGIN")
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
            while i < bytes.len() && !matches!(bytes[i], b' ' | b'\t' | b'"') {
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
    fn an_unquoted_login_password_is_redacted_too() {
        assert_eq!(
            redact_line("login 1.8 admin secret"),
            r#"login 1.8 admin "<redacted>""#
        );
    }

    #[test]
    fn a_malformed_login_line_keeps_only_its_keyword() {
        assert_eq!(
            redact_unparsed(r#"LOGIN 1.8 "admin secret"#),
            "LOGIN <redacted>"
        );
        assert_eq!(redact_unparsed("  login\t1.8 admin"), "LOGIN <redacted>");
        assert_eq!(redact_unparsed("LOGINX 1"), "LOGINX 1");
    }

    #[test]
    fn a_login_without_blanks_around_quotes_is_redacted() {
        assert_eq!(
            redact_line(r#"LOGIN 1.8 admin"secret""#),
            r#"LOGIN 1.8 admin"<redacted>""#
        );
        assert_eq!(redact_line("LOGIN 1.8 onlyuser"), "LOGIN <redacted>");
    }

    #[test]
    fn long_record_text_is_clipped_on_a_character_boundary() {
        let long = "ж".repeat(RECORDED_LINE_MAX);
        let clipped = clip(long);
        assert!(clipped.len() <= RECORDED_LINE_MAX + '…'.len_utf8());
        assert!(clipped.ends_with('…'));
        assert_eq!(clip("short".into()), "short");
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
