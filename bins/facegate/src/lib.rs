//! The facegate bridge and its admin CLI.

pub mod admin;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod duration;
pub mod ingest;
pub mod journal;
pub mod journal_cmd;
pub mod metrics;
pub mod pipeline;
pub mod secret;
pub mod size;

/// Entry point of the `facegate` binary.
pub fn main_entry() -> std::process::ExitCode {
    cli::main()
}
