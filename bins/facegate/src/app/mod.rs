//! `facegate run`: wires config, journal, engine, ACS pools, pipeline, ingest and admin.
//!
//! [`Bridge::start`] runs the whole bridge in-process (tests and the demo use it) and returns a
//! [`BridgeHandle`] with the bound addresses; [`run`] adds signal handling around it.
//! SIGHUP (and a change of the identity table file) reloads doors, identity and policy
//! ([`reload`]).
//!
//! Layout: this module starts and stops everything; `engine` turns the config into the
//! engine's and replays the journal; `status` answers the admin endpoints; `subscribe` and
//! `poll` talk to Watcher in the background; [`reload`] applies hot reloads.
//!
//! Embedding the bridge in another program:
//!
//! ```no_run
//! use facegate_bridge::app::{Bridge, RunOptions};
//! use facegate_bridge::config::Config;
//!
//! # async fn embed() -> anyhow::Result<()> {
//! let config = Config::load(std::path::Path::new("facegate.toml"))
//!     .map_err(|e| anyhow::anyhow!(e.lines().join("\n")))?;
//! let bridge = Bridge::start(config, RunOptions::default()).await?;
//! println!("webhook on {:?}, admin on {:?}", bridge.ingest_addr, bridge.admin_addr);
//! // … until it is time to stop:
//! bridge.shutdown().await?;
//! # Ok(())
//! # }
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use acs_client::{AcsConfig, AcsPool, TlsConfig};
use anyhow::Context as _;
use identity_core::Engine;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::admin::{AdminHandler, AdminSource};
use crate::config::{self, Config};
use crate::ingest::{self, IngestHandler, IngestSettings};
use crate::journal::{self, JournalHandle, JournalRecord, JournalWriterConfig};
use crate::metrics::Metrics;
use crate::pipeline::convert::unix_ms;
use crate::pipeline::dispatch::{Lane, Target};
use crate::pipeline::{FinishObserver, Pipeline, PipelineLimits, Recorder};

mod engine;
mod poll;
pub mod reload;
mod status;
mod subscribe;

pub use engine::engine_config;
use engine::rebuild_state;
use status::State;

/// How long shutdown waits for queued and in-flight commands.
pub const DRAIN_BOUND: Duration = Duration::from_secs(5);

/// Adjusts an ACS client config before its pool starts.
pub type AcsTweak = Arc<dyn Fn(&mut AcsConfig) + Send + Sync>;

/// Options of `facegate run` beyond the config file.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// `--dry-run`: decide and journal, never send.
    pub dry_run: bool,
    /// Sees every finished sighting (the demo prints its table from this).
    pub observer: Option<FinishObserver>,
    /// Adjusts each ACS client config before its pool starts (tests shorten backoffs).
    pub acs_tweak: Option<AcsTweak>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("dry_run", &self.dry_run)
            .finish_non_exhaustive()
    }
}

/// Runs the bridge until SIGTERM or SIGINT, then drains and flushes.
pub async fn run(config: Config, options: RunOptions) -> anyhow::Result<()> {
    let bridge = Bridge::start(config, options).await?;
    if let Some(a) = bridge.ingest_addr {
        tracing::info!(addr = %a, "ingest listening");
    }
    if let Some(a) = bridge.admin_addr {
        tracing::info!(addr = %a, "admin listening");
    }
    wait_for_stop_signal(&bridge.reloader).await;
    tracing::info!("stopping: draining queues and flushing the journal");
    bridge.shutdown().await
}

#[cfg(unix)]
async fn wait_for_stop_signal(reloader: &reload::Reloader) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => return,
            _ = int.recv() => return,
            _ = hup.recv() => {
                let r = reloader.clone();
                // Reading files is blocking work: keep it off the runtime's workers.
                match tokio::task::spawn_blocking(move || r.reload_file()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(why)) => tracing::error!(%why, "SIGHUP: reload rejected; the running configuration stays in force"),
                    Err(error) => tracing::error!(%error, "SIGHUP: reload task failed"),
                }
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_stop_signal(_reloader: &reload::Reloader) {
    let _ = tokio::signal::ctrl_c().await;
}

/// The bridge, started.
pub struct Bridge;

/// A running bridge.
pub struct BridgeHandle {
    /// Where the webhook listener is bound (`None` without `[ingest]`).
    pub ingest_addr: Option<SocketAddr>,
    /// Where the admin listener is bound (`None` without `[admin]`).
    pub admin_addr: Option<SocketAddr>,
    cancel: CancellationToken,
    servers: Vec<JoinHandle<()>>,
    background: Vec<JoinHandle<()>>,
    pipeline: Pipeline,
    pools: Vec<AcsPool>,
    journal: JournalHandle,
    state: Arc<State>,
    reloader: reload::Reloader,
}

impl BridgeHandle {
    /// Replaces doors, identity and policy with those of `config` (validated first; on error
    /// nothing changes and the reason is returned).
    pub fn reload(&self, config: Config) -> Result<(), String> {
        self.reloader.apply(config)
    }

    /// The hot-reload entry points (SIGHUP, identity table changes).
    pub fn reloader(&self) -> &reload::Reloader {
        &self.reloader
    }

    /// The admin report (the same the `/api/status` endpoint gives).
    pub fn status(&self) -> serde_json::Value {
        self.state.status()
    }

    /// `true` while every ACS has its links logged in.
    pub fn ready(&self) -> bool {
        self.state.ready()
    }

    /// Stops accepting, drains the queues within [`DRAIN_BOUND`], stops the ACS links and
    /// flushes the journal.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.cancel.cancel();
        for s in self.servers {
            let _ = s.await;
        }
        for b in &self.background {
            b.abort();
        }
        if !self.pipeline.drain(DRAIN_BOUND).await {
            tracing::warn!("shutdown: some commands were still in flight after the drain bound");
        }
        for p in &self.pools {
            p.shutdown().await;
        }
        self.journal.shutdown().await;
        Ok(())
    }
}

impl Recorder for JournalHandle {
    fn record(&self, record: JournalRecord) {
        JournalHandle::record(self, record);
    }
}

fn acs_client_config(a: &config::AcsServerConfig) -> AcsConfig {
    let mut c = AcsConfig::new(a.address.clone(), a.user.clone(), a.password.clone());
    c.connections = a.connections.max(1);
    c.reply_timeout = a.reply_timeout;
    if a.tls {
        c.tls = Some(TlsConfig {
            ca_file: a.tls_ca.clone(),
            ..TlsConfig::default()
        });
    }
    c
}

impl Bridge {
    /// Starts everything the config describes and returns once the listeners are bound.
    /// ACS links and Watcher subscriptions come up in the background.
    pub async fn start(config: Config, options: RunOptions) -> anyhow::Result<BridgeHandle> {
        let mut engine = Engine::new(engine_config(&config)?).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("invalid configuration: {}", lines.join("; "))
        })?;

        let store = journal::Journal::open(&config.journal.path)
            .with_context(|| format!("opening the journal {}", config.journal.path.display()))?;
        let p = &config.policy;
        let window = (p.max_event_age + p.clock_skew).max(p.cooldown);
        let since = unix_ms(SystemTime::now()) - i64::try_from(window.as_millis()).unwrap_or(0);
        let rows = store.recent(since).context("reading recent journal rows")?;
        if rows.len() >= journal::RECENT_CAP {
            tracing::warn!(
                rows = rows.len(),
                "more journal rows in the replay window than are replayed; only the newest count"
            );
        }
        let (events, passes) = rebuild_state(&mut engine, &rows);
        tracing::info!(
            rows = rows.len(),
            events,
            passes,
            "de-duplication and cooldown state rebuilt from the journal"
        );
        let retention = config.journal.retention;
        let journal = journal::spawn_writer(
            store,
            JournalWriterConfig {
                retention: Some(retention),
                ..JournalWriterConfig::default()
            },
        )
        .context("starting the journal writer")?;

        let metrics = Arc::new(Metrics::new(config.acs.iter().map(|a| a.name.as_str())));
        let queue_capacity = config.ingest.as_ref().map_or(1024, |i| i.queue_capacity);
        let mut pools = Vec::new();
        let lanes: Vec<Lane> = config
            .acs
            .iter()
            .map(|a| {
                let target = if options.dry_run || a.dry_run {
                    tracing::warn!(
                        acs = %a.name,
                        "DRY RUN: no ALLOWPASS is sent to this ACS; allowed sightings are \
                         journaled as dry_run with the line that would have been sent"
                    );
                    Target::DryRun
                } else {
                    let mut c = acs_client_config(a);
                    if let Some(tweak) = &options.acs_tweak {
                        tweak(&mut c);
                    }
                    let pool = AcsPool::start(c);
                    pools.push(pool.clone());
                    Target::Pool(pool)
                };
                Lane::new(a.name.clone(), target, queue_capacity)
            })
            .collect();
        let pipeline = Pipeline::start(
            engine,
            lanes,
            metrics.clone(),
            Arc::new(journal.clone()),
            options.observer.clone(),
            PipelineLimits {
                intake: queue_capacity,
            },
        );
        let generation = reload::first_generation();
        let state = Arc::new(State {
            generation: generation.clone(),
            config_path: config.source_path.clone(),
            started: Instant::now(),
            dry_run: options.dry_run || config.acs.iter().all(|a| a.dry_run),
            metrics: metrics.clone(),
            lanes: pipeline.lanes().values().cloned().collect(),
            intake: pipeline.sink(),
        });

        let cancel = CancellationToken::new();
        let mut servers = Vec::new();
        let mut background = Vec::new();
        let mut ingest_addr = None;
        if let Some(ic) = &config.ingest {
            let listener = TcpListener::bind(ic.listen)
                .await
                .with_context(|| format!("ingest.listen {}: cannot listen", ic.listen))?;
            ingest_addr = Some(listener.local_addr()?);
            let tls = match &ic.tls {
                Some(files) => Some(ingest::tls::acceptor(&files.cert, &files.key)?),
                None => None,
            };
            let allow = ic.clone();
            let settings = IngestSettings {
                token: ic.token.clone(),
                allow_from: (!ic.allow_from.is_empty())
                    .then(|| Arc::new(move |ip| allow.allows(ip)) as ingest::SourceFilter),
                max_body: ic.max_body,
            };
            let handler = Arc::new(IngestHandler::new(settings, pipeline.sink()));
            let c = cancel.clone();
            servers.push(tokio::spawn(ingest::serve::serve(
                listener,
                tls,
                handler,
                async move { c.cancelled().await },
            )));
        }
        let mut admin_addr = None;
        if let Some(ac) = &config.admin {
            let listener = TcpListener::bind(ac.listen)
                .await
                .with_context(|| format!("admin.listen {}: cannot listen", ac.listen))?;
            admin_addr = Some(listener.local_addr()?);
            let handler = Arc::new(AdminHandler::new(state.clone()));
            let c = cancel.clone();
            servers.push(tokio::spawn(ingest::serve::serve(
                listener,
                None,
                handler,
                async move { c.cancelled().await },
            )));
        }
        if let Some(task) = subscribe::spawn(&config, cancel.clone()) {
            background.push(task);
        }
        if let Some(task) = poll::spawn(&config, pipeline.sink(), cancel.clone()) {
            background.push(task);
        }
        let reloader = reload::Reloader::new(pipeline.shared().clone(), config.clone(), generation);
        if let Some(task) = reloader.spawn_table_watch(cancel.clone()) {
            background.push(task);
        }
        Ok(BridgeHandle {
            ingest_addr,
            admin_addr,
            cancel,
            servers,
            background,
            pipeline,
            pools,
            journal,
            state,
            reloader,
        })
    }
}
