//! The facegate bridge and its admin CLI.

pub mod admin;
pub mod app;
pub mod config;
pub mod duration;
pub mod ingest;
pub mod journal;
pub mod metrics;
pub mod pipeline;
pub mod secret;
pub mod size;

/// Entry point of the `facegate` binary.
pub fn main_entry() -> std::process::ExitCode {
    eprintln!("facegate: the bridge is not built yet");
    std::process::ExitCode::FAILURE
}
