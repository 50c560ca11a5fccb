//! The facegate bridge and its admin CLI.

/// Entry point of the `facegate` binary.
pub fn main_entry() -> std::process::ExitCode {
    eprintln!("facegate: the bridge is not built yet");
    std::process::ExitCode::FAILURE
}

pub mod admin;
pub mod ingest;
pub mod metrics;
