//! Bounded line framing of the command stream.
//!
//! The simulator frames lines itself (instead of using `acs_proto::codec::ServerCodec`) because
//! it records every line *as received*, which the codec does not expose; each framed line is
//! then parsed by `acs_proto::parse::parse_command`, the same parser the codec uses. Like
//! tokio-util's `LinesCodec` with a `max_length`, an over-long line is reported once, its rest
//! is skipped up to the next newline, and framing carries on.

use bytes::{Buf, Bytes, BytesMut};

/// One framed unit of input.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Frame {
    /// A complete line, without its `\n` or `\r\n`.
    Line(Bytes),
    /// A line longer than the bound. `head` is its first bytes (for the record), `len` how
    /// many bytes had been seen when it was reported.
    Overlong {
        /// The first bytes of the line (at most 256).
        head: Bytes,
        /// Bytes seen so far.
        len: usize,
    },
}

/// Splits a byte stream into lines of at most `max_line` bytes (line end excluded).
#[derive(Debug)]
pub struct LineFramer {
    max_line: usize,
    /// Bytes of `buf` already known to hold no `\n`.
    scanned: usize,
    /// Skipping the rest of an over-long line.
    discarding: bool,
}

const HEAD: usize = 256;

impl LineFramer {
    /// A framer with the given bound (at least 1 byte).
    pub fn new(max_line: usize) -> Self {
        Self {
            max_line: max_line.max(1),
            scanned: 0,
            discarding: false,
        }
    }

    /// The next frame in `buf`, consuming it; `None` when more bytes are needed.
    pub fn next_frame(&mut self, buf: &mut BytesMut) -> Option<Frame> {
        loop {
            let found = buf[self.scanned..].iter().position(|&b| b == b'\n');
            match found {
                Some(offset) => {
                    let nl = self.scanned + offset;
                    self.scanned = 0;
                    if self.discarding {
                        self.discarding = false;
                        buf.advance(nl + 1);
                        continue;
                    }
                    let mut line = buf.split_to(nl + 1);
                    line.truncate(nl);
                    if line.last() == Some(&b'\r') {
                        line.truncate(nl - 1);
                    }
                    if line.len() > self.max_line {
                        let len = line.len();
                        line.truncate(HEAD);
                        return Some(Frame::Overlong {
                            head: line.freeze(),
                            len,
                        });
                    }
                    return Some(Frame::Line(line.freeze()));
                }
                None if self.discarding => {
                    buf.clear();
                    self.scanned = 0;
                    return None;
                }
                // +1: room for the `\r` of a line that is exactly `max_line` long.
                None if buf.len() > self.max_line + 1 => {
                    let len = buf.len();
                    let head = Bytes::copy_from_slice(&buf[..HEAD.min(len)]);
                    buf.clear();
                    self.scanned = 0;
                    self.discarding = true;
                    return Some(Frame::Overlong { head, len });
                }
                None => {
                    self.scanned = buf.len();
                    return None;
                }
            }
        }
    }

    /// At end of input: the unterminated last line, if any (an over-long rest is dropped).
    pub fn finish(&mut self, buf: &mut BytesMut) -> Option<Frame> {
        if let Some(frame) = self.next_frame(buf) {
            return Some(frame);
        }
        self.scanned = 0;
        if self.discarding || buf.is_empty() {
            buf.clear();
            self.discarding = false;
            return None;
        }
        let mut line = buf.split();
        if line.last() == Some(&b'\r') {
            line.truncate(line.len() - 1);
        }
        Some(Frame::Line(line.freeze()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(framer: &mut LineFramer, buf: &mut BytesMut) -> Vec<Frame> {
        std::iter::from_fn(|| framer.next_frame(buf)).collect()
    }

    #[test]
    fn crlf_and_bare_lf_lines_are_framed_alike() {
        let mut f = LineFramer::new(64);
        let mut buf = BytesMut::from(&b"GETAPLIST\r\nEXIT\nQU"[..]);
        assert_eq!(
            frames(&mut f, &mut buf),
            vec![
                Frame::Line(Bytes::from_static(b"GETAPLIST")),
                Frame::Line(Bytes::from_static(b"EXIT")),
            ]
        );
        buf.extend_from_slice(b"IT\r\n");
        assert_eq!(
            frames(&mut f, &mut buf),
            vec![Frame::Line(Bytes::from_static(b"QUIT"))]
        );
    }

    #[test]
    fn an_overlong_line_is_reported_once_and_framing_resumes_after_it() {
        let mut f = LineFramer::new(8);
        let mut buf = BytesMut::from(&b"0123456789ABCDEF"[..]);
        let got = frames(&mut f, &mut buf);
        assert!(matches!(got.as_slice(), [Frame::Overlong { len: 16, .. }]));
        buf.extend_from_slice(b"more-of-the-same-line\nEXIT\n");
        assert_eq!(
            frames(&mut f, &mut buf),
            vec![Frame::Line(Bytes::from_static(b"EXIT"))]
        );
    }

    #[test]
    fn a_line_of_exactly_the_bound_passes_and_one_more_byte_does_not() {
        let mut f = LineFramer::new(4);
        let mut buf = BytesMut::from(&b"QUIT\r\nQUITS\r\n"[..]);
        let got = frames(&mut f, &mut buf);
        assert_eq!(got[0], Frame::Line(Bytes::from_static(b"QUIT")));
        assert!(matches!(got[1], Frame::Overlong { len: 5, .. }));
    }

    #[test]
    fn the_unterminated_last_line_is_framed_at_end_of_input() {
        let mut f = LineFramer::new(64);
        let mut buf = BytesMut::from(&b"EXIT"[..]);
        assert_eq!(f.next_frame(&mut buf), None);
        assert_eq!(
            f.finish(&mut buf),
            Some(Frame::Line(Bytes::from_static(b"EXIT")))
        );
        assert_eq!(f.finish(&mut buf), None);
    }
}
