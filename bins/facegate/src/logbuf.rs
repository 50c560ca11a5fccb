//! A buffered, non-blocking log sink for stderr.
//!
//! The bridge writes one structured line per sighting; with `std::io::stderr` as the writer
//! that is one `write(2)` per line on the pipeline's hot path (at 10,000 events/s, 10,000
//! system calls a second, and a stalled stderr reader would stall the door path). Here a log
//! line is appended to an in-memory buffer under a short lock; a dedicated thread writes the
//! buffer to stderr every [`FLUSH_EVERY`] (25 ms) and [`flush`] writes what is left (called on exit).
//! When the buffer is full (stderr not keeping up) further lines are dropped and counted, and
//! the count is written to stderr with the next flush: logging never blocks the pipeline.
//!
//! Layout: [`LogBuffer`] is the bounded byte buffer; [`BufferedStderr`] is the
//! `tracing_subscriber` writer over the process-wide buffer, whose flusher thread starts on
//! first use.
//!
//! ```no_run
//! tracing_subscriber::fmt()
//!     .with_writer(facegate_bridge::logbuf::BufferedStderr)
//!     .init();
//! tracing::info!("hello");
//! facegate_bridge::logbuf::flush();
//! ```

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How often the flusher thread writes the buffer out.
pub const FLUSH_EVERY: Duration = Duration::from_millis(25);
/// Most bytes waiting for stderr (≈ 2,000 sighting lines, 100 ms at 20,000 events/s); beyond
/// that lines are dropped (and counted).
pub const CAPACITY: usize = 512 * 1024;

/// A bounded buffer of whole log lines.
#[derive(Debug)]
pub struct LogBuffer {
    pending: Mutex<Vec<u8>>,
    /// Serialises writers to the output so lines keep their order.
    out: Mutex<()>,
    capacity: usize,
    dropped: AtomicU64,
    reported: AtomicU64,
}

impl LogBuffer {
    /// An empty buffer holding at most `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        Self {
            pending: Mutex::new(Vec::new()),
            out: Mutex::new(()),
            capacity,
            dropped: AtomicU64::new(0),
            reported: AtomicU64::new(0),
        }
    }

    /// Appends `line` whole, or drops it whole (and counts it) if it does not fit.
    pub fn push(&self, line: &[u8]) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        if pending.len() + line.len() > self.capacity {
            drop(pending);
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        pending.extend_from_slice(line);
    }

    /// Lines dropped so far because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes everything buffered (and a note of newly dropped lines) to `out`.
    pub fn drain_to(&self, out: &mut impl Write) -> io::Result<()> {
        let _order = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            if pending.is_empty() {
                Vec::new()
            } else {
                // Keep a modest allocation for the next lines; a burst's big one is freed.
                let keep = pending.len().min(32 * 1024);
                std::mem::replace(&mut *pending, Vec::with_capacity(keep))
            }
        };
        if !taken.is_empty() {
            out.write_all(&taken)?;
        }
        let dropped = self.dropped();
        let reported = self.reported.swap(dropped, Ordering::Relaxed);
        if dropped > reported {
            writeln!(
                out,
                "facegate: {} log lines dropped (stderr did not keep up; {dropped} in total)",
                dropped - reported
            )?;
        }
        out.flush()
    }
}

fn global() -> &'static LogBuffer {
    static BUFFER: OnceLock<&'static LogBuffer> = OnceLock::new();
    BUFFER.get_or_init(|| {
        let buffer: &'static LogBuffer = Box::leak(Box::new(LogBuffer::new(CAPACITY)));
        let spawned = std::thread::Builder::new()
            .name("facegate-log".into())
            .spawn(move || loop {
                std::thread::sleep(FLUSH_EVERY);
                let _ = buffer.drain_to(&mut io::stderr().lock());
            });
        if let Err(e) = spawned {
            eprintln!(
                "facegate: cannot start the log writer thread ({e}); logs are written at exit"
            );
        }
        buffer
    })
}

/// Writes every buffered log line to stderr now (call before the process exits).
pub fn flush() {
    let _ = global().drain_to(&mut io::stderr().lock());
}

/// The `tracing_subscriber` writer over the process-wide buffer.
#[derive(Clone, Copy, Debug, Default)]
pub struct BufferedStderr;

/// One event's writer: its bytes go into the buffer.
#[derive(Debug)]
pub struct BufferedLine(&'static LogBuffer);

impl Write for BufferedLine {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.push(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = BufferedLine;

    fn make_writer(&'a self) -> Self::Writer {
        BufferedLine(global())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_out_in_order_and_whole() {
        let b = LogBuffer::new(1024);
        b.push(b"one\n");
        b.push(b"two\n");
        let mut out = Vec::new();
        b.drain_to(&mut out).unwrap();
        assert_eq!(out, b"one\ntwo\n");
        let mut again = Vec::new();
        b.drain_to(&mut again).unwrap();
        assert!(again.is_empty(), "a drained buffer writes nothing");
    }

    #[test]
    fn a_full_buffer_drops_whole_lines_and_reports_the_count_once() {
        let b = LogBuffer::new(8);
        b.push(b"12345\n");
        b.push(b"abcdef\n");
        b.push(b"xyz\n");
        assert_eq!(b.dropped(), 2);
        let mut out = Vec::new();
        b.drain_to(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("12345\n"), "{text}");
        assert!(text.contains("2 log lines dropped"), "{text}");
        let mut next = Vec::new();
        b.drain_to(&mut next).unwrap();
        assert!(next.is_empty(), "the drop count is reported once");
        b.push(b"later\n");
        let mut last = Vec::new();
        b.drain_to(&mut last).unwrap();
        assert_eq!(last, b"later\n");
    }
}
