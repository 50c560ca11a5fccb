//! `facegate-sim watcher` (owned by the watcher simulator work; replaced there).

/// Arguments of `facegate-sim watcher`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs the simulator until interrupted.
pub fn run(_args: Args) -> anyhow::Result<()> {
    anyhow::bail!("the watcher simulator is not built yet")
}
