//! `AcsPool`: N command links behind one cheap, cloneable handle.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use acs_proto::{
    AccessPointId, ApInfo, ApMode, ApTargets, ClassicEvent, Command, Direction, Location, ObjectId,
    ObjectInfo, ObjectQuery, ObjectRef, Reply, Timestamp, Zone,
};
use futures_util::future::select_all;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout_at, Instant};
use tokio_util::sync::CancellationToken;

use crate::config::AcsConfig;
use crate::error::AcsError;
use crate::events::EventStream;
use crate::link::{self, Exchange, LinkHandle, LoadGuard, Request};
use crate::outcome::PassOutcome;
use crate::session::reply_kind;
use crate::state::{Health, LinkState, PoolState};

/// A pool of command links to one ACS with least-busy dispatch.
///
/// Cloning is cheap; all clones share the links. The links shut down on [`AcsPool::shutdown`]
/// or when the last clone is dropped.
#[derive(Clone)]
pub struct AcsPool {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: Arc<AcsConfig>,
    links: Vec<LinkHandle>,
    shutdown: CancellationToken,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl std::fmt::Debug for AcsPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcsPool")
            .field("address", &self.inner.cfg.address)
            .field("links", &self.inner.links.len())
            .finish_non_exhaustive()
    }
}

impl AcsPool {
    /// Starts `cfg.connections` links (at least one) in the background and returns at once;
    /// watch [`AcsPool::state`] or call [`AcsPool::wait_ready`] to know when they are logged
    /// in. Must be called inside a tokio runtime.
    pub fn start(cfg: AcsConfig) -> AcsPool {
        let cfg = Arc::new(cfg);
        let shutdown = CancellationToken::new();
        let (links, tasks) = (0..cfg.connections.max(1))
            .map(|id| link::spawn(id, cfg.clone(), shutdown.child_token()))
            .unzip();
        AcsPool {
            inner: Arc::new(Inner {
                cfg,
                links,
                shutdown,
                tasks: Mutex::new(tasks),
            }),
        }
    }

    /// Like [`AcsPool::start`], but refuses a configuration that cannot work.
    pub fn try_start(cfg: AcsConfig) -> Result<AcsPool, AcsError> {
        cfg.validate()?;
        Ok(Self::start(cfg))
    }

    /// The configuration the pool runs with.
    pub fn config(&self) -> &AcsConfig {
        &self.inner.cfg
    }

    /// Sends `ALLOWPASS ap obj dir`. Never re-sends after a write whose reply is unknown; see
    /// [`PassOutcome`] for what each result means.
    ///
    /// Dropping the returned future is safe but leaves the result unknown: a command not yet
    /// written is never written; one already written is not re-sent (not even after
    /// `ERROR 4`), and its reply is still read by the link, so it cannot be taken for the
    /// reply to a later command. Record such a pass as `acs_timeout`, never as not sent.
    pub async fn allow_pass(
        &self,
        ap: AccessPointId,
        object: ObjectRef,
        direction: Direction,
        deadline: Instant,
    ) -> PassOutcome {
        let cmd = Command::AllowPass {
            ap,
            object,
            direction,
        };
        match self.dispatch(cmd, deadline).await {
            Exchange::Reply(Reply::Ok) => PassOutcome::Granted,
            Exchange::Reply(Reply::Error { code, text }) => PassOutcome::Denied { code, text },
            // The link only hands out replies that fit the command.
            Exchange::Reply(_) | Exchange::Unknown(_) => PassOutcome::Timeout,
            Exchange::NotSent(_) => PassOutcome::Unavailable,
        }
    }

    /// Sends any command and returns its reply. `ERROR n` is returned as
    /// [`AcsError::Server`]. A command whose reply is unknown is not re-sent
    /// ([`AcsError::Timeout`], [`AcsError::ConnectionLost`], [`AcsError::Protocol`]).
    pub async fn request(&self, cmd: Command, deadline: Instant) -> Result<Reply, AcsError> {
        match self.dispatch(cmd, deadline).await {
            Exchange::Reply(Reply::Error { code, text }) => Err(AcsError::Server { code, text }),
            Exchange::Reply(reply) => Ok(reply),
            Exchange::NotSent(e) | Exchange::Unknown(e) => Err(e),
        }
    }

    /// `GETAPLIST`: the ids of all access points.
    pub async fn ap_list(&self) -> Result<Vec<AccessPointId>, AcsError> {
        match self.read(Command::GetApList).await? {
            Reply::ApList(aps) => Ok(aps),
            other => Err(unexpected("APLIST", &other)),
        }
    }

    /// `GETAPINFO ap`: name, zones and state of one access point.
    pub async fn ap_info(&self, ap: AccessPointId) -> Result<ApInfo, AcsError> {
        match self.read(Command::GetApInfo { ap }).await? {
            Reply::ApInfo(info) => Ok(info),
            other => Err(unexpected("APINFO", &other)),
        }
    }

    /// `GETOBJECTINFO OBJECTID id`: one object.
    pub async fn object_info(&self, id: ObjectId) -> Result<ObjectInfo, AcsError> {
        match self
            .read(Command::GetObjectInfo(ObjectQuery::Id(id)))
            .await?
        {
            Reply::ObjectInfo(mut items) if !items.is_empty() => Ok(items.swap_remove(0)),
            other => Err(unexpected("OBJECTINFO", &other)),
        }
    }

    /// `GETOBJECTINFO ALL`: every object (one possibly huge line).
    pub async fn all_objects(&self) -> Result<Vec<ObjectInfo>, AcsError> {
        match self.read(Command::GetObjectInfo(ObjectQuery::All)).await? {
            Reply::ObjectInfo(items) => Ok(items),
            other => Err(unexpected("OBJECTINFO", &other)),
        }
    }

    /// `GETZONEINFO`: all zones.
    pub async fn zones(&self) -> Result<Vec<Zone>, AcsError> {
        match self.read(Command::GetZoneInfo).await? {
            Reply::ZoneInfo(zones) => Ok(zones),
            other => Err(unexpected("ZONEINFO", &other)),
        }
    }

    /// `GETLOCATION2 obj`: the zone an object is in.
    pub async fn location(&self, object: ObjectId) -> Result<Location, AcsError> {
        match self.read(Command::GetLocation2 { object }).await? {
            Reply::Location(location) => Ok(location),
            other => Err(unexpected("LOCATION", &other)),
        }
    }

    /// `GETHISTORY FROM … TILL …`: the classic events of a period (server local time).
    pub async fn history(
        &self,
        from: Timestamp,
        till: Timestamp,
    ) -> Result<Vec<ClassicEvent>, AcsError> {
        match self.read(Command::GetHistory { from, till }).await? {
            Reply::History(events) => Ok(events),
            other => Err(unexpected("HISTORY", &other)),
        }
    }

    /// `SETAPMODE mode targets`.
    pub async fn set_ap_mode(&self, mode: ApMode, targets: ApTargets) -> Result<(), AcsError> {
        match self.read(Command::SetApMode { mode, targets }).await? {
            Reply::Ok => Ok(()),
            other => Err(unexpected("OK", &other)),
        }
    }

    /// Opens a separate subscription link to the same ACS (see [`EventStream`]).
    pub fn events(&self) -> EventStream {
        EventStream::start(AcsConfig::clone(&self.inner.cfg))
    }

    /// A snapshot: the summary and each link's state.
    pub fn state(&self) -> PoolState {
        let links: Vec<LinkState> = self
            .inner
            .links
            .iter()
            .map(|l| l.state.borrow().clone())
            .collect();
        PoolState {
            health: Health::of(&links),
            links,
        }
    }

    /// A `watch` receiver per link, to follow state changes.
    pub fn watch_links(&self) -> Vec<watch::Receiver<LinkState>> {
        self.inner.links.iter().map(|l| l.state.clone()).collect()
    }

    /// Whether every link is logged in (what `/readyz` reports).
    pub fn is_ready(&self) -> bool {
        self.inner
            .links
            .iter()
            .all(|l| l.state.borrow().is_logged_in())
    }

    /// Waits until every link is logged in; false if `deadline` passed first.
    pub async fn wait_ready(&self, deadline: Instant) -> bool {
        for link in &self.inner.links {
            let mut rx = link.state.clone();
            let ready = matches!(
                timeout_at(deadline, rx.wait_for(LinkState::is_logged_in)).await,
                Ok(Ok(_))
            );
            if !ready {
                return false;
            }
        }
        true
    }

    /// Stops every link (each says `EXIT` if it is logged in) and waits for them to end.
    /// Requests still queued are answered as not sent.
    pub async fn shutdown(&self) {
        self.inner.shutdown.cancel();
        let tasks = match self.inner.tasks.lock() {
            Ok(mut tasks) => std::mem::take(&mut *tasks),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        for task in tasks {
            let _ = task.await;
        }
    }

    async fn read(&self, cmd: Command) -> Result<Reply, AcsError> {
        let cfg = &self.inner.cfg;
        let deadline = Instant::now() + cfg.connect_timeout + cfg.reply_timeout;
        self.request(cmd, deadline).await
    }

    /// Hands `cmd` to the least busy logged-in link, waiting for one until `deadline`.
    /// "Not sent" answers are retried on another (or the same, re-logged-in) link while the
    /// deadline allows; anything that may have been written is final.
    async fn dispatch(&self, cmd: Command, deadline: Instant) -> Exchange {
        loop {
            if self.inner.shutdown.is_cancelled() {
                return Exchange::NotSent(AcsError::Shutdown);
            }
            if Instant::now() >= deadline {
                return Exchange::NotSent(AcsError::Unavailable);
            }
            let Some(index) = self.acquire(deadline).await else {
                let why = if self.inner.shutdown.is_cancelled() {
                    AcsError::Shutdown
                } else {
                    AcsError::Unavailable
                };
                return Exchange::NotSent(why);
            };
            let link = &self.inner.links[index];
            let _load = LoadGuard::new(&link.load);
            let (tx, rx) = oneshot::channel();
            let request = Request {
                cmd: cmd.clone(),
                deadline,
                reply: tx,
            };
            match timeout_at(deadline, link.tx.send(request)).await {
                Err(_elapsed) => return Exchange::NotSent(AcsError::Unavailable),
                Ok(Err(_closed)) => continue,
                Ok(Ok(())) => {}
            }
            match rx.await {
                Ok(Exchange::NotSent(AcsError::Unavailable)) => continue,
                Ok(exchange) => return exchange,
                // The link task ended while holding the request: it may have been written.
                Err(_) => {
                    return Exchange::Unknown(AcsError::ConnectionLost(
                        "the link task ended".to_owned(),
                    ))
                }
            }
        }
    }

    /// The index of the least busy logged-in link, waiting for one until `deadline`.
    async fn acquire(&self, deadline: Instant) -> Option<usize> {
        loop {
            let mut receivers: Vec<watch::Receiver<LinkState>> = Vec::new();
            let mut best: Option<(usize, usize)> = None;
            // Whether some link may log in before the deadline.
            let mut hope = false;
            for (index, link) in self.inner.links.iter().enumerate() {
                let mut rx = link.state.clone();
                let state = rx.borrow_and_update().clone();
                match state {
                    LinkState::Closed => continue,
                    LinkState::LoggedIn { .. } => {
                        let load = link.load.load(Ordering::Relaxed);
                        if best.is_none_or(|(_, b)| load < b) {
                            best = Some((index, load));
                        }
                    }
                    LinkState::Backoff { until, .. } | LinkState::AuthFailed { until, .. } => {
                        hope |= until < deadline;
                    }
                    LinkState::Connecting { .. } => hope = true,
                }
                receivers.push(rx);
            }
            if let Some((index, _)) = best {
                return Some(index);
            }
            // Every link waits past the deadline: say so now rather than at the deadline.
            if !hope || self.inner.shutdown.is_cancelled() {
                return None;
            }
            let changes = receivers.iter_mut().map(|rx| Box::pin(rx.changed()));
            tokio::select! {
                _ = select_all(changes) => {}
                () = sleep_until(deadline) => return None,
                () = self.inner.shutdown.cancelled() => return None,
            }
        }
    }
}

fn unexpected(expected: &'static str, got: &Reply) -> AcsError {
    AcsError::UnexpectedReply {
        expected,
        got: reply_kind(got),
    }
}
