//! A command link: one task that owns one connection and runs one command at a time.
//!
//! Handles send [`Request`]s over a bounded channel and get an [`Exchange`] back on a oneshot.
//! The task answers every request it takes, by the request's deadline: with the reply, with
//! "not sent" (the link was not logged in, or the deadline had passed before writing), or
//! with "unknown" (written, but the reply missed its time or the link broke — the link is then
//! closed so a late reply can never be matched to the next command).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use acs_proto::{Command, Event, Reply};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::{sleep_until, Instant};
use tokio_util::sync::CancellationToken;

use crate::config::AcsConfig;
use crate::connector::{open_session, Connector};
use crate::error::AcsError;
use crate::session::{is_not_logged_in, Session, Unsolicited};
use crate::state::LinkState;

/// A command for a link, with its deadline and the way back.
pub(crate) struct Request {
    pub(crate) cmd: Command,
    pub(crate) deadline: Instant,
    pub(crate) reply: oneshot::Sender<Exchange>,
}

/// How a request ended.
#[derive(Debug)]
pub(crate) enum Exchange {
    /// The ACS answered (possibly `ERROR n`).
    Reply(Reply),
    /// The command was never written.
    NotSent(AcsError),
    /// The command was written; its result is unknown.
    Unknown(AcsError),
}

/// The pool's side of a link.
pub(crate) struct LinkHandle {
    pub(crate) tx: mpsc::Sender<Request>,
    pub(crate) state: watch::Receiver<LinkState>,
    /// Requests queued or in flight on this link (for least-busy dispatch).
    pub(crate) load: Arc<AtomicUsize>,
}

/// Starts the task of link number `id`.
pub(crate) fn spawn(
    id: usize,
    cfg: Arc<AcsConfig>,
    shutdown: CancellationToken,
) -> (LinkHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(cfg.queue_depth.max(1));
    let (state_tx, state_rx) = watch::channel(LinkState::Connecting { attempt: 0 });
    let connector = Connector::new(cfg.reconnect.clone(), state_tx, "command", id);
    let task = LinkTask {
        id,
        cfg,
        rx,
        connector,
        shutdown,
    };
    let join = tokio::spawn(task.run());
    let handle = LinkHandle {
        tx,
        state: state_rx,
        load: Arc::new(AtomicUsize::new(0)),
    };
    (handle, join)
}

/// What to do with the session after a request.
enum After {
    Healthy,
    /// The ACS said `ERROR 4` and the caller was answered without a retry: log in again.
    Relogin,
    /// Close the session.
    Poison(AcsError),
}

/// Why serving stopped.
enum Stop {
    Lost(AcsError),
    Shutdown,
}

struct LinkTask {
    id: usize,
    cfg: Arc<AcsConfig>,
    rx: mpsc::Receiver<Request>,
    connector: Connector,
    shutdown: CancellationToken,
}

impl LinkTask {
    async fn run(mut self) {
        let mut tls = None;
        loop {
            self.connector.connecting();
            let opened = {
                let open = open_session(&self.cfg, &mut tls);
                tokio::pin!(open);
                loop {
                    tokio::select! {
                        result = &mut open => break Some(result),
                        () = self.shutdown.cancelled() => break None,
                        req = self.rx.recv() => match req {
                            Some(req) => not_sent(req, AcsError::Unavailable),
                            None => break None,
                        },
                    }
                }
            };
            let (reason, up_since) = match opened {
                None => break,
                Some(Err(e)) => (e, None),
                Some(Ok(mut session)) => {
                    let since = self.connector.logged_in();
                    match self.serve(&mut session).await {
                        Stop::Shutdown => {
                            session
                                .goodbye(Instant::now() + std::time::Duration::from_millis(200))
                                .await;
                            break;
                        }
                        Stop::Lost(e) => (e, Some(since)),
                    }
                }
            };
            let until = self.connector.failed(reason, up_since);
            if !self.wait_until(until).await {
                break;
            }
        }
        self.connector.closed();
        self.rx.close();
        while let Ok(req) = self.rx.try_recv() {
            not_sent(req, AcsError::Shutdown);
        }
        tracing::debug!(link = self.id, "ACS link closed");
    }

    /// Waits out a backoff, refusing requests meanwhile. False on shutdown.
    async fn wait_until(&mut self, until: Instant) -> bool {
        loop {
            tokio::select! {
                () = sleep_until(until) => return true,
                () = self.shutdown.cancelled() => return false,
                req = self.rx.recv() => match req {
                    Some(req) => not_sent(req, AcsError::Unavailable),
                    None => return false,
                },
            }
        }
    }

    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(&mut self, session: &mut Session<S>) -> Stop {
        let far = Instant::now() + std::time::Duration::from_secs(86_400 * 365);
        loop {
            let probe_at = match self.cfg.idle_probe {
                Some(idle) => session.last_activity() + idle,
                None => far,
            };
            tokio::select! {
                biased;
                () = self.shutdown.cancelled() => return Stop::Shutdown,
                line = session.next_unsolicited() => match line {
                    Unsolicited::Event(event) => drop_event(self.id, event),
                    Unsolicited::Skipped => {}
                    Unsolicited::Broken(e) => return Stop::Lost(e),
                },
                req = self.rx.recv() => {
                    let Some(req) = req else { return Stop::Shutdown };
                    if let Err(e) = self.handle(session, req).await {
                        return Stop::Lost(e);
                    }
                }
                () = sleep_until(probe_at) => {
                    if let Err(e) = self.probe(session).await {
                        return Stop::Lost(e);
                    }
                }
            }
        }
    }

    /// Runs one caller's request; an error means the session must be closed.
    async fn handle<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
        req: Request,
    ) -> Result<(), AcsError> {
        if req.reply.is_closed() {
            // Nobody would learn the outcome: do not write.
            return Ok(());
        }
        let reply = &req.reply;
        let abandoned = || reply.is_closed();
        let (exchange, after) = self
            .run_request(session, &req.cmd, req.deadline, &abandoned)
            .await;
        tracing::debug!(link = self.id, cmd = ?req.cmd, outcome = ?exchange, "ACS command");
        let _ = req.reply.send(exchange);
        self.after(session, after).await
    }

    async fn after<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
        after: After,
    ) -> Result<(), AcsError> {
        match after {
            After::Healthy => Ok(()),
            After::Poison(e) => Err(e),
            After::Relogin => {
                let until = Instant::now() + self.cfg.reply_timeout;
                session
                    .login(&self.cfg.user, &self.cfg.password, until)
                    .await
            }
        }
    }

    /// Sends `cmd` once; after `ERROR 4` logs in again and retries once if the deadline
    /// allows (the first try provably did nothing) and the caller still waits: `abandoned`
    /// says the caller dropped its future, and nobody would learn the retry's outcome (a pass
    /// granted then would reach no journal).
    async fn run_request<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
        cmd: &Command,
        deadline: Instant,
        abandoned: &(dyn Fn() -> bool + Sync),
    ) -> (Exchange, After) {
        let id = self.id;
        let rt = self.cfg.reply_timeout;
        let now = Instant::now();
        if now >= deadline {
            return (Exchange::NotSent(AcsError::Unavailable), After::Healthy);
        }
        let first = match session
            .exchange(cmd, deadline.min(now + rt), &mut |e| drop_event(id, e))
            .await
        {
            Err(e) => return (Exchange::Unknown(e.clone()), After::Poison(e)),
            Ok(reply) if is_not_logged_in(&reply) && !matches!(cmd, Command::Login { .. }) => reply,
            Ok(reply) => return (Exchange::Reply(reply), After::Healthy),
        };
        tracing::warn!(link = id, "the ACS says NOT LOGGED IN; logging in again");
        let now = Instant::now();
        if now >= deadline || abandoned() {
            return (Exchange::Reply(first), After::Relogin);
        }
        let login = session
            .login(&self.cfg.user, &self.cfg.password, deadline.min(now + rt))
            .await;
        if let Err(e) = login {
            return (Exchange::Reply(first), After::Poison(e));
        }
        let now = Instant::now();
        if now >= deadline || abandoned() {
            return (Exchange::Reply(first), After::Healthy);
        }
        match session
            .exchange(cmd, deadline.min(now + rt), &mut |e| drop_event(id, e))
            .await
        {
            Err(e) => (Exchange::Unknown(e.clone()), After::Poison(e)),
            Ok(reply) if is_not_logged_in(&reply) => (
                Exchange::Reply(reply),
                After::Poison(AcsError::Protocol(
                    "NOT LOGGED IN right after a successful login".to_owned(),
                )),
            ),
            Ok(reply) => (Exchange::Reply(reply), After::Healthy),
        }
    }

    /// The idle liveness probe: `GETAPLIST` must answer within `reply_timeout`.
    async fn probe<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        session: &mut Session<S>,
    ) -> Result<(), AcsError> {
        let deadline = Instant::now() + self.cfg.reply_timeout;
        let (exchange, after) = self
            .run_request(session, &Command::GetApList, deadline, &|| false)
            .await;
        tracing::trace!(link = self.id, outcome = ?exchange, "idle probe");
        self.after(session, after).await?;
        match exchange {
            Exchange::Reply(Reply::ApList(_)) => Ok(()),
            Exchange::Reply(Reply::Error { code, text }) => Err(AcsError::Server { code, text }),
            Exchange::Reply(_) => Err(AcsError::Protocol("bad reply to the probe".to_owned())),
            Exchange::NotSent(e) | Exchange::Unknown(e) => Err(e),
        }
    }
}

fn not_sent(req: Request, why: AcsError) {
    let _ = req.reply.send(Exchange::NotSent(why));
}

fn drop_event(link: usize, event: Event) {
    tracing::debug!(link, ?event, "event on a command link dropped");
}

/// Counts a request against a link's load while it lives.
pub(crate) struct LoadGuard<'a>(&'a AtomicUsize);

impl<'a> LoadGuard<'a> {
    pub(crate) fn new(load: &'a AtomicUsize) -> Self {
        load.fetch_add(1, Ordering::Relaxed);
        Self(load)
    }
}

impl Drop for LoadGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
