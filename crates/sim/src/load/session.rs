//! A load session: the in-process ACS simulator plus the bridge under test, either spawned
//! here on a generated config or already running elsewhere and pointed at our simulator.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use std::sync::atomic::Ordering;

use tokio::net::TcpListener;
use tokio::sync::Mutex;

use super::error::LoadError;
use super::process::BridgeProcess;
use super::report::Report;
use super::sender::SendPlan;
use super::site::{self, BridgeConfig};
use super::target::Target;
use crate::acs::AcsSimHandle;

/// The ACS password the generated config passes through [`site::PASSWORD_ENV`].
const ACS_PASSWORD: &str = "secret";

/// Which bridge to drive.
#[derive(Clone, Debug)]
pub enum BridgeChoice {
    /// Start this `facegate` executable on a generated config.
    Spawn {
        /// The executable.
        bin: PathBuf,
    },
    /// A bridge already running: post to `url`; our simulator listens on `acs_listen`
    /// (the bridge's `[[acs]] address`, user `admin`, password `secret`).
    External {
        /// The full ingest URL, token included.
        url: String,
        /// Where the simulator listens.
        acs_listen: SocketAddr,
        /// The bridge's pid, for memory figures.
        pid: Option<u32>,
    },
}

/// How to set the session up.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// The bridge.
    pub bridge: BridgeChoice,
    /// First person (= object) id.
    pub first_person: u32,
    /// Objects the simulator knows: `first_person..first_person + persons`.
    pub persons: u32,
    /// The door's camera name.
    pub camera: String,
    /// `[policy] cooldown` of a spawned bridge.
    pub cooldown: Duration,
    /// `[policy] max_event_age` of a spawned bridge.
    pub max_event_age: Duration,
    /// `[[acs]] connections` of a spawned bridge.
    pub acs_connections: u32,
    /// `[ingest] queue_capacity` of a spawned bridge.
    pub queue_capacity: Option<u32>,
    /// Where a spawned bridge's config, journal and log go.
    pub work_dir: PathBuf,
    /// How long to wait for the bridge to be ready (logged in to the simulator).
    pub ready_timeout: Duration,
    /// A spawned bridge's `[watcher] url` (push mode, one subscription), e.g. a dead address
    /// for the "Watcher down at start" drill; `None`: no `[watcher]` section.
    pub watcher_url: Option<String>,
}

/// What it takes to start the spawned bridge again on the same config and journal.
struct Relaunch {
    bin: PathBuf,
    config: PathBuf,
    token: String,
    log: PathBuf,
    admin: SocketAddr,
}

/// A running simulator and bridge. `Debug` leaves out the ingest token.
pub struct LoadSession {
    /// The simulator the bridge sends `ALLOWPASS` to.
    pub acs: AcsSimHandle,
    url: String,
    bridge: Mutex<Option<BridgeProcess>>,
    pid: std::sync::atomic::AtomicU32,
    relaunch: Option<Relaunch>,
    /// The generated config (spawned bridge only).
    pub config_path: Option<PathBuf>,
    /// The bridge's output (spawned bridge only).
    pub log_path: Option<PathBuf>,
}

impl std::fmt::Debug for LoadSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadSession")
            .field("acs", &self.acs.addr())
            .field("url", &super::target::redact_path(&self.url))
            .field("pid", &self.bridge_pid())
            .field("config_path", &self.config_path)
            .field("log_path", &self.log_path)
            .finish_non_exhaustive()
    }
}

impl LoadSession {
    /// Starts the simulator, then the bridge (or waits for the external one to log in).
    pub async fn start(opts: &SessionOptions) -> Result<Self, LoadError> {
        let acs_config = site::acs_config(opts.first_person, opts.persons);
        match &opts.bridge {
            BridgeChoice::Spawn { bin } => {
                let listener = TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(LoadError::Bind)?;
                let acs = crate::acs::AcsSim::start(acs_config, listener);
                let ingest = site::free_local_addr().map_err(LoadError::Bind)?;
                let admin = site::free_local_addr().map_err(LoadError::Bind)?;
                let config = BridgeConfig {
                    ingest,
                    admin,
                    acs: acs.addr(),
                    acs_user: "admin".to_owned(),
                    acs_connections: opts.acs_connections,
                    camera: opts.camera.clone(),
                    journal: opts.work_dir.join("facegate-load.db"),
                    cooldown: opts.cooldown,
                    max_event_age: opts.max_event_age,
                    queue_capacity: opts.queue_capacity,
                    watcher_url: opts.watcher_url.clone(),
                };
                let write = |path: PathBuf, text: String| {
                    std::fs::create_dir_all(&opts.work_dir)
                        .and_then(|()| std::fs::write(&path, text))
                        .map_err(|source| LoadError::WriteConfig {
                            path: path.clone(),
                            source,
                        })
                        .map(|()| path)
                };
                let config_path = write(opts.work_dir.join("facegate.toml"), config.to_toml())?;
                let log_path = opts.work_dir.join("bridge.log");
                let token = site::random_token();
                let mut bridge =
                    BridgeProcess::spawn(bin, &config_path, &token, ACS_PASSWORD, &log_path)?;
                bridge.wait_ready(admin, opts.ready_timeout).await?;
                let pid = bridge.pid();
                Ok(Self {
                    acs,
                    url: Target::ingest_url(ingest, &token),
                    bridge: Mutex::new(Some(bridge)),
                    pid: pid.into(),
                    relaunch: Some(Relaunch {
                        bin: bin.clone(),
                        config: config_path.clone(),
                        token,
                        log: log_path.clone(),
                        admin,
                    }),
                    config_path: Some(config_path),
                    log_path: Some(log_path),
                })
            }
            BridgeChoice::External {
                url,
                acs_listen,
                pid,
            } => {
                let listener = TcpListener::bind(acs_listen)
                    .await
                    .map_err(LoadError::Bind)?;
                let acs = crate::acs::AcsSim::start(acs_config, listener);
                let start = Instant::now();
                while acs.connections() == 0 {
                    if start.elapsed() > opts.ready_timeout {
                        return Err(LoadError::NotReady {
                            secs: opts.ready_timeout.as_secs(),
                            last: format!("no ACS connection to {acs_listen}"),
                        });
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                // Give the link a moment to log in and subscribe.
                tokio::time::sleep(Duration::from_millis(500)).await;
                Ok(Self {
                    acs,
                    url: url.clone(),
                    bridge: Mutex::new(None),
                    pid: pid.unwrap_or(0).into(),
                    relaunch: None,
                    config_path: None,
                    log_path: None,
                })
            }
        }
    }

    /// The bridge's pid, when known.
    pub fn bridge_pid(&self) -> Option<u32> {
        Some(self.pid.load(Ordering::Relaxed)).filter(|&p| p != 0)
    }

    /// The spawned bridge's admin address (`None` for an external bridge).
    pub fn admin(&self) -> Option<SocketAddr> {
        self.relaunch.as_ref().map(|r| r.admin)
    }

    /// The ingest URL (token included: keep it out of logs).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether a spawned bridge is still running (always true for an external one).
    pub async fn bridge_alive(&self) -> bool {
        self.bridge
            .lock()
            .await
            .as_mut()
            .is_none_or(BridgeProcess::is_running)
    }

    /// Kills a spawned bridge with SIGKILL, as a crash would.
    pub async fn kill_bridge(&self) {
        if let Some(bridge) = self.bridge.lock().await.take() {
            bridge.kill().await;
        }
    }

    /// Starts the spawned bridge again on the same config, journal and token, and waits
    /// until it is ready; returns how long that took.
    pub async fn restart_bridge(&self, within: Duration) -> Result<Duration, LoadError> {
        let Some(r) = &self.relaunch else {
            return Err(LoadError::BadOption {
                name: "bridge",
                reason: "an external bridge cannot be restarted from here",
            });
        };
        let start = Instant::now();
        let mut bridge = BridgeProcess::spawn(&r.bin, &r.config, &r.token, ACS_PASSWORD, &r.log)?;
        self.pid.store(bridge.pid(), Ordering::Relaxed);
        let ready = bridge.wait_ready(r.admin, within).await;
        *self.bridge.lock().await = Some(bridge);
        ready.map(|()| start.elapsed())
    }

    /// Runs one plan against the bridge.
    pub async fn drive(&self, plan: SendPlan, grace: Duration) -> Result<Report, LoadError> {
        super::drive(&self.acs, &self.url, plan, grace, self.bridge_pid()).await
    }

    /// Runs one plan against the bridge, keeping every send and arrival.
    pub async fn drive_detailed(
        &self,
        plan: SendPlan,
        grace: Duration,
    ) -> Result<super::Run, LoadError> {
        super::drive_detailed(&self.acs, &self.url, plan, grace, self.bridge_pid()).await
    }

    /// Stops a spawned bridge gracefully (SIGTERM, then SIGKILL after 5 s); the simulator
    /// keeps running.
    pub async fn stop_bridge(&self) {
        if let Some(bridge) = self.bridge.lock().await.take() {
            bridge.stop(Duration::from_secs(5)).await;
        }
    }

    /// The spawned bridge's journal as `facegate journal -c CONFIG --json --limit 0` prints it:
    /// one JSON object per row (lines that are not JSON objects are skipped).
    pub async fn journal_rows(&self) -> Result<Vec<serde_json::Value>, String> {
        let Some(r) = &self.relaunch else {
            return Err("an external bridge's journal is not reachable from here".to_owned());
        };
        let out = tokio::process::Command::new(&r.bin)
            .arg("journal")
            .arg("-c")
            .arg(&r.config)
            .args(["--json", "--limit", "0"])
            .env(site::TOKEN_ENV, &r.token)
            .env(site::PASSWORD_ENV, ACS_PASSWORD)
            .env(site::WATCHER_KEY_ENV, "load-driver-watcher-key")
            .output()
            .await
            .map_err(|e| format!("cannot run {}: {e}", r.bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "facegate journal failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(serde_json::Value::is_object)
            .collect())
    }

    /// Stops a spawned bridge (SIGTERM, then SIGKILL after 5 s) and the simulator.
    pub async fn stop(self) {
        if let Some(bridge) = self.bridge.into_inner() {
            bridge.stop(Duration::from_secs(5)).await;
        }
        self.acs.shutdown().await;
    }
}
