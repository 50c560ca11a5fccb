//! Parsers for one complete OIF line (no terminator; a trailing CR is tolerated).
//!
//! [`parse_command`] is the server side (what a client sent); [`parse_server_line`] is the
//! client side (a reply or an asynchronous event). Both are nom parsers built from `complete`
//! combinators over a single framed line, so "need more input" never leaks out: the line is
//! either a message or a [`ParseError`].
//!
//! Leniency: keywords are case-insensitive, blanks (spaces, tabs) between tokens may be
//! repeated or, next to a quote or comma, omitted; `LOGIN` credentials may be unquoted.

mod command;
mod event;
pub(crate) mod lexer;
mod reply;

use crate::command::Command;
use crate::event::Event;
use crate::reply::Reply;

use lexer::{is_blank, PErr};

/// A line the ACS sends: a reply to the command in flight or an asynchronous event.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ServerLine {
    /// A reply (`OK`, `ERROR …`, `APLIST …`, …).
    Reply(Reply),
    /// An event (`EVENT …` or `EVENT_CE …`).
    Event(Event),
}

impl From<Reply> for ServerLine {
    fn from(r: Reply) -> Self {
        ServerLine::Reply(r)
    }
}

impl From<Event> for ServerLine {
    fn from(e: Event) -> Self {
        ServerLine::Event(e)
    }
}

/// A line that is not a valid OIF message.
///
/// It names the byte offset and what was expected there, and never contains bytes of the
/// line itself, so it is safe to log even when the line carried a password.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("malformed OIF line: expected {expected} at byte {position}")]
pub struct ParseError {
    position: usize,
    expected: &'static str,
}

impl ParseError {
    /// Byte offset in the line where parsing failed.
    pub fn position(&self) -> usize {
        self.position
    }

    /// What the parser expected at [`ParseError::position`].
    pub fn expected(&self) -> &'static str {
        self.expected
    }

    fn at(line: &[u8], e: PErr<'_>) -> Self {
        ParseError {
            position: line.len().saturating_sub(e.rest.len()),
            expected: e.expected,
        }
    }
}

/// The line without trailing blanks and CRs.
fn trim_end(line: &[u8]) -> &[u8] {
    let n = line
        .iter()
        .rposition(|b| !is_blank(*b) && *b != b'\r')
        .map_or(0, |p| p + 1);
    &line[..n]
}

/// Parses one command line (client → server).
///
/// ```
/// use acs_proto::{parse::parse_command, Command, Direction, ObjectRef};
/// let cmd = parse_command(b"ALLOWPASS 1 ANONYMOUS IN").unwrap();
/// assert!(matches!(cmd, Command::AllowPass { object: ObjectRef::Anonymous, direction: Direction::In, .. }));
/// ```
pub fn parse_command(line: &[u8]) -> Result<Command, ParseError> {
    let body = trim_end(line);
    lexer::whole(command::command, body).map_err(|e| ParseError::at(body, e))
}

/// Parses one line from the server: lines whose first word is `EVENT` or `EVENT_CE` are
/// events, everything else a reply.
///
/// ```
/// use acs_proto::{parse::{parse_server_line, ServerLine}, ErrorCode, Reply};
/// let line = parse_server_line(b"ERROR 7 UNKNOWN OBJECT\r").unwrap();
/// assert_eq!(line, ServerLine::Reply(Reply::error(ErrorCode::UnknownObject)));
/// ```
pub fn parse_server_line(line: &[u8]) -> Result<ServerLine, ParseError> {
    let body = trim_end(line);
    let first = lexer::word(body).map(|(_, w)| w).unwrap_or_default();
    let r = if first.eq_ignore_ascii_case(b"EVENT_CE") || first.eq_ignore_ascii_case(b"EVENT") {
        lexer::whole(event::event, body).map(ServerLine::Event)
    } else {
        lexer::whole(reply::reply, body).map(ServerLine::Reply)
    };
    r.map_err(|e| ParseError::at(body, e))
}

/// Parses a reply line; an event line is an error here.
pub fn parse_reply(line: &[u8]) -> Result<Reply, ParseError> {
    let body = trim_end(line);
    lexer::whole(reply::reply, body).map_err(|e| ParseError::at(body, e))
}

/// Parses an event line (`EVENT …` or `EVENT_CE …`).
pub fn parse_event(line: &[u8]) -> Result<Event, ParseError> {
    let body = trim_end(line);
    lexer::whole(event::event, body).map_err(|e| ParseError::at(body, e))
}
