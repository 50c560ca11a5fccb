//! The `facegate` command line (SPEC §4): argument parsing, logging set-up and dispatch.
//!
//! Exit codes: 0 ok, 1 problems found (an invalid config, a failed demo step), 2 usage or
//! runtime error. Errors a person can fix are one line naming the file, key or value.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;

/// Exit code: everything fine.
pub const EXIT_OK: u8 = 0;
/// Exit code: problems found (invalid config, failed demo step).
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code: usage or runtime error.
pub const EXIT_ERROR: u8 = 2;

/// facegate: face recognition (Flussonic Watcher) to access control (Sigur OIF) bridge.
#[derive(Debug, Parser)]
#[command(
    name = "facegate",
    version,
    about = "facegate: opens doors for faces. Bridges Flussonic Watcher recognitions to a Sigur OIF access-control system."
)]
pub struct Cli {
    /// Log format on stderr (the level comes from the FACEGATE_LOG variable, default `info`).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Log line format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bridge.
    Run {
        /// The configuration file.
        #[arg(short, long, default_value = "facegate.toml")]
        config: PathBuf,
        /// Decide and journal everything, but never send ALLOWPASS.
        #[arg(long)]
        dry_run: bool,
    },
    /// Play a scripted morning against simulated Watcher and ACS (no config, loopback only).
    Demo {
        /// Keep everything running and print the addresses.
        #[arg(long)]
        serve: bool,
    },
    /// Validate the configuration and print every problem with its key.
    Check {
        /// The configuration file.
        #[arg(short, long, default_value = "facegate.toml")]
        config: PathBuf,
        /// Also log in to Watcher and every ACS and check cameras, access points and objects.
        #[arg(long)]
        online: bool,
        /// Bound on connecting, logging in and each request of `--online`, e.g. `5s`.
        #[arg(long, default_value = "5s")]
        timeout: String,
    },
    /// Query the journal of sightings.
    Journal(crate::journal_cmd::JournalArgs),
    /// The identity table: unmapped persons seen, add one mapping, import a CSV.
    Mapping {
        /// What to do with the table.
        #[command(subcommand)]
        command: crate::mapping::MappingCommand,
    },
    /// The Watcher push subscriptions: list, sync with the config, delete ours.
    Subscriptions {
        /// What to do.
        #[command(subcommand)]
        command: crate::subscriptions::SubscriptionsCommand,
    },
}

/// Parses the process arguments, sets up logging and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_ERROR } else { EXIT_OK });
        }
    };
    let default_level = match cli.command {
        Command::Run { .. } => "info",
        // The demo prints its own table: the bridge's per-sighting log lines would bury it.
        // The admin commands print their own results too; library chatter only on warnings.
        _ => "warn",
    };
    init_tracing(cli.log_format, default_level);
    let code = dispatch(cli.command);
    crate::logbuf::flush();
    ExitCode::from(code)
}

/// Runs one command; returns the exit code.
pub fn dispatch(command: Command) -> u8 {
    match command {
        Command::Run { config, dry_run } => run_command(&config, dry_run),
        Command::Demo { serve } => match run_demo(serve) {
            Ok(code) => code,
            Err(e) => fail(&e),
        },
        Command::Check {
            config,
            online,
            timeout,
        } => {
            let timeout = match crate::duration::parse_duration(&timeout) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("facegate: --timeout: {e}");
                    return EXIT_ERROR;
                }
            };
            let report = crate::check::check(&config, online.then_some(timeout));
            for line in &report.lines {
                println!("{line}");
            }
            report.exit
        }
        Command::Journal(args) => {
            crate::journal_cmd::journal_command(&args, &mut std::io::stdout().lock())
        }
        Command::Mapping { command } => crate::mapping::mapping_command(
            &command,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
        Command::Subscriptions { command } => crate::subscriptions::subscriptions_command(&command),
    }
}

fn run_command(path: &std::path::Path, dry_run: bool) -> u8 {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(e) => {
            for line in e.lines() {
                eprintln!("{line}");
            }
            return EXIT_PROBLEMS;
        }
    };
    for w in &config.warnings {
        tracing::warn!(file = %path.display(), key = %w.key, "{}", w.message);
    }
    match run_bridge(config, dry_run) {
        Ok(()) => EXIT_OK,
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> u8 {
    eprintln!("facegate: {e:#}");
    EXIT_ERROR
}

// ---- Engineer B: the two call sites below are yours to replace. ----

/// Runs the bridge until SIGTERM/SIGINT (`facegate run`).
fn run_bridge(config: Config, dry_run: bool) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let options = crate::app::RunOptions {
        dry_run,
        ..crate::app::RunOptions::default()
    };
    runtime.block_on(crate::app::run(config, options))
}

/// Plays the demo (`facegate demo`); returns the exit code (0 only if every step matched).
fn run_demo(serve: bool) -> anyhow::Result<u8> {
    use anyhow::Context as _;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(crate::demo::run(serve))
}

// ---- end of B's call sites ----

/// Installs the global `tracing` subscriber on stderr (through the buffered, non-blocking
/// [`crate::logbuf`] writer; [`main`] flushes it on exit): level from `FACEGATE_LOG` (default
/// `default_level`: `info` for `run`, `warn` for `demo` and the admin commands), format from
/// `--log-format`; colours only when stderr is a terminal. A second call does nothing.
pub fn init_tracing(format: LogFormat, default_level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("FACEGATE_LOG") {
        Err(_) => EnvFilter::new(default_level),
        Ok(spec) => EnvFilter::try_new(&spec).unwrap_or_else(|e| {
            eprintln!(
                "facegate: FACEGATE_LOG={spec:?} is not a valid filter ({e}); using {default_level:?}"
            );
            EnvFilter::new(default_level)
        }),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(crate::logbuf::BufferedStderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("facegate").chain(args.iter().copied()))
    }

    #[test]
    fn the_config_path_defaults_to_facegate_toml() {
        match parse(&["check"]).unwrap().command {
            Command::Check { config, online, .. } => {
                assert_eq!(config, PathBuf::from("facegate.toml"));
                assert!(!online);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn run_takes_a_config_and_dry_run() {
        match parse(&["run", "-c", "x.toml", "--dry-run"])
            .unwrap()
            .command
        {
            Command::Run { config, dry_run } => {
                assert_eq!(config, PathBuf::from("x.toml"));
                assert!(dry_run);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn journal_flags_and_the_global_log_format_parse() {
        let cli = parse(&[
            "journal",
            "-c",
            "f.toml",
            "--since",
            "10m",
            "--outcome",
            "granted",
            "--person",
            "135",
            "--json",
            "--limit",
            "5",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert_eq!(cli.log_format, LogFormat::Json);
        match cli.command {
            Command::Journal(a) => {
                assert_eq!(a.since.as_deref(), Some("10m"));
                assert_eq!(a.outcome.as_deref(), Some("granted"));
                assert_eq!(a.person, Some(135));
                assert!(a.json);
                assert_eq!(a.limit, 5);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn mapping_subscriptions_and_online_check_arguments_parse() {
        use crate::mapping::MappingCommand;
        use crate::subscriptions::SubscriptionsCommand;
        match parse(&[
            "mapping",
            "set",
            "-c",
            "f.toml",
            "135",
            "6",
            "--name",
            "Ivan",
            "--replace",
        ])
        .unwrap()
        .command
        {
            Command::Mapping {
                command: MappingCommand::Set(a),
            } => {
                assert_eq!((a.person.as_str(), a.object.as_str()), ("135", "6"));
                assert_eq!(a.name.as_deref(), Some("Ivan"));
                assert!(a.replace);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(matches!(
            parse(&["mapping", "pending", "--json", "--since", "7d"])
                .unwrap()
                .command,
            Command::Mapping {
                command: MappingCommand::Pending { json: true, .. }
            }
        ));
        assert!(matches!(
            parse(&["mapping", "import", "-c", "f.toml", "x.csv"])
                .unwrap()
                .command,
            Command::Mapping {
                command: MappingCommand::Import { replace: false, .. }
            }
        ));
        match parse(&["subscriptions", "delete", "-c", "f.toml", "--id", "7"])
            .unwrap()
            .command
        {
            Command::Subscriptions {
                command: SubscriptionsCommand::Delete { peer, id },
            } => {
                assert_eq!(id.as_deref(), Some("7"));
                assert_eq!(peer.timeout, "10s");
            }
            other => panic!("unexpected {other:?}"),
        }
        match parse(&["check", "--online", "--timeout", "2s"])
            .unwrap()
            .command
        {
            Command::Check {
                online, timeout, ..
            } => assert!(online && timeout == "2s"),
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse(&["mapping", "set", "135"]).unwrap_err().use_stderr());
        assert!(parse(&["subscriptions", "purge"]).unwrap_err().use_stderr());
    }

    #[test]
    fn a_bad_online_timeout_is_a_usage_error() {
        let code = dispatch(Command::Check {
            config: PathBuf::from("/nonexistent.toml"),
            online: true,
            timeout: "soon".into(),
        });
        assert_eq!(code, EXIT_ERROR);
    }

    #[test]
    fn unknown_subcommands_and_flags_are_usage_errors() {
        assert!(parse(&["open-door"]).unwrap_err().use_stderr());
        assert!(parse(&["check", "--frobnicate"]).unwrap_err().use_stderr());
        assert!(parse(&["journal", "--person", "abc"])
            .unwrap_err()
            .use_stderr());
    }

    #[test]
    fn an_invalid_config_makes_run_exit_with_problems() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "[nonsense]\n").unwrap();
        assert_eq!(run_command(&path, false), EXIT_PROBLEMS);
    }
}
