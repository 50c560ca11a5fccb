//! `facegate-sim load`: drives a facegate bridge at a fixed rate against an in-process ACS
//! simulator and reports latency (first byte sent → `ALLOWPASS` read), throughput, errors
//! by kind and the bridge's memory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use sim::load::ramp::{self, Criteria, Step};
use sim::load::report::render_table;
use sim::load::{process, BridgeChoice, ConnectionMode, LoadSession, SendPlan, SessionOptions};

/// Arguments of `facegate-sim load`.
#[derive(clap::Args)]
pub struct Args {
    /// Events per second (open loop: sent on schedule whatever the bridge does).
    #[arg(long, default_value_t = 1_000.0)]
    rate: f64,
    /// How long to send: `30s`, `500ms`, `10m`.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Keep-alive connections, events dealt round-robin.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Open a new connection for every request instead of keep-alive.
    #[arg(long)]
    new_connection_per_request: bool,
    /// With --new-connection-per-request: most requests open at once.
    #[arg(long, default_value_t = 256)]
    max_in_flight: usize,
    /// Instead of one run, a ramp: comma-separated rates, each for --duration; stops after the
    /// first step that is not sustained. Reports the highest sustained rate.
    #[arg(long, value_delimiter = ',', value_name = "RATES")]
    ramp: Option<Vec<f64>>,
    /// Ramp criterion: largest p99 latency from the intended send time.
    #[arg(long, default_value = "100ms", value_parser = parse_duration)]
    sustain_p99: Duration,
    /// Ramp criterion: least share of events completed.
    #[arg(long, default_value_t = 0.999)]
    sustain_completion: f64,
    /// Send this long at --rate first and discard the results (connections, caches).
    #[arg(long, value_parser = parse_duration)]
    warmup: Option<Duration>,
    /// How long to wait after the last answer for ALLOWPASSes still due.
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    grace: Duration,
    /// How long one request may take before it counts as a timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// Distinct person ids cycled through (ids recur every persons/rate seconds, which must
    /// exceed the bridge's cooldown).
    #[arg(long, default_value_t = 100_000)]
    persons: u32,
    /// First person id.
    #[arg(long, default_value_t = 1)]
    first_person: u32,
    /// Camera name the events carry (the bridge's [[door]] camera).
    #[arg(long, default_value = "load")]
    camera: String,
    /// The facegate executable to start (default: `facegate` beside this executable).
    #[arg(long, value_name = "PATH", conflicts_with = "target")]
    bridge_bin: Option<PathBuf>,
    /// Drive an already-running bridge at this ingest URL (token included) instead.
    #[arg(long, value_name = "URL", requires = "acs_listen")]
    target: Option<String>,
    /// With --target: where our ACS simulator listens (the bridge's [[acs]] address; user
    /// admin, password secret, objects first-person..+persons, access point 1).
    #[arg(long, value_name = "ADDR")]
    acs_listen: Option<SocketAddr>,
    /// With --target: the bridge's pid, for its memory figures.
    #[arg(long, value_name = "PID")]
    bridge_pid: Option<u32>,
    /// Spawned bridge: [policy] cooldown.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    cooldown: Duration,
    /// Spawned bridge: [policy] max_event_age (also its ACS command deadline).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    max_event_age: Duration,
    /// Spawned bridge: [[acs]] connections.
    #[arg(long, default_value_t = 2)]
    acs_connections: u32,
    /// Spawned bridge: [ingest] queue_capacity (default: the bridge's).
    #[arg(long)]
    queue_capacity: Option<u32>,
    /// Keep the spawned bridge's config, journal and log (printed at the end).
    #[arg(long)]
    keep_dir: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Driver runtime threads (the simulator shares them).
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

/// Parses `250ms`, `30s`, `10m`, `1h`, or a bare number of seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("bad duration {s:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1_000.0,
        "m" => n * 60.0,
        "h" => n * 3_600.0,
        _ => return Err(format!("bad duration unit in {s:?} (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("bad duration {s:?}"))
}

/// Runs the load.
pub fn run(args: Args) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    check(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(drive(args))
}

fn check(args: &Args) -> anyhow::Result<()> {
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number");
    }
    let top = args
        .ramp
        .as_deref()
        .and_then(|r| r.iter().copied().reduce(f64::max))
        .unwrap_or(args.rate);
    let cycle = f64::from(args.persons) / top;
    if cycle <= args.cooldown.as_secs_f64() * 2.0 {
        bail!(
            "--persons {} at {top}/s repeats a person every {cycle:.2} s, within twice the \
             cooldown ({:?}): raise --persons",
            args.persons,
            args.cooldown
        );
    }
    Ok(())
}

fn unique_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!("load{}x{}", now.as_millis(), std::process::id())
}

fn plan(args: &Args, rate: f64, duration: Duration, run_id: String) -> SendPlan {
    let mode = if args.new_connection_per_request {
        ConnectionMode::PerRequest {
            max_in_flight: args.max_in_flight,
        }
    } else {
        ConnectionMode::KeepAlive {
            connections: args.connections,
        }
    };
    SendPlan {
        rate,
        duration,
        mode,
        first_person: args.first_person,
        persons: args.persons,
        camera: args.camera.clone(),
        run_id,
        request_timeout: args.request_timeout,
        then: Vec::new(),
    }
}

async fn drive(args: Args) -> anyhow::Result<()> {
    let id = unique_id();
    let work_dir = std::env::temp_dir().join(format!("facegate-{id}"));
    let bridge = match (&args.target, args.acs_listen) {
        (Some(url), Some(acs_listen)) => BridgeChoice::External {
            url: url.clone(),
            acs_listen,
            pid: args.bridge_pid,
        },
        _ => {
            let bin = match &args.bridge_bin {
                Some(b) => b.clone(),
                None => process::default_bridge_bin()
                    .context("cannot find the facegate executable; pass --bridge-bin")?,
            };
            if !bin.exists() {
                bail!(
                    "{} does not exist: build it (cargo build --release -p facegate) or pass \
                     --bridge-bin",
                    bin.display()
                );
            }
            BridgeChoice::Spawn { bin }
        }
    };
    let opts = SessionOptions {
        bridge,
        first_person: args.first_person,
        persons: args.persons,
        camera: args.camera.clone(),
        cooldown: args.cooldown,
        max_event_age: args.max_event_age,
        acs_connections: args.acs_connections,
        queue_capacity: args.queue_capacity,
        work_dir: work_dir.clone(),
        ready_timeout: Duration::from_secs(20),
        watcher_url: None,
    };
    let session = LoadSession::start(&opts)
        .await
        .context("cannot start the load session")?;
    eprintln!(
        "facegate-sim load: ACS simulator on {}, bridge pid {}",
        session.acs.addr(),
        session
            .bridge_pid()
            .map_or("unknown".to_owned(), |p| p.to_string())
    );
    let result = measure(&args, &session, &id).await;
    let log = session.log_path.clone();
    session.stop().await;
    if args.keep_dir {
        eprintln!("facegate-sim load: kept {}", work_dir.display());
    } else if log.is_some() {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    result
}

async fn measure(args: &Args, session: &LoadSession, id: &str) -> anyhow::Result<()> {
    if let Some(warmup) = args.warmup {
        let plan = plan(args, args.rate, warmup, format!("{id}w"));
        session.drive(plan, args.grace).await.context("warm-up")?;
        // Let cooldown entries of the warm-up expire.
        tokio::time::sleep(args.cooldown + Duration::from_millis(500)).await;
    }
    let Some(rates) = &args.ramp else {
        let plan = plan(args, args.rate, args.duration, id.to_owned());
        let report = session.drive(plan, args.grace).await?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", render_table(&report));
        }
        return Ok(());
    };
    let criteria = Criteria {
        min_completion: args.sustain_completion,
        max_p99: args.sustain_p99,
        min_send_share: 0.95,
    };
    let mut steps: Vec<Step> = Vec::new();
    for (i, &rate) in rates.iter().enumerate() {
        let plan = plan(args, rate, args.duration, format!("{id}r{i}"));
        let step = ramp::judge(session.drive(plan, args.grace).await?, &criteria);
        if !args.json {
            println!(
                "== step {}: {rate:.0}/s: {}",
                i + 1,
                if step.sustained {
                    "sustained".to_owned()
                } else {
                    format!("NOT sustained ({})", step.reasons.join("; "))
                }
            );
            print!("{}", render_table(&step.report));
            println!();
        }
        let stop = !step.sustained;
        steps.push(step);
        if stop {
            break;
        }
        tokio::time::sleep(args.cooldown + Duration::from_secs(1)).await;
    }
    let max = ramp::max_sustained(&steps);
    if args.json {
        let out = serde_json::json!({ "max_sustained_rate": max, "steps": steps });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        match max {
            Some(r) => println!("max sustained rate: {r:.0} events/s"),
            None => println!("max sustained rate: none of the steps"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
    }
}

/// Arguments of `facegate-sim drill`.
#[derive(clap::Args)]
pub struct DrillArgs {
    /// The drill: acs-restart, acs-slow, watcher-down, overload, kill9, or all.
    name: String,
    /// The facegate executable to start (default: `facegate` beside this executable).
    #[arg(long, value_name = "PATH")]
    bridge_bin: Option<PathBuf>,
    /// Base rate in events per second (default: the drill's own).
    #[arg(long)]
    rate: Option<f64>,
    /// Keep each drill's config, journal and bridge log (printed at the end).
    #[arg(long)]
    keep_dir: bool,
    /// Print JSON instead of PASS/FAIL lines.
    #[arg(long)]
    json: bool,
}

/// Runs one drill or all of them; fails when any drill fails.
pub fn run_drill(args: DrillArgs) -> anyhow::Result<()> {
    use sim::load::drill::{self, Drill, DrillOptions};
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let drills: Vec<Drill> = if args.name == "all" {
        Drill::ALL.to_vec()
    } else {
        match Drill::from_name(&args.name) {
            Some(d) => vec![d],
            None => bail!(
                "unknown drill {:?} (acs-restart, acs-slow, watcher-down, overload, kill9, all)",
                args.name
            ),
        }
    };
    let bin = match &args.bridge_bin {
        Some(b) => b.clone(),
        None => process::default_bridge_bin()
            .context("cannot find the facegate executable; pass --bridge-bin")?,
    };
    if !bin.exists() {
        bail!("{} does not exist: pass --bridge-bin", bin.display());
    }
    let work_dir = std::env::temp_dir().join(format!("facegate-drill-{}", unique_id()));
    let opts = DrillOptions {
        bin,
        work_dir: work_dir.clone(),
        rate: args.rate,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut failed = Vec::new();
    let mut results = Vec::new();
    for d in drills {
        let result = runtime
            .block_on(drill::run(d, &opts))
            .with_context(|| format!("drill {}", d.name()))?;
        if !result.pass {
            failed.push(d.name());
        }
        if !args.json {
            print!("{}", drill::render(&result));
        }
        results.push(result);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    }
    if args.keep_dir {
        eprintln!("facegate-sim drill: kept {}", work_dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&work_dir);
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("failed: {}", failed.join(", "))
    }
}
