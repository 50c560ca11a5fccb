//! `facegate-sim acs`: runs the OIF ACS simulator, printing each received command.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use sim::acs::{AcsSim, AcsSimConfig, Faults};
use tokio::io::AsyncWriteExt as _;
use tokio::sync::broadcast::error::RecvError;

/// Arguments of `facegate-sim acs`.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3312")]
    listen: SocketAddr,
    /// The OIF user that may log in (default: the state file's, else `admin`).
    #[arg(long)]
    user: Option<String>,
    /// Environment variable holding the password (default: the state file's, else `secret`).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// Access point ids, e.g. `1,2` (names and zones come from the state file when present).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    access_points: Option<Vec<u32>>,
    /// Object ids, e.g. `6,7,8`.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    objects: Option<Vec<u32>>,
    /// TOML or JSON state file: names, zones, object kinds, access point states.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Also write each received command as a JSON line {ts, conn, line} to FILE (appended).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// A fault knob; repeatable: `delay=200ms[,KIND]`, `silent=KIND`, `drop-after=N`,
    /// `garbage[=KIND]`, `reject-login[=CODE]`, `byte-by-byte`, `coalesce`.
    #[arg(long = "fail", value_name = "KNOB")]
    fail: Vec<String>,
    /// Behave like an older server: SUBSCRIBE CE / CE_WITH_NAMES answer ERROR 2.
    #[arg(long)]
    legacy_subscribe: bool,
    /// Longest accepted command line in bytes.
    #[arg(long, value_name = "BYTES")]
    max_line: Option<usize>,
    /// Serve TLS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The TLS private key (PEM); needs --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

/// Runs the simulator until interrupted (Ctrl-C or SIGTERM).
pub fn run(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let config = build_config(&args)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            Some(sim::acs::server_config_from_files(cert, key).context("cannot set up TLS")?)
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args, config, tls))
}

fn build_config(args: &Args) -> anyhow::Result<AcsSimConfig> {
    let mut config = match &args.state {
        Some(path) => AcsSimConfig::from_file(path)?,
        None => AcsSimConfig::default(),
    };
    if let Some(user) = &args.user {
        config.user = user.clone();
    }
    if let Some(var) = &args.password_env {
        let password = std::env::var(var)
            .with_context(|| format!("--password-env {var}: the variable is not set"))?;
        if password.is_empty() {
            bail!("--password-env {var}: the variable is empty");
        }
        config.password = password.into();
    }
    if let Some(ids) = &args.access_points {
        let ids: Vec<_> = ids.iter().copied().map(acs_proto::AccessPointId).collect();
        config.restrict_access_points(&ids);
    }
    if let Some(ids) = &args.objects {
        if ids.contains(&0) {
            bail!("--objects: object id 0 means \"no object\" in OIF");
        }
        let ids: Vec<_> = ids.iter().copied().map(acs_proto::ObjectId).collect();
        config.restrict_objects(&ids);
    }
    let mut faults = Faults::none();
    for knob in &args.fail {
        faults
            .apply_knob(knob)
            .with_context(|| format!("--fail {knob}"))?;
    }
    config.faults = faults;
    config.legacy_subscribe |= args.legacy_subscribe;
    if let Some(max) = args.max_line {
        config.max_line = max;
    }
    Ok(config)
}

async fn serve(
    args: Args,
    config: AcsSimConfig,
    tls: Option<std::sync::Arc<sim::acs::TlsServerConfig>>,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let mut log = match &args.log {
        Some(path) => Some(
            tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .await
                .with_context(|| format!("cannot open log file {}", path.display()))?,
        ),
        None => None,
    };
    let summary = format!(
        "user {}, access points {}, objects {}{}",
        config.user,
        join(config.access_points.iter().map(|a| a.id.0)),
        join(config.objects.iter().map(|o| o.id.0)),
        if tls.is_some() { ", TLS" } else { "" },
    );
    let sim = match tls {
        Some(tls) => AcsSim::start_tls(config, listener, tls),
        None => AcsSim::start(config, listener),
    };
    eprintln!("facegate-sim acs: listening on {} ({summary})", sim.addr());
    let mut received = sim.received_stream();
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        let rec = tokio::select! {
            _ = &mut stop => break,
            rec = received.recv() => rec,
        };
        match rec {
            Ok(rec) => {
                println!(
                    "{} conn={} {}",
                    sim::acs::clock::rfc3339(rec.at),
                    rec.conn,
                    printable(&rec.line)
                );
                if let Some(file) = log.as_mut() {
                    let mut line = rec.to_json_line();
                    line.push('\n');
                    file.write_all(line.as_bytes())
                        .await
                        .context("cannot write the log file")?;
                }
            }
            Err(RecvError::Lagged(n)) => eprintln!("facegate-sim acs: {n} commands not printed"),
            Err(RecvError::Closed) => break,
        }
    }
    eprintln!("facegate-sim acs: shutting down");
    if let Some(file) = log.as_mut() {
        file.flush().await.context("cannot write the log file")?;
    }
    sim.shutdown().await;
    Ok(())
}

/// The line with control characters escaped, so a client cannot drive the terminal.
fn printable(line: &str) -> String {
    line.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn join(ids: impl Iterator<Item = u32>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

/// Resolves on Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match term {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn config(argv: &[&str]) -> anyhow::Result<AcsSimConfig> {
        let cli = Cli::try_parse_from(std::iter::once("acs").chain(argv.iter().copied()))?;
        build_config(&cli.args)
    }

    #[test]
    fn id_lists_choose_exactly_the_access_points_and_objects() {
        let c = config(&["--access-points", "1,5", "--objects", "6,9"]).expect("valid");
        let aps: Vec<u32> = c.access_points.iter().map(|a| a.id.0).collect();
        let objects: Vec<u32> = c.objects.iter().map(|o| o.id.0).collect();
        assert_eq!(aps, [1, 5]);
        assert_eq!(objects, [6, 9]);
    }

    #[test]
    fn fail_knobs_and_flags_reach_the_config() {
        let c = config(&[
            "--fail",
            "silent=ALLOWPASS",
            "--fail",
            "drop-after=3",
            "--legacy-subscribe",
            "--max-line",
            "128",
        ])
        .expect("valid");
        assert!(c.faults.silent.matches(sim::acs::CommandKind::AllowPass));
        assert_eq!(c.faults.drop_after, Some(3));
        assert!(c.legacy_subscribe);
        assert_eq!(c.max_line, 128);
    }

    #[test]
    fn a_missing_password_variable_and_a_bad_knob_are_clear_errors() {
        let err = config(&["--password-env", "FACEGATE_SIM_TEST_SURELY_UNSET"])
            .expect_err("unset variable");
        assert!(format!("{err:#}").contains("FACEGATE_SIM_TEST_SURELY_UNSET"));
        let err = config(&["--fail", "explode"]).expect_err("bad knob");
        assert!(format!("{err:#}").contains("explode"));
    }

    #[test]
    fn control_characters_are_escaped_for_the_terminal() {
        assert_eq!(printable("GET\u{1b}[31mX\tY"), "GET\\u{1b}[31mX\\tY");
        assert_eq!(printable("Иванов"), "Иванов");
    }
}
