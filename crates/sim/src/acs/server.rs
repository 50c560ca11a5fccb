//! The accept loop and the handle tests hold.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use acs_proto::{AccessPointId, ApState, ClassicEvent, Command, Direction, Event, ObjectRef};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::{broadcast, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::clock;
use super::config::AcsSimConfig;
use super::conn::{self, Stop};
use super::faults::Faults;
use super::record::{ConnId, ReceivedCommand};
use super::shared::{ConnectionGuard, Shared, SimEvent};

/// How long shutdown waits for connection tasks before aborting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// The OIF ACS simulator. See [`AcsSim::start`].
#[derive(Debug)]
pub struct AcsSim;

/// `wait_for_commands` gave up.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("only {got} of {wanted} commands arrived in time")]
pub struct WaitTimeout {
    /// Lines wanted.
    pub wanted: usize,
    /// Lines received when the time ran out.
    pub got: usize,
}

impl AcsSim {
    /// Starts serving plain TCP on an already-bound `listener` (bind `127.0.0.1:0` in tests).
    /// Must be called inside a tokio runtime. The server runs until
    /// [`AcsSimHandle::shutdown`] or until the handle is dropped.
    pub fn start(config: AcsSimConfig, listener: TcpListener) -> AcsSimHandle {
        Self::start_inner(config, listener, None)
    }

    /// Like [`AcsSim::start`], but every connection speaks TLS with `tls`.
    pub fn start_tls(
        config: AcsSimConfig,
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
    ) -> AcsSimHandle {
        Self::start_inner(config, listener, Some(TlsAcceptor::from(tls)))
    }

    /// Binds `addr` and starts serving plain TCP on it.
    pub async fn spawn_on(
        addr: impl ToSocketAddrs,
        config: AcsSimConfig,
    ) -> std::io::Result<AcsSimHandle> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self::start(config, listener))
    }

    /// Serves on `listener` until `shutdown` resolves, then shuts down gracefully.
    pub async fn serve(
        config: AcsSimConfig,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) {
        let handle = Self::start(config, listener);
        shutdown.await;
        handle.shutdown().await;
    }

    fn start_inner(
        config: AcsSimConfig,
        listener: TcpListener,
        tls: Option<TlsAcceptor>,
    ) -> AcsSimHandle {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let shared = Arc::new(Shared::new(&config, clock::timestamp(SystemTime::now())));
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&shared), tls, shutdown_rx));
        tracing::info!(%addr, "acs simulator listening");
        AcsSimHandle {
            addr,
            shared,
            shutdown_tx,
            task,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => accepted,
        };
        while tasks.try_join_next().is_some() {}
        let (tcp, peer) = match accepted {
            Ok(x) => x,
            Err(error) => {
                // Usually out of file descriptors: back off instead of spinning.
                tracing::warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(guard) = ConnectionGuard::try_new(&shared) else {
            tracing::warn!(%peer, max = shared.max_connections, "too many connections; closing");
            drop(tcp);
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let id = ConnId(shared.next_conn_id());
        let stop = Stop {
            shutdown: shutdown.clone(),
            kick: shared.kick.subscribe(),
        };
        tracing::info!(conn = id.0, %peer, "connection accepted");
        tasks.spawn(connection(
            tcp,
            id,
            Arc::clone(&shared),
            tls.clone(),
            stop,
            guard,
        ));
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    tracing::info!("acs simulator stopped");
}

async fn connection(
    tcp: TcpStream,
    id: ConnId,
    shared: Arc<Shared>,
    tls: Option<TlsAcceptor>,
    stop: Stop,
    _guard: ConnectionGuard,
) {
    match tls {
        None => conn::serve(tcp, id, shared, stop).await,
        Some(acceptor) => {
            let handshake =
                tokio::time::timeout(shared.tls_handshake_timeout, acceptor.accept(tcp)).await;
            match handshake {
                Ok(Ok(stream)) => conn::serve(stream, id, shared, stop).await,
                Ok(Err(error)) => tracing::info!(conn = id.0, %error, "TLS handshake failed"),
                Err(_) => tracing::info!(conn = id.0, "TLS handshake timed out"),
            }
        }
    }
}

/// Controls a running simulator and shows what it received. Dropping it stops the server.
#[derive(Debug)]
pub struct AcsSimHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown_tx: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl AcsSimHandle {
    /// The address the simulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every line received so far (up to the last 20 000), oldest first.
    pub fn received(&self) -> Vec<ReceivedCommand> {
        self.shared.received()
    }

    /// The parsed commands received so far (malformed lines left out), passwords redacted.
    pub fn commands(&self) -> Vec<Command> {
        self.received()
            .into_iter()
            .filter_map(|r| r.command)
            .collect()
    }

    /// Forgets the received lines (counting for `wait_for_commands` goes on).
    pub fn clear_received(&self) {
        self.shared.clear_received();
    }

    /// The `ALLOWPASS` commands received, whatever they were answered.
    pub fn allow_passes(&self) -> Vec<(AccessPointId, ObjectRef, Direction)> {
        self.commands()
            .into_iter()
            .filter_map(|c| match c {
                Command::AllowPass {
                    ap,
                    object,
                    direction,
                } => Some((ap, object, direction)),
                _ => None,
            })
            .collect()
    }

    /// Waits until at least `n` lines have been received in total (since start), then returns
    /// the kept ones; gives up after `timeout`.
    pub async fn wait_for_commands(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedCommand>, WaitTimeout> {
        let mut rx = self.shared.received_count.subscribe();
        let reached = tokio::time::timeout(timeout, rx.wait_for(|&c| c >= n as u64))
            .await
            .is_ok_and(|r| r.is_ok());
        if reached {
            Ok(self.received())
        } else {
            Err(WaitTimeout {
                wanted: n,
                got: usize::try_from(*rx.borrow()).unwrap_or(usize::MAX),
            })
        }
    }

    /// A live feed of received lines (the CLI prints it). A reader that falls more than 4096
    /// lines behind gets `RecvError::Lagged` and skips.
    pub fn received_stream(&self) -> broadcast::Receiver<ReceivedCommand> {
        self.shared.received_tx.subscribe()
    }

    /// Sends `event` as it is to every current subscriber; returns how many connections
    /// were subscribed.
    pub fn push_event(&self, event: Event) -> usize {
        self.shared.events.send(SimEvent::Raw(event)).unwrap_or(0)
    }

    /// Appends a classic event to the history `GETHISTORY` reads.
    pub fn record_history(&self, event: ClassicEvent) {
        self.shared.world().record(event);
    }

    /// The history, oldest first (passes granted and events recorded).
    pub fn history(&self) -> Vec<ClassicEvent> {
        self.shared.world().history()
    }

    /// The current state of an access point (`SETAPMODE` changes it).
    pub fn ap_state(&self, ap: AccessPointId) -> Option<ApState> {
        self.shared.world().ap_state(ap)
    }

    /// Replaces the fault knobs; applies from the next command on every connection.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.set_faults(faults);
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Answer `SUBSCRIBE CE`/`CE_WITH_NAMES` with `ERROR 2` (an older server) when `on`.
    pub fn set_legacy_subscribe(&self, on: bool) {
        self.shared.world().set_legacy_subscribe(on);
    }

    /// How many connections are open now.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::Acquire)
    }

    /// Closes every open connection (the listener keeps accepting).
    pub fn disconnect_all(&self) {
        self.shared.kick.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Stops accepting, closes every connection and waits until the listener is released
    /// (so the same port can be bound again).
    pub async fn shutdown(self) {
        let _ = self.shutdown_tx.send(true);
        if let Err(error) = self.task.await {
            tracing::warn!(%error, "acs simulator task ended abnormally");
        }
    }
}
