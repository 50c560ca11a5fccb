//! `facegate-sim`: command line over the facegate simulators (`acs`, `watcher`), the load
//! driver (`load`) and the fault drills (`drill`).

use clap::{Parser, Subcommand};

mod acs_cmd;
mod load_cmd;
mod watcher_cmd;

#[derive(Parser)]
#[command(
    name = "facegate-sim",
    version,
    about = "Simulators for rehearsing a facegate site"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run the Sigur OIF ACS simulator.
    Acs(acs_cmd::Args),
    /// Run the Flussonic Watcher simulator.
    Watcher(watcher_cmd::Args),
    /// Drive a facegate bridge at a fixed rate and report latency, throughput and memory.
    Load(load_cmd::Args),
    /// Run a fault drill (or `all`) against a spawned bridge and print PASS/FAIL.
    Drill(load_cmd::DrillArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Acs(args) => acs_cmd::run(args),
        Cmd::Watcher(args) => watcher_cmd::run(args),
        Cmd::Load(args) => load_cmd::run(args),
        Cmd::Drill(args) => load_cmd::run_drill(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("facegate-sim: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
