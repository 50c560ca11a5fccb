//! The `facegate` binary: a thin entry over `facegate-bridge`.

fn main() -> std::process::ExitCode {
    facegate_bridge::main_entry()
}
