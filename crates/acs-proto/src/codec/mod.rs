//! tokio-util codecs: thin adapters from byte streams to typed messages.
//!
//! [`ClientCodec`] is the client role (encode [`Command`]s, decode replies and events);
//! [`ServerCodec`] is the server role (decode commands, encode replies and events). Both frame
//! on LF with an optional CR before it, skip blank lines, bound the line length, and hand a
//! bad line to the caller as an item ([`ClientInbound::Malformed`], [`ClientInbound::Overlong`])
//! instead of failing the stream. The only decoder error is an I/O error from the transport.
//!
//! The length bound counts the bytes of a line without its terminator (`\r\n` or `\n`). An
//! over-long line is dropped without buffering it and reported once, with the number of
//! bytes before its LF, when that LF arrives (or at end of stream); decoding then carries on
//! with the next line. Reporting at the end keeps the item stream independent of how the
//! bytes were split into reads.

mod framer;

use bytes::BytesMut;
use tokio_util::codec::{Decoder, Encoder};

use crate::command::Command;
use crate::encode::{encode_command, encode_event, encode_reply, encode_server_line};
use crate::event::Event;
use crate::parse::{parse_command, parse_server_line, ParseError, ServerLine};
use crate::reply::Reply;
use framer::{Frame, Framer};

/// How many bytes of a malformed line are kept in [`ClientInbound::Malformed`].
pub const MALFORMED_LINE_KEEP: usize = 256;

/// Default line bound of [`ClientCodec`]: 8 MiB (`GETOBJECTINFO ALL`/`GETHISTORY` are big).
pub const CLIENT_DEFAULT_MAX_LINE: usize = 8 * 1024 * 1024;

/// Default line bound of [`ServerCodec`]: 64 KiB (commands are short).
pub const SERVER_DEFAULT_MAX_LINE: usize = 64 * 1024;

/// What the client side reads from the ACS.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ClientInbound {
    /// A reply to the command in flight.
    Reply(Reply),
    /// An asynchronous event.
    Event(Event),
    /// A line that did not parse.
    Malformed {
        /// The line, lossy UTF-8, truncated to 256 bytes.
        line: String,
        /// Why it did not parse.
        error: ParseError,
    },
    /// A line longer than the codec's bound was dropped.
    Overlong {
        /// Its length in bytes (before the LF).
        len: usize,
    },
}

/// What the server side reads from a client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ServerInbound {
    /// A command.
    Command(Command),
    /// A line that did not parse.
    Malformed {
        /// The line, lossy UTF-8, truncated to 256 bytes; a `LOGIN` line is shown as
        /// `LOGIN <redacted>`.
        line: String,
        /// Why it did not parse.
        error: ParseError,
    },
    /// A line longer than the codec's bound was dropped.
    Overlong {
        /// Its length in bytes (before the LF).
        len: usize,
    },
}

/// Lossy UTF-8 of at most [`MALFORMED_LINE_KEEP`] bytes (cut on a character boundary).
fn excerpt(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(&line[..line.len().min(MALFORMED_LINE_KEEP)]);
    let mut s = s.into_owned();
    if s.len() > MALFORMED_LINE_KEEP {
        let mut cut = MALFORMED_LINE_KEEP;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// True when the line may be a `LOGIN` and so carry a password: `LOGIN` (any case) anywhere
/// in it. Deliberately broad — a byte-order mark or other junk before the keyword makes the
/// line malformed but still holds the password; hiding an innocent excerpt costs nothing.
fn is_login_line(line: &[u8]) -> bool {
    line.windows(5).any(|w| w.eq_ignore_ascii_case(b"LOGIN"))
}

/// Client-role codec: encodes commands, decodes replies and events.
#[derive(Debug, Clone)]
pub struct ClientCodec {
    framer: Framer,
}

impl ClientCodec {
    /// A codec with the default line bound ([`CLIENT_DEFAULT_MAX_LINE`]).
    pub fn new() -> Self {
        Self::with_max_line(CLIENT_DEFAULT_MAX_LINE)
    }

    /// A codec that drops lines longer than `max_line` bytes.
    pub fn with_max_line(max_line: usize) -> Self {
        ClientCodec {
            framer: Framer::new(max_line),
        }
    }

    /// The line bound in bytes.
    pub fn max_line(&self) -> usize {
        self.framer.max_line()
    }

    fn item(frame: Frame) -> ClientInbound {
        match frame {
            Frame::Overlong(len) => ClientInbound::Overlong { len },
            Frame::Line(line) => match parse_server_line(&line) {
                Ok(ServerLine::Reply(r)) => ClientInbound::Reply(r),
                Ok(ServerLine::Event(e)) => ClientInbound::Event(e),
                Err(error) => ClientInbound::Malformed {
                    line: excerpt(&line),
                    error,
                },
            },
        }
    }
}

impl Default for ClientCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for ClientCodec {
    type Item = ClientInbound;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ClientInbound>, std::io::Error> {
        Ok(self.framer.next(src).map(Self::item))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<ClientInbound>, std::io::Error> {
        Ok(self.framer.next_eof(src).map(Self::item))
    }
}

impl Encoder<&Command> for ClientCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: &Command, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_command(item, dst);
        Ok(())
    }
}

impl Encoder<Command> for ClientCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: Command, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_command(&item, dst);
        Ok(())
    }
}

/// Server-role codec: decodes commands, encodes replies and events.
#[derive(Debug, Clone)]
pub struct ServerCodec {
    framer: Framer,
}

impl ServerCodec {
    /// A codec with the default line bound ([`SERVER_DEFAULT_MAX_LINE`]).
    pub fn new() -> Self {
        Self::with_max_line(SERVER_DEFAULT_MAX_LINE)
    }

    /// A codec that drops lines longer than `max_line` bytes.
    pub fn with_max_line(max_line: usize) -> Self {
        ServerCodec {
            framer: Framer::new(max_line),
        }
    }

    /// The line bound in bytes.
    pub fn max_line(&self) -> usize {
        self.framer.max_line()
    }

    fn item(frame: Frame) -> ServerInbound {
        match frame {
            Frame::Overlong(len) => ServerInbound::Overlong { len },
            Frame::Line(line) => match parse_command(&line) {
                Ok(c) => ServerInbound::Command(c),
                Err(error) => ServerInbound::Malformed {
                    line: if is_login_line(&line) {
                        "LOGIN <redacted>".to_owned()
                    } else {
                        excerpt(&line)
                    },
                    error,
                },
            },
        }
    }
}

impl Default for ServerCodec {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder for ServerCodec {
    type Item = ServerInbound;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<ServerInbound>, std::io::Error> {
        Ok(self.framer.next(src).map(Self::item))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<ServerInbound>, std::io::Error> {
        Ok(self.framer.next_eof(src).map(Self::item))
    }
}

impl Encoder<&Reply> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: &Reply, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_reply(item, dst);
        Ok(())
    }
}

impl Encoder<Reply> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: Reply, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_reply(&item, dst);
        Ok(())
    }
}

impl Encoder<&Event> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: &Event, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_event(item, dst);
        Ok(())
    }
}

impl Encoder<Event> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: Event, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_event(&item, dst);
        Ok(())
    }
}

impl Encoder<ServerLine> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: ServerLine, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_server_line(&item, dst);
        Ok(())
    }
}

impl Encoder<&ServerLine> for ServerCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: &ServerLine, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        encode_server_line(item, dst);
        Ok(())
    }
}
