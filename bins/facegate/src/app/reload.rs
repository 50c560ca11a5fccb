//! Hot reload of doors, identity and policy (SIGHUP, or a change of the identity table file).
//!
//! A reload is validated first (config problems, engine validation, doors naming only the ACS
//! servers the bridge started with); an invalid one changes nothing and says why. The engine
//! keeps its de-duplication and cooldown state across a reload. Sections that own sockets
//! (`[ingest]`, `[[acs]]`, `[admin]`, `[watcher]`, `[journal]`) need a restart: a change there is
//! logged as ignored.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::{self, Config};
use crate::pipeline::Shared;

/// How often the identity table's modification time is checked.
pub const TABLE_POLL: Duration = Duration::from_secs(1);

/// Which configuration is in force, for `/api/status`.
#[derive(Clone, Debug)]
pub struct Generation {
    /// 1 for the configuration the bridge started with, +1 per applied reload.
    pub number: u64,
    /// When that configuration was loaded (unix ms).
    pub loaded_at_ms: i64,
    /// The last rejected reload: when (unix ms) and why. Cleared by a successful one.
    pub last_rejected: Option<(i64, String)>,
}

/// The shared, lockable [`Generation`].
pub type GenerationCell = Arc<Mutex<Generation>>;

/// A new cell for the configuration loaded now (generation 1).
pub fn first_generation() -> GenerationCell {
    Arc::new(Mutex::new(Generation {
        number: 1,
        loaded_at_ms: crate::pipeline::convert::unix_ms(SystemTime::now()),
        last_rejected: None,
    }))
}

/// Applies reloads to a running pipeline.
#[derive(Clone)]
pub struct Reloader {
    shared: Arc<Shared>,
    current: Arc<Mutex<Config>>,
    generation: GenerationCell,
}

impl Reloader {
    pub(super) fn new(shared: Arc<Shared>, config: Config, generation: GenerationCell) -> Self {
        Self {
            shared,
            current: Arc::new(Mutex::new(config)),
            generation,
        }
    }

    /// Which configuration is in force.
    pub fn generation(&self) -> Generation {
        self.generation
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Counts an applied reload, or keeps why one was rejected.
    fn record(&self, result: &Result<(), String>) {
        let now = crate::pipeline::convert::unix_ms(SystemTime::now());
        let mut g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(()) => {
                g.number += 1;
                g.loaded_at_ms = now;
                g.last_rejected = None;
            }
            Err(why) => g.last_rejected = Some((now, why.clone())),
        }
    }

    fn current(&self) -> Config {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Replaces doors, identity and policy with those of `new`, or explains why not. Either
    /// way the result shows in [`Reloader::generation`].
    pub fn apply(&self, new: Config) -> Result<(), String> {
        let result = self.apply_checked(new);
        self.record(&result);
        result
    }

    fn apply_checked(&self, new: Config) -> Result<(), String> {
        let old = self.current();
        let known: Vec<&str> = old.acs.iter().map(|a| a.name.as_str()).collect();
        if let Some(d) = new.doors.iter().find(|d| !known.contains(&d.acs.as_str())) {
            return Err(format!(
                "door with camera {:?} names ACS {:?}, which this process did not start \
                 (adding [[acs]] needs a restart)",
                d.camera, d.acs
            ));
        }
        let engine_config = super::engine_config(&new).map_err(|e| e.to_string())?;
        self.shared
            .engine
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .reload(engine_config)
            .map_err(|problems| {
                problems
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
        let socket_sections_changed = format!("{:?}", (&old.ingest, &old.acs, &old.admin))
            != format!("{:?}", (&new.ingest, &new.acs, &new.admin));
        if socket_sections_changed {
            tracing::warn!(
                "[ingest], [[acs]] and [admin] changes need a restart; kept as they were"
            );
        }
        tracing::info!(
            doors = new.doors.len(),
            mappings = new.identity.rows.len(),
            "configuration reloaded (doors, identity, policy)"
        );
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = new;
        Ok(())
    }

    /// SIGHUP: reads the config file again and applies it.
    pub fn reload_file(&self) -> Result<(), String> {
        let path = self.current().source_path;
        match Config::load(&path) {
            Ok(new) => self.apply(new),
            Err(e) => {
                let why = e.lines().join("; ");
                self.record(&Err(why.clone()));
                Err(why)
            }
        }
    }

    /// The identity table changed: reads it again and applies it with everything else as is.
    pub fn reload_table(&self) -> Result<(), String> {
        let mut new = self.current();
        let Some(path) = new.identity.table.clone() else {
            return Ok(());
        };
        match config::table::load_table(&path) {
            Ok(rows) => new.identity.rows = rows,
            Err(problems) => {
                let why = problems
                    .iter()
                    .map(|p| format!("{}:{}: {}", path.display(), p.line, p.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                self.record(&Err(why.clone()));
                return Err(why);
            }
        }
        self.apply(new)
    }

    /// Watches the identity table file (modification time and size) and reloads on change.
    pub(super) fn spawn_table_watch(&self, cancel: CancellationToken) -> Option<JoinHandle<()>> {
        let path = self.current().identity.table?;
        let this = self.clone();
        Some(tokio::spawn(async move {
            let mut last = stamp(&path);
            let mut tick = tokio::time::interval(TABLE_POLL);
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    _ = tick.tick() => {}
                }
                let now = stamp(&path);
                if now == last {
                    continue;
                }
                last = now;
                let r = this.clone();
                match tokio::task::spawn_blocking(move || r.reload_table())
                    .await
                    .unwrap_or_else(|e| Err(format!("reload task failed: {e}")))
                {
                    Ok(()) => tracing::info!(table = %path.display(), "identity table reloaded"),
                    Err(why) => tracing::error!(
                        table = %path.display(),
                        %why,
                        "identity table change rejected; the previous mapping stays in force"
                    ),
                }
            }
        }))
    }
}

fn stamp(path: &PathBuf) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}
