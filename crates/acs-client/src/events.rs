//! `EventStream`: a separate subscription link that yields the ACS's events.
//!
//! The link logs in, subscribes (`SUBSCRIBE CE_WITH_NAMES`, falling back to `CE` and then the
//! bare classic form when the server answers `ERROR 2`, `3` or `6`), and forwards every event
//! line. After a reconnect it subscribes again, starting from the form that worked.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use acs_proto::{Command, ErrorCode, Event, Reply, SubscribeKind};
use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::config::AcsConfig;
use crate::connector::{open_session, Connector};
use crate::error::AcsError;
use crate::session::{Session, Unsolicited};
use crate::state::LinkState;

/// The events of one ACS, as a `Stream`. Dropping it closes the subscription link.
///
/// Events that arrive while the consumer lags more than `event_buffer` behind are dropped (and
/// logged) rather than stalling the connection. Events sent while the link was down are lost:
/// use `GETHISTORY` to fill gaps.
pub struct EventStream {
    rx: mpsc::Receiver<Event>,
    state: watch::Receiver<LinkState>,
    kind: watch::Receiver<Option<SubscribeKind>>,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl EventStream {
    /// Starts the subscription link, preferring `SUBSCRIBE CE_WITH_NAMES`.
    pub fn start(cfg: AcsConfig) -> EventStream {
        Self::start_with(cfg, SubscribeKind::CeWithNames)
    }

    /// Starts the subscription link, trying `preferred` first and then the older forms.
    pub fn start_with(cfg: AcsConfig, preferred: SubscribeKind) -> EventStream {
        let (tx, rx) = mpsc::channel(cfg.event_buffer.max(1));
        let (state_tx, state) = watch::channel(LinkState::Connecting { attempt: 0 });
        let (kind_tx, kind) = watch::channel(None);
        let shutdown = CancellationToken::new();
        let task = EventTask {
            connector: Connector::new(cfg.reconnect.clone(), state_tx, "events", 0),
            cfg: Arc::new(cfg),
            tx,
            kind: kind_tx,
            next_kind: preferred,
            shutdown: shutdown.clone(),
            dropped: 0,
        };
        let task = tokio::spawn(task.run());
        EventStream {
            rx,
            state,
            kind,
            shutdown,
            task: Some(task),
        }
    }

    /// The state of the subscription link.
    pub fn state(&self) -> watch::Receiver<LinkState> {
        self.state.clone()
    }

    /// The `SUBSCRIBE` form the server accepted last (`None` before the first success).
    pub fn subscribed_kind(&self) -> watch::Receiver<Option<SubscribeKind>> {
        self.kind.clone()
    }

    /// Closes the link (saying `EXIT` if it is logged in) and waits for its task.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Stream for EventStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.rx.poll_recv(cx)
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl std::fmt::Debug for EventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

struct EventTask {
    cfg: Arc<AcsConfig>,
    tx: mpsc::Sender<Event>,
    connector: Connector,
    kind: watch::Sender<Option<SubscribeKind>>,
    next_kind: SubscribeKind,
    shutdown: CancellationToken,
    dropped: u64,
}

impl EventTask {
    async fn run(mut self) {
        let mut tls = None;
        loop {
            self.connector.connecting();
            let opened = tokio::select! {
                result = open_session(&self.cfg, &mut tls) => result,
                () = self.shutdown.cancelled() => break,
                () = self.tx.closed() => break,
            };
            let (reason, up_since) = match opened {
                Err(e) => (e, None),
                Ok(mut session) => match self.subscribe(&mut session).await {
                    Err(e) => (e, None),
                    Ok(()) => {
                        let since = self.connector.logged_in();
                        match self.serve(&mut session).await {
                            None => {
                                let bye = Instant::now() + std::time::Duration::from_millis(200);
                                session.goodbye(bye).await;
                                break;
                            }
                            Some(e) => (e, Some(since)),
                        }
                    }
                },
            };
            let until = self.connector.failed(reason, up_since);
            tokio::select! {
                () = sleep_until(until) => {}
                () = self.shutdown.cancelled() => break,
                () = self.tx.closed() => break,
            }
        }
        self.connector.closed();
    }

    /// `SUBSCRIBE` with the fallback `CE_WITH_NAMES` → `CE` → bare.
    async fn subscribe<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
    ) -> Result<(), AcsError> {
        let mut kind = self.next_kind;
        loop {
            let until = Instant::now() + self.cfg.reply_timeout;
            let reply = {
                let (tx, dropped) = (&self.tx, &mut self.dropped);
                session
                    .exchange(&Command::Subscribe(kind), until, &mut |e| {
                        forward(tx, dropped, e)
                    })
                    .await?
            };
            match reply {
                Reply::Ok
                | Reply::Error {
                    code: ErrorCode::AlreadySubscribed,
                    ..
                } => {
                    tracing::info!(?kind, "subscribed to ACS events");
                    self.next_kind = kind;
                    self.kind.send_replace(Some(kind));
                    return Ok(());
                }
                Reply::Error { code, text } => match (code.code(), fallback(kind)) {
                    (2 | 3 | 6, Some(older)) => {
                        tracing::info!(
                            ?kind,
                            code = code.code(),
                            "SUBSCRIBE form refused; trying an older one"
                        );
                        kind = older;
                    }
                    _ => return Err(AcsError::Server { code, text }),
                },
                _ => {
                    return Err(AcsError::Protocol(
                        "unexpected reply to SUBSCRIBE".to_owned(),
                    ))
                }
            }
        }
    }

    /// Forwards events until the link breaks (`Some(reason)`) or the stream is closed (`None`).
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
    ) -> Option<AcsError> {
        let far = Instant::now() + std::time::Duration::from_secs(86_400 * 365);
        loop {
            let probe_at = match self.cfg.idle_probe {
                Some(idle) => session.last_activity() + idle,
                None => far,
            };
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return None,
                () = self.tx.closed() => return None,
                line = session.next_unsolicited() => match line {
                    Unsolicited::Event(event) => forward(&self.tx, &mut self.dropped, event),
                    Unsolicited::Skipped => {}
                    Unsolicited::Broken(e) => return Some(e),
                },
                () = sleep_until(probe_at) => {
                    let until = Instant::now() + self.cfg.reply_timeout;
                    let (tx, dropped) = (&self.tx, &mut self.dropped);
                    let reply = session
                        .exchange(&Command::GetApList, until, &mut |e| forward(tx, dropped, e))
                        .await;
                    match reply {
                        Ok(Reply::ApList(_)) => {}
                        Ok(Reply::Error { code, text }) => return Some(AcsError::Server { code, text }),
                        Ok(_) => return Some(AcsError::Protocol("bad reply to the probe".to_owned())),
                        Err(e) => return Some(e),
                    }
                }
            }
        }
    }
}

/// The next older `SUBSCRIBE` form.
fn fallback(kind: SubscribeKind) -> Option<SubscribeKind> {
    match kind {
        SubscribeKind::CeWithNames => Some(SubscribeKind::Ce),
        SubscribeKind::Ce => Some(SubscribeKind::Classic),
        SubscribeKind::Classic => None,
    }
}

fn forward(tx: &mpsc::Sender<Event>, dropped: &mut u64, event: Event) {
    match tx.try_send(event) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(_)) => {
            *dropped += 1;
            if dropped.is_power_of_two() {
                tracing::warn!(dropped = *dropped, "event consumer lags; events dropped");
            }
        }
        // The consumer is gone; the serve loop notices and stops.
        Err(mpsc::error::TrySendError::Closed(_)) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscribe_falls_back_from_names_to_ce_to_classic() {
        assert_eq!(
            fallback(SubscribeKind::CeWithNames),
            Some(SubscribeKind::Ce)
        );
        assert_eq!(fallback(SubscribeKind::Ce), Some(SubscribeKind::Classic));
        assert_eq!(fallback(SubscribeKind::Classic), None);
    }
}
