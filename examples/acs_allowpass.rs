//! Sends one `ALLOWPASS` to an OIF server and prints the outcome.
//!
//! ```text
//! ACS_PASSWORD=secret cargo run --example acs_allowpass -- \
//!     --address 127.0.0.1:3312 --user admin --password-env ACS_PASSWORD \
//!     --ap 1 --object 6 --direction in [--tls [--ca FILE] [--server-name NAME]]
//! ```
//!
//! Exit status: 0 granted, 1 denied by the ACS, 2 timeout (sent, result unknown),
//! 3 unavailable (not sent), 4 bad arguments.

use std::process::ExitCode;
use std::time::Duration;

use acs_client::{AcsConfig, AcsPool, LinkState, PassOutcome, TlsConfig};
use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef, Secret};
use anyhow::{bail, Context};
use clap::Parser;
use tokio::time::Instant;

/// Send one ALLOWPASS to a Sigur OIF server.
#[derive(Parser, Debug)]
struct Args {
    /// host:port of the OIF server.
    #[arg(long)]
    address: String,
    /// OIF user.
    #[arg(long)]
    user: String,
    /// Name of the environment variable holding the password.
    #[arg(long, value_name = "VAR")]
    password_env: String,
    /// Access point id.
    #[arg(long)]
    ap: u32,
    /// Object id, or `anonymous`.
    #[arg(long)]
    object: String,
    /// in, out or unknown.
    #[arg(long, default_value = "in")]
    direction: String,
    /// Connect with TLS (system roots unless --ca is given).
    #[arg(long)]
    tls: bool,
    /// PEM file of the CA to trust (implies --tls).
    #[arg(long, value_name = "FILE")]
    ca: Option<std::path::PathBuf>,
    /// TLS server name, if not the host of --address.
    #[arg(long)]
    server_name: Option<String>,
    /// Overall deadline in milliseconds (connect, login and reply).
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
}

fn config(args: &Args) -> anyhow::Result<(AcsConfig, ObjectRef, Direction)> {
    let password = std::env::var(&args.password_env)
        .with_context(|| format!("environment variable {} is not set", args.password_env))?;
    let object = if args.object.eq_ignore_ascii_case("anonymous") {
        ObjectRef::Anonymous
    } else {
        let id: u32 = args.object.parse().with_context(|| {
            format!("--object {:?} is not a number or `anonymous`", args.object)
        })?;
        ObjectRef::Id(ObjectId(id))
    };
    let direction = match args.direction.to_ascii_lowercase().as_str() {
        "in" => Direction::In,
        "out" => Direction::Out,
        "unknown" => Direction::Unknown,
        other => bail!("--direction {other:?} is not in, out or unknown"),
    };
    let tls = (args.tls || args.ca.is_some()).then(|| TlsConfig {
        ca_file: args.ca.clone(),
        server_name: args.server_name.clone(),
    });
    let cfg = AcsConfig {
        tls,
        connections: 1,
        idle_probe: None,
        ..AcsConfig::new(
            args.address.clone(),
            args.user.clone(),
            Secret::new(password),
        )
    };
    cfg.validate()?;
    Ok((cfg, object, direction))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let (cfg, object, direction) = match config(&args) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(4);
        }
    };
    let pool = AcsPool::start(cfg);
    let started = Instant::now();
    let deadline = started + Duration::from_millis(args.timeout_ms);
    let outcome = pool
        .allow_pass(AccessPointId(args.ap), object, direction, deadline)
        .await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let code = match &outcome {
        PassOutcome::Granted => {
            println!("OK: pass granted ({elapsed_ms:.1} ms)");
            0
        }
        PassOutcome::Denied { code, text } => {
            println!("DENIED: ERROR {} {text}", code.code());
            1
        }
        PassOutcome::Timeout => {
            println!("TIMEOUT: sent, but no reply in time (result unknown; not re-sent)");
            2
        }
        PassOutcome::Unavailable => {
            let why = match &pool.state().links[0] {
                LinkState::Backoff { reason, .. } => reason.to_string(),
                LinkState::AuthFailed { code, .. } => {
                    format!("login rejected (ERROR {})", code.code())
                }
                other => other.as_str().to_owned(),
            };
            println!("UNAVAILABLE: not sent ({why})");
            3
        }
    };
    pool.shutdown().await;
    ExitCode::from(code)
}
