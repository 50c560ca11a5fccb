//! Encoders: each function appends exactly one complete line, ending in `\r\n`, to a
//! [`BytesMut`]. They cannot fail and cannot be made to emit a second line.
//!
//! Safety argument: the only bytes written come from (a) fixed upper-case keywords, (b)
//! decimal/hex digits of numeric fields, (c) validated tokens (the protocol version, digits and
//! dots only; timestamps), and (d) free text, which is always written inside double quotes with
//! `"`, `#`, every control byte (below 0x20, and 0x7F) escaped as `#NN`. So no field value can
//! produce CR, LF, NUL or an unescaped quote. `ERROR` text is the one unquoted text field: it
//! is written raw only when it has none of those bytes (and no leading quote or blank),
//! otherwise as one quoted, escaped string.

mod command;
mod event;
mod reply;

use bytes::{BufMut, BytesMut};

use crate::command::Command;
use crate::event::Event;
use crate::parse::ServerLine;
use crate::reply::Reply;
use crate::types::Timestamp;

/// Appends one command line.
///
/// ```
/// use acs_proto::{encode::encode_command, AccessPointId, Command, Direction, ObjectId, ObjectRef};
/// let mut buf = bytes::BytesMut::new();
/// let cmd = Command::AllowPass {
///     ap: AccessPointId(1),
///     object: ObjectRef::Id(ObjectId(6)),
///     direction: Direction::In,
/// };
/// encode_command(&cmd, &mut buf);
/// assert_eq!(&buf[..], b"ALLOWPASS 1 6 IN\r\n");
/// ```
pub fn encode_command(cmd: &Command, dst: &mut BytesMut) {
    command::command(cmd, dst);
    dst.put_slice(b"\r\n");
}

/// Appends one reply line.
pub fn encode_reply(reply: &Reply, dst: &mut BytesMut) {
    reply::reply(reply, dst);
    dst.put_slice(b"\r\n");
}

/// Appends one event line.
pub fn encode_event(event: &Event, dst: &mut BytesMut) {
    event::event(event, dst);
    dst.put_slice(b"\r\n");
}

/// Appends one reply or event line.
pub fn encode_server_line(line: &ServerLine, dst: &mut BytesMut) {
    match line {
        ServerLine::Reply(r) => encode_reply(r, dst),
        ServerLine::Event(e) => encode_event(e, dst),
    }
}

/// True for bytes that must be `#NN`-escaped inside quotes.
#[inline]
pub(crate) fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == 0x7F || b == b'"' || b == b'#'
}

/// Writes `"text"` with `#NN` escapes.
pub(crate) fn quoted(text: &str, dst: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    dst.reserve(bytes.len() + 2);
    dst.put_u8(b'"');
    let mut start = 0;
    for (k, &b) in bytes.iter().enumerate() {
        if needs_escape(b) {
            dst.put_slice(&bytes[start..k]);
            dst.put_slice(&[b'#', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]]);
            start = k + 1;
        }
    }
    dst.put_slice(&bytes[start..]);
    dst.put_u8(b'"');
}

/// Writes a decimal number.
pub(crate) fn num(v: u32, dst: &mut BytesMut) {
    let mut buf = [0u8; 10];
    let mut k = buf.len();
    let mut v = v;
    loop {
        k -= 1;
        // `v % 10` is below 10, so the cast is lossless.
        buf[k] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    dst.put_slice(&buf[k..]);
}

/// Writes ` ` then a decimal number.
pub(crate) fn sp_num(v: u32, dst: &mut BytesMut) {
    dst.put_u8(b' ');
    num(v, dst);
}

/// Writes a quoted timestamp `"YYYY-MM-DD hh:mm:ss"` (only digits and fixed separators).
pub(crate) fn timestamp(ts: &Timestamp, dst: &mut BytesMut) {
    let two = |v: u8| [b'0' + v / 10 % 10, b'0' + v % 10];
    let y = ts.year();
    // Each digit is below 10, so the casts are lossless.
    let year = [
        b'0' + (y / 1000 % 10) as u8,
        b'0' + (y / 100 % 10) as u8,
        b'0' + (y / 10 % 10) as u8,
        b'0' + (y % 10) as u8,
    ];
    dst.put_u8(b'"');
    dst.put_slice(&year);
    dst.put_u8(b'-');
    dst.put_slice(&two(ts.month()));
    dst.put_u8(b'-');
    dst.put_slice(&two(ts.day()));
    dst.put_u8(b' ');
    dst.put_slice(&two(ts.hour()));
    dst.put_u8(b':');
    dst.put_slice(&two(ts.minute()));
    dst.put_u8(b':');
    dst.put_slice(&two(ts.second()));
    dst.put_u8(b'"');
}
