//! `facegate-sim`: command line over the facegate simulators.

fn main() -> std::process::ExitCode {
    eprintln!("facegate-sim: no simulator built yet");
    std::process::ExitCode::FAILURE
}
