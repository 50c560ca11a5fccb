//! `facegate demo`: a scripted morning on loopback, with no config and no network.
//!
//! Layout: [`world`] holds the simulated people, cameras and the bridge config; `http` is a
//! tiny loopback client; [`script`] the steps; [`report`] the table and the ACS-log audit.
//! This module starts the simulated ACS (`sim::acs`), the simulated Watcher (`sim::watcher`)
//! and the real bridge ([`crate::app::Bridge`]) in one process. The bridge registers its subscriptions with the
//! simulated Watcher through the real `watcher-api` client, then every recognition travels
//! Watcher → HTTP → bridge → OIF over TCP → ACS, exactly as in production.

mod http;
pub mod report;
pub mod script;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use sim::acs::{AcsSim, AcsSimConfig, AcsSimHandle};
use sim::watcher::{PersonsFile, WatcherSim, WatcherSimConfig, WatcherSimHandle};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::app::{Bridge, BridgeHandle, RunOptions};
use crate::config::Config;
use script::{Report, Seen};

/// Everything the demo started.
pub struct Demo {
    /// The simulated ACS.
    pub acs: AcsSimHandle,
    /// The simulated Watcher.
    pub watcher: WatcherSimHandle,
    /// The bridge.
    pub bridge: BridgeHandle,
    /// The webhook token.
    pub token: String,
    seen: mpsc::UnboundedReceiver<Seen>,
    dir: PathBuf,
}

/// Reserves a loopback port (the bridge binds it again; the Watcher must know the URL first).
async fn free_port() -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0").await?;
    Ok(l.local_addr()?)
}

impl Demo {
    /// Starts both simulators and the bridge and waits until the ACS links are logged in and
    /// the subscriptions are registered.
    pub async fn start() -> anyhow::Result<Demo> {
        let acs_password = world::random_hex(24);
        let acs_config = AcsSimConfig {
            user: "admin".to_owned(),
            password: acs_proto::Secret::new(acs_password.clone()),
            ..AcsSimConfig::default()
        };
        let acs = AcsSim::start(acs_config, TcpListener::bind("127.0.0.1:0").await?);

        let watcher_key = world::random_hex(32);
        let persons = PersonsFile::from_json(&world::persons_json())
            .map_err(|e| anyhow::anyhow!("demo persons file: {e}"))?;
        let mut wconfig = WatcherSimConfig::new(persons);
        wconfig.api_key = Some(watcher_key.clone());
        let watcher = WatcherSim::start(wconfig, TcpListener::bind("127.0.0.1:0").await?)
            .map_err(|e| anyhow::anyhow!("starting the Watcher simulator: {e}"))?;

        let dir = std::env::temp_dir().join(format!(
            "facegate-demo-{}-{}",
            std::process::id(),
            world::random_hex(8)
        ));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("people.csv"), world::PEOPLE_CSV)?;
        let token = world::random_hex(48);
        let toml = world::bridge_toml(
            free_port().await?,
            &token,
            &watcher.base_url(),
            &watcher_key,
            acs.addr(),
            &acs_password,
            &dir.join("journal.db"),
        );
        let config = Config::from_toml_str(&toml, &dir)
            .map_err(|e| anyhow::anyhow!("demo config: {}", e.lines().join("; ")))?;

        let (tx, seen) = mpsc::unbounded_channel();
        let tx = Mutex::new(tx);
        let options = RunOptions {
            observer: Some(Arc::new(move |arrival, finished| {
                let seen = Seen::new(arrival, finished);
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(seen);
                }
            })),
            ..RunOptions::default()
        };
        let bridge = Bridge::start(config, options).await?;
        let demo = Demo {
            acs,
            watcher,
            bridge,
            token,
            seen,
            dir,
        };
        demo.wait_until_ready().await?;
        Ok(demo)
    }

    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !(self.bridge.ready() && self.watcher.subscriptions().len() >= 2) {
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!(
                    "the bridge did not come up in 10 s (ACS ready: {}, subscriptions: {})",
                    self.bridge.ready(),
                    self.watcher.subscriptions().len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// The bridge's webhook address.
    pub fn ingest_addr(&self) -> anyhow::Result<SocketAddr> {
        self.bridge
            .ingest_addr
            .context("the demo bridge has no ingest listener")
    }

    /// Plays the scripted morning.
    pub async fn play(&mut self) -> anyhow::Result<Report> {
        script::play(self).await
    }

    /// Stops the bridge and the simulators and removes the temporary journal.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.bridge.shutdown().await?;
        self.watcher.shutdown().await;
        self.acs.shutdown().await;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(())
    }
}

/// `facegate demo [--serve]`: returns the process exit code (0 only if every step matched).
pub async fn run(serve: bool) -> anyhow::Result<u8> {
    let mut demo = Demo::start().await?;
    println!("facegate demo: a scripted morning, all on loopback");
    println!(
        "  simulated Watcher {}, simulated ACS {}, bridge webhook {}",
        demo.watcher.base_url(),
        demo.acs.addr(),
        demo.ingest_addr()?
    );
    println!(
        "  the bridge registered {} push subscriptions with the Watcher (watcher-api client)",
        demo.watcher.subscriptions().len()
    );
    println!();
    let report = demo.play().await?;
    print!("{}", report.render());
    if serve {
        let ingest = demo.ingest_addr()?;
        let admin = demo
            .bridge
            .admin_addr
            .map_or_else(|| "-".to_owned(), |a| a.to_string());
        println!();
        println!("Everything keeps running (Ctrl-C to stop):");
        println!("  simulated Watcher  {}", demo.watcher.base_url());
        println!("  simulated ACS      {} (OIF)", demo.acs.addr());
        println!(
            "  bridge webhook     http://{ingest}/watcher/events/{}",
            demo.token
        );
        println!("  bridge admin       http://{admin}/metrics  /readyz  /api/status");
        println!();
        println!("Open the door for Ivanov Ivan (wait 5 s after the demo: cooldown):");
        println!(
            "  curl -s -X POST {}/sim/recognize -H 'content-type: application/json' \
             -d '{{\"person_id\":135,\"camera\":\"entrance\"}}'",
            demo.watcher.base_url()
        );
        println!();
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                seen = demo.seen.recv() => match seen {
                    Some(s) => println!(
                        "  person {:<6} {:<16} ACS {:<10} {}",
                        s.person,
                        s.outcome,
                        s.reply,
                        script::format_latency(s.latency)
                    ),
                    None => break,
                },
            }
        }
    }
    let ok = report.all_matched();
    demo.stop().await?;
    Ok(if ok { 0 } else { 1 })
}
