//! `facegate-sim watcher`: runs the Flussonic Watcher simulator, printing its address, each API
//! call and each delivery.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use sim::watcher::{DeliveryMode, PersonsFile, WatcherSim, WatcherSimConfig};

/// Delivery form chosen on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Delivery {
    /// The article's push JSON (`data` inside `notification`) to every matching subscription.
    Push,
    /// Push JSON with `data` at the top level.
    PushToplevel,
    /// Activity-event arrays to `--activity-url` (subscriptions are not delivered to).
    Activity,
}

/// Arguments of `facegate-sim watcher`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The persons file (person_lists, persons, cameras, users; SPEC §4).
    #[arg(long, value_name = "FILE")]
    persons: PathBuf,
    /// Environment variable holding the v2 API key accepted in `X-Vsaas-Api-Key`.
    #[arg(long, value_name = "VAR")]
    api_key_env: Option<String>,
    /// Delivery form.
    #[arg(long, value_enum, default_value = "push")]
    delivery: Delivery,
    /// Where activity arrays are POSTed (with `--delivery activity`).
    #[arg(long, value_name = "URL")]
    activity_url: Option<String>,
}

/// Runs the simulator until interrupted (Ctrl-C or SIGTERM).
pub fn run(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stdout)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sim::watcher=info")),
        )
        .init();
    let config = build_config(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args.listen, config))
}

fn build_config(args: &Args) -> anyhow::Result<WatcherSimConfig> {
    let world = PersonsFile::load(&args.persons)?;
    for user in &world.users {
        if user.resolve_password().is_none() {
            eprintln!(
                "facegate-sim: warning: user {:?} cannot log in: environment variable {} is not set",
                user.login,
                user.password_env.as_deref().unwrap_or("?")
            );
        }
    }
    let mut config = WatcherSimConfig::new(world);
    if let Some(var) = &args.api_key_env {
        let key = std::env::var(var)
            .with_context(|| format!("--api-key-env: environment variable {var} is not set"))?;
        if key.is_empty() {
            bail!("--api-key-env: environment variable {var} is empty");
        }
        config.api_key = Some(key);
    }
    config.delivery = match (args.delivery, &args.activity_url) {
        (Delivery::Push, None) => DeliveryMode::Push,
        (Delivery::PushToplevel, None) => DeliveryMode::PushTopLevel,
        (Delivery::Activity, Some(url)) if url.starts_with("http://") => {
            DeliveryMode::Activity { url: url.clone() }
        }
        (Delivery::Activity, Some(url)) => {
            bail!("--activity-url {url:?}: only http:// URLs are delivered to")
        }
        (Delivery::Activity, None) => bail!("--delivery activity needs --activity-url URL"),
        (_, Some(_)) => bail!("--activity-url only applies to --delivery activity"),
    };
    Ok(config)
}

async fn serve(listen: SocketAddr, config: WatcherSimConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("--listen {listen}: cannot bind"))?;
    let (persons, cameras) = (config.world.persons.len(), config.world.cameras.len());
    let sim = WatcherSim::start(config, listener)?;
    println!(
        "facegate-sim watcher listening on {} ({persons} persons, {cameras} cameras); \
         POST {}/sim/recognize {{\"person_id\":135,\"camera\":\"entrance\"}}",
        sim.base_url(),
        sim.base_url()
    );
    wait_for_signal().await?;
    println!("facegate-sim watcher: shutting down");
    sim.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("cannot listen for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("cannot listen for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("cannot listen for Ctrl-C")?;
    Ok(())
}
