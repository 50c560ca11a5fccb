//! Line framing shared by both codecs: CRLF or bare LF, empty lines skipped, a hard bound on
//! line length with one report per over-long line and resync at the next newline.

use bytes::{Buf, BytesMut};

/// One framed unit.
#[derive(Debug)]
pub(super) enum Frame {
    /// A complete line without its terminator (a trailing CR removed).
    Line(BytesMut),
    /// A line longer than the limit was dropped; `len` is its full length before the LF.
    Overlong(usize),
}

/// Incremental line splitter. It remembers how far it has scanned, so feeding a long line in
/// small chunks costs linear time, not quadratic.
#[derive(Debug, Clone)]
pub(super) struct Framer {
    max_line: usize,
    /// Bytes of `buf` already scanned and known to hold no LF.
    scanned: usize,
    /// `Some(n)`: inside an over-long line, `n` bytes of it dropped so far.
    discarding: Option<usize>,
}

impl Framer {
    pub(super) fn new(max_line: usize) -> Self {
        Framer {
            max_line,
            scanned: 0,
            discarding: None,
        }
    }

    pub(super) fn max_line(&self) -> usize {
        self.max_line
    }

    /// The next frame, or `None` when more bytes are needed.
    pub(super) fn next(&mut self, buf: &mut BytesMut) -> Option<Frame> {
        loop {
            if let Some(dropped) = self.discarding {
                match buf.iter().position(|b| *b == b'\n') {
                    Some(nl) => {
                        buf.advance(nl + 1);
                        self.discarding = None;
                        return Some(Frame::Overlong(dropped + nl));
                    }
                    None => {
                        self.discarding = Some(dropped + buf.len());
                        buf.clear();
                        return None;
                    }
                }
            }
            // A line may hold at most `max_line` bytes plus an optional CR before its LF, so
            // the LF can be at most `max_line + 1` bytes in: never look further than that.
            let limit = buf.len().min(self.max_line.saturating_add(2));
            let from = self.scanned.min(limit);
            match buf[from..limit].iter().position(|b| *b == b'\n') {
                Some(off) => {
                    let nl = from + off;
                    self.scanned = 0;
                    let mut line = buf.split_to(nl + 1);
                    line.truncate(nl);
                    if line.last() == Some(&b'\r') {
                        line.truncate(nl - 1);
                    }
                    if line.len() > self.max_line {
                        return Some(Frame::Overlong(nl));
                    }
                    if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                        continue;
                    }
                    return Some(Frame::Line(line));
                }
                None if buf.len() > self.max_line.saturating_add(1) => {
                    self.scanned = 0;
                    self.discarding = Some(0);
                }
                None => {
                    self.scanned = limit;
                    return None;
                }
            }
        }
    }

    /// At end of stream: the next frame, treating buffered bytes as a final unterminated line.
    pub(super) fn next_eof(&mut self, buf: &mut BytesMut) -> Option<Frame> {
        if let Some(frame) = self.next(buf) {
            return Some(frame);
        }
        self.scanned = 0;
        if let Some(dropped) = self.discarding.take() {
            let len = dropped + buf.len();
            buf.clear();
            return Some(Frame::Overlong(len));
        }
        if buf.is_empty() {
            return None;
        }
        let mut line = buf.split();
        if line.last() == Some(&b'\r') {
            line.truncate(line.len() - 1);
        }
        if line.len() > self.max_line {
            return Some(Frame::Overlong(line.len()));
        }
        if line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            return None;
        }
        Some(Frame::Line(line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(f: &mut Framer, buf: &mut BytesMut) -> Vec<String> {
        std::iter::from_fn(|| f.next(buf))
            .map(|fr| match fr {
                Frame::Line(l) => String::from_utf8_lossy(&l).into_owned(),
                Frame::Overlong(n) => format!("<overlong {n}>"),
            })
            .collect()
    }

    #[test]
    fn scanning_resumes_where_it_stopped() {
        let mut f = Framer::new(1024);
        let mut buf = BytesMut::from(&b"abc"[..]);
        assert!(f.next(&mut buf).is_none());
        assert_eq!(f.scanned, 3);
        buf.extend_from_slice(b"def");
        assert!(f.next(&mut buf).is_none());
        assert_eq!(f.scanned, 6);
        buf.extend_from_slice(b"\r\nx");
        assert_eq!(lines(&mut f, &mut buf), vec!["abcdef"]);
        assert_eq!(f.scanned, 1);
    }

    #[test]
    fn blank_lines_are_skipped_and_cr_stripped() {
        let mut f = Framer::new(1024);
        let mut buf = BytesMut::from(&b"\r\n\n \t\r\nA\r\nB\n"[..]);
        assert_eq!(lines(&mut f, &mut buf), vec!["A", "B"]);
        assert!(buf.is_empty());
    }

    #[test]
    fn an_overlong_line_is_dropped_while_it_streams_in() {
        let mut f = Framer::new(4);
        let mut buf = BytesMut::from(&b"0123456789"[..]);
        assert!(f.next(&mut buf).is_none());
        assert!(buf.is_empty());
        buf.extend_from_slice(b"ab\nOK\n");
        assert_eq!(lines(&mut f, &mut buf), vec!["<overlong 12>", "OK"]);
    }

    #[test]
    fn eof_yields_the_unterminated_tail() {
        let mut f = Framer::new(16);
        let mut buf = BytesMut::from(&b"OK\nEXIT\r"[..]);
        assert!(matches!(f.next_eof(&mut buf), Some(Frame::Line(l)) if &l[..] == b"OK"));
        assert!(matches!(f.next_eof(&mut buf), Some(Frame::Line(l)) if &l[..] == b"EXIT"));
        assert!(f.next_eof(&mut buf).is_none());
    }
}
