//! One task per connection: read lines, execute commands, write replies and events, and
//! misbehave as the fault knobs say.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_proto::{encode_event, encode_reply, parse_command, ErrorCode, Reply, SubscribeKind};
use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, WriteHalf};
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::clock;
use super::faults::{CommandKind, Faults};
use super::framing::{Frame, LineFramer};
use super::record::{clip, redact_command, redact_line, redact_unparsed, ConnId, ReceivedCommand};
use super::shared::{Shared, SimEvent};
use super::world::{Outcome, Session};

/// What the `garbage` knob answers: not UTF-8, no known keyword, control bytes.
pub const GARBAGE: &[u8] = b"\xff\xfe%%GARBAGE%% \x01\x02 #ZZ \"unterminated\r\n";

/// How long closing a connection may take (TLS close_notify, FIN) before it is abandoned.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Why a connection task should stop: server shutdown or a "disconnect everyone" kick.
pub struct Stop {
    /// Server shutdown (also fires when the handle is dropped).
    pub shutdown: watch::Receiver<bool>,
    /// Disconnect-all generation counter.
    pub kick: watch::Receiver<u64>,
}

impl Stop {
    /// Resolves when the connection must stop.
    pub async fn wait(&mut self) {
        tokio::select! {
            _ = self.shutdown.changed() => {}
            _ = self.kick.changed() => {}
        }
    }
}

enum Step {
    Continue,
    Close,
}

struct Conn<W> {
    id: ConnId,
    shared: Arc<Shared>,
    session: Session,
    events: Option<broadcast::Receiver<SimEvent>>,
    writer: W,
    out: BytesMut,
    handled: u32,
}

/// Serves one connection until the peer leaves, a knob closes it, or `stop` fires.
pub async fn serve<S>(stream: S, id: ConnId, shared: Arc<Shared>, mut stop: Stop)
where
    S: AsyncRead + AsyncWrite + Send,
{
    let (mut reader, writer) = tokio::io::split(stream);
    let mut framer = LineFramer::new(shared.max_line);
    let mut conn = Conn {
        id,
        shared,
        session: Session::default(),
        events: None,
        writer,
        out: BytesMut::new(),
        handled: 0,
    };
    let mut inbuf = BytesMut::with_capacity(4096);
    let mut eof = false;
    loop {
        loop {
            let frame = if eof {
                framer.finish(&mut inbuf)
            } else {
                framer.next_frame(&mut inbuf)
            };
            let Some(frame) = frame else { break };
            let more_buffered = inbuf.contains(&b'\n');
            if let Step::Close = conn.handle_frame(frame, more_buffered, &mut stop).await {
                conn.close().await;
                return;
            }
        }
        if eof {
            conn.close().await;
            return;
        }
        tokio::select! {
            _ = stop.wait() => {
                conn.close().await;
                return;
            }
            read = reader.read_buf(&mut inbuf) => match read {
                Ok(0) => eof = true,
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(conn = id.0, %error, "read failed");
                    return;
                }
            },
            event = next_event(&mut conn.events) => {
                if conn.write_event(event).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The next event for a subscriber; pending forever without a subscription.
async fn next_event(events: &mut Option<broadcast::Receiver<SimEvent>>) -> SimEvent {
    loop {
        let Some(rx) = events.as_mut() else {
            return std::future::pending().await;
        };
        match rx.recv().await {
            Ok(event) => return event,
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "slow subscriber skipped events");
            }
            Err(broadcast::error::RecvError::Closed) => *events = None,
        }
    }
}

/// `ERROR 2` when the first word is not a command keyword, else `ERROR 6`.
fn malformed_reply(line: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(line);
    let first = text
        .split([' ', '\t'])
        .find(|w| !w.is_empty())
        .unwrap_or("");
    if CommandKind::from_keyword(first).is_some() {
        Reply::error(ErrorCode::SyntaxError)
    } else {
        Reply::error(ErrorCode::UnknownCommand)
    }
}

impl<S: AsyncWrite> Conn<WriteHalf<S>> {
    /// Executes one frame and writes (or withholds) its reply.
    async fn handle_frame(&mut self, frame: Frame, more_buffered: bool, stop: &mut Stop) -> Step {
        let faults = self.shared.faults();
        let now = SystemTime::now();
        let (kind, outcome) = match frame {
            Frame::Line(line) if line.iter().all(|b| b.is_ascii_whitespace()) => {
                return Step::Continue;
            }
            Frame::Line(line) => self.execute(line, &faults, now),
            Frame::Overlong { head, len } => {
                let mut text = String::from_utf8_lossy(&head).into_owned();
                text.push('…');
                tracing::debug!(conn = self.id.0, len, "over-long line");
                self.record(now, None, redact_unparsed(&text));
                (None, reply_only(Reply::error(ErrorCode::SyntaxError)))
            }
        };
        self.handled = self.handled.saturating_add(1);
        if let Some(pass) = outcome.pass.clone() {
            // Nobody subscribed is fine.
            let _ = self.shared.events.send(SimEvent::Pass(pass));
        }
        let reply = outcome.reply.filter(|_| !faults.silent.matches_line(kind));
        if let Some(reply) = reply {
            let delay = faults.delay_for(kind);
            if !delay.is_zero() {
                if self.flush(&faults).await.is_err() {
                    return Step::Close;
                }
                if !self.pause(delay, stop).await {
                    return Step::Close;
                }
            }
            if faults.garbage.matches_line(kind) {
                self.out.extend_from_slice(GARBAGE);
            } else {
                encode_reply(&reply, &mut self.out);
            }
        }
        let dropping = faults.drop_after.is_some_and(|n| self.handled >= n);
        let write_now = outcome.close || dropping || !faults.coalesce || !more_buffered;
        if write_now && self.flush(&faults).await.is_err() {
            return Step::Close;
        }
        if dropping {
            tracing::debug!(
                conn = self.id.0,
                handled = self.handled,
                "drop-after knob closes"
            );
        }
        if outcome.close || dropping {
            Step::Close
        } else {
            Step::Continue
        }
    }

    /// Parses and executes one line; records it.
    fn execute(
        &mut self,
        line: Bytes,
        faults: &Faults,
        now: SystemTime,
    ) -> (Option<CommandKind>, Outcome) {
        let raw = String::from_utf8_lossy(&line);
        match parse_command(&line) {
            Ok(command) => {
                let text = redact_line(&raw);
                let kind = CommandKind::of(&command);
                tracing::debug!(conn = self.id.0, line = %text, "command");
                let was_subscribed = self.session.subscription;
                let outcome = self.shared.world().handle(
                    &mut self.session,
                    &command,
                    faults,
                    clock::timestamp(now),
                );
                self.follow_subscription(was_subscribed);
                self.record(now, Some(redact_command(command)), text);
                (Some(kind), outcome)
            }
            Err(error) => {
                let text = redact_unparsed(&raw);
                tracing::debug!(conn = self.id.0, line = %text, %error, "malformed line");
                self.record(now, None, text);
                (None, reply_only(malformed_reply(&line)))
            }
        }
    }

    /// Starts or stops receiving events after `SUBSCRIBE`/`UNSUBSCRIBE`.
    fn follow_subscription(&mut self, before: Option<SubscribeKind>) {
        match (before, self.session.subscription) {
            (None, Some(_)) => self.events = Some(self.shared.events.subscribe()),
            (Some(_), None) => self.events = None,
            _ => {}
        }
    }

    fn record(&self, at: SystemTime, command: Option<acs_proto::Command>, line: String) {
        self.shared.record(ReceivedCommand {
            at,
            conn: self.id,
            command,
            line: clip(line),
        });
    }

    /// Waits `delay`, still forwarding events; false when the connection must stop.
    async fn pause(&mut self, delay: Duration, stop: &mut Stop) -> bool {
        let deadline = Instant::now() + delay;
        loop {
            // Biased: an event already queued goes out before a reply whose delay is over.
            tokio::select! {
                biased;
                _ = stop.wait() => return false,
                event = next_event(&mut self.events) => {
                    if self.write_event(event).await.is_err() {
                        return false;
                    }
                }
                _ = tokio::time::sleep_until(deadline) => return true,
            }
        }
    }

    /// Writes one event in the form this connection subscribed to.
    async fn write_event(&mut self, event: SimEvent) -> std::io::Result<()> {
        let Some(kind) = self.session.subscription else {
            return Ok(());
        };
        let event = match event {
            SimEvent::Pass(pass) => pass.event_for(kind),
            SimEvent::Raw(event) => event,
        };
        encode_event(&event, &mut self.out);
        let faults = self.shared.faults();
        self.flush(&faults).await
    }

    /// Writes everything pending: in one write, or byte by byte with a flush after each.
    async fn flush(&mut self, faults: &Faults) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let out = self.out.split();
        if faults.byte_by_byte {
            for byte in out.iter() {
                self.writer.write_all(std::slice::from_ref(byte)).await?;
                self.writer.flush().await?;
            }
        } else {
            self.writer.write_all(&out).await?;
            self.writer.flush().await?;
        }
        Ok(())
    }

    /// Flushes what is pending and closes the write side (bounded in time).
    async fn close(&mut self) {
        let faults = self.shared.faults();
        let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
            let _ = self.flush(&faults).await;
            let _ = self.writer.shutdown().await;
        })
        .await;
        tracing::debug!(conn = self.id.0, "connection closed");
    }
}

fn reply_only(reply: Reply) -> Outcome {
    Outcome {
        reply: Some(reply),
        ..Outcome::default()
    }
}

#[cfg(test)]
#[path = "conn_tests.rs"]
mod tests;
